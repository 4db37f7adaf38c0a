/* list.c - recursive listing of image files under a folder, in the order
 * the reference pipeline uses (sorted by class folder, then file name). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "image.h"
#include "../core/alloc.h"

typedef struct { char **rel; size_t n, cap; } relvec;

static char *str_join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = mlsh_malloc(la + lb + 2);
  if (!s) return NULL;
  memcpy(s, a, la);
  s[la] = '/';
  memcpy(s + la + 1, b, lb + 1);
  return s;
}

static int is_image_name(const char *name) {
  const char *dot = strrchr(name, '.');
  return dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".png"));
}

static int push(relvec *v, char *s) {
  if (mlsh_grow(&v->rel, &v->cap, v->n + 1, sizeof *v->rel)) return -1;
  v->rel[v->n++] = s;
  return 0;
}

/* Walk root/rel (rel may be ""), depth-limited against link loops: image
 * files go to v, other files below a class folder to o. */
static int walk(const char *root, const char *rel, int depth, relvec *v, relvec *o, mlsh_err *err) {
  char *full = rel[0] ? str_join(root, rel) : NULL;
  const char *dirpath = full ? full : root;
  if (rel[0] && !full) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  DIR *d = opendir(dirpath);
  if (!d) {
    int rc = mlsh_seterr(err, MLSH_EIO, "cannot open folder '%s': %s", dirpath, strerror(errno));
    mlsh_free(full);
    return rc;
  }
  int rc = MLSH_OK;
  struct dirent *e;
  while (!rc && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;   /* ., .. and hidden files */
    char *r = rel[0] ? str_join(rel, e->d_name) : NULL;
    if (!r) {
      r = mlsh_malloc(strlen(e->d_name) + 1);
      if (r) strcpy(r, e->d_name);
    }
    char *p = r ? str_join(root, r) : NULL;
    struct stat st;
    if (!r || !p) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    else if (stat(p, &st) != 0) { /* dangling link: skip */ }
    else if (S_ISDIR(st.st_mode)) {
      if (depth < 32) rc = walk(root, r, depth + 1, v, o, err);
    } else if (S_ISREG(st.st_mode) && (rel[0] || is_image_name(e->d_name))) {
      if (push(is_image_name(e->d_name) ? v : o, r)) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
      else r = NULL;
    }
    mlsh_free(p);
    mlsh_free(r);
  }
  closedir(d);
  mlsh_free(full);
  return rc;
}

/* Component-wise comparison: "a/b" sorts as the tuple ("a", "b"). */
static int cmp_rel(const void *pa, const void *pb) {
  const unsigned char *a = *(const unsigned char *const *)pa, *b = *(const unsigned char *const *)pb;
  for (;; a++, b++) {
    unsigned ca = *a == '/' ? 0 : *a, cb = *b == '/' ? 0 : *b;
    if (!*a || !*b) return (int)*a - (int)*b;
    if (ca != cb) return ca < cb ? -1 : 1;
  }
}

/* Sorted full paths of v's entries into *out (NULL-safe on failure). */
static int full_paths(const char *dir, relvec *v, char ***out, mlsh_err *err) {
  if (v->n > 1) qsort(v->rel, v->n, sizeof *v->rel, cmp_rel);
  *out = mlsh_calloc(v->n ? v->n : 1, sizeof **out);
  if (!*out) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  for (size_t i = 0; i < v->n; i++)
    if (!((*out)[i] = str_join(dir, v->rel[i]))) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  return MLSH_OK;
}

static void relvec_free(relvec *v) {
  for (size_t i = 0; i < v->n; i++) mlsh_free(v->rel[i]);
  mlsh_free(v->rel);
}

int image_list_dir(const char *dir, image_list *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  relvec v = {0}, o = {0};
  int rc = walk(dir, "", 0, &v, &o, err);
  if (!rc) {
    out->n = v.n;
    out->nothers = o.n;
    rc = full_paths(dir, &v, &out->paths, err);
    if (!rc) rc = full_paths(dir, &o, &out->others, err);
    out->classes = rc ? NULL : mlsh_calloc(v.n ? v.n : 1, sizeof *out->classes);
    if (!rc && !out->classes) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    for (size_t i = 0; !rc && i < v.n; i++) {
      const char *slash = strchr(v.rel[i], '/');
      size_t cl = slash ? (size_t)(slash - v.rel[i]) : 0;
      out->classes[i] = mlsh_malloc(cl + 1);
      if (!out->classes[i]) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); break; }
      memcpy(out->classes[i], v.rel[i], cl);
      out->classes[i][cl] = 0;
    }
  }
  relvec_free(&v);
  relvec_free(&o);
  if (rc) image_list_free(out);
  return rc;
}

void image_list_free(image_list *l) {
  for (size_t i = 0; i < l->n; i++) {
    if (l->paths) mlsh_free(l->paths[i]);
    if (l->classes) mlsh_free(l->classes[i]);
  }
  for (size_t i = 0; l->others && i < l->nothers; i++) mlsh_free(l->others[i]);
  mlsh_free(l->paths);
  mlsh_free(l->classes);
  mlsh_free(l->others);
  memset(l, 0, sizeof *l);
}
