/* matrix.c - construction, shape changes and elementwise arithmetic. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "matrix.h"
#include "alloc.h"
#include "threads.h"

static int alloc_elems(mlsh_mat *m, size_t rows, size_t cols, int zero, mlsh_err *err) {
  size_t n, bytes;
  m->rows = m->cols = 0;
  m->data = NULL;
  if (mlsh_mul_overflow(rows, cols, &n) || n > MAT_MAX_ELEMS ||
      mlsh_mul_overflow(n, sizeof(double), &bytes))
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for a %zux%zu matrix", rows, cols);
  if (n > 0) {
    m->data = zero ? mlsh_calloc(n, sizeof(double)) : mlsh_malloc(bytes);
    if (!m->data)
      return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for a %zux%zu matrix", rows, cols);
  }
  m->rows = rows;
  m->cols = cols;
  return MLSH_OK;
}

int mat_alloc(mlsh_mat *m, size_t rows, size_t cols, mlsh_err *err) { return alloc_elems(m, rows, cols, 1, err); }

int mat_alloc_uninit(mlsh_mat *m, size_t rows, size_t cols, mlsh_err *err) { return alloc_elems(m, rows, cols, 0, err); }

void mat_free(mlsh_mat *m) {
  if (!m) return;
  mlsh_free(m->data);
  m->data = NULL;
  m->rows = m->cols = 0;
}

int mat_copy(const mlsh_mat *a, mlsh_mat *out, mlsh_err *err) {
  int rc = mat_alloc(out, a->rows, a->cols, err);
  if (rc) return rc;
  if (MAT_LEN(a) > 0) memcpy(out->data, a->data, MAT_LEN(a) * sizeof(double));
  return MLSH_OK;
}

void mat_fill(mlsh_mat *m, double v) {
  size_t n = MAT_LEN(m);
  for (size_t i = 0; i < n; i++) m->data[i] = v;
}

int mat_eye(mlsh_mat *m, size_t n, mlsh_err *err) {
  int rc = mat_alloc(m, n, n, err);
  if (rc) return rc;
  for (size_t i = 0; i < n; i++) MAT_AT(m, i, i) = 1.0;
  return MLSH_OK;
}

/* A block is flagged with branch-free exponent tests (which vectorise), and
 * only a flagged block is searched element by element; blocks are split over
 * threads, since this check runs before every function that reads a matrix. */
#define NONFINITE_BLOCK 2048
typedef struct { const double *x; size_t n; long *first; } nonfinite_job;

static long first_nonfinite_in(const double *x, size_t i0, size_t i1) {
  const uint64_t exp_bits = 0x7ff0000000000000ull;
  for (size_t b = i0; b < i1; b += NONFINITE_BLOCK) {
    size_t e = b + NONFINITE_BLOCK < i1 ? b + NONFINITE_BLOCK : i1;
    uint64_t bad = 0;
    for (size_t i = b; i < e; i++) {
      uint64_t u;
      memcpy(&u, &x[i], sizeof u);
      bad |= (u & exp_bits) == exp_bits;
    }
    if (bad)
      for (size_t i = b; i < e; i++)
        if (!isfinite(x[i])) return (long)i;
  }
  return -1;
}

static int nonfinite_range(void *ctx, size_t begin, size_t end, int tid) {
  nonfinite_job *j = ctx;
  size_t i0 = begin * NONFINITE_BLOCK, i1 = end * NONFINITE_BLOCK < j->n ? end * NONFINITE_BLOCK : j->n;
  (void)tid;
  j->first[begin] = first_nonfinite_in(j->x, i0, i1);
  return MLSH_OK;
}

long mat_find_nonfinite(const mlsh_mat *m) {
  size_t n = MAT_LEN(m), nblocks = (n + NONFINITE_BLOCK - 1) / NONFINITE_BLOCK;
  if (n < (size_t)1 << 20) return first_nonfinite_in(m->data, 0, n);
  long *first = mlsh_malloc(nblocks * sizeof *first);
  if (!first) return first_nonfinite_in(m->data, 0, n);
  for (size_t b = 0; b < nblocks; b++) first[b] = -1;
  nonfinite_job j = {m->data, n, first};
  long k = -1;
  if (mlsh_parallel_for(nblocks, 0, 64, nonfinite_range, &j) != MLSH_OK) k = first_nonfinite_in(m->data, 0, n);
  else
    for (size_t b = 0; b < nblocks && k < 0; b++) k = first[b];
  mlsh_free(first);
  return k;
}

int mat_transpose(const mlsh_mat *a, mlsh_mat *out, mlsh_err *err) {
  int rc = mat_alloc(out, a->cols, a->rows, err);
  if (rc) return rc;
  /* Blocked so both sides stay in cache for large matrices. */
  const size_t B = 32;
  for (size_t i0 = 0; i0 < a->rows; i0 += B)
    for (size_t j0 = 0; j0 < a->cols; j0 += B) {
      size_t i1 = i0 + B < a->rows ? i0 + B : a->rows;
      size_t j1 = j0 + B < a->cols ? j0 + B : a->cols;
      for (size_t i = i0; i < i1; i++)
        for (size_t j = j0; j < j1; j++) MAT_AT(out, j, i) = MAT_AT(a, i, j);
    }
  return MLSH_OK;
}

int mat_slice(const mlsh_mat *a, size_t r0, size_t r1, size_t c0, size_t c1, mlsh_mat *out, mlsh_err *err) {
  if (r0 > r1 || r1 > a->rows || c0 > c1 || c1 > a->cols)
    return mlsh_seterr(err, MLSH_EINVAL, "slice [%zu,%zu)x[%zu,%zu) out of range for %zux%zu",
                       r0, r1, c0, c1, a->rows, a->cols);
  int rc = mat_alloc(out, r1 - r0, c1 - c0, err);
  if (rc) return rc;
  for (size_t i = r0; i < r1; i++)
    if (c1 > c0) memcpy(&MAT_AT(out, i - r0, 0), &MAT_AT(a, i, c0), (c1 - c0) * sizeof(double));
  return MLSH_OK;
}

int mat_select_rows(const mlsh_mat *a, const size_t *idx, size_t n, mlsh_mat *out, mlsh_err *err) {
  for (size_t k = 0; k < n; k++)
    if (idx[k] >= a->rows)
      return mlsh_seterr(err, MLSH_EINVAL, "row %zu out of range 1..%zu", idx[k] + 1, a->rows);
  int rc = mat_alloc(out, n, a->cols, err);
  if (rc) return rc;
  for (size_t k = 0; k < n; k++)
    if (a->cols) memcpy(&MAT_AT(out, k, 0), &MAT_AT(a, idx[k], 0), a->cols * sizeof(double));
  return MLSH_OK;
}

int mat_select_cols(const mlsh_mat *a, const size_t *idx, size_t n, mlsh_mat *out, mlsh_err *err) {
  for (size_t k = 0; k < n; k++)
    if (idx[k] >= a->cols)
      return mlsh_seterr(err, MLSH_EINVAL, "column %zu out of range 1..%zu", idx[k] + 1, a->cols);
  int rc = mat_alloc(out, a->rows, n, err);
  if (rc) return rc;
  for (size_t i = 0; i < a->rows; i++)
    for (size_t k = 0; k < n; k++) MAT_AT(out, i, k) = MAT_AT(a, i, idx[k]);
  return MLSH_OK;
}

int mat_hcat(const mlsh_mat *a, const mlsh_mat *b, mlsh_mat *out, mlsh_err *err) {
  if (a->rows != b->rows)
    return mlsh_seterr(err, MLSH_EINVAL, "row counts differ (%zux%zu and %zux%zu)", a->rows, a->cols, b->rows, b->cols);
  int rc = mat_alloc(out, a->rows, a->cols + b->cols, err);
  if (rc) return rc;
  for (size_t i = 0; i < a->rows; i++) {
    if (a->cols) memcpy(&MAT_AT(out, i, 0), &MAT_AT(a, i, 0), a->cols * sizeof(double));
    if (b->cols) memcpy(&MAT_AT(out, i, a->cols), &MAT_AT(b, i, 0), b->cols * sizeof(double));
  }
  return MLSH_OK;
}

int mat_vcat(const mlsh_mat *a, const mlsh_mat *b, mlsh_mat *out, mlsh_err *err) {
  if (a->cols != b->cols)
    return mlsh_seterr(err, MLSH_EINVAL, "column counts differ (%zux%zu and %zux%zu)", a->rows, a->cols, b->rows, b->cols);
  int rc = mat_alloc(out, a->rows + b->rows, a->cols, err);
  if (rc) return rc;
  if (MAT_LEN(a) > 0) memcpy(out->data, a->data, MAT_LEN(a) * sizeof(double));
  if (MAT_LEN(b) > 0) memcpy(out->data + MAT_LEN(a), b->data, MAT_LEN(b) * sizeof(double));
  return MLSH_OK;
}

static inline double apply_op(double x, double y, mat_binop op) {
  switch (op) {
    case MAT_ADD: return x + y;
    case MAT_SUB: return x - y;
    case MAT_MUL: return x * y;
    case MAT_DIV: return x / y;
    default: return pow(x, y);
  }
}

int mat_broadcastable(const mlsh_mat *a, const mlsh_mat *b) {
  return (a->rows == b->rows && a->cols == b->cols) || (b->rows == 1 && b->cols == 1) ||
         (b->rows == 1 && b->cols == a->cols) || (b->cols == 1 && b->rows == a->rows);
}

int mat_binary(const mlsh_mat *a, const mlsh_mat *b, mat_binop op, mlsh_mat *out, mlsh_err *err) {
  if (!mat_broadcastable(a, b))
    return mlsh_seterr(err, MLSH_EINVAL, "shapes %zux%zu and %zux%zu do not match", a->rows, a->cols, b->rows, b->cols);
  int rc = mat_alloc(out, a->rows, a->cols, err);
  if (rc) return rc;
  size_t r = a->rows, c = a->cols;
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < c; j++) {
      size_t bi = b->rows == 1 ? 0 : i, bj = b->cols == 1 ? 0 : j;
      MAT_AT(out, i, j) = apply_op(MAT_AT(a, i, j), MAT_AT(b, bi, bj), op);
    }
  return MLSH_OK;
}

int mat_scalar(const mlsh_mat *a, double s, mat_binop op, int scalar_left, mlsh_mat *out, mlsh_err *err) {
  int rc = mat_alloc(out, a->rows, a->cols, err);
  if (rc) return rc;
  size_t n = MAT_LEN(a);
  for (size_t i = 0; i < n; i++)
    out->data[i] = scalar_left ? apply_op(s, a->data[i], op) : apply_op(a->data[i], s, op);
  return MLSH_OK;
}
