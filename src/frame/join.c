/* join.c - hash join: the right keys go into an open-addressing table of
 * distinct keys, each with the chain of its rows in order; the left rows
 * are probed twice (count, then fill) so the output is allocated once. */
#include <string.h>
#include "join.h"
#include "keys.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

static const char *const join_names[] = {"inner", "left", "right", "full", "semi", "anti"};

const char *frame_join_name(frame_join_how how) { return (unsigned)how <= JOIN_ANTI ? join_names[how] : "?"; }

void frame_join_result_free(frame_join_result *r) {
  mlsh_free(r->left);
  mlsh_free(r->right);
  memset(r, 0, sizeof *r);
}

typedef struct {
  const mlsh_col *const *lk, *const *rk;
  size_t k, nl, nr;
  frame_join_how how;
  int na_match, nthreads;
  key_table t;
  int64_t *head, *tail, *next, *size;   /* per right group / right row */
  int64_t *rgroup, *lgroup;             /* group of each right / left row, -1: none */
  uint8_t *hit;                         /* per right group: some left row matched */
  uint64_t *h;
  mlsh_err *err;
} join_job;

static void job_free(join_job *j) {
  key_table_free(&j->t);
  mlsh_free(j->head); mlsh_free(j->tail); mlsh_free(j->next); mlsh_free(j->size);
  mlsh_free(j->rgroup); mlsh_free(j->lgroup); mlsh_free(j->hit); mlsh_free(j->h);
}

static int job_alloc(join_job *j) {
  size_t nr = j->nr ? j->nr : 1, nl = j->nl ? j->nl : 1, nh = nr > nl ? nr : nl;
  j->head = mlsh_malloc_array(nr, sizeof *j->head);
  j->tail = mlsh_malloc_array(nr, sizeof *j->tail);
  j->next = mlsh_malloc_array(nr, sizeof *j->next);
  j->size = mlsh_calloc(nr, sizeof *j->size);
  j->rgroup = mlsh_malloc_array(nr, sizeof *j->rgroup);
  j->lgroup = mlsh_malloc_array(nl, sizeof *j->lgroup);
  j->hit = mlsh_calloc(nr, 1);
  j->h = mlsh_malloc_array(nh, sizeof *j->h);
  if (key_table_init(&j->t, 0) || !j->head || !j->tail || !j->next || !j->size || !j->rgroup || !j->lgroup ||
      !j->hit || !j->h)
    return mlsh_seterr(j->err, MLSH_ENOMEM, "join: not enough memory");
  return MLSH_OK;
}

static int build_right(join_job *j) {
  int rc = keys_hash_rows(j->rk, j->k, j->nr, j->nthreads, j->h);
  for (size_t i = 0; !rc && i < j->nr; i++) {
    j->next[i] = -1;
    j->rgroup[i] = -1;
    if (!j->na_match && keys_row_has_na(j->rk, j->k, i)) continue;
    size_t before = j->t.ng;
    int64_t g = key_table_insert(&j->t, j->rk, j->k, i, j->h[i]);
    if (g < 0) return mlsh_seterr(j->err, MLSH_ENOMEM, "join: not enough memory");
    if (j->t.ng > before) j->head[g] = (int64_t)i;
    else j->next[j->tail[g]] = (int64_t)i;
    j->tail[g] = (int64_t)i;
    j->size[g]++;
    j->rgroup[i] = g;
    if ((i & 0xffff) == 0 && mlsh_interrupted()) rc = MLSH_EINTR;
  }
  return rc;
}

static int probe_left(join_job *j) {
  int rc = keys_hash_rows(j->lk, j->k, j->nl, j->nthreads, j->h);
  for (size_t i = 0; !rc && i < j->nl; i++) {
    int64_t g = -1;
    if (j->na_match || !keys_row_has_na(j->lk, j->k, i)) g = key_table_find(&j->t, j->rk, j->lk, j->k, i, j->h[i]);
    j->lgroup[i] = g;
    if (g >= 0) j->hit[g] = 1;
    if ((i & 0xffff) == 0 && mlsh_interrupted()) rc = MLSH_EINTR;
  }
  return rc;
}

static int keeps_left(frame_join_how how) { return how == JOIN_LEFT || how == JOIN_FULL; }
static int keeps_right(frame_join_how how) { return how == JOIN_RIGHT || how == JOIN_FULL; }

static size_t rows_for_left(const join_job *j, size_t i) {
  int64_t g = j->lgroup[i];
  if (j->how == JOIN_SEMI) return g >= 0;
  if (j->how == JOIN_ANTI) return g < 0;
  if (g >= 0) return (size_t)j->size[g];
  return keeps_left(j->how);
}

static int right_unmatched(const join_job *j, size_t i) {
  return j->rgroup[i] < 0 || !j->hit[j->rgroup[i]];
}

static int count_rows(const join_job *j, size_t *total) {
  size_t n = 0;
  for (size_t i = 0; i < j->nl; i++) {
    n += rows_for_left(j, i);
    if ((i & 0xffff) == 0 && mlsh_interrupted()) return MLSH_EINTR;
  }
  for (size_t i = 0; keeps_right(j->how) && i < j->nr; i++) n += right_unmatched(j, i);
  *total = n;
  return MLSH_OK;
}

static void fill_rows(const join_job *j, frame_join_result *r) {
  size_t o = 0;
  for (size_t i = 0; i < j->nl; i++) {
    int64_t g = j->lgroup[i];
    if (j->how == JOIN_SEMI || j->how == JOIN_ANTI) {
      if ((g >= 0) == (j->how == JOIN_SEMI)) r->left[o++] = (int64_t)i;
      continue;
    }
    if (g < 0) {
      if (keeps_left(j->how)) { r->left[o] = (int64_t)i; r->right[o++] = -1; }
      continue;
    }
    for (int64_t q = j->head[g]; q >= 0; q = j->next[q]) { r->left[o] = (int64_t)i; r->right[o++] = q; }
  }
  for (size_t i = 0; keeps_right(j->how) && i < j->nr; i++)
    if (right_unmatched(j, i)) { r->left[o] = -1; r->right[o++] = (int64_t)i; }
}

static int check_join(const mlsh_col *const *lk, const mlsh_col *const *rk, size_t k, frame_join_how how,
                      mlsh_err *err) {
  if ((unsigned)how > JOIN_ANTI) return mlsh_seterr(err, MLSH_EINVAL, "join: unknown join kind %d", (int)how);
  if (k == 0) return mlsh_seterr(err, MLSH_EINVAL, "join: no key columns");
  int rc = keys_check_lengths(lk, k, "join", err);
  if (!rc) rc = keys_check_lengths(rk, k, "join", err);
  return rc ? rc : keys_check_pair(lk, rk, k, "join", err);
}

int frame_join(const mlsh_col *const *lkeys, const mlsh_col *const *rkeys, size_t nkeys, frame_join_how how,
               int na_match, int nthreads, frame_join_result *r, mlsh_err *err) {
  memset(r, 0, sizeof *r);
  int rc = check_join(lkeys, rkeys, nkeys, how, err);
  if (rc) return rc;
  join_job j = {lkeys, rkeys, nkeys, lkeys[0]->n, rkeys[0]->n, how, na_match, nthreads};
  j.err = err;
  size_t total = 0;
  rc = job_alloc(&j);
  if (!rc) rc = build_right(&j);
  if (!rc) rc = probe_left(&j);
  if (!rc) rc = count_rows(&j, &total);
  if (!rc) {
    int pairs = how != JOIN_SEMI && how != JOIN_ANTI;
    r->left = mlsh_malloc_array(total ? total : 1, sizeof *r->left);
    r->right = pairs ? mlsh_malloc_array(total ? total : 1, sizeof *r->right) : NULL;
    if (!r->left || (pairs && !r->right))
      rc = mlsh_seterr(err, MLSH_ENOMEM, "join: not enough memory for %zu result rows", total);
  }
  if (!rc) { fill_rows(&j, r); r->n = total; }
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "join: interrupted");
  if (rc) frame_join_result_free(r);
  job_free(&j);
  return rc;
}
