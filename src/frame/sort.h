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

/* Codes k[0 .. n) sorted ascending, stably, with their rows: p is filled
 * with 0 .. n-1 and carried along; k2 and p2 are scratch of n. On return
 * (*keys)[r] is the r-th smallest code and (*rows)[r] its row, both
 * pointing into k/p or k2/p2. MLSH_OK, MLSH_ENOMEM or MLSH_EINTR. */
int frame_sort_codes(uint64_t *k, int64_t *p, uint64_t *k2, int64_t *p2, size_t n, int nthreads,
                     const uint64_t **keys, const int64_t **rows);

#endif
