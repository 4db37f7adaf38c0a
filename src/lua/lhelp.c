/* lhelp.c - access to the documentation registry for lua/mlsh/help.lua,
 * and mlsh.doc() so that Lua-side helpers document what they define. */
#include "lmlsh.h"

static int l_docs(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "mlsh.docs");
  lua_getfield(L, LUA_REGISTRYINDEX, "mlsh.docnames");
  lua_getfield(L, LUA_REGISTRYINDEX, "mlsh.modules");
  return 3;
}

static int l_doc(lua_State *L) {
  luaL_checkany(L, 1);
  const char *name = luaL_checkstring(L, 2);
  const char *usage = luaL_optstring(L, 3, name);
  const char *doc = luaL_optstring(L, 4, "");
  mlsh_doc_value(L, 1, name, usage, doc);
  lua_settop(L, 1);
  return 1;
}

static const mlsh_Reg help_funcs[] = {
  {"_docs", l_docs, "mlsh._docs()", "Internal: the documentation tables (by value, by name, modules)."},
  {"doc", l_doc, "mlsh.doc(value, name [, usage [, text]])",
   "Records documentation for a value so that help(value) and ?name show it.\n"
   "Returns value, so a definition can be wrapped: M.f = mlsh.doc(function ... end, \"mod.f\", \"mod.f(x)\", \"...\").\n"
   "Example: mlsh.doc(myfun, \"myfun\", \"myfun(x)\", \"Doubles x.\")"},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_help(lua_State *L) {
  mlsh_register(L, "mlsh", help_funcs);
}
