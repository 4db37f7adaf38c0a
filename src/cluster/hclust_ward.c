/* hclust_ward.c - threaded nearest-neighbour search for Ward (see
 * hclust_ward.h). The helpers spin on a generation counter rather than
 * sleep on a condition variable: a wake-up costs as much as a search.
 * They yield the core once a wait grows long (the main thread merging). */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "hclust_ward.h"
#include "dist.h"
#include "../core/alloc.h"
#include "../core/error.h"
#include "../core/threads.h"

#define WARD_MAX_THREADS 2    /* the search is bound by memory bandwidth: two cores get most of it */
#define WARD_CHUNKS 4          /* a search in chunks that either thread takes */
#define WARD_MIN_CHUNK 512     /* fewer positions per chunk: the caller alone */
#define WARD_SPINS 2000

typedef struct { size_t arg; double best; } ward_part;

/* The job word: generation << 32 | chunks << 16 | next chunk to take. A helper takes a
 * chunk with a compare-and-swap on it, so it can never take one of a later
 * search; the caller takes chunks too and waits only for those a helper
 * actually took (on a loaded machine it ends up doing most itself). */
struct ward_pool {
  int nt;
  pthread_t tid[WARD_MAX_THREADS];
  _Atomic unsigned long long word;
  atomic_uint done;
  atomic_int quit;
  const ward_scan *job;
  ward_part part[WARD_CHUNKS];
};

/* Squared Ward distances 2 na nt / (na + nt) |ca - ct|^2 for positions
 * [t0, t1) and the smallest below *best (its position, or (size_t)-1).
 * Positions go in blocks of WARD_BLOCK; a block is dropped once its partial
 * sums over the first coordinates already put every member above *best
 * (partial sums only grow; the margin covers rounding, so nothing dropped
 * could tie). The hot loop of Ward clustering: built vectorised (DIST_HOT). */
#define WARD_BLOCK 32
#define WARD_CHECK 4            /* coordinates between two checks of a block */

typedef double v8d __attribute__((vector_size(64)));
typedef long long v8l __attribute__((vector_size(64)));
#define WARD_VECS (WARD_BLOCK / 8)

/* A whole block of WARD_BLOCK positions from b0 with its partial sums in
 * registers: the same operations in the same order as the loop below
 * (the same bits). Returns 0 when the block drops out, else 1 with the
 * sums in out. The smallest size of the block comes with it. */
__attribute__((target_clones("avx512f", "avx2", "default"), optimize("fp-contract=off")))
static int ward_block(const double *restrict Ct, size_t ld, size_t p, size_t pa, const double *restrict sz, double na,
                      double best, size_t b0, double *restrict out) {
  v8d acc[WARD_VECS], mn;
  memcpy(&mn, sz + b0, sizeof mn);
  for (int v = 1; v < WARD_VECS; v++) {
    v8d x;
    memcpy(&x, sz + b0 + 8 * v, sizeof x);
    v8l less = x < mn;   /* lane-wise min by mask (C has no vector ?:) */
    mn = (v8d)(((v8l)x & less) | ((v8l)mn & ~less));
  }
  double smin = mn[0];
  for (int l = 1; l < 8; l++) smin = mn[l] < smin ? mn[l] : smin;
  /* the factor grows with nt: smin gives the block's smallest */
  double lim = best / (2.0 * na * smin / (na + smin)) * (1.0 + 1e-9);
  for (size_t q = 0; q < p; q++) {
    const double *restrict row = Ct + q * ld + b0;
    double c = Ct[q * ld + pa];
    for (int v = 0; v < WARD_VECS; v++) {
      v8d x;
      memcpy(&x, row + 8 * v, sizeof x);
      v8d d = x - c;
      acc[v] = q == 0 ? d * d : acc[v] + d * d;
    }
    if (q % WARD_CHECK == WARD_CHECK - 1 && q + 1 < p) {
      v8l keep = acc[0] <= lim;
      for (int v = 1; v < WARD_VECS; v++) keep |= acc[v] <= lim;
      long long any = 0;
      for (int l = 0; l < 8; l++) any |= keep[l];
      if (!any) return 0;
    }
  }
  memcpy(out, acc, sizeof acc);
  return 1;
}

DIST_HOT static size_t ward_range(const double *restrict Ct, size_t ld, size_t p, size_t pa, const double *restrict sz,
                                  double *restrict buf, size_t t0, size_t t1, double *best) {
  double na = sz[pa];
  size_t arg = (size_t)-1;
  for (size_t b0 = t0; b0 < t1; b0 += WARD_BLOCK) {
    size_t b1 = b0 + WARD_BLOCK < t1 ? b0 + WARD_BLOCK : t1, q = 0;
    int dropped = 0;
    if (b1 - b0 == WARD_BLOCK) {
      dropped = !ward_block(Ct, ld, p, pa, sz, na, *best, b0, buf + b0);
      q = p;
    } else {
      double smin = sz[b0];
      for (size_t t = b0 + 1; t < b1; t++) smin = sz[t] < smin ? sz[t] : smin;
      double lim = *best / (2.0 * na * smin / (na + smin)) * (1.0 + 1e-9);
      for (; q < p; q++) {
        const double *restrict row = Ct + q * ld;
        double c = row[pa];
        if (q == 0) for (size_t t = b0; t < b1; t++) { double d = row[t] - c; buf[t] = d * d; }
        else for (size_t t = b0; t < b1; t++) { double d = row[t] - c; buf[t] += d * d; }
        if (q % WARD_CHECK == WARD_CHECK - 1 && q + 1 < p) {
          int keep = 0;
          for (size_t t = b0; t < b1; t++) keep |= buf[t] <= lim;
          if (!keep) { dropped = 1; break; }
        }
      }
    }
    if (dropped) continue;
    for (size_t t = b0; t < b1; t++) buf[t] *= 2.0 * na * sz[t] / (na + sz[t]);
    if (pa >= b0 && pa < b1) buf[pa] = INFINITY;
    for (size_t t = b0; t < b1; t++)
      if (buf[t] < *best) { *best = buf[t]; arg = t; }   /* ties: lowest position */
  }
  return arg;
}

/* The same arithmetic for one pair (the chain's previous element). */
double ward_pair(const ward_scan *s, size_t t) {
  double acc = 0.0, na = s->sz[s->pa];
  for (size_t q = 0; q < s->p; q++) {
    double d = s->Ct[q * s->ld + t] - s->Ct[q * s->ld + s->pa];
    acc = q == 0 ? d * d : acc + d * d;
  }
  return acc * (2.0 * na * s->sz[t] / (na + s->sz[t]));
}

static ward_part scan_part(const ward_scan *s, unsigned k, unsigned parts) {
  size_t t0 = s->m * k / parts, t1 = s->m * (k + 1) / parts;
  ward_part r = {0, s->bound};
  r.arg = ward_range(s->Ct, s->ld, s->p, s->pa, s->sz, s->buf, t0, t1, &r.best);
  return r;
}

/* Take and do chunks of generation gen until none is left. */
static void take_chunks(ward_pool *P, unsigned long long gen) {
  unsigned long long w = atomic_load_explicit(&P->word, memory_order_acquire);
  while (w >> 32 == gen && (w & 0xffff) < ((w >> 16) & 0xffff)) {
    if (!atomic_compare_exchange_weak_explicit(&P->word, &w, w + 1, memory_order_acq_rel, memory_order_acquire))
      continue;
    /* A chunk taken and not done: the caller cannot move on to another job. */
    P->part[w & 0xffff] = scan_part(P->job, (unsigned)(w & 0xffff), (unsigned)((w >> 16) & 0xffff));
    atomic_fetch_add_explicit(&P->done, 1, memory_order_release);
    w = atomic_load_explicit(&P->word, memory_order_acquire);
  }
}

static void spin_pause(unsigned *spins) {
  if (++*spins > WARD_SPINS) sched_yield();
  else mlsh_cpu_relax();
}

static void *helper(void *arg) {
  ward_pool *P = arg;
  unsigned long long seen = 0;
  for (;;) {
    unsigned spins = 0;
    unsigned long long gen;
    while ((gen = atomic_load_explicit(&P->word, memory_order_acquire) >> 32) == seen) {
      if (atomic_load_explicit(&P->quit, memory_order_relaxed)) return NULL;
      spin_pause(&spins);
    }
    seen = gen;
    take_chunks(P, gen);
  }
}

ward_pool *ward_pool_start(int threads) {
  if (threads > WARD_MAX_THREADS) threads = WARD_MAX_THREADS;
  if (threads < 2) return NULL;
  ward_pool *P = mlsh_calloc(1, sizeof *P);
  if (!P) return NULL;
  atomic_init(&P->word, 0); atomic_init(&P->done, 0); atomic_init(&P->quit, 0);
  P->nt = 1;
  for (int k = 1; k < threads && !mlsh_thread_start(&P->tid[k], helper, P, "mlsh-ward"); k++) P->nt++;
  if (P->nt < 2) { mlsh_free(P); return NULL; }
  return P;
}

void ward_pool_stop(ward_pool *P) {
  if (!P) return;
  atomic_store(&P->quit, 1);
  for (int k = 1; k < P->nt; k++) pthread_join(P->tid[k], NULL);
  mlsh_free(P);
}

size_t ward_nearest(ward_pool *P, const ward_scan *s, double *best) {
  unsigned parts = (unsigned)(s->m / WARD_MIN_CHUNK);
  if (!P || parts < 2) {
    ward_part r = scan_part(s, 0, 1);
    *best = r.best;
    return r.arg;
  }
  if (parts > WARD_CHUNKS) parts = WARD_CHUNKS;
  /* Every chunk of the last search is done: the job can change. */
  P->job = s;
  atomic_store_explicit(&P->done, 0, memory_order_relaxed);
  unsigned long long gen = (atomic_load_explicit(&P->word, memory_order_relaxed) >> 32) + 1;
  atomic_store_explicit(&P->word, gen << 32 | (unsigned long long)parts << 16, memory_order_release);
  take_chunks(P, gen);
  unsigned spins = 0;
  while (atomic_load_explicit(&P->done, memory_order_acquire) != parts) spin_pause(&spins);
  ward_part r = P->part[0];
  for (unsigned k = 1; k < parts; k++)
    if (P->part[k].best < r.best) r = P->part[k];     /* ties: the earlier chunk, the lower position */
  *best = r.best;
  return r.arg;
}

typedef struct { double v; size_t i; } ward_key;
static int cmp_key(const void *x, const void *y) {
  const ward_key *a = x, *b = y;
  if (a->v != b->v) return a->v < b->v ? -1 : 1;
  return a->i < b->i ? -1 : a->i > b->i;
}

/* Coordinates by decreasing variance (partial sums grow fastest), and
 * positions sorted along the first of them, so that a block of positions
 * is a slab of space and drops out of a search as a whole. */
int ward_load_centroids(const mlsh_mat *X, double *Ct, size_t *order) {
  size_t n = X->rows, p = X->cols;
  double *var = mlsh_calloc(2 * p, sizeof(double)), *mean = var + p;
  size_t *perm = mlsh_malloc_array(p, sizeof(size_t));
  ward_key *key = mlsh_malloc_array(n, sizeof(ward_key));
  if (!var || !perm || !key) { mlsh_free(var); mlsh_free(perm); mlsh_free(key); return MLSH_ENOMEM; }
  for (size_t i = 0; i < n; i++)
    for (size_t q = 0; q < p; q++) mean[q] += X->data[i * p + q];
  for (size_t q = 0; q < p; q++) mean[q] /= (double)n;
  for (size_t i = 0; i < n; i++)
    for (size_t q = 0; q < p; q++) { double d = X->data[i * p + q] - mean[q]; var[q] += d * d; }
  for (size_t q = 0; q < p; q++) {          /* insertion sort: p is small */
    size_t k = q;
    while (k > 0 && var[perm[k - 1]] < var[q]) { perm[k] = perm[k - 1]; k--; }
    perm[k] = q;
  }
  for (size_t i = 0; i < n; i++) key[i] = (ward_key){X->data[i * p + perm[0]], i};
  qsort(key, n, sizeof *key, cmp_key);
  for (size_t k = 0; k < n; k++) {
    order[k] = key[k].i;
    for (size_t q = 0; q < p; q++) Ct[q * n + k] = X->data[key[k].i * p + perm[q]];
  }
  mlsh_free(var); mlsh_free(perm); mlsh_free(key);
  return MLSH_OK;
}
