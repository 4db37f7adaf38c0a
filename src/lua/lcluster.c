/* lcluster.c - Lua binding for clustering (issue 3): not built yet. */
#include "lmlsh.h"

void mlsh_open_cluster(lua_State *L) {
  (void)L;
}
