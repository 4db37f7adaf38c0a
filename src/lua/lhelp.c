/* lhelp.c - access to the documentation registry for lua/mlsh/help.lua,
 * and mlsh.doc() so that Lua-side helpers document what they define. */
#include <ctype.h>
#include <string.h>
#include "lmlsh.h"

static int l_docs(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "mlsh.docs");
  lua_getfield(L, LUA_REGISTRYINDEX, "mlsh.docnames");
  lua_getfield(L, LUA_REGISTRYINDEX, "mlsh.modules");
  return 3;
}

/* The short name of "mod.func" or "Class:method". */
static const char *short_name(const char *name) {
  const char *p = strrchr(name, '.'), *q = strrchr(name, ':');
  if (q > p) p = q;
  return p ? p + 1 : name;
}

/* The message past a leading API name ("DataFrame:count: ", "stats.lm: "):
 * the outer function names itself instead, once. */
static const char *past_api_name(const char *msg) {
  const char *p = msg;
  int dots = 0;
  if (!(isalpha((unsigned char)*p) || *p == '_')) return msg;
  for (; isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == ':'; p++) {
    if ((*p == '.' || *p == ':') && p[1] != ' ') dots++;
    if (*p == ':' && p[1] == ' ') break;
  }
  return dots && p[0] == ':' && p[1] == ' ' ? p + 2 : msg;
}

/* Registry: {msg =, frames =} of the error being raised through named
 * functions. The innermost handler still sees the whole stack (where the
 * error happened, then the wrappers' pcalls): its traceback is kept so
 * that the shell's handler (src/shell/run.c) shows it instead of the
 * shorter one it sees after the wrappers unwound. */
#define ERROR_TRACE_KEY "mlsh.error_trace"

static void keep_trace(lua_State *L, int msg, int named) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, ERROR_TRACE_KEY) == LUA_TTABLE) {
    lua_getfield(L, -1, "msg");
    int same = lua_rawequal(L, -1, msg);   /* an outer wrapper: the same error */
    lua_pop(L, 1);
    if (same) {
      lua_pushvalue(L, named);
      lua_setfield(L, -2, "msg");
      lua_pop(L, 1);
      return;
    }
  }
  lua_pop(L, 1);
  lua_createtable(L, 0, 2);
  lua_pushvalue(L, named);
  lua_setfield(L, -2, "msg");
  luaL_traceback(L, L, NULL, 1);   /* from where the error was raised */
  lua_setfield(L, -2, "frames");
  lua_setfield(L, LUA_REGISTRYINDEX, ERROR_TRACE_KEY);
}

/* Message handler of a named Lua function: an error that does not name
 * the function (a runtime error deep in a helper, say) gets its name in
 * front, so every error of the public API says where it came from. */
static int named_msgh(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  const char *name = lua_tostring(L, lua_upvalueindex(1));
  if (msg && !strstr(msg, short_name(name)) && strcmp(msg, "interrupted") != 0)
    lua_pushfstring(L, "%s: %s", name, past_api_name(msg));
  else
    lua_pushvalue(L, 1);
  if (lua_type(L, 1) == LUA_TSTRING) keep_trace(L, 1, lua_gettop(L));
  return 1;
}

static int named_call(lua_State *L) {
  int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(2));   /* message handler */
  lua_pushvalue(L, lua_upvalueindex(1));   /* the function */
  lua_rotate(L, 1, 2);
  if (lua_pcall(L, n, LUA_MULTRET, 1) != LUA_OK) return lua_error(L);
  return lua_gettop(L) - 1;
}

static int l_doc(lua_State *L) {
  luaL_checkany(L, 1);
  const char *name = luaL_checkstring(L, 2);
  const char *usage = luaL_optstring(L, 3, name);
  const char *doc = luaL_optstring(L, 4, "");
  lua_settop(L, 4);
  if (lua_type(L, 1) == LUA_TFUNCTION && !lua_iscfunction(L, 1) && (strchr(name, '.') || strchr(name, ':'))) {
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, named_msgh, 1);
    lua_pushcclosure(L, named_call, 2);
    lua_replace(L, 1);
  }
  mlsh_doc_value(L, 1, name, usage, doc);
  lua_settop(L, 1);
  return 1;
}

static const mlsh_Reg help_funcs[] = {
  {"_docs", l_docs, "mlsh._docs()", "Internal: the documentation tables (by value, by name, modules)."},
  {"doc", l_doc, "mlsh.doc(value, name [, usage [, text]])",
   "Records documentation for a value so that help(value) and ?name show it. A Lua function is returned\n"
   "wrapped so that its errors name it (\"mod.f: ...\"); C functions are returned as they are.\n"
   "Returns value, so a definition can be wrapped: M.f = mlsh.doc(function ... end, \"mod.f\", \"mod.f(x)\", \"...\").\n"
   "Example: mlsh.doc(myfun, \"myfun\", \"myfun(x)\", \"Doubles x.\")"},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_help(lua_State *L) {
  mlsh_register(L, "mlsh", help_funcs);
}
