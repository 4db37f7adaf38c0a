/* arima.h - ARIMA/SARIMA models with the exact Gaussian likelihood of
 * R's stats::arima: a state-space form filtered by a Kalman filter (NaN
 * observations are skipped), the initial covariance from Gardner et al.
 * (1980), CSS starting values, BFGS (R's vmmin) and a numerical Hessian.
 * The low-level pieces (kalman.c) are exposed for the tests. */
#ifndef MLSH_TS_ARIMA_H
#define MLSH_TS_ARIMA_H
#include <stddef.h>
#include "../core/matrix.h"
#include "../core/error.h"

typedef struct ts_order {
  int p, d, q;      /* non-seasonal orders */
  int P, D, Q;      /* seasonal orders */
  int s;            /* period (>= 1; 1 or 0 when there is no seasonal part) */
} ts_order;

enum { TS_CSS_ML = 0, TS_ML = 1, TS_CSS = 2 };

typedef struct ts_arima_opts {
  ts_order ord;
  int method;            /* TS_CSS_ML (default), TS_ML, TS_CSS */
  int include_mean;      /* intercept column, used only when d + D == 0 */
  int drift;             /* regressor 1..n (a linear trend, slope per step) */
  int transform_pars;    /* keep AR parts stationary while optimising */
  const double *fixed;   /* ncoef values (NaN = estimated) or NULL */
  size_t nfixed;
  const mlsh_mat *xreg;  /* n x k user regressors or NULL */
  double kappa;          /* prior variance of the diffuse states (1e6) */
  int maxit;             /* BFGS iterations (100) */
} ts_arima_opts;

void ts_arima_defaults(ts_arima_opts *o);

typedef struct ts_arima_fit {
  ts_order ord;
  int method;
  size_t n;              /* series length (NaN included) */
  size_t narma, nxreg, ncoef;   /* nxreg counts intercept, drift and user columns */
  int has_intercept, has_drift, nuser;
  double *coef;          /* ncoef, R's order: ar, ma, sar, sma, intercept, drift, xreg */
  double *se;            /* ncoef; NaN for fixed or when the Hessian is singular */
  double *var;           /* ncoef x ncoef (row-major), NaN where undefined */
  int *mask;             /* 1 = estimated */
  char (*names)[16];
  double sigma2, loglik, aic, aicc, bic;
  size_t nobs;           /* observations used (n.used in R) */
  int npar;              /* estimated parameters + 1 (sigma^2), as in R's AIC */
  double *resid;         /* n: standardised innovations (R's residuals) */
  int code;              /* 0 converged, 1 maxit reached */
  char warning[256];     /* non-empty when something deserves a warning */
  /* final filter state, for forecasts */
  int rd, r, np, nq, nd;
  double *phi, *theta, *delta, *a, *P;
} ts_arima_fit;

int ts_arima(const double *y, size_t n, const ts_arima_opts *o, ts_arima_fit *fit, mlsh_err *err);
void ts_arima_free(ts_arima_fit *fit);
/* h-step forecasts of the fitted series: mean and standard error.
 * newxreg: h x nuser future values of the user regressors (NULL when none). */
int ts_arima_forecast(const ts_arima_fit *fit, size_t h, const mlsh_mat *newxreg,
                      double *mean, double *se, mlsh_err *err);

/* ---- kalman.c: the pieces of R's arima.c ---- */
/* AR coefficients from unconstrained values (tanh + Durbin-Levinson). */
void ts_partrans(int p, const double *raw, double *out);
void ts_invpartrans(int p, const double *phi, double *out);
/* Expand (p, q, P, Q, s) parameters to full phi (p + s*P) and theta (q + s*Q). */
void ts_expand_arma(const ts_order *o, const double *par, int trans, double *phi, double *theta);
/* Stationary covariance of the ARMA state (r = max(p, q+1)), r x r. */
int ts_getQ0(const double *phi, int p, const double *theta, int q, double *Q0, mlsh_err *err);
/* Exact likelihood pieces: ssq, sum log F, number used. a, P, Pn (rd, rd*rd)
 * are the state and are updated; resid (n) optional. Allocates nothing. */
typedef struct ts_ss {
  int p, q, r, d, rd;
  const double *phi, *theta, *delta;
  double *a, *P, *Pn;
  double *work;          /* 2 rd^2 scratch doubles */
} ts_ss;
/* Pn = T (P - g M') T' + R R' (g = NULL: Pn = T P T' + R R'; mm: rd*rd scratch). */
void ts_predict_cov(const ts_ss *m, const double *P, const double *g, const double *M, double *mm, double *Pn);
void ts_arima_like(const double *y, size_t n, ts_ss *m, double *resid, double *ssq, double *sumlog, size_t *nu);
/* Conditional sum of squares: differences y, returns ssq/nu; resid optional. */
double ts_arima_css(const double *y, size_t n, const ts_order *o, const double *phi, int p,
                    const double *theta, int q, size_t ncond, double *w, double *resid);
/* Solve A X = B (A n x n, B n x m, row-major; both overwritten, X in B)
 * by Gaussian elimination with partial pivoting; 0 when singular. */
int ts_solve(double *A, double *B, int n, int m);
/* 1 when all roots of 1 - c1 z - ... - cp z^p lie outside the unit circle. */
int ts_ar_stationary(const double *c, int p);
/* Reflect MA roots inside the unit circle (R's maInvert). */
void ts_ma_invert(double *ma, int q);

#endif

/* ---- auto.c: order search as forecast::auto.arima, and forecast accuracy ---- */
enum { TS_IC_AICC = 0, TS_IC_AIC = 1, TS_IC_BIC = 2 };
typedef struct ts_auto_opts {
  int max_p, max_q, max_P, max_Q, max_order;   /* bounds (5, 5, 2, 2, 5) */
  int max_d, max_D;       /* 2, 1 */
  int d, D;               /* -1: choose (KPSS tests for d, STL seasonal strength for D) */
  int start_p, start_q, start_P, start_Q;      /* first stepwise model (2, 2, 1, 1) */
  int s;                  /* period (1 = non-seasonal) */
  int stepwise;           /* 1: Hyndman-Khandakar, 0: the full grid */
  int approximation;      /* CSS fits while searching; -1: when n > 150 or s > 12 */
  int stationary;         /* d = D = 0 */
  int ic;                 /* TS_IC_* */
  int method;             /* -1: CSS while approximating, else CSS-ML; or TS_* for every fit */
  int allow_drift;        /* drift when d + D = 1 */
  int allow_mean;         /* mean when d + D = 0 */
  int max_models;         /* stepwise limit (94) */
  int threads;            /* candidates fitted at once (0: all cores); the choice does not depend on it */
} ts_auto_opts;

typedef struct ts_candidate {
  ts_order ord;
  int constant;
  double ic;              /* +inf when the fit failed or was rejected */
} ts_candidate;

void ts_auto_defaults(ts_auto_opts *o);
/* Search; best receives the chosen fit (of y from its first non-missing
 * value on). tried (allocated, NULL when nothing was searched; the caller
 * frees it with mlsh_free) lists the candidates of the search in the order
 * fitted, with the criterion they were compared on. */
int ts_auto_arima(const double *y, size_t n, const ts_auto_opts *o, ts_arima_fit *best,
                  ts_candidate **tried, size_t *ntried, mlsh_err *err);
/* forecast's seasonal strength of y (period s): max(0, 1 - var(remainder) /
 * var(seasonal + remainder)) of stl(y, s.window = 11); NaN when undefined. */
double ts_seasonal_strength(const double *y, size_t n, int s);
/* forecast::ndiffs (KPSS, level, 5 %; NaN dropped) and nsdiffs (test = "seas"). */
int ts_ndiffs(const double *y, size_t n, int max_d, int *d, mlsh_err *err);
int ts_nsdiffs(const double *y, size_t n, int s, int max_D, int *D, mlsh_err *err);

typedef struct ts_accuracy_t { double rmse, mae, mape, mase, r2, me; size_t n; } ts_accuracy_t;
/* scale: the MASE denominator (mean absolute naive error in training), NaN to skip. */
int ts_accuracy(const double *fc, const double *actual, size_t n, double scale, ts_accuracy_t *out, mlsh_err *err);
