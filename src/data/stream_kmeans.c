/* stream_kmeans.c - K-Means Lloyd iterations over row blocks (see
 * stream.h). As cluster.kmeans: the data are centred on the column means
 * (taken in a first pass), tol is relative to the mean column variance,
 * a run stops when no label changes or the summed squared centre shift
 * is at most tol, and the labels and inertia are those of the final
 * centres. Each iteration is one pass and, across processes, one packed
 * sum of the cluster sums, counts, changed labels and inertia. A cluster
 * left empty keeps its centre. k-means++ (cluster.kmeans's greedy
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
  mlsh_err *err;
} km_job;

static size_t acc_len(const km_job *j) { return j->k * j->p + j->k + 2; }

/* One thread's scratch. */
typedef struct { double *xc, *xn, *D; } km_scratch;

static km_scratch scratch_of(const km_job *j, int tid) {
  km_scratch s = {j->xc + (size_t)tid * SUB * j->p, j->xn + (size_t)tid * SUB, j->D + (size_t)tid * SUB * j->k};
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

/* Parts [b, e) of the current block on thread tid. */
static int assign_parts(void *ctx, size_t b, size_t e, int tid) {
  km_job *j = ctx;
  km_scratch t = scratch_of(j, tid);
  for (size_t r = b; r < e; r++) {
    size_t i0 = j->m * r / NPART, i1 = j->m * (r + 1) / NPART;
    double *acc = j->part + r * acc_len(j);
    memset(acc, 0, acc_len(j) * sizeof(double));
    for (size_t s0 = i0; s0 < i1; s0 += SUB) {
      size_t mm = i1 - s0 < SUB ? i1 - s0 : SUB;
      centre_rows(j, &t, j->X + s0 * j->p, mm);
      assign_sub(j, &t, acc, j->local0 + s0, mm);
    }
  }
  return MLSH_OK;
}

static int assign_block(void *ctx, size_t grow0, const double *X, size_t m) {
  km_job *j = ctx;
  size_t len = acc_len(j);
  j->local0 = grow0 - j->s->row0;
  j->X = X;
  j->m = m;
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
