/* run.h - running Lua in the shell: calls under a traceback handler with
 * Ctrl-C stopping Lua code, error reports (the last error is kept for
 * traceback()), and a piece of REPL input compiled as statements followed
 * by a final expression whose values are printed. Used by main.c and
 * repl.c; calls neither. */
#ifndef MLSH_RUN_H
#define MLSH_RUN_H
#include <lua.h>

/* shell_compile's answer when the input needs more lines. */
#define SHELL_INCOMPLETE (-1)

/* Run the function on top of the stack with nargs arguments under the
 * traceback handler and the SIGINT hook; returns a Lua status. On error
 * the message (with traceback) is left on the stack. */
int shell_docall(lua_State *L, int nargs, int nresults);
/* Whether SIGINT (Ctrl-C) arrived during the last shell_docall. */
int shell_interrupted(void);
/* Print the error on top of the stack as "mlsh: message" (without its
 * traceback unless with_traceback) and pop it. A run-time error is kept
 * as mlsh._last_error for traceback(). */
void shell_report(lua_State *L, int status, int with_traceback);
/* Compile len bytes of REPL input. An expression compiles as `return
 * <code>`; else statements followed by a final expression (`x = 1; x`,
 * `y = f(); plot.line(y)`) compile as `<statements> return <expression>`.
 * A final ';' (a token, not one in a string or comment) sets *silent and
 * is dropped. Returns LUA_OK with the function pushed, SHELL_INCOMPLETE
 * with nothing pushed, or a Lua error status with the message pushed. */
int shell_compile(lua_State *L, const char *code, size_t len, int *silent);
/* Run the function on top (from shell_compile), set _ to its first value
 * and print the values through mlsh.pretty.show unless silent. */
void shell_run_print(lua_State *L, int silent);
/* Push mlsh's own table (package.loaded.mlsh, whatever the globals hold). */
void shell_push_mlsh(lua_State *L);

#endif
