/* stream_tsqr.c - PCA by tall-skinny QR over row blocks and across
 * processes (see stream.h; Demmel, Grigori, Hoemmen & Langou 2012).
 * Each block's centred (and scaled) rows are stacked under the running
 * p x p R factor and reduced by one Householder QR; every process's R is
 * gathered (in rank order, so every process stacks the same matrix) and
 * reduced by one more QR. The singular values s and right vectors of R
 * are those of the whole centred matrix: eigenvalues s^2 / n with no
 * X^T X formed, as the in-memory SVD PCA. */
#include <math.h>
#include <string.h>
#include <lapacke.h>
#include "stream.h"
#include "../core/alloc.h"

typedef struct {
  size_t p, rr;              /* rr: rows of the running R (at most p) */
  const double *mean, *scale;
  double *W;                 /* (block + p) x p: R on top, then a block's rows */
  double *tau;               /* p */
  mlsh_err *err;
} tsqr_job;

/* QR of the rows x p row-major W in place; its R (min(rows, p) rows,
 * zeros below the diagonal) left on top. */
static int qr_rows(double *W, size_t rows, size_t p, double *tau, size_t *rr, mlsh_err *err) {
  if (rows == 0) { *rr = 0; return MLSH_OK; }
  lapack_int info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)p, W, (lapack_int)p, tau);
  if (info) return mlsh_seterr(err, info < 0 ? MLSH_ENOMEM : MLSH_EINVAL, "TSQR: LAPACK dgeqrf failed (info %d)", (int)info);
  *rr = rows < p ? rows : p;
  for (size_t i = 0; i < *rr; i++)
    for (size_t j = 0; j < i && j < p; j++) W[i * p + j] = 0.0;
  return MLSH_OK;
}

static int tsqr_block(void *ctx, size_t grow0, const double *X, size_t m) {
  tsqr_job *j = ctx;
  size_t p = j->p;
  (void)grow0;
  double *rows = j->W + j->rr * p;
  for (size_t i = 0; i < m; i++)
    for (size_t q = 0; q < p; q++) rows[i * p + q] = (X[i * p + q] - j->mean[q]) / j->scale[q];
  return qr_rows(j->W, j->rr + m, p, j->tau, &j->rr, j->err);
}

/* This process's R padded to p x p, gathered from every process and
 * reduced: R (p x p) the same on every process. */
static int reduce_r(const stream_comm *c, tsqr_job *j, mlsh_mat *R) {
  size_t p = j->p, pp = p * p;
  int rc = mat_alloc(R, p, p, j->err);
  if (rc) return rc;
  memset(R->data, 0, pp * sizeof(double));
  memcpy(R->data, j->W, j->rr * p * sizeof(double));
  if (!c) return MLSH_OK;
  double *all = mlsh_malloc_array((size_t)c->size * pp, sizeof(double));
  if (!all) return mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory for the R factors");
  rc = c->allgather(c->ctx, R->data, pp * sizeof(double), all, j->err);
  size_t rr = 0;
  if (!rc) rc = qr_rows(all, (size_t)c->size * p, p, j->tau, &rr, j->err);
  if (!rc) memcpy(R->data, all, pp * sizeof(double));
  mlsh_free(all);
  return rc;
}

/* Eigenvalues s^2 / n and vectors V of the SVD of R. */
static int svd_of_r(const mlsh_mat *R, double n, mlsh_mat *vals, mlsh_mat *V, mlsh_err *err) {
  mlsh_mat U = {0};
  int rc = mat_svd(R, &U, vals, V, err);
  mat_free(&U);
  for (size_t k = 0; !rc && k < vals->rows; k++) vals->data[k] = vals->data[k] * vals->data[k] / n;
  return rc;
}

int stream_pca_tsqr(const stream_src *s, const stream_comm *c, const stream_moments *m, int scale, size_t ncomp,
                    stream_pca *r, mlsh_err *err) {
  size_t p = s->cols;
  int rc = stream_pca_center_scale(m, scale, r, err);
  if (rc) return rc;
  tsqr_job j = {.p = p, .mean = r->center.data, .scale = r->scale.data, .err = err};
  j.W = mlsh_malloc_array((s->block + p) * p, sizeof(double));
  j.tau = mlsh_malloc_array(p ? p : 1, sizeof(double));
  double *buf = stream_block_buf(s);
  rc = !j.W || !j.tau || !buf ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for TSQR") : MLSH_OK;
  mlsh_mat R = {0}, vals = {0}, V = {0};
  if (!rc) rc = stream_each_block(s, buf, tsqr_block, &j);
  if (!rc) rc = reduce_r(c, &j, &R);
  if (!rc) rc = svd_of_r(&R, m->n, &vals, &V, err);
  if (!rc) rc = stream_pca_finish(m, ncomp, &vals, &V, r, err);
  else stream_pca_free(r);
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "interrupted");
  mat_free(&R); mat_free(&vals); mat_free(&V);
  mlsh_free(j.W); mlsh_free(j.tau); mlsh_free(buf);
  return rc;
}
