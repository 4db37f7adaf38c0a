/* lframe_expr.c - DataFrame:filter, :mutate and :summarise: expression
 * strings compiled once and evaluated column by column in C
 * (src/frame/expr.h), and Lua functions over the whole frame as the
 * escape hatch (one call per verb, or per group in summarise; never one
 * per row). Grouped frames (lframe.group_keys) evaluate aggregates and
 * window functions within each group. */
#include <stdlib.h>
#include <string.h>
#include "lframe.h"
#include "../core/alloc.h"
#include "../frame/expr.h"

/* What a verb holds while Lua may raise: freed by the guard's collector. */
typedef struct {
  expr *e;
  frame_groups g;
  mlsh_frame *f, *results;   /* summarise: keys and results; the results alone */
  mlsh_col *c;
  int64_t *idx, *start;
  uint8_t *keep;
  col_builder b;
  int have_builder;
} verb_job;

static void release_job(void *p) {
  verb_job *j = p;
  expr_free(j->e);
  frame_groups_free(&j->g);
  frame_free(j->f);
  frame_free(j->results);
  col_unref(j->c);
  mlsh_free(j->idx);
  mlsh_free(j->start);
  mlsh_free(j->keep);
  if (j->have_builder) col_builder_free(&j->b);
  memset(j, 0, sizeof *j);
}

/* Core messages start with fname already; raise them as they are. */
static int verb_fail(lua_State *L, const char *fname, int rc, const mlsh_err *err) {
  size_t k = strlen(fname);
  if (rc != MLSH_EINTR && !strncmp(err->msg, fname, k) && err->msg[k] == ':') {
    lua_pushstring(L, err->msg);
    return lua_error(L);
  }
  return mlsh_fail(L, fname, rc, err);
}

/* The groups of u's frame (sorted by key, dplyr's order), or one group. */
static void frame_groups_of(lua_State *L, const lframe *u, const char *fname, frame_groups *g) {
  mlsh_err err = {0};
  const mlsh_col *keys[64];
  int rc;
  if (!u->ngroup_keys) rc = frame_group_all(u->f->nrow, g, &err);
  else if (u->ngroup_keys > 64) return (void)mlsh_error(L, fname, "at most 64 group keys");
  else {
    for (size_t k = 0; k < u->ngroup_keys; k++) {
      size_t j;
      if ((rc = frame_lookup(u->f, u->group_keys[k], fname, &j, &err))) return (void)verb_fail(L, fname, rc, &err);
      keys[k] = u->f->cols[j];
    }
    rc = frame_group(keys, u->ngroup_keys, 1, 0, g, &err);
  }
  if (rc) verb_fail(L, fname, rc, &err);
}

/* Push f (taking it) as a DataFrame grouped by the first nkeys of keys. */
static void push_grouped(lua_State *L, mlsh_frame *f, char *const *keys, size_t nkeys) {
  lframe_push(L, f);
  if (!nkeys) return;
  lframe *u = lua_touserdata(L, -1);
  u->group_keys = mlsh_calloc(nkeys, sizeof *u->group_keys);
  if (!u->group_keys) luaL_error(L, "not enough memory");
  for (size_t k = 0; k < nkeys; k++) {
    size_t len = strlen(keys[k]);
    if (!(u->group_keys[k] = mlsh_malloc(len + 1))) luaL_error(L, "not enough memory");
    memcpy(u->group_keys[k], keys[k], len + 1);
    u->ngroup_keys = k + 1;
  }
}

/* A Lua value returned by an escape-hatch function as a column of n
 * values: a Column of n (or 1, repeated) values, or a number, string or
 * boolean repeated. */
static mlsh_col *lua_result_column(lua_State *L, int idx, size_t n, const char *fname, const char *name, verb_job *j) {
  mlsh_col *c = lcol_test(L, idx);
  mlsh_err err = {0};
  if (c && c->n == n) return col_ref(c);
  int t = lua_type(L, idx);
  if (!c && t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN && t != LUA_TNIL)
    mlsh_error(L, fname, "'%s': the function must return a Column or a value (got %s)", name, mlsh_typename(L, idx));
  if (c && c->n != 1) mlsh_error(L, fname, "'%s': the function returned %zu values for %zu rows", name, c->n, n);
  if (c) {
    int64_t *zero = j->idx = mlsh_calloc(n ? n : 1, sizeof *zero);
    if (!zero) mlsh_fail(L, fname, MLSH_ENOMEM, NULL);
    int rc = col_take(c, zero, n, &j->c, &err);
    mlsh_free(j->idx);
    j->idx = NULL;
    if (rc) verb_fail(L, fname, rc, &err);
  } else {
    col_type type = t == LUA_TSTRING ? COL_STRING : t == LUA_TBOOLEAN || t == LUA_TNIL ? COL_LOGICAL
                  : lua_isinteger(L, idx) ? COL_INT64 : COL_DOUBLE;
    col_builder_init(&j->b, type);
    j->have_builder = 1;
    size_t len = 0;
    const char *s = t == LUA_TSTRING ? lua_tolstring(L, idx, &len) : NULL;
    for (size_t i = 0; i < n; i++) {
      if (t == LUA_TNIL) col_builder_na(&j->b);
      else if (type == COL_STRING) col_builder_string(&j->b, s, len);
      else if (type == COL_LOGICAL) col_builder_logical(&j->b, lua_toboolean(L, idx));
      else if (type == COL_INT64) col_builder_int64(&j->b, (int64_t)lua_tointeger(L, idx));
      else col_builder_double(&j->b, lua_tonumber(L, idx));
    }
    j->have_builder = 0;
    int rc = col_builder_finish(&j->b, NULL, 0, &j->c, &err);
    if (rc) verb_fail(L, fname, rc, &err);
  }
  c = j->c;
  j->c = NULL;
  return c;
}

/* The value of one mutate/filter item (at idx: a string or a function)
 * over the frame at fidx, one value per row. */
static mlsh_col *eval_item(lua_State *L, int fidx, int idx, const char *fname, const char *name, verb_job *j) {
  lframe *u = lframe_check_ud(L, fidx, fname, "self");
  mlsh_err err = {0};
  if (lua_isfunction(L, idx)) {
    lua_pushvalue(L, idx);
    lua_pushvalue(L, fidx);
    lua_call(L, 1, 1);
    mlsh_col *c = lua_result_column(L, -1, u->f->nrow, fname, name, j);
    lua_pop(L, 1);
    return c;
  }
  if (lcol_test(L, idx)) return lua_result_column(L, idx, u->f->nrow, fname, name, j);
  if (lua_type(L, idx) != LUA_TSTRING)
    mlsh_error(L, fname, "'%s' must be an expression string, a Column or a function (got %s)", name, mlsh_typename(L, idx));
  int rc = expr_parse(lua_tostring(L, idx), fname, &j->e, &err);
  if (!rc && !j->g.id) frame_groups_of(L, u, fname, &j->g);
  if (!rc) rc = expr_eval(j->e, u->f, &j->g, EXPR_PER_ROW, 0, fname, &j->c, &err);
  expr_free(j->e);
  j->e = NULL;
  if (rc) verb_fail(L, fname, rc, &err);
  mlsh_col *c = j->c;
  j->c = NULL;
  return c;
}

/* ---- filter ---- */

static int l_filter(lua_State *L) {
  const char *fname = "DataFrame:filter";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  int nargs = lua_gettop(L);
  if (nargs < 2) return mlsh_error(L, fname, "needs at least one condition");
  verb_job *j = mlsh_guard(L, sizeof *j, release_job);
  size_t n = u->f->nrow;
  uint8_t *keep = j->keep = mlsh_malloc(n ? n : 1);
  if (!keep) return mlsh_fail(L, fname, MLSH_ENOMEM, NULL);
  memset(keep, 1, n);
  for (int a = 2; a <= nargs; a++) {
    char name[32];
    snprintf(name, sizeof name, "condition %d", a - 1);
    mlsh_col *c = eval_item(L, 1, a, fname, lua_isstring(L, a) ? lua_tostring(L, a) : name, j);
    if (c->type != COL_LOGICAL) {
      col_type t = c->type;
      col_unref(c);
      return mlsh_error(L, fname, "condition '%s' is %s, not logical", lua_isstring(L, a) ? lua_tostring(L, a) : name,
                        col_type_name(t));
    }
    for (size_t i = 0; i < n; i++) keep[i] &= !col_is_na(c, i) && COL_LGL(c)[i];   /* NA drops the row (dplyr) */
    col_unref(c);
  }
  size_t m = 0;
  int64_t *idx = mlsh_malloc_array(n ? n : 1, sizeof *idx);
  if (!idx) return mlsh_fail(L, fname, MLSH_ENOMEM, NULL);
  for (size_t i = 0; i < n; i++)
    if (keep[i]) idx[m++] = (int64_t)i;
  j->idx = idx;
  mlsh_err err = {0};
  int rc = frame_take(u->f, idx, m, &j->f, &err);
  if (rc) return verb_fail(L, fname, rc, &err);
  mlsh_frame *f = j->f;
  j->f = NULL;
  push_grouped(L, f, u->group_keys, u->ngroup_keys);
  mlsh_guards_release(L);
  return 1;
}

/* ---- mutate ---- */

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The items of a mutate/summarise table as an array of {name, value}
 * pairs on the stack (at the returned index): an array of pairs as
 * given, a table of name = value in sorted-name order. */
static int ordered_items(lua_State *L, int t, const char *fname) {
  mlsh_check_type(L, t, LUA_TTABLE, fname, "columns");
  lua_newtable(L);
  int out = lua_gettop(L);
  size_t k = 0, narr = lua_rawlen(L, t);
  if (narr) {
    lua_pushnil(L);
    while (lua_next(L, t)) {
      if (!lua_isinteger(L, -2))
        return mlsh_error(L, fname, "give either {name, expression} pairs or name = expression, not both");
      lua_pop(L, 1);
    }
    for (size_t q = 1; q <= narr; q++) {
      lua_rawgeti(L, t, (lua_Integer)q);
      if (!lua_istable(L, -1) || lua_rawlen(L, -1) != 2 || (lua_rawgeti(L, -1, 1), lua_type(L, -1) != LUA_TSTRING))
        return mlsh_error(L, fname, "item %zu must be a {name, expression} pair", q);
      lua_pop(L, 1);
      lua_rawseti(L, out, (lua_Integer)++k);
    }
    return out;
  }
  lua_newtable(L);   /* the names, sorted */
  int names = out + 1;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) != LUA_TSTRING) return mlsh_error(L, fname, "column names must be strings (got %s)", mlsh_typename(L, -2));
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, names, (lua_Integer)++k);
  }
  const char **sorted = lua_newuserdatauv(L, (k ? k : 1) * sizeof *sorted, 0);
  for (size_t q = 0; q < k; q++) {
    lua_rawgeti(L, names, (lua_Integer)q + 1);
    sorted[q] = lua_tostring(L, -1);
    lua_pop(L, 1);   /* the string stays alive in `names` */
  }
  qsort(sorted, k, sizeof *sorted, cmp_names);
  for (size_t q = 0; q < k; q++) {
    lua_createtable(L, 2, 0);
    lua_pushstring(L, sorted[q]);
    lua_rawseti(L, -2, 1);
    lua_getfield(L, t, sorted[q]);
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, out, (lua_Integer)q + 1);
  }
  lua_settop(L, out);
  return out;
}

static int l_mutate(lua_State *L) {
  const char *fname = "DataFrame:mutate";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  int items = ordered_items(L, 2, fname);
  verb_job *j = mlsh_guard(L, sizeof *j, release_job);
  lua_pushvalue(L, 1);   /* the current frame */
  int cur = lua_gettop(L);
  size_t k = lua_rawlen(L, items);
  for (size_t q = 1; q <= k; q++) {
    lua_rawgeti(L, items, (lua_Integer)q);
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    const char *name = lua_tostring(L, -2);
    lframe *cu = lua_touserdata(L, cur);
    mlsh_col *c = eval_item(L, cur, lua_gettop(L), fname, name, j);
    for (size_t g = 0; g < u->ngroup_keys; g++)
      if (!strcmp(u->group_keys[g], name)) {   /* a key changed: group again */
        frame_groups_free(&j->g);
        memset(&j->g, 0, sizeof j->g);
      }
    mlsh_err err = {0};
    mlsh_frame *nf = NULL;
    int rc = frame_with(cu->f, name, c, &nf, &err);
    col_unref(c);
    if (rc) return verb_fail(L, fname, rc, &err);
    push_grouped(L, nf, u->group_keys, u->ngroup_keys);
    lua_replace(L, cur);
    lua_settop(L, cur);
  }
  mlsh_guards_release(L);
  return 1;
}

/* ---- summarise ---- */

/* A Lua function's result per group: one value each, gathered in a builder. */
#define TYPED_FRAME_KEY "mlsh.frame_expr.typed_frame"

/* A Lua function's result per group: one value each, made a column as
 * data._typed_frame reads Lua values. */
static mlsh_col *summarise_function(lua_State *L, int fidx, int fn, const char *fname, const char *name, verb_job *j) {
  lframe *u = lua_touserdata(L, fidx);
  size_t ng = j->g.ngroups;
  mlsh_err err = {0};
  if (!j->start && expr_group_rows(&j->g, &j->start, &j->idx, &err)) return verb_fail(L, fname, err.code, &err), NULL;
  lua_getfield(L, LUA_REGISTRYINDEX, TYPED_FRAME_KEY);
  lua_createtable(L, 1, 0);
  lua_pushstring(L, "v");
  lua_rawseti(L, -2, 1);
  lua_createtable(L, 1, 0);
  lua_createtable(L, (int)(ng < 1u << 24 ? ng : 1u << 24), 1);   /* the values */
  int vals = lua_gettop(L);
  for (size_t r = 0; r < ng; r++) {
    mlsh_frame *sub = NULL;
    int rc = frame_take(u->f, j->idx + j->start[r], (size_t)(j->start[r + 1] - j->start[r]), &sub, &err);
    if (rc) return verb_fail(L, fname, rc, &err), NULL;
    lua_pushvalue(L, fn);
    lframe_push(L, sub);
    lua_call(L, 1, 1);
    mlsh_col *c = lcol_test(L, -1);
    if (c && c->n == 1) {
      lcol_push_value(L, c, 0);
      lua_remove(L, -2);
    } else if (c || (!lua_isnil(L, -1) && !lua_isnumber(L, -1) && !lua_isstring(L, -1) && !lua_isboolean(L, -1)))
      return mlsh_error(L, fname, "'%s': the function must return one value per group (got %s)", name, mlsh_typename(L, -1)), NULL;
    lua_rawseti(L, vals, (lua_Integer)r + 1);
  }
  lua_pushinteger(L, (lua_Integer)ng);
  lua_setfield(L, vals, "n");
  lua_rawseti(L, vals - 1, 1);
  lua_call(L, 2, 1);
  mlsh_frame *tf = lframe_check(L, -1, fname, name);
  mlsh_col *c = col_ref(tf->cols[0]);
  lua_pop(L, 1);
  return c;
}

static void add_key_columns(lua_State *L, const lframe *u, verb_job *j, const char *fname) {
  mlsh_err err = {0};
  size_t nk = u->ngroup_keys;
  const mlsh_col *keys[64];
  mlsh_col *cols[64] = {0};
  int rc = nk > 64 ? mlsh_seterr(&err, MLSH_EINVAL, "at most 64 group keys") : frame_new(j->g.ngroups, &j->f, &err);
  if (!rc) rc = frame_new(j->g.ngroups, &j->results, &err);
  for (size_t k = 0; !rc && k < nk; k++) {
    size_t col;
    rc = frame_lookup(u->f, u->group_keys[k], fname, &col, &err);
    if (!rc) keys[k] = u->f->cols[col];
  }
  if (!rc) rc = frame_group_keys(keys, nk, &j->g, cols, &err);
  for (size_t k = 0; k < nk; k++) {
    if (!rc) rc = frame_add(j->f, u->group_keys[k], cols[k], &err);
    col_unref(cols[k]);
  }
  if (rc) verb_fail(L, fname, rc, &err);
}

static int l_summarise(lua_State *L) {
  const char *fname = "DataFrame:summarise";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  int items = ordered_items(L, 2, fname);
  verb_job *j = mlsh_guard(L, sizeof *j, release_job);
  frame_groups_of(L, u, fname, &j->g);
  add_key_columns(L, u, j, fname);
  size_t k = lua_rawlen(L, items);
  for (size_t q = 1; q <= k; q++) {
    lua_rawgeti(L, items, (lua_Integer)q);
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    const char *name = lua_tostring(L, -2);
    mlsh_err err = {0};
    mlsh_col *c = NULL;
    int rc = 0;
    if (lua_isfunction(L, -1)) c = summarise_function(L, 1, lua_gettop(L), fname, name, j);
    else if (lua_type(L, -1) != LUA_TSTRING)
      return mlsh_error(L, fname, "'%s' must be an expression string or a function (got %s)", name, mlsh_typename(L, -1));
    else {
      rc = expr_parse(lua_tostring(L, -1), fname, &j->e, &err);
      if (!rc) rc = expr_eval_summary(j->e, u->f, &j->g, j->results, 0, fname, &c, &err);
      expr_free(j->e);
      j->e = NULL;
    }
    if (!rc) rc = frame_add(j->f, name, c, &err);
    if (!rc) rc = frame_add(j->results, name, c, &err);
    col_unref(c);
    if (rc) return verb_fail(L, fname, rc, &err);
    lua_pop(L, 3);
  }
  mlsh_frame *f = j->f;
  j->f = NULL;
  /* dplyr: the result stays grouped by all keys but the last */
  push_grouped(L, f, u->group_keys, u->ngroup_keys ? u->ngroup_keys - 1 : 0);
  mlsh_guards_release(L);
  return 1;
}

static const mlsh_Reg verbs[] = {
  {"filter", l_filter, "df:filter(condition, ...)",
   "The rows where every condition is true (an NA condition drops the row, as dplyr). A condition is an\n"
   "expression string (the language: help(\"data.expressions\")) or a function(df) returning a logical\n"
   "Column. In a grouped frame aggregates are per group: df:filter(\"x > mean(x)\") keeps the rows above\n"
   "their group's mean.\n"
   "Returns a new frame (grouped as df).\nExample: df:filter(\"age > 30 and city == 'Paris'\")", NULL},
  {"mutate", l_mutate, "df:mutate{name = expression, ...}",
   "Adds or replaces columns. A value is an expression string, evaluated column by column in C, a Column\n"
   "of nrow values, or a function(df) returning a Column (or one value, repeated) - called once, never per\n"
   "row. A Lua table keeps no order: names are applied in sorted order; give an array of {name,\n"
   "expression} pairs to choose it. Later items see earlier results. In a grouped frame aggregates and\n"
   "window functions run per group (\"x - mean(x)\" centres within groups).\nExample: df:mutate{bmi = \"weight / height^2\", z = function(d) return d.x / d.y end}", NULL},
  {"summarise", l_summarise, "df:summarise{name = expression, ...}",
   "One row per group (groups in key order, NA last, as dplyr): the group keys, then each expression, which\n"
   "must give one value per group (an aggregate: n() sum mean median sd var min max quantile n_distinct ...).\n"
   "A function(d) is called once per group with the group's rows and returns one value. Ungrouped: one row.\n"
   "The result is grouped by all keys but the last (dplyr). Items are ordered as in mutate; later ones see\n"
   "earlier results (\"s / m\" after s = \"sd(x)\", m = \"mean(x)\"), which shadow columns of those names.\n"
   "Example: df:group_by(\"cyl\"):summarise{n = \"n()\", mpg = \"mean(mpg)\"}", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

static int l_expressions(lua_State *L) {
  const char *const *names = expr_function_names();
  lua_newtable(L);
  for (int k = 0; names[k]; k++) {
    lua_pushstring(L, names[k]);
    lua_rawseti(L, -2, k + 1);
  }
  return 1;
}

static const mlsh_Reg funcs[] = {
  {"expressions", l_expressions, "data.expressions()",
   "The names of the functions of the expression language of filter, mutate and summarise (an array).\n"
   "Expressions are compiled once and run column by column in C. Loosest first: or | and | not |\n"
   "== ~= != < <= > >= in | + - | * / % // | unary - | ^ (right-associative; -2^2 is -4). `not` binds looser\n"
   "than comparisons (R's !); && || ! & | also work. Values: column names (letters, digits, _ and .;\n"
   "`backquoted` for others), numbers (2 is an integer, 2.0 and 2e3 doubles), 'text' or \"text\", true false\n"
   "TRUE FALSE NA, calls f(x, name = value) (na_rm or na.rm), x in {1, 2} / {\"a\", \"b\"}.\n"
   "Types follow R: integer + - * % // integer is integer (NA on overflow), / and ^ give doubles, % is\n"
   "R's %% (the sign of the divisor), // R's %/%, comparisons are logical (NaN compares as NA), and/or/not\n"
   "are three-valued; a date +- days is a date, date - date is days (datetimes: seconds); a date compares\n"
   "with 'YYYY-MM-DD'.\n"
   "Element-wise: is_na if_else(c, yes, no [, missing]) coalesce desc abs sqrt exp log(x [, base]) log2\n"
   "log10 log1p expm1 sin cos tan asin acos atan sinh cosh tanh floor ceiling trunc sign round(x, digits)\n"
   "as_double as_integer as_logical as_string; text: lower upper trim contains starts_with ends_with\n"
   "replace(x, text, by) (fixed text) nchar substr(x, start, stop) paste(..., sep = ' ') paste0; dates:\n"
   "year month day weekday (1 = Monday) week isoweek yday quarter hour minute second as_date as_datetime.\n"
   "Aggregates (one value per group): n() sum mean median var sd min max first last n_distinct any all\n"
   "quantile(x, p) (R's type 7), cor(x, y) (Pearson; na_rm: the complete pairs), each with na_rm = true. Windows (per group, in row order): lag(x [, n\n"
   "[, default]]) lead cumsum cumprod cummean cummax cummin row_number() rank (R's, ties averaged)\n"
   "min_rank dense_rank percent_rank. A syntax error shows its position with a caret; a type mismatch\n"
   "names the column and both types; an unknown column lists close names.\n"
   "Example: df:mutate{z = \"if_else(is_na(x), 0, (x - mean(x, na_rm = true)) / sd(x, na_rm = true))\"}", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_frame_expr(lua_State *L) {
  lua_getfield(L, -1, "_typed_frame");   /* opened before, by mlsh_open_frame */
  lua_setfield(L, LUA_REGISTRYINDEX, TYPED_FRAME_KEY);
  mlsh_register(L, "data", funcs);
  lframe_add_methods(L, verbs);
}
