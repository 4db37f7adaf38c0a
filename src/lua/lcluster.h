/* lcluster.h - helpers shared by the clustering and PCA bindings
 * (lcluster.c, lcluster_valid.c, lstats_pca.c). */
#ifndef LCLUSTER_H
#define LCLUSTER_H
#include "lmlsh.h"

/* The data matrix at idx: a Matrix or nested array, non-empty. Non-finite
 * cells are an error naming the first one, unless the option na = "omit"
 * (in the options table at optidx) is set: those rows are then dropped
 * and a new Matrix replaces the value at idx. *kept (when non-NULL) gets a
 * Lua array of the kept row numbers pushed on the stack, or nil. */
mlsh_mat *lcl_check_data(lua_State *L, int idx, int optidx, const char *fname, const char *argname);
/* Labels of n rows (an array of integers or strings) as codes 0..k-1 in
 * sorted order of the distinct values; pushes the array of those values
 * (the levels) and returns the codes (owned by a scratch userdata pushed
 * below the levels). */
int *lcl_factor(lua_State *L, int idx, const char *fname, const char *argname, size_t n, size_t *k);
/* The `threads` option (0 = default). */
int lcl_threads(lua_State *L, int optidx, const char *fname);
/* Set t[key] = a new Matrix taking ownership of m. t at index tidx. */
void lcl_set_mat(lua_State *L, int tidx, const char *key, mlsh_mat *m);
void lcl_open_validity(lua_State *L);

#endif
