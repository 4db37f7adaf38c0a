/* run.c - running chunks in the shell (see run.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include "run.h"
#include "chunk.h"
#include "../core/interrupt.h"

static lua_State *global_L = NULL;
static volatile sig_atomic_t sigint_seen = 0;

/* Ctrl-C while Lua runs: a hook stops Lua code at the next instruction;
 * C loops see mlsh_interrupted(). lua_sethook is async-signal-safe. */
static void stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  mlsh_interrupt_clear();
  luaL_error(L, "interrupted");
}

static void on_sigint(int sig) {
  (void)sig;
  sigint_seen = 1;
  mlsh_interrupt_raise();
  if (global_L) lua_sethook(global_L, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* Registry key of the traceback kept by named Lua functions' message
 * handler (src/lua/lhelp.c): the whole stack where the error happened. */
#define ERROR_TRACE_KEY "mlsh.error_trace"

static void forget_trace(lua_State *L) {
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, ERROR_TRACE_KEY);
}

/* The traceback kept for this very error message, if any, is pushed. */
static int kept_trace(lua_State *L, int msg) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, ERROR_TRACE_KEY) == LUA_TTABLE) {
    lua_getfield(L, -1, "msg");
    if (lua_rawequal(L, -1, msg) && lua_getfield(L, -2, "frames") == LUA_TSTRING) {
      lua_pushfstring(L, "%s\n%s", lua_tostring(L, msg), lua_tostring(L, -1));
      forget_trace(L);
      return 1;
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return 0;
}

static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  } else if (lua_type(L, 1) == LUA_TSTRING && kept_trace(L, 1)) {
    return 1;
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int shell_docall(lua_State *L, int nargs, int nresults) {
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  global_L = L;
  sigint_seen = 0;
  forget_trace(L);
  mlsh_interrupt_clear();
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old);
  int status = lua_pcall(L, nargs, nresults, base);
  sigaction(SIGINT, &old, NULL);
  lua_sethook(L, NULL, 0, 0);
  mlsh_interrupt_clear();
  lua_remove(L, base);
  return status;
}

int shell_interrupted(void) {
  return sigint_seen;
}

void shell_push_mlsh(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_getfield(L, -1, "mlsh");
  lua_remove(L, -2);
}

/* Keep the message (with its traceback) of a run-time error for traceback(). */
static void keep_error(lua_State *L) {
  shell_push_mlsh(L);
  if (lua_istable(L, -1)) {
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "_last_error");
  }
  lua_pop(L, 1);
}

void shell_report(lua_State *L, int status, int with_traceback) {
  if (status == LUA_OK) return;
  const char *msg = lua_tostring(L, -1);
  if (!msg) msg = "(error object is not a string)";
  else if (status != LUA_ERRSYNTAX) keep_error(L);
  const char *tb = with_traceback ? NULL : strstr(msg, "\nstack traceback:");
  if (tb) fprintf(stderr, "mlsh: %.*s\n", (int)(tb - msg), msg);
  else fprintf(stderr, "mlsh: %s\n", msg);
  fflush(stderr);
  lua_pop(L, 1);
}

/* ---- REPL input ---- */

/* Source given to lua_load in pieces, so that the input is never copied
 * to put something around it. */
typedef struct pieces {
  const char *part[4];
  size_t len[4];
  int next;
} pieces;

static const char *read_pieces(lua_State *L, void *ud, size_t *size) {
  (void)L;
  pieces *p = ud;
  while (p->next < 4) {
    int k = p->next++;
    if (p->len[k]) { *size = p->len[k]; return p->part[k]; }
  }
  *size = 0;
  return NULL;
}

/* `return <values>` that is no tail call, so that a traceback keeps the
 * input's "main chunk" frame: the values go through an identity function
 * (the newline ends a comment at the end of the input). */
static const char RETURN_OPEN[] = " return (function(...) return ... end)(";
static const char RETURN_CLOSE[] = "\n)";

/* Compile `<head> return <values>` (head may be empty). */
static int load_return(lua_State *L, const char *head, size_t hlen, const char *values, size_t vlen) {
  pieces p = {{head, RETURN_OPEN, values, RETURN_CLOSE},
              {hlen, sizeof RETURN_OPEN - 1, vlen, sizeof RETURN_CLOSE - 1}, 0};
  return lua_load(L, read_pieces, &p, "=stdin", "t");
}

static int load_statements(lua_State *L, const char *code, size_t len) {
  pieces p = {{code}, {len}, 0};
  return lua_load(L, read_pieces, &p, "=stdin", "t");
}

/* Does `<head> return <tail>` compile, with the tail starting at byte at?
 * Then its function is pushed. The tail alone is tried first: it fails
 * fast (at its first statement boundary), the whole input is compiled
 * only for the few tails that are expressions. */
static int try_split(lua_State *L, const char *code, size_t len, size_t at) {
  if (load_return(L, NULL, 0, code + at, len - at) != LUA_OK) { lua_pop(L, 1); return 0; }
  lua_pop(L, 1);
  if (load_return(L, code, at, code + at, len - at) != LUA_OK) { lua_pop(L, 1); return 0; }
  return 1;
}

/* Find the final expression of the input: the earliest top-level token
 * where a tail that is an expression starts after statements (the
 * longest such tail: `f() - 1` rather than `- 1`). When the input
 * compiles as statements already (calls_only), the tail must be a call
 * statement at a real boundary: it starts with a name (a name cannot
 * continue the expression before it) or follows a ';' (`a = b (f)(x)` is
 * one call to Lua). */
static int split_final_expression(lua_State *L, const char *code, size_t len, const chunk_scan *s, int calls_only) {
  for (size_t k = 1; k < s->n; k++) {
    const chunk_token *t = &s->tok[k];
    if (t->depth != 0) continue;
    if (calls_only && t->kind != TOK_NAME && s->tok[k - 1].kind != ';') continue;
    if (try_split(L, code, len, t->at)) return 1;
  }
  return 0;
}

/* A call statement ends with ')', a string or a table constructor. */
static int may_end_in_call(const chunk_scan *s) {
  if (s->n == 0) return 0;
  int kind = s->tok[s->n - 1].kind;
  return kind == ')' || kind == '}' || kind == TOK_STRING;
}

/* A syntax error at the end of the input: more lines may complete it. */
static int at_eof(lua_State *L) {
  size_t n;
  const char *msg = lua_tolstring(L, -1, &n);
  return msg && n >= 5 && strcmp(msg + n - 5, "<eof>") == 0;
}

int shell_compile(lua_State *L, const char *code, size_t len, int *silent) {
  chunk_scan s;
  *silent = 0;
  if (chunk_scan_code(code, len, &s) != 0) s.n = 0;   /* out of memory: no split, no ';' */
  if (s.n > 0 && s.tok[s.n - 1].kind == ';') {
    *silent = 1;
    len = s.tok[--s.n].at;
  }
  int status = load_return(L, NULL, 0, code, len);
  if (status != LUA_OK) {
    lua_pop(L, 1);
    status = load_statements(L, code, len);
    if (status == LUA_OK) {
      if (may_end_in_call(&s) && split_final_expression(L, code, len, &s, 1)) lua_remove(L, -2);
    } else if (split_final_expression(L, code, len, &s, 0)) {
      lua_remove(L, -2);
      status = LUA_OK;
    } else if (status == LUA_ERRSYNTAX && at_eof(L)) {
      lua_pop(L, 1);
      status = SHELL_INCOMPLETE;
    }
  }
  chunk_scan_free(&s);
  return status;
}

/* Print the n values on top through mlsh.pretty.show (else print). */
static void print_values(lua_State *L, int n) {
  shell_push_mlsh(L);
  lua_getfield(L, -1, "pretty");
  lua_remove(L, -2);
  if (lua_istable(L, -1)) lua_getfield(L, -1, "show");
  else lua_pushnil(L);
  lua_remove(L, -2);
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 1);
    lua_getglobal(L, "print");
  }
  lua_insert(L, -(n + 1));
  int status = shell_docall(L, n, 0);
  shell_report(L, status, 0);
}

void shell_run_print(lua_State *L, int silent) {
  int top = lua_gettop(L) - 1;
  int status = shell_docall(L, 0, LUA_MULTRET);
  if (status != LUA_OK) {
    shell_report(L, status, 0);
    lua_settop(L, top);
    return;
  }
  int n = lua_gettop(L) - top;
  if (n > 0) {
    lua_pushvalue(L, top + 1);
    lua_setglobal(L, "_");
    if (!silent) print_values(L, n);
  }
  lua_settop(L, top);
}
