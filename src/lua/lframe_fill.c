/* lframe_fill.c - missing values replaced (replace_na) or filled from
 * neighbours (fill_na), and numbers cut into intervals (Column:cut). */
#include <math.h>
#include <string.h>
#include "lframe.h"
#include "../core/alloc.h"
#include "../frame/bind.h"
#include "../frame/cut.h"
#include "../frame/fill.h"
#include "../frame/group.h"

static void release_builder(void *p) { col_builder_free(p); }

/* The code of the level named s in c's levels, or -1. */
static long level_code(const mlsh_col *c, const char *s, size_t len) {
  for (size_t q = 0; q < c->levels->n; q++) {
    size_t l;
    const char *t = col_str(c->levels, q, &l);
    if (l == len && memcmp(s, t, len) == 0) return (long)q;
  }
  return -1;
}

/* Push the Lua value at v into b (c's type), or an error naming the column. */
static void push_lua_value(lua_State *L, int v, const mlsh_col *c, const char *name, col_builder *b, const char *fname) {
  int t = lua_type(L, v);
  size_t len;
  const char *s;
  switch (c->type) {
  case COL_DOUBLE: case COL_DATETIME:
    if (t == LUA_TNUMBER) { col_builder_double(b, lua_tonumber(L, v)); return; }
    break;
  case COL_INT64:
    if (lua_isinteger(L, v)) { col_builder_int64(b, (int64_t)lua_tointeger(L, v)); return; }
    break;
  case COL_DATE:
    if (lua_isinteger(L, v)) { col_builder_int32(b, (int32_t)lua_tointeger(L, v)); return; }
    break;
  case COL_LOGICAL:
    if (t == LUA_TBOOLEAN) { col_builder_logical(b, lua_toboolean(L, v)); return; }
    break;
  case COL_STRING:
    if (t == LUA_TSTRING) { s = lua_tolstring(L, v, &len); col_builder_string(b, s, len); return; }
    break;
  case COL_CATEGORICAL:
    if (t == LUA_TSTRING) {
      s = lua_tolstring(L, v, &len);
      long code = level_code(c, s, len);
      if (code < 0) mlsh_error(L, fname, "'%s' is not a level of the factor '%s'", s, name);
      col_builder_int32(b, (int32_t)code);
      return;
    }
    break;
  }
  mlsh_error(L, fname, "column '%s' is %s: a %s cannot replace its NA", name, col_type_name(c->type),
             lua_isinteger(L, v) ? "integer" : mlsh_typename(L, v));
}

/* c with every NA replaced by the Lua value at v. */
static mlsh_col *replaced(lua_State *L, const mlsh_col *c, int v, const char *name, const char *fname) {
  col_builder *b = mlsh_guard(L, sizeof *b, release_builder);
  col_builder_init(b, c->type);
  for (size_t i = 0; i < c->n; i++) {
    if (col_is_na(c, i)) push_lua_value(L, v, c, name, b, fname);
    else col_builder_push_from(b, c, i);
  }
  mlsh_col *out = NULL;
  mlsh_err err = {0};
  int rc = col_builder_finish(b, c->levels, c->ordered, &out, &err);
  if (rc) mlsh_fail(L, fname, rc, &err);
  lua_pop(L, 1);
  return out;
}

/* Replace column `name` of the frame on top of the stack by c (taken). */
static void push_with(lua_State *L, const lframe *u, const mlsh_frame *f, const char *name, mlsh_col *c, const char *fname) {
  mlsh_frame *out = NULL;
  mlsh_err err = {0};
  int rc = frame_with(f, name, c, &out, &err);
  col_unref(c);
  if (rc) mlsh_fail(L, fname, rc, &err);
  lframe_push_like(L, u, out, 1);
}

static int l_replace_na(lua_State *L) {
  const char *fname = "DataFrame:replace_na";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  mlsh_check_type(L, 2, LUA_TTABLE, fname, "values");
  lua_pushvalue(L, 1);   /* the frame so far */
  int cur = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    if (lua_type(L, -2) != LUA_TSTRING) return mlsh_error(L, fname, "argument 'values' must map column names to values");
    const char *name = lua_tostring(L, -2);
    const mlsh_frame *f = lframe_check(L, cur, fname, "self");
    const mlsh_col *c = *lframe_lookup_cols(L, f, &name, 1, fname);
    lua_pop(L, 1);   /* the scratch */
    mlsh_col *r = replaced(L, c, lua_gettop(L), name, fname);
    push_with(L, u, f, name, r, fname);
    lua_replace(L, cur);
    lua_pop(L, 1);   /* the value; the key stays for lua_next */
  }
  lua_pushvalue(L, cur);
  mlsh_guards_release(L);
  return 1;
}

static const char *const fill_dirs[] = {"down", "up", "downup", "updown", NULL};
typedef struct { int dir; } fill_args;
static const mlsh_opt fill_opt[] = {
  MLSH_OPT_ENUM(fill_args, dir, "direction", 0, fill_dirs, "where a value comes from: the row before (down) or after (up)"),
  MLSH_OPT_END};
static const mlsh_optspec fill_spec = {"DataFrame:fill_na", fill_opt};

static void release_groups(void *p) { frame_groups_free(p); }

static int l_fill_na(lua_State *L) {
  const char *fname = fill_spec.fname;
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  int top = lua_gettop(L);
  fill_args a = {0};
  if (lua_type(L, 2) == LUA_TTABLE && lua_rawlen(L, 2) > 0) {   /* fill_na({"a", "b"} [, opts]) */
    mlsh_opts(L, 3, &fill_spec, &a);
    top = 2;
  } else if (top >= 2 && lua_type(L, top) == LUA_TTABLE) {
    mlsh_opts(L, top--, &fill_spec, &a);
  }
  const char **names;
  size_t k = lframe_arg_names(L, 2, top, fname, &names);
  if (!k) return mlsh_error(L, fname, "name the columns to fill");
  const mlsh_col **cols = lframe_lookup_cols(L, u->f, names, k, fname);
  const mlsh_col **keys;
  size_t nk = lframe_group_cols(L, u, &keys, fname), n = u->f->nrow;
  frame_groups *g = mlsh_guard(L, sizeof *g, release_groups);
  mlsh_err err = {0};
  int rc = nk ? frame_group(keys, nk, 0, 0, g, &err) : MLSH_OK;
  if (rc) return mlsh_fail(L, fname, rc, &err);
  int64_t *idx = mlsh_scratch(L, (n ? n : 1) * sizeof *idx, fname);
  lua_pushvalue(L, 1);
  int cur = lua_gettop(L);
  for (size_t q = 0; q < k; q++) {
    mlsh_col *c = NULL;
    rc = fill_rows(cols[q], nk ? g->id : NULL, g->ngroups, (fill_direction)a.dir, idx, &err);
    if (!rc) rc = col_take(cols[q], idx, n, &c, &err);
    if (rc) return mlsh_fail(L, fname, rc, &err);
    push_with(L, u, lframe_check(L, cur, fname, "self"), names[q], c, fname);
    lua_replace(L, cur);
  }
  mlsh_guards_release(L);
  return 1;
}

/* ---- cut ---- */

typedef struct { int right, include_lowest, ordered; } cut_args;
static const mlsh_opt cut_opt[] = {
  MLSH_OPT_BOOL(cut_args, right, "right", 1, "intervals closed on the right, (a,b]; false: [a,b)"),
  MLSH_OPT_BOOL(cut_args, include_lowest, "include_lowest", 0, "the first interval (the last when right = false) also takes its edge"),
  MLSH_OPT_BOOL(cut_args, ordered, "ordered", 0, "an ordered factor"),
  MLSH_OPT_VALUE("labels", MLSH_OT_TABLE, "\"(a,b]\"", "array of strings: one name per interval"),
  MLSH_OPT_END};
static const mlsh_optspec cut_spec = {"Column:cut", cut_opt};

static const char **cut_labels(lua_State *L, size_t k, const char *fname) {
  if (mlsh_opt_get(L, 3, "labels") == LUA_TNIL) return NULL;
  int t = lua_gettop(L);
  if (lua_rawlen(L, t) != k) mlsh_error(L, fname, "option 'labels' has %zu names for %zu intervals", (size_t)lua_rawlen(L, t), k);
  const char **s = mlsh_scratch(L, (k + 1) * sizeof *s, fname);
  for (size_t q = 0; q < k; q++) {
    lua_rawgeti(L, t, (lua_Integer)q + 1);
    if (lua_type(L, -1) != LUA_TSTRING) mlsh_error(L, fname, "option 'labels': label %zu must be a string", q + 1);
    s[q] = lua_tostring(L, -1);   /* alive: the labels table holds it */
    lua_pop(L, 1);
  }
  return s;
}

static int l_cut(lua_State *L) {
  const char *fname = cut_spec.fname;
  mlsh_col *x = lcol_check(L, 1, fname, "self");
  cut_args a = {1, 0, 0};
  mlsh_opts(L, 3, &cut_spec, &a);
  mlsh_err err = {0};
  size_t nb;
  double *b;
  int rc = MLSH_OK;
  if (lua_type(L, 2) == LUA_TNUMBER) {   /* cut(x, k): k even intervals over the range */
    lua_Integer k = mlsh_check_integer(L, 2, fname, "breaks");
    if (k < 1 || k > 100000) return mlsh_error(L, fname, "argument 'breaks' must be a number of intervals >= 1 (got %lld)", (long long)k);
    nb = (size_t)k + 1;
    b = mlsh_scratch(L, nb * sizeof *b, fname);
    rc = cut_even_breaks(x, (size_t)k, b, &err);
  } else {
    mlsh_check_type(L, 2, LUA_TTABLE, fname, "breaks");
    nb = lua_rawlen(L, 2);
    b = mlsh_scratch(L, (nb ? nb : 1) * sizeof *b, fname);
    for (size_t q = 0; q < nb; q++) {
      lua_rawgeti(L, 2, (lua_Integer)q + 1);
      if (lua_type(L, -1) != LUA_TNUMBER) return mlsh_error(L, fname, "break %zu must be a number (got %s)", q + 1, mlsh_typename(L, -1));
      b[q] = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
  }
  cut_opts o = {a.right, a.include_lowest, a.ordered, NULL};
  if (!rc) o.labels = cut_labels(L, nb > 1 ? nb - 1 : 0, fname);
  mlsh_col *out = NULL;
  if (!rc) rc = col_cut(x, b, nb, &o, &out, &err);
  if (rc) return mlsh_error(L, fname, "%s", strncmp(err.msg, "cut: ", 5) == 0 ? err.msg + 5 : err.msg);
  lcol_push(L, out);
  return 1;
}

static const mlsh_Reg fill_methods[] = {
  {"replace_na", l_replace_na, "df:replace_na{col = value, ...}",
   "The frame with the NA of each named column replaced by its value (of the column's type: a number, an\n"
   "integer for integer and date columns, a string, a boolean, a level of a factor), as tidyr's replace_na.\n"
   "Example: airquality:replace_na{Ozone = 0}", NULL},
  {"fill_na", l_fill_na, "df:fill_na(col, ... [, opts])",
   "The frame with the NA (and NaN) of the named columns filled with the previous present value (direction\n"
   "\"down\"), the next one (\"up\"), or both (\"downup\", \"updown\"), within each group, as tidyr's fill.\n"
   "Example: airquality:fill_na(\"Ozone\", {direction = \"downup\"})", &fill_spec},
  {NULL, NULL, NULL, NULL, NULL}};

static const mlsh_Reg cut_methods[] = {
  {"cut", l_cut, "col:cut(breaks [, opts])",
   "The numbers as a factor of the intervals they fall in, as R's cut: breaks is an array of increasing\n"
   "numbers, or a number k of equal intervals over the range (its ends moved out by range/1000, as R).\n"
   "Intervals are (a,b] (right = false: [a,b)); values outside every interval, NA and NaN give NA. Labels\n"
   "read like R's, with 3 significant digits or as many as tell the breaks apart.\n"
   "Example: airquality.Temp:cut({50, 70, 80, 100})", &cut_spec},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_frame_fill(lua_State *L) {
  lframe_add_methods(L, fill_methods);
  lcol_add_methods(L, cut_methods);
}
