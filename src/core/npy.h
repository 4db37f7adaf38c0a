/* npy.h - numpy .npy files (format versions 1, 2 and 3): read float64,
 * float32 and integer arrays in C or Fortran order; write float64 or
 * float32 in C order (atomically). */
#ifndef MLSH_NPY_H
#define MLSH_NPY_H
#include <stddef.h>
#include "error.h"
#include "matrix.h"

#define NPY_MAX_DIMS 8

typedef struct mlsh_npy {
  int ndim;
  size_t shape[NPY_MAX_DIMS];
  size_t count;     /* product of shape */
  double *data;     /* count values in C (row-major) order */
} mlsh_npy;

/* A parsed header. type: NPY_F8, NPY_F4 or another (integer, bool) kind. */
enum { NPY_F8 = 0, NPY_F4 = 1 };
typedef struct npy_header {
  int ndim, type, swap, size, fortran;   /* size: bytes per element; swap: big-endian */
  size_t shape[NPY_MAX_DIMS];
  size_t count, data_offset, data_bytes;
} npy_header;

/* Parse the header of a .npy image of len bytes (the data may be absent). */
int npy_parse_header(const unsigned char *buf, size_t len, npy_header *hd, mlsh_err *err);
/* Read any supported array; the result is converted to doubles in C order. */
int npy_load(const char *path, mlsh_npy *out, mlsh_err *err);
/* Parse an in-memory .npy image (used by npy_load and the fuzzers). */
int npy_parse(const unsigned char *buf, size_t len, mlsh_npy *out, mlsh_err *err);
void npy_free(mlsh_npy *a);
/* Move a 0-, 1- or 2-D array into a matrix (1-D -> n x 1); a larger one is
 * freed and an error "name: a k-D array is not a matrix". */
int npy_to_matrix(mlsh_npy *a, const char *name, mlsh_mat *m, mlsh_err *err);
/* Read a 0-, 1- or 2-D array as a matrix (1-D -> n x 1). */
int npy_load_matrix(const char *path, mlsh_mat *m, mlsh_err *err);
struct mlsh_buf;
/* Append the .npy image of a matrix (a 2-D array, float32 when single) to
 * out; MLSH_ENOMEM when the buffer failed. */
int npy_encode_matrix(const mlsh_mat *m, int single, struct mlsh_buf *out);
/* Write a matrix as a 2-D array; float32 when single != 0. */
int npy_save_matrix(const char *path, const mlsh_mat *m, int single, mlsh_err *err);

#endif
