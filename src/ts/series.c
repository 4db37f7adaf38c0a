/* series.c - transforms, descriptive statistics, classical decomposition,
 * autocorrelations and the small least-squares helper the tests share. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ts.h"
#include "../core/alloc.h"
#include "../core/matrix.h"

size_t ts_diff(const double *y, size_t n, int lag, int differences, double *out) {
  if (out != y) memmove(out, y, n * sizeof(double));
  for (int k = 0; k < differences; k++) {
    if (n <= (size_t)lag) return 0;
    for (size_t i = 0; i + lag < n; i++) out[i] = out[i + lag] - out[i];
    n -= (size_t)lag;
  }
  return n;
}

void ts_boxcox(const double *y, size_t n, double lambda, int inverse, double *out) {
  for (size_t i = 0; i < n; i++) {
    double v = y[i];
    if (!inverse) out[i] = lambda == 0 ? log(v) : (pow(v, lambda) - 1) / lambda;
    else out[i] = lambda == 0 ? exp(v) : pow(lambda * v + 1, 1 / lambda);
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int ts_describe(const double *y, size_t n, ts_describe_t *d, mlsh_err *err) {
  memset(d, 0, sizeof *d);
  double *v = mlsh_malloc((n ? n : 1) * sizeof(double));
  if (!v) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  size_t m = 0;
  for (size_t i = 0; i < n; i++) if (!isnan(y[i])) v[m++] = y[i];
  d->n = m;
  d->nmissing = n - m;
  if (m == 0) { mlsh_free(v); return mlsh_seterr(err, MLSH_EINVAL, "no non-missing values"); }
  qsort(v, m, sizeof(double), cmp_double);
  d->min = v[0];
  d->max = v[m - 1];
  d->median = mat_quantile_sorted(v, m, 0.5);
  double s = 0;
  for (size_t i = 0; i < m; i++) s += v[i];
  double mean = s / (double)m, m2 = 0, m3 = 0, m4 = 0;
  for (size_t i = 0; i < m; i++) {
    double e = v[i] - mean, e2 = e * e;
    m2 += e2; m3 += e2 * e; m4 += e2 * e2;
  }
  d->mean = mean;
  d->sd = m > 1 ? sqrt(m2 / (double)(m - 1)) : NAN;
  d->cv = d->sd / mean;
  m2 /= (double)m; m3 /= (double)m; m4 /= (double)m;
  d->skewness = m2 > 0 ? m3 / pow(m2, 1.5) : NAN;
  d->kurtosis = m2 > 0 ? m4 / (m2 * m2) - 3.0 : NAN;
  mlsh_free(v);
  return MLSH_OK;
}

int ts_decompose(const double *y, size_t n, int f, int mult, double *trend, double *seasonal,
                 double *random, double *figure, mlsh_err *err) {
  size_t ok = 0;
  for (size_t i = 0; i < n; i++) ok += !isnan(y[i]);
  if (f <= 1 || ok < 2 * (size_t)f)
    return mlsh_seterr(err, MLSH_EINVAL, "the series has no or less than 2 periods (frequency %d, %zu values)", f, ok);
  /* centred moving average: weights 1/f, halved at both ends when f is even */
  int nf = f % 2 ? f : f + 1, half = nf / 2;
  for (size_t i = 0; i < n; i++) {
    if (i < (size_t)half || i + half >= n) { trend[i] = NAN; continue; }
    double s = 0;
    for (int j = 0; j < nf; j++) {
      double w = (f % 2 == 0 && (j == 0 || j == nf - 1)) ? 0.5 / f : 1.0 / f;
      s += w * y[i + half - j];
    }
    trend[i] = s;
  }
  /* seasonal figure by position in the period, from the start of the series */
  for (int k = 0; k < f; k++) {
    double s = 0;
    size_t cnt = 0;
    for (size_t i = (size_t)k; i < n; i += (size_t)f) {
      double v = mult ? y[i] / trend[i] : y[i] - trend[i];
      if (!isnan(v)) { s += v; cnt++; }
    }
    figure[k] = cnt ? s / (double)cnt : NAN;
  }
  double fm = 0;
  for (int k = 0; k < f; k++) fm += figure[k];
  fm /= f;
  for (int k = 0; k < f; k++) figure[k] = mult ? figure[k] / fm : figure[k] - fm;
  for (size_t i = 0; i < n; i++) {
    seasonal[i] = figure[i % (size_t)f];
    random[i] = mult ? y[i] / seasonal[i] / trend[i] : y[i] - seasonal[i] - trend[i];
  }
  return MLSH_OK;
}

int ts_default_lag(size_t n) {
  int l = (int)floor(10.0 * log10((double)n));
  if (l > (int)n - 1) l = (int)n - 1;
  return l < 1 ? 1 : l;
}

int ts_acf(const double *y, size_t n, int lag, double *r, mlsh_err *err) {
  double s = 0;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) if (!isnan(y[i])) { s += y[i]; m++; }
  if (m < 2) return mlsh_seterr(err, MLSH_EINVAL, "fewer than 2 non-missing values");
  if (lag < 0 || (size_t)lag >= n) return mlsh_seterr(err, MLSH_EINVAL, "lag must be in 0..%zu (got %d)", n - 1, lag);
  double mean = s / (double)m;
  double c0 = 0;
  for (int k = 0; k <= lag; k++) {
    double c = 0;
    for (size_t t = 0; t + k < n; t++) {
      double a = y[t], b = y[t + k];
      if (!isnan(a) && !isnan(b)) c += (a - mean) * (b - mean);
    }
    if (k == 0) c0 = c;
    r[k] = c / c0;
  }
  if (!(c0 > 0)) return mlsh_seterr(err, MLSH_EINVAL, "the series is constant");
  return MLSH_OK;
}

void ts_pacf_from_acf(const double *r, int lag, double *pacf) {
  /* Durbin-Levinson: phi_kk = (r_k - sum phi_{k-1,j} r_{k-j}) / (1 - sum phi_{k-1,j} r_j) */
  double *phi = mlsh_calloc((size_t)lag + 1, sizeof(double)), *tmp = mlsh_calloc((size_t)lag + 1, sizeof(double));
  if (!phi || !tmp) {
    for (int k = 0; k < lag; k++) pacf[k] = NAN;
    mlsh_free(phi); mlsh_free(tmp);
    return;
  }
  for (int k = 1; k <= lag; k++) {
    double num = r[k], den = 1.0;
    for (int j = 1; j < k; j++) { num -= phi[j] * r[k - j]; den -= phi[j] * r[j]; }
    double a = num / den;
    for (int j = 1; j < k; j++) tmp[j] = phi[j] - a * phi[k - j];
    for (int j = 1; j < k; j++) phi[j] = tmp[j];
    phi[k] = a;
    pacf[k - 1] = a;
  }
  mlsh_free(phi);
  mlsh_free(tmp);
}

/* Normal equations with a Cholesky factor: small k, well-scaled designs. */
int ts_ols(const double *y, const double *X, size_t n, int k, double *beta, double *se,
           double *rss_out, size_t *used) {
  enum { KMAX = 64 };
  double XtX[KMAX * KMAX], Xty[KMAX], L[KMAX * KMAX], Li[KMAX * KMAX];
  if (k < 1 || k > KMAX) return MLSH_EINVAL;
  memset(XtX, 0, sizeof(double) * (size_t)k * k);
  memset(Xty, 0, sizeof(double) * (size_t)k);
  size_t m = 0;
  for (size_t t = 0; t < n; t++) {
    const double *row = X + t * k;
    int ok = !isnan(y[t]);
    for (int j = 0; j < k && ok; j++) ok = !isnan(row[j]);
    if (!ok) continue;
    m++;
    for (int i = 0; i < k; i++) {
      Xty[i] += row[i] * y[t];
      for (int j = 0; j <= i; j++) XtX[i * k + j] += row[i] * row[j];
    }
  }
  if (m <= (size_t)k) return MLSH_ENUM;
  for (int j = 0; j < k; j++) {
    double s = XtX[j * k + j];
    for (int l = 0; l < j; l++) s -= L[j * k + l] * L[j * k + l];
    if (!(s > 1e-10 * (XtX[j * k + j] + 1e-300))) return MLSH_ENUM;
    L[j * k + j] = sqrt(s);
    for (int i = j + 1; i < k; i++) {
      double v = XtX[i * k + j];
      for (int l = 0; l < j; l++) v -= L[i * k + l] * L[j * k + l];
      L[i * k + j] = v / L[j * k + j];
    }
  }
  for (int i = 0; i < k; i++) {          /* Li = L^-1 (lower) */
    for (int j = 0; j < k; j++) Li[i * k + j] = 0;
    Li[i * k + i] = 1.0 / L[i * k + i];
    for (int j = 0; j < i; j++) {
      double s = 0;
      for (int l = j; l < i; l++) s -= L[i * k + l] * Li[l * k + j];
      Li[i * k + j] = s / L[i * k + i];
    }
  }
  for (int i = 0; i < k; i++) {          /* beta = Li' Li X'y */
    double s = 0;
    for (int j = 0; j < k; j++) {
      double inv = 0;
      for (int l = (i > j ? i : j); l < k; l++) inv += Li[l * k + i] * Li[l * k + j];
      s += inv * Xty[j];
    }
    beta[i] = s;
  }
  double rss = 0;
  for (size_t t = 0; t < n; t++) {
    const double *row = X + t * k;
    double e = y[t];
    for (int j = 0; j < k; j++) e -= row[j] * beta[j];
    if (!isnan(e)) rss += e * e;
  }
  double s2 = rss / (double)(m - (size_t)k);
  if (se)
    for (int i = 0; i < k; i++) {
      double inv = 0;
      for (int l = i; l < k; l++) inv += Li[l * k + i] * Li[l * k + i];
      se[i] = sqrt(s2 * inv);
    }
  if (rss_out) *rss_out = rss;
  if (used) *used = m;
  return MLSH_OK;
}
