/* stream_stats.c - streamed column moments, covariance, correlation and
 * PCA from the covariance (see stream.h). The moments of each run of
 * rows are taken about the run's own mean (two passes over rows in
 * cache), then merged by Chan's pairwise formula: no sum of squares ever
 * cancels. */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include "stream.h"
#include "../cluster/dist.h"
#include "../core/alloc.h"
#include "../stats/pca.h"

#define SUBROWS 512   /* rows whose moments are taken together: a few hundred KB, in cache */

static size_t m2_len(size_t p, int full) { return full ? p * p : p; }

int stream_moments_alloc(stream_moments *m, size_t p, int full, mlsh_err *err) {
  memset(m, 0, sizeof *m);
  m->p = p;
  m->full = full;
  m->mean = mlsh_calloc(p ? p : 1, sizeof(double));
  m->min = mlsh_malloc_array(p ? p : 1, sizeof(double));
  m->max = mlsh_malloc_array(p ? p : 1, sizeof(double));
  m->m2 = mlsh_calloc(m2_len(p, full) ? m2_len(p, full) : 1, sizeof(double));
  m->delta = mlsh_malloc_array(p ? p : 1, sizeof(double));
  if (!m->mean || !m->min || !m->max || !m->m2 || !m->delta) {
    stream_moments_free(m);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  for (size_t j = 0; j < p; j++) { m->min[j] = INFINITY; m->max[j] = -INFINITY; }
  return MLSH_OK;
}

void stream_moments_free(stream_moments *m) {
  mlsh_free(m->mean); mlsh_free(m->min); mlsh_free(m->max); mlsh_free(m->m2); mlsh_free(m->delta);
  memset(m, 0, sizeof *m);
}

void stream_moments_merge(stream_moments *a, const stream_moments *b) {
  size_t p = a->p;
  if (b->n == 0) return;
  double n = a->n + b->n, f = a->n * b->n / n;
  double *delta = a->delta;
  for (size_t j = 0; j < p; j++) {
    delta[j] = b->mean[j] - a->mean[j];
    if (b->min[j] < a->min[j]) a->min[j] = b->min[j];
    if (b->max[j] > a->max[j]) a->max[j] = b->max[j];
  }
  if (a->full) {
    for (size_t i = 0; i < p; i++)
      for (size_t j = i; j < p; j++) a->m2[i * p + j] += b->m2[i * p + j] + f * delta[i] * delta[j];
  } else {
    for (size_t j = 0; j < p; j++) a->m2[j] += b->m2[j] + f * delta[j] * delta[j];
  }
  for (size_t j = 0; j < p; j++) a->mean[j] += delta[j] * (b->n / n);
  a->n = n;
}

typedef struct {
  stream_moments acc, blk, sub;
  double *centred;         /* SUBROWS x p */
  double *parts;           /* bitwise: each block's packed moments */
  size_t row0, block, len;
  mlsh_err *err;
} moments_job;

/* Moments as len doubles: n, mean, min, max, m2. */
static size_t packed_len(const stream_moments *m) { return 1 + 3 * m->p + m2_len(m->p, m->full); }

static void pack(const stream_moments *m, double *v) {
  size_t p = m->p;
  v[0] = m->n;
  memcpy(v + 1, m->mean, p * sizeof(double));
  memcpy(v + 1 + p, m->min, p * sizeof(double));
  memcpy(v + 1 + 2 * p, m->max, p * sizeof(double));
  memcpy(v + 1 + 3 * p, m->m2, m2_len(p, m->full) * sizeof(double));
}

static void merge_packed(stream_moments *m, const double *v) {
  stream_moments one = *m;
  size_t p = m->p;
  one.n = v[0]; one.mean = (double *)v + 1; one.min = (double *)v + 1 + p; one.max = (double *)v + 1 + 2 * p;
  one.m2 = (double *)v + 1 + 3 * p;
  stream_moments_merge(m, &one);
}

/* Column sums and extremes of a block in one vectorised read; whether a
 * NaN was seen (the caller then finds where). */
DIST_HOT static int scan_block(const double *restrict X, size_t m, size_t p, double *restrict sum,
                               double *restrict lo, double *restrict hi) {
  int nan = 0;
  for (size_t i = 0; i < m; i++) {
    const double *restrict x = X + i * p;
    for (size_t q = 0; q < p; q++) {
      double v = x[q];
      nan |= v != v;
      sum[q] += v;
      lo[q] = v < lo[q] ? v : lo[q];
      hi[q] = v > hi[q] ? v : hi[q];
    }
  }
  return nan;
}

DIST_HOT static void centre_block(const double *restrict X, size_t m, size_t p, const double *restrict mean,
                                  double *restrict out) {
  for (size_t i = 0; i < m; i++)
    for (size_t q = 0; q < p; q++) out[i * p + q] = X[i * p + q] - mean[q];
}

/* The moments of m <= SUBROWS rows about their own mean, into j->sub:
 * both reads of the rows hit the cache. */
static int sub_moments(moments_job *j, size_t grow0, const double *X, size_t m) {
  stream_moments *b = &j->sub;
  size_t p = b->p;
  b->n = (double)m;
  for (size_t q = 0; q < p; q++) { b->mean[q] = 0.0; b->min[q] = INFINITY; b->max[q] = -INFINITY; }
  if (scan_block(X, m, p, b->mean, b->min, b->max)) {
    size_t at = 0;
    while (!isnan(X[at])) at++;
    return mlsh_seterr(j->err, MLSH_EINVAL, "row %zu, column %zu is NaN", grow0 + at / p + 1, at % p + 1);
  }
  for (size_t q = 0; q < p; q++) b->mean[q] /= (double)m;
  centre_block(X, m, p, b->mean, j->centred);
  if (b->full) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)m, 1.0, j->centred, (int)p, 0.0, b->m2, (int)p);
  } else {
    for (size_t q = 0; q < p; q++) b->m2[q] = 0.0;
    for (size_t i = 0; i < m; i++)
      for (size_t q = 0; q < p; q++) b->m2[q] += j->centred[i * p + q] * j->centred[i * p + q];
  }
  return MLSH_OK;
}

/* The block's moments: its runs of SUBROWS rows merged in order (the
 * same for any number of processes), then merged into the total (or
 * kept, in bitwise mode). */
static int moments_block(void *ctx, size_t grow0, const double *X, size_t m) {
  moments_job *j = ctx;
  stream_moments *b = &j->blk;
  size_t p = b->p;
  b->n = 0.0;
  for (size_t q = 0; q < p; q++) { b->mean[q] = 0.0; b->min[q] = INFINITY; b->max[q] = -INFINITY; }
  memset(b->m2, 0, m2_len(p, b->full) * sizeof(double));
  for (size_t s0 = 0; s0 < m; s0 += SUBROWS) {
    int rc = sub_moments(j, grow0 + s0, X + s0 * p, m - s0 < SUBROWS ? m - s0 : SUBROWS);
    if (rc) return rc;
    stream_moments_merge(b, &j->sub);
  }
  if (j->parts) pack(b, j->parts + (grow0 - j->row0) / j->block * j->len);
  else stream_moments_merge(&j->acc, b);
  return MLSH_OK;
}

/* Every process's moments (bitwise: every block's), merged in rank
 * (block) order: the same on all. */
static int moments_reduce(const stream_comm *c, moments_job *j, size_t nblocks, stream_moments *m, mlsh_err *err) {
  double *one = j->parts ? NULL : mlsh_malloc_array(j->len, sizeof(double)), *all;
  size_t nall;
  if (!j->parts && !one) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (one) pack(&j->acc, one);
  int rc = stream_gather_blocks(c, j->parts ? j->parts : one, j->parts ? nblocks : 1, j->len, &all, &nall, err);
  mlsh_free(one);
  if (rc) return rc;
  for (size_t b = 0; b < nall; b++) merge_packed(m, all + b * j->len);
  mlsh_free(all);
  return MLSH_OK;
}

int stream_moments_compute(const stream_src *s, const stream_comm *c, stream_moments *m, mlsh_err *err) {
  moments_job j = {.err = err, .row0 = s->row0, .block = s->block};
  int rc = stream_moments_alloc(m, s->cols, m->full, err);
  if (!rc) rc = stream_moments_alloc(&j.acc, s->cols, m->full, err);
  if (!rc) rc = stream_moments_alloc(&j.blk, s->cols, m->full, err);
  if (!rc) rc = stream_moments_alloc(&j.sub, s->cols, m->full, err);
  j.len = rc ? 0 : packed_len(m);
  double *buf = rc ? NULL : stream_block_buf(s);
  j.centred = rc ? NULL : mlsh_malloc_array(SUBROWS * (s->cols ? s->cols : 1), sizeof(double));
  if (!rc && s->bitwise) j.parts = mlsh_malloc_array(stream_nblocks(s) + 1, j.len * sizeof(double));
  if (!rc && (!buf || !j.centred || (s->bitwise && !j.parts))) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (!rc) rc = stream_each_block(s, buf, moments_block, &j);
  if (!rc) rc = moments_reduce(c, &j, stream_nblocks(s), m, err);
  if (!rc && m->full)
    for (size_t a = 0; a < m->p; a++)
      for (size_t b = 0; b < a; b++) m->m2[a * m->p + b] = m->m2[b * m->p + a];
  mlsh_free(buf);
  mlsh_free(j.centred);
  mlsh_free(j.parts);
  stream_moments_free(&j.acc);
  stream_moments_free(&j.blk);
  stream_moments_free(&j.sub);
  if (rc) stream_moments_free(m);
  return rc;
}

int stream_cov(const stream_moments *m, int cor, mlsh_mat *out, mlsh_err *err) {
  size_t p = m->p;
  if (!m->full) return mlsh_seterr(err, MLSH_EINVAL, "covariance needs the full co-moments");
  if (m->n < 2) return mlsh_seterr(err, MLSH_EINVAL, "covariance needs at least 2 rows (got %.0f)", m->n);
  int rc = mat_alloc(out, p, p, err);
  if (rc) return rc;
  for (size_t a = 0; a < p; a++)
    for (size_t b = 0; b < p; b++) {
      double v = m->m2[a * p + b];
      MAT_AT(out, a, b) = cor ? v / sqrt(m->m2[a * p + a] * m->m2[b * p + b]) : v / (m->n - 1.0);
    }
  return MLSH_OK;
}

void stream_pca_free(stream_pca *r) {
  mat_free(&r->center); mat_free(&r->scale); mat_free(&r->eig); mat_free(&r->loadings);
  mat_free(&r->var_coord); mat_free(&r->var_cos2); mat_free(&r->var_contrib);
}

static double m2_diag(const stream_moments *m, size_t j) { return m->m2[m->full ? j * m->p + j : j]; }

/* The variables' coordinates (correlations when scaled), cos2 and
 * contributions, as stats.pca. */
static int pca_vars(const stream_moments *m, stream_pca *r, size_t ncomp, mlsh_err *err) {
  size_t p = m->p;
  int rc = mat_alloc(&r->var_coord, p, ncomp, err);
  if (!rc) rc = mat_alloc(&r->var_cos2, p, ncomp, err);
  if (!rc) rc = mat_alloc(&r->var_contrib, p, ncomp, err);
  for (size_t j = 0; !rc && j < p; j++) {
    double vj = m2_diag(m, j) / m->n / (r->scale.data[j] * r->scale.data[j]);
    for (size_t k = 0; k < ncomp; k++) {
      double v = MAT_AT(&r->loadings, j, k), c = v * sqrt(r->eig.data[k]);
      MAT_AT(&r->var_coord, j, k) = c;
      MAT_AT(&r->var_cos2, j, k) = vj > 0.0 ? c * c / vj : 0.0;
      MAT_AT(&r->var_contrib, j, k) = 100.0 * v * v;
    }
  }
  return rc;
}

int stream_pca_center_scale(const stream_moments *m, int scale, stream_pca *r, mlsh_err *err) {
  size_t p = m->p;
  memset(r, 0, sizeof *r);
  if (m->n < 2) return mlsh_seterr(err, MLSH_EINVAL, "PCA needs at least 2 rows (got %.0f)", m->n);
  int rc = mat_alloc(&r->center, 1, p, err);
  if (!rc) rc = mat_alloc(&r->scale, 1, p, err);
  for (size_t j = 0; !rc && j < p; j++) {
    double sd = sqrt(m2_diag(m, j) / m->n);
    if (scale && !(sd > 1e-12 * (fabs(m->mean[j]) + 1e-300)))
      rc = mlsh_seterr(err, MLSH_EINVAL, "column %zu has zero variance: it cannot be scaled (drop it or use scale=false)", j + 1);
    r->center.data[j] = m->mean[j];
    r->scale.data[j] = scale ? sd : 1.0;
  }
  if (rc) stream_pca_free(r);
  return rc;
}

int stream_pca_finish(const stream_moments *m, size_t ncomp, const mlsh_mat *vals, const mlsh_mat *vecs, stream_pca *r,
                      mlsh_err *err) {
  size_t p = m->p;
  if (ncomp == 0 || ncomp > p) ncomp = p;
  int rc = mat_alloc(&r->eig, p, 1, err);
  if (!rc) rc = mat_alloc(&r->loadings, p, ncomp, err);
  if (!rc) {
    r->total = 0.0;
    for (size_t k = 0; k < p; k++) {
      double v = k < vals->rows && vals->data[k] > 0 ? vals->data[k] : 0.0;
      r->eig.data[k] = v;
      r->total += v;
    }
    for (size_t j = 0; j < p; j++)
      for (size_t k = 0; k < ncomp; k++) MAT_AT(&r->loadings, j, k) = MAT_AT(vecs, j, k);
    pca_fix_signs(r->loadings.data, p, ncomp);
    r->n = m->n;
    rc = pca_vars(m, r, ncomp, err);
  }
  if (rc) stream_pca_free(r);
  return rc;
}

int stream_pca_fit(const stream_moments *m, int scale, size_t ncomp, stream_pca *r, mlsh_err *err) {
  size_t p = m->p;
  if (!m->full) { memset(r, 0, sizeof *r); return mlsh_seterr(err, MLSH_EINVAL, "PCA from the covariance needs the full co-moments"); }
  int rc = stream_pca_center_scale(m, scale, r, err);
  if (rc) return rc;
  mlsh_mat S = {0}, vals = {0}, vecs = {0};
  rc = mat_alloc(&S, p, p, err);
  for (size_t a = 0; !rc && a < p; a++)
    for (size_t b = 0; b < p; b++)
      MAT_AT(&S, a, b) = m->m2[a * p + b] / m->n / (r->scale.data[a] * r->scale.data[b]);
  if (!rc) rc = mat_eigh(&S, &vals, &vecs, err);
  if (!rc) rc = stream_pca_finish(m, ncomp, &vals, &vecs, r, err);
  else stream_pca_free(r);
  mat_free(&S); mat_free(&vals); mat_free(&vecs);
  return rc;
}
