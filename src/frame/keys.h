/* keys.h - what the sort, group and join kernels share about key values:
 * order-preserving unsigned images, row hashes and row equality over one
 * or more key columns, and an open-addressing table of distinct keys. */
#ifndef MLSH_FRAME_KEYS_H
#define MLSH_FRAME_KEYS_H
#include <string.h>
#include "column.h"

/* An unsigned image of a double that orders as the double (-0 == 0). */
static inline uint64_t key_double_bits(double x) {
  uint64_t u;
  if (x == 0) x = 0;
  memcpy(&u, &x, sizeof u);
  return (u >> 63) ? ~u : u ^ 0x8000000000000000ull;
}

/* Missing for ordering and na_rm: NA, and NaN in double/datetime columns. */
static inline int key_missing(const mlsh_col *c, size_t i) {
  if (col_is_na(c, i)) return 1;
  return (c->type == COL_DOUBLE || c->type == COL_DATETIME) && COL_DBL(c)[i] != COL_DBL(c)[i];
}

/* Order-preserving image of a non-string value. */
static inline uint64_t key_image(const mlsh_col *c, size_t i) {
  switch (c->type) {
  case COL_DOUBLE: case COL_DATETIME: return key_double_bits(COL_DBL(c)[i]);
  case COL_INT64: return (uint64_t)COL_I64(c)[i] ^ 0x8000000000000000ull;
  case COL_LOGICAL: return COL_LGL(c)[i];
  default: return (uint64_t)(uint32_t)COL_I32(c)[i] ^ 0x80000000ull;
  }
}

/* Hash of row i over k key columns. Equal rows (keys_rows_equal) hash
 * equal: NA to one value, all NaN to one value, -0 as 0, categorical
 * values by their level text (so two factors with different level lists
 * compare by label). */
uint64_t keys_hash_row(const mlsh_col *const *cols, size_t k, size_t i);
/* All n row hashes into h, on nthreads threads; MLSH_EINTR on Ctrl-C,
 * MLSH_ENOMEM without memory. */
int keys_hash_rows(const mlsh_col *const *cols, size_t k, size_t n, int nthreads, uint64_t *h);
int keys_rows_equal(const mlsh_col *const *a, size_t i, const mlsh_col *const *b, size_t j, size_t k);
int keys_row_has_na(const mlsh_col *const *cols, size_t k, size_t i);
/* The smallest and largest present value of an integer or date column
 * (on nthreads threads); 0 when it has none. */
int keys_int_range(const mlsh_col *c, int nthreads, int64_t *lo, int64_t *hi);
/* Every key column has as many rows as the first (what = "order" in messages). */
int keys_check_lengths(const mlsh_col *const *cols, size_t k, const char *what, mlsh_err *err);
/* a[q] and b[q] can be compared: same type, or string and categorical (by
 * text); what = "join" in messages. */
int keys_check_pair(const mlsh_col *const *a, const mlsh_col *const *b, size_t k, const char *what, mlsh_err *err);

/* Distinct keys: each entry is a group id; rep[g] the first row of group
 * g (in the columns the table was built on), hash[g] its hash. */
typedef struct {
  int64_t *slot;       /* cap entries: group id + 1, 0 = empty */
  size_t cap;          /* a power of two */
  int64_t *rep;
  uint64_t *hash;
  size_t ng, gcap;
} key_table;

int key_table_init(key_table *t, size_t expect);
void key_table_free(key_table *t);
/* The group of row i of cols (hash h) in a table built on the same
 * columns, adding it when new. Returns the group id, or -1 without memory. */
int64_t key_table_insert(key_table *t, const mlsh_col *const *cols, size_t k, size_t i, uint64_t h);
/* The group of row i of probe (hash h) in a table built on cols, or -1. */
int64_t key_table_find(const key_table *t, const mlsh_col *const *cols, const mlsh_col *const *probe, size_t k,
                       size_t i, uint64_t h);

#endif
