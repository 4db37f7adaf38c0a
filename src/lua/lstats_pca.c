/* lstats_pca.c - Lua binding for PCA (issue 3): not built yet. */
#include "lmlsh.h"

void mlsh_open_stats_pca(lua_State *L) {
  (void)L;
}
