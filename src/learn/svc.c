/* svc.c - one-vs-one SVC on libsvm with BLAS kernels (see svc.h). */
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <cblas.h>
#include <svm.h>
#include "prep.h"
#include "svc.h"
#include "gram.h"
#include "../core/alloc.h"
#include "../core/rng.h"
#include "../core/threads.h"
#include "../core/interrupt.h"
#include "../core/forkmap.h"
#include "../core/vexp.h"

/* Largest pair problem whose kernel matrix we precompute: l*l*24 bytes
 * (matrix + libsvm nodes), 1.5 GB at 8000. Larger pairs use libsvm's own
 * kernel on shared dense nodes (its cache then does the work). */
#define SVC_PRE_MAX 8000
#define SVC_BLOCK 256

static void quiet(const char *s) { (void)s; }

static double kernel_value(const svc_model *m, double dot, double sqa, double sqb) {
  switch (m->kernel) {
  case SVC_RBF: return exp(-m->gamma * (sqa + sqb - 2.0 * dot));
  case SVC_LINEAR: return dot;
  case SVC_POLY: return pow(m->gamma * dot + m->coef0, m->degree);
  default: return tanh(m->gamma * dot + m->coef0);
  }
}

static int npairs(int K) { return K * (K - 1) / 2; }
static void pair_classes(int K, int q, int *a, int *b) {
  for (int i = 0; i < K; i++)
    for (int j = i + 1; j < K; j++)
      if (q-- == 0) { *a = i; *b = j; return; }
}

/* libsvm's sigmoid_train (Platt 2000 with Lin, Lin and Weng's fix). */
static void sigmoid_train(int l, const double *dec, const double *lab, double *Aout, double *Bout) {
  double prior1 = 0, prior0 = 0;
  for (int i = 0; i < l; i++) { if (lab[i] > 0) prior1 += 1; else prior0 += 1; }
  const double min_step = 1e-10, sigma = 1e-12, eps = 1e-5;
  double hi = (prior1 + 1.0) / (prior1 + 2.0), lo = 1 / (prior0 + 2.0);
  double A = 0.0, B = log((prior0 + 1.0) / (prior1 + 1.0)), fval = 0.0;
  for (int i = 0; i < l; i++) {
    double t = lab[i] > 0 ? hi : lo, f = dec[i] * A + B;
    fval += f >= 0 ? t * f + log(1 + exp(-f)) : (t - 1) * f + log(1 + exp(f));
  }
  for (int iter = 0; iter < 100; iter++) {
    double h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0;
    for (int i = 0; i < l; i++) {
      double f = dec[i] * A + B, p, q, t = lab[i] > 0 ? hi : lo;
      if (f >= 0) { p = exp(-f) / (1.0 + exp(-f)); q = 1.0 / (1.0 + exp(-f)); }
      else { p = 1.0 / (1.0 + exp(f)); q = exp(f) / (1.0 + exp(f)); }
      double d2 = p * q, d1 = t - p;
      h11 += dec[i] * dec[i] * d2; h22 += d2; h21 += dec[i] * d2;
      g1 += dec[i] * d1; g2 += d1;
    }
    if (fabs(g1) < eps && fabs(g2) < eps) break;
    double det = h11 * h22 - h21 * h21;
    double dA = -(h22 * g1 - h21 * g2) / det, dB = -(-h21 * g1 + h11 * g2) / det, gd = g1 * dA + g2 * dB;
    double step = 1;
    while (step >= min_step) {
      double nA = A + step * dA, nB = B + step * dB, nf = 0;
      for (int i = 0; i < l; i++) {
        double t = lab[i] > 0 ? hi : lo, f = dec[i] * nA + nB;
        nf += f >= 0 ? t * f + log(1 + exp(-f)) : (t - 1) * f + log(1 + exp(f));
      }
      if (nf < fval + 0.0001 * step * gd) { A = nA; B = nB; fval = nf; break; }
      step /= 2.0;
    }
    if (step < min_step) break;
  }
  *Aout = A; *Bout = B;
}

static double sigmoid_predict(double dec, double A, double B) {
  double f = dec * A + B;
  return f >= 0 ? exp(-f) / (1.0 + exp(-f)) : 1.0 / (1 + exp(f));
}

typedef struct {
  const svc_model *m;
  const mlsh_mat *X;
  const size_t *order, *start;   /* class members, grouped */
  struct svm_node *dense;        /* shared nodes for the native-kernel path */
  const gram_view *gram;         /* cached row dot products, or NULL */
  struct svm_node *full;         /* kernel rows of all n rows (serial = row + 1), or NULL */
  const double *cw;              /* class weights */
  uint64_t seed;
  int **sv; double **coef; size_t *nsv; double *rho, *pA, *pB;
} svc_job;

static void set_param(const svc_job *J, struct svm_parameter *par, int pre, double C, int *wl, double *w) {
  memset(par, 0, sizeof *par);
  const svc_model *m = J->m;
  static const int kt[] = {RBF, LINEAR, POLY, SIGMOID};
  par->svm_type = C_SVC;
  par->kernel_type = pre ? PRECOMPUTED : kt[m->kernel];
  par->degree = m->degree; par->gamma = m->gamma; par->coef0 = m->coef0;
  par->cache_size = m->cache_mb; par->eps = m->tol; par->C = C;
  par->nr_weight = 2; par->weight_label = wl; par->weight = w;
  par->shrinking = 1; par->probability = 0;
}

/* Platt scaling as libsvm's svm_binary_svc_probability, with our seeded folds. */
static int platt(const svc_job *J, struct svm_problem *prob, int pre, double wi, double wj, int q, double *A, double *B) {
  int l = prob->l, rc = MLSH_OK;
  double *dec = mlsh_malloc_array((size_t)l, sizeof(double));
  size_t *perm = mlsh_malloc_array((size_t)l, sizeof(size_t));
  struct svm_node **sx = mlsh_malloc_array((size_t)l, sizeof(*sx));
  double *sy = mlsh_malloc_array((size_t)l, sizeof(double));
  if (!dec || !perm || !sx || !sy) { rc = MLSH_ENOMEM; goto done; }
  mlsh_rng rng, base;
  mlsh_rng_seed(&base, J->seed);
  mlsh_rng_split(&base, (uint64_t)q, &rng);
  mlsh_rng_permutation(&rng, perm, (size_t)l);
  for (int f = 0; f < 5; f++) {
    int b = f * l / 5, e = (f + 1) * l / 5, k = 0, pc = 0, nc = 0;
    for (int t = 0; t < l; t++)
      if (t < b || t >= e) { sx[k] = prob->x[perm[t]]; sy[k] = prob->y[perm[t]]; pc += sy[k] > 0; nc += sy[k] < 0; k++; }
    if (pc == 0 || nc == 0) {
      for (int t = b; t < e; t++) dec[perm[t]] = pc > 0 ? 1 : nc > 0 ? -1 : 0;
      continue;
    }
    struct svm_problem sub = {k, sy, sx};
    struct svm_parameter par;
    int wl[2] = {1, -1};
    double w[2] = {wi, wj};
    set_param(J, &par, pre, 1.0, wl, w);
    struct svm_model *sm = svm_train(&sub, &par);
    if (!sm) { rc = MLSH_ENOMEM; goto done; }
    for (int t = b; t < e; t++) {
      svm_predict_values(sm, prob->x[perm[t]], &dec[perm[t]]);
      dec[perm[t]] *= sm->label[0];
    }
    svm_free_and_destroy_model(&sm);
  }
  sigmoid_train(l, dec, prob->y, A, B);
done:
  mlsh_free(dec); mlsh_free(perm); mlsh_free(sx); mlsh_free(sy);
  return rc;
}

static int train_pair(const svc_job *J, int q) {
  const svc_model *m = J->m;
  const mlsh_mat *X = J->X;
  int a = 0, b = 1, rc = MLSH_OK;
  pair_classes(m->K, q, &a, &b);
  size_t na = J->start[a + 1] - J->start[a], nb = J->start[b + 1] - J->start[b], l = na + nb, p = X->cols;
  int pre = l <= SVC_PRE_MAX;
  size_t *idx = mlsh_malloc_array(l, sizeof(size_t));
  double *y = mlsh_malloc_array(l, sizeof(double));
  struct svm_node **x = mlsh_malloc_array(l, sizeof(*x));
  struct svm_node *nodes = NULL;
  float *Xs = NULL;
  double *G = NULL, *sq = NULL;
  struct svm_model *sm = NULL;
  if (!idx || !y || !x) { rc = MLSH_ENOMEM; goto done; }
  memcpy(idx, J->order + J->start[a], na * sizeof(size_t));
  memcpy(idx + na, J->order + J->start[b], nb * sizeof(size_t));
  for (size_t r = 0; r < l; r++) y[r] = r < na ? 1.0 : -1.0;
  if (pre && J->full) {
    for (size_t r = 0; r < l; r++) x[r] = J->full + idx[r] * (X->rows + 2);
  } else if (pre) {
    sq = mlsh_malloc_array(l, sizeof(double));
    nodes = mlsh_malloc_array(l * (l + 2), sizeof(struct svm_node));
    if (!sq || !nodes) { rc = MLSH_ENOMEM; goto done; }
    const double *D;   /* dot products: the cache's rows idx, or the pair's own */
    size_t ld;
    const size_t *gi = NULL;
    if (J->gram) {
      D = J->gram->G; ld = J->gram->ld; gi = J->gram->idx;
    } else {
      /* Single precision products, as the cache's (gram.h). */
      Xs = mlsh_malloc_array(l * p + l * l, sizeof(float));
      G = mlsh_malloc_array(l * l, sizeof(double));
      if (!Xs || !G) { rc = MLSH_ENOMEM; goto done; }
      float *Gf = Xs + l * p;
      for (size_t r = 0; r < l; r++)
        for (size_t j = 0; j < p; j++) Xs[r * p + j] = (float)MAT_AT(X, idx[r], j);
      cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)l, (int)p, 1.0f, Xs, (int)p, 0.0f, Gf, (int)l);
      for (size_t r = 0; r < l; r++)
        for (size_t c = 0; c < l; c++) G[r * l + c] = c >= r ? Gf[r * l + c] : Gf[c * l + r];
      D = G; ld = l;
    }
#define DROW(r) (gi ? gi[idx[r]] : (r))
    for (size_t r = 0; r < l; r++) sq[r] = D[DROW(r) * ld + DROW(r)];
    /* Row r: serial number r+1 (libsvm's convention), then K(r, c) for all c. */
    for (size_t r = 0; r < l; r++) {
      struct svm_node *nd = nodes + r * (l + 2);
      const double *dr = D + DROW(r) * ld;
      nd[0].index = 0; nd[0].value = (double)(r + 1);
      for (size_t c = 0; c < l; c++) {
        nd[c + 1].index = (int)(c + 1);
        nd[c + 1].value = kernel_value(m, dr[DROW(c)], sq[r], sq[c]);
      }
      nd[l + 1].index = -1; nd[l + 1].value = 0;
      x[r] = nd;
    }
#undef DROW
    mlsh_free(Xs); mlsh_free(G); Xs = NULL; G = NULL;
  } else {
    for (size_t r = 0; r < l; r++) x[r] = J->dense + idx[r] * (p + 1);
  }
  struct svm_problem prob = {(int)l, y, x};
  struct svm_parameter par;
  int wl[2] = {1, -1};
  double w[2] = {J->cw[a], J->cw[b]};
  set_param(J, &par, pre, m->C, wl, w);
  sm = svm_train(&prob, &par);
  if (!sm) { rc = MLSH_ENOMEM; goto done; }
  double sign = sm->label[0] == 1 ? 1.0 : -1.0;
  J->nsv[q] = (size_t)sm->l;
  J->sv[q] = mlsh_malloc_array((size_t)sm->l + 1, sizeof(int));
  J->coef[q] = mlsh_malloc_array((size_t)sm->l + 1, sizeof(double));
  if (!J->sv[q] || !J->coef[q]) { rc = MLSH_ENOMEM; goto done; }
  for (int k = 0; k < sm->l; k++) {
    J->sv[q][k] = (int)idx[sm->sv_indices[k] - 1];
    J->coef[q][k] = sign * sm->sv_coef[0][k];
  }
  J->rho[q] = sign * sm->rho[0];
  if (m->probability) rc = platt(J, &prob, pre, m->C * J->cw[a], m->C * J->cw[b], q, &J->pA[q], &J->pB[q]);
done:
  if (sm) svm_free_and_destroy_model(&sm);
  mlsh_free(idx); mlsh_free(y); mlsh_free(x); mlsh_free(nodes);
  mlsh_free(Xs); mlsh_free(G); mlsh_free(sq);
  return rc;
}

/* Row i of the full kernel: serial number i+1 (libsvm's PRECOMPUTED
 * convention; every pair's rows point here), then K(i, j) for all j. */
typedef struct {
  const svc_model *m;
  const gram_view *g;
  struct svm_node *nodes;
  size_t n;
  const double *sq;   /* squared norms of the rows (the Gram's diagonal, gathered once) */
  double **tmp;       /* per thread: one row of n values */
} full_job;

static int full_rows(void *ctx, size_t b, size_t e, int tid) {
  full_job *F = ctx;
  size_t n = F->n, ld = F->g->ld;
  const size_t *gi = F->g->idx;
  const double *sq = F->sq;
  for (size_t i = b; i < e; i++) {
    struct svm_node *nd = F->nodes + i * (n + 2);
    const double *gr = F->g->G + gi[i] * ld;
    nd[0].index = 0; nd[0].value = (double)(i + 1);
    if (F->m->kernel == SVC_RBF) {
      const double g = F->m->gamma, sqi = sq[i];
      double *t = F->tmp[tid];
      for (size_t j = 0; j < n; j++) t[j] = gr[gi[j]];
      for (size_t j = 0; j < n; j++) t[j] = -g * (sqi + sq[j] - 2.0 * t[j]);
      mlsh_exp_neg(t, t, n);
      for (size_t j = 0; j < n; j++) { nd[j + 1].index = (int)(j + 1); nd[j + 1].value = t[j]; }
    } else {
      for (size_t j = 0; j < n; j++) {
        nd[j + 1].index = (int)(j + 1);
        nd[j + 1].value = kernel_value(F->m, gr[gi[j]], sq[i], sq[j]);
      }
    }
    nd[n + 1].index = -1; nd[n + 1].value = 0;
  }
  return MLSH_OK;
}

static int pair_worker(void *ctx, size_t b, size_t e, int tid) {
  for (size_t q = b; q < e; q++) {
    if (mlsh_interrupted()) return MLSH_EINTR;
    int rc = train_pair(ctx, (int)q);
    if (rc) return rc;
  }
  return MLSH_OK;
}

/* The pairs train in a forked worker (forkmap.h): libsvm's solver has no
 * way to stop midway, so on Ctrl-C the worker is killed (the OS reclaims
 * all of libsvm's memory, and an allocation failure inside libsvm, which
 * does not check its mallocs, cannot take the shell down) and the fit
 * returns at once. The worker sends back each pair's model. */
static int pairs_worker(void *ctx, size_t item, unsigned char **out, size_t *len) {
  svc_job *J = ctx;
  int P = npairs(J->m->K);
  (void)item;
#ifdef MADV_POPULATE_READ
  /* The shared kernel matrix: map it in one call, not page by page. */
  if (J->full) madvise(J->full, J->X->rows * (J->X->rows + 2) * sizeof(struct svm_node), MADV_POPULATE_READ);
#endif
  int rc = mlsh_parallel_dynamic((size_t)P, J->m->threads, 1, pair_worker, J);
  ser_writer w = {0};
  for (int q = 0; q < P && !rc; q++) {
    ser_u64(&w, J->nsv[q]);
    ser_i32s(&w, J->sv[q], J->nsv[q]);
    ser_f64s(&w, J->coef[q], J->nsv[q]);
    ser_f64(&w, J->rho[q]); ser_f64(&w, J->pA[q]); ser_f64(&w, J->pB[q]);
  }
  if (ser_take(&w, out, len)) return MLSH_ENOMEM;
  return rc;
}

static int train_pairs(svc_job *J, int P) {
  /* Already in a worker process (mlsh.parallel_map, CV workers): the parent
   * kills it on Ctrl-C, so train here; forking a large worker again per fit
   * would cost more than the fit. */
  if (forkmap_in_worker()) return mlsh_parallel_dynamic((size_t)P, J->m->threads, 1, pair_worker, J);
  unsigned char *buf = NULL;
  size_t len = 0;
  int st = 0;
  mlsh_err ferr;
  int rc = forkmap_run(1, 1, pairs_worker, J, &buf, &len, &st, &ferr);
  if (rc) return rc == MLSH_EINTR ? rc : MLSH_ENOMEM;
  rc = st;
  ser_reader r = {buf, len, 0, 0};
  for (int q = 0; q < P && !rc && !r.failed; q++) {
    J->nsv[q] = des_count(&r, 12);
    J->sv[q] = des_i32s(&r, J->nsv[q]);
    J->coef[q] = des_f64s(&r, J->nsv[q]);
    J->rho[q] = des_f64(&r); J->pA[q] = des_f64(&r); J->pB[q] = des_f64(&r);
  }
  if (!rc && r.failed) rc = MLSH_ENOMEM;
  mlsh_free(buf);
  return rc;
}

int svc_fit(svc_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  if (K < 2) return mlsh_seterr(err, MLSH_EINVAL, "y needs at least 2 classes (got %d)", K);
  svc_free(m);
  m->K = K;
  if (m->gamma_opt == SVC_GAMMA_AUTO) m->gamma = 1.0 / (double)p;
  else if (m->gamma_opt == SVC_GAMMA_SCALE) {
    double s = 0, s2 = 0, N = (double)MAT_LEN(X);
    for (size_t i = 0; i < MAT_LEN(X); i++) s += X->data[i];
    double mean = s / N;
    for (size_t i = 0; i < MAT_LEN(X); i++) { double d = X->data[i] - mean; s2 += d * d; }
    double var = s2 / N;
    m->gamma = var > 0 ? 1.0 / ((double)p * var) : 1.0;
  } else m->gamma = m->gamma_opt;

  int P = npairs(K), rc = MLSH_OK;
  size_t *order = mlsh_malloc_array(n, sizeof(size_t)), *start = mlsh_calloc((size_t)K + 1, sizeof(size_t));
  double *cw = mlsh_malloc_array((size_t)K, sizeof(double));
  int **sv = mlsh_calloc((size_t)P, sizeof(int *));
  double **coef = mlsh_calloc((size_t)P, sizeof(double *));
  size_t *nsv = mlsh_calloc((size_t)P, sizeof(size_t)), *pos = mlsh_calloc((size_t)K, sizeof(size_t));
  int *map = mlsh_malloc_array(n, sizeof(int));
  struct svm_node *dense = NULL;
  m->rho = mlsh_calloc((size_t)P, sizeof(double));
  m->probA = mlsh_calloc((size_t)P, sizeof(double));
  m->probB = mlsh_calloc((size_t)P, sizeof(double));
  m->pair_start = mlsh_calloc((size_t)P + 1, sizeof(size_t));
  if (!order || !start || !cw || !sv || !coef || !nsv || !pos || !map || !m->rho || !m->probA || !m->probB || !m->pair_start) {
    rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done;
  }
  for (size_t i = 0; i < n; i++) start[y[i] + 1]++;
  for (int c = 0; c < K; c++) start[c + 1] += start[c];
  memcpy(pos, start, (size_t)K * sizeof(size_t));
  for (size_t i = 0; i < n; i++) order[pos[y[i]]++] = i;
  for (int c = 0; c < K; c++) {
    double nc = (double)(start[c + 1] - start[c]);
    cw[c] = m->balanced ? (double)n / ((double)K * nc) : m->class_weight ? m->class_weight[c] : 1.0;
  }
  int need_dense = 0;
  for (int a = 0; a < K; a++)
    for (int b = a + 1; b < K; b++)
      need_dense |= (start[a + 1] - start[a]) + (start[b + 1] - start[b]) > SVC_PRE_MAX;
  if (need_dense) {
    dense = mlsh_malloc_array(n * (p + 1), sizeof(struct svm_node));
    if (!dense) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for libsvm's copy of X"); goto done; }
    for (size_t i = 0; i < n; i++) {
      for (size_t j = 0; j < p; j++) { dense[i * (p + 1) + j].index = (int)j + 1; dense[i * (p + 1) + j].value = MAT_AT(X, i, j); }
      dense[i * (p + 1) + p].index = -1;
    }
  }
  svm_set_print_string_function(quiet);
  gram_view gv = {0};
  int cached = 0;
  if (!need_dense) {
    rc = gram_acquire(X, (size_t)(m->cache_mb * 1048576.0), &gv, err);
    if (rc == GRAM_TOO_BIG) rc = MLSH_OK;
    else if (rc) goto done;
    else cached = 1;
  }
  struct svm_node *full = NULL;
  size_t full_bytes;
  if (cached && !mlsh_mul_overflow(n * (n + 2), sizeof(struct svm_node), &full_bytes) &&
      full_bytes <= (size_t)(m->cache_mb * 1048576.0)) {
    full = gram_scratch(&gv, full_bytes);
    if (!full) { gram_release(&gv); rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the kernel matrix"); goto done; }
    int nt = mlsh_threads_resolve(m->threads);
    double *sq = mlsh_malloc_array(n * (size_t)(nt + 1), sizeof(double)), *tmp[256];
    if (!sq) { gram_release(&gv); rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
    for (int t = 0; t < nt; t++) tmp[t] = sq + n * (size_t)(t + 1);
    for (size_t i = 0; i < n; i++) sq[i] = gv.G[gv.idx[i] * (gv.ld + 1)];
    full_job F = {m, &gv, full, n, sq, tmp};
    rc = mlsh_parallel_for(n, nt, 64, full_rows, &F);
    mlsh_free(sq);
  }
  svc_job J = {m, X, order, start, dense, cached ? &gv : NULL, full, cw, m->seed, sv, coef, nsv, m->rho, m->probA, m->probB};
  if (!rc) rc = train_pairs(&J, P);
  if (cached) gram_release(&gv);
  if (rc) { mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : "libsvm failed (out of memory, or its training process died)"); goto done; }
  /* Union of the support vectors of all pairs. */
  size_t total = 0, nu = 0;
  for (size_t i = 0; i < n; i++) map[i] = -1;
  for (int q = 0; q < P; q++) {
    total += nsv[q];
    for (size_t k = 0; k < nsv[q]; k++) if (map[sv[q][k]] < 0) map[sv[q][k]] = (int)nu++;
  }
  m->pair_sv = mlsh_malloc_array(total + 1, sizeof(int));
  m->pair_coef = mlsh_malloc_array(total + 1, sizeof(double));
  if (!m->pair_sv || !m->pair_coef || (rc = mat_alloc(&m->SV, nu, p, err))) {
    if (!rc) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    if (map[i] >= 0) memcpy(&MAT_AT(&m->SV, map[i], 0), &MAT_AT(X, i, 0), p * sizeof(double));
  size_t o = 0;
  for (int q = 0; q < P; q++) {
    m->pair_start[q] = o;
    for (size_t k = 0; k < nsv[q]; k++, o++) { m->pair_sv[o] = map[sv[q][k]]; m->pair_coef[o] = coef[q][k]; }
  }
  m->pair_start[P] = o;
done:
  if (sv) for (int q = 0; q < P; q++) mlsh_free(sv[q]);
  if (coef) for (int q = 0; q < P; q++) mlsh_free(coef[q]);
  mlsh_free(sv); mlsh_free(coef); mlsh_free(nsv); mlsh_free(pos); mlsh_free(map);
  mlsh_free(order); mlsh_free(start); mlsh_free(cw); mlsh_free(dense);
  if (rc) { svc_free(m); m->K = 0; }
  return rc;
}

typedef struct {
  const svc_model *m;
  const mlsh_mat *X;
  mlsh_mat *D;
  double *sqsv;
  double **Kb;
  float **Xf, **Kf;      /* per worker: query block and its products, single precision */
  const float *SVf;      /* support vectors in float (products as in the fit, gram.h) */
  const gram_view *g;
} dec_job;

static int dec_block(void *ctx, size_t b0, size_t b1, int tid) {
  dec_job *J = ctx;
  const svc_model *m = J->m;
  size_t nsv = m->SV.rows, p = m->SV.cols, P = (size_t)npairs(m->K);
  double *Kb = J->Kb[tid];
  for (size_t b = b0; b < b1; b++) {
    if (mlsh_interrupted()) return MLSH_EINTR;
    size_t r0 = b * SVC_BLOCK, r1 = r0 + SVC_BLOCK < J->X->rows ? r0 + SVC_BLOCK : J->X->rows;
    const gram_view *g = J->g;   /* rows of X, then of SV, in the cache */
    if (g) {
      for (size_t r = r0; r < r1; r++) {
        const double *gr = g->G + g->idx[r] * g->ld;
        for (size_t s = 0; s < nsv; s++) Kb[(r - r0) * nsv + s] = gr[g->idx[J->X->rows + s]];
      }
    } else {
      float *xf = J->Xf[tid], *kf = J->Kf[tid];
      for (size_t i = 0; i < (r1 - r0) * p; i++) xf[i] = (float)J->X->data[r0 * p + i];
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(r1 - r0), (int)nsv, (int)p, 1.0f,
                  xf, (int)p, J->SVf, (int)p, 0.0f, kf, (int)nsv);
      for (size_t i = 0; i < (r1 - r0) * nsv; i++) Kb[i] = kf[i];
    }
    for (size_t r = r0; r < r1; r++) {
      const float *xr = g ? NULL : J->Xf[tid] + (r - r0) * p;
      double sq = g ? g->G[g->idx[r] * (g->ld + 1)] : cblas_sdot((int)p, xr, 1, xr, 1), *kr = Kb + (r - r0) * nsv;
      for (size_t s = 0; s < nsv; s++) kr[s] = kernel_value(m, kr[s], sq, J->sqsv[s]);
      for (size_t q = 0; q < P; q++) {
        double d = -m->rho[q];
        for (size_t o = m->pair_start[q]; o < m->pair_start[q + 1]; o++) d += m->pair_coef[o] * kr[m->pair_sv[o]];
        MAT_AT(J->D, r, q) = d;
      }
    }
  }
  return MLSH_OK;
}

int svc_decision(const svc_model *m, const mlsh_mat *X, mlsh_mat *D, mlsh_err *err) {
  int rc = learn_check_predict(m->K != 0, m->SV.cols, X, err);
  if (rc) return rc;
  size_t nsv = m->SV.rows, nb = (X->rows + SVC_BLOCK - 1) / SVC_BLOCK;
  rc = mat_alloc(D, X->rows, (size_t)npairs(m->K), err);
  if (rc) return rc;
  int nt = mlsh_threads_resolve(m->threads);
  if ((size_t)nt > nb) nt = (int)nb;
  size_t p = X->cols;
  double *Kb[256] = {0}, *sqsv = mlsh_malloc_array(nsv + 1, sizeof(double));
  float *Xf[256] = {0}, *Kf[256] = {0}, *SVf = NULL;
  if (!sqsv) rc = MLSH_ENOMEM;
  for (int t = 0; t < nt && !rc; t++)
    if (!(Kb[t] = mlsh_malloc_array((size_t)SVC_BLOCK * (nsv + 1), sizeof(double)))) rc = MLSH_ENOMEM;
  gram_view gv = {0};
  int cached = 0;
  if (!rc) {
    rc = gram_find(X, &m->SV, &gv, err);
    if (rc == GRAM_TOO_BIG) rc = MLSH_OK;
    else if (!rc) cached = 1;
  }
  if (!rc && !cached) {
    SVf = mlsh_malloc_array(nsv * p + 1, sizeof(float));
    if (!SVf) rc = MLSH_ENOMEM;
    for (int t = 0; t < nt && !rc; t++) {
      Xf[t] = mlsh_malloc_array((size_t)SVC_BLOCK * p, sizeof(float));
      Kf[t] = mlsh_malloc_array((size_t)SVC_BLOCK * (nsv + 1), sizeof(float));
      if (!Xf[t] || !Kf[t]) rc = MLSH_ENOMEM;
    }
    if (!rc) for (size_t i = 0; i < nsv * p; i++) SVf[i] = (float)m->SV.data[i];
  }
  if (!rc) {
    for (size_t s = 0; s < nsv; s++)
      sqsv[s] = cached ? gv.G[gv.idx[X->rows + s] * (gv.ld + 1)] : cblas_sdot((int)p, SVf + s * p, 1, SVf + s * p, 1);
    dec_job J = {m, X, D, sqsv, Kb, Xf, Kf, SVf, cached ? &gv : NULL};
    rc = mlsh_parallel_dynamic(nb, nt, 1, dec_block, &J);
  }
  if (cached) gram_release(&gv);
  for (int t = 0; t < nt; t++) { mlsh_free(Kb[t]); mlsh_free(Xf[t]); mlsh_free(Kf[t]); }
  mlsh_free(sqsv); mlsh_free(SVf);
  if (rc) { mat_free(D); mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : "not enough memory"); }
  return rc;
}

int svc_predict(const svc_model *m, const mlsh_mat *X, int *out, mlsh_err *err) {
  mlsh_mat D = {0};
  int rc = svc_decision(m, X, &D, err);
  if (rc) return rc;
  int K = m->K, *votes = mlsh_malloc_array((size_t)K, sizeof(int));
  if (!votes) { mat_free(&D); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  for (size_t r = 0; r < X->rows; r++) {
    memset(votes, 0, sizeof(int) * (size_t)K);
    int q = 0;
    for (int a = 0; a < K; a++)
      for (int b = a + 1; b < K; b++, q++) votes[MAT_AT(&D, r, q) > 0 ? a : b]++;
    int best = 0;
    for (int c = 1; c < K; c++) if (votes[c] > votes[best]) best = c;
    out[r] = best;
  }
  mlsh_free(votes);
  mat_free(&D);
  return MLSH_OK;
}

/* libsvm's multiclass_probability: pairwise coupling (Wu, Lin and Weng 2004, method 2). */
static void couple(int k, double *r, double *p, double *Q, double *Qp) {
  double eps = 0.005 / k;
  for (int t = 0; t < k; t++) {
    p[t] = 1.0 / k;
    Q[t * k + t] = 0;
    for (int j = 0; j < t; j++) { Q[t * k + t] += r[j * k + t] * r[j * k + t]; Q[t * k + j] = Q[j * k + t]; }
    for (int j = t + 1; j < k; j++) { Q[t * k + t] += r[j * k + t] * r[j * k + t]; Q[t * k + j] = -r[j * k + t] * r[t * k + j]; }
  }
  int max_iter = k > 100 ? k : 100;
  for (int iter = 0; iter < max_iter; iter++) {
    double pQp = 0, max_error = 0;
    for (int t = 0; t < k; t++) {
      Qp[t] = 0;
      for (int j = 0; j < k; j++) Qp[t] += Q[t * k + j] * p[j];
      pQp += p[t] * Qp[t];
    }
    for (int t = 0; t < k; t++) if (fabs(Qp[t] - pQp) > max_error) max_error = fabs(Qp[t] - pQp);
    if (max_error < eps) break;
    for (int t = 0; t < k; t++) {
      double diff = (-Qp[t] + pQp) / Q[t * k + t];
      p[t] += diff;
      pQp = (pQp + diff * (diff * Q[t * k + t] + 2 * Qp[t])) / (1 + diff) / (1 + diff);
      for (int j = 0; j < k; j++) { Qp[j] = (Qp[j] + diff * Q[t * k + j]) / (1 + diff); p[j] /= (1 + diff); }
    }
  }
}

int svc_proba(const svc_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err) {
  if (m->K && !m->probability)
    return mlsh_seterr(err, MLSH_EINVAL, "probabilities need the model built with probability=true");
  mlsh_mat D = {0};
  int rc = svc_decision(m, X, &D, err), K = m->K;
  if (rc) return rc;
  double *buf = mlsh_malloc_array((size_t)K * K * 2 + (size_t)K, sizeof(double));
  if (!buf || (rc = mat_alloc(P, X->rows, (size_t)K, err))) {
    mlsh_free(buf); mat_free(&D);
    return rc ? rc : mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  double *r = buf, *Q = buf + K * K, *Qp = buf + 2 * K * K;
  const double minp = 1e-7;
  for (size_t i = 0; i < X->rows; i++) {
    int q = 0;
    for (int a = 0; a < K; a++)
      for (int b = a + 1; b < K; b++, q++) {
        double v = sigmoid_predict(MAT_AT(&D, i, q), m->probA[q], m->probB[q]);
        v = fmin(fmax(v, minp), 1 - minp);
        r[a * K + b] = v; r[b * K + a] = 1 - v;
      }
    if (K == 2) { MAT_AT(P, i, 0) = r[1]; MAT_AT(P, i, 1) = r[2]; }
    else couple(K, r, &MAT_AT(P, i, 0), Q, Qp);
  }
  mlsh_free(buf); mat_free(&D);
  return MLSH_OK;
}

void svc_free(svc_model *m) {
  mat_free(&m->SV);
  mlsh_free(m->pair_start); mlsh_free(m->pair_sv); mlsh_free(m->pair_coef);
  mlsh_free(m->rho); mlsh_free(m->probA); mlsh_free(m->probB);
  m->pair_start = NULL; m->pair_sv = NULL; m->pair_coef = m->rho = m->probA = m->probB = NULL;
}

void svc_write(const svc_model *m, ser_writer *w) {
  size_t P = (size_t)npairs(m->K);
  ser_u32(w, (uint32_t)m->kernel); ser_u32(w, (uint32_t)m->degree); ser_u32(w, (uint32_t)m->probability);
  ser_f64(w, m->C); ser_f64(w, m->gamma); ser_f64(w, m->coef0);
  ser_u64(w, m->SV.rows);
  ser_f64s(w, m->SV.data, MAT_LEN(&m->SV));
  for (size_t q = 0; q <= P; q++) ser_u64(w, m->pair_start[q]);
  ser_i32s(w, m->pair_sv, m->pair_start[P]);
  ser_f64s(w, m->pair_coef, m->pair_start[P]);
  ser_f64s(w, m->rho, P); ser_f64s(w, m->probA, P); ser_f64s(w, m->probB, P);
}

int svc_read(svc_model *m, ser_reader *r, size_t p, int K) {
  m->kernel = (svc_kernel)des_u32(r); m->degree = (int)des_u32(r); m->probability = (int)des_u32(r);
  m->C = des_f64(r); m->gamma = des_f64(r); m->coef0 = des_f64(r);
  size_t nsv = des_count(r, p * 8), P = (size_t)npairs(K);
  if (r->failed || m->kernel > SVC_SIGMOID || K < 2) return MLSH_EIO;
  m->K = K;
  m->SV.rows = nsv; m->SV.cols = p;
  m->SV.data = des_f64s(r, nsv * p);
  m->pair_start = mlsh_malloc_array(P + 1, sizeof(size_t));
  if (!m->pair_start) return MLSH_ENOMEM;
  for (size_t q = 0; q <= P; q++) {
    m->pair_start[q] = (size_t)des_u64(r);
    if (r->failed || (q && m->pair_start[q] < m->pair_start[q - 1]) || m->pair_start[q] > r->len / 12) return MLSH_EIO;
  }
  size_t tot = m->pair_start[P];
  m->pair_sv = des_i32s(r, tot); m->pair_coef = des_f64s(r, tot);
  m->rho = des_f64s(r, P); m->probA = des_f64s(r, P); m->probB = des_f64s(r, P);
  if (r->failed || m->pair_start[0] != 0) return MLSH_EIO;
  for (size_t o = 0; o < tot; o++) if (m->pair_sv[o] < 0 || (size_t)m->pair_sv[o] >= nsv) return MLSH_EIO;
  return MLSH_OK;
}
