/* tests.c - unit-root, stationarity, white-noise and normality tests:
 * augmented Dickey-Fuller with MacKinnon (1994, 2010) p-values and
 * critical values (as statsmodels' adfuller), KPSS (as tseries::kpss.test),
 * Ljung-Box / Box-Pierce (R's Box.test) and Jarque-Bera. */
#include <math.h>
#include <string.h>
#include "ts.h"
#include "../core/alloc.h"
#include "../core/distrib.h"

/* MacKinnon (1994) response surfaces for one variable, by trend type
 * (n, c, ct): the boundary between the small- and large-p fits, the
 * statistic range, and the polynomial in the statistic giving the normal
 * quantile of the p-value (statsmodels' adfvalues). */
static const double tau_star[3] = { -1.04, -1.61, -2.89 };
static const double tau_min[3] = { -19.04, -18.83, -16.18 };
static const double tau_max[3] = { INFINITY, 2.74, 0.7 };
static const double tau_small[3][3] = {
  { 0.6344, 1.2378, 3.2496e-2 }, { 2.1659, 1.4412, 3.8269e-2 }, { 3.2512, 1.6047, 4.9588e-2 } };
static const double tau_large[3][4] = {
  { 0.4797, 9.3557e-1, -0.6999e-1, 3.3066e-2 },
  { 1.7339, 9.3202e-1, -1.2745e-1, -1.0368e-2 },
  { 2.5261, 6.1654e-1, -3.7956e-1, -6.0285e-2 } };
/* MacKinnon (2010) critical values 1/5/10 %: c0 + c1/T + c2/T^2 + c3/T^3 */
static const double tau_crit[3][3][4] = {
  { { -2.56574, -2.2358, -3.627, 0 }, { -1.94100, -0.2686, -3.365, 31.223 }, { -1.61682, 0.2656, -2.714, 25.364 } },
  { { -3.43035, -6.5393, -16.786, -79.433 }, { -2.86154, -2.8903, -4.234, -40.040 }, { -2.56677, -1.5384, -2.809, 0 } },
  { { -3.95877, -9.0531, -28.428, -134.155 }, { -3.41049, -4.3904, -9.036, -45.374 }, { -3.12705, -2.5856, -3.925, -22.380 } } };

double ts_mackinnon_p(double stat, int type) {
  if (isnan(stat)) return NAN;
  if (stat > tau_max[type]) return 1.0;
  if (stat < tau_min[type]) return 0.0;
  double z;
  if (stat <= tau_star[type]) {
    const double *c = tau_small[type];
    z = c[0] + c[1] * stat + c[2] * stat * stat;
  } else {
    const double *c = tau_large[type];
    z = c[0] + c[1] * stat + c[2] * stat * stat + c[3] * stat * stat * stat;
  }
  return mlsh_pnorm(z, 1);
}

/* Regression of dy_t on [deterministic terms, y_{t-1}, dy_{t-1..t-L}] over
 * t = first..n-2 (indices of dy). Returns the status; stat = t of y_{t-1}. */
static int adf_fit(const double *y, const double *dy, size_t n, int type, int L, size_t first,
                   double *X, double *stat, double *aic, size_t *rows) {
  int k = type + 1 + L;
  size_t m = n - 1 - first;
  for (size_t i = 0; i < m; i++) {
    size_t t = first + i;
    double *row = X + i * k;
    int j = 0;
    if (type >= 1) row[j++] = 1.0;
    if (type >= 2) row[j++] = (double)(i + 1);
    row[j++] = y[t];
    for (int l = 1; l <= L; l++) row[j++] = dy[t - l];
  }
  double beta[64], se[64], rss;
  size_t used;
  int rc = ts_ols(dy + first, X, m, k, beta, se, &rss, &used);
  if (rc) return rc;
  *stat = beta[type] / se[type];
  double nm = (double)used;
  *aic = nm * (log(2 * M_PI) + log(rss / nm) + 1) + 2.0 * k;
  *rows = used;
  return MLSH_OK;
}

int ts_adf(const double *y, size_t n, int type, int lags, int select, ts_test *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(y[i])) return mlsh_seterr(err, MLSH_EINVAL, "the series has missing or non-finite values (at %zu)", i + 1);
  int varies = 0;
  for (size_t i = 1; i < n && !varies; i++) varies = y[i] != y[0];
  if (!varies) return mlsh_seterr(err, MLSH_EINVAL, "the series is constant");
  int maxlag = lags;
  if (lags < 0) {
    maxlag = (int)ceil(12.0 * pow((double)n / 100.0, 0.25));
    int cap = (int)(n / 2) - type - 1;
    if (cap < maxlag) maxlag = cap;
  }
  if (maxlag < 0 || maxlag > 60 || n < (size_t)(2 * maxlag + type + 4))
    return mlsh_seterr(err, MLSH_EINVAL, "series too short for %d lags (n = %zu)", maxlag, n);
  double *dy = mlsh_malloc(n * sizeof(double));
  double *X = mlsh_malloc(n * (size_t)(maxlag + 3) * sizeof(double));
  int rc = MLSH_OK;
  if (!dy || !X) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  for (size_t i = 0; i + 1 < n; i++) dy[i] = y[i + 1] - y[i];
  int best = maxlag;
  double stat, aic, bestaic = INFINITY;
  size_t rows;
  if (select) {   /* same sample for every lag, so the AICs compare */
    for (int L = 0; L <= maxlag; L++) {
      if (adf_fit(y, dy, n, type, L, (size_t)maxlag, X, &stat, &aic, &rows) != MLSH_OK) continue;
      if (aic < bestaic) { bestaic = aic; best = L; }
    }
  }
  if (adf_fit(y, dy, n, type, best, (size_t)best, X, &stat, &aic, &rows) != MLSH_OK) {
    rc = mlsh_seterr(err, MLSH_ENUM, "the regression is singular (constant series?)");
    goto done;
  }
  out->statistic = stat;
  out->pvalue = ts_mackinnon_p(stat, type);
  out->lags = best;
  out->nobs = rows;
  double T = (double)rows;
  for (int c = 0; c < 3; c++) {
    const double *v = tau_crit[type][c];
    out->crit[c] = v[0] + v[1] / T + v[2] / (T * T) + v[3] / (T * T * T);
  }
done:
  mlsh_free(dy);
  mlsh_free(X);
  return rc;
}

int ts_kpss(const double *y, size_t n, int trend, int lags, ts_test *out, mlsh_err *err) {
  static const double tab[2][4] = { { 0.347, 0.463, 0.574, 0.739 }, { 0.119, 0.146, 0.176, 0.216 } };
  static const double tabp[4] = { 0.10, 0.05, 0.025, 0.01 };
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(y[i])) return mlsh_seterr(err, MLSH_EINVAL, "the series has missing or non-finite values (at %zu)", i + 1);
  if (n < 4) return mlsh_seterr(err, MLSH_EINVAL, "series too short (n = %zu)", n);
  if (lags < 0) lags = (int)trunc(4.0 * pow((double)n / 100.0, 0.25));
  if ((size_t)lags >= n) return mlsh_seterr(err, MLSH_EINVAL, "lags must be below n (got %d, n = %zu)", lags, n);
  double *e = mlsh_malloc(n * sizeof(double));
  if (!e) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  /* residuals of the level (mean) or trend (OLS on 1..n) fit */
  double mean = 0, tm = (n + 1) / 2.0, sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; i++) mean += y[i];
  mean /= (double)n;
  for (size_t i = 0; i < n; i++) { double dt = (double)(i + 1) - tm; sxy += dt * (y[i] - mean); sxx += dt * dt; }
  double slope = trend ? sxy / sxx : 0.0;
  for (size_t i = 0; i < n; i++) e[i] = y[i] - mean - slope * ((double)(i + 1) - tm);
  double S = 0, eta = 0, s2 = 0;
  for (size_t i = 0; i < n; i++) { S += e[i]; eta += S * S; s2 += e[i] * e[i]; }
  eta /= (double)n * (double)n;
  s2 /= (double)n;
  double lr = 0;   /* Newey-West (Bartlett) long-run variance */
  for (int i = 1; i <= lags; i++) {
    double c = 0;
    for (size_t j = (size_t)i; j < n; j++) c += e[j] * e[j - i];
    lr += c * (1.0 - (double)i / (lags + 1.0));
  }
  s2 += 2.0 * lr / (double)n;
  mlsh_free(e);
  if (!(s2 > 0)) return mlsh_seterr(err, MLSH_EINVAL, "the series is constant");
  double stat = eta / s2;
  const double *t = tab[trend ? 1 : 0];
  double p;
  if (stat <= t[0]) p = tabp[0];
  else if (stat >= t[3]) p = tabp[3];
  else {
    int k = 0;
    while (stat > t[k + 1]) k++;
    p = tabp[k] + (tabp[k + 1] - tabp[k]) * (stat - t[k]) / (t[k + 1] - t[k]);
  }
  out->statistic = stat;
  out->pvalue = p;
  out->lags = lags;
  out->nobs = n;
  for (int k = 0; k < 4; k++) out->crit[k] = t[k];
  return MLSH_OK;
}

int ts_portmanteau(const double *x, size_t n, int lag, int fitdf, int box_pierce, ts_test *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  if (lag < 1 || (size_t)lag >= n) return mlsh_seterr(err, MLSH_EINVAL, "lag must be in 1..%zu (got %d)", n ? n - 1 : 0, lag);
  if (fitdf < 0 || fitdf >= lag) return mlsh_seterr(err, MLSH_EINVAL, "fitdf must be in 0..lag-1 (got %d, lag %d)", fitdf, lag);
  double *r = mlsh_malloc(((size_t)lag + 1) * sizeof(double));
  if (!r) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  int rc = ts_acf(x, n, lag, r, err);
  if (rc) { mlsh_free(r); return rc; }
  size_t m = 0;
  for (size_t i = 0; i < n; i++) m += !isnan(x[i]);
  double nn = (double)m, s = 0;
  for (int k = 1; k <= lag; k++) s += box_pierce ? r[k] * r[k] : r[k] * r[k] / (nn - k);
  mlsh_free(r);
  out->statistic = box_pierce ? nn * s : nn * (nn + 2) * s;
  out->df = lag - fitdf;
  out->lags = lag;
  out->nobs = m;
  out->pvalue = mlsh_pchisq_upper(out->statistic, out->df);
  return MLSH_OK;
}

int ts_jarque_bera(const double *x, size_t n, ts_test *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  ts_describe_t d;
  int rc = ts_describe(x, n, &d, err);
  if (rc) return rc;
  if (d.n < 3 || !isfinite(d.skewness)) return mlsh_seterr(err, MLSH_EINVAL, "needs at least 3 non-constant values");
  double nn = (double)d.n;
  out->statistic = nn * d.skewness * d.skewness / 6.0 + nn * d.kurtosis * d.kurtosis / 24.0;
  out->df = 2;
  out->nobs = d.n;
  out->pvalue = mlsh_pchisq_upper(out->statistic, 2);
  return MLSH_OK;
}
