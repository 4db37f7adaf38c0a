/* expr_funcs.c - element-wise functions: math (R's Math group: double
 * results, abs keeps integers, round half to even as R 4), is_na,
 * if_else, coalesce and the type conversions. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "expr_impl.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

/* ---- type rules ---- */

static int type_math(expr_ctx *cx, expr_node *n) {
  for (size_t k = 0; k < n->nargs; k++)
    if (n->args[k] && n->args[k]->kind != N_NA && !expr_type_numeric(n->args[k]->type)) return expr_arg_error(cx, n, k, "a number");
  n->type = n->fn->code == 0 && n->args[0]->type != COL_DOUBLE ? COL_INT64 : COL_DOUBLE;   /* abs keeps integers */
  return 0;
}

static int type_round(expr_ctx *cx, expr_node *n) {
  int64_t d;
  if (n->args[1] && !expr_literal_int(n->args[1], &d)) return expr_arg_error(cx, n, 1, "an integer literal");
  if (n->args[0]->kind != N_NA && !expr_type_numeric(n->args[0]->type)) return expr_arg_error(cx, n, 0, "a number");
  n->type = COL_DOUBLE;
  return 0;
}

/* desc(x): dplyr's -xtfrm(x), so that ranks and orders run decreasing. */
static int type_desc(expr_ctx *cx, expr_node *n) {
  col_type t = n->args[0]->type;
  if (n->args[0]->kind != N_NA && !expr_type_numeric(t) && t != COL_DATE && t != COL_DATETIME)
    return expr_arg_error(cx, n, 0, "numbers or dates");
  return n->type = COL_DOUBLE, 0;
}

static int eval_desc(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  const mlsh_col *c = a[0].c;
  size_t m = c->n, one = 1;
  uint8_t *valid;
  int rc = expr_na_union(cx, &c, &one, 1, m, &valid);
  double *own;
  const double *x = rc ? NULL : expr_doubles(cx, c, &own);
  if (!x) return mlsh_free(valid), rc ? rc : expr_nomem(cx);
  double *d = mlsh_malloc_array(m ? m : 1, sizeof *d);
  for (size_t i = 0; d && i < m; i++) d[i] = -x[i];
  mlsh_free(own);
  out->shape = a[0].shape;
  return expr_make_col(cx, COL_DOUBLE, d, m, valid, &out->c);
}

static int type_is_na(expr_ctx *cx, expr_node *n) { return n->type = COL_LOGICAL, 0; }

static int common_of(expr_ctx *cx, expr_node *n, size_t from, size_t to) {
  expr_node *first = NULL;
  int t = -1;
  for (size_t k = from; k < to; k++) {
    expr_node *a = n->args[k];
    if (!a) continue;
    if (!first) {
      first = a, t = a->kind == N_NA ? -2 : (int)a->type;
      if (t == COL_CATEGORICAL) t = COL_STRING;
      continue;
    }
    if (a->kind == N_NA) continue;
    if (t == -2) { t = a->type == COL_CATEGORICAL ? COL_STRING : (int)a->type; first = a; continue; }
    expr_node tmp = *first;
    tmp.type = (col_type)t;
    int c = expr_common_type(&tmp, a);
    if (c < 0) return expr_mismatch(cx, n, "the values must be of one kind", first, a);
    t = c;
  }
  n->type = t < 0 ? COL_LOGICAL : (col_type)t;
  return 0;
}

static int type_if_else(expr_ctx *cx, expr_node *n) {
  expr_node *c = n->args[0];
  if (c->kind != N_NA && !expr_type_numeric(c->type)) return expr_arg_error(cx, n, 0, "logical");
  return common_of(cx, n, 1, n->nargs);
}

static int type_coalesce(expr_ctx *cx, expr_node *n) { return common_of(cx, n, 0, (size_t)n->i); }

static int type_as(expr_ctx *cx, expr_node *n) {
  col_type to = (col_type)n->fn->code, from = n->args[0]->type;
  int ok = from == to || n->args[0]->kind == N_NA || to == COL_STRING ||
           (expr_type_numeric(to) && (expr_type_numeric(from) || from == COL_STRING || from == COL_DATE));
  if (!ok) {
    char need[64];
    snprintf(need, sizeof need, "convertible to %s", col_type_name(to));
    return expr_arg_error(cx, n, 0, need);
  }
  n->type = to;
  return 0;
}

/* ---- kernels ---- */

/* R 4's round(x, d): the closer of the two candidates at d digits (so
 * round(0.15, 1) is 0.1, as 0.15 is stored below 0.15); ties to even. */
static double r_round(double x, int d) {
  if (!isfinite(x)) return x;
  if (d == 0) return nearbyint(x);
  if (d > 308) return x;
  double p = pow(10.0, fabs((double)d));
  if (!isfinite(p)) return d > 0 ? x : 0 * x;   /* round(5, -400) is 0 */
  double lo, hi, y = d > 0 ? x * p : x / p;
  if (!isfinite(y)) return x;
  lo = floor(y), hi = ceil(y);
  double xl = d > 0 ? lo / p : lo * p, xh = d > 0 ? hi / p : hi * p;
  double dl = fabs(x - xl), dh = fabs(xh - x);
  if (dl < dh) return xl;
  if (dh < dl) return xh;
  return fmod(lo, 2.0) == 0 ? xl : xh;
}

static double sign(double x) { return x > 0 ? 1 : x < 0 ? -1 : x; }

static double (*const math_fn[])(double) = {fabs, sqrt, exp, log, log2, log10, log1p, expm1, sin, cos, tan, asin,
                                            acos, atan, sinh, cosh, tanh, floor, ceil, trunc, sign};

static int eval_math(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  const mlsh_col *c = a[0].c;
  size_t m = c->n, one = 1;
  uint8_t *valid;
  int rc = expr_na_union(cx, &c, &one, 1, m, &valid);
  if (rc) return rc;
  out->shape = a[0].shape;
  if (n->type == COL_INT64) {   /* abs of integers */
    int64_t *d = mlsh_malloc_array(m ? m : 1, sizeof *d);
    for (size_t i = 0; d && i < m; i++) {
      int64_t x = c->type == COL_INT64 ? COL_I64(c)[i] : COL_LGL(c)[i];
      d[i] = x < 0 && x != INT64_MIN ? -x : x;
    }
    return expr_make_col(cx, COL_INT64, d, m, valid, &out->c);
  }
  double *own, base = 0;
  const double *x = expr_doubles(cx, c, &own);
  double *d = x ? mlsh_malloc_array(m ? m : 1, sizeof *d) : NULL;
  int code = n->fn->code;
  if (code == 3 && n->args[1]) {   /* log(x, base) */
    if (!expr_literal_num(n->args[1], &base)) {
      mlsh_free(own), mlsh_free(d), mlsh_free(valid);
      return expr_arg_error(cx, n, 1, "a number literal");
    }
    base = log(base);
  }
  int64_t digits = 0;
  if (code == 100 && n->args[1]) expr_literal_int(n->args[1], &digits);
  if (code == 100) base = 0;
  int dg = digits > 400 ? 400 : digits < -400 ? -400 : (int)digits;
  for (size_t i = 0; d && i < m; i++) {
    d[i] = code == 100 ? r_round(x[i], dg) : math_fn[code](x[i]);
    if (base != 0) d[i] /= base;
  }
  mlsh_free(own);
  return expr_make_col(cx, COL_DOUBLE, d, m, valid, &out->c);
}

static int eval_is_na(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  const mlsh_col *c = a[0].c;
  uint8_t *d = mlsh_malloc(c->n ? c->n : 1);
  int dbl = c->type == COL_DOUBLE || c->type == COL_DATETIME;
  for (size_t i = 0; d && i < c->n; i++) d[i] = col_is_na(c, i) || (dbl && COL_DBL(c)[i] != COL_DBL(c)[i]);
  out->shape = a[0].shape;
  return expr_make_col(cx, COL_LOGICAL, d, c->n, NULL, &out->c);
}

int expr_pick(expr_ctx *cx, col_type t, expr_val *src, const int8_t *which, size_t m, expr_val *out) {
  col_builder b;
  col_builder_init(&b, t);
  for (size_t i = 0; i < m; i++) {
    if (which[i] < 0) { col_builder_na(&b); continue; }
    const mlsh_col *c = src[which[i]].c;
    size_t k = src[which[i]].shape == SH_SCALAR ? 0 : i, len;
    if (col_is_na(c, k)) { col_builder_na(&b); continue; }
    switch (t) {
    case COL_DOUBLE: case COL_DATETIME: col_builder_double(&b, COL_DBL(c)[k]); break;
    case COL_INT64: col_builder_int64(&b, COL_I64(c)[k]); break;
    case COL_LOGICAL: col_builder_logical(&b, COL_LGL(c)[k]); break;
    case COL_DATE: col_builder_int32(&b, COL_I32(c)[k]); break;
    default: {
      const char *s = expr_text(c, k, &len);
      col_builder_string(&b, s, len);
    }
    }
    if (EXPR_POLL(i)) { col_builder_free(&b); return expr_intr(cx); }
  }
  return col_builder_finish(&b, NULL, 0, &out->c, cx->err);
}

static int truthy(const mlsh_col *c, size_t i) {
  if (col_is_na(c, i)) return -1;
  if (c->type == COL_LOGICAL) return COL_LGL(c)[i];
  if (c->type == COL_INT64) return COL_I64(c)[i] != 0;
  double x = COL_DBL(c)[i];
  return x != x ? -1 : x != 0;
}

static int eval_if_else(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  expr_shape shape;
  int rc = expr_align(cx, a, n->nargs, &shape);
  for (size_t k = 1; !rc && k < n->nargs; k++) rc = expr_val_cast(cx, &a[k], n->type);
  if (rc) return rc;
  size_t m = expr_shape_len(cx, shape);
  int8_t *which = mlsh_malloc(m ? m : 1);
  if (!which) return expr_nomem(cx);
  for (size_t i = 0; i < m; i++) {
    int t = truthy(a[0].c, a[0].shape == SH_SCALAR ? 0 : i);
    which[i] = (int8_t)(t == 1 ? 1 : t == 0 ? 2 : a[3].c ? 3 : -1);
  }
  out->shape = shape;
  rc = expr_pick(cx, n->type, a, which, m, out);
  mlsh_free(which);
  return rc;
}

static int eval_coalesce(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  size_t k = (size_t)n->i;
  expr_shape shape;
  int rc = expr_align(cx, a, k, &shape);
  for (size_t q = 0; !rc && q < k; q++) rc = expr_val_cast(cx, &a[q], n->type);
  if (rc) return rc;
  if (k > 100) return mlsh_seterr(cx->err, MLSH_EINVAL, "%s: coalesce() takes at most 100 values", cx->fname);
  size_t m = expr_shape_len(cx, shape);
  int8_t *which = mlsh_malloc(m ? m : 1);
  if (!which) return expr_nomem(cx);
  for (size_t i = 0; i < m; i++) {
    which[i] = -1;
    for (size_t q = 0; q < k; q++)
      if (!col_is_na(a[q].c, a[q].shape == SH_SCALAR ? 0 : i)) { which[i] = (int8_t)q; break; }
  }
  out->shape = shape;
  rc = expr_pick(cx, n->type, a, which, m, out);
  mlsh_free(which);
  return rc;
}

static int eval_as(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  int rc = expr_val_cast(cx, &a[0], n->type);
  if (rc) return rc;
  *out = a[0];
  a[0].c = NULL;
  return 0;
}

#define MATH(name, code) {name, FK_ELEM, 1, {"x"}, type_math, eval_math, code}

const expr_func expr_math_funcs[] = {
  MATH("abs", 0), MATH("sqrt", 1), MATH("exp", 2), {"log", FK_ELEM, 1, {"x", "base"}, type_math, eval_math, 3},
  MATH("log2", 4), MATH("log10", 5), MATH("log1p", 6), MATH("expm1", 7), MATH("sin", 8), MATH("cos", 9),
  MATH("tan", 10), MATH("asin", 11), MATH("acos", 12), MATH("atan", 13), MATH("sinh", 14), MATH("cosh", 15),
  MATH("tanh", 16), MATH("floor", 17), MATH("ceiling", 18), MATH("trunc", 19), MATH("sign", 20),
  {"round", FK_ELEM, 1, {"x", "digits"}, type_round, eval_math, 100},
  {"desc", FK_ELEM, 1, {"x"}, type_desc, eval_desc, 0},
  {"is_na", FK_ELEM, 1, {"x"}, type_is_na, eval_is_na, 0},
  {"if_else", FK_ELEM, 3, {"condition", "true", "false", "missing"}, type_if_else, eval_if_else, 0},
  {"coalesce", FK_ELEM, 1, {"..."}, type_coalesce, eval_coalesce, 0},
  {"as_double", FK_ELEM, 1, {"x"}, type_as, eval_as, COL_DOUBLE},
  {"as_integer", FK_ELEM, 1, {"x"}, type_as, eval_as, COL_INT64},
  {"as_logical", FK_ELEM, 1, {"x"}, type_as, eval_as, COL_LOGICAL},
  {"as_string", FK_ELEM, 1, {"x"}, type_as, eval_as, COL_STRING},
  {NULL, FK_ELEM, 0, {NULL}, NULL, NULL, 0}};
