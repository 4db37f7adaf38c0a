/* ts.h - time-series tools: transforms, classical decomposition,
 * autocorrelations and the usual tests (ADF with MacKinnon p-values, KPSS
 * as tseries, Ljung-Box/Box-Pierce, Jarque-Bera). NaN marks a missing value. */
#ifndef MLSH_TS_H
#define MLSH_TS_H
#include <stddef.h>
#include "../core/error.h"

/* ---- series.c ---- */
/* out (n - lag*differences values) = repeated lagged differences. Returns its length. */
size_t ts_diff(const double *y, size_t n, int lag, int differences, double *out);
/* Box-Cox (lambda = 0: log); inverse when inverse != 0. NaN where undefined. */
void ts_boxcox(const double *y, size_t n, double lambda, int inverse, double *out);

typedef struct ts_describe_t {
  size_t n, nmissing;
  double min, max, mean, median, sd, cv, skewness, kurtosis;  /* kurtosis: excess, moment based */
} ts_describe_t;
int ts_describe(const double *y, size_t n, ts_describe_t *d, mlsh_err *err);

/* R's decompose: centred moving average of the period, seasonal figure
 * (mean per position, normalised), remainder. Outputs have n values, NaN
 * where the moving average is undefined. figure: f values. */
int ts_decompose(const double *y, size_t n, int f, int multiplicative,
                 double *trend, double *seasonal, double *random, double *figure, mlsh_err *err);

/* Sample autocorrelations r_0..r_lag (R's acf, missing pairs skipped). */
int ts_acf(const double *y, size_t n, int lag, double *r, mlsh_err *err);
/* Partial autocorrelations 1..lag by Durbin-Levinson from acf values r_0..r_lag. */
void ts_pacf_from_acf(const double *r, int lag, double *pacf);
/* R's default lag: 10 log10(n). */
int ts_default_lag(size_t n);

/* Least squares on complete rows: beta, standard errors, rss, rows used. */
int ts_ols(const double *y, const double *X, size_t n, int k, double *beta, double *se,
           double *rss, size_t *used);

/* ---- tests.c ---- */
typedef struct ts_test {
  double statistic, pvalue;
  int lags, df;
  size_t nobs;
  double crit[4];          /* ADF: 1/5/10 %; KPSS: 10/5/2.5/1 % */
} ts_test;

enum { TS_ADF_N = 0, TS_ADF_C = 1, TS_ADF_CT = 2 };
/* lags: the lag (select = 0) or the largest lag tried (select = 1: by AIC
 * on a common sample, as statsmodels' adfuller); < 0: 12 (n/100)^(1/4). */
int ts_adf(const double *y, size_t n, int type, int lags, int select, ts_test *out, mlsh_err *err);
/* MacKinnon (1994) p-value of an ADF statistic (one variable). */
double ts_mackinnon_p(double stat, int type);
/* type 0 level, 1 trend; lags < 0: trunc(4 (n/100)^(1/4)) as tseries' lshort. */
int ts_kpss(const double *y, size_t n, int trend, int lags, ts_test *out, mlsh_err *err);
/* Ljung-Box (box_pierce = 0) or Box-Pierce portmanteau on lags 1..lag, df = lag - fitdf. */
int ts_portmanteau(const double *x, size_t n, int lag, int fitdf, int box_pierce, ts_test *out, mlsh_err *err);
int ts_jarque_bera(const double *x, size_t n, ts_test *out, mlsh_err *err);

#endif
