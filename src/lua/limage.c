/* limage.c - Lua binding for image loading (issue 6): not built yet. */
#include "lmlsh.h"

void mlsh_open_image(lua_State *L) {
  (void)L;
}
