/* buf.c - growable byte buffer (see buf.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "buf.h"
#include "alloc.h"
#include "error.h"

void mlsh_buf_init(mlsh_buf *b) { memset(b, 0, sizeof *b); }

int mlsh_buf_reserve(mlsh_buf *b, size_t n) {
  if (b->failed) return MLSH_ENOMEM;
  if (n > SIZE_MAX / 2 - b->len) { b->failed = 1; return MLSH_ENOMEM; }
  size_t need = b->len + n + 1;
  if (need <= b->cap) return MLSH_OK;
  size_t cap = b->cap ? b->cap * 2 : 256;   /* doubling; one large request gets just its size */
  if (cap < need) cap = need;
  char *p = mlsh_realloc(b->s, cap);
  if (!p) { b->failed = 1; return MLSH_ENOMEM; }
  b->s = p;
  b->cap = cap;
  return MLSH_OK;
}

int mlsh_buf_add(mlsh_buf *b, const void *p, size_t n) {
  if (mlsh_buf_reserve(b, n)) return MLSH_ENOMEM;
  if (n) memcpy(b->s + b->len, p, n);
  b->len += n;
  b->s[b->len] = 0;
  return MLSH_OK;
}

int mlsh_buf_puts(mlsh_buf *b, const char *s) { return mlsh_buf_add(b, s, strlen(s)); }

int mlsh_buf_printf(mlsh_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return MLSH_EINVAL;
  if (mlsh_buf_reserve(b, (size_t)n)) return MLSH_ENOMEM;
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return MLSH_OK;
}

char *mlsh_buf_take(mlsh_buf *b) {
  if (!b->s) mlsh_buf_add(b, "", 0);   /* an empty buffer gives "", not NULL */
  char *s = b->s;
  if (b->failed) { mlsh_free(s); s = NULL; }
  mlsh_buf_init(b);
  return s;
}

void mlsh_buf_free(mlsh_buf *b) {
  mlsh_free(b->s);
  mlsh_buf_init(b);
}

int mlsh_read_file(const char *path, size_t max, char **out, size_t *len, mlsh_err *err) {
  *out = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return mlsh_seterr(err, MLSH_EIO, "cannot open '%s': %s", path, strerror(errno));
  /* A regular file is read into one buffer of its size (+1 to see the end). */
  struct stat st;
  size_t first = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 1 << 16;
  mlsh_buf b = MLSH_BUF_INIT;
  int rc = MLSH_OK;
  for (;;) {
    if (b.cap - b.len <= 1 && mlsh_buf_reserve(&b, b.len ? b.len : first)) { rc = MLSH_ENOMEM; break; }
    size_t got = fread(b.s + b.len, 1, b.cap - b.len - 1, f);
    b.len += got;
    b.s[b.len] = 0;
    if (max && b.len > max) { rc = mlsh_seterr(err, MLSH_EIO, "'%s' is too large (over %zu bytes)", path, max); break; }
    if (got == 0 || feof(f) || ferror(f)) break;
  }
  if (!rc && ferror(f)) rc = mlsh_seterr(err, MLSH_EIO, "cannot read '%s' (is it a folder?)", path);
  fclose(f);
  if (rc == MLSH_ENOMEM) mlsh_seterr(err, rc, "not enough memory to read '%s'", path);
  if (rc) { mlsh_buf_free(&b); return rc; }
  *len = b.len;
  *out = mlsh_buf_take(&b);
  return MLSH_OK;
}
