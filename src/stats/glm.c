/* glm.c - R's glm.fit: families, links and the IRLS loop, with the
 * constants of R's C code for the logit link (thresholds at +-30). */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include "glm.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

const char *const glm_family_names[] = {"binomial", "poisson", "gaussian", "Gamma", NULL};
const char *const glm_link_names[] = {"identity", "log", "inverse", "sqrt", "logit", "probit", "cloglog", NULL};

glm_link glm_canonical_link(glm_family f) {
  static const glm_link canon[] = {LINK_LOGIT, LINK_LOG, LINK_IDENTITY, LINK_INVERSE};
  return canon[f];
}

int glm_check_link(glm_family f, glm_link l, const char *fname, mlsh_err *err) {
  static const unsigned ok[] = {
    1u << LINK_LOGIT | 1u << LINK_PROBIT | 1u << LINK_CLOGLOG | 1u << LINK_LOG,
    1u << LINK_LOG | 1u << LINK_IDENTITY | 1u << LINK_SQRT,
    1u << LINK_IDENTITY | 1u << LINK_LOG | 1u << LINK_INVERSE,
    1u << LINK_INVERSE | 1u << LINK_IDENTITY | 1u << LINK_LOG};
  if (ok[f] >> l & 1) return MLSH_OK;
  return mlsh_seterr(err, MLSH_EINVAL, "%s: link \"%s\" not available for the %s family", fname, glm_link_names[l],
                     glm_family_names[f]);
}

/* ---- Links ---------------------------------------------------------------- */

static double linkfun(glm_link l, double mu) {
  switch (l) {
  case LINK_IDENTITY: return mu;
  case LINK_LOG: return log(mu);
  case LINK_INVERSE: return 1 / mu;
  case LINK_SQRT: return sqrt(mu);
  case LINK_LOGIT: return log(mu / (1 - mu));
  case LINK_PROBIT: return qnorm(mu, 0, 1, 1, 0);
  default: return log(-log(1 - mu));
  }
}

static double linkinv(glm_link l, double eta) {
  switch (l) {
  case LINK_IDENTITY: return eta;
  case LINK_LOG: return fmax(exp(eta), DBL_EPSILON);
  case LINK_INVERSE: return 1 / eta;
  case LINK_SQRT: return eta * eta;
  case LINK_LOGIT: {
    double t = eta < -30 ? DBL_EPSILON : eta > 30 ? 1 / DBL_EPSILON : exp(eta);
    return t / (1 + t);
  }
  case LINK_PROBIT: {
    double th = -qnorm(DBL_EPSILON, 0, 1, 1, 0);
    return pnorm(fmin(fmax(eta, -th), th), 0, 1, 1, 0);
  }
  default: return fmax(fmin(-expm1(-exp(eta)), 1 - DBL_EPSILON), DBL_EPSILON);
  }
}

static double mu_eta(glm_link l, double eta) {
  switch (l) {
  case LINK_IDENTITY: return 1;
  case LINK_LOG: return fmax(exp(eta), DBL_EPSILON);
  case LINK_INVERSE: return -1 / (eta * eta);
  case LINK_SQRT: return 2 * eta;
  case LINK_LOGIT: {
    double opexp = 1 + exp(eta);
    return eta > 30 || eta < -30 ? DBL_EPSILON : exp(eta) / (opexp * opexp);
  }
  case LINK_PROBIT: return fmax(dnorm(eta, 0, 1, 0), DBL_EPSILON);
  default: {
    double e = fmin(eta, 700);
    return fmax(exp(e) * exp(-exp(e)), DBL_EPSILON);
  }
  }
}

double glm_mu_eta(glm_link l, double eta) { return mu_eta(l, eta); }

void glm_linkinv(glm_link l, const double *eta, double *mu, size_t n) {
  for (size_t i = 0; i < n; i++) mu[i] = linkinv(l, eta[i]);
}

static int valid_eta(glm_link l, const double *eta, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(eta[i]) && l != LINK_IDENTITY && l != LINK_LOGIT) return 0;
    if ((l == LINK_INVERSE && eta[i] == 0) || (l == LINK_SQRT && !(eta[i] > 0))) return 0;
  }
  return 1;
}

/* ---- Families ------------------------------------------------------------- */

static double variance(glm_family f, double mu) {
  switch (f) {
  case GLM_BINOMIAL: return mu * (1 - mu);
  case GLM_POISSON: return mu;
  case GLM_GAUSSIAN: return 1;
  default: return mu * mu;
  }
}

static double ylogy(double y, double mu) { return y != 0 ? y * log(y / mu) : 0; }

static double dev_resid(glm_family f, double y, double mu, double wt) {
  switch (f) {
  case GLM_BINOMIAL: return 2 * wt * (ylogy(y, mu) + ylogy(1 - y, 1 - mu));
  case GLM_POISSON: return y > 0 ? 2 * wt * (y * log(y / mu) - (y - mu)) : 2 * mu * wt;
  case GLM_GAUSSIAN: return wt * (y - mu) * (y - mu);
  default: return -2 * wt * (log(y == 0 ? 1 : y / mu) - (y - mu) / mu);
  }
}

static double deviance(glm_family f, const double *y, const double *mu, const double *wt, size_t n) {
  double d = 0;
  for (size_t i = 0; i < n; i++) d += dev_resid(f, y[i], mu[i], wt[i]);
  return d;
}

static int valid_mu(glm_family f, const double *mu, size_t n) {
  if (f == GLM_GAUSSIAN) return 1;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(mu[i]) || !(mu[i] > 0)) return 0;
    if (f == GLM_BINOMIAL && !(mu[i] < 1)) return 0;
  }
  return 1;
}

/* R's family$aic (without the 2 * rank). */
static double family_aic(const st_glm *r, glm_family f, const double *trials) {
  size_t n = r->n;
  double a = 0, sw = 0, sl = 0;
  switch (f) {
  case GLM_BINOMIAL:
    for (size_t i = 0; i < n; i++) {
      double m = trials ? trials[i] : r->prior[i];
      if (m > 0) a += (r->prior[i] / m) * dbinom(nearbyint(m * r->y[i]), nearbyint(m), r->mu[i], 1);
    }
    return -2 * a;
  case GLM_POISSON:
    for (size_t i = 0; i < n; i++) a += dpois(r->y[i], r->mu[i], 1) * r->prior[i];
    return -2 * a;
  case GLM_GAUSSIAN:
    for (size_t i = 0; i < n; i++) sl += log(r->prior[i]);
    return (double)n * (log(2 * M_PI * r->deviance / (double)n) + 1) + 2 - sl;
  default:
    for (size_t i = 0; i < n; i++) sw += r->prior[i];
    for (size_t i = 0; i < n; i++) {
      double disp = r->deviance / sw;
      a += dgamma(r->y[i], 1 / disp, r->mu[i] * disp, 1) * r->prior[i];
    }
    return -2 * a + 2;
  }
}

/* R's family$initialize: checks on y and the starting means. */
static int initialize(glm_family f, glm_link l, const st_glm *r, double *mustart, const char *fname, mlsh_err *err) {
  for (size_t i = 0; i < r->n; i++) {
    double y = r->y[i], w = r->prior[i];
    switch (f) {
    case GLM_BINOMIAL:
      if (y < 0 || y > 1) return mlsh_seterr(err, MLSH_EINVAL, "%s: y values must be 0 <= y <= 1 (binomial: a 0/1 or two-level response, or cbind(successes, failures))", fname);
      mustart[i] = (w * y + 0.5) / (w + 1);
      break;
    case GLM_POISSON:
      if (y < 0) return mlsh_seterr(err, MLSH_EINVAL, "%s: negative values not allowed for the 'Poisson' family", fname);
      mustart[i] = y + 0.1;
      break;
    case GLM_GAUSSIAN:
      if ((l == LINK_INVERSE && y == 0) || (l == LINK_LOG && y <= 0))
        return mlsh_seterr(err, MLSH_EINVAL, "%s: cannot find valid starting values: please specify some", fname);
      mustart[i] = y;
      break;
    default:
      if (y <= 0) return mlsh_seterr(err, MLSH_EINVAL, "%s: non-positive values not allowed for the 'Gamma' family", fname);
      mustart[i] = y;
      break;
    }
  }
  return MLSH_OK;
}

void st_glm_free(st_glm *r) {
  st_ls_free(&r->ls);
  mlsh_free(r->mu); mlsh_free(r->eta); mlsh_free(r->wt); mlsh_free(r->working_resid);
  mlsh_free(r->prior); mlsh_free(r->y);
  memset(r, 0, sizeof *r);
}

/* ---- IRLS ----------------------------------------------------------------- */

typedef struct {
  const double *X;
  size_t n, p;
  double *z, *w, *coef, *coefold;
} irls_work;

/* eta = X coef (aliased coefficients are 0 here), by BLAS. */
static void linear_predictor(const irls_work *W, const double *coef, double *eta) {
  if (W->p == 0) { memset(eta, 0, W->n * sizeof *eta); return; }
  cblas_dgemv(CblasColMajor, CblasNoTrans, (int)W->n, (int)W->p, 1.0, W->X, (int)W->n, coef, 1, 0.0, eta, 1);
}

/* One weighted least-squares step from the current mu and eta. */
static int irls_step(st_glm *r, const st_glm_opts *o, irls_work *W, mlsh_err *err) {
  for (size_t i = 0; i < W->n; i++) {
    double me = mu_eta(o->link, r->eta[i]);
    int good = r->prior[i] > 0 && me != 0;
    W->z[i] = good ? r->eta[i] + (r->y[i] - r->mu[i]) / me : 0;
    W->w[i] = good ? r->prior[i] * me * me / variance(o->family, r->mu[i]) : 0;
  }
  st_ls_free(&r->ls);
  double tol = fmin(1e-7, o->epsilon / 1000);
  int rc = st_ls_fit(W->X, W->z, W->w, W->n, W->p, tol, o->threads, &r->ls, err);
  if (rc) return rc;
  for (size_t j = 0; j < W->p; j++) W->coef[j] = r->ls.coef[j] == r->ls.coef[j] ? r->ls.coef[j] : 0;
  return MLSH_OK;
}

static void update_mu(st_glm *r, const st_glm_opts *o, const irls_work *W) {
  linear_predictor(W, W->coef, r->eta);
  glm_linkinv(o->link, r->eta, r->mu, W->n);
}

/* Halve the step towards the previous coefficients until dev is finite
 * and eta, mu valid (R's "step size truncated"). */
static int halve(st_glm *r, const st_glm_opts *o, irls_work *W, int have_old, double *dev, const char *fname,
                 mlsh_err *err) {
  for (int ii = 0;; ii++) {
    int ok = isfinite(*dev) && valid_eta(o->link, r->eta, W->n) && valid_mu(o->family, r->mu, W->n);
    if (ok) return MLSH_OK;
    if (!have_old)
      return mlsh_seterr(err, MLSH_ENUM, "%s: no valid set of coefficients has been found: please supply starting values", fname);
    if (ii >= o->maxit) return mlsh_seterr(err, MLSH_ENUM, "%s: inner loop; cannot correct step size", fname);
    for (size_t j = 0; j < W->p; j++) W->coef[j] = (W->coef[j] + W->coefold[j]) / 2;
    update_mu(r, o, W);
    *dev = deviance(o->family, r->y, r->mu, r->prior, W->n);
    r->boundary = 1;
  }
}

static int irls(st_glm *r, const st_glm_opts *o, irls_work *W, const char *fname, mlsh_err *err) {
  double devold = deviance(o->family, r->y, r->mu, r->prior, W->n);
  int rc = MLSH_OK;
  for (r->iter = 1; r->iter <= o->maxit; r->iter++) {
    if (mlsh_interrupted()) return mlsh_seterr(err, MLSH_EINTR, "%s: interrupted", fname);
    if ((rc = irls_step(r, o, W, err))) return rc;
    update_mu(r, o, W);
    double dev = deviance(o->family, r->y, r->mu, r->prior, W->n);
    if ((rc = halve(r, o, W, r->iter > 1, &dev, fname, err))) return rc;
    r->deviance = dev;
    if (fabs(dev - devold) / (fabs(dev) + 0.1) < o->epsilon) { r->converged = 1; break; }
    devold = dev;
    memcpy(W->coefold, W->coef, W->p * sizeof *W->coef);
  }
  if (r->iter > o->maxit) r->iter = o->maxit;
  return MLSH_OK;
}

static void finish(st_glm *r, const st_glm_opts *o, const irls_work *W, const double *trials) {
  size_t n = W->n, nok = 0;
  for (size_t j = 0; j < W->p; j++) if (r->ls.coef[j] == r->ls.coef[j]) r->ls.coef[j] = W->coef[j];
  double eps = 10 * DBL_EPSILON, sw = 0, swy = 0;
  for (size_t i = 0; i < n; i++) {
    if (o->family == GLM_BINOMIAL && (r->mu[i] > 1 - eps || r->mu[i] < eps)) r->warn_fitted01 = 1;
    if (o->family == GLM_POISSON && r->mu[i] < eps) r->warn_rate0 = 1;
    r->working_resid[i] = (r->y[i] - r->mu[i]) / mu_eta(o->link, r->eta[i]);
    r->wt[i] = W->w[i];
    sw += r->prior[i]; swy += r->prior[i] * r->y[i];
    nok += r->prior[i] != 0;
  }
  double wtdmu = o->intercept ? swy / sw : linkinv(o->link, 0);
  r->null_deviance = 0;
  for (size_t i = 0; i < n; i++) r->null_deviance += dev_resid(o->family, r->y[i], wtdmu, r->prior[i]);
  r->df_null = (double)nok - (o->intercept ? 1 : 0);
  r->df_residual = (double)nok - (double)r->ls.rank;
  r->aic = family_aic(r, o->family, trials) + 2 * (double)r->ls.rank;
  if (o->family == GLM_BINOMIAL || o->family == GLM_POISSON) r->dispersion = 1;
  else if (r->df_residual > 0) {
    double s = 0;
    for (size_t i = 0; i < n; i++) if (r->wt[i] > 0) s += r->wt[i] * r->working_resid[i] * r->working_resid[i];
    r->dispersion = s / r->df_residual;
  } else r->dispersion = NAN;
}

int st_glm_fit(const double *X, const double *y, const double *trials, const double *w, size_t n, size_t p,
               const st_glm_opts *o, st_glm *r, const char *fname, mlsh_err *err) {
  memset(r, 0, sizeof *r);
  r->n = n;
  irls_work W = {X, n, p, mlsh_malloc_array(n + 1, sizeof(double)), mlsh_calloc(n + 1, sizeof(double)),
                 mlsh_calloc(p + 1, sizeof(double)), mlsh_calloc(p + 1, sizeof(double))};
  r->mu = mlsh_malloc_array(n + 1, sizeof *r->mu);
  r->eta = mlsh_malloc_array(n + 1, sizeof *r->eta);
  r->wt = mlsh_malloc_array(n + 1, sizeof *r->wt);
  r->working_resid = mlsh_malloc_array(n + 1, sizeof *r->working_resid);
  r->prior = mlsh_malloc_array(n + 1, sizeof *r->prior);
  r->y = mlsh_malloc_array(n + 1, sizeof *r->y);
  int rc = MLSH_OK;
  if (!W.z || !W.w || !W.coef || !W.coefold || !r->mu || !r->eta || !r->wt || !r->working_resid || !r->prior || !r->y)
    rc = mlsh_seterr(err, MLSH_ENOMEM, "%s: not enough memory", fname);
  if (rc == MLSH_OK && n == 0) rc = mlsh_seterr(err, MLSH_EINVAL, "%s: no rows left to fit (every row has an NA)", fname);
  for (size_t i = 0; rc == MLSH_OK && i < n; i++) {
    r->prior[i] = (w ? w[i] : 1.0) * (trials ? trials[i] : 1.0);
    r->y[i] = y[i];
    if (r->prior[i] < 0) rc = mlsh_seterr(err, MLSH_EINVAL, "%s: negative weights not allowed", fname);
    double m = r->prior[i] * y[i];
    if (o->family == GLM_BINOMIAL && fabs(m - nearbyint(m)) > 1e-3) r->warn_nonint = 1;
  }
  if (rc == MLSH_OK) rc = initialize(o->family, o->link, r, r->mu, fname, err);
  if (rc == MLSH_OK) {
    for (size_t i = 0; i < n; i++) r->eta[i] = linkfun(o->link, r->mu[i]);
    glm_linkinv(o->link, r->eta, r->mu, n);
    rc = irls(r, o, &W, fname, err);
  }
  if (rc == MLSH_OK) finish(r, o, &W, trials);
  mlsh_free(W.z); mlsh_free(W.w); mlsh_free(W.coef); mlsh_free(W.coefold);
  if (rc) st_glm_free(r);
  return rc;
}

int st_glm_coef_tests(const st_glm *r, glm_family family, double *se, double *stat, double *pval, mlsh_err *err) {
  size_t p = r->ls.p;
  double *V = mlsh_malloc_array(p * p + 1, sizeof *V);
  if (!V) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  st_ls_cov(&r->ls, V, err);
  int ztest = family == GLM_BINOMIAL || family == GLM_POISSON;
  for (size_t j = 0; j < p; j++) {
    se[j] = sqrt(r->dispersion * V[j * p + j]);
    stat[j] = r->ls.coef[j] / se[j];
    pval[j] = ztest ? 2 * pnorm(-fabs(stat[j]), 0, 1, 1, 0) : 2 * pt(-fabs(stat[j]), r->df_residual, 1, 0);
  }
  mlsh_free(V);
  return MLSH_OK;
}

void glm_deviance_residuals(const st_glm *r, glm_family f, double *out) {
  for (size_t i = 0; i < r->n; i++) {
    double d = dev_resid(f, r->y[i], r->mu[i], r->prior[i]);
    out[i] = (r->y[i] > r->mu[i] ? 1 : -1) * sqrt(fmax(d, 0));
  }
}

void glm_pearson_residuals(const st_glm *r, glm_family f, double *out) {
  for (size_t i = 0; i < r->n; i++) out[i] = (r->y[i] - r->mu[i]) * sqrt(r->prior[i]) / sqrt(variance(f, r->mu[i]));
}
