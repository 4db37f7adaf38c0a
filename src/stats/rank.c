/* rank.c - R's quantile types and p.adjust, following the formulas of R's
 * quantile.default and p.adjust (the same fuzz, the same cumulative
 * min/max over the ordered p-values). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include "rank.h"
#include "../core/alloc.h"

/* x[k] of R's padded vector c(x[1], x[1], x, x[n], x[n]) (1-based k). */
static double padded(const double *s, size_t n, double k) {
  if (k <= 2) return s[0];
  if (k >= (double)n + 3) return s[n - 1];
  size_t i = (size_t)k - 3;
  return i < n ? s[i] : s[n - 1];
}

static double quantile_type7(const double *s, size_t n, double p) {
  double index = 1 + (double)(n - 1) * p, lo = floor(index), hi = ceil(index);
  double q = s[(size_t)lo - 1];
  if (index > lo && s[(size_t)hi - 1] != q) {
    double h = index - lo;
    q = (1 - h) * q + h * s[(size_t)hi - 1];
  }
  return q;
}

static double quantile_one(const double *s, size_t n, double p, int type) {
  if (isnan(p)) return NAN;
  p = fmax(0, fmin(1, p));
  if (type == 7) return quantile_type7(s, n, p);
  double fn = (double)n, nppm, j, h;
  if (type <= 3) {
    nppm = type == 3 ? fn * p - 0.5 : fn * p;
    j = floor(nppm);
    h = type == 1 ? (nppm > j) : type == 2 ? ((nppm > j) + 1) / 2.0 : (nppm != j || fmod(j, 2) == 1 || fmod(j, 2) == -1);
  } else {
    static const double ab[6][2] = {{0, 1}, {0.5, 0.5}, {0, 0}, {1, 1}, {1.0 / 3, 1.0 / 3}, {3.0 / 8, 3.0 / 8}};
    double a = ab[type - 4][0], b = ab[type - 4][1], fuzz = 4 * DBL_EPSILON;
    nppm = a + p * (fn + 1 - a - b);
    j = floor(nppm + fuzz);
    h = nppm - j;
    if (fabs(h) < fuzz) h = 0;
  }
  double lo = padded(s, n, j + 2), hi = padded(s, n, j + 3);
  if (h == 1) return hi;
  if (h > 0 && h < 1 && lo != hi) return (1 - h) * lo + h * hi;
  return lo;
}

void st_quantile_sorted(const double *sorted, size_t n, const double *probs, size_t np, int type, double *out) {
  for (size_t k = 0; k < np; k++) out[k] = n == 0 ? NAN : quantile_one(sorted, n, probs[k], type);
}

/* ---- p.adjust ---- */

typedef struct { double p; size_t i; } pv;

static int by_p_up(const void *a, const void *b) {
  const pv *x = a, *y = b;
  if (x->p != y->p) return x->p < y->p ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;   /* stable, as R's order */
}
static int by_p_down(const void *a, const void *b) {
  const pv *x = a, *y = b;
  if (x->p != y->p) return x->p > y->p ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* Hommel's method as R's: the p-values (padded with 1 up to n) sorted, q
 * and pa updated for m = n-1 down to 2, then pmax(pa, p). */
static int hommel(pv *v, size_t lp, size_t n, double *out, mlsh_err *err) {
  double *p = mlsh_malloc(3 * n * sizeof *p);
  if (!p) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *q = p + n, *pa = p + 2 * n, fn = (double)n, mn = INFINITY;
  qsort(v, lp, sizeof *v, by_p_up);
  for (size_t k = 0; k < n; k++) p[k] = k < lp ? v[k].p : 1;
  for (size_t k = 0; k < n; k++) mn = fmin(mn, fn * p[k] / (double)(k + 1));
  for (size_t k = 0; k < n; k++) q[k] = pa[k] = mn;
  for (size_t m = n - 1; m >= 2; m--) {
    double fm = (double)m, q1 = INFINITY;
    for (size_t k = n - m + 1; k < n; k++) q1 = fmin(q1, fm * p[k] / (double)(k - (n - m + 1) + 2));
    for (size_t k = 0; k <= n - m; k++) q[k] = fmin(fm * p[k], q1);
    for (size_t k = n - m + 1; k < n; k++) q[k] = q[n - m];
    for (size_t k = 0; k < n; k++) pa[k] = fmax(pa[k], q[k]);
  }
  for (size_t k = 0; k < lp; k++) out[v[k].i] = fmax(pa[k], p[k]);
  mlsh_free(p);
  return MLSH_OK;
}

int st_p_adjust(const double *p, size_t len, st_padjust method, size_t n, double *out, mlsh_err *err) {
  size_t lp = 0;
  for (size_t i = 0; i < len; i++) {
    if (!isnan(p[i]) && (p[i] < 0 || p[i] > 1))
      return mlsh_seterr(err, MLSH_EINVAL, "p-value %zu is %g, not in [0, 1]", i + 1, p[i]);
    lp += !isnan(p[i]);
  }
  if (n == 0) n = lp;
  if (n < lp) return mlsh_seterr(err, MLSH_EINVAL, "'n' (%zu) is below the number of p-values (%zu)", n, lp);
  pv *v = mlsh_malloc((lp ? lp : 1) * sizeof *v);
  if (!v) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  size_t m = 0;
  for (size_t i = 0; i < len; i++) { out[i] = p[i]; if (!isnan(p[i])) { v[m].p = p[i]; v[m].i = i; m++; } }
  if (method == ST_PADJ_HOMMEL && n == 2) method = ST_PADJ_HOCHBERG;   /* as R */
  if (method == ST_PADJ_HOMMEL && n > 2) {
    int rc = hommel(v, lp, n, out, err);
    mlsh_free(v);
    return rc;
  }
  double fn = (double)n, q = 0;
  if (method == ST_PADJ_BY) for (size_t k = 1; k <= n; k++) q += 1.0 / (double)k;
  if (method == ST_PADJ_HOLM) {
    qsort(v, lp, sizeof *v, by_p_up);
    double run = 0;
    for (size_t k = 0; k < lp; k++) { run = fmax(run, (fn - (double)k) * v[k].p); out[v[k].i] = fmin(1, run); }
  } else if (method == ST_PADJ_HOCHBERG || method == ST_PADJ_BH || method == ST_PADJ_BY) {
    qsort(v, lp, sizeof *v, by_p_down);
    double run = INFINITY;
    for (size_t k = 0; k < lp; k++) {
      double i = (double)(lp - k);   /* R's i <- lp:1 */
      double f = method == ST_PADJ_HOCHBERG ? fn + 1 - i : method == ST_PADJ_BH ? fn / i : q * fn / i;
      run = fmin(run, f * v[k].p);
      out[v[k].i] = fmin(1, run);
    }
  } else if (method == ST_PADJ_BONFERRONI) {
    for (size_t k = 0; k < lp; k++) out[v[k].i] = fmin(1, fn * v[k].p);
  }
  mlsh_free(v);
  return MLSH_OK;
}
