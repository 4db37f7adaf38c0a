/* wilcox.c - Wilcoxon's signed rank and rank sum tests as R's
 * wilcox.test.default: exact p-values and intervals from R's psignrank /
 * pwilcox when there are no ties (and no zeroes), otherwise the normal
 * approximation with R's tie and continuity corrections, its interval
 * and Hodges-Lehmann estimate found by R's uniroot (tol 1e-4). */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "htest.h"
#include "../core/alloc.h"

/* Exact distributions beyond these sizes take too much memory (pwilcox
 * keeps about (m n)^2 / 8 counts, and Rmath exits when calloc fails) or time. */
#define SIGNRANK_EXACT_MAX 1000
#define RANKSUM_EXACT_MAX 2500.0

typedef struct wjob {
  double *x;                  /* x (one sample: x - y when paired) */
  const double *y;            /* y (two samples), or NULL */
  size_t nx, ny;
  int correct, failed;
  st_alternative alt;
  double *a, *rk, *tmp;       /* scratch of nx + ny each */
  int *pos;
} wjob;

/* sum(t^3 - t) over the groups of tied ranks (as R's table(r)). */
static double tie_term(const double *rk, size_t n, double *tmp) {
  double s[3];
  st_tie_sums(rk, n, tmp, s);
  return s[1] + 3 * s[0];   /* t^3 - t = t(t-1)(t-2) + 3 t(t-1) */
}

static double correction(const wjob *j, double z) {
  if (!j->correct) return 0;
  if (j->alt == ST_TWO_SIDED) return z > 0 ? 0.5 : z < 0 ? -0.5 : 0;
  return j->alt == ST_GREATER ? 0.5 : -0.5;
}

/* The signed rank statistic V of x - d (zeroes dropped): fills j->rk for
 * the m nonzero differences; returns m. */
static size_t signed_rank(wjob *j, double d, double *V) {
  size_t m = 0;
  for (size_t i = 0; i < j->nx; i++) {
    double v = j->x[i] - d;
    if (v != 0) { j->a[m] = fabs(v); j->pos[m] = v > 0; m++; }
  }
  st_rank(j->a, m, j->rk, NULL);
  double s = 0;
  for (size_t i = 0; i < m; i++) if (j->pos[i]) s += j->rk[i];
  *V = s;
  return m;
}

/* The rank sum statistic W of x - d against y; fills j->rk. */
static double rank_sum(wjob *j, double d) {
  for (size_t i = 0; i < j->nx; i++) j->a[i] = j->x[i] - d;
  memcpy(j->a + j->nx, j->y, j->ny * sizeof(double));
  st_rank(j->a, j->nx + j->ny, j->rk, NULL);
  double s = 0, fx = (double)j->nx;
  for (size_t i = 0; i < j->nx; i++) s += j->rk[i];
  return s - fx * (fx + 1) / 2;
}

/* R's normal statistic (z - correction) / sigma at shift d, minus zq. */
static double wdiff(double d, void *info) {
  wjob *j = info;
  double z, sigma;
  if (!j->y) {
    double V;
    size_t m = signed_rank(j, d, &V);
    double fm = (double)m;
    z = V - fm * (fm + 1) / 4;
    sigma = sqrt(fm * (fm + 1) * (2 * fm + 1) / 24 - tie_term(j->rk, m, j->tmp) / 48);
  } else {
    double fx = (double)j->nx, fy = (double)j->ny, N = fx + fy;
    z = rank_sum(j, d) - fx * fy / 2;
    sigma = sqrt((fx * fy / 12) * ((N + 1) - tie_term(j->rk, j->nx + j->ny, j->tmp) / (N * (N - 1))));
  }
  if (sigma == 0) { j->failed = 1; return 0; }
  return (z - correction(j, z)) / sigma;
}

typedef struct { wjob *j; double zq; } wroot;
static double wdiff_q(double d, void *info) { wroot *w = info; return wdiff(d, w->j) - w->zq; }

/* R's root(zq): an end of [lo, hi] when the statistic does not cross zq there. */
static double root(wjob *j, double lo, double hi, double zq) {
  wroot w = {j, zq};
  double flo = wdiff_q(lo, &w), fhi = wdiff_q(hi, &w);
  if (flo <= 0) return lo;
  if (fhi >= 0) return hi;
  return st_zeroin(lo, hi, flo, fhi, wdiff_q, &w, 1e-4);
}

static double signif2(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.2g", v);
  return atof(buf);
}

/* The exact interval: order statistics of the sorted diffs at R's qsignrank / qwilcox. */
static void exact_interval(const double *diffs, size_t nd, double qa, double qa2, double (*pdist)(double, void *),
                           void *par, int two_sample, const st_wilcox_opts *o, st_htest *r) {
  double alpha = 1 - o->conf_level, achieved;
  double qu = o->alternative == ST_TWO_SIDED ? qa2 : qa;
  if (qu == 0) qu = 1;
  double ql = (double)nd - qu;
  achieved = (o->alternative == ST_TWO_SIDED ? 2 : 1) * pdist(trunc(qu) - 1, par);
  r->conf_int[0] = o->alternative == ST_LESS ? -INFINITY : diffs[(size_t)qu - 1];
  r->conf_int[1] = o->alternative == ST_GREATER ? INFINITY : diffs[(size_t)ql];
  r->conf_level = o->conf_level;
  if (achieved - alpha > alpha / 2) {   /* R's two wordings and roundings */
    r->warning = two_sample ? "Requested conf.level not achievable" : "requested conf.level not achievable";
    r->conf_level = 1 - (two_sample ? achieved : signif2(achieved));
  }
}

static double psignrank_lower(double q, void *n) { return psignrank(q, *(double *)n, 1, 0); }
static double pwilcox_lower(double q, void *mn) { return pwilcox(q, ((double *)mn)[0], ((double *)mn)[1], 1, 0); }

static double exact_p(double stat, double center, double (*lower)(double, void *), double (*upper)(double, void *),
                      void *par, st_alternative alt) {
  if (alt == ST_GREATER) return upper(stat - 1, par);
  if (alt == ST_LESS) return lower(stat, par);
  double p = stat > center ? upper(stat - 1, par) : lower(stat, par);
  return fmin(2 * p, 1);
}
static double psignrank_upper(double q, void *n) { return psignrank(q, *(double *)n, 0, 0); }
static double pwilcox_upper(double q, void *mn) { return pwilcox(q, ((double *)mn)[0], ((double *)mn)[1], 0, 0); }

/* One sample: R widens alpha until the statistic at the ends of the data
 * crosses the quantiles (R's "less" compares with qnorm(alpha / 2), as R
 * does); returns the alpha used and sets conf_level when it changed. */
static double achievable_alpha(double wlo, double whi, const st_wilcox_opts *o, st_htest *r) {
  double alpha = 1 - o->conf_level;
  for (; alpha < 1; alpha *= 2) {
    int widen = o->alternative == ST_TWO_SIDED ? wlo - qnorm(alpha / 2, 0, 1, 0, 0) < 0 || whi - qnorm(alpha / 2, 0, 1, 1, 0) > 0
              : o->alternative == ST_GREATER ? wlo - qnorm(alpha, 0, 1, 0, 0) < 0 : whi - qnorm(alpha / 2, 0, 1, 1, 0) > 0;
    if (!widen) break;
  }
  if (alpha >= 1 || 1 - o->conf_level < alpha * 0.75) {
    r->conf_level = 1 - fmin(1, alpha);
    r->warning = "requested conf.level not achievable";
  }
  return alpha;
}

/* The interval and estimate by R's uniroot on the normal statistic. */
static int normal_interval(wjob *j, double lo, double hi, const st_wilcox_opts *o, st_htest *r, mlsh_err *err) {
  double alpha = 1 - o->conf_level, wlo = wdiff(lo, j), whi = wdiff(hi, j);
  r->conf_level = o->conf_level;
  if (j->failed)
    return mlsh_seterr(err, MLSH_EINVAL, "cannot compute confidence interval when all observations are %s",
                       j->y ? "tied" : "zero or tied");
  if (!j->y) alpha = achievable_alpha(wlo, whi, o, r);
  double mid = alpha < 1 ? NAN : st_median_sort(j->x, j->nx);   /* the statistic ignores order */
  if (o->alternative == ST_TWO_SIDED) {
    r->conf_int[0] = alpha < 1 ? root(j, lo, hi, qnorm(alpha / 2, 0, 1, 0, 0)) : mid;
    r->conf_int[1] = alpha < 1 ? root(j, lo, hi, qnorm(alpha / 2, 0, 1, 1, 0)) : mid;
  } else if (o->alternative == ST_GREATER) {
    r->conf_int[0] = alpha < 1 ? root(j, lo, hi, qnorm(alpha, 0, 1, 0, 0)) : mid; r->conf_int[1] = INFINITY;
  } else {
    r->conf_int[0] = -INFINITY; r->conf_int[1] = alpha < 1 ? root(j, lo, hi, qnorm(alpha, 0, 1, 1, 0)) : mid;
  }
  j->correct = 0;   /* as R: no continuity correction for the estimate */
  wroot w = {j, 0};
  double flo = wdiff_q(lo, &w), fhi = wdiff_q(hi, &w);
  if (!j->failed && flo * fhi > 0) return mlsh_seterr(err, MLSH_EINVAL, "cannot find the estimate: the statistic does not change sign");
  if (!j->failed) r->estimate[0] = st_zeroin(lo, hi, flo, fhi, wdiff_q, &w, 1e-4);
  if (j->failed)
    return mlsh_seterr(err, MLSH_EINVAL, "cannot compute confidence interval when all observations are %s",
                       j->y ? "tied" : "zero or tied");
  r->nestimate = 1;
  return MLSH_OK;
}

/* The n (n + 1) / 2 Walsh averages (or the nx ny differences), sorted. */
static double *sorted_diffs(const wjob *j, size_t *nd) {
  size_t n = j->y ? j->nx * j->ny : j->nx * (j->nx + 1) / 2, k = 0;
  double *d = mlsh_malloc((n ? n : 1) * sizeof *d);
  if (!d) return NULL;
  for (size_t a = 0; a < j->nx; a++) {
    if (j->y) for (size_t b = 0; b < j->ny; b++) d[k++] = j->x[a] - j->y[b];
    else for (size_t b = a; b < j->nx; b++) d[k++] = (j->x[a] + j->x[b]) / 2;
  }
  qsort(d, n, sizeof *d, st_cmp_double);
  *nd = n;
  return d;
}

static int exact_conf(wjob *j, const st_wilcox_opts *o, st_htest *r, mlsh_err *err) {
  size_t nd;
  double *d = sorted_diffs(j, &nd);
  if (!d) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double alpha = 1 - o->conf_level, n = (double)j->nx, mn[2] = {(double)j->nx, (double)j->ny};
  if (j->y) exact_interval(d, nd, qwilcox(alpha, mn[0], mn[1], 1, 0), qwilcox(alpha / 2, mn[0], mn[1], 1, 0),
                           pwilcox_lower, mn, 1, o, r);
  else exact_interval(d, nd, qsignrank(alpha, n, 1, 0), qsignrank(alpha / 2, n, 1, 0), psignrank_lower, &n, 0, o, r);
  r->estimate[0] = st_median_sort(d, nd);
  r->nestimate = 1;
  mlsh_free(d);
  return MLSH_OK;
}

static int has_ties(const double *rk, size_t n, double *tmp) { return tie_term(rk, n, tmp) > 0; }

static int signed_rank_test(wjob *j, const st_wilcox_opts *o, st_htest *r, mlsh_err *err) {
  if (j->nx == 0) return mlsh_seterr(err, MLSH_EINVAL, "not enough (non-missing) 'x' observations");
  double V;
  size_t n = signed_rank(j, o->mu, &V), fn = n;
  int zeroes = n < j->nx, ties = has_ties(j->rk, n, j->tmp);
  int exact = o->exact < 0 ? n < 50 : o->exact;
  r->statistic = V;
  /* R finds the interval on (x - mu) + mu: the same rounding, the same root */
  for (size_t i = 0; i < j->nx; i++) j->x[i] = (j->x[i] - o->mu) + o->mu;
  if (exact && n > SIGNRANK_EXACT_MAX && !ties && !zeroes)
    return mlsh_seterr(err, MLSH_EINVAL, "exact = true needs at most %d observations (got %zu)", SIGNRANK_EXACT_MAX, n);
  if (exact && !ties && !zeroes) {
    double dn = (double)n;
    r->method = "Wilcoxon signed rank exact test";
    r->exact = 1;
    r->p_value = exact_p(V, dn * (dn + 1) / 4, psignrank_lower, psignrank_upper, &dn, o->alternative);
    return o->conf_int ? exact_conf(j, o, r, err) : MLSH_OK;
  }
  double z = V - (double)fn * ((double)fn + 1) / 4;
  double sigma = sqrt((double)fn * (fn + 1) * (2.0 * fn + 1) / 24 - tie_term(j->rk, n, j->tmp) / 48);
  r->method = o->correct ? "Wilcoxon signed rank test with continuity correction" : "Wilcoxon signed rank test";
  r->p_value = st_normal_p((z - correction(j, z)) / sigma, o->alternative);
  if (exact) r->warning = ties ? "cannot compute exact p-value with ties" : "cannot compute exact p-value with zeroes";
  if (!o->conf_int) return MLSH_OK;
  size_t m = 0;   /* as R, the interval is found without the zeroes */
  for (size_t i = 0; i < j->nx; i++) if (j->x[i] - o->mu != 0) j->x[m++] = j->x[i];
  j->nx = m;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < j->nx; i++) { lo = fmin(lo, j->x[i]); hi = fmax(hi, j->x[i]); }
  const char *warning = r->warning;
  int rc = normal_interval(j, lo, hi, o, r, err);
  if (warning) r->warning = warning;
  return rc;
}

static int rank_sum_test(wjob *j, const st_wilcox_opts *o, st_htest *r, mlsh_err *err) {
  if (j->nx == 0) return mlsh_seterr(err, MLSH_EINVAL, "not enough non-missing 'x' observations");
  if (j->ny == 0) return mlsh_seterr(err, MLSH_EINVAL, "not enough 'y' observations");
  double W = rank_sum(j, o->mu), fx = (double)j->nx, fy = (double)j->ny, N = fx + fy;
  int ties = has_ties(j->rk, j->nx + j->ny, j->tmp);
  int exact = o->exact < 0 ? j->nx < 50 && j->ny < 50 : o->exact;
  r->statistic = W;
  if (exact && !ties && fx * fy > RANKSUM_EXACT_MAX)
    return mlsh_seterr(err, MLSH_EINVAL, "exact = true needs nx * ny <= %.0f (got %.0f)", RANKSUM_EXACT_MAX, fx * fy);
  if (exact && !ties) {
    double mn[2] = {fx, fy};
    r->method = "Wilcoxon rank sum exact test";
    r->exact = 1;
    r->p_value = exact_p(W, fx * fy / 2, pwilcox_lower, pwilcox_upper, mn, o->alternative);
    return o->conf_int ? exact_conf(j, o, r, err) : MLSH_OK;
  }
  double z = W - fx * fy / 2;
  double sigma = sqrt((fx * fy / 12) * ((N + 1) - tie_term(j->rk, j->nx + j->ny, j->tmp) / (N * (N - 1))));
  r->method = o->correct ? "Wilcoxon rank sum test with continuity correction" : "Wilcoxon rank sum test";
  r->p_value = st_normal_p((z - correction(j, z)) / sigma, o->alternative);
  if (exact) r->warning = "cannot compute exact p-value with ties";
  if (!o->conf_int) return MLSH_OK;
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (size_t i = 0; i < j->nx; i++) { xlo = fmin(xlo, j->x[i]); xhi = fmax(xhi, j->x[i]); }
  for (size_t i = 0; i < j->ny; i++) { ylo = fmin(ylo, j->y[i]); yhi = fmax(yhi, j->y[i]); }
  const char *warning = r->warning;
  int rc = normal_interval(j, xlo - yhi, xhi - ylo, o, r, err);
  if (warning) r->warning = warning;
  return rc;
}

int st_wilcox_test(const double *x, size_t nx, const double *y, size_t ny, const st_wilcox_opts *o, st_htest *r,
                   mlsh_err *err) {
  memset(r, 0, sizeof *r);
  if (o->paired && !y) return mlsh_seterr(err, MLSH_EINVAL, "'y' is missing for paired test");
  if (o->paired && nx != ny) return mlsh_seterr(err, MLSH_EINVAL, "'x' and 'y' must have the same length (%zu and %zu)", nx, ny);
  if (!(o->conf_level > 0 && o->conf_level < 1)) return mlsh_seterr(err, MLSH_EINVAL, "'conf_level' must be in (0, 1)");
  size_t cap = nx + ny + 1;
  double *buf = mlsh_malloc(5 * cap * sizeof(double));
  int *pos = mlsh_malloc(cap * sizeof(int));
  if (!buf || !pos) { mlsh_free(buf); mlsh_free(pos); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  wjob j = {.correct = o->correct, .alt = o->alternative, .a = buf + 2 * cap, .rk = buf + 3 * cap, .tmp = buf + 4 * cap,
            .pos = pos};
  double *xs = buf, *ys = buf + cap;
  int one = o->paired || !y;
  for (size_t i = 0; i < nx; i++) {
    if (isnan(x[i]) || (o->paired && isnan(y[i]))) continue;
    xs[j.nx++] = o->paired ? x[i] - y[i] : x[i];
  }
  if (!one) for (size_t i = 0; i < ny; i++) if (!isnan(y[i])) ys[j.ny++] = y[i];
  j.x = xs; j.y = one ? NULL : ys;
  r->conf_int[0] = r->conf_int[1] = NAN;
  r->null_value = o->mu;
  r->parameter = NAN;
  r->nx = j.nx; r->ny = j.ny;
  int rc = one ? signed_rank_test(&j, o, r, err) : rank_sum_test(&j, o, r, err);
  mlsh_free(buf);
  mlsh_free(pos);
  return rc;
}
