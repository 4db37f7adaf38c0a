/* column.h - typed, immutable, reference-counted columns of a data frame.
 *
 * A column holds n values of one type and a validity bitmap: bit i of
 * `valid` set means value i is present; `valid == NULL` means no NA at
 * all (the common case costs nothing). Values under a cleared bit are
 * unspecified (zero in what this module builds).
 *
 * NA and NaN in a double column are different things, as in R: NA is
 * "missing" and lives only in the bitmap; NaN is a value (0/0) stored in
 * the data. is_na() is true for both in R and the kernels treat both as
 * missing where R does (na_rm skips both; order() puts both last), but a
 * NaN survives a round trip as NaN and an NA as NA.
 *
 * Once built a column never changes: frames share columns by reference
 * (col_ref / col_unref), so select, rename and mutate copy nothing they
 * leave alone. Slices share the parent's buffers and keep it alive. */
#ifndef MLSH_FRAME_COLUMN_H
#define MLSH_FRAME_COLUMN_H
#include <stddef.h>
#include <stdint.h>
#include "../core/error.h"

typedef enum {
  COL_DOUBLE,       /* double */
  COL_INT64,        /* int64_t */
  COL_LOGICAL,      /* uint8_t, 0 or 1 */
  COL_STRING,       /* UTF-8: offsets[n + 1] into bytes */
  COL_CATEGORICAL,  /* int32_t codes into `levels` (a string column), R's factor */
  COL_DATE,         /* int32_t days since 1970-01-01 */
  COL_DATETIME      /* double UTC seconds since 1970-01-01 00:00:00 */
} col_type;

typedef struct mlsh_col {
  int refs;
  col_type type;
  size_t n;
  uint8_t *valid;            /* NULL: no NA */
  void *data;                /* the values; for strings the bytes */
  int64_t *offsets;          /* strings: value i is data[offsets[i] .. offsets[i+1]) */
  struct mlsh_col *levels;   /* categorical: the level names, a string column without NA */
  int ordered;               /* categorical: levels are ordered (R's ordered factor) */
  struct mlsh_col *parent;   /* a slice: owner of data/offsets (valid is its own) */
} mlsh_col;

const char *col_type_name(col_type t);   /* "double", "integer", ... */
size_t col_elem_size(col_type t);        /* bytes per value (strings: 0) */

static inline int col_is_na(const mlsh_col *c, size_t i) {
  return c->valid && !((c->valid[i >> 3] >> (i & 7)) & 1);
}
static inline const char *col_str(const mlsh_col *c, size_t i, size_t *len) {
  *len = (size_t)(c->offsets[i + 1] - c->offsets[i]);
  return (const char *)c->data + c->offsets[i];
}
#define COL_DBL(c) ((const double *)(c)->data)
#define COL_I64(c) ((const int64_t *)(c)->data)
#define COL_I32(c) ((const int32_t *)(c)->data)
#define COL_LGL(c) ((const uint8_t *)(c)->data)

mlsh_col *col_ref(mlsh_col *c);          /* returns c; NULL-safe */
void col_unref(mlsh_col *c);             /* frees at zero; NULL-safe */
size_t col_na_count(const mlsh_col *c);

/* Fixed-width columns (every type but string and categorical) from a C
 * array of n values in the type's layout (copied). valid may be NULL
 * (no NA), else a bitmap of (n + 7) / 8 bytes (copied, and dropped when
 * it has no cleared bit). */
int col_from_array(col_type t, const void *x, size_t n, const uint8_t *valid, mlsh_col **out, mlsh_err *err);
/* A string column from n C strings; NULL means NA. */
int col_from_strings(const char *const *s, size_t n, mlsh_col **out, mlsh_err *err);
/* A categorical column: codes in [0, levels->n) (checked), levels a
 * string column without NA (checked) and without duplicates (the
 * caller's promise); levels is shared, not copied. */
int col_categorical(const int32_t *codes, size_t n, const uint8_t *valid, mlsh_col *levels, int ordered,
                    mlsh_col **out, mlsh_err *err);

/* Gather: out[i] = c[idx[i]]; idx[i] == -1 gives NA (the joins' "no
 * match"). Indices are checked. When idx is 0 .. n-1, out is c itself
 * (one more reference: columns are immutable). */
int col_take(const mlsh_col *c, const int64_t *idx, size_t m, mlsh_col **out, mlsh_err *err);
/* The same gather from many columns of n rows (a join's columns): idx is
 * checked once (it must outlive the plan), then each column taken. */
typedef struct { const int64_t *idx; size_t m, n, missing; int identity; } col_take_plan;
int col_take_plan_make(const int64_t *idx, size_t m, size_t n, col_take_plan *plan, mlsh_err *err);
int col_take_planned(const mlsh_col *c, const col_take_plan *plan, mlsh_col **out, mlsh_err *err);
/* Rows [begin, begin + len): shares the buffers of c (no copy of values). */
int col_slice(mlsh_col *c, size_t begin, size_t len, mlsh_col **out, mlsh_err *err);

/* A builder grows a column value by value. Pushes never fail loudly: a
 * failed allocation makes the builder stick in a failed state (later
 * pushes do nothing) and col_builder_finish reports it. */
typedef struct {
  col_type type;
  size_t n, cap, nbytes, bcap, vcap;
  void *data;          /* values, or string bytes */
  int64_t *offsets;    /* strings */
  uint8_t *valid;      /* allocated at the first NA */
  int failed;
} col_builder;

void col_builder_init(col_builder *b, col_type t);
void col_builder_free(col_builder *b);
void col_builder_double(col_builder *b, double v);     /* double, datetime */
void col_builder_int64(col_builder *b, int64_t v);
void col_builder_int32(col_builder *b, int32_t v);     /* date, categorical codes */
void col_builder_logical(col_builder *b, int v);
void col_builder_string(col_builder *b, const char *s, size_t len);
void col_builder_na(col_builder *b);
/* The column built so far (the builder is emptied). Categorical builders
 * need levels/ordered (as col_categorical); other types pass NULL, 0. */
int col_builder_finish(col_builder *b, mlsh_col *levels, int ordered, mlsh_col **out, mlsh_err *err);

#endif
