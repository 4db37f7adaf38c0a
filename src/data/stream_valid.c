/* stream_valid.c - cluster validity over row blocks and the streamed
 * elbow sweep (see stream.h). Calinski-Harabasz and Davies-Bouldin need
 * only each cluster's sum and count (one pass), then each row's distance
 * to its centroid (a second pass): both are exact, as in memory, up to
 * the order of the sums. The silhouette, quadratic in the rows, runs in
 * memory on the seeded row sample cluster.elbow draws, read from
 * whichever process holds each row. */
#include <math.h>
#include <string.h>
#include "stream.h"
#include "../cluster/dist.h"
#include "../cluster/validity.h"
#include "../core/alloc.h"
#include "../core/threads.h"

#define NPART 8   /* fixed parts of a block, one thread each: their partials add in part order */

typedef struct {
  const stream_src *s;
  const int *lab;           /* local rows */
  size_t p, k, len;         /* len: doubles of a partial */
  int second, threads;      /* second pass: distances to C */
  const double *C;          /* k x p centroids (second pass) */
  double *acc, *cur, *parts, *part;
  const double *X;          /* the current block */
  size_t local0, m;
  mlsh_err *err;
} valid_job;

/* First pass: sums (k x p) and counts (k); second: the within-cluster
 * sum of squares, then each cluster's summed distances (k). */
static int valid_parts(void *ctx, size_t b, size_t e, int tid) {
  valid_job *j = ctx;
  size_t p = j->p, k = j->k;
  (void)tid;
  for (size_t r = b; r < e; r++) {
    size_t i0 = j->m * r / NPART, i1 = j->m * (r + 1) / NPART;
    double *acc = j->part + r * j->len;
    memset(acc, 0, j->len * sizeof(double));
    for (size_t i = i0; i < i1; i++) {
      const double *x = j->X + i * p;
      int c = j->lab[j->local0 + i];
      if (c < 0 || (size_t)c >= k) return MLSH_EINVAL;
      if (j->second) {
        double d2 = dist_sq_pair(x, j->C + (size_t)c * p, p);
        acc[0] += d2;
        acc[1 + c] += sqrt(d2);
      } else {
        double *sum = acc + (size_t)c * p;
        for (size_t q = 0; q < p; q++) sum[q] += x[q];
        acc[k * p + c] += 1.0;
      }
    }
  }
  return MLSH_OK;
}

static int valid_block(void *ctx, size_t grow0, const double *X, size_t m) {
  valid_job *j = ctx;
  j->local0 = grow0 - j->s->row0;
  j->X = X;
  j->m = m;
  if (j->parts) {
    j->cur = j->parts + j->local0 / j->s->block * j->len;
    memset(j->cur, 0, j->len * sizeof(double));
  }
  int rc = mlsh_parallel_for(NPART, j->threads, 1, valid_parts, j);
  if (rc == MLSH_EINVAL) {
    size_t at = 0;
    while (j->lab[j->local0 + at] >= 0 && (size_t)j->lab[j->local0 + at] < j->k) at++;
    return mlsh_seterr(j->err, rc, "label %d at row %zu is outside 1..%zu", j->lab[j->local0 + at] + 1, grow0 + at + 1, j->k);
  }
  for (size_t r = 0; r < NPART; r++)
    for (size_t t = 0; t < j->len; t++) j->cur[t] += j->part[r * j->len + t];
  return rc;
}

/* One pass into j->acc (len doubles), summed over the processes; in
 * bitwise mode every block's partial, in global block order. */
static int valid_pass(valid_job *j, const stream_comm *c, double *buf) {
  memset(j->acc, 0, j->len * sizeof(double));
  j->cur = j->acc;
  int rc = stream_each_block(j->s, buf, valid_block, j);
  if (!rc && j->parts) {
    double *all;
    size_t nall;
    rc = stream_gather_blocks(c, j->parts, stream_nblocks(j->s), j->len, &all, &nall, j->err);
    for (size_t b = 0; !rc && b < nall; b++)
      for (size_t t = 0; t < j->len; t++) j->acc[t] += all[b * j->len + t];
    if (!rc) mlsh_free(all);
  } else if (!rc && c) {
    rc = c->allreduce_sum(c->ctx, j->acc, j->len, j->err);
  }
  return rc;
}

static int valid_alloc(valid_job *j, const stream_src *s, size_t len) {
  j->len = len;
  mlsh_free(j->acc); mlsh_free(j->part); mlsh_free(j->parts);
  j->acc = mlsh_malloc_array(len, sizeof(double));
  j->part = mlsh_malloc_array(NPART, len * sizeof(double));
  j->parts = s->bitwise ? mlsh_malloc_array(stream_nblocks(s) + 1, len * sizeof(double)) : NULL;
  return j->acc && j->part && (!s->bitwise || j->parts) ? MLSH_OK : mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory");
}

int stream_cluster_indices(const stream_src *s, const stream_comm *c, const int *lab, size_t k, int threads, double *ch,
                           double *db, mlsh_err *err) {
  size_t p = s->cols, n;
  int rc = stream_total_rows(s, c, &n, err);
  if (rc) return rc;
  if (k < 2 || k >= n)
    return mlsh_seterr(err, MLSH_EINVAL, "needs 2 <= number of clusters < number of rows (got %zu clusters, %zu rows)", k, n);
  valid_job j = {.s = s, .lab = lab, .p = p, .k = k, .threads = mlsh_threads_resolve(threads), .err = err};
  double *buf = stream_block_buf(s), *C = mlsh_malloc_array(k * p + k + p, sizeof(double));
  double *cnt = C ? C + k * p : NULL, *gm = C ? cnt + k : NULL;
  rc = !buf || !C ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory") : valid_alloc(&j, s, k * p + k);
  if (!rc) rc = valid_pass(&j, c, buf);
  if (!rc) {
    memcpy(cnt, j.acc + k * p, k * sizeof(double));
    memset(gm, 0, p * sizeof(double));
    for (size_t a = 0; a < k; a++)
      for (size_t q = 0; q < p; q++) {
        gm[q] += j.acc[a * p + q];
        C[a * p + q] = cnt[a] > 0 ? j.acc[a * p + q] / cnt[a] : 0.0;
      }
    for (size_t q = 0; q < p; q++) gm[q] /= (double)n;
    j.second = 1;
    j.C = C;
    rc = valid_alloc(&j, s, 1 + k);
  }
  if (!rc) rc = valid_pass(&j, c, buf);
  if (!rc) {
    if (ch) *ch = clv_ch_finish(C, cnt, gm, k, p, n, j.acc[0]);
    if (db) *db = clv_db_finish(C, j.acc + 1, cnt, k, p);
  }
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "interrupted");
  mlsh_free(buf); mlsh_free(C); mlsh_free(j.acc); mlsh_free(j.part); mlsh_free(j.parts);
  return rc;
}

int stream_total_rows(const stream_src *s, const stream_comm *c, size_t *n, mlsh_err *err) {
  double v = (double)s->rows;
  int rc = c ? c->allreduce_sum(c->ctx, &v, 1, err) : MLSH_OK;
  *n = rc ? 0 : (size_t)v;
  return rc;
}

/* The number, in the rows of every process in rank order, of this
 * process's first row. */
static int first_row(const stream_src *s, const stream_comm *c, size_t *first, mlsh_err *err) {
  *first = 0;
  if (!c) return MLSH_OK;
  size_t *all = mlsh_malloc_array((size_t)c->size, sizeof(size_t));
  int rc = all ? c->allgather(c->ctx, &s->rows, sizeof s->rows, all, err) : mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  for (int r = 0; !rc && r < c->rank; r++) *first += all[r];
  mlsh_free(all);
  return rc;
}

int stream_gather_rows(const stream_src *s, const stream_comm *c, const size_t *rows, size_t m, double *out, mlsh_err *err) {
  size_t p = s->cols, first;
  int rc = first_row(s, c, &first, err);
  double *buf = rc ? NULL : mlsh_malloc_array(p ? p : 1, sizeof(double));
  if (!rc && !buf) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (!rc) memset(out, 0, m * p * sizeof(double));
  for (size_t i = 0; !rc && i < m; i++) {
    if (rows[i] < first || rows[i] >= first + s->rows) continue;
    size_t r = rows[i] - first;
    memcpy(out + i * p, s->read(s->ctx, r, r + 1, buf), p * sizeof(double));
    if (s->done) s->done(s->ctx, r, r + 1);
  }
  /* every row comes from one process, zeros from the others: the sum is exact */
  if (!rc && c) rc = c->allreduce_sum(c->ctx, out, m * p, err);
  mlsh_free(buf);
  return rc;
}

/* The labels of the sample rows (numbers from first), from their processes. */
static int sample_labels(const stream_src *s, const stream_comm *c, size_t first, const size_t *rows, size_t m,
                         const int *lab, double *v, int *out, mlsh_err *err) {
  for (size_t i = 0; i < m; i++) v[i] = rows[i] >= first && rows[i] < first + s->rows ? lab[rows[i] - first] : 0.0;
  int rc = c ? c->allreduce_sum(c->ctx, v, m, err) : MLSH_OK;
  for (size_t i = 0; !rc && i < m; i++) out[i] = (int)v[i];
  return rc;
}

/* The sample: the first m of the seeded permutation (as in memory), or
 * every row in order when m is all of them. */
static size_t *sample_rows(uint64_t seed, size_t n, size_t m) {
  size_t *rows = mlsh_malloc_array(n ? n : 1, sizeof(size_t));
  if (!rows) return NULL;
  if (m < n) clv_sample_perm(seed, n, rows);
  else for (size_t i = 0; i < n; i++) rows[i] = i;
  return rows;
}

typedef struct {
  size_t *rows, first;
  mlsh_mat Xs;
  double *v, *sv;
  int *slab;
} elbow_sample;

static void sample_free(elbow_sample *e) {
  mlsh_free(e->rows); mat_free(&e->Xs); mlsh_free(e->v); mlsh_free(e->sv); mlsh_free(e->slab);
}

static int sample_setup(const stream_src *s, const stream_comm *c, const stream_km_opts *o, size_t n, size_t m,
                        elbow_sample *e, mlsh_err *err) {
  int rc = first_row(s, c, &e->first, err);
  if (rc || !m) return rc;
  e->rows = sample_rows(o->seed, n, m);
  e->v = mlsh_malloc_array(m, sizeof(double));
  e->sv = mlsh_malloc_array(m, sizeof(double));
  e->slab = mlsh_malloc_array(m, sizeof(int));
  if (!e->rows || !e->v || !e->sv || !e->slab) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the silhouette sample");
  rc = mat_alloc(&e->Xs, m, s->cols, err);
  return rc ? rc : stream_gather_rows(s, c, e->rows, m, e->Xs.data, err);
}

int stream_elbow(const stream_src *s, const stream_comm *c, const stream_km_opts *o, size_t kmin, size_t kmax,
                 size_t sample, double *inertia, double *sil, double *ch, double *db, mlsh_err *err) {
  size_t n;
  elbow_sample e = {0};
  int rc = stream_total_rows(s, c, &n, err);
  if (!rc && (kmin < 2 || kmax < kmin || kmax >= n))
    rc = mlsh_seterr(err, MLSH_EINVAL, "needs 2 <= kmin <= kmax < number of rows %zu (got %zu..%zu)", n, kmin, kmax);
  if (!rc) rc = sample_setup(s, c, o, n, sample < n ? sample : n, &e, err);
  if (sample > n) sample = n;
  for (size_t k = kmin; !rc && k <= kmax; k++) {
    size_t t = k - kmin;
    stream_km_opts ok = *o;
    stream_km_result r;
    ok.k = k;
    rc = stream_kmeans(s, c, &ok, &r, err);
    if (rc) break;
    inertia[t] = r.inertia;
    sil[t] = NAN;
    rc = stream_cluster_indices(s, c, r.labels, k, o->threads, &ch[t], &db[t], err);
    if (!rc && sample) rc = sample_labels(s, c, e.first, e.rows, sample, r.labels, e.v, e.slab, err);
    if (!rc && sample) rc = clv_silhouette(&e.Xs, e.slab, k, o->threads, e.sv, &sil[t], err);
    stream_km_result_free(&r);
  }
  sample_free(&e);
  return rc;
}
