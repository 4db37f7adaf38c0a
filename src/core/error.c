/* error.c - status messages for the C core. */
#include <stdarg.h>
#include <stdio.h>
#include "error.h"

int mlsh_vseterr(mlsh_err *err, int code, const char *fmt, va_list ap) {
  if (err) {
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  }
  return code;
}

int mlsh_seterr(mlsh_err *err, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mlsh_vseterr(err, code, fmt, ap);
  va_end(ap);
  return code;
}

const char *mlsh_strerror(int code) {
  switch (code) {
    case MLSH_OK: return "ok";
    case MLSH_ENOMEM: return "not enough memory";
    case MLSH_EINVAL: return "invalid argument";
    case MLSH_EINTR: return "interrupted";
    case MLSH_EIO: return "input/output error";
    case MLSH_ENUM: return "numerical failure";
    default: return "unknown error";
  }
}

void mlsh_err_prefix(mlsh_err *err, const char *path) {
  if (!err) return;
  char m[sizeof err->msg];
  snprintf(m, sizeof m, "%s", err->msg);
  mlsh_seterr(err, err->code, "'%s': %s", path, m);   /* cut to the message size */
}
