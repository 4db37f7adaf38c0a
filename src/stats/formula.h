/* formula.h - R's model formulas: "y ~ x1 + log(x2) + g * h - 1".
 *
 * The parser reads the whole formula into a tree; st_terms expands its
 * right-hand side as R's terms.formula does: variables (each distinct
 * expression that is not a formula operator: `x`, `log(x2)`, `I(x^2)`,
 * `poly(x, 2)`), terms as sets of variables (`+ - : * / ^ ( )`, `.` for
 * every other column, `1`/`0`/`-1` for the intercept), ordered by degree
 * (main effects first) and kept in formula order within a degree. */
#ifndef MLSH_STATS_FORMULA_H
#define MLSH_STATS_FORMULA_H
#include <stddef.h>
#include <stdint.h>
#include "../core/error.h"

typedef enum { FX_NUM, FX_NAME, FX_CALL, FX_BINOP, FX_NEG, FX_DOT } fx_kind;

typedef struct fx_node {
  fx_kind kind;
  char op;                  /* FX_BINOP: + - * / ^ : ~ */
  double num;               /* FX_NUM */
  char *name;               /* FX_NAME: the column; FX_CALL: the function */
  struct fx_node *a, *b;    /* FX_BINOP operands, FX_NEG operand in a */
  struct fx_node **args;    /* FX_CALL */
  size_t nargs;
  size_t pos;               /* offset in the formula text, for messages */
} fx_node;

#define ST_MAX_VARS 64      /* a term is a bit set of variables */

typedef struct st_terms {
  fx_node *tree;            /* the whole formula (owns every node) */
  fx_node *response;        /* left of ~, NULL when one-sided */
  size_t nvars;
  fx_node *vars[ST_MAX_VARS];   /* borrowed from tree (or owned: `.` expansions) */
  char *labels[ST_MAX_VARS];    /* deparsed, as R labels them: "log(x2)" */
  size_t nterms;
  uint64_t *terms;          /* nterms bit sets, by degree then formula order */
  int intercept;
  fx_node **owned;          /* nodes made for `.` */
  size_t nowned;
} st_terms;

/* Parse and expand formula; columns (ncols names) resolve `.`: every column
 * that the response does not name. Errors point at the offending place:
 * "stats.lm: formula 'y ~ x +': expected a term at position 7". */
int st_terms_parse(const char *formula, const char *const *columns, size_t ncols, const char *fname,
                   st_terms *t, mlsh_err *err);
void st_terms_free(st_terms *t);
/* Deparse an expression as R's deparse would print it ("log(x + 1)",
 * "I(x^2)", "poly(x, 2)"); the caller frees with mlsh_free. NULL: no memory. */
char *fx_deparse(const fx_node *e);
/* Term label: variable labels joined by ':' ("wt:hp"); mlsh_free it. */
char *st_term_label(const st_terms *t, size_t term);
/* Number of variables in a term. */
int st_term_degree(uint64_t term);

#endif
