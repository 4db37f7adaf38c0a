/* cor_rank.c - the rank correlation tests of R's cor.test: Kendall's tau
 * (exact by R's ckendall recursion, else the normal approximation with
 * the tie-corrected variance) and Spearman's rho (exact by AS 89 as R's
 * prho.c, else the t approximation). */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "htest.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

#define SPEARMAN_EXACT_MAX 1290   /* R: n (n^2 - 1) must not overflow an int */
#define KENDALL_EXACT_MAX 170     /* n! (the count of permutations) overflows beyond */
#define N_SMALL 9                 /* prho: exact enumeration up to here */

/* AS 89 as R's prho: P[S >= is] (upper) or P[S < is] (lower). */
static double prho(int n, double is, int lower) {
  static const double c1 = 0.2274, c2 = 0.2531, c3 = 0.1745, c4 = 0.0758, c5 = 0.1033, c6 = 0.3932, c7 = 0.0879,
                      c8 = 0.0151, c9 = 0.0072, c10 = 0.0831, c11 = 0.0131, c12 = 4.6e-4;
  double pv = lower ? 0 : 1;
  if (n <= 1 || is <= 0) return pv;
  double n3 = (double)n;
  n3 *= (n3 * n3 - 1) / 3;
  if (is > n3) return 1 - pv;
  if (n <= N_SMALL) {
    int l[N_SMALL], nfac = 1, ifr = 0;
    for (int i = 1; i <= n; i++) { nfac *= i; l[i - 1] = i; }
    if (is == n3) ifr = 1;
    else for (int m = 0; m < nfac; m++) {   /* every permutation, in AS 89's order */
      int ise = 0;
      for (int i = 0; i < n; i++) { int d = i + 1 - l[i]; ise += d * d; }
      if (is <= ise) ifr++;
      int n1 = n, mt;
      do {
        mt = l[0];
        for (int i = 1; i < n1; i++) l[i - 1] = l[i];
        n1--;
        l[n1] = mt;
      } while (mt == n1 + 1 && n1 > 1);
    }
    return (lower ? nfac - ifr : ifr) / (double)nfac;
  }
  double b = 1 / (double)n, x = (6 * (is - 1) * b / ((double)n * n - 1) - 1) * sqrt(1 / b - 1), y = x * x;
  double u = x * b * (c1 + b * (c2 + c3 * b) +
                      y * (-c4 + b * (c5 + c6 * b) - y * b * (c7 + c8 * b - y * (c9 - c10 * b + y * b * (c11 - c12 * y)))));
  y = u / exp(y / 2);
  pv = (lower ? -y : y) + pnorm(x, 0, 1, lower, 0);
  return fmax(0, fmin(1, pv));
}

static double pspearman(double q, size_t n, int lower, int exact, int continuity) {
  if (exact) return prho((int)n, nearbyint(q) + 2 * lower, lower);
  double fn = (double)n, r = 1 - q / (fn * (fn * fn - 1) / 6 + (continuity ? 1 : 0));
  return pt(r / sqrt((1 - r * r) / (fn - 2)), fn - 2, !lower, 0);
}

/* P[T <= q] for Kendall's T (concordant pairs) without ties: R's pkendall
 * (permutations of n with at most q inversions, summed in R's order). */
static double pkendall(double q, size_t n, double *w, double *prev) {
  q = floor(q + 1e-7);
  size_t u = n * (n - 1) / 2;
  if (q < 0) return 0;
  if (q > (double)u) return 1;
  memset(w, 0, (u + 1) * sizeof *w);
  w[0] = 1;
  for (size_t m = 2; m <= n; m++) {
    size_t um = m * (m - 1) / 2;
    memcpy(prev, w, (um + 1) * sizeof *w);
    for (size_t k = 0; k <= um; k++) {
      double s = 0;
      for (size_t i = 0; i < m && i <= k; i++) s += prev[k - i];
      w[k] = s;
    }
  }
  double p = 0;
  for (size_t j = 0; j <= (size_t)q; j++) p += w[j];
  return p / gammafn((double)n + 1);
}

/* tau-b as R's cor(method = "kendall"); NaN when interrupted (Ctrl-C). */
static double kendall_tau(const double *x, const double *y, size_t n) {
  double s = 0, sx = 0, sy = 0;
  for (size_t k = 0; k < n; k++) {
    if ((k & 1023) == 1023 && mlsh_interrupted()) return NAN;
    for (size_t j = 0; j < k; j++) {
      double a = (x[k] > x[j]) - (x[k] < x[j]), b = (y[k] > y[j]) - (y[k] < y[j]);
      s += a * b; sx += a * a; sy += b * b;
    }
  }
  return s / (sqrt(sx) * sqrt(sy));
}

static int kendall(const double *x, const double *y, size_t n, st_alternative alt, int exact, int continuity, int ties,
                   double *tmp, st_htest *r, mlsh_err *err) {
  double tau = kendall_tau(x, y, n), fn = (double)n;
  if (isnan(tau)) return mlsh_seterr(err, MLSH_EINTR, "interrupted");
  r->estimate[0] = tau;
  r->method = "Kendall's rank correlation tau";
  if (exact < 0) exact = n < 50;
  if (exact && !ties) {
    if (n > KENDALL_EXACT_MAX) return mlsh_seterr(err, MLSH_EINVAL, "exact = true needs n <= %d (got %zu)", KENDALL_EXACT_MAX, n);
    size_t u = n * (n - 1) / 2;
    double *w = mlsh_malloc(2 * (u + 1) * sizeof *w);
    if (!w) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    double q = nearbyint((tau + 1) * fn * (fn - 1) / 4);
    r->statistic = q;
    r->exact = 1;
    if (alt == ST_GREATER) r->p_value = 1 - pkendall(q - 1, n, w, w + u + 1);
    else if (alt == ST_LESS) r->p_value = pkendall(q, n, w, w + u + 1);
    else r->p_value = fmin(1, 2 * (q > fn * (fn - 1) / 4 ? 1 - pkendall(q - 1, n, w, w + u + 1) : pkendall(q, n, w, w + u + 1)));
    mlsh_free(w);
    return MLSH_OK;
  }
  double tx[3], ty[3];
  st_tie_sums(x, n, tmp, tx);
  st_tie_sums(y, n, tmp, ty);
  double T0 = fn * (fn - 1) / 2, S = tau * sqrt((T0 - tx[0] / 2) * (T0 - ty[0] / 2));
  double v0 = fn * (fn - 1) * (2 * fn + 5);
  double var = (v0 - tx[2] - ty[2]) / 18 + tx[0] * ty[0] / (2 * fn * (fn - 1)) + tx[1] * ty[1] / (9 * fn * (fn - 1) * (fn - 2));
  if (exact) r->warning = "Cannot compute exact p-value with ties";
  if (continuity) S = (S > 0 ? 1 : S < 0 ? -1 : 0) * (fabs(S) - 1);
  r->statistic = S / sqrt(var);
  r->p_value = st_normal_p(r->statistic, alt);
  return MLSH_OK;
}

static int spearman(const double *x, const double *y, size_t n, st_alternative alt, int exact, int continuity, int ties,
                    double *tmp, st_htest *r, mlsh_err *err) {
  double *rx = tmp + n, *ry = tmp + 2 * n, fn = (double)n;
  int rc = st_rank(x, n, rx, err);
  if (rc == MLSH_OK) rc = st_rank(y, n, ry, err);
  if (rc != MLSH_OK) return rc;
  double rho = st_pearson(rx, ry, n), q = (fn * fn * fn - fn) * (1 - rho) / 6;
  r->estimate[0] = rho;
  r->statistic = q;
  r->method = "Spearman's rank correlation rho";
  if (exact < 0) exact = 1;
  if (ties && exact) { exact = 0; r->warning = "Cannot compute exact p-value with ties"; }
  exact = exact && n <= SPEARMAN_EXACT_MAX;
  r->exact = exact;
  if (alt == ST_GREATER) r->p_value = pspearman(q, n, 1, exact, continuity);
  else if (alt == ST_LESS) r->p_value = pspearman(q, n, 0, exact, continuity);
  else r->p_value = fmin(1, 2 * pspearman(q, n, q > (fn * fn * fn - fn) / 6 ? 0 : 1, exact, continuity));
  return MLSH_OK;
}

static size_t distinct(const double *v, size_t n, double *tmp) {
  double s[3];
  st_tie_sums(v, n, tmp, s);
  size_t d = 0;
  for (size_t i = 0; i < n; i++) d += i == 0 || tmp[i] != tmp[i - 1];
  return d;
}

int st_cor_rank_test(const double *x, const double *y, size_t n, st_cor_method method, st_alternative alt, int exact,
                     int continuity, st_htest *r, mlsh_err *err) {
  memset(r, 0, sizeof *r);
  double *buf = mlsh_malloc((5 * n + 1) * sizeof(double));
  if (!buf) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *a = buf, *b = buf + n, *tmp = buf + 2 * n;
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i]) && !isnan(y[i])) { a[m] = x[i]; b[m] = y[i]; m++; }
  int rc = MLSH_OK;
  if (m < 2) rc = mlsh_seterr(err, MLSH_EINVAL, "not enough finite observations (%zu pairs)", m);
  else {
    size_t dx = distinct(a, m, tmp), dy = distinct(b, m, tmp);
    r->nx = m;
    r->parameter = r->conf_int[0] = r->conf_int[1] = NAN;
    r->nestimate = 1;
    if (dx == 1 || dy == 1) {   /* as R: NA results */
      r->statistic = r->p_value = r->estimate[0] = NAN;
      r->warning = "the standard deviation is zero";
      r->method = method == ST_COR_KENDALL ? "Kendall's rank correlation tau" : "Spearman's rank correlation rho";
    } else {
      int ties = (dx < dy ? dx : dy) < m;
      rc = method == ST_COR_KENDALL ? kendall(a, b, m, alt, exact, continuity, ties, tmp, r, err)
                                    : spearman(a, b, m, alt, exact, continuity, ties, tmp, r, err);
    }
  }
  mlsh_free(buf);
  return rc;
}
