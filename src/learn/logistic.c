/* logistic.c - softmax regression by L-BFGS (see logistic.h). */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include "logistic.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

#define LBFGS_M 10

/* Row-wise softmax of Z = X W + b in place; returns sum of log-losses. */
static double softmax_loss(const mlsh_mat *X, const double *W, int K, const int *y, double *Z) {
  size_t n = X->rows, p = X->cols;
  for (size_t i = 0; i < n; i++) memcpy(Z + i * K, W + p * K, (size_t)K * sizeof(double));
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, K, (int)p, 1.0, X->data, (int)p, W, K, 1.0, Z, K);
  double loss = 0;
  for (size_t i = 0; i < n; i++) {
    double *z = Z + i * K, mx = z[0], s = 0;
    for (int k = 1; k < K; k++) if (z[k] > mx) mx = z[k];
    for (int k = 0; k < K; k++) { z[k] = exp(z[k] - mx); s += z[k]; }
    if (y) loss += log(s) - log(z[y[i]]);
    for (int k = 0; k < K; k++) z[k] /= s;
  }
  return loss;
}

/* Objective and gradient at W. */
static double objective(const logit_model *m, const mlsh_mat *X, const int *y, const double *W, double *G, double *Z) {
  size_t n = X->rows, p = X->cols;
  int K = m->K;
  double f = softmax_loss(X, W, K, y, Z) / (double)n, reg = 1.0 / (m->C * (double)n);
  for (size_t i = 0; i < n; i++) Z[i * K + y[i]] -= 1.0;         /* Z = P - Y */
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, K, (int)n, 1.0 / (double)n, X->data, (int)p, Z, K, 0.0, G, K);
  for (int k = 0; k < K; k++) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += Z[i * K + k];
    G[p * K + k] = s / (double)n;
  }
  for (size_t j = 0; j < p * (size_t)K; j++) { f += 0.5 * reg * W[j] * W[j]; G[j] += reg * W[j]; }
  return f;
}

int logit_fit(logit_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err) {
  size_t n = X->rows, p = X->cols, d = (p + 1) * (size_t)K;
  if (K < 2) return mlsh_seterr(err, MLSH_EINVAL, "y needs at least 2 classes (got %d)", K);
  logit_free(m);
  m->K = K; m->p = p;
  double *buf = mlsh_calloc(d * (5 + 2 * LBFGS_M) + n * (size_t)K + LBFGS_M, sizeof(double));
  m->W = mlsh_calloc(d, sizeof(double));
  if (!buf || !m->W) { mlsh_free(buf); logit_free(m); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  double *W = m->W, *G = buf, *Wn = G + d, *Gn = Wn + d, *dir = Gn + d, *S = dir + d, *Y = S + d * LBFGS_M,
         *Z = Y + d * LBFGS_M, *rho = Z + n * (size_t)K, *alpha = rho + LBFGS_M;
  double f = objective(m, X, y, W, G, Z);
  int hist = 0, head = 0, it, rc = MLSH_OK;
  for (it = 0; it < m->max_iter; it++) {
    double gmax = 0;
    for (size_t j = 0; j < d; j++) if (fabs(G[j]) > gmax) gmax = fabs(G[j]);
    if (gmax <= m->tol) break;
    if (mlsh_interrupted()) { rc = mlsh_seterr(err, MLSH_EINTR, "interrupted"); break; }
    /* Two-loop recursion: dir = -H G. */
    for (size_t j = 0; j < d; j++) dir[j] = -G[j];
    for (int h = 0; h < hist; h++) {
      int s = (head - 1 - h + LBFGS_M) % LBFGS_M;
      alpha[h] = rho[s] * cblas_ddot((int)d, S + s * d, 1, dir, 1);
      cblas_daxpy((int)d, -alpha[h], Y + s * d, 1, dir, 1);
    }
    if (hist > 0) {
      int s = (head - 1 + LBFGS_M) % LBFGS_M;
      double yy = cblas_ddot((int)d, Y + s * d, 1, Y + s * d, 1);
      cblas_dscal((int)d, 1.0 / (rho[s] * yy), dir, 1);
    } else cblas_dscal((int)d, 1.0 / fmax(1.0, gmax), dir, 1);
    for (int h = hist - 1; h >= 0; h--) {
      int s = (head - 1 - h + LBFGS_M) % LBFGS_M;
      double b = rho[s] * cblas_ddot((int)d, Y + s * d, 1, dir, 1);
      cblas_daxpy((int)d, alpha[h] - b, S + s * d, 1, dir, 1);
    }
    double gd = cblas_ddot((int)d, G, 1, dir, 1);
    if (gd >= 0) { for (size_t j = 0; j < d; j++) dir[j] = -G[j]; gd = -cblas_ddot((int)d, G, 1, G, 1); hist = 0; }
    /* Backtracking line search with the Armijo condition. */
    double step = 1.0, fn = f;
    int ok = 0;
    for (int ls = 0; ls < 40; ls++) {
      for (size_t j = 0; j < d; j++) Wn[j] = W[j] + step * dir[j];
      fn = objective(m, X, y, Wn, Gn, Z);
      if (fn <= f + 1e-4 * step * gd) { ok = 1; break; }
      step *= 0.5;
    }
    if (!ok) break;   /* no decrease possible: at the optimum to rounding */
    double *s = S + head * d, *yv = Y + head * d;
    for (size_t j = 0; j < d; j++) { s[j] = Wn[j] - W[j]; yv[j] = Gn[j] - G[j]; }
    double sy = cblas_ddot((int)d, s, 1, yv, 1);
    if (sy > 1e-12) { rho[head] = 1.0 / sy; head = (head + 1) % LBFGS_M; if (hist < LBFGS_M) hist++; }
    memcpy(W, Wn, d * sizeof(double)); memcpy(G, Gn, d * sizeof(double));
    double df = f - fn;
    f = fn;
    if (df <= 1e-15 * fmax(fabs(f), 1.0)) { it++; break; }
  }
  m->iters = it;
  mlsh_free(buf);
  if (rc) logit_free(m);
  return rc;
}

int logit_proba(const logit_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err) {
  if (!m->W) return mlsh_seterr(err, MLSH_EINVAL, "the model is not fitted (call fit first)");
  if (X->cols != m->p) return mlsh_seterr(err, MLSH_EINVAL, "X has %zu columns, the model was fitted on %zu", X->cols, m->p);
  int rc = mat_alloc(P, X->rows, (size_t)m->K, err);
  if (rc) return rc;
  softmax_loss(X, m->W, m->K, NULL, P->data);
  return MLSH_OK;
}

void logit_free(logit_model *m) { mlsh_free(m->W); m->W = NULL; }

void logit_write(const logit_model *m, ser_writer *w) {
  ser_f64(w, m->C);
  ser_u32(w, (uint32_t)m->iters);
  ser_f64s(w, m->W, (m->p + 1) * (size_t)m->K);
}

int logit_read(logit_model *m, ser_reader *r, size_t p, int K) {
  m->C = des_f64(r);
  m->iters = (int)des_u32(r);
  m->K = K; m->p = p;
  m->W = des_f64s(r, (p + 1) * (size_t)K);
  return r->failed ? MLSH_EIO : MLSH_OK;
}
