/* agg_par.h - threaded per-group passes for frame_aggregate (agg.c) over
 * a double or integer column without NA (agg_par_applies). Internal to
 * the frame core. */
#ifndef MLSH_FRAME_AGG_PAR_H
#define MLSH_FRAME_AGG_PAR_H
#include "group.h"

/* Row i of a numeric column as a double. */
static inline double num_at(const mlsh_col *x, size_t i) {
  switch (x->type) {
  case COL_DOUBLE: case COL_DATETIME: return COL_DBL(x)[i];
  case COL_INT64: return (double)COL_I64(x)[i];
  case COL_LOGICAL: return COL_LGL(x)[i];
  default: return COL_I32(x)[i];
  }
}

typedef enum {
  AGG_PASS_SUM,       /* acc[r] = sum of x, cnt[r] = how many */
  AGG_PASS_CORRECT,   /* acc[r] = sum of x - centre[r] (groups with a finite centre) */
  AGG_PASS_SQUARES    /* acc[r] = sum of (x - mean[r])^2 */
} agg_pass;

int agg_par_applies(const mlsh_col *x);
/* One pass of the moments over the rows (with na_rm NaN skipped, else
 * taken: it propagates). acc (and cnt) have ngroups slots. */
int agg_par_moment_pass(const mlsh_col *x, const frame_groups *g, int na_rm, agg_pass pass, int nthreads,
                        const long double *centre, const double *mean, long double *acc, int64_t *cnt);
/* A double column: per group the sum (to about 106 bits, then rounded
 * to long double) and count of the values (with na_rm NaN skipped). */
int agg_par_exact_sums(const mlsh_col *x, const frame_groups *g, int na_rm, int nthreads, long double *sum,
                       int64_t *cnt);
/* Per group the min (or max) value into best (doubles for a double
 * column, int64 for an integer one); found[r]: 0 no value, 1 a value,
 * 2 a NaN (without na_rm a NaN wins, as in R). */
int agg_par_extreme(const mlsh_col *x, const frame_groups *g, int want_max, int na_rm, int nthreads, void *best,
                    uint8_t *found);

/* Per group Pearson's correlation of two integer columns from exact
 * integer sums (one threaded pass; NaN for fewer than 2 pairs, a constant
 * side, or, without na_rm, a pair with NA). *applied = 0 (and res
 * untouched) when it does not apply: other types, values too large for
 * exact int64 sums, or too many groups for the per-thread tables. */
int agg_cor_int(const mlsh_col *x, const mlsh_col *y, const frame_groups *g, int na_rm, int nthreads, double *res,
                int *applied);

/* Per group the median (R's median: the mean of the two middle values
 * for an even count) of the values left after NA (and NaN) are dropped;
 * isna[r] set for a group with nothing left or, without na_rm, with a
 * missing value. */
int agg_par_median(const mlsh_col *x, const frame_groups *g, int na_rm, int nthreads, double *med, uint8_t *isna);

#endif
