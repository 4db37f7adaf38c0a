/* lnn.c - Lua binding for CNN engine (issue 6): not built yet. */
#include "lmlsh.h"

void mlsh_open_nn(lua_State *L) {
  (void)L;
}
