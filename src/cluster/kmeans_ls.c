/* kmeans_ls.c - K-Means restarts in lockstep (see kmeans_impl.h).
 *
 * With small k every Lloyd pass is bound by streaming X: one restart at a
 * time reads the whole matrix once per iteration. Here all restarts of a
 * batch advance together: a sub-block of X (LS_SUB rows, in cache) meets
 * the centres of every running restart in one dgemm, then each restart
 * takes its argmin and accumulates its block sums. k-means++ runs the
 * same way (all restarts' candidates in one dgemm per step). A restart
 * that converged leaves the centre matrix. Rows are cut into the fixed
 * blocks of km_data whose partial sums are reduced in block order, so the
 * result does not depend on the number of threads. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <cblas.h>
#include "kmeans_impl.h"
#include "dist.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/rng.h"
#include "../core/threads.h"

#define LS_SUB 256
#define LS_MAXCAND 64

enum { LS_RUN, LS_RELABEL, LS_KEEP, LS_DONE };   /* iterating; last E-step + inertia; inertia only; done */

typedef struct {
  const km_data *d;
  int threads, G;              /* restarts in this batch */
  size_t L, wide, sc;          /* k-means++ candidates per restart; scratch columns; scratch per thread */
  double *C, *Cold, *cn, *sums, *cnt;   /* per restart: k*p, k*p, k, k*p, k */
  int *lab;                    /* per restart: n */
  int *state, *iters, *strict;
  double *tot, *inertia;
  int nlist, *list;            /* restarts in the pass */
  int *slot;                   /* per restart: its group in Cact, -1 if none */
  int nact;
  double *Cact, *cnact;        /* (nact*k) x p packed centres, their norms */
  double *part, *part_raw;     /* nblocks x G entries of pe: k rows of pst sums, k counts; 64-byte aligned */
  size_t pst, pe;
  size_t *changed;             /* nblocks x G */
  double *ipart;               /* nblocks x G: inertia, or k-means++ potentials (x L) */
  double *scratch;             /* per thread: LS_SUB x wide, then 2 x LS_SUB */
  /* k-means++ */
  double *closest, *dcand, *cum, *cand, *candn, *pot;   /* G*n, G*n*L, n, G*L*p, G*L, G */
  size_t *candrow;             /* G*L */
} ls_ws;

static void ls_free(ls_ws *w) {
  mlsh_free(w->C); mlsh_free(w->Cold); mlsh_free(w->cn); mlsh_free(w->sums); mlsh_free(w->cnt);
  mlsh_free(w->lab); mlsh_free(w->state); mlsh_free(w->iters); mlsh_free(w->strict); mlsh_free(w->tot);
  mlsh_free(w->inertia); mlsh_free(w->list); mlsh_free(w->slot); mlsh_free(w->Cact); mlsh_free(w->cnact);
  mlsh_free(w->part_raw); mlsh_free(w->changed); mlsh_free(w->ipart); mlsh_free(w->scratch);
  mlsh_free(w->closest); mlsh_free(w->dcand); mlsh_free(w->cum); mlsh_free(w->cand); mlsh_free(w->candn);
  mlsh_free(w->pot); mlsh_free(w->candrow);
  memset(w, 0, sizeof *w);
}

static int ls_alloc(ls_ws *w, const km_data *d, int G, int threads, size_t L, int pp) {
  size_t n = d->n, k = d->k, p = d->p, g = (size_t)G;
  memset(w, 0, sizeof *w);
  w->d = d;
  w->G = G;
  w->threads = threads;
  w->L = L;
  w->wide = g * (k > L ? k : L);
  w->C = mlsh_malloc_array(g * k * p, sizeof(double));
  w->Cold = mlsh_malloc_array(g * k * p, sizeof(double));
  w->cn = mlsh_malloc_array(g * k, sizeof(double));
  w->sums = mlsh_malloc_array(g * k * p, sizeof(double));
  w->cnt = mlsh_malloc_array(g * k, sizeof(double));
  w->lab = mlsh_malloc_array(g * n, sizeof(int));
  w->state = mlsh_malloc_array(g, sizeof(int));
  w->iters = mlsh_malloc_array(g, sizeof(int));
  w->strict = mlsh_malloc_array(g, sizeof(int));
  w->tot = mlsh_malloc_array(g, sizeof(double));
  w->inertia = mlsh_malloc_array(g, sizeof(double));
  w->list = mlsh_malloc_array(g, sizeof(int));
  w->slot = mlsh_malloc_array(g, sizeof(int));
  w->Cact = mlsh_malloc_array(g * k * p, sizeof(double));
  w->cnact = mlsh_malloc_array(g * k, sizeof(double));
  w->pst = (p + 7) & ~(size_t)7;           /* sum rows on whole cache lines: no split stores */
  w->pe = (k * w->pst + k + 7) & ~(size_t)7;
  w->part_raw = mlsh_malloc_array(d->nblocks * g * w->pe + 8, sizeof(double));
  w->part = w->part_raw ? (double *)(((uintptr_t)w->part_raw + 63) & ~(uintptr_t)63) : NULL;
  w->changed = mlsh_malloc_array(d->nblocks * g, sizeof(size_t));
  w->ipart = mlsh_malloc_array(d->nblocks * g, (L > 1 ? L : 1) * sizeof(double));
  w->sc = LS_SUB * w->wide + (g * LS_SUB + LS_SUB + k + 2) / 2 + 1;   /* doubles, then ints */
  w->scratch = mlsh_malloc_array((size_t)threads, w->sc * sizeof(double));
  int ok = w->C && w->Cold && w->cn && w->sums && w->cnt && w->lab && w->state && w->iters && w->strict &&
           w->tot && w->inertia && w->list && w->slot && w->Cact && w->cnact && w->part && w->changed &&
           w->ipart && w->scratch;
  if (ok && pp) {
    w->closest = mlsh_malloc_array(g * n, sizeof(double));
    w->dcand = mlsh_malloc_array(g * n, L * sizeof(double));
    w->cum = mlsh_malloc_array(n, sizeof(double));
    w->cand = mlsh_malloc_array(g * L * p, sizeof(double));
    w->candn = mlsh_malloc_array(g * L, sizeof(double));
    w->pot = mlsh_malloc_array(g, sizeof(double));
    w->candrow = mlsh_malloc_array(g * L, sizeof(size_t));
    ok = w->closest && w->dcand && w->cum && w->cand && w->candn && w->pot && w->candrow;
  }
  if (!ok) { ls_free(w); return MLSH_ENOMEM; }
  return MLSH_OK;
}

static double *ls_scratch(ls_ws *w, int tid) { return w->scratch + (size_t)tid * w->sc; }

static int ls_run(ls_ws *w, mlsh_range_fn fn) {
  int rc = mlsh_parallel_dynamic(w->d->nblocks, w->threads, 1, fn, w);
  if (!rc && mlsh_interrupted()) rc = MLSH_EINTR;
  return rc;
}

/* ---- k-means++ (greedy, as scikit-learn's _kmeans_plusplus), all restarts at once ---- */

/* D (m x G) = distances to each restart's first centre (in cand). */
static int pp_first(void *ctx, size_t b, size_t e, int tid) {
  ls_ws *w = ctx;
  const km_data *d = w->d;
  size_t G = (size_t)w->G, n = d->n;
  double *D = ls_scratch(w, tid);
  for (size_t blk = b; blk < e; blk++) {
    size_t r0 = blk * d->pb, r1 = r0 + d->pb < n ? r0 + d->pb : n;
    double *pot = w->ipart + blk * G * w->L;
    for (size_t j = 0; j < G; j++) pot[j] = 0.0;
    for (size_t s0 = r0; s0 < r1; s0 += LS_SUB) {
      size_t m = r1 - s0 < LS_SUB ? r1 - s0 : LS_SUB;
      dist_sq_block(d->X + s0 * d->p, d->xn + s0, m, w->cand, w->candn, G, d->p, D);
      for (size_t j = 0; j < G; j++) {
        double *cl = w->closest + j * n + s0, s = pot[j];
        for (size_t i = 0; i < m; i++) { cl[i] = D[i * G + j]; s += D[i * G + j]; }
        pot[j] = s;
      }
    }
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* Every restart's L candidates (G*L rows of cand) in one block of distances. */
static int pp_cands(void *ctx, size_t b, size_t e, int tid) {
  ls_ws *w = ctx;
  const km_data *d = w->d;
  size_t G = (size_t)w->G, L = w->L, GL = G * L, n = d->n;
  double *D = ls_scratch(w, tid);
  for (size_t blk = b; blk < e; blk++) {
    size_t r0 = blk * d->pb, r1 = r0 + d->pb < n ? r0 + d->pb : n;
    double *pot = w->ipart + blk * GL;
    for (size_t t = 0; t < GL; t++) pot[t] = 0.0;
    for (size_t s0 = r0; s0 < r1; s0 += LS_SUB) {
      size_t m = r1 - s0 < LS_SUB ? r1 - s0 : LS_SUB;
      dist_sq_block(d->X + s0 * d->p, d->xn + s0, m, w->cand, w->candn, GL, d->p, D);
      for (size_t j = 0; j < G; j++) {
        const double *cl = w->closest + j * n + s0;
        double *dc = w->dcand + (j * n + s0) * L, *pj = pot + j * L;
        for (size_t i = 0; i < m; i++)
          for (size_t t = 0; t < L; t++) {
            double v = D[i * GL + j * L + t], c = cl[i];
            v = v < c ? v : c;
            dc[i * L + t] = v;
            pj[t] += v;
          }
      }
    }
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

static int pp_init(ls_ws *w, mlsh_rng *rng) {
  const km_data *d = w->d;
  size_t n = d->n, p = d->p, k = d->k, G = (size_t)w->G, L = w->L;
  int rc;
  for (size_t j = 0; j < G; j++) {
    size_t first = (size_t)mlsh_rng_below(&rng[j], n);
    memcpy(w->C + j * k * p, d->X + first * p, p * sizeof(double));
    memcpy(w->cand + j * p, d->X + first * p, p * sizeof(double));
    w->candn[j] = d->xn[first];
  }
  if ((rc = ls_run(w, pp_first))) return rc;
  for (size_t j = 0; j < G; j++) {
    double s = 0.0;
    for (size_t b = 0; b < d->nblocks; b++) s += w->ipart[b * G * L + j];
    w->pot[j] = s;
  }
  for (size_t c = 1; c < k; c++) {
    for (size_t j = 0; j < G; j++) {
      const double *cl = w->closest + j * n;
      double acc = 0.0;
      for (size_t i = 0; i < n; i++) { acc += cl[i]; w->cum[i] = acc; }
      for (size_t t = 0; t < L; t++) {
        double v = mlsh_rng_uniform(&rng[j]) * w->pot[j];
        size_t lo = 0, hi = n;          /* first i with cum[i] >= v (searchsorted left) */
        while (lo < hi) { size_t mid = (lo + hi) / 2; if (w->cum[mid] < v) lo = mid + 1; else hi = mid; }
        size_t r = lo < n ? lo : n - 1;
        w->candrow[j * L + t] = r;
        memcpy(w->cand + (j * L + t) * p, d->X + r * p, p * sizeof(double));
        w->candn[j * L + t] = d->xn[r];
      }
    }
    if ((rc = ls_run(w, pp_cands))) return rc;
    for (size_t j = 0; j < G; j++) {
      size_t best = 0;
      double bpot = INFINITY;
      for (size_t t = 0; t < L; t++) {
        double s = 0.0;
        for (size_t b = 0; b < d->nblocks; b++) s += w->ipart[b * G * L + j * L + t];
        if (t == 0 || s < bpot) { bpot = s; best = t; }
      }
      w->pot[j] = bpot;
      double *cl = w->closest + j * n;
      const double *dc = w->dcand + j * n * L;
      for (size_t i = 0; i < n; i++) cl[i] = dc[i * L + best];
      memcpy(w->C + (j * k + c) * p, d->X + w->candrow[j * L + best] * p, p * sizeof(double));
    }
  }
  return MLSH_OK;
}

/* ---- Lloyd passes ---- */

/* Nearest centre of m rows: D holds k rows of m values (-2 x.c), cn the
 * centre norms; ties go to the lower centre. Four rows at a time, the
 * running minimum in registers (GCC vector types: AVX2 or SSE2 pairs). */
typedef double ls_v4d __attribute__((vector_size(32), aligned(8), may_alias));
typedef long long ls_v4i __attribute__((vector_size(32), aligned(8), may_alias));

DIST_HOT static void ls_argmin(const double *restrict D, const double *restrict cn, size_t k, size_t m,
                               int *restrict out) {
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    ls_v4d b = *(const ls_v4d *)(D + i) + cn[0], a = {0.0, 0.0, 0.0, 0.0};
    for (size_t c = 1; c < k; c++) {
      ls_v4d v = *(const ls_v4d *)(D + c * m + i) + cn[c];
      ls_v4i lt = v < b;
      ls_v4d fc = {(double)c, (double)c, (double)c, (double)c};
      b = (ls_v4d)(((ls_v4i)v & lt) | ((ls_v4i)b & ~lt));
      a = (ls_v4d)(((ls_v4i)fc & lt) | ((ls_v4i)a & ~lt));
    }
    out[i] = (int)a[0]; out[i + 1] = (int)a[1]; out[i + 2] = (int)a[2]; out[i + 3] = (int)a[3];
  }
  for (; i < m; i++) {
    double b = D[i] + cn[0];
    int a = 0;
    for (size_t c = 1; c < k; c++) {
      double v = D[c * m + i] + cn[c];
      if (v < b) { b = v; a = (int)c; }
    }
    out[i] = a;
  }
}

/* Labels of m rows from arg; the sums of each centre's rows into ps (k
 * rows of pst) and the counts into pc. Rows are bucketed by centre first
 * (ord, cs: m and k + 1 ints of scratch), then each centre's rows are
 * added up in registers, 16 columns at a time: the sums are written once
 * per call instead of once per row. */
DIST_HOT static size_t ls_accum(const double *restrict Xs, size_t m, size_t p, size_t pst, size_t k,
                                const int *restrict arg, int *restrict lab, double *restrict ps,
                                double *restrict pc, int *restrict ord, int *restrict cs) {
  size_t changed = 0;
  for (size_t c = 0; c <= k; c++) cs[c] = 0;
  for (size_t i = 0; i < m; i++) {
    changed += lab[i] != arg[i];
    lab[i] = arg[i];
    cs[arg[i] + 1]++;
  }
  for (size_t c = 0; c < k; c++) cs[c + 1] += cs[c];
  for (size_t i = 0; i < m; i++) ord[cs[arg[i]]++] = (int)i;   /* cs[c] now ends bucket c */
  int b0 = 0;
  for (size_t c = 0; c < k; c++) {
    int b1 = cs[c];
    if (b1 == b0) continue;
    pc[c] += (double)(b1 - b0);
    double *restrict s = ps + c * pst;
    size_t j = 0;
    for (; j + 16 <= p; j += 16) {
      ls_v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
      for (int t = b0; t < b1; t++) {
        const double *x = Xs + (size_t)ord[t] * p + j;
        a0 += *(const ls_v4d *)x; a1 += *(const ls_v4d *)(x + 4);
        a2 += *(const ls_v4d *)(x + 8); a3 += *(const ls_v4d *)(x + 12);
      }
      *(ls_v4d *)(s + j) += a0; *(ls_v4d *)(s + j + 4) += a1;
      *(ls_v4d *)(s + j + 8) += a2; *(ls_v4d *)(s + j + 12) += a3;
    }
    for (; j + 4 <= p; j += 4) {
      ls_v4d a0 = {0};
      for (int t = b0; t < b1; t++) a0 += *(const ls_v4d *)(Xs + (size_t)ord[t] * p + j);
      *(ls_v4d *)(s + j) += a0;
    }
    for (; j < p; j++) {
      double a0 = 0.0;
      for (int t = b0; t < b1; t++) a0 += Xs[(size_t)ord[t] * p + j];
      s[j] += a0;
    }
    b0 = b1;
  }
  return changed;
}

static int ls_pass(void *ctx, size_t b, size_t e, int tid) {
  ls_ws *w = ctx;
  const km_data *d = w->d;
  size_t n = d->n, k = d->k, p = d->p, G = (size_t)w->G, nk = (size_t)w->nact * k, pst = w->pst, pe = w->pe;
  double *D = ls_scratch(w, tid);
  int *arg = (int *)(D + LS_SUB * w->wide);   /* per listed restart: LS_SUB labels */
  int *ord = arg + (size_t)G * LS_SUB;        /* LS_SUB + k + 1 ints for ls_accum */
  for (size_t blk = b; blk < e; blk++) {
    size_t r0 = blk * d->pb, r1 = r0 + d->pb < n ? r0 + d->pb : n;
    for (int q = 0; q < w->nlist; q++) {
      size_t j = (size_t)w->list[q];
      if (w->state[j] == LS_RUN) memset(w->part + (blk * G + j) * pe, 0, pe * sizeof(double));
      w->changed[blk * G + j] = 0;
      w->ipart[blk * G + j] = 0.0;
    }
    for (size_t s0 = r0; s0 < r1; s0 += LS_SUB) {
      size_t m = r1 - s0 < LS_SUB ? r1 - s0 : LS_SUB;
      const double *Xs = d->X + s0 * p;
      if (nk)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nk, (int)m, (int)p, -2.0, w->Cact, (int)p,
                    Xs, (int)p, 0.0, D, (int)m);
      int any_run = 0;
      for (int q = 0; q < w->nlist; q++) {
        size_t j = (size_t)w->list[q];
        if (w->state[j] == LS_KEEP) continue;
        size_t g = (size_t)w->slot[j];
        ls_argmin(D + g * k * m, w->cnact + g * k, k, m, arg + (size_t)q * LS_SUB);
        any_run |= w->state[j] == LS_RUN;
      }
      for (int q = 0; q < w->nlist && any_run; q++) {
        size_t j = (size_t)w->list[q];
        if (w->state[j] != LS_RUN) continue;
        double *ps = w->part + (blk * G + j) * pe;
        w->changed[blk * G + j] += ls_accum(Xs, m, p, pst, k, arg + (size_t)q * LS_SUB, w->lab + j * n + s0,
                                            ps, ps + k * pst, ord, ord + LS_SUB);
      }
      for (int q = 0; q < w->nlist; q++) {
        size_t j = (size_t)w->list[q];
        int *lab = w->lab + j * n + s0, st = w->state[j];
        if (st == LS_RUN) continue;
        if (st == LS_RELABEL) memcpy(lab, arg + (size_t)q * LS_SUB, m * sizeof(int));
        /* Inertia with the final centres, row by row as the per-restart path. */
        const double *C = w->C + j * k * p;
        double s = w->ipart[blk * G + j];
        for (size_t i = 0; i < m; i++) s += dist_sq_pair(Xs + i * p, C + (size_t)lab[i] * p, p);
        w->ipart[blk * G + j] = s;
      }
    }
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* Empty clusters of restart j take the rows farthest from their centres
 * (scikit-learn's relocation), as relocate_empty in kmeans.c. */
static void ls_relocate_empty(ls_ws *w, size_t j) {
  const km_data *d = w->d;
  size_t k = d->k, p = d->p, n = d->n;
  double *cnt = w->cnt + j * k, *sums = w->sums + j * k * p;
  const double *Cold = w->Cold + j * k * p;
  int *lab = w->lab + j * n;
  for (size_t c = 0; c < k; c++) {
    if (cnt[c] > 0.5) continue;
    size_t far = 0;
    double fd = -1.0;
    for (size_t i = 0; i < n; i++) {
      size_t a = (size_t)lab[i];
      if (cnt[a] < 1.5) continue;      /* never empty another cluster */
      double v = dist_sq_pair(d->X + i * p, Cold + a * p, p);
      if (v > fd) { fd = v; far = i; }
    }
    if (fd < 0.0) continue;
    size_t a = (size_t)lab[far];
    const double *x = d->X + far * p;
    for (size_t q = 0; q < p; q++) { sums[a * p + q] -= x[q]; sums[c * p + q] = x[q]; }
    cnt[a] -= 1.0;
    cnt[c] = 1.0;
    lab[far] = (int)c;
  }
}

/* M-step of restart j; returns the summed squared shift of its centres. */
static double ls_update(ls_ws *w, size_t j) {
  const km_data *d = w->d;
  size_t k = d->k, p = d->p;
  double *C = w->C + j * k * p, *Cold = w->Cold + j * k * p, *sums = w->sums + j * k * p, *cnt = w->cnt + j * k;
  double tot = 0.0;
  memcpy(Cold, C, k * p * sizeof(double));
  ls_relocate_empty(w, j);
  for (size_t c = 0; c < k; c++) {
    if (cnt[c] > 0.5)
      for (size_t q = 0; q < p; q++) C[c * p + q] = sums[c * p + q] / cnt[c];
    tot += dist_sq_pair(C + c * p, Cold + c * p, p);
  }
  dist_row_sqnorms(C, k, p, w->cn + j * k);
  return tot;
}

/* The restarts still in play, and the packed centres of those that relabel. */
static void ls_plan(ls_ws *w) {
  size_t k = w->d->k, kp = k * w->d->p;
  w->nlist = 0;
  w->nact = 0;
  for (int j = 0; j < w->G; j++) {
    w->slot[j] = -1;
    if (w->state[j] == LS_DONE) continue;
    w->list[w->nlist++] = j;
    if (w->state[j] == LS_KEEP) continue;
    w->slot[j] = w->nact;
    memcpy(w->Cact + (size_t)w->nact * kp, w->C + (size_t)j * kp, kp * sizeof(double));
    memcpy(w->cnact + (size_t)w->nact * k, w->cn + (size_t)j * k, k * sizeof(double));
    w->nact++;
  }
}

static int ls_lloyd(ls_ws *w, int max_iter) {
  const km_data *d = w->d;
  size_t n = d->n, k = d->k, p = d->p, kp = k * p, G = (size_t)w->G;
  int rc;
  for (size_t j = 0; j < G; j++) {
    w->state[j] = LS_RUN;
    w->iters[j] = 0;
    w->strict[j] = 0;
    w->tot[j] = INFINITY;
    for (size_t i = 0; i < n; i++) w->lab[j * n + i] = -1;
    dist_row_sqnorms(w->C + j * kp, k, p, w->cn + j * k);
  }
  for (;;) {
    ls_plan(w);
    if (w->nlist == 0) break;
    if ((rc = ls_run(w, ls_pass))) return rc;
    for (int q = 0; q < w->nlist; q++) {
      size_t j = (size_t)w->list[q];
      if (w->state[j] != LS_RUN) {
        double s = 0.0;
        for (size_t b = 0; b < d->nblocks; b++) s += w->ipart[b * G + j];
        w->inertia[j] = s;
        w->state[j] = LS_DONE;
        continue;
      }
      /* sums/cnt = parts in block order */
      double *sums = w->sums + j * kp, *cnt = w->cnt + j * k;
      size_t changed = 0;
      memset(sums, 0, kp * sizeof(double));
      memset(cnt, 0, k * sizeof(double));
      for (size_t b = 0; b < d->nblocks; b++) {
        const double *ps = w->part + (b * G + j) * w->pe;
        changed += w->changed[b * G + j];
        for (size_t c = 0; c < k; c++)
          for (size_t q = 0; q < p; q++) sums[c * p + q] += ps[c * w->pst + q];
        for (size_t c = 0; c < k; c++) cnt[c] += ps[k * w->pst + c];
      }
      int it = ++w->iters[j];
      double tot = ls_update(w, j);
      w->tot[j] = tot;
      if (it > 1 && changed == 0) { w->strict[j] = 1; w->state[j] = LS_KEEP; }
      else if (tot <= d->tol || it == max_iter) w->state[j] = LS_RELABEL;
    }
  }
  return MLSH_OK;
}

int km_fit_lockstep(const km_data *d, const km_opts *o, const double *mean, int nstart, int threads,
                    double *best_C, int *best_lab, double *best_in, int *best_it, int *best_conv) {
  size_t n = d->n, p = d->p, k = d->k, kp = k * p;
  size_t L = 2 + (size_t)log((double)k);
  if (L > LS_MAXCAND) L = LS_MAXCAND;
  int pp = o->init == KM_INIT_PLUSPLUS;
  /* Batch: at most 256 centre columns per dgemm, and per-restart state
   * (labels, k-means++ distances) within a few times the data's size. */
  size_t per = n * (sizeof(int) + (pp ? (1 + L) * sizeof(double) : 0)), cap = 8 * n * p;
  if (cap < ((size_t)64 << 20)) cap = (size_t)64 << 20;
  int G = nstart;
  while (G > 1 && ((size_t)G * k > 256 || (size_t)G * per > cap)) G--;
  ls_ws w;
  int rc = ls_alloc(&w, d, G, threads, L, pp);
  if (rc) return rc;
  mlsh_rng root, *rng = mlsh_malloc_array((size_t)G, sizeof(mlsh_rng));
  if (!rng) { ls_free(&w); return MLSH_ENOMEM; }
  mlsh_rng_seed(&root, o->seed);
  /* With one thread of ours, keep OpenBLAS to one too: its split of a
   * dgemm must not depend on the thread count either. */
  int saved_blas = mlsh_blas_threads();
  if (threads == 1) mlsh_blas_set_threads(1);
  *best_in = INFINITY;
  for (int s0 = 0; s0 < nstart && !rc; s0 += G) {
    int g = nstart - s0 < G ? nstart - s0 : G;
    w.G = g;
    for (int j = 0; j < g; j++) {
      mlsh_rng_split(&root, (uint64_t)(s0 + j), &rng[j]);
      double *C = w.C + (size_t)j * kp;
      if (o->init == KM_INIT_GIVEN) {
        for (size_t c = 0; c < k; c++)
          for (size_t q = 0; q < p; q++) C[c * p + q] = MAT_AT(o->centers0, c, q) - mean[q];
      } else if (o->init == KM_INIT_RANDOM) {
        /* k distinct rows: a partial Fisher-Yates on the index array lab. */
        int *idx = w.lab + (size_t)j * n;
        for (size_t i = 0; i < n; i++) idx[i] = (int)i;
        for (size_t c = 0; c < k; c++) {
          size_t r = c + (size_t)mlsh_rng_below(&rng[j], n - c);
          int t = idx[c]; idx[c] = idx[r]; idx[r] = t;
          memcpy(C + c * p, d->X + (size_t)idx[c] * p, p * sizeof(double));
        }
      }
    }
    if (pp && (rc = pp_init(&w, rng))) break;
    if ((rc = ls_lloyd(&w, o->max_iter))) break;
    for (int j = 0; j < g; j++)
      if ((s0 == 0 && j == 0) || w.inertia[j] < *best_in) {   /* ties: the earlier restart */
        *best_in = w.inertia[j];
        *best_it = w.iters[j];
        *best_conv = w.strict[j] || w.tot[j] <= d->tol;
        memcpy(best_C, w.C + (size_t)j * kp, kp * sizeof(double));
        memcpy(best_lab, w.lab + (size_t)j * n, n * sizeof(int));
      }
  }
  if (threads == 1) mlsh_blas_set_threads(saved_blas);
  mlsh_free(rng);
  ls_free(&w);
  return rc;
}
