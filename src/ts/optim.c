/* optim.c - quasi-Newton minimisation as R's optim(method = "BFGS"):
 * the variable-metric method of Nash (1990, Algorithm 21; R's vmmin) with
 * central-difference gradients (ndeps = 1e-3 on the scaled parameters) and
 * R's optimhess for the Hessian, so that fits follow R's path closely. */
#include <math.h>
#include <string.h>
#include "optim.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

/* Central differences on the scaled parameters, as optim's fmingr. */
int ts_numgrad(ts_objfn fn, void *ctx, int n, double *x, double *g) {
  for (int i = 0; i < n; i++) {
    double xi = x[i];
    x[i] = xi + 1e-3;
    double f1 = fn(n, x, ctx);
    x[i] = xi - 1e-3;
    double f2 = fn(n, x, ctx);
    x[i] = xi;
    g[i] = (f1 - f2) / 2e-3;
    if (!isfinite(g[i])) return i + 1;
  }
  return 0;
}

int ts_vmmin(ts_objfn fn, void *ctx, int n, double *b, int maxit, double reltol,
             double *fmin, int *fail, mlsh_err *err) {
  const double stepredn = 0.2, acctol = 0.0001, reltest = 10.0;
  *fail = 0;
  if (maxit <= 0) { *fmin = fn(n, b, ctx); return MLSH_OK; }
  double f = fn(n, b, ctx);
  if (n == 0) { *fmin = f; return MLSH_OK; }   /* nothing to optimise: R evaluates only */
  if (!isfinite(f)) return mlsh_seterr(err, MLSH_ENUM, "initial value of the objective is not finite");
  double *mem = mlsh_malloc(((size_t)4 * n + (size_t)n * n) * sizeof(double));
  if (!mem) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *g = mem, *t = g + n, *X = t + n, *c = X + n, *B = c + n;
  int rc = MLSH_OK, k;
  *fmin = f;
  if ((k = ts_numgrad(fn, ctx, n, b, g))) {
    rc = mlsh_seterr(err, MLSH_ENUM, "non-finite finite-difference gradient [%d]", k);
    goto done;
  }
  int iter = 1, gradcount = 1, ilast = gradcount, count;
  do {
    if (mlsh_interrupted()) { rc = mlsh_seterr(err, MLSH_EINTR, "interrupted"); goto done; }
    if (ilast == gradcount)
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) B[i * n + j] = i == j;
    memcpy(X, b, (size_t)n * sizeof(double));
    memcpy(c, g, (size_t)n * sizeof(double));
    double gradproj = 0;
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < n; j++) s -= B[i * n + j] * g[j];
      t[i] = s;
      gradproj += s * g[i];
    }
    if (gradproj < 0) {
      double steplength = 1.0;
      int accpoint = 0;
      do {
        count = 0;
        for (int i = 0; i < n; i++) {
          b[i] = X[i] + steplength * t[i];
          if (reltest + X[i] == reltest + b[i]) count++;
        }
        if (count < n) {
          f = fn(n, b, ctx);
          accpoint = isfinite(f) && f <= *fmin + gradproj * steplength * acctol;
          if (!accpoint) steplength *= stepredn;
        }
      } while (!(count == n || accpoint));
      int enough = fabs(f - *fmin) > reltol * (fabs(*fmin) + reltol);
      if (!enough) { count = n; *fmin = f; }
      if (count < n) {
        *fmin = f;
        if ((k = ts_numgrad(fn, ctx, n, b, g))) {
          rc = mlsh_seterr(err, MLSH_ENUM, "non-finite finite-difference gradient [%d]", k);
          goto done;
        }
        gradcount++;
        iter++;
        double D1 = 0;
        for (int i = 0; i < n; i++) {
          t[i] *= steplength;
          c[i] = g[i] - c[i];
          D1 += t[i] * c[i];
        }
        if (D1 > 0) {  /* BFGS update of the inverse Hessian */
          double D2 = 0;
          for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += B[i * n + j] * c[j];
            X[i] = s;
            D2 += s * c[i];
          }
          D2 = 1.0 + D2 / D1;
          for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) B[i * n + j] += (D2 * t[i] * t[j] - X[i] * t[j] - t[i] * X[j]) / D1;
        } else {
          ilast = gradcount;
        }
      } else if (ilast < gradcount) {
        count = 0;
        ilast = gradcount;
      }
    } else {  /* not a descent direction: restart from steepest descent */
      count = 0;
      if (ilast == gradcount) count = n;
      else ilast = gradcount;
    }
    if (iter >= maxit) break;
    if (gradcount - ilast > 2 * n) ilast = gradcount;
  } while (count != n || ilast != gradcount);
  *fail = iter < maxit ? 0 : 1;
done:
  mlsh_free(mem);
  return rc;
}

/* optimhess: differences of numerical gradients, ndeps = 1e-3 in the
 * original units; H is returned in the original (unscaled) units. */
int ts_numhess(ts_objfn fn, void *ctx, int n, const double *b, const double *parscale,
               double *H, mlsh_err *err) {
  double *mem = mlsh_malloc((size_t)3 * n * sizeof(double) + 1);
  if (!mem) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *x = mem, *g1 = x + n, *g2 = g1 + n;
  int rc = MLSH_OK;
  memcpy(x, b, (size_t)n * sizeof(double));
  for (int i = 0; i < n && rc == MLSH_OK; i++) {
    double eps = 1e-3 / parscale[i];
    x[i] = b[i] + eps;
    int k1 = ts_numgrad(fn, ctx, n, x, g1);
    x[i] = b[i] - eps;
    int k2 = ts_numgrad(fn, ctx, n, x, g2);
    x[i] = b[i];
    if (k1 || k2) { rc = mlsh_seterr(err, MLSH_ENUM, "non-finite finite-difference Hessian"); break; }
    for (int j = 0; j < n; j++) H[i * n + j] = (g1[j] - g2[j]) / (2 * eps * parscale[i] * parscale[j]);
  }
  for (int i = 0; i < n && rc == MLSH_OK; i++)
    for (int j = 0; j < i; j++) {
      double s = 0.5 * (H[i * n + j] + H[j * n + i]);
      H[i * n + j] = H[j * n + i] = s;
    }
  mlsh_free(mem);
  return rc;
}
