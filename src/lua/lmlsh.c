/* lmlsh.c - shared binding helpers: registration with docs, errors,
 * matrix userdata, option tables. */
#include <limits.h>
#include <stddef.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lmlsh.h"
#include "lframe.h"
#include "../core/interrupt.h"
#include "../core/alloc.h"
#include "../core/rng.h"

#define DOCS_KEY "mlsh.docs"          /* registry: function value -> doc record */
#define DOCNAMES_KEY "mlsh.docnames"  /* registry: "mat.zeros" -> doc record */
#define MODULES_KEY "mlsh.modules"    /* registry: array of {name, summary} */

static void get_registry_table(lua_State *L, const char *key) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, key) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, key);
  }
}

void mlsh_doc_value(lua_State *L, int idx, const char *name, const char *usage, const char *doc) {
  idx = lua_absindex(L, idx);
  lua_createtable(L, 0, 3);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "name");
  lua_pushstring(L, usage ? usage : name);
  lua_setfield(L, -2, "usage");
  lua_pushstring(L, doc ? doc : "");
  lua_setfield(L, -2, "doc");
  get_registry_table(L, DOCS_KEY);
  lua_pushvalue(L, idx);
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  get_registry_table(L, DOCNAMES_KEY);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, name);
  lua_pop(L, 2);
}

void mlsh_doc_module(lua_State *L, const char *name, const char *summary) {
  get_registry_table(L, MODULES_KEY);
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    lua_getfield(L, -1, "name");
    int same = strcmp(lua_tostring(L, -1), name) == 0;
    lua_pop(L, 2);
    if (same) { lua_pop(L, 1); return; }
  }
  lua_createtable(L, 0, 2);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "name");
  lua_pushstring(L, summary);
  lua_setfield(L, -2, "summary");
  lua_rawseti(L, -2, n + 1);
  lua_pop(L, 1);
}

void mlsh_register(lua_State *L, const char *prefix, const mlsh_Reg *regs) {
  char name[128];
  size_t plen = strlen(prefix);
  int method = plen > 0 && prefix[plen - 1] == ':';
  for (; regs->name; regs++) {
    lua_pushcfunction(L, regs->func);
    snprintf(name, sizeof name, method ? "%s%s" : "%s.%s", prefix, regs->name);
    mlsh_doc_value(L, -1, name, regs->usage, regs->doc);
    if (regs->opts) mlsh_opts_register(L, regs->opts);
    lua_setfield(L, -2, regs->name);
  }
}

void mlsh_new_class(lua_State *L, const char *tname, const char *docname,
                    const mlsh_Reg *methods, const luaL_Reg *metamethods) {
  char prefix[64];
  luaL_newmetatable(L, tname);
  if (metamethods) luaL_setfuncs(L, metamethods, 0);
  lua_newtable(L);
  snprintf(prefix, sizeof prefix, "%s:", docname);
  if (methods) mlsh_register(L, prefix, methods);
  /* __methods stays a plain table even when __index becomes a function,
   * so that completion and help can list the methods. */
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__methods");
  /* Listed in package.loaded so that luaL_argerror can name a method
   * ("bad argument #2 to 'mlsh.Matrix.apply'") even when it is called
   * without a field name (through pcall, say). */
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, tname);
  lua_pop(L, 1);
  lua_setfield(L, -2, "__index");
  lua_pushstring(L, docname);
  lua_setfield(L, -2, "__name");
}

int mlsh_error(lua_State *L, const char *fname, const char *fmt, ...) {
  va_list ap;
  luaL_Buffer b;
  char msg[1024];
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  luaL_buffinit(L, &b);
  luaL_addstring(&b, fname);
  luaL_addstring(&b, ": ");
  luaL_addstring(&b, msg);
  luaL_pushresult(&b);
  return lua_error(L);
}

int mlsh_fail(lua_State *L, const char *fname, int code, const mlsh_err *err) {
  /* The error is the interrupt's effect: consume the flag, so that a script
   * that catches it (pcall) can go on computing. */
  if (code == MLSH_EINTR) { mlsh_interrupt_clear(); return mlsh_error(L, fname, "interrupted"); }
  if (err && err->msg[0]) {   /* "DataFrame:slice_max" and "slice_max: ...": the name once */
    const char *dot = strrchr(fname, '.'), *colon = strrchr(fname, ':'), *verb = colon > dot ? colon + 1 : dot ? dot + 1 : fname;
    size_t len = strlen(verb);
    const char *msg = strncmp(err->msg, verb, len) == 0 && err->msg[len] == ':' && err->msg[len + 1] == ' ' ? err->msg + len + 2 : err->msg;
    return mlsh_error(L, fname, "%s", msg);
  }
  return mlsh_error(L, fname, "%s", mlsh_strerror(code));
}

const char *mlsh_typename(lua_State *L, int idx) {
  int t = luaL_getmetafield(L, idx, "__name");
  if (t == LUA_TSTRING) {
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1);
    return s;  /* interned in the metatable, stays alive */
  }
  if (t != LUA_TNIL) lua_pop(L, 1);
  return luaL_typename(L, idx);
}

/* ---- Matrices ---- */

lmat_mapped *lmat_test_mapped(lua_State *L, int idx) {
  return luaL_testudata(L, idx, MLSH_MAPPED_MT);
}

mlsh_mat *lmat_test(lua_State *L, int idx) {
  mlsh_mat *m = luaL_testudata(L, idx, MLSH_MATRIX_MT);
  if (m) return m;
  lmat_mapped *u = lmat_test_mapped(L, idx);
  if (!u) return NULL;
  if (u->closed) mlsh_error(L, "MappedMatrix", "the mapping is closed");
  mlsh_err err;
  int rc = npymap_matrix(&u->map, &u->view, &err);
  if (rc) mlsh_fail(L, "MappedMatrix", rc, &err);
  return &u->view;
}

int mlsh_call_method(lua_State *L, int idx, const char *name) {
  int top = lua_gettop(L);
  luaL_checkstack(L, top + 2, "mlsh: stack overflow");
  lua_getfield(L, idx, name);
  for (int i = 1; i <= top; i++) lua_pushvalue(L, i);
  lua_call(L, top, LUA_MULTRET);
  return lua_gettop(L) - top;
}

mlsh_mat *lmat_check(lua_State *L, int idx, const char *fname, const char *argname) {
  mlsh_mat *m = lmat_test(L, idx);
  if (!m) mlsh_error(L, fname, "argument '%s' must be a Matrix (got %s)", argname, mlsh_typename(L, idx));
  return m;
}

static void push_matrix_metatable(lua_State *L) {
  if (luaL_getmetatable(L, MLSH_MATRIX_MT) != LUA_TTABLE) {
    lua_pop(L, 1);
    luaL_error(L, "mlsh: the Matrix type is not registered (mat module not opened)");
  }
}

void mlsh_gc_account(lua_State *L, size_t bytes) {
  size_t kb = bytes >> 10;
  if (kb >= 64) lua_gc(L, LUA_GCSTEP, kb > (size_t)INT_MAX ? INT_MAX : (int)kb);
}

static int new_udata(lua_State *L) {
  size_t size = (size_t)lua_tointeger(L, 1);
  const char *tname = lua_touserdata(L, 2);
  void *u = lua_newuserdatauv(L, size, 0);
  memset(u, 0, size);
  if (luaL_getmetatable(L, tname) != LUA_TTABLE) luaL_error(L, "mlsh: type %s is not registered", tname);
  lua_setmetatable(L, -2);
  return 1;
}

void *mlsh_try_newudata(lua_State *L, size_t size, const char *tname) {
  luaL_checkstack(L, 3, "mlsh: stack overflow");   /* 20 slots are free on entry to a C function */
  lua_pushcfunction(L, new_udata);
  lua_pushinteger(L, (lua_Integer)size);
  lua_pushlightuserdata(L, (void *)tname);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) return NULL;
  return lua_touserdata(L, -1);
}

void lmat_push_all(lua_State *L, mlsh_mat *const *ms, int n) {
  for (int i = 0; i < n; i++) {
    mlsh_mat *u = mlsh_try_newudata(L, sizeof *u, MLSH_MATRIX_MT);
    if (!u) {
      for (int j = i; j < n; j++) mat_free(ms[j]);
      lua_error(L);
    }
    *u = *ms[i];
    ms[i]->data = NULL;
    ms[i]->rows = ms[i]->cols = 0;
    mlsh_gc_account(L, MAT_LEN(u) * sizeof(double));
  }
}

/* The userdata is made in protected mode: when Lua's own allocator fails,
 * m's data is freed before the error goes on, so no caller leaks it. */
mlsh_mat *lmat_push(lua_State *L, mlsh_mat *m) {
  lmat_push_all(L, &m, 1);
  return lua_touserdata(L, -1);
}

void mlsh_set_mat(lua_State *L, int tidx, const char *key, mlsh_mat *m) {
  tidx = lua_absindex(L, tidx);
  lmat_push(L, m);
  lua_setfield(L, tidx, key);
}

mlsh_mat *lmat_push_new(lua_State *L, size_t rows, size_t cols, const char *fname) {
  mlsh_mat *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->rows = u->cols = 0;
  u->data = NULL;
  push_matrix_metatable(L);
  lua_setmetatable(L, -2);
  mlsh_err err;
  int rc = mat_alloc(u, rows, cols, &err);
  if (rc) mlsh_fail(L, fname, rc, &err);
  mlsh_gc_account(L, MAT_LEN(u) * sizeof(double));
  return u;
}

mlsh_mat *lmat_checklike(lua_State *L, int idx, const char *fname, const char *argname) {
  idx = lua_absindex(L, idx);
  mlsh_mat *m = lmat_test(L, idx);
  if (m) return m;
  if (lcol_test(L, idx)) return lframe_data_matrix(L, idx, fname, argname);   /* a Column: NA as NaN */
  if (!lua_istable(L, idx))
    mlsh_error(L, fname, "argument '%s' must be a Matrix or an array of numbers (got %s)", argname, mlsh_typename(L, idx));
  size_t n = lua_rawlen(L, idx);
  if (n == 0) mlsh_error(L, fname, "argument '%s' is an empty array", argname);
  int nested = lua_rawgeti(L, idx, 1) == LUA_TTABLE;
  size_t cols = nested ? lua_rawlen(L, -1) : 1;
  lua_pop(L, 1);
  if (nested && cols == 0) mlsh_error(L, fname, "argument '%s' has an empty first row", argname);
  m = lmat_push_new(L, n, cols, fname);
  for (size_t i = 0; i < n; i++) {
    int t = lua_rawgeti(L, idx, (lua_Integer)i + 1);
    if (nested) {
      if (t != LUA_TTABLE || lua_rawlen(L, -1) != cols)
        mlsh_error(L, fname, "argument '%s': row %zu is not an array of %zu numbers", argname, i + 1, cols);
      for (size_t j = 0; j < cols; j++) {
        lua_rawgeti(L, -1, (lua_Integer)j + 1);
        int ok;
        double v = lua_tonumberx(L, -1, &ok);
        if (!ok) mlsh_error(L, fname, "argument '%s': element (%zu,%zu) is not a number (got %s)", argname, i + 1, j + 1, luaL_typename(L, -1));
        MAT_AT(m, i, j) = v;
        lua_pop(L, 1);
      }
    } else {
      int ok;
      double v = lua_tonumberx(L, -1, &ok);
      if (!ok) mlsh_error(L, fname, "argument '%s': element %zu is not a number (got %s)", argname, i + 1, luaL_typename(L, -1));
      m->data[i] = v;
    }
    lua_pop(L, 1);
  }
  lua_replace(L, idx);
  return lmat_test(L, idx);
}

void lmat_check_finite(lua_State *L, const mlsh_mat *m, const char *fname, const char *argname) {
  if (MAT_LEN(m) == 0) mlsh_error(L, fname, "argument '%s' is an empty matrix (%zux%zu)", argname, m->rows, m->cols);
  long k = mat_find_nonfinite(m);
  if (k >= 0)
    mlsh_error(L, fname, "argument '%s' has a non-finite value (%g) at row %ld, column %ld", argname,
               m->data[k], k / (long)m->cols + 1, k % (long)m->cols + 1);
}

/* ---- Integers, labels, scratch ---- */

size_t mlsh_check_count(lua_State *L, int idx, const char *fname, const char *argname, size_t max) {
  int ok;
  lua_Number v = lua_tonumberx(L, idx, &ok);
  if (!ok) mlsh_error(L, fname, "argument '%s' must be a number (got %s)", argname, mlsh_typename(L, idx));
  if (!(v == floor(v)) || v < 1 || v > (lua_Number)max)
    mlsh_error(L, fname, "argument '%s' must be an integer between 1 and %zu (got %g)", argname, max, (double)v);
  return (size_t)v;
}

static int scratch_gc(lua_State *L) {
  void **p = lua_touserdata(L, 1);
  if (*p) { mlsh_free(*p); *p = NULL; }
  return 0;
}

void *mlsh_scratch(lua_State *L, size_t bytes, const char *fname) {
  void **p = lua_newuserdatauv(L, sizeof(void *), 0);
  *p = NULL;
  if (luaL_newmetatable(L, "mlsh.scratch")) {
    lua_pushcfunction(L, scratch_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  *p = mlsh_malloc(bytes);
  if (!*p) mlsh_error(L, fname, "not enough memory (%zu bytes)", bytes);
  return *p;
}

int *mlsh_check_labels(lua_State *L, int idx, const char *fname, const char *argname, int min, size_t n,
                       size_t *n_out) {
  idx = lua_absindex(L, idx);
  if (!lua_istable(L, idx))
    mlsh_error(L, fname, "argument '%s' must be an array of integer labels (got %s)", argname, mlsh_typename(L, idx));
  size_t len = lua_rawlen(L, idx);
  if (len == 0) mlsh_error(L, fname, "argument '%s' is an empty array", argname);
  if (n && len != n) mlsh_error(L, fname, "argument '%s' has %zu labels, expected %zu", argname, len, n);
  int *v = mlsh_scratch(L, len * sizeof(int), fname);
  for (size_t i = 0; i < len; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    int ok;
    lua_Integer x = lua_tointegerx(L, -1, &ok);
    if (!ok || x < min || x > INT_MAX)
      mlsh_error(L, fname, "argument '%s': label %zu must be an integer%s%s (got %s)", argname, i + 1,
                 min > INT_MIN ? " >= " : "", min > INT_MIN ? lua_pushfstring(L, "%d", min) : "",
                 lua_isnumber(L, -1) ? lua_tostring(L, -1) : luaL_typename(L, -1));
    v[i] = (int)x;
    lua_pop(L, 1);
  }
  if (n_out) *n_out = len;
  return v;
}

void mlsh_push_intarray(lua_State *L, const int *v, size_t n) {
  lua_createtable(L, (int)(n < 0x7fffffff ? n : 0), 0);
  for (size_t i = 0; i < n; i++) {
    lua_pushinteger(L, v[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* ---- Options ---- */

int mlsh_opt_get(lua_State *L, int idx, const char *key) {
  if (!lua_istable(L, idx)) { lua_pushnil(L); return LUA_TNIL; }
  return lua_getfield(L, idx, key);
}


/* ---- C memory across Lua calls that may fail ---- */

typedef struct {
  void (*release)(void *);
  int armed;
  union { max_align_t align; unsigned char bytes[1]; } data;
} guard_box;

static void disarm(guard_box *g) {
  if (g->armed) { g->armed = 0; g->release(g->data.bytes); }
}

static int guard_gc(lua_State *L) {
  disarm(lua_touserdata(L, 1));
  return 0;
}

void *mlsh_guard(lua_State *L, size_t size, void (*release)(void *)) {
  guard_box *g = lua_newuserdatauv(L, offsetof(guard_box, data) + size, 0);
  g->release = release;
  g->armed = 1;
  memset(g->data.bytes, 0, size);
  if (luaL_newmetatable(L, "mlsh.guard")) {
    lua_pushcfunction(L, guard_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return g->data.bytes;
}

void mlsh_guard_release(lua_State *L, int idx) {
  disarm(luaL_checkudata(L, idx, "mlsh.guard"));
}

void mlsh_guards_release(lua_State *L) {
  for (int i = 1, top = lua_gettop(L); i <= top; i++) {
    guard_box *g = luaL_testudata(L, i, "mlsh.guard");
    if (g) disarm(g);
  }
}

static int push_string_protected(lua_State *L) {
  lua_pushlstring(L, lua_touserdata(L, 1), (size_t)lua_tointeger(L, 2));
  return 1;
}

void mlsh_push_owned_lstring(lua_State *L, char *s, size_t len) {
  lua_pushcfunction(L, push_string_protected);
  lua_pushlightuserdata(L, s ? s : (char *)"");
  lua_pushinteger(L, s ? (lua_Integer)len : 0);
  int rc = lua_pcall(L, 2, 1, 0);
  mlsh_free(s);
  if (rc != LUA_OK) lua_error(L);
}

void mlsh_push_owned_string(lua_State *L, char *s) {
  mlsh_push_owned_lstring(L, s, s ? strlen(s) : 0);
}
