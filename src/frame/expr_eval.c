/* expr_eval.c - evaluating a checked tree: values and their shapes (one,
 * one per group, one per row), conversions between types, the walk over
 * the tree, and the two entry points (expressions over a frame, and one
 * operation applied to given columns). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expr_impl.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

int expr_nomem(expr_ctx *cx) { return mlsh_seterr(cx->err, MLSH_ENOMEM, "%s: not enough memory", cx->fname); }
int expr_intr(expr_ctx *cx) { return mlsh_seterr(cx->err, MLSH_EINTR, "%s: interrupted", cx->fname); }

void expr_val_clear(expr_val *v) {
  col_unref(v->c);
  v->c = NULL;
}

size_t expr_shape_len(const expr_ctx *cx, expr_shape s) {
  return s == SH_ROW ? cx->n : s == SH_GROUP && cx->g ? cx->g->ngroups : 1;
}

int expr_groups(expr_ctx *cx, const frame_groups **g) {
  if (!cx->g && !cx->all.ngroups) {
    int rc = frame_group_all(cx->n, &cx->all, cx->err);
    if (rc) return rc;
  }
  *g = cx->g ? cx->g : &cx->all;
  return 0;
}

uint8_t *expr_bitmap_new(size_t m) {
  size_t nb = (m + 7) / 8;
  uint8_t *v = mlsh_malloc(nb ? nb : 1);
  if (v) memset(v, 0xff, nb ? nb : 1);
  return v;
}

int expr_make_col(expr_ctx *cx, col_type t, void *data, size_t m, uint8_t *valid, mlsh_col **out) {
  mlsh_col *c = mlsh_calloc(1, sizeof *c);
  if (!c || !data) {
    mlsh_free(c);
    mlsh_free(data);
    mlsh_free(valid);
    return expr_nomem(cx);
  }
  c->refs = 1;
  c->type = t;
  c->n = m;
  c->data = data;
  c->valid = valid;
  *out = c;
  return 0;
}

int expr_val_expand(expr_ctx *cx, expr_val *v, expr_shape shape) {
  if (!v->c || v->shape == shape || v->shape > shape) return 0;
  size_t m = expr_shape_len(cx, shape);
  int64_t *idx = NULL;
  int repeat_first = v->shape == SH_SCALAR || !cx->g;   /* one value (one group) over every row */
  if (repeat_first && !(idx = mlsh_calloc(m ? m : 1, sizeof *idx))) return expr_nomem(cx);
  mlsh_col *c = NULL;
  int rc = col_take(v->c, idx ? idx : cx->g->id, m, &c, cx->err);
  mlsh_free(idx);
  if (rc) return rc;
  col_unref(v->c);
  v->c = c;
  v->shape = shape;
  return 0;
}

int expr_align(expr_ctx *cx, expr_val *v, size_t k, expr_shape *shape) {
  expr_shape s = SH_SCALAR;
  for (size_t q = 0; q < k; q++)
    if (v[q].c && v[q].shape > s) s = v[q].shape;
  for (size_t q = 0; q < k; q++) {
    int rc = v[q].c && v[q].shape != SH_SCALAR ? expr_val_expand(cx, &v[q], s) : 0;
    if (rc) return rc;
  }
  *shape = s;
  return 0;
}

const double *expr_doubles(expr_ctx *cx, const mlsh_col *c, double **owned) {
  *owned = NULL;
  if (c->type == COL_DOUBLE || c->type == COL_DATETIME) return COL_DBL(c);
  double *d = mlsh_malloc_array(c->n ? c->n : 1, sizeof *d);
  if (!d) return expr_nomem(cx), NULL;
  for (size_t i = 0; i < c->n; i++)
    d[i] = c->type == COL_INT64 ? (double)COL_I64(c)[i] : c->type == COL_LOGICAL ? COL_LGL(c)[i] : COL_I32(c)[i];
  return *owned = d;
}

int expr_na_union(expr_ctx *cx, const mlsh_col *const *c, const size_t *stride, size_t k, size_t m, uint8_t **out) {
  *out = NULL;
  for (size_t q = 0; q < k; q++) {
    if (!c[q] || !c[q]->valid) continue;
    if (!*out && !(*out = expr_bitmap_new(m))) return expr_nomem(cx);
    for (size_t i = 0; i < m; i++)
      if (col_is_na(c[q], i * stride[q])) expr_clear_bit(*out, i);
  }
  return 0;
}

const char *expr_text(const mlsh_col *c, size_t i, size_t *len) {
  if (c->type == COL_CATEGORICAL) return col_str(c->levels, (size_t)COL_I32(c)[i], len);
  return col_str(c, i, len);
}

const char *expr_format(const mlsh_col *c, size_t i, char *buf, size_t *len) {
  if (col_is_na(c, i)) return NULL;
  switch (c->type) {
  case COL_STRING: case COL_CATEGORICAL: return expr_text(c, i, len);
  case COL_DOUBLE: {
    double x = COL_DBL(c)[i];
    if (isnan(x)) *len = (size_t)snprintf(buf, 64, "NaN");
    else if (isinf(x)) *len = (size_t)snprintf(buf, 64, x > 0 ? "Inf" : "-Inf");
    else *len = (size_t)snprintf(buf, 64, "%.15g", x);
    return buf;
  }
  case COL_INT64: *len = (size_t)snprintf(buf, 64, "%lld", (long long)COL_I64(c)[i]); return buf;
  case COL_LOGICAL: *len = (size_t)snprintf(buf, 64, "%s", COL_LGL(c)[i] ? "TRUE" : "FALSE"); return buf;
  case COL_DATE: *len = expr_format_date(COL_I32(c)[i], buf); return buf;
  case COL_DATETIME: *len = expr_format_datetime(COL_DBL(c)[i], buf); return buf;
  }
  return NULL;
}

/* ---- conversions ---- */

static int bad_date(expr_ctx *cx, const mlsh_col *c, size_t i, col_type t) {
  size_t len;
  const char *s = expr_text(c, i, &len);
  return mlsh_seterr(cx->err, MLSH_EINVAL, "%s: '%.*s' is not a %s (%s)", cx->fname, (int)(len > 40 ? 40 : len), s,
                     t == COL_DATE ? "date" : "datetime", t == COL_DATE ? "YYYY-MM-DD" : "YYYY-MM-DD HH:MM:SS");
}

/* as.numeric / as.integer / as.logical of text: NA when it is not one. */
static int text_to_number(const char *s, size_t len, col_type t, col_builder *b) {
  char buf[64], *end;
  if (len == 0 || len >= sizeof buf) return col_builder_na(b), 0;
  memcpy(buf, s, len);
  buf[len] = 0;
  if (t == COL_LOGICAL) {
    int v = !strcmp(buf, "TRUE") || !strcmp(buf, "true") || !strcmp(buf, "T") ? 1
          : !strcmp(buf, "FALSE") || !strcmp(buf, "false") || !strcmp(buf, "F") ? 0 : -1;
    if (v < 0) col_builder_na(b);
    else col_builder_logical(b, v);
    return 0;
  }
  double x = strtod(buf, &end);
  while (*end == ' ') end++;
  if (*end || end == buf) col_builder_na(b);
  else if (t == COL_DOUBLE) col_builder_double(b, x);
  else if (x > -9.2233720368547758e18 && x < 9.2233720368547758e18) col_builder_int64(b, (int64_t)x);
  else col_builder_na(b);
  return 0;
}

/* Value i of c pushed onto b as type t (c's type differs from t). */
static int cast_one(expr_ctx *cx, const mlsh_col *c, size_t i, col_type t, col_builder *b) {
  if (col_is_na(c, i)) return col_builder_na(b), 0;
  size_t len;
  char buf[64];
  const char *s;
  double x = 0;
  int32_t days;
  if (expr_type_text(c->type)) {
    s = expr_text(c, i, &len);
    if (t == COL_STRING) return col_builder_string(b, s, len), 0;
    if (t == COL_DATE) {
      if (expr_parse_date(s, len, &days)) return bad_date(cx, c, i, t);
      return col_builder_int32(b, days), 0;
    }
    if (t == COL_DATETIME) {
      if (expr_parse_datetime(s, len, &x)) return bad_date(cx, c, i, t);
      return col_builder_double(b, x), 0;
    }
    return text_to_number(s, len, t, b);
  }
  if (t == COL_STRING) {
    s = expr_format(c, i, buf, &len);
    return col_builder_string(b, s, len), 0;
  }
  switch (c->type) {
  case COL_DOUBLE: case COL_DATETIME: x = COL_DBL(c)[i]; break;
  case COL_INT64: x = (double)COL_I64(c)[i]; break;
  case COL_LOGICAL: x = COL_LGL(c)[i]; break;
  case COL_DATE: x = c->type == COL_DATE && t == COL_DATETIME ? COL_I32(c)[i] * 86400.0 : COL_I32(c)[i]; break;
  default: return mlsh_seterr(cx->err, MLSH_EINVAL, "%s: cannot convert %s to %s", cx->fname, col_type_name(c->type), col_type_name(t));
  }
  if (c->type == COL_DATETIME && t == COL_DATE) x = floor(x / 86400.0);
  switch (t) {
  case COL_DOUBLE: case COL_DATETIME: col_builder_double(b, x); break;
  case COL_INT64:
    if (c->type == COL_INT64) col_builder_int64(b, COL_I64(c)[i]);
    else if (!(x > -9.2233720368547758e18 && x < 9.2233720368547758e18)) col_builder_na(b);
    else col_builder_int64(b, (int64_t)x);
    break;
  case COL_LOGICAL:
    if (x != x) col_builder_na(b);
    else col_builder_logical(b, x != 0);
    break;
  case COL_DATE:
    if (!(x > -2147483648.0 && x < 2147483648.0)) col_builder_na(b);
    else col_builder_int32(b, (int32_t)floor(x));
    break;
  default:
    return mlsh_seterr(cx->err, MLSH_EINVAL, "%s: cannot convert %s to %s", cx->fname, col_type_name(c->type), col_type_name(t));
  }
  return 0;
}

int expr_val_cast(expr_ctx *cx, expr_val *v, col_type t) {
  if (!v->c || v->c->type == t) return 0;
  col_builder b;
  col_builder_init(&b, t);
  int rc = 0;
  for (size_t i = 0; i < v->c->n && !rc; i++) {
    rc = cast_one(cx, v->c, i, t, &b);
    if (!rc && EXPR_POLL(i)) rc = expr_intr(cx);
  }
  mlsh_col *c = NULL;
  if (rc) col_builder_free(&b);
  else rc = col_builder_finish(&b, NULL, 0, &c, cx->err);
  if (rc) return rc;
  col_unref(v->c);
  v->c = c;
  return 0;
}

/* ---- the walk ---- */

static int literal(expr_ctx *cx, const expr_node *n, expr_val *out) {
  col_builder b;
  col_builder_init(&b, n->type);
  switch (n->kind) {
  case N_NUM: col_builder_double(&b, n->num); break;
  case N_INT: col_builder_int64(&b, n->i); break;
  case N_BOOL: col_builder_logical(&b, (int)n->i); break;
  case N_STR: col_builder_string(&b, n->str, n->len); break;
  default: col_builder_na(&b); break;
  }
  out->shape = SH_SCALAR;
  return col_builder_finish(&b, NULL, 0, &out->c, cx->err);
}

static int eval_call(expr_ctx *cx, expr_node *n, expr_val *out) {
  expr_val args[8] = {{0}};
  expr_val *a = n->nargs <= 8 ? args : mlsh_calloc(n->nargs, sizeof *a);
  if (!a) return expr_nomem(cx);
  int rc = 0;
  for (size_t k = 0; k < n->nargs && !rc; k++)
    if (n->args[k]) rc = expr_eval_node(cx, n->args[k], &a[k]);
  if (!rc) rc = n->fn->eval(cx, n, a, out);
  for (size_t k = 0; k < n->nargs; k++) expr_val_clear(&a[k]);
  if (a != args) mlsh_free(a);
  return rc;
}

int expr_op_arith(expr_ctx *cx, expr_node *n, expr_val *v, expr_val *out);
int expr_op_compare(expr_ctx *cx, expr_node *n, expr_val *v, expr_val *out);
int expr_op_logic(expr_ctx *cx, expr_node *n, expr_val *v, expr_val *out);
int expr_op_in(expr_ctx *cx, expr_node *n, expr_val *v, expr_val *out);
int expr_op_unary(expr_ctx *cx, expr_node *n, expr_val *v, expr_val *out);

int expr_eval_node(expr_ctx *cx, expr_node *n, expr_val *out) {
  out->c = NULL;
  out->shape = SH_SCALAR;
  if (mlsh_interrupted()) return expr_intr(cx);
  switch (n->kind) {
  case N_NUM: case N_INT: case N_STR: case N_BOOL: case N_NA: return literal(cx, n, out);
  case N_COL:
    out->c = col_ref((mlsh_col *)(n->bound ? n->bound : cx->f->cols[n->col]));
    out->shape = n->group_col ? SH_GROUP : SH_ROW;
    return 0;
  case N_CALL: return eval_call(cx, n, out);
  default: break;
  }
  expr_val v[2] = {{0}};
  int rc = expr_eval_node(cx, n->args[0], &v[0]);
  if (!rc && n->kind == N_BINARY && n->op != TOK_IN) rc = expr_eval_node(cx, n->args[1], &v[1]);
  if (!rc) {
    if (n->kind == N_UNARY) rc = expr_op_unary(cx, n, v, out);
    else if (n->op == TOK_IN) rc = expr_op_in(cx, n, v, out);
    else if (n->op == TOK_AND || n->op == TOK_OR) rc = expr_op_logic(cx, n, v, out);
    else if (n->op >= TOK_EQ && n->op <= TOK_GE) rc = expr_op_compare(cx, n, v, out);
    else rc = expr_op_arith(cx, n, v, out);
  }
  expr_val_clear(&v[0]);
  expr_val_clear(&v[1]);
  return rc;
}

/* ---- entry points ---- */

static int finish(expr_ctx *cx, expr_val *v, expr_want want, mlsh_col **out) {
  int rc = 0;
  if (want == EXPR_PER_GROUP && v->shape == SH_ROW)
    return mlsh_seterr(cx->err, MLSH_EINVAL,
                       "%s: '%s' gives one value per row, not one per group (use an aggregate such as mean() or n())",
                       cx->fname, cx->src);
  rc = expr_val_expand(cx, v, want == EXPR_PER_GROUP ? SH_GROUP : SH_ROW);
  if (rc) return rc;
  *out = v->c;
  v->c = NULL;
  return 0;
}

static int run(expr_ctx *cx, expr_node *root, expr_want want, mlsh_col **out) {
  expr_val v = {0};
  int rc = expr_check(cx, root);
  if (!rc) rc = expr_eval_node(cx, root, &v);
  if (!rc) rc = finish(cx, &v, want, out);
  expr_val_clear(&v);
  return rc;
}

static int eval_over(expr *e, const mlsh_frame *f, const frame_groups *g, const mlsh_frame *results, expr_want want,
                     int nthreads, const char *fname, mlsh_col **out, mlsh_err *err) {
  *out = NULL;
  if (g && g->n != f->nrow) return mlsh_seterr(err, MLSH_EINVAL, "%s: groups of %zu rows for a frame of %zu", fname, g->n, f->nrow);
  if (results && results->nrow != (g ? g->ngroups : 1))
    return mlsh_seterr(err, MLSH_EINVAL, "%s: %zu results for %zu groups", fname, results->nrow, g ? g->ngroups : 1);
  expr_ctx cx = {f, g, results, {0}, f->nrow, mlsh_threads_resolve(nthreads), fname, e->src, err};
  int rc = run(&cx, e->root, want, out);
  frame_groups_free(&cx.all);
  return rc;
}

int expr_eval(expr *e, const mlsh_frame *f, const frame_groups *g, expr_want want, int nthreads, const char *fname,
              mlsh_col **out, mlsh_err *err) {
  return eval_over(e, f, g, NULL, want, nthreads, fname, out, err);
}

int expr_eval_summary(expr *e, const mlsh_frame *f, const frame_groups *g, const mlsh_frame *results, int nthreads,
                      const char *fname, mlsh_col **out, mlsh_err *err) {
  return eval_over(e, f, g, results, EXPR_PER_GROUP, nthreads, fname, out, err);
}

static const struct { const char *name; node_kind kind; expr_tok op; } operators[] = {
  {"+", N_BINARY, TOK_PLUS}, {"-", N_BINARY, TOK_MINUS}, {"*", N_BINARY, TOK_STAR}, {"/", N_BINARY, TOK_SLASH},
  {"^", N_BINARY, TOK_CARET}, {"%", N_BINARY, TOK_PERCENT}, {"//", N_BINARY, TOK_IDIV}, {"==", N_BINARY, TOK_EQ}, {"!=", N_BINARY, TOK_NE},
  {"~=", N_BINARY, TOK_NE}, {"<", N_BINARY, TOK_LT}, {"<=", N_BINARY, TOK_LE}, {">", N_BINARY, TOK_GT},
  {">=", N_BINARY, TOK_GE}, {"and", N_BINARY, TOK_AND}, {"or", N_BINARY, TOK_OR}, {"not", N_UNARY, TOK_NOT},
  {"neg", N_UNARY, TOK_NEG}, {NULL, N_NUM, TOK_END}};

/* A leaf for one argument of expr_apply; the source text it stands for
 * is appended to src (messages quote it). */
static expr_node *arg_node(const expr_arg *a, const char *name, char *src, size_t *used, size_t cap) {
  expr_node *n = expr_node_new(N_NA, *used, *used);
  if (!n) return NULL;
  char text[80];
  switch (a->kind) {
  case EXPR_ARG_COL: n->kind = N_COL; n->bound = a->col; snprintf(text, sizeof text, "%s", name); break;
  case EXPR_ARG_INT: n->kind = N_INT; n->i = a->i; snprintf(text, sizeof text, "%lld", (long long)a->i); break;
  case EXPR_ARG_NUM: n->kind = N_NUM; n->num = a->num; snprintf(text, sizeof text, "%.15g", a->num); break;
  case EXPR_ARG_BOOL: n->kind = N_BOOL; n->i = a->i != 0; snprintf(text, sizeof text, "%s", a->i ? "true" : "false"); break;
  case EXPR_ARG_STR: n->kind = N_STR; snprintf(text, sizeof text, "'%.60s'", a->str); break;
  case EXPR_ARG_NA: snprintf(text, sizeof text, "NA"); break;
  }
  if (a->kind == EXPR_ARG_STR || a->kind == EXPR_ARG_COL) {
    const char *s = a->kind == EXPR_ARG_STR ? a->str : name;
    n->len = strlen(s);
    if (!(n->str = mlsh_malloc(n->len + 1))) return expr_node_free(n), NULL;
    memcpy(n->str, s, n->len + 1);
  }
  size_t k = strlen(text);
  if (*used + k + 2 < cap) {
    memcpy(src + *used, text, k);
    n->end = *used + k;
    *used += k;
  }
  return n;
}

static expr_node *apply_tree(const char *op, const expr_arg *args, size_t nargs, char *src, size_t cap, mlsh_err *err,
                             const char *fname) {
  static const char *const default_names[] = {"x", "y", "z"};
  size_t k, used = 0;
  for (k = 0; operators[k].name && strcmp(operators[k].name, op); k++) {}
  int is_op = operators[k].name != NULL;
  expr_node *n = expr_node_new(is_op ? operators[k].kind : N_CALL, 0, 0);
  if (!n) return NULL;
  n->op = is_op ? operators[k].op : TOK_END;
  if (!is_op) {
    n->len = strlen(op);
    if (!(n->str = mlsh_malloc(n->len + 1))) return expr_node_free(n), NULL;
    memcpy(n->str, op, n->len + 1);
    used = (size_t)snprintf(src, cap, "%s(", op);
  }
  if (!(n->args = mlsh_calloc(nargs ? nargs : 1, sizeof *n->args)) || !(n->argnames = mlsh_calloc(nargs ? nargs : 1, sizeof *n->argnames)))
    return expr_node_free(n), NULL;
  for (size_t q = 0; q < nargs; q++) {
    if (q && used + 3 < cap) used += (size_t)snprintf(src + used, cap - used, is_op ? " %s " : ", ", is_op ? op : "");
    const char *name = args[q].name ? args[q].name : q < 3 ? default_names[q] : "arg";
    if (args[q].name && !is_op && used + strlen(name) + 4 < cap) used += (size_t)snprintf(src + used, cap - used, "%s = ", name);
    expr_node *a = arg_node(&args[q], name, src, &used, cap);
    if (!a) return expr_node_free(n), NULL;
    n->args[q] = a;
    n->nargs = q + 1;
    if (args[q].name && args[q].kind != EXPR_ARG_COL && !(n->argnames[q] = mlsh_malloc(strlen(name) + 1)))
      return expr_node_free(n), NULL;
    if (n->argnames[q]) memcpy(n->argnames[q], name, strlen(name) + 1);
  }
  if (!is_op && used + 2 < cap) src[used++] = ')';
  src[used < cap ? used : cap - 1] = 0;
  n->end = used;
  if (is_op && n->kind == N_UNARY && nargs != 1) {
    mlsh_seterr(err, MLSH_EINVAL, "%s: '%s' takes one value", fname, op);
    return expr_node_free(n), NULL;
  }
  if (is_op && n->kind == N_BINARY && nargs != 2) {
    mlsh_seterr(err, MLSH_EINVAL, "%s: '%s' takes two values", fname, op);
    return expr_node_free(n), NULL;
  }
  return n;
}

int expr_apply(const char *op, const expr_arg *args, size_t nargs, expr_want want, const char *fname, mlsh_col **out,
               mlsh_err *err) {
  char src[256];
  size_t n = 1;
  *out = NULL;
  for (size_t q = 0, first = 1; q < nargs; q++)
    if (args[q].kind == EXPR_ARG_COL) {
      if (!first && args[q].col->n != n)
        return mlsh_seterr(err, MLSH_EINVAL, "%s: columns of %zu and %zu values", fname, n, args[q].col->n);
      n = args[q].col->n, first = 0;
    }
  err->code = 0;
  expr_node *root = apply_tree(op, args, nargs, src, sizeof src, err, fname);
  if (!root) return err->code ? err->code : mlsh_seterr(err, MLSH_ENOMEM, "%s: not enough memory", fname);
  mlsh_frame empty = {0};
  empty.nrow = n;
  expr_ctx cx = {&empty, NULL, NULL, {0}, n, mlsh_threads_resolve(0), fname, src, err};
  int rc = run(&cx, root, want, out);
  frame_groups_free(&cx.all);
  expr_node_free(root);
  return rc;
}
