/* ldata_sql.c - data.sqlite (an SQLite database as an object with
 * query/exec/write/tables/schema/close) and data.sql (SQL over frames,
 * through an in-memory database). The work is in src/data/sqlite_db.c. */
#include <string.h>
#include "lframe.h"
#include "../data/sqlite_db.h"

#define SQLITE_MT "mlsh.SQLite"

typedef struct { sqldb *db; } lsqldb;

static sqldb *check_db(lua_State *L, const char *fname) {
  lsqldb *u = luaL_testudata(L, 1, SQLITE_MT);
  if (!u) mlsh_error(L, fname, "argument 'self' must be an SQLite database (got %s)", mlsh_typename(L, 1));
  if (!u->db) mlsh_error(L, fname, "the database is closed");
  return u->db;
}

/* Core errors name the database file (SQLite's own text says what failed). */
static int db_fail(lua_State *L, const char *fname, sqldb *db, int rc, mlsh_err *err) {
  if (rc != MLSH_ENOMEM && rc != MLSH_EINTR) mlsh_err_prefix(err, sqldb_path(db));
  return mlsh_fail(L, fname, rc, err);
}

/* The values at stack indices first..last, as statement parameters. */
static sql_param *check_params(lua_State *L, int first, int last, const char *fname, size_t *np) {
  *np = last >= first ? (size_t)(last - first + 1) : 0;
  sql_param *p = mlsh_scratch(L, (*np ? *np : 1) * sizeof *p, fname);
  for (size_t k = 0; k < *np; k++) {
    int idx = first + (int)k;
    memset(&p[k], 0, sizeof p[k]);
    switch (lua_type(L, idx)) {
    case LUA_TNIL: p[k].kind = SQLP_NULL; break;
    case LUA_TBOOLEAN: p[k].kind = SQLP_INT; p[k].i = lua_toboolean(L, idx); break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) { p[k].kind = SQLP_INT; p[k].i = (int64_t)lua_tointeger(L, idx); }
      else { p[k].kind = SQLP_DOUBLE; p[k].d = lua_tonumber(L, idx); }
      break;
    case LUA_TSTRING: p[k].kind = SQLP_TEXT; p[k].s = lua_tolstring(L, idx, &p[k].len); break;
    default:
      mlsh_error(L, fname, "parameter %zu must be a number, string, boolean or nil (got %s)", k + 1, mlsh_typename(L, idx));
    }
  }
  return p;
}

static void query_push(lua_State *L, sqldb *db, const char *sql, int first, const char *fname) {
  size_t np;
  sql_param *p = check_params(L, first, lua_gettop(L), fname, &np);
  mlsh_frame *f = NULL;
  mlsh_err err = {0};
  int rc = sqldb_query(db, sql, p, np, &f, &err);
  if (rc) db_fail(L, fname, db, rc, &err);
  lframe_push(L, f);
}

static int l_query(lua_State *L) {
  const char *fname = "SQLite:query";
  sqldb *db = check_db(L, fname);
  query_push(L, db, mlsh_check_string(L, 2, fname, "sql"), 3, fname);
  return 1;
}

static int l_exec(lua_State *L) {
  const char *fname = "SQLite:exec";
  sqldb *db = check_db(L, fname);
  const char *sql = mlsh_check_string(L, 2, fname, "sql");
  mlsh_err err = {0};
  int rc = sqldb_exec(db, sql, &err);
  if (rc) return db_fail(L, fname, db, rc, &err);
  lua_settop(L, 1);
  return 1;
}

static const char *const write_modes[] = {"create", "replace", "append", NULL};
typedef struct { int mode; } write_args;
static const mlsh_opt write_opt[] = {
  MLSH_OPT_ENUM(write_args, mode, "mode", 0, write_modes,
                "\"create\" (the table must be new), \"replace\" (drop it first) or \"append\" (add rows)"),
  MLSH_OPT_END};
static const mlsh_optspec write_spec = {"SQLite:write", write_opt};

static int l_write(lua_State *L) {
  const char *fname = "SQLite:write";
  sqldb *db = check_db(L, fname);
  const char *name = mlsh_check_string(L, 2, fname, "name");
  mlsh_frame *f = lframe_check(L, 3, fname, "df");
  write_args a;
  mlsh_opts(L, 4, &write_spec, &a);
  mlsh_err err = {0};
  int rc = sqldb_write(db, name, f, (sqlw_mode)a.mode, &err);
  if (rc) return db_fail(L, fname, db, rc, &err);
  lua_settop(L, 1);
  return 1;
}

static int l_tables(lua_State *L) {
  const char *fname = "SQLite:tables";
  sqldb *db = check_db(L, fname);
  lua_settop(L, 1);
  query_push(L, db, "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
             2, fname);
  mlsh_frame *f = lframe_test(L, -1);
  lua_createtable(L, (int)f->nrow, 0);
  for (size_t i = 0; i < f->nrow; i++) {
    lcol_push_value(L, f->cols[0], i);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int l_schema(lua_State *L) {
  const char *fname = "SQLite:schema";
  sqldb *db = check_db(L, fname);
  const char *name = mlsh_check_string(L, 2, fname, "name");
  lua_settop(L, 2);
  query_push(L, db, "SELECT name, type, \"notnull\", dflt_value AS \"default\", pk FROM pragma_table_info(?)",
             2, fname);
  if (lframe_test(L, -1)->nrow == 0)
    return mlsh_error(L, fname, "'%s' has no table or view named '%s'", sqldb_path(db), name);
  return 1;
}

static int l_close(lua_State *L) {
  lsqldb *u = luaL_testudata(L, 1, SQLITE_MT);
  if (!u) return mlsh_error(L, "SQLite:close", "argument 'self' must be an SQLite database (got %s)", mlsh_typename(L, 1));
  sqldb_close(u->db);
  u->db = NULL;
  return 0;
}

static int db_tostring(lua_State *L) {
  lsqldb *u = luaL_checkudata(L, 1, SQLITE_MT);
  if (u->db) lua_pushfstring(L, "SQLite database '%s'", sqldb_path(u->db));
  else lua_pushstring(L, "SQLite database (closed)");
  return 1;
}

typedef struct { int readonly; double busy; } open_args;
static const mlsh_opt open_opt[] = {
  MLSH_OPT_BOOL(open_args, readonly, "readonly", 0, "open read-only: writes fail, the file must exist"),
  MLSH_OPT_NUM(open_args, busy, "timeout", 5, 0, 3600, "seconds to wait while another connection holds a lock"),
  MLSH_OPT_END};
static const mlsh_optspec open_spec = {"data.sqlite", open_opt};

static int l_sqlite(lua_State *L) {
  const char *fname = "data.sqlite";
  const char *path = mlsh_check_path(L, 1, fname, "path");
  open_args a;
  mlsh_opts(L, 2, &open_spec, &a);
  lsqldb *u = mlsh_try_newudata(L, sizeof *u, SQLITE_MT);
  if (!u) return lua_error(L);
  sqldb_options o = {a.readonly, (int)(a.busy * 1000)};
  mlsh_err err = {0};
  int rc = sqldb_open(path, &o, &u->db, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  return 1;
}

static void release_db(void *p) { sqldb_close(*(sqldb **)p); }

static int l_sql(lua_State *L) {
  const char *fname = "data.sql";
  const char *sql = mlsh_check_string(L, 1, fname, "sql");
  if (lua_gettop(L) < 2) lua_settop(L, 2);   /* slot 2 stays `frames` (nil) under what is pushed next */
  if (!lua_isnil(L, 2)) mlsh_check_type(L, 2, LUA_TTABLE, fname, "frames");
  size_t np;
  sql_param *p = check_params(L, 3, lua_gettop(L), fname, &np);
  sqldb **dbp = mlsh_guard(L, sizeof *dbp, release_db);
  int guard = lua_gettop(L);
  sqldb_options o = {0, 0};
  mlsh_err err = {0};
  int rc = sqldb_open(":memory:", &o, dbp, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  for (lua_pushnil(L); !lua_isnil(L, 2) && lua_next(L, 2); lua_pop(L, 1)) {
    if (lua_type(L, -2) != LUA_TSTRING) return mlsh_error(L, fname, "argument 'frames' must map table names to DataFrames");
    const char *name = lua_tostring(L, -2);
    mlsh_frame *f = lframe_test(L, -1);
    if (!f) return mlsh_error(L, fname, "frames.%s must be a DataFrame (got %s)", name, mlsh_typename(L, -1));
    rc = sqldb_write(*dbp, name, f, SQLW_CREATE, &err);
    if (rc) return mlsh_fail(L, fname, rc, &err);
  }
  mlsh_frame *out = NULL;
  rc = sqldb_query(*dbp, sql, p, np, &out, &err);
  mlsh_guard_release(L, guard);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lframe_push(L, out);
  return 1;
}

static const mlsh_Reg db_methods[] = {
  {"query", l_query, "db:query(sql, ...)",
   "Runs one SQL statement with its `?` parameters bound to the values after it (numbers, integers,\n"
   "strings, booleans as 0/1, nil as NULL) and returns the rows as a DataFrame. Column types follow the\n"
   "declared types: INTEGER -> integer, REAL -> double, TEXT -> string, BOOLEAN -> logical, DATE -> date,\n"
   "DATETIME/TIMESTAMP -> datetime (ISO 8601 text); others, and values that do not fit, by their values.\n"
   "NULL is NA.\nExample: db:query(\"SELECT * FROM flights WHERE dep_delay > ? AND origin = ?\", 60, \"JFK\")", NULL},
  {"exec", l_exec, "db:exec(sql)",
   "Runs one or more SQL statements without parameters (CREATE, INSERT, PRAGMA...); returns db.\n"
   "Example: db:exec(\"CREATE INDEX idx_origin ON flights(origin)\")", NULL},
  {"write", l_write, "db:write(name, df [, opts])",
   "Writes a DataFrame as table `name` in one transaction (an error rolls back: the table is as it\n"
   "was). Types: REAL, INTEGER, BOOLEAN (0/1), TEXT (strings and categorical levels), DATE and DATETIME\n"
   "(ISO 8601 text); NA is NULL. Returns db.\nExample: db:write(\"iris\", df, {mode = \"replace\"})", &write_spec},
  {"tables", l_tables, "db:tables()", "The names of the tables and views, sorted.\nExample: db:tables()", NULL},
  {"schema", l_schema, "db:schema(name)",
   "The columns of a table or view as a DataFrame: name, type (as declared), notnull, default, pk.\n"
   "Example: db:schema(\"flights\")", NULL},
  {"close", l_close, "db:close()", "Closes the database (also done when db is collected); later calls are errors.\n"
   "Example: db:close()", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

static const luaL_Reg db_meta[] = {{"__gc", l_close}, {"__close", l_close}, {"__tostring", db_tostring}, {NULL, NULL}};

static const mlsh_Reg sql_funcs[] = {
  {"sqlite", l_sqlite, "data.sqlite(path [, opts])",
   "Opens (or creates) the SQLite database at path (\":memory:\" for a private in-memory one) and returns\n"
   "an SQLite object: db:query, db:exec, db:write, db:tables, db:schema, db:close. A file that is not a\n"
   "database is an error at once.\nExample: db = data.sqlite(\"flights.db\")", &open_spec},
  {"sql", l_sql, "data.sql(sql, frames, ...)",
   "Runs SQL over DataFrames: each frames[name] becomes table `name` of an in-memory SQLite database\n"
   "(as db:write does), then the query runs with the values after `frames` bound to its `?`.\n"
   "Returns the result as a DataFrame.\n"
   "Example: data.sql(\"SELECT origin, avg(dep_delay) AS d FROM f GROUP BY origin\", {f = flights})", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_data_sql(lua_State *L) {
  mlsh_register(L, "data", sql_funcs);
  mlsh_new_class(L, SQLITE_MT, "SQLite", db_methods, db_meta);
  lua_pop(L, 1);
}
