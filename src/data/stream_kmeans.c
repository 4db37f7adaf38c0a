/* stream_kmeans.c - K-Means Lloyd iterations over row blocks (see
 * stream.h). As cluster.kmeans: the data are centred on the column means
 * (taken in a first pass), tol is relative to the mean column variance,
 * a run stops when no label changes or the summed squared centre shift
 * is at most tol, and the labels and inertia are those of the final
 * centres. Each iteration is one pass and, across processes, one packed
 * sum of the cluster sums, counts, changed labels and inertia. An empty
 * cluster takes the row farthest from its own centre, as cluster.kmeans does
 * (one more pass, only in an iteration that leaves a cluster empty: see
 * relocate_empty). k-means++ (cluster.kmeans's greedy
 * variant, restart 0's random stream) runs on a sample of rows drawn by
 * hashing (seed, global row). */
#include <math.h>
#include <string.h>
#include "stream.h"
#include "../cluster/dist.h"
#include "../cluster/kmeans_impl.h"
#include "../core/alloc.h"
#include "../core/rng.h"
#include "../core/threads.h"

#define SUB 256   /* rows per distance block */
#define NPART 8   /* fixed parts of a block, one thread each: their partials add in part order,
                     so the result does not depend on the number of threads */

void stream_km_opts_default(stream_km_opts *o, size_t k) {
  memset(o, 0, sizeof *o);
  o->k = k;
  o->max_iter = 300;
  o->tol = 1e-4;
  o->sample = 100000;
}

void stream_km_result_free(stream_km_result *r) {
  mat_free(&r->centers);
  mlsh_free(r->labels);
  mlsh_free(r->sizes);
  memset(r, 0, sizeof *r);
}

int stream_sampled(uint64_t seed, size_t row, double frac) {
  if (frac >= 1.0) return 1;
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + (uint64_t)row + 0x632BE59BD9B4E019ull;   /* splitmix64 */
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (double)(z >> 11) * 0x1.0p-53 < frac;
}

typedef struct {
  const stream_src *s;
  const stream_comm *c;
  size_t n, p, k;             /* n: global rows */
  const double *mean;
  double *C, *cn;             /* centred centres and their norms */
  double *acc;                /* packed: sums k*p, counts k, changed, inertia */
  double *cur;                /* where a block adds: acc, or its own partial (bitwise) */
  double *parts;              /* bitwise: one packed partial per local block */
  double *xc, *xn, *D;        /* per thread: SUB x p centred rows, SUB norms, SUB x k distances */
  double *part;               /* NPART packed partials of the current block */
  const double *X;            /* the current block: rows local0.. (m of them) */
  size_t local0, m;
  int threads;
  int *lab;                   /* local rows */
  int final;                  /* last pass: inertia to the label's centre */
  double frac;                /* sampling */
  double *sample;
  size_t nsample, cap;
  uint64_t seed;
  double *far;                /* relocation: per thread, the T farthest rows (see far_insert) */
  size_t *nfar, T;
  mlsh_err *err;
} km_job;

static size_t acc_len(const km_job *j) { return j->k * j->p + j->k + 2; }

/* One thread's scratch. */
typedef struct { double *xc, *xn, *D; int tid; } km_scratch;

static km_scratch scratch_of(const km_job *j, int tid) {
  km_scratch s = {j->xc + (size_t)tid * SUB * j->p, j->xn + (size_t)tid * SUB, j->D + (size_t)tid * SUB * j->k, tid};
  return s;
}

/* Centred rows and their squared norms in one read of the block: the
 * read from memory is the iteration's cost once several processes share
 * a node's bandwidth, so each value is loaded once, and the norm keeps
 * four partial sums (a fixed order: the same bits on every process). */
DIST_HOT static void centre_rows(const km_job *j, const km_scratch *t, const double *restrict X, size_t m) {
  size_t p = j->p;
  const double *restrict mean = j->mean;
  for (size_t i = 0; i < m; i++) {
    const double *restrict x = X + i * p;
    double *restrict xc = t->xc + i * p;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t q = 0;
    for (; q + 4 <= p; q += 4) {
      double a = x[q] - mean[q], b = x[q + 1] - mean[q + 1], c = x[q + 2] - mean[q + 2], d = x[q + 3] - mean[q + 3];
      xc[q] = a; xc[q + 1] = b; xc[q + 2] = c; xc[q + 3] = d;
      s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d;
    }
    for (; q < p; q++) { double a = x[q] - mean[q]; xc[q] = a; s0 += a * a; }
    t->xn[i] = (s0 + s1) + (s2 + s3);
  }
}

static size_t nearest(const double *restrict di, size_t k) {
  size_t b = 0;
  double best = di[0];
  for (size_t c = 1; c < k; c++) if (di[c] < best) { best = di[c]; b = c; }
  return b;
}

DIST_HOT static void add_row(double *restrict sum, const double *restrict x, size_t p) {
  for (size_t q = 0; q < p; q++) sum[q] += x[q];
}

static void assign_sub(km_job *j, const km_scratch *t, double *acc, size_t local0, size_t m) {
  size_t p = j->p, k = j->k;
  double *sums = acc, *cnt = acc + k * p, *changed = cnt + k, *inertia = changed + 1;
  int assign = !j->final || j->final == 2;
  if (assign) dist_sq_block(t->xc, t->xn, m, j->C, j->cn, k, p, t->D);
  for (size_t i = 0; i < m; i++) {
    int best = j->lab[local0 + i];
    if (assign) {
      int b = (int)nearest(t->D + i * k, k);
      if (b != best) *changed += 1;
      best = b;
      j->lab[local0 + i] = best;
    }
    const double *x = t->xc + i * p;
    cnt[best] += 1;
    if (j->final) *inertia += dist_sq_pair(x, j->C + (size_t)best * p, p);
    else add_row(sums + (size_t)best * p, x, p);
  }
}

typedef void (*km_sub_fn)(km_job *j, const km_scratch *t, size_t part, size_t local0, size_t m);

/* Parts [b, e) of the current block on thread tid, SUB centred rows at a time. */
static void each_sub(km_job *j, size_t b, size_t e, int tid, km_sub_fn fn) {
  km_scratch t = scratch_of(j, tid);
  for (size_t r = b; r < e; r++) {
    size_t i0 = j->m * r / NPART, i1 = j->m * (r + 1) / NPART;
    for (size_t s0 = i0; s0 < i1; s0 += SUB) {
      size_t mm = i1 - s0 < SUB ? i1 - s0 : SUB;
      centre_rows(j, &t, j->X + s0 * j->p, mm);
      fn(j, &t, r, j->local0 + s0, mm);
    }
  }
}

static void assign_part_sub(km_job *j, const km_scratch *t, size_t part, size_t local0, size_t m) {
  assign_sub(j, t, j->part + part * acc_len(j), local0, m);
}

static int assign_parts(void *ctx, size_t b, size_t e, int tid) {
  km_job *j = ctx;
  memset(j->part + b * acc_len(j), 0, (e - b) * acc_len(j) * sizeof(double));
  each_sub(j, b, e, tid, assign_part_sub);
  return MLSH_OK;
}

static void set_block(km_job *j, size_t grow0, const double *X, size_t m) {
  j->local0 = grow0 - j->s->row0;
  j->X = X;
  j->m = m;
}

static int assign_block(void *ctx, size_t grow0, const double *X, size_t m) {
  km_job *j = ctx;
  size_t len = acc_len(j);
  set_block(j, grow0, X, m);
  if (j->s->bitwise) {
    j->cur = j->parts + j->local0 / j->s->block * len;
    memset(j->cur, 0, len * sizeof(double));
  }
  int rc = mlsh_parallel_for(NPART, j->threads, 1, assign_parts, j);
  for (size_t r = 0; r < NPART; r++)
    for (size_t t = 0; t < len; t++) j->cur[t] += j->part[r * len + t];
  return rc;
}

/* Bitwise mode: every block's partial, summed in global block order. */
static int sum_blocks(km_job *j) {
  double *all;
  size_t nall, len = acc_len(j);
  int rc = stream_gather_blocks(j->c, j->parts, stream_nblocks(j->s), len, &all, &nall, j->err);
  if (rc) return rc;
  for (size_t b = 0; b < nall; b++)
    for (size_t t = 0; t < len; t++) j->acc[t] += all[b * len + t];
  mlsh_free(all);
  return MLSH_OK;
}

/* One pass and its reduction. final: 0 = Lloyd step, 1 = inertia of the
 * labels, 2 = assign and inertia. */
static int km_pass(km_job *j, double *buf, int final) {
  memset(j->acc, 0, acc_len(j) * sizeof(double));
  j->final = final;
  j->cur = j->acc;
  int rc = stream_each_block(j->s, buf, assign_block, j);
  if (!rc && j->s->bitwise) return sum_blocks(j);
  if (!rc && j->c) rc = j->c->allreduce_sum(j->c->ctx, j->acc, acc_len(j), j->err);
  return rc;
}

/* ---- empty clusters ----
 * As relocate_empty in src/cluster/kmeans.c (scikit-learn's relocation):
 * each empty cluster in turn takes the row farthest from its centre (the
 * centres of the pass that left it empty; ties to the lower row) among
 * rows whose cluster still has 2 rows or more. Only rows of such clusters
 * at the start can serve, and each move makes at most 2 of them
 * ineligible (the moved row, and the last row of the cluster it left), so
 * e empty clusters are served from the 2e - 1 farthest of them. Each
 * thread keeps its T = 2e farthest, merged on this process, then across
 * processes: the choice depends on the rows and centres only, never on
 * blocks, threads or processes. An entry: distance, global row, label,
 * the p centred coordinates (the moved row's, for the sums). */

static size_t far_len(const km_job *j) { return j->p + 3; }

/* Whether entry a comes before b: larger distance, then lower row. */
static int far_before(const double *a, const double *b) { return a[0] > b[0] || (a[0] == b[0] && a[1] < b[1]); }

/* Entry e into the sorted list L of *n (at most T) entries, if it belongs there. */
static void far_add(double *L, size_t *n, size_t T, size_t q, const double *e) {
  if (*n == T && !far_before(e, L + (T - 1) * q)) return;
  size_t i = *n < T ? *n : T - 1, end = i;
  while (i > 0 && far_before(e, L + (i - 1) * q)) i--;
  memmove(L + (i + 1) * q, L + i * q, (end - i) * q * sizeof(double));
  memcpy(L + i * q, e, q * sizeof(double));
  if (*n < T) (*n)++;
}

static void far_sub(km_job *j, const km_scratch *t, size_t part, size_t local0, size_t m) {
  size_t p = j->p, q = far_len(j), T = j->T;
  const double *cnt = j->acc + j->k * p;
  double *L = j->far + (size_t)t->tid * (T + 1) * q, *e = L + T * q;   /* slot T: the candidate */
  size_t *n = j->nfar + t->tid;
  (void)part;
  for (size_t i = 0; i < m; i++) {
    int a = j->lab[local0 + i];
    if (cnt[a] < 1.5) continue;   /* never empty another cluster */
    const double *x = t->xc + i * p;
    e[0] = dist_sq_pair(x, j->C + (size_t)a * p, p);
    e[1] = (double)(j->s->row0 + local0 + i);
    if (!(e[0] >= 0.0) || (*n == T && !far_before(e, L + (T - 1) * q))) continue;
    e[2] = (double)a;
    memcpy(e + 3, x, p * sizeof(double));
    far_add(L, n, T, q, e);
  }
}

static int far_parts(void *ctx, size_t b, size_t e, int tid) {
  each_sub(ctx, b, e, tid, far_sub);
  return MLSH_OK;
}

static int far_block(void *ctx, size_t grow0, const double *X, size_t m) {
  km_job *j = ctx;
  set_block(j, grow0, X, m);
  return mlsh_parallel_for(NPART, j->threads, 1, far_parts, j);
}

/* Every thread's and process's lists merged into L (T entries, *n used). */
static int far_merge(km_job *j, double *L, size_t *n) {
  size_t q = far_len(j), T = j->T;
  *n = 0;
  for (int t = 0; t < j->threads; t++)
    for (size_t i = 0; i < j->nfar[t]; i++) far_add(L, n, T, q, j->far + ((size_t)t * (T + 1) + i) * q);
  if (!j->c) return MLSH_OK;
  memset(L + *n * q, 0, (T - *n) * q * sizeof(double));
  for (size_t i = *n; i < T; i++) L[i * q + 1] = -1.0;   /* unused */
  double *all = mlsh_malloc_array((size_t)j->c->size * T, q * sizeof(double));
  if (!all) return mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory for the empty clusters");
  int rc = j->c->allgather(j->c->ctx, L, T * q * sizeof(double), all, j->err);
  *n = 0;
  for (size_t i = 0; !rc && i < (size_t)j->c->size * T; i++)
    if (all[i * q + 1] >= 0.0) far_add(L, n, T, q, all + i * q);
  mlsh_free(all);
  return rc;
}

/* The moves, in cluster order, on the reduced sums and counts (the same
 * on every process) and on the owner's label. */
static void far_apply(km_job *j, double *L, size_t n) {
  size_t p = j->p, k = j->k, q = far_len(j);
  double *sums = j->acc, *cnt = sums + k * p;
  for (size_t c = 0; c < k; c++) {
    if (cnt[c] > 0.5) continue;
    size_t i = 0;
    while (i < n && cnt[(size_t)L[i * q + 2]] < 1.5) i++;
    if (i == n) continue;
    double *e = L + i * q;
    size_t a = (size_t)e[2], row = (size_t)e[1];
    for (size_t t = 0; t < p; t++) { sums[a * p + t] -= e[3 + t]; sums[c * p + t] = e[3 + t]; }
    cnt[a] -= 1.0;
    cnt[c] = 1.0;
    e[2] = (double)c;   /* a cluster of one row now: never moved again */
    if (row >= j->s->row0 && row - j->s->row0 < j->s->rows) j->lab[row - j->s->row0] = (int)c;
  }
}

/* After a Lloyd pass: nothing unless a cluster is empty, else one more pass. */
static int relocate_empty(km_job *j, double *buf) {
  size_t k = j->k, e = 0, n = 0, q = far_len(j);
  const double *cnt = j->acc + k * j->p;
  for (size_t c = 0; c < k; c++) e += cnt[c] < 0.5;
  if (!e) return MLSH_OK;
  j->T = 2 * e;
  j->far = mlsh_malloc_array((size_t)j->threads * (j->T + 1), q * sizeof(double));
  j->nfar = mlsh_calloc((size_t)j->threads, sizeof(size_t));
  double *L = mlsh_malloc_array(j->T, q * sizeof(double));
  int rc = j->far && j->nfar && L ? MLSH_OK : mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory for the empty clusters");
  if (!rc) rc = stream_each_block(j->s, buf, far_block, j);
  if (!rc) rc = far_merge(j, L, &n);
  if (!rc) far_apply(j, L, n);
  mlsh_free(L);
  mlsh_free(j->far);
  mlsh_free(j->nfar);
  j->far = NULL;
  j->nfar = NULL;
  return rc;
}

/* M-step; returns the summed squared shift. */
static double update_centres(km_job *j) {
  size_t p = j->p, k = j->k;
  const double *sums = j->acc, *cnt = j->acc + k * p;
  double tot = 0.0;
  for (size_t c = 0; c < k; c++) {
    if (cnt[c] < 0.5) continue;
    double s2 = 0.0;
    for (size_t q = 0; q < p; q++) {
      double v = sums[c * p + q] / cnt[c], d = v - j->C[c * p + q];
      s2 += d * d;
      j->C[c * p + q] = v;
    }
    tot += s2;
  }
  dist_row_sqnorms(j->C, k, p, j->cn);
  return tot;
}

static int sample_block(void *ctx, size_t grow0, const double *X, size_t m) {
  km_job *j = ctx;
  for (size_t i = 0; i < m; i++) {
    if (!stream_sampled(j->seed, grow0 + i, j->frac)) continue;
    if (mlsh_grow(&j->sample, &j->cap, (j->nsample + 1) * j->p, sizeof(double)))
      return mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory for the seeding sample");
    for (size_t q = 0; q < j->p; q++) j->sample[j->nsample * j->p + q] = X[i * j->p + q] - j->mean[q];
    j->nsample++;
  }
  return MLSH_OK;
}

/* Every process's sampled rows, in global row order (rank order). */
static int gather_sample(km_job *j, double **all, size_t *nall) {
  const stream_comm *c = j->c;
  size_t mine = j->nsample * j->p * sizeof(double);
  size_t *counts = mlsh_malloc_array((size_t)c->size, sizeof(size_t));
  int rc = counts ? c->allgather(c->ctx, &mine, sizeof mine, counts, j->err) : MLSH_ENOMEM;
  size_t total = 0;
  for (int r = 0; !rc && r < c->size; r++) total += counts[r];
  *all = rc ? NULL : mlsh_malloc(total ? total : 1);
  if (!rc && !*all) rc = MLSH_ENOMEM;
  if (!rc) rc = c->allgatherv(c->ctx, j->sample, mine, *all, counts, j->err);
  mlsh_free(counts);
  *nall = total / (j->p * sizeof(double));
  if (rc == MLSH_ENOMEM) mlsh_seterr(j->err, rc, "not enough memory for the seeding sample");
  return rc;
}

static int seed_centres(km_job *j, const stream_km_opts *o, double *buf) {
  j->seed = o->seed;
  j->frac = (double)o->sample / (double)j->n;
  int rc = stream_each_block(j->s, buf, sample_block, j);
  double *rows = j->sample;
  size_t nrows = j->nsample;
  if (!rc && j->c) rc = gather_sample(j, &rows, &nrows);
  if (!rc && nrows < j->k)
    rc = mlsh_seterr(j->err, MLSH_EINVAL, "the seeding sample has %zu rows, fewer than k = %zu (raise 'sample')", nrows, j->k);
  if (!rc) {
    mlsh_rng root, rng;
    mlsh_rng_seed(&root, o->seed);
    mlsh_rng_split(&root, 0, &rng);
    rc = km_seed_plusplus(rows, nrows, j->p, j->k, &rng, j->C);
    if (rc == MLSH_ENOMEM) mlsh_seterr(j->err, rc, "not enough memory for k-means++");
    if (rc == MLSH_EINTR) mlsh_seterr(j->err, rc, "interrupted");
  }
  if (rows != j->sample) mlsh_free(rows);
  return rc;
}

static void job_free(km_job *j) {
  mlsh_free(j->C); mlsh_free(j->cn); mlsh_free(j->acc); mlsh_free(j->xc); mlsh_free(j->xn); mlsh_free(j->D);
  mlsh_free(j->part);
  mlsh_free(j->sample);
  mlsh_free(j->parts);
}

static int job_alloc(km_job *j, const stream_src *s, size_t k) {
  size_t p = s->cols;
  j->C = mlsh_malloc_array(k * p, sizeof(double));
  j->cn = mlsh_malloc_array(k, sizeof(double));
  j->acc = mlsh_malloc_array(k * p + k + 2, sizeof(double));
  size_t th = (size_t)j->threads;
  j->xc = mlsh_malloc_array(th * SUB * p, sizeof(double));
  j->xn = mlsh_malloc_array(th * SUB, sizeof(double));
  j->D = mlsh_malloc_array(th * SUB * k, sizeof(double));
  j->part = mlsh_malloc_array(NPART, (k * p + k + 2) * sizeof(double));
  if (s->bitwise) j->parts = mlsh_malloc_array(stream_nblocks(s) + 1, (k * p + k + 2) * sizeof(double));
  return j->C && j->cn && j->acc && j->xc && j->xn && j->D && j->part && (!s->bitwise || j->parts) ? MLSH_OK : MLSH_ENOMEM;
}

static int lloyd(km_job *j, const stream_km_opts *o, double tol, double *buf, stream_km_result *r) {
  int rc = km_pass(j, buf, 0), it, strict = 0;
  double tot = INFINITY;
  for (it = 1; !rc && it <= o->max_iter; it++) {
    double changed = j->acc[j->k * j->p + j->k];
    if ((rc = relocate_empty(j, buf))) break;
    tot = update_centres(j);
    if (it > 1 && changed == 0) { strict = 1; break; }
    if (tot <= tol || it == o->max_iter) break;
    rc = km_pass(j, buf, 0);
  }
  if (rc) return rc;
  r->iters = it > o->max_iter ? o->max_iter : it;
  r->converged = strict || tot <= tol;
  /* The labels, sizes and inertia of the final centres (labels already
   * match them when nothing changed). */
  return km_pass(j, buf, strict ? 1 : 2);
}

int stream_kmeans(const stream_src *s, const stream_comm *c, const stream_km_opts *o, stream_km_result *r, mlsh_err *err) {
  memset(r, 0, sizeof *r);
  size_t p = s->cols, k = o->k;
  stream_moments mo = {.full = 0};
  int rc = stream_moments_compute(s, c, &mo, err);
  if (rc) return rc;
  size_t n = (size_t)mo.n;
  if (k < 1 || k > n) { stream_moments_free(&mo); return mlsh_seterr(err, MLSH_EINVAL, "k = %zu must be between 1 and the %zu rows", k, n); }
  if (o->centers0 && (o->centers0->rows != k || o->centers0->cols != p)) {
    stream_moments_free(&mo);
    return mlsh_seterr(err, MLSH_EINVAL, "initial centres must be %zu x %zu (got %zu x %zu)", k, p, o->centers0->rows, o->centers0->cols);
  }
  double var = 0.0;
  for (size_t q = 0; q < p; q++) var += mo.m2[q];
  km_job j = {.s = s, .c = c, .n = n, .p = p, .k = k, .mean = mo.mean, .err = err, .threads = mlsh_threads_resolve(o->threads)};
  double *buf = stream_block_buf(s);
  r->labels = mlsh_malloc_array(s->rows ? s->rows : 1, sizeof(int));
  r->sizes = mlsh_malloc_array(k, sizeof(double));
  rc = !buf || !r->labels || !r->sizes || job_alloc(&j, s, k) ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory") : MLSH_OK;
  j.lab = r->labels;
  if (!rc) {
    for (size_t i = 0; i < s->rows; i++) j.lab[i] = -1;
    if (o->centers0)
      for (size_t a = 0; a < k; a++)
        for (size_t q = 0; q < p; q++) j.C[a * p + q] = MAT_AT(o->centers0, a, q) - mo.mean[q];
    else if (o->parallel_init) {   /* k-means|| seeding: stream_seed.c */
      stream_seed_opts so = {.k = k, .seed = o->seed, .threads = o->threads};
      rc = stream_kmeans_parallel_init(s, c, &so, mo.mean, j.C, err);
    } else rc = seed_centres(&j, o, buf);
  }
  if (!rc) {
    dist_row_sqnorms(j.C, k, p, j.cn);
    rc = lloyd(&j, o, o->tol * var / ((double)n * (double)p), buf, r);
  }
  if (!rc) rc = mat_alloc(&r->centers, k, p, err);
  if (!rc) {
    for (size_t a = 0; a < k; a++)
      for (size_t q = 0; q < p; q++) MAT_AT(&r->centers, a, q) = j.C[a * p + q] + mo.mean[q];
    memcpy(r->sizes, j.acc + k * p, k * sizeof(double));
    r->inertia = j.acc[k * p + k + 1];
  }
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "interrupted");
  job_free(&j);
  mlsh_free(buf);
  stream_moments_free(&mo);
  if (rc) stream_km_result_free(r);
  return rc;
}
