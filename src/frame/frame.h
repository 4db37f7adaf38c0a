/* frame.h - a data frame: ordered, named columns of equal length.
 *
 * A frame holds references to its columns; every operation that derives
 * a frame (select, rename, with, drop) returns a new one that shares the
 * columns it did not change, so nothing is copied but the name list.
 * A frame may have 0 columns (then its row count is the one given to
 * frame_new) and 0 rows. */
#ifndef MLSH_FRAME_FRAME_H
#define MLSH_FRAME_FRAME_H
#include "column.h"

typedef struct mlsh_frame {
  size_t ncol, nrow, cap;
  char **names;
  mlsh_col **cols;
} mlsh_frame;

int frame_new(size_t nrow, mlsh_frame **out, mlsh_err *err);
void frame_free(mlsh_frame *f);                  /* NULL-safe */
/* Append a column (a new reference is taken): its length must be nrow
 * and the name new and non-empty. */
int frame_add(mlsh_frame *f, const char *name, mlsh_col *c, mlsh_err *err);
/* Index of a column, or -1. */
long frame_find(const mlsh_frame *f, const char *name);
/* Index of a column, or MLSH_EINVAL with "fname: unknown column 'x'
 * (did you mean 'y', 'z'?)" listing the names closest by edit distance. */
int frame_lookup(const mlsh_frame *f, const char *name, const char *fname, size_t *idx, mlsh_err *err);
/* Up to max names of f within a small edit distance of name, closest
 * first; returns how many. */
size_t frame_close_names(const mlsh_frame *f, const char *name, const char **best, size_t max);

/* New frames sharing the columns of f. */
int frame_select(const mlsh_frame *f, const char *const *names, size_t k, mlsh_frame **out, mlsh_err *err);
int frame_drop(const mlsh_frame *f, const char *const *names, size_t k, mlsh_frame **out, mlsh_err *err);
int frame_rename(const mlsh_frame *f, const char *from, const char *to, mlsh_frame **out, mlsh_err *err);
/* f with column `name` replaced by c, or added at the end when new. */
int frame_with(const mlsh_frame *f, const char *name, mlsh_col *c, mlsh_frame **out, mlsh_err *err);
/* Every column gathered by idx (as col_take). */
int frame_take(const mlsh_frame *f, const int64_t *idx, size_t m, mlsh_frame **out, mlsh_err *err);

/* Levenshtein distance between two byte strings. */
size_t frame_edit_distance(const char *a, const char *b);

#endif
