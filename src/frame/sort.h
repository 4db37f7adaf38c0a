/* sort.h - stable ordering of rows by one or more key columns (R's
 * order(), dplyr's arrange()). */
#ifndef MLSH_FRAME_SORT_H
#define MLSH_FRAME_SORT_H
#include "column.h"

/* perm[0 .. n) receives the rows 0 .. n-1 (n the keys' common length) in
 * the stable order of keys[0], then keys[1], ... desc[k] non-zero sorts
 * key k in decreasing order (desc may be NULL: all increasing). NA, and
 * NaN in double keys, come last whatever the direction, in row order, as
 * R's order(na.last = TRUE). Numbers, dates, logicals and factor codes go
 * through an LSD radix sort (O(n) per 11 bits of each key's range);
 * strings sort by their bytes (UTF-8 code point order, R's C locale).
 * nthreads <= 0: the default. nkeys == 0 gives the identity. */
int frame_order(const mlsh_col *const *keys, size_t nkeys, const int *desc, int nthreads, int64_t *perm,
                mlsh_err *err);

#endif
