/* sort.c - stable multi-key ordering. Keys are applied last to first
 * (LSD over keys), each one a stable pass over the current permutation:
 * NA rows are moved to the end (stably), then the others are sorted by a
 * radix sort on order-preserving unsigned images of their values, or by
 * a merge sort for strings. */
#include <string.h>
#include "sort.h"
#include "keys.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

#define DIGIT_BITS 11
#define NBUCKET (1u << DIGIT_BITS)
#define MAX_THREADS 16
#define PAR_MIN 200000      /* below this one thread is faster */

typedef struct {
  uint64_t *k, *k2;       /* keys in the current order, and scratch */
  int64_t *p, *p2;        /* rows, and scratch */
  size_t n;
  int nt, shift;
  size_t (*count)[NBUCKET];   /* per thread */
} radix_job;

/* Stable partition of perm[0..n): rows with a present key first. Returns
 * how many are present. */
static size_t partition_missing(const mlsh_col *c, int64_t *perm, int64_t *tmp, size_t n) {
  size_t a = 0, b = 0;
  if (!c->valid && c->type != COL_DOUBLE && c->type != COL_DATETIME) return n;
  for (size_t i = 0; i < n; i++) {
    if (key_missing(c, (size_t)perm[i])) tmp[b++] = perm[i];
    else perm[a++] = perm[i];
  }
  memcpy(perm + a, tmp, b * sizeof *tmp);
  return a;
}

static void chunk_of(const radix_job *j, int t, size_t *b, size_t *e) {
  *b = j->n * (size_t)t / (size_t)j->nt;
  *e = j->n * (size_t)(t + 1) / (size_t)j->nt;
}

static int radix_count(void *ctx, size_t t0, size_t t1, int tid) {
  radix_job *j = ctx;
  for (size_t t = t0; t < t1; t++) {
    size_t b, e, *cnt = j->count[t];
    chunk_of(j, (int)t, &b, &e);
    memset(cnt, 0, NBUCKET * sizeof *cnt);
    for (size_t i = b; i < e; i++) cnt[(j->k[i] >> j->shift) & (NBUCKET - 1)]++;
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

static int radix_scatter(void *ctx, size_t t0, size_t t1, int tid) {
  radix_job *j = ctx;
  for (size_t t = t0; t < t1; t++) {
    size_t b, e, *pos = j->count[t];
    chunk_of(j, (int)t, &b, &e);
    for (size_t i = b; i < e; i++) {
      size_t d = (j->k[i] >> j->shift) & (NBUCKET - 1), to = pos[d]++;
      j->k2[to] = j->k[i];
      j->p2[to] = j->p[i];
    }
  }
  return MLSH_OK;
}

/* Turn per-thread counts into per-thread start positions (bucket-major,
 * so that equal digits keep chunk, hence row, order). */
static void radix_offsets(radix_job *j) {
  size_t at = 0;
  for (size_t d = 0; d < NBUCKET; d++)
    for (int t = 0; t < j->nt; t++) {
      size_t c = j->count[t][d];
      j->count[t][d] = at;
      at += c;
    }
}

static int radix_pass(radix_job *j) {
  int rc = mlsh_parallel_for((size_t)j->nt, j->nt, 1, radix_count, j);
  if (rc) return rc;
  radix_offsets(j);
  if ((rc = mlsh_parallel_for((size_t)j->nt, j->nt, 1, radix_scatter, j))) return rc;
  uint64_t *tk = j->k; j->k = j->k2; j->k2 = tk;
  int64_t *tp = j->p; j->p = j->p2; j->p2 = tp;
  return MLSH_OK;
}

/* Radix sort of perm[0..n) (present keys only) by column c. */
static int radix_key(const mlsh_col *c, int desc, int nthreads, int64_t *perm, size_t n, uint64_t *k,
                     uint64_t *k2, int64_t *p2, size_t (*count)[NBUCKET]) {
  uint64_t lo = UINT64_MAX, hi = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t u = key_image(c, (size_t)perm[i]);
    if (desc) u = ~u;
    k[i] = u;
    if (u < lo) lo = u;
    if (u > hi) hi = u;
  }
  if (n < 2 || lo == hi) return MLSH_OK;
  for (size_t i = 0; i < n; i++) k[i] -= lo;
  int bits = 64 - __builtin_clzll(hi - lo);
  radix_job j = {k, k2, perm, p2, n, n >= PAR_MIN ? nthreads : 1, 0, count};
  int rc = MLSH_OK;
  for (j.shift = 0; !rc && j.shift < bits; j.shift += DIGIT_BITS) rc = radix_pass(&j);
  if (j.p != perm) memcpy(perm, j.p, n * sizeof *perm);
  return rc;
}

/* ---- strings: stable bottom-up merge sort by bytes ---------------------- */

static int str_cmp(const mlsh_col *c, int64_t a, int64_t b) {
  size_t la, lb;
  const char *sa = col_str(c, (size_t)a, &la), *sb = col_str(c, (size_t)b, &lb);
  int r = memcmp(sa, sb, la < lb ? la : lb);
  return r ? r : (la > lb) - (la < lb);
}

static void merge_run(const mlsh_col *c, int desc, const int64_t *src, int64_t *dst, size_t lo, size_t mid, size_t hi) {
  size_t a = lo, b = mid, o = lo;
  while (a < mid && b < hi) {
    int r = str_cmp(c, src[a], src[b]);
    if (desc) r = -r;
    dst[o++] = r <= 0 ? src[a++] : src[b++];
  }
  while (a < mid) dst[o++] = src[a++];
  while (b < hi) dst[o++] = src[b++];
}

static int merge_key(const mlsh_col *c, int desc, int64_t *perm, size_t n, int64_t *tmp) {
  int64_t *src = perm, *dst = tmp;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      merge_run(c, desc, src, dst, lo, mid, hi);
    }
    if (mlsh_interrupted()) return MLSH_EINTR;
    int64_t *t = src; src = dst; dst = t;
  }
  if (src != perm) memcpy(perm, src, n * sizeof *perm);
  return MLSH_OK;
}

/* ---- the driver --------------------------------------------------------- */

int frame_order(const mlsh_col *const *keys, size_t nkeys, const int *desc, int nthreads, int64_t *perm,
                mlsh_err *err) {
  int rc = keys_check_lengths(keys, nkeys, "order", err);
  if (rc || nkeys == 0) return rc;
  size_t n = keys[0]->n;
  for (size_t i = 0; i < n; i++) perm[i] = (int64_t)i;
  if (n < 2) return MLSH_OK;
  int nt = mlsh_threads_resolve(nthreads);
  if (nt > MAX_THREADS) nt = MAX_THREADS;
  uint64_t *k = mlsh_malloc_array(n, sizeof *k), *k2 = mlsh_malloc_array(n, sizeof *k2);
  int64_t *p2 = mlsh_malloc_array(n, sizeof *p2);
  size_t (*count)[NBUCKET] = mlsh_malloc_array((size_t)nt, sizeof *count);
  if (!k || !k2 || !p2 || !count) rc = mlsh_seterr(err, MLSH_ENOMEM, "order: not enough memory for %zu rows", n);
  for (size_t q = nkeys; !rc && q-- > 0;) {
    const mlsh_col *c = keys[q];
    int d = desc && desc[q];
    size_t present = partition_missing(c, perm, p2, n);
    if (c->type == COL_STRING) rc = merge_key(c, d, perm, present, p2);
    else rc = radix_key(c, d, nt, perm, present, k, k2, p2, count);
    if (!rc && mlsh_interrupted()) rc = MLSH_EINTR;
  }
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "order: interrupted");
  mlsh_free(k); mlsh_free(k2); mlsh_free(p2); mlsh_free(count);
  return rc;
}
