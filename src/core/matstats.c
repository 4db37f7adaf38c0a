/* matstats.c - reductions, moments, covariance and correlation. */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include "matrix.h"
#include "alloc.h"

/* Reduce `n` values spaced `stride` apart. Two-pass variance for accuracy. */
static double reduce_strided(const double *x, size_t n, size_t stride, mat_reduce_op op) {
  double acc = 0.0;
  if (n == 0) return op == MAT_SUM ? 0.0 : NAN;
  switch (op) {
    case MAT_SUM:
    case MAT_MEAN:
      for (size_t i = 0; i < n; i++) acc += x[i * stride];
      return op == MAT_SUM ? acc : acc / (double)n;
    case MAT_MIN:
    case MAT_MAX:
      acc = x[0];
      for (size_t i = 1; i < n; i++) {
        double v = x[i * stride];
        if (isnan(v)) return NAN;
        if (op == MAT_MIN ? v < acc : v > acc) acc = v;
      }
      return acc;
    default: {
      if (n < 2) return NAN;
      double mean = 0.0, ss = 0.0;
      for (size_t i = 0; i < n; i++) mean += x[i * stride];
      mean /= (double)n;
      for (size_t i = 0; i < n; i++) {
        double d = x[i * stride] - mean;
        ss += d * d;
      }
      ss /= (double)(n - 1);
      return op == MAT_VAR ? ss : sqrt(ss);
    }
  }
}

int mat_reduce(const mlsh_mat *a, mat_reduce_op op, int dim, mlsh_mat *out, mlsh_err *err) {
  int rc;
  if (dim == 0) {
    if ((rc = mat_alloc(out, 1, 1, err))) return rc;
    out->data[0] = reduce_strided(a->data, MAT_LEN(a), 1, op);
  } else if (dim == 1) {
    if ((rc = mat_alloc(out, 1, a->cols, err))) return rc;
    for (size_t j = 0; j < a->cols; j++) out->data[j] = reduce_strided(a->data + j, a->rows, a->cols, op);
  } else if (dim == 2) {
    if ((rc = mat_alloc(out, a->rows, 1, err))) return rc;
    for (size_t i = 0; i < a->rows; i++) out->data[i] = reduce_strided(a->data + i * a->cols, a->cols, 1, op);
  } else {
    return mlsh_seterr(err, MLSH_EINVAL, "dim must be 1 (down columns) or 2 (across rows), got %d", dim);
  }
  return MLSH_OK;
}

int mat_col_moments(const mlsh_mat *a, mlsh_mat *means, mlsh_mat *sds, mlsh_err *err) {
  int rc;
  if ((rc = mat_reduce(a, MAT_MEAN, 1, means, err))) return rc;
  if ((rc = mat_reduce(a, MAT_STD, 1, sds, err))) { mat_free(means); return rc; }
  return MLSH_OK;
}

/* Centre columns into a new matrix (row-major copy minus column means). */
static int centred(const mlsh_mat *a, mlsh_mat *c, mlsh_err *err) {
  mlsh_mat mu;
  int rc = mat_reduce(a, MAT_MEAN, 1, &mu, err);
  if (rc) return rc;
  rc = mat_binary(a, &mu, MAT_SUB, c, err);
  mat_free(&mu);
  return rc;
}

int mat_cov(const mlsh_mat *a, mlsh_mat *out, mlsh_err *err) {
  int rc;
  if (a->rows < 2) return mlsh_seterr(err, MLSH_EINVAL, "needs at least 2 rows (got %zu)", a->rows);
  mlsh_mat c;
  if ((rc = centred(a, &c, err))) return rc;
  if ((rc = mat_alloc(out, a->cols, a->cols, err))) { mat_free(&c); return rc; }
  if (a->cols) {
    /* C^T C / (n - 1): one BLAS syrk, then mirror the upper triangle. */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)a->cols, (int)a->rows,
                1.0 / (double)(a->rows - 1), c.data, (int)a->cols, 0.0, out->data, (int)a->cols);
    for (size_t i = 0; i < a->cols; i++)
      for (size_t j = 0; j < i; j++) MAT_AT(out, i, j) = MAT_AT(out, j, i);
  }
  mat_free(&c);
  return MLSH_OK;
}

int mat_cor(const mlsh_mat *a, mlsh_mat *out, mlsh_err *err) {
  int rc = mat_cov(a, out, err);
  if (rc) return rc;
  size_t p = a->cols;
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < p; j++) {
      double d = sqrt(MAT_AT(out, i, i) * MAT_AT(out, j, j));
      if (i != j) MAT_AT(out, i, j) = d > 0 ? MAT_AT(out, i, j) / d : NAN;
    }
  for (size_t i = 0; i < p; i++) MAT_AT(out, i, i) = MAT_AT(out, i, i) > 0 ? 1.0 : NAN;
  return MLSH_OK;
}

int mat_standardize(const mlsh_mat *a, mlsh_mat *Z, mlsh_mat *means, mlsh_mat *sds, mlsh_err *err) {
  int rc;
  if (a->rows < 2) return mlsh_seterr(err, MLSH_EINVAL, "needs at least 2 rows (got %zu)", a->rows);
  if ((rc = mat_col_moments(a, means, sds, err))) return rc;
  for (size_t j = 0; j < a->cols; j++)
    if (!(sds->data[j] > 0)) {
      mat_free(means); mat_free(sds);
      return mlsh_seterr(err, MLSH_EINVAL, "column %zu has zero variance", j + 1);
    }
  mlsh_mat c;
  if ((rc = mat_binary(a, means, MAT_SUB, &c, err))) { mat_free(means); mat_free(sds); return rc; }
  rc = mat_binary(&c, sds, MAT_DIV, Z, err);
  mat_free(&c);
  if (rc) { mat_free(means); mat_free(sds); }
  return rc;
}

double mat_quantile_sorted(const double *sorted, size_t n, double p) {
  if (n == 0) return NAN;
  double h = (double)(n - 1) * p;
  size_t lo = (size_t)floor(h);
  if (lo >= n - 1) return sorted[n - 1];
  return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}
