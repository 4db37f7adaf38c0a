/* group.h - grouping rows by key columns, and aggregates per group
 * (dplyr's group_by + summarise, R's tapply / aggregate). */
#ifndef MLSH_FRAME_GROUP_H
#define MLSH_FRAME_GROUP_H
#include "column.h"

typedef struct {
  size_t n;           /* rows */
  size_t ngroups;
  int64_t *id;        /* n: the group of each row, 0 .. ngroups-1 */
  int64_t *first;     /* ngroups: the first row of each group (-1 for the empty group) */
  int64_t *size;      /* ngroups: rows in each group */
  struct group_codes *codes;   /* NULL, or each group's keys packed in one code (see frame_group_keys) */
} frame_groups;

/* Group rows by equal keys (NA equal to NA: NA is a group of its own, as
 * in dplyr). Groups are numbered in the order of their first row, or,
 * with `sorted`, in the order of their keys (dplyr's group_by: NA last).
 * At least one key. */
int frame_group(const mlsh_col *const *keys, size_t nkeys, int sorted, int nthreads, frame_groups *g,
                mlsh_err *err);
/* frame_group always by the hash table (the tests compare the direct
 * path for dense keys against it). */
int frame_group_hashed(const mlsh_col *const *keys, size_t nkeys, int sorted, int nthreads, frame_groups *g,
                       mlsh_err *err);
/* The key columns at each group (one row per group, in group order), as
 * col_take at g->first would give them; keys as given to frame_group.
 * Groups sorted from packed codes are decoded from the codes without
 * reading the key columns again. */
int frame_group_keys(const mlsh_col *const *keys, size_t nkeys, const frame_groups *g, mlsh_col **out, mlsh_err *err);
/* One group of all n rows (an ungrouped summarise; also when n == 0). */
int frame_group_all(size_t n, frame_groups *g, mlsh_err *err);
void frame_groups_free(frame_groups *g);

typedef enum {
  AGG_N,          /* rows (non-missing ones with na_rm): integer */
  AGG_SUM,        /* double for double input, integer for integer and logical */
  AGG_MEAN, AGG_VAR, AGG_SD, AGG_MEDIAN,   /* double */
  AGG_MIN, AGG_MAX,                        /* the input's type (factors: ordered ones) */
  AGG_FIRST, AGG_LAST,                     /* the input's type, any type */
  AGG_N_DISTINCT                           /* integer, any type */
} frame_agg;

/* One value per group of x. Without na_rm a group holding NA gives NA
 * (NaN propagates as R's arithmetic does); with na_rm NA and NaN are
 * skipped, and a group left empty gives NA (0 for n and sum, NaN for
 * mean as R's mean(numeric(0))). Sums and means of a double column
 * without NA are compensated sums (about 106 bits, one pass, threaded),
 * of an integer column exact integer sums; otherwise they accumulate in
 * long double, the mean with R's second correcting pass. var and sd are
 * R's two-pass formula with n - 1. */
int frame_aggregate(const mlsh_col *x, const frame_groups *g, frame_agg fn, int na_rm, int nthreads,
                    mlsh_col **out, mlsh_err *err);
const char *frame_agg_name(frame_agg fn);

#endif
