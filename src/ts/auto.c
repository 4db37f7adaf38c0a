/* auto.c - automatic order selection that follows forecast::auto.arima
 * (Hyndman & Khandakar 2008, forecast 8.20) rule by rule: D from the STL
 * seasonal strength (nsdiffs, test "seas"), d from repeated KPSS tests
 * (ndiffs), the caps on the orders, the stepwise walk with its starting
 * models and neighbour order (or the full grid), CSS approximations with a
 * refit, and the rejection of fits near non-stationarity or
 * non-invertibility; plus forecast accuracy. */
#include <math.h>
#include <string.h>
#include "arima.h"
#include "stl.h"
#include "ts.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

void ts_auto_defaults(ts_auto_opts *o) {
  memset(o, 0, sizeof *o);
  o->max_p = 5; o->max_q = 5; o->max_P = 2; o->max_Q = 2; o->max_order = 5;
  o->max_d = 2; o->max_D = 1; o->d = -1; o->D = -1;
  o->start_p = 2; o->start_q = 2; o->start_P = 1; o->start_Q = 1;
  o->s = 1; o->stepwise = 1; o->approximation = -1; o->ic = TS_IC_AICC; o->method = -1;
  o->allow_drift = 1; o->allow_mean = 1; o->max_models = 94;
}

static int nomem(mlsh_err *err) { return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }

/* forecast's is.constant: all.equal(x, rep(x[1], n)), so a NaN anywhere
 * but everywhere makes a series non-constant. */
static int is_constant(const double *x, size_t n) {
  if (n == 0) return 1;
  size_t nan = 0;
  for (size_t i = 0; i < n; i++) nan += isnan(x[i]) != 0;
  if (isnan(x[0])) return nan == n;
  if (nan) return 0;
  double dev = 0, size = 0;
  for (size_t i = 0; i < n; i++) { dev += fabs(x[i] - x[0]); size += fabs(x[i]); }
  if (size / (double)n > 1.5e-8) dev /= size;
  else dev /= (double)n;
  return dev <= 1.5e-8;
}

static int all_missing(const double *x, size_t n) {
  for (size_t i = 0; i < n; i++) if (!isnan(x[i])) return 0;
  return 1;
}

/* ---- differencing: ndiffs and nsdiffs ---- */

/* 1 when KPSS (level, lag trunc(3 sqrt(n) / 13) as ndiffs sets it, urca's
 * interpolated p-value) rejects stationarity at 5 %; a test that cannot
 * run counts as no rejection, as ndiffs does. */
static int kpss_rejects(const double *x, size_t n) {
  ts_test t;
  int lag = (int)trunc(3.0 * sqrt((double)n) / 13.0);
  if (ts_kpss(x, n, 0, lag, &t, NULL) != MLSH_OK) return 0;
  return t.pvalue < 0.05;
}

int ts_ndiffs(const double *y, size_t n, int max_d, int *d, mlsh_err *err) {
  *d = 0;
  double *w = mlsh_malloc((n ? n : 1) * sizeof(double));
  if (!w) return nomem(err);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) if (!isnan(y[i])) w[m++] = y[i];
  if (!is_constant(w, m)) {
    int dodiff = kpss_rejects(w, m);
    while (dodiff && *d < max_d) {
      (*d)++;
      m = ts_diff(w, m, 1, 1, w);
      if (is_constant(w, m)) break;
      dodiff = kpss_rejects(w, m);
    }
  }
  mlsh_free(w);
  return MLSH_OK;
}

/* Gaps filled linearly (constant at the ends) so that STL can run. */
static void fill_gaps(double *x, size_t n) {
  size_t prev = n;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i])) continue;
    if (prev == n) for (size_t j = 0; j < i; j++) x[j] = x[i];
    else
      for (size_t j = prev + 1; j < i; j++)
        x[j] = x[prev] + (x[i] - x[prev]) * (double)(j - prev) / (double)(i - prev);
    prev = i;
  }
  if (prev < n) for (size_t j = prev + 1; j < n; j++) x[j] = x[prev];
}

static double variance(const double *a, const double *b, const double *mask, size_t n) {
  double s = 0, ss = 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) if (!isnan(mask[i])) { double v = a[i] + (b ? b[i] : 0); s += v; k++; }
  if (k < 2) return NAN;
  double mean = s / (double)k;
  for (size_t i = 0; i < n; i++)
    if (!isnan(mask[i])) { double v = a[i] + (b ? b[i] : 0) - mean; ss += v * v; }
  return ss / (double)(k - 1);
}

/* mstl on a single period: stl(s.window = 11) once; the remainder is
 * missing where y is. strength: NaN when STL cannot run. */
static int seas_strength(const double *y, size_t n, int s, double *strength, mlsh_err *err) {
  *strength = NAN;
  double *buf = mlsh_malloc(4 * (n ? n : 1) * sizeof(double));
  if (!buf) return nomem(err);
  double *x = buf, *se = x + n, *tr = se + n, *re = tr + n;
  memcpy(x, y, n * sizeof(double));
  fill_gaps(x, n);
  ts_stl_opts so;
  ts_stl_defaults(&so, s, 11);
  mlsh_err e;
  int rc = ts_stl(x, n, &so, se, tr, re, NULL, &e);
  if (rc == MLSH_ENOMEM || rc == MLSH_EINTR) { mlsh_free(buf); return mlsh_seterr(err, rc, "%s", e.msg); }
  if (rc == MLSH_OK) {
    double v1 = variance(re, NULL, y, n), v2 = variance(re, se, y, n);
    double f = 1.0 - v1 / v2;
    if (!isnan(f)) *strength = fmax(0.0, fmin(1.0, f));
  }
  mlsh_free(buf);
  return MLSH_OK;
}

double ts_seasonal_strength(const double *y, size_t n, int s) {
  double f;
  return seas_strength(y, n, s, &f, NULL) == MLSH_OK ? f : NAN;
}

int ts_nsdiffs(const double *y, size_t n, int s, int max_D, int *D, mlsh_err *err) {
  *D = 0;
  if (s < 2 || is_constant(y, n) || (size_t)s >= n) return MLSH_OK;
  double *w = mlsh_malloc(n * sizeof(double));
  if (!w) return nomem(err);
  memcpy(w, y, n * sizeof(double));
  double f;
  int rc = seas_strength(w, n, s, &f, err);
  int dodiff = rc == MLSH_OK && f > 0.64;
  size_t m = n;
  while (rc == MLSH_OK && dodiff && *D < max_D) {
    (*D)++;
    m = ts_diff(w, m, s, 1, w);
    if (is_constant(w, m)) break;
    dodiff = 0;
    if (m >= 2 * (size_t)s && *D < max_D) {
      rc = seas_strength(w, m, s, &f, err);
      dodiff = f > 0.64;
    }
  }
  mlsh_free(w);
  return rc;
}

/* ---- one candidate: forecast's myarima ---- */

typedef struct search {
  const double *y; size_t n;       /* from the first non-missing value */
  const ts_auto_opts *o;
  size_t length;                   /* non-missing values (serieslength) */
  int d, D, m, ic, approx;
  int threads;                     /* candidates fitted at once */
  int max_p, max_q, max_P, max_Q;
  int allow_drift, allow_mean;
  double offset;                   /* CSS likelihood offset while approximating */
  ts_candidate *tried; size_t ntried, cap;
  ts_arima_fit best; int have_best; double best_ic;
} search;

/* 1 when every root of 1 - c1 z - ... - ck z^k (coefficients below 1e-8
 * at the end dropped) lies at least 1.01 from the origin. */
static int roots_clear(const double *c, int k, double sign) {
  double scaled[120];
  while (k > 0 && fabs(c[k - 1]) <= 1e-8) k--;
  if (k == 0) return 1;
  if (k > 120) return 0;
  double r = 1.0;
  for (int i = 0; i < k; i++) { r *= 1.01; scaled[i] = sign * c[i] * r; }
  return ts_ar_stationary(scaled, k);
}

/* forecast's checkarima: a coefficient variance whose square root is NaN. */
static int bad_variance(const ts_arima_fit *f) {
  for (size_t i = 0; i < f->ncoef; i++) {
    if (!f->mask[i]) continue;
    double v = f->var[i * f->ncoef + i];
    if (isnan(v) || v < 0) return 1;
  }
  return 0;
}

/* The criteria as myarima computes them (nstar = length - d - D m), the
 * residual variance sum(e^2) / (nstar - npar + 1), and the criterion
 * chosen; +inf for a fit too close to the unit circle. */
static double assess(const search *s, ts_arima_fit *f, int css) {
  double nstar = (double)s->length - s->d - (double)s->D * s->m, k = f->npar;
  if (css) f->aic = s->offset + nstar * log(f->sigma2) + 2 * k;
  double ic = INFINITY;
  if (isnan(f->aic)) {
    f->aic = f->bic = f->aicc = INFINITY;
  } else {
    f->bic = f->aic + k * (log(nstar) - 2);
    f->aicc = f->aic + 2 * k * (k + 1) / (nstar - k - 1);
    ic = s->ic == TS_IC_AIC ? f->aic : s->ic == TS_IC_BIC ? f->bic : f->aicc;
  }
  double ss = 0;
  for (size_t t = 0; t < f->n; t++) if (!isnan(f->resid[t])) ss += f->resid[t] * f->resid[t];
  f->sigma2 = ss / (nstar - k + 1);
  if (isnan(ic)) ic = INFINITY;
  if (!roots_clear(f->phi, f->np, 1.0) || !roots_clear(f->theta, f->nq, -1.0) || bad_variance(f)) ic = INFINITY;
  return ic;
}

/* Fits (p, d, q)(P, D, Q) with or without the constant; fitted = 0 when
 * the fit failed (ic = +inf then). Only out-of-memory and Ctrl-C fail. */
static int fit_model(const search *s, int p, int q, int P, int Q, int constant, int approx,
                     ts_arima_fit *f, int *fitted, double *ic, mlsh_err *err) {
  *fitted = 0;
  *ic = INFINITY;
  if (mlsh_interrupted()) return mlsh_seterr(err, MLSH_EINTR, "interrupted");
  ts_arima_opts ao;
  ts_arima_defaults(&ao);
  ts_order od = { p, s->d, q, P, s->D, Q, s->m };
  ao.ord = od;
  ao.method = s->o->method >= 0 ? s->o->method : approx ? TS_CSS : TS_CSS_ML;
  ao.drift = constant && s->d + s->D == 1;
  ao.include_mean = constant && s->d + s->D == 0;
  mlsh_err fe;
  int rc = ts_arima(s->y, s->n, &ao, f, &fe);
  if (rc == MLSH_EINTR || rc == MLSH_ENOMEM) return mlsh_seterr(err, rc, "%s", fe.msg);
  if (rc != MLSH_OK) return MLSH_OK;
  *fitted = 1;
  *ic = assess(s, f, ao.method == TS_CSS);
  return MLSH_OK;
}

static int record(search *s, int p, int q, int P, int Q, int constant, double ic, mlsh_err *err) {
  if (s->ntried == s->cap) {
    size_t nc = s->cap ? 2 * s->cap : 32;
    ts_candidate *t = mlsh_realloc(s->tried, nc * sizeof *t);
    if (!t) return nomem(err);
    s->tried = t; s->cap = nc;
  }
  ts_candidate *c = &s->tried[s->ntried++];
  ts_order od = { p, s->d, q, P, s->D, Q, s->m };
  c->ord = od; c->constant = constant; c->ic = ic;
  return MLSH_OK;
}

/* The fit (when there is one) becomes the best, replacing the one kept. */
static void set_best(search *s, ts_arima_fit *f, int fitted, double ic) {
  if (s->have_best) ts_arima_free(&s->best);
  s->have_best = fitted;
  if (fitted) s->best = *f;
  s->best_ic = ic;
}

/* A candidate fitted ahead of its turn. The search reads the fits in
 * forecast's order, so the choice does not depend on the thread count. */
typedef struct cand {
  int p, q, P, Q, c;
  ts_arima_fit f;
  int fitted, rc;
  double ic;
  mlsh_err err;
} cand;

static void set_cand(cand *c, int p, int q, int P, int Q, int constant) {
  memset(c, 0, sizeof *c);
  c->p = p; c->q = q; c->P = P; c->Q = Q; c->c = constant;
}

static void drop(cand *c, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (c[i].fitted) { ts_arima_free(&c[i].f); c[i].fitted = 0; }
}

typedef struct fit_job { const search *s; cand *c; } fit_job;

static int fit_range(void *ctx, size_t begin, size_t end, int tid) {
  fit_job *j = ctx;
  (void)tid;
  for (size_t i = begin; i < end; i++) {
    cand *c = &j->c[i];
    c->rc = fit_model(j->s, c->p, c->q, c->P, c->Q, c->c, j->s->approx, &c->f, &c->fitted, &c->ic, &c->err);
  }
  return MLSH_OK;
}

/* Fits c[0..n) on the search's threads; on a failure (out of memory,
 * Ctrl-C) every fit is freed and the first failure returned. */
static int fit_all(const search *s, cand *c, size_t n, mlsh_err *err) {
  fit_job j = { s, c };
  for (size_t i = 0; i < n; i++) c[i].rc = MLSH_EINTR;
  int rc = n < 2 || s->threads < 2 ? fit_range(&j, 0, n, 0) : mlsh_parallel_dynamic(n, s->threads, 1, fit_range, &j);
  if (rc) mlsh_seterr(err, rc, "the candidate fits failed to start");
  for (size_t i = 0; i < n && rc == MLSH_OK; i++)
    if (c[i].rc) rc = mlsh_seterr(err, c[i].rc, "%s", c[i].rc == MLSH_EINTR ? "interrupted" : c[i].err.msg);
  if (rc) drop(c, n);
  return rc;
}

/* Records a fitted candidate; *better = 1 when its ic beats the best (or
 * force: the first model, kept whatever its ic), which it replaces. */
static int take(search *s, cand *c, int force, int *better, mlsh_err *err) {
  *better = 0;
  int rc = record(s, c->p, c->q, c->P, c->Q, c->c, c->ic, err);
  if (rc == MLSH_OK && (force || c->ic < s->best_ic)) {
    set_best(s, &c->f, c->fitted, c->ic);
    c->fitted = 0;
    *better = 1;
    return MLSH_OK;
  }
  drop(c, 1);
  return rc;
}

static int is_new(const search *s, int p, int q, int P, int Q, int constant) {
  for (size_t i = 0; i < s->ntried; i++) {
    const ts_candidate *c = &s->tried[i];
    if (c->ord.p == p && c->ord.q == q && c->ord.P == P && c->ord.Q == Q && c->constant == constant) return 0;
  }
  return 1;
}

/* ---- the stepwise search ---- */

typedef struct walk { int p, q, P, Q, c; } walk;

/* The neighbours in forecast's order: seasonal moves first, then the
 * non-seasonal ones, then the constant toggled (row 17). */
static const int neighbours[16][4] = {
  { 0, 0, -1, 0 }, { 0, 0, 0, -1 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 },
  { 0, 0, -1, -1 }, { 0, 0, -1, 1 }, { 0, 0, 1, -1 }, { 0, 0, 1, 1 },
  { -1, 0, 0, 0 }, { 0, -1, 0, 0 }, { 1, 0, 0, 0 }, { 0, 1, 0, 0 },
  { -1, -1, 0, 0 }, { -1, 1, 0, 0 }, { 1, -1, 0, 0 }, { 1, 1, 0, 0 } };

/* The five starting models, fitted together; w receives the orders of
 * the best (forecast keeps the walk's constant flag whichever wins). */
static int start_models(search *s, walk *w, mlsh_err *err) {
  const ts_auto_opts *o = s->o;
  int sp = o->start_p, sq = o->start_q, sP = o->start_P, sQ = o->start_Q, b, rc;
  if (s->n < 10) { sp = sp < 1 ? sp : 1; sq = sq < 1 ? sq : 1; sP = sQ = 0; }
  w->p = sp < s->max_p ? sp : s->max_p;
  w->q = sq < s->max_q ? sq : s->max_q;
  w->P = sP < s->max_P ? sP : s->max_P;
  w->Q = sQ < s->max_Q ? sQ : s->max_Q;
  int c = w->c = s->allow_drift || s->allow_mean;
  cand cs[5];
  size_t n = 0;
  set_cand(&cs[n++], w->p, w->q, w->P, w->Q, c);
  set_cand(&cs[n++], 0, 0, 0, 0, c);
  int ap = s->max_p > 0, aP = s->m > 1 && s->max_P > 0;
  if (ap || s->max_P > 0) set_cand(&cs[n++], ap, 0, aP, 0, c);
  int aq = s->max_q > 0, aQ = s->m > 1 && s->max_Q > 0;
  if (aq || s->max_Q > 0) set_cand(&cs[n++], 0, aq, 0, aQ, c);
  if (c) set_cand(&cs[n++], 0, 0, 0, 0, 0);
  if ((rc = fit_all(s, cs, n, err))) return rc;
  for (size_t i = 0; i < n; i++) {
    if ((rc = take(s, &cs[i], i == 0, &b, err))) { drop(cs + i + 1, n - i - 1); return rc; }
    if (b) { w->p = cs[i].p; w->q = cs[i].q; w->P = cs[i].P; w->Q = cs[i].Q; }
  }
  return MLSH_OK;
}

static int within(const search *s, int p, int q, int P, int Q) {
  return p >= 0 && q >= 0 && P >= 0 && Q >= 0 && p <= s->max_p && q <= s->max_q && P <= s->max_P && Q <= s->max_Q;
}

/* One pass over the neighbours of w: stops at the first that improves.
 * They are fitted ahead, two per thread at a time; the fits after the one
 * that improves are dropped unrecorded, as if never tried. Returns the
 * status; *more = 0 when the model limit was passed. */
static int step(search *s, walk *w, size_t *k, int *more, mlsh_err *err) {
  size_t limit = (size_t)s->o->max_models, n = 0;
  cand cs[17];
  for (int i = 0; i <= 16; i++) {
    walk nb = *w;
    if (i < 16) {
      nb.p += neighbours[i][0]; nb.q += neighbours[i][1]; nb.P += neighbours[i][2]; nb.Q += neighbours[i][3];
      if (!within(s, nb.p, nb.q, nb.P, nb.Q)) continue;
    } else {
      if (!s->allow_drift && !s->allow_mean) continue;
      nb.c = !nb.c;
    }
    if (is_new(s, nb.p, nb.q, nb.P, nb.Q, nb.c)) set_cand(&cs[n++], nb.p, nb.q, nb.P, nb.Q, nb.c);
  }
  /* on threads, two candidates per thread: a long fit overlaps the others */
  size_t width = s->threads > 1 ? 2 * (size_t)s->threads : 1;
  int b, rc;
  for (size_t i = 0; i < n;) {
    if (*k >= limit) { ++*k; *more = 0; return MLSH_OK; }
    size_t len = n - i < width ? n - i : width;
    if (len > limit - *k) len = limit - *k;
    if ((rc = fit_all(s, cs + i, len, err))) return rc;
    for (size_t j = i; j < i + len; j++) {
      ++*k;
      rc = take(s, &cs[j], 0, &b, err);
      if (rc || b) {
        drop(cs + j + 1, i + len - j - 1);
        if (b && !rc) { w->p = cs[j].p; w->q = cs[j].q; w->P = cs[j].P; w->Q = cs[j].Q; w->c = cs[j].c; }
        return rc;
      }
    }
    i += len;
  }
  return MLSH_OK;
}

/* Sorts candidate indices by ic (stable, as R's order). */
static void order_by_ic(const ts_candidate *c, size_t n, size_t *idx) {
  for (size_t i = 0; i < n; i++) {
    size_t j = i;
    while (j > 0 && c[idx[j - 1]].ic > c[i].ic) { idx[j] = idx[j - 1]; j--; }
    idx[j] = i;
  }
}

/* After an approximate search: refit the candidates without the
 * approximation from the best down; the first with a finite ic wins. */
static int refit_best(search *s, mlsh_err *err) {
  size_t *idx = mlsh_malloc((s->ntried ? s->ntried : 1) * sizeof *idx);
  if (!idx) return nomem(err);
  order_by_ic(s->tried, s->ntried, idx);
  int rc = MLSH_OK;
  for (size_t i = 0; i < s->ntried; i++) {
    const ts_candidate *c = &s->tried[idx[i]];
    ts_arima_fit f;
    int fitted;
    double ic;
    rc = fit_model(s, c->ord.p, c->ord.q, c->ord.P, c->ord.Q, c->constant, 0, &f, &fitted, &ic, err);
    if (rc) break;
    set_best(s, &f, fitted, ic);
    if (ic < INFINITY) break;
  }
  mlsh_free(idx);
  return rc;
}

static int stepwise(search *s, mlsh_err *err) {
  walk w;
  int rc = start_models(s, &w, err);
  size_t k = s->ntried, startk = 0;
  int more = 1;
  while (rc == MLSH_OK && more && startk < k && k < (size_t)s->o->max_models) {
    startk = k;
    rc = step(s, &w, &k, &more, err);
  }
  if (rc == MLSH_OK && s->approx && s->have_best) rc = refit_best(s, err);
  return rc;
}

/* ---- the full grid: forecast's search.arima ---- */

/* Fits the n candidates of a block and takes them in order; best and
 * best_c follow the best so far. */
static int grid_block(search *s, cand *cs, size_t *n, ts_order *best, int *best_c, mlsh_err *err) {
  int b, rc = fit_all(s, cs, *n, err);
  for (size_t i = 0; i < *n && rc == MLSH_OK; i++) {
    if ((rc = take(s, &cs[i], 0, &b, err))) drop(cs + i + 1, *n - i - 1);
    else if (b) { *best = s->best.ord; *best_c = cs[i].c; }
  }
  *n = 0;
  return rc;
}

/* The grid in forecast's order, fitted in blocks on the search's threads. */
static int grid(search *s, mlsh_err *err) {
  int maxK = s->allow_drift || s->allow_mean, order = s->o->max_order, rc;
  ts_order best = { 0 };
  int best_c = 0;
  cand cs[32];
  size_t n = 0;
  for (int p = 0; p <= s->max_p; p++)
    for (int q = 0; q <= s->max_q; q++)
      for (int P = 0; P <= s->max_P; P++)
        for (int Q = 0; Q <= s->max_Q; Q++) {
          if (p + q + P + Q > order) continue;
          for (int c = 0; c <= maxK; c++) {
            set_cand(&cs[n++], p, q, P, Q, c);
            if (n == 32 && (rc = grid_block(s, cs, &n, &best, &best_c, err))) return rc;
          }
        }
  if (n && (rc = grid_block(s, cs, &n, &best, &best_c, err))) return rc;
  if (!s->approx || !s->have_best) return MLSH_OK;
  ts_arima_fit f;
  int fitted;
  double ic;
  rc = fit_model(s, best.p, best.q, best.P, best.Q, best_c, 0, &f, &fitted, &ic, err);
  if (rc) return rc;
  if (ic < INFINITY) {
    set_best(s, &f, 1, ic);
    return MLSH_OK;
  }
  if (fitted) ts_arima_free(&f);
  /* the refit failed: the whole grid again, without approximations */
  set_best(s, NULL, 0, INFINITY);
  s->approx = 0;
  return grid(s, err);
}

/* ---- the rules before the search ---- */

/* A single model with fixed constant (when not NaN): forecast's answers to
 * constant data. kind: 0 none, 1 mean, 2 drift. */
static int fixed_model(search *s, int d, int D, int kind, double value, mlsh_err *err) {
  ts_arima_opts ao;
  ts_arima_defaults(&ao);
  ts_order od = { 0, d, 0, 0, D, 0, s->m };
  ao.ord = od;
  ao.method = s->o->method >= 0 ? s->o->method : TS_CSS_ML;
  ao.include_mean = kind == 1;
  ao.drift = kind == 2;
  ao.fixed = kind ? &value : NULL;
  ao.nfixed = kind ? 1 : 0;
  int rc = ts_arima(s->y, s->n, &ao, &s->best, err);
  if (rc) return rc;
  s->have_best = 1;
  s->d = d; s->D = D;
  s->best_ic = assess(s, &s->best, 0);
  return MLSH_OK;
}

static double mean_of(const double *x, size_t n, double scale) {
  double t = 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) if (!isnan(x[i])) { t += x[i] / scale; k++; }
  return t / (double)k;
}

/* dx is constant: forecast's fixed answers by the differences chosen. */
static int constant_differences(search *s, const double *dx, size_t ndx, mlsh_err *err) {
  int d = s->d, D = s->D;
  if (D > 0 && d == 0) return fixed_model(s, 0, D, 2, mean_of(dx, ndx, s->m), err);
  if (D > 0 || d == 2) return fixed_model(s, d, D, 0, NAN, err);
  if (d < 2) return fixed_model(s, d, 0, d == 0 ? 1 : 2, mean_of(dx, ndx, 1), err);
  return mlsh_seterr(err, MLSH_EINVAL, "the data follow a polynomial of degree %d: not suitable for ARIMA modelling", d);
}

/* D (nsdiffs) then d (ndiffs) unless given; dx receives the differenced
 * series (ndx values). */
static int choose_differences(search *s, double *dx, size_t *ndx, mlsh_err *err) {
  const ts_auto_opts *o = s->o;
  int rc;
  s->d = o->stationary ? 0 : o->d;
  s->D = o->stationary ? 0 : o->D;
  size_t n = s->n;
  memcpy(dx, s->y, n * sizeof(double));
  if (s->m == 1) {
    s->D = 0; s->max_P = s->max_Q = 0;
  } else if (s->D < 0 && n <= 2 * (size_t)s->m) {
    s->D = 0;
  } else if (s->D < 0) {
    if ((rc = ts_nsdiffs(s->y, n, s->m, o->max_D, &s->D, err))) return rc;
    if (s->D > 0) {
      size_t k = ts_diff(dx, n, s->m, s->D, dx);
      if (all_missing(dx, k)) s->D--;
      memcpy(dx, s->y, n * sizeof(double));
    }
  }
  if (s->D > 0) n = ts_diff(dx, n, s->m, s->D, dx);
  if (s->d < 0) {
    if ((rc = ts_ndiffs(dx, n, o->max_d, &s->d, err))) return rc;
    if (s->d > 0) {
      double *t = mlsh_malloc((n ? n : 1) * sizeof(double));
      if (!t) return nomem(err);
      size_t k = ts_diff(dx, n, 1, s->d, t);
      if (all_missing(t, k)) s->d--;
      mlsh_free(t);
    }
  }
  if (s->d > 0) n = ts_diff(dx, n, 1, s->d, dx);
  *ndx = n;
  return MLSH_OK;
}

static int check_opts(const ts_auto_opts *o, mlsh_err *err) {
  if (o->max_p < 0 || o->max_q < 0 || o->max_P < 0 || o->max_Q < 0 || o->max_order < 0 || o->max_d < 0 ||
      o->max_D < 0 || o->start_p < 0 || o->start_q < 0 || o->start_P < 0 || o->start_Q < 0)
    return mlsh_seterr(err, MLSH_EINVAL, "the order bounds must be >= 0");
  if (o->s < 1) return mlsh_seterr(err, MLSH_EINVAL, "the period must be >= 1 (got %d)", o->s);
  if (o->max_models < 1) return mlsh_seterr(err, MLSH_EINVAL, "max_models must be >= 1 (got %d)", o->max_models);
  return MLSH_OK;
}

static int imin(int a, int b) { return a < b ? a : b; }

/* Everything before the search: the caps, the differences, the special
 * cases of constant data (*done = 1 then) and the approximation offset. */
static int prepare(search *s, int *done, mlsh_err *err) {
  const ts_auto_opts *o = s->o;
  *done = 0;
  if (is_constant(s->y, s->n)) {
    *done = 1;
    s->d = s->D = 0;
    return fixed_model(s, 0, 0, o->allow_mean, o->allow_mean ? mean_of(s->y, s->n, 1) : NAN, err);
  }
  int third = (int)(s->length / 3);
  s->max_p = imin(o->max_p, third);
  s->max_q = imin(o->max_q, third);
  s->max_P = imin(o->max_P, (int)(s->length / 3 / (size_t)s->m));
  s->max_Q = imin(o->max_Q, (int)(s->length / 3 / (size_t)s->m));
  s->ic = s->length <= 3 ? TS_IC_AIC : o->ic;
  double *dx = mlsh_malloc(s->n * sizeof(double));
  if (!dx) return nomem(err);
  size_t ndx = 0;
  int rc = choose_differences(s, dx, &ndx, err);
  if (rc == MLSH_OK && ndx == 0) rc = mlsh_seterr(err, MLSH_EINVAL, "not enough data to proceed (n = %zu)", s->n);
  if (rc == MLSH_OK && is_constant(dx, ndx)) { *done = 1; rc = constant_differences(s, dx, ndx, err); }
  mlsh_free(dx);
  if (rc || *done) return rc;
  if (s->m > 1) {
    if (s->max_P > 0) s->max_p = imin(s->max_p, s->m - 1);
    if (s->max_Q > 0) s->max_q = imin(s->max_q, s->m - 1);
  }
  s->approx = o->approximation >= 0 ? o->approximation : s->n > 150 || o->s > 12;
  s->offset = 0;
  if (s->approx) {
    ts_arima_opts ao;
    ts_arima_defaults(&ao);
    ts_order od = { 0, s->d, 0, 0, s->D, 0, s->m };
    ao.ord = od;
    ts_arima_fit f;
    mlsh_err fe;
    rc = ts_arima(s->y, s->n, &ao, &f, &fe);
    if (rc == MLSH_EINTR || rc == MLSH_ENOMEM) return mlsh_seterr(err, rc, "%s", fe.msg);
    if (rc == MLSH_OK) {
      s->offset = -2 * f.loglik - (double)s->length * log(f.sigma2);
      ts_arima_free(&f);
    }
  }
  s->allow_drift = o->allow_drift && s->d + s->D == 1;
  s->allow_mean = o->allow_mean && s->d + s->D == 0;
  return MLSH_OK;
}

int ts_auto_arima(const double *y, size_t n, const ts_auto_opts *o, ts_arima_fit *best,
                  ts_candidate **tried, size_t *ntried, mlsh_err *err) {
  *tried = NULL;
  *ntried = 0;
  int rc = check_opts(o, err);
  if (rc) return rc;
  size_t first = 0;
  while (first < n && isnan(y[first])) first++;
  if (first == n) return mlsh_seterr(err, MLSH_EINVAL, "all values are missing");
  search s;
  memset(&s, 0, sizeof s);
  s.y = y + first; s.n = n - first; s.o = o; s.best_ic = INFINITY;
  s.m = o->s;
  s.threads = mlsh_threads_resolve(o->threads);
  for (size_t i = 0; i < s.n; i++) s.length += !isnan(s.y[i]);
  int done;
  rc = prepare(&s, &done, err);
  if (rc == MLSH_OK && !done) rc = o->stepwise ? stepwise(&s, err) : grid(&s, err);
  if (rc == MLSH_OK && !done && (!s.have_best || (s.best_ic == INFINITY && o->method != TS_CSS)))
    rc = mlsh_seterr(err, MLSH_ENUM, "no suitable ARIMA model found (%zu tried)", s.ntried);
  if (rc) {
    if (s.have_best) ts_arima_free(&s.best);
    mlsh_free(s.tried);
    return rc;
  }
  *best = s.best;
  *tried = s.tried;
  *ntried = s.ntried;
  return MLSH_OK;
}

int ts_accuracy(const double *fc, const double *actual, size_t n, double scale, ts_accuracy_t *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  double se = 0, ae = 0, ape = 0, e1 = 0, ma = 0, ss = 0;
  size_t k = 0, kp = 0;
  for (size_t i = 0; i < n; i++) if (!isnan(fc[i]) && !isnan(actual[i])) { ma += actual[i]; k++; }
  if (k == 0) return mlsh_seterr(err, MLSH_EINVAL, "no pairs of non-missing values");
  ma /= (double)k;
  for (size_t i = 0; i < n; i++) {
    if (isnan(fc[i]) || isnan(actual[i])) continue;
    double e = actual[i] - fc[i];
    e1 += e; se += e * e; ae += fabs(e);
    ss += (actual[i] - ma) * (actual[i] - ma);
    if (actual[i] != 0) { ape += fabs(e / actual[i]); kp++; }
  }
  double kk = (double)k;
  out->n = k;
  out->me = e1 / kk;
  out->rmse = sqrt(se / kk);
  out->mae = ae / kk;
  out->mape = kp ? 100.0 * ape / (double)kp : NAN;
  out->mase = scale > 0 ? out->mae / scale : NAN;
  out->r2 = ss > 0 ? 1.0 - se / ss : NAN;
  return MLSH_OK;
}
