/* distrib.c - the table of R's distributions over libRmath. Each family
 * gets three small adapters from a parameter array to nmath's own calls;
 * gamma and exp take a rate, as R's defaults do, and nmath a scale. */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <string.h>
#include "distrib.h"

#define FAMILY1(nm)                                                                               \
  static double d_##nm(double x, const double *a, int lg) { return d##nm(x, a[0], lg); }          \
  static double p_##nm(double x, const double *a, int lt, int lp) { return p##nm(x, a[0], lt, lp); } \
  static double q_##nm(double x, const double *a, int lt, int lp) { return q##nm(x, a[0], lt, lp); }
#define FAMILY2(nm)                                                                                      \
  static double d_##nm(double x, const double *a, int lg) { return d##nm(x, a[0], a[1], lg); }           \
  static double p_##nm(double x, const double *a, int lt, int lp) { return p##nm(x, a[0], a[1], lt, lp); } \
  static double q_##nm(double x, const double *a, int lt, int lp) { return q##nm(x, a[0], a[1], lt, lp); }
#define FAMILY3(nm)                                                                                             \
  static double d_##nm(double x, const double *a, int lg) { return d##nm(x, a[0], a[1], a[2], lg); }            \
  static double p_##nm(double x, const double *a, int lt, int lp) { return p##nm(x, a[0], a[1], a[2], lt, lp); } \
  static double q_##nm(double x, const double *a, int lt, int lp) { return q##nm(x, a[0], a[1], a[2], lt, lp); }

FAMILY2(norm) FAMILY1(t) FAMILY1(chisq) FAMILY2(f) FAMILY2(binom) FAMILY1(pois) FAMILY2(beta)
FAMILY2(unif) FAMILY2(lnorm) FAMILY2(weibull) FAMILY2(nbinom) FAMILY3(hyper)

/* rate = 1 / scale: R's dgamma(x, shape, rate = 1) and dexp(x, rate = 1). */
static double d_gamma(double x, const double *a, int lg) { return dgamma(x, a[0], 1 / a[1], lg); }
static double p_gamma(double x, const double *a, int lt, int lp) { return pgamma(x, a[0], 1 / a[1], lt, lp); }
static double q_gamma(double x, const double *a, int lt, int lp) { return qgamma(x, a[0], 1 / a[1], lt, lp); }
static double d_exp(double x, const double *a, int lg) { return dexp(x, 1 / a[0], lg); }
static double p_exp(double x, const double *a, int lt, int lp) { return pexp(x, 1 / a[0], lt, lp); }
static double q_exp(double x, const double *a, int lt, int lp) { return qexp(x, 1 / a[0], lt, lp); }

#define REQ NAN
#define FUNCS(nm) d_##nm, p_##nm, q_##nm
const st_dist st_dists[] = {
  {"norm", "normal", 2, {"mean", "sd"}, {0, 1}, 0, FUNCS(norm)},
  {"t", "Student t", 1, {"df"}, {REQ}, 0, FUNCS(t)},
  {"chisq", "chi-squared", 1, {"df"}, {REQ}, 0, FUNCS(chisq)},
  {"f", "F", 2, {"df1", "df2"}, {REQ, REQ}, 0, FUNCS(f)},
  {"binom", "binomial", 2, {"size", "prob"}, {REQ, REQ}, 1, FUNCS(binom)},
  {"pois", "Poisson", 1, {"lambda"}, {REQ}, 1, FUNCS(pois)},
  {"gamma", "gamma", 2, {"shape", "rate"}, {REQ, 1}, 0, FUNCS(gamma)},
  {"beta", "beta", 2, {"shape1", "shape2"}, {REQ, REQ}, 0, FUNCS(beta)},
  {"exp", "exponential", 1, {"rate"}, {1}, 0, FUNCS(exp)},
  {"unif", "uniform", 2, {"min", "max"}, {0, 1}, 0, FUNCS(unif)},
  {"lnorm", "log-normal", 2, {"meanlog", "sdlog"}, {0, 1}, 0, FUNCS(lnorm)},
  {"weibull", "Weibull", 2, {"shape", "scale"}, {REQ, 1}, 0, FUNCS(weibull)},
  {"nbinom", "negative binomial", 2, {"size", "prob"}, {REQ, REQ}, 1, FUNCS(nbinom)},
  {"hyper", "hypergeometric", 3, {"m", "n", "k"}, {REQ, REQ, REQ}, 1, FUNCS(hyper)},
  {NULL, NULL, 0, {NULL}, {0}, 0, NULL, NULL, NULL}};

const st_dist *st_dist_find(const char *name) {
  for (const st_dist *D = st_dists; D->name; D++)
    if (strcmp(D->name, name) == 0) return D;
  return NULL;
}

double st_dist_draw(const st_dist *D, const double *par, mlsh_rng *rng) {
  double u;
  do u = mlsh_rng_uniform(rng); while (u == 0);
  return D->q(u, par, 1, 0);
}
