/* shell.h - the interactive side of the mlsh program: the readline REPL
 * (repl.c) and tab completion (complete.c). main.c starts the REPL; both
 * run code through run.h. */
#ifndef MLSH_SHELL_H
#define MLSH_SHELL_H
#include <lua.h>

/* The interactive loop (readline, history, completion). */
void shell_repl(lua_State *L);
/* Install tab completion over the globals of L. */
void shell_complete_init(lua_State *L);

#endif
