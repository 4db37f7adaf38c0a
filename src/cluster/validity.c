/* validity.c - cluster validation indices (see validity.h). */
#include <math.h>
#include <string.h>
#include "validity.h"
#include "dist.h"
#include "../core/alloc.h"
#include "../core/distrib.h"
#include "../core/interrupt.h"
#include "../core/rng.h"
#include "../core/threads.h"

/* Counts per label; an error when a label is out of range. */
static int count_labels(const int *lab, size_t n, size_t k, double *cnt, mlsh_err *err) {
  memset(cnt, 0, k * sizeof(double));
  for (size_t i = 0; i < n; i++) {
    if (lab[i] < 0 || (size_t)lab[i] >= k)
      return mlsh_seterr(err, MLSH_EINVAL, "label %d at row %zu is outside 1..%zu", lab[i] + 1, i + 1, k);
    cnt[lab[i]] += 1.0;
  }
  return MLSH_OK;
}

/* s(i) from the summed distances of row i to each cluster. */
static double sil_value(const double *sums, const double *cnt, size_t k, int own) {
  if (cnt[own] < 1.5) return 0.0;
  double a = sums[own] / (cnt[own] - 1.0), b = INFINITY;
  for (size_t c = 0; c < k; c++)
    if ((int)c != own && cnt[c] > 0.0 && sums[c] / cnt[c] < b) b = sums[c] / cnt[c];
  if (!isfinite(b)) return 0.0;
  double m = a > b ? a : b;
  return m > 0.0 ? (b - a) / m : 0.0;
}

/* Rows are sorted by cluster so per-cluster sums are contiguous runs.
 * Only pairs i < j are computed (half the dgemm and square roots): each
 * distance adds to row i's sum for j's cluster and to row j's sum for i's
 * cluster, in per-thread n x k accumulators. Distances come in SIL_R x
 * SIL_C tiles (512 KB) that stay in cache while they are used. */
#define SIL_R 64
#define SIL_C 1024

typedef struct {
  const double *Xs, *xn;
  const size_t *start, *cl;   /* cluster runs; cluster of each sorted position */
  size_t n, p, k;
  double *buf, *S;            /* per thread: tile + SIL_C column sums; n x k sums */
} sil_ctx;

static int sil_block(void *ctx, size_t b, size_t e, int tid) {
  sil_ctx *c = ctx;
  size_t n = c->n, k = c->k;
  double *D = c->buf + (size_t)tid * (SIL_R * SIL_C + SIL_C), *col = D + SIL_R * SIL_C;
  double *S = c->S + (size_t)tid * n * k;
  for (size_t blk = b; blk < e; blk++) {
    size_t r0 = blk * SIL_R, m = n - r0 < SIL_R ? n - r0 : SIL_R;
    for (size_t c0 = r0 - r0 % SIL_C; c0 < n; c0 += SIL_C) {
      size_t w = n - c0 < SIL_C ? n - c0 : SIL_C;
      if (c0 + w <= r0 + 1) continue;
      dist_sq_block(c->Xs + r0 * c->p, c->xn + r0, m, c->Xs + c0 * c->p, c->xn + c0, w, c->p, D);
      dist_sqrt_inplace(D, m * w);
      for (size_t i = 0; i < m; i++)               /* keep j > i only */
        for (size_t j = c0; j < c0 + w && j <= r0 + i; j++) D[i * w + (j - c0)] = 0.0;
      for (size_t cl = 0; cl < k; cl++) {          /* row sums over the clusters' column runs */
        size_t lo = c->start[cl] > c0 ? c->start[cl] : c0, hi = c->start[cl + 1] < c0 + w ? c->start[cl + 1] : c0 + w;
        if (lo >= hi) continue;
        for (size_t i = 0; i < m; i++) S[(r0 + i) * k + cl] += dist_sum(D + i * w + (lo - c0), hi - lo);
      }
      for (size_t i = 0; i < m;) {                 /* column sums over the rows' cluster runs */
        size_t ci = c->cl[r0 + i], i1 = i;
        while (i1 < m && c->cl[r0 + i1] == ci) i1++;
        memcpy(col, D + i * w, w * sizeof(double));
        for (size_t t = i + 1; t < i1; t++)
          for (size_t j = 0; j < w; j++) col[j] += D[t * w + j];
        for (size_t j = 0; j < w; j++) S[(c0 + j) * k + ci] += col[j];
        i = i1;
      }
    }
    if (mlsh_interrupted()) return MLSH_EINTR;
  }
  return MLSH_OK;
}

static double mean_of(const double *s, size_t n) {
  double acc = 0.0;
  for (size_t i = 0; i < n; i++) acc += s[i];
  return acc / (double)n;
}

int clv_silhouette(const mlsh_mat *X, const int *lab, size_t k, int threads, double *s, double *mean, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  int rc, nt = mlsh_threads_resolve(threads);
  double *cnt = mlsh_calloc(k, sizeof(double)), *Xs = mlsh_malloc_array(n * p, sizeof(double));
  double *xn = mlsh_malloc_array(n, sizeof(double)), *mu = mlsh_calloc(p, sizeof(double));
  double *buf = mlsh_malloc_array((size_t)nt, (SIL_R * SIL_C + SIL_C) * sizeof(double));
  double *S = mlsh_calloc((size_t)nt * n, k * sizeof(double));
  size_t *start = mlsh_calloc(k + 1, sizeof(size_t)), *perm = mlsh_malloc_array(n, sizeof(size_t));
  size_t *clp = mlsh_malloc_array(n, sizeof(size_t));
  if (!cnt || !Xs || !xn || !mu || !buf || !S || !start || !perm || !clp) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  if ((rc = count_labels(lab, n, k, cnt, err))) goto done;
  for (size_t c = 0; c < k; c++) start[c + 1] = start[c] + (size_t)cnt[c];
  {
    size_t *fill = mlsh_malloc_array(k, sizeof(size_t));
    if (!fill) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
    memcpy(fill, start, k * sizeof(size_t));
    for (size_t i = 0; i < n; i++) perm[fill[lab[i]]++] = i;
    mlsh_free(fill);
  }
  /* Centre (less cancellation in the dot-product form) and permute. */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) mu[j] += X->data[i * p + j] / (double)n;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) Xs[i * p + j] = X->data[perm[i] * p + j] - mu[j];
  dist_row_sqnorms(Xs, n, p, xn);
  for (size_t c = 0; c < k; c++)
    for (size_t i = start[c]; i < start[c + 1]; i++) clp[i] = c;
  sil_ctx c = {Xs, xn, start, clp, n, p, k, buf, S};
  rc = mlsh_parallel_dynamic((n + SIL_R - 1) / SIL_R, nt, 1, sil_block, &c);
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "interrupted");
  if (!rc) {
    for (int t = 1; t < nt; t++)
      for (size_t i = 0; i < n * k; i++) S[i] += S[(size_t)t * n * k + i];
    for (size_t i = 0; i < n; i++) s[perm[i]] = sil_value(S + i * k, cnt, k, (int)clp[i]);
    *mean = mean_of(s, n);
  }
done:
  mlsh_free(cnt); mlsh_free(Xs); mlsh_free(xn); mlsh_free(mu); mlsh_free(buf); mlsh_free(start); mlsh_free(perm); mlsh_free(S); mlsh_free(clp);
  return rc;
}

int clv_silhouette_cond(const double *cond, size_t n, const int *lab, size_t k, double *s, double *mean, mlsh_err *err) {
  double *cnt = mlsh_calloc(k, sizeof(double)), *sums = mlsh_malloc_array(k, sizeof(double));
  int rc = MLSH_OK;
  if (!cnt || !sums) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  if ((rc = count_labels(lab, n, k, cnt, err))) goto done;
  for (size_t i = 0; i < n; i++) {
    memset(sums, 0, k * sizeof(double));
    for (size_t j = 0; j < n; j++)
      if (j != i) sums[lab[j]] += cond[i < j ? dist_cidx(n, i, j) : dist_cidx(n, j, i)];
    s[i] = sil_value(sums, cnt, k, lab[i]);
    if (mlsh_interrupted()) { rc = mlsh_seterr(err, MLSH_EINTR, "interrupted"); goto done; }
  }
  *mean = mean_of(s, n);
done:
  mlsh_free(cnt); mlsh_free(sums);
  return rc;
}

/* Cluster centroids (k x p), counts and the overall mean. */
static int centroids(const mlsh_mat *X, const int *lab, size_t k, double *C, double *cnt, double *gm, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  int rc = count_labels(lab, n, k, cnt, err);
  if (rc) return rc;
  memset(C, 0, k * p * sizeof(double));
  memset(gm, 0, p * sizeof(double));
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) { C[lab[i] * p + j] += X->data[i * p + j]; gm[j] += X->data[i * p + j]; }
  for (size_t c = 0; c < k; c++)
    for (size_t j = 0; j < p; j++) C[c * p + j] = cnt[c] > 0 ? C[c * p + j] / cnt[c] : 0.0;
  for (size_t j = 0; j < p; j++) gm[j] /= (double)n;
  return MLSH_OK;
}

typedef int (*index_fn)(const mlsh_mat *X, const int *lab, size_t k, const double *C, const double *cnt,
                        const double *gm, double *out, mlsh_err *err);

static int with_centroids(const mlsh_mat *X, const int *lab, size_t k, index_fn fn, double *out, mlsh_err *err) {
  size_t p = X->cols;
  double *C = mlsh_malloc_array(k * p, sizeof(double)), *cnt = mlsh_malloc_array(k, sizeof(double));
  double *gm = mlsh_malloc_array(p, sizeof(double));
  int rc;
  if (!C || !cnt || !gm) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  else if (!(rc = centroids(X, lab, k, C, cnt, gm, err))) rc = fn(X, lab, k, C, cnt, gm, out, err);
  mlsh_free(C); mlsh_free(cnt); mlsh_free(gm);
  return rc;
}

double clv_ch_finish(const double *C, const double *cnt, const double *gm, size_t k, size_t p, size_t n, double W) {
  double B = 0.0;
  for (size_t c = 0; c < k; c++)
    for (size_t j = 0; j < p; j++) { double d = C[c * p + j] - gm[j]; B += cnt[c] * d * d; }
  /* scikit-learn: 1.0 when W is 0 (every cluster a single point). */
  return W == 0.0 ? 1.0 : B * (double)(n - k) / (W * (double)(k - 1));
}

static int ch_fn(const mlsh_mat *X, const int *lab, size_t k, const double *C, const double *cnt,
                 const double *gm, double *out, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  double W = 0.0;
  (void)err;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) { double d = X->data[i * p + j] - C[lab[i] * p + j]; W += d * d; }
  *out = clv_ch_finish(C, cnt, gm, k, p, n, W);
  return MLSH_OK;
}

double clv_db_finish(const double *C, double *S, const double *cnt, size_t k, size_t p) {
  double acc = 0.0;
  for (size_t c = 0; c < k; c++) S[c] = cnt[c] > 0 ? S[c] / cnt[c] : 0.0;
  for (size_t c = 0; c < k; c++) {
    double worst = 0.0;
    for (size_t c2 = 0; c2 < k; c2++) {
      if (c2 == c) continue;
      double m = sqrt(dist_sq_pair(C + c * p, C + c2 * p, p));
      double r = m > 0.0 ? (S[c] + S[c2]) / m : (S[c] + S[c2] > 0.0 ? INFINITY : 0.0);
      if (r > worst) worst = r;
    }
    acc += worst;
  }
  return acc / (double)k;
}

static int db_fn(const mlsh_mat *X, const int *lab, size_t k, const double *C, const double *cnt,
                 const double *gm, double *out, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  double *S = mlsh_calloc(k, sizeof(double));
  (void)gm;
  if (!S) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  for (size_t i = 0; i < n; i++) S[lab[i]] += sqrt(dist_sq_pair(X->data + i * p, C + lab[i] * p, p));
  *out = clv_db_finish(C, S, cnt, k, p);
  mlsh_free(S);
  return MLSH_OK;
}

int clv_calinski_harabasz(const mlsh_mat *X, const int *lab, size_t k, double *out, mlsh_err *err) {
  if (k < 2 || k >= X->rows)
    return mlsh_seterr(err, MLSH_EINVAL, "needs 2 <= number of clusters < number of rows (got %zu clusters, %zu rows)", k, X->rows);
  return with_centroids(X, lab, k, ch_fn, out, err);
}

int clv_davies_bouldin(const mlsh_mat *X, const int *lab, size_t k, double *out, mlsh_err *err) {
  if (k < 2) return mlsh_seterr(err, MLSH_EINVAL, "needs at least 2 clusters (got %zu)", k);
  return with_centroids(X, lab, k, db_fn, out, err);
}

void clv_sample_perm(uint64_t seed, size_t n, size_t *perm) {
  mlsh_rng rng;
  mlsh_rng_seed(&rng, seed ^ 0x5117u);
  mlsh_rng_permutation(&rng, perm, n);
}

void clv_crosstab(const int *a, const int *b, size_t n, size_t ka, size_t kb, double *tab) {
  memset(tab, 0, ka * kb * sizeof(double));
  for (size_t i = 0; i < n; i++) tab[(size_t)a[i] * kb + (size_t)b[i]] += 1.0;
}

static double comb2(double x) { return x * (x - 1.0) / 2.0; }

double clv_ari(const double *tab, size_t ka, size_t kb) {
  double sij = 0.0, sa = 0.0, sb = 0.0, n = 0.0;
  for (size_t i = 0; i < ka; i++) {
    double r = 0.0;
    for (size_t j = 0; j < kb; j++) { sij += comb2(tab[i * kb + j]); r += tab[i * kb + j]; }
    sa += comb2(r);
    n += r;
  }
  for (size_t j = 0; j < kb; j++) {
    double c = 0.0;
    for (size_t i = 0; i < ka; i++) c += tab[i * kb + j];
    sb += comb2(c);
  }
  double expected = sa * sb / comb2(n), maxi = 0.5 * (sa + sb);
  if (maxi == expected) return 1.0;   /* both partitions trivial and identical (scikit-learn) */
  return (sij - expected) / (maxi - expected);
}

static double entropy(const double *v, size_t m, double n) {
  double h = 0.0;
  for (size_t i = 0; i < m; i++)
    if (v[i] > 0) h -= v[i] / n * log(v[i] / n);
  return h;
}

double clv_nmi(const double *tab, size_t ka, size_t kb) {
  double ra[ka ? ka : 1], cb[kb ? kb : 1], n = 0.0, mi = 0.0;
  memset(ra, 0, sizeof ra);
  memset(cb, 0, sizeof cb);
  for (size_t i = 0; i < ka; i++)
    for (size_t j = 0; j < kb; j++) { ra[i] += tab[i * kb + j]; cb[j] += tab[i * kb + j]; n += tab[i * kb + j]; }
  for (size_t i = 0; i < ka; i++)
    for (size_t j = 0; j < kb; j++) {
      double v = tab[i * kb + j];
      if (v > 0) mi += v / n * log(v * n / (ra[i] * cb[j]));
    }
  double ha = entropy(ra, ka, n), hb = entropy(cb, kb, n);
  if (ha == 0.0 && hb == 0.0) return 1.0;
  double d = 0.5 * (ha + hb);
  return d > 0.0 ? (mi / d > 1.0 ? 1.0 : mi / d) : 0.0;
}

double clv_purity(const double *tab, size_t ka, size_t kb) {
  double n = 0.0, hit = 0.0;
  for (size_t j = 0; j < kb; j++) {
    double best = 0.0;
    for (size_t i = 0; i < ka; i++) {
      n += tab[i * kb + j];
      if (tab[i * kb + j] > best) best = tab[i * kb + j];
    }
    hit += best;
  }
  return n > 0.0 ? hit / n : 0.0;
}

int clv_profile(const mlsh_mat *X, const int *lab, size_t k, double *mean, double *sd, double *vtest,
                double *pval, double *gmean, double *gsd, size_t *sizes, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  double *cnt = mlsh_malloc_array(k, sizeof(double));
  int rc;
  if (!cnt) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if ((rc = centroids(X, lab, k, mean, cnt, gmean, err))) { mlsh_free(cnt); return rc; }
  memset(sd, 0, k * p * sizeof(double));
  memset(gsd, 0, p * sizeof(double));
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) {
      double x = X->data[i * p + j], d = x - mean[lab[i] * p + j], g = x - gmean[j];
      sd[lab[i] * p + j] += d * d;
      gsd[j] += g * g;
    }
  for (size_t j = 0; j < p; j++) gsd[j] = sqrt(gsd[j] / (double)n);
  for (size_t c = 0; c < k; c++) {
    sizes[c] = (size_t)cnt[c];
    for (size_t j = 0; j < p; j++) {
      size_t q = c * p + j;
      sd[q] = cnt[c] > 0 ? sqrt(sd[q] / cnt[c]) : 0.0;
      double se2 = gsd[j] * gsd[j] / cnt[c] * ((double)n - cnt[c]) / ((double)n - 1.0);
      if (cnt[c] > 0 && se2 > 0.0) {
        vtest[q] = (mean[q] - gmean[j]) / sqrt(se2);
        pval[q] = 2 * mlsh_pnorm(fabs(vtest[q]), 0);
      } else {
        vtest[q] = 0.0;
        pval[q] = 1.0;
      }
    }
  }
  mlsh_free(cnt);
  return MLSH_OK;
}
