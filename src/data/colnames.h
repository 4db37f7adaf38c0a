/* colnames.h - column names made unique as data.table's fread
 * (check.names = TRUE) makes them, without its make.names: an empty name
 * becomes V<column number>; a name seen before gets .1, .2, ... in order,
 * each the first suffix that is not a name already (R's make.unique). */
#ifndef MLSH_DATA_COLNAMES_H
#define MLSH_DATA_COLNAMES_H
#include <stddef.h>

/* names[0 .. n): strings from mlsh_malloc. A renamed column's name is
 * replaced by a new string and its header text moved to given[j] (given
 * entries start NULL). Returns 0, or -1 without memory (names stay valid,
 * some may be renamed). */
int colnames_unique(char **names, char **given, size_t n);

#endif
