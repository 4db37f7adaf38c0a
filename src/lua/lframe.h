/* lframe.h - the binding of typed data frames (src/frame/): the DataFrame
 * and Column userdata that every module passes and returns.
 *
 * A DataFrame userdata owns one mlsh_frame (and, when grouped, the names
 * of its group keys); a Column userdata owns one reference to an
 * mlsh_col. Both are immutable from Lua: verbs return new frames that
 * share the columns they leave alone. Other bindings take frames with
 * lframe_check and return them with lframe_push. */
#ifndef LFRAME_H
#define LFRAME_H
#include "lmlsh.h"
#include "../frame/frame.h"

#define MLSH_FRAME_MT "mlsh.DataFrame"
#define MLSH_COLUMN_MT "mlsh.Column"

typedef struct lframe {
  mlsh_frame *f;
  char **group_keys;   /* a grouped frame: the key column names; NULL otherwise */
  size_t ngroup_keys;
} lframe;

/* The frame at idx (borrowed: valid while the value at idx lives), or an
 * error "fname: argument 'argname' must be a DataFrame (got T)". */
mlsh_frame *lframe_check(lua_State *L, int idx, const char *fname, const char *argname);
lframe *lframe_check_ud(lua_State *L, int idx, const char *fname, const char *argname);
mlsh_frame *lframe_test(lua_State *L, int idx);   /* NULL when not a DataFrame */
/* Push a DataFrame that takes ownership of f (f is freed if pushing fails). */
void lframe_push(lua_State *L, mlsh_frame *f);

/* The column at idx (borrowed), or an error naming fname and argname. */
mlsh_col *lcol_check(lua_State *L, int idx, const char *fname, const char *argname);
mlsh_col *lcol_test(lua_State *L, int idx);       /* NULL when not a Column */
/* Push a Column that takes over the caller's reference to c (unref'd if
 * pushing fails). */
void lcol_push(lua_State *L, mlsh_col *c);

/* Binding files that add verbs register them on the classes with these
 * (documented as "DataFrame:name" / "Column:name"); the classes must be
 * open (mlsh_open_frame runs first in the data module). */
void lframe_add_methods(lua_State *L, const mlsh_Reg *methods);
void lcol_add_methods(lua_State *L, const mlsh_Reg *methods);
/* Add metamethods (__add, __eq, __tostring...) to the Column or DataFrame class. */
void lcol_add_metamethods(lua_State *L, const luaL_Reg *meta);
void lframe_add_metamethods(lua_State *L, const luaL_Reg *meta);

/* Push value i of c as Lua sees it (nil for NA; see Column:totable). */
void lcol_push_value(lua_State *L, const mlsh_col *c, size_t i);

/* ---- what the verb files share (lframe.c) ---- */
/* Push f (taking it) as a result derived from `from`: with keep_groups,
 * from's group keys that f still has stay its group keys. */
void lframe_push_like(lua_State *L, const lframe *from, mlsh_frame *f, int keep_groups);
/* Set the group keys of the DataFrame at idx (copies of the k names). */
void lframe_set_groups(lua_State *L, int idx, const char *const *keys, size_t k, const char *fname);
/* Column names given as string arguments first..last, or as one array at
 * first; returns their count and the names in a scratch array pushed on
 * the stack (the strings live while the arguments do). */
size_t lframe_arg_names(lua_State *L, int first, int last, const char *fname, const char ***names);
/* The columns of f named names[0..k), or an error listing close names. */
const mlsh_col **lframe_lookup_cols(lua_State *L, const mlsh_frame *f, const char *const *names, size_t k,
                                    const char *fname);
/* The group keys of u as columns of its frame (scratch on the stack), and their count. */
size_t lframe_group_cols(lua_State *L, const lframe *u, const mlsh_col ***cols, const char *fname);
/* Push an array of the k names. */
void lframe_push_names(lua_State *L, char *const *names, size_t k);
/* Push a new frame sharing the columns of f (names and columns copied by reference). */
mlsh_frame *lframe_copy(lua_State *L, const mlsh_frame *f, const char *fname);

/* Frames and Columns as Matrices (lframe_convert.c); NA becomes NaN. */
int lcol_is_numeric(const mlsh_col *c);   /* double or integer */
mlsh_mat *lcol_push_matrix(lua_State *L, const mlsh_col *const *cols, size_t k, size_t n, const char *fname);
/* The numeric columns of f, or the ones named in the array at names_idx
 * (0: all numeric ones), pushed as one Matrix. */
mlsh_mat *lframe_push_matrix(lua_State *L, const mlsh_frame *f, int names_idx, const char *fname);
/* The DataFrame or Column at idx replaced by its Matrix (mlsh_check_data). */
mlsh_mat *lframe_data_matrix(lua_State *L, int idx, const char *fname, const char *argname);

#endif
