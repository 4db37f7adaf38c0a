/* forest.c - CART/Gini random forest (see forest.h). */
#include <math.h>
#include <string.h>
#include <stdint.h>
#include "forest.h"
#include "../core/alloc.h"
#include "../core/rng.h"
#include "../core/threads.h"
#include "../core/interrupt.h"

/* A node's values of one feature, packed for sorting: the high 32 bits
 * are the value's rank among the feature's distinct float32 training
 * values (trees work in float32, as scikit-learn's), the low bits carry
 * class and bootstrap weight. Ranks make keys short (fewer radix passes)
 * and the rank table small (fewer cache misses when gathering). */
typedef uint64_t fkey;

static inline uint32_t float_order(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
#define KEY_RANK(k) ((uint32_t)((k) >> 32))
#define KEY_CLS(k) ((int)(((k) >> 16) & 0xffff))
#define KEY_W(k) ((int)((k) & 0xffff))

/* LSD radix sort on the 32 value bits, 8 bits a pass; passes where every
 * key has the same digit are skipped. Small arrays use insertion sort. */
static void sort_keys(fkey *a, fkey *tmp, size_t n) {
  if (n < 64) {
    for (size_t i = 1; i < n; i++) {
      fkey t = a[i];
      size_t j = i;
      while (j > 0 && (a[j - 1] >> 32) > (t >> 32)) { a[j] = a[j - 1]; j--; }
      a[j] = t;
    }
    return;
  }
  size_t cnt[4][256];
  memset(cnt, 0, sizeof cnt);
  for (size_t i = 0; i < n; i++) {
    uint32_t v = (uint32_t)(a[i] >> 32);
    cnt[0][v & 255]++; cnt[1][(v >> 8) & 255]++; cnt[2][(v >> 16) & 255]++; cnt[3][v >> 24]++;
  }
  fkey *src = a, *dst = tmp;
  for (int pass = 0; pass < 4; pass++) {
    size_t *c = cnt[pass], sum = 0;
    int shift = 32 + 8 * pass;
    if (c[(src[0] >> shift) & 255] == n) continue;
    for (int b = 0; b < 256; b++) { size_t t = c[b]; c[b] = sum; sum += t; }
    for (size_t i = 0; i < n; i++) dst[c[(src[i] >> shift) & 255]++] = src[i];
    fkey *t = src; src = dst; dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof(fkey));
}

typedef struct {
  fkey *keys, *tmp;
  int *samples, *feats, *w;
  double *cnt, *cl, *imp;
} workspace;

typedef struct {
  const forest_model *m;
  const uint16_t *R16;   /* p x n ranks, column-major (n <= 65535) */
  const uint32_t *R32;   /* ... or 32-bit ranks for larger n */
  const float *U;        /* p x n: distinct values of each feature by rank */
  const int *y;
  size_t n, p;
  int mtry;
  mlsh_rng base;
  workspace *ws;
  double *imp_tree;      /* ntrees x p */
} grow_job;

typedef struct { int b, e, depth, parent, is_left; } frame;

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

static int grow_tree(grow_job *J, int ti, workspace *ws) {
  const forest_model *m = J->m;
  forest_tree *t = &m->trees[ti];
  size_t n = J->n, p = J->p;
  int K = m->K, cap = 0, ns = 0;
  double *imp = J->imp_tree + (size_t)ti * p;
  mlsh_rng rng;
  mlsh_rng_split(&J->base, (uint64_t)ti, &rng);
  /* Bootstrap as sample weights (draw counts), as scikit-learn. */
  if (m->bootstrap) {
    memset(ws->w, 0, n * sizeof(int));
    for (size_t i = 0; i < n; i++) ws->w[mlsh_rng_below(&rng, n)]++;
  } else for (size_t i = 0; i < n; i++) ws->w[i] = 1;
  for (size_t i = 0; i < n; i++) if (ws->w[i]) ws->samples[ns++] = (int)i;
  for (size_t f = 0; f < p; f++) ws->feats[f] = (int)f;
  frame stack[128];
  int sp = 0;
  stack[sp++] = (frame){0, ns, 0, -1, 0};
  while (sp > 0) {
    frame fr = stack[--sp];
    int id = tree_push(t, &cap, K);
    if (id < 0) return MLSH_ENOMEM;
    if (fr.parent >= 0) { if (fr.is_left) t->left[fr.parent] = id; else t->right[fr.parent] = id; }
    double *cnt = t->value + (size_t)id * K, W = 0;
    memset(cnt, 0, (size_t)K * sizeof(double));
    for (int i = fr.b; i < fr.e; i++) { int s = ws->samples[i]; cnt[J->y[s]] += ws->w[s]; W += ws->w[s]; }
    double impurity = gini(cnt, K, W);
    int nn = fr.e - fr.b;
    int leaf = (m->max_depth > 0 && fr.depth >= m->max_depth) || nn < m->min_split || nn < 2 * m->min_leaf ||
               impurity <= 1e-12 || sp >= 126;
    int best_f = -1;
    double best_proxy = -1, best_thr = 0;
    if (!leaf) {
      int found = 0;
      fkey *pr = ws->keys;
      const int *smp = ws->samples + fr.b;
      for (size_t dr = 0; dr < p && found < J->mtry; dr++) {
        size_t j = dr + (size_t)mlsh_rng_below(&rng, p - dr);
        int f = ws->feats[j]; ws->feats[j] = ws->feats[dr]; ws->feats[dr] = f;
        if (J->R16) {
          const uint16_t *col = J->R16 + (size_t)f * n;
          for (int i = 0; i < nn; i++) {
            if (i + 16 < nn) __builtin_prefetch(col + smp[i + 16]);
            int s = smp[i];
            pr[i] = (fkey)col[s] << 32 | (fkey)J->y[s] << 16 | (fkey)(ws->w[s] < 0xffff ? ws->w[s] : 0xffff);
          }
        } else {
          const uint32_t *col = J->R32 + (size_t)f * n;
          for (int i = 0; i < nn; i++) {
            int s = smp[i];
            pr[i] = (fkey)col[s] << 32 | (fkey)J->y[s] << 16 | (fkey)(ws->w[s] < 0xffff ? ws->w[s] : 0xffff);
          }
        }
        sort_keys(pr, ws->tmp, (size_t)nn);
        if (KEY_RANK(pr[nn - 1]) == KEY_RANK(pr[0])) continue;   /* constant here: does not count */
        found++;
        double *cl = ws->cl, wl = 0, sl = 0, sr = 0;
        memset(cl, 0, (size_t)K * sizeof(double));
        for (int k = 0; k < K; k++) sr += cnt[k] * cnt[k];
        for (int i = 0; i < nn - 1; i++) {
          /* Move one sample left; weights are integers, so the running
           * sums of squared class weights stay exact. */
          int c = KEY_CLS(pr[i]);
          double w = KEY_W(pr[i]);
          sl += w * (2 * cl[c] + w);
          sr += w * (w - 2 * (cnt[c] - cl[c]));
          cl[c] += w; wl += w;
          if (KEY_RANK(pr[i + 1]) == KEY_RANK(pr[i])) continue;
          if (i + 1 < m->min_leaf || nn - i - 1 < m->min_leaf) continue;
          /* Maximising sum(cl^2)/wl + sum(cr^2)/wr minimises weighted child Gini. */
          double proxy = sl / wl + sr / (W - wl);
          if (proxy > best_proxy) {
            const float *u = J->U + (size_t)f * n;
            float v = u[KEY_RANK(pr[i])], vnext = u[KEY_RANK(pr[i + 1])];
            float thr = (float)(0.5 * ((double)v + (double)vnext));
            best_proxy = proxy; best_f = f;
            best_thr = thr >= vnext ? v : thr;
          }
        }
      }
    }
    if (best_f < 0) {
      if (W > 0) for (int k = 0; k < K; k++) cnt[k] /= W;
      continue;
    }
    /* Partition samples; children's counts give the impurity decrease. */
    const float *ub = J->U + (size_t)best_f * n;
    int lo = fr.b, hi = fr.e - 1;
    while (lo <= hi) {
      size_t rk = J->R16 ? J->R16[(size_t)best_f * n + ws->samples[lo]] : J->R32[(size_t)best_f * n + ws->samples[lo]];
      if (ub[rk] <= (float)best_thr) lo++;
      else { int tmp = ws->samples[lo]; ws->samples[lo] = ws->samples[hi]; ws->samples[hi--] = tmp; }
    }
    double *cl = ws->cl, *cr = ws->cnt, wl = 0, wr = 0;
    memset(cl, 0, (size_t)K * sizeof(double)); memset(cr, 0, (size_t)K * sizeof(double));
    for (int i = fr.b; i < fr.e; i++) {
      int s = ws->samples[i];
      if (i < lo) { cl[J->y[s]] += ws->w[s]; wl += ws->w[s]; } else { cr[J->y[s]] += ws->w[s]; wr += ws->w[s]; }
    }
    imp[best_f] += W * impurity - wl * gini(cl, K, wl) - wr * gini(cr, K, wr);
    for (int k = 0; k < K; k++) cnt[k] /= W;
    t->feature[id] = best_f; t->threshold[id] = best_thr;
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

typedef struct { const mlsh_mat *X; uint16_t *R16; uint32_t *R32; float *U; } rank_job;

/* Rank each feature's float32 values (radix sort of value|row keys). */
static int rank_features(void *ctx, size_t b, size_t e, int tid) {
  rank_job *J = ctx;
  size_t n = J->X->rows, p = J->X->cols;
  fkey *k = mlsh_malloc_array(n, sizeof(fkey)), *tmp = mlsh_malloc_array(n, sizeof(fkey));
  if (!k || !tmp) { mlsh_free(k); mlsh_free(tmp); return MLSH_ENOMEM; }
  for (size_t f = b; f < e; f++) {
    for (size_t i = 0; i < n; i++) k[i] = (fkey)float_order((float)J->X->data[i * p + f]) << 32 | i;
    sort_keys(k, tmp, n);
    uint32_t r = 0;
    for (size_t i = 0; i < n; i++) {
      if (i > 0 && KEY_RANK(k[i]) != KEY_RANK(k[i - 1])) r++;
      size_t row = (size_t)(k[i] & 0xffffffffu);
      if (J->R16) J->R16[f * n + row] = (uint16_t)r; else J->R32[f * n + row] = r;
      J->U[f * n + r] = (float)J->X->data[row * p + f];
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
  forest_free(m);
  m->K = K; m->p = p;
  int nt = mlsh_threads_resolve(m->threads), rc = MLSH_OK;
  if (nt > m->ntrees) nt = m->ntrees;
  int small = n <= 65535;
  uint16_t *R16 = small ? mlsh_malloc_array(n * p, sizeof(uint16_t)) : NULL;
  uint32_t *R32 = small ? NULL : mlsh_malloc_array(n * p, sizeof(uint32_t));
  float *U = mlsh_malloc_array(n * p, sizeof(float));
  double *impt = mlsh_calloc((size_t)m->ntrees * p, sizeof(double));
  workspace *ws = mlsh_calloc((size_t)nt, sizeof(workspace));
  m->trees = mlsh_calloc((size_t)m->ntrees, sizeof(forest_tree));
  m->importance = mlsh_calloc(p, sizeof(double));
  if ((!R16 && !R32) || !U || !impt || !ws || !m->trees || !m->importance) { rc = MLSH_ENOMEM; goto done; }
  for (int t = 0; t < nt; t++) {
    ws[t].keys = mlsh_malloc_array(n, sizeof(fkey));
    ws[t].tmp = mlsh_malloc_array(n, sizeof(fkey));
    ws[t].samples = mlsh_malloc_array(n, sizeof(int));
    ws[t].w = mlsh_malloc_array(n, sizeof(int));
    ws[t].feats = mlsh_malloc_array(p, sizeof(int));
    ws[t].cnt = mlsh_malloc_array((size_t)K, sizeof(double));
    ws[t].cl = mlsh_malloc_array((size_t)K, sizeof(double));
    if (!ws[t].keys || !ws[t].tmp || !ws[t].samples || !ws[t].w || !ws[t].feats || !ws[t].cnt || !ws[t].cl) { rc = MLSH_ENOMEM; goto done; }
  }
  rank_job RJ = {X, R16, R32, U};
  rc = mlsh_parallel_for(p, nt, 16, rank_features, &RJ);
  if (rc) goto done;
  grow_job J = {.m = m, .R16 = R16, .R32 = R32, .U = U, .y = y, .n = n, .p = p, .mtry = resolve_mtry(m, p), .ws = ws, .imp_tree = impt};
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
    mlsh_free(ws[t].keys); mlsh_free(ws[t].tmp); mlsh_free(ws[t].samples); mlsh_free(ws[t].w);
    mlsh_free(ws[t].feats); mlsh_free(ws[t].cnt); mlsh_free(ws[t].cl);
  }
  mlsh_free(ws); mlsh_free(R16); mlsh_free(R32); mlsh_free(U); mlsh_free(impt);
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
  if (!m->trees) return mlsh_seterr(err, MLSH_EINVAL, "the model is not fitted (call fit first)");
  if (X->cols != m->p) return mlsh_seterr(err, MLSH_EINVAL, "X has %zu columns, the model was fitted on %zu", X->cols, m->p);
  int rc = mat_alloc(P, X->rows, (size_t)m->K, err);
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
