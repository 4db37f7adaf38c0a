/* slice.c - the top rows of each group in O(rows): the rows gathered by
 * group (a counting sort), then in each group a quickselect finds the
 * n-th best value and only the rows at least as good are sorted. Groups
 * run on threads; each writes its answer into the front of its own
 * stretch of the gathered rows, compacted at the end. */
#include <stdlib.h>
#include "slice.h"
#include "keys.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

typedef struct { uint64_t key; int64_t row; } ranked;   /* key: larger is better */

typedef struct {
  const mlsh_col *x;
  size_t n;               /* rows wanted per group */
  int want_max, with_ties;
  const int64_t *start;   /* ngroups + 1 */
  ranked *p;              /* the rows by group */
  int64_t *taken;         /* per group: rows kept, at the front of its stretch */
} top_job;

static inline void swap_r(ranked *a, ranked *b) { ranked t = *a; *a = *b; *b = t; }

/* The k-th largest key of a[0..n) (k from 0), moving a's entries. */
static uint64_t kth_largest(ranked *a, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (hi > lo) {
    uint64_t piv = a[lo + (hi - lo) / 2].key;
    size_t gt = lo, i = lo, lt = hi;
    while (i <= lt) {        /* [lo, gt) > piv, [gt, i) == piv, (lt, hi] < piv */
      if (a[i].key > piv) swap_r(&a[gt++], &a[i++]);
      else if (a[i].key < piv) { swap_r(&a[i], &a[lt]); if (lt == 0) break; lt--; }
      else i++;
    }
    if (k < gt) hi = gt - 1;
    else if (k > lt) lo = lt + 1;
    else return piv;
  }
  return a[k].key;
}

static int best_first(const void *pa, const void *pb) {
  const ranked *a = pa, *b = pb;
  if (a->key != b->key) return a->key > b->key ? -1 : 1;
  return (a->row > b->row) - (a->row < b->row);
}

/* One group's stretch a[0..len): its present values first (c of them,
 * the missing ones after in row order); keeps the answer at the front. */
static size_t top_of_group(const top_job *j, ranked *a, size_t len, size_t c) {
  size_t keep = c;
  if (j->n < c) {
    uint64_t v = kth_largest(a, c, j->n - 1);
    keep = 0;
    for (size_t i = 0; i < c; i++)
      if (a[i].key >= v) swap_r(&a[keep++], &a[i]);
  }
  qsort(a, keep, sizeof *a, best_first);
  if (j->with_ties) return keep;
  if (keep > j->n) keep = j->n;
  for (size_t i = c; keep < j->n && i < len; i++) a[keep++] = a[i];   /* too few values: missing ones last */
  return keep;
}

static int top_groups(void *ctx, size_t r0, size_t r1, int tid) {
  top_job *j = ctx;
  for (size_t r = r0; r < r1; r++) {
    ranked *a = j->p + j->start[r];
    size_t len = (size_t)(j->start[r + 1] - j->start[r]), c = (size_t)j->taken[r];
    if (len == 0) continue;
    for (size_t lo = c, hi = len - 1; lo < hi; lo++, hi--) swap_r(&a[lo], &a[hi]);   /* missing ones in row order */
    j->taken[r] = (int64_t)top_of_group(j, a, len, c);
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* The rows by group, each with its key: present values from the front
 * of the group's stretch, missing ones from its back; front[r] ends as
 * how many values group r has. */
static void gather(const top_job *j, const frame_groups *g, int64_t *front, int64_t *back) {
  for (size_t i = 0; i < g->n; i++) {
    int64_t r = g->id[i];
    if (key_missing(j->x, i)) {
      j->p[--back[r]].row = (int64_t)i;
      continue;
    }
    uint64_t k = key_image(j->x, i);
    ranked *e = &j->p[front[r]++];
    e->key = j->want_max ? k : ~k;
    e->row = (int64_t)i;
  }
  for (size_t r = 0; r < g->ngroups; r++) front[r] -= j->start[r];
}

static int slice_check(const mlsh_col *x, const frame_groups *g, const char *what, mlsh_err *err) {
  if (x->type == COL_STRING || (x->type == COL_CATEGORICAL && !x->ordered))
    return mlsh_seterr(err, MLSH_EINVAL, "%s: the order column must hold numbers, dates or an ordered factor (got %s%s)",
                       what, x->type == COL_CATEGORICAL ? "an unordered " : "", col_type_name(x->type));
  if (x->n != g->n) return mlsh_seterr(err, MLSH_EINVAL, "%s: the column has %zu rows, the groups %zu", what, x->n, g->n);
  return MLSH_OK;
}

int frame_slice_top(const mlsh_col *x, const frame_groups *g, size_t n, int want_max, int with_ties, int nthreads,
                    int64_t **rows, size_t *m, mlsh_err *err) {
  *rows = NULL;
  *m = 0;
  int rc = slice_check(x, g, want_max ? "slice_max" : "slice_min", err);
  if (rc) return rc;
  size_t ng = g->ngroups, cap = ng ? ng : 1;
  int64_t *start = mlsh_calloc(cap + 1, sizeof *start), *taken = mlsh_malloc_array(cap, sizeof *taken);
  int64_t *back = mlsh_malloc_array(cap, sizeof *back);
  top_job j = {x, n, want_max, with_ties, start, mlsh_malloc_array(g->n ? g->n : 1, sizeof(ranked)), taken};
  int64_t *out = mlsh_malloc_array(g->n ? g->n : 1, sizeof *out);
  rc = start && taken && back && j.p && out ? MLSH_OK : MLSH_ENOMEM;
  for (size_t r = 0; !rc && r < ng; r++) start[r + 1] = start[r] + g->size[r];
  if (!rc) {
    memcpy(taken, start, ng * sizeof *taken);
    memcpy(back, start + 1, ng * sizeof *back);
    gather(&j, g, taken, back);
  }
  if (!rc && n) rc = mlsh_parallel_dynamic(ng, g->n < 100000 ? 1 : nthreads, 256, top_groups, &j);
  for (size_t r = 0; !rc && r < ng; r++)
    for (int64_t q = 0; q < (n ? taken[r] : 0); q++) out[(*m)++] = j.p[start[r] + q].row;
  mlsh_free(start); mlsh_free(taken); mlsh_free(back); mlsh_free(j.p);
  if (rc) {
    mlsh_free(out);
    *m = 0;
    const char *what = want_max ? "slice_max" : "slice_min";
    return mlsh_seterr(err, rc, "%s: %s", what, rc == MLSH_ENOMEM ? "not enough memory" : "interrupted");
  }
  *rows = out;
  return MLSH_OK;
}
