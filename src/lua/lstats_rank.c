/* lstats_rank.c - stats.quantile and stats.p_adjust: R's quantile types
 * and multiple-testing corrections over vector-like numbers. */
#include <math.h>
#include <stdlib.h>
#include "lmlsh.h"
#include "../stats/rank.h"

typedef struct { int type, na_rm; } quantile_args;
static const mlsh_opt quantile_opt[] = {
  MLSH_OPT_INT(quantile_args, type, "type", 7, 1, 9, "R's quantile type (Hyndman & Fan): 7 is R's default, 6 Minitab/SPSS"),
  MLSH_OPT_BOOL(quantile_args, na_rm, "na_rm", 0, "true: drop NaN (NA) values; false: NA is an error, as R"),
  MLSH_OPT_END};
static const mlsh_optspec quantile_spec = {"stats.quantile", quantile_opt};

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void push_numbers(lua_State *L, const double *v, size_t n) {
  lua_createtable(L, (int)(n < 0x7fffffff ? n : 0), 0);
  for (size_t i = 0; i < n; i++) { lua_pushnumber(L, v[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
}

static int l_quantile(lua_State *L) {
  const char *fname = quantile_spec.fname;
  quantile_args a;
  int has_probs = lua_type(L, 2) == LUA_TNUMBER || lmat_test(L, 2) || (lua_istable(L, 2) && lua_rawlen(L, 2) > 0);
  mlsh_opts(L, has_probs ? 3 : 2, &quantile_spec, &a);
  mlsh_mat *x = lmat_checklike(L, 1, fname, "x");
  static const double quartiles[5] = {0, 0.25, 0.5, 0.75, 1};
  const double *probs = quartiles;
  size_t np = 5;
  int scalar = has_probs && lua_type(L, 2) == LUA_TNUMBER;
  double one;
  if (scalar) { one = lua_tonumber(L, 2); probs = &one; np = 1; }
  else if (has_probs) { mlsh_mat *p = lmat_checklike(L, 2, fname, "probs"); probs = p->data; np = MAT_LEN(p); }
  for (size_t k = 0; k < np; k++)
    if (probs[k] < -100 * 2.220446e-16 || probs[k] > 1 + 100 * 2.220446e-16)
      mlsh_error(L, fname, "argument 'probs': %g is outside [0, 1]", probs[k]);
  size_t n = MAT_LEN(x), m = 0;
  double *s = mlsh_scratch(L, (n ? n : 1) * sizeof(double), fname);
  for (size_t i = 0; i < n; i++) {
    if (!isnan(x->data[i])) s[m++] = x->data[i];
    else if (!a.na_rm) mlsh_error(L, fname, "argument 'x' has a missing value (NaN) at %zu; na_rm = true drops them", i + 1);
  }
  qsort(s, m, sizeof(double), cmp_double);
  double *out = mlsh_scratch(L, np * sizeof(double) + 1, fname);
  st_quantile_sorted(s, m, probs, np, a.type, out);
  if (scalar) lua_pushnumber(L, out[0]);
  else push_numbers(L, out, np);
  return 1;
}

static const char *const padjust_methods[] = {"holm", "hochberg", "hommel", "bonferroni", "BH", "BY", "none", "fdr", NULL};
typedef struct { int method; size_t n; } padjust_args;
static const mlsh_opt padjust_opt[] = {
  MLSH_OPT_ENUM(padjust_args, method, "method", 0, padjust_methods, "correction (fdr = BH), as R's p.adjust"),
  MLSH_OPT_SIZE(padjust_args, n, "n", 0, 0, HUGE_VAL, "number of comparisons (0: the number of non-NA p-values)"),
  MLSH_OPT_END};
static const mlsh_optspec padjust_spec = {"stats.p_adjust", padjust_opt};

static int l_p_adjust(lua_State *L) {
  const char *fname = padjust_spec.fname;
  padjust_args a;
  mlsh_opts(L, 2, &padjust_spec, &a);
  mlsh_mat *p = lmat_checklike(L, 1, fname, "p");
  size_t n = MAT_LEN(p);
  double *out = mlsh_scratch(L, (n ? n : 1) * sizeof(double), fname);
  st_padjust method = a.method == 7 ? ST_PADJ_BH : (st_padjust)a.method;
  mlsh_err err;
  int rc = st_p_adjust(p->data, n, method, a.n, out, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  push_numbers(L, out, n);
  return 1;
}

static const mlsh_Reg rank_funcs[] = {
  {"quantile", l_quantile, "stats.quantile(x [, probs] [, opts])",
   "Sample quantiles as R's quantile(x, probs, type): the nine types of Hyndman & Fan (1996), type 7 (linear\n"
   "interpolation of the order statistics) by default. x: an array of numbers or a Matrix (all its values).\n"
   "probs: a number (a number back) or an array (an array back); default {0, 0.25, 0.5, 0.75, 1}. NaN (NA) is\n"
   "an error unless na_rm = true.\n"
   "Example: stats.quantile({1, 2, 3, 4, 10}, 0.9)  --> 7.6", &quantile_spec},
  {"p_adjust", l_p_adjust, "stats.p_adjust(p [, opts])",
   "p-values adjusted for multiple comparisons as R's p.adjust: holm (default), hochberg, hommel, bonferroni,\n"
   "BH (fdr) and BY; none returns them as given. NaN (NA) stays NaN and is not counted (set n to count it).\n"
   "Example: stats.p_adjust({0.01, 0.02, 0.03, 0.04}, {method = \"BH\"})  --> {0.04, 0.04, 0.04, 0.04}", &padjust_spec},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_stats_rank(lua_State *L) { mlsh_register(L, "stats", rank_funcs); }
