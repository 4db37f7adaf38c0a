/* lts.c - Lua binding for time series: series, transforms, decomposition,
 * ACF/PACF, unit-root and white-noise tests and forecast accuracy; the
 * ARIMA fits are in lts_arima.c, the printing in lua/mlsh/ts.lua. A series
 * argument is any series-like value (lts_check_series); NaN marks a gap. */
#include <math.h>
#include <string.h>
#include "lts.h"
#include "../ts/ts.h"
#include "../ts/arima.h"   /* ts_accuracy */
#include "../ts/stl.h"
#include "../core/distrib.h"

/* ---- the series-like argument ---- */

/* The time index of a Series table at idx, whose values replace it at idx. */
static void read_series_index(lua_State *L, int idx, const char *fname, const char *argname, lts_series *s) {
  if (!lmat_test(L, -1)) mlsh_error(L, fname, "argument '%s': the series' values must be a Matrix", argname);
  s->is_series = 1;
  if (lua_getfield(L, idx, "freq") == LUA_TNUMBER && lua_tointeger(L, -1) >= 1) s->freq = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (lua_getfield(L, idx, "start") == LUA_TTABLE)
    for (int k = 0; k < 2; k++) {
      lua_rawgeti(L, -1, k + 1);
      if (lua_isinteger(L, -1)) s->start[k] = lua_tointeger(L, -1);
      lua_pop(L, 1);
    }
  lua_pop(L, 1);
  lua_replace(L, idx);
}

void lts_check_series(lua_State *L, int idx, const char *fname, const char *argname, lts_series *s) {
  idx = lua_absindex(L, idx);
  memset(s, 0, sizeof *s);
  s->freq = 1;
  s->start[0] = s->start[1] = 1;
  if (lua_type(L, idx) == LUA_TTABLE) {
    lua_pushliteral(L, "values");
    if (lua_rawget(L, idx) != LUA_TNIL) read_series_index(L, idx, fname, argname, s);
    else lua_pop(L, 1);
  }
  int frame = strcmp(mlsh_typename(L, idx), "DataFrame") == 0;
  mlsh_mat *m = mlsh_check_data(L, idx, fname, argname, MLSH_NA_KEEP, NULL);
  if (m->rows != 1 && m->cols != 1) {
    if (frame) mlsh_error(L, fname, "argument '%s' has %zu numeric columns: pick one with df:col(name)", argname, m->cols);
    mlsh_error(L, fname, "argument '%s' must be a vector (got %zux%zu)", argname, m->rows, m->cols);
  }
  s->v = m->data;
  s->n = MAT_LEN(m);
}

void lts_push_series(lua_State *L, const lts_series *s, int as_series, const double *v, size_t n, long shift) {
  if (as_series) lua_createtable(L, 0, 3);
  mlsh_mat *m = lmat_push_new(L, n, 1, "ts");
  if (n) memcpy(m->data, v, n * sizeof(double));
  if (!as_series) return;
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
  luaL_setmetatable(L, LTS_SERIES_MT);
}

double *lts_scratch(lua_State *L, size_t n, const char *fname) {
  return mlsh_scratch(L, (n ? n : 1) * sizeof(double), fname);
}

/* ---- series and transforms ---- */

typedef struct { int freq; } series_args;
static const mlsh_opt series_opt[] = {
  MLSH_OPT_VALUE("start", MLSH_OT_ANY, "{1, 1}", "the first period: {year, period}, or a year"),
  MLSH_OPT_INT(series_args, freq, "freq", 1, 1, LTS_MAX_LAG, "periods per cycle (12 = monthly, 4 = quarterly)"),
  MLSH_OPT_END};
static const mlsh_optspec series_spec = {"ts.series", series_opt};

/* The start option into s->start (s->freq set). Years stay far from
 * overflowing the period arithmetic of lts_push_series. */
static void read_start(lua_State *L, int optidx, const char *fn, lts_series *s) {
  s->start[0] = s->start[1] = 1;
  int t = mlsh_opt_get(L, optidx, "start");
  if (t == LUA_TTABLE) {
    for (int k = 0; k < 2; k++) {
      if (lua_rawgeti(L, -1, k + 1) != LUA_TNIL) {
        if (!lua_isinteger(L, -1)) mlsh_error(L, fn, "option 'start' must be {year, period} integers");
        s->start[k] = lua_tointeger(L, -1);
      }
      lua_pop(L, 1);
    }
  } else if (lua_isinteger(L, -1)) {
    s->start[0] = lua_tointeger(L, -1);
  } else if (t != LUA_TNIL) {
    mlsh_error(L, fn, "option 'start' must be {year, period} or a year (got %s)", mlsh_typename(L, -1));
  }
  lua_pop(L, 1);
  if (s->start[0] < -1000000000 || s->start[0] > 1000000000)
    mlsh_error(L, fn, "option 'start': the year must be within -1e9..1e9 (got %lld)", (long long)s->start[0]);
  if (s->start[1] < 1 || s->start[1] > s->freq)
    mlsh_error(L, fn, "option 'start': the period must be in 1..%d (got %lld)", s->freq, (long long)s->start[1]);
}

static int l_series(lua_State *L) {
  const char *fn = series_spec.fname;
  series_args a;
  mlsh_opts(L, 2, &series_spec, &a);
  lts_series s;
  lts_check_series(L, 1, fn, "values", &s);
  s.freq = a.freq;
  read_start(L, 2, fn, &s);
  lts_push_series(L, &s, 1, s.v, s.n, 0);
  return 1;
}

typedef struct { int lag, differences; } diff_args;
static const mlsh_opt diff_opt[] = {
  MLSH_OPT_INT(diff_args, lag, "lag", 1, 1, LTS_MAX_LAG, "the lag of each difference (12: seasonal, for monthly data)"),
  MLSH_OPT_INT(diff_args, differences, "differences", 1, 1, LTS_MAX_LAG, "how many times to difference"),
  MLSH_OPT_END};
static const mlsh_optspec diff_spec = {"ts.diff", diff_opt};

static int l_diff(lua_State *L) {
  const char *fn = diff_spec.fname;
  diff_args a;
  mlsh_opts(L, 2, &diff_spec, &a);
  lts_series s;
  lts_check_series(L, 1, fn, "y", &s);
  size_t span = (size_t)a.lag * (size_t)a.differences;
  if (span >= s.n) mlsh_error(L, fn, "series too short: %zu values for lag %d x %d differences", s.n, a.lag, a.differences);
  double *out = lts_scratch(L, s.n, fn);
  size_t m = ts_diff(s.v, s.n, a.lag, a.differences, out);
  lts_push_series(L, &s, s.is_series, out, m, (long)span);
  return 1;
}

static int transform(lua_State *L, const char *fn, double lambda, int inverse) {
  lts_series s;
  lts_check_series(L, 1, fn, "y", &s);
  double *out = lts_scratch(L, s.n, fn);
  ts_boxcox(s.v, s.n, lambda, inverse, out);
  lts_push_series(L, &s, s.is_series, out, s.n, 0);
  return 1;
}
static int l_log(lua_State *L) { return transform(L, "ts.log", 0.0, 0); }
static int l_exp(lua_State *L) { return transform(L, "ts.exp", 0.0, 1); }

typedef struct { int inverse; } boxcox_args;
static const mlsh_opt boxcox_opt[] = {
  MLSH_OPT_BOOL(boxcox_args, inverse, "inverse", 0, "undo the transform: (lambda y + 1)^(1/lambda), exp(y) for lambda = 0"),
  MLSH_OPT_END};
static const mlsh_optspec boxcox_spec = {"ts.boxcox", boxcox_opt};

static int l_boxcox(lua_State *L) {
  const char *fn = boxcox_spec.fname;
  boxcox_args a;
  mlsh_opts(L, 3, &boxcox_spec, &a);
  double lambda = mlsh_check_number(L, 2, fn, "lambda");
  if (!isfinite(lambda)) mlsh_error(L, fn, "argument 'lambda' must be finite (got %g)", lambda);
  return transform(L, fn, lambda, a.inverse);
}

static const char *const dec_types[] = {"additive", "multiplicative", NULL};
typedef struct { int type, freq; } dec_args;
static const mlsh_opt dec_opt[] = {
  MLSH_OPT_ENUM(dec_args, type, "type", 0, dec_types,
                "\"additive\" (x = trend + seasonal + random) or \"multiplicative\" (x = trend * seasonal * random)"),
  MLSH_OPT_INT_PRESET(dec_args, freq, "freq", "the series' freq", 2, LTS_MAX_LAG, "the period of the seasonal figure"),
  MLSH_OPT_END};
static const mlsh_optspec dec_spec = {"ts.decompose", dec_opt};

static int l_decompose(lua_State *L) {
  const char *fn = dec_spec.fname;
  dec_args a = {0, 0};
  mlsh_opts(L, 2, &dec_spec, &a);
  lts_series s;
  lts_check_series(L, 1, fn, "y", &s);
  int f = a.freq ? a.freq : s.freq;
  double *buf = lts_scratch(L, 3 * s.n + (size_t)f, fn);
  mlsh_err err;
  int rc = ts_decompose(s.v, s.n, f, a.type, buf, buf + s.n, buf + 2 * s.n, buf + 3 * s.n, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_createtable(L, 0, 6);
  const char *names[3] = {"trend", "seasonal", "random"};
  for (int k = 0; k < 3; k++) { lts_push_series(L, &s, s.is_series, buf + k * s.n, s.n, 0); lua_setfield(L, -2, names[k]); }
  lts_push_series(L, &s, s.is_series, s.v, s.n, 0);
  lua_setfield(L, -2, "x");
  mlsh_mat *fig = lmat_push_new(L, (size_t)f, 1, fn);
  memcpy(fig->data, buf + 3 * s.n, (size_t)f * sizeof(double));
  lua_setfield(L, -2, "figure");
  lts_setstr(L, "type", dec_types[a.type]);
  lts_setint(L, "freq", f);
  return 1;
}

static int l_describe(lua_State *L) {
  const char *fn = "ts.describe";
  lts_series s;
  lts_check_series(L, 1, fn, "y", &s);
  ts_describe_t d;
  mlsh_err err;
  int rc = ts_describe(s.v, s.n, &d, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_createtable(L, 0, 10);
  lts_setint(L, "n", (lua_Integer)d.n); lts_setint(L, "missing", (lua_Integer)d.nmissing);
  lts_setnum(L, "min", d.min); lts_setnum(L, "max", d.max); lts_setnum(L, "mean", d.mean);
  lts_setnum(L, "median", d.median); lts_setnum(L, "sd", d.sd); lts_setnum(L, "cv", d.cv);
  lts_setnum(L, "skewness", d.skewness); lts_setnum(L, "kurtosis", d.kurtosis);
  lts_setstr(L, "kind", "describe");
  luaL_setmetatable(L, LTS_RESULT_MT);
  return 1;
}

/* ---- ACF / PACF ---- */

typedef struct { int lag; } acf_args;
static const mlsh_opt acf_opt[] = {
  MLSH_OPT_INT_PRESET(acf_args, lag, "lag", "10*log10(n)", 1, LTS_MAX_LAG, "the largest lag (below the series length)"),
  MLSH_OPT_END};
static const mlsh_optspec acf_spec = {"ts.acf", acf_opt};
static const mlsh_optspec pacf_spec = {"ts.pacf", acf_opt};

static int correlogram(lua_State *L, const mlsh_optspec *spec, int partial) {
  const char *fn = spec->fname;
  acf_args a = {0};
  mlsh_opts(L, 2, spec, &a);
  lts_series s;
  lts_check_series(L, 1, fn, "y", &s);
  if (s.n < 3) mlsh_error(L, fn, "series too short (n = %zu)", s.n);
  int lag = a.lag ? a.lag : ts_default_lag(s.n);
  if ((size_t)lag >= s.n) mlsh_error(L, fn, "option 'lag' must be below the series length %zu (got %d)", s.n, lag);
  double *r = lts_scratch(L, 2 * (size_t)lag + 1, fn), *pc = r + lag + 1;
  mlsh_err err;
  int rc = ts_acf(s.v, s.n, lag, r, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  if (partial) ts_pacf_from_acf(r, lag, pc);
  size_t used = 0;
  for (size_t i = 0; i < s.n; i++) used += !isnan(s.v[i]);
  lua_createtable(L, 0, 6);
  mlsh_mat *m = lmat_push_new(L, (size_t)lag, 1, fn);
  memcpy(m->data, partial ? pc : r + 1, (size_t)lag * sizeof(double));
  lua_setfield(L, -2, "values");
  lua_createtable(L, lag, 0);
  for (int k = 1; k <= lag; k++) { lua_pushinteger(L, k); lua_rawseti(L, -2, k); }
  lua_setfield(L, -2, "lags");
  lts_setnum(L, "band", 1.96 / sqrt((double)used));
  lts_setint(L, "n", (lua_Integer)used);
  lts_setint(L, "freq", s.freq);
  lts_setstr(L, "kind", partial ? "pacf" : "acf");
  luaL_setmetatable(L, LTS_RESULT_MT);
  return 1;
}
static int l_acf(lua_State *L) { return correlogram(L, &acf_spec, 0); }
static int l_pacf(lua_State *L) { return correlogram(L, &pacf_spec, 1); }

/* ---- tests ---- */

static void push_test(lua_State *L, const char *kind, const char *name, const ts_test *t) {
  lua_createtable(L, 0, 8);
  lts_setstr(L, "kind", kind);
  lts_setstr(L, "method", name);
  lts_setnum(L, "statistic", t->statistic);
  lts_setnum(L, "pvalue", t->pvalue);
  lts_setint(L, "nobs", (lua_Integer)t->nobs);
  luaL_setmetatable(L, LTS_RESULT_MT);
}

static const char *const adf_types[] = {"n", "c", "ct", NULL};
static const char *const adf_select[] = {"aic", "none", NULL};
typedef struct { int type, lags, select; } adf_args;
static const mlsh_opt adf_opt[] = {
  MLSH_OPT_ENUM(adf_args, type, "type", 1, adf_types,
                "deterministic terms: \"c\" (constant), \"ct\" (constant and trend) or \"n\" (none)"),
  MLSH_OPT_INT_PRESET(adf_args, lags, "lags", "12*(n/100)^0.25", 0, 60,
                      "lagged differences: the most searched (select = \"aic\") or the number used (\"none\")"),
  MLSH_OPT_ENUM(adf_args, select, "select", 0, adf_select,
                "\"aic\" (the lag count 0..lags by AIC on a common sample) or \"none\" (lags as given)"),
  MLSH_OPT_END};
static const mlsh_optspec adf_spec = {"ts.adf", adf_opt};

static int l_adf(lua_State *L) {
  const char *fn = adf_spec.fname;
  adf_args a = {0, -1, 0};
  mlsh_opts(L, 2, &adf_spec, &a);
  if (a.select == 1 && a.lags < 0) mlsh_error(L, fn, "select = \"none\" needs option 'lags'");
  lts_series s;
  lts_check_series(L, 1, fn, "y", &s);
  ts_test t;
  mlsh_err err;
  int rc = ts_adf(s.v, s.n, a.type, a.lags, a.select == 0, &t, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  push_test(L, "adf", "Augmented Dickey-Fuller", &t);
  lts_setint(L, "lags", t.lags);
  lts_setstr(L, "type", adf_types[a.type]);
  lua_createtable(L, 0, 3);
  lts_setnum(L, "1%", t.crit[0]); lts_setnum(L, "5%", t.crit[1]); lts_setnum(L, "10%", t.crit[2]);
  lua_setfield(L, -2, "critical");
  return 1;
}

static const char *const kpss_types[] = {"level", "trend", NULL};
typedef struct { int type, lags; } kpss_args;
static const mlsh_opt kpss_opt[] = {
  MLSH_OPT_ENUM(kpss_args, type, "type", 0, kpss_types, "the null hypothesis: \"level\" or \"trend\" stationarity"),
  MLSH_OPT_INT_PRESET(kpss_args, lags, "lags", "trunc(4*(n/100)^0.25)", 0, LTS_MAX_LAG,
                      "lags of the Bartlett long-run variance (below the series length)"),
  MLSH_OPT_END};
static const mlsh_optspec kpss_spec = {"ts.kpss", kpss_opt};

static int l_kpss(lua_State *L) {
  const char *fn = kpss_spec.fname;
  kpss_args a = {0, -1};
  mlsh_opts(L, 2, &kpss_spec, &a);
  lts_series s;
  lts_check_series(L, 1, fn, "y", &s);
  ts_test t;
  mlsh_err err;
  int rc = ts_kpss(s.v, s.n, a.type, a.lags, &t, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  push_test(L, "kpss", "KPSS", &t);
  lts_setint(L, "lags", t.lags);
  lts_setstr(L, "type", kpss_types[a.type]);
  lua_createtable(L, 0, 4);
  lts_setnum(L, "10%", t.crit[0]); lts_setnum(L, "5%", t.crit[1]); lts_setnum(L, "2.5%", t.crit[2]); lts_setnum(L, "1%", t.crit[3]);
  lua_setfield(L, -2, "critical");
  lua_pushboolean(L, t.statistic < t.crit[0] || t.statistic > t.crit[3]);
  lua_setfield(L, -2, "pvalue_bounded");
  return 1;
}

typedef struct { int lag, fitdf; } pm_args;
static const mlsh_opt pm_opt[] = {
  MLSH_OPT_INT(pm_args, lag, "lag", 10, 1, LTS_MAX_LAG, "autocorrelations tested: lags 1..lag (below the series length)"),
  MLSH_OPT_INT(pm_args, fitdf, "fitdf", 0, 0, LTS_MAX_LAG,
               "degrees of freedom taken by a fit (below lag): its number of ARMA coefficients, for residuals"),
  MLSH_OPT_END};
static const mlsh_optspec ljung_spec = {"ts.ljung_box", pm_opt};
static const mlsh_optspec pierce_spec = {"ts.box_pierce", pm_opt};

static int portmanteau(lua_State *L, const mlsh_optspec *spec, int bp) {
  const char *fn = spec->fname;
  pm_args a;
  mlsh_opts(L, 2, spec, &a);
  lts_series s;
  lts_check_series(L, 1, fn, "x", &s);
  ts_test t;
  mlsh_err err;
  int rc = ts_portmanteau(s.v, s.n, a.lag, a.fitdf, bp, &t, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  push_test(L, bp ? "box_pierce" : "ljung_box", bp ? "Box-Pierce" : "Ljung-Box", &t);
  lts_setint(L, "lag", t.lags);
  lts_setint(L, "df", t.df);
  return 1;
}
static int l_ljung_box(lua_State *L) { return portmanteau(L, &ljung_spec, 0); }
static int l_box_pierce(lua_State *L) { return portmanteau(L, &pierce_spec, 1); }

static int l_jarque_bera(lua_State *L) {
  const char *fn = "ts.jarque_bera";
  lts_series s;
  lts_check_series(L, 1, fn, "x", &s);
  ts_test t;
  mlsh_err err;
  int rc = ts_jarque_bera(s.v, s.n, &t, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  push_test(L, "jarque_bera", "Jarque-Bera", &t);
  lts_setint(L, "df", 2);
  return 1;
}

/* ---- STL ---- */

typedef struct { ts_stl_opts o; } stl_args;
/* Windows and jumps may span a whole long series. */
#define STL_INT(f, nm, shown, lo, doc) MLSH_OPT_INT_PRESET(stl_args, o.f, nm, shown, lo, 1000000000, doc)
static const mlsh_opt stl_opt[] = {
  MLSH_OPT_VALUE("s_window", MLSH_OT_ANY, "required",
                 "odd integer >= 3 or \"periodic\": the span (in cycles) of the loess smoothing each cycle-subseries"),
  MLSH_OPT_INT_PRESET(stl_args, o.period, "period", "the series' freq", 2, LTS_MAX_LAG, "observations per cycle"),
  MLSH_OPT_INT(stl_args, o.s_degree, "s_degree", 0, 0, 1, "local degree of the seasonal smoothing"),
  MLSH_OPT_INT(stl_args, o.t_degree, "t_degree", 1, 0, 1, "local degree of the trend smoothing"),
  MLSH_OPT_INT_PRESET(stl_args, o.l_degree, "l_degree", "t_degree", 0, 1, "local degree of the low-pass smoothing"),
  STL_INT(t_window, "t_window", "nextodd(ceiling(1.5*period/(1-1.5/s_window)))", 3, "odd span (in lags) of the trend smoothing"),
  STL_INT(l_window, "l_window", "nextodd(period)", 3, "odd span of the low-pass filter"),
  STL_INT(s_jump, "s_jump", "ceiling(s_window/10)", 1, "the seasonal smoother fits every s_jump points, interpolating between"),
  STL_INT(t_jump, "t_jump", "ceiling(t_window/10)", 1, "the same for the trend smoother"),
  STL_INT(l_jump, "l_jump", "ceiling(l_window/10)", 1, "the same for the low-pass smoother"),
  MLSH_OPT_BOOL(stl_args, o.robust, "robust", 0, "robustness weights against outliers (sets the inner and outer defaults)"),
  MLSH_OPT_INT_PRESET(stl_args, o.inner, "inner", "1 if robust, else 2", 1, 1000, "passes of the inner (backfitting) loop"),
  MLSH_OPT_INT_PRESET(stl_args, o.outer, "outer", "15 if robust, else 0", 0, 1000, "robustness passes of the outer loop"),
  MLSH_OPT_END};
#undef STL_INT
static const mlsh_optspec stl_spec = {"ts.stl", stl_opt};
static const char *const stl_periodic[] = {"periodic", NULL};

/* The required s_window option: an integer (checked by the core) or "periodic" (0). */
static int read_s_window(lua_State *L, int optidx, const char *fn) {
  int t = mlsh_opt_get(L, optidx, "s_window"), isint = 0;
  lua_Integer w = 0;
  if (t == LUA_TSTRING) mlsh_check_choice(L, -1, fn, "option 's_window'", stl_periodic);
  else if (t == LUA_TNUMBER) w = lua_tointegerx(L, -1, &isint);
  if (t == LUA_TNIL) mlsh_error(L, fn, "option 's_window' is required: an odd integer >= 3 or \"periodic\"");
  if (t != LUA_TSTRING && (!isint || w < 3 || w > 0x7fffffff))
    mlsh_error(L, fn, "option 's_window' must be an odd integer >= 3 or \"periodic\" (got %s)", luaL_tolstring(L, -1, NULL));
  lua_pop(L, 1);
  return (int)w;
}

static void push_stl_triple(lua_State *L, const char *key, lua_Integer s, lua_Integer t, lua_Integer l) {
  lua_createtable(L, 0, 3);
  lts_setint(L, "s", s); lts_setint(L, "t", t); lts_setint(L, "l", l);
  lua_setfield(L, -2, key);
}

static int l_stl(lua_State *L) {
  const char *fn = stl_spec.fname;
  lua_settop(L, 2);
  stl_args a;
  ts_stl_defaults(&a.o, 0, 0);
  mlsh_opts(L, 2, &stl_spec, &a);
  a.o.s_window = read_s_window(L, 2, fn);
  lts_series s;
  lts_check_series(L, 1, fn, "y", &s);
  if (!a.o.period) {
    if (s.freq < 2) mlsh_error(L, fn, "argument 'y' has no period (freq %d): give option 'period' or a Series with freq >= 2", s.freq);
    a.o.period = s.freq;
  }
  ts_stl_opts used;
  mlsh_err err;
  int rc = ts_stl_resolve(&a.o, s.n, &used, &err);
  double *buf = rc ? NULL : lts_scratch(L, 4 * s.n, fn);
  if (!rc) rc = ts_stl(s.v, s.n, &a.o, buf, buf + s.n, buf + 2 * s.n, buf + 3 * s.n, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_createtable(L, 0, 12);
  const char *names[3] = {"seasonal", "trend", "remainder"};
  for (int k = 0; k < 3; k++) { lts_push_series(L, &s, s.is_series, buf + k * s.n, s.n, 0); lua_setfield(L, -2, names[k]); }
  mlsh_mat *w = lmat_push_new(L, s.n, 1, fn);
  memcpy(w->data, buf + 3 * s.n, s.n * sizeof(double));
  lua_setfield(L, -2, "weights");
  push_stl_triple(L, "win", used.s_window ? used.s_window : ts_stl_periodic_window(s.n), used.t_window, used.l_window);
  push_stl_triple(L, "deg", used.s_degree, used.t_degree, used.l_degree);
  push_stl_triple(L, "jump", used.s_jump, used.t_jump, used.l_jump);
  lts_setint(L, "inner", used.inner);
  lts_setint(L, "outer", used.outer);
  lts_setint(L, "period", used.period);
  lua_pushboolean(L, used.s_window == 0);
  lua_setfield(L, -2, "periodic");
  lts_setstr(L, "kind", "stl");
  luaL_setmetatable(L, LTS_RESULT_MT);
  return 1;
}

/* ---- accuracy ---- */

typedef struct { int period; } acc_args;
static const mlsh_opt acc_opt[] = {
  MLSH_OPT_VALUE("train", MLSH_OT_ANY, "none", "the training series (series-like): scales MASE; without it MASE is NaN"),
  MLSH_OPT_INT_PRESET(acc_args, period, "period", "train's freq", 1, LTS_MAX_LAG,
                      "lag of the seasonal-naive errors that scale MASE (below train's length)"),
  MLSH_OPT_END};
static const mlsh_optspec acc_spec = {"ts.accuracy", acc_opt};

/* MASE's denominator: the mean absolute seasonal-naive error of train (option at optidx), NaN without it. */
static double mase_scale(lua_State *L, int optidx, const char *fn, int period) {
  if (mlsh_opt_get(L, optidx, "train") == LUA_TNIL) { lua_pop(L, 1); return NAN; }
  lts_series t;
  lts_check_series(L, -1, fn, "train", &t);
  int m = period ? period : t.freq;
  if ((size_t)m >= t.n) mlsh_error(L, fn, "option 'period' must be below train's length %zu (got %d)", t.n, m);
  double sum = 0;
  size_t k = 0;
  for (size_t i = (size_t)m; i < t.n; i++)
    if (!isnan(t.v[i]) && !isnan(t.v[i - m])) { sum += fabs(t.v[i] - t.v[i - m]); k++; }
  lua_pop(L, 1);
  return k ? sum / (double)k : NAN;
}

static int l_accuracy(lua_State *L) {
  const char *fn = acc_spec.fname;
  lua_settop(L, 3);
  acc_args a = {0};
  mlsh_opts(L, 3, &acc_spec, &a);
  for (int i = 1; i <= 2; i++) {   /* a forecast result stands for its mean */
    if (lua_type(L, i) != LUA_TTABLE) continue;
    lua_pushliteral(L, "mean");
    if (lua_rawget(L, i) != LUA_TNIL) lua_replace(L, i);
    else lua_pop(L, 1);
  }
  lts_series f, y;
  lts_check_series(L, 1, fn, "forecast", &f);
  lts_check_series(L, 2, fn, "actual", &y);
  if (f.n != y.n) mlsh_error(L, fn, "forecast and actual differ in length (%zu and %zu)", f.n, y.n);
  double scale = mase_scale(L, 3, fn, a.period);
  ts_accuracy_t r;
  mlsh_err err;
  int rc = ts_accuracy(f.v, y.v, f.n, scale, &r, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_createtable(L, 0, 8);
  lts_setnum(L, "rmse", r.rmse); lts_setnum(L, "mae", r.mae); lts_setnum(L, "mape", r.mape);
  lts_setnum(L, "mase", r.mase); lts_setnum(L, "r2", r.r2); lts_setnum(L, "me", r.me);
  lts_setint(L, "n", (lua_Integer)r.n);
  lts_setstr(L, "kind", "accuracy");
  luaL_setmetatable(L, LTS_RESULT_MT);
  return 1;
}

/* ---- registration ---- */
/* ---- distributions ---- */

typedef struct { int lower; } pnorm_args;
static const mlsh_opt pnorm_opt[] = {
  MLSH_OPT_BOOL(pnorm_args, lower, "lower_tail", 1, "P(Z <= q); false: P(Z > q)"), MLSH_OPT_END};
static const mlsh_optspec pnorm_spec = {"ts.pnorm", pnorm_opt};

static int l_pnorm(lua_State *L) {
  double q = mlsh_check_number(L, 1, pnorm_spec.fname, "q");
  pnorm_args a;
  mlsh_opts(L, 2, &pnorm_spec, &a);
  lua_pushnumber(L, mlsh_pnorm(q, a.lower));
  return 1;
}

static int l_qnorm(lua_State *L) {
  double p = mlsh_check_number(L, 1, "ts.qnorm", "p");
  if (!(p >= 0 && p <= 1)) mlsh_error(L, "ts.qnorm", "argument 'p' must be a probability in [0, 1] (got %g)", p);
  lua_pushnumber(L, mlsh_qnorm(p));
  return 1;
}

static const mlsh_Reg ts_funcs[] = {
  {"pnorm", l_pnorm, "ts.pnorm(q [, opts])",
   "Standard normal distribution function P(Z <= q), or P(Z > q) with lower_tail=false, to full double\n"
   "precision in both tails (R's pnorm). Two-sided p-value of a z statistic: 2 * ts.pnorm(math.abs(z), {lower_tail=false}).\n"
   "Example: ts.pnorm(-1.96)  --> 0.0249979", &pnorm_spec},
  {"qnorm", l_qnorm, "ts.qnorm(p)",
   "Standard normal quantile: the q with P(Z <= q) = p (R's qnorm; -inf at 0, inf at 1).\nExample: ts.qnorm(0.975)  --> 1.959964"},
  {"series", l_series, "ts.series(values [, opts])",
   "A time series: values (series-like: a Matrix vector, a data frame column or a one-column frame, a Lua array;\n"
   "NaN = missing) with a time index: start = {1949, 1} is the first period, freq the periods per cycle.\n"
   "Returns a Series with fields values, start, freq; every ts function takes it, a plain Matrix or a Lua array.\n"
   "Example: y = ts.series(df:col(\"passengers\"), {start={1949, 1}, freq=12})", &series_spec},
  {"diff", l_diff, "ts.diff(y [, opts])",
   "Lagged differences y[t] - y[t-lag], repeated `differences` times (R's diff). Returns a Series (start moved)\n"
   "for a Series, else a Matrix, of n - lag*differences values.\nExample: d = ts.diff(ts.log(y), {lag=12})", &diff_spec},
  {"log", l_log, "ts.log(y)", "Natural logarithm of every value, keeping the time index.\nExample: ly = ts.log(y)"},
  {"exp", l_exp, "ts.exp(y)", "Exponential of every value (inverse of ts.log), keeping the time index.\nExample: ts.exp(fc.mean)"},
  {"boxcox", l_boxcox, "ts.boxcox(y, lambda [, opts])",
   "Box-Cox transform (y^lambda - 1)/lambda, log(y) for lambda = 0; inverse = true undoes it.\n"
   "Example: z = ts.boxcox(y, 0.5); y2 = ts.boxcox(z, 0.5, {inverse=true})", &boxcox_spec},
  {"decompose", l_decompose, "ts.decompose(y [, opts])",
   "Classical decomposition as R's decompose: trend = centred moving average over one period, seasonal figure =\n"
   "mean detrended value per position (normalised), random = the rest.\n"
   "Returns {x, trend, seasonal, random, figure, type, freq} (NaN where the average is undefined).\n"
   "Example: dc = ts.decompose(y, {type=\"multiplicative\"}); print(dc.figure)", &dec_spec},
  {"stl", l_stl, "ts.stl(y, opts)",
   "Seasonal-trend decomposition by loess (Cleveland et al. 1990), as R's stl: y = seasonal + trend + remainder.\n"
   "y is series-like without missing values, longer than two periods; s_window is required (\"periodic\": the\n"
   "seasonal is the same every cycle). robust = true downweights outliers (15 robustness passes).\n"
   "Returns {seasonal, trend, remainder (Series for a Series, else Matrices), weights (the robustness weights),\n"
   "win, deg, jump ({s, t, l} as R reports them), inner, outer, period, periodic}; prints its first rows.\n"
   "Example: fit = ts.stl(ts.log(y), {s_window=7, robust=true}); print(fit.seasonal)", &stl_spec},
  {"describe", l_describe, "ts.describe(y)",
   "Descriptive statistics of the non-missing values: n, missing, min, max, mean, median, sd, cv (sd/mean),\n"
   "skewness (m3/m2^1.5) and excess kurtosis (m4/m2^2 - 3). Prints as a table.\nExample: print(ts.describe(y))"},
  {"acf", l_acf, "ts.acf(y [, opts])",
   "Sample autocorrelations at lags 1..lag (R's acf; pairs with a missing value are skipped). Returns\n"
   "{values (Matrix), lags, band = 1.96/sqrt(n), n}; prints as a bar chart with the band.\n"
   "Example: print(ts.acf(y, {lag=36}))", &acf_spec},
  {"pacf", l_pacf, "ts.pacf(y [, opts])",
   "Partial autocorrelations at lags 1..lag by the Durbin-Levinson recursion (R's pacf), same result fields as ts.acf.\n"
   "Example: print(ts.pacf(ts.diff(y)))", &pacf_spec},
  {"adf", l_adf, "ts.adf(y [, opts])",
   "Augmented Dickey-Fuller unit-root test (H0: unit root) as statsmodels' adfuller: regression of diff(y) on\n"
   "the deterministic terms of type, y[t-1] and lagged differences. p-value from MacKinnon (1994), critical\n"
   "values from MacKinnon (2010). Returns {statistic, pvalue, lags, nobs, critical, verdict}; prints as a\n"
   "one-line verdict.\nExample: print(ts.adf(ts.log(y)))", &adf_spec},
  {"kpss", l_kpss, "ts.kpss(y [, opts])",
   "KPSS stationarity test (H0: level or trend stationary) as tseries::kpss.test: Bartlett long-run variance;\n"
   "p-value interpolated in the KPSS (1992) table and bounded to [0.01, 0.10] (pvalue_bounded = true then).\n"
   "Returns {statistic, pvalue, lags, critical, verdict}.\nExample: print(ts.kpss(ts.diff(y)))", &kpss_spec},
  {"ljung_box", l_ljung_box, "ts.ljung_box(x [, opts])",
   "Ljung-Box portmanteau test of no autocorrelation up to lag (R's Box.test type Ljung): Q = n(n+2) sum r_k^2/(n-k),\n"
   "chi-square with lag - fitdf degrees of freedom.\n"
   "Returns {statistic, pvalue, df, lag, verdict}; prints as a one-line verdict.\n"
   "Example: print(ts.ljung_box(fit.residuals, {lag=20, fitdf=2}))", &ljung_spec},
  {"box_pierce", l_box_pierce, "ts.box_pierce(x [, opts])",
   "Box-Pierce portmanteau test: Q = n sum r_k^2, chi-square with lag - fitdf degrees of freedom.\n"
   "Example: print(ts.box_pierce(fit.residuals, {lag=12}))", &pierce_spec},
  {"jarque_bera", l_jarque_bera, "ts.jarque_bera(x)",
   "Jarque-Bera normality test: n/6 (S^2 + (K-3)^2/4) with moment skewness S and kurtosis K, chi-square(2).\n"
   "Returns {statistic, pvalue, df, verdict}; prints as a one-line verdict.\n"
   "Example: print(ts.jarque_bera(fit.residuals))"},
  {"accuracy", l_accuracy, "ts.accuracy(forecast, actual [, opts])",
   "Forecast accuracy: ME, RMSE, MAE, MAPE (%), MASE (scaled by the in-sample mean absolute seasonal-naive error\n"
   "of train; NaN without train) and R^2 = 1 - SSE/SST of actual. forecast is a forecast result (its mean is\n"
   "used) or series-like, as is actual.\nExample: acc = ts.accuracy(fc, test, {train=train})", &acc_spec},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_ts(lua_State *L) {
  mlsh_register(L, "ts", ts_funcs);
  mlsh_doc_module(L, "ts", "time series: transforms, ACF/PACF, unit-root tests, ARIMA/SARIMA, forecasts");
  lts_open_arima(L);
  luaL_newmetatable(L, LTS_SERIES_MT);
  lua_pushstring(L, "Series");
  lua_setfield(L, -2, "__name");
  lua_setfield(L, -2, "_Series");
  luaL_newmetatable(L, LTS_RESULT_MT);
  lua_pushstring(L, "TsResult");
  lua_setfield(L, -2, "__name");
  lua_setfield(L, -2, "_Result");
}
