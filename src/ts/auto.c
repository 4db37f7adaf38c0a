/* auto.c - automatic order selection as forecast::auto.arima (Hyndman &
 * Khandakar 2008): d from repeated KPSS tests, D from the seasonal
 * strength, then a stepwise walk over neighbouring orders (or the full
 * grid) minimising an information criterion; and forecast accuracy. */
#include <math.h>
#include <string.h>
#include "arima.h"
#include "ts.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

void ts_auto_defaults(ts_auto_opts *o) {
  memset(o, 0, sizeof *o);
  o->max_p = 5; o->max_q = 5; o->max_P = 2; o->max_Q = 2; o->max_order = 5;
  o->max_d = 2; o->max_D = 1; o->d = -1; o->D = -1; o->s = 1;
  o->stepwise = 1; o->ic = TS_IC_AICC; o->method = TS_CSS_ML;
  o->allow_constant = 1; o->max_models = 94;
}

double ts_seasonal_strength(const double *y, size_t n, int s) {
  double *buf = mlsh_malloc((3 * n + (size_t)s) * sizeof(double));
  if (!buf) return NAN;
  double *tr = buf, *se = tr + n, *re = se + n, *fig = re + n;
  double out = NAN;
  if (ts_decompose(y, n, s, 0, tr, se, re, fig, NULL) == MLSH_OK) {
    double m1 = 0, m2 = 0, v1 = 0, v2 = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) if (!isnan(re[i])) { m1 += re[i]; m2 += re[i] + se[i]; k++; }
    if (k > 1) {
      m1 /= (double)k; m2 /= (double)k;
      for (size_t i = 0; i < n; i++)
        if (!isnan(re[i])) { double a = re[i] - m1, b = re[i] + se[i] - m2; v1 += a * a; v2 += b * b; }
      out = v2 > 0 ? fmax(0.0, 1.0 - v1 / v2) : 0.0;
    }
  }
  mlsh_free(buf);
  return out;
}

/* Differences needed for stationarity by KPSS at 5 % with the lag
 * trunc(3 sqrt(n) / 13) of Hobijn et al. (2004), as forecast::ndiffs. */
static int choose_d(const double *x, size_t n, int max_d, double *w) {
  memcpy(w, x, n * sizeof(double));
  size_t m = 0;
  for (size_t i = 0; i < n; i++) if (!isnan(w[i])) w[m++] = w[i];
  int d = 0;
  while (d < max_d && m > 8) {
    ts_test t;
    if (ts_kpss(w, m, 0, (int)trunc(3.0 * sqrt((double)m) / 13.0), &t, NULL) != MLSH_OK) break;
    if (t.pvalue >= 0.05) break;
    m = ts_diff(w, m, 1, 1, w);
    d++;
  }
  return d;
}

typedef struct search {
  const double *y; size_t n;
  const ts_auto_opts *o;
  int d, D;
  ts_candidate *tried; size_t ntried, cap;
  ts_arima_fit best; double best_ic; int have_best;
} search;

static double ic_of(const ts_arima_fit *f, int ic) {
  double v = ic == TS_IC_AIC ? f->aic : ic == TS_IC_BIC ? f->bic : f->aicc;
  return isfinite(v) ? v : INFINITY;
}

/* Fit one candidate (once); returns its IC, keeps the best fit. */
static int try_model(search *s, int p, int q, int P, int Q, int constant, double *ic, mlsh_err *err) {
  const ts_auto_opts *o = s->o;
  *ic = INFINITY;
  if (p < 0 || q < 0 || P < 0 || Q < 0 || p > o->max_p || q > o->max_q || P > o->max_P || Q > o->max_Q ||
      (!o->stepwise && p + q + P + Q > o->max_order) || (constant && s->d + s->D > 1))
    return MLSH_OK;
  for (size_t i = 0; i < s->ntried; i++) {
    const ts_candidate *c = &s->tried[i];
    if (c->ord.p == p && c->ord.q == q && c->ord.P == P && c->ord.Q == Q && c->constant == constant) {
      *ic = c->ic;
      return MLSH_OK;
    }
  }
  if (mlsh_interrupted()) return mlsh_seterr(err, MLSH_EINTR, "interrupted");
  if (s->ntried == s->cap) {
    size_t nc = s->cap ? 2 * s->cap : 32;
    ts_candidate *t = mlsh_realloc(s->tried, nc * sizeof *t);
    if (!t) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    s->tried = t; s->cap = nc;
  }
  ts_arima_opts ao;
  ts_arima_defaults(&ao);
  ts_order od = { p, s->d, q, P, s->D, Q, o->s > 1 ? o->s : 1 };
  if (od.s == 1) od.P = od.D = od.Q = 0;
  ao.ord = od;
  ao.method = o->method;
  ao.include_mean = constant && s->d + s->D == 0;
  ao.drift = constant && s->d + s->D == 1;
  ts_arima_fit f;
  mlsh_err fe;
  int rc = ts_arima(s->y, s->n, &ao, &f, &fe);
  if (rc == MLSH_EINTR || rc == MLSH_ENOMEM) return mlsh_seterr(err, rc, "%s", fe.msg);
  ts_candidate *c = &s->tried[s->ntried++];
  c->ord = od; c->constant = constant; c->ic = INFINITY;
  if (rc == MLSH_OK) {
    c->ic = *ic = ic_of(&f, o->ic);
    if (*ic < s->best_ic) {
      if (s->have_best) ts_arima_free(&s->best);
      s->best = f; s->best_ic = *ic; s->have_best = 1;
    } else {
      ts_arima_free(&f);
    }
  }
  return MLSH_OK;
}

int ts_auto_arima(const double *y, size_t n, const ts_auto_opts *o, ts_arima_fit *best,
                  ts_candidate **tried, size_t *ntried, mlsh_err *err) {
  search s;
  memset(&s, 0, sizeof s);
  s.y = y; s.n = n; s.o = o; s.best_ic = INFINITY;
  int seasonal = o->s > 1;
  double *w = mlsh_malloc((n ? n : 1) * sizeof(double));
  if (!w) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  s.D = 0;
  if (seasonal) {
    if (o->D >= 0) s.D = o->D;
    else if (o->max_D > 0 && n >= 2 * (size_t)o->s + 1) s.D = ts_seasonal_strength(y, n, o->s) > 0.64;
  }
  if (o->d >= 0) s.d = o->d;
  else {
    size_t m = n;
    memcpy(w, y, n * sizeof(double));
    if (s.D) m = ts_diff(w, n, o->s, s.D, w);
    s.d = choose_d(w, m, o->max_d, w);
  }
  mlsh_free(w);
  int cst = o->allow_constant && s.d + s.D <= 1;
  int rc = MLSH_OK;
  double ic;
#define TRY(p, q, P, Q, c) do { rc = try_model(&s, p, q, P, Q, c, &ic, err); if (rc) goto done; } while (0)
  if (!o->stepwise) {
    for (int p = 0; p <= o->max_p; p++)
      for (int q = 0; q <= o->max_q; q++)
        for (int P = 0; P <= (seasonal ? o->max_P : 0); P++)
          for (int Q = 0; Q <= (seasonal ? o->max_Q : 0); Q++)
            for (int c = cst; c >= 0; c--) TRY(p, q, P, Q, c);
  } else {
    int sp = seasonal ? 1 : 0;
    TRY(2, 2, sp, sp, cst);
    TRY(0, 0, 0, 0, cst);
    TRY(1, 0, sp, 0, cst);
    TRY(0, 1, 0, sp, cst);
    if (cst) TRY(0, 0, 0, 0, 0);
    /* walk to the best neighbour until none improves */
    for (int improved = 1; improved && s.have_best && s.ntried < (size_t)o->max_models;) {
      improved = 0;
      ts_order b = s.best.ord;
      int bc = s.best.has_intercept || s.best.has_drift;
      int moves[][5] = {
        { 0, 0, -1, 0, 0 }, { 0, 0, 1, 0, 0 }, { 0, 0, 0, -1, 0 }, { 0, 0, 0, 1, 0 },
        { 0, 0, -1, -1, 0 }, { 0, 0, 1, 1, 0 }, { 0, 0, -1, 1, 0 }, { 0, 0, 1, -1, 0 },
        { -1, 0, 0, 0, 0 }, { 1, 0, 0, 0, 0 }, { 0, -1, 0, 0, 0 }, { 0, 1, 0, 0, 0 },
        { -1, -1, 0, 0, 0 }, { 1, 1, 0, 0, 0 }, { -1, 1, 0, 0, 0 }, { 1, -1, 0, 0, 0 },
        { 0, 0, 0, 0, 1 } };
      for (size_t k = 0; k < sizeof moves / sizeof moves[0] && !improved; k++) {
        int *m = moves[k];
        if (!seasonal && (m[2] || m[3])) continue;
        int c = m[4] ? !bc : bc;
        if (m[4] && !cst) continue;
        double before = s.best_ic;
        TRY(b.p + m[0], b.q + m[1], b.P + m[2], b.Q + m[3], c);
        if (s.best_ic < before) improved = 1;
        if (s.ntried >= (size_t)o->max_models) break;
      }
    }
  }
#undef TRY
done:
  if (rc == MLSH_OK && !s.have_best) rc = mlsh_seterr(err, MLSH_ENUM, "no model could be fitted (%zu tried)", s.ntried);
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
