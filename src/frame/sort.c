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

/* ---- in-cache buckets: one pass on the top digit, then each bucket
 * sorted by the low bits where it fits in cache ---- */

#define MSD_MIN 65536      /* rows: below, LSD passes over the whole array */
#define SMALL_BUCKET 48    /* rows: insertion sort */

typedef struct {
  uint64_t *k, *k2;       /* after the top pass: the data in k, scratch k2 */
  int64_t *p, *p2;
  const size_t *start;    /* NBUCKET + 1 bucket bounds */
  int low_bits;
} bucket_job;

static void insertion_sort(uint64_t *k, int64_t *p, size_t m) {
  for (size_t i = 1; i < m; i++) {
    uint64_t key = k[i];
    int64_t row = p[i];
    size_t at = i;
    for (; at > 0 && k[at - 1] > key; at--) { k[at] = k[at - 1]; p[at] = p[at - 1]; }
    k[at] = key;
    p[at] = row;
  }
}

/* LSD passes over the low bits of one bucket; the result back in k/p. */
static void sort_bucket(uint64_t *k, int64_t *p, uint64_t *k2, int64_t *p2, size_t m, int low_bits, size_t *cnt) {
  if (m <= SMALL_BUCKET) { insertion_sort(k, p, m); return; }
  uint64_t *a = k, *b = k2;
  int64_t *pa = p, *pb = p2;
  for (int shift = 0; shift < low_bits; shift += DIGIT_BITS) {
    memset(cnt, 0, NBUCKET * sizeof *cnt);
    for (size_t i = 0; i < m; i++) cnt[(a[i] >> shift) & (NBUCKET - 1)]++;
    size_t at = 0;
    for (size_t d = 0; d < NBUCKET; d++) { size_t c = cnt[d]; cnt[d] = at; at += c; }
    for (size_t i = 0; i < m; i++) {
      size_t to = cnt[(a[i] >> shift) & (NBUCKET - 1)]++;
      b[to] = a[i];
      pb[to] = pa[i];
    }
    uint64_t *t = a; a = b; b = t;
    int64_t *tp = pa; pa = pb; pb = tp;
  }
  if (a != k) { memcpy(k, a, m * sizeof *k); memcpy(p, pa, m * sizeof *p); }
}

static int sort_buckets(void *ctx, size_t q0, size_t q1, int tid) {
  bucket_job *j = ctx;
  size_t cnt[NBUCKET];
  (void)tid;
  for (size_t q = q0; q < q1; q++) {
    size_t lo = j->start[q], m = j->start[q + 1] - lo;
    sort_bucket(j->k + lo, j->p + lo, j->k2 + lo, j->p2 + lo, m, j->low_bits, cnt);
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* Sort j->k (keys below 2^bits) carrying j->p; the result in j->k / j->p
 * (which may have swapped with the scratch). Large arrays: one parallel
 * pass on the top digit, then the buckets (a few thousand rows each,
 * cache-sized) sorted by the low bits on threads; small ones: LSD passes. */
static int radix_sorted(radix_job *j, int bits) {
  int rc = MLSH_OK;
  if (j->n < MSD_MIN || bits <= 2 * DIGIT_BITS) {
    for (j->shift = 0; !rc && j->shift < bits; j->shift += DIGIT_BITS) rc = radix_pass(j);
    return rc;
  }
  j->shift = bits - DIGIT_BITS;
  if ((rc = mlsh_parallel_for((size_t)j->nt, j->nt, 1, radix_count, j))) return rc;
  size_t *start = mlsh_malloc_array(NBUCKET + 1, sizeof *start);
  if (!start) return MLSH_ENOMEM;
  start[0] = 0;
  for (size_t d = 0; d < NBUCKET; d++) {
    start[d + 1] = start[d];
    for (int t = 0; t < j->nt; t++) start[d + 1] += j->count[t][d];
  }
  radix_offsets(j);
  rc = mlsh_parallel_for((size_t)j->nt, j->nt, 1, radix_scatter, j);
  uint64_t *tk = j->k; j->k = j->k2; j->k2 = tk;
  int64_t *tp = j->p; j->p = j->p2; j->p2 = tp;
  bucket_job b = {j->k, j->k2, j->p, j->p2, start, bits - DIGIT_BITS};
  if (!rc) rc = mlsh_parallel_dynamic(NBUCKET, j->nt, 16, sort_buckets, &b);
  mlsh_free(start);
  return rc;
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
  int rc = radix_sorted(&j, bits);
  if (j.p != perm) memcpy(perm, j.p, n * sizeof *perm);
  return rc;
}

int frame_sort_codes(uint64_t *k, int64_t *p, uint64_t *k2, int64_t *p2, size_t n, int nthreads,
                     const uint64_t **keys, const int64_t **rows) {
  uint64_t hi = 0;
  for (size_t i = 0; i < n; i++) { p[i] = (int64_t)i; if (k[i] > hi) hi = k[i]; }
  *keys = k;
  *rows = p;
  if (n < 2 || hi == 0) return MLSH_OK;
  int nt = mlsh_threads_resolve(nthreads);
  if (nt > MAX_THREADS) nt = MAX_THREADS;
  size_t (*count)[NBUCKET] = mlsh_malloc_array((size_t)nt, sizeof *count);
  if (!count) return MLSH_ENOMEM;
  radix_job j = {k, k2, p, p2, n, n >= PAR_MIN ? nt : 1, 0, count};
  int rc = radix_sorted(&j, 64 - __builtin_clzll(hi));
  mlsh_free(count);
  *keys = j.k;
  *rows = j.p;
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
