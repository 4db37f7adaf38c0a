/* lparallel.c - mlsh.parallel_map: a Lua function over items in forked
 * worker processes (src/core/forkmap.h), as R's parallel::mclapply. Each
 * worker inherits the whole session (data, models, functions); results
 * come back serialized: nil, booleans, numbers, strings, Matrices and
 * tables of those. */
#include <stdlib.h>
#include <string.h>
#include "lmlsh.h"
#include "../core/alloc.h"
#include "../core/forkmap.h"
#include "../core/threads.h"
#include "../learn/serial.h"

#define FN "mlsh.parallel_map"
#define MAX_DEPTH 64
enum { T_NIL, T_FALSE, T_TRUE, T_INT, T_FLOAT, T_STR, T_TABLE, T_MATRIX };

/* Serialize the value at idx; returns NULL or the name of what cannot be sent. */
static const char *put_value(lua_State *L, int idx, ser_writer *w, int depth) {
  idx = lua_absindex(L, idx);
  mlsh_mat *m;
  switch (lua_type(L, idx)) {
  case LUA_TNIL: ser_u32(w, T_NIL); return NULL;
  case LUA_TBOOLEAN: ser_u32(w, lua_toboolean(L, idx) ? T_TRUE : T_FALSE); return NULL;
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) { ser_u32(w, T_INT); ser_u64(w, (uint64_t)lua_tointeger(L, idx)); }
    else { ser_u32(w, T_FLOAT); ser_f64(w, lua_tonumber(L, idx)); }
    return NULL;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    ser_u32(w, T_STR); ser_u64(w, len); ser_bytes(w, s, len);
    return NULL;
  }
  case LUA_TTABLE: {
    if (depth >= MAX_DEPTH) return "table nested too deeply (or a cycle)";
    luaL_checkstack(L, 4, FN);
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) { count++; lua_pop(L, 1); }
    ser_u32(w, T_TABLE); ser_u64(w, count);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      const char *bad = put_value(L, -2, w, depth + 1);
      if (!bad) bad = put_value(L, -1, w, depth + 1);
      if (bad) { lua_pop(L, 2); return bad; }
      lua_pop(L, 1);
    }
    return NULL;
  }
  default:
    if ((m = lmat_test(L, idx)) != NULL) {
      ser_u32(w, T_MATRIX); ser_u64(w, m->rows); ser_u64(w, m->cols);
      ser_f64s(w, m->data, MAT_LEN(m));
      return NULL;
    }
    return mlsh_typename(L, idx);
  }
}

/* Push the value read from r; on a malformed stream, r->failed. */
static void get_value(lua_State *L, ser_reader *r, int depth) {
  luaL_checkstack(L, 4, FN);
  uint32_t t = des_u32(r);
  switch (t) {
  case T_NIL: lua_pushnil(L); return;
  case T_FALSE: case T_TRUE: lua_pushboolean(L, t == T_TRUE); return;
  case T_INT: lua_pushinteger(L, (lua_Integer)des_u64(r)); return;
  case T_FLOAT: lua_pushnumber(L, des_f64(r)); return;
  case T_STR: {
    size_t len = des_count(r, 1);
    const unsigned char *s = des_bytes(r, len);
    lua_pushlstring(L, s ? (const char *)s : "", s ? len : 0);
    return;
  }
  case T_TABLE: {
    size_t count = des_count(r, 8);
    lua_createtable(L, 0, (int)(count < 1024 ? count : 1024));
    if (depth >= MAX_DEPTH) r->failed = 1;
    for (size_t i = 0; i < count && !r->failed && depth < MAX_DEPTH; i++) {
      get_value(L, r, depth + 1);
      get_value(L, r, depth + 1);
      if (lua_isnil(L, -2) || r->failed) lua_pop(L, 2);
      else lua_rawset(L, -3);
    }
    return;
  }
  case T_MATRIX: {
    size_t rows = des_count(r, 0), cols = des_count(r, 0);
    if (r->failed || (cols && rows > (r->len - r->pos) / 8 / cols)) { r->failed = 1; lua_pushnil(L); return; }
    mlsh_mat *m = lmat_push_new(L, rows, cols, FN);
    const unsigned char *b = des_bytes(r, rows * cols * 8);
    if (b && rows * cols != 0) memcpy(m->data, b, rows * cols * 8);
    return;
  }
  default: r->failed = 1; lua_pushnil(L); return;
  }
}

typedef struct { lua_State *L; int fn, items; } map_job;

/* In a worker: fn(item) -> serialized result, or the error message with status -1. */
static int run_item(void *ctx, size_t i, unsigned char **out, size_t *len) {
  map_job *J = ctx;
  lua_State *L = J->L;
  ser_writer w = {0};
  lua_pushvalue(L, J->fn);
  lua_geti(L, J->items, (lua_Integer)i + 1);
  int st = 0;
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    st = -1;
  } else {
    const char *bad = put_value(L, -1, &w, 0);
    if (bad) {
      ser_free(&w);
      lua_pushfstring(L, "its result holds a %s, which cannot be sent back from a worker process", bad);
      st = -1;
    }
  }
  if (st) {
    size_t n;
    const char *msg = lua_tolstring(L, -1, &n);
    if (!msg) msg = "error object is not a string", n = strlen(msg);
    ser_bytes(&w, msg, n);
  }
  lua_settop(L, J->items > J->fn ? J->items : J->fn);
  if (ser_take(&w, out, len)) return MLSH_ENOMEM;
  return st;
}

typedef struct { int workers; } pmap_args;
static const mlsh_opt pmap_opt[] = {
  MLSH_OPT_INT_PRESET(pmap_args, workers, "workers", "cores", 1, HUGE_VAL, "worker processes"),
  MLSH_OPT_END};
static const mlsh_optspec pmap_spec = {FN, pmap_opt};

static int l_parallel_map(lua_State *L) {
  if (lua_type(L, 2) != LUA_TFUNCTION) mlsh_error(L, FN, "argument 'fn' must be a function (got %s)", mlsh_typename(L, 2));
  pmap_args a = {mlsh_default_threads()};
  mlsh_opts(L, 3, &pmap_spec, &a);
  int workers = a.workers;
  /* Items: 1..n for a count, else the array's values. */
  size_t n;
  if (lua_isinteger(L, 1)) {
    lua_Integer c = lua_tointeger(L, 1);
    if (c < 0 || c > 1000000) mlsh_error(L, FN, "argument 'items' must be a count in 0..1000000 or an array (got %lld)", (long long)c);
    n = (size_t)c;
    lua_createtable(L, (int)n, 0);
    for (size_t i = 1; i <= n; i++) { lua_pushinteger(L, (lua_Integer)i); lua_rawseti(L, -2, (lua_Integer)i); }
    lua_replace(L, 1);
  } else if (lua_istable(L, 1)) {
    n = (size_t)luaL_len(L, 1);
  } else {
    return mlsh_error(L, FN, "argument 'items' must be a count or an array (got %s)", mlsh_typename(L, 1));
  }
  lua_settop(L, 2);
  lua_createtable(L, (int)n, 0);   /* results, index 3 */
  if (workers == 1 || n <= 1 || forkmap_in_worker()) {
    for (size_t i = 1; i <= n; i++) {
      lua_pushvalue(L, 2);
      lua_geti(L, 1, (lua_Integer)i);
      if (lua_pcall(L, 1, 1, 0) != LUA_OK)
        return mlsh_error(L, FN, "item %d: %s", (int)i, lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
      lua_rawseti(L, 3, (lua_Integer)i);
    }
    return 1;
  }
  unsigned char **res = mlsh_calloc(n, sizeof(*res));
  size_t *lens = mlsh_calloc(n, sizeof(size_t));
  int *st = mlsh_calloc(n, sizeof(int));
  if (!res || !lens || !st) { mlsh_free(res); mlsh_free(lens); mlsh_free(st); return mlsh_error(L, FN, "not enough memory"); }
  /* Share the cores: each worker gets cores / workers threads (at least 1). */
  int per = mlsh_default_threads() / workers;
  char old_env[32] = "";
  const char *e = getenv("MLSH_THREADS");
  if (e) snprintf(old_env, sizeof old_env, "%s", e);
  char buf[16];
  snprintf(buf, sizeof buf, "%d", per < 1 ? 1 : per);
  setenv("MLSH_THREADS", buf, 1);
  int blas = mlsh_blas_threads();
  mlsh_blas_set_threads(per < 1 ? 1 : per);
  map_job J = {L, 2, 1};
  mlsh_err err = {0};
  int rc = forkmap_run(n, workers, run_item, &J, res, lens, st, &err);
  mlsh_blas_set_threads(blas);
  if (e) setenv("MLSH_THREADS", old_env, 1); else unsetenv("MLSH_THREADS");
  /* Results in order; the first failed item's message is the error. */
  int bad = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    ser_reader r = {res[i], lens[i], 0, 0};
    if (st[i]) {
      if (!bad) {
        bad = 1;
        lua_pushfstring(L, "%s: item %d: ", FN, (int)i + 1);
        lua_pushlstring(L, (const char *)res[i], lens[i]);
        lua_concat(L, 2);
        lua_replace(L, 1);
      }
      continue;
    }
    get_value(L, &r, 0);
    if (r.failed) { lua_pop(L, 1); rc = MLSH_EIO; mlsh_seterr(&err, rc, "item %d: its result came back garbled", (int)i + 1); break; }
    lua_rawseti(L, 3, (lua_Integer)i + 1);
  }
  for (size_t i = 0; i < n; i++) mlsh_free(res[i]);
  mlsh_free(res); mlsh_free(lens); mlsh_free(st);
  if (rc) return mlsh_fail(L, FN, rc, &err);
  if (bad) { lua_settop(L, 1); return lua_error(L); }
  lua_settop(L, 3);
  return 1;
}

static int l_cores(lua_State *L) {
  lua_pushinteger(L, mlsh_default_threads());
  return 1;
}

static int l_blas_core(lua_State *L) {
  lua_pushstring(L, mlsh_blas_core());
  return 1;
}

static const mlsh_Reg parallel_funcs[] = {
  {"blas_core", l_blas_core, "mlsh.blas_core()",
   "The kernel set OpenBLAS runs on this CPU (\"SkylakeX\", \"Haswell\", ...). Where Debian's OpenBLAS does not know "
   "the CPU and falls back to its generic \"Prescott\" kernels, mlsh starts it with the set the CPU's features allow "
   "(OPENBLAS_CORETYPE; a value you set yourself is kept).\n"
   "Example: print(mlsh.blas_core())"},
  {"cores", l_cores, "mlsh.cores()",
   "The number of threads mlsh uses by default: $MLSH_THREADS, else the online CPUs (the default of every "
   "threads= and workers= option).\n"
   "Example: local g = learn.grid_search(make, grid, X, y, {workers = mlsh.cores()})"},
  {"parallel_map", l_parallel_map, "mlsh.parallel_map(items, fn [, opts])",
   "Call fn(item) for each item in forked worker processes (as R's parallel::mclapply) and return the "
   "results in order. items: a count n (items 1..n) or an array; a free worker takes the next item (put long "
   "ones first). workers = 1 runs here, in order. Each worker starts as a copy of "
   "the session, so fn sees every variable, and gets cores/workers threads for its own work; results come back serialized (nil, booleans, numbers, "
   "strings, Matrices and tables of them). An error in fn names the item; Ctrl-C stops every worker.\n"
   "Example: local acc = mlsh.parallel_map(10, function(seed) return fit_and_score(seed) end)", &pmap_spec},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_parallel(lua_State *L) {
  mlsh_register(L, "mlsh", parallel_funcs);
}
