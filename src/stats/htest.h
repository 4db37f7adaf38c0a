/* htest.h - classical tests computed as R's stats package does, each
 * filling one result shaped like R's "htest" (statistic, parameter,
 * p-value, confidence interval, estimates, method). */
#ifndef MLSH_STATS_HTEST_H
#define MLSH_STATS_HTEST_H
#include <stddef.h>
#include "../core/error.h"

typedef enum { ST_TWO_SIDED, ST_LESS, ST_GREATER } st_alternative;

typedef struct st_htest {
  double statistic, parameter;   /* parameter: degrees of freedom */
  double p_value;
  double conf_int[2], conf_level;
  double estimate[2];
  int nestimate;
  double null_value, stderr_value;
  size_t nx, ny;                 /* observations used (NA dropped) */
  const char *method;            /* R's method line */
  const char *warning;           /* what R would warn about, or NULL */
  int exact;                     /* the p-value is exact (rank, KS tests) */
} st_htest;

typedef struct st_ttest_opts {
  double mu, conf_level;
  int paired, var_equal;
  st_alternative alternative;
} st_ttest_opts;

/* R's t.test: one sample (y NULL), Welch or pooled two samples, or paired
 * (nx == ny). NaN values are dropped as R drops NA (pairs, when paired). */
int st_t_test(const double *x, size_t nx, const double *y, size_t ny, const st_ttest_opts *o, st_htest *r,
              mlsh_err *err);

/* R's cor.test(method = "pearson"): t on n - 2 df, Fisher-z interval when
 * n > 3 (else conf_int is NaN). Pairs with a NaN are dropped. */
int st_cor_test(const double *x, const double *y, size_t n, st_alternative alt, double conf_level, st_htest *r,
                mlsh_err *err);

/* R's chisq.test: on an nr x nc table (row-major counts; nr == 1 or
 * nc == 1: goodness of fit against probs, NULL = equal), with Yates'
 * correction on 2 x 2 tables when correct. expected (optional, nr*nc)
 * gets the expected counts; *small is set when one is below 5 (R warns). */
int st_chisq_test(const double *x, size_t nr, size_t nc, const double *probs, int correct, st_htest *r,
                  double *expected, int *small, mlsh_err *err);

typedef struct st_wilcox_opts {
  double mu, conf_level;
  int paired, correct, conf_int;
  int exact;                     /* -1: R's default (n < 50), 0 or 1 */
  st_alternative alternative;
} st_wilcox_opts;

/* R's wilcox.test: the signed rank test (y NULL, or paired) or the rank
 * sum test, exact without ties or zeroes, else normal with R's tie and
 * continuity corrections; with conf_int the interval and Hodges-Lehmann
 * estimate as R (exact order statistics, or R's uniroot on the normal
 * statistic). NaN values are dropped (pairs, when paired). */
int st_wilcox_test(const double *x, size_t nx, const double *y, size_t ny, const st_wilcox_opts *o, st_htest *r,
                   mlsh_err *err);

typedef enum { ST_COR_PEARSON, ST_COR_KENDALL, ST_COR_SPEARMAN } st_cor_method;
/* R's cor.test with method kendall (exact by ckendall for n < 50 without
 * ties, else normal with the tie-corrected variance) or spearman (exact
 * by AS 89 for n <= 1290 without ties, else the t approximation).
 * exact: -1 R's default, 0 or 1; continuity: R's continuity correction
 * of the approximations. */
int st_cor_rank_test(const double *x, const double *y, size_t n, st_cor_method method, st_alternative alt, int exact,
                     int continuity, st_htest *r, mlsh_err *err);

/* Pearson's r of complete data (long double sums, clamped to [-1, 1]). */
double st_pearson(const double *x, const double *y, size_t n);

/* R's shapiro.test: Royston's W and p-value (swilk.c), 3 <= n <= 5000. */
int st_shapiro_test(const double *x, size_t n, st_htest *r, mlsh_err *err);

/* R's ks.test. One sample (y NULL): cdf(x, par) is the null
 * distribution; two samples otherwise. exact: -1 R's default, 0 or 1. */
typedef double (*st_cdf)(double x, const void *par);
int st_ks_test(const double *x, size_t nx, const double *y, size_t ny, st_cdf cdf, const void *par, st_alternative alt,
               int exact, st_htest *r, mlsh_err *err);

typedef struct st_fisher_opts {
  double or, conf_level;
  int conf_int, simulate, B;
  unsigned long long seed;
  double max_tables;             /* r x c enumeration limit */
  st_alternative alternative;
} st_fisher_opts;

/* R's fisher.test on an nr x nc table of counts (row-major): 2 x 2 the
 * conditional MLE of the odds ratio with its interval and the p-value
 * for the alternative; larger tables the two-sided p-value by
 * enumerating the tables with the same margins (or by simulation, as
 * R's simulate.p.value = TRUE, B). */
int st_fisher_test(const double *x, size_t nr, size_t nc, const st_fisher_opts *o, st_htest *r, mlsh_err *err);

/* R's uniroot (zeroin2: Brent) on [lo, hi] with f(lo) = flo, f(hi) = fhi
 * of opposite signs; tol as uniroot's, at most 1000 iterations. */
double st_zeroin(double lo, double hi, double flo, double fhi, double (*f)(double x, void *info), void *info,
                 double tol);
/* R's rank(): average ranks for ties, into rk (n values). */
int st_rank(const double *x, size_t n, double *rk, mlsh_err *err);
/* qsort's comparison of doubles, ascending. */
int st_cmp_double(const void *a, const void *b);
/* v sorted into tmp (n values), and over the groups of ties of size t >= 2
 * the sums of t(t-1), t(t-1)(t-2) and t(t-1)(2t+5). */
void st_tie_sums(const double *v, size_t n, double *tmp, double s[3]);
/* The p-value of a standard normal statistic for the alternative. */
double st_normal_p(double z, st_alternative alt);
/* R's median of n values, sorting them in place. */
double st_median_sort(double *x, size_t n);

/* R's mean (a second pass corrects the first, in long double) and var. */
double st_mean(const double *x, size_t n);
double st_var(const double *x, size_t n, double mean);

#endif
