/* ldebug.c - process-level helpers in the mlsh table: a wall clock for
 * timings, the terminal's size for printers that fit it, and hooks for the reliability tests (make the N-th core
 * allocation fail, count allocations, raise the interrupt flag as Ctrl-C
 * would; internal, underscore names). */
#include <time.h>
#include "lmlsh.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/term.h"

static int l_fail_alloc(lua_State *L) {
  mlsh_alloc_fail_after((long)luaL_checkinteger(L, 1));
  return 0;
}

static int l_alloc_count(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)mlsh_alloc_count());
  return 1;
}

/* The Lua allocator itself failing from the n-th allocation from now on
 * (Lua's testes/memerr.lua: Lua retries a failed allocation after a full
 * collection, so a single failure would go unseen) until the test disarms
 * it: every binding must then raise a clean error and leak nothing. One
 * state per process, so one wrapper. */
static struct {
  lua_Alloc base;
  void *ud;
  long countdown;     /* > 0: allocations until the failing ones */
  int failing;
  long count;         /* allocations (and growths) seen */
} lua_fail;

static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  if (nsize > 0 && (ptr == NULL || nsize > osize)) {
    lua_fail.count++;
    if (lua_fail.countdown > 0 && --lua_fail.countdown == 0) lua_fail.failing = 1;
    if (lua_fail.failing) return NULL;
  }
  return lua_fail.base(lua_fail.ud, ptr, osize, nsize);
}

/* mlsh._fail_lua_alloc(n) -> allocations counted so far (n = 0: none fails) */
static int l_fail_lua_alloc(lua_State *L) {
  lua_Integer n = mlsh_check_integer(L, 1, "mlsh._fail_lua_alloc", "n");
  void *ud;
  lua_Alloc f = lua_getallocf(L, &ud);
  if (f != failing_alloc) {
    lua_fail.base = f;
    lua_fail.ud = ud;
    lua_setallocf(L, failing_alloc, NULL);
  }
  lua_pushinteger(L, (lua_Integer)lua_fail.count);
  lua_fail.countdown = n > 0 ? (long)n : 0;
  lua_fail.failing = 0;
  return 1;
}

static int l_interrupt(lua_State *L) {
  mlsh_interrupt_raise();
  return 0;
}

static int l_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (double)ts.tv_sec + ts.tv_nsec * 1e-9);
  return 1;
}

static int l_terminal(lua_State *L) {
  mlsh_term t;
  mlsh_term_query(&t);
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, t.cols); lua_setfield(L, -2, "cols");
  lua_pushinteger(L, t.rows); lua_setfield(L, -2, "rows");
  lua_pushboolean(L, t.tty); lua_setfield(L, -2, "tty");
  lua_pushinteger(L, t.color); lua_setfield(L, -2, "color");
  lua_pushboolean(L, t.unicode); lua_setfield(L, -2, "unicode");
  return 1;
}

static const mlsh_Reg debug_funcs[] = {
  {"terminal", l_terminal, "mlsh.terminal()",
   "What stdout shows: {cols, rows, tty, color, unicode}. cols x rows is the window's size on a terminal,\n"
   "else $COLUMNS x $LINES, else 80 x 24; color is 0 (none: a pipe, NO_COLOR), 1 (256) or 2 (truecolor);\n"
   "unicode is false with MLSH_ASCII=1.\nExample: local width = mlsh.terminal().cols"},
  {"clock", l_clock, "mlsh.clock()",
   "Wall-clock seconds from a monotonic clock (os.clock counts CPU time of all threads instead).\n"
   "Example: local t = mlsh.clock(); cluster.kmeans(X, 3); print(mlsh.clock() - t)"},
  {"_fail_alloc", l_fail_alloc, "mlsh._fail_alloc(n)", "Testing: the n-th core allocation from now fails (0: none)."},
  {"_alloc_count", l_alloc_count, "mlsh._alloc_count()", "Testing: core allocations so far."},
  {"_fail_lua_alloc", l_fail_lua_alloc, "mlsh._fail_lua_alloc(n)",
   "Testing: Lua's own allocator fails from the n-th allocation from now on, until called again (0: none fails);\n"
   "returns the count of allocations so far."},
  {"_interrupt", l_interrupt, "mlsh._interrupt()", "Testing: set the Ctrl-C flag, as the SIGINT handler does."},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_debug(lua_State *L) {
  mlsh_register(L, "mlsh", debug_funcs);
}
