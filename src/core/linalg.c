/* linalg.c - matrix products and decompositions on OpenBLAS/LAPACKE.
 * Matrices are row-major; LAPACKE's row-major interface handles the
 * layout so results match numpy/R. */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include "matrix.h"
#include "alloc.h"

static int need_square(const mlsh_mat *a, mlsh_err *err) {
  if (a->rows != a->cols || a->rows == 0)
    return mlsh_seterr(err, MLSH_EINVAL, "needs a non-empty square matrix (got %zux%zu)", a->rows, a->cols);
  return MLSH_OK;
}

static int need_finite(const mlsh_mat *a, mlsh_err *err) {
  long k = mat_find_nonfinite(a);
  if (k >= 0)
    return mlsh_seterr(err, MLSH_EINVAL, "non-finite value at (%ld,%ld)",
                       k / (long)a->cols + 1, k % (long)a->cols + 1);
  return MLSH_OK;
}

int mat_matmul(const mlsh_mat *a, const mlsh_mat *b, mlsh_mat *out, mlsh_err *err) {
  if (a->cols != b->rows)
    return mlsh_seterr(err, MLSH_EINVAL, "inner dimensions differ (%zux%zu times %zux%zu)",
                       a->rows, a->cols, b->rows, b->cols);
  int rc = mat_alloc(out, a->rows, b->cols, err);
  if (rc) return rc;
  if (a->rows && b->cols && a->cols)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)a->rows, (int)b->cols, (int)a->cols,
                1.0, a->data, (int)a->cols, b->data, (int)b->cols, 0.0, out->data, (int)b->cols);
  return MLSH_OK;
}

/* LU factorisation of a copy; ipiv has n entries. */
static int lu(const mlsh_mat *a, mlsh_mat *f, lapack_int *ipiv, int *singular, mlsh_err *err) {
  int rc = mat_copy(a, f, err);
  if (rc) return rc;
  lapack_int info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, (lapack_int)a->rows, (lapack_int)a->cols,
                                   f->data, (lapack_int)a->cols, ipiv);
  if (info < 0) { mat_free(f); return mlsh_seterr(err, MLSH_ENUM, "LAPACK dgetrf failed (%d)", (int)info); }
  *singular = info > 0;
  return MLSH_OK;
}

int mat_det(const mlsh_mat *a, double *det, mlsh_err *err) {
  int rc, singular;
  if ((rc = need_square(a, err)) || (rc = need_finite(a, err))) return rc;
  lapack_int *ipiv = mlsh_malloc_array(a->rows, sizeof *ipiv);
  mlsh_mat f;
  if (!ipiv) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if ((rc = lu(a, &f, ipiv, &singular, err))) { mlsh_free(ipiv); return rc; }
  double d = 1.0;
  for (size_t i = 0; i < a->rows; i++) {
    d *= MAT_AT(&f, i, i);
    if (ipiv[i] != (lapack_int)(i + 1)) d = -d;
  }
  *det = singular ? 0.0 : d;
  mat_free(&f);
  mlsh_free(ipiv);
  return MLSH_OK;
}

int mat_inv(const mlsh_mat *a, mlsh_mat *out, mlsh_err *err) {
  int rc, singular;
  if ((rc = need_square(a, err)) || (rc = need_finite(a, err))) return rc;
  lapack_int *ipiv = mlsh_malloc_array(a->rows, sizeof *ipiv);
  if (!ipiv) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if ((rc = lu(a, out, ipiv, &singular, err))) { mlsh_free(ipiv); return rc; }
  if (singular) {
    mat_free(out);
    mlsh_free(ipiv);
    return mlsh_seterr(err, MLSH_ENUM, "matrix is singular");
  }
  lapack_int info = LAPACKE_dgetri(LAPACK_ROW_MAJOR, (lapack_int)a->rows, out->data, (lapack_int)a->rows, ipiv);
  mlsh_free(ipiv);
  if (info != 0) { mat_free(out); return mlsh_seterr(err, MLSH_ENUM, "matrix is singular"); }
  return MLSH_OK;
}

int mat_solve(const mlsh_mat *a, const mlsh_mat *b, mlsh_mat *out, mlsh_err *err) {
  int rc;
  if ((rc = need_square(a, err)) || (rc = need_finite(a, err)) || (rc = need_finite(b, err))) return rc;
  if (b->rows != a->rows)
    return mlsh_seterr(err, MLSH_EINVAL, "right-hand side has %zu rows, expected %zu", b->rows, a->rows);
  mlsh_mat f;
  lapack_int *ipiv = mlsh_malloc_array(a->rows, sizeof *ipiv);
  if (!ipiv) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if ((rc = mat_copy(a, &f, err)) || (rc = mat_copy(b, out, err))) {
    mat_free(&f);
    mlsh_free(ipiv);
    return rc;
  }
  lapack_int info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, (lapack_int)a->rows, (lapack_int)b->cols, f.data,
                                  (lapack_int)a->rows, ipiv, out->data, (lapack_int)(b->cols ? b->cols : 1));
  mat_free(&f);
  mlsh_free(ipiv);
  if (info != 0) { mat_free(out); return mlsh_seterr(err, MLSH_ENUM, "matrix is singular"); }
  return MLSH_OK;
}

int mat_svd(const mlsh_mat *a, mlsh_mat *U, mlsh_mat *s, mlsh_mat *V, mlsh_err *err) {
  int rc;
  if (a->rows == 0 || a->cols == 0) return mlsh_seterr(err, MLSH_EINVAL, "needs a non-empty matrix");
  if ((rc = need_finite(a, err))) return rc;
  size_t m = a->rows, n = a->cols, k = m < n ? m : n;
  mlsh_mat f, Vt;
  U->data = s->data = V->data = NULL;
  if ((rc = mat_copy(a, &f, err))) return rc;
  if ((rc = mat_alloc(U, m, k, err)) || (rc = mat_alloc(s, k, 1, err)) || (rc = mat_alloc(&Vt, k, n, err))) {
    mat_free(&f); mat_free(U); mat_free(s);
    return rc;
  }
  lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)m, (lapack_int)n, f.data, (lapack_int)n,
                                   s->data, U->data, (lapack_int)k, Vt.data, (lapack_int)n);
  mat_free(&f);
  if (info != 0) {
    mat_free(U); mat_free(s); mat_free(&Vt);
    return mlsh_seterr(err, info < 0 ? MLSH_ENOMEM : MLSH_ENUM, "SVD did not converge (dgesdd info %d)", (int)info);
  }
  rc = mat_transpose(&Vt, V, err);
  mat_free(&Vt);
  if (rc) { mat_free(U); mat_free(s); }
  return rc;
}

static int need_symmetric(const mlsh_mat *a, mlsh_err *err) {
  for (size_t i = 0; i < a->rows; i++)
    for (size_t j = i + 1; j < a->cols; j++) {
      double x = MAT_AT(a, i, j), y = MAT_AT(a, j, i);
      if (fabs(x - y) > 1e-10 * (fabs(x) + fabs(y) + 1e-300) && fabs(x - y) > 1e-12)
        return mlsh_seterr(err, MLSH_EINVAL, "matrix is not symmetric ((%zu,%zu) = %g but (%zu,%zu) = %g)",
                           i + 1, j + 1, x, j + 1, i + 1, y);
    }
  return MLSH_OK;
}

int mat_eigh(const mlsh_mat *a, mlsh_mat *values, mlsh_mat *vectors, mlsh_err *err) {
  int rc;
  if ((rc = need_square(a, err)) || (rc = need_finite(a, err)) || (rc = need_symmetric(a, err))) return rc;
  size_t n = a->rows;
  mlsh_mat w;
  if ((rc = mat_copy(a, vectors, err))) return rc;
  if ((rc = mat_alloc(&w, n, 1, err))) { mat_free(vectors); return rc; }
  lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)n, vectors->data, (lapack_int)n, w.data);
  if (info != 0) {
    mat_free(vectors); mat_free(&w);
    return mlsh_seterr(err, MLSH_ENUM, "eigen-decomposition did not converge (dsyevd info %d)", (int)info);
  }
  /* LAPACK returns ascending order; reverse values and vector columns. */
  for (size_t j = 0; j < n / 2; j++) {
    double t = w.data[j]; w.data[j] = w.data[n - 1 - j]; w.data[n - 1 - j] = t;
    for (size_t i = 0; i < n; i++) {
      t = MAT_AT(vectors, i, j);
      MAT_AT(vectors, i, j) = MAT_AT(vectors, i, n - 1 - j);
      MAT_AT(vectors, i, n - 1 - j) = t;
    }
  }
  *values = w;
  return MLSH_OK;
}

int mat_chol(const mlsh_mat *a, mlsh_mat *L, mlsh_err *err) {
  int rc;
  if ((rc = need_square(a, err)) || (rc = need_finite(a, err)) || (rc = need_symmetric(a, err))) return rc;
  size_t n = a->rows;
  if ((rc = mat_copy(a, L, err))) return rc;
  lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, L->data, (lapack_int)n);
  if (info != 0) {
    mat_free(L);
    return mlsh_seterr(err, MLSH_ENUM, "matrix is not positive definite (leading minor %d)", (int)info);
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) MAT_AT(L, i, j) = 0.0;
  return MLSH_OK;
}
