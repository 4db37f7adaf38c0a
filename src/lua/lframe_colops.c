/* lframe_colops.c - Column arithmetic, comparisons, aggregates, string,
 * date and window methods. Each one hands its operands to expr_apply, so
 * `col + 1` and the expression "x + 1" run the same C kernels (one
 * implementation, one set of NA and type rules). */
#include <string.h>
#include "lframe.h"
#include "../frame/expr.h"

static void push_arg(lua_State *L, int idx, expr_arg *a, const char *fname, int pos) {
  memset(a, 0, sizeof *a);
  mlsh_col *c = lcol_test(L, idx);
  switch (lua_type(L, idx)) {
  case LUA_TNIL: a->kind = EXPR_ARG_NA; return;
  case LUA_TBOOLEAN: a->kind = EXPR_ARG_BOOL, a->i = lua_toboolean(L, idx); return;
  case LUA_TSTRING: a->kind = EXPR_ARG_STR, a->str = lua_tostring(L, idx); return;
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) a->kind = EXPR_ARG_INT, a->i = (int64_t)lua_tointeger(L, idx);
    else a->kind = EXPR_ARG_NUM, a->num = lua_tonumber(L, idx);
    return;
  default:
    if (c) { a->kind = EXPR_ARG_COL, a->col = c; return; }
    mlsh_error(L, fname, "argument %d must be a Column, a number, a string, a boolean or nil (got %s)", pos,
               mlsh_typename(L, idx));
  }
}

/* Every argument from first on; a trailing plain table gives named ones
 * ({na_rm = true}). The result: a Column, or one Lua value (aggregates). */
static int apply_args(lua_State *L, const char *fname, const char *op, expr_want want, int options) {
  expr_arg args[12];
  size_t k = 0;
  int top = lua_gettop(L), last = top;
  if (options && top >= 2 && lua_istable(L, top) && !lcol_test(L, top)) last = top - 1;
  if (last > 8) return mlsh_error(L, fname, "too many arguments (%d)", last);
  for (int i = 1; i <= last; i++) push_arg(L, i, &args[k++], fname, i);
  if (last < top) {
    lua_pushnil(L);
    while (lua_next(L, top)) {
      if (lua_type(L, -2) != LUA_TSTRING) return mlsh_error(L, fname, "option names must be strings");
      if (k >= 12) return mlsh_error(L, fname, "too many options");
      push_arg(L, lua_gettop(L), &args[k], fname, (int)k + 1);
      args[k++].name = lua_tostring(L, -2);
      lua_pop(L, 1);   /* the key (a string, alive in the table) stays */
    }
  }
  mlsh_col *out = NULL;
  mlsh_err err = {0};
  int rc = expr_apply(op, args, k, want, fname, &out, &err);
  if (rc) {
    size_t n = strlen(fname);
    if (rc != MLSH_EINTR && !strncmp(err.msg, fname, n)) return mlsh_error(L, fname, "%s", err.msg + n + 2);
    return mlsh_fail(L, fname, rc, &err);
  }
  if (want == EXPR_PER_ROW) {
    lcol_push(L, out);
    return 1;
  }
  lcol_push(L, out);            /* collected with the Column if pushing the value fails */
  lcol_push_value(L, out, 0);
  return 1;
}

static int apply(lua_State *L, const char *fname, const char *op, expr_want want) { return apply_args(L, fname, op, want, 1); }

#define META(lname, op) \
  static int meta_##lname(lua_State *L) { return apply_args(L, "Column:" #lname, op, EXPR_PER_ROW, 0); }
META(__add, "+") META(__sub, "-") META(__mul, "*") META(__div, "/") META(__pow, "^") META(__mod, "%") META(__idiv, "//")
META(__band, "and") META(__bor, "or") META(__concat, "paste0")

static int meta___unm(lua_State *L) {
  lua_settop(L, 1);
  return apply(L, "Column:__unm", "neg", EXPR_PER_ROW);
}
static int meta___bnot(lua_State *L) {
  lua_settop(L, 1);
  return apply(L, "Column:__bnot", "not", EXPR_PER_ROW);
}

static const luaL_Reg meta[] = {
  {"__add", meta___add}, {"__sub", meta___sub}, {"__mul", meta___mul}, {"__div", meta___div}, {"__pow", meta___pow},
  {"__mod", meta___mod}, {"__idiv", meta___idiv}, {"__unm", meta___unm}, {"__band", meta___band}, {"__bor", meta___bor},
  {"__bnot", meta___bnot}, {"__concat", meta___concat}, {NULL, NULL}};

#define ROW(lname, op) static int m_##lname(lua_State *L) { return apply(L, "Column:" #lname, op, EXPR_PER_ROW); }
#define AGG(lname) static int m_##lname(lua_State *L) { return apply(L, "Column:" #lname, #lname, EXPR_PER_GROUP); }
#define FN(lname) ROW(lname, #lname)

ROW(eq, "==") ROW(ne, "~=") ROW(lt, "<") ROW(le, "<=") ROW(gt, ">") ROW(ge, ">=")
FN(is_na) FN(if_else) FN(coalesce)
FN(abs) FN(sqrt) FN(exp) FN(log) FN(log2) FN(log10) FN(log1p) FN(expm1) FN(sin) FN(cos) FN(tan) FN(asin) FN(acos)
FN(atan) FN(sinh) FN(cosh) FN(tanh) FN(floor) FN(ceiling) FN(trunc) FN(sign) FN(round)
FN(as_double) FN(as_integer) FN(as_logical) FN(as_string) FN(as_date) FN(as_datetime)
FN(lower) FN(upper) FN(trim) FN(contains) FN(starts_with) FN(ends_with) FN(replace) FN(nchar) FN(substr) FN(paste)
FN(paste0)
FN(year) FN(month) FN(day) FN(weekday) FN(week) FN(isoweek) FN(yday) FN(quarter) FN(hour) FN(minute) FN(second)
FN(lag) FN(lead) FN(cumsum) FN(cumprod) FN(cummean) FN(cummax) FN(cummin) FN(rank) FN(min_rank) FN(dense_rank)
FN(percent_rank) FN(row_number)
AGG(sum) AGG(mean) AGG(median) AGG(sd) AGG(var) AGG(min) AGG(max) AGG(quantile) AGG(n_distinct) AGG(first)
AGG(last) AGG(any) AGG(all)

#define CMP_DOC(sym) \
  "Element-wise " sym " as a logical Column (NA where either side is NA; NaN compares as NA). Lua's == and <\n" \
  "must return one boolean, so comparisons are methods; &, | and ~ are and, or, not on logical Columns.\n"
#define M(lname, usage, doc) {#lname, m_##lname, usage, doc, NULL}
#define MATH_DOC "As the expression function of the same name (R's Math group: a double Column; abs keeps integers).\n"
#define MATH(lname) M(lname, "col:" #lname "()", MATH_DOC "Example: df.x:" #lname "()")
#define DATE_DOC "The calendar part of each date or datetime (UTC) as an integer Column (second: double).\n" \
  "weekday: 1 = Monday .. 7 = Sunday (R's format(x, \"%u\")); week: (yday - 1) %/% 7 + 1; isoweek: ISO 8601.\n"
#define DATE(lname) M(lname, "col:" #lname "()", DATE_DOC "Example: df.date:" #lname "()")
#define AGG_DOC "One value (nil for NA) as R's function of the same name; {na_rm = true} skips NA and NaN.\n"
#define AGGM(lname) M(lname, "col:" #lname "([{na_rm = false}])", AGG_DOC "Example: df.Ozone:" #lname "{na_rm = true}")
#define WIN_DOC "The window function of the same name over the Column, in row order (dplyr's semantics).\n"
#define WIN(lname) M(lname, "col:" #lname "()", WIN_DOC "Example: df.x:" #lname "()")

static const mlsh_Reg methods[] = {
  M(eq, "col:eq(y)", CMP_DOC("==") "Example: df.city:eq(\"Paris\")"),
  M(ne, "col:ne(y)", CMP_DOC("~=") "Example: df.x:ne(0)"),
  M(lt, "col:lt(y)", CMP_DOC("<") "Example: df.x:lt(df.y)"),
  M(le, "col:le(y)", CMP_DOC("<=") "Example: df.x:le(3)"),
  M(gt, "col:gt(y)", CMP_DOC(">") "Example: df.age:gt(30) & df.city:eq(\"Paris\")"),
  M(ge, "col:ge(y)", CMP_DOC(">=") "Example: df.x:ge(1)"),
  M(is_na, "col:is_na()", "A logical Column: true where the value is NA (or NaN, as R's is.na).\nExample: df.Ozone:is_na()"),
  M(if_else, "cond:if_else(yes, no [, missing])",
    "yes where cond is true, no where false, missing (default NA) where NA; yes and no are Columns or values of\n"
    "one kind.\nExample: df.x:gt(0):if_else(\"pos\", \"neg\")"),
  M(coalesce, "col:coalesce(y, ...)", "The first non-NA of the values, row by row.\nExample: df.Ozone:coalesce(0)"),
  MATH(abs), MATH(sqrt), MATH(exp), M(log, "col:log([base])", MATH_DOC "Example: df.x:log(10)"), MATH(log2), MATH(log10),
  MATH(log1p), MATH(expm1), MATH(sin), MATH(cos), MATH(tan), MATH(asin), MATH(acos), MATH(atan), MATH(sinh), MATH(cosh),
  MATH(tanh), MATH(floor), MATH(ceiling), MATH(trunc), MATH(sign),
  M(round, "col:round([digits])", "R 4's round(x, digits): the nearer representable candidate, halves to even.\n"
    "Example: df.x:round(1)"),
  M(as_double, "col:as_double()", "The values as doubles (text parsed; NA where it is not a number).\nExample: df.n:as_double()"),
  M(as_integer, "col:as_integer()", "The values as integers (truncated toward 0; text parsed).\nExample: df.x:as_integer()"),
  M(as_logical, "col:as_logical()", "The values as logicals (0 is false; \"TRUE\"/\"false\"... parsed).\nExample: df.x:as_logical()"),
  M(as_string, "col:as_string()", "The values as text (as R's as.character; dates as YYYY-MM-DD).\nExample: df.x:as_string()"),
  M(as_date, "col:as_date()", "Dates from text (YYYY-MM-DD) or datetimes.\nExample: df.when:as_date()"),
  M(as_datetime, "col:as_datetime()", "Datetimes (UTC) from text (YYYY-MM-DD HH:MM:SS) or dates.\nExample: df.when:as_datetime()"),
  M(lower, "col:lower()", "Text in lower case (ASCII letters).\nExample: df.city:lower()"),
  M(upper, "col:upper()", "Text in upper case (ASCII letters).\nExample: df.city:upper()"),
  M(trim, "col:trim()", "Text without leading and trailing blanks.\nExample: df.name:trim()"),
  M(contains, "col:contains(text)", "Whether each value contains the text (fixed, not a pattern).\nExample: df.name:contains(\"an\")"),
  M(starts_with, "col:starts_with(prefix)", "Whether each value starts with prefix.\nExample: df.name:starts_with(\"A\")"),
  M(ends_with, "col:ends_with(suffix)", "Whether each value ends with suffix.\nExample: df.file:ends_with(\".csv\")"),
  M(replace, "col:replace(text, by)", "Every occurrence of text (fixed) replaced by `by`.\nExample: df.name:replace(\" \", \"_\")"),
  M(nchar, "col:nchar()", "The number of characters (UTF-8) of each value.\nExample: df.name:nchar()"),
  M(substr, "col:substr(start, stop)", "Characters start..stop (from 1, inclusive, as R's substr).\nExample: df.name:substr(1, 3)"),
  M(paste, "col:paste(y, ... [, {sep = \" \"}])", "Values joined as text with sep (NA becomes \"NA\", as R).\nExample: df.first:paste(df.last)"),
  M(paste0, "col:paste0(y, ...)", "paste with no separator (also col .. y).\nExample: df.id:paste0(\"_x\")"),
  DATE(year), DATE(month), DATE(day), DATE(weekday), DATE(week), DATE(isoweek), DATE(yday), DATE(quarter), DATE(hour),
  DATE(minute), DATE(second),
  M(lag, "col:lag([n [, default]])", WIN_DOC "Example: df.x:lag(1, 0)"),
  M(lead, "col:lead([n [, default]])", WIN_DOC "Example: df.x:lead()"),
  WIN(cumsum), WIN(cumprod), WIN(cummean), WIN(cummax), WIN(cummin),
  M(rank, "col:rank()", "R's rank(x, na.last = \"keep\"): average ranks of ties, NA kept.\nExample: df.x:rank()"),
  WIN(min_rank), WIN(dense_rank), WIN(percent_rank),
  M(row_number, "col:row_number()", "dplyr's row_number(x): ranks with ties in row order, NA kept.\nExample: df.x:row_number()"),
  AGGM(sum), AGGM(mean), AGGM(median), AGGM(sd), AGGM(var), AGGM(min), AGGM(max),
  M(quantile, "col:quantile(p [, {na_rm = false}])", "R's quantile(x, p) (type 7) as one number.\nExample: df.x:quantile(0.9)"),
  AGGM(n_distinct), AGGM(first), AGGM(last), AGGM(any), AGGM(all),
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_frame_colops(lua_State *L) {
  lcol_add_methods(L, methods);
  lcol_add_metamethods(L, meta);
}
