/* lstats_tests.c - the C side of the classical tests (stats._t_test...):
 * numbers in, a plain result table out; lua/mlsh/stats_tests.lua names and
 * prints them as R's htest. */
#include <math.h>
#include "lmlsh.h"
#include "lframe.h"
#include "../stats/htest.h"
#include "../stats/distrib.h"
#include "../stats/aov.h"

static const char *const alternatives[] = {"two.sided", "less", "greater", NULL};

typedef struct { st_ttest_opts t; } ttest_args;
static const mlsh_opt ttest_opt[] = {
  MLSH_OPT_NUM(ttest_args, t.mu, "mu", 0, -HUGE_VAL, HUGE_VAL, "the true mean (or difference in means) under the null"),
  MLSH_OPT_BOOL(ttest_args, t.paired, "paired", 0, "true: a paired test on x - y"),
  MLSH_OPT_BOOL(ttest_args, t.var_equal, "var_equal", 0, "true: pooled variance (Student); false: Welch"),
  MLSH_OPT_ENUM(ttest_args, t.alternative, "alternative", 0, alternatives, "the alternative hypothesis"),
  MLSH_OPT_NUM(ttest_args, t.conf_level, "conf_level", 0.95, 0, 1, "confidence level of the interval, in (0, 1)"),
  MLSH_OPT_END};
static const mlsh_optspec ttest_spec = {"stats.t_test", ttest_opt};

static void set_num(lua_State *L, const char *k, double v) { lua_pushnumber(L, v); lua_setfield(L, -2, k); }

static void push_htest(lua_State *L, const st_htest *r, int alternative) {
  lua_createtable(L, 0, 12);
  set_num(L, "statistic", r->statistic);
  set_num(L, "parameter", r->parameter);
  set_num(L, "p_value", r->p_value);
  lua_createtable(L, 2, 0);
  for (int k = 0; k < 2; k++) { lua_pushnumber(L, r->conf_int[k]); lua_rawseti(L, -2, k + 1); }
  lua_setfield(L, -2, "conf_int");
  set_num(L, "conf_level", r->conf_level);
  lua_createtable(L, r->nestimate, 0);
  for (int k = 0; k < r->nestimate; k++) { lua_pushnumber(L, r->estimate[k]); lua_rawseti(L, -2, k + 1); }
  lua_setfield(L, -2, "estimate");
  set_num(L, "null_value", r->null_value);
  set_num(L, "stderr", r->stderr_value);
  lua_pushinteger(L, (lua_Integer)r->nx); lua_setfield(L, -2, "nx");
  lua_pushinteger(L, (lua_Integer)r->ny); lua_setfield(L, -2, "ny");
  lua_pushstring(L, r->method); lua_setfield(L, -2, "method");
  lua_pushstring(L, alternatives[alternative]); lua_setfield(L, -2, "alternative");
  lua_pushboolean(L, r->exact); lua_setfield(L, -2, "exact");
  if (r->warning) { lua_pushstring(L, r->warning); lua_setfield(L, -2, "warning"); }
}

/* The numbers at idx: a Column of a typed frame (double, integer or
 * logical; NA as NaN), or a Matrix or Lua array (lmat_checklike). */
static const double *numbers(lua_State *L, int idx, const char *fname, const char *arg, size_t *n) {
  mlsh_col *c = lcol_test(L, idx);
  if (!c) {
    mlsh_mat *m = lmat_checklike(L, idx, fname, arg);
    *n = MAT_LEN(m);
    return m->data;
  }
  if (c->type != COL_DOUBLE && c->type != COL_INT64 && c->type != COL_LOGICAL)
    mlsh_error(L, fname, "argument '%s' must be a numeric Column (got a %s Column)", arg, col_type_name(c->type));
  if (c->n == 0) mlsh_error(L, fname, "argument '%s' is an empty Column", arg);
  double *v = mlsh_scratch(L, c->n * sizeof(double), fname);
  for (size_t i = 0; i < c->n; i++)
    v[i] = col_is_na(c, i) ? NAN : c->type == COL_DOUBLE ? COL_DBL(c)[i]
         : c->type == COL_INT64 ? (double)COL_I64(c)[i] : (double)COL_LGL(c)[i];
  *n = c->n;
  return v;
}

/* stats._t_test(x, y|nil, opts): x, y Matrices or arrays of numbers (NaN = NA). */
static int l_t_test(lua_State *L) {
  const char *fname = ttest_spec.fname;
  ttest_args a;
  mlsh_opts(L, 3, &ttest_spec, &a);
  size_t nx, ny = 0;
  const double *x = numbers(L, 1, fname, "x", &nx), *y = lua_isnoneornil(L, 2) ? NULL : numbers(L, 2, fname, "y", &ny);
  st_htest r;
  mlsh_err err;
  int rc = st_t_test(x, nx, y, ny, &a.t, &r, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  push_htest(L, &r, a.t.alternative);
  return 1;
}

static const char *const cor_methods[] = {"pearson", "kendall", "spearman", NULL};
typedef struct { int alternative, method, exact, continuity; double conf_level; } cor_args;
static const mlsh_opt cor_opt[] = {
  MLSH_OPT_ENUM(cor_args, alternative, "alternative", 0, alternatives, "the alternative hypothesis"),
  MLSH_OPT_ENUM(cor_args, method, "method", 0, cor_methods, "pearson (r), kendall (tau) or spearman (rho)"),
  MLSH_OPT_BOOL_PRESET(cor_args, exact, "exact", "kendall n < 50, spearman n <= 1290",
                       "exact p-value for kendall and spearman (not with ties)"),
  MLSH_OPT_BOOL(cor_args, continuity, "continuity", 0, "kendall, spearman: continuity correction when not exact"),
  MLSH_OPT_NUM(cor_args, conf_level, "conf_level", 0.95, 0, 1, "confidence level of the interval, in (0, 1)"),
  MLSH_OPT_END};
static const mlsh_optspec cor_spec = {"stats.cor_test", cor_opt};

/* stats._cor_test(x, y, opts): x, y arrays or Matrices of equal length. */
static int l_cor_test(lua_State *L) {
  const char *fname = cor_spec.fname;
  cor_args a;
  a.exact = -1;
  mlsh_opts(L, 3, &cor_spec, &a);
  size_t nx, ny;
  const double *x = numbers(L, 1, fname, "x", &nx), *y = numbers(L, 2, fname, "y", &ny);
  if (nx != ny) mlsh_error(L, fname, "'x' and 'y' must have the same length (%zu and %zu)", nx, ny);
  st_htest r;
  mlsh_err err;
  int rc = a.method == ST_COR_PEARSON ? st_cor_test(x, y, nx, (st_alternative)a.alternative, a.conf_level, &r, &err)
         : st_cor_rank_test(x, y, nx, (st_cor_method)a.method, (st_alternative)a.alternative, a.exact, a.continuity, &r, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  push_htest(L, &r, a.alternative);
  return 1;
}

typedef struct { int correct; } chisq_args;
static const mlsh_opt chisq_opt[] = {
  MLSH_OPT_BOOL(chisq_args, correct, "correct", 1, "Yates' continuity correction on a 2 x 2 table"),
  MLSH_OPT_VALUE("p", MLSH_OT_ANY, "equal", "array: the probabilities of a goodness-of-fit test (summing to 1)"),
  MLSH_OPT_END};
static const mlsh_optspec chisq_spec = {"stats.chisq_test", chisq_opt};

/* stats._chisq_test(x, opts): x a Matrix of counts (one row or column: goodness of fit). */
static int l_chisq_test(lua_State *L) {
  const char *fname = chisq_spec.fname;
  chisq_args a;
  mlsh_opts(L, 2, &chisq_spec, &a);
  mlsh_mat *x = lmat_checklike(L, 1, fname, "x");
  const double *probs = NULL;
  if (mlsh_opt_get(L, 2, "p")) {
    mlsh_mat *p = lmat_checklike(L, lua_gettop(L), fname, "p");
    if (MAT_LEN(p) != MAT_LEN(x)) mlsh_error(L, fname, "'x' and 'p' must have the same number of elements");
    probs = p->data;
  }
  if (probs && x->rows != 1 && x->cols != 1) mlsh_error(L, fname, "option 'p' is for a vector of counts, not a table");
  st_htest r;
  mlsh_err err;
  int small;
  mlsh_mat *E = lmat_push_new(L, x->rows, x->cols, fname);
  int rc = st_chisq_test(x->data, x->rows, x->cols, probs, a.correct, &r, E->data, &small, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  push_htest(L, &r, 0);
  lua_pushvalue(L, -2); lua_setfield(L, -2, "expected");
  lua_pushboolean(L, small); lua_setfield(L, -2, "small_expected");
  return 1;
}

typedef struct { st_wilcox_opts w; } wilcox_args;
static const mlsh_opt wilcox_opt[] = {
  MLSH_OPT_NUM(wilcox_args, w.mu, "mu", 0, -HUGE_VAL, HUGE_VAL, "the location (or shift) under the null"),
  MLSH_OPT_BOOL(wilcox_args, w.paired, "paired", 0, "true: the signed rank test on x - y"),
  MLSH_OPT_BOOL_PRESET(wilcox_args, w.exact, "exact", "n < 50 (each sample)", "exact p-value (not with ties or zeroes)"),
  MLSH_OPT_BOOL(wilcox_args, w.correct, "correct", 1, "continuity correction of the normal approximation"),
  MLSH_OPT_BOOL(wilcox_args, w.conf_int, "conf_int", 0, "true: the interval and the Hodges-Lehmann estimate"),
  MLSH_OPT_ENUM(wilcox_args, w.alternative, "alternative", 0, alternatives, "the alternative hypothesis"),
  MLSH_OPT_NUM(wilcox_args, w.conf_level, "conf_level", 0.95, 0, 1, "confidence level of the interval, in (0, 1)"),
  MLSH_OPT_END};
static const mlsh_optspec wilcox_spec = {"stats.wilcox_test", wilcox_opt};

/* stats._wilcox_test(x, y|nil, opts). */
static int l_wilcox_test(lua_State *L) {
  const char *fname = wilcox_spec.fname;
  wilcox_args a;
  a.w.exact = -1;
  mlsh_opts(L, 3, &wilcox_spec, &a);
  size_t nx, ny = 0;
  const double *x = numbers(L, 1, fname, "x", &nx), *y = lua_isnoneornil(L, 2) ? NULL : numbers(L, 2, fname, "y", &ny);
  st_htest r;
  mlsh_err err;
  int rc = st_wilcox_test(x, nx, y, ny, &a.w, &r, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  push_htest(L, &r, a.w.alternative);
  return 1;
}

/* stats._shapiro_test(x). */
static int l_shapiro_test(lua_State *L) {
  const char *fname = "stats.shapiro_test";
  size_t n;
  const double *x = numbers(L, 1, fname, "x", &n);
  st_htest r;
  mlsh_err err;
  int rc = st_shapiro_test(x, n, &r, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  push_htest(L, &r, 0);
  return 1;
}

typedef struct { int alternative, exact; } ks_args;
static const mlsh_opt ks_opt[] = {
  MLSH_OPT_ENUM(ks_args, alternative, "alternative", 0, alternatives, "two.sided, less or greater (of the CDF of x)"),
  MLSH_OPT_BOOL_PRESET(ks_args, exact, "exact", "n < 100 without ties, or nx ny < 10000", "exact p-value"),
  MLSH_OPT_END};
static const mlsh_optspec ks_spec = {"stats.ks_test", ks_opt};

typedef struct { const st_dist *D; double par[ST_DIST_MAXPAR]; } ks_null;
static double ks_cdf(double x, const void *p) { const ks_null *k = p; return k->D->p(x, k->par, 1, 0); }

/* The null distribution: its name ("pnorm" or "norm") at idx, its
 * parameters (an array, R's order; missing ones take R's defaults). */
static void check_null(lua_State *L, int idx, int pidx, ks_null *k) {
  const char *fname = ks_spec.fname, *name = lua_tostring(L, idx);
  k->D = st_dist_find(name);
  if (!k->D && name[0] == 'p') k->D = st_dist_find(name + 1);
  if (!k->D || k->D->discrete)
    mlsh_error(L, fname, "argument 'y': '%s' is not a continuous distribution of stats (pnorm, pexp, punif...)", name);
  size_t np = lua_istable(L, pidx) ? lua_rawlen(L, pidx) : 0;
  if (np > (size_t)k->D->npar) mlsh_error(L, fname, "p%s takes %d parameters (got %zu)", k->D->name, k->D->npar, np);
  for (int j = 0; j < k->D->npar; j++) {
    lua_rawgeti(L, pidx, j + 1);
    k->par[j] = (size_t)j < np ? lua_tonumber(L, -1) : k->D->def[j];
    if (!lua_isnumber(L, -1) && (size_t)j < np) mlsh_error(L, fname, "parameter %d of p%s must be a number", j + 1, k->D->name);
    lua_pop(L, 1);
    if (isnan(k->par[j])) mlsh_error(L, fname, "p%s needs its parameter '%s'", k->D->name, k->D->par[j]);
  }
}

/* stats._ks_test(x, y | name, params, opts). */
static int l_ks_test(lua_State *L) {
  const char *fname = ks_spec.fname;
  ks_args a;
  a.exact = -1;
  mlsh_opts(L, 4, &ks_spec, &a);
  size_t nx, ny = 0;
  const double *x = numbers(L, 1, fname, "x", &nx), *y = NULL;
  ks_null k = {0};
  if (lua_type(L, 2) == LUA_TSTRING) check_null(L, 2, 3, &k);
  else y = numbers(L, 2, fname, "y", &ny);
  st_htest r;
  mlsh_err err;
  int rc = st_ks_test(x, nx, y, ny, ks_cdf, &k, (st_alternative)a.alternative, a.exact, &r, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  push_htest(L, &r, a.alternative);
  return 1;
}

typedef struct { st_fisher_opts f; } fisher_args;
static const mlsh_opt fisher_opt[] = {
  MLSH_OPT_ENUM(fisher_args, f.alternative, "alternative", 0, alternatives, "2 x 2: the alternative about the odds ratio"),
  MLSH_OPT_NUM(fisher_args, f.or, "or", 1, 0, HUGE_VAL, "2 x 2: the odds ratio under the null"),
  MLSH_OPT_BOOL(fisher_args, f.conf_int, "conf_int", 1, "2 x 2: the interval of the odds ratio"),
  MLSH_OPT_NUM(fisher_args, f.conf_level, "conf_level", 0.95, 0, 1, "confidence level of the interval, in (0, 1)"),
  MLSH_OPT_BOOL(fisher_args, f.simulate, "simulate_p_value", 0, "r x c: the p-value by simulating B tables"),
  MLSH_OPT_INT(fisher_args, f.B, "B", 2000, 1, 1e9, "r x c: the number of simulated tables"),
  MLSH_OPT_SEED(fisher_args, f.seed),
  MLSH_OPT_NUM(fisher_args, f.max_tables, "max_tables", 2e7, 1, HUGE_VAL, "r x c: most (partial) tables visited before an error"),
  MLSH_OPT_END};
static const mlsh_optspec fisher_spec = {"stats.fisher_test", fisher_opt};

/* stats._fisher_test(x, opts): x a Matrix of counts. */
static int l_fisher_test(lua_State *L) {
  const char *fname = fisher_spec.fname;
  fisher_args a;
  mlsh_opts(L, 2, &fisher_spec, &a);
  mlsh_mat *x = lmat_checklike(L, 1, fname, "x");
  st_htest r;
  mlsh_err err;
  int rc = st_fisher_test(x->data, x->rows, x->cols, &a.f, &r, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  push_htest(L, &r, a.f.alternative);
  return 1;
}

static void set_nums(lua_State *L, const char *k, const double *v, size_t n) {
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) { lua_pushnumber(L, v[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
  lua_setfield(L, -2, k);
}

/* Factor codes 1..k at idx (n of them) as 0-based ints. */
static int *codes(lua_State *L, int idx, size_t n, int k, const char *fname, const char *arg) {
  size_t m;
  int *c = mlsh_check_labels(L, idx, fname, arg, 1, n, &m);
  for (size_t i = 0; i < m; i++) {
    if (c[i] > k) mlsh_error(L, fname, "argument '%s': code %d above the %d levels", arg, c[i], k);
    c[i]--;
  }
  return c;
}

/* stats._aov(y, a, ka, b|nil, kb, interaction): y numbers without NaN, a and b codes 1..k. */
static int l_aov(lua_State *L) {
  const char *fname = "stats.aov";
  mlsh_mat *y = lmat_checklike(L, 1, fname, "y");
  size_t n = MAT_LEN(y);
  int ka = (int)lua_tointeger(L, 3), kb = lua_isnoneornil(L, 4) ? 0 : (int)lua_tointeger(L, 5);
  int *a = codes(L, 2, n, ka, fname, "g1"), *b = kb ? codes(L, 4, n, kb, fname, "g2") : NULL;
  st_aov r;
  mlsh_err err;
  int rc = st_aov_fit(y->data, n, a, ka, b, kb, lua_toboolean(L, 6), &r, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  lua_createtable(L, 0, 10);
  set_nums(L, "df", r.df, r.nterms);
  set_nums(L, "ss", r.ss, r.nterms);
  set_nums(L, "ms", r.ms, r.nterms);
  set_nums(L, "F", r.F, r.nterms);
  set_nums(L, "p", r.p, r.nterms);
  set_num(L, "df_resid", r.df_resid);
  set_num(L, "ss_resid", r.ss_resid);
  set_num(L, "ms_resid", r.ms_resid);
  return 1;
}

/* stats._tukey(means, counts, mse, df, conf_level): rows {diff, lwr, upr, p adj} in R's order. */
static int l_tukey(lua_State *L) {
  const char *fname = "stats.tukey_hsd";
  mlsh_mat *mean = lmat_checklike(L, 1, fname, "means"), *count = lmat_checklike(L, 2, fname, "counts");
  int k = (int)MAT_LEN(mean);
  size_t pairs = (size_t)k * (size_t)(k - 1) / 2;
  double *out = mlsh_scratch(L, (4 * pairs + 1) * sizeof(double), fname);
  mlsh_err err;
  int rc = st_tukey(mean->data, count->data, k, lua_tonumber(L, 3), lua_tonumber(L, 4), lua_tonumber(L, 5),
                    out, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  lua_createtable(L, (int)pairs, 0);
  for (size_t m = 0; m < pairs; m++) {
    lua_createtable(L, 4, 0);
    for (int c = 0; c < 4; c++) { lua_pushnumber(L, out[4 * m + c]); lua_rawseti(L, -2, c + 1); }
    lua_rawseti(L, -2, (lua_Integer)m + 1);
  }
  return 1;
}

static const mlsh_Reg tests_funcs[] = {
  {"_aov", l_aov, "stats._aov(y, a, ka, b, kb, interaction)", "Internal: the computation behind stats.aov.", NULL},
  {"_tukey", l_tukey, "stats._tukey(means, counts, mse, df, conf_level)", "Internal: the computation behind stats.tukey_hsd.", NULL},
  {"_fisher_test", l_fisher_test, "stats._fisher_test(x, opts)", "Internal: the computation behind stats.fisher_test.", &fisher_spec},
  {"_shapiro_test", l_shapiro_test, "stats._shapiro_test(x)", "Internal: the computation behind stats.shapiro_test.", NULL},
  {"_ks_test", l_ks_test, "stats._ks_test(x, y, params, opts)", "Internal: the computation behind stats.ks_test.", &ks_spec},
  {"_wilcox_test", l_wilcox_test, "stats._wilcox_test(x, y, opts)", "Internal: the computation behind stats.wilcox_test.", &wilcox_spec},
  {"_cor_test", l_cor_test, "stats._cor_test(x, y, opts)", "Internal: the computation behind stats.cor_test.", &cor_spec},
  {"_chisq_test", l_chisq_test, "stats._chisq_test(x, opts)", "Internal: the computation behind stats.chisq_test.", &chisq_spec},
  {"_t_test", l_t_test, "stats._t_test(x, y, opts)", "Internal: the computation behind stats.t_test.", &ttest_spec},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_stats_tests(lua_State *L) { mlsh_register(L, "stats", tests_funcs); }
