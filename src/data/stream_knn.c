/* stream_knn.c - brute-force k nearest neighbours over row blocks (see
 * stream.h). Distances are screened with one dgemm per block; a row that
 * may enter a query's k best (within the screen's rounding bound) is
 * measured again directly, so the neighbours are those of a direct
 * search. Across processes every rank's k best are gathered and merged
 * in rank (global row) order; or, for queries spread over the ranks too,
 * the training blocks pass around a ring of ranks (stream_knn_ring) and
 * each rank keeps its own queries' k best, searching the block it holds
 * while the next one travels. Queries are split into slices searched on
 * threads. Ties go to the lower global row whatever order the rows
 * arrive in. */
#include <math.h>
#include <string.h>
#include "stream.h"
#include "../cluster/dist.h"
#include "../core/alloc.h"
#include "../core/threads.h"

#define SUB 512

typedef struct {
  const mlsh_mat *Q;
  size_t k;
  int slices;               /* query slices searched at once, one thread each */
  double *qn, *xn, *D;      /* query norms; SUB norms per slice; q x SUB screen */
  double *best;             /* q x k squared distances, ascending */
  size_t *idx;              /* q x k global rows */
  size_t *found;            /* per query: how many of k are filled */
  const double *X;          /* the block searched: m rows from global row grow0 */
  size_t grow0, m;
  const stream_comm *wait;  /* a ring transfer to complete on the calling thread meanwhile */
  mlsh_err *err;
} knn_job;

/* Insert (d, row) into a query's sorted list, ordered by (d, row). */
static void insert(double *best, size_t *idx, size_t *found, size_t k, double d, size_t row) {
  size_t n = *found;
  if (n == k && !(d < best[k - 1] || (d == best[k - 1] && row < idx[k - 1]))) return;
  size_t at = n < k ? n : k - 1;
  while (at > 0 && (d < best[at - 1] || (d == best[at - 1] && row < idx[at - 1]))) {
    best[at] = best[at - 1];
    idx[at] = idx[at - 1];
    at--;
  }
  best[at] = d;
  idx[at] = row;
  if (n < k) *found = n + 1;
}

/* Queries [a0, a1) against the block, with slice sl's scratch. Each
 * query's list is its own: the same neighbours for any slicing. */
static void search_slice(knn_job *j, size_t a0, size_t a1, size_t sl) {
  size_t p = j->Q->cols, k = j->k, nq = a1 - a0;
  double *xn = j->xn + sl * SUB, *D = j->D + a0 * SUB;
  for (size_t s0 = 0; s0 < j->m; s0 += SUB) {
    size_t mm = j->m - s0 < SUB ? j->m - s0 : SUB;
    const double *B = j->X + s0 * p;
    dist_row_sqnorms(B, mm, p, xn);
    dist_sq_block(j->Q->data + a0 * p, j->qn + a0, nq, B, xn, mm, p, D);
    for (size_t a = a0; a < a1; a++) {
      double *best = j->best + a * k, *da = D + (a - a0) * mm;
      size_t *idx = j->idx + a * k;
      for (size_t i = 0; i < mm; i++) {
        double slack = 1e-10 * (j->qn[a] + xn[i]) + 1e-300;
        if (j->found[a] == k && da[i] > best[k - 1] + slack) continue;
        double d = dist_sq_pair(j->Q->data + a * p, B + i * p, p);
        insert(best, idx, &j->found[a], k, d, j->grow0 + s0 + i);
      }
    }
  }
}

/* Part 0 waits for the ring transfer when there is one (the calling
 * thread: only it calls MPI, and its wait polls so that the transfer
 * progresses), the others search one query slice each. */
static int search_parts(void *ctx, size_t b, size_t e, int tid) {
  knn_job *j = ctx;
  size_t q = j->Q->rows, ns = (size_t)j->slices;
  (void)tid;
  for (size_t r = b; r < e; r++) {
    if (j->wait && r == 0) {
      int rc = j->wait->shift_wait(j->wait->ctx, j->err);
      if (rc) return rc;
      continue;
    }
    size_t sl = j->wait ? r - 1 : r;
    search_slice(j, q * sl / ns, q * (sl + 1) / ns, sl);
  }
  return MLSH_OK;
}

static int search_block(knn_job *j, size_t grow0, const double *X, size_t m, const stream_comm *wait) {
  j->X = X;
  j->grow0 = grow0;
  j->m = m;
  j->wait = wait;
  size_t parts = (size_t)j->slices + (wait != NULL);
  return mlsh_parallel_for(parts, (int)parts, 1, search_parts, j);
}

static int knn_block(void *ctx, size_t grow0, const double *X, size_t m) {
  return search_block(ctx, grow0, X, m, NULL);
}

/* Gather every rank's lists (distance and row as doubles) and merge. */
static int knn_reduce(const stream_comm *c, knn_job *j, mlsh_err *err) {
  size_t q = j->Q->rows, k = j->k, len = q * k * 2;
  double *mine = mlsh_malloc_array(len, sizeof(double));
  double *all = mlsh_malloc_array((size_t)c->size * len, sizeof(double));
  int rc = !mine || !all ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory") : MLSH_OK;
  if (!rc) {
    for (size_t t = 0; t < q * k; t++) {
      mine[2 * t] = t % k < j->found[t / k] ? j->best[t] : INFINITY;
      mine[2 * t + 1] = (double)j->idx[t];
    }
    rc = c->allgather(c->ctx, mine, len * sizeof(double), all, err);
  }
  if (!rc) {
    memset(j->found, 0, q * sizeof(size_t));
    for (int r = 0; r < c->size; r++)
      for (size_t t = 0; t < q * k; t++) {
        const double *v = all + (size_t)r * len + 2 * t;
        if (v[0] < INFINITY) insert(j->best + (t / k) * k, j->idx + (t / k) * k, &j->found[t / k], k, v[0], (size_t)v[1]);
      }
  }
  mlsh_free(mine);
  mlsh_free(all);
  return rc;
}

static int knn_setup(knn_job *j, const mlsh_mat *Q, size_t k, int threads, size_t *index, double *dist, mlsh_err *err) {
  size_t q = Q->rows;
  int slices = mlsh_threads_resolve(threads);
  if ((size_t)slices > q) slices = q ? (int)q : 1;
  *j = (knn_job){.Q = Q, .k = k, .slices = slices, .best = dist, .idx = index, .err = err};
  j->qn = mlsh_malloc_array(q ? q : 1, sizeof(double));
  j->xn = mlsh_malloc_array((size_t)slices * SUB, sizeof(double));
  j->D = mlsh_malloc_array((q ? q : 1) * SUB, sizeof(double));
  j->found = mlsh_calloc(q ? q : 1, sizeof(size_t));
  if (!j->qn || !j->xn || !j->D || !j->found) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  dist_row_sqnorms(Q->data, q, Q->cols, j->qn);
  return MLSH_OK;
}

/* Every query's k best complete: distances from squares. */
static int knn_finish(knn_job *j, int rc, mlsh_err *err) {
  size_t q = j->Q->rows, k = j->k;
  for (size_t a = 0; !rc && a < q; a++) {
    if (j->found[a] < k) { rc = mlsh_seterr(err, MLSH_EINVAL, "k = %zu is more than the %zu rows", k, j->found[a]); break; }
    for (size_t t = 0; t < k; t++) j->best[a * k + t] = sqrt(j->best[a * k + t]);
  }
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "interrupted");
  mlsh_free(j->qn); mlsh_free(j->xn); mlsh_free(j->D); mlsh_free(j->found);
  return rc;
}

static int knn_check(const stream_src *s, const mlsh_mat *Q, size_t k, mlsh_err *err) {
  if (Q->cols != s->cols) return mlsh_seterr(err, MLSH_EINVAL, "the queries have %zu columns, the data %zu", Q->cols, s->cols);
  if (k < 1) return mlsh_seterr(err, MLSH_EINVAL, "k must be at least 1");
  return MLSH_OK;
}

int stream_knn(const stream_src *s, const stream_comm *c, const mlsh_mat *Q, size_t k, int threads, size_t *index,
               double *dist, mlsh_err *err) {
  int rc = knn_check(s, Q, k, err);
  if (rc) return rc;
  knn_job j;
  rc = knn_setup(&j, Q, k, threads, index, dist, err);
  double *buf = rc ? NULL : stream_block_buf(s);
  if (!rc && !buf) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (!rc) rc = stream_each_block(s, buf, knn_block, &j);
  if (!rc && c) rc = knn_reduce(c, &j, err);
  mlsh_free(buf);
  return knn_finish(&j, rc, err);
}

/* ---- the ring: training blocks travel, queries stay ---- */

typedef struct {
  size_t *rows, *row0;       /* per rank */
  size_t most;               /* the largest block */
  double *a, *b;             /* the block held and the one arriving */
} ring_state;

static int ring_sizes(const stream_comm *c, const stream_src *s, ring_state *r, mlsh_err *err) {
  size_t mine[2] = {s->rows, s->row0}, n = (size_t)c->size;
  size_t *all = mlsh_malloc_array(2 * n, sizeof(size_t));
  r->rows = mlsh_malloc_array(n, sizeof(size_t));
  r->row0 = mlsh_malloc_array(n, sizeof(size_t));
  int rc = !all || !r->rows || !r->row0 ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory") : MLSH_OK;
  if (!rc) rc = c->allgather(c->ctx, mine, sizeof mine, all, err);
  for (size_t i = 0; !rc && i < n; i++) {
    r->rows[i] = all[2 * i];
    r->row0[i] = all[2 * i + 1];
    if (r->rows[i] > r->most) r->most = r->rows[i];
  }
  mlsh_free(all);
  return rc;
}

/* This rank's rows into r->a (read in blocks: a mapped file is paged in once). */
static int ring_load(const stream_src *s, ring_state *r, mlsh_err *err) {
  size_t p = s->cols, len = (r->most ? r->most : 1) * (p ? p : 1);
  r->a = mlsh_malloc_array(len, sizeof(double));
  r->b = mlsh_malloc_array(len, sizeof(double));
  if (!r->a || !r->b) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the ring's blocks (2 x %zu rows)", r->most);
  for (size_t r0 = 0; r0 < s->rows; r0 += s->block) {
    size_t r1 = r0 + s->block < s->rows ? r0 + s->block : s->rows;
    const double *src = s->read(s->ctx, r0, r1, r->a + r0 * p);
    if (src != r->a + r0 * p) memcpy(r->a + r0 * p, src, (r1 - r0) * p * sizeof(double));
    if (s->done) s->done(s->ctx, r0, r1);
  }
  return MLSH_OK;
}

/* size steps: search the block held (first this rank's own) while it
 * goes to the next rank and the previous rank's arrives. A communicator
 * without the split transfer shifts after the search. */
static int ring_run(const stream_comm *c, knn_job *j, ring_state *r, size_t p, mlsh_err *err) {
  int n = c->size, rc = MLSH_OK, split = c->shift_start && c->shift_wait;
  for (int t = 0; !rc && t < n; t++) {
    int held = ((c->rank - t) % n + n) % n, next = ((held - 1) % n + n) % n, pass = t + 1 < n;
    size_t sbytes = r->rows[held] * p * sizeof(double), rbytes = r->rows[next] * p * sizeof(double);
    if (pass && split) rc = c->shift_start(c->ctx, r->a, sbytes, r->b, rbytes, err);
    if (!rc) rc = search_block(j, r->row0[held], r->a, r->rows[held], pass && split ? c : NULL);
    if (!rc && pass && !split) rc = c->shift(c->ctx, r->a, sbytes, r->b, rbytes, err);
    double *tmp = r->a;
    r->a = r->b;
    r->b = tmp;
  }
  return rc;
}

int stream_knn_ring(const stream_src *s, const stream_comm *c, const mlsh_mat *Q, size_t k, int threads, size_t *index,
                    double *dist, mlsh_err *err) {
  if (!c) return stream_knn(s, NULL, Q, k, threads, index, dist, err);
  int rc = knn_check(s, Q, k, err);
  if (!rc && !c->shift && !(c->shift_start && c->shift_wait))
    rc = mlsh_seterr(err, MLSH_EINVAL, "this communicator cannot pass blocks around a ring");
  if (rc) return rc;
  knn_job j;
  ring_state r = {0};
  rc = knn_setup(&j, Q, k, threads, index, dist, err);
  if (!rc) rc = ring_sizes(c, s, &r, err);
  if (!rc) rc = ring_load(s, &r, err);
  if (!rc) rc = ring_run(c, &j, &r, s->cols, err);
  mlsh_free(r.rows); mlsh_free(r.row0); mlsh_free(r.a); mlsh_free(r.b);
  return knn_finish(&j, rc, err);
}
