/* lts_arima.c - Lua binding for ARIMA models: ts.arima, ts.auto_arima and
 * the Arima fit with fit:forecast (fit:summary and fit:diagnostics are in
 * lua/mlsh/ts.lua). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "../core/distrib.h"
#include "lts.h"
#include "../ts/ts.h"
#include "../ts/arima.h"
#include "../core/alloc.h"

#define ARIMA_MT "mlsh.Arima"
#define STATE_MT "mlsh.ArimaState"

static const char *const method_names[] = {"CSS-ML", "ML", "CSS", NULL};
#define METHOD_DOC "\"CSS-ML\" (a conditional-sum-of-squares start, then exact ML), \"ML\" or \"CSS\""

/* ---- the fit object ---- */

typedef struct arima_ud {
  ts_arima_fit fit;
  lts_series s;      /* time index of the fitted series (v, n unused later) */
} arima_ud;

static int state_gc(lua_State *L) {
  arima_ud *u = luaL_checkudata(L, 1, STATE_MT);
  ts_arima_free(&u->fit);
  return 0;
}

static arima_ud *new_state(lua_State *L, const lts_series *s) {
  arima_ud *u = lua_newuserdatauv(L, sizeof *u, 0);
  memset(u, 0, sizeof *u);
  u->s = *s;
  u->s.v = NULL;
  luaL_setmetatable(L, STATE_MT);
  return u;
}

static void push_triple(lua_State *L, int a, int b, int c) {
  lua_createtable(L, 3, 0);
  lua_pushinteger(L, a); lua_rawseti(L, -2, 1);
  lua_pushinteger(L, b); lua_rawseti(L, -2, 2);
  lua_pushinteger(L, c); lua_rawseti(L, -2, 3);
}

static void warn_fit(const char *fn, const ts_arima_fit *f) {
  if (f->warning[0]) fprintf(stderr, "%s: warning: %s\n", fn, f->warning);
}

/* A table name -> value over the coefficients. */
static void push_by_name(lua_State *L, const ts_arima_fit *f, const double *v) {
  lua_createtable(L, 0, (int)f->ncoef);
  for (size_t i = 0; i < f->ncoef; i++) lts_setnum(L, f->names[i], v[i]);
}

/* The fit object: fields as R's Arima plus the state userdata at ud. */
static void push_fit(lua_State *L, int ud, const double *y) {
  arima_ud *u = lua_touserdata(L, ud);
  const ts_arima_fit *f = &u->fit;
  double *fit = lts_scratch(L, f->n, "ts.arima");
  int sc = lua_gettop(L);
  for (size_t t = 0; t < f->n; t++) fit[t] = y[t] - f->resid[t];
  lua_createtable(L, 0, 24);
  push_by_name(L, f, f->coef);
  lua_setfield(L, -2, "coef");
  push_by_name(L, f, f->se);
  lua_setfield(L, -2, "se");
  lua_createtable(L, (int)f->ncoef, 0);
  for (size_t i = 0; i < f->ncoef; i++) { lua_pushstring(L, f->names[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
  lua_setfield(L, -2, "names");
  lua_createtable(L, 0, (int)f->ncoef);
  for (size_t i = 0; i < f->ncoef; i++) { lua_pushboolean(L, !f->mask[i]); lua_setfield(L, -2, f->names[i]); }
  lua_setfield(L, -2, "fixed");
  mlsh_mat *V = lmat_push_new(L, f->ncoef, f->ncoef, "ts.arima");
  if (f->ncoef) memcpy(V->data, f->var, f->ncoef * f->ncoef * sizeof(double));
  lua_setfield(L, -2, "var");
  lts_setnum(L, "loglik", f->loglik); lts_setnum(L, "aic", f->aic); lts_setnum(L, "aicc", f->aicc);
  lts_setnum(L, "bic", f->bic); lts_setnum(L, "sigma2", f->sigma2);
  lts_setint(L, "nobs", (lua_Integer)f->nobs); lts_setint(L, "n", (lua_Integer)f->n);
  lts_setint(L, "npar", f->npar); lts_setint(L, "code", f->code);
  lts_setint(L, "period", f->ord.s);
  lts_setstr(L, "method", method_names[f->method]);
  if (f->warning[0]) lts_setstr(L, "warning", f->warning);
  push_triple(L, f->ord.p, f->ord.d, f->ord.q);
  lua_setfield(L, -2, "order");
  push_triple(L, f->ord.P, f->ord.D, f->ord.Q);
  lua_setfield(L, -2, "seasonal");
  lts_setint(L, "narma", (lua_Integer)f->narma);
  lts_push_series(L, &u->s, u->s.is_series, f->resid, f->n, 0);
  lua_setfield(L, -2, "residuals");
  lts_push_series(L, &u->s, u->s.is_series, fit, f->n, 0);
  lua_setfield(L, -2, "fitted");
  lua_pushvalue(L, ud);
  lua_setfield(L, -2, "_state");
  luaL_setmetatable(L, ARIMA_MT);
  lua_remove(L, sc);
}

/* ---- ts.arima ---- */

static const mlsh_opt arima_opt[] = {
  MLSH_OPT_VALUE("order", MLSH_OT_TABLE, "{0, 0, 0}", "{p, d, q}: AR order, differences, MA order"),
  MLSH_OPT_VALUE("seasonal", MLSH_OT_TABLE, "{0, 0, 0}", "{P, D, Q}: the same at the seasonal lag `period`"),
  MLSH_OPT_INT_PRESET(ts_arima_opts, ord.s, "period", "the series' freq", 1, LTS_MAX_LAG,
                      "the seasonal period (>= 2 with a seasonal part)"),
  MLSH_OPT_BOOL_PRESET(ts_arima_opts, include_mean, "include_mean", "d + D == 0",
                       "estimate a mean (intercept); used only when d + D = 0"),
  MLSH_OPT_BOOL(ts_arima_opts, drift, "drift", 0, "add a slope on 1..n (a linear trend)"),
  MLSH_OPT_ENUM(ts_arima_opts, method, "method", 0, method_names, METHOD_DOC),
  MLSH_OPT_VALUE("fixed", MLSH_OT_TABLE, "none", "coefficient values in the order of fit.names (NaN = estimated)"),
  MLSH_OPT_BOOL(ts_arima_opts, transform_pars, "transform_pars", 1, "keep the AR parts stationary while optimising"),
  MLSH_OPT_VALUE("xreg", MLSH_OT_MATRIX, "none", "n x k Matrix (or data frame) of regressors, one row per value"),
  MLSH_OPT_INT(ts_arima_opts, maxit, "maxit", 100, 0, 100000, "BFGS iterations"),
  MLSH_OPT_POS(ts_arima_opts, kappa, "kappa", 1e6, "prior variance of the diffuse states"),
  MLSH_OPT_END};
static const mlsh_optspec arima_spec = {"ts.arima", arima_opt};

/* The option `key` ({a, b, c} of non-negative integers) into out; 0 when absent. */
static int read_triple(lua_State *L, int opt, const char *key, int out[3], const char *fn) {
  out[0] = out[1] = out[2] = 0;
  if (mlsh_opt_get(L, opt, key) == LUA_TNIL) { lua_pop(L, 1); return 0; }
  if (lua_rawlen(L, -1) != 3) mlsh_error(L, fn, "option '%s' must be an array of 3 non-negative integers", key);
  for (int k = 0; k < 3; k++) {
    lua_rawgeti(L, -1, k + 1);
    int ok = lua_isinteger(L, -1);
    lua_Integer v = lua_tointeger(L, -1);
    if (!ok && lua_type(L, -1) == LUA_TNUMBER) {
      double d = lua_tonumber(L, -1);
      ok = d == floor(d) && fabs(d) < 1e6;
      v = ok ? (lua_Integer)d : -1;   /* no cast of a value out of range (UB) */
    }
    if (!ok || v < 0 || v > 1000)
      mlsh_error(L, fn, "option '%s': element %d must be a non-negative integer (got %s)", key, k + 1, luaL_tolstring(L, -1, NULL));
    out[k] = (int)v;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return 1;
}

/* order, seasonal, and the defaults that depend on them or on the series. */
static void read_orders(lua_State *L, int opt, const char *fn, int freq, ts_arima_opts *o) {
  int ord[3], sea[3];
  read_triple(L, opt, "order", ord, fn);
  read_triple(L, opt, "seasonal", sea, fn);
  o->ord.p = ord[0]; o->ord.d = ord[1]; o->ord.q = ord[2];
  o->ord.P = sea[0]; o->ord.D = sea[1]; o->ord.Q = sea[2];
  if (!o->ord.s) o->ord.s = freq;
  if ((sea[0] || sea[1] || sea[2]) && o->ord.s < 2)
    mlsh_error(L, fn, "a seasonal order needs a period >= 2: give option 'period' or a series with freq (got %d)", o->ord.s);
  if (o->include_mean < 0) o->include_mean = o->ord.d + o->ord.D == 0;
}

/* xreg, left on the stack (the fit reads it). */
static void read_xreg(lua_State *L, int opt, const char *fn, size_t n, ts_arima_opts *o) {
  if (mlsh_opt_get(L, opt, "xreg") == LUA_TNIL) { lua_pop(L, 1); return; }
  o->xreg = mlsh_check_data(L, -1, fn, "xreg", MLSH_NA_FAIL, NULL);
  if (o->xreg->rows != n) mlsh_error(L, fn, "option 'xreg' must have %zu rows (got %zux%zu)", n, o->xreg->rows, o->xreg->cols);
}

/* fixed, into a scratch left on the stack; the model's coefficient count follows from the orders. */
static void read_fixed(lua_State *L, int opt, const char *fn, ts_arima_opts *o) {
  if (mlsh_opt_get(L, opt, "fixed") == LUA_TNIL) { lua_pop(L, 1); return; }
  const ts_order *r = &o->ord;
  int nc = r->p + r->q + r->P + r->Q + (o->include_mean && r->d + r->D == 0) + o->drift + (o->xreg ? (int)o->xreg->cols : 0);
  size_t len = lua_rawlen(L, -1);
  if (len > (size_t)nc) mlsh_error(L, fn, "option 'fixed' has %zu values, the model %d coefficients", len, nc);
  double *fx = lts_scratch(L, (size_t)nc, fn);
  for (int i = 0; i < nc; i++) {
    int t = lua_rawgeti(L, -2, i + 1);
    if (t != LUA_TNIL && t != LUA_TNUMBER) mlsh_error(L, fn, "option 'fixed': element %d must be a number or NaN", i + 1);
    fx[i] = t == LUA_TNIL ? NAN : lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  o->fixed = fx;
  o->nfixed = (size_t)nc;
}

static int l_arima(lua_State *L) {
  const char *fn = arima_spec.fname;
  lua_settop(L, 2);
  ts_arima_opts o;
  ts_arima_defaults(&o);
  o.ord.s = 0;              /* presets: worked out from the series and the orders */
  o.include_mean = -1;
  mlsh_opts(L, 2, &arima_spec, &o);
  lts_series s;
  lts_check_series(L, 1, fn, "y", &s);
  read_orders(L, 2, fn, s.freq, &o);
  read_xreg(L, 2, fn, s.n, &o);
  read_fixed(L, 2, fn, &o);
  arima_ud *u = new_state(L, &s);
  int ud = lua_gettop(L);
  mlsh_err err;
  int rc = ts_arima(s.v, s.n, &o, &u->fit, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  warn_fit(fn, &u->fit);
  push_fit(L, ud, s.v);
  return 1;
}

/* ---- fit:forecast ---- */

typedef struct { double lambda; } fc_args;
static const mlsh_opt fc_opt[] = {
  MLSH_OPT_VALUE("level", MLSH_OT_ANY, "{80, 95}", "prediction interval levels in percent: a number or an array of 1 to 8"),
  MLSH_OPT_VALUE("xreg", MLSH_OT_MATRIX, "none", "h x k future regressors, when the fit has xreg"),
  MLSH_OPT_NUM_PRESET(fc_args, lambda, "lambda", "none", -100, 100,
                      "back-transform mean and intervals by the inverse Box-Cox (0: exp, for a fit on the log series)"),
  MLSH_OPT_END};
static const mlsh_optspec fc_spec = {"Arima:forecast", fc_opt};

static arima_ud *check_fit(lua_State *L, int idx, const char *fn) {
  if (!lua_istable(L, idx)) mlsh_error(L, fn, "argument 'self' must be an ARIMA fit (got %s)", mlsh_typename(L, idx));
  lua_getfield(L, idx, "_state");
  arima_ud *u = luaL_testudata(L, -1, STATE_MT);
  if (!u) mlsh_error(L, fn, "argument 'self' must be an ARIMA fit from ts.arima");
  lua_pop(L, 1);
  return u;
}

/* The level option into levels (at most 8); returns their count. */
static int read_levels(lua_State *L, int opt, const char *fn, double levels[8]) {
  int n = 2, t = mlsh_opt_get(L, opt, "level");
  levels[0] = 80; levels[1] = 95;
  if (t == LUA_TNUMBER) {
    levels[0] = lua_tonumber(L, -1);
    n = 1;
  } else if (t == LUA_TTABLE) {
    size_t len = lua_rawlen(L, -1);
    if (len < 1 || len > 8) mlsh_error(L, fn, "option 'level' must list 1 to 8 levels (got %zu)", len);
    n = (int)len;
    for (int k = 0; k < n; k++) {
      if (lua_rawgeti(L, -1, k + 1) != LUA_TNUMBER)
        mlsh_error(L, fn, "option 'level': element %d must be a number (got %s)", k + 1, mlsh_typename(L, -1));
      levels[k] = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
  } else if (t != LUA_TNIL) {
    mlsh_error(L, fn, "option 'level' must be a number or an array of numbers (got %s)", mlsh_typename(L, -1));
  }
  lua_pop(L, 1);
  for (int k = 0; k < n; k++)
    if (!(levels[k] > 0 && levels[k] < 100)) mlsh_error(L, fn, "option 'level': %g is not in (0, 100)", levels[k]);
  return n;
}

/* lower and upper: {[level] = Series} for each level. */
static void push_intervals(lua_State *L, const arima_ud *u, const double *mean, const double *se, size_t h,
                           const double *levels, int nlev, const fc_args *a, double *tmp) {
  for (int side = 0; side < 2; side++) {
    lua_createtable(L, 0, nlev);
    for (int k = 0; k < nlev; k++) {
      double z = mlsh_qnorm(0.5 + levels[k] / 200.0);
      for (size_t i = 0; i < h; i++) tmp[i] = mean[i] + (side ? z : -z) * se[i];
      if (!isnan(a->lambda)) ts_boxcox(tmp, h, a->lambda, 1, tmp);
      lts_push_series(L, &u->s, u->s.is_series, tmp, h, (long)u->fit.n);
      lua_rawseti(L, -2, (lua_Integer)levels[k]);
    }
    lua_setfield(L, -2, side ? "upper" : "lower");
  }
}

static int m_forecast(lua_State *L) {
  const char *fn = fc_spec.fname;
  lua_settop(L, 3);
  arima_ud *u = check_fit(L, 1, fn);
  fc_args a = {NAN};
  mlsh_opts(L, 3, &fc_spec, &a);
  size_t h = mlsh_check_count(L, 2, fn, "h", 100000);
  double levels[8];
  int nlev = read_levels(L, 3, fn, levels);
  const mlsh_mat *nx = NULL;
  if (mlsh_opt_get(L, 3, "xreg") != LUA_TNIL) nx = mlsh_check_data(L, -1, fn, "xreg", MLSH_NA_FAIL, NULL);
  double *mean = lts_scratch(L, 3 * h, fn), *se = mean + h, *tmp = se + h;
  mlsh_err err;
  int rc = ts_arima_forecast(&u->fit, h, nx, mean, se, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  long shift = (long)u->fit.n;
  lua_createtable(L, 0, 8);
  push_intervals(L, u, mean, se, h, levels, nlev, &a, tmp);
  lts_push_series(L, &u->s, u->s.is_series, se, h, shift);
  lua_setfield(L, -2, "se");
  if (!isnan(a.lambda)) {
    lts_push_series(L, &u->s, u->s.is_series, mean, h, shift);
    lua_setfield(L, -2, "mean_transformed");
    ts_boxcox(mean, h, a.lambda, 1, mean);
    lts_setnum(L, "lambda", a.lambda);
  }
  lts_push_series(L, &u->s, u->s.is_series, mean, h, shift);
  lua_setfield(L, -2, "mean");
  lua_createtable(L, nlev, 0);
  for (int k = 0; k < nlev; k++) { lua_pushnumber(L, levels[k]); lua_rawseti(L, -2, k + 1); }
  lua_setfield(L, -2, "level");
  lts_setint(L, "h", (lua_Integer)h);
  lts_setstr(L, "kind", "forecast");
  luaL_setmetatable(L, LTS_RESULT_MT);
  return 1;
}

/* ---- ts.auto_arima ---- */

static const char *const ic_names[] = {"aicc", "aic", "bic", NULL};
typedef struct {
  ts_auto_opts a;
  int trace, constant;
} auto_args;

static const mlsh_opt auto_opt[] = {
  MLSH_OPT_INT(auto_args, a.max_p, "max_p", 5, 0, 50, "largest AR order p (also at most n/3; m-1 with seasonal terms)"),
  MLSH_OPT_INT(auto_args, a.max_q, "max_q", 5, 0, 50, "largest MA order q (the same caps)"),
  MLSH_OPT_INT(auto_args, a.max_P, "max_P", 2, 0, 50, "largest seasonal AR order P (also at most n/(3m))"),
  MLSH_OPT_INT(auto_args, a.max_Q, "max_Q", 2, 0, 50, "largest seasonal MA order Q (also at most n/(3m))"),
  MLSH_OPT_INT(auto_args, a.max_order, "max_order", 5, 0, 50, "largest p + q + P + Q in the full grid (stepwise = false)"),
  MLSH_OPT_INT(auto_args, a.max_d, "max_d", 2, 0, 50, "most differences d the KPSS tests choose"),
  MLSH_OPT_INT(auto_args, a.max_D, "max_D", 1, 0, 50, "most seasonal differences D"),
  MLSH_OPT_INT_PRESET(auto_args, a.d, "d", "by KPSS tests", 0, 50, "the differences, when known"),
  MLSH_OPT_INT_PRESET(auto_args, a.D, "D", "by seasonal strength", 0, 50, "the seasonal differences, when known"),
  MLSH_OPT_INT(auto_args, a.start_p, "start_p", 2, 0, 50, "p of the first stepwise model"),
  MLSH_OPT_INT(auto_args, a.start_q, "start_q", 2, 0, 50, "q of the first stepwise model"),
  MLSH_OPT_INT(auto_args, a.start_P, "start_P", 1, 0, 50, "P of the first stepwise model"),
  MLSH_OPT_INT(auto_args, a.start_Q, "start_Q", 1, 0, 50, "Q of the first stepwise model"),
  MLSH_OPT_INT_PRESET(auto_args, a.s, "period", "the series' freq", 1, LTS_MAX_LAG, "the seasonal period (1: non-seasonal)"),
  MLSH_OPT_BOOL(auto_args, a.stepwise, "stepwise", 1, "Hyndman-Khandakar's stepwise search; false: the full grid"),
  MLSH_OPT_BOOL_PRESET(auto_args, a.approximation, "approximation", "n > 150 or period > 12",
                       "search with CSS fits, then refit the best without"),
  MLSH_OPT_BOOL(auto_args, a.stationary, "stationary", 0, "only stationary models (d = D = 0)"),
  MLSH_OPT_ENUM(auto_args, a.ic, "ic", 0, ic_names, "the criterion minimised: \"aicc\", \"aic\" or \"bic\""),
  MLSH_OPT_ENUM_PRESET(auto_args, a.method, "method", 0, method_names,
                       METHOD_DOC "; default: CSS while approximating, else CSS-ML"),
  MLSH_OPT_BOOL(auto_args, constant, "constant", 1, "allow a constant at all (false: neither mean nor drift)"),
  MLSH_OPT_BOOL(auto_args, a.allow_drift, "drift", 1, "allow a drift when d + D = 1"),
  MLSH_OPT_BOOL(auto_args, a.allow_mean, "mean", 1, "allow a mean when d + D = 0"),
  MLSH_OPT_BOOL(auto_args, trace, "trace", 1, "print every candidate with its criterion"),
  MLSH_OPT_INT(auto_args, a.max_models, "max_models", 94, 1, 10000, "most models the stepwise search fits"),
  MLSH_OPT_THREADS(auto_args, a.threads),
  MLSH_OPT_END};
static const mlsh_optspec auto_spec = {"ts.auto_arima", auto_opt};

/* The candidates {{order, seasonal, constant, ic}, ...} as a new array. */
static void push_candidates(lua_State *L, const ts_candidate *tried, size_t ntried) {
  lua_createtable(L, (int)ntried, 0);
  for (size_t i = 0; i < ntried; i++) {
    const ts_candidate *c = &tried[i];
    lua_createtable(L, 0, 4);
    push_triple(L, c->ord.p, c->ord.d, c->ord.q); lua_setfield(L, -2, "order");
    push_triple(L, c->ord.P, c->ord.D, c->ord.Q); lua_setfield(L, -2, "seasonal");
    lua_pushboolean(L, c->constant); lua_setfield(L, -2, "constant");
    lts_setnum(L, "ic", c->ic);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* Reads element k (1-based) of the array field `key` of the table on top. */
static int int_at(lua_State *L, const char *key, int k) {
  lua_getfield(L, -1, key);
  lua_rawgeti(L, -1, k);
  int v = (int)lua_tointeger(L, -1);
  lua_pop(L, 2);
  return v;
}

/* Prints one line per candidate of the array at cand, as forecast's trace. */
static void print_candidates(lua_State *L, int cand, int period) {
  size_t n = lua_rawlen(L, cand);
  for (size_t i = 0; i < n; i++) {
    lua_getglobal(L, "print");
    lua_rawgeti(L, cand, (lua_Integer)i + 1);
    lua_getfield(L, -1, "ic");
    double ic = lua_tonumber(L, -1);
    lua_getfield(L, -2, "constant");
    int cst = lua_toboolean(L, -1);
    lua_pop(L, 2);
    int p = int_at(L, "order", 1), d = int_at(L, "order", 2), q = int_at(L, "order", 3);
    int P = int_at(L, "seasonal", 1), D = int_at(L, "seasonal", 2), Q = int_at(L, "seasonal", 3);
    lua_pop(L, 1);
    char sea[48] = "", icb[32] = "failed";
    if (period > 1) snprintf(sea, sizeof sea, "(%d,%d,%d)[%d]", P, D, Q, period);
    if (isfinite(ic)) snprintf(icb, sizeof icb, "%.4f", ic);
    lua_pushfstring(L, " ARIMA(%d,%d,%d)%s%s : %s", p, d, q, sea,
                    cst ? (d + D == 0 ? " with mean " : " with drift") : "           ", icb);
    lua_call(L, 1, 0);
  }
}

/* The fit starts at the first non-missing value, as forecast's. */
static void skip_leading_gaps(lts_series *s) {
  size_t first = 0;
  while (first + 1 < s->n && isnan(s->v[first])) first++;
  if (!first) return;
  s->v += first;
  s->n -= first;
  lua_Integer f = s->freq > 0 ? s->freq : 1, at = s->start[1] - 1 + (lua_Integer)first;
  s->start[0] += at / f;
  s->start[1] = at % f + 1;
}

static int l_auto_arima(lua_State *L) {
  const char *fn = auto_spec.fname;
  lua_settop(L, 2);
  auto_args o;
  ts_auto_defaults(&o.a);
  o.a.s = 0;                /* preset: the series' freq */
  mlsh_opts(L, 2, &auto_spec, &o);
  if (!o.constant) o.a.allow_drift = o.a.allow_mean = 0;
  lts_series s;
  lts_check_series(L, 1, fn, "y", &s);
  if (!o.a.s) o.a.s = s.freq;
  skip_leading_gaps(&s);
  arima_ud *u = new_state(L, &s);
  int ud = lua_gettop(L);
  ts_candidate *tried = NULL;
  size_t ntried = 0;
  mlsh_err err;
  int rc = ts_auto_arima(s.v, s.n, &o.a, &u->fit, &tried, &ntried, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  /* the candidates are copied to Lua before anything can raise */
  push_candidates(L, tried, ntried);
  mlsh_free(tried);
  int cand = lua_gettop(L);
  if (o.trace) print_candidates(L, cand, o.a.s);
  warn_fit(fn, &u->fit);
  push_fit(L, ud, s.v);
  lua_pushvalue(L, cand);
  lua_setfield(L, -2, "candidates");
  lts_setstr(L, "ic", ic_names[o.a.ic]);
  return 1;
}

/* ---- registration ---- */

static const mlsh_Reg arima_funcs[] = {
  {"arima", l_arima, "ts.arima(y [, opts])",
   "Fits an ARIMA(p,d,q)(P,D,Q)[period] model by exact Gaussian likelihood (state space + Kalman filter, as R's\n"
   "stats::arima; NaN gaps are skipped). drift regresses on 1..n; fixed values are kept, the others estimated;\n"
   "transform_pars optimises AR parts through a stationary parametrisation (BFGS, numerical gradients); the\n"
   "standard errors come from the Hessian.\n"
   "Returns a fit: coef and se (by name: ar1, ma1, sar1, sma1, intercept, drift, xreg1..), names, var, loglik,\n"
   "aic, aicc, bic, sigma2, residuals, fitted, nobs; methods fit:forecast(h), fit:summary(), fit:diagnostics().\n"
   "Example: fit = ts.arima(ts.log(y), {order={0,1,1}, seasonal={0,1,1}, method=\"ML\"})", &arima_spec},
  {"auto_arima", l_auto_arima, "ts.auto_arima(y [, opts])",
   "Automatic ARIMA order selection that follows forecast::auto.arima (8.20) rule by rule:\n"
   "- the series starts at its first non-missing value; constant data get ARIMA(0,0,0) with a fixed mean;\n"
   "- caps: p, q <= n/3 and P, Q <= n/(3 period) (n: non-missing values); ic is aic when n <= 3;\n"
   "- D (period > 1, unless given): 0 when n <= 2 period, else 1 when the seasonal strength of stl(s.window =\n"
   "  11) exceeds 0.64 (nsdiffs, test \"seas\"; gaps filled linearly here, by na.interp in forecast);\n"
   "- d (unless given): KPSS (level, lag trunc(3 sqrt(n)/13), urca's p-value table) rejecting at 5 % adds a\n"
   "  difference, up to max_d (ndiffs); a difference that leaves nothing is taken back;\n"
   "- a constant differenced series gets forecast's fixed model (mean or drift fixed at the mean change);\n"
   "- with seasonal terms allowed, p and q are at most period - 1;\n"
   "- a constant is tried only as a mean (d + D = 0) or a drift (d + D = 1);\n"
   "- stepwise: the models (2,2)(1,1), (0,0)(0,0), (1,0)(1,0), (0,1)(0,1) and, with a constant, (0,0)(0,0)\n"
   "  without (fewer than 10 values: start at most (1,1)(0,0)), then the neighbours in forecast's order\n"
   "  (P-1, Q-1, P+1, Q+1, both seasonal, then p and q the same way, then the constant toggled), moving to\n"
   "  the first that improves, until none does or max_models fits;\n"
   "- stepwise = false: every p + q + P + Q <= max_order, with and without the constant;\n"
   "- approximation: the search compares CSS fits (ic from the CSS variance and the likelihood offset of\n"
   "  ARIMA(0,d,0)(0,D,0)), then the candidates are refitted by CSS-ML from the best down until one is\n"
   "  accepted (the grid refits its best, and searches again without approximation if that fails);\n"
   "- a fit is rejected (ic = inf) when it fails, its ic is not finite, an AR or MA root (seasonal parts\n"
   "  included) lies within 1.01 of the origin, or a coefficient variance is negative or NaN;\n"
   "- aic, aicc and bic use n - d - D period observations; sigma2 = sum(residuals^2) / (that - npar + 1).\n"
   "Prints the candidates (trace) and returns the best fit (as ts.arima) with a field\n"
   "candidates = {{order, seasonal, constant, ic}, ...} (the search's fits, with the ic they were compared on).\n"
   "Example: fit = ts.auto_arima(ts.log(y), {ic=\"aic\"})", &auto_spec},
  {NULL, NULL, NULL, NULL, NULL}};

static const mlsh_Reg arima_methods[] = {
  {"forecast", m_forecast, "fit:forecast(h [, opts])",
   "h-step forecasts from the end of the fitted series (R's predict.Arima via the Kalman filter state): returns\n"
   "{mean, se, lower={[80]=, [95]=}, upper=, level, h} as Series continuing the time index. With lambda the\n"
   "mean and intervals are back-transformed (mean_transformed keeps the model's scale); se stays on the\n"
   "model's scale. fc:frame() gives it as a DataFrame with dates.\nExample: fc = fit:forecast(12, {level=95, lambda=0})", &fc_spec},
  {NULL, NULL, NULL, NULL, NULL}};

static const luaL_Reg state_meta[] = {{"__gc", state_gc}, {NULL, NULL}};

void lts_open_arima(lua_State *L) {
  mlsh_register(L, "ts", arima_funcs);
  mlsh_new_class(L, STATE_MT, "ArimaState", NULL, state_meta);
  lua_pop(L, 1);
  mlsh_new_class(L, ARIMA_MT, "Arima", arima_methods, NULL);
  lua_setfield(L, -2, "_Arima");
}
