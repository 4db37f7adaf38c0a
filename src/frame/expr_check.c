/* expr_check.c - the type checker: resolves column names against the
 * frame, matches call arguments to parameters, and gives each node its
 * result type by R's rules, so that a mismatch is reported with the
 * column and both types before anything is computed. */
#include <stdio.h>
#include <string.h>
#include "expr_impl.h"
#include "../core/alloc.h"

int expr_type_numeric(col_type t) { return t == COL_DOUBLE || t == COL_INT64 || t == COL_LOGICAL; }
int expr_type_text(col_type t) { return t == COL_STRING || t == COL_CATEGORICAL; }
static int is_time(col_type t) { return t == COL_DATE || t == COL_DATETIME; }

static const char *op_text(expr_tok op) {
  switch (op) {
  case TOK_PLUS: return "+";
  case TOK_MINUS: return "-";
  case TOK_STAR: return "*";
  case TOK_SLASH: return "/";
  case TOK_CARET: return "^";
  case TOK_PERCENT: return "%";
  case TOK_IDIV: return "//";
  case TOK_EQ: return "==";
  case TOK_NE: return "~=";
  case TOK_LT: return "<";
  case TOK_LE: return "<=";
  case TOK_GT: return ">";
  case TOK_GE: return ">=";
  case TOK_AND: return "and";
  case TOK_OR: return "or";
  case TOK_NOT: return "not";
  case TOK_IN: return "in";
  case TOK_NEG: return "unary -";
  default: return "?";
  }
}

/* "column 'city' (string)" or "'1' (integer)". */
static void describe(const expr_ctx *cx, const expr_node *n, char *buf, size_t size) {
  if (n->kind == N_COL) {
    snprintf(buf, size, "column '%s' (%s)", n->str, col_type_name(n->type));
    return;
  }
  size_t len = n->end - n->pos;
  const char *more = len > 40 ? "..." : "";
  snprintf(buf, size, "'%.*s%s' (%s)", (int)(len > 40 ? 40 : len), cx->src + n->pos, more,
           n->kind == N_NA ? "NA" : col_type_name(n->type));
}

static void span(const expr_ctx *cx, const expr_node *n, char *buf, size_t size) {
  size_t len = n->end - n->pos;
  snprintf(buf, size, "%.*s%s", (int)(len > 60 ? 60 : len), cx->src + n->pos, len > 60 ? "..." : "");
}

int expr_mismatch(expr_ctx *cx, expr_node *at, const char *what, const expr_node *a, const expr_node *b) {
  char da[128], db[128] = "", where[80];
  describe(cx, a, da, sizeof da);
  if (b) describe(cx, b, db, sizeof db);
  span(cx, at, where, sizeof where);
  return mlsh_seterr(cx->err, MLSH_EINVAL, "%s: type mismatch in '%s': %s, got %s%s%s", cx->fname, where, what, da,
                     b ? " and " : "", db);
}

int expr_arg_error(expr_ctx *cx, expr_node *call, size_t k, const char *need) {
  char d[128];
  describe(cx, call->args[k], d, sizeof d);
  return mlsh_seterr(cx->err, MLSH_EINVAL, "%s: %s(): argument '%s' must be %s, got %s", cx->fname, call->str,
                     call->fn->params[call->fn->params[0][0] == '.' ? 0 : k], need, d);
}

int expr_literal_int(const expr_node *n, int64_t *v) {
  if (n->kind == N_INT) return *v = n->i, 1;
  if (n->kind == N_UNARY && n->op == TOK_NEG && n->args[0]->kind == N_INT) return *v = -n->args[0]->i, 1;
  return 0;
}

int expr_literal_num(const expr_node *n, double *v) {
  int64_t i;
  if (expr_literal_int(n, &i)) return *v = (double)i, 1;
  if (n->kind == N_NUM) return *v = n->num, 1;
  if (n->kind == N_UNARY && n->op == TOK_NEG && n->args[0]->kind == N_NUM) return *v = -n->args[0]->num, 1;
  return 0;
}

int expr_literal_bool(const expr_node *n, int *v) {
  if (n->kind == N_BOOL) return *v = (int)n->i, 1;
  return 0;
}

int expr_common_type(const expr_node *a, const expr_node *b) {
  col_type ta = a->type, tb = b->type;
  if (a->kind == N_NA) return tb;
  if (b->kind == N_NA) return ta;
  if (ta == tb && ta != COL_CATEGORICAL) return ta;
  if (expr_type_numeric(ta) && expr_type_numeric(tb)) return ta == COL_DOUBLE || tb == COL_DOUBLE ? COL_DOUBLE : COL_INT64;
  if (expr_type_text(ta) && expr_type_text(tb)) return COL_STRING;
  if (is_time(ta) && (tb == COL_STRING || is_time(tb))) return ta == COL_DATETIME || tb == COL_DATETIME ? COL_DATETIME : COL_DATE;
  if (is_time(tb) && ta == COL_STRING) return tb;
  return -1;
}

static int check_arith(expr_ctx *cx, expr_node *n) {
  expr_node *a = n->args[0], *b = n->args[1];
  col_type ta = a->type, tb = b->type;
  expr_tok op = n->op;
  if (a->kind == N_NA) ta = expr_type_numeric(tb) ? tb : COL_LOGICAL;
  if (b->kind == N_NA) tb = expr_type_numeric(ta) ? ta : COL_LOGICAL;
  if (expr_type_numeric(ta) && expr_type_numeric(tb)) {
    int integer = ta != COL_DOUBLE && tb != COL_DOUBLE && op != TOK_SLASH && op != TOK_CARET;
    n->type = integer ? COL_INT64 : COL_DOUBLE;
    return 0;
  }
  /* Dates and datetimes: plus or minus a number stays a time; the
   * difference of two is a number (days, seconds). */
  if (is_time(ta) && expr_type_numeric(tb) && (op == TOK_PLUS || op == TOK_MINUS)) return n->type = ta, 0;
  if (is_time(tb) && expr_type_numeric(ta) && op == TOK_PLUS) return n->type = tb, 0;
  if (is_time(ta) && ta == tb && op == TOK_MINUS) return n->type = COL_DOUBLE, 0;
  char what[64];
  snprintf(what, sizeof what, "'%s' needs numbers (or a date and days)", op_text(op));
  return expr_mismatch(cx, n, what, a, b);
}

static int comparable(const expr_node *a, const expr_node *b) {
  if (a->kind == N_NA || b->kind == N_NA) return 1;
  col_type ta = a->type, tb = b->type;
  if (expr_type_numeric(ta) && expr_type_numeric(tb)) return 1;
  if (expr_type_text(ta) && expr_type_text(tb)) return 1;
  if (is_time(ta) && (is_time(tb) || tb == COL_STRING)) return 1;
  return is_time(tb) && ta == COL_STRING;
}

static int unordered_factor(const expr_node *n, const expr_ctx *cx) {
  if (n->type != COL_CATEGORICAL) return 0;
  const mlsh_col *c = n->kind == N_COL ? (n->bound ? n->bound : cx->f->cols[n->col]) : NULL;
  return !c || !c->ordered;
}

static int check_compare(expr_ctx *cx, expr_node *n) {
  expr_node *a = n->args[0], *b = n->args[1];
  n->type = COL_LOGICAL;
  if (!comparable(a, b)) {
    char what[64];
    snprintf(what, sizeof what, "'%s' compares values of one kind", op_text(n->op));
    return expr_mismatch(cx, n, what, a, b);
  }
  if (n->op != TOK_EQ && n->op != TOK_NE && (unordered_factor(a, cx) || unordered_factor(b, cx)))
    return expr_mismatch(cx, n, "an unordered factor has no order (only == and ~=)", unordered_factor(a, cx) ? a : b, NULL);
  if (n->op != TOK_EQ && n->op != TOK_NE && a->type == COL_CATEGORICAL && b->type == COL_CATEGORICAL)
    return expr_mismatch(cx, n, "two factors are compared with == and ~= only", a, b);
  return 0;
}

static int check_logic(expr_ctx *cx, expr_node *n) {
  n->type = COL_LOGICAL;
  for (size_t k = 0; k < n->nargs; k++) {
    expr_node *a = n->args[k];
    if (a->kind != N_NA && !expr_type_numeric(a->type)) {
      char what[64];
      snprintf(what, sizeof what, "'%s' needs logical values", op_text(n->op));
      return expr_mismatch(cx, n, what, a, NULL);
    }
  }
  return 0;
}

static int check_in(expr_ctx *cx, expr_node *n) {
  expr_node *x = n->args[0], *set = n->args[1];
  n->type = COL_LOGICAL;
  for (size_t k = 0; k < set->nargs; k++)
    if (!comparable(x, set->args[k])) return expr_mismatch(cx, n, "'in' needs set values of the same kind", x, set->args[k]);
  return 0;
}

static int check_unary(expr_ctx *cx, expr_node *n) {
  expr_node *a = n->args[0];
  if (n->op == TOK_NOT) return check_logic(cx, n);
  if (a->kind == N_NA) return n->type = COL_INT64, 0;
  if (!expr_type_numeric(a->type)) return expr_mismatch(cx, n, "unary '-' needs a number", a, NULL);
  n->type = a->type == COL_DOUBLE ? COL_DOUBLE : COL_INT64;
  return 0;
}

static int check_column(expr_ctx *cx, expr_node *n) {
  if (n->bound && !n->group_col) return n->type = n->bound->type, 0;
  long r = cx->results ? frame_find(cx->results, n->str) : -1;   /* earlier results shadow columns (dplyr) */
  n->bound = r >= 0 ? cx->results->cols[r] : NULL;
  n->group_col = r >= 0;
  if (n->bound) return n->type = n->bound->type, 0;
  size_t j;
  int rc = frame_lookup(cx->f, n->str, cx->fname, &j, cx->err);
  if (rc) return rc;
  n->col = j;
  n->type = cx->f->cols[j]->type;
  return 0;
}

static int unknown_function(expr_ctx *cx, expr_node *n) {
  const char *best[3];
  size_t k = expr_close_funcs(n->str, best, 3);
  char hint[160] = "";
  if (k) {
    size_t used = (size_t)snprintf(hint, sizeof hint, " (did you mean ");
    for (size_t q = 0; q < k && used < sizeof hint; q++)
      used += (size_t)snprintf(hint + used, sizeof hint - used, "%s'%s'", q ? ", " : "", best[q]);
    if (used < sizeof hint) snprintf(hint + used, sizeof hint - used, "?)");
  }
  return mlsh_seterr(cx->err, MLSH_EINVAL, "%s: unknown function '%s'%s", cx->fname, n->str, hint);
}

static long param_index(const expr_func *fn, const char *name) {
  for (long k = 0; k < 5 && fn->params[k]; k++) {
    const char *p = fn->params[k];
    if (!strcmp(p, name)) return k;
    /* R's spelling: na.rm for na_rm */
    if (!strcmp(p, "na_rm") && !strcmp(name, "na.rm")) return k;
  }
  return -1;
}

/* Reorder the arguments into parameter order (absent optional ones NULL);
 * a variadic function keeps its positional values first, then one slot
 * per named parameter, and records their count in n->i. */
static int match_args(expr_ctx *cx, expr_node *n) {
  const expr_func *fn = n->fn;
  int variadic = fn->params[0] && !strcmp(fn->params[0], "...");
  size_t np = 0, npos = 0;
  while (np < 5 && fn->params[np]) np++;
  for (size_t k = 0; k < n->nargs; k++) npos += !n->argnames[k];
  size_t nslots = variadic ? npos + np - 1 : np;
  if (!variadic && npos > np)
    return mlsh_seterr(cx->err, MLSH_EINVAL, "%s: %s() takes at most %zu arguments (got %zu)", cx->fname, n->str, np, npos);
  expr_node **slots = mlsh_calloc(nslots ? nslots : 1, sizeof *slots);
  if (!slots) return expr_nomem(cx);
  size_t next_pos = 0;
  int rc = 0;
  for (size_t k = 0; k < n->nargs && !rc; k++) {
    long at;
    if (!n->argnames[k]) at = (long)next_pos++;
    else if ((at = param_index(fn, n->argnames[k])) < 0 || (variadic && at == 0))
      rc = mlsh_seterr(cx->err, MLSH_EINVAL, "%s: %s() has no argument '%s'", cx->fname, n->str, n->argnames[k]);
    else if (variadic) at = (long)npos + at - 1;
    if (!rc && slots[at])
      rc = mlsh_seterr(cx->err, MLSH_EINVAL, "%s: %s(): argument '%s' given twice", cx->fname, n->str, fn->params[variadic ? 0 : at]);
    if (!rc) slots[at] = n->args[k];
  }
  size_t nreq = variadic ? (size_t)fn->nreq : (size_t)fn->nreq;
  if (!rc && variadic && npos < nreq)
    rc = mlsh_seterr(cx->err, MLSH_EINVAL, "%s: %s() needs at least %zu values", cx->fname, n->str, nreq);
  for (size_t k = 0; !rc && !variadic && k < nreq; k++)
    if (!slots[k]) rc = mlsh_seterr(cx->err, MLSH_EINVAL, "%s: %s(): argument '%s' is missing", cx->fname, n->str, fn->params[k]);
  if (rc) {
    mlsh_free(slots);
    return rc;
  }
  for (size_t k = 0; k < n->nargs; k++) mlsh_free(n->argnames[k]);
  mlsh_free(n->argnames);
  n->argnames = NULL;
  mlsh_free(n->args);
  n->args = slots;
  n->nargs = nslots;
  n->i = (int64_t)npos;
  return 0;
}

static int check_call(expr_ctx *cx, expr_node *n) {
  if (!n->fn) {
    n->fn = expr_find_func(n->str);
    if (!n->fn) return unknown_function(cx, n);
    int rc = match_args(cx, n);
    if (rc) return rc;
  }
  for (size_t k = 0; k < n->nargs; k++) {
    int rc = n->args[k] ? expr_check(cx, n->args[k]) : 0;
    if (rc) return rc;
  }
  return n->fn->type(cx, n);
}

int expr_check(expr_ctx *cx, expr_node *n) {
  switch (n->kind) {
  case N_NUM: n->type = COL_DOUBLE; return 0;
  case N_INT: n->type = COL_INT64; return 0;
  case N_STR: n->type = COL_STRING; return 0;
  case N_BOOL: case N_NA: n->type = COL_LOGICAL; return 0;
  case N_COL: return check_column(cx, n);
  case N_CALL: return check_call(cx, n);
  case N_SET:
    return mlsh_seterr(cx->err, MLSH_EINVAL, "%s: a set {...} may only follow 'in' (at position %zu)", cx->fname, n->pos + 1);
  default: break;
  }
  for (size_t k = 0; k < n->nargs; k++) {
    int rc = n->kind == N_BINARY && n->op == TOK_IN && k == 1 ? 0 : expr_check(cx, n->args[k]);
    if (rc) return rc;
  }
  if (n->kind == N_UNARY) return check_unary(cx, n);
  if (n->op == TOK_IN) {
    for (size_t k = 0; k < n->args[1]->nargs; k++) {
      int rc = expr_check(cx, n->args[1]->args[k]);
      if (rc) return rc;
    }
    return check_in(cx, n);
  }
  if (n->op == TOK_AND || n->op == TOK_OR) return check_logic(cx, n);
  if (n->op >= TOK_EQ && n->op <= TOK_GE) return check_compare(cx, n);
  return check_arith(cx, n);
}

/* ---- the function tables ---- */

static const expr_func *const tables[] = {expr_math_funcs, expr_string_funcs, expr_agg_funcs, expr_window_funcs,
                                          expr_date_funcs};

const expr_func *expr_find_func(const char *name) {
  for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
    for (const expr_func *f = tables[t]; f->name; f++)
      if (!strcmp(f->name, name)) return f;
  return NULL;
}

size_t expr_close_funcs(const char *name, const char **best, size_t max) {
  size_t k = 0, limit = strlen(name) <= 3 ? 1 : 2;
  for (size_t d = 0; d <= limit && k < max; d++)
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
      for (const expr_func *f = tables[t]; f->name && k < max; f++)
        if (frame_edit_distance(f->name, name) == d) best[k++] = f->name;
  return k;
}

const char *const *expr_function_names(void) {
  static const char *names[160];
  if (!names[0]) {
    size_t k = 0;
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
      for (const expr_func *f = tables[t]; f->name && k + 1 < sizeof names / sizeof *names; f++) names[k++] = f->name;
  }
  return names;
}
