/* main.c - the mlsh program: options, scripts, and the Lua state with
 * every module opened as globals. Modelled on lua.c. */
#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "shell.h"
#include "../lua/lmlsh.h"
#include "../core/interrupt.h"

static lua_State *global_L = NULL;

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
  mlsh_interrupt_raise();
  if (global_L) lua_sethook(global_L, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int shell_docall(lua_State *L, int nargs, int nresults) {
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  global_L = L;
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

void shell_report(lua_State *L, int status, int with_traceback) {
  if (status == LUA_OK) return;
  const char *msg = lua_tostring(L, -1);
  if (!msg) msg = "(error object is not a string)";
  if (!with_traceback) {
    const char *tb = strstr(msg, "\nstack traceback:");
    if (tb) {
      fprintf(stderr, "mlsh: %.*s\n", (int)(tb - msg), msg);
      lua_pop(L, 1);
      return;
    }
  }
  fprintf(stderr, "mlsh: %s\n", msg);
  fflush(stderr);
  lua_pop(L, 1);
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: mlsh [options] [script [args]]\n"
          "  -e code   run code (may be repeated)\n"
          "  -i        enter interactive mode after running the script\n"
          "  -v        print the version and exit\n"
          "  -h        this help\n"
          "  -         read the script from standard input\n"
          "With no script: interactive when standard input is a terminal, else the script is read from it.\n");
}

/* Open every module: `mlsh` in package.loaded and each module as a global. */
static int open_mlsh(lua_State *L) {
  luaL_openlibs(L);
  luaL_requiref(L, "mlsh", luaopen_mlsh, 0);
  static const char *const globals[] = {"mat", "data", "stats", "cluster", "ts", "learn", "nn", "image", "plot", "help", NULL};
  for (int i = 0; globals[i]; i++) {
    lua_getfield(L, -1, globals[i]);
    lua_setglobal(L, globals[i]);
  }
  lua_setglobal(L, "mlsh");
  return 0;
}

/* arg table as lua.c: arg[0] = script, arg[1..] its arguments, negative = options. */
static void create_arg_table(lua_State *L, char **argv, int argc, int script) {
  lua_createtable(L, argc - script, script + 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

static int run_script(lua_State *L, const char *path, char **argv, int argc, int first_arg) {
  int status = path && strcmp(path, "-") != 0 ? luaL_loadfile(L, path) : luaL_loadfile(L, NULL);
  if (status == LUA_OK) {
    int n = 0;
    for (int i = first_arg; i < argc; i++, n++) lua_pushstring(L, argv[i]);
    status = shell_docall(L, n, 0);
  }
  shell_report(L, status, 1);
  return status == LUA_OK;
}

static int run_string(lua_State *L, const char *code) {
  int status = luaL_loadbuffer(L, code, strlen(code), "=(command line)");
  if (status == LUA_OK) status = shell_docall(L, 0, 0);
  shell_report(L, status, 1);
  return status == LUA_OK;
}

int main(int argc, char **argv) {
  /* OpenBLAS's idle threads spin (sched_yield) for ~2^28 cycles after each
   * call, stealing one of few cores from our own worker threads (a quarter
   * of an SVM grid search's CPU time). The limit is read once, when the
   * library loads: set it and start again. */
  const char *preload = getenv("LD_PRELOAD");   /* valgrind cannot follow /proc/self/exe */
  if (!getenv("OPENBLAS_THREAD_TIMEOUT") && !(preload && strstr(preload, "vgpreload"))) {
    setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
    execv("/proc/self/exe", argv);   /* on failure, go on as we are */
  }
  /* Keep freed memory for reuse: fits and predictions allocate the same
   * tens of MB again and again, and fresh pages (fault + zeroing, then
   * munmap) cost up to a fifth of a KNN query otherwise. */
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  /* Characters only: numbers must keep the C locale's decimal point. */
  if (!setlocale(LC_CTYPE, "") || strcmp(nl_langinfo(CODESET), "UTF-8") != 0) setlocale(LC_CTYPE, "C.UTF-8");
  int interactive = 0, script = 0, has_e = 0, stdin_script = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) { usage(stdout); return 0; }
    if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--version") == 0) {
      printf("mlsh %s (%s)\n", MLSH_VERSION, LUA_RELEASE);
      return 0;
    }
    if (strcmp(argv[i], "-i") == 0) interactive = 1;
    else if (strcmp(argv[i], "-e") == 0) {
      if (++i >= argc) { fprintf(stderr, "mlsh: '-e' needs an argument\n"); usage(stderr); return 1; }
      has_e = 1;
    } else if (strcmp(argv[i], "-") == 0) { stdin_script = 1; script = i; break; }
    else if (argv[i][0] == '-') { fprintf(stderr, "mlsh: unrecognized option '%s'\n", argv[i]); usage(stderr); return 1; }
    else { script = i; break; }
  }
  lua_State *L = luaL_newstate();
  if (!L) { fprintf(stderr, "mlsh: cannot create state: not enough memory\n"); return 1; }
  lua_pushcfunction(L, open_mlsh);
  int status = shell_docall(L, 0, 0);
  if (status != LUA_OK) { shell_report(L, status, 1); lua_close(L); return 1; }
  create_arg_table(L, argv, argc, script ? script : 0);
  int ok = 1;
  for (int i = 1; ok && i < argc && (!script || i < script); i++)
    if (strcmp(argv[i], "-e") == 0) ok = run_string(L, argv[++i]);
  if (ok && script) ok = run_script(L, stdin_script ? "-" : argv[script], argv, argc, script + 1);
  if (ok && (interactive || (!script && !has_e))) {
    if (!script && !has_e && !interactive && !isatty(STDIN_FILENO)) ok = run_script(L, "-", argv, argc, argc);
    else shell_repl(L);
  }
  fflush(stdout);
  lua_close(L);
  return ok ? 0 : 1;
}
