/* forest.c - CART/Gini random forest (see forest.h).
 *
 * Splits are searched on binned features: each feature's float32 training
 * values (trees work in float32, as scikit-learn's) are cut once per fit
 * into at most 256 bins of about equal frequency, every distinct value its
 * own bin when there are <= 256 of them (so small data sets get exact
 * CART). A node counts the class weights of its samples per bin of a
 * candidate feature and tries the cuts between occupied bins. Thresholds
 * stay real values: the midpoint between the largest training value left
 * of the cut and the smallest right of it, so prediction, save and load do
 * not know about bins. */
#include <math.h>
#include <string.h>
#include <stdint.h>
#include "prep.h"
#include "forest.h"
#include "../core/alloc.h"
#include "../core/rng.h"
#include "../core/threads.h"
#include "../core/interrupt.h"

#define NBIN 256

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define RF_FAST __attribute__((noinline, target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define RF_FAST __attribute__((noinline))
#endif

/* A sample's or a bin's counts for the fast path (K <= 6): class weights
 * in lanes 0..5, total weight in lane 6, number of samples in lane 7. */
typedef int32_t v8i __attribute__((vector_size(32), aligned(4)));
typedef double v8d __attribute__((vector_size(64), aligned(8)));
#define FAST_K 6
#ifndef PREFETCH_EACH
#define PREFETCH_EACH 48
#endif
typedef int64_t v8l __attribute__((vector_size(64), aligned(8)));
typedef uint64_t v4u __attribute__((vector_size(32), aligned(8)));

/* Value order of float32 bits, for radix sorting (value << 32 | row). */
static inline uint32_t float_order(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

/* LSD radix sort of 64-bit keys on their high 32 bits, 11 bits a pass
 * (three passes); passes where every key has the same digit are skipped. */
static void sort_keys(uint64_t *a, uint64_t *tmp, size_t n) {
  if (n < 2) return;
  static const int shift[3] = {32, 43, 54};
  uint32_t cnt[3][2048];
  memset(cnt, 0, sizeof cnt);
  for (size_t i = 0; i < n; i++) {
    uint64_t v = a[i];
    cnt[0][(v >> 32) & 2047]++; cnt[1][(v >> 43) & 2047]++; cnt[2][v >> 54]++;
  }
  uint64_t *src = a, *dst = tmp;
  for (int pass = 0; pass < 3; pass++) {
    uint32_t *c = cnt[pass], sum = 0;
    int sh = shift[pass];
    if (c[(src[0] >> sh) & 2047] == n) continue;
    for (int b = 0; b < 2048; b++) { uint32_t t = c[b]; c[b] = sum; sum += t; }
    for (size_t i = 0; i < n; i++) dst[c[(src[i] >> sh) & 2047]++] = src[i];
    uint64_t *t = src; src = dst; dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof(uint64_t));
}

typedef struct {
  int *samples, *side, *feats, *w;
  v8i *cv;               /* nn: the node's samples' counts (fast path) */
  v8i *H;                /* NBIN, zero between uses (fast path) */
  v8i *P;                /* NBIN + 8: counts left of each cut (fast path) */
  int *hist;             /* NBIN x (K + 1), zero between uses (other K) */
  double *cnt, *cl;
} workspace;

typedef struct {
  const forest_model *m;
  const uint8_t *B;      /* p x n bins, column-major */
  const float *bmin, *bmax;  /* p x NBIN: smallest and largest training value of each bin */
  const int *y;
  size_t n, p;
  int mtry;
  mlsh_rng base;
  workspace *ws;
  double *imp_tree;      /* ntrees x p */
} grow_job;

typedef struct { int b, e, depth, parent, is_left; } frame;

/* The best split of a node so far: feature, the last bin going left and
 * the next occupied bin, the proxy (larger is better). */
typedef struct { int f, lim, next; double proxy; } split;

static int tree_push(forest_tree *t, int *cap, int K) {
  if (t->nnodes == *cap) {
    int nc = *cap ? *cap * 2 : 64;
    int *f = mlsh_realloc(t->feature, (size_t)nc * sizeof(int));
    if (f) t->feature = f;
    double *th = mlsh_realloc(t->threshold, (size_t)nc * sizeof(double));
    if (th) t->threshold = th;
    int *l = mlsh_realloc(t->left, (size_t)nc * sizeof(int));
    if (l) t->left = l;
    int *r = mlsh_realloc(t->right, (size_t)nc * sizeof(int));
    if (r) t->right = r;
    double *v = mlsh_realloc(t->value, (size_t)nc * (size_t)K * sizeof(double));
    if (v) t->value = v;
    if (!f || !th || !l || !r || !v) return -1;
    *cap = nc;
  }
  int id = t->nnodes++;
  t->feature[id] = -1; t->threshold[id] = 0; t->left[id] = t->right[id] = -1;
  return id;
}

static double gini(const double *c, int K, double W) {
  double s = 0;
  for (int k = 0; k < K; k++) s += c[k] * c[k];
  return W > 0 ? 1.0 - s / (W * W) : 0.0;
}

/* Threshold between training values v < vnext (float32, as the trees). */
static double midpoint(float v, float vnext) {
  float thr = (float)(0.5 * ((double)v + (double)vnext));
  return thr >= vnext ? v : thr;
}

/* A cut with left class-weight squares sl, weight wl, right sr, wr.
 * Maximising sum(cl^2)/wl + sum(cr^2)/wr minimises the weighted child
 * Gini; a multiplied-out test (with room for rounding) spares the
 * divisions where the cut cannot win. */
static inline void try_cut(split *best, double sl, double wl, double sr, double wr, int f, int lim, int next) {
  if (sl * wr + sr * wl < best->proxy * (wl * wr) * (1 - 1e-12)) return;
  double proxy = sl / wl + sr / wr;
  if (proxy > best->proxy) { best->proxy = proxy; best->f = f; best->lim = lim; best->next = next; }
}

/* Fast path (K <= FAST_K): the node's samples' count vectors cv add up
 * per bin in H; the occupied bins, in order, give the cuts. Returns 0
 * when every sample falls in one bin. */
RF_FAST static int split_fast(const grow_job *J, workspace *ws, int f, const int *smp, int nn, int K, int min_leaf,
                              const double *cnt, double W, split *best) {
  const uint8_t *col = J->B + (size_t)f * J->n;
  const v8i *cv = ws->cv;
  v8i *H = ws->H;
  uint64_t occ[NBIN / 64] = {0};
  for (int i = 0; i < nn; i++) {
    int b = col[smp[i]];
    H[b] += cv[i];
    occ[b >> 6] |= 1ull << (b & 63);
  }
  uint8_t ob[NBIN];
  int nb = 0;
  for (int wi = 0; wi < NBIN / 64; wi++)
    for (uint64_t word = occ[wi]; word; word &= word - 1) ob[nb++] = (uint8_t)(wi * 64 + __builtin_ctzll(word));
  if (nb == 1) { H[ob[0]] = (v8i){0}; return 0; }
  /* Counts left of each cut (cut j: bins ob[0..j] go left), then the cuts
   * eight at a time: a transpose gives one vector per count, each lane a
   * cut. Cuts past the last are padded with all samples left (invalid).
   * Lanes that pass the filter go through try_cut in order, so the result
   * is a one-by-one scan's. */
  v8i *P = ws->P, cl = {0};
  for (int j = 0; j < nb - 1; j++) {
    cl += H[ob[j]];
    H[ob[j]] = (v8i){0};
    P[j] = cl;
  }
  v8i all = cl + H[ob[nb - 1]];
  H[ob[nb - 1]] = (v8i){0};
  int ncut = nb - 1;
  for (int j = ncut; j < ((ncut + 7) & ~7); j++) P[j] = all;
  int lo = min_leaf > 1 ? min_leaf : 1, hi = nn - lo;
  for (int j0 = 0; j0 < ncut; j0 += 8) {
    const v8i *R = P + j0;
    v8i t0 = __builtin_shufflevector(R[0], R[1], 0, 8, 1, 9, 4, 12, 5, 13);
    v8i t1 = __builtin_shufflevector(R[0], R[1], 2, 10, 3, 11, 6, 14, 7, 15);
    v8i t2 = __builtin_shufflevector(R[2], R[3], 0, 8, 1, 9, 4, 12, 5, 13);
    v8i t3 = __builtin_shufflevector(R[2], R[3], 2, 10, 3, 11, 6, 14, 7, 15);
    v8i t4 = __builtin_shufflevector(R[4], R[5], 0, 8, 1, 9, 4, 12, 5, 13);
    v8i t5 = __builtin_shufflevector(R[4], R[5], 2, 10, 3, 11, 6, 14, 7, 15);
    v8i t6 = __builtin_shufflevector(R[6], R[7], 0, 8, 1, 9, 4, 12, 5, 13);
    v8i t7 = __builtin_shufflevector(R[6], R[7], 2, 10, 3, 11, 6, 14, 7, 15);
    v8i u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    v8i u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    v8i u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    v8i u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    v8i u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
    v8i u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
    v8i u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
    v8i u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
    v8i c[8];
    c[0] = __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
    c[4] = __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
    c[1] = __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
    c[5] = __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
    c[2] = __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
    c[6] = __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
    c[3] = __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
    c[7] = __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
    v8d sl = {0}, sr = {0};
    for (int k = 0; k < K; k++) {
      v8d l = __builtin_convertvector(c[k], v8d), r = cnt[k] - l;
      sl += l * l; sr += r * r;
    }
    v8d wl = __builtin_convertvector(c[6], v8d), wr = W - wl;
    v8i ok = (c[7] >= lo) & (c[7] <= hi);
    v8l pass = __builtin_convertvector(ok, v8l) & (sl * wr + sr * wl >= best->proxy * (wl * wr) * (1 - 1e-12));
    v4u any = (v4u)(__builtin_shufflevector(pass, pass, 0, 1, 2, 3) | __builtin_shufflevector(pass, pass, 4, 5, 6, 7));
    if (!(any[0] | any[1] | any[2] | any[3])) continue;
    for (int q = 0; q < 8 && j0 + q < ncut; q++)
      if (pass[q]) try_cut(best, sl[q], wl[q], sr[q], wr[q], f, ob[j0 + q], ob[j0 + q + 1]);
  }
  return 1;
}

/* Any K: per bin, K class weights and the number of samples. */
static int split_hist(const grow_job *J, workspace *ws, int f, const int *smp, int nn, int K, int min_leaf,
                      const double *cnt, double W, split *best) {
  const uint8_t *col = J->B + (size_t)f * J->n;
  const int *y = J->y, *w = ws->w;
  int K1 = K + 1, *h = ws->hist, bmin = NBIN, bmax = -1;
  for (int i = 0; i < nn; i++) {
    int s = smp[i], b = col[s];
    int *hb = h + b * K1;
    hb[y[s]] += w[s];
    hb[K]++;
    if (b < bmin) bmin = b;
    if (b > bmax) bmax = b;
  }
  if (bmin == bmax) { memset(h + bmin * K1, 0, (size_t)K1 * sizeof(int)); return 0; }
  double *cl = ws->cl, wl = 0, sl = 0, sr = 0;
  int nl = 0, pb = -1, lo = min_leaf > 1 ? min_leaf : 1;
  memset(cl, 0, (size_t)K * sizeof(double));
  for (int k = 0; k < K; k++) sr += cnt[k] * cnt[k];
  for (int b = bmin; b <= bmax; b++) {
    int *hb = h + b * K1;
    if (!hb[K]) continue;
    if (pb >= 0 && nl >= lo && nn - nl >= lo) try_cut(best, sl, wl, sr, W - wl, f, pb, b);
    for (int k = 0; k < K; k++) {
      /* Weights are integers, so the running sums of squares stay exact. */
      double w = hb[k];
      sl += w * (2 * cl[k] + w);
      sr += w * (w - 2 * (cnt[k] - cl[k]));
      cl[k] += w; wl += w;
    }
    nl += hb[K];
    pb = b;
    memset(hb, 0, (size_t)K1 * sizeof(int));
  }
  return 1;
}

/* The count vectors of a node's samples (fast path) into cv, and their
 * sum: class weights, total weight, number of samples. */
RF_FAST static void node_counts(v8i *cv, const int *smp, int nn, const int *y, const int *w, v8i *sum) {
  static const v8i unit[FAST_K] = {{1, 0, 0, 0, 0, 0, 1, 0}, {0, 1, 0, 0, 0, 0, 1, 0}, {0, 0, 1, 0, 0, 0, 1, 0},
                                   {0, 0, 0, 1, 0, 0, 1, 0}, {0, 0, 0, 0, 1, 0, 1, 0}, {0, 0, 0, 0, 0, 1, 1, 0}};
  const v8i one = {0, 0, 0, 0, 0, 0, 0, 1};
  v8i tot = {0};
  for (int i = 0; i < nn; i++) {
    int s = smp[i];
    v8i c = unit[y[s]] * w[s] + one;
    cv[i] = c;
    tot += c;
  }
  *sum = tot;
}

/* Whether the samples smp fall in more than one bin of column col. */
static inline int varies(const uint8_t *col, const int *smp, int nn) {
  uint8_t b0 = col[smp[0]];
  for (int i = 1; i < nn; i++)
    if (col[smp[i]] != b0) return 1;
  return 0;
}

/* Draw the feature at position dr of a partial Fisher-Yates shuffle. */
static inline int draw_feature(mlsh_rng *rng, int *feats, size_t dr, size_t p) {
  size_t j = dr + (size_t)mlsh_rng_below(rng, p - dr);
  int f = feats[j];
  feats[j] = feats[dr]; feats[dr] = f;
  return f;
}

/* Start loading the cache lines of column col that samples smp use. */
static inline void prefetch_bins(const uint8_t *col, const int *smp, int nn) {
  if (nn <= PREFETCH_EACH) {
    for (int i = 0; i < nn; i++) __builtin_prefetch(col + smp[i]);
  } else {
    uintptr_t a = (uintptr_t)(col + smp[0]) & ~(uintptr_t)63, z = (uintptr_t)(col + smp[nn - 1]);
    for (; a <= z; a += 64) __builtin_prefetch((const void *)a);
  }
}

static int grow_tree(grow_job *J, int ti, workspace *ws) {
  const forest_model *m = J->m;
  forest_tree *t = &m->trees[ti];
  size_t n = J->n, p = J->p;
  int K = m->K, cap = 0, ns = 0;
  double *imp = J->imp_tree + (size_t)ti * p;
  mlsh_rng rng;
  mlsh_rng_split(&J->base, (uint64_t)(m->tree0 + ti), &rng);
  /* Bootstrap as sample weights (draw counts), as scikit-learn. */
  if (m->bootstrap) {
    memset(ws->w, 0, n * sizeof(int));
    for (size_t i = 0; i < n; i++) ws->w[mlsh_rng_below(&rng, n)]++;
  } else for (size_t i = 0; i < n; i++) ws->w[i] = 1;
  for (size_t i = 0; i < n; i++) if (ws->w[i]) ws->samples[ns++] = (int)i;
  for (size_t f = 0; f < p; f++) ws->feats[f] = (int)f;
  const int *y = J->y, *w = ws->w;
  frame stack[128];
  int sp = 0;
  stack[sp++] = (frame){0, ns, 0, -1, 0};
  while (sp > 0) {
    frame fr = stack[--sp];
    int id = tree_push(t, &cap, K);
    if (id < 0) return MLSH_ENOMEM;
    if (fr.parent >= 0) { if (fr.is_left) t->left[fr.parent] = id; else t->right[fr.parent] = id; }
    int *smp = ws->samples + fr.b, nn = fr.e - fr.b, fast = K <= FAST_K;
    double *cnt = t->value + (size_t)id * K, W = 0;
    if (fast) {
      v8i tot;
      node_counts(ws->cv, smp, nn, y, w, &tot);
      for (int k = 0; k < K; k++) cnt[k] = tot[k];
      W = tot[6];
    } else {
      memset(cnt, 0, (size_t)K * sizeof(double));
      for (int i = 0; i < nn; i++) { int s = smp[i]; cnt[y[s]] += w[s]; W += w[s]; }
    }
    double impurity = gini(cnt, K, W);
    int leaf = (m->max_depth > 0 && fr.depth >= m->max_depth) || nn < m->min_split || nn < 2 * m->min_leaf ||
               impurity <= 1e-12 || sp >= 126;
    if (leaf) {
      if (W > 0) for (int k = 0; k < K; k++) cnt[k] /= W;
      continue;
    }
    split best = {.f = -1, .proxy = -1};
    int found = 0;
    /* Features are drawn one ahead when the loop is sure to go on (the
     * same draws as one at a time), so that the next one's bins of this
     * node's samples are on their way while the current one is counted. */
    int next = p > 0 && J->mtry > 0 ? draw_feature(&rng, ws->feats, 0, p) : -1;
    for (size_t dr = 0; dr < p && found < J->mtry; dr++) {
      int f = next;
      int ahead = found + 1 < J->mtry && dr + 1 < p;
      if (ahead) {
        next = draw_feature(&rng, ws->feats, dr + 1, p);
        prefetch_bins(J->B + (size_t)next * n, smp, nn);
      }
      /* A feature in one bin here does not count. Once a cut leaves both
       * sides pure (proxy W, the most there is), no later one can beat it
       * (ties keep the first): the rest are only checked for counting. */
      if (best.proxy >= W) found += varies(J->B + (size_t)f * n, smp, nn);
      else found += fast ? split_fast(J, ws, f, smp, nn, K, m->min_leaf, cnt, W, &best)
                         : split_hist(J, ws, f, smp, nn, K, m->min_leaf, cnt, W, &best);
      if (!ahead && dr + 1 < p && found < J->mtry) next = draw_feature(&rng, ws->feats, dr + 1, p);
    }
    if (best.f < 0) {
      for (int k = 0; k < K; k++) cnt[k] /= W;
      continue;
    }
    /* Stable partition (samples stay in row order, so gathers walk each
     * column forwards); children's counts give the impurity decrease. */
    const uint8_t *col = J->B + (size_t)best.f * n;
    int lo = fr.b, nr = 0;
    double *cl = ws->cl, *cr = ws->cnt, wl = 0, wr = 0;
    memset(cl, 0, (size_t)K * sizeof(double)); memset(cr, 0, (size_t)K * sizeof(double));
    if (fast) {
      v8i vl = {0}, vr = {0};
      for (int i = 0; i < nn; i++) {
        int s = smp[i];
        if (col[s] <= best.lim) { ws->samples[lo++] = s; vl += ws->cv[i]; }
        else { ws->side[nr++] = s; vr += ws->cv[i]; }
      }
      for (int k = 0; k < K; k++) { cl[k] = vl[k]; cr[k] = vr[k]; }
      wl = vl[6]; wr = vr[6];
    } else
      for (int i = 0; i < nn; i++) {
        int s = smp[i];
        if (col[s] <= best.lim) { ws->samples[lo++] = s; cl[y[s]] += w[s]; wl += w[s]; }
        else { ws->side[nr++] = s; cr[y[s]] += w[s]; wr += w[s]; }
      }
    memcpy(ws->samples + lo, ws->side, (size_t)nr * sizeof(int));
    imp[best.f] += W * impurity - wl * gini(cl, K, wl) - wr * gini(cr, K, wr);
    for (int k = 0; k < K; k++) cnt[k] /= W;
    t->feature[id] = best.f;
    t->threshold[id] = midpoint(J->bmax[(size_t)best.f * NBIN + best.lim], J->bmin[(size_t)best.f * NBIN + best.next]);
    stack[sp++] = (frame){lo, fr.e, fr.depth + 1, id, 0};
    stack[sp++] = (frame){fr.b, lo, fr.depth + 1, id, 1};
  }
  return MLSH_OK;
}

static int grow_worker(void *ctx, size_t b, size_t e, int tid) {
  grow_job *J = ctx;
  for (size_t ti = b; ti < e; ti++) {
    if (mlsh_interrupted()) return MLSH_EINTR;
    int rc = grow_tree(J, (int)ti, &J->ws[tid]);
    if (rc) return rc;
  }
  return MLSH_OK;
}

typedef struct {
  const mlsh_mat *X;
  uint8_t *B;
  float *bmin, *bmax;
} bin_job;

/* Sort each feature's float32 values (radix sort of value|row keys) and
 * cut them into bins: with more than NBIN distinct values, the value
 * starting at sorted position i opens a new bin when floor(i NBIN / n)
 * has grown since the current bin opened. Features go in groups of
 * BIN_GROUP, so each cache line of X is read once. */
#define BIN_GROUP 8

static inline float order_float(uint32_t u) {
  u = (u & 0x80000000u) ? (u & 0x7fffffffu) : ~u;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static int bin_features(void *ctx, size_t b, size_t e, int tid) {
  bin_job *J = ctx;
  size_t n = J->X->rows, p = J->X->cols;
  uint64_t *k = mlsh_malloc_array(n * BIN_GROUP, sizeof(uint64_t)), *tmp = mlsh_malloc_array(n, sizeof(uint64_t));
  if (!k || !tmp) { mlsh_free(k); mlsh_free(tmp); return MLSH_ENOMEM; }
  for (size_t f0 = b; f0 < e; f0 += BIN_GROUP) {
    size_t g = e - f0 < BIN_GROUP ? e - f0 : BIN_GROUP;
    for (size_t i = 0; i < n; i++) {
      const double *x = J->X->data + i * p + f0;
      if (i + 8 < n) __builtin_prefetch(x + 8 * p);   /* rows are p apart: beyond the hardware's reach */
      for (size_t q = 0; q < g; q++) k[q * n + i] = (uint64_t)float_order((float)x[q]) << 32 | i;
    }
    for (size_t q = 0; q < g; q++) {
      size_t f = f0 + q;
      uint64_t *kq = k + q * n;
      sort_keys(kq, tmp, n);
      size_t nd = 1;
      for (size_t i = 1; i < n; i++) nd += (kq[i] >> 32) != (kq[i - 1] >> 32);
      float *bmin = J->bmin + f * NBIN, *bmax = J->bmax + f * NBIN;
      uint8_t *B = J->B + f * n;
      /* A new value at position i opens a bin when i >= due, the first
       * position with a larger floor(i NBIN / n) than the open bin's. */
      int bin = 0;
      size_t due = nd <= NBIN ? 0 : (n + NBIN - 1) / NBIN;
      for (size_t i = 0; i < n; i++) {
        float v = order_float((uint32_t)(kq[i] >> 32));
        if (i == 0) bmin[0] = v;
        else if ((kq[i] >> 32) != (kq[i - 1] >> 32) && i >= due) {
          bin++; bmin[bin] = v;
          if (nd > NBIN) due = ((i * NBIN / n + 1) * n + NBIN - 1) / NBIN;
        }
        bmax[bin] = v;
        B[kq[i] & 0xffffffffu] = (uint8_t)bin;
      }
    }
  }
  mlsh_free(k); mlsh_free(tmp);
  return MLSH_OK;
}

static int resolve_mtry(const forest_model *m, size_t p) {
  double v;
  switch (m->mf) {
  case MF_SQRT: v = floor(sqrt((double)p)); break;
  case MF_LOG2: v = floor(log2((double)p)); break;
  case MF_ALL: v = (double)p; break;
  case MF_COUNT: v = m->mf_value; break;
  default: v = floor(m->mf_value * (double)p); break;
  }
  if (v < 1) v = 1;
  if (v > (double)p) v = (double)p;
  return (int)v;
}

int forest_fit(forest_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  if (K > 0xffff) return mlsh_seterr(err, MLSH_EINVAL, "too many classes for a forest (%d, at most 65535)", K);
  if (n > 0x7fffffff) return mlsh_seterr(err, MLSH_EINVAL, "too many rows for a forest (%zu)", n);
  forest_free(m);
  m->K = K; m->p = p;
  int nt = mlsh_threads_resolve(m->threads), rc = MLSH_OK;
  if (nt > m->ntrees) nt = m->ntrees;
  uint8_t *B = mlsh_malloc_array(n * p, 1);
  float *bmin = mlsh_malloc_array(p * NBIN, sizeof(float)), *bmax = mlsh_malloc_array(p * NBIN, sizeof(float));
  double *impt = mlsh_calloc((size_t)m->ntrees * p, sizeof(double));
  workspace *ws = mlsh_calloc((size_t)nt, sizeof(workspace));
  m->trees = mlsh_calloc((size_t)m->ntrees, sizeof(forest_tree));
  m->importance = mlsh_calloc(p, sizeof(double));
  if (!B || !bmin || !bmax || !impt || !ws || !m->trees || !m->importance) { rc = MLSH_ENOMEM; goto done; }
  for (int t = 0; t < nt; t++) {
    workspace *w = &ws[t];
    w->samples = mlsh_malloc_array(n, sizeof(int));
    w->side = mlsh_malloc_array(n, sizeof(int));
    w->w = mlsh_malloc_array(n, sizeof(int));
    w->feats = mlsh_malloc_array(p, sizeof(int));
    w->cv = mlsh_malloc_array(K <= FAST_K ? n : 1, sizeof(v8i));
    w->H = mlsh_calloc(NBIN, sizeof(v8i));
    w->P = mlsh_malloc_array(NBIN + 8, sizeof(v8i));
    w->hist = mlsh_calloc((size_t)NBIN * (size_t)(K + 1), sizeof(int));
    w->cnt = mlsh_malloc_array((size_t)K, sizeof(double));
    w->cl = mlsh_malloc_array((size_t)K, sizeof(double));
    if (!w->samples || !w->side || !w->w || !w->feats || !w->cv || !w->H || !w->P || !w->hist ||
        !w->cnt || !w->cl) { rc = MLSH_ENOMEM; goto done; }
  }
  bin_job BJ = {X, B, bmin, bmax};
  rc = mlsh_parallel_for(p, nt, 16, bin_features, &BJ);
  if (rc) goto done;
  grow_job J = {.m = m, .B = B, .bmin = bmin, .bmax = bmax, .y = y, .n = n, .p = p,
                .mtry = resolve_mtry(m, p), .ws = ws, .imp_tree = impt};
  mlsh_rng_seed(&J.base, m->seed);
  rc = mlsh_parallel_dynamic((size_t)m->ntrees, nt, 1, grow_worker, &J);
  if (rc) goto done;
  for (int t = 0; t < m->ntrees; t++) {
    double s = 0, *it = impt + (size_t)t * p;
    for (size_t j = 0; j < p; j++) s += it[j];
    if (s > 0) for (size_t j = 0; j < p; j++) m->importance[j] += it[j] / s;
  }
  double s = 0;
  for (size_t j = 0; j < p; j++) s += m->importance[j];
  if (s > 0) for (size_t j = 0; j < p; j++) m->importance[j] /= s;
done:
  if (ws) for (int t = 0; t < nt; t++) {
    workspace *w = &ws[t];
    mlsh_free(w->samples); mlsh_free(w->side); mlsh_free(w->w); mlsh_free(w->feats); mlsh_free(w->cv);
    mlsh_free(w->H); mlsh_free(w->P); mlsh_free(w->hist);
    mlsh_free(w->cnt); mlsh_free(w->cl);
  }
  mlsh_free(ws); mlsh_free(B); mlsh_free(bmin); mlsh_free(bmax); mlsh_free(impt);
  if (rc) {
    forest_free(m);
    mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : "not enough memory to grow the forest");
  }
  return rc;
}

typedef struct { const forest_model *m; const mlsh_mat *X; mlsh_mat *P; } pred_job;

static int pred_rows(void *ctx, size_t b, size_t e, int tid) {
  pred_job *J = ctx;
  const forest_model *m = J->m;
  int K = m->K;
  for (size_t r = b; r < e; r++) {
    const double *x = &MAT_AT(J->X, r, 0);
    double *out = &MAT_AT(J->P, r, 0);
    for (int t = 0; t < m->ntrees; t++) {
      const forest_tree *tr = &m->trees[t];
      int node = 0;
      while (tr->feature[node] >= 0)
        node = (float)x[tr->feature[node]] <= tr->threshold[node] ? tr->left[node] : tr->right[node];
      const double *v = tr->value + (size_t)node * K;
      for (int k = 0; k < K; k++) out[k] += v[k];
    }
    for (int k = 0; k < K; k++) out[k] /= m->ntrees;
  }
  return MLSH_OK;
}

int forest_proba(const forest_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err) {
  int rc = learn_check_predict(m->trees != NULL, m->p, X, err);
  if (!rc) rc = mat_alloc(P, X->rows, (size_t)m->K, err);
  if (rc) return rc;
  pred_job J = {m, X, P};
  return mlsh_parallel_for(X->rows, m->threads, 64, pred_rows, &J);
}

void forest_free(forest_model *m) {
  if (m->trees)
    for (int t = 0; t < m->ntrees; t++) {
      forest_tree *tr = &m->trees[t];
      mlsh_free(tr->feature); mlsh_free(tr->threshold); mlsh_free(tr->left); mlsh_free(tr->right); mlsh_free(tr->value);
    }
  mlsh_free(m->trees); mlsh_free(m->importance);
  m->trees = NULL; m->importance = NULL;
}

void forest_write(const forest_model *m, ser_writer *w) {
  ser_u32(w, (uint32_t)m->ntrees);
  ser_f64s(w, m->importance, m->p);
  for (int t = 0; t < m->ntrees; t++) {
    const forest_tree *tr = &m->trees[t];
    ser_u64(w, (uint64_t)tr->nnodes);
    ser_i32s(w, tr->feature, (size_t)tr->nnodes); ser_f64s(w, tr->threshold, (size_t)tr->nnodes);
    ser_i32s(w, tr->left, (size_t)tr->nnodes); ser_i32s(w, tr->right, (size_t)tr->nnodes);
    ser_f64s(w, tr->value, (size_t)tr->nnodes * (size_t)m->K);
  }
}

int forest_read(forest_model *m, ser_reader *r, size_t p, int K) {
  m->ntrees = (int)des_u32(r);
  m->K = K; m->p = p;
  if (r->failed || m->ntrees < 1 || (size_t)m->ntrees > r->len / 8) return MLSH_EIO;
  m->importance = des_f64s(r, p);
  m->trees = mlsh_calloc((size_t)m->ntrees, sizeof(forest_tree));
  if (!m->trees) return MLSH_ENOMEM;
  for (int t = 0; t < m->ntrees; t++) {
    forest_tree *tr = &m->trees[t];
    size_t nn = des_count(r, 24);
    if (r->failed || nn < 1 || nn > 0x7fffffff) return MLSH_EIO;
    tr->nnodes = (int)nn;
    tr->feature = des_i32s(r, nn); tr->threshold = des_f64s(r, nn);
    tr->left = des_i32s(r, nn); tr->right = des_i32s(r, nn);
    tr->value = des_f64s(r, nn * (size_t)K);
    if (r->failed) return MLSH_EIO;
    /* Children must point forward so that prediction always terminates. */
    for (size_t i = 0; i < nn; i++) {
      if (tr->feature[i] < 0) continue;
      if ((size_t)tr->feature[i] >= p || tr->left[i] <= (int)i || tr->right[i] <= (int)i ||
          (size_t)tr->left[i] >= nn || (size_t)tr->right[i] >= nn) return MLSH_EIO;
    }
  }
  return MLSH_OK;
}
