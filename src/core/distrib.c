/* distrib.c - normal and chi-square distribution functions. */
#include <math.h>
#include "distrib.h"

/* 1/sqrt(2) = M_SQRT1_2 + SQRT1_2_LO exactly to about 1e-33. */
#define SQRT1_2_LO (-4.833646656726457e-17)

/* erfc(-x / sqrt 2) / 2. In the far tail erfc's argument carries a
 * rounding error that its steep slope magnifies (about z^2 ulps); the
 * first-order correction erfc(z + d) = erfc(z) - 2/sqrt(pi) exp(-z^2) d
 * with the rounding d (by fma) restores full precision. */
static double lower(double x) {
  double z = -x * M_SQRT1_2;
  double d = fma(-x, M_SQRT1_2, -z) - x * SQRT1_2_LO;
  double p = erfc(z);
  if (z > 1) p -= M_2_SQRTPI * exp(-z * z) * d;
  return 0.5 * p;
}

/* R's pnorm gives exactly 0 below this (no subnormal results). */
#define PNORM_UNDERFLOW (-37.5193)

double mlsh_pnorm(double x, int lower_tail) {
  if (isnan(x)) return x;
  if (!lower_tail) x = -x;
  return x < PNORM_UNDERFLOW ? 0.0 : lower(x);
}

/* Acklam's rational approximation plus one Halley step. */
double mlsh_qnorm(double p) {
  static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                              1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00 };
  static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                              6.680131188771972e+01, -1.328068155288572e+01 };
  static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                              -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00 };
  static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00 };
  if (isnan(p) || p < 0 || p > 1) return NAN;
  if (p == 0) return -INFINITY;
  if (p == 1) return INFINITY;
  double q, r, x;
  if (p < 0.02425) {
    q = sqrt(-2 * log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    q = sqrt(-2 * log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    q = p - 0.5;
    r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  double e = mlsh_pnorm(x, 1) - p;
  double uu = e * sqrt(2 * M_PI) * exp(x * x / 2);
  return x - uu / (1 + x * uu / 2);
}

/* Regularised upper incomplete gamma Q(a, x): the series for x < a + 1,
 * Lentz's continued fraction otherwise. */
static double gamma_q(double a, double x) {
  if (x <= 0) return 1.0;
  double lg = lgamma(a);
  if (x < a + 1) {
    double ap = a, sum = 1.0 / a, del = sum;
    for (int i = 0; i < 1000; i++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (fabs(del) < fabs(sum) * 1e-16) break;
    }
    return 1.0 - sum * exp(-x + a * log(x) - lg);
  }
  double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (int i = 1; i < 1000; i++) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (fabs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (fabs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (fabs(del - 1) < 1e-16) break;
  }
  return exp(-x + a * log(x) - lg) * h;
}

double mlsh_pchisq_upper(double x, double df) {
  if (!(df > 0) || isnan(x)) return NAN;
  return gamma_q(df / 2, x / 2);
}
