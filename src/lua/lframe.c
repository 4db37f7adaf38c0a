/* lframe.c - the DataFrame and Column userdata: creation, checks, the
 * accessors every verb builds on (names, nrow, ncol, col, df.name,
 * totable, type, levels). The verbs live in their own binding files and
 * add their methods to the same classes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lframe.h"
#include "../core/alloc.h"

static void free_group_keys(lframe *u) {
  for (size_t i = 0; i < u->ngroup_keys; i++) mlsh_free(u->group_keys[i]);
  mlsh_free(u->group_keys);
  u->group_keys = NULL;
  u->ngroup_keys = 0;
}

static int frame_gc(lua_State *L) {
  lframe *u = luaL_checkudata(L, 1, MLSH_FRAME_MT);
  frame_free(u->f);
  u->f = NULL;
  free_group_keys(u);
  return 0;
}

static int column_gc(lua_State *L) {
  mlsh_col **u = luaL_checkudata(L, 1, MLSH_COLUMN_MT);
  col_unref(*u);
  *u = NULL;
  return 0;
}

lframe *lframe_check_ud(lua_State *L, int idx, const char *fname, const char *argname) {
  lframe *u = luaL_testudata(L, idx, MLSH_FRAME_MT);
  if (!u || !u->f) mlsh_error(L, fname, "argument '%s' must be a DataFrame (got %s)", argname, mlsh_typename(L, idx));
  return u;
}

mlsh_frame *lframe_check(lua_State *L, int idx, const char *fname, const char *argname) {
  return lframe_check_ud(L, idx, fname, argname)->f;
}

mlsh_frame *lframe_test(lua_State *L, int idx) {
  lframe *u = luaL_testudata(L, idx, MLSH_FRAME_MT);
  return u ? u->f : NULL;
}

/* Bytes of c's values that nothing but its new owner holds (a column
 * shared with other frames, or a slice, was counted when it was made). */
static size_t own_bytes(const mlsh_col *c) {
  if (c->refs != 1 || c->parent) return 0;
  size_t b = c->valid ? (c->n + 7) / 8 : 0;
  if (c->type == COL_STRING) return b + (size_t)c->offsets[c->n] + (c->n + 1) * sizeof(int64_t);
  return b + c->n * col_elem_size(c->type);
}

void lframe_push(lua_State *L, mlsh_frame *f) {
  lframe *u = mlsh_try_newudata(L, sizeof *u, MLSH_FRAME_MT);
  if (!u) {
    frame_free(f);
    lua_error(L);
  }
  u->f = f;
  size_t bytes = 0;
  for (size_t j = 0; j < f->ncol; j++) bytes += own_bytes(f->cols[j]);
  mlsh_gc_account(L, bytes);
}

mlsh_col *lcol_test(lua_State *L, int idx) {
  mlsh_col **u = luaL_testudata(L, idx, MLSH_COLUMN_MT);
  return u ? *u : NULL;
}

mlsh_col *lcol_check(lua_State *L, int idx, const char *fname, const char *argname) {
  mlsh_col *c = lcol_test(L, idx);
  if (!c) mlsh_error(L, fname, "argument '%s' must be a Column (got %s)", argname, mlsh_typename(L, idx));
  return c;
}

void lcol_push(lua_State *L, mlsh_col *c) {
  mlsh_col **u = mlsh_try_newudata(L, sizeof *u, MLSH_COLUMN_MT);
  if (!u) {
    col_unref(c);
    lua_error(L);
  }
  *u = c;
  mlsh_gc_account(L, own_bytes(c));
}

void lcol_push_value(lua_State *L, const mlsh_col *c, size_t i) {
  if (col_is_na(c, i)) {
    lua_pushnil(L);
    return;
  }
  size_t len;
  const char *s;
  switch (c->type) {
  case COL_DOUBLE: case COL_DATETIME: lua_pushnumber(L, COL_DBL(c)[i]); break;
  case COL_INT64: lua_pushinteger(L, (lua_Integer)COL_I64(c)[i]); break;
  case COL_LOGICAL: lua_pushboolean(L, COL_LGL(c)[i]); break;
  case COL_DATE: lua_pushinteger(L, COL_I32(c)[i]); break;
  case COL_STRING:
    s = col_str(c, i, &len);
    lua_pushlstring(L, s, len);
    break;
  case COL_CATEGORICAL:
    s = col_str(c->levels, (size_t)COL_I32(c)[i], &len);
    lua_pushlstring(L, s, len);
    break;
  }
}

/* ---- DataFrame accessors ---- */

void lframe_push_names(lua_State *L, char *const *names, size_t k) {
  lua_createtable(L, (int)k, 0);
  for (size_t j = 0; j < k; j++) {
    lua_pushstring(L, names[j]);
    lua_rawseti(L, -2, (lua_Integer)j + 1);
  }
}

static int l_names(lua_State *L) {
  mlsh_frame *f = lframe_check(L, 1, "DataFrame:names", "self");
  lframe_push_names(L, f->names, f->ncol);
  return 1;
}

static int l_nrow(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lframe_check(L, 1, "DataFrame:nrow", "self")->nrow);
  return 1;
}

static int l_ncol(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lframe_check(L, 1, "DataFrame:ncol", "self")->ncol);
  return 1;
}

static int l_col(lua_State *L) {
  const char *fname = "DataFrame:col";
  mlsh_frame *f = lframe_check(L, 1, fname, "self");
  const char *name = mlsh_check_string(L, 2, fname, "name");
  size_t j;
  mlsh_err err = {0};
  int rc = frame_lookup(f, name, fname, &j, &err);
  if (rc) return mlsh_error(L, fname, "%s", err.msg + strlen(fname) + 2);
  lcol_push(L, col_ref(f->cols[j]));
  return 1;
}

/* df.name: a method when one has that name, else the column (df:col
 * reaches a column named like a method). */
static int frame_index(lua_State *L) {
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "__methods");
  lua_pushvalue(L, 2);
  if (lua_rawget(L, -2) != LUA_TNIL) return 1;
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  mlsh_frame *f = lframe_test(L, 1);
  long j = f ? frame_find(f, lua_tostring(L, 2)) : -1;
  if (j < 0) return 0;
  lcol_push(L, col_ref(f->cols[j]));
  return 1;
}

static int frame_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lframe_check(L, 1, "DataFrame:__len", "self")->nrow);
  return 1;
}

/* ---- Column accessors ---- */

static int l_col_totable(lua_State *L) {
  mlsh_col *c = lcol_check(L, 1, "Column:totable", "self");
  if (c->n > (size_t)INT32_MAX) return mlsh_error(L, "Column:totable", "column too long for a Lua table (%zu values)", c->n);
  lua_createtable(L, (int)c->n, 1);
  for (size_t i = 0; i < c->n; i++) {
    lcol_push_value(L, c, i);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_pushinteger(L, (lua_Integer)c->n);
  lua_setfield(L, -2, "n");
  return 1;
}

static int l_col_type(lua_State *L) {
  lua_pushstring(L, col_type_name(lcol_check(L, 1, "Column:type", "self")->type));
  return 1;
}

static int l_col_levels(lua_State *L) {
  const char *fname = "Column:levels";
  mlsh_col *c = lcol_check(L, 1, fname, "self");
  if (c->type != COL_CATEGORICAL) return mlsh_error(L, fname, "the column is %s, not categorical", col_type_name(c->type));
  lua_createtable(L, (int)c->levels->n, 0);
  for (size_t i = 0; i < c->levels->n; i++) {
    lcol_push_value(L, c->levels, i);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* col[i]: value i (nil for NA or out of range), else a method. */
static int column_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TNUMBER) {
    mlsh_col *c = lcol_test(L, 1);
    lua_Integer i = lua_tointeger(L, 2);
    if (c && lua_isinteger(L, 2) && i >= 1 && (size_t)i <= c->n) lcol_push_value(L, c, (size_t)i - 1);
    else lua_pushnil(L);
    return 1;
  }
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "__methods");
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static int column_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lcol_check(L, 1, "Column:__len", "self")->n);
  return 1;
}

static const mlsh_Reg frame_methods[] = {
  {"names", l_names, "df:names()", "The column names in order, as an array of strings.\nExample: df:names()", NULL},
  {"nrow", l_nrow, "df:nrow()", "The number of rows.\nExample: df:nrow()", NULL},
  {"ncol", l_ncol, "df:ncol()", "The number of columns.\nExample: df:ncol()", NULL},
  {"col", l_col, "df:col(name)",
   "The column named `name` as a Column (also one named like a method; df.name and df[\"a name\"] give the\n"
   "others). An unknown name is an error listing the closest names.\nExample: df:col(\"Sepal.Length\")", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

static const luaL_Reg frame_meta[] = {{"__gc", frame_gc}, {"__len", frame_len}, {NULL, NULL}};

static const mlsh_Reg column_methods[] = {
  {"totable", l_col_totable, "col:totable()",
   "The values as a Lua array with NA as nil holes and `n` set (as table.pack): numbers for double and\n"
   "integer columns, days since 1970-01-01 for dates, UTC seconds for datetimes, booleans for logical,\n"
   "strings for string and categorical columns.\nExample: df.age:totable()", NULL},
  {"type", l_col_type, "col:type()",
   "One of \"double\", \"integer\", \"logical\", \"string\", \"categorical\", \"date\", \"datetime\".\n"
   "Example: df.age:type()", NULL},
  {"levels", l_col_levels, "col:levels()", "The levels of a categorical column, in order.\nExample: df.species:levels()", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

static const luaL_Reg column_meta[] = {{"__gc", column_gc}, {"__len", column_len}, {NULL, NULL}};

/* ---- Adding methods from other binding files ---- */

static void add_methods(lua_State *L, const char *tname, const char *docname, const mlsh_Reg *methods) {
  char prefix[64];
  if (luaL_getmetatable(L, tname) != LUA_TTABLE) luaL_error(L, "mlsh: class %s is not open", tname);
  lua_getfield(L, -1, "__methods");
  snprintf(prefix, sizeof prefix, "%s:", docname);
  mlsh_register(L, prefix, methods);
  lua_pop(L, 2);
}

static void add_meta(lua_State *L, const char *tname, const luaL_Reg *meta) {
  if (luaL_getmetatable(L, tname) != LUA_TTABLE) luaL_error(L, "mlsh: class %s is not open", tname);
  luaL_setfuncs(L, meta, 0);
  lua_pop(L, 1);
}

void lframe_add_methods(lua_State *L, const mlsh_Reg *methods) { add_methods(L, MLSH_FRAME_MT, "DataFrame", methods); }
void lcol_add_methods(lua_State *L, const mlsh_Reg *methods) { add_methods(L, MLSH_COLUMN_MT, "Column", methods); }
void lcol_add_metamethods(lua_State *L, const luaL_Reg *meta) { add_meta(L, MLSH_COLUMN_MT, meta); }
void lframe_add_metamethods(lua_State *L, const luaL_Reg *meta) { add_meta(L, MLSH_FRAME_MT, meta); }

/* ---- What the verb files share ---- */

void lframe_set_groups(lua_State *L, int idx, const char *const *keys, size_t k, const char *fname) {
  lframe *u = lframe_check_ud(L, idx, fname, "self");
  char **copy = k ? mlsh_calloc(k, sizeof *copy) : NULL;
  if (k && !copy) mlsh_error(L, fname, "not enough memory");
  for (size_t i = 0; i < k; i++) {
    copy[i] = mlsh_malloc(strlen(keys[i]) + 1);
    if (!copy[i]) {
      for (size_t q = 0; q < i; q++) mlsh_free(copy[q]);
      mlsh_free(copy);
      mlsh_error(L, fname, "not enough memory");
    }
    strcpy(copy[i], keys[i]);
  }
  free_group_keys(u);
  u->group_keys = copy;
  u->ngroup_keys = k;
}

void lframe_push_like(lua_State *L, const lframe *from, mlsh_frame *f, int keep_groups) {
  lframe_push(L, f);
  if (!keep_groups || !from || !from->ngroup_keys) return;
  const char *keys[64];
  size_t k = 0;
  for (size_t i = 0; i < from->ngroup_keys && k < 64; i++)
    if (frame_find(f, from->group_keys[i]) >= 0) keys[k++] = from->group_keys[i];
  lframe_set_groups(L, -1, keys, k, "DataFrame");
}

size_t lframe_arg_names(lua_State *L, int first, int last, const char *fname, const char ***names) {
  int from_table = first <= last && lua_type(L, first) == LUA_TTABLE;
  size_t k = from_table ? lua_rawlen(L, first) : (first <= last ? (size_t)(last - first + 1) : 0);
  const char **s = mlsh_scratch(L, (k + 1) * sizeof *s, fname);
  for (size_t q = 0; q < k; q++) {
    int t = from_table ? lua_rawgeti(L, first, (lua_Integer)q + 1) : lua_type(L, first + (int)q);
    int at = from_table ? -1 : first + (int)q;
    if (t != LUA_TSTRING) mlsh_error(L, fname, "column name %zu must be a string (got %s)", q + 1, mlsh_typename(L, at));
    s[q] = lua_tostring(L, at);   /* alive: the argument (or its table) holds it */
    if (from_table) lua_pop(L, 1);
  }
  *names = s;
  return k;
}

const mlsh_col **lframe_lookup_cols(lua_State *L, const mlsh_frame *f, const char *const *names, size_t k,
                                    const char *fname) {
  const mlsh_col **cols = mlsh_scratch(L, (k + 1) * sizeof *cols, fname);
  for (size_t q = 0; q < k; q++) {
    size_t j;
    mlsh_err err = {0};
    if (frame_lookup(f, names[q], fname, &j, &err)) mlsh_error(L, fname, "%s", err.msg + strlen(fname) + 2);
    cols[q] = f->cols[j];
  }
  return cols;
}

size_t lframe_group_cols(lua_State *L, const lframe *u, const mlsh_col ***cols, const char *fname) {
  *cols = lframe_lookup_cols(L, u->f, (const char *const *)u->group_keys, u->ngroup_keys, fname);
  return u->ngroup_keys;
}

mlsh_frame *lframe_copy(lua_State *L, const mlsh_frame *f, const char *fname) {
  mlsh_frame *g = NULL;
  mlsh_err err = {0};
  int rc = frame_select(f, (const char *const *)f->names, f->ncol, &g, &err);
  if (!rc && !f->ncol) g->nrow = f->nrow;
  if (rc) mlsh_fail(L, fname, rc, &err);
  return g;
}

/* ---- Building a frame from Lua arrays ---- */

/* The type of a Lua array of length n with nil holes for NA: integer when
 * every value is a Lua integer, double when numbers, logical, string. */
static col_type infer_type(lua_State *L, int t, size_t n, const char *fname, size_t j) {
  int seen = 0, is_int = 1;
  col_type type = COL_DOUBLE;
  for (size_t i = 1; i <= n; i++) {
    int vt = lua_rawgeti(L, t, (lua_Integer)i);
    col_type this_type = vt == LUA_TNUMBER ? COL_DOUBLE : vt == LUA_TBOOLEAN ? COL_LOGICAL : COL_STRING;
    if (vt == LUA_TNUMBER && !lua_isinteger(L, -1)) is_int = 0;
    lua_pop(L, 1);
    if (vt == LUA_TNIL) continue;
    if (vt != LUA_TNUMBER && vt != LUA_TBOOLEAN && vt != LUA_TSTRING)
      mlsh_error(L, fname, "column %zu, row %zu: a %s is not a column value", j + 1, i, lua_typename(L, vt));
    if (seen && this_type != type)
      mlsh_error(L, fname, "column %zu, row %zu: a %s among %s values", j + 1, i, lua_typename(L, vt),
                 col_type_name(type));
    type = this_type;
    seen = 1;
  }
  return type == COL_DOUBLE && is_int && seen ? COL_INT64 : type;
}

static void build_column(lua_State *L, int t, size_t n, col_type type, col_builder *b) {
  col_builder_init(b, type);
  for (size_t i = 1; i <= n; i++) {
    int vt = lua_rawgeti(L, t, (lua_Integer)i);
    size_t len;
    const char *s;
    if (vt == LUA_TNIL) col_builder_na(b);
    else if (type == COL_DOUBLE) col_builder_double(b, lua_tonumber(L, -1));
    else if (type == COL_INT64) col_builder_int64(b, (int64_t)lua_tointeger(L, -1));
    else if (type == COL_LOGICAL) col_builder_logical(b, lua_toboolean(L, -1));
    else {
      s = lua_tolstring(L, -1, &len);
      col_builder_string(b, s, len);
    }
    lua_pop(L, 1);
  }
}

static size_t array_length(lua_State *L, int t) {
  if (lua_getfield(L, t, "n") == LUA_TNUMBER && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0) {
    size_t n = (size_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return n;
  }
  lua_pop(L, 1);
  return lua_rawlen(L, t);
}

static void release_frame(void *p) { frame_free(*(mlsh_frame **)p); }
static void release_builder(void *p) { col_builder_free(p); }

/* A double column from a Matrix vector: NaN, mlsh's missing value in
 * Matrices, becomes NA. */
static int column_from_matrix(const mlsh_mat *m, col_builder *b, mlsh_col **out, mlsh_err *err) {
  size_t n = MAT_LEN(m);
  col_builder_init(b, COL_DOUBLE);
  for (size_t i = 0; i < n; i++) {
    if (m->data[i] != m->data[i]) col_builder_na(b);
    else col_builder_double(b, m->data[i]);
  }
  return col_builder_finish(b, NULL, 0, out, err);
}

/* Column j of data.frame from the value at t: a Column (shared), a
 * Matrix vector or a Lua array; *n receives its length. */
static int column_from_value(lua_State *L, int t, size_t j, col_builder *b, size_t *n, mlsh_col **out, mlsh_err *err) {
  const char *fname = "data.frame";
  mlsh_col *c = lcol_test(L, t);
  mlsh_mat *m = c ? NULL : lmat_test(L, t);
  if (c) {
    *n = c->n;
    *out = col_ref(c);
    return MLSH_OK;
  }
  if (m) {
    if (m->rows != 1 && m->cols != 1)
      mlsh_error(L, fname, "column %zu must be a vector (got a %zux%zu Matrix)", j + 1, m->rows, m->cols);
    *n = MAT_LEN(m);
    return column_from_matrix(m, b, out, err);
  }
  if (!lua_istable(L, t) || lua_getmetatable(L, t)) {
    if (lua_istable(L, t)) lua_pop(L, 1);
    mlsh_error(L, fname, "column %zu must be an array, a Matrix or a Column (got %s)", j + 1, mlsh_typename(L, t));
  }
  *n = array_length(L, t);
  build_column(L, t, *n, infer_type(L, t, *n, fname, j), b);
  return col_builder_finish(b, NULL, 0, out, err);
}

/* data.frame(names, columns): columns are Lua arrays (nil = NA, `n`
 * giving the length when the last values are NA), Matrix vectors or
 * Columns. */
static int l_typed_frame(lua_State *L) {
  const char *fname = "data.frame";
  mlsh_check_type(L, 1, LUA_TTABLE, fname, "names");
  mlsh_check_type(L, 2, LUA_TTABLE, fname, "columns");
  size_t k = lua_rawlen(L, 1), nrow = 0;
  if (lua_rawlen(L, 2) != k) return mlsh_error(L, fname, "%zu names for %zu columns", k, (size_t)lua_rawlen(L, 2));
  mlsh_frame **fp = mlsh_guard(L, sizeof *fp, release_frame);
  int guard = lua_gettop(L);
  col_builder *b = mlsh_guard(L, sizeof *b, release_builder);
  mlsh_err err = {0};
  for (size_t j = 0; j < k; j++) {
    lua_rawgeti(L, 1, (lua_Integer)j + 1);
    if (lua_type(L, -1) != LUA_TSTRING) return mlsh_error(L, fname, "name %zu must be a string (got %s)", j + 1, mlsh_typename(L, -1));
    const char *name = lua_tostring(L, -1);
    lua_rawgeti(L, 2, (lua_Integer)j + 1);
    size_t n;
    mlsh_col *c = NULL;
    int rc = column_from_value(L, lua_gettop(L), j, b, &n, &c, &err);
    if (rc) return mlsh_fail(L, fname, rc, &err);
    if (j == 0) nrow = n;
    if (n != nrow) {
      col_unref(c);
      return mlsh_error(L, fname, "column %zu has %zu rows, column 1 has %zu", j + 1, n, nrow);
    }
    if (!*fp && (rc = frame_new(nrow, fp, &err)) != 0) {
      col_unref(c);
      return mlsh_fail(L, fname, rc, &err);
    }
    rc = frame_add(*fp, name, c, &err);
    col_unref(c);
    if (rc) return mlsh_fail(L, fname, rc, &err);
    lua_settop(L, guard + 1);
  }
  if (!*fp && frame_new(0, fp, &err)) return mlsh_fail(L, fname, err.code, &err);
  mlsh_frame *f = *fp;
  *fp = NULL;
  lframe_push(L, f);
  return 1;
}

/* The name the first tests used; documented apart (help keys docs by function). */
static int l_typed_frame_alias(lua_State *L) { return l_typed_frame(L); }

static const mlsh_Reg frame_funcs[] = {
  {"frame", l_typed_frame, "data.frame(names, columns)",
   "A DataFrame from an array of column names and an array of columns of equal length: Lua arrays (nil\n"
   "holes are NA; `n` sets the length when the last values are NA), Matrix vectors (NaN becomes NA) or\n"
   "Columns (shared, not copied). An array of Lua integers gives an integer column, of numbers a double\n"
   "column, of booleans a logical one, of strings a string one.\n"
   "Example: df = data.frame({\"x\", \"g\"}, {{1.5, nil, 3, n = 3}, {\"a\", \"b\", \"a\"}})", NULL},
  {"_typed_frame", l_typed_frame_alias, "data._typed_frame(names, columns)", "Internal: data.frame.", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_frame(lua_State *L) {
  mlsh_register(L, "data", frame_funcs);
  mlsh_new_class(L, MLSH_FRAME_MT, "DataFrame", frame_methods, frame_meta);
  lua_pushcfunction(L, frame_index);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  mlsh_new_class(L, MLSH_COLUMN_MT, "Column", column_methods, column_meta);
  lua_pushcfunction(L, column_index);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}
