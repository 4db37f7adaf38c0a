/* atomicfile.h - every file mlsh writes goes through here: the data goes
 * to a temporary file in the same directory, is flushed and fsync'ed, and
 * only then renamed over the target. A failed write leaves the old file
 * intact and no temporary behind. */
#ifndef MLSH_ATOMICFILE_H
#define MLSH_ATOMICFILE_H
#include <stdio.h>
#include "error.h"

typedef struct mlsh_afile {
  FILE *fp;
  char *path;      /* final name */
  char *tmppath;   /* temporary name in the same directory */
  int failed;
} mlsh_afile;

/* Open a temporary beside `path`; af->fp is ready for writing. */
int mlsh_afile_open(mlsh_afile *af, const char *path, mlsh_err *err);
/* Flush, fsync, close and rename into place (or clean up on any error). */
int mlsh_afile_commit(mlsh_afile *af, mlsh_err *err);
/* Give up: close and delete the temporary. Safe to call after commit. */
void mlsh_afile_abort(mlsh_afile *af);
/* Convenience: write a whole buffer atomically. */
int mlsh_write_file_atomic(const char *path, const void *buf, size_t len, mlsh_err *err);

#endif
