/* lmlsh.h - the binding layer's shared helpers. Every src/lua/l*.c file
 * uses these so that argument checks, option tables, errors and help
 * texts behave the same in every module.
 *
 * Conventions (see README "Conventions"):
 *  - functions are registered with mlsh_register(), whose table carries
 *    each function's documentation next to the function itself;
 *  - errors read "module.func: argument problem (details)";
 *  - options are a trailing table; unknown keys are an error;
 *  - labels are Lua arrays of integers starting at 1. */
#ifndef LMLSH_H
#define LMLSH_H
#include <stddef.h>
#include <lua.h>
#include <lauxlib.h>
#include "../core/matrix.h"
#include "../core/error.h"
#include "lopt.h"
#include "../data/mmap.h"

#define MLSH_VERSION "0.1.0"
#define MLSH_MATRIX_MT "mlsh.Matrix"
#define MLSH_MAPPED_MT "mlsh.MappedMatrix"

/* A memory-mapped .npy (mat.mmap, lmat_mmap.c). Wherever a Matrix is read
 * (lmat_test), its view answers: the mapping itself for float64. */
typedef struct lmat_mapped {
  mlsh_mat view;
  mlsh_npymap map;
  int distributed;     /* a rank's row block (dist.load): kernels reduce across ranks */
  int closed;          /* unmapped by X:close() */
  int bitwise;         /* fixed blocks reduced in block order (stream.h) */
  size_t block;        /* rows per streamed block */
} lmat_mapped;

/* One public function: name, C function, usage line, documentation and
 * options. usage: "mat.zeros(rows, cols)"; doc: what it does, arguments
 * with defaults, what it returns, and an "Example:" line; opts: the spec
 * of its options table (lopt.h), NULL when it takes none; help() prints
 * the options from it. */
typedef struct mlsh_Reg {
  const char *name;
  lua_CFunction func;
  const char *usage;
  const char *doc;
  const mlsh_optspec *opts;
} mlsh_Reg;

/* Register functions into the table at the top of the stack and record
 * their docs under "prefix.name" (prefix "mat", or "Matrix:" for methods,
 * which are recorded as "Matrix:name"). */
void mlsh_register(lua_State *L, const char *prefix, const mlsh_Reg *regs);
/* Record documentation for a value at index idx under `name` (Lua-side helpers use mlsh.doc). */
void mlsh_doc_value(lua_State *L, int idx, const char *name, const char *usage, const char *doc);
/* Record a module summary for help(): name and one-line description. */
void mlsh_doc_module(lua_State *L, const char *name, const char *summary);
/* Create or fetch a metatable with methods (__index = methods table)
 * and metamethods; leaves the metatable on the stack. */
void mlsh_new_class(lua_State *L, const char *tname, const char *docname,
                    const mlsh_Reg *methods, const luaL_Reg *metamethods);

/* ---- Errors ---- */
/* Raise "fname: message" (printf-style). Never returns. */
int mlsh_error(lua_State *L, const char *fname, const char *fmt, ...);
/* Raise from a core status: "fname: <err->msg>", "interrupted" for
 * MLSH_EINTR, "not enough memory" for MLSH_ENOMEM. Never returns. */
int mlsh_fail(lua_State *L, const char *fname, int code, const mlsh_err *err);
/* Name of the Lua type (or "Matrix"...) of the value at idx. */
const char *mlsh_typename(lua_State *L, int idx);

/* ---- Matrices ---- */
/* The matrix at idx, or an error "fname: argument 'argname' must be a Matrix (got T)". */
mlsh_mat *lmat_check(lua_State *L, int idx, const char *fname, const char *argname);
mlsh_mat *lmat_test(lua_State *L, int idx);   /* NULL when not a Matrix (or a mapped one) */
lmat_mapped *lmat_test_mapped(lua_State *L, int idx);   /* NULL when not a MappedMatrix */
/* Call the method `name` of the value at idx with the arguments 1..top;
 * returns the number of results (for functions that hand mapped data on). */
int mlsh_call_method(lua_State *L, int idx, const char *name);
/* Accept a Matrix, or a Lua array of numbers (-> n x 1), or a nested
 * array (-> rows x cols). Converted arrays are pushed as new Matrices and
 * replace the value at idx, so the pointer stays valid while idx does. */
mlsh_mat *lmat_checklike(lua_State *L, int idx, const char *fname, const char *argname);
/* Set t[key] = a new Matrix that takes ownership of m's data (t at tidx). */
void mlsh_set_mat(lua_State *L, int tidx, const char *key, mlsh_mat *m);
/* Push a new zero-filled rows x cols Matrix; raises on overflow/OOM. */
mlsh_mat *lmat_push_new(lua_State *L, size_t rows, size_t cols, const char *fname);
/* Push a Matrix that takes ownership of m's data (m is emptied). When Lua
 * runs out of memory, m's data is freed and the error raised. */
mlsh_mat *lmat_push(lua_State *L, mlsh_mat *m);
/* Push n Matrices in order, each taking its data; on a memory error the
 * ones not yet pushed are freed too. */
void lmat_push_all(lua_State *L, mlsh_mat *const *ms, int n);
/* Raise unless the matrix is non-empty and finite: names the first bad cell. */
void lmat_check_finite(lua_State *L, const mlsh_mat *m, const char *fname, const char *argname);

/* ---- Integers, labels, strings ---- */
/* A positive integer argument (1 <= v <= max). */
size_t mlsh_check_count(lua_State *L, int idx, const char *fname, const char *argname, size_t max);
/* Read a Lua array of integer labels (values >= min, kept as given) of
 * length n (n = 0: any non-zero length, returned in *n_out). The int
 * array is owned by a userdata pushed on the stack (freed by GC). */
int *mlsh_check_labels(lua_State *L, int idx, const char *fname, const char *argname, int min, size_t n,
                       size_t *n_out);
/* Push a Lua array of integers. */
void mlsh_push_intarray(lua_State *L, const int *v, size_t n);
/* Temporary memory owned by a userdata pushed on the stack (freed by GC). */
void *mlsh_scratch(lua_State *L, size_t bytes, const char *fname);

/* ---- Argument readers (largs.c): every function that takes data uses them ---- */
enum { MLSH_NA_FAIL = 0, MLSH_NA_OMIT = 1 };
/* The data matrix at idx: a Matrix, an array of numbers or of rows, or a
 * DataFrame (its numeric columns). na = MLSH_NA_FAIL: a missing or
 * non-finite value is an error naming its cell; MLSH_NA_OMIT: rows with
 * one are dropped (their count in *omitted when not NULL). A converted
 * value replaces the one at idx, so the pointer lives as long as idx. */
mlsh_mat *mlsh_check_data(lua_State *L, int idx, const char *fname, const char *argname, int na, size_t *omitted);
/* na = MLSH_NA_KEEP (no option value, for series where NaN marks a gap):
 * the values stay as given; only an empty matrix is an error. */
enum { MLSH_NA_KEEP = 2 };

/* Class labels: integers from 1, or strings (encoded 1..k in sorted order,
 * as R's factor levels). The codes live in a scratch userdata on the stack;
 * for strings the class names are an array at stack index `names` (0 for
 * integer labels), which a model keeps to answer in the same labels. */
typedef struct mlsh_classes {
  int *y;
  size_t n;
  int k;       /* number of classes (the largest integer label) */
  int names;   /* stack index of the names array, or 0 */
} mlsh_classes;
void mlsh_check_classes(lua_State *L, int idx, const char *fname, const char *argname, size_t n, mlsh_classes *c);
/* The names of string classes as a C array (k strings and NULL, scratch on
 * the stack; they live while c->names does); NULL for integer labels. */
const char **mlsh_class_names(lua_State *L, const mlsh_classes *c, const char *fname);
/* Push codes as labels: names[code] when names (a stack index) is not 0, else the integers. */
void mlsh_push_classes(lua_State *L, const int *codes, size_t n, int names);

/* Plain arguments with "fname: argument 'x' must be a string (got nil)"
 * instead of Lua's "bad argument #1 to ...". */
const char *mlsh_check_string(lua_State *L, int idx, const char *fname, const char *argname);
double mlsh_check_number(lua_State *L, int idx, const char *fname, const char *argname);
lua_Integer mlsh_check_integer(lua_State *L, int idx, const char *fname, const char *argname);
/* A file name: a string, with a leading ~ or ~user expanded (the expanded
 * string replaces the value at idx, so it lives as long as idx). */
const char *mlsh_check_path(lua_State *L, int idx, const char *fname, const char *argname);
/* type: LUA_TTABLE, LUA_TFUNCTION... */
void mlsh_check_type(lua_State *L, int idx, int type, const char *fname, const char *argname);

/* ---- C memory across Lua calls that may fail (Lua's allocator can) ---- */
/* A zeroed userdata of `size` bytes with metatable tname, made in protected
 * mode: NULL when Lua is out of memory, the error then on top of the stack
 * (free what you own, then lua_error(L)). */
void *mlsh_try_newudata(lua_State *L, size_t size, const char *tname);
/* A zeroed C struct of `size` bytes owned by a userdata pushed on the
 * stack: if a Lua error unwinds before mlsh_guard_release, the collector
 * calls release(ptr), so results the core allocated are never lost.
 * Move results into Lua (lmat_push empties a Matrix), then release. */
void *mlsh_guard(lua_State *L, size_t size, void (*release)(void *));
/* Call the guard's release now (once); idx: the guard's stack index. */
void mlsh_guard_release(lua_State *L, int idx);
/* Data that lives outside Lua's allocator (a Matrix's values, a new
 * column's) counted as allocated: otherwise the collector sees a few bytes
 * per object and lets dead results of tens of MB pile up (fresh pages,
 * page faults, a growing process). */
void mlsh_gc_account(lua_State *L, size_t bytes);
/* Release every guard on the calling C function's stack, once its results
 * are in Lua: scratch of tens of MB (group ids, join indices) goes now, not
 * when the collector, which never sees C memory, next runs. */
void mlsh_guards_release(lua_State *L);
/* Push a string the core allocated with mlsh_malloc and free it, also when
 * pushing fails. */
void mlsh_push_owned_string(lua_State *L, char *s);
void mlsh_push_owned_lstring(lua_State *L, char *s, size_t len);

/* ---- Option tables ---- */
/* Push the option's value (nil when absent); returns its Lua type. */
int mlsh_opt_get(lua_State *L, int idx, const char *key);

/* ---- Module openers: each adds its functions to the module table on top
 * of the stack. linit.c calls them in order. ---- */
void mlsh_open_mat(lua_State *L);
void mlsh_open_mat_mmap(lua_State *L);
void mlsh_open_dist(lua_State *L);
void mlsh_open_data(lua_State *L);
void mlsh_open_frame(lua_State *L);
void mlsh_open_data_sql(lua_State *L);
void mlsh_open_data_stat(lua_State *L);
void mlsh_open_data_files(lua_State *L);
void mlsh_open_frame_convert(lua_State *L);
void mlsh_open_frame_verbs(lua_State *L);
void mlsh_open_frame_join(lua_State *L);
void mlsh_open_frame_fill(lua_State *L);
void mlsh_open_frame_expr(lua_State *L);
void mlsh_open_frame_colops(lua_State *L);
void mlsh_open_stats_pca(lua_State *L);
void mlsh_open_stats_tsne(lua_State *L);
void mlsh_open_stats_distrib(lua_State *L);
void mlsh_open_stats_tests(lua_State *L);
void mlsh_open_stats_rank(lua_State *L);
void mlsh_open_stats_lm(lua_State *L);
void mlsh_open_cluster(lua_State *L);
void mlsh_open_cluster_valid(lua_State *L);
void mlsh_open_ts(lua_State *L);
void mlsh_open_learn(lua_State *L);
void mlsh_open_learn_prep(lua_State *L);
void mlsh_open_nn(lua_State *L);
void mlsh_open_image(lua_State *L);
void mlsh_open_plot(lua_State *L);
void mlsh_open_help(lua_State *L);
void mlsh_open_debug(lua_State *L);
void mlsh_open_parallel(lua_State *L);
void mlsh_open_options(lua_State *L);

/* Open every module into a new table `mlsh` (left on the stack), set the
 * Lua search path for lua/mlsh helpers, and load the Lua-side parts. */
__attribute__((visibility("default"))) int luaopen_mlsh(lua_State *L);

#endif
