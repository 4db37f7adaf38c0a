/* matrix.h - dense double matrices, row-major (C order, as numpy), with
 * algebra on OpenBLAS/LAPACKE. A vector is an n x 1 matrix.
 * Functions return an mlsh status and write results to caller-provided
 * mlsh_mat structs, which they allocate (callers free with mat_free). */
#ifndef MLSH_MATRIX_H
#define MLSH_MATRIX_H
#include <stddef.h>
#include "error.h"

typedef struct mlsh_mat {
  size_t rows, cols;
  double *data;     /* rows*cols values, row-major; NULL when empty */
} mlsh_mat;

#define MAT_AT(m, i, j) ((m)->data[(size_t)(i) * (m)->cols + (size_t)(j)])
#define MAT_LEN(m) ((size_t)((m)->rows * (m)->cols))

/* Largest number of elements mlsh will allocate in one matrix (2^34, 128 GiB). */
#define MAT_MAX_ELEMS ((size_t)1 << 34)

int mat_alloc(mlsh_mat *m, size_t rows, size_t cols, mlsh_err *err);   /* zero-filled */
/* Not zeroed (the caller writes every entry): no memset of a reused block. */
int mat_alloc_uninit(mlsh_mat *m, size_t rows, size_t cols, mlsh_err *err);
void mat_free(mlsh_mat *m);
int mat_copy(const mlsh_mat *a, mlsh_mat *out, mlsh_err *err);
void mat_fill(mlsh_mat *m, double v);
int mat_eye(mlsh_mat *m, size_t n, mlsh_err *err);
/* First non-finite entry (row-major), or -1 when all are finite. */
long mat_find_nonfinite(const mlsh_mat *m);

/* Shape changes */
int mat_transpose(const mlsh_mat *a, mlsh_mat *out, mlsh_err *err);
int mat_slice(const mlsh_mat *a, size_t r0, size_t r1, size_t c0, size_t c1, mlsh_mat *out, mlsh_err *err); /* [r0,r1) x [c0,c1) */
int mat_select_rows(const mlsh_mat *a, const size_t *idx, size_t n, mlsh_mat *out, mlsh_err *err);
int mat_select_cols(const mlsh_mat *a, const size_t *idx, size_t n, mlsh_mat *out, mlsh_err *err);
int mat_hcat(const mlsh_mat *a, const mlsh_mat *b, mlsh_mat *out, mlsh_err *err);
int mat_vcat(const mlsh_mat *a, const mlsh_mat *b, mlsh_mat *out, mlsh_err *err);

/* Elementwise arithmetic. Broadcasting rule: b has the same shape as a,
 * or is 1x1, or a 1 x cols row (applied to every row), or a rows x 1
 * column (applied to every column). */
typedef enum { MAT_ADD, MAT_SUB, MAT_MUL, MAT_DIV, MAT_POW } mat_binop;
int mat_broadcastable(const mlsh_mat *a, const mlsh_mat *b);
int mat_binary(const mlsh_mat *a, const mlsh_mat *b, mat_binop op, mlsh_mat *out, mlsh_err *err);
/* a op s (scalar_left = 0) or s op a (scalar_left = 1) */
int mat_scalar(const mlsh_mat *a, double s, mat_binop op, int scalar_left, mlsh_mat *out, mlsh_err *err);

/* Linear algebra */
int mat_matmul(const mlsh_mat *a, const mlsh_mat *b, mlsh_mat *out, mlsh_err *err);   /* dgemm */
int mat_inv(const mlsh_mat *a, mlsh_mat *out, mlsh_err *err);                           /* dgetrf/dgetri */
int mat_solve(const mlsh_mat *a, const mlsh_mat *b, mlsh_mat *out, mlsh_err *err);      /* dgesv */
int mat_det(const mlsh_mat *a, double *det, mlsh_err *err);
/* Thin SVD a = U diag(s) V^T via dgesdd: U r x k, s k x 1, V c x k, k = min(r, c). */
int mat_svd(const mlsh_mat *a, mlsh_mat *U, mlsh_mat *s, mlsh_mat *V, mlsh_err *err);
/* Symmetric eigen-decomposition (dsyevd): values descending, vectors as columns. */
int mat_eigh(const mlsh_mat *a, mlsh_mat *values, mlsh_mat *vectors, mlsh_err *err);
/* Cholesky factor L (lower, a = L L^T) via dpotrf. */
int mat_chol(const mlsh_mat *a, mlsh_mat *L, mlsh_err *err);

/* Statistics. dim 0 = whole matrix (1x1), 1 = down columns (1 x cols),
 * 2 = across rows (rows x 1). var/std use the sample (n - 1) divisor. */
typedef enum { MAT_SUM, MAT_MEAN, MAT_VAR, MAT_STD, MAT_MIN, MAT_MAX } mat_reduce_op;
int mat_reduce(const mlsh_mat *a, mat_reduce_op op, int dim, mlsh_mat *out, mlsh_err *err);
/* Column means (1 x cols) and sample sds (1 x cols). */
int mat_col_moments(const mlsh_mat *a, mlsh_mat *means, mlsh_mat *sds, mlsh_err *err);
int mat_cov(const mlsh_mat *a, mlsh_mat *out, mlsh_err *err);    /* sample covariance of columns */
int mat_cor(const mlsh_mat *a, mlsh_mat *out, mlsh_err *err);    /* Pearson correlation of columns */
/* Z = (a - means) / sds per column (R's scale); zero-sd columns are an error. */
int mat_standardize(const mlsh_mat *a, mlsh_mat *Z, mlsh_mat *means, mlsh_mat *sds, mlsh_err *err);
/* Quantile of n sorted values, R's default type 7. */
double mat_quantile_sorted(const double *sorted, size_t n, double p);

#endif
