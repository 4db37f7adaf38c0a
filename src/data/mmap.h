/* mmap.h - a read-only memory-mapped .npy matrix (float64 or float32, C
 * order, little-endian), read in row blocks so that data larger than
 * memory can be streamed: block pages are dropped from the resident set
 * (madvise) once a pass is done with them, the file stays untouched.
 * A map may cover a row range [row0, row0 + rows) of the file's rows
 * (a rank's block under MPI): `row0` is its global offset. */
#ifndef MLSH_DATA_MMAP_H
#define MLSH_DATA_MMAP_H
#include <stddef.h>
#include "../core/error.h"
#include "../core/matrix.h"

typedef struct mlsh_npymap {
  void *base;              /* the mapping, NULL when closed */
  size_t map_len;
  const unsigned char *first;   /* the view's first row in the mapping */
  size_t file_rows, rows, cols, row0;
  int single;              /* float32 */
  double *converted;       /* float32 view as doubles, made on demand */
  double *owned;           /* rows held in memory instead (npymap_adopt) */
  int keep;                /* a pass leaves the pages resident (a map that fits in memory) */
} mlsh_npymap;

/* Map rows [r0, r1) of a 1-D or 2-D .npy (r1 = (size_t)-1: to the end).
 * Truncated, short, Fortran-ordered, big-endian or non-float files are
 * MLSH_EIO with a message naming the path. */
int npymap_open(const char *path, size_t r0, size_t r1, mlsh_npymap *m, mlsh_err *err);
/* Whether the view's rows take at most 1/8 of the machine's memory: then
 * dropping their pages after each pass only costs faulting them in again. */
int npymap_fits_memory(const mlsh_npymap *m);
void npymap_close(mlsh_npymap *m);
/* The same interface over rows already in memory (a rank's block of a
 * CSV file, say): m takes rows' data; row0 and file_rows as for a map. */
void npymap_adopt(mlsh_npymap *m, mlsh_mat *rows, size_t row0, size_t file_rows);

/* The whole view as a matrix: points into the mapping for float64
 * (nothing copied; read-only memory), converted once for float32. */
int npymap_matrix(mlsh_npymap *m, mlsh_mat *view, mlsh_err *err);

/* Rows [r0, r1) of the view as doubles: a pointer into the mapping for
 * float64, else converted into buf ((r1 - r0) * cols doubles). */
const double *npymap_rows(const mlsh_npymap *m, size_t r0, size_t r1, double *buf);
/* Ask the kernel to start reading rows [r0, r1) (the next block) now, so
 * that the disk works while the current block is computed on. */
void npymap_prefetch(const mlsh_npymap *m, size_t r0, size_t r1);
/* Tell the kernel a pass is done with rows [r0, r1): their pages leave
 * the resident set (they stay in the page cache). */
void npymap_release(const mlsh_npymap *m, size_t r0, size_t r1);

#endif
