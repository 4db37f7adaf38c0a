/* lm.h - weighted least squares with R's outcome on rank-deficient
 * designs, and R's lm statistics on top of it.
 *
 * The solver factorises [sqrt(w) X | sqrt(w) y] by a tall-skinny QR (each
 * block of rows by LAPACK's dgeqrf in cache, in parallel, then the stacked
 * R factors), then walks the columns left to right as R's dqrdc2 does: a
 * column whose norm, once the columns kept before it are projected out,
 * falls below tol times its own norm is aliased: moved after the others
 * with an NA coefficient. So lm's pivot, rank and NA coefficients are R's. */
#ifndef MLSH_STATS_LM_H
#define MLSH_STATS_LM_H
#include <stddef.h>
#include "../core/error.h"

typedef struct st_ls {
  size_t n, p, rank;
  size_t *pivot;      /* p: kept columns in order, then the aliased ones (R's qr$pivot, from 0) */
  double *coef;       /* p in column order; NaN for an aliased column */
  double *R;          /* rank x rank upper triangle of the kept columns (column-major) */
  double *Rinv;       /* its inverse: unscaled covariance = Rinv Rinv' (pivot order) */
  double *effects;    /* rank: Q'y of the kept columns, in pivot order */
  double *fitted;     /* n: X b */
  double *resid;      /* n: y - X b */
} st_ls;

/* X: n x p column-major; w: n non-negative weights or NULL; tol as R's (1e-7). */
int st_ls_fit(const double *X, const double *y, const double *w, size_t n, size_t p, double tol, int threads,
              st_ls *r, mlsh_err *err);
void st_ls_free(st_ls *r);
/* h_i = w_i x_i' (R'R)^-1 x_i over the kept columns of the n x p matrix X:
 * the hat values of the fit on its own X and weights, or (w NULL) the
 * unscaled variance of predictions at new rows. */
int st_ls_hat(const st_ls *r, const double *X, size_t n, const double *w, double *h, mlsh_err *err);
/* Unscaled covariance of the coefficients, p x p in column order (NaN
 * where aliased). */
int st_ls_cov(const st_ls *r, double *V, mlsh_err *err);

typedef struct st_lm_stats {
  size_t nobs;              /* rows with non-zero weight */
  double df_residual, rss, sigma;
  double r_squared, adj_r_squared, fstatistic, numdf, dendf, f_p_value;
  double loglik, aic, bic;
  int intercept;
} st_lm_stats;

/* R's summary.lm, logLik, AIC and BIC of a fit; se/t/p (p values, NaN
 * where aliased) when non-NULL. */
int st_lm_stats_compute(const st_ls *r, const double *y, const double *w, int intercept, st_lm_stats *s, double *se,
                        double *tval, double *pval, mlsh_err *err);

/* R's anova.lm: sequential sums of squares per term. assign (p) maps
 * columns to terms (0 the intercept); out arrays hold nterms + 1 rows
 * (the last the residuals); returns the number of term rows in *nrows
 * (terms with every column aliased are left out, as R does); term[k]
 * says which term row k is. */
int st_lm_anova(const st_ls *r, const int *assign, size_t nterms, const st_lm_stats *s, int *term, double *df,
                double *ss, double *fval, double *pval, size_t *nrows, mlsh_err *err);

#endif
