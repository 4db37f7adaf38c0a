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

#endif
