/* buf.h - a growable byte buffer. Appends never abort: a failed allocation
 * returns MLSH_ENOMEM and marks the buffer failed, after which appends do
 * nothing, so a writer can append freely and check `failed` once at the end.
 * The contents are always NUL-terminated (s is NULL while nothing was added). */
#ifndef MLSH_BUF_H
#define MLSH_BUF_H
#include <stddef.h>

typedef struct mlsh_buf {
  char *s;
  size_t len, cap;
  int failed;          /* an allocation failed: the contents are incomplete */
} mlsh_buf;

#define MLSH_BUF_INIT {NULL, 0, 0, 0}

void mlsh_buf_init(mlsh_buf *b);
/* Room for n more bytes (plus the terminating NUL); MLSH_OK or MLSH_ENOMEM. */
int mlsh_buf_reserve(mlsh_buf *b, size_t n);
int mlsh_buf_add(mlsh_buf *b, const void *p, size_t n);
int mlsh_buf_puts(mlsh_buf *b, const char *s);
int mlsh_buf_printf(mlsh_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
/* The contents, handed to the caller (free with mlsh_free); NULL when the
 * buffer failed (then freed). The buffer is left empty. */
char *mlsh_buf_take(mlsh_buf *b);
void mlsh_buf_free(mlsh_buf *b);

struct mlsh_err;
/* The whole file at path, NUL-terminated (free with mlsh_free), and its
 * length; max > 0 refuses larger files. Errors: MLSH_EIO "cannot open
 * 'path': reason" / "cannot read 'path'" / "'path' is too large (over max
 * bytes)", MLSH_ENOMEM. */
int mlsh_read_file(const char *path, size_t max, char **out, size_t *len, struct mlsh_err *err);

#endif
