/* agg_par.c - the per-group passes of the common case, a double or
 * integer column without NA, on threads: each thread accumulates its
 * block of rows into its own per-group arrays, merged in thread order
 * (so a result depends on the data and the thread count only). */
#include <math.h>
#include <string.h>
#include "agg_par.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

int agg_par_applies(const mlsh_col *x) {
  return !x->valid && (x->type == COL_DOUBLE || x->type == COL_INT64);
}

/* Threads for n rows into ng groups: partial arrays of ng per thread
 * pay off only when there are many rows per group. */
static int par_threads(size_t n, size_t ng, int nthreads) {
  int nt = mlsh_threads_resolve(nthreads);
  if (nt > 16) nt = 16;
  if (n < 200000 || ng > n / 16) nt = 1;
  return nt;
}

static void row_block(size_t n, int nt, size_t t, size_t *b, size_t *e) {
  *b = n * t / (size_t)nt;
  *e = n * (t + 1) / (size_t)nt;
}

/* ---- moments ---------------------------------------------------------------- */

typedef struct {
  const mlsh_col *x;
  const int64_t *id;
  size_t n, ng;
  int nt, skip_nan;
  agg_pass pass;
  const long double *centre;   /* AGG_PASS_CORRECT: the first mean */
  const double *mean;          /* AGG_PASS_SQUARES */
  long double *acc;            /* nt * ng */
  int64_t *cnt;                /* nt * ng, AGG_PASS_SUM */
} mom_job;

/* One pass over rows [b, e) into acc (and cnt): the value of row i is v. */
#define MOM_LOOP(v)                                                                   \
  for (size_t i = b; i < e; i++) {                                                    \
    double x_ = (v);                                                                  \
    int64_t g_ = id[i];                                                               \
    if (skip && x_ != x_) continue;                                                   \
    if (pass == AGG_PASS_SUM) { acc[g_] += x_; cnt[g_]++; }                           \
    else if (pass == AGG_PASS_CORRECT) { if (isfinite((double)c[g_])) acc[g_] += x_ - c[g_]; } \
    else { double d_ = x_ - mean[g_]; acc[g_] += (long double)(d_ * d_); }            \
  }

static void mom_rows(const mom_job *j, size_t b, size_t e, long double *acc, int64_t *cnt) {
  const int64_t *id = j->id;
  const long double *c = j->centre;
  const double *mean = j->mean;
  agg_pass pass = j->pass;
  int skip = j->skip_nan;
  if (j->x->type == COL_DOUBLE) {
    const double *d = COL_DBL(j->x);
    MOM_LOOP(d[i])
  } else {
    const int64_t *l = COL_I64(j->x);
    skip = 0;
    MOM_LOOP((double)l[i])
  }
}

static int mom_block(void *ctx, size_t t0, size_t t1, int tid) {
  mom_job *j = ctx;
  for (size_t t = t0; t < t1; t++) {
    size_t b, e;
    row_block(j->n, j->nt, t, &b, &e);
    long double *acc = j->acc + t * j->ng;
    int64_t *cnt = j->cnt ? j->cnt + t * j->ng : NULL;
    memset(acc, 0, j->ng * sizeof *acc);
    if (cnt) memset(cnt, 0, j->ng * sizeof *cnt);
    for (size_t s = b; s < e; s += 1 << 20) {   /* poll for Ctrl-C between slices */
      mom_rows(j, s, s + (1 << 20) < e ? s + (1 << 20) : e, acc, cnt);
      if (mlsh_interrupted()) return MLSH_EINTR;
    }
  }
  return MLSH_OK;
}

/* Partial results of nt threads (ng each) added up in thread order. */
static void merge_moments(const mom_job *j, long double *acc, int64_t *cnt) {
  for (size_t r = 0; r < j->ng; r++) {
    long double s = 0;
    int64_t k = 0;
    for (size_t t = 0; t < (size_t)j->nt; t++) {
      s += j->acc[t * j->ng + r];
      if (j->cnt) k += j->cnt[t * j->ng + r];
    }
    acc[r] = s;
    if (j->cnt) cnt[r] = k;
  }
}

int agg_par_moment_pass(const mlsh_col *x, const frame_groups *g, int na_rm, agg_pass pass, int nthreads,
                        const long double *centre, const double *mean, long double *acc, int64_t *cnt) {
  size_t ng = g->ngroups, m = ng ? ng : 1;
  int nt = par_threads(g->n, ng, nthreads);
  mom_job j = {x, g->id, g->n, ng, nt, na_rm, pass, centre, mean, NULL, NULL};
  j.acc = nt > 1 ? mlsh_malloc_array(m * (size_t)nt, sizeof *j.acc) : acc;
  j.cnt = pass != AGG_PASS_SUM ? NULL : nt > 1 ? mlsh_malloc_array(m * (size_t)nt, sizeof *j.cnt) : cnt;
  int rc = !j.acc || (pass == AGG_PASS_SUM && !j.cnt) ? MLSH_ENOMEM : MLSH_OK;
  if (!rc) rc = mlsh_parallel_for((size_t)nt, nt, 1, mom_block, &j);
  if (!rc && nt > 1) merge_moments(&j, acc, cnt);
  if (nt > 1) { mlsh_free(j.acc); if (j.cnt) mlsh_free(j.cnt); }
  return rc;
}

/* ---- compensated sums of doubles ---------------------------------------------- */

/* hi + lo carries the sum to about 106 bits (Knuth's two-sum), so one
 * pass gives the mean that R's two long double passes approach. */
static inline void two_sum_add(double *hi, double *lo, double x) {
  double s = *hi + x, bp = s - *hi;
  *lo += (*hi - (s - bp)) + (x - bp);
  *hi = s;
}

/* One group's running sum and count, together so that a row touches one
 * cache line however scattered its group is. */
typedef struct { double hi, lo; int64_t cnt, pad; } dd_acc;

typedef struct {
  const double *x;
  const int64_t *id;
  size_t n, ng;
  int nt, skip_nan;
  dd_acc *acc;        /* nt * ng, zeroed */
} dd_job;

/* Rows into their groups' sums; with more groups than fit in cache the
 * group of a row a little ahead is fetched early (rows sorted by key
 * scatter over the table). */
static void dd_rows(const dd_job *j, size_t b, size_t e, dd_acc *acc) {
  const double *x = j->x;
  const int64_t *id = j->id;
  size_t ahead = j->ng > 32768 ? 16 : 0;
  for (size_t i = b; i < e; i++) {
    if (ahead && i + ahead < e) __builtin_prefetch(&acc[id[i + ahead]], 1);
    double v = x[i];
    dd_acc *a = &acc[id[i]];
    if (j->skip_nan && v != v) continue;
    two_sum_add(&a->hi, &a->lo, v);
    a->cnt++;
  }
}

static int dd_block(void *ctx, size_t t0, size_t t1, int tid) {
  dd_job *j = ctx;
  for (size_t t = t0; t < t1; t++) {
    size_t b, e;
    row_block(j->n, j->nt, t, &b, &e);
    dd_rows(j, b, e, j->acc + t * j->ng);
    if (mlsh_interrupted()) return MLSH_EINTR;
  }
  return MLSH_OK;
}

/* One thread over many groups: the running sums go straight into the
 * caller's arrays, hi and lo in the 16 bytes of each long double slot,
 * with no table of partials to allocate and fault in. */
static void dd_direct(const dd_job *j, long double *sum, int64_t *cnt) {
  double *pair = (double *)sum;
  const double *x = j->x;
  const int64_t *id = j->id;
  size_t ahead = j->ng > 32768 ? 16 : 0;
  memset(pair, 0, j->ng * sizeof *sum);
  memset(cnt, 0, j->ng * sizeof *cnt);
  for (size_t i = 0; i < j->n; i++) {
    if (ahead && i + ahead < j->n) {
      __builtin_prefetch(&pair[2 * id[i + ahead]], 1);
      __builtin_prefetch(&cnt[id[i + ahead]], 1);
    }
    double v = x[i];
    int64_t g = id[i];
    if (j->skip_nan && v != v) continue;
    two_sum_add(&pair[2 * g], &pair[2 * g + 1], v);
    cnt[g]++;
  }
  for (size_t r = 0; r < j->ng; r++) {
    double hi = pair[2 * r], lo = pair[2 * r + 1];
    sum[r] = isfinite(hi) ? (long double)hi + lo : hi;   /* Inf and NaN: lo is noise */
  }
}

int agg_par_exact_sums(const mlsh_col *x, const frame_groups *g, int na_rm, int nthreads, long double *sum,
                       int64_t *cnt) {
  size_t ng = g->ngroups;
  int nt = par_threads(g->n, ng, nthreads);
  dd_job j = {COL_DBL(x), g->id, g->n, ng, nt, na_rm, NULL};
  if (nt == 1 && sizeof(long double) >= 2 * sizeof(double)) {
    dd_direct(&j, sum, cnt);
    return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
  }
  j.acc = mlsh_calloc((ng ? ng : 1) * (size_t)nt, sizeof(dd_acc));
  int rc = j.acc ? mlsh_parallel_for((size_t)nt, nt, 1, dd_block, &j) : MLSH_ENOMEM;
  for (size_t r = 0; !rc && r < ng; r++) {
    double hi = 0, lo = 0;
    int64_t k = 0;
    for (size_t t = 0; t < (size_t)nt; t++) {
      const dd_acc *a = &j.acc[t * ng + r];
      two_sum_add(&hi, &lo, a->hi);
      lo += a->lo;
      k += a->cnt;
    }
    sum[r] = isfinite(hi) ? (long double)hi + lo : hi;   /* Inf and NaN: lo is noise */
    cnt[r] = k;
  }
  mlsh_free(j.acc);
  return rc;
}

/* ---- min and max -------------------------------------------------------------- */

typedef struct {
  const mlsh_col *x;
  const int64_t *id;
  size_t n, ng;
  int nt, want_max, na_rm;
  void *best;                  /* nt * ng doubles or int64s */
  uint8_t *state;              /* nt * ng: 0 nothing yet, 1 a value, 2 NaN (wins) */
} ext_job;

static void ext_rows_dbl(const ext_job *j, size_t b, size_t e, double *best, uint8_t *st) {
  const double *d = COL_DBL(j->x);
  const int64_t *id = j->id;
  for (size_t i = b; i < e; i++) {
    double v = d[i];
    int64_t g = id[i];
    if (v != v) {
      if (!j->na_rm && st[g] != 2) { st[g] = 2; best[g] = v; }
    } else if (st[g] == 0) {
      st[g] = 1; best[g] = v;
    } else if (st[g] == 1 && (j->want_max ? v > best[g] : v < best[g])) {
      best[g] = v;
    }
  }
}

static void ext_rows_int(const ext_job *j, size_t b, size_t e, int64_t *best, uint8_t *st) {
  const int64_t *l = COL_I64(j->x), *id = j->id;
  for (size_t i = b; i < e; i++) {
    int64_t v = l[i], g = id[i];
    if (st[g] == 0) { st[g] = 1; best[g] = v; }
    else if (j->want_max ? v > best[g] : v < best[g]) best[g] = v;
  }
}

static int ext_block(void *ctx, size_t t0, size_t t1, int tid) {
  ext_job *j = ctx;
  for (size_t t = t0; t < t1; t++) {
    size_t b, e;
    row_block(j->n, j->nt, t, &b, &e);
    uint8_t *st = j->state + t * j->ng;
    memset(st, 0, j->ng);
    if (j->x->type == COL_DOUBLE) ext_rows_dbl(j, b, e, (double *)j->best + t * j->ng, st);
    else ext_rows_int(j, b, e, (int64_t *)j->best + t * j->ng, st);
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* Thread t's value for group r into the merged best[r] / state[r]. */
static void ext_merge(const ext_job *j, size_t t, size_t r, void *best, uint8_t *state) {
  uint8_t s = j->state[t * j->ng + r];
  if (j->x->type == COL_DOUBLE) {
    double v = ((const double *)j->best)[t * j->ng + r], *b = (double *)best + r;
    if (s > state[r] || (s == 1 && state[r] == 1 && (j->want_max ? v > *b : v < *b))) { *b = v; state[r] = s; }
  } else {
    int64_t v = ((const int64_t *)j->best)[t * j->ng + r], *b = (int64_t *)best + r;
    if (s > state[r] || (s == 1 && state[r] == 1 && (j->want_max ? v > *b : v < *b))) { *b = v; state[r] = s; }
  }
}

int agg_par_extreme(const mlsh_col *x, const frame_groups *g, int want_max, int na_rm, int nthreads, void *best,
                    uint8_t *found) {
  size_t ng = g->ngroups, m = ng ? ng : 1;
  int nt = par_threads(g->n, ng, nthreads);
  ext_job j = {x, g->id, g->n, ng, nt, want_max, na_rm, NULL, NULL};
  j.best = nt > 1 ? mlsh_malloc_array(m * (size_t)nt, 8) : best;
  j.state = nt > 1 ? mlsh_malloc_array(m, (size_t)nt) : found;
  int rc = j.best && j.state ? MLSH_OK : MLSH_ENOMEM;
  if (!rc) rc = mlsh_parallel_for((size_t)nt, nt, 1, ext_block, &j);
  if (!rc && nt > 1) {
    memset(found, 0, ng);
    for (size_t t = 0; t < (size_t)nt; t++)
      for (size_t r = 0; r < ng; r++) ext_merge(&j, t, r, best, found);
  }
  if (nt > 1) { mlsh_free(j.best); mlsh_free(j.state); }
  return rc;
}
