/* buf.c - growable byte buffer (see buf.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "buf.h"
#include "alloc.h"
#include "error.h"

void mlsh_buf_init(mlsh_buf *b) { memset(b, 0, sizeof *b); }

int mlsh_buf_reserve(mlsh_buf *b, size_t n) {
  if (b->failed) return MLSH_ENOMEM;
  if (n > SIZE_MAX / 2 - b->len) { b->failed = 1; return MLSH_ENOMEM; }
  size_t need = b->len + n + 1;
  if (need <= b->cap) return MLSH_OK;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need) cap *= 2;
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
