/* logistic.c - softmax regression by L-BFGS (see logistic.h). */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include "prep.h"
#include "logistic.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

#define LBFGS_M 10

/* Row-wise softmax of Z = X W + b in place (rows b..e); returns the sum
 * of log-losses when y is given. */
static double softmax_rows(const mlsh_mat *X, size_t b, size_t e, const double *W, int K, const int *y, double *Z) {
  size_t p = X->cols, nb = e - b;
  for (size_t i = 0; i < nb; i++) memcpy(Z + i * K, W + p * K, (size_t)K * sizeof(double));
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, K, (int)p, 1.0, X->data + b * p, (int)p, W, K, 1.0, Z, K);
  double loss = 0;
  for (size_t i = 0; i < nb; i++) {
    double *z = Z + i * K, mx = z[0], s = 0;
    for (int k = 1; k < K; k++) if (z[k] > mx) mx = z[k];
    for (int k = 0; k < K; k++) { z[k] = exp(z[k] - mx); s += z[k]; }
    if (y) loss += log(s) - log(z[y[b + i]]);
    for (int k = 0; k < K; k++) z[k] /= s;
  }
  return loss;
}

/* The objective's data term is summed over up to NCHUNK row ranges (fixed
 * by the data's shape), each walked in blocks of BLOCK rows: a block's
 * Z = X W, softmax and its share of the gradient X^T (P - Y) are computed
 * while the block is in cache, so X is read once per evaluation. Chunks
 * run on any number of threads and are added in order, so results do not
 * depend on the thread count. */
#define NCHUNK 16
#define BLOCK 32

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define LG_FAST __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define LG_FAST
#endif

/* Eight lanes: one AVX-512 register, two AVX2 or four SSE2 ones. */
typedef double v8d __attribute__((vector_size(64), aligned(8), may_alias));
#define LD(p) (*(const v8d *)(p))
static inline double hsum(v8d v) { return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7])); }

/* Columns are taken in tiles of TJ: a tile of the weights (K x TJ) and of
 * the gradient stay in L1 while every row of the block passes over it. */
#define TJ 256

/* Z (nb x K) = X (nb rows of p) Wt^T + bias, Wt: K x p. Blocks of four
 * rows by two classes: eight independent sums, six loads for eight FMAs. */
LG_FAST static void block_scores(const double *X, size_t p, size_t nb, const double *Wt, const double *bias, int K,
                                 double *Z) {
  for (size_t i = 0; i < nb; i++) memcpy(Z + i * K, bias, (size_t)K * sizeof(double));
  for (size_t j0 = 0; j0 < p; j0 += TJ) {
    size_t j1 = j0 + TJ < p ? j0 + TJ : p, j8 = j0 + ((j1 - j0) & ~(size_t)7), i = 0;
    for (; i + 4 <= nb; i += 4) {
      const double *x0 = X + i * p, *x1 = x0 + p, *x2 = x1 + p, *x3 = x2 + p;
      double *z = Z + i * K;
      int k = 0;
      for (; k + 2 <= K; k += 2) {
        const double *w = Wt + (size_t)k * p, *u = w + p;
        v8d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, b0 = {0}, b1 = {0}, b2 = {0}, b3 = {0};
        for (size_t j = j0; j < j8; j += 8) {
          v8d wv = LD(w + j), uv = LD(u + j), y0 = LD(x0 + j), y1 = LD(x1 + j), y2 = LD(x2 + j), y3 = LD(x3 + j);
          a0 += y0 * wv; a1 += y1 * wv; a2 += y2 * wv; a3 += y3 * wv;
          b0 += y0 * uv; b1 += y1 * uv; b2 += y2 * uv; b3 += y3 * uv;
        }
        double s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
        double t0 = hsum(b0), t1 = hsum(b1), t2 = hsum(b2), t3 = hsum(b3);
        for (size_t j = j8; j < j1; j++) {
          s0 += x0[j] * w[j]; s1 += x1[j] * w[j]; s2 += x2[j] * w[j]; s3 += x3[j] * w[j];
          t0 += x0[j] * u[j]; t1 += x1[j] * u[j]; t2 += x2[j] * u[j]; t3 += x3[j] * u[j];
        }
        z[k] += s0; z[K + k] += s1; z[2 * K + k] += s2; z[3 * K + k] += s3;
        z[k + 1] += t0; z[K + k + 1] += t1; z[2 * K + k + 1] += t2; z[3 * K + k + 1] += t3;
      }
      for (; k < K; k++) {
        const double *w = Wt + (size_t)k * p;
        v8d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        for (size_t j = j0; j < j8; j += 8) {
          v8d wv = LD(w + j);
          a0 += LD(x0 + j) * wv; a1 += LD(x1 + j) * wv; a2 += LD(x2 + j) * wv; a3 += LD(x3 + j) * wv;
        }
        double s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
        for (size_t j = j8; j < j1; j++) { s0 += x0[j] * w[j]; s1 += x1[j] * w[j]; s2 += x2[j] * w[j]; s3 += x3[j] * w[j]; }
        z[k] += s0; z[K + k] += s1; z[2 * K + k] += s2; z[3 * K + k] += s3;
      }
    }
    for (; i < nb; i++) {
      const double *x0 = X + i * p;
      for (int k = 0; k < K; k++) {
        const double *w = Wt + (size_t)k * p;
        v8d a0 = {0};
        for (size_t j = j0; j < j8; j += 8) a0 += LD(x0 + j) * LD(w + j);
        double s0 = hsum(a0);
        for (size_t j = j8; j < j1; j++) s0 += x0[j] * w[j];
        Z[i * K + k] += s0;
      }
    }
  }
}

/* Gt (K x p) += R^T X for nb rows (R: nb x K), four rows at a time. */
LG_FAST static void block_grad(const double *X, size_t p, size_t nb, const double *R, int K, double *Gt) {
  for (size_t j0 = 0; j0 < p; j0 += TJ) {
    size_t j1 = j0 + TJ < p ? j0 + TJ : p, j8 = j0 + ((j1 - j0) & ~(size_t)7), i = 0;
    for (; i + 4 <= nb; i += 4) {
      const double *x0 = X + i * p, *x1 = x0 + p, *x2 = x1 + p, *x3 = x2 + p;
      for (int k = 0; k < K; k++) {
        double *g = Gt + (size_t)k * p;
        double c0 = R[i * K + k], c1 = R[(i + 1) * K + k], c2 = R[(i + 2) * K + k], c3 = R[(i + 3) * K + k];
        for (size_t j = j0; j < j8; j += 8)
          *(v8d *)(g + j) = (((*(v8d *)(g + j) + LD(x0 + j) * c0) + LD(x1 + j) * c1) + LD(x2 + j) * c2) + LD(x3 + j) * c3;
        for (size_t j = j8; j < j1; j++) g[j] = (((g[j] + x0[j] * c0) + x1[j] * c1) + x2[j] * c2) + x3[j] * c3;
      }
    }
    for (; i < nb; i++) {
      const double *x0 = X + i * p;
      for (int k = 0; k < K; k++) {
        double *g = Gt + (size_t)k * p, c0 = R[i * K + k];
        for (size_t j = j0; j < j8; j += 8) *(v8d *)(g + j) += LD(x0 + j) * c0;
        for (size_t j = j8; j < j1; j++) g[j] += x0[j] * c0;
      }
    }
  }
}

typedef struct {
  const mlsh_mat *X;
  const int *y;
  const double *Wt;  /* K x p weights (transposed), then K intercepts */
  int K, nchunk;
  double *Gc;        /* nchunk x (K x p + K) partial gradients, transposed */
  double *Zc;        /* nchunk x BLOCK x K scratch (one per chunk: no sharing) */
  double loss[NCHUNK];
} obj_job;

/* Chunks for n rows of d = (p+1) K gradient values: several only when the
 * data is large enough to share out, and their gradients take <= 32 MB. */
static int chunk_count(size_t n, size_t d) {
  size_t c = n / 128, cap = ((size_t)1 << 22) / d;
  if (c > NCHUNK) c = NCHUNK;
  if (c > cap) c = cap;
  return c < 1 ? 1 : (int)c;
}

static int obj_chunks(void *ctx, size_t cb, size_t ce, int tid) {
  obj_job *J = ctx;
  const mlsh_mat *X = J->X;
  size_t n = X->rows, p = X->cols, d = (p + 1) * (size_t)J->K;
  int K = J->K;
  const double *bias = J->Wt + p * K;
  for (size_t c = cb; c < ce; c++) {
    size_t r0 = n * c / J->nchunk, r1 = n * (c + 1) / J->nchunk;
    double *G = J->Gc + c * d, *Z = J->Zc + c * (size_t)BLOCK * K, loss = 0;
    memset(G, 0, d * sizeof(double));
    for (size_t b = r0; b < r1; b += BLOCK) {
      size_t nb = b + BLOCK < r1 ? BLOCK : r1 - b;
      const double *Xb = X->data + b * p;
      block_scores(Xb, p, nb, J->Wt, bias, K, Z);
      for (size_t i = 0; i < nb; i++) {
        double *z = Z + i * K, mx = z[0], s = 0;
        int yi = J->y[b + i];
        for (int k = 1; k < K; k++) if (z[k] > mx) mx = z[k];
        for (int k = 0; k < K; k++) { z[k] = exp(z[k] - mx); s += z[k]; }
        loss += log(s) - log(z[yi]);
        for (int k = 0; k < K; k++) { z[k] /= s; G[p * K + k] += z[k]; }
        z[yi] -= 1.0;                                    /* Z = P - Y */
        G[p * K + yi] -= 1.0;
      }
      block_grad(Xb, p, nb, Z, K, G);
    }
    J->loss[c] = loss;
  }
  return MLSH_OK;
}

/* Objective and gradient at W; Wt, Gc, Zc: scratch (see obj_job). */
static double objective(const logit_model *m, const mlsh_mat *X, const int *y, const double *W, double *G, double *Wt,
                        double *Gc, double *Zc) {
  size_t n = X->rows, p = X->cols;
  int K = m->K;
  size_t d = (p + 1) * (size_t)K;
  for (size_t j = 0; j < p; j++)
    for (int k = 0; k < K; k++) Wt[(size_t)k * p + j] = W[j * K + k];
  memcpy(Wt + p * K, W + p * K, (size_t)K * sizeof(double));
  obj_job J = {.X = X, .y = y, .Wt = Wt, .K = K, .nchunk = chunk_count(n, d), .Gc = Gc, .Zc = Zc};
  int nt = n * p < ((size_t)1 << 16) ? 1 : m->threads;   /* tiny data: threads cost more than they save */
  mlsh_parallel_dynamic((size_t)J.nchunk, nt, 1, obj_chunks, &J);
  /* Sum the chunks in order (into chunk 0), then transpose back. */
  for (int c = 1; c < J.nchunk; c++) {
    const double *g = Gc + (size_t)c * d;
    for (size_t j = 0; j < d; j++) Gc[j] += g[j];
  }
  double f = 0, reg = 1.0 / (m->C * (double)n), inv = 1.0 / (double)n;
  for (int c = 0; c < J.nchunk; c++) f += J.loss[c];
  f *= inv;
  for (size_t j = 0; j < p; j++)
    for (int k = 0; k < K; k++) G[j * K + k] = Gc[(size_t)k * p + j] * inv;
  for (int k = 0; k < K; k++) G[p * K + k] = Gc[p * K + k] * inv;
  for (size_t j = 0; j < p * (size_t)K; j++) { f += 0.5 * reg * W[j] * W[j]; G[j] += reg * W[j]; }
  return f;
}

int logit_fit(logit_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err) {
  size_t n = X->rows, p = X->cols, d = (p + 1) * (size_t)K;
  if (K < 2) return mlsh_seterr(err, MLSH_EINVAL, "y needs at least 2 classes (got %d)", K);
  logit_free(m);
  m->K = K; m->p = p;
  size_t nch = (size_t)chunk_count(n, d);
  /* G, Wn, Gn, dir, Wt; S, Y (LBFGS_M each); chunk gradients; Zc; rho, alpha. */
  double *buf = mlsh_calloc(d * (5 + 2 * LBFGS_M + nch) + nch * BLOCK * (size_t)K + 2 * LBFGS_M, sizeof(double));
  m->W = mlsh_calloc(d, sizeof(double));
  if (!buf || !m->W) { mlsh_free(buf); logit_free(m); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  double *W = m->W, *G = buf, *Wn = G + d, *Gn = Wn + d, *dir = Gn + d, *S = dir + d, *Y = S + d * LBFGS_M,
         *Wt = Y + d * LBFGS_M, *Gc = Wt + d, *Zc = Gc + d * nch, *rho = Zc + nch * BLOCK * (size_t)K, *alpha = rho + LBFGS_M;
  double f = objective(m, X, y, W, G, Wt, Gc, Zc);
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
      fn = objective(m, X, y, Wn, Gn, Wt, Gc, Zc);
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
  int rc = learn_check_predict(m->W != NULL, m->p, X, err);
  if (!rc) rc = mat_alloc(P, X->rows, (size_t)m->K, err);
  if (rc) return rc;
  softmax_rows(X, 0, X->rows, m->W, m->K, NULL, P->data);
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
