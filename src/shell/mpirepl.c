/* mpirepl.c - `mpirun -np N mlsh --mpi-repl`: rank 0 owns the readline
 * prompt (repl.c) and sends every complete chunk to the other ranks; all
 * run it, only rank 0 prints (the others' standard output is discarded),
 * and an error on any rank is reported by rank 0 with the rank's number
 * while the session goes on. The other ranks wait for the next chunk in a
 * sleeping MPI wait (src/dist/), not spinning a core. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lua.h>
#include "run.h"
#include "shell.h"
#include "../core/alloc.h"
#include "../dist/dist.h"

/* A chunk: its length (-1: the session ends), then its bytes. */
static int send_chunk(const char *code, mlsh_err *err) {
  double len = code ? (double)strlen(code) : -1;
  int rc = dist_bcast(&len, sizeof len, 0, err);
  if (!rc && code) rc = dist_bcast((void *)code, (size_t)len, 0, err);
  return rc;
}

static char *receive_chunk(mlsh_err *err, int *end) {
  double len;
  *end = 0;
  if (dist_bcast(&len, sizeof len, 0, err)) return NULL;
  if (len < 0) { *end = 1; return NULL; }
  char *code = mlsh_malloc((size_t)len + 1);
  if (!code) { mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); return NULL; }
  if (dist_bcast(code, (size_t)len, 0, err)) { mlsh_free(code); return NULL; }
  code[(size_t)len] = 0;
  return code;
}

/* Every rank's error message ("" when it ran), in rank order; rank 0
 * prints the others'. */
static int gather_errors(const char *msg, mlsh_err *err) {
  int size = dist_size();
  size_t len = strlen(msg), total = 0;
  size_t *counts = mlsh_malloc_array((size_t)size, sizeof(size_t));
  int rc = counts ? dist_allgather(&len, sizeof len, counts, err) : MLSH_ENOMEM;
  for (int r = 0; !rc && r < size; r++) total += counts[r];
  char *all = rc ? NULL : mlsh_malloc(total + 1);
  if (!rc && !all) rc = MLSH_ENOMEM;
  if (!rc) rc = dist_allgatherv(msg, len, all, counts, err);
  if (!rc && dist_rank() == 0) {
    size_t off = counts[0];
    for (int r = 1; r < size; off += counts[r], r++)
      if (counts[r]) fprintf(stderr, "mlsh: rank %d: %.*s\n", r, (int)counts[r], all + off);
    fflush(stderr);
  }
  mlsh_free(counts);
  mlsh_free(all);
  if (rc == MLSH_ENOMEM) mlsh_seterr(err, rc, "not enough memory");
  return rc;
}

static void give_up(const mlsh_err *err) {
  fprintf(stderr, "mlsh: rank %d: the MPI session broke: %s\n", dist_rank(), err->msg);
  dist_exit(0);
}

/* Rank 0's side, called by repl.c: before and after each chunk, and at the end (code NULL). */
static void rank0_hook(lua_State *L, const char *code, int after) {
  mlsh_err err;
  (void)L;
  if (after ? gather_errors("", &err) : send_chunk(code, &err)) give_up(&err);
}

/* The other ranks: run each chunk as rank 0 does, without printing. */
static void worker(lua_State *L) {
  int devnull = open("/dev/null", O_WRONLY);
  if (devnull >= 0) { fflush(stdout); dup2(devnull, STDOUT_FILENO); close(devnull); }
  for (;;) {
    mlsh_err err;
    int end;
    char *code = receive_chunk(&err, &end);
    if (end) break;
    if (!code) give_up(&err);
    int silent, status = shell_compile(L, code, strlen(code), &silent);
    if (status == LUA_OK) status = shell_docall(L, 0, 0);
    const char *msg = status == LUA_OK ? "" : lua_tostring(L, -1);
    if (!msg) msg = "(error object is not a string)";
    /* the first line: the message without its traceback */
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(msg, "\n"), msg);
    if (status != LUA_OK) lua_pop(L, 1);
    mlsh_free(code);
    if (gather_errors(line, &err)) give_up(&err);
  }
}

int shell_mpi_repl(lua_State *L) {
  mlsh_err err;
  if (dist_init(&err)) {
    fprintf(stderr, "mlsh: --mpi-repl: %s\n", err.msg);
    return 0;
  }
  if (dist_rank() != 0) {
    worker(L);
    return 1;
  }
  shell_chunk_hook = rank0_hook;
  shell_repl(L);
  shell_chunk_hook = NULL;
  rank0_hook(L, NULL, 0);
  return 1;
}
