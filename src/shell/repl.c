/* repl.c - the interactive loop: readline with persistent history, the
 * "return <line>" trick to print expressions (as lua.c 5.4), multi-line
 * input on a ">>" prompt, `?name` for help, `_` for the last result. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <readline/readline.h>
#include <readline/history.h>
#include <lua.h>
#include <lauxlib.h>
#include "shell.h"
#include "../lua/lmlsh.h"

#define PROMPT "mlsh> "
#define PROMPT2 ">> "
#define HISTORY_MAX 2000

static volatile sig_atomic_t cancelled = 0;

/* Ctrl-C at the prompt: drop the current line (and any pending
 * multi-line input) and show a fresh prompt. */
static void on_prompt_sigint(int sig) {
  (void)sig;
  cancelled = 1;
  rl_replace_line("", 0);
  rl_set_prompt(PROMPT);
  if (write(STDOUT_FILENO, "\n", 1) < 0) { /* nothing to do */ }
  rl_on_new_line();
  rl_redisplay();
}

static char *history_path(void) {
  const char *home = getenv("HOME");
  static char path[4096];
  if (!home || !*home) return NULL;
  snprintf(path, sizeof path, "%s/.mlsh_history", home);
  return path;
}

static int is_incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    if (len >= 5 && strcmp(msg + len - 5, "<eof>") == 0) return 1;
  }
  return 0;
}

/* Compile `return <code>`; on failure leave nothing and return non-OK. */
static int try_return(lua_State *L, const char *code) {
  lua_pushfstring(L, "return %s;", code);
  int status = luaL_loadbuffer(L, lua_tostring(L, -1), lua_rawlen(L, -1), "=stdin");
  lua_remove(L, -2);
  if (status != LUA_OK) lua_pop(L, 1);
  return status;
}

static void print_results(lua_State *L, int n) {
  if (n <= 0) return;
  lua_pushvalue(L, -n);
  lua_setglobal(L, "_");
  lua_getglobal(L, "mlsh");
  lua_getfield(L, -1, "pretty");
  lua_getfield(L, -1, "show");
  lua_remove(L, -2);
  lua_remove(L, -2);
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 1);
    lua_getglobal(L, "print");
  }
  lua_insert(L, -(n + 1));
  int status = shell_docall(L, n, 0);
  shell_report(L, status, 0);
}

/* ?name -> help("name") */
static void run_help(lua_State *L, const char *name) {
  while (*name == ' ') name++;
  size_t n = strlen(name);
  while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == ';')) n--;
  lua_getglobal(L, "help");
  if (n) lua_pushlstring(L, name, n);
  int status = shell_docall(L, n ? 1 : 0, 0);
  shell_report(L, status, 0);
}

static void execute(lua_State *L, const char *code) {
  size_t len = strlen(code);
  while (len > 0 && (code[len - 1] == ' ' || code[len - 1] == '\t')) len--;
  int silent = len > 0 && code[len - 1] == ';';
  int top = lua_gettop(L);
  int status = try_return(L, code);
  if (status != LUA_OK) status = luaL_loadbuffer(L, code, strlen(code), "=stdin");
  if (status == LUA_OK) status = shell_docall(L, 0, LUA_MULTRET);
  if (status != LUA_OK) {
    shell_report(L, status, 0);
    lua_settop(L, top);
    return;
  }
  int n = lua_gettop(L) - top;
  if (silent) {
    if (n > 0) {
      lua_pushvalue(L, top + 1);
      lua_setglobal(L, "_");
    }
  } else {
    print_results(L, n);
  }
  lua_settop(L, top);
}

void shell_repl(lua_State *L) {
  char *hist = history_path();
  int tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  if (tty) {
    lua_getglobal(L, "mlsh");
    lua_getfield(L, -1, "version");
    printf("mlsh %s (%s) - machine-learning analysis shell\n", lua_tostring(L, -1), LUA_RELEASE);
    printf("help() lists modules, ?name shows one function; Tab completes; Ctrl-D quits.\n");
    lua_pop(L, 2);
  }
  using_history();
  stifle_history(HISTORY_MAX);
  if (hist && read_history(hist) != 0) write_history(hist);  /* create it: append_history needs a file */
  shell_complete_init(L);
  rl_catch_signals = 1;
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_prompt_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old);

  char *pending = NULL;   /* multi-line input so far */
  for (;;) {
    cancelled = 0;
    char *line = readline(pending ? PROMPT2 : PROMPT);
    if (!line) {            /* Ctrl-D */
      if (tty) printf("\n");
      break;
    }
    if (cancelled && pending) { free(pending); pending = NULL; }
    if (!pending && line[0] == '?') {
      add_history(line);
      run_help(L, line + 1);
      free(line);
      continue;
    }
    char *code;
    if (pending) {
      size_t n = strlen(pending) + strlen(line) + 2;
      code = malloc(n);
      if (!code) { free(line); break; }
      snprintf(code, n, "%s\n%s", pending, line);
      free(pending);
      pending = NULL;
    } else {
      code = strdup(line);
    }
    free(line);
    if (!code) break;
    if (code[strspn(code, " \t")] == 0) { free(code); continue; }
    /* Incomplete statement: keep reading on the ">>" prompt. */
    int top = lua_gettop(L);
    int st = try_return(L, code);
    if (st != LUA_OK) {
      st = luaL_loadbuffer(L, code, strlen(code), "=stdin");
      if (is_incomplete(L, st)) {
        lua_settop(L, top);
        pending = code;
        continue;
      }
    }
    lua_settop(L, top);
    /* One history entry per statement, multi-line ones joined. */
    add_history(code);
    if (hist) append_history(1, hist);
    execute(L, code);
    free(code);
    fflush(stdout);
  }
  free(pending);
  if (hist) history_truncate_file(hist, HISTORY_MAX);
  sigaction(SIGINT, &old, NULL);
}
