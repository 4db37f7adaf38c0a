/* expr.h - the expression language of filter, mutate and summarise.
 *
 * An expression is parsed once into a tree, type-checked against the
 * column types of a frame, then evaluated column by column: every node
 * gives a whole column (or one value per group, or one value), never a
 * value per row through a callback. Types follow R: integer + integer is
 * integer (NA on overflow), integer / integer is double, comparisons are
 * logical, dates stay dates; NA propagates as R's arithmetic does and
 * `and`/`or` use R's three-valued logic.
 *
 * Inside a grouped frame aggregates (mean, n...) give one value per group
 * and window functions (lag, cumsum, rank...) run within each group; an
 * aggregate combined with per-row values is repeated over its group's rows
 * (mutate(z = x - mean(x)) centres within groups).
 *
 * The grammar, loosest first:
 *   or  |  and  |  not  |  == ~= != < <= > >= in  |  + -  |  * / % //  |  unary -  |  ^
 * `not` binds looser than comparisons (R's !), `^` is right-associative
 * and tighter than unary minus (-2^2 is -4). Atoms: numbers (2 is an
 * integer, 2.0 and 2e3 doubles), 'strings' or "strings", true false TRUE
 * FALSE NA, column names (letters, digits, _ and .; `backquoted` for any
 * other name), calls f(x, name = value), sets {1, 2} after `in`. */
#ifndef MLSH_FRAME_EXPR_H
#define MLSH_FRAME_EXPR_H
#include "frame.h"
#include "group.h"

typedef struct expr expr;

/* Parse src. A syntax error is MLSH_EINVAL with "fname: syntax error at
 * position P: ..." followed by the source and a caret line. */
int expr_parse(const char *src, const char *fname, expr **out, mlsh_err *err);
void expr_free(expr *e);   /* NULL-safe */
/* The source text the expression was parsed from. */
const char *expr_source(const expr *e);

typedef enum {
  EXPR_PER_ROW,     /* a column of f->nrow values (group values repeated over their rows) */
  EXPR_PER_GROUP    /* a column of one value per group (summarise); a per-row value is an error */
} expr_want;

/* Evaluate e over f. g: the groups of f (NULL: one group of every row).
 * nthreads <= 0: the default. fname names the verb in messages: an
 * unknown column lists close names, a type mismatch names the column and
 * both types. */
int expr_eval(expr *e, const mlsh_frame *f, const frame_groups *g, expr_want want, int nthreads, const char *fname,
              mlsh_col **out, mlsh_err *err);

/* summarise: one value per group, where the columns of `results` (one row
 * per group: the items computed before) shadow those of f, so that
 * "s / m" may use earlier results s and m, as dplyr. results may be NULL. */
int expr_eval_summary(expr *e, const mlsh_frame *f, const frame_groups *g, const mlsh_frame *results, int nthreads,
                      const char *fname, mlsh_col **out, mlsh_err *err);

/* Applying one operator or function to given columns and constants (the
 * Column methods: col + 1, col:mean{na_rm = true}) goes through the same
 * kernels as the expressions. */
typedef enum { EXPR_ARG_COL, EXPR_ARG_INT, EXPR_ARG_NUM, EXPR_ARG_STR, EXPR_ARG_BOOL, EXPR_ARG_NA } expr_arg_kind;
typedef struct {
  expr_arg_kind kind;
  const char *name;      /* a named argument (na_rm, p...), or NULL */
  const mlsh_col *col;   /* EXPR_ARG_COL: every column the same length */
  int64_t i;             /* INT, BOOL */
  double num;
  const char *str;       /* STR: NUL-terminated */
} expr_arg;

/* op: an operator ("+", "-", "*", "/", "^", "%", "//", "neg", "==", "!=", "<",
 * "<=", ">", ">=", "and", "or", "not") or a function name. The column
 * arguments are named argnames[k] in messages (NULL: "x", "y", ...). */
int expr_apply(const char *op, const expr_arg *args, size_t nargs, expr_want want, const char *fname,
               mlsh_col **out, mlsh_err *err);

/* The rows of each group laid out contiguously: group r's rows, in row
 * order, are rows[start[r] .. start[r + 1]). Both mlsh_malloc'd. */
int expr_group_rows(const frame_groups *g, int64_t **start, int64_t **rows, mlsh_err *err);

/* The names of the functions, NULL-terminated (for help and tests). */
const char *const *expr_function_names(void);

#endif
