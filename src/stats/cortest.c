/* cortest.c - Pearson's correlation test and Pearson's chi-squared test,
 * as R's cor.test and chisq.test compute them. */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <string.h>
#include "htest.h"
#include "../core/alloc.h"

double st_pearson(const double *x, const double *y, size_t n) {
  double mx = st_mean(x, n), my = st_mean(y, n);
  long double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; i++) {
    long double a = x[i] - mx, b = y[i] - my;
    sxy += a * b; sxx += a * a; syy += b * b;
  }
  double r = (double)(sxy / (sqrtl(sxx) * sqrtl(syy)));
  return fmax(-1, fmin(1, r));
}

static void fisher_interval(double r, size_t n, st_alternative alt, double c, double *ci) {
  double z = atanh(r), sigma = 1 / sqrt((double)n - 3);
  if (alt == ST_LESS) { ci[0] = -INFINITY; ci[1] = z + sigma * qnorm(c, 0, 1, 1, 0); }
  else if (alt == ST_GREATER) { ci[0] = z - sigma * qnorm(c, 0, 1, 1, 0); ci[1] = INFINITY; }
  else { double h = sigma * qnorm((1 + c) / 2, 0, 1, 1, 0); ci[0] = z - h; ci[1] = z + h; }
  ci[0] = tanh(ci[0]); ci[1] = tanh(ci[1]);
}

int st_cor_test(const double *x, const double *y, size_t n, st_alternative alt, double conf_level, st_htest *r,
                mlsh_err *err) {
  memset(r, 0, sizeof *r);
  if (!(conf_level > 0 && conf_level < 1)) return mlsh_seterr(err, MLSH_EINVAL, "'conf_level' must be in (0, 1)");
  double *buf = mlsh_malloc((2 * n + 1) * sizeof(double));
  if (!buf) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *a = buf, *b = buf + n;
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(x[i]) && isfinite(y[i])) { a[m] = x[i]; b[m] = y[i]; m++; }
  if (m < 3) { mlsh_free(buf); return mlsh_seterr(err, MLSH_EINVAL, "not enough finite observations (%zu pairs)", m); }
  double rho = st_pearson(a, b, m), df = (double)m - 2;
  mlsh_free(buf);
  if (isnan(rho)) return mlsh_seterr(err, MLSH_EINVAL, "the standard deviation is zero");
  r->estimate[0] = rho; r->nestimate = 1;
  r->parameter = df;
  r->statistic = sqrt(df) * rho / sqrt(1 - rho * rho);
  r->p_value = alt == ST_LESS ? pt(r->statistic, df, 1, 0) : alt == ST_GREATER ? pt(r->statistic, df, 0, 0)
             : 2 * fmin(pt(r->statistic, df, 1, 0), pt(r->statistic, df, 0, 0));
  r->conf_int[0] = r->conf_int[1] = NAN;
  if (m > 3) fisher_interval(rho, m, alt, conf_level, r->conf_int);
  r->conf_level = conf_level;
  r->nx = m;
  r->method = "Pearson's product-moment correlation";
  return MLSH_OK;
}

static int check_counts(const double *x, size_t len, double *total, mlsh_err *err) {
  *total = 0;
  for (size_t i = 0; i < len; i++) {
    if (!(x[i] >= 0) || !isfinite(x[i])) return mlsh_seterr(err, MLSH_EINVAL, "all entries of 'x' must be nonnegative and finite");
    *total += x[i];
  }
  if (*total == 0) return mlsh_seterr(err, MLSH_EINVAL, "at least one entry of 'x' must be positive");
  return MLSH_OK;
}

static int goodness_of_fit(const double *x, size_t k, double n, const double *probs, st_htest *r, double *E, mlsh_err *err) {
  if (k < 2) return mlsh_seterr(err, MLSH_EINVAL, "'x' must at least have 2 elements");
  double sp = 0;
  for (size_t i = 0; i < k; i++) {
    if (probs && probs[i] < 0) return mlsh_seterr(err, MLSH_EINVAL, "probabilities must be non-negative");
    sp += probs ? probs[i] : 1.0 / (double)k;
  }
  if (fabs(sp - 1) > sqrt(2.220446049250313e-16)) return mlsh_seterr(err, MLSH_EINVAL, "probabilities must sum to 1 (got %g)", sp);
  double s = 0;
  for (size_t i = 0; i < k; i++) {
    E[i] = n * (probs ? probs[i] : 1.0 / (double)k);
    s += (x[i] - E[i]) * (x[i] - E[i]) / E[i];
  }
  r->statistic = s;
  r->parameter = (double)k - 1;
  r->method = "Chi-squared test for given probabilities";
  return MLSH_OK;
}

static void independence(const double *x, size_t nr, size_t nc, double n, int correct, st_htest *r, double *E) {
  for (size_t i = 0; i < nr; i++)
    for (size_t j = 0; j < nc; j++) {
      double sr = 0, sc = 0;
      for (size_t jj = 0; jj < nc; jj++) sr += x[i * nc + jj];
      for (size_t ii = 0; ii < nr; ii++) sc += x[ii * nc + j];
      E[i * nc + j] = sr * sc / n;
    }
  double yates = 0;
  r->method = "Pearson's Chi-squared test";
  if (correct && nr == 2 && nc == 2) {
    yates = 0.5;
    for (size_t k = 0; k < 4; k++) yates = fmin(yates, fabs(x[k] - E[k]));
    if (yates > 0) r->method = "Pearson's Chi-squared test with Yates' continuity correction";
  }
  double s = 0;
  for (size_t k = 0; k < nr * nc; k++) { double d = fabs(x[k] - E[k]) - yates; s += d * d / E[k]; }
  r->statistic = s;
  r->parameter = (double)((nr - 1) * (nc - 1));
}

int st_chisq_test(const double *x, size_t nr, size_t nc, const double *probs, int correct, st_htest *r,
                  double *expected, int *small, mlsh_err *err) {
  memset(r, 0, sizeof *r);
  size_t len = nr * nc;
  double n;
  int rc = check_counts(x, len, &n, err);
  if (rc != MLSH_OK) return rc;
  double *E = expected ? expected : mlsh_malloc(len * sizeof(double));
  if (!E) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (nr == 1 || nc == 1) rc = goodness_of_fit(x, len, n, probs, r, E, err);
  else independence(x, nr, nc, n, correct, r, E);
  if (rc == MLSH_OK) {
    r->p_value = pchisq(r->statistic, r->parameter, 0, 0);
    r->conf_int[0] = r->conf_int[1] = NAN;
    r->nx = (size_t)n;
    *small = 0;
    for (size_t k = 0; k < len; k++) *small |= E[k] < 5;
  }
  if (!expected) mlsh_free(E);
  return rc;
}
