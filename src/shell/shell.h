/* shell.h - the interactive side of the mlsh program: the readline REPL
 * (repl.c) and tab completion (complete.c). main.c starts the REPL; both
 * run code through run.h. */
#ifndef MLSH_SHELL_H
#define MLSH_SHELL_H
#include <lua.h>

/* The interactive loop (readline, history, completion). */
void shell_repl(lua_State *L);
/* Set by the MPI REPL (mpirepl.c): called with each complete chunk before
 * it runs (after = 0) and once it ran (after = 1); NULL otherwise. */
extern void (*shell_chunk_hook)(lua_State *L, const char *code, int after);
/* `mlsh --mpi-repl` under mpirun: rank 0 runs shell_repl, the others run
 * what it sends. Returns 0 when MPI could not start. */
int shell_mpi_repl(lua_State *L);
/* Install tab completion over the globals of L. */
void shell_complete_init(lua_State *L);

#endif
