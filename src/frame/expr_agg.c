/* expr_agg.c - aggregates: one value per group of their argument (n sum
 * mean median var sd min max first last n_distinct through the frame
 * core's frame_aggregate; quantile, cor, any and all here over the
 * groups' segments). The argument's shape picks the groups: per-row values use
 * the frame's groups, a value that is already one per group (or one)
 * is a group of its own (sum(1) is 1, as R). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "agg_par.h"
#include "expr_impl.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"
#include "../stats/rank.h"

static int na_rm_of(expr_ctx *cx, expr_node *n, size_t k, int *na_rm) {
  *na_rm = 0;
  if (k >= n->nargs || !n->args[k]) return 0;
  if (!expr_literal_bool(n->args[k], na_rm)) return expr_arg_error(cx, n, k, "true or false");
  return 0;
}

static size_t na_rm_slot(const expr_node *n) {
  for (size_t k = 0; k < 5 && n->fn->params[k]; k++)
    if (!strcmp(n->fn->params[k], "na_rm")) return k;
  return 99;
}

static int type_agg(expr_ctx *cx, expr_node *n) {
  int na_rm, rc = na_rm_of(cx, n, na_rm_slot(n), &na_rm);
  if (rc) return rc;
  frame_agg fn = (frame_agg)n->fn->code;
  if (!strcmp(n->fn->name, "n")) return n->type = COL_INT64, 0;
  expr_node *x = n->args[0];
  col_type t = x->type;
  int num = x->kind == N_NA || expr_type_numeric(t);
  switch (fn) {
  case AGG_SUM:
    if (!num) return expr_arg_error(cx, n, 0, "numbers");
    n->type = t == COL_DOUBLE ? COL_DOUBLE : COL_INT64;
    return 0;
  case AGG_MEAN: case AGG_VAR: case AGG_SD: case AGG_MEDIAN:
    if (!num) return expr_arg_error(cx, n, 0, "numbers");
    return n->type = COL_DOUBLE, 0;
  case AGG_MIN: case AGG_MAX:
    if (t == COL_STRING || (t == COL_CATEGORICAL && !(x->kind == N_COL && (x->bound ? x->bound : cx->f->cols[x->col])->ordered)))
      return expr_arg_error(cx, n, 0, "numbers, dates or an ordered factor");
    return n->type = t, 0;
  case AGG_N_DISTINCT: return n->type = COL_INT64, 0;
  default: return n->type = t, 0;
  }
}

/* The groups that match a value's shape; *tmp holds what was built. */
static int groups_for(expr_ctx *cx, expr_shape s, frame_groups *tmp, const frame_groups **g) {
  memset(tmp, 0, sizeof *tmp);
  if (s == SH_ROW) return expr_groups(cx, g);
  *g = tmp;
  size_t ng = expr_shape_len(cx, s);
  if (ng == 1) return frame_group_all(1, tmp, cx->err);
  tmp->n = tmp->ngroups = ng;
  tmp->id = mlsh_malloc_array(ng ? ng : 1, sizeof *tmp->id);
  tmp->first = mlsh_malloc_array(ng ? ng : 1, sizeof *tmp->first);
  tmp->size = mlsh_malloc_array(ng ? ng : 1, sizeof *tmp->size);
  if (!tmp->id || !tmp->first || !tmp->size) return frame_groups_free(tmp), expr_nomem(cx);
  for (size_t r = 0; r < ng; r++) tmp->id[r] = tmp->first[r] = (int64_t)r, tmp->size[r] = 1;
  return 0;
}

static int eval_count(expr_ctx *cx, expr_val *out) {
  size_t ng = expr_shape_len(cx, SH_GROUP);
  int64_t *d = mlsh_malloc_array(ng ? ng : 1, sizeof *d);
  if (d && cx->g) memcpy(d, cx->g->size, ng * sizeof *d);
  else if (d) d[0] = (int64_t)cx->n;
  out->shape = SH_GROUP;
  return expr_make_col(cx, COL_INT64, d, ng, NULL, &out->c);
}

static int eval_agg(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  if (!strcmp(n->fn->name, "n")) return eval_count(cx, out);
  int na_rm;
  na_rm_of(cx, n, na_rm_slot(n), &na_rm);
  frame_groups tmp;
  const frame_groups *g;
  int rc = groups_for(cx, a[0].shape, &tmp, &g);
  if (rc) return rc;
  if (n->args[0]->kind == N_NA && (rc = expr_val_cast(cx, &a[0], COL_INT64))) return frame_groups_free(&tmp), rc;
  rc = frame_aggregate(a[0].c, g, (frame_agg)n->fn->code, na_rm, cx->nthreads, &out->c, cx->err);
  frame_groups_free(&tmp);
  if (rc == MLSH_EINTR) return expr_intr(cx);
  out->shape = a[0].shape == SH_SCALAR ? SH_SCALAR : SH_GROUP;
  return rc;
}

/* ---- quantile, any, all: per segment ---- */

static int type_quantile(expr_ctx *cx, expr_node *n) {
  double p;
  int na_rm, rc = na_rm_of(cx, n, 2, &na_rm);
  if (rc) return rc;
  if (n->args[0]->kind != N_NA && !expr_type_numeric(n->args[0]->type)) return expr_arg_error(cx, n, 0, "numbers");
  if (!expr_literal_num(n->args[1], &p) || !(p >= 0 && p <= 1)) return expr_arg_error(cx, n, 1, "a number in [0, 1]");
  return n->type = COL_DOUBLE, 0;
}

static int type_anyall(expr_ctx *cx, expr_node *n) {
  int na_rm, rc = na_rm_of(cx, n, 1, &na_rm);
  if (rc) return rc;
  if (n->args[0]->kind != N_NA && !expr_type_numeric(n->args[0]->type)) return expr_arg_error(cx, n, 0, "logical");
  return n->type = COL_LOGICAL, 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* R's quantile(x, p) (type 7) of each group; with NA and no na_rm, NA (R stops). */
static int group_quantiles(expr_ctx *cx, const mlsh_col *c, const expr_segments *s, double p, int na_rm, double *res,
                           uint8_t *valid) {
  double *own, *buf = mlsh_malloc_array(c->n ? c->n : 1, sizeof *buf);
  const double *x = buf ? expr_doubles(cx, c, &own) : NULL;
  if (!x) return mlsh_free(buf), expr_nomem(cx);
  for (size_t r = 0; r < s->ngroups; r++) {
    size_t k = 0, missing = 0;
    for (int64_t q = s->start[r]; q < s->start[r + 1]; q++) {
      size_t i = (size_t)s->rows[q];
      if (col_is_na(c, i) || x[i] != x[i]) missing++;
      else buf[k++] = x[i];
    }
    res[r] = NAN;
    if ((missing && !na_rm) || k == 0) expr_clear_bit(valid, r);
    else {
      qsort(buf, k, sizeof *buf, cmp_double);
      st_quantile_sorted(buf, k, &p, 1, 7, &res[r]);
    }
    if (mlsh_interrupted()) return mlsh_free(buf), mlsh_free(own), expr_intr(cx);
  }
  mlsh_free(buf);
  mlsh_free(own);
  return 0;
}

static int truth_of(const mlsh_col *c, size_t i) {
  if (col_is_na(c, i)) return -1;
  if (c->type == COL_LOGICAL) return COL_LGL(c)[i];
  if (c->type == COL_INT64) return COL_I64(c)[i] != 0;
  return COL_DBL(c)[i] != COL_DBL(c)[i] ? -1 : COL_DBL(c)[i] != 0;
}

/* any: TRUE if one is, else NA if one is NA, else FALSE; all the mirror. */
static void group_anyall(const mlsh_col *c, const expr_segments *s, int is_all, int na_rm, uint8_t *res, uint8_t *valid) {
  for (size_t r = 0; r < s->ngroups; r++) {
    int seen_na = 0, decided = 0;
    for (int64_t q = s->start[r]; q < s->start[r + 1] && !decided; q++) {
      int t = truth_of(c, (size_t)s->rows[q]);
      if (t < 0) seen_na |= !na_rm;
      else if (t == !is_all) decided = 1;
    }
    res[r] = (uint8_t)(decided ? !is_all : is_all);
    if (!decided && seen_na) expr_clear_bit(valid, r);
  }
}

static int eval_segmented(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  frame_groups tmp;
  const frame_groups *g;
  expr_segments s = {0};
  int is_q = !strcmp(n->fn->name, "quantile"), na_rm;
  na_rm_of(cx, n, is_q ? 2 : 1, &na_rm);
  int rc = n->args[0]->kind == N_NA ? expr_val_cast(cx, &a[0], COL_LOGICAL) : 0;
  if (!rc) rc = groups_for(cx, a[0].shape, &tmp, &g);
  if (rc) return rc;
  rc = expr_segments_build(cx, g, &s);
  size_t ng = g->ngroups;
  void *res = mlsh_malloc_array(ng ? ng : 1, is_q ? sizeof(double) : 1);
  uint8_t *valid = expr_bitmap_new(ng);
  if (!rc && (!res || !valid)) rc = expr_nomem(cx);
  if (!rc && is_q) {
    double p;
    expr_literal_num(n->args[1], &p);
    rc = group_quantiles(cx, a[0].c, &s, p, na_rm, res, valid);
  } else if (!rc) group_anyall(a[0].c, &s, n->fn->code, na_rm, res, valid);
  expr_segments_free(&s);
  frame_groups_free(&tmp);
  if (rc) return mlsh_free(res), mlsh_free(valid), rc;
  out->shape = a[0].shape == SH_SCALAR ? SH_SCALAR : SH_GROUP;
  return expr_make_col(cx, n->type, res, ng, valid, &out->c);
}

/* ---- cor(x, y): Pearson's correlation per group, R's cor(x, y) (NA
 * with an NA pair unless na_rm, then over the complete pairs as
 * use = "complete.obs"; NA for fewer than 2 pairs or a constant side) ---- */

static int type_cor(expr_ctx *cx, expr_node *n) {
  int na_rm, rc = na_rm_of(cx, n, 2, &na_rm);
  if (rc) return rc;
  for (size_t k = 0; k < 2; k++)
    if (n->args[k]->kind != N_NA && !expr_type_numeric(n->args[k]->type)) return expr_arg_error(cx, n, k, "numbers");
  return n->type = COL_DOUBLE, 0;
}

static int pair_missing(const mlsh_col *cx_, const mlsh_col *cy, const double *x, const double *y, size_t i) {
  return col_is_na(cx_, i) || col_is_na(cy, i) || x[i] != x[i] || y[i] != y[i];
}

/* Two passes as R's cov.c: the means, then the centred sums. */
static double segment_cor(const mlsh_col *c1, const mlsh_col *c2, const double *x, const double *y, const int64_t *rows,
                          int64_t m, int na_rm) {
  long double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
  int64_t k = 0;
  for (int64_t q = 0; q < m; q++) {
    size_t i = (size_t)rows[q];
    if (pair_missing(c1, c2, x, y, i)) {
      if (!na_rm) return NAN;
      continue;
    }
    mx += x[i], my += y[i], k++;
  }
  if (k < 2) return NAN;
  mx /= k, my /= k;
  for (int64_t q = 0; q < m; q++) {
    size_t i = (size_t)rows[q];
    if (pair_missing(c1, c2, x, y, i)) continue;
    long double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx, syy += dy * dy, sxy += dx * dy;
  }
  if (sxx == 0 || syy == 0) return NAN;
  double r = (double)(sxy / sqrtl(sxx * syy));
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

typedef struct { const mlsh_col *x, *y; const expr_segments *s; int na_rm; double *res; } cor_job;

/* Groups [b, e): the groups are independent, so they run on threads. */
static int cor_groups(void *ctx, size_t b, size_t e, int tid) {
  const cor_job *j = ctx;
  const double *x = COL_DBL(j->x), *y = COL_DBL(j->y);
  for (size_t r = b; r < e; r++)
    j->res[r] = segment_cor(j->x, j->y, x, y, j->s->rows + j->s->start[r], j->s->start[r + 1] - j->s->start[r], j->na_rm);
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* Two integer columns of rows: one exact pass (agg_cor_int). Returns 1
 * when it does not apply, else minus the return code (0: done). */
static int cor_integers(expr_ctx *cx, expr_node *n, expr_val *a, int na_rm, expr_val *out) {
  for (size_t k = 0; k < 2; k++)
    if (n->args[k]->kind == N_NA || a[k].shape != SH_ROW || a[k].c->type != COL_INT64) return 1;
  const frame_groups *g;
  int rc = expr_groups(cx, &g), applied = 0;
  if (rc) return -rc;
  size_t ng = g->ngroups;
  double *res = mlsh_malloc_array(ng ? ng : 1, sizeof *res);
  uint8_t *valid = expr_bitmap_new(ng);
  if (!res || !valid) return mlsh_free(res), mlsh_free(valid), -expr_nomem(cx);
  rc = agg_cor_int(a[0].c, a[1].c, g, na_rm, 0, res, &applied);
  if (rc || !applied) {
    mlsh_free(res), mlsh_free(valid);
    return rc == MLSH_EINTR ? -expr_intr(cx) : rc ? -expr_nomem(cx) : 1;
  }
  for (size_t r = 0; r < ng; r++)
    if (res[r] != res[r]) expr_clear_bit(valid, r);
  out->shape = SH_GROUP;
  return -expr_make_col(cx, COL_DOUBLE, res, ng, valid, &out->c);
}

static int eval_cor(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  int na_rm;
  na_rm_of(cx, n, 2, &na_rm);
  expr_shape shape;
  int rc = cor_integers(cx, n, a, na_rm, out);
  if (rc <= 0) return -rc;
  rc = 0;
  for (size_t k = 0; k < 2 && !rc; k++)
    if (n->args[k]->kind == N_NA || a[k].c->type != COL_DOUBLE) rc = expr_val_cast(cx, &a[k], COL_DOUBLE);
  if (!rc) rc = expr_align(cx, a, 2, &shape);
  if (!rc && shape == SH_SCALAR) rc = expr_val_expand(cx, &a[0], SH_GROUP) || expr_val_expand(cx, &a[1], SH_GROUP);
  if (rc) return rc;
  frame_groups tmp;
  const frame_groups *g;
  expr_segments s = {0};
  if ((rc = groups_for(cx, a[0].shape, &tmp, &g))) return rc;
  rc = expr_segments_build(cx, g, &s);
  size_t ng = g->ngroups;
  double *res = mlsh_malloc_array(ng ? ng : 1, sizeof *res);
  uint8_t *valid = expr_bitmap_new(ng);
  if (!rc && (!res || !valid)) rc = expr_nomem(cx);
  cor_job j = {a[0].c, a[1].c, &s, na_rm, res};
  if (!rc && mlsh_parallel_for(ng, 0, 64, cor_groups, &j)) rc = expr_intr(cx);
  for (size_t r = 0; !rc && r < ng; r++)
    if (res[r] != res[r]) expr_clear_bit(valid, r);
  expr_segments_free(&s);
  frame_groups_free(&tmp);
  if (rc) return mlsh_free(res), mlsh_free(valid), rc;
  out->shape = SH_GROUP;
  return expr_make_col(cx, COL_DOUBLE, res, ng, valid, &out->c);
}

#define AGG(name, code) {name, FK_AGG, 1, {"x", "na_rm"}, type_agg, eval_agg, code}

const expr_func expr_agg_funcs[] = {
  {"n", FK_AGG, 0, {NULL}, type_agg, eval_agg, AGG_N},
  AGG("sum", AGG_SUM), AGG("mean", AGG_MEAN), AGG("median", AGG_MEDIAN), AGG("var", AGG_VAR), AGG("sd", AGG_SD),
  AGG("min", AGG_MIN), AGG("max", AGG_MAX), AGG("first", AGG_FIRST), AGG("last", AGG_LAST),
  AGG("n_distinct", AGG_N_DISTINCT),
  {"quantile", FK_AGG, 2, {"x", "p", "na_rm"}, type_quantile, eval_segmented, 0},
  {"cor", FK_AGG, 2, {"x", "y", "na_rm"}, type_cor, eval_cor, 0},
  {"any", FK_AGG, 1, {"x", "na_rm"}, type_anyall, eval_segmented, 0},
  {"all", FK_AGG, 1, {"x", "na_rm"}, type_anyall, eval_segmented, 1},
  {NULL, FK_ELEM, 0, {NULL}, NULL, NULL, 0}};
