/* join.h - hash joins on one or more key columns. The result is a pair
 * of row index vectors, so that the caller gathers whatever columns it
 * wants with col_take (-1 gathers NA). */
#ifndef MLSH_FRAME_JOIN_H
#define MLSH_FRAME_JOIN_H
#include "column.h"

typedef enum { JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL, JOIN_SEMI, JOIN_ANTI } frame_join_how;

typedef struct {
  size_t n;          /* output rows */
  int64_t *left;     /* n left rows, -1 where the row comes from the right only */
  int64_t *right;    /* n right rows, -1 where no right row matched; NULL for semi and anti */
} frame_join_result;

/* Rows of the left keys matched to rows of the right keys (nkeys pairs of
 * the same type; factors match by label). Output order: the left rows in
 * order, each followed by its matches in right-row order (one row with
 * right -1 when unmatched in a left or full join), then for right and
 * full joins the right rows nothing matched, in order. Semi and anti
 * give the left rows that have / have not a match, once each. A key with
 * NA matches nothing unless na_match, then NA matches NA (R's merge
 * matches NA by default, dplyr's joins too; data.table does not). */
int frame_join(const mlsh_col *const *lkeys, const mlsh_col *const *rkeys, size_t nkeys, frame_join_how how,
               int na_match, int nthreads, frame_join_result *r, mlsh_err *err);
void frame_join_result_free(frame_join_result *r);
const char *frame_join_name(frame_join_how how);

#endif
