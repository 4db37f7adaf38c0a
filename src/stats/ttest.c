/* ttest.c - Student's and Welch's t tests as R's t.test.default: the same
 * estimates, degrees of freedom, p-values (R's pt) and intervals (R's qt). */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include "htest.h"
#include "../core/alloc.h"

double st_mean(const double *x, size_t n) {
  long double s = 0;
  for (size_t i = 0; i < n; i++) s += x[i];
  s /= (long double)n;
  long double t = 0;
  for (size_t i = 0; i < n; i++) t += x[i] - s;
  return (double)(s + t / (long double)n);
}

double st_var(const double *x, size_t n, double mean) {
  if (n < 2) return NAN;
  double s = 0;
  for (size_t i = 0; i < n; i++) s += (x[i] - mean) * (x[i] - mean);
  return s / (double)(n - 1);
}

/* The non-missing values of x (or x - y over complete pairs). */
static size_t complete(const double *x, const double *y, size_t n, double *out) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i]) || (y && isnan(y[i]))) continue;
    out[m++] = y ? x[i] - y[i] : x[i];
  }
  return m;
}

static int one_sample(const double *x, size_t n, const st_ttest_opts *o, st_htest *r, mlsh_err *err) {
  if (n < 2) return mlsh_seterr(err, MLSH_EINVAL, "not enough 'x' observations (%zu after dropping NA)", n);
  double mx = st_mean(x, n), vx = st_var(x, n, mx);
  r->parameter = (double)(n - 1);
  r->stderr_value = sqrt(vx / (double)n);
  if (r->stderr_value < 10 * DBL_EPSILON * fabs(mx)) return mlsh_seterr(err, MLSH_EINVAL, "data are essentially constant");
  r->statistic = (mx - o->mu) / r->stderr_value;
  r->estimate[0] = mx;
  r->nestimate = 1;
  r->method = o->paired ? "Paired t-test" : "One Sample t-test";
  return MLSH_OK;
}

static int two_sample(const double *x, size_t nx, const double *y, size_t ny, const st_ttest_opts *o, st_htest *r,
                      mlsh_err *err) {
  if (nx < 1 || (!o->var_equal && nx < 2)) return mlsh_seterr(err, MLSH_EINVAL, "not enough 'x' observations");
  if (ny < 1 || (!o->var_equal && ny < 2)) return mlsh_seterr(err, MLSH_EINVAL, "not enough 'y' observations");
  if (o->var_equal && nx + ny < 3) return mlsh_seterr(err, MLSH_EINVAL, "not enough observations");
  double mx = st_mean(x, nx), vx = st_var(x, nx, mx), my = st_mean(y, ny), vy = st_var(y, ny, my);
  double fx = (double)nx, fy = (double)ny;
  if (o->var_equal) {
    double df = fx + fy - 2, v = 0;
    if (nx > 1) v += (fx - 1) * vx;
    if (ny > 1) v += (fy - 1) * vy;
    v /= df;
    r->parameter = df;
    r->stderr_value = sqrt(v * (1 / fx + 1 / fy));
    r->method = "Two Sample t-test";
  } else {
    double sx = sqrt(vx / fx), sy = sqrt(vy / fy);
    double se = sqrt(sx * sx + sy * sy);
    r->stderr_value = se;
    r->parameter = pow(se, 4) / (pow(sx, 4) / (fx - 1) + pow(sy, 4) / (fy - 1));
    r->method = "Welch Two Sample t-test";
  }
  if (r->stderr_value < 10 * DBL_EPSILON * fmax(fabs(mx), fabs(my)))
    return mlsh_seterr(err, MLSH_EINVAL, "data are essentially constant");
  r->statistic = (mx - my - o->mu) / r->stderr_value;
  r->estimate[0] = mx; r->estimate[1] = my;
  r->nestimate = 2;
  return MLSH_OK;
}

static void p_and_interval(const st_ttest_opts *o, st_htest *r) {
  double t = r->statistic, df = r->parameter, c = o->conf_level;
  if (o->alternative == ST_LESS) {
    r->p_value = pt(t, df, 1, 0);
    r->conf_int[0] = -INFINITY; r->conf_int[1] = t + qt(c, df, 1, 0);
  } else if (o->alternative == ST_GREATER) {
    r->p_value = pt(t, df, 0, 0);
    r->conf_int[0] = t - qt(c, df, 1, 0); r->conf_int[1] = INFINITY;
  } else {
    r->p_value = 2 * pt(-fabs(t), df, 1, 0);
    double q = qt(1 - (1 - c) / 2, df, 1, 0);
    r->conf_int[0] = t - q; r->conf_int[1] = t + q;
  }
  for (int k = 0; k < 2; k++) r->conf_int[k] = o->mu + r->conf_int[k] * r->stderr_value;
  r->conf_level = c;
  r->null_value = o->mu;
}

int st_t_test(const double *x, size_t nx, const double *y, size_t ny, const st_ttest_opts *o, st_htest *r,
              mlsh_err *err) {
  memset(r, 0, sizeof *r);
  if (o->paired && !y) return mlsh_seterr(err, MLSH_EINVAL, "'y' is missing for paired test");
  if (o->paired && nx != ny) return mlsh_seterr(err, MLSH_EINVAL, "paired samples differ in length (%zu and %zu)", nx, ny);
  if (!(o->conf_level > 0 && o->conf_level < 1)) return mlsh_seterr(err, MLSH_EINVAL, "'conf_level' must be in (0, 1)");
  double *buf = mlsh_malloc((nx + ny + 1) * sizeof(double));
  if (!buf) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  int rc;
  if (o->paired || !y) {
    size_t m = complete(x, o->paired ? y : NULL, nx, buf);
    r->nx = m;
    rc = one_sample(buf, m, o, r, err);
  } else {
    size_t mx = complete(x, NULL, nx, buf), my = complete(y, NULL, ny, buf + mx);
    r->nx = mx; r->ny = my;
    rc = two_sample(buf, mx, buf + mx, my, o, r, err);
  }
  if (rc == MLSH_OK) p_and_interval(o, r);
  mlsh_free(buf);
  return rc;
}
