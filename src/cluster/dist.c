/* dist.c - pairwise distances (see dist.h). */
#include <math.h>
#include <cblas.h>
#include "dist.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

void dist_row_sqnorms(const double *X, size_t n, size_t p, double *out) {
  for (size_t i = 0; i < n; i++) {
    const double *x = X + i * p;
    double s = 0.0;
    for (size_t j = 0; j < p; j++) s += x[j] * x[j];
    out[i] = s;
  }
}

/* Up to 4 rows of B: four independent dot products per row of A. With so
 * few columns a packed dgemm spends more time copying A than multiplying
 * (k-means++ candidates). */
static void sq_block_narrow(const double *A, const double *an, size_t na, const double *B,
                            const double *bn, size_t nb, size_t p, double *D) {
  const double *b0 = B, *b1 = nb > 1 ? B + p : B, *b2 = nb > 2 ? B + 2 * p : B, *b3 = nb > 3 ? B + 3 * p : B;
  for (size_t i = 0; i < na; i++) {
    const double *a = A + i * p;
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    for (size_t q = 0; q < p; q++) {
      double x = a[q];
      s[0] += x * b0[q]; s[1] += x * b1[q]; s[2] += x * b2[q]; s[3] += x * b3[q];
    }
    for (size_t j = 0; j < nb; j++) {
      double v = an[i] - 2.0 * s[j] + bn[j];
      D[i * nb + j] = v > 0.0 ? v : 0.0;
    }
  }
}

void dist_sq_block(const double *A, const double *an, size_t na, const double *B,
                   const double *bn, size_t nb, size_t p, double *D) {
  if (nb <= 4) { sq_block_narrow(A, an, na, B, bn, nb, p, D); return; }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)na, (int)nb, (int)p, -2.0, A, (int)p, B,
              (int)p, 0.0, D, (int)nb);
  for (size_t i = 0; i < na; i++) {
    double *d = D + i * nb;
    for (size_t j = 0; j < nb; j++) {
      double v = d[j] + an[i] + bn[j];
      d[j] = v > 0.0 ? v : 0.0;
    }
  }
}

DIST_HOT void dist_sqrt_inplace(double *restrict d, size_t n) {
  for (size_t i = 0; i < n; i++) d[i] = __builtin_sqrt(d[i]);
}

double dist_sum(const double *d, size_t n) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) { s0 += d[i]; s1 += d[i + 1]; s2 += d[i + 2]; s3 += d[i + 3]; }
  for (; i < n; i++) s0 += d[i];
  return (s0 + s1) + (s2 + s3);
}

double dist_pair(const double *a, const double *b, size_t p, dist_metric m) {
  double s = 0.0;
  if (m == DIST_EUCLIDEAN) return sqrt(dist_sq_pair(a, b, p));
  if (m == DIST_MANHATTAN) {
    for (size_t j = 0; j < p; j++) s += fabs(a[j] - b[j]);
    return s;
  }
  double na = 0.0, nb = 0.0;
  for (size_t j = 0; j < p; j++) { s += a[j] * b[j]; na += a[j] * a[j]; nb += b[j] * b[j]; }
  if (na == 0.0 || nb == 0.0) return 1.0;   /* a zero vector is orthogonal to everything */
  double c = s / sqrt(na * nb);
  return 1.0 - (c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c);
}

typedef struct { const mlsh_mat *X; dist_metric m; double *out; } cond_ctx;

static int cond_rows(void *p, size_t b, size_t e, int tid) {
  cond_ctx *c = p;
  size_t n = c->X->rows, d = c->X->cols;
  (void)tid;
  for (size_t i = b; i < e; i++) {
    if (mlsh_interrupted()) return MLSH_EINTR;
    const double *xi = c->X->data + i * d;
    double *o = c->out + dist_cidx(n, i, i + 1);
    for (size_t j = i + 1; j < n; j++) o[j - i - 1] = dist_pair(xi, c->X->data + j * d, d, c->m);
  }
  return MLSH_OK;
}

int dist_condensed(const mlsh_mat *X, dist_metric m, int threads, double *out, mlsh_err *err) {
  cond_ctx c = {X, m, out};
  /* Rows shrink towards the end: dynamic chunks balance the triangle. */
  int rc = mlsh_parallel_dynamic(X->rows > 0 ? X->rows - 1 : 0, threads, 16, cond_rows, &c);
  if (rc == MLSH_EINTR) return mlsh_seterr(err, rc, "interrupted");
  return rc;
}

int dist_from_square(const mlsh_mat *D, double *out, mlsh_err *err) {
  size_t n = D->rows;
  if (D->cols != n) return mlsh_seterr(err, MLSH_EINVAL, "a distance matrix must be square (got %zux%zu)", D->rows, D->cols);
  for (size_t i = 0; i < n; i++) {
    double dii = MAT_AT(D, i, i);
    if (dii != 0.0) return mlsh_seterr(err, MLSH_EINVAL, "distance matrix diagonal must be 0 (row %zu has %g)", i + 1, dii);
    for (size_t j = i + 1; j < n; j++) {
      double a = MAT_AT(D, i, j), b = MAT_AT(D, j, i);
      if (!isfinite(a) || a < 0.0)
        return mlsh_seterr(err, MLSH_EINVAL, "distance at row %zu, column %zu must be finite and >= 0 (got %g)", i + 1, j + 1, a);
      if (fabs(a - b) > 1e-12 * fmax(fabs(a), fabs(b)))
        return mlsh_seterr(err, MLSH_EINVAL, "distance matrix is not symmetric: [%zu,%zu] = %g but [%zu,%zu] = %g",
                           i + 1, j + 1, a, j + 1, i + 1, b);
      out[dist_cidx(n, i, j)] = a;
    }
  }
  return MLSH_OK;
}
