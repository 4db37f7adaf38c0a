/* expr_ops.c - the operators' kernels: arithmetic (R's rules for integer
 * overflow, %% and ^), comparisons, three-valued and/or/not, `in`, unary
 * minus. Operands arrive aligned (same length, or a scalar read with a
 * zero stride); NA comes from the operands' bitmaps. Long numeric loops
 * run on several threads. */
#include <float.h>
#include <math.h>
#include <string.h>
#include "expr_impl.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

#define GRAIN (1 << 16)   /* values per thread chunk: below it one thread is faster */

static double r_fmod(double x1, double x2) {
  if (x2 == 0.0) return NAN;
  if (fabs(x2) * DBL_EPSILON > 1 && isfinite(x1) && fabs(x1) <= fabs(x2))
    return fabs(x1) == fabs(x2) ? 0 : ((x1 < 0 && x2 > 0) || (x2 < 0 && x1 > 0)) ? x1 + x2 : x1;
  double q = x1 / x2;
  long double tmp = (long double)x1 - floor(q) * (long double)x2;
  return (double)(tmp - floorl(tmp / x2) * x2);
}

/* R's R_pow: x^0 is 1 and 1^y is 1 whatever the other is. */
static double r_pow(double x, double y) {
  if (x == 1.0 || y == 0.0) return 1.0;
  return pow(x, y);
}

typedef struct {
  expr_tok op;
  const double *a, *b;
  const int64_t *ia, *ib;
  size_t sa, sb;
  double *out;
  int64_t *iout;
  uint8_t *overflow;   /* integer ops: a byte per value set on overflow or x %% 0 */
} arith_job;

static int arith_double(void *ctx, size_t begin, size_t end, int tid) {
  arith_job *j = ctx;
  const double *a = j->a, *b = j->b;
  size_t sa = j->sa, sb = j->sb;
  double *o = j->out;
  switch (j->op) {
  case TOK_PLUS: for (size_t i = begin; i < end; i++) o[i] = a[i * sa] + b[i * sb]; break;
  case TOK_MINUS: for (size_t i = begin; i < end; i++) o[i] = a[i * sa] - b[i * sb]; break;
  case TOK_STAR: for (size_t i = begin; i < end; i++) o[i] = a[i * sa] * b[i * sb]; break;
  case TOK_SLASH: for (size_t i = begin; i < end; i++) o[i] = a[i * sa] / b[i * sb]; break;
  case TOK_CARET: for (size_t i = begin; i < end; i++) o[i] = r_pow(a[i * sa], b[i * sb]); break;
  case TOK_IDIV: for (size_t i = begin; i < end; i++) o[i] = floor(a[i * sa] / b[i * sb]); break;
  default: for (size_t i = begin; i < end; i++) o[i] = r_fmod(a[i * sa], b[i * sb]); break;
  }
  return mlsh_interrupted() ? MLSH_EINTR : 0;
}

static int arith_int(void *ctx, size_t begin, size_t end, int tid) {
  arith_job *j = ctx;
  for (size_t i = begin; i < end; i++) {
    int64_t x = j->ia[i * j->sa], y = j->ib[i * j->sb], r = 0;
    int bad = 0;
    switch (j->op) {
    case TOK_PLUS: bad = __builtin_add_overflow(x, y, &r); break;
    case TOK_MINUS: bad = __builtin_sub_overflow(x, y, &r); break;
    case TOK_STAR: bad = __builtin_mul_overflow(x, y, &r); break;
    case TOK_IDIV:   /* R's %/%: floor division; x %/% 0 is NA */
      if (y == 0 || (y == -1 && x == INT64_MIN)) bad = 1;
      else r = x / y - ((x % y != 0) && ((x < 0) != (y < 0)));
      break;
    default:   /* R's %%: the sign of the divisor; x %% 0 is NA */
      if (y == 0 || (y == -1 && x == INT64_MIN)) bad = y == 0, r = 0;
      else {
        r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
      }
    }
    j->iout[i] = bad ? 0 : r;
    j->overflow[i] = (uint8_t)bad;
  }
  return mlsh_interrupted() ? MLSH_EINTR : 0;
}

static const int64_t *int64s(expr_ctx *cx, const mlsh_col *c, int64_t **owned) {
  *owned = NULL;
  if (c->type == COL_INT64) return COL_I64(c);
  int64_t *d = mlsh_malloc_array(c->n ? c->n : 1, sizeof *d);
  if (!d) return expr_nomem(cx), NULL;
  for (size_t i = 0; i < c->n; i++) d[i] = COL_LGL(c)[i];
  return *owned = d;
}

static int run_job(expr_ctx *cx, size_t m, mlsh_range_fn fn, void *job) {
  int rc = mlsh_parallel_for(m, m >= 2 * GRAIN ? cx->nthreads : 1, GRAIN, fn, job);
  return rc == MLSH_EINTR ? expr_intr(cx) : rc;
}

static size_t stride(const expr_val *v) { return v->shape == SH_SCALAR ? 0 : 1; }

static int arith_integer(expr_ctx *cx, arith_job *j, expr_val *v, size_t m, uint8_t *valid, expr_val *out) {
  int64_t *oa = NULL, *ob = NULL, *res = mlsh_malloc_array(m ? m : 1, sizeof *res);
  j->overflow = mlsh_malloc(m ? m : 1);
  j->ia = int64s(cx, v[0].c, &oa);
  j->ib = j->ia ? int64s(cx, v[1].c, &ob) : NULL;
  j->iout = res;
  int rc = !res || !j->overflow || !j->ib ? expr_nomem(cx) : run_job(cx, m, arith_int, j);
  for (size_t i = 0; !rc && i < m; i++)
    if (j->overflow[i]) {
      if (!valid && !(valid = expr_bitmap_new(m))) rc = expr_nomem(cx);
      else expr_clear_bit(valid, i);
    }
  mlsh_free(oa);
  mlsh_free(ob);
  mlsh_free(j->overflow);
  if (rc) {
    mlsh_free(res);
    mlsh_free(valid);
    return rc;
  }
  return expr_make_col(cx, COL_INT64, res, m, valid, &out->c);
}

/* R keeps NA^0 == 1 and 1^NA == 1. */
static void pow_keeps(const mlsh_col *a, const mlsh_col *b, const double *da, const double *db, size_t sa, size_t sb,
                      size_t m, uint8_t *valid) {
  for (size_t i = 0; valid && i < m; i++) {
    int na_a = col_is_na(a, i * sa), na_b = col_is_na(b, i * sb);
    if ((na_a && !na_b && db[i * sb] == 0) || (na_b && !na_a && da[i * sa] == 1)) valid[i >> 3] |= (uint8_t)(1u << (i & 7));
  }
}

static int arith_real(expr_ctx *cx, expr_node *n, arith_job *j, expr_val *v, size_t m, uint8_t *valid, expr_val *out) {
  double *oa = NULL, *ob = NULL, *res = mlsh_malloc_array(m ? m : 1, sizeof *res);
  j->a = expr_doubles(cx, v[0].c, &oa);
  j->b = j->a ? expr_doubles(cx, v[1].c, &ob) : NULL;
  j->out = res;
  int rc = !res || !j->b ? expr_nomem(cx) : run_job(cx, m, arith_double, j);
  if (!rc && j->op == TOK_CARET) pow_keeps(v[0].c, v[1].c, j->a, j->b, j->sa, j->sb, m, valid);
  mlsh_free(oa);
  mlsh_free(ob);
  if (rc) {
    mlsh_free(res);
    mlsh_free(valid);
    return rc;
  }
  if (n->type != COL_DATE) return expr_make_col(cx, n->type, res, m, valid, &out->c);
  /* date +- days: whole days (R keeps fractions; a date column holds days) */
  int32_t *d = mlsh_malloc_array(m ? m : 1, sizeof *d);
  for (size_t i = 0; d && i < m; i++) d[i] = isfinite(res[i]) && fabs(res[i]) < 2e9 ? (int32_t)floor(res[i]) : 0;
  mlsh_free(res);
  return expr_make_col(cx, COL_DATE, d, m, valid, &out->c);
}

int expr_op_arith(expr_ctx *cx, expr_node *n, expr_val *v, expr_val *out) {
  expr_shape shape;
  int rc = expr_align(cx, v, 2, &shape);
  if (rc) return rc;
  size_t m = expr_shape_len(cx, shape);
  arith_job j = {n->op, NULL, NULL, NULL, NULL, stride(&v[0]), stride(&v[1]), NULL, NULL, NULL};
  const mlsh_col *cols[2] = {v[0].c, v[1].c};
  uint8_t *valid;
  if ((rc = expr_na_union(cx, cols, &j.sa, 2, m, &valid))) return rc;
  out->shape = shape;
  if (n->type == COL_INT64) return arith_integer(cx, &j, v, m, valid, out);
  return arith_real(cx, n, &j, v, m, valid, out);
}

/* ---- comparisons ---- */

static int cmp_result(expr_tok op, int c) {
  switch (op) {
  case TOK_EQ: return c == 0;
  case TOK_NE: return c != 0;
  case TOK_LT: return c < 0;
  case TOK_LE: return c <= 0;
  case TOK_GT: return c > 0;
  default: return c >= 0;
  }
}

typedef struct {
  expr_tok op;
  const mlsh_col *a, *b;
  const double *da, *db;
  size_t sa, sb;
  uint8_t *out, *valid;
} cmp_job;

static int cmp_numbers(void *ctx, size_t begin, size_t end, int tid) {
  cmp_job *j = ctx;
  int ints = j->a->type == COL_INT64 && j->b->type == COL_INT64;
  for (size_t i = begin; i < end; i++) {
    int c;
    if (ints) {
      int64_t x = COL_I64(j->a)[i * j->sa], y = COL_I64(j->b)[i * j->sb];
      c = (x > y) - (x < y);
    } else {
      double x = j->da[i * j->sa], y = j->db[i * j->sb];
      if (x != x || y != y) {   /* NaN compares as NA */
        j->out[i] = 0;
        expr_clear_bit(j->valid, i);
        continue;
      }
      c = (x > y) - (x < y);
    }
    j->out[i] = (uint8_t)cmp_result(j->op, c);
  }
  return mlsh_interrupted() ? MLSH_EINTR : 0;
}

static int compare_text(const mlsh_col *a, size_t i, const mlsh_col *b, size_t k) {
  size_t la, lb;
  const char *x = expr_text(a, i, &la), *y = expr_text(b, k, &lb);
  int c = memcmp(x, y, la < lb ? la : lb);
  return c ? (c > 0) - (c < 0) : (la > lb) - (la < lb);
}

/* An ordered factor against text: positions in its level list. */
static int level_code(expr_ctx *cx, const mlsh_col *f, const mlsh_col *s, size_t i, int32_t *code) {
  size_t len, l2;
  const char *t = expr_text(s, i, &len);
  for (size_t q = 0; q < f->levels->n; q++) {
    const char *lv = col_str(f->levels, q, &l2);
    if (l2 == len && !memcmp(lv, t, len)) return *code = (int32_t)q, 0;
  }
  return mlsh_seterr(cx->err, MLSH_EINVAL, "%s: '%.*s' is not a level of the ordered factor", cx->fname, (int)len, t);
}

static int compare_rows(expr_ctx *cx, cmp_job *j, size_t m) {
  const mlsh_col *a = j->a, *b = j->b;
  int by_level = j->op != TOK_EQ && j->op != TOK_NE && (a->type == COL_CATEGORICAL || b->type == COL_CATEGORICAL);
  for (size_t i = 0; i < m; i++) {
    if (!expr_bit(j->valid, i)) continue;
    int c;
    if (by_level) {
      int32_t x, y;
      int rc = a->type == COL_CATEGORICAL ? (x = COL_I32(a)[i * j->sa], 0) : level_code(cx, b, a, i * j->sa, &x);
      if (!rc) rc = b->type == COL_CATEGORICAL ? (y = COL_I32(b)[i * j->sb], 0) : level_code(cx, a, b, i * j->sb, &y);
      if (rc) return rc;
      c = (x > y) - (x < y);
    } else c = compare_text(a, i * j->sa, b, i * j->sb);
    j->out[i] = (uint8_t)cmp_result(j->op, c);
    if (EXPR_POLL(i)) return expr_intr(cx);
  }
  return 0;
}

int expr_op_compare(expr_ctx *cx, expr_node *n, expr_val *v, expr_val *out) {
  expr_shape shape;
  int rc = expr_align(cx, v, 2, &shape);
  int common = expr_common_type(n->args[0], n->args[1]);
  if (!rc && (common == COL_DATE || common == COL_DATETIME)) {
    rc = expr_val_cast(cx, &v[0], (col_type)common);
    if (!rc) rc = expr_val_cast(cx, &v[1], (col_type)common);
  }
  if (rc) return rc;
  size_t m = expr_shape_len(cx, shape);
  if (n->args[0]->kind == N_NA || n->args[1]->kind == N_NA) {   /* x == NA is NA */
    uint8_t *vals = mlsh_calloc(m ? m : 1, 1), *valid = mlsh_calloc((m + 7) / 8 + 1, 1);
    out->shape = shape;
    if (!valid) mlsh_free(vals), vals = NULL;
    return expr_make_col(cx, COL_LOGICAL, vals, m, valid, &out->c);
  }
  cmp_job j = {n->op, v[0].c, v[1].c, NULL, NULL, stride(&v[0]), stride(&v[1]), NULL, NULL};
  const mlsh_col *cols[2] = {v[0].c, v[1].c};
  if ((rc = expr_na_union(cx, cols, &j.sa, 2, m, &j.valid))) return rc;
  j.out = mlsh_calloc(m ? m : 1, 1);
  double *oa = NULL, *ob = NULL;
  if (!j.out) rc = expr_nomem(cx);
  else if (expr_type_text(j.a->type) && expr_type_text(j.b->type)) rc = compare_rows(cx, &j, m);
  else {
    if (!j.valid && !(j.valid = expr_bitmap_new(m))) rc = expr_nomem(cx);
    j.da = rc ? NULL : expr_doubles(cx, j.a, &oa);
    j.db = j.da ? expr_doubles(cx, j.b, &ob) : NULL;
    rc = rc ? rc : !j.db ? expr_nomem(cx) : run_job(cx, m, cmp_numbers, &j);
  }
  mlsh_free(oa);
  mlsh_free(ob);
  if (rc) {
    mlsh_free(j.out);
    mlsh_free(j.valid);
    return rc;
  }
  out->shape = shape;
  return expr_make_col(cx, COL_LOGICAL, j.out, m, j.valid, &out->c);
}

/* ---- logic ---- */

/* 1 true, 0 false, -1 NA (NaN is NA, other numbers true when non-zero). */
static int truth(const mlsh_col *c, size_t i) {
  if (col_is_na(c, i)) return -1;
  switch (c->type) {
  case COL_LOGICAL: return COL_LGL(c)[i];
  case COL_INT64: return COL_I64(c)[i] != 0;
  default: {
    double x = COL_DBL(c)[i];
    return x != x ? -1 : x != 0;
  }
  }
}

static int logic_out(expr_ctx *cx, size_t m, uint8_t **vals, uint8_t **valid) {
  *vals = mlsh_malloc(m ? m : 1);
  *valid = expr_bitmap_new(m);
  if (*vals && *valid) return 0;
  mlsh_free(*vals);
  mlsh_free(*valid);
  return expr_nomem(cx);
}

int expr_op_logic(expr_ctx *cx, expr_node *n, expr_val *v, expr_val *out) {
  expr_shape shape;
  int rc = expr_align(cx, v, 2, &shape);
  if (rc) return rc;
  size_t m = expr_shape_len(cx, shape), sa = stride(&v[0]), sb = stride(&v[1]);
  uint8_t *vals, *valid;
  if ((rc = logic_out(cx, m, &vals, &valid))) return rc;
  int is_and = n->op == TOK_AND;
  for (size_t i = 0; i < m; i++) {
    int x = truth(v[0].c, i * sa), y = truth(v[1].c, i * sb), r;
    if (is_and) r = x == 0 || y == 0 ? 0 : x < 0 || y < 0 ? -1 : 1;
    else r = x == 1 || y == 1 ? 1 : x < 0 || y < 0 ? -1 : 0;
    vals[i] = r == 1;
    if (r < 0) expr_clear_bit(valid, i);
  }
  out->shape = shape;
  return expr_make_col(cx, COL_LOGICAL, vals, m, valid, &out->c);
}

static int negate(expr_ctx *cx, expr_val *v, expr_val *out) {
  const mlsh_col *c = v->c;
  size_t m = c->n;
  uint8_t *valid = NULL;
  size_t one = 1;
  int rc = expr_na_union(cx, &c, &one, 1, m, &valid);
  if (rc) return rc;
  out->shape = v->shape;
  if (c->type == COL_DOUBLE) {
    double *d = mlsh_malloc_array(m ? m : 1, sizeof *d);
    for (size_t i = 0; d && i < m; i++) d[i] = -COL_DBL(c)[i];
    return expr_make_col(cx, COL_DOUBLE, d, m, valid, &out->c);
  }
  int64_t *d = mlsh_malloc_array(m ? m : 1, sizeof *d);
  for (size_t i = 0; d && i < m; i++) {
    int64_t x = c->type == COL_INT64 ? COL_I64(c)[i] : COL_LGL(c)[i];
    if (x == INT64_MIN && !col_is_na(c, i)) {
      if (!valid && !(valid = expr_bitmap_new(m))) break;
      expr_clear_bit(valid, i);
    }
    d[i] = x == INT64_MIN ? 0 : -x;
  }
  return expr_make_col(cx, COL_INT64, d, m, valid, &out->c);
}

int expr_op_unary(expr_ctx *cx, expr_node *n, expr_val *v, expr_val *out) {
  if (n->op == TOK_NEG) {
    if (n->args[0]->kind == N_NA && expr_val_cast(cx, v, COL_INT64)) return cx->err->code;
    return negate(cx, v, out);
  }
  size_t m = v->c->n;
  uint8_t *vals, *valid;
  int rc = logic_out(cx, m, &vals, &valid);
  if (rc) return rc;
  for (size_t i = 0; i < m; i++) {
    int x = truth(v->c, i);
    vals[i] = x == 0;
    if (x < 0) expr_clear_bit(valid, i);
  }
  out->shape = v->shape;
  return expr_make_col(cx, COL_LOGICAL, vals, m, valid, &out->c);
}

/* ---- x in {a, b, ...}: FALSE for NA unless the set holds NA (R's %in%) ---- */

int expr_op_in(expr_ctx *cx, expr_node *n, expr_val *v, expr_val *out) {
  expr_node *set = n->args[1];
  size_t m = v[0].c->n, k = set->nargs;
  expr_val items[1] = {{0}};
  uint8_t *res = mlsh_calloc(m ? m : 1, 1);
  int rc = res ? 0 : expr_nomem(cx);
  for (size_t q = 0; q < k && !rc; q++) {
    expr_node *it = set->args[q];
    rc = expr_eval_node(cx, it, &items[0]);
    if (!rc && it->kind != N_NA) {
      int common = expr_common_type(n->args[0], it);
      if (common == COL_DATE || common == COL_DATETIME) rc = expr_val_cast(cx, &items[0], (col_type)common);
    }
    const mlsh_col *c = v[0].c, *s = items[0].c;
    int text = !rc && expr_type_text(c->type), na = it->kind == N_NA;
    double x = 0, y = 0;
    if (!rc && !text && !na)
      y = s->type == COL_INT64 ? (double)COL_I64(s)[0] : s->type == COL_LOGICAL ? COL_LGL(s)[0]
        : s->type == COL_DATE ? COL_I32(s)[0] : COL_DBL(s)[0];
    for (size_t i = 0; !rc && i < m; i++) {
      if (res[i]) continue;
      if (col_is_na(c, i)) { res[i] = (uint8_t)na; continue; }
      if (na) continue;
      if (text) { res[i] = compare_text(c, i, s, 0) == 0; continue; }
      if (c->type == COL_INT64 && s->type == COL_INT64) { res[i] = COL_I64(c)[i] == COL_I64(s)[0]; continue; }
      x = c->type == COL_INT64 ? (double)COL_I64(c)[i] : c->type == COL_LOGICAL ? COL_LGL(c)[i]
        : c->type == COL_DATE ? COL_I32(c)[i] : COL_DBL(c)[i];
      res[i] = x == y;
    }
    expr_val_clear(&items[0]);
  }
  if (rc) {
    mlsh_free(res);
    return rc;
  }
  out->shape = v[0].shape;
  return expr_make_col(cx, COL_LOGICAL, res, m, NULL, &out->c);
}
