/* lstats_distrib.c - stats.d/p/q/r<family>: R's distributions (libRmath)
 * vectorised as R: x and every parameter may be a number, an array or a
 * Matrix, recycled to the longest. Parameters go by position in R's order
 * or by name in the options table. */
#include <math.h>
#include <string.h>
#include "lmlsh.h"
#include "../stats/distrib.h"
#include "../core/interrupt.h"

typedef struct { int give_log, lower, log_p; uint64_t seed; } dist_args;

static const mlsh_opt d_rows[] = {
  MLSH_OPT_BOOL(dist_args, give_log, "log", 0, "true: the log of the density"), MLSH_OPT_END};
static const mlsh_opt pq_rows[] = {
  MLSH_OPT_BOOL(dist_args, lower, "lower_tail", 1, "true: probabilities are P[X <= x]; false: P[X > x]"),
  MLSH_OPT_BOOL(dist_args, log_p, "log_p", 0, "true: probabilities given as log(p)"), MLSH_OPT_END};
static const mlsh_opt r_rows[] = {MLSH_OPT_SEED(dist_args, seed), MLSH_OPT_END};

/* A vector-like argument: its values and length (a number: length 1). */
typedef struct { const double *v; size_t n; double one; int scalar; } dist_vec;

static void read_vec(lua_State *L, int idx, const char *fname, const char *arg, dist_vec *out) {
  mlsh_mat *m;
  out->scalar = 0;
  if (lua_type(L, idx) == LUA_TNUMBER) {
    out->one = lua_tonumber(L, idx); out->v = &out->one; out->n = 1; out->scalar = 1;
  } else if ((m = lmat_test(L, idx)) != NULL) {
    out->v = m->data; out->n = MAT_LEN(m);
  } else if (lua_istable(L, idx)) {
    size_t n = lua_rawlen(L, idx);
    double *v = mlsh_scratch(L, (n ? n : 1) * sizeof(double), fname);  /* stays on the stack */
    for (size_t i = 0; i < n; i++) {
      lua_rawgeti(L, idx, (lua_Integer)i + 1);
      int ok;
      v[i] = lua_tonumberx(L, -1, &ok);
      if (!ok) mlsh_error(L, fname, "argument '%s': element %zu must be a number (got %s)", arg, i + 1, luaL_typename(L, -1));
      lua_pop(L, 1);
    }
    out->v = v; out->n = n;
  } else {
    mlsh_error(L, fname, "argument '%s' must be a number, an array or a Matrix (got %s)", arg, mlsh_typename(L, idx));
  }
}

/* The options: the argument after every parameter, or else the last
 * argument when it is a table that is neither a Matrix nor a non-empty
 * array (0: none). */
static int options_index(lua_State *L, const st_dist *D) {
  int top = lua_gettop(L);
  if (top == D->npar + 2) return top;
  if (top >= 2 && lua_type(L, top) == LUA_TTABLE && !lmat_test(L, top) && lua_rawlen(L, top) == 0) return top;
  return 0;
}

/* Parameter j from position 2 + j or by name, else its default. */
static void read_param(lua_State *L, const st_dist *D, int j, int npos, int opt, const char *fname, dist_vec *out) {
  const char *name = D->par[j];
  int named = opt && lua_getfield(L, opt, name) != LUA_TNIL;
  int given = j + 2 <= npos && !lua_isnoneornil(L, j + 2);
  if (named && given) mlsh_error(L, fname, "argument '%s' given both by position and by name", name);
  if (given) read_vec(L, j + 2, fname, name, out);
  else if (named) read_vec(L, lua_gettop(L), fname, name, out);
  else if (isnan(D->def[j])) mlsh_error(L, fname, "argument '%s' is missing, with no default", name);
  else { out->one = D->def[j]; out->v = &out->one; out->n = 1; out->scalar = 1; }
}

static void domain_error(lua_State *L, const st_dist *D, const char *fname, const char *xname, double x, const double *par) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  if (xname) { lua_pushfstring(L, "%s = %f", xname, x); luaL_addvalue(&b); }
  for (int j = 0; j < D->npar; j++) {
    lua_pushfstring(L, "%s%s = %f", j || xname ? ", " : "", D->par[j], par[j]);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  mlsh_error(L, fname, "%s is outside the %s distribution's domain (R gives NaN)", lua_tostring(L, -1), D->title);
}

/* Results: a number when every input was one, a Matrix shaped as x when x
 * was a Matrix of the result's length, else an array. */
static double *push_result(lua_State *L, size_t n, int scalar, mlsh_mat *xm, const char *fname) {
  if (xm && MAT_LEN(xm) == n && n > 0) return lmat_push_new(L, xm->rows, xm->cols, fname)->data;
  (void)scalar;
  return mlsh_scratch(L, (n ? n : 1) * sizeof(double), fname);
}

static int dist_call(lua_State *L, const st_dist *D, int kind, const mlsh_optspec *spec) {
  const char *fname = spec->fname;
  int top = lua_gettop(L);
  while (top > 1 && lua_isnil(L, top)) top--;  /* trailing nils are absent arguments */
  lua_settop(L, top);
  int opt = options_index(L, D);
  int npos = opt ? opt - 1 : lua_gettop(L);
  if (npos > 1 + D->npar)
    mlsh_error(L, fname, "too many arguments: %d after the first, the %s distribution has %d parameter%s", npos - 1,
               D->title, D->npar, D->npar == 1 ? "" : "s");
  dist_args a;
  mlsh_opts(L, opt ? opt : npos + 1, spec, &a);
  const char *xname = kind == 'd' ? "x" : kind == 'p' ? "q" : kind == 'q' ? "p" : NULL;
  dist_vec x = {0}, par[ST_DIST_MAXPAR];
  size_t n = 0;
  if (kind == 'r') n = mlsh_check_count(L, 1, fname, "n", (size_t)1 << 40);
  else { read_vec(L, 1, fname, xname, &x); n = x.n; }
  int scalar = kind != 'r' && x.scalar;
  for (int j = 0; j < D->npar; j++) {
    read_param(L, D, j, npos, opt, fname, &par[j]);
    if (par[j].n == 0) n = 0;
    else if (n && par[j].n > n && kind != 'r') n = par[j].n;
    scalar = scalar && par[j].scalar;
  }
  mlsh_mat *xm = kind == 'r' ? NULL : lmat_test(L, 1);
  double *out = push_result(L, n, scalar, xm, fname);
  int res = lua_gettop(L);
  mlsh_rng rng;
  if (kind == 'r') mlsh_rng_seed(&rng, a.seed);
  for (size_t i = 0; i < n; i++) {
    double p[ST_DIST_MAXPAR], xi = kind == 'r' ? 0 : x.v[i % x.n];
    int nan_in = isnan(xi);
    for (int j = 0; j < D->npar; j++) { p[j] = par[j].v[i % par[j].n]; nan_in |= isnan(p[j]); }
    double y = kind == 'd' ? D->d(xi, p, a.give_log) : kind == 'p' ? D->p(xi, p, a.lower, a.log_p)
             : kind == 'q' ? D->q(xi, p, a.lower, a.log_p) : st_dist_draw(D, p, &rng);
    if (isnan(y) && !nan_in) domain_error(L, D, fname, xname, xi, p);
    out[i] = y;
    if ((i & 0xffff) == 0xffff && mlsh_interrupted()) mlsh_fail(L, fname, MLSH_EINTR, NULL);
  }
  if (scalar && n == 1) { lua_pushnumber(L, out[0]); return 1; }
  if (xm && MAT_LEN(xm) == n && n > 0) { lua_pushvalue(L, res); return 1; }
  lua_createtable(L, (int)(n < 0x7fffffff ? n : 0), 0);
  for (size_t i = 0; i < n; i++) { lua_pushnumber(L, out[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
  return 1;
}

/* The option specs (R's parameters, then the kind's own options) and the
 * four entry points of one family. */
#define FAMILY(nm)                                                                             \
  static const mlsh_optspec nm##_base = {"stats." #nm, nm##_par, NULL};                          \
  static const mlsh_optspec d##nm##_spec = {"stats.d" #nm, d_rows, &nm##_base};                  \
  static const mlsh_optspec p##nm##_spec = {"stats.p" #nm, pq_rows, &nm##_base};                 \
  static const mlsh_optspec q##nm##_spec = {"stats.q" #nm, pq_rows, &nm##_base};                 \
  static const mlsh_optspec r##nm##_spec = {"stats.r" #nm, r_rows, &nm##_base};                  \
  static int l_d##nm(lua_State *L) { return dist_call(L, st_dist_find(#nm), 'd', &d##nm##_spec); } \
  static int l_p##nm(lua_State *L) { return dist_call(L, st_dist_find(#nm), 'p', &p##nm##_spec); } \
  static int l_q##nm(lua_State *L) { return dist_call(L, st_dist_find(#nm), 'q', &q##nm##_spec); } \
  static int l_r##nm(lua_State *L) { return dist_call(L, st_dist_find(#nm), 'r', &r##nm##_spec); }

#define DIST_NOTE                                                                                   \
  "\nComputed by R's own nmath library (libRmath), so values equal R's. Parameters by position in R's\n" \
  "order or by name in opts; x and parameters may be numbers, arrays or Matrices, recycled as R. A\n"    \
  "number in gives a number; a Matrix x gives a Matrix of its shape; else an array. NaN (NA) in gives\n" \
  "NaN out; parameters outside the domain are an error (R returns NaN with a warning)."
#define FAMILY_REGS(nm, sig, title, dex, pex, qex, rex)                                                               \
  {"d" #nm, l_d##nm, "stats.d" #nm "(x [, " sig "] [, opts])",                                              \
   "Density of the " title " distribution at x (for a discrete family, P[X = x]); R's d" #nm "."            \
   DIST_NOTE "\nExample: " dex, &d##nm##_spec},                                                                              \
  {"p" #nm, l_p##nm, "stats.p" #nm "(q [, " sig "] [, opts])",                                              \
   "Distribution function of the " title " distribution: P[X <= q] (lower_tail = false: P[X > q]); R's p" \
   #nm "." DIST_NOTE "\nExample: " pex, &p##nm##_spec},                                                \
  {"q" #nm, l_q##nm, "stats.q" #nm "(p [, " sig "] [, opts])",                                              \
   "Quantile function of the " title " distribution: the smallest x with P[X <= x] >= p; R's q" #nm "."    \
   DIST_NOTE "\nExample: " qex, &q##nm##_spec},                                                                              \
  {"r" #nm, l_r##nm, "stats.r" #nm "(n [, " sig "] [, opts])",                                              \
   "n random draws (an array) from the " title " distribution, by inversion of R's q" #nm " applied to\n"  \
   "mlsh's seeded generator: reproducible by seed, distributed as R's r" #nm " but not R's own draws\n"     \
   "(R's uniform generator differs). Parameters are recycled over the n draws.\nExample: " rex, &r##nm##_spec}

static const mlsh_opt norm_par[] = {
  MLSH_OPT_VALUE("mean", MLSH_OT_ANY, "0", "number, array or Matrix: the mean"),
  MLSH_OPT_VALUE("sd", MLSH_OT_ANY, "1", "number, array or Matrix: the standard deviation"),
  MLSH_OPT_END};
FAMILY(norm)
static const mlsh_opt t_par[] = {
  MLSH_OPT_VALUE("df", MLSH_OT_ANY, NULL, "number, array or Matrix: degrees of freedom (> 0, may be non-integer)"),
  MLSH_OPT_END};
FAMILY(t)
static const mlsh_opt chisq_par[] = {
  MLSH_OPT_VALUE("df", MLSH_OT_ANY, NULL, "number, array or Matrix: degrees of freedom (>= 0)"),
  MLSH_OPT_END};
FAMILY(chisq)
static const mlsh_opt f_par[] = {
  MLSH_OPT_VALUE("df1", MLSH_OT_ANY, NULL, "number, array or Matrix: numerator degrees of freedom"),
  MLSH_OPT_VALUE("df2", MLSH_OT_ANY, NULL, "number, array or Matrix: denominator degrees of freedom"),
  MLSH_OPT_END};
FAMILY(f)
static const mlsh_opt binom_par[] = {
  MLSH_OPT_VALUE("size", MLSH_OT_ANY, NULL, "number, array or Matrix: number of trials"),
  MLSH_OPT_VALUE("prob", MLSH_OT_ANY, NULL, "number, array or Matrix: probability of success"),
  MLSH_OPT_END};
FAMILY(binom)
static const mlsh_opt pois_par[] = {
  MLSH_OPT_VALUE("lambda", MLSH_OT_ANY, NULL, "number, array or Matrix: the mean (>= 0)"),
  MLSH_OPT_END};
FAMILY(pois)
static const mlsh_opt gamma_par[] = {
  MLSH_OPT_VALUE("shape", MLSH_OT_ANY, NULL, "number, array or Matrix: the shape (>= 0)"),
  MLSH_OPT_VALUE("rate", MLSH_OT_ANY, "1", "number, array or Matrix: the rate (1 / scale)"),
  MLSH_OPT_END};
FAMILY(gamma)
static const mlsh_opt beta_par[] = {
  MLSH_OPT_VALUE("shape1", MLSH_OT_ANY, NULL, "number, array or Matrix: the first shape (>= 0)"),
  MLSH_OPT_VALUE("shape2", MLSH_OT_ANY, NULL, "number, array or Matrix: the second shape (>= 0)"),
  MLSH_OPT_END};
FAMILY(beta)
static const mlsh_opt exp_par[] = {
  MLSH_OPT_VALUE("rate", MLSH_OT_ANY, "1", "number, array or Matrix: the rate (1 / mean)"),
  MLSH_OPT_END};
FAMILY(exp)
static const mlsh_opt unif_par[] = {
  MLSH_OPT_VALUE("min", MLSH_OT_ANY, "0", "number, array or Matrix: lower end"),
  MLSH_OPT_VALUE("max", MLSH_OT_ANY, "1", "number, array or Matrix: upper end"),
  MLSH_OPT_END};
FAMILY(unif)
static const mlsh_opt lnorm_par[] = {
  MLSH_OPT_VALUE("meanlog", MLSH_OT_ANY, "0", "number, array or Matrix: mean of the log"),
  MLSH_OPT_VALUE("sdlog", MLSH_OT_ANY, "1", "number, array or Matrix: standard deviation of the log"),
  MLSH_OPT_END};
FAMILY(lnorm)
static const mlsh_opt weibull_par[] = {
  MLSH_OPT_VALUE("shape", MLSH_OT_ANY, NULL, "number, array or Matrix: the shape (> 0)"),
  MLSH_OPT_VALUE("scale", MLSH_OT_ANY, "1", "number, array or Matrix: the scale"),
  MLSH_OPT_END};
FAMILY(weibull)
static const mlsh_opt nbinom_par[] = {
  MLSH_OPT_VALUE("size", MLSH_OT_ANY, NULL, "number, array or Matrix: target number of successes"),
  MLSH_OPT_VALUE("prob", MLSH_OT_ANY, NULL, "number, array or Matrix: probability of success in each trial"),
  MLSH_OPT_END};
FAMILY(nbinom)
static const mlsh_opt hyper_par[] = {
  MLSH_OPT_VALUE("m", MLSH_OT_ANY, NULL, "number, array or Matrix: white balls in the urn"),
  MLSH_OPT_VALUE("n", MLSH_OT_ANY, NULL, "number, array or Matrix: black balls in the urn"),
  MLSH_OPT_VALUE("k", MLSH_OT_ANY, NULL, "number, array or Matrix: balls drawn"),
  MLSH_OPT_END};
FAMILY(hyper)

static const mlsh_Reg distrib_funcs[] = {
  FAMILY_REGS(norm, "mean = 0, sd = 1", "normal",
              "stats.dnorm(0)  --> 0.3989423", "stats.pnorm(1.96)  --> 0.9750021",
              "stats.qnorm(0.975)  --> 1.959964", "stats.rnorm(3, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(t, "df", "Student t",
              "stats.dt(0, 5)  --> 0.3796067", "stats.pt(2, 5)  --> 0.9490303",
              "stats.qt(0.975, 5)  --> 2.570582", "stats.rt(3, 5, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(chisq, "df", "chi-squared",
              "stats.dchisq(1, 3)  --> 0.2419707", "stats.pchisq(3.84, 1)  --> 0.9499565",
              "stats.qchisq(0.95, 1)  --> 3.841459", "stats.rchisq(3, 1, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(f, "df1, df2", "F",
              "stats.df(1, 2, 10)  --> 0.334898", "stats.pf(3, 2, 10)  --> 0.9046326",
              "stats.qf(0.95, 2, 10)  --> 4.102821", "stats.rf(3, 2, 10, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(binom, "size, prob", "binomial",
              "stats.dbinom(3, 10, 0.5)  --> 0.1171875", "stats.pbinom(3, 10, 0.5)  --> 0.171875",
              "stats.qbinom(0.5, 10, 0.5)  --> 5", "stats.rbinom(3, 10, 0.5, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(pois, "lambda", "Poisson",
              "stats.dpois(2, 3)  --> 0.2240418", "stats.ppois(2, 3)  --> 0.4231901",
              "stats.qpois(0.5, 3)  --> 3", "stats.rpois(3, 3, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(gamma, "shape, rate = 1", "gamma",
              "stats.dgamma(1, 2)  --> 0.3678794", "stats.pgamma(2, 2)  --> 0.5939942",
              "stats.qgamma(0.5, 2)  --> 1.678347", "stats.rgamma(3, 2, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(beta, "shape1, shape2", "beta",
              "stats.dbeta(0.3, 2, 3)  --> 1.764", "stats.pbeta(0.3, 2, 3)  --> 0.3483",
              "stats.qbeta(0.5, 2, 3)  --> 0.3857276", "stats.rbeta(3, 2, 3, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(exp, "rate = 1", "exponential",
              "stats.dexp(1, 2)  --> 0.2706706", "stats.pexp(1, 2)  --> 0.8646647",
              "stats.qexp(0.5, 2)  --> 0.3465736", "stats.rexp(3, 2, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(unif, "min = 0, max = 1", "uniform",
              "stats.dunif(0.3)  --> 1", "stats.punif(0.3)  --> 0.3",
              "stats.qunif(0.3)  --> 0.3", "stats.runif(3, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(lnorm, "meanlog = 0, sdlog = 1", "log-normal",
              "stats.dlnorm(1)  --> 0.3989423", "stats.plnorm(2)  --> 0.7558914",
              "stats.qlnorm(0.5)  --> 1", "stats.rlnorm(3, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(weibull, "shape, scale = 1", "Weibull",
              "stats.dweibull(1, 2)  --> 0.7357589", "stats.pweibull(1.5, 2)  --> 0.8946008",
              "stats.qweibull(0.5, 2)  --> 0.8325546", "stats.rweibull(3, 2, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(nbinom, "size, prob", "negative binomial",
              "stats.dnbinom(2, 3, 0.5)  --> 0.1875", "stats.pnbinom(2, 3, 0.5)  --> 0.5",
              "stats.qnbinom(0.5, 3, 0.5)  --> 2", "stats.rnbinom(3, 3, 0.5, {seed = 42})  --> 3 draws"),
  FAMILY_REGS(hyper, "m, n, k", "hypergeometric",
              "stats.dhyper(1, 5, 10, 4)  --> 0.4395604", "stats.phyper(1, 5, 10, 4)  --> 0.5934066",
              "stats.qhyper(0.5, 5, 10, 4)  --> 1", "stats.rhyper(3, 5, 10, 4, {seed = 42})  --> 3 draws"),
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_stats_distrib(lua_State *L) { mlsh_register(L, "stats", distrib_funcs); }
