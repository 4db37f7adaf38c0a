/* tsne_bh.c - t-SNE repulsion, exact (all pairs) and Barnes-Hut: a
 * 2^d-ary space-partitioning tree rebuilt every iteration; a cell whose
 * width w and distance r to the point satisfy w / r < theta acts as one
 * body at its centre of mass (van der Maaten 2014). */
#include <math.h>
#include <string.h>
#include "tsne_impl.h"
#include "../core/alloc.h"
#include "../core/threads.h"

typedef struct { const double *Y; size_t n; int d; double *rep, *zpart; } exact_job;

static int exact_rows(void *ctx, size_t b, size_t e, int tid) {
  exact_job *J = ctx;
  int d = J->d;
  for (size_t i = b; i < e; i++) {
    double f[8] = {0}, z = 0;
    const double *yi = J->Y + i * d;
    for (size_t j = 0; j < J->n; j++) {
      if (j == i) continue;
      const double *yj = J->Y + j * d;
      double diff[8], d2 = 0;
      for (int a = 0; a < d; a++) { diff[a] = yi[a] - yj[a]; d2 += diff[a] * diff[a]; }
      double q = 1.0 / (1.0 + d2);
      z += q;
      for (int a = 0; a < d; a++) f[a] += q * q * diff[a];
    }
    memcpy(J->rep + i * d, f, (size_t)d * sizeof(double));
    J->zpart[i] = z;
  }
  return MLSH_OK;
}

static int sum_parts(const double *z, size_t n, double *Z) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += z[i];
  *Z = s > 0 ? s : 1e-300;
  return MLSH_OK;
}

typedef double v8d __attribute__((vector_size(64)));

/* 2-D rows [b, e) against every point, eight at a time from the points'
 * coordinates apart (xs, ys): the point itself adds q = 1 and no force,
 * taken off after. The same operations on every CPU (no fused
 * multiply-add). */
typedef struct { const double *xs, *ys; size_t n; double *rep, *zpart; } exact2_job;

__attribute__((target_clones("avx512f", "avx2", "default"), optimize("fp-contract=off")))
static int exact_rows2(void *ctx, size_t b, size_t e, int tid) {
  exact2_job *J = ctx;
  size_t n = J->n, n8 = n / 8 * 8;
  (void)tid;
  for (size_t i = b; i < e; i++) {
    double x = J->xs[i], y = J->ys[i];
    v8d z = {0}, fx = {0}, fy = {0}, one = {1, 1, 1, 1, 1, 1, 1, 1};
    for (size_t j = 0; j < n8; j += 8) {
      v8d xj, yj;
      memcpy(&xj, J->xs + j, sizeof xj); memcpy(&yj, J->ys + j, sizeof yj);
      v8d dx = x - xj, dy = y - yj, q = one / (one + dx * dx + dy * dy), qq = q * q;
      z += q; fx += qq * dx; fy += qq * dy;
    }
    double zs = 0, sx = 0, sy = 0;
    for (int l = 0; l < 8; l++) zs += z[l], sx += fx[l], sy += fy[l];
    for (size_t j = n8; j < n; j++) {
      double dx = x - J->xs[j], dy = y - J->ys[j], q = 1.0 / (1.0 + dx * dx + dy * dy);
      zs += q; sx += q * q * dx; sy += q * q * dy;
    }
    J->rep[2 * i] = sx; J->rep[2 * i + 1] = sy;
    J->zpart[i] = zs - 1.0;
  }
  return MLSH_OK;
}

int tsne_rep_exact(const double *Y, size_t n, int d, double *rep, double *Z, int threads) {
  double *z = mlsh_malloc_array(n, sizeof(double));
  if (!z) return MLSH_ENOMEM;
  if (d == 2) {
    double *xs = mlsh_malloc_array(2 * n, sizeof(double));
    int rc = xs ? MLSH_OK : MLSH_ENOMEM;
    if (!rc) {
      for (size_t i = 0; i < n; i++) xs[i] = Y[2 * i], xs[n + i] = Y[2 * i + 1];
      exact2_job J = {xs, xs + n, n, rep, z};
      rc = mlsh_parallel_for(n, threads, 64, exact_rows2, &J);
    }
    if (!rc) sum_parts(z, n, Z);
    mlsh_free(xs);
    mlsh_free(z);
    return rc;
  }
  exact_job J = {Y, n, d, rep, z};
  int rc = mlsh_parallel_for(n, threads, 64, exact_rows, &J);
  if (!rc) sum_parts(z, n, Z);
  mlsh_free(z);
  return rc;
}

struct tsne_bh {
  size_t n, cap, nnodes;
  int d, nch;
  double *com, *ctr, *hw;   /* per node: centre of mass (d), cell centre (d), half width */
  int *count, *child, *lo;  /* points in the cell, first of nch children (-1: leaf), range start in perm */
  int *perm, *tmp, *code;
  double *py, *ptmp;        /* the points' coordinates in perm order (n x d), and scratch */
  int warm;                 /* perm holds the last build's order: nearly sorted for this one */
  double *zpart;
};

tsne_bh *tsne_bh_new(size_t n, int d) {
  tsne_bh *t = mlsh_calloc(1, sizeof *t);
  if (!t) return NULL;
  t->n = n; t->d = d; t->nch = 1 << d;
  t->perm = mlsh_malloc_array(n, sizeof(int));
  t->tmp = mlsh_malloc_array(n, sizeof(int));
  t->code = mlsh_malloc_array(n, sizeof(int));
  t->zpart = mlsh_malloc_array(n, sizeof(double));
  t->py = mlsh_malloc_array(n * (size_t)d, sizeof(double));
  t->ptmp = mlsh_malloc_array(n * (size_t)d, sizeof(double));
  if (!t->perm || !t->tmp || !t->code || !t->zpart || !t->py || !t->ptmp) { tsne_bh_free(t); return NULL; }
  return t;
}

void tsne_bh_free(tsne_bh *t) {
  if (!t) return;
  mlsh_free(t->com); mlsh_free(t->ctr); mlsh_free(t->hw);
  mlsh_free(t->count); mlsh_free(t->child); mlsh_free(t->lo);
  mlsh_free(t->perm); mlsh_free(t->tmp); mlsh_free(t->code); mlsh_free(t->zpart);
  mlsh_free(t->py); mlsh_free(t->ptmp);
  mlsh_free(t);
}

static int grow(tsne_bh *t, size_t need) {
  if (need <= t->cap) return MLSH_OK;
  size_t cap = t->cap ? t->cap : 1024;
  while (cap < need) cap *= 2;
  int d = t->d;
  double *com = mlsh_realloc(t->com, cap * d * sizeof(double));
  if (com) t->com = com;
  double *ctr = mlsh_realloc(t->ctr, cap * d * sizeof(double));
  if (ctr) t->ctr = ctr;
  double *hw = mlsh_realloc(t->hw, cap * sizeof(double));
  if (hw) t->hw = hw;
  int *count = mlsh_realloc(t->count, cap * sizeof(int));
  if (count) t->count = count;
  int *child = mlsh_realloc(t->child, cap * sizeof(int));
  if (child) t->child = child;
  int *lo = mlsh_realloc(t->lo, cap * sizeof(int));
  if (lo) t->lo = lo;
  if (!com || !ctr || !hw || !count || !child || !lo) return MLSH_ENOMEM;
  t->cap = cap;
  return MLSH_OK;
}

/* The points in the last build's order (the first time, row order),
 * their coordinates copied along so that every split reads them in
 * sequence; mn/mx: the bounding box. */
static void gather_points(tsne_bh *t, const double *Y, double *mn, double *mx) {
  size_t n = t->n;
  int d = t->d;
  if (!t->warm) for (size_t i = 0; i < n; i++) t->perm[i] = (int)i;
  t->warm = 1;
  for (int a = 0; a < d; a++) { mn[a] = INFINITY; mx[a] = -INFINITY; }
  for (size_t s = 0; s < n; s++)
    for (int a = 0; a < d; a++) {
      double v = Y[(size_t)t->perm[s] * d + a];
      t->py[s * d + a] = v;
      if (v < mn[a]) mn[a] = v;
      if (v > mx[a]) mx[a] = v;
    }
}

/* Node nd's points into its children by a stable counting sort (of perm
 * and py alike); start[h] .. start[h + 1] the range of child h. */
static void split_points(tsne_bh *t, size_t nd, int *start) {
  int d = t->d, nch = t->nch, cnt = t->count[nd], lo = t->lo[nd];
  const double *c = t->ctr + nd * d;
  memset(start, 0, (size_t)(nch + 1) * sizeof *start);
  for (int s = lo; s < lo + cnt; s++) {
    const double *y = t->py + (size_t)s * d;
    int code = 0;
    for (int a = 0; a < d; a++) code |= (y[a] > c[a]) << a;
    t->code[s] = code;
    start[code + 1]++;
  }
  for (int h = 0; h < nch; h++) start[h + 1] += start[h];
  int pos[8];
  memcpy(pos, start, sizeof pos);
  for (int s = lo; s < lo + cnt; s++) {
    int to = lo + pos[t->code[s]]++;
    t->tmp[to] = t->perm[s];
    memcpy(t->ptmp + (size_t)to * d, t->py + (size_t)s * d, (size_t)d * sizeof(double));
  }
  memcpy(t->perm + lo, t->tmp + lo, (size_t)cnt * sizeof(int));
  memcpy(t->py + (size_t)lo * d, t->ptmp + (size_t)lo * d, (size_t)cnt * d * sizeof(double));
}

/* Cells of at most LEAF_MAX points stay leaves: a shallower tree, built
 * faster; a far leaf acts as one body like any cell, a near one by its
 * points. */
#define LEAF_MAX 8

/* Build by repeated counting sort of each cell's points into its children. */
static int build(tsne_bh *t, const double *Y) {
  size_t n = t->n;
  int d = t->d, nch = t->nch;
  double mn[8], mx[8];
  gather_points(t, Y, mn, mx);
  double half = 0;
  for (int a = 0; a < d; a++) half = fmax(half, (mx[a] - mn[a]) / 2);
  half = half * (1 + 1e-6) + 1e-12;
  if (grow(t, 1)) return MLSH_ENOMEM;
  for (int a = 0; a < d; a++) t->ctr[a] = (mn[a] + mx[a]) / 2;
  t->hw[0] = half; t->count[0] = (int)n; t->child[0] = -1; t->lo[0] = 0;
  t->nnodes = 1;
  /* Nodes are split in creation order: children always follow parents. */
  for (size_t nd = 0; nd < t->nnodes; nd++) {
    int cnt = t->count[nd], lo = t->lo[nd];
    if (cnt <= LEAF_MAX || t->hw[nd] < 1e-9 * half) continue;   /* leaf (duplicates end as one leaf) */
    if (grow(t, t->nnodes + nch)) return MLSH_ENOMEM;
    int start[9];
    split_points(t, nd, start);
    const double *c = t->ctr + nd * d;
    size_t first = t->nnodes;
    t->child[nd] = (int)first;
    for (int h = 0; h < nch; h++) {
      size_t ch = first + h;
      double q = t->hw[nd] / 2;
      for (int a = 0; a < d; a++) t->ctr[ch * d + a] = c[a] + ((h >> a) & 1 ? q : -q);
      t->hw[ch] = q; t->count[ch] = start[h + 1] - start[h]; t->lo[ch] = lo + start[h]; t->child[ch] = -1;
    }
    t->nnodes += nch;
  }
  /* Centres of mass bottom-up. */
  for (size_t nd = t->nnodes; nd-- > 0;) {
    double *m = t->com + nd * d;
    for (int a = 0; a < d; a++) m[a] = 0;
    if (t->count[nd] == 0) continue;
    if (t->child[nd] < 0) {
      for (int s = t->lo[nd]; s < t->lo[nd] + t->count[nd]; s++)
        for (int a = 0; a < d; a++) m[a] += t->py[(size_t)s * d + a];
    } else {
      for (int h = 0; h < nch; h++) {
        size_t ch = (size_t)t->child[nd] + h;
        for (int a = 0; a < d; a++) m[a] += t->com[ch * d + a] * t->count[ch];
      }
    }
    for (int a = 0; a < d; a++) m[a] /= t->count[nd];
  }
  return MLSH_OK;
}

typedef struct { tsne_bh *t; const double *Y; double theta2, *rep; } bh_job;

static int bh_rows(void *ctx, size_t b, size_t e, int tid) {
  bh_job *J = ctx;
  const tsne_bh *t = J->t;
  int d = t->d, nch = t->nch, stack[1024];
  for (size_t i = b; i < e; i++) {
    const double *yi = J->Y + i * d;
    double f[8] = {0}, z = 0;
    int sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      int nd = stack[--sp], cnt = t->count[nd];
      if (cnt == 0) continue;
      const double *m = t->com + (size_t)nd * d;
      double diff[8], d2 = 0, w = 2 * t->hw[nd];
      for (int a = 0; a < d; a++) { diff[a] = yi[a] - m[a]; d2 += diff[a] * diff[a]; }
      if (cnt > 1 && w * w < J->theta2 * d2) {
        double q = 1.0 / (1.0 + d2);
        z += cnt * q;
        for (int a = 0; a < d; a++) f[a] += cnt * q * q * diff[a];
      } else if (t->child[nd] < 0) {
        for (int s = t->lo[nd]; s < t->lo[nd] + cnt; s++) {
          size_t j = (size_t)t->perm[s];
          if (j == i) continue;
          double dj[8], e2 = 0;
          for (int a = 0; a < d; a++) { dj[a] = yi[a] - J->Y[j * d + a]; e2 += dj[a] * dj[a]; }
          double q = 1.0 / (1.0 + e2);
          z += q;
          for (int a = 0; a < d; a++) f[a] += q * q * dj[a];
        }
      } else {
        for (int h = 0; h < nch; h++) stack[sp++] = t->child[nd] + h;
      }
    }
    memcpy(J->rep + i * d, f, (size_t)d * sizeof(double));
    t->zpart[i] = z;
  }
  return MLSH_OK;
}

/* 2-D: Barnes' group walk. Cells of at most GROUP points share one
 * interaction list, built against the group's bounding box (a cell is far
 * when its width w < theta * distance from its centre of mass to the box,
 * stricter than per point); each point then sums the list in a tight loop. */
#define GROUP 256   /* larger groups: stricter (more accurate) lists, longer SIMD loops */

/* Interaction lists in single precision: the sums are the hot loop, and
 * float halves their memory and doubles their SIMD width; their error
 * (about 1e-6 relative) is far below the approximation's own. */
typedef struct { float *cx, *cy, *cn; int *pj; size_t cap; } glist;

static int glist_fit(glist *g, size_t need) {
  if (need <= g->cap) return MLSH_OK;
  size_t cap = need * 2;
  float *cx = mlsh_realloc(g->cx, cap * sizeof(float)); if (cx) g->cx = cx;
  float *cy = mlsh_realloc(g->cy, cap * sizeof(float)); if (cy) g->cy = cy;
  float *cn = mlsh_realloc(g->cn, cap * sizeof(float)); if (cn) g->cn = cn;
  int *pj = mlsh_realloc(g->pj, cap * sizeof(int)); if (pj) g->pj = pj;
  if (!cx || !cy || !cn || !pj) return MLSH_ENOMEM;
  g->cap = cap;
  return MLSH_OK;
}

#define LANES 16
typedef float v16f __attribute__((vector_size(4 * LANES)));

/* Up to 16 points of a group (rows perm[s0 .. s0 + cnt)) against its whole
 * interaction list of m entries, one point per lane: each entry is
 * broadcast, so no lane ever needs a horizontal sum, and each point's sums
 * run in list order. One AVX-512 register, two AVX2 or four SSE ones, with
 * the same operations per lane (no fused multiply-add): the same sums bit
 * for bit on every CPU. */
__attribute__((target_clones("avx512f", "avx2", "default"), optimize("fp-contract=off")))
static void sum_points(const glist *L, size_t m, const double *pts, const int *perm, int s0, int cnt, double *rep,
                       double *zpart) {
  float px[LANES], py[LANES];
  for (int l = 0; l < LANES; l++) {
    size_t s = (size_t)s0 + (size_t)(l < cnt ? l : 0);
    px[l] = (float)pts[2 * s];
    py[l] = (float)pts[2 * s + 1];
  }
  v16f xi, yi, one, z, fx, fy;
  memcpy(&xi, px, sizeof xi); memcpy(&yi, py, sizeof yi);
  for (int l = 0; l < LANES; l++) one[l] = 1, z[l] = fx[l] = fy[l] = 0;
  for (size_t c = 0; c < m; c++) {
    float cxs = L->cx[c], cys = L->cy[c], cns = L->cn[c];
    v16f dx = xi - cxs, dy = yi - cys, q = one / (one + dx * dx + dy * dy), cq = cns * q, cqq = cq * q;
    z += cq; fx += cqq * dx; fy += cqq * dy;
  }
  float out[3][LANES];
  memcpy(out[0], &fx, sizeof fx); memcpy(out[1], &fy, sizeof fy); memcpy(out[2], &z, sizeof z);
  for (int l = 0; l < cnt; l++) {
    size_t i = (size_t)perm[s0 + l];
    rep[2 * i] = out[0][l];
    rep[2 * i + 1] = out[1][l];
    zpart[i] = (double)out[2][l] - 1.0;   /* the point itself is in the near list once: q = 1, zero force */
  }
}

typedef struct { bh_job *J; const int *groups; glist *lists; } group_job;

static int bh_groups2(void *ctx, size_t b, size_t e, int tid) {
  group_job *G = ctx;
  bh_job *J = G->J;
  const tsne_bh *t = J->t;
  const double *P = t->py, *com = t->com, *hw = t->hw;   /* points by position */
  const int *count = t->count, *child = t->child, *lo = t->lo, *perm = t->perm;
  glist *L = &G->lists[tid];
  if (glist_fit(L, t->nnodes + t->n)) return MLSH_ENOMEM;
  int stack[512];
  for (size_t gi = b; gi < e; gi++) {
    int g = G->groups[gi], glo = lo[g], ghi = lo[g] + count[g];
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int s = glo; s < ghi; s++) {
      double x = P[2 * (size_t)s], y = P[2 * (size_t)s + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    size_t nf = 0, np = 0, top = L->cap;   /* far cells from the front, near points from the back */
    int sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      int nd = stack[--sp], cnt = count[nd];
      if (cnt == 0) continue;
      if (nd == g || (child[nd] < 0 && cnt == 1)) {
        for (int s = lo[nd]; s < lo[nd] + cnt; s++) L->pj[--top] = s, np++;
        continue;
      }
      int contains = lo[nd] <= glo && ghi <= lo[nd] + cnt;
      double cx = com[2 * nd], cy = com[2 * nd + 1];
      double dx = x0 - cx > cx - x1 ? x0 - cx : cx - x1, dy = y0 - cy > cy - y1 ? y0 - cy : cy - y1, w = 2 * hw[nd];
      if (dx < 0) dx = 0;
      if (dy < 0) dy = 0;
      if (!contains && w * w < J->theta2 * (dx * dx + dy * dy)) {
        L->cx[nf] = (float)cx; L->cy[nf] = (float)cy; L->cn[nf++] = (float)cnt;
      } else if (child[nd] < 0) {   /* a near leaf: its points */
        for (int s = lo[nd]; s < lo[nd] + cnt; s++) L->pj[--top] = s, np++;
      } else {
        int c = child[nd];
        for (int h = 0; h < 4; h++) if (count[c + h]) stack[sp++] = c + h;
      }
    }
    /* Gather near points' coordinates next to the far cells (count 1), so
     * that one loop sums both lists. */
    for (size_t c = 0; c < np; c++) {
      size_t s = (size_t)L->pj[top + c];
      L->cx[nf + c] = (float)P[2 * s]; L->cy[nf + c] = (float)P[2 * s + 1]; L->cn[nf + c] = 1;
    }
    for (int s = glo; s < ghi; s += LANES)
      sum_points(L, nf + np, P, perm, s, ghi - s < LANES ? ghi - s : LANES, J->rep, t->zpart);
  }
  return MLSH_OK;
}

static int bh_2d(tsne_bh *t, bh_job *J, int threads) {
  /* Groups: the highest cells with at most GROUP points. */
  int *groups = t->tmp, ng = 0, stack[512], sp = 0, rc;
  stack[sp++] = 0;
  while (sp > 0) {
    int nd = stack[--sp];
    if (t->count[nd] == 0) continue;
    if (t->count[nd] <= GROUP || t->child[nd] < 0) { groups[ng++] = nd; continue; }
    for (int h = 0; h < 4; h++) stack[sp++] = t->child[nd] + h;
  }
  int nt = mlsh_threads_resolve(threads);
  glist *lists = mlsh_calloc((size_t)nt, sizeof(glist));
  if (!lists) return MLSH_ENOMEM;
  group_job G = {J, groups, lists};
  rc = mlsh_parallel_dynamic((size_t)ng, nt, 2, bh_groups2, &G);
  for (int i = 0; i < nt; i++) { mlsh_free(lists[i].cx); mlsh_free(lists[i].cy); mlsh_free(lists[i].cn); mlsh_free(lists[i].pj); }
  mlsh_free(lists);
  return rc;
}

int tsne_bh_build(tsne_bh *t, const double *Y) { return build(t, Y); }

int tsne_rep_bh(tsne_bh *t, const double *Y, double theta, double *rep, double *Z, int threads) {
  if (build(t, Y)) return MLSH_ENOMEM;
  return tsne_bh_walk(t, Y, theta, rep, Z, threads);
}

int tsne_bh_walk(tsne_bh *t, const double *Y, double theta, double *rep, double *Z, int threads) {
  bh_job J = {t, Y, theta * theta, rep};
  int rc = t->d == 2 ? bh_2d(t, &J, threads) : mlsh_parallel_for(t->n, threads, 128, bh_rows, &J);
  if (!rc) sum_parts(t->zpart, t->n, Z);
  return rc;
}
