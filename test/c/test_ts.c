/* test_ts.c - unit tests of the time-series core: parameter transforms,
 * the stationary state covariance, the Kalman likelihood, the ARIMA fit
 * against R 4.2.2 (../shared/reference/arima/README.md values on the
 * repository's datasets/AirPassengers.csv), distributions, interruption
 * and allocation failures (no leaks under make asan). */
#include <stdlib.h>
#include <string.h>
#include "ctest.h"
#include "../../src/core/alloc.h"
#include "../../src/core/distrib.h"
#include "../../src/core/interrupt.h"
#include "../../src/ts/arima.h"
#include "../../src/ts/ts.h"

static double air[144];
static int have_air;

static void load_air(void) {
  FILE *fp = fopen("datasets/AirPassengers.csv", "r");
  char line[128];
  if (!fp) return;
  if (fgets(line, sizeof line, fp)) {
    int i = 0;
    while (i < 144 && fgets(line, sizeof line, fp)) {
      char *c = strchr(line, ',');
      if (c) air[i++] = log(atof(c + 1));
    }
    have_air = i == 144;
  }
  fclose(fp);
}

static void test_partrans_roundtrip(void) {
  double raw[3] = { 0.3, -1.2, 0.7 }, phi[3], back[3];
  ts_partrans(3, raw, phi);
  CHECK(ts_ar_stationary(phi, 3));
  ts_invpartrans(3, phi, back);
  for (int i = 0; i < 3; i++) CHECK_NEAR(back[i], raw[i], 1e-12);
  double one = 0.5, p1;
  ts_partrans(1, &one, &p1);
  CHECK_NEAR(p1, tanh(0.5), 1e-15);
}

static void test_stationarity_and_invert(void) {
  double ok[2] = { 0.5, -0.3 }, bad[1] = { 1.01 }, edge[2] = { 1.5, -0.2 };
  CHECK(ts_ar_stationary(ok, 2));
  CHECK(!ts_ar_stationary(bad, 1));
  CHECK(!ts_ar_stationary(edge, 2));   /* 1 - 1.5z + 0.2z^2 has a root at 0.74 */
  double ma1[1] = { 2.0 };
  ts_ma_invert(ma1, 1);
  CHECK_NEAR(ma1[0], 0.5, 1e-15);
  /* (1 + 2.5B + B^2) = (1 + 0.5B)(1 + 2B) -> (1 + 0.5B)(1 + 0.5B) */
  double ma2[2] = { 2.5, 1.0 };
  ts_ma_invert(ma2, 2);
  CHECK_NEAR(ma2[0], 1.0, 1e-12);
  CHECK_NEAR(ma2[1], 0.25, 1e-12);
}

/* Q0 must solve P = T P T' + R R'; AR(1) has P = 1 / (1 - phi^2). */
static void check_lyapunov(const double *phi, int p, const double *theta, int q) {
  int r = p > q + 1 ? p : q + 1;
  double Q[64 * 64], R[64];
  mlsh_err err;
  CHECK(ts_getQ0(phi, p, theta, q, Q, &err) == MLSH_OK);
  for (int i = 0; i < r; i++) R[i] = i == 0 ? 1.0 : (i - 1 < q ? theta[i - 1] : 0.0);
  double worst = 0;
  for (int i = 0; i < r; i++)
    for (int j = 0; j < r; j++) {
      double fi = i < p ? phi[i] : 0, fj = j < p ? phi[j] : 0;
      double tpt = fi * fj * Q[0] + (j + 1 < r ? fi * Q[j + 1] : 0) + (i + 1 < r ? fj * Q[(i + 1) * r] : 0) +
                   (i + 1 < r && j + 1 < r ? Q[(i + 1) * r + j + 1] : 0);
      double e = fabs(Q[i * r + j] - tpt - R[i] * R[j]);
      if (e > worst) worst = e;
    }
  CHECK(worst < 1e-10);
}

static void test_getQ0(void) {
  double phi1 = 0.7, Q[4];
  mlsh_err err;
  CHECK(ts_getQ0(&phi1, 1, NULL, 0, Q, &err) == MLSH_OK);
  CHECK_NEAR(Q[0], 1.0 / (1 - 0.49), 1e-14);
  double phi[2] = { 0.5, -0.3 }, theta[2] = { 0.4, 0.2 };
  check_lyapunov(phi, 2, theta, 2);
  check_lyapunov(NULL, 0, theta, 2);
  /* a seasonal AR expanded to lag 13 and 30 lags (the doubling algorithm) */
  double big[30] = { 0 };
  big[0] = 0.3; big[11] = 0.5; big[12] = -0.15; big[29] = 0.1;
  check_lyapunov(big, 13, theta, 1);
  check_lyapunov(big, 30, theta, 2);
}

static void test_airline(void) {
  if (!have_air) SKIP("datasets/AirPassengers.csv not readable from the working directory");
  ts_arima_opts o;
  ts_arima_defaults(&o);
  ts_order od = { 0, 1, 1, 0, 1, 1, 12 };
  o.ord = od;
  o.method = TS_ML;
  ts_arima_fit f;
  mlsh_err err;
  CHECK(ts_arima(air, 144, &o, &f, &err) == MLSH_OK);
  /* R 4.2.2 stats::arima (shared/reference/arima/README.md) */
  CHECK_NEAR(f.coef[0], -0.401827, 1e-4);
  CHECK_NEAR(f.coef[1], -0.556947, 1e-4);
  CHECK_NEAR(f.se[0], 0.089644, 1e-4);
  CHECK_NEAR(f.se[1], 0.073099, 1e-4);
  CHECK_NEAR(f.sigma2, 0.00134803, 1e-7);
  CHECK_NEAR(f.loglik, 244.6995, 1e-3);
  CHECK_NEAR(f.aic, -483.3991, 1e-3);
  CHECK(f.nobs == 131);
  double mean[12], se[12];
  CHECK(ts_arima_forecast(&f, 12, NULL, mean, se, &err) == MLSH_OK);
  CHECK_NEAR(mean[0], 6.110186, 1e-4);
  CHECK_NEAR(mean[11], 6.168025, 1e-4);
  CHECK_NEAR(se[0], 0.036716, 1e-4);
  CHECK_NEAR(se[11], 0.081571, 1e-4);
  ts_arima_free(&f);
}

static void test_gaps_match_full_likelihood_shape(void) {
  if (!have_air) SKIP("datasets/AirPassengers.csv not readable");
  double y[144];
  memcpy(y, air, sizeof y);
  y[40] = NAN; y[41] = NAN; y[100] = NAN;
  ts_arima_opts o;
  ts_arima_defaults(&o);
  ts_order od = { 0, 1, 1, 0, 1, 1, 12 };
  o.ord = od;
  ts_arima_fit f;
  mlsh_err err;
  CHECK(ts_arima(y, 144, &o, &f, &err) == MLSH_OK);
  CHECK(f.method == TS_ML);     /* CSS-ML switches to ML with gaps, as R */
  CHECK(f.nobs == 128);
  CHECK(isnan(f.resid[40]) && isnan(f.resid[100]) && !isnan(f.resid[50]));
  CHECK(fabs(f.coef[0] + 0.40) < 0.05);
  ts_arima_free(&f);
}

static void test_distributions(void) {
  /* R: pchisq(3.84145882, 1, lower = FALSE) = 0.05; pchisq(20, 10, lower = FALSE) = 0.02925269 */
  CHECK_NEAR(mlsh_pchisq_upper(3.841458820694124, 1), 0.05, 1e-12);
  CHECK_NEAR(mlsh_pchisq_upper(20, 10), 0.02925268807696, 1e-12);
  CHECK_NEAR(mlsh_pchisq_upper(2, 2), exp(-1.0), 1e-14);
  CHECK_NEAR(mlsh_qnorm(0.975), 1.959963984540054, 1e-12);
  CHECK_NEAR(mlsh_qnorm(0.9), 1.281551565544601, 1e-12);
  CHECK_NEAR(mlsh_pnorm(-1.959963984540054, 1), 0.025, 1e-12);
  /* statsmodels mackinnonp(-1.7170170891069683, "c") */
  CHECK_NEAR(ts_mackinnon_p(-1.7170170891069683, TS_ADF_C), 0.4223667747703874, 1e-9);
  CHECK(ts_mackinnon_p(-30, TS_ADF_C) == 0.0);
  CHECK(ts_mackinnon_p(5, TS_ADF_C) == 1.0);
}

static void test_interrupt(void) {
  if (!have_air) SKIP("datasets/AirPassengers.csv not readable");
  ts_auto_opts o;
  ts_auto_defaults(&o);
  o.s = 12;
  ts_arima_fit f;
  ts_candidate *tried = NULL;
  size_t nt = 0;
  mlsh_err err;
  mlsh_interrupt_raise();
  int rc = ts_auto_arima(air, 144, &o, &f, &tried, &nt, &err);
  mlsh_interrupt_clear();
  CHECK(rc == MLSH_EINTR);
  CHECK(tried == NULL);
}

/* Every allocation failure must come back as ENOMEM without leaks or crashes. */
static void test_alloc_failures(void) {
  if (!have_air) SKIP("datasets/AirPassengers.csv not readable");
  int failures = 0;
  for (long k = 1; k < 40; k++) {
    ts_arima_opts o;
    ts_arima_defaults(&o);
    ts_order od = { 1, 1, 1, 0, 1, 1, 12 };
    o.ord = od;
    ts_arima_fit f;
    mlsh_err err;
    mlsh_alloc_fail_after(k);
    int rc = ts_arima(air, 144, &o, &f, &err);
    mlsh_alloc_fail_after(0);
    if (rc == MLSH_OK) ts_arima_free(&f);
    else failures += rc == MLSH_ENOMEM || rc == MLSH_ENUM;
  }
  CHECK(failures > 0);
}

static void test_series_tools(void) {
  double y[8] = { 1, 3, 6, 10, 15, 21, 28, 36 }, d[8];
  CHECK(ts_diff(y, 8, 1, 2, d) == 6);
  for (int i = 0; i < 6; i++) CHECK_NEAR(d[i], 1.0, 0);
  double r[4], pc[3];
  double x[6] = { 1, 2, 3, 4, 5, 6 };
  CHECK(ts_acf(x, 6, 3, r, NULL) == MLSH_OK);
  /* R: acf(1:6)$acf[2] = 0.5 */
  CHECK_NEAR(r[1], 0.5, 1e-14);
  ts_pacf_from_acf(r, 3, pc);
  CHECK_NEAR(pc[0], 0.5, 1e-14);
  double beta[2], se[2], rss;
  double X[12], yy[6];
  for (int i = 0; i < 6; i++) { X[2 * i] = 1; X[2 * i + 1] = i; yy[i] = 2 + 3 * i; }
  CHECK(ts_ols(yy, X, 6, 2, beta, se, &rss, NULL) == MLSH_OK);
  CHECK_NEAR(beta[0], 2, 1e-12);
  CHECK_NEAR(beta[1], 3, 1e-12);
}

int main(void) {
  load_air();
  RUN(test_partrans_roundtrip);
  RUN(test_stationarity_and_invert);
  RUN(test_getQ0);
  RUN(test_airline);
  RUN(test_gaps_match_full_likelihood_shape);
  RUN(test_distributions);
  RUN(test_interrupt);
  RUN(test_alloc_failures);
  RUN(test_series_tools);
  CTEST_DONE();
}
