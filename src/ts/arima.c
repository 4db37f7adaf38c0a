/* arima.c - fitting and forecasting ARIMA models the way R's
 * stats::arima does (src/library/stats/R/arima.R): CSS starting values,
 * then the exact likelihood maximised by BFGS in a transformed space
 * that keeps AR parts stationary; standard errors from the Hessian. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <float.h>
#include "arima.h"
#include "optim.h"
#include "ts.h"
#include "../core/alloc.h"

#define MAXPAR 192   /* ARMA coefficients (<= 100) plus regressors (<= 60) */

void ts_arima_defaults(ts_arima_opts *o) {
  memset(o, 0, sizeof *o);
  o->ord.s = 1;
  o->method = TS_CSS_ML;
  o->include_mean = 1;
  o->transform_pars = 1;
  o->kappa = 1e6;
  o->maxit = 100;
}

void ts_arima_free(ts_arima_fit *f) {
  if (!f) return;
  mlsh_free(f->coef); mlsh_free(f->se); mlsh_free(f->var); mlsh_free(f->mask);
  mlsh_free(f->names); mlsh_free(f->resid); mlsh_free(f->phi); mlsh_free(f->theta);
  mlsh_free(f->delta); mlsh_free(f->a); mlsh_free(f->P);
  memset(f, 0, sizeof *f);
}

/* Everything the objective needs; one allocation, freed by the caller. */
typedef struct fitctx {
  const double *y; size_t n;
  ts_order o;
  int narma, ncoef, nx, nfree, trans, css, p, q, r, d, rd;
  const double *X;           /* n x nx regressors (row-major) */
  double *coef, *x, *w, *phi, *theta, *delta, *a, *P, *Pn, *Q0, *parscale, *work;
  int *free_idx;
  int oom;                   /* an allocation failed inside the objective */
  size_t ncond;
  double kappa;
} fitctx;

/* Put the scaled free parameters into coef, and x = y - X beta. */
static void load_pars(fitctx *c, const double *par) {
  for (int k = 0; k < c->nfree; k++) c->coef[c->free_idx[k]] = par[k] * c->parscale[k];
  if (c->nx > 0) {
    const double *beta = c->coef + c->narma;
    for (size_t t = 0; t < c->n; t++) {
      double s = c->y[t];
      for (int j = 0; j < c->nx; j++) s -= c->X[t * c->nx + j] * beta[j];
      c->x[t] = s;
    }
  }
}

/* The exact filter from the stationary start; returns 0 or a status. */
static int run_filter(fitctx *c, const double *x, double *resid, double *ssq, double *sumlog, size_t *nu) {
  int r = c->r, rd = c->rd;
  int rc = ts_getQ0(c->phi, c->p, c->theta, c->q, c->Q0, NULL);
  if (rc) return rc;
  memset(c->a, 0, (size_t)rd * sizeof(double));
  memset(c->Pn, 0, (size_t)rd * rd * sizeof(double));
  memset(c->P, 0, (size_t)rd * rd * sizeof(double));
  for (int i = 0; i < r; i++)
    for (int j = 0; j < r; j++) c->Pn[(size_t)i * rd + j] = c->Q0[(size_t)i * r + j];
  for (int i = r; i < rd; i++) c->Pn[(size_t)i * rd + i] = c->kappa;
  ts_ss m = { c->p, c->q, r, c->d, rd, c->phi, c->theta, c->delta, c->a, c->P, c->Pn, c->work };
  ts_arima_like(x, c->n, &m, resid, ssq, sumlog, nu);
  return MLSH_OK;
}

/* R's armafn (exact likelihood) and armaCSS, as -loglik / n up to constants. */
static double objective(int n, const double *par, void *vc) {
  fitctx *c = vc;
  (void)n;
  load_pars(c, par);
  const double *x = c->nx > 0 ? c->x : c->y;
  if (c->css) {
    ts_expand_arma(&c->o, c->coef, 0, c->phi, c->theta);
    double s2 = ts_arima_css(x, c->n, &c->o, c->phi, c->p, c->theta, c->q, c->ncond, c->w, NULL);
    return 0.5 * log(s2);
  }
  ts_expand_arma(&c->o, c->coef, c->trans, c->phi, c->theta);
  double ssq, sumlog;
  size_t nu;
  int rc = run_filter(c, x, NULL, &ssq, &sumlog, &nu);
  if (rc == MLSH_ENOMEM) { c->oom = 1; return NAN; }
  if (rc) return DBL_MAX;
  if (nu == 0) return DBL_MAX;
  return 0.5 * (log(ssq / (double)nu) + sumlog / (double)nu);
}

/* In-place differencing of an n x k column-major-by-row matrix: lag, times. */
static size_t diff_rows(double *v, size_t n, int k, int lag, int times) {
  for (int t = 0; t < times; t++) {
    if (n <= (size_t)lag) return 0;
    for (size_t i = 0; i + lag < n; i++)
      for (int j = 0; j < k; j++) v[i * k + j] = v[(i + lag) * k + j] - v[i * k + j];
    n -= (size_t)lag;
  }
  return n;
}

/* R's ARIMA_Gradtrans: Jacobian of the AR transform by differences (1e-3). */
static void gradtrans(const ts_order *o, const double *raw, int n, double *A) {
  double w1[MAXPAR], w2[MAXPAR], w3[MAXPAR];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) A[i * n + j] = i == j;
  int blocks[2][2] = { { 0, o->p }, { o->p + o->q, o->P } };
  for (int b = 0; b < 2; b++) {
    int v = blocks[b][0], m = blocks[b][1];
    if (m <= 0) continue;
    memcpy(w1, raw + v, (size_t)m * sizeof(double));
    ts_partrans(m, w1, w2);
    for (int i = 0; i < m; i++) {
      w1[i] += 1e-3;
      ts_partrans(m, w1, w3);
      for (int j = 0; j < m; j++) A[(i + v) * n + j + v] = (w3[j] - w2[j]) / 1e-3;
      w1[i] -= 1e-3;
    }
  }
}

static int check_opts(size_t n, const ts_arima_opts *o, mlsh_err *err) {
  const ts_order *d = &o->ord;
  if (d->p < 0 || d->d < 0 || d->q < 0 || d->P < 0 || d->D < 0 || d->Q < 0)
    return mlsh_seterr(err, MLSH_EINVAL, "orders must be non-negative integers");
  if ((d->P || d->D || d->Q) && d->s < 2)
    return mlsh_seterr(err, MLSH_EINVAL, "a seasonal order needs a period >= 2 (got %d)", d->s);
  int narma = d->p + d->q + d->P + d->Q;
  if (narma > 100) return mlsh_seterr(err, MLSH_EINVAL, "too many ARMA coefficients (%d > 100)", narma);
  int r = d->p + d->s * d->P, rq = d->q + d->s * d->Q + 1;
  if (rq > r) r = rq;
  if (r > 350) return mlsh_seterr(err, MLSH_EINVAL, "maximum supported lag is 350 (got %d)", r);
  if (r + d->d + d->s * d->D > 1000)
    return mlsh_seterr(err, MLSH_EINVAL, "the state has %d > 1000 elements (differencing too long)", r + d->d + d->s * d->D);
  if (n < 2) return mlsh_seterr(err, MLSH_EINVAL, "series too short (n = %zu)", n);
  if (o->xreg && o->xreg->rows != n)
    return mlsh_seterr(err, MLSH_EINVAL, "xreg has %zu rows, the series %zu", o->xreg->rows, n);
  return MLSH_OK;
}


/* Stationarity of the (seasonal) AR parts of unconstrained coefficients. */
static int ar_ok(const ts_order *o, const double *coef) {
  return ts_ar_stationary(coef, o->p) && ts_ar_stationary(coef + o->p + o->q, o->P);
}

/* Variance of the estimates from the Hessian H (nfree x nfree) of the
 * objective: solve(H * nobs), mapped through the AR transform's Jacobian
 * when the fit ran in the transformed space. NaN when singular. */
static int coef_var(ts_arima_fit *f, fitctx *c, double *H, const double *rawcoef, int trans) {
  int nf = c->nfree, nc = c->ncoef;
  double *B = mlsh_calloc((size_t)nf * nf + (size_t)nc * nc, sizeof(double));
  if (!B) return MLSH_ENOMEM;
  double *A = B + (size_t)nf * nf;
  for (int i = 0; i < nf * nf; i++) H[i] *= (double)f->nobs;
  for (int i = 0; i < nf; i++) B[i * nf + i] = 1.0;
  int ok = ts_solve(H, B, nf, nf);   /* B = (H n)^-1 */
  for (int i = 0; i < nf && ok; i++) if (!(B[i * nf + i] > 0)) ok = 0;
  if (!ok) {
    snprintf(f->warning, sizeof f->warning, "the Hessian is singular or not positive definite: standard errors are NaN");
  } else {
    if (trans) {   /* var = A' B A on the free parameters */
      gradtrans(&c->o, rawcoef, nc, A);
      double *T = mlsh_calloc((size_t)nf * nf, sizeof(double));
      if (!T) { mlsh_free(B); return MLSH_ENOMEM; }
      for (int i = 0; i < nf && ok; i++)
        for (int j = 0; j < nf; j++) {
          double s = 0;
          for (int k = 0; k < nf; k++) s += B[i * nf + k] * A[c->free_idx[k] * nc + c->free_idx[j]];
          T[i * nf + j] = s;
        }
      for (int i = 0; i < nf && ok; i++)
        for (int j = 0; j < nf; j++) {
          double s = 0;
          for (int k = 0; k < nf; k++) s += A[c->free_idx[k] * nc + c->free_idx[i]] * T[k * nf + j];
          B[i * nf + j] = s;
        }
      mlsh_free(T);
    }
    for (int i = 0; i < nf && ok; i++)
      for (int j = 0; j < nf; j++) f->var[c->free_idx[i] * nc + c->free_idx[j]] = B[i * nf + j];
  }
  mlsh_free(B);
  return MLSH_OK;
}

/* Regressor rows: intercept, drift (1..n), the user's columns. */
static void fill_design(const ts_arima_opts *o, int has_int, size_t n, int nx, double *X) {
  int nuser = o->xreg ? (int)o->xreg->cols : 0;
  for (size_t t = 0; t < n; t++) {
    int j = 0;
    if (has_int) X[t * nx + j++] = 1.0;
    if (o->drift) X[t * nx + j++] = (double)(t + 1);
    for (int u = 0; u < nuser; u++) X[t * nx + j++] = MAT_AT(o->xreg, t, u);
  }
}

/* R's treatment of several free regressors: rotate them onto the right
 * singular vectors V of the complete rows (orthogonal columns help BFGS). */
static int rotate_design(double *X, size_t n, int nx, double *V, mlsh_err *err) {
  mlsh_mat Xc = { 0, 0, NULL }, U = { 0, 0, NULL }, S = { 0, 0, NULL }, Vm = { 0, 0, NULL };
  size_t rows = 0;
  for (size_t t = 0; t < n; t++) {
    int ok = 1;
    for (int j = 0; j < nx && ok; j++) ok = !isnan(X[t * nx + j]);
    rows += ok;
  }
  int rc = mat_alloc(&Xc, rows, (size_t)nx, err);
  if (rc) return rc;
  size_t k = 0;
  for (size_t t = 0; t < n; t++) {
    int ok = 1;
    for (int j = 0; j < nx && ok; j++) ok = !isnan(X[t * nx + j]);
    if (ok) memcpy(Xc.data + (k++) * nx, X + t * nx, (size_t)nx * sizeof(double));
  }
  rc = mat_svd(&Xc, &U, &S, &Vm, err);
  if (rc == MLSH_OK) {
    memcpy(V, Vm.data, (size_t)nx * nx * sizeof(double));
    for (size_t t = 0; t < n; t++) {
      double row[64];
      for (int j = 0; j < nx; j++) {
        double s = 0;
        for (int l = 0; l < nx; l++) s += X[t * nx + l] * V[l * nx + j];
        row[j] = s;
      }
      memcpy(X + t * nx, row, (size_t)nx * sizeof(double));
    }
  }
  mat_free(&Xc); mat_free(&U); mat_free(&S); mat_free(&Vm);
  return rc;
}

/* Back from rotated regressors: beta = V b, var = A var A' (A = diag(1, V)). */
static int unrotate(ts_arima_fit *f, double *coef, int narma, int nx, const double *V, mlsh_err *err) {
  int nc = narma + nx;
  double b[64];
  for (int j = 0; j < nx; j++) {
    double s = 0;
    for (int l = 0; l < nx; l++) s += V[j * nx + l] * coef[narma + l];
    b[j] = s;
  }
  memcpy(coef + narma, b, (size_t)nx * sizeof(double));
  double *A = mlsh_calloc((size_t)nc * nc * 2, sizeof(double));
  if (!A) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *Tm = A + (size_t)nc * nc;
  for (int i = 0; i < nc; i++) A[i * nc + i] = 1.0;
  for (int i = 0; i < nx; i++)
    for (int j = 0; j < nx; j++) A[(narma + i) * nc + narma + j] = V[i * nx + j];
  for (int i = 0; i < nc; i++)      /* zero entries skipped: var is NaN for fixed ARMA terms */
    for (int j = 0; j < nc; j++) {
      double s = 0;
      for (int k = 0; k < nc; k++) if (A[i * nc + k] != 0) s += A[i * nc + k] * f->var[k * nc + j];
      Tm[i * nc + j] = s;
    }
  for (int i = 0; i < nc; i++)
    for (int j = 0; j < nc; j++) {
      double s = 0;
      for (int k = 0; k < nc; k++) if (A[j * nc + k] != 0) s += Tm[i * nc + k] * A[j * nc + k];
      f->var[i * nc + j] = s;
    }
  mlsh_free(A);
  return MLSH_OK;
}

/* One fit in progress: the model's sizes, the objective's context, the
 * scratch carved from one allocation, and the optimiser's state. Each
 * stage below reads and fills it; ts_arima runs them in order and frees
 * everything in one place. */
typedef struct arima_job {
  const double *y; size_t n;
  const ts_arima_opts *o;
  ts_arima_fit *f;
  mlsh_err *err;
  ts_order od;
  int narma, p, q, r, nd, rd, has_int, nuser, nx, nc;
  int method, trans, rotated, nf, fail;
  size_t complete;
  fitctx c;
  double *mem; int *imem;
  double *init, *par, *H, *X, *DX, *V, *psave;
  double ps[MAXPAR];   /* scales of the free parameters, in free order */
  double fmin;
} arima_job;

static const double reltol = 1.490116119384765625e-8;

static int oom(arima_job *j) { return mlsh_seterr(j->err, MLSH_ENOMEM, "not enough memory"); }

/* Sizes of the model from its order and regressors. */
static int job_orders(arima_job *j) {
  const ts_arima_opts *o = j->o;
  ts_order od = o->ord;
  if (!(od.P || od.D || od.Q)) od.s = od.s < 1 ? 1 : od.s;
  j->od = od;
  j->narma = od.p + od.q + od.P + od.Q;
  j->p = od.p + od.s * od.P; j->q = od.q + od.s * od.Q;
  j->r = j->p > j->q + 1 ? j->p : j->q + 1;
  j->nd = od.d + od.s * od.D;
  j->rd = j->r + j->nd;
  j->has_int = o->include_mean && od.d + od.D == 0;
  j->nuser = o->xreg ? (int)o->xreg->cols : 0;
  j->nx = j->has_int + (o->drift ? 1 : 0) + j->nuser;
  j->nc = j->narma + j->nx;
  if (j->nx > 60) return mlsh_seterr(j->err, MLSH_EINVAL, "too many regressors (%d > 60)", j->nx);
  if (o->fixed && o->nfixed != (size_t)j->nc)
    return mlsh_seterr(j->err, MLSH_EINVAL, "fixed has %zu values, the model %d coefficients", o->nfixed, j->nc);
  return MLSH_OK;
}

/* The result's arrays and one block of scratch doubles. */
static int job_alloc(arima_job *j) {
  ts_arima_fit *f = j->f;
  size_t n = j->n, nc = (size_t)j->nc, nx = (size_t)j->nx, r = (size_t)j->r, rd = (size_t)j->rd;
  size_t doubles = n * 3 + (size_t)(j->p + j->q + j->nd) + 2 * rd + 4 * rd * rd + r * r
                   + 4 * nc + nc * nc + n * nx * 2 + nx * nx + 16;
  j->mem = mlsh_calloc(doubles, sizeof(double));
  j->imem = mlsh_calloc(nc + 1, sizeof(int));
  f->coef = mlsh_calloc(nc + 1, sizeof(double));
  f->se = mlsh_calloc(nc + 1, sizeof(double));
  f->var = mlsh_calloc(nc * nc + 1, sizeof(double));
  f->mask = mlsh_calloc(nc + 1, sizeof(int));
  f->names = mlsh_calloc(nc + 1, sizeof *f->names);
  f->resid = mlsh_calloc(n, sizeof(double));
  f->phi = mlsh_calloc((size_t)j->p + 1, sizeof(double));
  f->theta = mlsh_calloc((size_t)j->q + 1, sizeof(double));
  f->delta = mlsh_calloc((size_t)j->nd + 1, sizeof(double));
  f->a = mlsh_calloc(rd, sizeof(double));
  f->P = mlsh_calloc(rd * rd, sizeof(double));
  if (!j->mem || !j->imem || !f->coef || !f->se || !f->var || !f->mask || !f->names || !f->resid ||
      !f->phi || !f->theta || !f->delta || !f->a || !f->P) return oom(j);
  for (size_t i = 0; i < nc * nc; i++) f->var[i] = NAN;
  return MLSH_OK;
}

/* Carve the scratch block into the objective's arrays and the job's own. */
static int job_carve(arima_job *j) {
  fitctx *c = &j->c;
  size_t n = j->n, nc = (size_t)j->nc, nx = (size_t)j->nx, rd = (size_t)j->rd;
  double *mp = j->mem;
  c->x = mp; mp += n; c->w = mp; mp += 2 * n;
  c->phi = mp; mp += j->p; c->theta = mp; mp += j->q; c->delta = mp; mp += j->nd;
  c->a = mp; mp += rd; mp += rd; c->P = mp; mp += rd * rd; c->Pn = mp; mp += rd * rd;
  c->Q0 = mp; mp += (size_t)j->r * j->r;
  c->work = mp; mp += 2 * rd * rd;
  c->coef = mp; mp += nc; c->parscale = mp; mp += nc;
  j->init = mp; mp += nc; j->par = mp; mp += nc;
  j->H = mp; mp += nc * nc;
  j->X = mp; mp += n * nx; j->DX = mp; mp += n * nx;
  j->V = mp;
  c->free_idx = j->imem;
  c->y = j->y; c->n = j->n; c->o = j->od; c->narma = j->narma; c->ncoef = j->nc; c->nx = j->nx;
  c->p = j->p; c->q = j->q; c->r = j->r; c->d = j->nd; c->rd = j->rd;
  c->kappa = j->o->kappa > 0 ? j->o->kappa : 1e6; c->X = j->X;
  return MLSH_OK;
}

/* Delta: coefficients of (1 - B)^d (1 - B^s)^D, negated without the 1;
 * the coefficient names and the regressors. */
static int job_prepare(arima_job *j) {
  const ts_order *od = &j->od;
  double poly[1024] = { 1.0 };
  int len = 1;
  for (int k = 0; k < od->d + od->D; k++) {
    int lag = k < od->d ? 1 : od->s;
    for (int i = len + lag - 1; i >= 0; i--) poly[i] = (i < len ? poly[i] : 0.0) - (i >= lag ? poly[i - lag] : 0.0);
    len += lag;
  }
  for (int i = 0; i < j->nd; i++) j->c.delta[i] = -poly[i + 1];
  char (*names)[16] = j->f->names;
  int k = 0;
  for (int i = 0; i < od->p; i++) snprintf(names[k++], 16, "ar%d", i + 1);
  for (int i = 0; i < od->q; i++) snprintf(names[k++], 16, "ma%d", i + 1);
  for (int i = 0; i < od->P; i++) snprintf(names[k++], 16, "sar%d", i + 1);
  for (int i = 0; i < od->Q; i++) snprintf(names[k++], 16, "sma%d", i + 1);
  if (j->has_int) snprintf(names[k++], 16, "intercept");
  if (j->o->drift) snprintf(names[k++], 16, "drift");
  for (int i = 0; i < j->nuser; i++) snprintf(names[k++], 16, j->nuser == 1 ? "xreg" : "xreg%d", i + 1);
  fill_design(j->o, j->has_int, j->n, j->nx, j->X);
  return MLSH_OK;
}

/* Enough complete, non-constant observations for the order and method. */
static int job_check_series(arima_job *j) {
  const double *y = j->y;
  size_t n = j->n, complete = 0;
  int nx = j->nx;
  for (size_t t = 0; t < n; t++) {
    int ok = !isnan(y[t]);
    for (int k = 0; k < nx && ok; k++) ok = !isnan(j->X[t * nx + k]);
    complete += ok;
  }
  if (complete <= (size_t)j->nd)
    return mlsh_seterr(j->err, MLSH_EINVAL, "too few non-missing observations (%zu for differencing of order %d)", complete, j->nd);
  j->f->nobs = complete - (size_t)j->nd;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t t = 0; t < n; t++) if (!isnan(y[t])) { lo = fmin(lo, y[t]); hi = fmax(hi, y[t]); }
  int all_fixed = j->o->fixed != NULL;   /* R fits a fully fixed model to constant data */
  for (int i = 0; all_fixed && i < j->nc; i++) all_fixed = !isnan(j->o->fixed[i]);
  if (!(hi > lo) && j->nuser == 0 && !all_fixed) return mlsh_seterr(j->err, MLSH_EINVAL, "the series is constant (%g): nothing to model", lo);
  const ts_order *od = &j->od;
  j->method = j->o->method;
  if (j->method == TS_CSS_ML && complete < n) j->method = TS_ML;
  j->c.ncond = j->method == TS_ML ? 0 : (size_t)(od->d + od->D * od->s + od->p + od->s * od->P);
  if (j->method != TS_ML && j->c.ncond >= n)
    return mlsh_seterr(j->err, MLSH_EINVAL, "series too short for the order (n = %zu, %zu values needed to start)", n, j->c.ncond + 1);
  if ((size_t)(j->narma + nx) >= j->f->nobs)
    return mlsh_seterr(j->err, MLSH_EINVAL, "series too short for the order: %zu usable observations for %d coefficients", j->f->nobs, j->narma + nx);
  return MLSH_OK;
}

/* Which coefficients are estimated, and whether the AR parts can be transformed. */
static int job_free_params(arima_job *j) {
  ts_arima_fit *f = j->f;
  fitctx *c = &j->c;
  for (int i = 0; i < j->nc; i++) {
    double fx = j->o->fixed ? j->o->fixed[i] : NAN;
    f->mask[i] = isnan(fx);
    c->coef[i] = fx;
    if (f->mask[i]) c->free_idx[c->nfree++] = i;
  }
  j->trans = j->o->transform_pars && c->nfree > 0;
  if (j->trans) {
    int fixed_ar = 0;
    for (int i = 0; i < j->od.p; i++) fixed_ar |= !f->mask[i];
    for (int i = 0; i < j->od.P; i++) fixed_ar |= !f->mask[j->od.p + j->od.q + i];
    if (fixed_ar) {
      j->trans = 0;
      snprintf(f->warning, sizeof f->warning, "some AR parameters were fixed: setting transform_pars = false");
    }
  }
  for (int i = 0; i < j->nc; i++) { j->init[i] = 0.0; c->parscale[i] = 1.0; }
  return MLSH_OK;
}

/* Regressor starting values: regression of the differenced series on the
 * differenced regressors (rotated to orthogonal columns when all are free). */
static int job_regression_start(arima_job *j) {
  int nx = j->nx, narma = j->narma, rc;
  size_t n = j->n;
  if (nx == 0) return MLSH_OK;
  int fixed_x = 0;
  for (int k = 0; k < nx; k++) fixed_x |= !j->f->mask[narma + k];
  if (nx > 1 && !fixed_x) {
    if ((rc = rotate_design(j->X, n, nx, j->V, j->err))) return rc;
    j->rotated = 1;
  }
  double *dy = j->c.w, *DX = j->DX;
  memcpy(dy, j->y, n * sizeof(double));
  memcpy(DX, j->X, n * nx * sizeof(double));
  size_t m = diff_rows(dy, n, 1, 1, j->od.d);
  diff_rows(DX, n, nx, 1, j->od.d);
  if (j->od.s > 1 && j->od.D > 0) { diff_rows(DX, m, nx, j->od.s, j->od.D); m = diff_rows(dy, m, 1, j->od.s, j->od.D); }
  double beta[64], ses[64];
  int ok = m > (size_t)nx && ts_ols(dy, DX, m, nx, beta, ses, NULL, NULL) == MLSH_OK;
  if (!ok) ok = ts_ols(j->y, j->X, n, nx, beta, ses, NULL, NULL) == MLSH_OK;
  if (!ok) return mlsh_seterr(j->err, MLSH_ENUM, "the regressors are collinear or constant after differencing");
  for (int k = 0; k < nx; k++) {
    j->init[narma + k] = beta[k];
    j->c.parscale[narma + k] = isfinite(ses[k]) && ses[k] > 0 ? 10 * ses[k] : 1.0;
  }
  return MLSH_OK;
}

/* From here on the objective scales the free parameters only. */
static int job_scale(arima_job *j) {
  j->nf = j->c.nfree;
  for (int k = 0; k < j->nf; k++) j->ps[k] = j->c.parscale[j->c.free_idx[k]];
  j->psave = j->c.parscale;
  j->c.parscale = j->ps;
  return MLSH_OK;
}

static int maxit(const arima_job *j) { return j->o->maxit > 0 ? j->o->maxit : 100; }

/* Conditional sum of squares: the estimate (method CSS) or ML's start. */
static int job_css(arima_job *j) {
  fitctx *c = &j->c;
  int nf = j->nf, rc;
  if (j->method != TS_CSS && j->method != TS_CSS_ML) return MLSH_OK;
  c->css = 1;
  for (int k = 0; k < nf; k++) j->par[k] = j->init[c->free_idx[k]] / j->ps[k];
  rc = ts_vmmin(objective, c, nf, j->par, maxit(j), reltol, &j->fmin, &j->fail, j->err);
  if (rc) return rc;
  if (j->method != TS_CSS_ML) return MLSH_OK;
  if (j->fail == 0) for (int k = 0; k < nf; k++) j->init[c->free_idx[k]] = j->par[k] * j->ps[k];
  for (int i = 0; i < j->nc; i++) if (!j->f->mask[i]) j->init[i] = c->coef[i];
  if (!ar_ok(&j->od, j->init))
    return mlsh_seterr(j->err, MLSH_ENUM, "non-stationary %sAR part from CSS: try method = \"ML\"",
                       ts_ar_stationary(j->init, j->od.p) ? "seasonal " : "");
  c->ncond = 0;
  return MLSH_OK;
}

/* The Hessian at par; when it cannot be computed the standard errors are NaN. */
static int job_hessian(arima_job *j) {
  int nf = j->nf;
  int rc = ts_numhess(objective, &j->c, nf, j->par, j->ps, j->H, j->err);
  if (j->c.oom || rc == MLSH_ENOMEM) return MLSH_ENOMEM;
  if (rc != MLSH_OK) {
    snprintf(j->f->warning, sizeof j->f->warning, "the Hessian could not be computed: standard errors are NaN");
    for (int i = 0; i < nf * nf; i++) j->H[i] = NAN;
  }
  return MLSH_OK;
}

/* Method CSS: the CSS estimate is the fit; its covariance from the Hessian. */
static int job_css_result(arima_job *j) {
  fitctx *c = &j->c;
  int nf = j->nf;
  j->f->code = j->fail;
  load_pars(c, j->par);
  if (nf > 0 && job_hessian(j)) return oom(j);
  load_pars(c, j->par);
  memcpy(j->init, c->coef, (size_t)j->nc * sizeof(double));
  if (nf > 0 && isfinite(j->H[0]) && coef_var(j->f, c, j->H, j->init, 0)) return oom(j);
  return MLSH_OK;
}

/* ML start: fixed values in, then into the transformed space (or checked). */
static int job_ml_start(arima_job *j) {
  const ts_order *od = &j->od;
  double *init = j->init;
  j->c.css = 0;
  j->c.trans = j->trans;
  for (int i = 0; i < j->nc; i++) if (!j->f->mask[i]) init[i] = j->c.coef[i];
  if (j->trans) {
    double tmp[MAXPAR];
    if (od->p > 0) { ts_invpartrans(od->p, init, tmp); memcpy(init, tmp, (size_t)od->p * sizeof(double)); }
    if (od->P > 0) { ts_invpartrans(od->P, init + od->p + od->q, tmp); memcpy(init + od->p + od->q, tmp, (size_t)od->P * sizeof(double)); }
    if (od->q > 0) ts_ma_invert(init + od->p, od->q);
    if (od->Q > 0) ts_ma_invert(init + od->p + od->q + od->P, od->Q);
  } else if (!ar_ok(od, init)) {
    return mlsh_seterr(j->err, MLSH_ENUM, "non-stationary AR part in the starting values");
  }
  for (int k = 0; k < j->nf; k++) j->par[k] = init[j->c.free_idx[k]] / j->ps[k];
  memcpy(j->c.coef, init, (size_t)j->nc * sizeof(double));
  return MLSH_OK;
}

/* Enforce invertibility, then re-evaluate there (R refits with maxit 0). */
static void job_ml_invert(arima_job *j) {
  const ts_order *od = &j->od;
  fitctx *c = &j->c;
  const int *mask = j->f->mask;
  int changed = 0, allq = 1, allQ = 1;
  double save[MAXPAR];
  memcpy(save, c->coef, (size_t)j->nc * sizeof(double));
  for (int i = 0; i < od->q; i++) allq &= mask[od->p + i];
  for (int i = 0; i < od->Q; i++) allQ &= mask[od->p + od->q + od->P + i];
  if (od->q > 0 && allq) ts_ma_invert(c->coef + od->p, od->q);
  if (od->Q > 0 && allQ) ts_ma_invert(c->coef + od->p + od->q + od->P, od->Q);
  for (int i = 0; i < j->nc; i++) changed |= c->coef[i] != save[i];
  if (changed) {
    for (int k = 0; k < j->nf; k++) j->par[k] = c->coef[c->free_idx[k]] / j->ps[k];
    j->fmin = objective(j->nf, j->par, c);
  }
}

/* Exact likelihood by BFGS, the covariance, and back from the transformed space. */
static int job_ml(arima_job *j) {
  fitctx *c = &j->c;
  const ts_order *od = &j->od;
  int nf = j->nf, rc;
  if (j->method == TS_CSS) return job_css_result(j);
  if ((rc = job_ml_start(j))) return rc;
  rc = ts_vmmin(objective, c, nf, j->par, maxit(j), reltol, &j->fmin, &j->fail, j->err);
  if (c->oom) return oom(j);
  if (rc) return rc;
  j->f->code = j->fail;
  load_pars(c, j->par);
  if (j->trans) job_ml_invert(j);
  if (nf > 0 && job_hessian(j)) return oom(j);
  if (c->oom) return oom(j);
  load_pars(c, j->par);
  memcpy(j->init, c->coef, (size_t)j->nc * sizeof(double));   /* raw (transformed-space) coefficients */
  if (nf > 0 && isfinite(j->H[0]) && coef_var(j->f, c, j->H, j->init, j->trans)) return oom(j);
  if (j->trans) {
    if (od->p > 0) ts_partrans(od->p, j->init, c->coef);
    if (od->P > 0) ts_partrans(od->P, j->init + od->p + od->q, c->coef + od->p + od->q);
  }
  return MLSH_OK;
}

/* Undo the rotation (the final filter needs the original regressors). */
static int job_coefficients(arima_job *j) {
  ts_arima_fit *f = j->f;
  int nc = j->nc, rc;
  j->c.parscale = j->psave;
  if (j->rotated) {
    if ((rc = unrotate(f, j->c.coef, j->narma, j->nx, j->V, j->err))) return rc;
    fill_design(j->o, j->has_int, j->n, j->nx, j->X);
  }
  memcpy(f->coef, j->c.coef, (size_t)nc * sizeof(double));
  for (int i = 0; i < nc; i++) f->se[i] = f->mask[i] ? sqrt(f->var[i * nc + i]) : NAN;
  return MLSH_OK;
}

/* Final filter with the estimates: residuals, sigma^2 and the state for forecasts. */
static int job_final_filter(arima_job *j) {
  ts_arima_fit *f = j->f;
  fitctx *c = &j->c;
  const double *y = j->y, *x = y;
  size_t n = j->n;
  int nx = j->nx, rc;
  ts_expand_arma(&j->od, f->coef, 0, c->phi, c->theta);
  if (nx > 0) {
    for (size_t t = 0; t < n; t++) {
      double s = y[t];
      for (int k = 0; k < nx; k++) s -= j->X[t * nx + k] * f->coef[j->narma + k];
      c->x[t] = s;
    }
    x = c->x;
  }
  double ssq, sumlog;
  size_t nu;
  if ((rc = run_filter(c, x, f->resid, &ssq, &sumlog, &nu)) != MLSH_OK) {
    if (rc == MLSH_ENOMEM) return oom(j);
    return mlsh_seterr(j->err, MLSH_ENUM, "non-stationary AR part at the estimates");
  }
  if (j->method == TS_CSS) f->sigma2 = ts_arima_css(x, n, &j->od, c->phi, j->p, c->theta, j->q, c->ncond, c->w, f->resid);
  else f->sigma2 = ssq / (double)f->nobs;
  return MLSH_OK;
}

/* Likelihood, information criteria and the model's description. */
static int job_assemble(arima_job *j) {
  ts_arima_fit *f = j->f;
  double nu = (double)f->nobs;
  double value = 2 * nu * j->fmin + nu + nu * log(2 * M_PI);
  f->loglik = -0.5 * value;
  f->npar = j->c.nfree + 1;
  if (j->method != TS_CSS) {
    double k = f->npar;
    f->aic = value + 2 * k;
    f->aicc = nu - k - 1 > 0 ? f->aic + 2 * k * (k + 1) / (nu - k - 1) : NAN;
    f->bic = f->aic + k * (log(nu) - 2);
  } else {
    f->aic = f->aicc = f->bic = NAN;
  }
  if (f->code) snprintf(f->warning, sizeof f->warning, "possible convergence problem: BFGS reached %d iterations", j->o->maxit);
  f->ord = j->od; f->method = j->method; f->n = j->n;
  f->narma = (size_t)j->narma; f->nxreg = (size_t)j->nx; f->ncoef = (size_t)j->nc;
  f->has_intercept = j->has_int; f->has_drift = j->o->drift != 0; f->nuser = j->nuser;
  f->rd = j->rd; f->r = j->r; f->np = j->p; f->nq = j->q; f->nd = j->nd;
  memcpy(f->phi, j->c.phi, (size_t)j->p * sizeof(double));
  memcpy(f->theta, j->c.theta, (size_t)j->q * sizeof(double));
  memcpy(f->delta, j->c.delta, (size_t)j->nd * sizeof(double));
  memcpy(f->a, j->c.a, (size_t)j->rd * sizeof(double));
  memcpy(f->P, j->c.P, (size_t)j->rd * j->rd * sizeof(double));
  return MLSH_OK;
}

static int (*const arima_stages[])(arima_job *) = {
  job_orders, job_alloc, job_carve, job_prepare, job_check_series, job_free_params,
  job_regression_start, job_scale, job_css, job_ml, job_coefficients, job_final_filter, job_assemble,
};

int ts_arima(const double *y, size_t n, const ts_arima_opts *o, ts_arima_fit *f, mlsh_err *err) {
  int rc = check_opts(n, o, err);
  if (rc) return rc;
  memset(f, 0, sizeof *f);
  arima_job j;
  memset(&j, 0, sizeof j);
  j.y = y; j.n = n; j.o = o; j.f = f; j.err = err;
  for (size_t s = 0; !rc && s < sizeof arima_stages / sizeof arima_stages[0]; s++) rc = arima_stages[s](&j);
  mlsh_free(j.mem);
  mlsh_free(j.imem);
  if (rc) ts_arima_free(f);
  return rc;
}

/* R's KalmanForecast from the final filter state, plus the regression. */
int ts_arima_forecast(const ts_arima_fit *f, size_t h, const mlsh_mat *newxreg,
                      double *mean, double *se, mlsh_err *err) {
  if (f->nuser > 0 && (!newxreg || newxreg->rows != h || newxreg->cols != (size_t)f->nuser))
    return mlsh_seterr(err, MLSH_EINVAL, "the model has %d regressors: newxreg must be %zu x %d", f->nuser, h, f->nuser);
  int rd = f->rd;
  size_t rr = (size_t)rd * rd;
  double *mem = mlsh_malloc((2 * rr + 2 * (size_t)rd + 1) * sizeof(double));
  if (!mem) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *P = mem, *mm = P + rr, *a = mm + rr, *an = a + rd;
  memcpy(P, f->P, rr * sizeof(double));
  memcpy(a, f->a, (size_t)rd * sizeof(double));
  ts_ss m = { f->np, f->nq, f->r, f->nd, rd, f->phi, f->theta, f->delta, a, P, NULL, NULL };
  double *Pn = mlsh_malloc(rr * sizeof(double));
  if (!Pn) { mlsh_free(mem); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  int r = f->r, d = f->nd, p = f->np;
  for (size_t l = 0; l < h; l++) {
    for (int i = 0; i < r; i++) an[i] = (i < r - 1 ? a[i + 1] : 0.0) + (i < p ? f->phi[i] * a[0] : 0.0);
    if (d > 0) {
      double s = a[0];
      for (int k = 0; k < d; k++) s += f->delta[k] * a[r + k];
      for (int i = d - 1; i > 0; i--) an[r + i] = a[r + i - 1];
      an[r] = s;
    }
    memcpy(a, an, (size_t)rd * sizeof(double));
    double fc = a[0];
    for (int k = 0; k < d; k++) fc += f->delta[k] * a[r + k];
    ts_predict_cov(&m, P, NULL, NULL, mm, Pn);
    memcpy(P, Pn, rr * sizeof(double));
    /* Z' P Z with Z = (1, 0.., delta) */
    double v = 0;
    for (int i = 0; i < rd; i++) {
      double zi = i == 0 ? 1.0 : (i >= r ? f->delta[i - r] : 0.0);
      if (zi == 0) continue;
      for (int j = 0; j < rd; j++) {
        double zj = j == 0 ? 1.0 : (j >= r ? f->delta[j - r] : 0.0);
        if (zj != 0) v += zi * zj * P[(size_t)i * rd + j];
      }
    }
    double xm = 0;
    int j = (int)f->narma;
    if (f->has_intercept) xm += f->coef[j++];
    if (f->has_drift) xm += f->coef[j++] * (double)(f->n + l + 1);
    for (int u = 0; u < f->nuser; u++) xm += f->coef[j++] * MAT_AT(newxreg, l, u);
    mean[l] = fc + xm;
    se[l] = sqrt(v * f->sigma2);
  }
  mlsh_free(Pn);
  mlsh_free(mem);
  return MLSH_OK;
}
