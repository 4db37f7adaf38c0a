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

/* R's mean (a second pass corrects the first, in long double) and var. */
double st_mean(const double *x, size_t n);
double st_var(const double *x, size_t n, double mean);

#endif
