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
  {"_interrupt", l_interrupt, "mlsh._interrupt()", "Testing: set the Ctrl-C flag, as the SIGINT handler does."},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_debug(lua_State *L) {
  mlsh_register(L, "mlsh", debug_funcs);
}
