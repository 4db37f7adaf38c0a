/* knn.c - brute-force exact kNN on BLAS (see knn.h). */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include "prep.h"
#include "knn.h"
#include "../core/alloc.h"
#include "../core/threads.h"
#include "../core/interrupt.h"

/* Queries per sgemm: large blocks, because every sgemm call repacks the
 * whole training matrix; at most KNN_BLOCK_MAX to bound the buffers. */
#define KNN_BLOCK_MAX 1024

static int prepare_rows(void *ctx, size_t b, size_t e, int tid) {
  knn_model *m = ctx;
  size_t p = m->X.cols;
  for (size_t i = b; i < e; i++) {
    const double *r = &MAT_AT(&m->X, i, 0);
    double s = cblas_ddot((int)p, r, 1, r, 1), f = 1.0;
    m->sqnorm[i] = s;
    /* Zero rows stay zero: cosine distance 1 to everything, as scikit-learn. */
    if (m->metric == KNN_COSINE && s > 0) f = 1.0 / sqrt(s);
    if (m->Xf) for (size_t j = 0; j < p; j++) m->Xf[i * p + j] = (float)(r[j] * f);
  }
  return MLSH_OK;
}

/* Norms and the float copy (unit rows for cosine) from m->X, rows in
 * parallel; also run after loading a model file. */
static int knn_prepare(knn_model *m) {
  size_t n = m->X.rows, p = m->X.cols;
  if (!m->sqnorm) m->sqnorm = mlsh_malloc_array(n, sizeof(double));
  m->Xf = m->metric == KNN_MANHATTAN ? NULL : mlsh_malloc_array(n * p, sizeof(float));
  if (!m->sqnorm || (m->metric != KNN_MANHATTAN && !m->Xf)) return MLSH_ENOMEM;
  mlsh_parallel_for(n, m->threads, 64, prepare_rows, m);
  m->maxnorm = 0;
  for (size_t i = 0; i < n; i++) m->maxnorm = fmax(m->maxnorm, sqrt(m->sqnorm[i]));
  return MLSH_OK;
}

int knn_fit(knn_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err) {
  if ((size_t)m->k > X->rows)
    return mlsh_seterr(err, MLSH_EINVAL, "k=%d is larger than the training set (%zu rows)", m->k, X->rows);
  knn_free(m);
  if (m->borrow) { m->X = *X; m->borrowed = 1; }
  else {
    int rc = mat_copy(X, &m->X, err);
    if (rc) return rc;
  }
  m->y = mlsh_malloc_array(X->rows, sizeof(int));
  if (!m->y || knn_prepare(m)) { knn_free(m); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  memcpy(m->y, y, X->rows * sizeof(int));
  m->K = K;
  return MLSH_OK;
}

typedef struct {
  const knn_model *m;
  const mlsh_mat *Q;
  float **Df, **qf;    /* per worker: block x ntrain screen, query block */
  double **qd;         /* per worker: query block in double (normalised for cosine) */
  int **cand;          /* per worker: candidate rows */
  int *idx;
  double *dist;
  size_t block;
} knn_job;

/* Keep the k smallest (v, t) in bd/bi (sorted); a later equal value does
 * not displace an earlier row. */
static inline void insert_best(double v, int t, double *bd, int *bi, size_t *cnt, size_t k) {
  if (*cnt == k && !(v < bd[k - 1])) return;
  size_t pos = *cnt < k ? (*cnt)++ : k - 1;
  while (pos > 0 && bd[pos - 1] > v) { bd[pos] = bd[pos - 1]; bi[pos] = bi[pos - 1]; pos--; }
  bd[pos] = v; bi[pos] = t;
}

static double exact_dist(const knn_model *m, const double *q, size_t t) {
  const double *x = &MAT_AT(&m->X, t, 0);
  size_t p = m->X.cols;
  double s = 0;
  if (m->metric == KNN_COSINE) {
    double s2 = m->sqnorm[t];
    return 1.0 - (s2 > 0 ? cblas_ddot((int)p, q, 1, x, 1) / sqrt(s2) : 0.0);
  }
  if (m->metric == KNN_MANHATTAN) { for (size_t j = 0; j < p; j++) s += fabs(q[j] - x[j]); return s; }
  for (size_t j = 0; j < p; j++) { double d = q[j] - x[j]; s += d * d; }
  return s;
}

static int knn_block(void *ctx, size_t b0, size_t b1, int tid) {
  knn_job *J = ctx;
  const knn_model *m = J->m;
  size_t nq = J->Q->rows, nt = m->X.rows, p = m->X.cols, k = (size_t)m->k;
  float *Df = J->Df[tid], *qf = J->qf[tid];
  double *qd = J->qd[tid];
  int *cand = J->cand[tid];
  /* Bound on |float dot - double dot| for unit-scaled rows: rounding of
   * the inputs and of a p-term sum, doubled for the difference of two. */
  const double u = 5.97e-8, bound = 4.0 * ((double)p + 2.0) * u;
  for (size_t b = b0; b < b1; b++) {
    if (mlsh_interrupted()) return MLSH_EINTR;
    size_t q0 = b * J->block, q1 = q0 + J->block < nq ? q0 + J->block : nq, nb = q1 - q0;
    memcpy(qd, &MAT_AT(J->Q, q0, 0), nb * p * sizeof(double));
    for (size_t a = 0; a < nb && m->metric == KNN_COSINE; a++) {
      double s = cblas_ddot((int)p, qd + a * p, 1, qd + a * p, 1);
      if (s > 0) cblas_dscal((int)p, 1.0 / sqrt(s), qd + a * p, 1);
    }
    if (m->metric != KNN_MANHATTAN) {
      for (size_t i = 0; i < nb * p; i++) qf[i] = (float)qd[i];
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)nt, (int)p, 1.0f, qf, (int)p,
                  m->Xf, (int)p, 0.0f, Df, (int)nt);
    }
    for (size_t a = 0; a < nb; a++) {
      const double *q = qd + a * p;
      int *bi = J->idx + (q0 + a) * k;
      double *bd = J->dist + (q0 + a) * k;
      size_t cnt = 0, nc = 0;
      if (m->metric == KNN_MANHATTAN) {
        for (size_t t = 0; t < nt; t++) insert_best(exact_dist(m, q, t), (int)t, bd, bi, &cnt, k);
      } else {
        /* Screen in float, then re-rank everything near the k-th in double. */
        const float *d = Df + a * nt;
        double qq = cblas_ddot((int)p, q, 1, q, 1), tol;
        int cos = m->metric == KNN_COSINE;
        for (size_t t = 0; t < nt; t++) {
          double v = cos ? 1.0 - d[t] : qq + m->sqnorm[t] - 2.0 * d[t];
          insert_best(v, (int)t, bd, bi, &cnt, k);
        }
        tol = cos ? bound : bound * sqrt(qq) * m->maxnorm * 2.0 + 1e-300;
        double thr = bd[k - 1] + tol;
        for (size_t t = 0; t < nt; t++) {
          double v = cos ? 1.0 - d[t] : qq + m->sqnorm[t] - 2.0 * d[t];
          if (v <= thr) cand[nc++] = (int)t;
        }
        cnt = 0;
        for (size_t c = 0; c < nc; c++) insert_best(exact_dist(m, q, (size_t)cand[c]), cand[c], bd, bi, &cnt, k);
      }
      if (m->metric == KNN_EUCLIDEAN)
        for (size_t j = 0; j < k; j++) bd[j] = bd[j] > 0 ? sqrt(bd[j]) : 0.0;
      else if (m->metric == KNN_COSINE)
        for (size_t j = 0; j < k; j++) if (bd[j] < 0) bd[j] = 0;
    }
  }
  return MLSH_OK;
}

int knn_neighbors(const knn_model *m, const mlsh_mat *Q, int *idx, double *dist, mlsh_err *err) {
  int rc = learn_check_predict(m->y != NULL, m->X.cols, Q, err);
  if (rc) return rc;
  int nt = mlsh_threads_resolve(m->threads);
  size_t ntr = m->X.rows, p = m->X.cols, block = (Q->rows + (size_t)nt - 1) / (size_t)nt;
  if (block > KNN_BLOCK_MAX) block = KNN_BLOCK_MAX;
  if (block * ntr > ((size_t)1 << 25)) block = ((size_t)1 << 25) / ntr;   /* screen <= 128 MB a thread */
  if (block < 1) block = 1;
  size_t nblocks = (Q->rows + block - 1) / block;
  if ((size_t)nt > nblocks) nt = (int)(nblocks ? nblocks : 1);
  float *Df[256] = {0}, *qf[256] = {0};
  double *qd[256] = {0};
  int *cand[256] = {0};
  for (int t = 0; t < nt; t++) {
    Df[t] = mlsh_malloc_array(block * ntr, sizeof(float));
    qf[t] = mlsh_malloc_array(block * p, sizeof(float));
    qd[t] = mlsh_malloc_array(block * p, sizeof(double));
    cand[t] = mlsh_malloc_array(ntr, sizeof(int));
    if (!Df[t] || !qf[t] || !qd[t] || !cand[t]) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the distance block"); goto done; }
  }
  knn_job J = {m, Q, Df, qf, qd, cand, idx, dist, block};
  rc = mlsh_parallel_dynamic(nblocks, nt, 1, knn_block, &J);
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "interrupted");
done:
  for (int t = 0; t < nt; t++) { mlsh_free(Df[t]); mlsh_free(qf[t]); mlsh_free(qd[t]); mlsh_free(cand[t]); }
  return rc;
}

int knn_proba(const knn_model *m, const mlsh_mat *Q, mlsh_mat *P, mlsh_err *err) {
  size_t k = (size_t)m->k, nq = Q->rows;
  int *idx = mlsh_malloc_array(nq * k, sizeof(int));
  double *dist = mlsh_malloc_array(nq * k, sizeof(double));
  int rc = idx && dist ? MLSH_OK : mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (!rc) rc = knn_neighbors(m, Q, idx, dist, err);
  if (!rc) rc = mat_alloc(P, nq, (size_t)m->K, err);
  if (!rc) {
    for (size_t q = 0; q < nq; q++) {
      double *row = &MAT_AT(P, q, 0), tot = 0;
      const double *d = dist + q * k;
      int zero = 0;
      for (size_t j = 0; j < k; j++) zero |= d[j] == 0;
      for (size_t j = 0; j < k; j++) {
        /* Inverse-distance weights; exact matches take all the weight (scikit-learn). */
        double w = !m->distance_weights ? 1.0 : zero ? (d[j] == 0) : 1.0 / d[j];
        row[m->y[idx[q * k + j]]] += w;
        tot += w;
      }
      for (int c = 0; c < m->K; c++) row[c] /= tot;
    }
  }
  mlsh_free(idx); mlsh_free(dist);
  return rc;
}

void knn_free(knn_model *m) {
  if (!m->borrowed) mat_free(&m->X);
  m->X.data = NULL; m->X.rows = m->X.cols = 0; m->borrowed = 0;
  mlsh_free(m->sqnorm); mlsh_free(m->y); mlsh_free(m->Xf);
  m->sqnorm = NULL; m->y = NULL; m->Xf = NULL;
}

void knn_write(const knn_model *m, ser_writer *w) {
  ser_u32(w, (uint32_t)m->k); ser_u32(w, (uint32_t)m->metric); ser_u32(w, (uint32_t)m->distance_weights);
  ser_u64(w, m->X.rows);
  ser_f64s(w, m->X.data, MAT_LEN(&m->X));
  ser_i32s(w, m->y, m->X.rows);
}

int knn_read(knn_model *m, ser_reader *r, size_t p, int K) {
  m->k = (int)des_u32(r); m->metric = (knn_metric)des_u32(r); m->distance_weights = (int)des_u32(r);
  size_t n = des_count(r, p * 8 + 4);
  if (r->failed || m->k < 1 || (size_t)m->k > n || m->metric > KNN_MANHATTAN) return MLSH_EIO;
  m->X.rows = n; m->X.cols = p; m->K = K;
  m->X.data = des_f64s(r, n * p);
  m->y = des_i32s(r, n);
  if (r->failed) return MLSH_EIO;
  for (size_t i = 0; i < n; i++) if (m->y[i] < 0 || m->y[i] >= K) return MLSH_EIO;
  if (knn_prepare(m)) return MLSH_ENOMEM;
  return MLSH_OK;
}
