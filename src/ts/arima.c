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

int ts_arima(const double *y, size_t n, const ts_arima_opts *o, ts_arima_fit *f, mlsh_err *err) {
  int rc = check_opts(n, o, err);
  if (rc) return rc;
  memset(f, 0, sizeof *f);
  ts_order od = o->ord;
  if (!(od.P || od.D || od.Q)) od.s = od.s < 1 ? 1 : od.s;
  int narma = od.p + od.q + od.P + od.Q;
  int p = od.p + od.s * od.P, q = od.q + od.s * od.Q;
  int r = p > q + 1 ? p : q + 1;
  int nd = od.d + od.s * od.D;
  int rd = r + nd;
  int has_int = o->include_mean && od.d + od.D == 0;
  int nuser = o->xreg ? (int)o->xreg->cols : 0;
  int nx = has_int + (o->drift ? 1 : 0) + nuser;
  int nc = narma + nx;
  if (nx > 60) return mlsh_seterr(err, MLSH_EINVAL, "too many regressors (%d > 60)", nx);
  if (o->fixed && o->nfixed != (size_t)nc)
    return mlsh_seterr(err, MLSH_EINVAL, "fixed has %zu values, the model %d coefficients", o->nfixed, nc);
  fitctx c;
  memset(&c, 0, sizeof c);
  size_t nn = n;
  size_t doubles = nn * 3 + (size_t)(p + q + nd + 2 * rd) + 4 * (size_t)rd * rd + (size_t)r * r
                   + 4 * (size_t)nc + (size_t)nc * nc + nn * (size_t)nx * 2 + (size_t)nx * nx + 16;
  double *mem = mlsh_calloc(doubles, sizeof(double));
  int *imem = mlsh_calloc((size_t)nc + 1, sizeof(int));
  f->coef = mlsh_calloc((size_t)nc + 1, sizeof(double));
  f->se = mlsh_calloc((size_t)nc + 1, sizeof(double));
  f->var = mlsh_calloc((size_t)nc * nc + 1, sizeof(double));
  f->mask = mlsh_calloc((size_t)nc + 1, sizeof(int));
  f->names = mlsh_calloc((size_t)nc + 1, sizeof *f->names);
  f->resid = mlsh_calloc(n, sizeof(double));
  f->phi = mlsh_calloc((size_t)p + 1, sizeof(double));
  f->theta = mlsh_calloc((size_t)q + 1, sizeof(double));
  f->delta = mlsh_calloc((size_t)nd + 1, sizeof(double));
  f->a = mlsh_calloc((size_t)rd, sizeof(double));
  f->P = mlsh_calloc((size_t)rd * rd, sizeof(double));
  if (!mem || !imem || !f->coef || !f->se || !f->var || !f->mask || !f->names || !f->resid ||
      !f->phi || !f->theta || !f->delta || !f->a || !f->P) {
    rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    goto fail;
  }
  for (int i = 0; i < nc * nc; i++) f->var[i] = NAN;
  double *mp = mem;
  c.x = mp; mp += nn; c.w = mp; mp += 2 * nn;
  c.phi = mp; mp += p; c.theta = mp; mp += q; c.delta = mp; mp += nd;
  c.a = mp; mp += rd; mp += rd; c.P = mp; mp += (size_t)rd * rd; c.Pn = mp; mp += (size_t)rd * rd;
  c.Q0 = mp; mp += (size_t)r * r;
  c.work = mp; mp += 2 * (size_t)rd * rd;
  c.coef = mp; mp += nc; c.parscale = mp; mp += nc;
  double *init = mp; mp += nc; double *par = mp; mp += nc;
  double *H = mp; mp += (size_t)nc * nc;
  double *X = mp; mp += nn * nx; double *DX = mp; mp += nn * nx;
  double *V = mp; mp += (size_t)nx * nx;
  c.free_idx = imem;
  c.y = y; c.n = n; c.o = od; c.narma = narma; c.ncoef = nc; c.nx = nx; c.p = p; c.q = q;
  c.r = r; c.d = nd; c.rd = rd; c.kappa = o->kappa > 0 ? o->kappa : 1e6; c.X = X;

  /* Delta: coefficients of (1 - B)^d (1 - B^s)^D, negated without the 1 */
  {
    double poly[1024] = { 1.0 };
    int len = 1;
    for (int k = 0; k < od.d + od.D; k++) {
      int lag = k < od.d ? 1 : od.s;
      for (int i = len + lag - 1; i >= 0; i--) poly[i] = (i < len ? poly[i] : 0.0) - (i >= lag ? poly[i - lag] : 0.0);
      len += lag;
    }
    for (int i = 0; i < nd; i++) c.delta[i] = -poly[i + 1];
  }
  /* names and regressors */
  {
    int k = 0;
    for (int i = 0; i < od.p; i++) snprintf(f->names[k++], 16, "ar%d", i + 1);
    for (int i = 0; i < od.q; i++) snprintf(f->names[k++], 16, "ma%d", i + 1);
    for (int i = 0; i < od.P; i++) snprintf(f->names[k++], 16, "sar%d", i + 1);
    for (int i = 0; i < od.Q; i++) snprintf(f->names[k++], 16, "sma%d", i + 1);
    if (has_int) snprintf(f->names[k++], 16, "intercept");
    if (o->drift) snprintf(f->names[k++], 16, "drift");
    for (int i = 0; i < nuser; i++) snprintf(f->names[k++], 16, nuser == 1 ? "xreg" : "xreg%d", i + 1);
    fill_design(o, has_int, n, nx, X);
  }
  size_t complete = 0;
  for (size_t t = 0; t < n; t++) {
    int ok = !isnan(y[t]);
    for (int j = 0; j < nx && ok; j++) ok = !isnan(X[t * nx + j]);
    complete += ok;
  }
  if (complete <= (size_t)nd) { rc = mlsh_seterr(err, MLSH_EINVAL, "too few non-missing observations (%zu for differencing of order %d)", complete, nd); goto fail; }
  f->nobs = complete - (size_t)nd;
  {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t t = 0; t < n; t++) if (!isnan(y[t])) { lo = fmin(lo, y[t]); hi = fmax(hi, y[t]); }
    if (!(hi > lo) && nuser == 0) { rc = mlsh_seterr(err, MLSH_EINVAL, "the series is constant (%g): nothing to model", lo); goto fail; }
  }
  int method = o->method;
  if (method == TS_CSS_ML && complete < n) method = TS_ML;
  c.ncond = method == TS_ML ? 0 : (size_t)(od.d + od.D * od.s + od.p + od.s * od.P);
  if (method != TS_ML && c.ncond >= n) { rc = mlsh_seterr(err, MLSH_EINVAL, "series too short for the order (n = %zu, %zu values needed to start)", n, c.ncond + 1); goto fail; }
  if ((size_t)(narma + nx) >= f->nobs) { rc = mlsh_seterr(err, MLSH_EINVAL, "series too short for the order: %zu usable observations for %d coefficients", f->nobs, narma + nx); goto fail; }

  for (int i = 0; i < nc; i++) {
    double fx = o->fixed ? o->fixed[i] : NAN;
    f->mask[i] = isnan(fx);
    c.coef[i] = fx;
    if (f->mask[i]) c.free_idx[c.nfree++] = i;
  }
  int trans = o->transform_pars && c.nfree > 0;
  if (trans) {
    int fixed_ar = 0;
    for (int i = 0; i < od.p; i++) fixed_ar |= !f->mask[i];
    for (int i = 0; i < od.P; i++) fixed_ar |= !f->mask[od.p + od.q + i];
    if (fixed_ar) {
      trans = 0;
      snprintf(f->warning, sizeof f->warning, "some AR parameters were fixed: setting transform_pars = false");
    }
  }
  for (int i = 0; i < nc; i++) { init[i] = 0.0; c.parscale[i] = 1.0; }
  int rotated = 0;
  if (nx > 0) {
    int fixed_x = 0;
    for (int j = 0; j < nx; j++) fixed_x |= !f->mask[narma + j];
    if (nx > 1 && !fixed_x) {
      if ((rc = rotate_design(X, n, nx, V, err))) goto fail;
      rotated = 1;
    }
    /* starting values: regression of the differenced series on the differenced regressors */
    double *dy = c.w;
    memcpy(dy, y, n * sizeof(double));
    memcpy(DX, X, n * nx * sizeof(double));
    size_t m = diff_rows(dy, n, 1, 1, od.d);
    diff_rows(DX, n, nx, 1, od.d);
    if (od.s > 1 && od.D > 0) { diff_rows(DX, m, nx, od.s, od.D); m = diff_rows(dy, m, 1, od.s, od.D); }
    double beta[64], ses[64];
    int ok = m > (size_t)nx && ts_ols(dy, DX, m, nx, beta, ses, NULL, NULL) == MLSH_OK;
    if (!ok) ok = ts_ols(y, X, n, nx, beta, ses, NULL, NULL) == MLSH_OK;
    if (!ok) { rc = mlsh_seterr(err, MLSH_ENUM, "the regressors are collinear or constant after differencing"); goto fail; }
    for (int j = 0; j < nx; j++) {
      init[narma + j] = beta[j];
      c.parscale[narma + j] = isfinite(ses[j]) && ses[j] > 0 ? 10 * ses[j] : 1.0;
    }
  }
  int nf = c.nfree;
  double ps[MAXPAR];
  for (int k = 0; k < nf; k++) ps[k] = c.parscale[c.free_idx[k]];
  double *psave = c.parscale;
  c.parscale = ps;
  double fmin = 0;
  int fail = 0;
  const double reltol = 1.490116119384765625e-8;
  if (method == TS_CSS || method == TS_CSS_ML) {
    c.css = 1;
    for (int k = 0; k < nf; k++) par[k] = init[c.free_idx[k]] / ps[k];
    rc = ts_vmmin(objective, &c, nf, par, o->maxit > 0 ? o->maxit : 100, reltol, &fmin, &fail, err);
    if (rc) goto fail;
    if (method == TS_CSS_ML) {
      if (fail == 0) for (int k = 0; k < nf; k++) init[c.free_idx[k]] = par[k] * ps[k];
      for (int i = 0; i < nc; i++) if (!f->mask[i]) init[i] = c.coef[i];
      if (!ar_ok(&od, init)) {
        rc = mlsh_seterr(err, MLSH_ENUM, "non-stationary %sAR part from CSS: try method = \"ML\"",
                         ts_ar_stationary(init, od.p) ? "seasonal " : "");
        goto fail;
      }
      c.ncond = 0;
    }
  }
  if (method == TS_CSS) {
    f->code = fail;
    load_pars(&c, par);
    if (nf > 0 && (rc = ts_numhess(objective, &c, nf, par, ps, H, err)) != MLSH_OK) {
      if (rc == MLSH_ENOMEM) goto fail;
      snprintf(f->warning, sizeof f->warning, "the Hessian could not be computed: standard errors are NaN");
      for (int i = 0; i < nf * nf; i++) H[i] = NAN;
    }
    load_pars(&c, par);
    memcpy(init, c.coef, (size_t)nc * sizeof(double));
    if (nf > 0 && isfinite(H[0]) && coef_var(f, &c, H, init, 0)) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto fail; }
  } else {
    c.css = 0;
    c.trans = trans;
    for (int i = 0; i < nc; i++) if (!f->mask[i]) init[i] = c.coef[i];
    if (trans) {
      double tmp[MAXPAR];
      if (od.p > 0) { ts_invpartrans(od.p, init, tmp); memcpy(init, tmp, (size_t)od.p * sizeof(double)); }
      if (od.P > 0) { ts_invpartrans(od.P, init + od.p + od.q, tmp); memcpy(init + od.p + od.q, tmp, (size_t)od.P * sizeof(double)); }
      if (od.q > 0) ts_ma_invert(init + od.p, od.q);
      if (od.Q > 0) ts_ma_invert(init + od.p + od.q + od.P, od.Q);
    } else if (!ar_ok(&od, init)) {
      rc = mlsh_seterr(err, MLSH_ENUM, "non-stationary AR part in the starting values");
      goto fail;
    }
    for (int k = 0; k < nf; k++) par[k] = init[c.free_idx[k]] / ps[k];
    memcpy(c.coef, init, (size_t)nc * sizeof(double));
    rc = ts_vmmin(objective, &c, nf, par, o->maxit > 0 ? o->maxit : 100, reltol, &fmin, &fail, err);
    if (c.oom) goto oom;
    if (rc) goto fail;
    f->code = fail;
    load_pars(&c, par);
    if (trans) {   /* enforce invertibility, then re-evaluate there (R refits with maxit 0) */
      int changed = 0;
      double save[MAXPAR];
      memcpy(save, c.coef, (size_t)nc * sizeof(double));
      int allq = 1, allQ = 1;
      for (int i = 0; i < od.q; i++) allq &= f->mask[od.p + i];
      for (int i = 0; i < od.Q; i++) allQ &= f->mask[od.p + od.q + od.P + i];
      if (od.q > 0 && allq) ts_ma_invert(c.coef + od.p, od.q);
      if (od.Q > 0 && allQ) ts_ma_invert(c.coef + od.p + od.q + od.P, od.Q);
      for (int i = 0; i < nc; i++) changed |= c.coef[i] != save[i];
      if (changed) {
        for (int k = 0; k < nf; k++) par[k] = c.coef[c.free_idx[k]] / ps[k];
        fmin = objective(nf, par, &c);
      }
    }
    if (nf > 0) {
      rc = ts_numhess(objective, &c, nf, par, ps, H, err);
      if (c.oom || rc == MLSH_ENOMEM) goto oom;
      if (rc != MLSH_OK) {
        snprintf(f->warning, sizeof f->warning, "the Hessian could not be computed: standard errors are NaN");
        for (int i = 0; i < nf * nf; i++) H[i] = NAN;
      }
    }
    if (c.oom) goto oom;
    load_pars(&c, par);
    memcpy(init, c.coef, (size_t)nc * sizeof(double));   /* raw (transformed-space) coefficients */
    if (nf > 0 && isfinite(H[0]) && coef_var(f, &c, H, init, trans)) goto oom;
    if (trans) {
      if (od.p > 0) ts_partrans(od.p, init, c.coef);
      if (od.P > 0) ts_partrans(od.P, init + od.p + od.q, c.coef + od.p + od.q);
    }
  }
  c.parscale = psave;
  if (rotated) {   /* undo the rotation; the filter below needs the original regressors */
    if ((rc = unrotate(f, c.coef, narma, nx, V, err))) goto fail;
    fill_design(o, has_int, n, nx, X);
  }
  memcpy(f->coef, c.coef, (size_t)nc * sizeof(double));
  for (int i = 0; i < nc; i++) f->se[i] = f->mask[i] ? sqrt(f->var[i * nc + i]) : NAN;
  /* final filter with the estimates: residuals, sigma^2 and the state for forecasts */
  {
    ts_expand_arma(&od, f->coef, 0, c.phi, c.theta);
    const double *x = y;
    if (nx > 0) {
      for (size_t t = 0; t < n; t++) {
        double s = y[t];
        for (int j = 0; j < nx; j++) s -= X[t * nx + j] * f->coef[narma + j];
        c.x[t] = s;
      }
      x = c.x;
    }
    double ssq, sumlog;
    size_t nu;
    if ((rc = run_filter(&c, x, f->resid, &ssq, &sumlog, &nu)) != MLSH_OK) {
      if (rc == MLSH_ENOMEM) goto oom;
      rc = mlsh_seterr(err, MLSH_ENUM, "non-stationary AR part at the estimates");
      goto fail;
    }
    if (method == TS_CSS) {
      f->sigma2 = ts_arima_css(x, n, &od, c.phi, p, c.theta, q, c.ncond, c.w, f->resid);
    } else {
      f->sigma2 = ssq / (double)f->nobs;
    }
  }
  double nu = (double)f->nobs;
  double value = 2 * nu * fmin + nu + nu * log(2 * M_PI);
  f->loglik = -0.5 * value;
  f->npar = c.nfree + 1;
  if (method != TS_CSS) {
    double k = f->npar;
    f->aic = value + 2 * k;
    f->aicc = nu - k - 1 > 0 ? f->aic + 2 * k * (k + 1) / (nu - k - 1) : NAN;
    f->bic = f->aic + k * (log(nu) - 2);
  } else {
    f->aic = f->aicc = f->bic = NAN;
  }
  if (f->code) snprintf(f->warning, sizeof f->warning, "possible convergence problem: BFGS reached %d iterations", o->maxit);
  f->ord = od; f->method = method; f->n = n;
  f->narma = (size_t)narma; f->nxreg = (size_t)nx; f->ncoef = (size_t)nc;
  f->has_intercept = has_int; f->has_drift = o->drift != 0; f->nuser = nuser;
  f->rd = rd; f->r = r; f->np = p; f->nq = q; f->nd = nd;
  memcpy(f->phi, c.phi, (size_t)p * sizeof(double));
  memcpy(f->theta, c.theta, (size_t)q * sizeof(double));
  memcpy(f->delta, c.delta, (size_t)nd * sizeof(double));
  memcpy(f->a, c.a, (size_t)rd * sizeof(double));
  memcpy(f->P, c.P, (size_t)rd * rd * sizeof(double));
  mlsh_free(mem);
  mlsh_free(imem);
  return MLSH_OK;
oom:
  rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
fail:
  mlsh_free(mem);
  mlsh_free(imem);
  ts_arima_free(f);
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
