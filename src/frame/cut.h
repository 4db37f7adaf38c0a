/* cut.h - numbers to intervals: R's cut(), a factor of the interval each
 * value falls in. */
#ifndef MLSH_FRAME_CUT_H
#define MLSH_FRAME_CUT_H
#include "column.h"

typedef struct {
  int right;            /* intervals closed on the right, (a,b] (R's default); else [a,b) */
  int include_lowest;   /* the first interval (last when !right) also closed at its open end */
  int ordered;          /* an ordered factor */
  const char *const *labels;   /* nb - 1 labels, or NULL: R's "(a,b]" with the fewest digits (>= 3) that tell the breaks apart */
} cut_opts;

/* x (double, integer or logical) cut at the nb sorted, distinct breaks:
 * a categorical column of nb - 1 levels; NA where x is NA, NaN or outside
 * every interval. */
int col_cut(const mlsh_col *x, const double *breaks, size_t nb, const cut_opts *o, mlsh_col **out, mlsh_err *err);
/* R's breaks for cut(x, breaks = k): k + 1 equal steps over the range of
 * x's finite values, the ends moved out by range / 1000. */
int cut_even_breaks(const mlsh_col *x, size_t k, double *breaks, mlsh_err *err);

#endif
