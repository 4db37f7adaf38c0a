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
#include "run.h"
#include "shell.h"
#include "../lua/lmlsh.h"
#include "../dist/dist.h"
#include "../core/threads.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: mlsh [options] [script [args]]\n"
          "  -e code   run code (may be repeated)\n"
          "  -i        enter interactive mode after running the script (also after an error in it)\n"
          "  -v        print the version and exit\n"
          "  --mpi-repl  under mpirun: rank 0 reads the prompt, every rank runs each chunk\n"
          "  -h        this help\n"
          "  -         read the script from standard input\n"
          "With no script: interactive when standard input is a terminal, else the script is read from it.\n");
}

/* Shell helpers of the mlsh table that are globals too, beside the modules. */
static const char *const helpers[] = {"help", "apropos", "ls", "traceback", NULL};

/* Open every module: `mlsh` in package.loaded, and each module (the list
 * luaopen_mlsh registered, from mlsh._docs()) and helper as a global. */
static int open_mlsh(lua_State *L) {
  luaL_openlibs(L);
  luaL_requiref(L, "mlsh", luaopen_mlsh, 0);
  int mlsh = lua_gettop(L);
  lua_getfield(L, mlsh, "_docs");
  lua_call(L, 0, 3);
  lua_Integer n = luaL_len(L, -1);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    lua_getfield(L, -1, "name");
    const char *name = lua_tostring(L, -1);
    if (name) {
      lua_getfield(L, mlsh, name);
      lua_setglobal(L, name);
    }
    lua_pop(L, 2);
  }
  lua_settop(L, mlsh);
  for (int i = 0; helpers[i]; i++) {
    lua_getfield(L, mlsh, helpers[i]);
    lua_setglobal(L, helpers[i]);
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
   * of an SVM grid search's CPU time); on a CPU it does not know it runs
   * generic kernels. Both are read once, when the library loads: set them
   * and start again. */
  const char *preload = getenv("LD_PRELOAD");   /* valgrind cannot follow /proc/self/exe */
  if (!(preload && strstr(preload, "vgpreload"))) {
    int again = 0;
    const char *core = getenv("OPENBLAS_CORETYPE") ? NULL : mlsh_blas_better_core();
    if (core) { setenv("OPENBLAS_CORETYPE", core, 1); again = 1; }   /* also read when the library loads */
    if (!getenv("OPENBLAS_THREAD_TIMEOUT")) { setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1); again = 1; }
    if (again) execv("/proc/self/exe", argv);   /* on failure, go on as we are */
  }
  /* Keep freed memory for reuse: fits, predictions and frame verbs
   * allocate the same tens to hundreds of MB again and again, and fresh
   * pages (fault + zeroing, then munmap) cost up to a fifth of a KNN query
   * and half of a group-by over 1e7 groups otherwise. So no block is
   * mapped on its own (glibc still maps when the heap cannot grow); the
   * REPL gives idle memory back after each command. */
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  /* Characters only: numbers must keep the C locale's decimal point. */
  if (!setlocale(LC_CTYPE, "") || strcmp(nl_langinfo(CODESET), "UTF-8") != 0) setlocale(LC_CTYPE, "C.UTF-8");
  int interactive = 0, script = 0, has_e = 0, stdin_script = 0, mpi_repl = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) { usage(stdout); return 0; }
    if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--version") == 0) {
      printf("mlsh %s (%s)\n", MLSH_VERSION, LUA_RELEASE);
      return 0;
    }
    if (strcmp(argv[i], "-i") == 0) interactive = 1;
    else if (strcmp(argv[i], "--mpi-repl") == 0) mpi_repl = 1;
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
  if (ok && mpi_repl) {
    ok = shell_mpi_repl(L);
  } else if (!script && !has_e && !interactive && !isatty(STDIN_FILENO)) {
    ok = run_script(L, "-", argv, argc, argc);
  } else if (interactive || (!script && !has_e)) {
    /* -i: the session goes on after an error too, with the script's
     * globals there to inspect (as python -i); its status is the REPL's. */
    shell_repl(L);
    ok = 1;
  }
  int interrupted = !ok && shell_interrupted();
  fflush(stdout);
  dist_exit(ok);   /* under MPI: finalize, or stop every rank after an error here */
  lua_close(L);
  if (interrupted) {
    /* Stopped by Ctrl-C: die of SIGINT once cleaned up, so that the
     * status is 130 and a calling shell loop stops too. */
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
    return 130;
  }
  return ok ? 0 : 1;
}
