/* kmeans.c - K-Means (see kmeans.h).
 *
 * Data are centred first (as scikit-learn) so that |x|^2 - 2x.c + |c|^2
 * loses little to cancellation. Rows are cut into fixed "part" blocks
 * whose partial sums are reduced in block order: the result does not
 * depend on how many threads ran. */
#include <math.h>
#include <string.h>
#include "kmeans.h"
#include "kmeans_impl.h"
#include "dist.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/rng.h"
#include "../core/threads.h"

#define SUB 256            /* rows per dgemm call */
#define MAX_CAND 64        /* k-means++ local trials cap */
#define KM_LOCKSTEP_MAXK 20   /* auto: lockstep Lloyd up to this k, Hamerly above (even at k = 20 on 100000x50) */

typedef struct {
  const km_data *d;
  int threads;
  double *C, *Cold, *cn, *sums, *cnt, *shift, *s;
  double *part;            /* nblocks x (k*p + k) */
  unsigned char *touched;  /* nblocks */
  size_t *changed;         /* nblocks */
  double *u, *l, *closest, *cum, *dcand;
  double *scratch;         /* per thread: SUB x wide distances, SUB x p gathered rows, SUB norms */
  size_t *gidx;            /* per thread: SUB gathered row numbers */
  int *lab;
  size_t cand[MAX_CAND], ncand, wide;   /* wide: scratch columns per row */
  double cpot[MAX_CAND];
  double *cpart;           /* nblocks x MAX_CAND */
} km_ws;

static void ws_free(km_ws *w) {
  mlsh_free(w->C); mlsh_free(w->Cold); mlsh_free(w->cn); mlsh_free(w->sums); mlsh_free(w->cnt);
  mlsh_free(w->shift); mlsh_free(w->s); mlsh_free(w->part); mlsh_free(w->touched); mlsh_free(w->changed);
  mlsh_free(w->u); mlsh_free(w->l); mlsh_free(w->closest); mlsh_free(w->cum); mlsh_free(w->dcand);
  mlsh_free(w->scratch); mlsh_free(w->gidx); mlsh_free(w->lab); mlsh_free(w->cpart);
  memset(w, 0, sizeof *w);
}

static int ws_alloc(km_ws *w, const km_data *d, int threads, size_t ncand_max) {
  size_t n = d->n, k = d->k, p = d->p, wide = k > ncand_max ? k : ncand_max;
  memset(w, 0, sizeof *w);
  w->d = d;
  w->threads = threads;
  w->wide = wide;
  w->C = mlsh_malloc_array(k * p, sizeof(double));
  w->Cold = mlsh_malloc_array(wide * p, sizeof(double));   /* also k-means++ candidates */
  w->cn = mlsh_malloc_array(k, sizeof(double));
  w->sums = mlsh_malloc_array(k * p, sizeof(double));
  w->cnt = mlsh_malloc_array(k, sizeof(double));
  w->shift = mlsh_malloc_array(k, sizeof(double));
  w->s = mlsh_malloc_array(wide, sizeof(double));
  w->part = mlsh_malloc_array(d->nblocks, (k * p + k) * sizeof(double));
  w->touched = mlsh_malloc_array(d->nblocks, 1);
  w->changed = mlsh_malloc_array(d->nblocks, sizeof(size_t));
  w->u = mlsh_malloc_array(n, sizeof(double));
  w->l = mlsh_malloc_array(n, sizeof(double));
  w->closest = mlsh_malloc_array(n, sizeof(double));
  w->cum = mlsh_malloc_array(n, sizeof(double));
  w->dcand = mlsh_malloc_array(n, ncand_max * sizeof(double));
  w->scratch = mlsh_malloc_array((size_t)threads * SUB, (wide + p + 1) * sizeof(double));
  w->gidx = mlsh_malloc_array((size_t)threads * SUB, sizeof(size_t));
  w->lab = mlsh_malloc_array(n, sizeof(int));
  w->cpart = mlsh_malloc_array(d->nblocks, MAX_CAND * sizeof(double));
  if (!w->C || !w->Cold || !w->cn || !w->sums || !w->cnt || !w->shift || !w->s || !w->part || !w->touched ||
      !w->changed || !w->u || !w->l || !w->closest || !w->cum || !w->dcand || !w->scratch || !w->gidx || !w->lab || !w->cpart) {
    ws_free(w);
    return MLSH_ENOMEM;
  }
  return MLSH_OK;
}

static double *scratch_of(km_ws *w, int tid) { return w->scratch + (size_t)tid * SUB * (w->wide + w->d->p + 1); }

static int run_blocks(km_ws *w, mlsh_range_fn fn) {
  return mlsh_parallel_dynamic(w->d->nblocks, w->threads, 1, fn, w);
}

/* ---- k-means++ (greedy, as scikit-learn's _kmeans_plusplus) ---- */

static int pp_first(void *ctx, size_t b, size_t e, int tid) {
  km_ws *w = ctx;
  const km_data *d = w->d;
  double *D = scratch_of(w, tid);
  for (size_t blk = b; blk < e; blk++) {
    size_t r0 = blk * d->pb, r1 = r0 + d->pb < d->n ? r0 + d->pb : d->n;
    double pot = 0.0;
    for (size_t s0 = r0; s0 < r1; s0 += SUB) {
      size_t m = r1 - s0 < SUB ? r1 - s0 : SUB;
      dist_sq_block(d->X + s0 * d->p, d->xn + s0, m, w->C, w->cn, 1, d->p, D);
      for (size_t i = 0; i < m; i++) { w->closest[s0 + i] = D[i]; pot += D[i]; }
    }
    w->cpart[blk * MAX_CAND] = pot;
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

static int pp_cands(void *ctx, size_t b, size_t e, int tid) {
  km_ws *w = ctx;
  const km_data *d = w->d;
  size_t L = w->ncand;
  double *D = scratch_of(w, tid);
  for (size_t blk = b; blk < e; blk++) {
    size_t r0 = blk * d->pb, r1 = r0 + d->pb < d->n ? r0 + d->pb : d->n;
    double pot[MAX_CAND] = {0};
    for (size_t s0 = r0; s0 < r1; s0 += SUB) {
      size_t m = r1 - s0 < SUB ? r1 - s0 : SUB;
      dist_sq_block(d->X + s0 * d->p, d->xn + s0, m, w->Cold, w->s, L, d->p, D);
      for (size_t i = 0; i < m; i++)
        for (size_t t = 0; t < L; t++) {
          double v = D[i * L + t], c = w->closest[s0 + i];
          v = v < c ? v : c;
          w->dcand[(s0 + i) * L + t] = v;
          pot[t] += v;
        }
    }
    memcpy(w->cpart + blk * MAX_CAND, pot, L * sizeof(double));
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* Local trials per centre: 2 + log k, as scikit-learn. */
static size_t pp_trials(size_t k) {
  size_t L = 2 + (size_t)log((double)k);
  return L > MAX_CAND ? MAX_CAND : L;
}

/* Part blocks: fixed row ranges (see the top of this file). */
static void set_blocks(km_data *d) {
  d->pb = d->n / 64 > 2048 ? d->n / 64 + 1 : 2048;
  d->nblocks = (d->n + d->pb - 1) / d->pb;
}

static int kmeans_pp(km_ws *w, mlsh_rng *rng) {
  const km_data *d = w->d;
  size_t n = d->n, p = d->p, k = d->k;
  size_t L = pp_trials(k);
  size_t first = (size_t)mlsh_rng_below(rng, n);
  memcpy(w->C, d->X + first * p, p * sizeof(double));
  w->cn[0] = d->xn[first];
  int rc = run_blocks(w, pp_first);
  if (rc) return rc;
  double pot = 0.0;
  for (size_t b = 0; b < d->nblocks; b++) pot += w->cpart[b * MAX_CAND];
  for (size_t c = 1; c < k; c++) {
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) { acc += w->closest[i]; w->cum[i] = acc; }
    w->ncand = L;
    for (size_t t = 0; t < L; t++) {
      double v = mlsh_rng_uniform(rng) * pot;
      size_t lo = 0, hi = n;          /* first i with cum[i] >= v (searchsorted left) */
      while (lo < hi) { size_t mid = (lo + hi) / 2; if (w->cum[mid] < v) lo = mid + 1; else hi = mid; }
      w->cand[t] = lo < n ? lo : n - 1;
      /* Candidate rows go to Cold (scratch for this step), their norms to s. */
      memcpy(w->Cold + t * p, d->X + w->cand[t] * p, p * sizeof(double));
      w->s[t] = d->xn[w->cand[t]];
    }
    if ((rc = run_blocks(w, pp_cands))) return rc;
    size_t best = 0;
    for (size_t t = 0; t < L; t++) {
      double s = 0.0;
      for (size_t b = 0; b < d->nblocks; b++) s += w->cpart[b * MAX_CAND + t];
      w->cpot[t] = s;
      if (s < w->cpot[best]) best = t;
    }
    pot = w->cpot[best];
    for (size_t i = 0; i < n; i++) w->closest[i] = w->dcand[i * L + best];
    memcpy(w->C + c * p, d->X + w->cand[best] * p, p * sizeof(double));
    w->cn[c] = d->xn[w->cand[best]];
  }
  return MLSH_OK;
}

int km_seed_plusplus(const double *X, size_t n, size_t p, size_t k, mlsh_rng *rng, double *C) {
  km_data d = {.X = X, .n = n, .p = p, .k = k};
  km_ws w;
  double *xn = mlsh_malloc_array(n, sizeof(double));
  set_blocks(&d);
  d.xn = xn;
  if (!xn) return MLSH_ENOMEM;
  if (ws_alloc(&w, &d, 1, pp_trials(k))) { mlsh_free(xn); return MLSH_ENOMEM; }
  dist_row_sqnorms(X, n, p, xn);
  int rc = kmeans_pp(&w, rng);
  if (!rc) memcpy(C, w.C, k * p * sizeof(double));
  ws_free(&w);
  mlsh_free(xn);
  return rc;
}

/* ---- assignment steps ---- */

static double *part_of(km_ws *w, size_t blk) { return w->part + blk * (w->d->k * w->d->p + w->d->k); }

/* Nearest and second-nearest entries of a row of k squared distances. */
static inline size_t two_nearest(const double *di, size_t k, double *d1, double *d2) {
  size_t a = 0;
  double b1 = di[0], b2 = INFINITY;
  for (size_t c = 1; c < k; c++) {
    if (di[c] < b1) { b2 = b1; b1 = di[c]; a = c; }
    else if (di[c] < b2) b2 = di[c];
  }
  *d1 = b1;
  *d2 = b2;
  return a;
}

/* Every row against every centre (dgemm): labels, both bounds, and the
 * block's full sums. */
static int assign_full(void *ctx, size_t b, size_t e, int tid) {
  km_ws *w = ctx;
  const km_data *d = w->d;
  size_t k = d->k, p = d->p;
  double *D = scratch_of(w, tid);
  for (size_t blk = b; blk < e; blk++) {
    size_t r0 = blk * d->pb, r1 = r0 + d->pb < d->n ? r0 + d->pb : d->n, changed = 0;
    double *ps = part_of(w, blk), *pc = ps + k * p;
    memset(ps, 0, (k * p + k) * sizeof(double));
    for (size_t s0 = r0; s0 < r1; s0 += SUB) {
      size_t m = r1 - s0 < SUB ? r1 - s0 : SUB;
      dist_sq_block(d->X + s0 * p, d->xn + s0, m, w->C, w->cn, k, p, D);
      for (size_t i = 0; i < m; i++) {
        size_t r = s0 + i;
        double d1, d2;
        size_t a = two_nearest(D + i * k, k, &d1, &d2);
        if (w->lab[r] != (int)a) changed++;
        w->lab[r] = (int)a;
        w->u[r] = sqrt(d1);
        w->l[r] = sqrt(d2);
        const double *x = d->X + r * p;
        double *sa = ps + a * p;
        for (size_t j = 0; j < p; j++) sa[j] += x[j];
        pc[a] += 1.0;
      }
    }
    w->changed[blk] = changed;
    w->touched[blk] = 1;
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* Re-assign the m gathered rows (their bounds failed) with one dgemm
 * against all centres; moves are recorded as +x / -x deltas in the part. */
static size_t hamerly_flush(km_ws *w, size_t blk, const size_t *rows, size_t m, double *G, double *gn, double *D) {
  const km_data *d = w->d;
  size_t k = d->k, p = d->p, changed = 0;
  double *ps = part_of(w, blk), *pc = ps + k * p;
  dist_sq_block(G, gn, m, w->C, w->cn, k, p, D);
  for (size_t i = 0; i < m; i++) {
    size_t r = rows[i], a = (size_t)w->lab[r];
    double d1, d2;
    size_t best = two_nearest(D + i * k, k, &d1, &d2);
    w->u[r] = sqrt(d1);
    w->l[r] = sqrt(d2);
    if (best == a) continue;
    if (!w->touched[blk]) { memset(ps, 0, (k * p + k) * sizeof(double)); w->touched[blk] = 1; }
    const double *x = d->X + r * p;
    for (size_t j = 0; j < p; j++) { ps[a * p + j] -= x[j]; ps[best * p + j] += x[j]; }
    pc[a] -= 1.0;
    pc[best] += 1.0;
    w->lab[r] = (int)best;
    changed++;
  }
  return changed;
}

/* Hamerly: a row keeps its centre while its upper bound stays below the
 * larger of its lower bound and half the distance to the nearest other
 * centre. Rows that fail are gathered and re-assigned through dgemm, so a
 * pass never costs much more than Lloyd's even when the bounds are weak
 * (overlapping clusters in many dimensions). */
static int assign_hamerly(void *ctx, size_t b, size_t e, int tid) {
  km_ws *w = ctx;
  const km_data *d = w->d;
  size_t k = d->k, p = d->p;
  double dmax1 = 0.0, dmax2 = 0.0;
  size_t amax = 0;
  double *D = scratch_of(w, tid), *G = D + SUB * w->wide, *gn = G + SUB * p;
  size_t *rows = w->gidx + (size_t)tid * SUB;
  for (size_t c = 0; c < k; c++) {
    if (w->shift[c] > dmax1) { dmax2 = dmax1; dmax1 = w->shift[c]; amax = c; }
    else if (w->shift[c] > dmax2) dmax2 = w->shift[c];
  }
  for (size_t blk = b; blk < e; blk++) {
    size_t r0 = blk * d->pb, r1 = r0 + d->pb < d->n ? r0 + d->pb : d->n, changed = 0, m = 0;
    w->touched[blk] = 0;
    for (size_t r = r0; r < r1; r++) {
      size_t a = (size_t)w->lab[r];
      double u = w->u[r] + w->shift[a];
      double l = w->l[r] - (a == amax ? dmax2 : dmax1);
      double lim = w->s[a] > l ? w->s[a] : l;
      w->l[r] = l;
      if (u > lim) u = sqrt(dist_sq_pair(d->X + r * p, w->C + a * p, p));   /* tighten */
      w->u[r] = u;
      if (u <= lim) continue;
      memcpy(G + m * p, d->X + r * p, p * sizeof(double));
      gn[m] = d->xn[r];
      rows[m++] = r;
      if (m == SUB) { changed += hamerly_flush(w, blk, rows, m, G, gn, D); m = 0; }
    }
    if (m) changed += hamerly_flush(w, blk, rows, m, G, gn, D);
    w->changed[blk] = changed;
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* sums/cnt = (add ? sums/cnt : 0) + parts, in block order. */
static size_t reduce_parts(km_ws *w, int add) {
  size_t kp = w->d->k * w->d->p, k = w->d->k, changed = 0;
  if (!add) { memset(w->sums, 0, kp * sizeof(double)); memset(w->cnt, 0, k * sizeof(double)); }
  for (size_t b = 0; b < w->d->nblocks; b++) {
    changed += w->changed[b];
    if (!w->touched[b]) continue;
    const double *ps = part_of(w, b);
    for (size_t j = 0; j < kp; j++) w->sums[j] += ps[j];
    for (size_t c = 0; c < k; c++) w->cnt[c] += ps[kp + c];
  }
  return changed;
}

/* Empty clusters take the rows farthest from their centres (scikit-learn's
 * relocation); the moved rows get zero bounds so Hamerly re-checks them. */
static void relocate_empty(km_ws *w) {
  const km_data *d = w->d;
  size_t k = d->k, p = d->p;
  for (size_t c = 0; c < k; c++) {
    if (w->cnt[c] > 0.5) continue;
    size_t far = 0;
    double fd = -1.0;
    for (size_t i = 0; i < d->n; i++) {
      size_t a = (size_t)w->lab[i];
      if (w->cnt[a] < 1.5) continue;      /* never empty another cluster */
      double v = dist_sq_pair(d->X + i * p, w->Cold + a * p, p);
      if (v > fd) { fd = v; far = i; }
    }
    if (fd < 0.0) continue;
    size_t a = (size_t)w->lab[far];
    const double *x = d->X + far * p;
    for (size_t j = 0; j < p; j++) { w->sums[a * p + j] -= x[j]; w->sums[c * p + j] = x[j]; }
    w->cnt[a] -= 1.0;
    w->cnt[c] = 1.0;
    w->lab[far] = (int)c;
    w->u[far] = 0.0;
    w->l[far] = 0.0;
  }
}

/* M-step: new centres from sums; per-centre shifts; returns the summed
 * squared shift. Also refreshes norms and Hamerly's half-gaps s. */
static double update_centers(km_ws *w) {
  const km_data *d = w->d;
  size_t k = d->k, p = d->p;
  double tot = 0.0;
  memcpy(w->Cold, w->C, k * p * sizeof(double));
  relocate_empty(w);
  for (size_t c = 0; c < k; c++) {
    if (w->cnt[c] > 0.5)
      for (size_t j = 0; j < p; j++) w->C[c * p + j] = w->sums[c * p + j] / w->cnt[c];
    double s2 = dist_sq_pair(w->C + c * p, w->Cold + c * p, p);
    w->shift[c] = sqrt(s2);
    tot += s2;
  }
  dist_row_sqnorms(w->C, k, p, w->cn);
  for (size_t c = 0; c < k; c++) w->s[c] = INFINITY;
  for (size_t c = 0; c < k; c++)
    for (size_t c2 = c + 1; c2 < k; c2++) {
      double v = 0.5 * sqrt(dist_sq_pair(w->C + c * p, w->C + c2 * p, p));
      if (v < w->s[c]) w->s[c] = v;
      if (v < w->s[c2]) w->s[c2] = v;
    }
  return tot;
}

static int inertia_blocks(void *ctx, size_t b, size_t e, int tid) {
  km_ws *w = ctx;
  const km_data *d = w->d;
  (void)tid;
  for (size_t blk = b; blk < e; blk++) {
    size_t r0 = blk * d->pb, r1 = r0 + d->pb < d->n ? r0 + d->pb : d->n;
    double s = 0.0;
    for (size_t r = r0; r < r1; r++) s += dist_sq_pair(d->X + r * d->p, w->C + (size_t)w->lab[r] * d->p, d->p);
    w->cpart[blk * MAX_CAND] = s;
  }
  return MLSH_OK;
}

/* One K-Means run from the centres in w->C. */
static int run_one(km_ws *w, km_algo algo, int max_iter, int *iters, int *converged, double *inertia) {
  const km_data *d = w->d;
  int rc, strict = 0;
  double tot = INFINITY;
  for (size_t i = 0; i < d->n; i++) w->lab[i] = -1;
  dist_row_sqnorms(w->C, d->k, d->p, w->cn);
  if ((rc = run_blocks(w, assign_full))) return rc;
  size_t changed = reduce_parts(w, 0);
  int it;
  for (it = 1; it <= max_iter; it++) {
    tot = update_centers(w);
    if (it > 1 && changed == 0) { strict = 1; break; }
    if (tot <= d->tol || it == max_iter) break;
    if (mlsh_interrupted()) return MLSH_EINTR;
    if (algo == KM_LLOYD) {
      if ((rc = run_blocks(w, assign_full))) return rc;
      changed = reduce_parts(w, 0);
    } else {
      if ((rc = run_blocks(w, assign_hamerly))) return rc;
      changed = reduce_parts(w, 1);
    }
  }
  *iters = it > max_iter ? max_iter : it;
  *converged = strict || tot <= d->tol;
  /* Labels must match the final centres (scikit-learn reruns the E-step);
   * Hamerly's bounds are valid for them, so its pass is exact and cheap. */
  if (!strict && (rc = run_blocks(w, algo == KM_LLOYD ? assign_full : assign_hamerly))) return rc;
  if ((rc = run_blocks(w, inertia_blocks))) return rc;
  double s = 0.0;
  for (size_t b = 0; b < d->nblocks; b++) s += w->cpart[b * MAX_CAND];
  *inertia = s;
  return MLSH_OK;
}

/* ---- restarts ---- */

typedef struct {
  const km_data *d;
  const km_opts *o;
  const double *mean;
  km_algo algo;
  km_ws *ws;            /* one per outer worker */
  double *best_C;       /* per worker k*p */
  int *best_lab;        /* per worker n */
  double best_in[256];
  int best_start[256], best_it[256], best_conv[256];
} km_job;

static int start_one(void *ctx, size_t b, size_t e, int tid) {
  km_job *j = ctx;
  const km_data *d = j->d;
  km_ws *w = &j->ws[tid];
  mlsh_rng root;
  mlsh_rng_seed(&root, j->o->seed);
  for (size_t s = b; s < e; s++) {
    mlsh_rng rng;
    mlsh_rng_split(&root, s, &rng);
    int rc;
    if (j->o->init == KM_INIT_GIVEN) {
      for (size_t c = 0; c < d->k; c++)
        for (size_t q = 0; q < d->p; q++) w->C[c * d->p + q] = MAT_AT(j->o->centers0, c, q) - j->mean[q];
    } else if (j->o->init == KM_INIT_RANDOM) {
      /* k distinct rows: a partial Fisher-Yates on the index array lab. */
      for (size_t i = 0; i < d->n; i++) w->lab[i] = (int)i;
      for (size_t c = 0; c < d->k; c++) {
        size_t r = c + (size_t)mlsh_rng_below(&rng, d->n - c);
        int t = w->lab[c]; w->lab[c] = w->lab[r]; w->lab[r] = t;
        memcpy(w->C + c * d->p, d->X + (size_t)w->lab[c] * d->p, d->p * sizeof(double));
      }
    } else if ((rc = kmeans_pp(w, &rng))) {
      return rc;
    }
    int it, conv;
    double in;
    if ((rc = run_one(w, j->algo, j->o->max_iter, &it, &conv, &in))) return rc;
    if (in < j->best_in[tid] || (in == j->best_in[tid] && (int)s < j->best_start[tid])) {
      j->best_in[tid] = in;
      j->best_start[tid] = (int)s;
      j->best_it[tid] = it;
      j->best_conv[tid] = conv;
      memcpy(j->best_C + (size_t)tid * d->k * d->p, w->C, d->k * d->p * sizeof(double));
      memcpy(j->best_lab + (size_t)tid * d->n, w->lab, d->n * sizeof(int));
    }
  }
  return MLSH_OK;
}

void km_opts_default(km_opts *o, size_t k) {
  memset(o, 0, sizeof *o);
  o->k = k;
  o->init = KM_INIT_PLUSPLUS;
  o->nstart = 10;
  o->max_iter = 300;
  o->tol = 1e-4;
  o->algo = KM_AUTO;
}

void km_result_free(km_result *r) {
  mat_free(&r->centers);
  mlsh_free(r->labels);
  mlsh_free(r->sizes);
  r->labels = NULL;
  r->sizes = NULL;
}

int km_fit(const mlsh_mat *X, const km_opts *o, km_result *r, mlsh_err *err) {
  size_t n = X->rows, p = X->cols, k = o->k;
  memset(r, 0, sizeof *r);
  if (n == 0 || p == 0) return mlsh_seterr(err, MLSH_EINVAL, "X is empty");
  if (k < 1 || k > n) return mlsh_seterr(err, MLSH_EINVAL, "k must be between 1 and the number of rows %zu (got %zu)", n, k);
  if (o->nstart < 1 || o->max_iter < 1 || !(o->tol >= 0.0))
    return mlsh_seterr(err, MLSH_EINVAL, "nstart and max_iter must be >= 1 and tol >= 0");
  if (o->init == KM_INIT_GIVEN && (!o->centers0 || o->centers0->rows != k || o->centers0->cols != p))
    return mlsh_seterr(err, MLSH_EINVAL, "init centres must be a %zux%zu Matrix", k, p);
  int threads = mlsh_threads_resolve(o->threads);
  int nstart = o->init == KM_INIT_GIVEN ? 1 : o->nstart;
  /* auto: Hartigan-Wong (R's default, kmeans_hw.c) for small fits, where
   * its exact transfers cost little. Otherwise Lloyd, which runs its
   * restarts in lockstep (kmeans_ls.c): with small k a pass is bound by
   * streaming X, which one pass then does for all restarts; Hamerly (one
   * restart at a time, restarts on parallel workers) for large k, where
   * its bounds skip most work. */
  km_algo algo = o->algo;
  if (algo == KM_AUTO) {
    int hw;
    if (km_hw_suits(X, o, nstart, &hw)) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for K-Means");
    algo = hw ? KM_HARTIGAN_WONG : k <= KM_LOCKSTEP_MAXK ? KM_LLOYD : KM_HAMERLY;
  }
  if (algo == KM_HARTIGAN_WONG) return km_fit_hw(X, o, r, err);
  int lock = algo == KM_LLOYD;
  int outer = !lock && nstart >= 2 && threads > 1 ? (threads < nstart ? threads : nstart) : 1;
  int inner = outer > 1 ? 1 : threads;
  size_t ncand = pp_trials(k);

  km_data d = {.n = n, .p = p, .k = k};
  set_blocks(&d);
  double *Xc = mlsh_malloc_array(n * p, sizeof(double)), *xn = mlsh_malloc_array(n, sizeof(double));
  double *mean = mlsh_calloc(p, sizeof(double));
  km_job job = {.d = &d, .o = o, .algo = algo};
  job.ws = mlsh_calloc((size_t)outer, sizeof(km_ws));
  job.best_C = mlsh_malloc_array((size_t)outer * k * p, sizeof(double));
  job.best_lab = mlsh_malloc_array((size_t)outer * n, sizeof(int));
  int rc = MLSH_OK;
  if (!Xc || !xn || !mean || !job.ws || !job.best_C || !job.best_lab) { rc = MLSH_ENOMEM; goto done; }
  /* Centre the data; tol is relative to the mean column variance. */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) mean[j] += X->data[i * p + j];
  for (size_t j = 0; j < p; j++) mean[j] /= (double)n;
  double var = 0.0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) {
      double v = X->data[i * p + j] - mean[j];
      Xc[i * p + j] = v;
      var += v * v;
    }
  d.tol = o->tol * var / (double)(n * p);
  d.X = Xc;
  d.xn = xn;
  job.mean = mean;
  dist_row_sqnorms(Xc, n, p, xn);
  if (lock) {
    rc = km_fit_lockstep(&d, o, mean, nstart, threads, job.best_C, job.best_lab, &job.best_in[0],
                         &job.best_it[0], &job.best_conv[0]);
  } else {
    for (int t = 0; t < outer; t++) {
      if (ws_alloc(&job.ws[t], &d, inner, ncand)) { rc = MLSH_ENOMEM; goto done; }
      job.best_in[t] = INFINITY;
      job.best_start[t] = 0x7fffffff;
    }
    rc = outer > 1 ? mlsh_parallel_dynamic((size_t)nstart, outer, 1, start_one, &job)
                   : start_one(&job, 0, (size_t)nstart, 0);
  }
  if (rc) goto done;
  int bt = 0;
  for (int t = 1; t < outer; t++)
    if (job.best_in[t] < job.best_in[bt] || (job.best_in[t] == job.best_in[bt] && job.best_start[t] < job.best_start[bt])) bt = t;
  if ((rc = mat_alloc(&r->centers, k, p, err))) goto done;
  r->labels = mlsh_malloc_array(n, sizeof(int));
  r->sizes = mlsh_calloc(k, sizeof(size_t));
  if (!r->labels || !r->sizes) { rc = MLSH_ENOMEM; goto done; }
  for (size_t c = 0; c < k; c++)
    for (size_t j = 0; j < p; j++) MAT_AT(&r->centers, c, j) = job.best_C[(size_t)bt * k * p + c * p + j] + mean[j];
  memcpy(r->labels, job.best_lab + (size_t)bt * n, n * sizeof(int));
  for (size_t i = 0; i < n; i++) r->sizes[r->labels[i]]++;
  r->inertia = job.best_in[bt];
  r->iters = job.best_it[bt];
  r->converged = job.best_conv[bt];
  r->algo = algo;
done:
  if (job.ws)
    for (int t = 0; t < outer; t++) ws_free(&job.ws[t]);
  mlsh_free(job.ws); mlsh_free(job.best_C); mlsh_free(job.best_lab);
  mlsh_free(Xc); mlsh_free(xn); mlsh_free(mean);
  if (rc) {
    km_result_free(r);
    if (rc == MLSH_ENOMEM) return mlsh_seterr(err, rc, "not enough memory for K-Means on %zux%zu, k=%zu", n, p, k);
    if (rc == MLSH_EINTR) return mlsh_seterr(err, rc, "interrupted");
  }
  return rc;
}

/* ---- predict ---- */

typedef struct { const mlsh_mat *C, *X; const double *cn; int *lab; double *d2; } pred_ctx;

static int pred_rows(void *ctx, size_t b, size_t e, int tid) {
  pred_ctx *c = ctx;
  size_t k = c->C->rows, p = c->X->cols;
  double D[SUB * 16], xn[SUB];
  (void)tid;
  for (size_t s0 = b; s0 < e; s0 += SUB) {
    size_t m = e - s0 < SUB ? e - s0 : SUB;
    const double *Xs = c->X->data + s0 * p;
    dist_row_sqnorms(Xs, m, p, xn);
    for (size_t c0 = 0; c0 < k; c0 += 16) {      /* 16 centres at a time: fixed stack scratch */
      size_t kk = k - c0 < 16 ? k - c0 : 16;
      dist_sq_block(Xs, xn, m, c->C->data + c0 * p, c->cn + c0, kk, p, D);
      for (size_t i = 0; i < m; i++)
        for (size_t t = 0; t < kk; t++)
          if (c0 + t == 0 || D[i * kk + t] < c->d2[s0 + i]) { c->d2[s0 + i] = D[i * kk + t]; c->lab[s0 + i] = (int)(c0 + t); }
    }
    if (mlsh_interrupted()) return MLSH_EINTR;
  }
  return MLSH_OK;
}

int km_predict(const mlsh_mat *centers, const mlsh_mat *X, int threads, int *labels, double *dist2, mlsh_err *err) {
  if (X->cols != centers->cols)
    return mlsh_seterr(err, MLSH_EINVAL, "X has %zu columns but the centres have %zu", X->cols, centers->cols);
  double *cn = mlsh_malloc_array(centers->rows, sizeof(double));
  double *d2 = dist2 ? dist2 : mlsh_malloc_array(X->rows ? X->rows : 1, sizeof(double));
  if (!cn || !d2) {
    mlsh_free(cn);
    if (!dist2) mlsh_free(d2);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  dist_row_sqnorms(centers->data, centers->rows, centers->cols, cn);
  pred_ctx c = {centers, X, cn, labels, d2};
  int rc = mlsh_parallel_for(X->rows, threads, 4096, pred_rows, &c);
  mlsh_free(cn);
  if (!dist2) mlsh_free(d2);
  if (rc == MLSH_EINTR) return mlsh_seterr(err, rc, "interrupted");
  return rc;
}
