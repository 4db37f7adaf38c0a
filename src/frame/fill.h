/* fill.h - missing values filled from their neighbours (tidyr's fill). */
#ifndef MLSH_FRAME_FILL_H
#define MLSH_FRAME_FILL_H
#include "column.h"

typedef enum { FILL_DOWN, FILL_UP, FILL_DOWNUP, FILL_UPDOWN } fill_direction;

/* idx[i] = the row whose value row i takes: i itself when present, else
 * the nearest present row before it (down) or after it (up) within the
 * same group (group may be NULL: one group), i again when there is none.
 * downup fills down, then up what is left; updown the other way. NaN in
 * a double column counts as missing, as in tidyr. */
int fill_rows(const mlsh_col *c, const int64_t *group, size_t ngroups, fill_direction dir, int64_t *idx,
              mlsh_err *err);

#endif
