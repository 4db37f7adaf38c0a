/* tsne.c - t-SNE driver: affinities, initialisation, gradient descent,
 * KL divergence and trustworthiness (see tsne.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "tsne.h"
#include "tsne_impl.h"
#include "pca.h"
#include "../core/alloc.h"
#include "../core/rng.h"
#include "../core/threads.h"
#include "../core/interrupt.h"

#define KNN_BLOCK 256

void tsne_defaults(tsne_opts *o) {
  memset(o, 0, sizeof *o);
  o->dims = 2; o->perplexity = 30; o->iters = 1000;
  o->exaggeration = 12; o->exaggeration_iters = 250;
  o->init_pca = 1; o->theta = 0.5; o->method = TSNE_AUTO;
}

/* Exact O(n^2) below a few hundred points; Barnes-Hut (group walk) up to
 * 50k; FFT beyond, where its per-iteration grid cost (independent of n)
 * is small next to the n log n of the tree. */
tsne_method tsne_auto_method(size_t n, int dims) {
  if (n <= 400 || dims > 3) return TSNE_EXACT;
  if (n <= 50000 || dims != 2) return TSNE_BH;
  return TSNE_FFT;
}

/* ---- exact kNN by blocked dgemm ---- */

typedef struct {
  const mlsh_mat *X;
  const double *sq;
  int k;
  double **D;        /* per worker: block x n */
  int *nn;           /* n x k neighbour indices */
  double *nd;        /* n x k squared distances */
} knn_job;

/* Squared euclidean distances from rows [r0, r1) of X to all rows, by one dgemm. */
static void sqdist_block(const mlsh_mat *X, const double *sq, size_t r0, size_t r1, double *D) {
  size_t n = X->rows, p = X->cols;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(r1 - r0), (int)n, (int)p, -2.0,
              &MAT_AT(X, r0, 0), (int)p, X->data, (int)p, 0.0, D, (int)n);
  for (size_t i = r0; i < r1; i++)
    for (size_t j = 0; j < n; j++) {
      double v = D[(i - r0) * n + j] + sq[i] + sq[j];
      D[(i - r0) * n + j] = v > 0 ? v : 0;
    }
}

/* The k smallest distances of row d (n values) other than `self`, sorted:
 * indices into bi, values into bd. */
static void k_smallest(const double *d, size_t n, size_t self, size_t k, int *bi, double *bd) {
  size_t cnt = 0;
  for (size_t j0 = 0; j0 < n; j0 += 8) {
    size_t j1 = j0 + 8 < n ? j0 + 8 : n;
    if (cnt == k && j1 - j0 == 8) {   /* most runs of 8 hold nothing below the k-th: one test for all */
      int any = 0;
      for (size_t j = j0; j < j1; j++) any |= d[j] < bd[k - 1];
      if (!any) continue;
    }
    for (size_t j = j0; j < j1; j++) {
      double v = d[j];
      if (j == self || (cnt == k && !(v < bd[k - 1]))) continue;
      size_t pos = cnt < k ? cnt++ : k - 1;
      while (pos > 0 && bd[pos - 1] > v) { bd[pos] = bd[pos - 1]; bi[pos] = bi[pos - 1]; pos--; }
      bd[pos] = v; bi[pos] = (int)j;
    }
  }
}

static int knn_rows(void *ctx, size_t b0, size_t b1, int tid) {
  knn_job *J = ctx;
  size_t n = J->X->rows, k = (size_t)J->k;
  for (size_t b = b0; b < b1; b++) {
    if (mlsh_interrupted()) return MLSH_EINTR;
    size_t r0 = b * KNN_BLOCK, r1 = r0 + KNN_BLOCK < n ? r0 + KNN_BLOCK : n;
    sqdist_block(J->X, J->sq, r0, r1, J->D[tid]);
    for (size_t i = r0; i < r1; i++) k_smallest(J->D[tid] + (i - r0) * n, n, i, k, J->nn + i * k, J->nd + i * k);
  }
  return MLSH_OK;
}

static int exact_knn(const mlsh_mat *X, int k, int threads, int *nn, double *nd) {
  size_t n = X->rows, nb = (n + KNN_BLOCK - 1) / KNN_BLOCK;
  int nt = mlsh_threads_resolve(threads), rc = MLSH_OK;
  if ((size_t)nt > nb) nt = (int)nb;
  double *D[256] = {0}, *sq = mlsh_malloc_array(n, sizeof(double));
  if (!sq) return MLSH_ENOMEM;
  for (size_t i = 0; i < n; i++) sq[i] = cblas_ddot((int)X->cols, &MAT_AT(X, i, 0), 1, &MAT_AT(X, i, 0), 1);
  for (int t = 0; t < nt && !rc; t++)
    if (!(D[t] = mlsh_malloc_array((size_t)KNN_BLOCK * n, sizeof(double)))) rc = MLSH_ENOMEM;
  if (!rc) {
    knn_job J = {X, sq, k, D, nn, nd};
    rc = mlsh_parallel_dynamic(nb, nt, 1, knn_rows, &J);
  }
  for (int t = 0; t < nt; t++) mlsh_free(D[t]);
  mlsh_free(sq);
  return rc;
}

/* ---- affinities ---- */

/* Conditional p_{j|i} on the k neighbours: binary search on the precision
 * beta of exp(-beta d^2) until the entropy is log(perplexity), as
 * scikit-learn's _binary_search_perplexity (tolerance 1e-5, 100 steps). */
static void calibrate(double *d, size_t n, int k, double perplexity) {
  double target = log(perplexity);
  for (size_t i = 0; i < n; i++) {
    double *row = d + i * (size_t)k, beta = 1.0, lo = -INFINITY, hi = INFINITY, p[4096];  /* k <= 4096 */
    for (int step = 0; step < 100; step++) {
      double sum = 0, dsum = 0;
      for (int j = 0; j < k; j++) { p[j] = exp(-row[j] * beta); sum += p[j]; }
      if (sum < 1e-8) sum = 1e-8;
      for (int j = 0; j < k; j++) dsum += row[j] * p[j];
      double H = log(sum) + beta * dsum / sum;
      if (fabs(H - target) <= 1e-5) break;
      if (H > target) { lo = beta; beta = hi == INFINITY ? beta * 2 : (beta + hi) / 2; }
      else { hi = beta; beta = lo == -INFINITY ? beta / 2 : (beta + lo) / 2; }
    }
    double sum = 0;
    for (int j = 0; j < k; j++) { p[j] = exp(-row[j] * beta); sum += p[j]; }
    if (sum < 1e-8) sum = 1e-8;
    for (int j = 0; j < k; j++) row[j] = p[j] / sum;
  }
}

typedef struct { size_t n; size_t *rowptr; int *col; double *val; } csr;

static int cmp_col(const void *a, const void *b) {
  const int *x = a, *y = b;
  return (*x > *y) - (*x < *y);
}

/* P = (C + C^T) / sum, from the n x k conditional matrix C. */
static int symmetrize(size_t n, int k, const int *nn, const double *c, csr *P) {
  size_t m = n * (size_t)k * 2;
  size_t *cnt = mlsh_calloc(n + 1, sizeof(size_t));
  struct { int j; int pad; double v; } *e = mlsh_malloc_array(m, 16);
  if (!cnt || !e) { mlsh_free(cnt); mlsh_free(e); return MLSH_ENOMEM; }
  for (size_t i = 0; i < n; i++)
    for (int a = 0; a < k; a++) { cnt[i + 1]++; cnt[nn[i * k + a] + 1]++; }
  for (size_t i = 0; i < n; i++) cnt[i + 1] += cnt[i];
  size_t *pos = mlsh_malloc_array(n, sizeof(size_t));
  if (!pos) { mlsh_free(cnt); mlsh_free(e); return MLSH_ENOMEM; }
  memcpy(pos, cnt, n * sizeof(size_t));
  for (size_t i = 0; i < n; i++)
    for (int a = 0; a < k; a++) {
      int j = nn[i * k + a];
      double v = c[i * k + a];
      e[pos[i]].j = j; e[pos[i]++].v = v;
      e[pos[j]].j = (int)i; e[pos[j]++].v = v;
    }
  /* Sort each row by column and merge duplicates (i->j and j->i). */
  P->n = n;
  P->rowptr = mlsh_malloc_array(n + 1, sizeof(size_t));
  P->col = mlsh_malloc_array(m, sizeof(int));
  P->val = mlsh_malloc_array(m, sizeof(double));
  if (!P->rowptr || !P->col || !P->val) { mlsh_free(cnt); mlsh_free(e); mlsh_free(pos); return MLSH_ENOMEM; }
  size_t o = 0;
  double total = 0;
  for (size_t i = 0; i < n; i++) {
    P->rowptr[i] = o;
    qsort(e + cnt[i], cnt[i + 1] - cnt[i], 16, cmp_col);
    for (size_t t = cnt[i]; t < cnt[i + 1]; t++) {
      if (o > P->rowptr[i] && P->col[o - 1] == e[t].j) P->val[o - 1] += e[t].v;
      else { P->col[o] = e[t].j; P->val[o++] = e[t].v; }
      total += e[t].v;
    }
  }
  P->rowptr[n] = o;
  for (size_t t = 0; t < o; t++) P->val[t] /= total > 0 ? total : 1;
  mlsh_free(cnt); mlsh_free(e); mlsh_free(pos);
  return MLSH_OK;
}

static void csr_free(csr *P) { mlsh_free(P->rowptr); mlsh_free(P->col); mlsh_free(P->val); }

/* ---- gradient ---- */

typedef struct {
  const csr *P;
  const double *Y;
  int d;
  double exag, *attr;
} attr_job;

typedef double v4d __attribute__((vector_size(32)));

/* Row i of the 2-D attraction sum_j p_ij q_ij (y_i - y_j), four edges at a
 * time: AVX2 where the CPU has it, the same lanes (the same sums, bit for
 * bit) in SSE2 pairs otherwise. */
__attribute__((target_clones("avx2", "default")))
static void attract_row2(const csr *P, const double *Y, size_t i, double *sx, double *sy) {
  const size_t *rp = P->rowptr;
  const int *col = P->col;
  const double *val = P->val;
  double x = Y[2 * i], y = Y[2 * i + 1];
  v4d xi = {x, x, x, x}, yi = {y, y, y, y}, one = {1, 1, 1, 1}, fx = {0, 0, 0, 0}, fy = fx;
  size_t t = rp[i], end = rp[i + 1];
  for (; t + 3 < end; t += 4) {
    size_t a = (size_t)col[t], b = (size_t)col[t + 1], c = (size_t)col[t + 2], e = (size_t)col[t + 3];
    v4d yx = {Y[2 * a], Y[2 * b], Y[2 * c], Y[2 * e]}, yy = {Y[2 * a + 1], Y[2 * b + 1], Y[2 * c + 1], Y[2 * e + 1]};
    v4d p = {val[t], val[t + 1], val[t + 2], val[t + 3]};
    v4d dx = xi - yx, dy = yi - yy, w = p / (one + dx * dx + dy * dy);
    fx += w * dx; fy += w * dy;
  }
  double ax = (fx[0] + fx[1]) + (fx[2] + fx[3]), ay = (fy[0] + fy[1]) + (fy[2] + fy[3]);
  for (; t < end; t++) {
    double dx = x - Y[2 * (size_t)col[t]], dy = y - Y[2 * (size_t)col[t] + 1];
    double w = val[t] / (1.0 + dx * dx + dy * dy);
    ax += w * dx; ay += w * dy;
  }
  *sx = ax; *sy = ay;
}

/* Attraction exag * sum_j p_ij q_ij (y_i - y_j), row by row (each row's sum
 * in a fixed order: the result does not depend on the thread count). */
static int attr_rows(void *ctx, size_t b, size_t e, int tid) {
  attr_job *J = ctx;
  int d = J->d;
  const size_t *rp = J->P->rowptr;
  const int *col = J->P->col;
  const double *val = J->P->val, *Y = J->Y;
  (void)tid;
  for (size_t i = b; i < e; i++) {
    if (d == 2) {   /* the common case */
      double sx, sy;
      attract_row2(J->P, Y, i, &sx, &sy);
      J->attr[2 * i] = sx * J->exag; J->attr[2 * i + 1] = sy * J->exag;
      continue;
    }
    double f[8] = {0};
    const double *yi = Y + i * d;
    for (size_t t = rp[i]; t < rp[i + 1]; t++) {
      const double *yj = Y + (size_t)col[t] * d;
      double d2 = 0, diff[8];
      for (int a = 0; a < d; a++) { diff[a] = yi[a] - yj[a]; d2 += diff[a] * diff[a]; }
      double w = val[t] / (1.0 + d2);
      for (int a = 0; a < d; a++) f[a] += w * diff[a];
    }
    for (int a = 0; a < d; a++) J->attr[i * d + a] = f[a] * J->exag;
  }
  return MLSH_OK;
}

/* Barnes-Hut: the serial tree build and the attraction run side by side
 * before the (threaded) walk: task 0 builds the tree, the others are
 * blocks of attraction rows, taken by whichever thread is free. */
#define ATTR_TASKS 16
typedef struct { tsne_bh *bh; attr_job *A; } build_attr_job;

static int build_and_attract(void *ctx, size_t b, size_t e, int tid) {
  build_attr_job *J = ctx;
  size_t n = J->A->P->n;
  int rc = MLSH_OK;
  (void)tid;
  for (size_t task = b; task < e && !rc; task++)
    rc = task == 0 ? tsne_bh_build(J->bh, J->A->Y)
                   : attr_rows(J->A, n * (task - 1) / ATTR_TASKS, n * task / ATTR_TASKS, 0);
  return rc;
}

static int gradient_parts(tsne_method method, tsne_bh *bh, tsne_fft *fft, attr_job *A, const tsne_opts *o,
                          double *rep, double *Z) {
  size_t n = A->P->n;
  int rc;
  if (method == TSNE_BH) {
    build_attr_job J = {bh, A};
    rc = mlsh_parallel_dynamic(1 + ATTR_TASKS, o->threads, 1, build_and_attract, &J);
    return rc ? rc : tsne_bh_walk(bh, A->Y, o->theta, rep, Z, o->threads);
  }
  rc = method == TSNE_EXACT ? tsne_rep_exact(A->Y, n, A->d, rep, Z, o->threads) : tsne_rep_fft(fft, A->Y, rep, Z);
  return rc ? rc : mlsh_parallel_for(n, o->threads, 256, attr_rows, A);
}

/* KL(P || Q) = sum P log P - sum P log q + log Z, over the stored P. */
static double kl_div(const csr *P, const double *Y, int d, double Z) {
  double kl = 0;
  for (size_t i = 0; i < P->n; i++)
    for (size_t t = P->rowptr[i]; t < P->rowptr[i + 1]; t++) {
      double pv = P->val[t], d2 = 0;
      if (pv <= 0) continue;
      for (int a = 0; a < d; a++) { double x = Y[i * d + a] - Y[(size_t)P->col[t] * d + a]; d2 += x * x; }
      kl += pv * (log(pv) + log1p(d2) + log(Z));
    }
  return kl;
}

/* ---- initialisation ---- */

static int pca_scores(const mlsh_mat *X, size_t ncomp, int randomized, uint64_t seed, int threads, mlsh_mat *out, mlsh_err *err) {
  pca_opts po;
  pca_model pm;
  memset(&pm, 0, sizeof pm);
  pca_opts_default(&po);
  po.ncomp = ncomp; po.center = 1; po.scale = 0; po.seed = seed; po.threads = threads;
  po.method = randomized ? PCA_RANDOMIZED : PCA_SVD;
  int rc = pca_fit(X, &po, &pm, err);
  if (!rc) { *out = pm.ind_coord; pm.ind_coord.data = NULL; pm.ind_coord.rows = pm.ind_coord.cols = 0; }
  pca_free(&pm);
  return rc;
}

static int init_embedding(const mlsh_mat *X, const tsne_opts *o, mlsh_rng *rng, double *Y, mlsh_err *err) {
  size_t n = X->rows;
  int d = o->dims;
  if (o->init_pca && (size_t)d <= X->cols) {
    mlsh_mat S = {0};
    int rc = pca_scores(X, (size_t)d, 0, o->seed, o->threads, &S, err);
    if (rc) return rc;
    double m = 0, s = 0;
    for (size_t i = 0; i < n; i++) m += MAT_AT(&S, i, 0);
    m /= (double)n;
    for (size_t i = 0; i < n; i++) { double x = MAT_AT(&S, i, 0) - m; s += x * x; }
    s = sqrt(s / (double)n);
    for (size_t i = 0; i < n * (size_t)d; i++) Y[i] = s > 0 ? S.data[i] / s * 1e-4 : 0;
    mat_free(&S);
    return MLSH_OK;
  }
  for (size_t i = 0; i < n * (size_t)d; i++) Y[i] = 1e-4 * mlsh_rng_normal(rng);
  return MLSH_OK;
}

/* ---- driver ---- */

/* One step of gradient descent with momentum and per-coordinate gains
 * (scikit-learn's): vectorised clones, no fused multiply-add, so the same
 * bits on every CPU. */
__attribute__((optimize("tree-vectorize", "fp-contract=off"), target_clones("avx512f", "avx2", "default")))
static void descend(double *restrict Y, const double *restrict grad, const double *restrict rep, double *restrict upd,
                    double *restrict gain, size_t m, double zinv, double momentum, double lr) {
  for (size_t i = 0; i < m; i++) {
    double g = 4.0 * (grad[i] - rep[i] * zinv);   /* dC/dy = 4 sum (p - q) q Z (y_i - y_j) */
    double k = (upd[i] * g < 0) ? gain[i] + 0.2 : gain[i] * 0.8;
    k = k < 0.01 ? 0.01 : k;
    gain[i] = k;
    upd[i] = momentum * upd[i] - lr * k * g;
    Y[i] += upd[i];
  }
}

int tsne_run(const mlsh_mat *X0, const tsne_opts *o, mlsh_mat *Yout, tsne_result *res, mlsh_err *err) {
  size_t n = X0->rows;
  int d = o->dims, rc;
  if (n < 4) return mlsh_seterr(err, MLSH_EINVAL, "X needs at least 4 rows (got %zu)", n);
  if (d < 1 || d > 8) return mlsh_seterr(err, MLSH_EINVAL, "dims must be between 1 and 8 (got %d)", d);
  if (!(o->perplexity > 0) || o->perplexity >= (double)n)
    return mlsh_seterr(err, MLSH_EINVAL, "perplexity must be positive and less than the number of rows (got %g, n=%zu)", o->perplexity, n);
  tsne_method method = o->method == TSNE_AUTO ? tsne_auto_method(n, d) : o->method;
  if (method == TSNE_BH && d > 3) return mlsh_seterr(err, MLSH_EINVAL, "barnes_hut supports dims <= 3 (got %d)", d);
  if (method == TSNE_FFT && d != 2) return mlsh_seterr(err, MLSH_EINVAL, "fft supports dims=2 only (got %d)", d);
  double kf = floor(3.0 * o->perplexity + 1.0);
  int k = kf > (double)(n - 1) ? (int)(n - 1) : (int)kf;
  if (k > 4096) return mlsh_seterr(err, MLSH_EINVAL, "perplexity %g is too large (at most 1365)", o->perplexity);

  mlsh_mat Xr = {0};
  const mlsh_mat *X = X0;
  if (o->pca > 0 && (size_t)o->pca < X0->cols) {
    rc = pca_scores(X0, (size_t)o->pca, 1, o->seed, o->threads, &Xr, err);
    if (rc) return rc;
    X = &Xr;
  }
  int *nn = mlsh_malloc_array(n * (size_t)k, sizeof(int));
  double *nd = mlsh_malloc_array(n * (size_t)k, sizeof(double));
  double *buf = mlsh_calloc(n * (size_t)d * 5, sizeof(double));
  csr P = {0};
  tsne_bh *bh = NULL;
  tsne_fft *fft = NULL;
  rc = nn && nd && buf ? MLSH_OK : MLSH_ENOMEM;
  if (!rc) rc = exact_knn(X, k, o->threads, nn, nd);
  if (!rc) { calibrate(nd, n, k, o->perplexity); rc = symmetrize(n, k, nn, nd, &P); }
  mlsh_free(nn); mlsh_free(nd); nn = NULL; nd = NULL;
  double *Y = buf, *grad = buf + n * d, *upd = buf + 2 * n * d, *gain = buf + 3 * n * d, *rep = buf + 4 * n * d;
  mlsh_rng rng;
  mlsh_rng_seed(&rng, o->seed);
  if (!rc) rc = init_embedding(X, o, &rng, Y, err);
  if (rc) goto done;
  if (method == TSNE_BH && !(bh = tsne_bh_new(n, d))) { rc = MLSH_ENOMEM; goto done; }
  if (method == TSNE_FFT && !(fft = tsne_fft_new(n, o->threads))) { rc = MLSH_ENOMEM; goto done; }

  double lr = o->learning_rate > 0 ? o->learning_rate : fmax((double)n / o->exaggeration / 4.0, 50.0), Z = 1;
  int ex_iters = o->exaggeration_iters < o->iters ? o->exaggeration_iters : o->iters, it;
  attr_job AJ = {&P, Y, d, o->exaggeration, grad};
  for (it = 0; it < o->iters; it++) {
    if (mlsh_interrupted()) { rc = MLSH_EINTR; goto done; }
    if (it == 0 || it == ex_iters) {
      /* Each phase starts from zero velocity and unit gains (scikit-learn). */
      for (size_t i = 0; i < n * (size_t)d; i++) { upd[i] = 0; gain[i] = 1; }
      AJ.exag = it < ex_iters ? o->exaggeration : 1.0;
    }
    double momentum = it < ex_iters ? 0.5 : 0.8;
    if ((rc = gradient_parts(method, bh, fft, &AJ, o, rep, &Z))) goto done;
    descend(Y, grad, rep, upd, gain, n * (size_t)d, 1.0 / Z, momentum, lr);
    if (o->progress && (it + 1) % 50 == 0) o->progress(o->progress_ctx, it + 1, kl_div(&P, Y, d, Z));
  }
  /* Final KL with the exact normaliser when affordable. */
  if (n <= 20000) rc = tsne_rep_exact(Y, n, d, rep, &Z, o->threads);
  if (rc) goto done;
  res->kl = kl_div(&P, Y, d, Z);
  res->iters = it;
  res->method = method;
  rc = mat_alloc(Yout, n, (size_t)d, err);
  if (!rc) memcpy(Yout->data, Y, n * (size_t)d * sizeof(double));
done:
  csr_free(&P);
  mlsh_free(buf); mlsh_free(nn); mlsh_free(nd);
  tsne_bh_free(bh); tsne_fft_free(fft);
  mat_free(&Xr);
  if (rc && !err->msg[0]) mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : "not enough memory");
  return rc;
}

/* ---- trustworthiness ---- */

typedef struct {
  const mlsh_mat *X, *Y;
  int k;
  const double *sqx;
  double **D;
  double *pen;       /* per row penalty */
} trust_job;

static int trust_rows(void *ctx, size_t b0, size_t b1, int tid) {
  trust_job *J = ctx;
  size_t n = J->X->rows, q = J->Y->cols, k = (size_t)J->k;
  double *dy = J->D[tid] + (size_t)KNN_BLOCK * n;
  for (size_t b = b0; b < b1; b++) {
    if (mlsh_interrupted()) return MLSH_EINTR;
    size_t r0 = b * KNN_BLOCK, r1 = r0 + KNN_BLOCK < n ? r0 + KNN_BLOCK : n;
    sqdist_block(J->X, J->sqx, r0, r1, J->D[tid]);
    for (size_t i = r0; i < r1; i++) {
      double *dx = J->D[tid] + (i - r0) * n, bd[64];
      int bi[64];
      /* k nearest in the embedding. */
      for (size_t j = 0; j < n; j++) {
        double v = 0;
        for (size_t a = 0; a < q; a++) { double t = MAT_AT(J->Y, i, a) - MAT_AT(J->Y, j, a); v += t * t; }
        dy[j] = v;
      }
      k_smallest(dy, n, i, k, bi, bd);
      /* Rank of each in the original space (1 = nearest, self excluded). */
      double pen = 0;
      for (size_t a = 0; a < k; a++) {
        double v = dx[bi[a]];
        size_t r = 1;
        for (size_t j = 0; j < n; j++) if (j != i && (dx[j] < v || (dx[j] == v && j < (size_t)bi[a]))) r++;
        if (r > k) pen += (double)(r - k);
      }
      J->pen[i] = pen;
    }
  }
  return MLSH_OK;
}

int tsne_trustworthiness(const mlsh_mat *X, const mlsh_mat *Y, int k, int threads, double *out, mlsh_err *err) {
  size_t n = X->rows;
  if (Y->rows != n) return mlsh_seterr(err, MLSH_EINVAL, "X has %zu rows but Y has %zu", n, Y->rows);
  if (k < 1 || k > 64 || (double)k >= (double)n / 2)
    return mlsh_seterr(err, MLSH_EINVAL, "k must be between 1 and min(64, n/2) (got %d, n=%zu)", k, n);
  size_t nb = (n + KNN_BLOCK - 1) / KNN_BLOCK;
  int nt = mlsh_threads_resolve(threads), rc = MLSH_OK;
  if ((size_t)nt > nb) nt = (int)nb;
  double *D[256] = {0}, *sq = mlsh_malloc_array(n, sizeof(double)), *pen = mlsh_malloc_array(n, sizeof(double));
  if (!sq || !pen) rc = MLSH_ENOMEM;
  for (int t = 0; t < nt && !rc; t++)
    if (!(D[t] = mlsh_malloc_array((size_t)(KNN_BLOCK + 1) * n, sizeof(double)))) rc = MLSH_ENOMEM;
  if (!rc) {
    for (size_t i = 0; i < n; i++) sq[i] = cblas_ddot((int)X->cols, &MAT_AT(X, i, 0), 1, &MAT_AT(X, i, 0), 1);
    trust_job J = {X, Y, k, sq, D, pen};
    rc = mlsh_parallel_dynamic(nb, nt, 1, trust_rows, &J);
  }
  if (!rc) {
    double s = 0, N = (double)n, K = (double)k;
    for (size_t i = 0; i < n; i++) s += pen[i];
    *out = 1.0 - 2.0 / (N * K * (2.0 * N - 3.0 * K - 1.0)) * s;
  }
  for (int t = 0; t < nt; t++) mlsh_free(D[t]);
  mlsh_free(sq); mlsh_free(pen);
  if (rc) mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : "not enough memory");
  return rc;
}
