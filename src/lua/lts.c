/* lts.c - Lua binding for time series (issue 5): not built yet. */
#include "lmlsh.h"

void mlsh_open_ts(lua_State *L) {
  (void)L;
}
