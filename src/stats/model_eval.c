/* model_eval.c - the small evaluator behind formula variables: columns,
 * numbers, + - * / ^, unary minus, the functions formulas use (log, exp,
 * sqrt, abs, log2, log10, log1p, I) and those that change a variable's
 * kind: factor(x), ordered(x) and poly(x, k). NA is NaN throughout, as R propagates it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model_impl.h"
#include "../core/alloc.h"
#include "../frame/group.h"

typedef struct {
  const mlsh_frame *f;
  const char *fname, *formula;
  mlsh_err *err;
} evalctx;

static int oom(evalctx *c) { return mlsh_seterr(c->err, MLSH_ENOMEM, "%s: not enough memory", c->fname); }

void mv_free_levels(char **levels, size_t n) {
  if (!levels) return;
  for (size_t k = 0; k < n; k++) mlsh_free(levels[k]);
  mlsh_free(levels);
}

void mv_value_free(mv_value *v) {
  mlsh_free(v->x);
  mlsh_free(v->codes);
  mv_free_levels(v->levels, v->nlevels);
  memset(v, 0, sizeof *v);
}

static char *dup_bytes(const char *s, size_t n) {
  char *d = mlsh_malloc(n + 1);
  if (d) { memcpy(d, s, n); d[n] = 0; }
  return d;
}

static int find_column(evalctx *c, const fx_node *e, const mlsh_col **col) {
  size_t idx;
  int rc = frame_lookup(c->f, e->name, c->fname, &idx, c->err);
  if (rc) return rc;
  *col = c->f->cols[idx];
  return MLSH_OK;
}

static int column_numeric(evalctx *c, const fx_node *e, double *x) {
  const mlsh_col *col;
  int rc = find_column(c, e, &col);
  if (rc) return rc;
  size_t n = col->n;
  switch (col->type) {
  case COL_DOUBLE: case COL_DATETIME: memcpy(x, col->data, n * sizeof *x); break;
  case COL_INT64: for (size_t i = 0; i < n; i++) x[i] = (double)COL_I64(col)[i]; break;
  case COL_LOGICAL: for (size_t i = 0; i < n; i++) x[i] = COL_LGL(col)[i]; break;
  case COL_DATE: for (size_t i = 0; i < n; i++) x[i] = COL_I32(col)[i]; break;
  default:
    return mlsh_seterr(c->err, MLSH_EINVAL, "%s: formula '%s': column '%s' is %s, not numeric, where a number is needed",
                       c->fname, c->formula, e->name, col_type_name(col->type));
  }
  if (col->valid)
    for (size_t i = 0; i < n; i++) if (col_is_na(col, i)) x[i] = NAN;
  return MLSH_OK;
}

static double apply1(const char *fn, double a) {
  if (!strcmp(fn, "log")) return log(a);
  if (!strcmp(fn, "exp")) return exp(a);
  if (!strcmp(fn, "sqrt")) return sqrt(a);
  if (!strcmp(fn, "abs")) return fabs(a);
  if (!strcmp(fn, "log2")) return log2(a);
  if (!strcmp(fn, "log10")) return log10(a);
  if (!strcmp(fn, "log1p")) return log1p(a);
  return a;   /* I(), as.numeric() */
}

static int is_function1(const char *fn) {
  static const char *const names[] = {"log", "exp", "sqrt", "abs", "log2", "log10", "log1p", "I", "as.numeric", NULL};
  for (int k = 0; names[k]; k++) if (!strcmp(fn, names[k])) return 1;
  return 0;
}

static int eval_num(evalctx *c, const fx_node *e, double *x);

static int eval_call(evalctx *c, const fx_node *e, double *x) {
  size_t n = c->f->nrow;
  int log_base = !strcmp(e->name, "log") && e->nargs == 2;
  if (!is_function1(e->name))
    return mlsh_seterr(c->err, MLSH_EINVAL, "%s: formula '%s': unknown function '%s' at position %zu (formulas know log, exp, sqrt, abs, log2, log10, log1p, I, factor, ordered, poly)",
                       c->fname, c->formula, e->name, e->pos + 1);
  if (e->nargs != 1 && !log_base)
    return mlsh_seterr(c->err, MLSH_EINVAL, "%s: formula '%s': %s() takes one argument (got %zu) at position %zu",
                       c->fname, c->formula, e->name, e->nargs, e->pos + 1);
  int rc = eval_num(c, e->args[0], x);
  if (rc) return rc;
  if (log_base) {
    const fx_node *b = e->args[1];
    if (b->kind != FX_NUM)
      return mlsh_seterr(c->err, MLSH_EINVAL, "%s: formula '%s': the base of log() must be a number", c->fname, c->formula);
    double lb = log(b->num);
    for (size_t i = 0; i < n; i++) x[i] = log(x[i]) / lb;
    return MLSH_OK;
  }
  for (size_t i = 0; i < n; i++) x[i] = apply1(e->name, x[i]);
  return MLSH_OK;
}

static int eval_binop(evalctx *c, const fx_node *e, double *x) {
  size_t n = c->f->nrow;
  if (e->op == '~' || e->op == ':')
    return mlsh_seterr(c->err, MLSH_EINVAL, "%s: formula '%s': '%c' inside an expression at position %zu",
                       c->fname, c->formula, e->op, e->pos + 1);
  double *y = mlsh_malloc_array(n ? n : 1, sizeof *y);
  if (!y) return oom(c);
  int rc = eval_num(c, e->a, x);
  if (rc == MLSH_OK) rc = eval_num(c, e->b, y);
  if (rc == MLSH_OK)
    for (size_t i = 0; i < n; i++) {
      switch (e->op) {
      case '+': x[i] += y[i]; break;
      case '-': x[i] -= y[i]; break;
      case '*': x[i] *= y[i]; break;
      case '/': x[i] /= y[i]; break;
      default: x[i] = pow(x[i], y[i]); break;
      }
    }
  mlsh_free(y);
  return rc;
}

static int eval_num(evalctx *c, const fx_node *e, double *x) {
  size_t n = c->f->nrow;
  switch (e->kind) {
  case FX_NUM: for (size_t i = 0; i < n; i++) x[i] = e->num; return MLSH_OK;
  case FX_NAME: return column_numeric(c, e, x);
  case FX_NEG: {
    int rc = eval_num(c, e->a, x);
    for (size_t i = 0; rc == MLSH_OK && i < n; i++) x[i] = -x[i];
    return rc;
  }
  case FX_BINOP: return eval_binop(c, e, x);
  case FX_CALL:
    if (!strcmp(e->name, "factor") || !strcmp(e->name, "ordered") || !strcmp(e->name, "poly") || !strcmp(e->name, "cbind"))
      return mlsh_seterr(c->err, MLSH_EINVAL, "%s: formula '%s': %s() cannot be used inside an expression (position %zu)",
                         c->fname, c->formula, e->name, e->pos + 1);
    return eval_call(c, e, x);
  default:
    return mlsh_seterr(c->err, MLSH_EINVAL, "%s: formula '%s': '.' inside an expression at position %zu", c->fname,
                       c->formula, e->pos + 1);
  }
}

int mv_eval_numeric(const fx_node *e, const mlsh_frame *f, const char *fname, const char *formula, double **x,
                    mlsh_err *err) {
  evalctx c = {f, fname, formula, err};
  *x = mlsh_malloc_array(f->nrow ? f->nrow : 1, sizeof **x);
  if (!*x) return oom(&c);
  int rc = eval_num(&c, e, *x);
  if (rc) { mlsh_free(*x); *x = NULL; }
  return rc;
}

/* ---- Factors -------------------------------------------------------------- */

static int by_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Distinct values of a string column, sorted (the frame core's grouping,
 * NA last), as levels; codes per row. */
static int string_factor(evalctx *c, const mlsh_col *col, mv_value *v) {
  frame_groups g;
  int rc = frame_group(&col, 1, 1, 0, &g, c->err);
  if (rc) return rc;
  size_t n = col->n, k = g.ngroups;
  if (k && col_is_na(col, (size_t)g.first[k - 1])) k--;   /* the NA group, last */
  v->levels = mlsh_calloc(k ? k : 1, sizeof *v->levels);
  if (!v->levels) { frame_groups_free(&g); return oom(c); }
  for (size_t j = 0; j < k; j++) {
    size_t len;
    const char *s = col_str(col, (size_t)g.first[j], &len);
    if (!(v->levels[j] = dup_bytes(s, len))) { frame_groups_free(&g); return oom(c); }
    v->nlevels++;
  }
  for (size_t i = 0; i < n; i++) v->codes[i] = (size_t)g.id[i] < k ? (int32_t)g.id[i] : -1;
  frame_groups_free(&g);
  return MLSH_OK;
}

/* factor() of numbers: distinct sorted values, labelled as R's as.character. */
static int numeric_factor(evalctx *c, const double *x, size_t n, mv_value *v) {
  double *u = mlsh_malloc_array(n ? n : 1, sizeof *u);
  if (!u) return oom(c);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) if (x[i] == x[i]) u[m++] = x[i];
  qsort(u, m, sizeof *u, by_double);
  size_t k = 0;
  for (size_t i = 0; i < m; i++) if (i == 0 || u[i] != u[k - 1]) u[k++] = u[i];
  v->levels = mlsh_malloc_array(k ? k : 1, sizeof *v->levels);
  if (!v->levels) { mlsh_free(u); return oom(c); }
  for (size_t j = 0; j < k; j++) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", u[j]);
    if (!(v->levels[j] = dup_bytes(buf, strlen(buf)))) { mlsh_free(u); return oom(c); }
    v->nlevels++;
  }
  for (size_t i = 0; i < n; i++) {
    double *hit = x[i] == x[i] ? bsearch(&x[i], u, k, sizeof *u, by_double) : NULL;
    v->codes[i] = hit ? (int32_t)(hit - u) : -1;
  }
  mlsh_free(u);
  return MLSH_OK;
}

static int column_factor(evalctx *c, const mlsh_col *col, mv_value *v) {
  size_t n = col->n;
  if (col->type == COL_STRING) return string_factor(c, col, v);
  if (col->type == COL_LOGICAL) {
    v->levels = mlsh_calloc(2, sizeof *v->levels);
    if (!v->levels || !(v->levels[0] = dup_bytes("FALSE", 5)) || !(v->levels[1] = dup_bytes("TRUE", 4))) {
      v->nlevels = 2;
      return oom(c);
    }
    v->nlevels = 2;
    for (size_t i = 0; i < n; i++) v->codes[i] = col_is_na(col, i) ? -1 : COL_LGL(col)[i];
    return MLSH_OK;
  }
  /* categorical */
  const mlsh_col *lv = col->levels;
  v->levels = mlsh_calloc(lv->n ? lv->n : 1, sizeof *v->levels);
  if (!v->levels) return oom(c);
  for (size_t k = 0; k < lv->n; k++) {
    size_t len;
    const char *s = col_str(lv, k, &len);
    if (!(v->levels[k] = dup_bytes(s, len))) { v->nlevels = k; return oom(c); }
  }
  v->nlevels = lv->n;
  v->ordered = col->ordered;
  for (size_t i = 0; i < n; i++) v->codes[i] = col_is_na(col, i) ? -1 : COL_I32(col)[i];
  return MLSH_OK;
}

static int is_factor_column(const mlsh_col *col) {
  return col->type == COL_STRING || col->type == COL_CATEGORICAL || col->type == COL_LOGICAL;
}

static int eval_factor_call(evalctx *c, const fx_node *e, mv_value *v) {
  const fx_node *a = e->args[0];
  size_t n = c->f->nrow;
  const mlsh_col *col = NULL;
  if (a->kind == FX_NAME && frame_find(c->f, a->name) >= 0 && (find_column(c, a, &col), is_factor_column(col)))
    return column_factor(c, col, v);
  double *x = NULL;
  int rc = mv_eval_numeric(a, c->f, c->fname, c->formula, &x, c->err);
  if (rc == MLSH_OK) rc = numeric_factor(c, x, n, v);
  mlsh_free(x);
  return rc;
}

static int eval_poly(evalctx *c, const fx_node *e, mv_value *v) {
  if (e->nargs != 2 || e->args[1]->kind != FX_NUM || e->args[1]->num < 1 || e->args[1]->num != (int)e->args[1]->num)
    return mlsh_seterr(c->err, MLSH_EINVAL, "%s: formula '%s': poly(x, k) needs a variable and a positive whole degree k (position %zu)",
                       c->fname, c->formula, e->pos + 1);
  v->kind = MV_POLY;
  v->degree = (int)e->args[1]->num;
  return mv_eval_numeric(e->args[0], c->f, c->fname, c->formula, &v->x, c->err);
}

int mv_eval(const fx_node *e, const mlsh_frame *f, const char *fname, const char *formula, mv_value *v,
            mlsh_err *err) {
  evalctx c = {f, fname, formula, err};
  memset(v, 0, sizeof *v);
  int ordered_call = e->kind == FX_CALL && !strcmp(e->name, "ordered");
  int factor_call = ordered_call || (e->kind == FX_CALL && !strcmp(e->name, "factor"));
  const mlsh_col *col = NULL;
  if (e->kind == FX_NAME) {
    int rc = find_column(&c, e, &col);
    if (rc) return rc;
    if (!is_factor_column(col)) col = NULL;
  }
  if (factor_call && e->nargs != 1)
    return mlsh_seterr(err, MLSH_EINVAL, "%s: formula '%s': %s() takes one argument (position %zu)", fname, formula,
                       e->name, e->pos + 1);
  if (e->kind == FX_CALL && !strcmp(e->name, "poly")) return eval_poly(&c, e, v);
  if (!col && !factor_call) {
    v->kind = MV_NUMERIC;
    return mv_eval_numeric(e, f, fname, formula, &v->x, err);
  }
  v->kind = MV_FACTOR;
  v->codes = mlsh_malloc_array(f->nrow ? f->nrow : 1, sizeof *v->codes);
  if (!v->codes) return oom(&c);
  int rc = col ? column_factor(&c, col, v) : eval_factor_call(&c, e, v);
  if (ordered_call) v->ordered = 1;
  if (rc) mv_value_free(v);
  return rc;
}
