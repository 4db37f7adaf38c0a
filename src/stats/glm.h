/* glm.h - generalised linear models by IRLS, step by step as R's glm.fit:
 * the same starting values, working responses and weights, convergence
 * test (|dev - dev_old| / (|dev| + 0.1) < epsilon), step halving, rank
 * rule (tol = min(1e-7, epsilon / 1000)) and warnings. */
#ifndef MLSH_STATS_GLM_H
#define MLSH_STATS_GLM_H
#include "lm.h"

typedef enum { GLM_BINOMIAL, GLM_POISSON, GLM_GAUSSIAN, GLM_GAMMA } glm_family;
typedef enum { LINK_IDENTITY, LINK_LOG, LINK_INVERSE, LINK_SQRT, LINK_LOGIT, LINK_PROBIT, LINK_CLOGLOG } glm_link;

extern const char *const glm_family_names[];   /* R's names: "binomial", "poisson", "gaussian", "Gamma" */
extern const char *const glm_link_names[];     /* "identity", "log", ... */
glm_link glm_canonical_link(glm_family f);
/* MLSH_OK when R's family object accepts the link, else a message naming both. */
int glm_check_link(glm_family f, glm_link l, const char *fname, mlsh_err *err);

typedef struct st_glm_opts {
  glm_family family;
  glm_link link;
  double epsilon;   /* 1e-8 */
  int maxit;        /* 25 */
  int intercept;    /* the formula has one (the null deviance's model) */
  int threads;
} st_glm_opts;

typedef struct st_glm {
  st_ls ls;                       /* the last weighted least-squares step (its Rinv gives the covariance) */
  size_t n;
  double *mu, *eta, *wt;          /* fitted means, linear predictor, working weights */
  double *working_resid;          /* (y - mu) / mu.eta(eta) */
  double *prior;                  /* prior weights (times the trials of cbind(s, f)) */
  double *y;                      /* the response as the family sees it (proportions for cbind) */
  double deviance, null_deviance, aic, dispersion;
  double df_residual, df_null;
  int iter, converged, boundary;
  int warn_fitted01, warn_rate0, warn_nonint;   /* R's glm.fit warnings */
} st_glm;

/* y and trials (binomial cbind; NULL otherwise) and prior weights w (NULL:
 * ones) over the n model rows; X n x p column-major. */
int st_glm_fit(const double *X, const double *y, const double *trials, const double *w, size_t n, size_t p,
               const st_glm_opts *o, st_glm *r, const char *fname, mlsh_err *err);
void st_glm_free(st_glm *r);
/* Standard errors, z or t values and p-values as R's summary.glm. */
int st_glm_coef_tests(const st_glm *r, glm_family family, double *se, double *stat, double *pval, mlsh_err *err);
/* The inverse link on n values, and d mu / d eta at one (predictions). */
void glm_linkinv(glm_link l, const double *eta, double *mu, size_t n);
double glm_mu_eta(glm_link l, double eta);
/* Pearson residuals (y - mu) sqrt(prior) / sqrt(V(mu)), into out. */
void glm_pearson_residuals(const st_glm *r, glm_family f, double *out);
/* Family-dependent deviance residuals sign(y - mu) sqrt(d_i), into out. */
void glm_deviance_residuals(const st_glm *r, glm_family f, double *out);

#endif
