/* lplot.c - Lua binding for charts (issue 4): not built yet. */
#include "lmlsh.h"

void mlsh_open_plot(lua_State *L) {
  (void)L;
}
