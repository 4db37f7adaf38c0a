/* fread_load.h - the CSV reader's input and byte-level checks. */
#ifndef MLSH_DATA_FREAD_LOAD_H
#define MLSH_DATA_FREAD_LOAD_H
#include <stddef.h>
#include <stdint.h>
#include "../core/error.h"

typedef struct {
  const char *data;
  size_t len;
  void *map;          /* a memory map of maplen bytes, or NULL */
  size_t maplen;
  char *owned;        /* inflated or read bytes, or NULL */
} fr_input;

/* The bytes of a file: mapped, or inflated when the name ends in .gz. */
int fr_input_open(const char *path, fr_input *in, mlsh_err *err);
void fr_input_close(fr_input *in);
/* buf in `encoding` as UTF-8 (free *out with mlsh_free). */
int fr_convert(const char *buf, size_t len, const char *encoding, char **out, size_t *outlen, mlsh_err *err);
/* No NUL byte and valid UTF-8, or an error naming the line of the first
 * bad byte (checked on nthreads threads). */
int fr_check_bytes(const char *buf, size_t len, int nthreads, mlsh_err *err);
/* The physical line (from 1) of position at. */
size_t fr_line_of(const char *buf, const char *at);

#endif
