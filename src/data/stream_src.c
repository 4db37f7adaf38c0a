/* stream_src.c - row-block sources over matrices and mapped .npy files,
 * and the block loop every streamed kernel runs (see stream.h). */
#include <string.h>
#include "stream.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

/* About 8 MB of doubles per block: large enough for BLAS and the disk,
 * small enough that a pass keeps a bounded resident set. */
#define BLOCK_BYTES ((size_t)8 << 20)

size_t stream_block_rows(size_t cols) {
  size_t r = BLOCK_BYTES / (sizeof(double) * (cols ? cols : 1));
  return r < 64 ? 64 : r;
}

static const double *matrix_read(const void *ctx, size_t r0, size_t r1, double *buf) {
  const mlsh_mat *X = ctx;
  (void)r1; (void)buf;
  return X->data + r0 * X->cols;
}

void stream_src_matrix(stream_src *s, const mlsh_mat *X) {
  memset(s, 0, sizeof *s);
  s->rows = X->rows;
  s->cols = X->cols;
  s->block = stream_block_rows(X->cols);
  s->read = matrix_read;
  s->ctx = X;
}

static const double *map_read(const void *ctx, size_t r0, size_t r1, double *buf) {
  return npymap_rows(ctx, r0, r1, buf);
}

static void map_done(const void *ctx, size_t r0, size_t r1) { npymap_release(ctx, r0, r1); }
static void map_prefetch(const void *ctx, size_t r0, size_t r1) { npymap_prefetch(ctx, r0, r1); }

void stream_src_npymap(stream_src *s, const mlsh_npymap *m) {
  memset(s, 0, sizeof *s);
  s->rows = m->rows;
  s->cols = m->cols;
  s->row0 = m->row0;
  s->block = stream_block_rows(m->cols);
  s->read = map_read;
  s->done = m->keep ? NULL : map_done;
  s->prefetch = map_prefetch;
  s->ctx = m;
}

size_t stream_nblocks(const stream_src *s) { return (s->rows + s->block - 1) / s->block; }

int stream_gather_blocks(const stream_comm *c, const double *local, size_t nlocal, size_t len, double **all,
                         size_t *nall, mlsh_err *err) {
  size_t mine = nlocal * len * sizeof(double), total = mine;
  size_t *counts = NULL;
  int rc = MLSH_OK;
  if (c) {
    counts = mlsh_malloc_array((size_t)c->size, sizeof(size_t));
    rc = counts ? c->allgather(c->ctx, &mine, sizeof mine, counts, err) : MLSH_ENOMEM;
    total = 0;
    for (int r = 0; !rc && r < c->size; r++) total += counts[r];
  }
  *all = rc ? NULL : mlsh_malloc(total ? total : 1);
  if (!rc && !*all) rc = MLSH_ENOMEM;
  if (!rc) rc = c ? c->allgatherv(c->ctx, local, mine, *all, counts, err) : (memcpy(*all, local, mine), MLSH_OK);
  mlsh_free(counts);
  *nall = total / (len * sizeof(double));
  if (rc) { mlsh_free(*all); *all = NULL; }
  if (rc == MLSH_ENOMEM) mlsh_seterr(err, rc, "not enough memory for the block partials");
  return rc;
}

double *stream_block_buf(const stream_src *s) {
  return mlsh_malloc_array(s->block * (s->cols ? s->cols : 1), sizeof(double));
}

int stream_each_block(const stream_src *s, double *buf, stream_block_fn fn, void *ctx) {
  for (size_t r0 = 0; r0 < s->rows; r0 += s->block) {
    size_t r1 = r0 + s->block < s->rows ? r0 + s->block : s->rows;
    if (mlsh_interrupted()) return MLSH_EINTR;
    if (s->prefetch && r1 < s->rows) s->prefetch(s->ctx, r1, r1 + s->block < s->rows ? r1 + s->block : s->rows);
    int rc = fn(ctx, s->row0 + r0, s->read(s->ctx, r0, r1, buf), r1 - r0);
    if (s->done) s->done(s->ctx, r0, r1);
    if (rc) return rc;
  }
  return MLSH_OK;
}
