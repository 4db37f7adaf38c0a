/* test_ts.c - unit tests of the time-series core: parameter transforms,
 * the stationary state covariance, the Kalman likelihood, the ARIMA fit
 * against R 4.2.2 (../shared/reference/arima/README.md values on the
 * repository's datasets/AirPassengers.csv), STL against R's stats::stl on
 * R's datasets (ts_series.h), distributions, interruption and allocation
 * failures (no leaks under make asan). */
#include <stdlib.h>
#include <string.h>
#include "ctest.h"
#include "../../src/core/alloc.h"
#include "../../src/core/distrib.h"
#include "../../src/core/interrupt.h"
#include "../../src/ts/arima.h"
#include "../../src/ts/stl.h"
#include "../../src/ts/ts.h"
#include "ts_series.h"

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

/* ---- STL ---- */

typedef struct { int i; double seasonal, trend, remainder, weight; } stl_point;
typedef struct {
  const char *r_call;   /* R 4.2.2: fit <- <r_call>; fit$time.series[i, ], fit$weights[i], colSums */
  const double *y;
  int n, period, take_log;
  int s_window, s_degree, t_window, t_jump, l_degree, robust;
  int win[3], deg[3], jump[3], inner, outer;   /* fit$win, fit$deg, fit$jump, fit$inner, fit$outer */
  stl_point at[6];
  double sums[4];       /* seasonal, trend, remainder, weights */
} stl_case;

static const stl_case stl_cases[] = {
  { "stl(nottem, s.window = \"periodic\")",
    nottem_data, 240, 12, 0, 0, 0, 0, 0, -1, 0,
    { 2401, 19, 13 }, { 0, 1, 1 }, { 241, 2, 2 }, 2, 0,
    {
      { 1, -9.3471980274764039, 49.680672648563224, 0.26652537891317962, 1 },
      { 2, -9.8552496215472196, 49.545520817035836, 1.1097288045113771, 1 },
      { 37, -9.3471980274764039, 48.138141421236476, 3.0090566062399233, 1 },
      { 120, -9.4781422782969482, 49.44735849575715, 1.9307837825397982, 1 },
      { 235, 12.845250095872732, 49.427247814922758, -1.5724979107954837, 1 },
      { 240, -9.4781422782969482, 49.005097082385689, -1.7269548040887415, 1 },
    },
    { 3.6115840862382953e-06, 11769.968503379536, -0.46850699112058436, 240 } },
  { "stl(co2, s.window = 21)",
    co2_data, 468, 12, 0, 21, 0, 0, 0, -1, 0,
    { 21, 21, 13 }, { 0, 1, 1 }, { 3, 3, 2 }, 2, 0,
    {
      { 1, -0.063321976159455576, 315.28998536344699, 0.19333661271247138, 1 },
      { 2, 0.55088862460748356, 315.38181937793172, 0.37729199746081576, 1 },
      { 37, -0.062293617864160149, 317.9814111862122, -0.13911756834806965, 1 },
      { 234, 2.3602453798851148, 335.28336795919722, 0.07638666091770574, 1 },
      { 463, 0.71041298306855294, 363.90530315949349, -0.095716142562082496, 1 },
      { 468, -0.86678477475454541, 364.55189318107352, 0.65489159368098626, 1 },
    },
    { -0.65398837771746499, 157742.07674010305, -0.3727517253392989, 468 } },
  { "stl(log(AirPassengers), s.window = 7)",
    air, 144, 12, 0, 7, 0, 0, 0, -1, 0,
    { 7, 23, 13 }, { 0, 1, 1 }, { 1, 3, 2 }, 2, 0,
    {
      { 1, -0.091558638540259432, 4.8091127144889505, 0.00094479534640345975, 1 },
      { 2, -0.050783144911821981, 4.8139087113321644, 0.007559058045322864, 1 },
      { 37, -0.080992241732808029, 5.2046015316156664, 0.018054266619802029, 1 },
      { 72, -0.10284724137407934, 5.5452207464164864, -0.0086515014881669572, 1 },
      { 139, 0.25725445399054636, 6.158452286952687, 0.017233351795946206, 1 },
      { 144, -0.11858030239682871, 6.197001927713921, -0.0099960370729812453, 1 },
    },
    { 0.077473878910825453, 798.02443349469672, -0.028569345018005343, 144 } },
  { "stl(log(AirPassengers), s.window = 7, robust = TRUE)",
    air, 144, 12, 0, 7, 0, 0, 0, -1, 1,
    { 7, 23, 13 }, { 0, 1, 1 }, { 1, 3, 2 }, 1, 15,
    {
      { 1, -0.06892420127583522, 4.7972225864119666, -0.0097995138410373883, 0.94902126075830873 },
      { 2, -0.044825690157347067, 4.8037495655835594, 0.011760749039452456, 0.93776219526939197 },
      { 37, -0.066264588165215646, 5.2037505140458489, 0.0041776306220269177, 0.99073795960509559 },
      { 72, -0.10255732054696788, 5.5456759616379898, -0.0093966375367822152, 0.95617497109800753 },
      { 139, 0.25276173431229859, 6.164557267833243, 0.01562109059363781, 0.88484682144179616 },
      { 144, -0.11767845757164984, 6.201423668816016, -0.015319623000255689, 0.89284005003945721 },
    },
    { 0.06001792834566505, 798.038427621447, -0.025107521203163508, 119.70791016976077 } },
  { "stl(UKgas, s.window = 11, s.degree = 1)",
    ukgas_data, 108, 4, 0, 11, 1, 0, 0, -1, 0,
    { 11, 7, 5 }, { 1, 1, 1 }, { 2, 1, 1 }, 2, 0,
    {
      { 1, 37.017852037974748, 124.40096152142581, -1.3188135594005672, 1 },
      { 2, 3.9896669805097118, 124.07139701955455, 1.6389359999357254, 1 },
      { 37, 65.49154882446949, 181.24258283348487, -1.8341316579543729, 1 },
      { 54, -25.385695830433477, 279.53370094366744, -14.048005113233955, 1 },
      { 103, -389.86500428158752, 681.1079210372103, -9.4429167556228322, 1 },
      { 108, 78.964219815787871, 728.00446860341685, -24.168688419204727, 1 },
    },
    { -156.54697220009535, 36618.378742275781, 2.2682299243151931, 108 } },
  { "stl(USAccDeaths, s.window = 13, t.window = 19, t.jump = 1, l.degree = 0)",
    usaccdeaths_data, 72, 12, 0, 13, 0, 19, 1, 0, 0,
    { 13, 19, 13 }, { 0, 1, 0 }, { 2, 1, 2 }, 2, 0,
    {
      { 1, -840.91834191827934, 9938.0784438190203, -90.160101900741211, 1 },
      { 2, -1560.0050502185838, 9885.3618883094659, -219.35683809088187, 1 },
      { 37, -809.883997865168, 8434.6114494238864, 92.272548441282197, 1 },
      { 36, -38.612346650234016, 8459.1736481091575, -386.56130145892348, 1 },
      { 67, 1699.2603536912434, 8847.4267577646951, -62.687111455938066, 1 },
      { 72, 14.116114095623685, 9089.1636536009955, 136.72023230338164, 1 },
    },
    { -62.434439682777786, 633454.25114350847, -598.81670382573247, 72 } },
  { "stl(log(UKgas), s.window = \"periodic\", robust = TRUE)",
    ukgas_data, 108, 4, 1, 0, 0, 0, 0, -1, 1,
    { 1081, 7, 5 }, { 0, 1, 1 }, { 109, 1, 1 }, 1, 15,
    {
      { 1, 0.43713686013298586, 4.764628586988187, -0.12596682711850438, 0.93369439367734386 },
      { 2, 0.019076885985966106, 4.7734652138170022, 0.072681991519429445, 0.97766478980195048 },
      { 37, 0.43713686013298586, 5.1429027520498609, -0.079189648224724962, 0.97352056823252031 },
      { 54, 0.019076885985966106, 5.5637674483252093, -0.10178883108396786, 0.95645638513572673 },
      { 103, -0.56340748200829383, 6.3899959789370202, -0.1853908974641465, 0.85917348434867713 },
      { 108, 0.10719371994724906, 6.4855984191672995, 0.070085096407372482, 0.97922807067591311 },
    },
    { -4.3043650546983891e-07, 602.02950154360053, 0.50114001035443589, 98.047873084041711 } }
};

/* Agreement with R to rounding: relative 1e-12 (the sums add hundreds of values). */
static double stl_tol(double ref) { return 1e-12 * (1 + fabs(ref)); }

static void check_stl_case(const stl_case *c) {
  size_t n = (size_t)c->n;
  double *y = mlsh_malloc(5 * n * sizeof(double));
  double *s = y + n, *t = y + 2 * n, *r = y + 3 * n, *w = y + 4 * n;
  for (size_t i = 0; i < n; i++) y[i] = c->take_log ? log(c->y[i]) : c->y[i];
  ts_stl_opts o, used;
  ts_stl_defaults(&o, c->period, c->s_window);
  o.s_degree = c->s_degree; o.t_window = c->t_window; o.t_jump = c->t_jump; o.robust = c->robust;
  if (c->l_degree >= 0) o.l_degree = c->l_degree;
  mlsh_err err;
  CHECK(ts_stl_resolve(&o, n, &used, &err) == MLSH_OK);
  long sw = used.s_window ? used.s_window : ts_stl_periodic_window(n);
  CHECK(sw == c->win[0] && used.t_window == c->win[1] && used.l_window == c->win[2]);
  CHECK(used.s_degree == c->deg[0] && used.t_degree == c->deg[1] && used.l_degree == c->deg[2]);
  CHECK(used.s_jump == c->jump[0] && used.t_jump == c->jump[1] && used.l_jump == c->jump[2]);
  CHECK(used.inner == c->inner && used.outer == c->outer);
  int rc = ts_stl(y, n, &o, s, t, r, w, &err);
  CHECK(rc == MLSH_OK);
  if (rc) { fprintf(stderr, "  %s: %s\n", c->r_call, err.msg); mlsh_free(y); return; }
  for (int k = 0; k < 6; k++) {
    const stl_point *p = &c->at[k];
    CHECK_NEAR(s[p->i - 1], p->seasonal, stl_tol(p->seasonal));
    CHECK_NEAR(t[p->i - 1], p->trend, stl_tol(p->trend));
    CHECK_NEAR(r[p->i - 1], p->remainder, stl_tol(p->trend));   /* y - s - t: rounding of y's size */
    CHECK_NEAR(w[p->i - 1], p->weight, 1e-12);
  }
  double sum[4] = { 0, 0, 0, 0 };
  for (size_t i = 0; i < n; i++) { sum[0] += s[i]; sum[1] += t[i]; sum[2] += r[i]; sum[3] += w[i]; }
  for (int k = 0; k < 4; k++) CHECK_NEAR(sum[k], c->sums[k], stl_tol(c->sums[1]));
  mlsh_free(y);
}

static void test_stl_against_r(void) {
  for (size_t k = 0; k < sizeof stl_cases / sizeof stl_cases[0]; k++) {
    if (stl_cases[k].y == air && !have_air) { ctest_skip++; continue; }
    check_stl_case(&stl_cases[k]);
  }
}

static int stl_rc(const double *y, size_t n, const ts_stl_opts *o, const char *want) {
  double out[4 * 64];
  mlsh_err err = { 0, "" };
  int rc = ts_stl(y, n, o, out, out + 64, out + 128, out + 192, &err);
  if (rc && want && !strstr(err.msg, want)) { fprintf(stderr, "  message: %s\n", err.msg); return -1; }
  return rc;
}

static void test_stl_bad_input(void) {
  double y[64];
  for (int i = 0; i < 64; i++) y[i] = sin(i * 0.5) + 0.1 * i;
  ts_stl_opts o;
  ts_stl_defaults(&o, 12, 7);
  CHECK(stl_rc(y, 24, &o, "longer than two periods") == MLSH_EINVAL);   /* R: n <= 2 * period */
  CHECK(stl_rc(y, 25, &o, NULL) == MLSH_OK);
  ts_stl_defaults(&o, 1, 7);
  CHECK(stl_rc(y, 64, &o, "period") == MLSH_EINVAL);
  ts_stl_defaults(&o, 4, 8);
  CHECK(stl_rc(y, 64, &o, "s_window must be an odd integer") == MLSH_EINVAL);
  ts_stl_defaults(&o, 4, 1);
  CHECK(stl_rc(y, 64, &o, "s_window") == MLSH_EINVAL);
  ts_stl_defaults(&o, 4, 7);
  o.t_window = 10;
  CHECK(stl_rc(y, 64, &o, "t_window") == MLSH_EINVAL);
  o.t_window = 0; o.l_window = 4;
  CHECK(stl_rc(y, 64, &o, "l_window") == MLSH_EINVAL);
  o.l_window = 0; o.t_degree = 2;
  CHECK(stl_rc(y, 64, &o, "t_degree must be 0 or 1") == MLSH_EINVAL);
  o.t_degree = 1; o.inner = 0;
  CHECK(stl_rc(y, 64, &o, "inner") == MLSH_EINVAL);
  o.inner = -1;
  y[10] = NAN;
  CHECK(stl_rc(y, 64, &o, "y[11] is missing") == MLSH_EINVAL);
  y[10] = INFINITY;
  CHECK(stl_rc(y, 64, &o, "infinite") == MLSH_EINVAL);
}

static void test_stl_interrupt_and_memory(void) {
  ts_stl_opts o;
  ts_stl_defaults(&o, 12, 21);
  o.robust = 1;
  size_t n = sizeof co2_data / sizeof co2_data[0];
  double *out = mlsh_malloc(4 * n * sizeof(double));
  mlsh_err err;
  mlsh_interrupt_raise();
  CHECK(ts_stl(co2_data, n, &o, out, out + n, out + 2 * n, out + 3 * n, &err) == MLSH_EINTR);
  mlsh_interrupt_clear();
  mlsh_alloc_fail_after(1);
  CHECK(ts_stl(co2_data, n, &o, out, out + n, out + 2 * n, NULL, &err) == MLSH_ENOMEM);
  mlsh_alloc_fail_after(0);
  mlsh_free(out);
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
  RUN(test_stl_against_r);
  RUN(test_stl_bad_input);
  RUN(test_stl_interrupt_and_memory);
  CTEST_DONE();
}
