/* repl.c - the interactive loop: readline with persistent history,
 * values of expressions printed (run.c), multi-line input on a ">>"
 * prompt (Ctrl-D there cancels it, as in R), `?name` for help, `??word`
 * to search the documentation, `_` for the last result. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <readline/readline.h>
#include <readline/history.h>
#include <lua.h>
#include <lauxlib.h>
#include "run.h"
#include "shell.h"

#define PROMPT "mlsh> "
#define PROMPT2 ">> "
#define HISTORY_MAX 2000

static volatile sig_atomic_t cancelled = 0;
void (*shell_chunk_hook)(lua_State *L, const char *code, int after);

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

/* ?name -> mlsh.help("name"), ??word -> mlsh.apropos("word"): mlsh's own
 * functions, so that a global named help does not hide them. */
static void run_help(lua_State *L, const char *arg) {
  const char *fn = "help";
  if (*arg == '?') { fn = "apropos"; arg++; }
  while (*arg == ' ' || *arg == '\t') arg++;
  size_t n = strlen(arg);
  while (n > 0 && strchr(" \t;", arg[n - 1])) n--;
  shell_push_mlsh(L);
  lua_getfield(L, -1, fn);
  lua_remove(L, -2);
  if (n) lua_pushlstring(L, arg, n);
  int status = shell_docall(L, n ? 1 : 0, 0);
  shell_report(L, status, 0);
}

/* Input ends in the middle of a statement: say so as Lua does. */
static void report_unfinished(lua_State *L, const char *code) {
  int status = luaL_loadbuffer(L, code, strlen(code), "=stdin");
  if (status == LUA_OK) lua_pop(L, 1);
  else shell_report(L, status, 0);
}

void shell_repl(lua_State *L) {
  char *hist = history_path();
  int tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  if (tty) {
    shell_push_mlsh(L);
    lua_getfield(L, -1, "version");
    printf("mlsh %s (%s) - machine-learning analysis shell\n", lua_tostring(L, -1), LUA_RELEASE);
    printf("help(): the modules  ?name: a function  ??word: search\n"
           "ls(): your variables  Tab completes  Ctrl-D quits\n");
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
    if (!line && pending) {
      if (isatty(STDIN_FILENO)) {   /* Ctrl-D on ">>": drop the block, as R */
        free(pending);
        pending = NULL;
        continue;
      }
      report_unfinished(L, pending);
    }
    if (!line) {            /* Ctrl-D */
      if (tty) printf("\n");
      break;
    }
    if (cancelled && pending) { free(pending); pending = NULL; }
    if (!pending && line[0] == '?') {
      add_history(line);
      if (hist) append_history(1, hist);
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
    int silent;
    int status = shell_compile(L, code, strlen(code), &silent);
    if (status == SHELL_INCOMPLETE) {   /* keep reading on the ">>" prompt */
      pending = code;
      continue;
    }
    /* One history entry per statement, multi-line ones joined. */
    add_history(code);
    if (hist) append_history(1, hist);
    if (status == LUA_OK && shell_chunk_hook) shell_chunk_hook(L, code, 0);
    if (status == LUA_OK) shell_run_print(L, silent);
    else shell_report(L, status, 0);
    if (status == LUA_OK && shell_chunk_hook) shell_chunk_hook(L, code, 1);
    free(code);
    fflush(stdout);
    malloc_trim(0);   /* the heap keeps freed blocks for reuse within a command, not while idle */
  }
  free(pending);
  if (hist) history_truncate_file(hist, HISTORY_MAX);
  sigaction(SIGINT, &old, NULL);
}
