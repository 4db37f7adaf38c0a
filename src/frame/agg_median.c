/* agg_median.c - the median per group: one counting-sort gather of the
 * values by group (each thread scatters its block of rows into its own
 * slots of every group, so the layout is the row order), then a
 * quickselect per group, the groups shared among the threads. */
#include <string.h>
#include "agg_par.h"
#include "keys.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

static inline void swap_d(double *a, double *b) { double t = *a; *a = *b; *b = t; }

/* The k-th smallest of a[0..n) (no NaN) by three-way quickselect: on
 * return a[0..k) <= a[k]. */
static double select_kth(double *a, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (hi > lo) {
    double p = a[lo + (hi - lo) / 2];
    size_t lt = lo, i = lo, gt = hi;
    while (i <= gt) {          /* [lo, lt) < p, [lt, i) == p, (gt, hi] > p */
      if (a[i] < p) swap_d(&a[lt++], &a[i++]);
      else if (a[i] > p) { swap_d(&a[i], &a[gt]); if (gt == 0) break; gt--; }
      else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return p;
  }
  return a[k];
}

static double median_of(double *a, size_t n) {
  size_t h = n / 2;
  double hi = select_kth(a, n, h);
  if (n & 1) return hi;
  double lo = a[0];
  for (size_t i = 1; i < h; i++) if (a[i] > lo) lo = a[i];   /* the largest of the lower half */
  return (double)(((long double)lo + hi) / 2);
}

typedef struct {
  const mlsh_col *x;
  const int64_t *id;
  size_t n, ng;
  int nt, na_rm;
  int64_t *at;       /* nt * ng: thread t's count of group r, then its next slot */
  uint8_t *bad;      /* nt * ng: a missing value (matters without na_rm) */
  int64_t *start;    /* ng + 1: where each group's values begin */
  double *vals;      /* n */
  double *med;
  uint8_t *isna;
} med_job;

static void block_of(const med_job *j, size_t t, size_t *b, size_t *e) {
  *b = j->n * t / (size_t)j->nt;
  *e = j->n * (t + 1) / (size_t)j->nt;
}

static int count_block(void *ctx, size_t t0, size_t t1, int tid) {
  med_job *j = ctx;
  for (size_t t = t0; t < t1; t++) {
    size_t b, e;
    int64_t *cnt = j->at + t * j->ng;
    uint8_t *bad = j->bad + t * j->ng;
    block_of(j, t, &b, &e);
    memset(cnt, 0, j->ng * sizeof *cnt);
    memset(bad, 0, j->ng);
    for (size_t i = b; i < e; i++) {
      if (key_missing(j->x, i)) bad[j->id[i]] = 1;
      else cnt[j->id[i]]++;
    }
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

static int scatter_block(void *ctx, size_t t0, size_t t1, int tid) {
  med_job *j = ctx;
  for (size_t t = t0; t < t1; t++) {
    size_t b, e;
    int64_t *at = j->at + t * j->ng;
    block_of(j, t, &b, &e);
    for (size_t i = b; i < e; i++)
      if (!key_missing(j->x, i)) j->vals[at[j->id[i]]++] = num_at(j->x, i);
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* Counts into slots: group r's values begin at start[r], thread t's
 * part of them after those of the threads before it. */
static void place(med_job *j) {
  int64_t pos = 0;
  for (size_t r = 0; r < j->ng; r++) {
    j->start[r] = pos;
    for (size_t t = 0; t < (size_t)j->nt; t++) {
      int64_t c = j->at[t * j->ng + r];
      j->at[t * j->ng + r] = pos;
      pos += c;
      if (!j->na_rm && j->bad[t * j->ng + r]) j->isna[r] = 1;
    }
  }
  j->start[j->ng] = pos;
}

static int select_groups(void *ctx, size_t r0, size_t r1, int tid) {
  med_job *j = ctx;
  for (size_t r = r0; r < r1; r++) {
    size_t len = (size_t)(j->start[r + 1] - j->start[r]);
    if (len == 0) j->isna[r] = 1;
    if (!j->isna[r]) j->med[r] = median_of(j->vals + j->start[r], len);
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

int agg_par_median(const mlsh_col *x, const frame_groups *g, int na_rm, int nthreads, double *med, uint8_t *isna) {
  size_t ng = g->ngroups, n = g->n, m = ng ? ng : 1;
  int nt = mlsh_threads_resolve(nthreads);
  nt = nt > 16 ? 16 : n < 200000 || ng > n / 16 ? 1 : nt;
  med_job j = {x, g->id, n, ng, nt, na_rm, mlsh_malloc_array(m * (size_t)nt, sizeof(int64_t)),
               mlsh_malloc_array(m, (size_t)nt), mlsh_malloc_array(m + 1, sizeof(int64_t)),
               mlsh_malloc_array(n ? n : 1, sizeof(double)), med, isna};
  int rc = j.at && j.bad && j.start && j.vals ? MLSH_OK : MLSH_ENOMEM;
  if (!rc) rc = mlsh_parallel_for((size_t)nt, nt, 1, count_block, &j);
  if (!rc) place(&j);
  if (!rc) rc = mlsh_parallel_for((size_t)nt, nt, 1, scatter_block, &j);
  if (!rc) rc = mlsh_parallel_dynamic(ng, n < 200000 ? 1 : nthreads, 64, select_groups, &j);
  mlsh_free(j.at); mlsh_free(j.bad); mlsh_free(j.start); mlsh_free(j.vals);
  return rc;
}
