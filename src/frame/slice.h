/* slice.h - the rows holding the largest or smallest values of a column
 * in each group (dplyr's slice_max / slice_min). */
#ifndef MLSH_FRAME_SLICE_H
#define MLSH_FRAME_SLICE_H
#include "group.h"

/* For each group (in group order) the rows of its n largest values of x
 * (smallest without want_max), best first, equal values in row order.
 * with_ties (dplyr's default): every row whose value is tied with the
 * n-th is kept as well, and missing values (NA, NaN) never are; without
 * it exactly n rows, missing ones last when the group has fewer values.
 * x: numbers, dates, logicals or an ordered factor. *rows (mlsh_malloc'd,
 * *m of them) are 0-based. */
int frame_slice_top(const mlsh_col *x, const frame_groups *g, size_t n, int want_max, int with_ties, int nthreads,
                    int64_t **rows, size_t *m, mlsh_err *err);

#endif
