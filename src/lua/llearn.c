/* llearn.c - Lua binding for classifiers (issue 7): not built yet. */
#include "lmlsh.h"

void mlsh_open_learn(lua_State *L) {
  (void)L;
}
