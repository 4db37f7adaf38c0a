/* hclust.c - hierarchical clustering (see hclust.h).
 * Raw merges are recorded as pairs of representative points, then put in
 * R's format (sorted by height for the monotone methods, union-find). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "hclust.h"
#include "hclust_ward.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

typedef struct { size_t a, b; double h; } hc_raw;

/* ---- the two distance back-ends used by the NN-chain ---- */

typedef struct nn_backend {
  size_t n;
  size_t *size;
  size_t *act;          /* active slots (matrix: ascending; centroids: by position) */
  size_t nact;
  /* matrix back-end */
  double *cond;
  hc_method method;
  /* centroid back-end (Ward on Euclidean data): centroids stored by
   * position, column-major (Ct[q * n + pos]), so that one NN search is a
   * few contiguous, vectorisable sweeps instead of n short dot products. */
  double *Ct, *szp, *buf;
  size_t *where;        /* slot -> position */
  size_t p;
  ward_pool *pool;      /* threads of the nearest-neighbour search, or NULL */
  size_t *order;        /* the slot at each initial position (NULL: the identity) */
} nn_backend;

static inline double cget(const nn_backend *B, size_t i, size_t j) {
  return B->cond[i < j ? dist_cidx(B->n, i, j) : dist_cidx(B->n, j, i)];
}
static inline void cset(nn_backend *B, size_t i, size_t j, double v) {
  B->cond[i < j ? dist_cidx(B->n, i, j) : dist_cidx(B->n, j, i)] = v;
}

/* Nearest active neighbour of a; ties go to `prefer` (the chain's previous
 * element, which guarantees termination), then to the lowest slot (matrix)
 * or position (centroids). */
static size_t nearest(nn_backend *B, size_t a, size_t prefer, double *dout) {
  double best = INFINITY, dp = INFINITY;
  size_t arg = (size_t)-1;
  if (B->Ct) {
    ward_scan sc = {B->Ct, B->szp, B->buf, B->n, B->p, B->nact, B->where[a], INFINITY};
    if (prefer != (size_t)-1) sc.bound = dp = ward_pair(&sc, B->where[prefer]);
    size_t pos = ward_nearest(B->pool, &sc, &best);   /* the previous element bounds the search */
    arg = pos == (size_t)-1 ? prefer : B->act[pos];
    best = sqrt(best);
    dp = sqrt(dp);
  } else {
    for (size_t t = 0; t < B->nact; t++) {
      size_t j = B->act[t];
      if (j == a) continue;
      double d = cget(B, a, j);
      if (d < best) { best = d; arg = j; }
    }
    if (prefer != (size_t)-1) dp = cget(B, a, prefer);
  }
  if (prefer != (size_t)-1 && prefer != arg && dp <= best) { best = dp; arg = prefer; }
  *dout = best;
  return arg;
}

/* Lance-Williams update for d(k, a u b) given d(k,a), d(k,b), d(a,b). */
static double lance_williams(hc_method m, double dka, double dkb, double dab, double na, double nb, double nk) {
  switch (m) {
    case HC_WARD: {
      double v = ((na + nk) * dka * dka + (nb + nk) * dkb * dkb - nk * dab * dab) / (na + nb + nk);
      return v > 0.0 ? sqrt(v) : 0.0;
    }
    case HC_COMPLETE: return dka > dkb ? dka : dkb;
    case HC_SINGLE: return dka < dkb ? dka : dkb;
    case HC_AVERAGE: return (na * dka + nb * dkb) / (na + nb);
    case HC_MCQUITTY: return 0.5 * (dka + dkb);
    case HC_CENTROID: {
      double s = na + nb, v = (na * dka * dka + nb * dkb * dkb) / s - na * nb * dab * dab / (s * s);
      return v > 0.0 ? sqrt(v) : 0.0;
    }
    case HC_MEDIAN: {
      double v = 0.5 * dka * dka + 0.5 * dkb * dkb - 0.25 * dab * dab;
      return v > 0.0 ? sqrt(v) : 0.0;
    }
  }
  return 0.0;
}

static void deactivate(nn_backend *B, size_t a) {
  if (B->Ct) {   /* move the last position into a's place */
    size_t pa = B->where[a], last = --B->nact;
    for (size_t q = 0; q < B->p; q++) B->Ct[q * B->n + pa] = B->Ct[q * B->n + last];
    B->szp[pa] = B->szp[last];
    B->act[pa] = B->act[last];
    B->where[B->act[pa]] = pa;
    return;
  }
  size_t lo = 0, hi = B->nact;
  while (lo < hi) { size_t mid = (lo + hi) / 2; if (B->act[mid] < a) lo = mid + 1; else hi = mid; }
  memmove(B->act + lo, B->act + lo + 1, (B->nact - lo - 1) * sizeof(size_t));
  B->nact--;
}

/* Merge slot a into slot b (b keeps the union). */
static void merge_slots(nn_backend *B, size_t a, size_t b, double dab) {
  double na = (double)B->size[a], nb = (double)B->size[b];
  if (B->Ct) {
    size_t pa = B->where[a], pb = B->where[b];
    for (size_t q = 0; q < B->p; q++) {
      double *row = B->Ct + q * B->n;
      row[pb] = (na * row[pa] + nb * row[pb]) / (na + nb);
    }
    B->szp[pb] = na + nb;
    deactivate(B, a);
  } else {
    deactivate(B, a);
    for (size_t t = 0; t < B->nact; t++) {
      size_t k = B->act[t];
      if (k == b) continue;
      cset(B, k, b, lance_williams(B->method, cget(B, k, a), cget(B, k, b), dab, na, nb, (double)B->size[k]));
    }
  }
  B->size[b] += B->size[a];
}

static int nn_chain(nn_backend *B, hc_raw *out, mlsh_err *err) {
  size_t n = B->n, *chain = mlsh_malloc_array(n, sizeof(size_t)), len = 0, steps = 0;
  if (!chain) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  while (B->nact > 1) {
    if (len == 0) chain[len++] = B->act[0];
    for (;;) {
      size_t a = chain[len - 1], prev = len >= 2 ? chain[len - 2] : (size_t)-1;
      double d;
      size_t b = nearest(B, a, prev, &d);
      if (b == prev) {           /* reciprocal nearest neighbours: merge */
        len -= 2;
        size_t lo = a < b ? a : b, hi = a < b ? b : a;
        out[steps++] = (hc_raw){lo, hi, d};
        merge_slots(B, lo, hi, d);
        break;
      }
      chain[len++] = b;
    }
    if ((steps & 63) == 0 && mlsh_interrupted()) { mlsh_free(chain); return mlsh_seterr(err, MLSH_EINTR, "interrupted"); }
  }
  mlsh_free(chain);
  return MLSH_OK;
}

/* ---- single linkage: Prim's minimum spanning tree, O(n^2), O(n) memory ---- */

static int mst_single(const mlsh_mat *X, dist_metric metric, const double *cond, size_t n, hc_raw *out, mlsh_err *err) {
  double *dmin = mlsh_malloc_array(n, sizeof(double));
  size_t *from = mlsh_malloc_array(n, sizeof(size_t)), *rest = mlsh_malloc_array(n, sizeof(size_t));
  if (!dmin || !from || !rest) {
    mlsh_free(dmin); mlsh_free(from); mlsh_free(rest);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  size_t nrest = n - 1, cur = 0;
  for (size_t i = 1; i < n; i++) { rest[i - 1] = i; dmin[i] = INFINITY; }
  for (size_t s = 0; s + 1 < n; s++) {
    size_t bt = 0;
    double bd = INFINITY;
    for (size_t t = 0; t < nrest; t++) {
      size_t j = rest[t];
      double d = cond ? cond[cur < j ? dist_cidx(n, cur, j) : dist_cidx(n, j, cur)]
                      : dist_pair(X->data + cur * X->cols, X->data + j * X->cols, X->cols, metric);
      if (d < dmin[j]) { dmin[j] = d; from[j] = cur; }
      if (dmin[j] < bd || (dmin[j] == bd && j < rest[bt])) { bd = dmin[j]; bt = t; }
    }
    size_t j = rest[bt];
    out[s] = (hc_raw){from[j] < j ? from[j] : j, from[j] < j ? j : from[j], dmin[j]};
    rest[bt] = rest[--nrest];
    cur = j;
    if ((s & 63) == 0 && mlsh_interrupted()) {
      mlsh_free(dmin); mlsh_free(from); mlsh_free(rest);
      return mlsh_seterr(err, MLSH_EINTR, "interrupted");
    }
  }
  mlsh_free(dmin); mlsh_free(from); mlsh_free(rest);
  return MLSH_OK;
}

/* ---- generic algorithm with nearest-neighbour caching (centroid, median) ---- */

typedef struct { size_t *heap, *pos; double *key; size_t len; } iheap;

static void ih_swap(iheap *h, size_t i, size_t j) {
  size_t t = h->heap[i]; h->heap[i] = h->heap[j]; h->heap[j] = t;
  h->pos[h->heap[i]] = i; h->pos[h->heap[j]] = j;
}
static int ih_less(const iheap *h, size_t i, size_t j) {
  double a = h->key[h->heap[i]], b = h->key[h->heap[j]];
  return a < b || (a == b && h->heap[i] < h->heap[j]);
}
static void ih_down(iheap *h, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->len && ih_less(h, l, m)) m = l;
    if (r < h->len && ih_less(h, r, m)) m = r;
    if (m == i) break;
    ih_swap(h, i, m);
    i = m;
  }
}
static void ih_fix(iheap *h, size_t i) {
  while (i > 0 && ih_less(h, i, (i - 1) / 2)) { ih_swap(h, i, (i - 1) / 2); i = (i - 1) / 2; }
  ih_down(h, i);
}
static void ih_remove(iheap *h, size_t item) {
  size_t i = h->pos[item];
  ih_swap(h, i, --h->len);
  if (i < h->len) ih_fix(h, i);
}

static int generic_linkage(nn_backend *B, hc_raw *out, mlsh_err *err) {
  size_t n = B->n;
  size_t *nn = mlsh_malloc_array(n, sizeof(size_t));
  double *md = mlsh_malloc_array(n, sizeof(double));
  unsigned char *alive = mlsh_malloc_array(n, 1);
  iheap h = {mlsh_malloc_array(n, sizeof(size_t)), mlsh_malloc_array(n, sizeof(size_t)), md, 0};
  int rc = MLSH_OK;
  if (!nn || !md || !alive || !h.heap || !h.pos) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  memset(alive, 1, n);
  /* nn[i]: nearest j > i among the alive; md[i] a lower bound of it. */
#define SCAN(i) do { md[i] = INFINITY; nn[i] = (i); \
    for (size_t j_ = (i) + 1; j_ < n; j_++) if (alive[j_] && cget(B, i, j_) < md[i]) { md[i] = cget(B, i, j_); nn[i] = j_; } } while (0)
  for (size_t i = 0; i + 1 < n; i++) { SCAN(i); h.heap[h.len] = i; h.pos[i] = h.len++; }
  for (size_t i = h.len / 2 + 1; i-- > 0;) ih_down(&h, i);
  for (size_t s = 0; s + 1 < n; s++) {
    size_t a;
    for (;;) {                    /* the top is exact unless its neighbour moved */
      a = h.heap[0];
      if (alive[nn[a]] && nn[a] != a && cget(B, a, nn[a]) == md[a]) break;
      SCAN(a);
      ih_fix(&h, 0);
    }
    size_t b = nn[a];
    double d = md[a];
    out[s] = (hc_raw){a, b, d};
    ih_remove(&h, a);
    alive[a] = 0;
    merge_slots(B, a, b, d);
    /* Rows before b whose distance to b dropped take b as neighbour. */
    for (size_t t = 0; t < B->nact; t++) {
      size_t i = B->act[t];
      if (i >= b) break;
      double v = cget(B, i, b);
      if (nn[i] == a) nn[i] = b;          /* stale: fixed when it surfaces */
      if (v < md[i]) { md[i] = v; nn[i] = b; ih_fix(&h, h.pos[i]); }
    }
    if (b + 1 < n && h.pos[b] < h.len && h.heap[h.pos[b]] == b) { SCAN(b); ih_fix(&h, h.pos[b]); }
    if ((s & 63) == 0 && mlsh_interrupted()) { rc = mlsh_seterr(err, MLSH_EINTR, "interrupted"); goto done; }
  }
#undef SCAN
done:
  mlsh_free(nn); mlsh_free(md); mlsh_free(alive); mlsh_free(h.heap); mlsh_free(h.pos);
  return rc;
}

/* ---- raw merges -> R's hclust ---- */

/* By height, then by discovery (qsort is not stable). */
typedef struct { hc_raw r; size_t i; } hc_sraw;
static int cmp_sraw(const void *x, const void *y) {
  const hc_sraw *a = x, *b = y;
  if (a->r.h != b->r.h) return a->r.h < b->r.h ? -1 : 1;
  return a->i < b->i ? -1 : a->i > b->i;
}

static size_t uf_find(size_t *parent, size_t x) {
  while (parent[x] != x) { parent[x] = parent[parent[x]]; x = parent[x]; }
  return x;
}

static int to_tree(hc_raw *raw, size_t n, int sort, hc_tree *t, mlsh_err *err) {
  size_t m = n - 1;
  size_t *parent = mlsh_malloc_array(2 * n, sizeof(size_t)), *stack = mlsh_malloc_array(2 * n, sizeof(size_t));
  hc_sraw *sr = sort ? mlsh_malloc_array(m ? m : 1, sizeof(hc_sraw)) : NULL;
  t->n = n;
  t->merge = mlsh_malloc_array(2 * (m ? m : 1), sizeof(int));
  t->height = mlsh_malloc_array(m ? m : 1, sizeof(double));
  t->order = mlsh_malloc_array(n, sizeof(int));
  if (!parent || !stack || (sort && !sr) || !t->merge || !t->height || !t->order) {
    mlsh_free(parent); mlsh_free(stack); mlsh_free(sr);
    hc_tree_free(t);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  if (sort) {
    for (size_t i = 0; i < m; i++) sr[i] = (hc_sraw){raw[i], i};
    qsort(sr, m, sizeof *sr, cmp_sraw);
    for (size_t i = 0; i < m; i++) raw[i] = sr[i].r;
  }
  for (size_t i = 0; i < 2 * n; i++) parent[i] = i;
  for (size_t s = 0; s < m; s++) {
    size_t ra = uf_find(parent, raw[s].a), rb = uf_find(parent, raw[s].b);
    int ia = ra < n ? -(int)(ra + 1) : (int)(ra - n + 1), ib = rb < n ? -(int)(rb + 1) : (int)(rb - n + 1);
    /* R: singletons first; two singletons or two clusters by increasing index. */
    int x1, x2;
    if (ia < 0 && ib < 0) { x1 = ia > ib ? ia : ib; x2 = ia > ib ? ib : ia; }
    else if (ia < 0 || ib < 0) { x1 = ia < 0 ? ia : ib; x2 = ia < 0 ? ib : ia; }
    else { x1 = ia < ib ? ia : ib; x2 = ia < ib ? ib : ia; }
    t->merge[2 * s] = x1;
    t->merge[2 * s + 1] = x2;
    t->height[s] = raw[s].h;
    parent[ra] = parent[rb] = n + s;
  }
  /* Leaf order: depth-first from the last merge, left before right. */
  size_t sp = 0, o = 0;
  if (m == 0) t->order[o++] = 1;
  else stack[sp++] = (size_t)(m - 1) + n;
  while (sp) {
    size_t x = stack[--sp];
    if (x < n) { t->order[o++] = (int)x + 1; continue; }
    int l = t->merge[2 * (x - n)], r = t->merge[2 * (x - n) + 1];
    stack[sp++] = r < 0 ? (size_t)(-r - 1) : (size_t)r - 1 + n;
    stack[sp++] = l < 0 ? (size_t)(-l - 1) : (size_t)l - 1 + n;
  }
  mlsh_free(parent); mlsh_free(stack); mlsh_free(sr);
  return MLSH_OK;
}

void hc_tree_free(hc_tree *t) {
  mlsh_free(t->merge); mlsh_free(t->height); mlsh_free(t->order);
  t->merge = NULL; t->height = NULL; t->order = NULL;
}

static int run_backend(nn_backend *B, hc_method m, hc_tree *t, mlsh_err *err) {
  size_t n = B->n;
  hc_raw *raw = mlsh_malloc_array(n, sizeof(hc_raw));
  B->size = mlsh_malloc_array(n, sizeof(size_t));
  B->act = mlsh_malloc_array(n, sizeof(size_t));
  int rc;
  if (!raw || !B->size || !B->act) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  for (size_t i = 0; i < n; i++) { B->size[i] = 1; B->act[i] = B->order ? B->order[i] : i; }
  B->nact = n;
  B->method = m;
  if (m == HC_SINGLE) rc = mst_single(NULL, DIST_EUCLIDEAN, B->cond, n, raw, err);
  else if (m == HC_CENTROID || m == HC_MEDIAN) rc = generic_linkage(B, raw, err);
  else rc = nn_chain(B, raw, err);
  if (!rc) rc = to_tree(raw, n, m != HC_CENTROID && m != HC_MEDIAN, t, err);
done:
  mlsh_free(raw); mlsh_free(B->size); mlsh_free(B->act);
  return rc;
}

int hc_linkage_cond(double *cond, size_t n, hc_method m, hc_tree *t, mlsh_err *err) {
  memset(t, 0, sizeof *t);
  if (n < 2) return mlsh_seterr(err, MLSH_EINVAL, "needs at least 2 observations (got %zu)", n);
  nn_backend B = {.n = n, .cond = cond};
  return run_backend(&B, m, t, err);
}

int hc_linkage_data(const mlsh_mat *X, hc_method m, dist_metric metric, int threads, hc_tree *t, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  memset(t, 0, sizeof *t);
  if (n < 2) return mlsh_seterr(err, MLSH_EINVAL, "needs at least 2 observations (got %zu)", n);
  if (m == HC_SINGLE) {          /* MST straight from the rows: O(n) memory */
    hc_raw *raw = mlsh_malloc_array(n, sizeof(hc_raw));
    if (!raw) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    int rc = mst_single(X, metric, NULL, n, raw, err);
    if (!rc) rc = to_tree(raw, n, 1, t, err);
    mlsh_free(raw);
    return rc;
  }
  if (m == HC_WARD && metric == DIST_EUCLIDEAN) {
    size_t np;
    if (mlsh_mul_overflow(n, p, &np)) return mlsh_seterr(err, MLSH_ENOMEM, "data too large");
    nn_backend B = {.n = n, .p = p, .Ct = mlsh_malloc_array(np, sizeof(double)),
                    .szp = mlsh_malloc_array(n, sizeof(double)), .buf = mlsh_malloc_array(n, sizeof(double)),
                    .where = mlsh_malloc_array(n, sizeof(size_t)), .order = mlsh_malloc_array(n, sizeof(size_t))};
    int rc;
    if (!B.Ct || !B.szp || !B.buf || !B.where || !B.order || ward_load_centroids(X, B.Ct, B.order))
      rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    else {
      for (size_t k = 0; k < n; k++) {
        B.szp[k] = 1.0;
        B.where[B.order[k]] = k;
      }
      B.pool = ward_pool_start(mlsh_threads_resolve(threads));
      rc = run_backend(&B, m, t, err);
      ward_pool_stop(B.pool);
    }
    mlsh_free(B.Ct); mlsh_free(B.szp); mlsh_free(B.buf); mlsh_free(B.where); mlsh_free(B.order);
    return rc;
  }
  size_t len;
  if (mlsh_mul_overflow(n, n - 1, &len)) return mlsh_seterr(err, MLSH_ENOMEM, "too many rows for a distance matrix (%zu)", n);
  double *cond = mlsh_malloc_array(len / 2 ? len / 2 : 1, sizeof(double));
  if (!cond) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the %zu x %zu distance matrix", n, n);
  int rc = dist_condensed(X, metric, threads, cond, err);
  if (!rc) rc = hc_linkage_cond(cond, n, m, t, err);
  mlsh_free(cond);
  return rc;
}

/* ---- cutting ---- */

static int cut_steps(const hc_tree *t, size_t steps, int *labels, mlsh_err *err) {
  size_t n = t->n;
  size_t *parent = mlsh_malloc_array(2 * n, sizeof(size_t));
  int *name = mlsh_malloc_array(2 * n, sizeof(int));
  if (!parent || !name) { mlsh_free(parent); mlsh_free(name); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  for (size_t i = 0; i < 2 * n; i++) { parent[i] = i; name[i] = 0; }
  for (size_t s = 0; s < steps; s++) {
    int l = t->merge[2 * s], r = t->merge[2 * s + 1];
    size_t a = l < 0 ? (size_t)(-l - 1) : (size_t)l - 1 + n, b = r < 0 ? (size_t)(-r - 1) : (size_t)r - 1 + n;
    parent[uf_find(parent, a)] = n + s;
    parent[uf_find(parent, b)] = n + s;
  }
  int next = 0;
  for (size_t i = 0; i < n; i++) {
    size_t root = uf_find(parent, i);
    if (!name[root]) name[root] = ++next;
    labels[i] = name[root];
  }
  mlsh_free(parent); mlsh_free(name);
  return MLSH_OK;
}

int hc_cut_k(const hc_tree *t, size_t k, int *labels, mlsh_err *err) {
  if (k < 1 || k > t->n) return mlsh_seterr(err, MLSH_EINVAL, "k must be between 1 and %zu (got %zu)", t->n, k);
  return cut_steps(t, t->n - k, labels, err);
}

int hc_cut_height(const hc_tree *t, double h, int *labels, size_t *k_out, mlsh_err *err) {
  size_t m = t->n - 1, s = 0;
  for (size_t i = 1; i < m; i++)
    if (t->height[i] < t->height[i - 1])
      return mlsh_seterr(err, MLSH_EINVAL, "heights are not increasing (centroid/median inversions): cut by k instead");
  while (s < m && t->height[s] <= h) s++;
  *k_out = t->n - s;
  return cut_steps(t, s, labels, err);
}

/* ---- cophenetic correlation ---- */

int hc_cophenetic(const hc_tree *t, const mlsh_mat *X, dist_metric metric, const double *cond, double *r, mlsh_err *err) {
  size_t n = t->n;
  /* Members of each cluster as linked lists: head/tail per node, next per point. */
  size_t *next = mlsh_malloc_array(n, sizeof(size_t)), *head = mlsh_malloc_array(2 * n, sizeof(size_t));
  size_t *tail = mlsh_malloc_array(2 * n, sizeof(size_t));
  if (!next || !head || !tail) {
    mlsh_free(next); mlsh_free(head); mlsh_free(tail);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  for (size_t i = 0; i < n; i++) { head[i] = tail[i] = i; next[i] = (size_t)-1; }
  double sd = 0, sc = 0, sdd = 0, scc = 0, sdc = 0, npair = 0;
  for (size_t s = 0; s + 1 < n; s++) {
    int l = t->merge[2 * s], rr = t->merge[2 * s + 1];
    size_t a = l < 0 ? (size_t)(-l - 1) : (size_t)l - 1 + n, b = rr < 0 ? (size_t)(-rr - 1) : (size_t)rr - 1 + n;
    double h = t->height[s];
    for (size_t i = head[a]; i != (size_t)-1; i = next[i])
      for (size_t j = head[b]; j != (size_t)-1; j = next[j]) {
        double d = cond ? cond[i < j ? dist_cidx(n, i, j) : dist_cidx(n, j, i)]
                        : dist_pair(X->data + i * X->cols, X->data + j * X->cols, X->cols, metric);
        sd += d; sc += h; sdd += d * d; scc += h * h; sdc += d * h; npair += 1.0;
      }
    next[tail[a]] = head[b];
    head[n + s] = head[a];
    tail[n + s] = tail[b];
    if (mlsh_interrupted()) {
      mlsh_free(next); mlsh_free(head); mlsh_free(tail);
      return mlsh_seterr(err, MLSH_EINTR, "interrupted");
    }
  }
  mlsh_free(next); mlsh_free(head); mlsh_free(tail);
  double cov = sdc - sd * sc / npair, vd = sdd - sd * sd / npair, vc = scc - sc * sc / npair;
  *r = vd > 0 && vc > 0 ? cov / sqrt(vd * vc) : NAN;
  return MLSH_OK;
}
