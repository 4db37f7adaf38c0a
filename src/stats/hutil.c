/* hutil.c - what several tests share: R's uniroot (Brent's zeroin2, the
 * same steps so that roots agree with R's to its tolerance), rank() with
 * average ties, and median(). */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "htest.h"
#include "../core/alloc.h"

double st_zeroin(double lo, double hi, double flo, double fhi, double (*f)(double x, void *info), void *info,
                 double tol) {
  double a = lo, b = hi, fa = flo, fb = fhi, c = a, fc = fa;
  if (fa == 0) return a;
  if (fb == 0) return b;
  for (int it = 0; it <= 1000; it++) {
    double prev_step = b - a;
    if (fabs(fc) < fabs(fb)) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa; }
    double tol_act = 2 * DBL_EPSILON * fabs(b) + tol / 2, new_step = (c - b) / 2;
    if (fabs(new_step) <= tol_act || fb == 0) return b;
    if (fabs(prev_step) >= tol_act && fabs(fa) > fabs(fb)) {   /* interpolation */
      double p, q, cb = c - b;
      if (a == c) { double t1 = fb / fa; p = cb * t1; q = 1 - t1; }
      else {
        double qq = fa / fc, t1 = fb / fc, t2 = fb / fa;
        p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1));
        q = (qq - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q; else p = -p;
      if (p < 0.75 * cb * q - fabs(tol_act * q) / 2 && p < fabs(prev_step * q / 2)) new_step = p / q;
    }
    if (fabs(new_step) < tol_act) new_step = new_step > 0 ? tol_act : -tol_act;
    a = b; fa = fb;
    b += new_step; fb = f(b, info);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) { c = a; fc = fa; }
  }
  return b;
}

typedef struct { double v; size_t i; } ranked;

static int by_value(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->v != y->v) return x->v < y->v ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

int st_rank(const double *x, size_t n, double *rk, mlsh_err *err) {
  ranked *v = mlsh_malloc((n ? n : 1) * sizeof *v);
  if (!v) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  for (size_t i = 0; i < n; i++) { v[i].v = x[i]; v[i].i = i; }
  qsort(v, n, sizeof *v, by_value);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && v[j + 1].v == v[i].v) j++;
    double avg = (double)(i + j + 2) / 2;
    for (size_t k = i; k <= j; k++) rk[v[k].i] = avg;
    i = j + 1;
  }
  mlsh_free(v);
  return MLSH_OK;
}

int st_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void st_tie_sums(const double *v, size_t n, double *tmp, double s[3]) {
  memcpy(tmp, v, n * sizeof *tmp);
  qsort(tmp, n, sizeof *tmp, st_cmp_double);
  s[0] = s[1] = s[2] = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && tmp[j + 1] == tmp[i]) j++;
    double t = (double)(j - i + 1);
    if (t > 1) { s[0] += t * (t - 1); s[1] += t * (t - 1) * (t - 2); s[2] += t * (t - 1) * (2 * t + 5); }
    i = j + 1;
  }
}

double st_normal_p(double z, st_alternative alt) {
  if (alt == ST_LESS) return pnorm(z, 0, 1, 1, 0);
  if (alt == ST_GREATER) return pnorm(z, 0, 1, 0, 0);
  return 2 * fmin(pnorm(z, 0, 1, 1, 0), pnorm(z, 0, 1, 0, 0));
}

double st_median_sort(double *x, size_t n) {
  if (n == 0) return NAN;
  qsort(x, n, sizeof *x, st_cmp_double);
  return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}
