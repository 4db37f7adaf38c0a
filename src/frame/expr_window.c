/* expr_window.c - window functions: one value per row computed within
 * its group, in row order (dplyr's lag lead cumsum cumprod cummean cummax
 * cummin row_number rank min_rank dense_rank percent_rank). Groups are
 * laid out once as contiguous segments of row numbers (a counting sort
 * by group id), so no function allocates per group. */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "expr_impl.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

int expr_group_rows(const frame_groups *g, int64_t **start, int64_t **rows, mlsh_err *err) {
  size_t ng = g->ngroups;
  *start = mlsh_malloc_array(ng + 1, sizeof **start);
  *rows = mlsh_malloc_array(g->n ? g->n : 1, sizeof **rows);
  int64_t *fill = mlsh_malloc_array(ng ? ng : 1, sizeof *fill);
  if (!*start || !*rows || !fill) {
    mlsh_free(fill), mlsh_free(*start), mlsh_free(*rows);
    *start = *rows = NULL;
    return mlsh_seterr(err, MLSH_ENOMEM, "group rows: not enough memory");
  }
  (*start)[0] = 0;
  for (size_t r = 0; r < ng; r++) (*start)[r + 1] = (*start)[r] + g->size[r], fill[r] = (*start)[r];
  for (size_t i = 0; i < g->n; i++) (*rows)[fill[g->id[i]]++] = (int64_t)i;
  mlsh_free(fill);
  return 0;
}

int expr_segments_build(expr_ctx *cx, const frame_groups *g, expr_segments *s) {
  s->ngroups = g->ngroups;
  return expr_group_rows(g, &s->start, &s->rows, cx->err) ? expr_nomem(cx) : 0;
}

void expr_segments_free(expr_segments *s) {
  mlsh_free(s->start);
  mlsh_free(s->rows);
  s->start = s->rows = NULL;
}

enum { W_LAG, W_LEAD, W_CUMSUM, W_CUMPROD, W_CUMMEAN, W_CUMMAX, W_CUMMIN, W_ROW_NUMBER, W_RANK, W_MIN_RANK,
       W_DENSE_RANK, W_PERCENT_RANK };

static int type_window(expr_ctx *cx, expr_node *n) {
  int code = n->fn->code;
  expr_node *x = n->nargs ? n->args[0] : NULL;
  if (code == W_LAG || code == W_LEAD) {
    int64_t k;
    if (n->args[1] && (!expr_literal_int(n->args[1], &k) || k < 0)) return expr_arg_error(cx, n, 1, "a non-negative integer literal");
    if (n->args[2] && expr_common_type(x, n->args[2]) != (int)x->type && x->kind != N_NA)
      return expr_mismatch(cx, n, "the default must be of the type of x", x, n->args[2]);
    return n->type = x->type, 0;
  }
  if (code >= W_CUMSUM && code <= W_CUMMIN) {
    if (x->kind != N_NA && !expr_type_numeric(x->type)) return expr_arg_error(cx, n, 0, "numbers");
    int integer = x->type != COL_DOUBLE && (code == W_CUMSUM || code == W_CUMMAX || code == W_CUMMIN);
    return n->type = integer ? COL_INT64 : COL_DOUBLE, 0;
  }
  if (x && x->type == COL_CATEGORICAL && !(x->kind == N_COL && (x->bound ? x->bound : cx->f->cols[x->col])->ordered))
    return expr_arg_error(cx, n, 0, "orderable (numbers, text, dates or an ordered factor)");
  n->type = code == W_RANK || code == W_PERCENT_RANK ? COL_DOUBLE : COL_INT64;
  return 0;
}

/* lag/lead: gather from k rows before/after within the group; default fills the rest. */
static int eval_shift(expr_ctx *cx, expr_node *n, expr_val *a, const expr_segments *s, expr_val *out) {
  int64_t k = 1;
  if (n->args[1]) expr_literal_int(n->args[1], &k);
  if (k > (int64_t)cx->n) k = (int64_t)cx->n;   /* every value shifted out; no overflow below */
  int lead = n->fn->code == W_LEAD;
  int64_t *idx = mlsh_malloc_array(cx->n ? cx->n : 1, sizeof *idx);
  if (!idx) return expr_nomem(cx);
  for (size_t r = 0; r < s->ngroups; r++)
    for (int64_t q = s->start[r]; q < s->start[r + 1]; q++) {
      int64_t from = lead ? q + k : q - k;
      idx[s->rows[q]] = from >= s->start[r] && from < s->start[r + 1] ? s->rows[from] : -1;
    }
  mlsh_col *shifted = NULL;
  int rc = col_take(a[0].c, idx, cx->n, &shifted, cx->err);
  out->shape = SH_ROW;
  if (rc || !a[2].c) {
    mlsh_free(idx);
    out->c = shifted;
    return rc;
  }
  int8_t *which = mlsh_malloc(cx->n ? cx->n : 1);
  expr_val src[2] = {{shifted, SH_ROW}, {col_ref(a[2].c), a[2].shape}};
  rc = which ? expr_val_expand(cx, &src[1], src[1].shape == SH_SCALAR ? SH_SCALAR : SH_ROW) : expr_nomem(cx);
  if (!rc) rc = expr_val_cast(cx, &src[1], shifted->type);
  for (size_t i = 0; !rc && i < cx->n; i++) which[i] = (int8_t)(idx[i] < 0 ? 1 : 0);
  if (!rc) rc = expr_pick(cx, shifted->type, src, which, cx->n, out);
  expr_val_clear(&src[0]);
  expr_val_clear(&src[1]);
  mlsh_free(which);
  mlsh_free(idx);
  return rc;
}

/* Running sum, product, mean, max, min: NA from the first NA on (R). */
static int eval_cumulative(expr_ctx *cx, expr_node *n, expr_val *a, const expr_segments *s, expr_val *out) {
  const mlsh_col *c = a[0].c;
  int code = n->fn->code, integer = n->type == COL_INT64;
  double *own;
  const double *x = integer ? NULL : expr_doubles(cx, c, &own);
  if (!integer && !x) return expr_nomem(cx);
  void *res = mlsh_malloc_array(cx->n ? cx->n : 1, 8);
  uint8_t *valid = expr_bitmap_new(cx->n);
  if (!res || !valid) {
    if (!integer) mlsh_free(own);
    return mlsh_free(res), mlsh_free(valid), expr_nomem(cx);
  }
  for (size_t r = 0; r < s->ngroups; r++) {
    long double acc = code == W_CUMPROD ? 1 : 0;
    int64_t iacc = 0;
    int dead = 0;
    for (int64_t q = s->start[r], k = 1; q < s->start[r + 1]; q++, k++) {
      size_t i = (size_t)s->rows[q];
      dead |= col_is_na(c, i);
      if (integer) {
        int64_t v = c->type == COL_INT64 ? COL_I64(c)[i] : COL_LGL(c)[i];
        if (!dead && k == 1) iacc = v;
        else if (!dead && code == W_CUMSUM) dead = __builtin_add_overflow(iacc, v, &iacc);
        else if (!dead) iacc = code == W_CUMMAX ? (v > iacc ? v : iacc) : (v < iacc ? v : iacc);
        ((int64_t *)res)[i] = dead ? 0 : iacc;
      } else {
        double v = x[i];
        if (code == W_CUMSUM || code == W_CUMMEAN) acc += v;
        else if (code == W_CUMPROD) acc *= v;
        else if (k == 1 || v != v) acc = v;
        else if (acc == acc) acc = code == W_CUMMAX ? (v > acc ? v : acc) : (v < acc ? v : acc);
        ((double *)res)[i] = dead ? 0 : code == W_CUMMEAN ? (double)(acc / k) : (double)acc;
      }
      if (dead) expr_clear_bit(valid, i);
    }
    if (mlsh_interrupted()) {
      if (!integer) mlsh_free(own);
      return mlsh_free(res), mlsh_free(valid), expr_intr(cx);
    }
  }
  if (!integer) mlsh_free(own);
  out->shape = SH_ROW;
  return expr_make_col(cx, n->type, res, cx->n, valid, &out->c);
}

/* ---- ranks ---- */

typedef struct { double key; int64_t row; } rank_item;

/* sort_col: a string column whose text the comparator reads, or NULL. */
static int cmp_item(const void *pa, const void *pb, void *arg) {
  const rank_item *a = pa, *b = pb;
  const mlsh_col *sort_col = arg;
  int c;
  if (sort_col) {
    size_t la, lb;
    const char *x = expr_text(sort_col, (size_t)a->row, &la), *y = expr_text(sort_col, (size_t)b->row, &lb);
    c = memcmp(x, y, la < lb ? la : lb);
    c = c ? (c > 0) - (c < 0) : (la > lb) - (la < lb);
  } else c = (a->key > b->key) - (a->key < b->key);
  return c ? c : (a->row > b->row) - (a->row < b->row);
}

static int same(const rank_item *a, const rank_item *b, const mlsh_col *sort_col) {
  if (!sort_col) return a->key == b->key;
  size_t la, lb;
  const char *x = expr_text(sort_col, (size_t)a->row, &la), *y = expr_text(sort_col, (size_t)b->row, &lb);
  return la == lb && !memcmp(x, y, la);
}

/* Ranks of one segment's k sorted items into res (double or int64). */
static void assign_ranks(int code, const rank_item *it, size_t k, const mlsh_col *sort_col, void *res) {
  size_t dense = 0;
  for (size_t q = 0; q < k;) {
    size_t end = q + 1;
    while (end < k && same(&it[q], &it[end], sort_col)) end++;
    dense++;
    for (size_t t = q; t < end; t++) {
      int64_t row = it[t].row;
      switch (code) {
      case W_RANK: ((double *)res)[row] = (double)(q + 1 + end) / 2.0; break;
      case W_MIN_RANK: ((int64_t *)res)[row] = (int64_t)q + 1; break;
      case W_DENSE_RANK: ((int64_t *)res)[row] = (int64_t)dense; break;
      case W_PERCENT_RANK: ((double *)res)[row] = k > 1 ? (double)q / (double)(k - 1) : 0; break;
      default: ((int64_t *)res)[row] = (int64_t)t + 1; break;
      }
    }
    q = end;
  }
}

static int eval_rank(expr_ctx *cx, expr_node *n, expr_val *a, const expr_segments *s, expr_val *out) {
  const mlsh_col *c = a[0].c;
  void *res = mlsh_calloc(cx->n ? cx->n : 1, 8);
  uint8_t *valid = expr_bitmap_new(cx->n);
  rank_item *it = mlsh_malloc_array(cx->n ? cx->n : 1, sizeof *it);
  double *own = NULL;
  const double *x = c && !expr_type_text(c->type) ? expr_doubles(cx, c, &own) : NULL;
  if (!res || !valid || !it || (c && !expr_type_text(c->type) && !x)) {
    mlsh_free(res), mlsh_free(valid), mlsh_free(it), mlsh_free(own);
    return expr_nomem(cx);
  }
  const mlsh_col *sort_col = c && expr_type_text(c->type) && c->type != COL_CATEGORICAL ? c : NULL;
  for (size_t r = 0; r < s->ngroups; r++) {
    size_t k = 0;
    for (int64_t q = s->start[r]; q < s->start[r + 1]; q++) {
      int64_t i = s->rows[q];
      if (c && (col_is_na(c, (size_t)i) || (x && x[i] != x[i]))) { expr_clear_bit(valid, (size_t)i); continue; }
      it[k].row = i;
      it[k++].key = !c ? 0 : x ? x[i] : c->type == COL_CATEGORICAL ? COL_I32(c)[i] : 0;
    }
    if (c) qsort_r(it, k, sizeof *it, cmp_item, (void *)sort_col);
    assign_ranks(c ? n->fn->code : -1, it, k, sort_col, res);
  }
  mlsh_free(it);
  mlsh_free(own);
  out->shape = SH_ROW;
  return expr_make_col(cx, n->type, res, cx->n, valid, &out->c);
}

static int eval_window(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  int code = n->fn->code;
  int rc = a[0].c ? expr_val_expand(cx, &a[0], SH_ROW) : 0;
  if (!rc && a[0].c && n->args[0]->kind == N_NA && code >= W_CUMSUM && code <= W_CUMMIN)
    rc = expr_val_cast(cx, &a[0], COL_INT64);
  expr_segments s = {0};
  const frame_groups *g = NULL;
  if (!rc) rc = expr_groups(cx, &g);
  if (!rc) rc = expr_segments_build(cx, g, &s);
  if (rc) return rc;
  if (code == W_LAG || code == W_LEAD) rc = eval_shift(cx, n, a, &s, out);
  else if (code <= W_CUMMIN) rc = eval_cumulative(cx, n, a, &s, out);
  else rc = eval_rank(cx, n, a, &s, out);
  expr_segments_free(&s);
  return rc;
}

#define WIN(name, code) {name, FK_WINDOW, 1, {"x"}, type_window, eval_window, code}

const expr_func expr_window_funcs[] = {
  {"lag", FK_WINDOW, 1, {"x", "n", "default"}, type_window, eval_window, W_LAG},
  {"lead", FK_WINDOW, 1, {"x", "n", "default"}, type_window, eval_window, W_LEAD},
  WIN("cumsum", W_CUMSUM), WIN("cumprod", W_CUMPROD), WIN("cummean", W_CUMMEAN), WIN("cummax", W_CUMMAX),
  WIN("cummin", W_CUMMIN), {"row_number", FK_WINDOW, 0, {"x"}, type_window, eval_window, W_ROW_NUMBER},
  WIN("rank", W_RANK), WIN("min_rank", W_MIN_RANK), WIN("dense_rank", W_DENSE_RANK),
  WIN("percent_rank", W_PERCENT_RANK),
  {NULL, FK_ELEM, 0, {NULL}, NULL, NULL, 0}};
