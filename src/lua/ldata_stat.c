/* ldata_stat.c - SPSS, Stata and SAS files (src/data/readstat_io.h):
 * data.read_sav / read_dta / read_sas, df:write_dta / write_sav, and the
 * variable labels those formats carry, kept beside each DataFrame in a
 * weak-keyed side table (frame userdata -> {column = label}) so that the
 * frame core stays free of them. */
#include <string.h>
#include "lframe.h"
#include "../core/alloc.h"
#include "../data/readstat_io.h"

static const char labels_key = 0;   /* registry key of the side table */

static void push_side_table(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &labels_key) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushstring(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &labels_key);
}

/* Attach the labels table at tidx to the frame at fidx. */
static void set_labels(lua_State *L, int fidx, int tidx) {
  fidx = lua_absindex(L, fidx);
  tidx = lua_absindex(L, tidx);
  push_side_table(L);
  lua_pushvalue(L, fidx);
  lua_pushvalue(L, tidx);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

/* Push the labels table of the frame at fidx (nil when none). */
static int push_labels(lua_State *L, int fidx) {
  fidx = lua_absindex(L, fidx);
  push_side_table(L);
  lua_pushvalue(L, fidx);
  int t = lua_rawget(L, -2);
  lua_remove(L, -2);
  return t;
}

typedef struct { char **labels; size_t n; } labels_guard;
static void release_labels(void *p) {
  labels_guard *g = p;
  rstat_free_labels(g->labels, g->n);
  g->labels = NULL;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  if (k > n) return 0;
  for (size_t i = 0; i < k; i++) {
    char c = s[n - k + i];
    if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != suffix[i]) return 0;
  }
  return 1;
}

static int read_push(lua_State *L, const char *fname, rstat_format fmt) {
  const char *path = mlsh_check_path(L, 1, fname, "path");
  labels_guard *g = mlsh_guard(L, sizeof *g, release_labels);
  int guard = lua_gettop(L);
  mlsh_frame *f = NULL;
  mlsh_err err = {0};
  int rc = rstat_read(path, fmt, &f, &g->labels, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  g->n = f->ncol;
  lframe_push(L, f);
  lua_newtable(L);
  for (size_t j = 0; j < f->ncol; j++)
    if (g->labels[j]) {
      lua_pushstring(L, g->labels[j]);
      lua_setfield(L, -2, f->names[j]);
    }
  set_labels(L, -2, -1);
  lua_pop(L, 1);
  mlsh_guard_release(L, guard);
  return 1;
}

static int l_read_sav(lua_State *L) {
  const char *fname = "data.read_sav";
  const char *path = mlsh_check_path(L, 1, fname, "path");
  if (ends_with(path, ".por")) return read_push(L, fname, RSTAT_POR);
  if (ends_with(path, ".sav") || ends_with(path, ".zsav")) return read_push(L, fname, RSTAT_SAV);
  return mlsh_error(L, fname, "'%s' is not a .sav, .zsav or .por file (by its name)", path);
}

static int l_read_dta(lua_State *L) {
  const char *fname = "data.read_dta";
  const char *path = mlsh_check_path(L, 1, fname, "path");
  if (!ends_with(path, ".dta")) return mlsh_error(L, fname, "'%s' is not a .dta file (by its name)", path);
  return read_push(L, fname, RSTAT_DTA);
}

static int l_read_sas(lua_State *L) {
  const char *fname = "data.read_sas";
  const char *path = mlsh_check_path(L, 1, fname, "path");
  if (ends_with(path, ".sas7bdat")) return read_push(L, fname, RSTAT_SAS7BDAT);
  if (ends_with(path, ".xpt")) return read_push(L, fname, RSTAT_XPT);
  return mlsh_error(L, fname, "'%s' is not a .sas7bdat or .xpt file (by its name)", path);
}

/* The frame's labels as a C array (one per column, NULL = none), scratch on the stack. */
static const char **labels_array(lua_State *L, int fidx, const mlsh_frame *f, const char *fname) {
  const char **a = mlsh_scratch(L, (f->ncol + 1) * sizeof *a, fname);
  memset(a, 0, (f->ncol + 1) * sizeof *a);
  if (push_labels(L, fidx) != LUA_TTABLE) return a;   /* the table stays on the stack: the strings live */
  for (size_t j = 0; j < f->ncol; j++) {
    if (lua_getfield(L, -1, f->names[j]) == LUA_TSTRING) a[j] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  return a;
}

static int write_as(lua_State *L, const char *fname, rstat_format fmt, const char *ext) {
  mlsh_frame *f = lframe_check(L, 1, fname, "self");
  const char *path = mlsh_check_path(L, 2, fname, "path");
  if (!ends_with(path, ext)) return mlsh_error(L, fname, "'%s' must end in %s", path, ext);
  const char **labels = labels_array(L, 1, f, fname);
  mlsh_err err = {0};
  int rc = rstat_write(path, fmt, f, labels, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_settop(L, 1);
  return 1;
}

static int l_write_dta(lua_State *L) { return write_as(L, "DataFrame:write_dta", RSTAT_DTA, ".dta"); }
static int l_write_sav(lua_State *L) { return write_as(L, "DataFrame:write_sav", RSTAT_SAV, ".sav"); }

/* df:labels() -> {column = label}; df:labels(t) -> a frame sharing df's
 * columns, with t's labels added to df's. */
static int l_labels(lua_State *L) {
  const char *fname = "DataFrame:labels";
  mlsh_frame *f = lframe_check(L, 1, fname, "self");
  int has_new = !lua_isnoneornil(L, 2);
  if (has_new) mlsh_check_type(L, 2, LUA_TTABLE, fname, "labels");
  lua_settop(L, 2);
  lua_newtable(L);   /* 3: the result, a copy of the current labels */
  if (push_labels(L, 1) == LUA_TTABLE)
    for (lua_pushnil(L); lua_next(L, 4);) {   /* key, value -> key, key, value: rawset keeps a key */
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, 3);
    }
  lua_settop(L, 3);
  if (!has_new) return 1;
  for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1)) {
    if (lua_type(L, -2) != LUA_TSTRING || frame_find(f, lua_tostring(L, -2)) < 0)
      return mlsh_error(L, fname, "labels must be keyed by column names (got %s)", luaL_tolstring(L, -2, NULL));
    if (lua_type(L, -1) != LUA_TSTRING && !lua_isboolean(L, -1))
      return mlsh_error(L, fname, "the label of '%s' must be a string (or false to drop it)", lua_tostring(L, -2));
    lua_pushvalue(L, -2);
    if (lua_isboolean(L, -2)) lua_pushnil(L);
    else lua_pushvalue(L, -2);
    lua_rawset(L, 3);
  }
  mlsh_frame *copy = NULL;
  mlsh_err err = {0};
  int rc = frame_select(f, (const char *const *)f->names, f->ncol, &copy, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lframe_push(L, copy);
  set_labels(L, -1, 3);
  return 1;
}

static const mlsh_Reg stat_funcs[] = {
  {"read_sav", l_read_sav, "data.read_sav(path)",
   "Reads an SPSS .sav, .zsav or .por file (libreadstat) as a DataFrame: value labels become categorical\n"
   "levels (in the order of their values), date and datetime formats give date/datetime columns,\n"
   "system- and user-missing values are NA, whole-number (F w.0) variables are integers; variable\n"
   "labels are kept (df:labels()).\nExample: df = data.read_sav(\"survey.sav\")", NULL},
  {"read_dta", l_read_dta, "data.read_dta(path)",
   "Reads a Stata .dta file (versions 104-119, libreadstat) as a DataFrame: byte/int/long variables are\n"
   "integers, value labels become categorical levels, %td/%tc formats give dates/datetimes, missing\n"
   "values (. and .a-.z) are NA; variable labels are kept (df:labels()).\n"
   "Example: df = data.read_dta(\"auto.dta\")", NULL},
  {"read_sas", l_read_sas, "data.read_sas(path)",
   "Reads a SAS .sas7bdat or transport (.xpt) file (libreadstat) as a DataFrame: SAS date and datetime\n"
   "formats give date/datetime columns, missing values are NA; variable labels are kept (df:labels()).\n"
   "Example: df = data.read_sas(\"adsl.xpt\")", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

static const mlsh_Reg stat_methods[] = {
  {"write_dta", l_write_dta, "df:write_dta(path)",
   "Writes the frame as a Stata 14+ .dta file (atomically): integers as long (double beyond its range),\n"
   "logicals 0/1 labelled FALSE/TRUE, categoricals as codes 1..k labelled with their levels, dates %td,\n"
   "datetimes %tc, long strings as strL, variable labels from df:labels(). Stata has no missing string:\n"
   "NA strings are written empty. Returns df.\nExample: df:write_dta(\"out.dta\")", NULL},
  {"write_sav", l_write_sav, "df:write_sav(path)",
   "Writes the frame as an SPSS .sav file (atomically), encoded as df:write_dta does (integers F w.0,\n"
   "dates DATE11, datetimes DATETIME23.2); data.read_sav reads the same types back. Returns df.\n"
   "Example: df:write_sav(\"out.sav\")", NULL},
  {"labels", l_labels, "df:labels([labels])",
   "The variable labels as a table {column = label} (from SPSS/Stata/SAS files); with a table, a new\n"
   "frame sharing df's columns whose labels are df's updated by it (false drops one).\n"
   "Example: df2 = df:labels({age = \"Age in years\"})", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_data_stat(lua_State *L) {
  mlsh_register(L, "data", stat_funcs);
  lframe_add_methods(L, stat_methods);
}
