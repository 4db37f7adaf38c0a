/* stream_knn.c - brute-force k nearest neighbours over row blocks (see
 * stream.h). Distances are screened with one dgemm per block; a row that
 * may enter a query's k best (within the screen's rounding bound) is
 * measured again directly, so the neighbours are those of a direct
 * search. Across processes every rank's k best are gathered and merged
 * in rank (global row) order. */
#include <math.h>
#include <string.h>
#include "stream.h"
#include "../cluster/dist.h"
#include "../core/alloc.h"

#define SUB 512

typedef struct {
  const mlsh_mat *Q;
  size_t k;
  double *qn, *xn, *D;      /* query norms; SUB norms; q x SUB screen */
  double *best;             /* q x k squared distances, ascending */
  size_t *idx;              /* q x k global rows */
  size_t *found;            /* per query: how many of k are filled */
} knn_job;

/* Insert (d, row) into a query's sorted list; equal distances keep the
 * lower row first (rows arrive in increasing order within a process). */
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

static int knn_block(void *ctx, size_t grow0, const double *X, size_t m) {
  knn_job *j = ctx;
  size_t q = j->Q->rows, p = j->Q->cols, k = j->k;
  for (size_t s0 = 0; s0 < m; s0 += SUB) {
    size_t mm = m - s0 < SUB ? m - s0 : SUB;
    const double *B = X + s0 * p;
    dist_row_sqnorms(B, mm, p, j->xn);
    dist_sq_block(j->Q->data, j->qn, q, B, j->xn, mm, p, j->D);
    for (size_t a = 0; a < q; a++) {
      double *best = j->best + a * k;
      size_t *idx = j->idx + a * k;
      for (size_t i = 0; i < mm; i++) {
        double slack = 1e-10 * (j->qn[a] + j->xn[i]) + 1e-300;
        if (j->found[a] == k && j->D[a * mm + i] > best[k - 1] + slack) continue;
        double d = dist_sq_pair(j->Q->data + a * p, B + i * p, p);
        insert(best, idx, &j->found[a], k, d, grow0 + s0 + i);
      }
    }
  }
  return MLSH_OK;
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

int stream_knn(const stream_src *s, const stream_comm *c, const mlsh_mat *Q, size_t k, size_t *index,
               double *dist, mlsh_err *err) {
  size_t q = Q->rows;
  if (Q->cols != s->cols) return mlsh_seterr(err, MLSH_EINVAL, "the queries have %zu columns, the data %zu", Q->cols, s->cols);
  if (k < 1) return mlsh_seterr(err, MLSH_EINVAL, "k must be at least 1");
  knn_job j = {.Q = Q, .k = k, .best = dist, .idx = index};
  j.qn = mlsh_malloc_array(q ? q : 1, sizeof(double));
  j.xn = mlsh_malloc_array(SUB, sizeof(double));
  j.D = mlsh_malloc_array((q ? q : 1) * SUB, sizeof(double));
  j.found = mlsh_calloc(q ? q : 1, sizeof(size_t));
  double *buf = stream_block_buf(s);
  int rc = !j.qn || !j.xn || !j.D || !j.found || !buf ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory") : MLSH_OK;
  if (!rc) {
    dist_row_sqnorms(Q->data, q, Q->cols, j.qn);
    rc = stream_each_block(s, buf, knn_block, &j);
  }
  if (!rc && c) rc = knn_reduce(c, &j, err);
  for (size_t a = 0; !rc && a < q; a++) {
    if (j.found[a] < k) { rc = mlsh_seterr(err, MLSH_EINVAL, "k = %zu is more than the %zu rows", k, j.found[a]); break; }
    for (size_t t = 0; t < k; t++) dist[a * k + t] = sqrt(dist[a * k + t]);
  }
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "interrupted");
  mlsh_free(j.qn); mlsh_free(j.xn); mlsh_free(j.D); mlsh_free(j.found); mlsh_free(buf);
  return rc;
}
