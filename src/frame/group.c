/* group.c - hash grouping on one or more key columns. Row hashes are
 * computed in parallel, then one pass inserts every row into an
 * open-addressing table of distinct keys (no allocation per row). */
#include <string.h>
#include "group.h"
#include "keys.h"
#include "sort.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

void frame_groups_free(frame_groups *g) {
  mlsh_free(g->id);
  mlsh_free(g->first);
  mlsh_free(g->size);
  memset(g, 0, sizeof *g);
}

static int group_nomem(frame_groups *g, mlsh_err *err) {
  frame_groups_free(g);
  return mlsh_seterr(err, MLSH_ENOMEM, "group_by: not enough memory");
}

int frame_group_all(size_t n, frame_groups *g, mlsh_err *err) {
  memset(g, 0, sizeof *g);
  g->n = n;
  g->ngroups = 1;
  g->id = mlsh_calloc(n ? n : 1, sizeof *g->id);
  g->first = mlsh_malloc(sizeof *g->first);
  g->size = mlsh_malloc(sizeof *g->size);
  if (!g->id || !g->first || !g->size) return group_nomem(g, err);
  g->first[0] = n ? 0 : -1;
  g->size[0] = (int64_t)n;
  return MLSH_OK;
}

static int insert_rows(const mlsh_col *const *keys, size_t k, const uint64_t *h, key_table *t, frame_groups *g) {
  for (size_t i = 0; i < g->n; i++) {
    int64_t id = key_table_insert(t, keys, k, i, h[i]);
    if (id < 0) return MLSH_ENOMEM;
    g->id[i] = id;
    if ((i & 0xffff) == 0 && mlsh_interrupted()) return MLSH_EINTR;
  }
  return MLSH_OK;
}

static int fill_sizes(frame_groups *g, const key_table *t) {
  g->ngroups = t->ng;
  g->first = mlsh_malloc_array(t->ng ? t->ng : 1, sizeof *g->first);
  g->size = mlsh_calloc(t->ng ? t->ng : 1, sizeof *g->size);
  if (!g->first || !g->size) return MLSH_ENOMEM;
  if (t->ng) memcpy(g->first, t->rep, t->ng * sizeof *g->first);
  for (size_t i = 0; i < g->n; i++) g->size[g->id[i]]++;
  return MLSH_OK;
}

/* Renumber the groups in the order of their keys: order the first rows. */
static int sort_groups(const mlsh_col *const *keys, size_t k, int nthreads, frame_groups *g, mlsh_err *err) {
  size_t ng = g->ngroups;
  mlsh_col **reps = mlsh_calloc(k, sizeof *reps);
  int64_t *perm = mlsh_malloc_array(ng ? ng : 1, sizeof *perm), *rank = mlsh_malloc_array(ng ? ng : 1, sizeof *rank);
  int rc = reps && perm && rank ? MLSH_OK : mlsh_seterr(err, MLSH_ENOMEM, "group_by: not enough memory");
  for (size_t q = 0; !rc && q < k; q++) rc = col_take(keys[q], g->first, ng, &reps[q], err);
  if (!rc) rc = frame_order((const mlsh_col *const *)reps, k, NULL, nthreads, perm, err);
  if (!rc) {
    for (size_t r = 0; r < ng; r++) rank[perm[r]] = (int64_t)r;
    for (size_t i = 0; i < g->n; i++) g->id[i] = rank[g->id[i]];
    for (size_t r = 0; r < ng; r++) rank[r] = g->first[perm[r]];
    memcpy(g->first, rank, ng * sizeof *rank);
    for (size_t r = 0; r < ng; r++) rank[r] = g->size[perm[r]];
    memcpy(g->size, rank, ng * sizeof *rank);
  }
  for (size_t q = 0; reps && q < k; q++) col_unref(reps[q]);
  mlsh_free(reps); mlsh_free(perm); mlsh_free(rank);
  return rc;
}

int frame_group(const mlsh_col *const *keys, size_t nkeys, int sorted, int nthreads, frame_groups *g,
                mlsh_err *err) {
  memset(g, 0, sizeof *g);
  int rc = keys_check_lengths(keys, nkeys, "group_by", err);
  if (rc) return rc;
  if (nkeys == 0) return mlsh_seterr(err, MLSH_EINVAL, "group_by: no key columns");
  g->n = keys[0]->n;
  key_table t;
  uint64_t *h = mlsh_malloc_array(g->n ? g->n : 1, sizeof *h);
  g->id = mlsh_malloc_array(g->n ? g->n : 1, sizeof *g->id);
  if (key_table_init(&t, 0) || !h || !g->id) rc = MLSH_ENOMEM;
  if (!rc) rc = keys_hash_rows(keys, nkeys, g->n, nthreads, h);
  if (!rc) rc = insert_rows(keys, nkeys, h, &t, g);
  if (!rc) rc = fill_sizes(g, &t);
  key_table_free(&t);
  mlsh_free(h);
  if (rc == MLSH_ENOMEM) return group_nomem(g, err);
  if (rc == MLSH_EINTR) { frame_groups_free(g); return mlsh_seterr(err, rc, "group_by: interrupted"); }
  if (sorted && (rc = sort_groups(keys, nkeys, nthreads, g, err))) frame_groups_free(g);
  return rc;
}
