/* error.h - status codes and messages returned by the C core.
 * The core never exits or aborts on bad input: every fallible function
 * returns an mlsh status and, when given one, fills an mlsh_err. */
#ifndef MLSH_ERROR_H
#define MLSH_ERROR_H
#include <stdarg.h>

enum {
  MLSH_OK = 0,
  MLSH_ENOMEM,   /* allocation failed or size overflowed */
  MLSH_EINVAL,   /* bad argument: shape, value, option */
  MLSH_EINTR,    /* interrupted by the user (Ctrl-C) */
  MLSH_EIO,      /* file missing, unreadable, truncated or malformed */
  MLSH_ENUM      /* numerical failure: singular, not positive definite, no convergence */
};

typedef struct mlsh_err {
  int code;
  char msg[512];
} mlsh_err;

/* Record code and a printf-style message (err may be NULL); returns code. */
int mlsh_vseterr(mlsh_err *err, int code, const char *fmt, va_list ap);
int mlsh_seterr(mlsh_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* Name the file a message is about: "msg" becomes "'path': msg" (err may be NULL). */
void mlsh_err_prefix(mlsh_err *err, const char *path);

/* A short default text for a code ("not enough memory", "interrupted"...). */
const char *mlsh_strerror(int code);

#endif
