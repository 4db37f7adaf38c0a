/* bind.h - columns and frames put end to end (dplyr's bind_rows), and
 * the value-by-value copy that every kernel building a new column from
 * old ones shares. */
#ifndef MLSH_FRAME_BIND_H
#define MLSH_FRAME_BIND_H
#include "frame.h"

/* Push value i of c (NA as NA) into b, converting to b's type: integer
 * and logical to double, anything to string (factors by label; dates as
 * YYYY-MM-DD). A categorical b takes c's code as is (the caller has
 * checked that the levels are b's). */
void col_builder_push_from(col_builder *b, const mlsh_col *c, size_t i);

/* The type that holds values of both a and b, or -1 when none does
 * (integer + double = double; logical + integer = integer; string +
 * factor = string; factor + factor = factor, levels united). */
int col_common_type(col_type a, col_type b);

/* The k columns one after the other. NULL entries are runs of NA of
 * length lens[q] (a column a frame lacks). Types are united as
 * col_common_type; factors with different levels get the union of the
 * levels in order of appearance. `what` names the column in messages. */
int col_concat(const mlsh_col *const *cols, const size_t *lens, size_t k, const char *what, mlsh_col **out,
               mlsh_err *err);

/* The rows of the k frames one after the other, columns matched by name
 * (in order of first appearance; a column missing from a frame is NA
 * there), as dplyr's bind_rows. */
int frame_bind_rows(const mlsh_frame *const *frames, size_t k, mlsh_frame **out, mlsh_err *err);

#endif
