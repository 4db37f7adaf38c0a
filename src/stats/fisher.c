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
#include <stdlib.h>
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

/* ---- r x c: the tables with the observed margins ----
 * Columns are filled one at a time; a table's probability is
 * exp(logc - sum log x!). At each partial table, bounds on what the
 * remaining cells can add (from relaxing one set of margins) settle whole
 * subtrees, as FEXACT's network algorithm does: when even the most
 * probable completion is at most the observed probability, all of them
 * count, and their total has a closed form; when even the least probable
 * one is above it, none does. */

typedef struct enumjob {
  size_t m, k;                /* state rows (the smaller side), columns */
  const double *lfact;        /* log j! */
  double *rem;                /* what is left of the row margins */
  const double *col;          /* column margins, ascending */
  double *caps;               /* scratch, m + k values */
  double logc, threshold;     /* log of the constant part; log of the observed probability, with R's slack */
  double p;                   /* sum over the tables at most as probable */
  double visited, max_tables;
  int status;
} enumjob;

static int by_size_up(const void *a, const void *b) { return st_cmp_double(a, b); }
static int by_size_down(const void *a, const void *b) { return st_cmp_double(b, a); }

/* -sum log x! of total units in cells with the given caps, spread as
 * evenly as they allow (the most probable) or piled into the largest
 * caps (the least probable). caps is sorted here. */
static double spread(const enumjob *e, double total, double *caps, size_t n) {
  qsort(caps, n, sizeof *caps, by_size_up);
  double s = 0;
  for (size_t i = 0; i < n; i++) {
    double share = floor(total / (double)(n - i));
    if (caps[i] <= share) { s -= e->lfact[(size_t)caps[i]]; total -= caps[i]; continue; }
    double left = n - i, extra = total - share * left;   /* extra cells get share + 1 */
    return s - extra * e->lfact[(size_t)share + 1] - (left - extra) * e->lfact[(size_t)share];
  }
  return s;
}

static double pile(const enumjob *e, double total, double *caps, size_t n) {
  qsort(caps, n, sizeof *caps, by_size_down);
  double s = 0;
  for (size_t i = 0; i < n && total > 0; i++) {
    double x = fmin(caps[i], total);
    s -= e->lfact[(size_t)x];
    total -= x;
  }
  return s;
}

/* Bounds on -sum log x! over the columns j.. given the rows left: the
 * tighter of the row-wise and the column-wise relaxations. */
static void bounds(const enumjob *e, size_t j, double *hi, double *lo) {
  double rmax = 0, rmin = 0, cmax = 0, cmin = 0, *caps = e->caps;
  size_t nk = e->k - j;
  for (size_t i = 0; i < e->m; i++) {
    memcpy(caps, e->col + j, nk * sizeof *caps);
    rmax += spread(e, e->rem[i], caps, nk);
    memcpy(caps, e->col + j, nk * sizeof *caps);
    rmin += pile(e, e->rem[i], caps, nk);
  }
  for (size_t l = j; l < e->k; l++) {
    memcpy(caps, e->rem, e->m * sizeof *caps);
    cmax += spread(e, e->col[l], caps, e->m);
    memcpy(caps, e->rem, e->m * sizeof *caps);
    cmin += pile(e, e->col[l], caps, e->m);
  }
  *hi = fmin(rmax, cmax);
  *lo = fmax(rmin, cmin);
}

/* log of the sum over all completions of prod 1/x!: N! / (prod R! prod C!). */
static double log_completions(const enumjob *e, size_t j) {
  double n = 0, s = 0;
  for (size_t i = 0; i < e->m; i++) { n += e->rem[i]; s -= e->lfact[(size_t)e->rem[i]]; }
  for (size_t l = j; l < e->k; l++) s -= e->lfact[(size_t)e->col[l]];
  return s + e->lfact[(size_t)n];
}

static void node(enumjob *e, size_t j, double past);

/* Column j, row i onwards: colrem units left to place; then the next node. */
static void fill_column(enumjob *e, size_t j, size_t i, double colrem, double past) {
  if (e->status) return;
  if (i == e->m - 1) {
    if (colrem > e->rem[i]) return;
    e->rem[i] -= colrem;
    node(e, j + 1, past - e->lfact[(size_t)colrem]);
    e->rem[i] += colrem;
    return;
  }
  double below = 0;
  for (size_t a = i + 1; a < e->m; a++) below += e->rem[a];
  double hi = fmin(e->rem[i], colrem), lo = fmax(0, colrem - below);
  for (double v = lo; v <= hi; v++) {
    e->rem[i] -= v;
    fill_column(e, j, i + 1, colrem - v, past - e->lfact[(size_t)v]);
    e->rem[i] += v;
  }
}

static void node(enumjob *e, size_t j, double past) {
  if (e->status) return;
  if (++e->visited > e->max_tables) { e->status = MLSH_EINVAL; return; }
  if (((size_t)e->visited & 0xffff) == 0 && mlsh_interrupted()) { e->status = MLSH_EINTR; return; }
  if (j == e->k - 1) {   /* the last column is what the rows have left */
    for (size_t i = 0; i < e->m; i++) past -= e->lfact[(size_t)e->rem[i]];
    if (e->logc + past <= e->threshold) e->p += exp(e->logc + past);
    return;
  }
  double hi, lo;
  bounds(e, j, &hi, &lo);
  if (e->logc + past + hi <= e->threshold) { e->p += exp(e->logc + past + log_completions(e, j)); return; }
  if (e->logc + past + lo > e->threshold) return;
  fill_column(e, j, 0, e->col[j], past);
}

static int enumerate(const double *x, size_t nr, size_t nc, const double *rs, const double *cs, double n,
                     const st_fisher_opts *o, const double *lfact, st_htest *r, mlsh_err *err) {
  int flip = nr > nc;   /* the state is the smaller margin */
  size_t m = flip ? nc : nr, k = flip ? nr : nc;
  double *buf = mlsh_malloc((2 * (m + k) + k) * sizeof *buf);
  if (!buf) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *rem = buf, *col = buf + m, *caps = col + k;
  memcpy(rem, flip ? cs : rs, m * sizeof *rem);
  memcpy(col, flip ? rs : cs, k * sizeof *col);
  qsort(col, k, sizeof *col, by_size_up);
  enumjob e = {m, k, lfact, rem, col, caps, 0, 0, 0, 0, o->max_tables, 0};
  e.logc = -lfact[(size_t)n];
  for (size_t i = 0; i < nr; i++) e.logc += lfact[(size_t)rs[i]];
  for (size_t j = 0; j < nc; j++) e.logc += lfact[(size_t)cs[j]];
  double obs = e.logc;
  for (size_t c = 0; c < nr * nc; c++) obs -= lfact[(size_t)x[c]];
  e.threshold = obs + log(REL_ERR);
  node(&e, 0, 0);
  mlsh_free(buf);
  if (e.status == MLSH_EINTR) return mlsh_seterr(err, MLSH_EINTR, "interrupted");
  if (e.status)
    return mlsh_seterr(err, MLSH_EINVAL, "the enumeration of the tables with these margins passes %.0f steps: "
                       "use simulate_p_value = true (or raise max_tables)", o->max_tables);
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
