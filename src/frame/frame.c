/* frame.c - frames as lists of shared columns, and column lookup. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "frame.h"
#include "../core/alloc.h"

int frame_new(size_t nrow, mlsh_frame **out, mlsh_err *err) {
  *out = mlsh_calloc(1, sizeof **out);
  if (!*out) return mlsh_seterr(err, MLSH_ENOMEM, "frame: not enough memory");
  (*out)->nrow = nrow;
  return MLSH_OK;
}

void frame_free(mlsh_frame *f) {
  if (!f) return;
  for (size_t j = 0; j < f->ncol; j++) { col_unref(f->cols[j]); mlsh_free(f->names[j]); }
  mlsh_free(f->cols);
  mlsh_free(f->names);
  mlsh_free(f);
}

long frame_find(const mlsh_frame *f, const char *name) {
  for (size_t j = 0; j < f->ncol; j++)
    if (strcmp(f->names[j], name) == 0) return (long)j;
  return -1;
}

int frame_add(mlsh_frame *f, const char *name, mlsh_col *c, mlsh_err *err) {
  if (!name || !*name) return mlsh_seterr(err, MLSH_EINVAL, "frame_add: a column name must not be empty");
  if (frame_find(f, name) >= 0) return mlsh_seterr(err, MLSH_EINVAL, "frame_add: column '%s' already exists", name);
  if (f->ncol && c->n != f->nrow)
    return mlsh_seterr(err, MLSH_EINVAL, "frame_add: column '%s' has %zu rows, the frame %zu", name, c->n, f->nrow);
  size_t cap = f->cap, need = f->ncol + 1;
  char *copy = mlsh_malloc(strlen(name) + 1);
  if (!copy || mlsh_grow(&f->cols, &cap, need, sizeof *f->cols)) goto nomem;
  cap = f->cap;
  if (mlsh_grow(&f->names, &cap, need, sizeof *f->names)) goto nomem;
  f->cap = cap;
  strcpy(copy, name);
  f->names[f->ncol] = copy;
  f->cols[f->ncol++] = col_ref(c);
  f->nrow = c->n;
  return MLSH_OK;
nomem:
  mlsh_free(copy);
  return mlsh_seterr(err, MLSH_ENOMEM, "frame_add: not enough memory");
}

/* ---- names ---------------------------------------------------------------- */

size_t frame_edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), row[65];
  if (lb > 64) lb = 64;   /* names longer than this are never "close" beyond their start */
  if (la > 64) la = 64;
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      diag = up;
      row[j] = best;
    }
  }
  return row[lb];
}

size_t frame_close_names(const mlsh_frame *f, const char *name, const char **best, size_t max) {
  size_t k = 0, dist[8], limit = strlen(name) / 3 + 1;
  if (max > 8) max = 8;
  for (size_t j = 0; j < f->ncol; j++) {
    size_t d = frame_edit_distance(name, f->names[j]);
    if (d > limit && !(strcasecmp(name, f->names[j]) == 0)) continue;
    size_t pos = k < max ? k++ : max;
    while (pos > 0 && dist[pos - 1] > d) {
      if (pos < max) { dist[pos] = dist[pos - 1]; best[pos] = best[pos - 1]; }
      pos--;
    }
    if (pos < max) { dist[pos] = d; best[pos] = f->names[j]; }
  }
  return k;
}

int frame_lookup(const mlsh_frame *f, const char *name, const char *fname, size_t *idx, mlsh_err *err) {
  long j = frame_find(f, name);
  if (j >= 0) { *idx = (size_t)j; return MLSH_OK; }
  const char *best[3];
  size_t k = frame_close_names(f, name, best, 3);
  char hint[300] = "";
  for (size_t i = 0; i < k; i++) {
    size_t len = strlen(hint);
    snprintf(hint + len, sizeof hint - len, "%s'%s'", i ? ", " : " (did you mean ", best[i]);
  }
  if (k) strncat(hint, "?)", sizeof hint - strlen(hint) - 1);
  return mlsh_seterr(err, MLSH_EINVAL, "%s: unknown column '%s'%s", fname, name, hint);
}

/* ---- derived frames ------------------------------------------------------- */

static int derive(const mlsh_frame *f, mlsh_frame **out, mlsh_err *err) {
  return frame_new(f->nrow, out, err);
}

int frame_select(const mlsh_frame *f, const char *const *names, size_t k, mlsh_frame **out, mlsh_err *err) {
  int rc = derive(f, out, err);
  size_t j = 0;
  for (size_t i = 0; !rc && i < k; i++)
    if (!(rc = frame_lookup(f, names[i], "select", &j, err))) rc = frame_add(*out, names[i], f->cols[j], err);
  if (rc) { frame_free(*out); *out = NULL; }
  return rc;
}

int frame_drop(const mlsh_frame *f, const char *const *names, size_t k, mlsh_frame **out, mlsh_err *err) {
  size_t j;
  int rc = MLSH_OK;
  for (size_t i = 0; !rc && i < k; i++) rc = frame_lookup(f, names[i], "drop", &j, err);
  if (rc || (rc = derive(f, out, err))) { *out = NULL; return rc; }
  for (j = 0; !rc && j < f->ncol; j++) {
    size_t i = 0;
    while (i < k && strcmp(names[i], f->names[j]) != 0) i++;
    if (i == k) rc = frame_add(*out, f->names[j], f->cols[j], err);
  }
  if (rc) { frame_free(*out); *out = NULL; }
  return rc;
}

int frame_rename(const mlsh_frame *f, const char *from, const char *to, mlsh_frame **out, mlsh_err *err) {
  size_t src = 0;
  int rc = frame_lookup(f, from, "rename", &src, err);
  *out = NULL;
  if (rc) return rc;
  if (strcmp(from, to) != 0 && frame_find(f, to) >= 0)
    return mlsh_seterr(err, MLSH_EINVAL, "rename: column '%s' already exists", to);
  if ((rc = derive(f, out, err))) return rc;
  for (size_t j = 0; !rc && j < f->ncol; j++) rc = frame_add(*out, j == src ? to : f->names[j], f->cols[j], err);
  if (rc) { frame_free(*out); *out = NULL; }
  return rc;
}

int frame_with(const mlsh_frame *f, const char *name, mlsh_col *c, mlsh_frame **out, mlsh_err *err) {
  int rc;
  *out = NULL;
  if (f->ncol && c->n != f->nrow)
    return mlsh_seterr(err, MLSH_EINVAL, "mutate: column '%s' has %zu rows, the frame %zu", name, c->n, f->nrow);
  if ((rc = derive(f, out, err))) return rc;
  long at = frame_find(f, name);
  for (size_t j = 0; !rc && j < f->ncol; j++) rc = frame_add(*out, f->names[j], (long)j == at ? c : f->cols[j], err);
  if (!rc && at < 0) rc = frame_add(*out, name, c, err);
  if (rc) { frame_free(*out); *out = NULL; }
  return rc;
}

int frame_take(const mlsh_frame *f, const int64_t *idx, size_t m, mlsh_frame **out, mlsh_err *err) {
  col_take_plan plan;
  int rc = frame_new(m, out, err);
  if (!rc && f->ncol) rc = col_take_plan_make(idx, m, f->nrow, &plan, err);   /* idx checked once */
  for (size_t j = 0; !rc && j < f->ncol; j++) {
    mlsh_col *c;
    if ((rc = col_take_planned(f->cols[j], &plan, &c, err))) break;
    rc = frame_add(*out, f->names[j], c, err);
    col_unref(c);
  }
  if (rc) { frame_free(*out); *out = NULL; }
  return rc;
}
