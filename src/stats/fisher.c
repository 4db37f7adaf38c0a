/* fisher.c - Fisher's exact test as R's fisher.test. 2 x 2: the p-value
 * for the alternative from the noncentral hypergeometric distribution,
 * the conditional maximum likelihood odds ratio and its interval by R's
 * uniroot. r x c: the two-sided p-value (the total probability of the
 * tables with the same margins that are at most as probable as the
 * observed one, as FEXACT) by enumerating those tables, or by simulation
 * (R's simulate.p.value) from mlsh's generator. */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include "htest.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/rng.h"

#define REL_ERR (1 + 1e-7)   /* R: tables this close to the observed probability count as as extreme */
#define UNIROOT_TOL 1.220703125e-4   /* uniroot's default, .Machine$double.eps^0.25 */

typedef struct hyper2 {
  double m, n, k, x, lo, hi;
  size_t len;
  double *logdc, *d;          /* log dhyper over lo..hi, and the last density */
  int upper;                  /* what a root finder evaluates */
  double target;
} hyper2;

static void dnhyper(hyper2 *h, double ncp) {
  double mx = -INFINITY;
  for (size_t i = 0; i < h->len; i++) {
    h->d[i] = h->logdc[i] + log(ncp) * (h->lo + (double)i);
    mx = fmax(mx, h->d[i]);
  }
  double s = 0;
  for (size_t i = 0; i < h->len; i++) { h->d[i] = exp(h->d[i] - mx); s += h->d[i]; }
  for (size_t i = 0; i < h->len; i++) h->d[i] /= s;
}

static double mnhyper(hyper2 *h, double ncp) {
  if (ncp == 0) return h->lo;
  if (isinf(ncp)) return h->hi;
  dnhyper(h, ncp);
  double s = 0;
  for (size_t i = 0; i < h->len; i++) s += (h->lo + (double)i) * h->d[i];
  return s;
}

static double pnhyper(hyper2 *h, double q, double ncp, int upper) {
  if (ncp == 1) return upper ? phyper(h->x - 1, h->m, h->n, h->k, 0, 0) : phyper(h->x, h->m, h->n, h->k, 1, 0);
  if (ncp == 0) return upper ? q <= h->lo : q >= h->lo;
  if (isinf(ncp)) return upper ? q <= h->hi : q >= h->hi;
  dnhyper(h, ncp);
  double s = 0;
  for (size_t i = 0; i < h->len; i++) {
    double v = h->lo + (double)i;
    if (upper ? v >= q : v <= q) s += h->d[i];
  }
  return s;
}

/* Root functions of t (direct) and of 1/t (inverted), as R's. */
static double f_p(double t, void *p) { hyper2 *h = p; return pnhyper(h, h->x, t, h->upper) - h->target; }
static double f_p_inv(double t, void *p) { hyper2 *h = p; return pnhyper(h, h->x, 1 / t, h->upper) - h->target; }
static double f_mean(double t, void *p) { hyper2 *h = p; return mnhyper(h, t) - h->target; }
static double f_mean_inv(double t, void *p) { hyper2 *h = p; return mnhyper(h, 1 / t) - h->target; }

static double uniroot(double (*f)(double, void *), hyper2 *h, double lo, double hi) {
  return st_zeroin(lo, hi, f(lo, h), f(hi, h), f, h, UNIROOT_TOL);
}

/* R's mle(), ncp.U() and ncp.L(): direct on (0, 1), or inverted on (eps, 1). */
static double solve(hyper2 *h, double (*f)(double, void *), double (*finv)(double, void *), double at1, int decreasing) {
  if (decreasing ? at1 < h->target : at1 > h->target) return uniroot(f, h, 0, 1);
  if (decreasing ? at1 > h->target : at1 < h->target) return 1 / uniroot(finv, h, DBL_EPSILON, 1);
  return 1;
}

static double mle(hyper2 *h) {
  if (h->x == h->lo) return 0;
  if (h->x == h->hi) return INFINITY;
  h->target = h->x;
  return solve(h, f_mean, f_mean_inv, mnhyper(h, 1), 0);
}

static double ncp_upper(hyper2 *h, double alpha) {
  if (h->x == h->hi) return INFINITY;
  h->upper = 0; h->target = alpha;
  return solve(h, f_p, f_p_inv, pnhyper(h, h->x, 1, 0), 1);
}

static double ncp_lower(hyper2 *h, double alpha) {
  if (h->x == h->lo) return 0;
  h->upper = 1; h->target = alpha;
  return solve(h, f_p, f_p_inv, pnhyper(h, h->x, 1, 1), 0);
}

static double two_sided_p(hyper2 *h, double or) {
  if (or == 0) return h->x == h->lo;
  if (isinf(or)) return h->x == h->hi;
  dnhyper(h, or);
  double dx = h->d[(size_t)(h->x - h->lo)] * REL_ERR, s = 0;
  for (size_t i = 0; i < h->len; i++) if (h->d[i] <= dx) s += h->d[i];
  return s;
}

static int two_by_two(const double *x, const st_fisher_opts *o, st_htest *r, mlsh_err *err) {
  hyper2 h = {.m = x[0] + x[2], .n = x[1] + x[3], .k = x[0] + x[1], .x = x[0]};
  h.lo = fmax(0, h.k - h.n);
  h.hi = fmin(h.k, h.m);
  h.len = (size_t)(h.hi - h.lo) + 1;
  double *buf = mlsh_malloc(2 * h.len * sizeof *buf);
  if (!buf) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  h.logdc = buf; h.d = buf + h.len;
  for (size_t i = 0; i < h.len; i++) h.logdc[i] = dhyper(h.lo + (double)i, h.m, h.n, h.k, 1);
  if (o->alternative == ST_LESS) r->p_value = pnhyper(&h, h.x, o->or, 0);
  else if (o->alternative == ST_GREATER) r->p_value = pnhyper(&h, h.x, o->or, 1);
  else r->p_value = two_sided_p(&h, o->or);
  r->conf_int[0] = r->conf_int[1] = NAN;
  if (o->conf_int) {
    double c = o->conf_level;
    if (o->alternative == ST_LESS) { r->conf_int[0] = 0; r->conf_int[1] = ncp_upper(&h, 1 - c); }
    else if (o->alternative == ST_GREATER) { r->conf_int[0] = ncp_lower(&h, 1 - c); r->conf_int[1] = INFINITY; }
    else { r->conf_int[0] = ncp_lower(&h, (1 - c) / 2); r->conf_int[1] = ncp_upper(&h, (1 - c) / 2); }
    r->conf_level = c;
  }
  r->estimate[0] = mle(&h);
  r->nestimate = 1;
  r->null_value = o->or;
  mlsh_free(buf);
  return MLSH_OK;
}

/* ---- r x c: every table with the observed margins ---- */

typedef struct enumjob {
  size_t nr, nc;
  const double *lfact;        /* log k! */
  double *rowrem, *colrem;    /* what is left of the margins */
  double logc, threshold;     /* log of the constant part; log of the observed probability, with R's slack */
  double p;                   /* sum over the tables at most as probable */
  double visited, max_tables;
  int status;
} enumjob;

/* Fill cell (i, j) and go on; s = sum of -log x! so far. */
static void fill(enumjob *e, size_t i, size_t j, double s) {
  if (e->status) return;
  if (j == e->nc - 1) {   /* the last column is what the rows have left */
    for (size_t a = 0; a < e->nr; a++) s -= e->lfact[(size_t)e->rowrem[a]];
    double lp = e->logc + s;
    if (lp <= e->threshold) e->p += exp(lp);
    if (++e->visited > e->max_tables) e->status = MLSH_EINVAL;
    else if (((size_t)e->visited & 0xfffff) == 0 && mlsh_interrupted()) e->status = MLSH_EINTR;
    return;
  }
  if (i == e->nr - 1) {   /* the last row of a column is what the column has left */
    double v = e->colrem[j];
    if (v > e->rowrem[i]) return;
    e->rowrem[i] -= v;
    fill(e, 0, j + 1, s - e->lfact[(size_t)v]);
    e->rowrem[i] += v;
    return;
  }
  double rest = 0;   /* what rows below i can still take */
  for (size_t a = i + 1; a < e->nr; a++) rest += e->rowrem[a];
  double hi = fmin(e->rowrem[i], e->colrem[j]), lo = fmax(0, e->colrem[j] - rest);
  for (double v = lo; v <= hi; v++) {
    e->rowrem[i] -= v; e->colrem[j] -= v;
    fill(e, i + 1, j, s - e->lfact[(size_t)v]);
    e->rowrem[i] += v; e->colrem[j] += v;
  }
}

static int enumerate(const double *x, size_t nr, size_t nc, const double *rs, const double *cs, double n,
                     const st_fisher_opts *o, const double *lfact, st_htest *r, mlsh_err *err) {
  double *rem = mlsh_malloc((nr + nc) * sizeof *rem);
  if (!rem) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  enumjob e = {nr, nc, lfact, rem, rem + nr, 0, 0, 0, 0, o->max_tables, 0};
  memcpy(rem, rs, nr * sizeof *rem);
  memcpy(rem + nr, cs, nc * sizeof *rem);
  e.logc = -lfact[(size_t)n];
  for (size_t i = 0; i < nr; i++) e.logc += lfact[(size_t)rs[i]];
  for (size_t j = 0; j < nc; j++) e.logc += lfact[(size_t)cs[j]];
  double obs = e.logc;
  for (size_t k = 0; k < nr * nc; k++) obs -= lfact[(size_t)x[k]];
  e.threshold = obs + log(REL_ERR);
  fill(&e, 0, 0, 0);
  mlsh_free(rem);
  if (e.status == MLSH_EINTR) return mlsh_seterr(err, MLSH_EINTR, "interrupted");
  if (e.status)
    return mlsh_seterr(err, MLSH_EINVAL, "more than %.0f tables have these margins: use simulate_p_value = true "
                       "(or raise max_tables)", o->max_tables);
  r->p_value = fmin(1, e.p);
  return MLSH_OK;
}

/* R's simulate.p.value: tables drawn with the observed margins (a random
 * pairing of the row and column labels of the n units); the statistic is
 * -sum(log x!), R's almost-1 slack included. */
static int simulate(const double *x, size_t nr, size_t nc, const double *rs, const double *cs, double n,
                    const st_fisher_opts *o, const double *lfact, st_htest *r, mlsh_err *err) {
  size_t N = (size_t)n;
  size_t *col = mlsh_malloc((N ? N : 1) * sizeof *col);
  double *t = mlsh_malloc(nr * nc * sizeof *t);
  if (!col || !t) { mlsh_free(col); mlsh_free(t); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  size_t u = 0;
  for (size_t j = 0; j < nc; j++) for (double c = 0; c < cs[j]; c++) col[u++] = j;
  double stat = 0, count = 0;
  for (size_t k = 0; k < nr * nc; k++) stat -= lfact[(size_t)x[k]];
  mlsh_rng rng;
  mlsh_rng_seed(&rng, o->seed);
  int rc = MLSH_OK;
  for (int b = 0; b < o->B && rc == MLSH_OK; b++) {
    if ((b & 1023) == 0 && mlsh_interrupted()) { rc = mlsh_seterr(err, MLSH_EINTR, "interrupted"); break; }
    mlsh_rng_shuffle(&rng, col, N);
    memset(t, 0, nr * nc * sizeof *t);
    size_t unit = 0;
    for (size_t i = 0; i < nr; i++) for (double c = 0; c < rs[i]; c++) t[i * nc + col[unit++]] += 1;
    double s = 0;
    for (size_t k = 0; k < nr * nc; k++) s -= lfact[(size_t)t[k]];
    count += s <= stat / (1 + 64 * DBL_EPSILON);
  }
  r->p_value = (1 + count) / (o->B + 1.0);
  mlsh_free(col);
  mlsh_free(t);
  return rc;
}

#define FISHER_MAX_N 1e7   /* log factorials are tabulated up to the total */

static int check_table(double *x, size_t len, mlsh_err *err, const char **warning) {
  double worst = 0;
  for (size_t k = 0; k < len; k++) {
    if (!(x[k] >= 0) || !isfinite(x[k])) return mlsh_seterr(err, MLSH_EINVAL, "all entries of 'x' must be nonnegative and finite");
    double v = nearbyint(x[k]);
    worst = fmax(worst, fabs(v - x[k]));
    x[k] = v;
  }
  if (worst > 1e-7) *warning = "'x' has been rounded to integer";
  return MLSH_OK;
}

int st_fisher_test(const double *x0, size_t nr, size_t nc, const st_fisher_opts *o, st_htest *r, mlsh_err *err) {
  memset(r, 0, sizeof *r);
  if (nr < 2 || nc < 2) return mlsh_seterr(err, MLSH_EINVAL, "'x' must have at least 2 rows and columns (got %zu x %zu)", nr, nc);
  if (!(o->conf_level > 0 && o->conf_level < 1)) return mlsh_seterr(err, MLSH_EINVAL, "'conf_level' must be in (0, 1)");
  if (!(o->or >= 0)) return mlsh_seterr(err, MLSH_EINVAL, "'or' must be a single number between 0 and Inf");
  size_t len = nr * nc;
  double *buf = mlsh_malloc((len + nr + nc) * sizeof *buf), *lfact = NULL;
  if (!buf) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *x = buf, *rs = buf + len, *cs = rs + nr, n = 0;
  memcpy(x, x0, len * sizeof *x);
  int rc = check_table(x, len, err, &r->warning);
  r->method = "Fisher's Exact Test for Count Data";
  r->parameter = r->statistic = r->conf_int[0] = r->conf_int[1] = NAN;
  if (rc == MLSH_OK && nr == 2 && nc == 2) rc = two_by_two(x, o, r, err);
  else if (rc == MLSH_OK) {
    memset(rs, 0, (nr + nc) * sizeof *rs);
    for (size_t i = 0; i < nr; i++)
      for (size_t j = 0; j < nc; j++) { rs[i] += x[i * nc + j]; cs[j] += x[i * nc + j]; n += x[i * nc + j]; }
    if (n > FISHER_MAX_N) rc = mlsh_seterr(err, MLSH_EINVAL, "the table's total (%.0f) is above %.0f", n, FISHER_MAX_N);
    else if (!(lfact = mlsh_malloc(((size_t)n + 1) * sizeof *lfact))) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    else {
      for (size_t k = 0; k <= (size_t)n; k++) lfact[k] = lgammafn((double)k + 1);
      size_t zr = 0, zc = 0;
      for (size_t i = 0; i < nr; i++) zr += rs[i] > 0;
      for (size_t j = 0; j < nc; j++) zc += cs[j] > 0;
      if (o->simulate && zr < 2) rc = mlsh_seterr(err, MLSH_EINVAL, "need 2 or more non-zero row marginals");
      else if (o->simulate && zc < 2) rc = mlsh_seterr(err, MLSH_EINVAL, "need 2 or more non-zero column marginals");
      else if (o->simulate) {
        r->method = "Fisher's Exact Test for Count Data with simulated p-value";
        rc = simulate(x, nr, nc, rs, cs, n, o, lfact, r, err);
      } else rc = enumerate(x, nr, nc, rs, cs, n, o, lfact, r, err);
    }
  }
  r->nx = (size_t)n;
  mlsh_free(lfact);
  mlsh_free(buf);
  return rc;
}
