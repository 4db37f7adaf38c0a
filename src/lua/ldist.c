/* ldist.c - the `dist` module: MPI ranks from Lua (src/dist/). Under
 * mpirun MPI starts when the module opens; a plain run never loads it and
 * acts as rank 0 of 1 (every collective then returns its input). Values
 * are broadcast and gathered as strings that lua/mlsh/dist.lua encodes. */
#include <string.h>
#include "lmlsh.h"
#include "../core/alloc.h"
#include "../dist/dist.h"

static char start_error[512];   /* why MPI did not start under mpirun */

static void check_started(lua_State *L, const char *fname) {
  if (start_error[0]) mlsh_error(L, fname, "%s", start_error);
}

static int l_init(lua_State *L) {
  mlsh_err err;
  int rc = dist_init(&err);
  if (rc) return mlsh_fail(L, "dist.init", rc, &err);
  start_error[0] = 0;
  lua_pushinteger(L, dist_size());
  return 1;
}

static int l_active(lua_State *L) { lua_pushboolean(L, dist_active()); return 1; }
static int l_rank(lua_State *L) { check_started(L, "dist.rank"); lua_pushinteger(L, dist_rank()); return 1; }
static int l_size(lua_State *L) { check_started(L, "dist.size"); lua_pushinteger(L, dist_size()); return 1; }

static int l_barrier(lua_State *L) {
  mlsh_err err;
  check_started(L, "dist.barrier");
  int rc = dist_barrier(&err);
  return rc ? mlsh_fail(L, "dist.barrier", rc, &err) : 0;
}

static const char *const op_names[] = {"sum", "min", "max", "prod", NULL};

/* x: a number, a Matrix (a new Matrix back) or an array of numbers (an array back). */
static int l_allreduce(lua_State *L) {
  const char *fname = "dist.allreduce";
  check_started(L, fname);
  lua_settop(L, 2);
  int op = 0;
  if (!lua_isnil(L, 2)) {
    const char *name = mlsh_check_string(L, 2, fname, "op");
    while (op_names[op] && strcmp(op_names[op], name) != 0) op++;
    if (!op_names[op]) mlsh_error(L, fname, "argument 'op' must be \"sum\", \"min\", \"max\" or \"prod\" (got \"%s\")", name);
  }
  mlsh_err err;
  if (lua_type(L, 1) == LUA_TNUMBER) {
    double v = lua_tonumber(L, 1);
    int rc = dist_allreduce(&v, 1, (dist_op)op, &err);
    if (rc) return mlsh_fail(L, fname, rc, &err);
    lua_pushnumber(L, v);
    return 1;
  }
  int array = lua_istable(L, 1) && !lmat_test(L, 1);
  mlsh_mat *x = lmat_checklike(L, 1, fname, "x");
  mlsh_mat *out = lmat_push_new(L, x->rows, x->cols, fname);
  memcpy(out->data, x->data, MAT_LEN(x) * sizeof(double));
  int rc = dist_allreduce(out->data, MAT_LEN(out), (dist_op)op, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  if (!array) return 1;
  lua_createtable(L, (int)MAT_LEN(out), 0);
  for (size_t i = 0; i < MAT_LEN(out); i++) { lua_pushnumber(L, out->data[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
  return 1;
}

/* _bcast(s, root): root's string on every rank (others pass nil). */
static int l_bcast_string(lua_State *L) {
  const char *fname = "dist.bcast";
  check_started(L, fname);
  lua_Integer root = lua_isnoneornil(L, 2) ? 0 : mlsh_check_integer(L, 2, fname, "root");
  if (root < 0 || root >= dist_size()) mlsh_error(L, fname, "argument 'root' = %lld is not a rank (0..%d)", (long long)root, dist_size() - 1);
  size_t len = 0;
  const char *s = dist_rank() == root ? lua_tolstring(L, 1, &len) : NULL;
  double n = (double)len;
  mlsh_err err;
  int rc = dist_bcast(&n, sizeof n, (int)root, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  len = (size_t)n;
  char *buf = mlsh_scratch(L, len + 1, fname);
  if (s) memcpy(buf, s, len);
  if ((rc = dist_bcast(buf, len, (int)root, &err))) return mlsh_fail(L, fname, rc, &err);
  lua_pushlstring(L, buf, len);
  return 1;
}

/* _allgather(s): every rank's string, in rank order. */
static int l_allgather_string(lua_State *L) {
  const char *fname = "dist.allgather";
  check_started(L, fname);
  size_t len;
  mlsh_check_string(L, 1, fname, "s");
  const char *s = lua_tolstring(L, 1, &len);
  int size = dist_size();
  size_t *counts = mlsh_scratch(L, (size_t)size * sizeof(size_t), fname);
  mlsh_err err;
  int rc = dist_allgather(&len, sizeof len, counts, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  size_t total = 0;
  for (int r = 0; r < size; r++) total += counts[r];
  char *all = mlsh_scratch(L, total + 1, fname);
  if ((rc = dist_allgatherv(s, len, all, counts, &err))) return mlsh_fail(L, fname, rc, &err);
  lua_createtable(L, size, 0);
  for (int r = 0, off = 0; r < size; off += (int)counts[r], r++) {
    lua_pushlstring(L, all + off, counts[r]);
    lua_rawseti(L, -2, r + 1);
  }
  return 1;
}

/* _pack(m) -> rows, cols, bytes; _unpack(rows, cols, bytes) -> Matrix */
static int l_pack(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "dist.bcast", "value");
  lua_pushinteger(L, (lua_Integer)m->rows);
  lua_pushinteger(L, (lua_Integer)m->cols);
  lua_pushlstring(L, (const char *)m->data, MAT_LEN(m) * sizeof(double));
  return 3;
}

static int l_unpack(lua_State *L) {
  lua_Integer r = mlsh_check_integer(L, 1, "dist.bcast", "rows"), c = mlsh_check_integer(L, 2, "dist.bcast", "cols");
  size_t len;
  const char *s = luaL_checklstring(L, 3, &len);
  if (r < 0 || c < 0 || (size_t)r * (size_t)c * sizeof(double) != len) mlsh_error(L, "dist.bcast", "a damaged Matrix message");
  mlsh_mat *m = lmat_push_new(L, (size_t)r, (size_t)c, "dist.bcast");
  memcpy(m->data, s, len);
  return 1;
}

static int l_log(lua_State *L) {
  dist_log_row rows[DIST_NKINDS];
  dist_log_get(rows);
  lua_createtable(L, 0, DIST_NKINDS);
  for (int k = 0; k < DIST_NKINDS; k++) {
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)rows[k].calls); lua_setfield(L, -2, "calls");
    lua_pushnumber(L, rows[k].bytes); lua_setfield(L, -2, "bytes");
    lua_setfield(L, -2, dist_kind_names[k]);
  }
  return 1;
}

static int l_log_reset(lua_State *L) { dist_log_reset(); return 0; }

static const mlsh_Reg funcs[] = {
  {"init", l_init, "dist.init()",
   "Starts MPI when mlsh was not launched by mpirun (under mpirun it starts by itself); returns the number of\n"
   "ranks. A plain run never loads MPI: without it dist acts as rank 0 of 1.\nExample: dist.init()"},
  {"active", l_active, "dist.active()", "True when MPI is running (under mpirun, or after dist.init()).\nExample: if dist.active() then ... end"},
  {"rank", l_rank, "dist.rank()", "This process's rank, 0..size-1 (0 without MPI).\nExample: if dist.rank() == 0 then print(x) end"},
  {"size", l_size, "dist.size()", "The number of ranks (1 without MPI).\nExample: dist.size()"},
  {"barrier", l_barrier, "dist.barrier()", "Waits until every rank reaches it (sleeping, not spinning).\nExample: dist.barrier()"},
  {"allreduce", l_allreduce, "dist.allreduce(x [, op])",
   "x (a number, an array of numbers or a Matrix) combined over every rank with op: \"sum\" (default), \"min\",\n"
   "\"max\" or \"prod\"; every rank gets the result, of x's kind.\nExample: total = dist.allreduce(#rows)"},
  {"_bcast", l_bcast_string, "dist._bcast(s, root)", "Internal: a string from root to every rank (dist.bcast)."},
  {"_allgather", l_allgather_string, "dist._allgather(s)", "Internal: every rank's string (dist.allgather)."},
  {"_pack", l_pack, "dist._pack(m)", "Internal: a Matrix as rows, cols, bytes."},
  {"_unpack", l_unpack, "dist._unpack(rows, cols, bytes)", "Internal: a Matrix from _pack's parts."},
  {"log", l_log, "dist.log()",
   "Collectives since the start (or dist.log_reset()): for each kind (barrier, bcast, allreduce, allgather,\n"
   "allgatherv, shift: the ring steps of X:knn) its calls and the bytes this rank contributed, to check against dist.cost's model.\n"
   "Example: dist.log().allreduce.bytes"},
  {"log_reset", l_log_reset, "dist.log_reset()", "Zeroes dist.log()'s counters.\nExample: dist.log_reset()"},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_dist(lua_State *L) {
  mlsh_register(L, "dist", funcs);
  if (!dist_launched() || dist_active()) return;
  mlsh_err err;
  if (dist_init(&err)) snprintf(start_error, sizeof start_error, "launched by mpirun but MPI did not start: %.400s", err.msg);
}
