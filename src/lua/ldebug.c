/* ldebug.c - process-level helpers in the mlsh table: a wall clock for
 * timings, and hooks for the reliability tests (make the N-th core
 * allocation fail, count allocations, raise the interrupt flag as Ctrl-C
 * would; internal, underscore names). */
#include <time.h>
#include "lmlsh.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

static int l_fail_alloc(lua_State *L) {
  mlsh_alloc_fail_after((long)luaL_checkinteger(L, 1));
  return 0;
}

static int l_alloc_count(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)mlsh_alloc_count());
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

static const mlsh_Reg debug_funcs[] = {
  {"clock", l_clock, "mlsh.clock()",
   "Wall-clock seconds from a monotonic clock (os.clock counts CPU time of all threads instead).\n"
   "Example: local t = mlsh.clock(); cluster.kmeans(X, 3); print(mlsh.clock() - t)"},
  {"_fail_alloc", l_fail_alloc, "mlsh._fail_alloc(n)", "Testing: the n-th core allocation from now fails (0: none)."},
  {"_alloc_count", l_alloc_count, "mlsh._alloc_count()", "Testing: core allocations so far."},
  {"_interrupt", l_interrupt, "mlsh._interrupt()", "Testing: set the Ctrl-C flag, as the SIGINT handler does."},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_debug(lua_State *L) {
  mlsh_register(L, "mlsh", debug_funcs);
}
