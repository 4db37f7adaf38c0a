/* fill.c - last (or next) present value, per group. */
#include "fill.h"
#include "keys.h"
#include "../core/alloc.h"

/* One pass; rows already filled (idx >= 0) are kept. */
static void pass(const mlsh_col *c, const int64_t *group, int64_t *last, size_t ng, int up, int64_t *idx) {
  size_t n = c->n;
  for (size_t q = 0; q < ng; q++) last[q] = -1;
  for (size_t k = 0; k < n; k++) {
    size_t i = up ? n - 1 - k : k;
    size_t g = group ? (size_t)group[i] : 0;
    if (!key_missing(c, i)) last[g] = (int64_t)i;
    else if (idx[i] < 0) idx[i] = last[g];
  }
}

int fill_rows(const mlsh_col *c, const int64_t *group, size_t ngroups, fill_direction dir, int64_t *idx,
              mlsh_err *err) {
  size_t ng = group ? ngroups : 1;
  int64_t *last = mlsh_malloc_array(ng ? ng : 1, sizeof *last);
  if (!last) return mlsh_seterr(err, MLSH_ENOMEM, "fill_na: not enough memory");
  for (size_t i = 0; i < c->n; i++) idx[i] = key_missing(c, i) ? -1 : (int64_t)i;
  int first_up = dir == FILL_UP || dir == FILL_UPDOWN;
  pass(c, group, last, ng, first_up, idx);
  if (dir == FILL_DOWNUP || dir == FILL_UPDOWN) pass(c, group, last, ng, !first_up, idx);
  for (size_t i = 0; i < c->n; i++)
    if (idx[i] < 0) idx[i] = (int64_t)i;   /* nothing to fill from: the value stays (NA, or NaN) */
  mlsh_free(last);
  return MLSH_OK;
}
