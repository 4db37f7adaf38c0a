/* stream_seed.c - k-means|| seeding (Bahmani, Moseley, Vattani, Kumar &
 * Vassilvitskii, "Scalable K-Means++", VLDB 2012) over row blocks and
 * across processes (see stream.h). One row drawn by the seed starts the
 * candidates; each of `rounds` rounds keeps every row x with probability
 * min(1, l d(x)^2 / psi) (l = 2k, psi the summed d^2), drawn by hashing
 * (seed, global row, round); the candidates, weighted by the rows nearest
 * to them, are reduced to k centres by weighted k-means++ and weighted
 * Lloyd, as Spark MLlib does. Distances are computed pair by pair and
 * each row keeps its own nearest-candidate distance, so every decision
 * is the same for any number of processes or threads. */
#include <math.h>
#include <string.h>
#include "stream.h"
#include "../cluster/dist.h"
#include "../core/alloc.h"
#include "../core/rng.h"
#include "../core/threads.h"

#define NPART 8        /* fixed parts of a block: psi adds in part order */
#define REDUCE_ITER 30 /* weighted Lloyd iterations on the candidates (Spark's LocalKMeans) */

typedef struct {
  const stream_src *s;
  const stream_comm *c;
  size_t p, k;
  double l;                  /* oversampling */
  double *d2;                /* local rows: squared distance to the nearest candidate */
  int *near;                 /* local rows: that candidate */
  double *cand;              /* ncand x p, in global row order */
  size_t ncand, cap, from;   /* candidates [from, ncand) are new in this pass */
  double *fresh;             /* this process's rows drawn in the current round */
  size_t nfresh, fcap;
  double psi, part[NPART];
  const double *X;           /* the current block */
  size_t local0, m;
  uint64_t seed;
  int round, threads;
  mlsh_err *err;
} seed_job;

/* The random stream of one round: a splitmix of (seed, round). */
static uint64_t round_seed(uint64_t seed, int round) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (uint64_t)(round + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static int update_parts(void *ctx, size_t b, size_t e, int tid) {
  seed_job *j = ctx;
  (void)tid;
  for (size_t r = b; r < e; r++) {
    size_t i0 = j->m * r / NPART, i1 = j->m * (r + 1) / NPART;
    double psi = 0.0;
    for (size_t i = i0; i < i1; i++) {
      size_t li = j->local0 + i;
      const double *x = j->X + i * j->p;
      for (size_t c = j->from; c < j->ncand; c++) {
        double d = dist_sq_pair(x, j->cand + c * j->p, j->p);
        if (d < j->d2[li]) { j->d2[li] = d; j->near[li] = (int)c; }
      }
      psi += j->d2[li];
    }
    j->part[r] = psi;
  }
  return MLSH_OK;
}

static int update_block(void *ctx, size_t grow0, const double *X, size_t m) {
  seed_job *j = ctx;
  j->X = X;
  j->m = m;
  j->local0 = grow0 - j->s->row0;
  int rc = mlsh_parallel_for(NPART, j->threads, 1, update_parts, j);
  for (size_t r = 0; r < NPART; r++) j->psi += j->part[r];
  return rc;
}

/* Distances to the new candidates, then psi summed over every process. */
static int update_pass(seed_job *j, double *buf) {
  j->psi = 0.0;
  int rc = stream_each_block(j->s, buf, update_block, j);
  if (!rc && j->c) rc = j->c->allreduce_sum(j->c->ctx, &j->psi, 1, j->err);
  j->from = j->ncand;
  return rc;
}

static int draw_block(void *ctx, size_t grow0, const double *X, size_t m) {
  seed_job *j = ctx;
  uint64_t rs = round_seed(j->seed, j->round);
  for (size_t i = 0; i < m; i++) {
    double d = j->d2[grow0 - j->s->row0 + i];
    if (!(d > 0.0) || !stream_sampled(rs, grow0 + i, j->l * d / j->psi)) continue;
    if (mlsh_grow(&j->fresh, &j->fcap, (j->nfresh + 1) * j->p, sizeof(double)))
      return mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory for the k-means|| candidates");
    memcpy(j->fresh + j->nfresh * j->p, X + i * j->p, j->p * sizeof(double));
    j->nfresh++;
  }
  return MLSH_OK;
}

/* Every process's drawn rows appended to the candidates, in rank order. */
static int add_fresh(seed_job *j) {
  size_t p = j->p;
  double *all = j->fresh;
  size_t nall = j->nfresh;
  int rc = MLSH_OK;
  if (j->c) rc = stream_gather_blocks(j->c, j->fresh, j->nfresh, p, &all, &nall, j->err);
  if (!rc && mlsh_grow(&j->cand, &j->cap, (j->ncand + nall) * p, sizeof(double)))
    rc = mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory for the k-means|| candidates");
  if (!rc) {
    if (nall) memcpy(j->cand + j->ncand * p, all, nall * p * sizeof(double));
    j->ncand += nall;
  }
  if (all != j->fresh) mlsh_free(all);
  j->nfresh = 0;
  return rc;
}

/* The first candidate: global row `row`, sent by the process holding it. */
static int first_candidate(seed_job *j, size_t row, double *buf) {
  const stream_src *s = j->s;
  if (mlsh_grow(&j->cand, &j->cap, j->p, sizeof(double))) return mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory");
  memset(j->cand, 0, j->p * sizeof(double));
  if (row >= s->row0 && row < s->row0 + s->rows) {
    size_t r = row - s->row0;
    memcpy(j->cand, s->read(s->ctx, r, r + 1, buf), j->p * sizeof(double));
    if (s->done) s->done(s->ctx, r, r + 1);
  }
  j->ncand = 1;
  return j->c ? j->c->allreduce_sum(j->c->ctx, j->cand, j->p, j->err) : MLSH_OK;
}

/* ---- the reduction of the weighted candidates to k centres ---- */

static size_t draw_weighted(mlsh_rng *rng, const double *w, const double *d, size_t n) {
  double total = 0.0;
  for (size_t i = 0; i < n; i++) total += w[i] * (d ? d[i] : 1.0);
  double u = mlsh_rng_uniform(rng) * total, acc = 0.0;
  size_t last = 0;
  for (size_t i = 0; i < n; i++) {
    double v = w[i] * (d ? d[i] : 1.0);
    if (v <= 0.0) continue;
    last = i;
    acc += v;
    if (u < acc) return i;
  }
  return last;
}

static void weighted_plusplus(const double *P, const double *w, size_t n, size_t p, size_t k, mlsh_rng *rng,
                              double *d, double *C) {
  size_t c0 = draw_weighted(rng, w, NULL, n);
  memcpy(C, P + c0 * p, p * sizeof(double));
  for (size_t i = 0; i < n; i++) d[i] = dist_sq_pair(P + i * p, C, p);
  for (size_t c = 1; c < k; c++) {
    double total = 0.0;
    for (size_t i = 0; i < n; i++) total += w[i] * d[i];
    size_t pick = total > 0.0 ? draw_weighted(rng, w, d, n) : c % n;
    memcpy(C + c * p, P + pick * p, p * sizeof(double));
    for (size_t i = 0; i < n; i++) {
      double v = dist_sq_pair(P + i * p, C + c * p, p);
      if (v < d[i]) d[i] = v;
    }
  }
}

static size_t nearest(const double *x, const double *C, size_t k, size_t p) {
  size_t b = 0;
  double best = dist_sq_pair(x, C, p);
  for (size_t c = 1; c < k; c++) {
    double v = dist_sq_pair(x, C + c * p, p);
    if (v < best) { best = v; b = c; }
  }
  return b;
}

/* Weighted Lloyd from C; lab (n) and sums (k x p + k) are scratch. */
static void weighted_lloyd(const double *P, const double *w, size_t n, size_t p, size_t k, int *lab, double *sums,
                           double *C) {
  for (size_t i = 0; i < n; i++) lab[i] = -1;
  for (int it = 0; it < REDUCE_ITER; it++) {
    size_t changed = 0;
    double *cnt = sums + k * p;
    memset(sums, 0, (k * p + k) * sizeof(double));
    for (size_t i = 0; i < n; i++) {
      int b = (int)nearest(P + i * p, C, k, p);
      changed += b != lab[i];
      lab[i] = b;
      cnt[b] += w[i];
      for (size_t q = 0; q < p; q++) sums[(size_t)b * p + q] += w[i] * P[i * p + q];
    }
    if (!changed) return;
    for (size_t c = 0; c < k; c++)
      if (cnt[c] > 0.0)
        for (size_t q = 0; q < p; q++) C[c * p + q] = sums[c * p + q] / cnt[c];
  }
}

/* The weights (rows nearest to each candidate, over every process) and
 * the reduction, the same on every process. */
static int reduce_candidates(seed_job *j, double *C) {
  size_t n = j->ncand, p = j->p, k = j->k;
  double *w = mlsh_calloc(n, sizeof(double)), *d = mlsh_malloc_array(n, sizeof(double));
  double *sums = mlsh_malloc_array(k * p + k, sizeof(double));
  int *lab = mlsh_malloc_array(n, sizeof(int));
  int rc = !w || !d || !sums || !lab ? mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory for the k-means|| candidates") : MLSH_OK;
  for (size_t i = 0; !rc && i < j->s->rows; i++) w[j->near[i]] += 1.0;
  if (!rc && j->c) rc = j->c->allreduce_sum(j->c->ctx, w, n, j->err);
  if (!rc) {
    mlsh_rng root, rng;
    mlsh_rng_seed(&root, j->seed);
    mlsh_rng_split(&root, 1, &rng);
    weighted_plusplus(j->cand, w, n, p, k, &rng, d, C);
    weighted_lloyd(j->cand, w, n, p, k, lab, sums, C);
  }
  mlsh_free(w); mlsh_free(d); mlsh_free(sums); mlsh_free(lab);
  return rc;
}

/* The global number of the first row over every process (a map of a row
 * range starts past 0). */
static int first_row(const seed_job *j, size_t *first) {
  *first = j->s->row0;
  if (!j->c || j->c->size < 2) return MLSH_OK;
  size_t *all = mlsh_malloc_array((size_t)j->c->size, sizeof *all);
  if (!all) return mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory");
  int rc = j->c->allgather(j->c->ctx, &j->s->row0, sizeof j->s->row0, all, j->err);
  for (int r = 0; !rc && r < j->c->size; r++) if (all[r] < *first) *first = all[r];
  mlsh_free(all);
  return rc;
}

static int run_rounds(seed_job *j, size_t n, int rounds, double *buf) {
  mlsh_rng rng;
  mlsh_rng_seed(&rng, round_seed(j->seed, -1));
  size_t first;
  int rc = first_row(j, &first);
  if (!rc) rc = first_candidate(j, first + (size_t)mlsh_rng_below(&rng, n), buf);
  if (!rc) rc = update_pass(j, buf);
  for (j->round = 0; !rc && j->round < rounds && j->psi > 0.0; j->round++) {
    rc = stream_each_block(j->s, buf, draw_block, j);
    if (!rc) rc = add_fresh(j);
    if (!rc) rc = update_pass(j, buf);
  }
  if (!rc && j->ncand < j->k)
    rc = mlsh_seterr(j->err, MLSH_EINVAL, "k-means|| found %zu candidate centres, fewer than k = %zu (too few distinct rows?)",
                     j->ncand, j->k);
  return rc;
}

int stream_kmeans_parallel_init(const stream_src *s, const stream_comm *c, const stream_seed_opts *o,
                                const double *shift, double *C, mlsh_err *err) {
  size_t p = s->cols;
  double n = (double)s->rows;
  int rc = c ? c->allreduce_sum(c->ctx, &n, 1, err) : MLSH_OK;
  if (rc) return rc;
  if (o->k < 1 || (double)o->k > n) return mlsh_seterr(err, MLSH_EINVAL, "k = %zu must be between 1 and the %.0f rows", o->k, n);
  seed_job j = {.s = s, .c = c, .p = p, .k = o->k, .seed = o->seed, .err = err, .threads = mlsh_threads_resolve(o->threads)};
  j.l = o->oversample > 0 ? o->oversample : 2.0 * (double)o->k;
  j.d2 = mlsh_malloc_array(s->rows ? s->rows : 1, sizeof(double));
  j.near = mlsh_calloc(s->rows ? s->rows : 1, sizeof(int));
  double *buf = stream_block_buf(s);
  rc = !j.d2 || !j.near || !buf ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for k-means||") : MLSH_OK;
  for (size_t i = 0; !rc && i < s->rows; i++) j.d2[i] = INFINITY;
  if (!rc) rc = run_rounds(&j, (size_t)n, o->rounds > 0 ? o->rounds : 5, buf);
  if (!rc) rc = reduce_candidates(&j, C);
  if (!rc && shift)
    for (size_t a = 0; a < o->k; a++)
      for (size_t q = 0; q < p; q++) C[a * p + q] -= shift[q];
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "interrupted");
  mlsh_free(j.d2); mlsh_free(j.near); mlsh_free(j.cand); mlsh_free(j.fresh); mlsh_free(buf);
  return rc;
}
