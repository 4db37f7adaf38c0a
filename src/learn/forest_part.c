/* forest_part.c - a random forest grown by many processes (see forest.h).
 * Process r of s grows trees [T r / s, T (r + 1) / s) of the T, each from
 * the stream its number gives (forest_model.tree0), on the same rows;
 * the parts travel as forest_write buffers, gathered in rank order, so
 * every process ends with forest_fit's trees in forest_fit's order: the
 * same predictions, bit for bit, for any number of processes. */
#include <string.h>
#include "forest.h"
#include "../core/alloc.h"
#include "../data/stream.h"

/* Every process must train on the same rows: shapes and checksums compared. */
static int check_same(const stream_comm *c, const mlsh_mat *X, const int *y, mlsh_err *err) {
  uint64_t mine[4] = {X->rows, X->cols, ser_checksum((const unsigned char *)X->data, MAT_LEN(X) * sizeof(double)),
                      ser_checksum((const unsigned char *)y, X->rows * sizeof(int))};
  uint64_t *all = mlsh_malloc_array((size_t)c->size * 4, sizeof(uint64_t));
  if (!all) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  int rc = c->allgather(c->ctx, mine, sizeof mine, all, err);
  for (int r = 1; !rc && r < c->size; r++)
    if (memcmp(all + 4 * r, all, sizeof mine) != 0)
      rc = mlsh_seterr(err, MLSH_EINVAL, "rank %d was given other training rows than rank 0 (%llu x %llu): a distributed "
                       "forest needs the same X and y on every rank", r, (unsigned long long)all[0], (unsigned long long)all[1]);
  mlsh_free(all);
  return rc;
}

/* Trees [t0, t1) grown and written to w, after the number of them that
 * split (the weight of the part's normalised importance). */
static int fit_part(const forest_model *m, const mlsh_mat *X, const int *y, int K, int t0, int t1, ser_writer *w,
                    mlsh_err *err) {
  if (t1 <= t0) return MLSH_OK;   /* more processes than trees */
  forest_model part = *m;
  part.trees = NULL;
  part.importance = NULL;
  part.comm = NULL;
  part.ntrees = t1 - t0;
  part.tree0 = m->tree0 + t0;
  int rc = forest_fit(&part, X, y, K, err);
  if (rc) return rc;
  double grown = 0;
  for (int t = 0; t < part.ntrees; t++) grown += part.trees[t].nnodes > 1;
  ser_f64(w, grown);
  forest_write(&part, w);
  forest_free(&part);
  return MLSH_OK;
}

/* Every process's bytes, in rank order; counts[r] of them from rank r. */
static int gather_parts(const stream_comm *c, const unsigned char *mine, size_t len, unsigned char **all, size_t *counts,
                        mlsh_err *err) {
  int rc = c->allgather(c->ctx, &len, sizeof len, counts, err);
  size_t total = 0;
  for (int r = 0; !rc && r < c->size; r++) total += counts[r];
  *all = rc ? NULL : mlsh_malloc(total ? total : 1);
  if (!rc && !*all) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the forest's trees");
  if (!rc) rc = c->allgatherv(c->ctx, mine, len, *all, counts, err);
  return rc;
}

/* One part's trees moved into m at *at; its importance added by weight. */
static int merge_part(forest_model *m, ser_reader *rd, int *at, int rank, mlsh_err *err) {
  double grown = des_f64(rd);
  forest_model part = {0};
  int rc = rd->failed ? MLSH_EIO : forest_read(&part, rd, m->p, m->K);
  if (!rc && *at + part.ntrees > m->ntrees) rc = MLSH_EIO;
  if (rc) {
    forest_free(&part);
    return mlsh_seterr(err, rc == MLSH_ENOMEM ? rc : MLSH_EIO, "the trees from rank %d are damaged", rank);
  }
  memcpy(m->trees + *at, part.trees, (size_t)part.ntrees * sizeof(forest_tree));
  *at += part.ntrees;
  for (size_t j = 0; j < m->p; j++) m->importance[j] += grown * part.importance[j];
  mlsh_free(part.trees);
  mlsh_free(part.importance);
  return MLSH_OK;
}

static int merge_parts(forest_model *m, const unsigned char *all, const size_t *counts, int size, mlsh_err *err) {
  m->trees = mlsh_calloc((size_t)m->ntrees, sizeof(forest_tree));
  m->importance = mlsh_calloc(m->p ? m->p : 1, sizeof(double));
  if (!m->trees || !m->importance) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the forest's trees");
  int rc = MLSH_OK, at = 0;
  size_t off = 0;
  for (int r = 0; !rc && r < size; off += counts[r], r++) {
    ser_reader rd = {all + off, counts[r], 0, 0};
    if (counts[r]) rc = merge_part(m, &rd, &at, r, err);
  }
  if (!rc && at != m->ntrees) rc = mlsh_seterr(err, MLSH_EIO, "the ranks grew %d trees of %d", at, m->ntrees);
  double s = 0;
  for (size_t j = 0; j < m->p; j++) s += m->importance[j];
  if (s > 0) for (size_t j = 0; j < m->p; j++) m->importance[j] /= s;
  return rc;
}

int forest_fit_dist(forest_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err) {
  const stream_comm *c = m->comm;
  if (!c || c->size == 1) return forest_fit(m, X, y, K, err);
  forest_free(m);
  m->K = K;
  m->p = X->cols;
  size_t len = 0, *counts = mlsh_malloc_array((size_t)c->size, sizeof(size_t));
  if (!counts) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  int rc = check_same(c, X, y, err);
  ser_writer w = {0};
  unsigned char *mine = NULL, *all = NULL;
  int t0 = (int)((long long)m->ntrees * c->rank / c->size), t1 = (int)((long long)m->ntrees * (c->rank + 1) / c->size);
  if (!rc) rc = fit_part(m, X, y, K, t0, t1, &w, err);
  if (!rc && ser_take(&w, &mine, &len)) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the forest's trees");
  /* a rank that failed still takes part in the gathers: send nothing */
  int gathered = gather_parts(c, rc ? NULL : mine, rc ? 0 : len, &all, counts, rc ? &(mlsh_err){0} : err);
  if (!rc) rc = gathered;
  if (!rc) rc = merge_parts(m, all, counts, c->size, err);
  ser_free(&w);
  mlsh_free(mine); mlsh_free(all); mlsh_free(counts);
  if (rc) forest_free(m);
  return rc;
}
