/* lstats_tests.c - the C side of the classical tests (stats._t_test...):
 * numbers in, a plain result table out; lua/mlsh/stats_tests.lua names and
 * prints them as R's htest. */
#include <math.h>
#include "lmlsh.h"
#include "../stats/htest.h"

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
}

/* stats._t_test(x, y|nil, opts): x, y Matrices or arrays of numbers (NaN = NA). */
static int l_t_test(lua_State *L) {
  const char *fname = ttest_spec.fname;
  ttest_args a;
  mlsh_opts(L, 3, &ttest_spec, &a);
  mlsh_mat *x = lmat_checklike(L, 1, fname, "x");
  mlsh_mat *y = lua_isnoneornil(L, 2) ? NULL : lmat_checklike(L, 2, fname, "y");
  st_htest r;
  mlsh_err err;
  int rc = st_t_test(x->data, MAT_LEN(x), y ? y->data : NULL, y ? MAT_LEN(y) : 0, &a.t, &r, &err);
  if (rc != MLSH_OK) mlsh_fail(L, fname, rc, &err);
  push_htest(L, &r, a.t.alternative);
  return 1;
}

typedef struct { int alternative; double conf_level; } cor_args;
static const mlsh_opt cor_opt[] = {
  MLSH_OPT_ENUM(cor_args, alternative, "alternative", 0, alternatives, "the alternative hypothesis"),
  MLSH_OPT_NUM(cor_args, conf_level, "conf_level", 0.95, 0, 1, "confidence level of the interval, in (0, 1)"),
  MLSH_OPT_END};
static const mlsh_optspec cor_spec = {"stats.cor_test", cor_opt};

/* stats._cor_test(x, y, opts): x, y arrays or Matrices of equal length. */
static int l_cor_test(lua_State *L) {
  const char *fname = cor_spec.fname;
  cor_args a;
  mlsh_opts(L, 3, &cor_spec, &a);
  mlsh_mat *x = lmat_checklike(L, 1, fname, "x"), *y = lmat_checklike(L, 2, fname, "y");
  if (MAT_LEN(x) != MAT_LEN(y))
    mlsh_error(L, fname, "'x' and 'y' must have the same length (%zu and %zu)", MAT_LEN(x), MAT_LEN(y));
  st_htest r;
  mlsh_err err;
  int rc = st_cor_test(x->data, y->data, MAT_LEN(x), (st_alternative)a.alternative, a.conf_level, &r, &err);
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

static const mlsh_Reg tests_funcs[] = {
  {"_cor_test", l_cor_test, "stats._cor_test(x, y, opts)", "Internal: the computation behind stats.cor_test.", &cor_spec},
  {"_chisq_test", l_chisq_test, "stats._chisq_test(x, opts)", "Internal: the computation behind stats.chisq_test.", &chisq_spec},
  {"_t_test", l_t_test, "stats._t_test(x, y, opts)", "Internal: the computation behind stats.t_test.", &ttest_spec},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_stats_tests(lua_State *L) { mlsh_register(L, "stats", tests_funcs); }
