/* shell.h - the mlsh program: running chunks with tracebacks and Ctrl-C
 * handling (main.c), the readline REPL (repl.c) and tab completion
 * (complete.c). */
#ifndef MLSH_SHELL_H
#define MLSH_SHELL_H
#include <lua.h>

/* Run the function on top of the stack with nargs arguments under the
 * traceback handler and the SIGINT hook; returns a Lua status. On error
 * the message (with traceback) is left on the stack. */
int shell_docall(lua_State *L, int nargs, int nresults);
/* Print the error on top of the stack as "mlsh: message" and pop it. */
void shell_report(lua_State *L, int status, int with_traceback);
/* The interactive loop (readline, history, completion). */
void shell_repl(lua_State *L);
/* Install tab completion over the globals of L. */
void shell_complete_init(lua_State *L);

#endif
