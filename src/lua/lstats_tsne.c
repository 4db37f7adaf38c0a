/* lstats_tsne.c - Lua binding for t-SNE (issue 7): not built yet. */
#include "lmlsh.h"

void mlsh_open_stats_tsne(lua_State *L) {
  (void)L;
}
