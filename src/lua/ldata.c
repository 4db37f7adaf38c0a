/* ldata.c - the C half of the `data` module: CSV parsing into typed
 * columns and atomic CSV writing. The DataFrame class itself is Lua
 * (lua/mlsh/data.lua), built on these two primitives. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lmlsh.h"
#include "../core/atomicfile.h"
#include "../data/csv.h"

static int csv_table_gc(lua_State *L) {
  csv_free(lua_touserdata(L, 1));
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct { const char *sep; int header; } csv_args;   /* header -1: sniffed */
static const mlsh_opt csv_opt[] = {
  MLSH_OPT_STR(csv_args, sep, "sep", NULL, "delimiter: one character, \"\\t\" or \"tab\" (default: sniffed among , ; tab |)"),
  MLSH_OPT_BOOL_PRESET(csv_args, header, "header", "sniffed", "true: the first row names the columns; false: it is data"),
  MLSH_OPT_VALUE("na", MLSH_OT_ANY, "\"\", NA, NaN", "a string or an array of strings read as missing"),
  MLSH_OPT_END};
static const mlsh_optspec csv_spec = {"data.read_csv", csv_opt};

/* data._read_csv(path, opts) -> {names = {...}, columns = {...}, nrow = n, missing = {...}, renamed = {...}} */
static int l_read_csv(lua_State *L) {
  const char *fname = csv_spec.fname;
  const char *path = mlsh_check_path(L, 1, fname, "path");
  csv_args a = {NULL, -1};
  mlsh_opts(L, 2, &csv_spec, &a);
  csv_options opt = {0, a.header, NULL};
  const char *sep = a.sep;
  if (sep) {
    if (strcmp(sep, "\\t") == 0 || strcmp(sep, "tab") == 0) opt.sep = '\t';
    else if (strlen(sep) != 1 || sep[0] == '"' || sep[0] == '\n') return mlsh_error(L, fname, "option 'sep' must be one character (got \"%s\")", sep);
    else opt.sep = sep[0];
  }
  const char **na = NULL;
  int t = mlsh_opt_get(L, 2, "na");
  if (t == LUA_TSTRING) {
    na = mlsh_scratch(L, 2 * sizeof *na, fname);
    na[0] = lua_tostring(L, -2);
    na[1] = NULL;
  } else if (t == LUA_TTABLE) {
    size_t k = lua_rawlen(L, -1);
    na = mlsh_scratch(L, (k + 1) * sizeof *na, fname);
    for (size_t i = 0; i < k; i++) {
      lua_rawgeti(L, -2, (lua_Integer)i + 1);
      if (lua_type(L, -1) != LUA_TSTRING) return mlsh_error(L, fname, "option 'na' must be a string or an array of strings");
      na[i] = lua_tostring(L, -1);
      lua_pop(L, 1);  /* the string stays referenced by the options table */
    }
    na[k] = NULL;
  } else if (t != LUA_TNIL) {
    return mlsh_error(L, fname, "option 'na' must be a string or an array of strings (got %s)", mlsh_typename(L, -1));
  }
  opt.na = na;
  /* The table lives in a userdata whose __gc frees it, so a Lua error
   * (out of memory) while building the result cannot leak it. */
  csv_table *tp = lua_newuserdatauv(L, sizeof *tp, 0);
  memset(tp, 0, sizeof *tp);
  if (luaL_newmetatable(L, "mlsh.csv_table")) {
    lua_pushcfunction(L, csv_table_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  mlsh_err err;
  int rc = csv_read(path, &opt, tp, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  csv_table tab = *tp;
  lua_createtable(L, 0, 4);
  lua_createtable(L, (int)tab.ncols, 0);
  lua_createtable(L, (int)tab.ncols, 0);
  lua_createtable(L, (int)tab.ncols, 0);
  for (size_t j = 0; j < tab.ncols; j++) {
    csv_column *col = &tab.cols[j];
    lua_pushstring(L, col->name);
    lua_rawseti(L, -4, (lua_Integer)j + 1);
    lua_pushinteger(L, (lua_Integer)col->missing);
    lua_rawseti(L, -2, (lua_Integer)j + 1);
    if (col->numeric) {
      mlsh_mat *m = lmat_push_new(L, 0, 1, fname);
      if (tab.nrows) {  /* hand the column's array to the Matrix */
        m->data = col->num;
        m->rows = tab.nrows;
        col->num = NULL;
      }
    } else {
      lua_createtable(L, (int)tab.nrows, 0);
      for (size_t i = 0; i < tab.nrows; i++) {
        if (col->str[i]) lua_pushstring(L, col->str[i]);
        else lua_pushboolean(L, 0);  /* missing string: false keeps the array dense */
        lua_rawseti(L, -2, (lua_Integer)i + 1);
      }
    }
    lua_rawseti(L, -3, (lua_Integer)j + 1);
  }
  lua_setfield(L, -4, "missing");
  lua_setfield(L, -3, "columns");
  lua_setfield(L, -2, "names");
  lua_newtable(L);   /* renamed header names: {{column, given, name}, ...} */
  for (size_t j = 0, k = 0; j < tab.ncols; j++) {
    if (!tab.cols[j].given) continue;
    lua_createtable(L, 3, 0);
    lua_pushinteger(L, (lua_Integer)j + 1);
    lua_rawseti(L, -2, 1);
    lua_pushstring(L, tab.cols[j].given);
    lua_rawseti(L, -2, 2);
    lua_pushstring(L, tab.cols[j].name);
    lua_rawseti(L, -2, 3);
    lua_rawseti(L, -2, (lua_Integer)++k);
  }
  lua_setfield(L, -2, "renamed");
  lua_pushinteger(L, (lua_Integer)tab.nrows);
  lua_setfield(L, -2, "nrow");
  return 1;
}

/* data._write_csv(path, names, columns, nrow [, sep]) - atomic write. */
static int l_write_csv(lua_State *L) {
  const char *fname = "DataFrame:write_csv";
  const char *path = mlsh_check_path(L, 1, fname, "path");
  mlsh_check_type(L, 2, LUA_TTABLE, fname, "names");
  mlsh_check_type(L, 3, LUA_TTABLE, fname, "columns");
  size_t nrow = (size_t)mlsh_check_integer(L, 4, fname, "nrow");
  const char *seps = lua_isnoneornil(L, 5) ? "," : mlsh_check_string(L, 5, fname, "sep");
  char sep = seps[0] ? seps[0] : ',';
  size_t ncol = lua_rawlen(L, 2);
  /* Validate every column before opening the file: nothing half-written. */
  for (size_t j = 1; j <= ncol; j++) {
    lua_rawgeti(L, 3, (lua_Integer)j);
    mlsh_mat *m = lmat_test(L, -1);
    if (m ? MAT_LEN(m) != nrow : (!lua_istable(L, -1) || lua_rawlen(L, -1) != nrow))
      return mlsh_error(L, fname, "column %zu does not have %zu values", j, nrow);
    lua_pop(L, 1);
  }
  mlsh_afile af;
  mlsh_err err;
  int rc = mlsh_afile_open(&af, path, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  for (size_t j = 1; j <= ncol; j++) {
    lua_rawgeti(L, 2, (lua_Integer)j);
    if (j > 1) fputc(sep, af.fp);
    csv_write_field(af.fp, lua_tostring(L, -1) ? lua_tostring(L, -1) : "", sep);
    lua_pop(L, 1);
  }
  fputc('\n', af.fp);
  for (size_t i = 0; i < nrow; i++) {
    for (size_t j = 1; j <= ncol; j++) {
      if (j > 1) fputc(sep, af.fp);
      lua_rawgeti(L, 3, (lua_Integer)j);
      mlsh_mat *m = lmat_test(L, -1);
      if (m) {
        double v = m->data[i];
        if (isnan(v)) fputs("NA", af.fp);
        else fprintf(af.fp, "%.15g", v);
      } else {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (s) csv_write_field(af.fp, s, sep);
        else if (lua_type(L, -1) == LUA_TNUMBER) fprintf(af.fp, "%.15g", lua_tonumber(L, -1));
        else fputs("NA", af.fp);
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    }
    fputc('\n', af.fp);
  }
  rc = mlsh_afile_commit(&af, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  return 0;
}

/* data._quantiles(m, {p...}) -> array of type-7 quantiles of the non-NaN values. */
static int l_quantiles(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "data.quantiles", "x");
  mlsh_check_type(L, 2, LUA_TTABLE, "data.quantiles", "p");
  size_t n = 0, len = MAT_LEN(m);
  double *v = mlsh_scratch(L, (len ? len : 1) * sizeof *v, "data.quantiles");
  for (size_t i = 0; i < len; i++)
    if (!isnan(m->data[i])) v[n++] = m->data[i];
  qsort(v, n, sizeof *v, cmp_double);
  size_t k = lua_rawlen(L, 2);
  lua_createtable(L, (int)k, 0);
  for (size_t i = 1; i <= k; i++) {
    lua_rawgeti(L, 2, (lua_Integer)i);
    double p = lua_tonumber(L, -1);
    lua_pop(L, 1);
    lua_pushnumber(L, mat_quantile_sorted(v, n, p));
    lua_rawseti(L, -2, (lua_Integer)i);
  }
  return 1;
}

static const mlsh_Reg data_funcs[] = {
  {"_read_csv", l_read_csv, "data._read_csv(path [, opts])", "Internal: parse a CSV file into typed columns (see data.read_csv).", &csv_spec},
  {"_write_csv", l_write_csv, "data._write_csv(path, names, columns, nrow [, sep])", "Internal: atomic CSV writer (see DataFrame:write_csv)."},
  {"quantiles", l_quantiles, "data.quantiles(x, {p1, p2, ...})",
   "Quantiles of the non-missing values of a Matrix, R's default (type 7) definition.\nExample: data.quantiles(df:col(\"x\"), {0.25, 0.5, 0.75})"},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_data(lua_State *L) {
  mlsh_register(L, "data", data_funcs);
}
