/* shapiro.c - the Shapiro-Wilk test as R's shapiro.test: Royston's (1995)
 * algorithm AS R94, following R's swilk.c step by step (its coefficients,
 * its polynomial approximations of the p-value). */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "htest.h"
#include "../core/alloc.h"

static double poly(const double *cc, int nord, double x) {
  double ret = cc[0];
  if (nord > 1) {
    double p = x * cc[nord - 1];
    for (int j = nord - 2; j > 0; j--) p = (p + cc[j]) * x;
    ret += p;
  }
  return ret;
}

/* The coefficients a[1..n/2] (1-based) of Royston's approximation. */
static void coefficients(size_t n, double *a) {
  static const double c1[6] = {0, .221157, -.147981, -2.07119, 4.434685, -2.706056};
  static const double c2[6] = {0, .042981, -.293762, -1.752461, 5.682633, -3.582633};
  size_t nn2 = n / 2;
  double an = (double)n;
  if (n == 3) { a[1] = sqrt(0.5); return; }
  double an25 = an + .25, summ2 = 0;
  for (size_t i = 1; i <= nn2; i++) {
    a[i] = qnorm(((double)i - .375) / an25, 0, 1, 1, 0);
    summ2 += a[i] * a[i];
  }
  summ2 *= 2;
  double ssumm2 = sqrt(summ2), rsn = 1 / sqrt(an), a1 = poly(c1, 6, rsn) - a[1] / ssumm2, fac;
  size_t i1;
  if (n > 5) {
    i1 = 3;
    double a2 = -a[2] / ssumm2 + poly(c2, 6, rsn);
    fac = sqrt((summ2 - 2 * (a[1] * a[1]) - 2 * (a[2] * a[2])) / (1 - 2 * (a1 * a1) - 2 * (a2 * a2)));
    a[2] = a2;
  } else {
    i1 = 2;
    fac = sqrt((summ2 - 2 * (a[1] * a[1])) / (1 - 2 * (a1 * a1)));
  }
  a[1] = a1;
  for (size_t i = i1; i <= nn2; i++) a[i] /= -fac;
}

static int sgn(long v) { return (v > 0) - (v < 0); }

/* W (as 1 - w1, w1 computed to avoid rounding for W near 1) of sorted x. */
static double statistic(const double *x, size_t n, const double *a, double *w1) {
  double range = x[n - 1] - x[0], sx = x[0] / range, sa = -a[1];
  for (size_t i = 1, j = n - 1; i < n; j--) {
    sx += x[i] / range;
    i++;
    if (i != j) sa += sgn((long)i - (long)j) * a[i < j ? i : j];
  }
  sa /= (double)n;
  sx /= (double)n;
  double ssa = 0, ssx = 0, sax = 0;
  for (size_t i = 0, j = n - 1; i < n; i++, j--) {
    double asa = i != j ? sgn((long)i - (long)j) * a[1 + (i < j ? i : j)] - sa : -sa;
    double xsx = x[i] / range - sx;
    ssa += asa * asa; ssx += xsx * xsx; sax += asa * xsx;
  }
  double ssassx = sqrt(ssa * ssx);
  *w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx);
  return 1 - *w1;
}

static double p_value(size_t n, double w, double w1) {
  static const double g[2] = {-2.273, .459};
  static const double c3[4] = {.544, -.39978, .025054, -6.714e-4}, c4[4] = {1.3822, -.77857, .062767, -.0020322};
  static const double c5[4] = {-1.5861, -.31082, -.083751, .0038915}, c6[3] = {-.4803, -.082676, .0030302};
  double an = (double)n, m, s, y = log(w1);
  if (n == 3) {   /* exact */
    double p = 1.90985931710274 * (asin(sqrt(w)) - 1.04719755119660);
    return p < 0 ? 0 : p;
  }
  if (n <= 11) {
    double gamma = poly(g, 2, an);
    if (y >= gamma) return 1e-99;
    y = -log(gamma - y);
    m = poly(c3, 4, an);
    s = exp(poly(c4, 4, an));
  } else {
    m = poly(c5, 4, log(an));
    s = exp(poly(c6, 3, log(an)));
  }
  return pnorm(y, m, s, 0, 0);
}

int st_shapiro_test(const double *x, size_t n, st_htest *r, mlsh_err *err) {
  memset(r, 0, sizeof *r);
  double *s = mlsh_malloc((n + 1) * sizeof *s), *a = mlsh_malloc((n / 2 + 2) * sizeof *a);
  if (!s || !a) { mlsh_free(s); mlsh_free(a); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  size_t m = 0;
  for (size_t i = 0; i < n; i++) if (!isnan(x[i])) s[m++] = x[i];
  qsort(s, m, sizeof *s, st_cmp_double);
  int rc = MLSH_OK;
  if (m < 3 || m > 5000) rc = mlsh_seterr(err, MLSH_EINVAL, "sample size must be between 3 and 5000 (got %zu)", m);
  else if (!isfinite(s[0]) || !isfinite(s[m - 1])) rc = mlsh_seterr(err, MLSH_EINVAL, "'x' has infinite values");
  else if (s[m - 1] - s[0] < 1e-10) rc = mlsh_seterr(err, MLSH_EINVAL, "all 'x' values are identical");
  else {
    coefficients(m, a);
    double w1, w = statistic(s, m, a, &w1);
    r->statistic = w;
    r->p_value = p_value(m, w, w1);
    r->parameter = r->conf_int[0] = r->conf_int[1] = NAN;
    r->nx = m;
    r->method = "Shapiro-Wilk normality test";
  }
  mlsh_free(s);
  mlsh_free(a);
  return rc;
}
