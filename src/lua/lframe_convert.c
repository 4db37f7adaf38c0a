/* lframe_convert.c - frames and columns to and from what the rest of mlsh
 * takes: df:matrix, the data matrix of a frame or a Column for
 * mlsh_check_data, and typed columns (dates, factors) built from Lua. */
#include <math.h>
#include <string.h>
#include "lframe.h"
#include "../core/alloc.h"

int lcol_is_numeric(const mlsh_col *c) { return c->type == COL_DOUBLE || c->type == COL_INT64; }

/* Value i as a double: NA is NaN (mlsh's missing value in Matrices). */
static double col_double_at(const mlsh_col *c, size_t i) {
  if (col_is_na(c, i)) return NAN;
  switch (c->type) {
  case COL_DOUBLE: case COL_DATETIME: return COL_DBL(c)[i];
  case COL_INT64: return (double)COL_I64(c)[i];
  case COL_LOGICAL: return COL_LGL(c)[i];
  default: return COL_I32(c)[i];   /* dates: days */
  }
}

static int matrix_ok(const mlsh_col *c) { return c->type != COL_STRING && c->type != COL_CATEGORICAL; }

mlsh_mat *lcol_push_matrix(lua_State *L, const mlsh_col *const *cols, size_t k, size_t n, const char *fname) {
  mlsh_mat *m = lmat_push_new(L, n, k, fname);
  for (size_t j = 0; j < k; j++)
    for (size_t i = 0; i < n; i++) m->data[i * k + j] = col_double_at(cols[j], i);
  return m;
}

static void not_numeric(lua_State *L, const char *fname, const char *what, const mlsh_col *c) {
  mlsh_error(L, fname, "%s is %s, not numeric (learn.encode turns labels into numbers)", what, col_type_name(c->type));
}

/* The numeric (double and integer) columns of f, or those named in the
 * array at names_idx (any type but string and categorical), pushed as
 * one Matrix. */
mlsh_mat *lframe_push_matrix(lua_State *L, const mlsh_frame *f, int names_idx, const char *fname) {
  size_t m = names_idx ? lua_rawlen(L, names_idx) : f->ncol, k = 0;
  const mlsh_col **cols = mlsh_scratch(L, (m + 1) * sizeof *cols, fname);
  if (names_idx) {
    for (size_t q = 0; q < m; q++) {
      lua_rawgeti(L, names_idx, (lua_Integer)q + 1);
      const char *name = lua_tostring(L, -1);
      size_t j;
      mlsh_err err = {0};
      if (!name) mlsh_error(L, fname, "column name %zu must be a string (got %s)", q + 1, mlsh_typename(L, -1));
      if (frame_lookup(f, name, fname, &j, &err)) mlsh_error(L, fname, "%s", err.msg + strlen(fname) + 2);
      lua_pop(L, 1);
      if (!matrix_ok(f->cols[j])) {
        char what[300];
        snprintf(what, sizeof what, "column '%s'", f->names[j]);
        not_numeric(L, fname, what, f->cols[j]);
      }
      cols[k++] = f->cols[j];
    }
  } else {
    for (size_t j = 0; j < f->ncol; j++)
      if (lcol_is_numeric(f->cols[j])) cols[k++] = f->cols[j];
    if (k == 0) mlsh_error(L, fname, "the frame has no numeric columns");
  }
  mlsh_mat *mat = lcol_push_matrix(L, cols, k, f->nrow, fname);
  lua_remove(L, -2);   /* the scratch */
  return mat;
}

mlsh_mat *lframe_data_matrix(lua_State *L, int idx, const char *fname, const char *argname) {
  idx = lua_absindex(L, idx);
  mlsh_col *c = lcol_test(L, idx);
  mlsh_frame *f = c ? NULL : lframe_test(L, idx);
  char what[300];
  if (c) {
    if (!matrix_ok(c)) {
      snprintf(what, sizeof what, "argument '%s' (a Column)", argname);
      not_numeric(L, fname, what, c);
    }
    const mlsh_col *one[1] = {c};
    lcol_push_matrix(L, one, 1, c->n, fname);
  } else {
    size_t k = 0;
    for (size_t j = 0; j < f->ncol; j++) k += lcol_is_numeric(f->cols[j]);
    if (k == 0) mlsh_error(L, fname, "argument '%s': the frame has no numeric columns", argname);
    lframe_push_matrix(L, f, 0, fname);
  }
  lua_replace(L, idx);
  return lmat_test(L, idx);
}

static int l_matrix(lua_State *L) {
  const char *fname = "DataFrame:matrix";
  mlsh_frame *f = lframe_check(L, 1, fname, "self");
  int names = 0;
  if (lua_type(L, 2) == LUA_TSTRING) {   /* df:matrix("a", "b") as df:matrix{"a", "b"} */
    int top = lua_gettop(L);
    lua_createtable(L, top - 1, 0);
    for (int i = 2; i <= top; i++) {
      lua_pushvalue(L, i);
      lua_rawseti(L, -2, i - 1);
    }
    names = lua_gettop(L);
  } else if (!lua_isnoneornil(L, 2)) {
    mlsh_check_type(L, 2, LUA_TTABLE, fname, "names");
    names = 2;
  }
  lframe_push_matrix(L, f, names, fname);
  return 1;
}

static int l_col_matrix(lua_State *L) {
  const char *fname = "Column:matrix";
  mlsh_col *c = lcol_check(L, 1, fname, "self");
  if (!matrix_ok(c)) not_numeric(L, fname, "the column", c);
  const mlsh_col *one[1] = {c};
  lcol_push_matrix(L, one, 1, c->n, fname);
  return 1;
}

/* ---- typed columns from Lua values ---- */

static void release_builder(void *p) { col_builder_free(p); }

/* The index of s in the string column lv, or -1. */
static long level_index(const mlsh_col *lv, const char *s, size_t len) {
  for (size_t q = 0; q < lv->n; q++) {
    size_t l;
    const char *t = col_str(lv, q, &l);
    if (l == len && memcmp(s, t, len) == 0) return (long)q;
  }
  return -1;
}

static int levels_from_array(lua_State *L, int t, mlsh_col **out, mlsh_err *err) {
  size_t k = lua_rawlen(L, t);
  col_builder *b = mlsh_guard(L, sizeof *b, release_builder);
  col_builder_init(b, COL_STRING);
  for (size_t q = 1; q <= k; q++) {
    lua_rawgeti(L, t, (lua_Integer)q);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (lua_type(L, -1) != LUA_TSTRING) mlsh_error(L, "data.column", "level %zu must be a string", q);
    col_builder_string(b, s, len);
    lua_pop(L, 1);
  }
  int rc = col_builder_finish(b, NULL, 0, out, err);
  lua_pop(L, 1);
  return rc;
}

/* The codes of the strings at t (n values, nil = NA) in levels lv. */
static int factor_from_array(lua_State *L, int t, size_t n, mlsh_col *lv, int ordered, mlsh_col **out, mlsh_err *err) {
  col_builder *b = mlsh_guard(L, sizeof *b, release_builder);
  col_builder_init(b, COL_CATEGORICAL);
  for (size_t i = 1; i <= n; i++) {
    int vt = lua_rawgeti(L, t, (lua_Integer)i);
    size_t len;
    const char *s = vt == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    long code = s ? level_index(lv, s, len) : -1;
    if (vt != LUA_TNIL && code < 0)
      mlsh_error(L, "data.column", "value %zu (%s) is not one of the levels", i, s ? s : mlsh_typename(L, -1));
    if (code < 0) col_builder_na(b);
    else col_builder_int32(b, (int32_t)code);
    lua_pop(L, 1);
  }
  int rc = col_builder_finish(b, lv, ordered, out, err);
  lua_pop(L, 1);
  return rc;
}

static int numbers_column(lua_State *L, int t, size_t n, col_type type, mlsh_col **out, mlsh_err *err) {
  col_builder *b = mlsh_guard(L, sizeof *b, release_builder);
  col_builder_init(b, type);
  for (size_t i = 1; i <= n; i++) {
    int vt = lua_rawgeti(L, t, (lua_Integer)i);
    double v = lua_tonumber(L, -1);
    if (vt != LUA_TNIL && vt != LUA_TNUMBER)
      mlsh_error(L, "data.column", "value %zu must be a number (got %s)", i, mlsh_typename(L, -1));
    if (vt == LUA_TNIL || v != v) col_builder_na(b);
    else if (type == COL_DATE) col_builder_int32(b, (int32_t)floor(v));
    else col_builder_double(b, v);
    lua_pop(L, 1);
  }
  int rc = col_builder_finish(b, NULL, 0, out, err);
  lua_pop(L, 1);
  return rc;
}

static const char *const column_kinds[] = {"date", "datetime", "categorical", NULL};

/* data.column(values, type [, levels [, ordered]]) */
static int l_column(lua_State *L) {
  const char *fname = "data.column";
  mlsh_check_type(L, 1, LUA_TTABLE, fname, "values");
  int kind = mlsh_check_choice(L, 2, fname, "argument 'type'", column_kinds);
  lua_getfield(L, 1, "n");
  size_t n = lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0 ? (size_t)lua_tointeger(L, -1) : lua_rawlen(L, 1);
  lua_pop(L, 1);
  mlsh_col *c = NULL, *lv = NULL;
  mlsh_err err = {0};
  int rc;
  if (kind < 2) {
    rc = numbers_column(L, 1, n, kind == 0 ? COL_DATE : COL_DATETIME, &c, &err);
  } else {
    mlsh_check_type(L, 3, LUA_TTABLE, fname, "levels");
    rc = levels_from_array(L, 3, &lv, &err);
    if (!rc) {
      lcol_push(L, lv);   /* a Column owns the levels while the codes are read (that may raise) */
      rc = factor_from_array(L, 1, n, lv, lua_toboolean(L, 4), &c, &err);
    }
  }
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lcol_push(L, c);
  return 1;
}

static const mlsh_Reg convert_methods[] = {
  {"matrix", l_matrix, "df:matrix([names])",
   "The numeric (double and integer) columns, or the named ones (also logical, date and datetime: as\n"
   "numbers), side by side as one Matrix; NA becomes NaN.\nExample: X = df:matrix{\"Ozone\", \"Temp\"}", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

static const mlsh_Reg convert_col_methods[] = {
  {"matrix", l_col_matrix, "col:matrix()",
   "The values as an n x 1 Matrix (NA becomes NaN; dates as days, datetimes as seconds).\n"
   "Example: df.Ozone:matrix()", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

static const mlsh_Reg convert_funcs[] = {
  {"column", l_column, "data.column(values, type [, levels [, ordered]])",
   "A typed Column from a Lua array (nil = NA, `n` sets the length): type \"date\" takes days since\n"
   "1970-01-01, \"datetime\" UTC seconds, \"categorical\" strings among `levels` (in that order; ordered =\n"
   "true makes an ordered factor).\nExample: data.column({\"lo\", \"hi\", nil, n = 3}, \"categorical\", {\"lo\", \"hi\"})", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_frame_convert(lua_State *L) {
  mlsh_register(L, "data", convert_funcs);
  lframe_add_methods(L, convert_methods);
  lcol_add_methods(L, convert_col_methods);
}
