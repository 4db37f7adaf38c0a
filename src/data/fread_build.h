/* fread_build.h - the CSV reader's output: the chunks' builders joined
 * into columns (the distinct strings of every chunk merged, and kept as
 * a categorical column when repetitive), and the frame. */
#ifndef MLSH_DATA_FREAD_BUILD_H
#define MLSH_DATA_FREAD_BUILD_H
#include "fread_impl.h"

typedef struct {
  fr_chunk *chunks;
  size_t nchunks, ncol;
  const fr_type *type;           /* ncol */
  const uint8_t *interned;       /* ncol: codes into each chunk's distinct strings */
  const int *cat;                /* ncol: FREAD_STR_* for string columns */
  const char *const *names;      /* ncol */
  int nthreads;
} fr_build;

/* The frame (the chunks' builders are emptied). */
int fr_build_frame(const fr_build *b, mlsh_frame **out, mlsh_err *err);
#endif
