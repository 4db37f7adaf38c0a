/* join.c - hash join: the right keys go into an open-addressing table of
 * distinct keys, each with the chain of its rows in order; the left rows
 * are probed twice (count, then fill) so the output is allocated once.
 * One integer, date or factor key with a small range on the right (or
 * strings against a left factor) uses a direct-address table of its
 * values instead (no hashing). */
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
  int direct;                           /* one key, by value: slot[value - lo], NA at slot[span] */
  int64_t lo, *slot, *lmap, *rcode;     /* lmap: a left factor's codes as right codes, -1: none;
                                           rcode: right strings as left codes, -1: none */
  size_t span;
  mlsh_err *err;
} join_job;

static void job_free(join_job *j) {
  key_table_free(&j->t);
  mlsh_free(j->head); mlsh_free(j->tail); mlsh_free(j->next); mlsh_free(j->size);
  mlsh_free(j->rgroup); mlsh_free(j->lgroup); mlsh_free(j->hit); mlsh_free(j->h);
  mlsh_free(j->slot); mlsh_free(j->lmap); mlsh_free(j->rcode);
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

/* For each row of the strings `probe`, the row of `levels` (distinct
 * strings) with the same text, or -1. NULL without memory. */
static int64_t *level_index(const mlsh_col *levels, const mlsh_col *probe) {
  const mlsh_col *lv[1] = {levels}, *pr[1] = {probe};
  key_table t;
  int64_t *at = mlsh_malloc_array(probe->n ? probe->n : 1, sizeof *at);
  if (!at || key_table_init(&t, levels->n)) return mlsh_free(at), NULL;
  int rc = 0;
  for (size_t q = 0; !rc && q < levels->n; q++) rc = key_table_insert(&t, lv, 1, q, keys_hash_row(lv, 1, q)) < 0;
  for (size_t q = 0; !rc && q < probe->n; q++) {
    int64_t g = key_table_find(&t, lv, pr, 1, q, keys_hash_row(pr, 1, q));
    at[q] = g < 0 ? -1 : t.rep[g];
  }
  key_table_free(&t);
  if (rc) mlsh_free(at);
  return rc ? NULL : at;
}

/* Use a direct-address table when the one right key is a factor, or
 * integers or dates with a range of at most a few slots per row, or
 * strings against a left factor (then the table is over its codes). */
static int plan_direct(join_job *j) {
  const mlsh_col *l = j->lk[0], *r = j->rk[0];
  int64_t lo = 0, hi = -1, width;
  int text = l->type == COL_CATEGORICAL && r->type == COL_STRING;
  if (j->k != 1 || (l->type != r->type && !text)) return MLSH_OK;
  if (text) hi = (int64_t)l->levels->n - 1;
  else if (r->type == COL_CATEGORICAL) hi = (int64_t)r->levels->n - 1;
  else if ((r->type != COL_INT64 && r->type != COL_DATE) || !keys_int_range(r, j->nthreads, &lo, &hi)) return MLSH_OK;
  if (__builtin_sub_overflow(hi, lo, &width) || width < 0 || (uint64_t)width > 2 * (uint64_t)j->nr + 4096)
    return MLSH_OK;
  j->lo = lo;
  j->span = (size_t)width + 1;
  j->slot = mlsh_malloc_array(j->span + 1, sizeof *j->slot);
  int bad = !j->slot;
  if (!bad && text) bad = !(j->rcode = level_index(l->levels, r));
  else if (!bad && r->type == COL_CATEGORICAL && l->levels != r->levels) bad = !(j->lmap = level_index(r->levels, l->levels));
  if (bad) return mlsh_seterr(j->err, MLSH_ENOMEM, "join: not enough memory");
  for (size_t s = 0; s <= j->span; s++) j->slot[s] = -1;
  j->direct = 1;
  return MLSH_OK;
}

/* The slot of row i of a key in the direct table, or -1 when outside. */
static int64_t direct_slot(const join_job *j, size_t i, int left) {
  const mlsh_col *c = left ? j->lk[0] : j->rk[0];
  if (col_is_na(c, i)) return (int64_t)j->span;
  int64_t v = !left && j->rcode ? j->rcode[i] : c->type == COL_INT64 ? COL_I64(c)[i] : COL_I32(c)[i];
  if (left && j->lmap) v = j->lmap[v];
  if (v < j->lo || (uint64_t)v - (uint64_t)j->lo >= j->span) return -1;
  return (int64_t)((uint64_t)v - (uint64_t)j->lo);
}

/* The group of right row i, added when new; -1 without memory, -2 for a
 * row that can match nothing. */
static int64_t right_group(join_job *j, size_t i, size_t *ng) {
  if (!j->direct) return key_table_insert(&j->t, j->rk, j->k, i, j->h[i]);
  int64_t s = direct_slot(j, i, 0);
  if (s < 0) return -2;
  if (j->slot[s] < 0) j->slot[s] = (int64_t)(*ng)++;
  return j->slot[s];
}

static int64_t left_group(const join_job *j, size_t i) {
  if (!j->direct) return key_table_find(&j->t, j->rk, j->lk, j->k, i, j->h[i]);
  int64_t s = direct_slot(j, i, 1);
  return s < 0 ? -1 : j->slot[s];
}

static int hash_keys(join_job *j, const mlsh_col *const *cols, size_t n) {
  if (j->direct) return MLSH_OK;
  int rc = keys_hash_rows(cols, j->k, n, j->nthreads, j->h);
  return rc == MLSH_ENOMEM ? mlsh_seterr(j->err, rc, "join: not enough memory") : rc;
}

static int build_right(join_job *j) {
  int rc = hash_keys(j, j->rk, j->nr);
  size_t ng = 0;
  for (size_t i = 0; !rc && i < j->nr; i++) {
    j->next[i] = -1;
    j->rgroup[i] = -1;
    if (!j->na_match && keys_row_has_na(j->rk, j->k, i)) continue;
    int64_t g = right_group(j, i, &ng);
    if (g == -2) continue;
    if (g < 0) return mlsh_seterr(j->err, MLSH_ENOMEM, "join: not enough memory");
    if (j->size[g] == 0) j->head[g] = (int64_t)i;
    else j->next[j->tail[g]] = (int64_t)i;
    j->tail[g] = (int64_t)i;
    j->size[g]++;
    j->rgroup[i] = g;
    if ((i & 0xffff) == 0 && mlsh_interrupted()) rc = MLSH_EINTR;
  }
  return rc;
}

static int probe_left(join_job *j) {
  int rc = hash_keys(j, j->lk, j->nl);
  for (size_t i = 0; !rc && i < j->nl; i++) {
    int64_t g = -1;
    if (j->na_match || !keys_row_has_na(j->lk, j->k, i)) g = left_group(j, i);
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
  if (!rc) rc = plan_direct(&j);
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
