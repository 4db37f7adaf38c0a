/* optim.h - BFGS minimisation with numerical derivatives (R's optim). */
#ifndef MLSH_TS_OPTIM_H
#define MLSH_TS_OPTIM_H
#include "../core/error.h"

/* Objective on n scaled parameters. */
typedef double (*ts_objfn)(int n, const double *x, void *ctx);

/* Central-difference gradient (step 1e-3); returns 0 or 1 + the index of
 * a non-finite component. x is restored. */
int ts_numgrad(ts_objfn fn, void *ctx, int n, double *x, double *g);
/* Minimise from b (updated in place); fail = 1 when maxit was reached.
 * maxit <= 0 only evaluates fmin = fn(b). */
int ts_vmmin(ts_objfn fn, void *ctx, int n, double *b, int maxit, double reltol,
             double *fmin, int *fail, mlsh_err *err);
/* Hessian n x n (row-major) at the scaled point b, in unscaled units. */
int ts_numhess(ts_objfn fn, void *ctx, int n, const double *b, const double *parscale,
               double *H, mlsh_err *err);

#endif
