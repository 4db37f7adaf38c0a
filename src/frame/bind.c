/* bind.c - columns and frames end to end. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "bind.h"
#include "../core/alloc.h"

static void push_as_string(col_builder *b, const mlsh_col *c, size_t i) {
  char buf[64] = "";
  size_t len;
  const char *s = buf;
  time_t t;
  struct tm tm;
  switch (c->type) {
  case COL_STRING: s = col_str(c, i, &len); col_builder_string(b, s, len); return;
  case COL_CATEGORICAL: s = col_str(c->levels, (size_t)COL_I32(c)[i], &len); col_builder_string(b, s, len); return;
  case COL_DOUBLE: snprintf(buf, sizeof buf, "%.15g", COL_DBL(c)[i]); break;
  case COL_INT64: snprintf(buf, sizeof buf, "%lld", (long long)COL_I64(c)[i]); break;
  case COL_LOGICAL: s = COL_LGL(c)[i] ? "TRUE" : "FALSE"; break;
  case COL_DATE: case COL_DATETIME:
    t = c->type == COL_DATE ? (time_t)COL_I32(c)[i] * 86400 : (time_t)COL_DBL(c)[i];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, c->type == COL_DATE ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", &tm);
    break;
  }
  col_builder_string(b, s, strlen(s));
}

void col_builder_push_from(col_builder *b, const mlsh_col *c, size_t i) {
  if (col_is_na(c, i)) { col_builder_na(b); return; }
  switch (b->type) {
  case COL_STRING: push_as_string(b, c, i); break;
  case COL_DOUBLE: case COL_DATETIME:
    col_builder_double(b, c->type == COL_INT64 ? (double)COL_I64(c)[i]
                          : c->type == COL_LOGICAL ? COL_LGL(c)[i] : COL_DBL(c)[i]);
    break;
  case COL_INT64: col_builder_int64(b, c->type == COL_LOGICAL ? COL_LGL(c)[i] : COL_I64(c)[i]); break;
  case COL_LOGICAL: col_builder_logical(b, COL_LGL(c)[i]); break;
  case COL_DATE: case COL_CATEGORICAL: col_builder_int32(b, COL_I32(c)[i]); break;
  }
}

int col_common_type(col_type a, col_type b) {
  if (a == b) return (int)a;
  if (a > b) { col_type t = a; a = b; b = t; }
  if (a == COL_DOUBLE && (b == COL_INT64 || b == COL_LOGICAL)) return COL_DOUBLE;
  if (a == COL_INT64 && b == COL_LOGICAL) return COL_INT64;
  if (a == COL_STRING && b == COL_CATEGORICAL) return COL_STRING;
  return -1;
}

/* Index of the string s in the first n values of levels b, or -1. */
static long find_level(const col_builder *b, const char *s, size_t len) {
  for (size_t q = 0; q < b->n; q++) {
    size_t l = (size_t)(b->offsets[q + 1] - b->offsets[q]);
    if (l == len && memcmp((const char *)b->data + b->offsets[q], s, len) == 0) return (long)q;
  }
  return -1;
}

/* The union of the factors' levels in order of appearance, and each
 * factor's code map into it (maps[q][code]). */
static int united_levels(const mlsh_col *const *cols, size_t k, int32_t **maps, mlsh_col **out, mlsh_err *err) {
  col_builder lb;
  col_builder_init(&lb, COL_STRING);
  for (size_t q = 0; q < k; q++) {
    if (!cols[q]) continue;
    const mlsh_col *lv = cols[q]->levels;
    if (!(maps[q] = mlsh_malloc_array(lv->n ? lv->n : 1, sizeof(int32_t)))) { col_builder_free(&lb); goto nomem; }
    for (size_t c = 0; c < lv->n; c++) {
      size_t len;
      const char *s = col_str(lv, c, &len);
      long at = find_level(&lb, s, len);
      if (at < 0) { at = (long)lb.n; col_builder_string(&lb, s, len); }
      maps[q][c] = (int32_t)at;
    }
  }
  return col_builder_finish(&lb, NULL, 0, out, err);
nomem:
  return mlsh_seterr(err, MLSH_ENOMEM, "col_concat: not enough memory");
}

static int concat_factors(const mlsh_col *const *cols, const size_t *lens, size_t k, mlsh_col **out, mlsh_err *err) {
  int32_t **maps = mlsh_calloc(k ? k : 1, sizeof *maps);
  mlsh_col *levels = NULL;
  col_builder b;
  int rc, ordered = 0;
  if (!maps) return mlsh_seterr(err, MLSH_ENOMEM, "col_concat: not enough memory");
  rc = united_levels(cols, k, maps, &levels, err);
  col_builder_init(&b, COL_CATEGORICAL);
  for (size_t q = 0; !rc && q < k; q++) {
    const mlsh_col *c = cols[q];
    if (c && c->ordered) ordered = 1;
    for (size_t i = 0; i < lens[q]; i++) {
      if (!c || col_is_na(c, i)) col_builder_na(&b);
      else col_builder_int32(&b, maps[q][COL_I32(c)[i]]);
    }
  }
  if (!rc) rc = col_builder_finish(&b, levels, ordered, out, err);
  else col_builder_free(&b);
  for (size_t q = 0; q < k; q++) mlsh_free(maps[q]);
  mlsh_free(maps);
  col_unref(levels);
  return rc;
}

int col_concat(const mlsh_col *const *cols, const size_t *lens, size_t k, const char *what, mlsh_col **out,
               mlsh_err *err) {
  int type = -2;
  for (size_t q = 0; q < k; q++) {
    if (!cols[q]) continue;
    int t = type == -2 ? (int)cols[q]->type : col_common_type((col_type)type, cols[q]->type);
    if (t < 0)
      return mlsh_seterr(err, MLSH_EINVAL, "column '%s' is %s in one part and %s in another", what,
                         col_type_name((col_type)type), col_type_name(cols[q]->type));
    type = t;
  }
  if (type == -2) type = COL_LOGICAL;   /* NA only: R's logical NA */
  if (type == COL_CATEGORICAL) return concat_factors(cols, lens, k, out, err);
  col_builder b;
  col_builder_init(&b, (col_type)type);
  for (size_t q = 0; q < k; q++)
    for (size_t i = 0; i < lens[q]; i++) {
      if (cols[q]) col_builder_push_from(&b, cols[q], i);
      else col_builder_na(&b);
    }
  return col_builder_finish(&b, NULL, 0, out, err);
}

int frame_bind_rows(const mlsh_frame *const *frames, size_t k, mlsh_frame **out, mlsh_err *err) {
  size_t nrow = 0;
  mlsh_frame *names = NULL;   /* the united column list (first appearance), values unused */
  const mlsh_col **parts = mlsh_calloc(k ? k : 1, sizeof *parts);
  size_t *lens = mlsh_calloc(k ? k : 1, sizeof *lens);
  int rc = parts && lens ? frame_new(0, &names, err) : mlsh_seterr(err, MLSH_ENOMEM, "bind_rows: not enough memory");
  for (size_t q = 0; !rc && q < k; q++) {
    lens[q] = frames[q]->nrow;
    nrow += frames[q]->nrow;
    for (size_t j = 0; !rc && j < frames[q]->ncol; j++)
      if (frame_find(names, frames[q]->names[j]) < 0) {
        names->nrow = frames[q]->nrow;
        rc = frame_add(names, frames[q]->names[j], frames[q]->cols[j], err);
      }
  }
  if (!rc) rc = frame_new(nrow, out, err);
  for (size_t j = 0; !rc && names && j < names->ncol; j++) {
    for (size_t q = 0; q < k; q++) {
      long at = frame_find(frames[q], names->names[j]);
      parts[q] = at < 0 ? NULL : frames[q]->cols[at];
    }
    mlsh_col *c = NULL;
    rc = col_concat(parts, lens, k, names->names[j], &c, err);
    if (!rc) rc = frame_add(*out, names->names[j], c, err);
    col_unref(c);
  }
  if (rc && out && *out) { frame_free(*out); *out = NULL; }
  frame_free(names);
  mlsh_free(parts);
  mlsh_free(lens);
  return rc;
}
