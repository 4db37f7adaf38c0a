/* ldebug.c - hooks for the reliability tests: make the N-th core
 * allocation fail, count allocations, raise the interrupt flag as Ctrl-C
 * would. Internal (underscore names), registered in the mlsh table. */
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

static const mlsh_Reg debug_funcs[] = {
  {"_fail_alloc", l_fail_alloc, "mlsh._fail_alloc(n)", "Testing: the n-th core allocation from now fails (0: none)."},
  {"_alloc_count", l_alloc_count, "mlsh._alloc_count()", "Testing: core allocations so far."},
  {"_interrupt", l_interrupt, "mlsh._interrupt()", "Testing: set the Ctrl-C flag, as the SIGINT handler does."},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_debug(lua_State *L) {
  mlsh_register(L, "mlsh", debug_funcs);
}
