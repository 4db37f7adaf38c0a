/* matfmt.h - Torch-style text rendering of a matrix: one number format
 * for the whole matrix (integers, fixed, a common scale factor, or
 * scientific, chosen by magnitude), rows and columns elided with "..."
 * past the given width/height, and a "[Matrix RxC]" footer. */
#ifndef MLSH_MATFMT_H
#define MLSH_MATFMT_H
#include "matrix.h"

/* Returns a malloc'ed (mlsh_malloc) string, or NULL when out of memory.
 * width: columns of text available; max_rows: rows of numbers shown
 * before eliding the middle (>= 3). */
char *mat_format(const mlsh_mat *m, int width, int max_rows);

#endif
