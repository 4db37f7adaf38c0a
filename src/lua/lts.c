/* lts.c - Lua binding for time series (issue 5): series, transforms,
 * decomposition, ACF/PACF, unit-root and white-noise tests, ARIMA fits
 * with forecasts, automatic order search and accuracy. Printing lives in
 * lua/mlsh/ts.lua. A "series" argument is a Series (ts.series), a Matrix
 * vector (a data.read_csv column) or a Lua array; NaN marks a gap. */
#include <math.h>
#include <string.h>
#include <stdio.h>
#include "lmlsh.h"
#include "../ts/ts.h"
#include "../ts/arima.h"
#include "../core/alloc.h"
#include "../core/distrib.h"

#define SERIES_MT "mlsh.Series"
#define TEST_MT "mlsh.TsTest"
#define ARIMA_MT "mlsh.Arima"
#define STATE_MT "mlsh.ArimaState"

typedef struct series_arg {
  const double *v;
  size_t n;
  int freq, is_series;
  lua_Integer start[2];
} series_arg;

/* Read a series argument: metadata from a Series table, then its values.
 * The value at idx is replaced by the Matrix (a Lua array is converted),
 * so s->v stays valid while idx is on the stack. */
static void check_series(lua_State *L, int idx, const char *fname, const char *arg, series_arg *s) {
  idx = lua_absindex(L, idx);
  memset(s, 0, sizeof *s);
  s->freq = 1;
  s->start[0] = 1; s->start[1] = 1;
  if (lua_istable(L, idx) && lua_getfield(L, idx, "values") != LUA_TNIL) {
    if (!lmat_test(L, -1)) mlsh_error(L, fname, "argument '%s': the series' values must be a Matrix", arg);
    s->is_series = 1;
    if (lua_getfield(L, idx, "freq") == LUA_TNUMBER) s->freq = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "start") == LUA_TTABLE)
      for (int k = 0; k < 2; k++) {
        lua_rawgeti(L, -1, k + 1);
        if (lua_isinteger(L, -1)) s->start[k] = lua_tointeger(L, -1);
        lua_pop(L, 1);
      }
    lua_pop(L, 1);
    lua_replace(L, idx);
    if (s->freq < 1) s->freq = 1;
  } else if (lua_istable(L, idx)) {
    lua_pop(L, 1);
  }
  mlsh_mat *m = lmat_checklike(L, idx, fname, arg);
  if (m->rows != 1 && m->cols != 1)
    mlsh_error(L, fname, "argument '%s' must be a vector (got %zux%zu)", arg, m->rows, m->cols);
  s->v = m->data;
  s->n = MAT_LEN(m);
  if (s->n == 0) mlsh_error(L, fname, "argument '%s' is empty", arg);
}

/* Push a Series {values, freq, start} (start shifted by `shift` steps) or a plain Matrix. */
static void push_series(lua_State *L, const series_arg *s, int as_series, const double *v, size_t n, long shift) {
  if (!as_series) {
    mlsh_mat *m = lmat_push_new(L, n, 1, "ts");
    if (n) memcpy(m->data, v, n * sizeof(double));
    return;
  }
  lua_createtable(L, 0, 3);
  mlsh_mat *m = lmat_push_new(L, n, 1, "ts");
  if (n) memcpy(m->data, v, n * sizeof(double));
  lua_setfield(L, -2, "values");
  lua_pushinteger(L, s->freq);
  lua_setfield(L, -2, "freq");
  long f = s->freq, t = (long)s->start[0] * f + (long)(s->start[1] - 1) + shift;
  long y = t >= 0 ? t / f : -((-t + f - 1) / f);
  lua_createtable(L, 2, 0);
  lua_pushinteger(L, y);
  lua_rawseti(L, -2, 1);
  lua_pushinteger(L, t - y * f + 1);
  lua_rawseti(L, -2, 2);
  lua_setfield(L, -2, "start");
  luaL_setmetatable(L, SERIES_MT);
}

static void setnum(lua_State *L, const char *k, double v) { lua_pushnumber(L, v); lua_setfield(L, -2, k); }
static void setint(lua_State *L, const char *k, lua_Integer v) { lua_pushinteger(L, v); lua_setfield(L, -2, k); }
static void setstr(lua_State *L, const char *k, const char *v) { lua_pushstring(L, v); lua_setfield(L, -2, k); }

static double *scratch(lua_State *L, size_t n, const char *fname) {
  return mlsh_scratch(L, (n ? n : 1) * sizeof(double), fname);
}

/* ---- series and transforms ---- */
static const char *const series_opts[] = { "start", "freq", NULL };
static int l_series(lua_State *L) {
  const char *fn = "ts.series";
  mlsh_opt_check(L, 2, fn, series_opts);
  series_arg s;
  check_series(L, 1, fn, "values", &s);
  s.freq = (int)mlsh_opt_int(L, 2, "freq", 1, fn);
  if (s.freq < 1) mlsh_error(L, fn, "option 'freq' must be a positive integer (got %d)", s.freq);
  s.start[0] = 1; s.start[1] = 1;
  if (mlsh_opt_get(L, 2, "start") == LUA_TTABLE) {
    for (int k = 0; k < 2; k++) {
      lua_rawgeti(L, -1, k + 1);
      if (!lua_isnil(L, -1)) {
        if (!lua_isinteger(L, -1)) mlsh_error(L, fn, "option 'start' must be {year, period} integers");
        s.start[k] = lua_tointeger(L, -1);
      }
      lua_pop(L, 1);
    }
  } else if (lua_isinteger(L, -1)) {
    s.start[0] = lua_tointeger(L, -1);
  } else if (!lua_isnil(L, -1)) {
    mlsh_error(L, fn, "option 'start' must be {year, period} or an integer");
  }
  lua_pop(L, 1);
  if (s.start[1] < 1 || s.start[1] > s.freq) mlsh_error(L, fn, "option 'start': period must be in 1..%d (got %d)", s.freq, (int)s.start[1]);
  push_series(L, &s, 1, s.v, s.n, 0);
  return 1;
}

static const char *const diff_opts[] = { "lag", "differences", NULL };
static int l_diff(lua_State *L) {
  const char *fn = "ts.diff";
  mlsh_opt_check(L, 2, fn, diff_opts);
  lua_Integer lag = mlsh_opt_int(L, 2, "lag", 1, fn), dd = mlsh_opt_int(L, 2, "differences", 1, fn);
  series_arg s;
  check_series(L, 1, fn, "y", &s);
  if (lag < 1) mlsh_error(L, fn, "option 'lag' must be >= 1 (got %d)", (int)lag);
  if (dd < 1) mlsh_error(L, fn, "option 'differences' must be >= 1 (got %d)", (int)dd);
  if ((size_t)(lag * dd) >= s.n) mlsh_error(L, fn, "series too short: %zu values for lag %d x %d differences", s.n, (int)lag, (int)dd);
  double *out = scratch(L, s.n, fn);
  size_t m = ts_diff(s.v, s.n, (int)lag, (int)dd, out);
  push_series(L, &s, s.is_series, out, m, (long)(lag * dd));
  return 1;
}

static int transform(lua_State *L, const char *fn, double lambda, int inverse) {
  series_arg s;
  check_series(L, 1, fn, "y", &s);
  double *out = scratch(L, s.n, fn);
  ts_boxcox(s.v, s.n, lambda, inverse, out);
  push_series(L, &s, s.is_series, out, s.n, 0);
  return 1;
}
static int l_log(lua_State *L) { return transform(L, "ts.log", 0.0, 0); }
static int l_exp(lua_State *L) { return transform(L, "ts.exp", 0.0, 1); }
static const char *const boxcox_opts[] = { "inverse", NULL };
static int l_boxcox(lua_State *L) {
  const char *fn = "ts.boxcox";
  double lambda = luaL_checknumber(L, 2);
  mlsh_opt_check(L, 3, fn, boxcox_opts);
  return transform(L, fn, lambda, mlsh_opt_bool(L, 3, "inverse", 0, fn));
}

static const char *const dec_opts[] = { "type", "freq", NULL };
static const char *const dec_types[] = { "additive", "multiplicative", NULL };
static int l_decompose(lua_State *L) {
  const char *fn = "ts.decompose";
  mlsh_opt_check(L, 2, fn, dec_opts);
  int mult = mlsh_opt_enum(L, 2, "type", "additive", dec_types, fn);
  series_arg s;
  check_series(L, 1, fn, "y", &s);
  int f = (int)mlsh_opt_int(L, 2, "freq", s.freq, fn);
  double *buf = scratch(L, 3 * s.n + (size_t)(f > 0 ? f : 1), fn);
  mlsh_err err;
  int rc = ts_decompose(s.v, s.n, f, mult, buf, buf + s.n, buf + 2 * s.n, buf + 3 * s.n, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_createtable(L, 0, 6);
  const char *names[3] = { "trend", "seasonal", "random" };
  for (int k = 0; k < 3; k++) { push_series(L, &s, s.is_series, buf + k * s.n, s.n, 0); lua_setfield(L, -2, names[k]); }
  push_series(L, &s, s.is_series, s.v, s.n, 0);
  lua_setfield(L, -2, "x");
  mlsh_mat *fig = lmat_push_new(L, (size_t)f, 1, fn);
  memcpy(fig->data, buf + 3 * s.n, (size_t)f * sizeof(double));
  lua_setfield(L, -2, "figure");
  setstr(L, "type", dec_types[mult]);
  setint(L, "freq", f);
  return 1;
}

static int l_describe(lua_State *L) {
  const char *fn = "ts.describe";
  series_arg s;
  check_series(L, 1, fn, "y", &s);
  ts_describe_t d;
  mlsh_err err;
  int rc = ts_describe(s.v, s.n, &d, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_createtable(L, 0, 10);
  setint(L, "n", (lua_Integer)d.n); setint(L, "missing", (lua_Integer)d.nmissing);
  setnum(L, "min", d.min); setnum(L, "max", d.max); setnum(L, "mean", d.mean);
  setnum(L, "median", d.median); setnum(L, "sd", d.sd); setnum(L, "cv", d.cv);
  setnum(L, "skewness", d.skewness); setnum(L, "kurtosis", d.kurtosis);
  setstr(L, "kind", "describe");
  luaL_setmetatable(L, TEST_MT);
  return 1;
}

/* ---- ACF / PACF ---- */
static const char *const acf_opts[] = { "lag", NULL };
static int correlogram(lua_State *L, const char *fn, int partial) {
  mlsh_opt_check(L, 2, fn, acf_opts);
  series_arg s;
  check_series(L, 1, fn, "y", &s);
  if (s.n < 3) mlsh_error(L, fn, "series too short (n = %zu)", s.n);
  lua_Integer lag = mlsh_opt_int(L, 2, "lag", ts_default_lag(s.n), fn);
  if (lag < 1 || (size_t)lag >= s.n) mlsh_error(L, fn, "option 'lag' must be in 1..%zu (got %d)", s.n - 1, (int)lag);
  double *r = scratch(L, (size_t)lag + 1 + (size_t)lag, fn), *pc = r + lag + 1;
  mlsh_err err;
  int rc = ts_acf(s.v, s.n, (int)lag, r, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  if (partial) ts_pacf_from_acf(r, (int)lag, pc);
  size_t used = 0;
  for (size_t i = 0; i < s.n; i++) used += !isnan(s.v[i]);
  lua_createtable(L, 0, 6);
  mlsh_mat *m = lmat_push_new(L, (size_t)lag, 1, fn);
  memcpy(m->data, partial ? pc : r + 1, (size_t)lag * sizeof(double));
  lua_setfield(L, -2, "values");
  lua_createtable(L, (int)lag, 0);
  for (int k = 1; k <= lag; k++) { lua_pushinteger(L, k); lua_rawseti(L, -2, k); }
  lua_setfield(L, -2, "lags");
  setnum(L, "band", 1.96 / sqrt((double)used));
  setint(L, "n", (lua_Integer)used);
  setint(L, "freq", s.freq);
  setstr(L, "kind", partial ? "pacf" : "acf");
  luaL_setmetatable(L, TEST_MT);
  return 1;
}
static int l_acf(lua_State *L) { return correlogram(L, "ts.acf", 0); }
static int l_pacf(lua_State *L) { return correlogram(L, "ts.pacf", 1); }

/* ---- tests ---- */
static void push_test(lua_State *L, const char *kind, const char *name, const ts_test *t) {
  lua_createtable(L, 0, 8);
  setstr(L, "kind", kind);
  setstr(L, "method", name);
  setnum(L, "statistic", t->statistic);
  setnum(L, "pvalue", t->pvalue);
  setint(L, "nobs", (lua_Integer)t->nobs);
  luaL_setmetatable(L, TEST_MT);
}

static const char *const adf_opts[] = { "type", "lags", "select", NULL };
static const char *const adf_types[] = { "n", "c", "ct", NULL };
static const char *const adf_select[] = { "aic", "none", NULL };
static int l_adf(lua_State *L) {
  const char *fn = "ts.adf";
  mlsh_opt_check(L, 2, fn, adf_opts);
  int type = mlsh_opt_enum(L, 2, "type", "c", adf_types, fn);
  int sel = mlsh_opt_enum(L, 2, "select", "aic", adf_select, fn);
  lua_Integer lags = mlsh_opt_int(L, 2, "lags", -1, fn);
  series_arg s;
  check_series(L, 1, fn, "y", &s);
  if (sel == 1 && lags < 0) mlsh_error(L, fn, "select = \"none\" needs option 'lags'");
  if (lags < -1) mlsh_error(L, fn, "option 'lags' must be >= 0 (got %d)", (int)lags);
  /* with select = "aic", lags is the largest lag searched */
  ts_test t;
  mlsh_err err;
  int rc = ts_adf(s.v, s.n, type, (int)lags, sel == 0, &t, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  push_test(L, "adf", "Augmented Dickey-Fuller", &t);
  setint(L, "lags", t.lags);
  setstr(L, "type", adf_types[type]);
  lua_createtable(L, 0, 3);
  setnum(L, "1%", t.crit[0]); setnum(L, "5%", t.crit[1]); setnum(L, "10%", t.crit[2]);
  lua_setfield(L, -2, "critical");
  return 1;
}

static const char *const kpss_opts[] = { "type", "lags", NULL };
static const char *const kpss_types[] = { "level", "trend", NULL };
static int l_kpss(lua_State *L) {
  const char *fn = "ts.kpss";
  mlsh_opt_check(L, 2, fn, kpss_opts);
  int trend = mlsh_opt_enum(L, 2, "type", "level", kpss_types, fn);
  lua_Integer lags = mlsh_opt_int(L, 2, "lags", -1, fn);
  series_arg s;
  check_series(L, 1, fn, "y", &s);
  if (lags < -1) mlsh_error(L, fn, "option 'lags' must be >= 0 (got %d)", (int)lags);
  ts_test t;
  mlsh_err err;
  int rc = ts_kpss(s.v, s.n, trend, (int)lags, &t, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  push_test(L, "kpss", "KPSS", &t);
  setint(L, "lags", t.lags);
  setstr(L, "type", kpss_types[trend]);
  lua_createtable(L, 0, 4);
  setnum(L, "10%", t.crit[0]); setnum(L, "5%", t.crit[1]); setnum(L, "2.5%", t.crit[2]); setnum(L, "1%", t.crit[3]);
  lua_setfield(L, -2, "critical");
  lua_pushboolean(L, t.statistic < t.crit[0] || t.statistic > t.crit[3]);
  lua_setfield(L, -2, "pvalue_bounded");
  return 1;
}

static const char *const pm_opts[] = { "lag", "fitdf", NULL };
static int portmanteau(lua_State *L, const char *fn, int bp) {
  mlsh_opt_check(L, 2, fn, pm_opts);
  lua_Integer lag = mlsh_opt_int(L, 2, "lag", 10, fn), fitdf = mlsh_opt_int(L, 2, "fitdf", 0, fn);
  series_arg s;
  check_series(L, 1, fn, "x", &s);
  ts_test t;
  mlsh_err err;
  int rc = ts_portmanteau(s.v, s.n, (int)lag, (int)fitdf, bp, &t, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  push_test(L, bp ? "box_pierce" : "ljung_box", bp ? "Box-Pierce" : "Ljung-Box", &t);
  setint(L, "lag", t.lags);
  setint(L, "df", t.df);
  return 1;
}
static int l_ljung_box(lua_State *L) { return portmanteau(L, "ts.ljung_box", 0); }
static int l_box_pierce(lua_State *L) { return portmanteau(L, "ts.box_pierce", 1); }

static int l_jarque_bera(lua_State *L) {
  const char *fn = "ts.jarque_bera";
  series_arg s;
  check_series(L, 1, fn, "x", &s);
  ts_test t;
  mlsh_err err;
  int rc = ts_jarque_bera(s.v, s.n, &t, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  push_test(L, "jarque_bera", "Jarque-Bera", &t);
  setint(L, "df", 2);
  return 1;
}


/* ---- ARIMA ---- */
typedef struct arima_ud {
  ts_arima_fit fit;
  series_arg s;      /* time index of the fitted series (v, n unused later) */
} arima_ud;

static int state_gc(lua_State *L) {
  arima_ud *u = luaL_checkudata(L, 1, STATE_MT);
  ts_arima_free(&u->fit);
  return 0;
}

static arima_ud *new_state(lua_State *L, const series_arg *s) {
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

static void warn_fit(lua_State *L, const char *fn, const ts_arima_fit *f) {
  if (f->warning[0]) fprintf(stderr, "%s: warning: %s\n", fn, f->warning);
}

/* The fit object: fields as R's Arima plus the state userdata at ud. */
static void push_fit(lua_State *L, int ud, const double *y) {
  arima_ud *u = lua_touserdata(L, ud);
  const ts_arima_fit *f = &u->fit;
  static const char *const methods[] = { "CSS-ML", "ML", "CSS" };
  double *fit = scratch(L, f->n, "ts.arima");
  int sc = lua_gettop(L);
  for (size_t t = 0; t < f->n; t++) fit[t] = y[t] - f->resid[t];
  lua_createtable(L, 0, 24);
  lua_createtable(L, 0, (int)f->ncoef);
  for (size_t i = 0; i < f->ncoef; i++) setnum(L, f->names[i], f->coef[i]);
  lua_setfield(L, -2, "coef");
  lua_createtable(L, 0, (int)f->ncoef);
  for (size_t i = 0; i < f->ncoef; i++) setnum(L, f->names[i], f->se[i]);
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
  setnum(L, "loglik", f->loglik); setnum(L, "aic", f->aic); setnum(L, "aicc", f->aicc);
  setnum(L, "bic", f->bic); setnum(L, "sigma2", f->sigma2);
  setint(L, "nobs", (lua_Integer)f->nobs); setint(L, "n", (lua_Integer)f->n);
  setint(L, "npar", f->npar); setint(L, "code", f->code);
  setint(L, "period", f->ord.s);
  setstr(L, "method", methods[f->method]);
  if (f->warning[0]) setstr(L, "warning", f->warning);
  push_triple(L, f->ord.p, f->ord.d, f->ord.q);
  lua_setfield(L, -2, "order");
  push_triple(L, f->ord.P, f->ord.D, f->ord.Q);
  lua_setfield(L, -2, "seasonal");
  int narma = (int)f->narma;
  setint(L, "narma", narma);
  push_series(L, &u->s, u->s.is_series, f->resid, f->n, 0);
  lua_setfield(L, -2, "residuals");
  push_series(L, &u->s, u->s.is_series, fit, f->n, 0);
  lua_setfield(L, -2, "fitted");
  lua_pushvalue(L, ud);
  lua_setfield(L, -2, "_state");
  luaL_setmetatable(L, ARIMA_MT);
  lua_remove(L, sc);
}

static int read_triple(lua_State *L, int opt, const char *key, int out[3], const char *fn) {
  out[0] = out[1] = out[2] = 0;
  int t = mlsh_opt_get(L, opt, key);
  if (t == LUA_TNIL) { lua_pop(L, 1); return 0; }
  if (t != LUA_TTABLE || lua_rawlen(L, -1) != 3)
    mlsh_error(L, fn, "option '%s' must be an array of 3 non-negative integers", key);
  for (int k = 0; k < 3; k++) {
    lua_rawgeti(L, -1, k + 1);
    int ok = lua_isinteger(L, -1);
    lua_Integer v = lua_tointeger(L, -1);
    if (!ok && lua_isnumber(L, -1)) {
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

static const char *const method_names[] = { "CSS-ML", "ML", "CSS", NULL };
static const char *const arima_opts[] = { "order", "seasonal", "period", "include_mean", "drift", "method",
                                          "fixed", "transform_pars", "xreg", "maxit", "kappa", NULL };
static int l_arima(lua_State *L) {
  const char *fn = "ts.arima";
  lua_settop(L, 2);
  mlsh_opt_check(L, 2, fn, arima_opts);
  series_arg s;
  check_series(L, 1, fn, "y", &s);
  ts_arima_opts o;
  ts_arima_defaults(&o);
  int ord[3], sea[3];
  read_triple(L, 2, "order", ord, fn);
  int has_sea = read_triple(L, 2, "seasonal", sea, fn);
  o.ord.p = ord[0]; o.ord.d = ord[1]; o.ord.q = ord[2];
  o.ord.P = sea[0]; o.ord.D = sea[1]; o.ord.Q = sea[2];
  int period = (int)mlsh_opt_int(L, 2, "period", s.freq, fn);
  if (has_sea && (sea[0] || sea[1] || sea[2]) && period < 2)
    mlsh_error(L, fn, "a seasonal order needs a period >= 2: give option 'period' or a series with freq (got %d)", period);
  o.ord.s = period < 1 ? 1 : period;
  o.include_mean = mlsh_opt_bool(L, 2, "include_mean", o.ord.d + o.ord.D == 0, fn);
  o.drift = mlsh_opt_bool(L, 2, "drift", 0, fn);
  o.method = mlsh_opt_enum(L, 2, "method", "CSS-ML", method_names, fn);
  o.transform_pars = mlsh_opt_bool(L, 2, "transform_pars", 1, fn);
  o.maxit = (int)mlsh_opt_int(L, 2, "maxit", 100, fn);
  o.kappa = mlsh_opt_num(L, 2, "kappa", 1e6, fn);
  if (o.maxit < 0) mlsh_error(L, fn, "option 'maxit' must be >= 0");
  if (!(o.kappa > 0)) mlsh_error(L, fn, "option 'kappa' must be positive");
  if (mlsh_opt_get(L, 2, "xreg") != LUA_TNIL) {
    o.xreg = lmat_checklike(L, -1, fn, "xreg");
    if (o.xreg->rows != s.n) mlsh_error(L, fn, "option 'xreg' must have %zu rows (got %zux%zu)", s.n, o.xreg->rows, o.xreg->cols);
  }
  int top = lua_gettop(L);   /* xreg (or nil) stays at top */
  int nc = o.ord.p + o.ord.q + o.ord.P + o.ord.Q + (o.include_mean && o.ord.d + o.ord.D == 0) + o.drift +
           (o.xreg ? (int)o.xreg->cols : 0);
  if (mlsh_opt_get(L, 2, "fixed") == LUA_TTABLE) {
    double *fx = scratch(L, (size_t)nc, fn);
    if (lua_rawlen(L, -2) > (size_t)nc) mlsh_error(L, fn, "option 'fixed' has %d values, the model %d coefficients", (int)lua_rawlen(L, -2), nc);
    for (int i = 0; i < nc; i++) {
      lua_rawgeti(L, -2, i + 1);
      fx[i] = lua_isnil(L, -1) ? NAN : lua_tonumber(L, -1);
      if (!lua_isnil(L, -1) && !lua_isnumber(L, -1)) mlsh_error(L, fn, "option 'fixed': element %d must be a number or NaN", i + 1);
      lua_pop(L, 1);
    }
    o.fixed = fx;
    o.nfixed = (size_t)nc;
  } else if (!lua_isnil(L, -1)) {
    mlsh_error(L, fn, "option 'fixed' must be an array (NaN = estimated)");
  }
  (void)top;
  arima_ud *u = new_state(L, &s);
  int ud = lua_gettop(L);
  mlsh_err err;
  int rc = ts_arima(s.v, s.n, &o, &u->fit, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  warn_fit(L, fn, &u->fit);
  push_fit(L, ud, s.v);
  return 1;
}

static arima_ud *check_fit(lua_State *L, int idx, const char *fn) {
  if (!lua_istable(L, idx)) mlsh_error(L, fn, "self must be an ARIMA fit (got %s)", mlsh_typename(L, idx));
  lua_getfield(L, idx, "_state");
  arima_ud *u = luaL_testudata(L, -1, STATE_MT);
  if (!u) mlsh_error(L, fn, "self must be an ARIMA fit from ts.arima");
  lua_pop(L, 1);
  return u;
}

static const char *const fc_opts[] = { "level", "xreg", "lambda", NULL };
static int m_forecast(lua_State *L) {
  const char *fn = "Arima:forecast";
  arima_ud *u = check_fit(L, 1, fn);
  lua_Integer h = luaL_checkinteger(L, 2);
  if (h < 1 || h > 100000) mlsh_error(L, fn, "argument 'h' must be in 1..100000 (got %d)", (int)h);
  mlsh_opt_check(L, 3, fn, fc_opts);
  double levels[8] = { 80, 95 };
  int nlev = 2;
  if (mlsh_opt_get(L, 3, "level") != LUA_TNIL) {
    if (lua_isnumber(L, -1)) { levels[0] = lua_tonumber(L, -1); nlev = 1; }
    else if (lua_istable(L, -1)) {
      nlev = (int)lua_rawlen(L, -1);
      if (nlev < 1 || nlev > 8) mlsh_error(L, fn, "option 'level' must list 1 to 8 levels");
      for (int k = 0; k < nlev; k++) { lua_rawgeti(L, -1, k + 1); levels[k] = lua_tonumber(L, -1); lua_pop(L, 1); }
    } else mlsh_error(L, fn, "option 'level' must be a number or an array (percent)");
    for (int k = 0; k < nlev; k++)
      if (!(levels[k] > 0 && levels[k] < 100)) mlsh_error(L, fn, "option 'level': %g is not in (0, 100)", levels[k]);
  }
  lua_pop(L, 1);
  const mlsh_mat *nx = NULL;
  if (mlsh_opt_get(L, 3, "xreg") != LUA_TNIL) nx = lmat_checklike(L, -1, fn, "xreg");
  int has_lambda = mlsh_opt_get(L, 3, "lambda") != LUA_TNIL;
  double lambda = has_lambda ? luaL_checknumber(L, -1) : 0;
  lua_pop(L, 1);
  double *buf = scratch(L, 3 * (size_t)h, fn), *mean = buf, *se = buf + h, *tmp = buf + 2 * h;
  mlsh_err err;
  int rc = ts_arima_forecast(&u->fit, (size_t)h, nx, mean, se, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  long shift = (long)u->fit.n;
  lua_createtable(L, 0, 8);
  for (int side = 0; side < 2; side++) {
    lua_createtable(L, 0, nlev);
    for (int k = 0; k < nlev; k++) {
      double z = mlsh_qnorm(0.5 + levels[k] / 200.0);
      for (lua_Integer i = 0; i < h; i++) tmp[i] = mean[i] + (side ? z : -z) * se[i];
      if (has_lambda) ts_boxcox(tmp, (size_t)h, lambda, 1, tmp);
      push_series(L, &u->s, u->s.is_series, tmp, (size_t)h, shift);
      lua_rawseti(L, -2, (lua_Integer)levels[k]);
    }
    lua_setfield(L, -2, side ? "upper" : "lower");
  }
  push_series(L, &u->s, u->s.is_series, se, (size_t)h, shift);
  lua_setfield(L, -2, "se");
  if (has_lambda) {
    push_series(L, &u->s, u->s.is_series, mean, (size_t)h, shift);
    lua_setfield(L, -2, "mean_transformed");
    ts_boxcox(mean, (size_t)h, lambda, 1, mean);
    setnum(L, "lambda", lambda);
  }
  push_series(L, &u->s, u->s.is_series, mean, (size_t)h, shift);
  lua_setfield(L, -2, "mean");
  lua_createtable(L, nlev, 0);
  for (int k = 0; k < nlev; k++) { lua_pushnumber(L, levels[k]); lua_rawseti(L, -2, k + 1); }
  lua_setfield(L, -2, "level");
  setint(L, "h", h);
  setstr(L, "kind", "forecast");
  luaL_setmetatable(L, TEST_MT);
  return 1;
}

static const char *const auto_opts[] = { "max_p", "max_q", "max_P", "max_Q", "max_order", "max_d", "max_D", "d", "D",
                                         "period", "stepwise", "ic", "method", "constant", "trace", "max_models", NULL };
static const char *const ic_names[] = { "aicc", "aic", "bic", NULL };
static int l_auto_arima(lua_State *L) {
  const char *fn = "ts.auto_arima";
  lua_settop(L, 2);
  mlsh_opt_check(L, 2, fn, auto_opts);
  series_arg s;
  check_series(L, 1, fn, "y", &s);
  ts_auto_opts o;
  ts_auto_defaults(&o);
  struct { const char *k; int *v; int lo; } ints[] = {
    { "max_p", &o.max_p, 0 }, { "max_q", &o.max_q, 0 }, { "max_P", &o.max_P, 0 }, { "max_Q", &o.max_Q, 0 },
    { "max_order", &o.max_order, 0 }, { "max_d", &o.max_d, 0 }, { "max_D", &o.max_D, 0 },
    { "d", &o.d, 0 }, { "D", &o.D, 0 }, { "max_models", &o.max_models, 1 } };
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    lua_Integer v = mlsh_opt_int(L, 2, ints[i].k, *ints[i].v, fn);
    if (v < ints[i].lo || v > 50) {
      if (!((ints[i].v == &o.d || ints[i].v == &o.D) && v == -1) && !(ints[i].v == &o.max_models && v <= 10000 && v >= 1))
        mlsh_error(L, fn, "option '%s' must be an integer in %d..50 (got %d)", ints[i].k, ints[i].lo, (int)v);
    }
    *ints[i].v = (int)v;
  }
  o.s = (int)mlsh_opt_int(L, 2, "period", s.freq, fn);
  if (o.s < 1) mlsh_error(L, fn, "option 'period' must be >= 1 (got %d)", o.s);
  o.stepwise = mlsh_opt_bool(L, 2, "stepwise", 1, fn);
  o.ic = mlsh_opt_enum(L, 2, "ic", "aicc", ic_names, fn);
  o.method = mlsh_opt_enum(L, 2, "method", "CSS-ML", method_names, fn);
  o.allow_constant = mlsh_opt_bool(L, 2, "constant", 1, fn);
  int trace = mlsh_opt_bool(L, 2, "trace", 1, fn);
  arima_ud *u = new_state(L, &s);
  int ud = lua_gettop(L);
  ts_candidate *tried = NULL;
  size_t ntried = 0;
  mlsh_err err;
  int rc = ts_auto_arima(s.v, s.n, &o, &u->fit, &tried, &ntried, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  /* the candidate list is copied to Lua before anything can raise */
  lua_createtable(L, (int)ntried, 0);
  int cand = lua_gettop(L);
  for (size_t i = 0; i < ntried; i++) {
    const ts_candidate *c = &tried[i];
    lua_createtable(L, 0, 4);
    push_triple(L, c->ord.p, c->ord.d, c->ord.q); lua_setfield(L, -2, "order");
    push_triple(L, c->ord.P, c->ord.D, c->ord.Q); lua_setfield(L, -2, "seasonal");
    lua_pushboolean(L, c->constant); lua_setfield(L, -2, "constant");
    setnum(L, "ic", c->ic);
    lua_rawseti(L, cand, (lua_Integer)i + 1);
  }
  ts_order best = u->fit.ord;
  mlsh_free(tried);
  if (trace) {
    lua_getglobal(L, "print");
    int pr = lua_gettop(L);
    for (size_t i = 0; i < ntried; i++) {
      char line[160];
      lua_rawgeti(L, cand, (lua_Integer)i + 1);
      lua_getfield(L, -1, "ic");
      double ic = lua_tonumber(L, -1);
      lua_pop(L, 1);
      lua_getfield(L, -1, "order");
      int v[6];
      for (int k = 0; k < 3; k++) { lua_rawgeti(L, -1, k + 1); v[k] = (int)lua_tointeger(L, -1); lua_pop(L, 1); }
      lua_getfield(L, -2, "seasonal");
      for (int k = 0; k < 3; k++) { lua_rawgeti(L, -1, k + 1); v[3 + k] = (int)lua_tointeger(L, -1); lua_pop(L, 1); }
      lua_getfield(L, -3, "constant");
      int cst = lua_toboolean(L, -1);
      lua_pop(L, 4);
      char sea[48] = "";
      if (o.s > 1) snprintf(sea, sizeof sea, "(%d,%d,%d)[%d]", v[3], v[4], v[5], o.s);
      snprintf(line, sizeof line, " ARIMA(%d,%d,%d)%s%-11s : %s", v[0], v[1], v[2], sea,
               cst ? (v[1] + v[4] == 0 ? " with mean" : " with drift") : "",
               isfinite(ic) ? "" : "failed");
      lua_pushvalue(L, pr);
      char icb[32] = "";
      if (isfinite(ic)) snprintf(icb, sizeof icb, "%.4f", ic);
      lua_pushfstring(L, "%s%s", line, icb);
      lua_call(L, 1, 0);
    }
    lua_pop(L, 1);
  }
  (void)best;
  warn_fit(L, fn, &u->fit);
  push_fit(L, ud, s.v);
  lua_pushvalue(L, cand);
  lua_setfield(L, -2, "candidates");
  setstr(L, "ic", ic_names[o.ic]);
  return 1;
}

static const char *const acc_opts[] = { "train", "period", NULL };
static int l_accuracy(lua_State *L) {
  const char *fn = "ts.accuracy";
  lua_settop(L, 3);
  mlsh_opt_check(L, 3, fn, acc_opts);
  for (int i = 1; i <= 2; i++) {   /* a forecast result stands for its mean */
    if (lua_istable(L, i) && lua_getfield(L, i, "mean") != LUA_TNIL) lua_replace(L, i);
    else if (lua_istable(L, i)) lua_pop(L, 1);
  }
  series_arg f, a, t;
  check_series(L, 1, fn, "forecast", &f);
  check_series(L, 2, fn, "actual", &a);
  if (f.n != a.n) mlsh_error(L, fn, "forecast and actual differ in length (%zu and %zu)", f.n, a.n);
  double scale = NAN;
  if (mlsh_opt_get(L, 3, "train") != LUA_TNIL) {
    int ti = lua_gettop(L);
    check_series(L, ti, fn, "train", &t);
    int m = (int)mlsh_opt_int(L, 3, "period", t.freq, fn);
    if (m < 1 || (size_t)m >= t.n) mlsh_error(L, fn, "option 'period' must be in 1..%zu (got %d)", t.n - 1, m);
    double s = 0;
    size_t k = 0;
    for (size_t i = (size_t)m; i < t.n; i++)
      if (!isnan(t.v[i]) && !isnan(t.v[i - m])) { s += fabs(t.v[i] - t.v[i - m]); k++; }
    scale = k ? s / (double)k : NAN;
  }
  ts_accuracy_t r;
  mlsh_err err;
  int rc = ts_accuracy(f.v, a.v, f.n, scale, &r, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_createtable(L, 0, 8);
  setnum(L, "rmse", r.rmse); setnum(L, "mae", r.mae); setnum(L, "mape", r.mape);
  setnum(L, "mase", r.mase); setnum(L, "r2", r.r2); setnum(L, "me", r.me);
  setint(L, "n", (lua_Integer)r.n);
  setstr(L, "kind", "accuracy");
  luaL_setmetatable(L, TEST_MT);
  return 1;
}

/* ---- distributions ---- */

static double check_real(lua_State *L, int idx, const char *fname, const char *argname) {
  if (lua_type(L, idx) != LUA_TNUMBER)
    mlsh_error(L, fname, "argument '%s' must be a number (got %s)", argname, mlsh_typename(L, idx));
  return lua_tonumber(L, idx);
}

static int l_pnorm(lua_State *L) {
  static const char *const known[] = {"lower_tail", NULL};
  double q = check_real(L, 1, "ts.pnorm", "q");
  mlsh_opt_check(L, 2, "ts.pnorm", known);
  lua_pushnumber(L, mlsh_pnorm(q, mlsh_opt_bool(L, 2, "lower_tail", 1, "ts.pnorm")));
  return 1;
}

static int l_qnorm(lua_State *L) {
  double p = check_real(L, 1, "ts.qnorm", "p");
  if (!(p >= 0 && p <= 1)) mlsh_error(L, "ts.qnorm", "argument 'p' must be a probability in [0, 1] (got %g)", p);
  lua_pushnumber(L, mlsh_qnorm(p));
  return 1;
}

/* ---- registration ---- */
static const mlsh_Reg ts_funcs[] = {
  { "pnorm", l_pnorm, "ts.pnorm(q [, {lower_tail=true}])",
    "Standard normal distribution function P(Z <= q), or P(Z > q) with lower_tail=false, to full double\n"
    "precision in both tails (R's pnorm). Two-sided p-value of a z statistic: 2 * ts.pnorm(math.abs(z), {lower_tail=false}).\n"
    "Example: ts.pnorm(-1.96)  --> 0.0249979" },
  { "qnorm", l_qnorm, "ts.qnorm(p)",
    "Standard normal quantile: the q with P(Z <= q) = p (R's qnorm; -inf at 0, inf at 1).\nExample: ts.qnorm(0.975)  --> 1.959964" },
  { "series", l_series, "ts.series(values [, {start={year, period}, freq=1}])",
    "A time series: values (Matrix vector, data.read_csv column or Lua array; NaN = missing) with a time index.\n"
    "start = {1949, 1} is the first period, freq the periods per cycle (12 = monthly). Returns a Series with\n"
    "fields values, start, freq; every ts function accepts it, a plain Matrix or a Lua array.\n"
    "Example: y = ts.series(df:col(\"passengers\"), {start={1949, 1}, freq=12})" },
  { "diff", l_diff, "ts.diff(y [, {lag=1, differences=1}])",
    "Lagged differences y[t] - y[t-lag], repeated `differences` times (R's diff). Returns a Series (start moved)\n"
    "for a Series, else a Matrix, of n - lag*differences values.\nExample: d = ts.diff(ts.log(y), {lag=12})" },
  { "log", l_log, "ts.log(y)", "Natural logarithm of every value, keeping the time index.\nExample: ly = ts.log(y)" },
  { "exp", l_exp, "ts.exp(y)", "Exponential of every value (inverse of ts.log), keeping the time index.\nExample: ts.exp(fc.mean)" },
  { "boxcox", l_boxcox, "ts.boxcox(y, lambda [, {inverse=false}])",
    "Box-Cox transform (y^lambda - 1)/lambda, log(y) for lambda = 0; inverse = true undoes it.\n"
    "Example: z = ts.boxcox(y, 0.5); y2 = ts.boxcox(z, 0.5, {inverse=true})" },
  { "decompose", l_decompose, "ts.decompose(y [, {type=\"additive\"|\"multiplicative\", freq=}])",
    "Classical decomposition as R's decompose: trend = centred moving average over one period, seasonal figure =\n"
    "mean detrended value per position (normalised), random = the rest. freq defaults to the series' freq.\n"
    "Returns {x, trend, seasonal, random, figure, type, freq} (NaN where the average is undefined).\n"
    "Example: dc = ts.decompose(y, {type=\"multiplicative\"}); print(dc.figure)" },
  { "describe", l_describe, "ts.describe(y)",
    "Descriptive statistics of the non-missing values: n, missing, min, max, mean, median, sd, cv (sd/mean),\n"
    "skewness (m3/m2^1.5) and excess kurtosis (m4/m2^2 - 3). Prints as a table.\nExample: print(ts.describe(y))" },
  { "acf", l_acf, "ts.acf(y [, {lag=10*log10(n)}])",
    "Sample autocorrelations at lags 1..lag (R's acf; pairs with a missing value are skipped). Returns\n"
    "{values (Matrix), lags, band = 1.96/sqrt(n), n}; prints as a bar chart with the band.\nExample: print(ts.acf(y, {lag=36}))" },
  { "pacf", l_pacf, "ts.pacf(y [, {lag=10*log10(n)}])",
    "Partial autocorrelations at lags 1..lag by the Durbin-Levinson recursion (R's pacf), same result fields as ts.acf.\n"
    "Example: print(ts.pacf(ts.diff(y)))" },
  { "adf", l_adf, "ts.adf(y [, {type=\"c\"|\"ct\"|\"n\", lags=, select=\"aic\"|\"none\"}])",
    "Augmented Dickey-Fuller unit-root test (H0: unit root) as statsmodels' adfuller: regression of diff(y) on\n"
    "a constant (c), constant and trend (ct) or nothing (n), y[t-1] and lagged differences. select=\"aic\" picks\n"
    "the lag count 0..lags (default 12*(n/100)^0.25) by AIC on a common sample; \"none\" uses lags as given.\n"
    "p-value from MacKinnon (1994), critical values from MacKinnon (2010). Returns {statistic, pvalue, lags,\n"
    "nobs, critical, verdict}; prints as a one-line verdict.\nExample: print(ts.adf(ts.log(y)))" },
  { "kpss", l_kpss, "ts.kpss(y [, {type=\"level\"|\"trend\", lags=}])",
    "KPSS stationarity test (H0: level or trend stationary) as tseries::kpss.test: Bartlett long-run variance\n"
    "with lags = trunc(4*(n/100)^0.25) by default; p-value interpolated in the KPSS (1992) table and bounded\n"
    "to [0.01, 0.10] (pvalue_bounded = true then). Returns {statistic, pvalue, lags, critical, verdict}.\n"
    "Example: print(ts.kpss(ts.diff(y)))" },
  { "ljung_box", l_ljung_box, "ts.ljung_box(x [, {lag=10, fitdf=0}])",
    "Ljung-Box portmanteau test of no autocorrelation up to lag (R's Box.test type Ljung): Q = n(n+2) sum r_k^2/(n-k),\n"
    "chi-square with lag - fitdf degrees of freedom (fitdf = number of ARMA coefficients for residuals).\n"
    "Returns {statistic, pvalue, df, lag, verdict}; prints as a one-line verdict.\n"
    "Example: print(ts.ljung_box(fit.residuals, {lag=20, fitdf=2}))" },
  { "box_pierce", l_box_pierce, "ts.box_pierce(x [, {lag=10, fitdf=0}])",
    "Box-Pierce portmanteau test: Q = n sum r_k^2, chi-square with lag - fitdf degrees of freedom.\n"
    "Example: print(ts.box_pierce(fit.residuals, {lag=12}))" },
  { "jarque_bera", l_jarque_bera, "ts.jarque_bera(x)",
    "Jarque-Bera normality test: n/6 (S^2 + (K-3)^2/4) with moment skewness S and kurtosis K, chi-square(2).\n"
    "Returns {statistic, pvalue, df, verdict}; prints as a one-line verdict.\n"
    "Example: print(ts.jarque_bera(fit.residuals))" },
  { "arima", l_arima, "ts.arima(y, {order={p,d,q}, seasonal={P,D,Q}, period=, include_mean=, drift=false, method=\"CSS-ML\", fixed=, transform_pars=true, xreg=})",
    "Fits an ARIMA(p,d,q)(P,D,Q)[period] model by exact Gaussian likelihood (state space + Kalman filter, as R's\n"
    "stats::arima; NaN gaps are skipped). method: \"CSS-ML\" (CSS start then ML), \"ML\" or \"CSS\". period defaults\n"
    "to the series' freq; include_mean defaults to true when d + D = 0; drift adds a slope on 1..n; xreg is an\n"
    "n x k Matrix of regressors; fixed lists coefficient values (NaN = estimated) in the order of fit.names;\n"
    "transform_pars keeps AR parts stationary while optimising (BFGS, numerical gradients), s.e. from the Hessian.\n"
    "Returns a fit: coef and se (by name: ar1, ma1, sar1, sma1, intercept, drift, xreg1..), names, var, loglik,\n"
    "aic, aicc, bic, sigma2, residuals, fitted, nobs; methods fit:forecast(h), fit:summary(), fit:diagnostics().\n"
    "Example: fit = ts.arima(ts.log(y), {order={0,1,1}, seasonal={0,1,1}, method=\"ML\"})" },
  { "auto_arima", l_auto_arima, "ts.auto_arima(y [, {stepwise=true, ic=\"aicc\", max_p=5, max_q=5, max_P=2, max_Q=2, max_order=5, d=, D=, period=, method=\"CSS-ML\", constant=true, trace=true}])",
    "Automatic ARIMA order selection as forecast::auto.arima (Hyndman-Khandakar): D from the seasonal strength\n"
    "(> 0.64 of a classical decomposition), d from repeated KPSS tests at 5 %, then a stepwise search over\n"
    "neighbouring orders (stepwise=false: the full grid within the bounds) minimising ic (aicc, aic or bic).\n"
    "A constant (mean or drift) is tried when d + D <= 1. Prints the candidates (trace) and returns the best fit\n"
    "(as ts.arima) with a field candidates = {{order, seasonal, constant, ic}, ...}.\n"
    "Example: fit = ts.auto_arima(ts.log(y), {ic=\"aic\"})" },
  { "accuracy", l_accuracy, "ts.accuracy(forecast, actual [, {train=, period=}])",
    "Forecast accuracy: ME, RMSE, MAE, MAPE (%), MASE (scaled by the in-sample mean absolute seasonal-naive error\n"
    "of train, lag period = train's freq; NaN without train) and R^2 = 1 - SSE/SST of actual. forecast is a\n"
    "forecast result (its mean is used), a Series or a Matrix.\nExample: acc = ts.accuracy(fc, test, {train=train})" },
  { NULL, NULL, NULL, NULL }
};

static const mlsh_Reg arima_methods[] = {
  { "forecast", m_forecast, "fit:forecast(h [, {level={80, 95}, xreg=, lambda=}])",
    "h-step forecasts from the end of the fitted series (R's predict.Arima via the Kalman filter state): returns\n"
    "{mean, se, lower={[80]=, [95]=}, upper=, level, h} as Series continuing the time index. xreg: h x k future\n"
    "regressors when the fit has xreg. lambda back-transforms mean and intervals by the inverse Box-Cox\n"
    "(lambda = 0: exp, for a fit on the log series); se stays on the model's scale.\n"
    "Example: fc = fit:forecast(12, {level=95, lambda=0})" },
  { NULL, NULL, NULL, NULL }
};

static const luaL_Reg state_meta[] = { { "__gc", state_gc }, { NULL, NULL } };

void mlsh_open_ts(lua_State *L) {
  mlsh_register(L, "ts", ts_funcs);
  mlsh_doc_module(L, "ts", "time series: transforms, ACF/PACF, unit-root tests, ARIMA/SARIMA, forecasts");
  mlsh_new_class(L, STATE_MT, "ArimaState", NULL, state_meta);
  lua_pop(L, 1);
  mlsh_new_class(L, ARIMA_MT, "Arima", arima_methods, NULL);
  lua_setfield(L, -2, "_Arima");
  luaL_newmetatable(L, SERIES_MT);
  lua_pushstring(L, "Series");
  lua_setfield(L, -2, "__name");
  lua_setfield(L, -2, "_Series");
  luaL_newmetatable(L, TEST_MT);
  lua_pushstring(L, "TsResult");
  lua_setfield(L, -2, "__name");
  lua_setfield(L, -2, "_Result");
}
