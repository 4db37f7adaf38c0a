/* pca.h - principal component analysis as FactoMineR's PCA: optional row
 * weights (normalised to sum 1), centring, scaling by the population sd
 * (correlation PCA), eigenvalues as variances of the components, and the
 * individuals' / variables' coordinates, cos2 and contributions.
 * Solvers: "gram" (for n >> p: the p x p weighted cross-product of the
 * centred data in row blocks, then LAPACK dsyevr), "svd" (QR of the tall
 * data, then dgesdd of R; it keeps the digits when the Gram matrix would
 * square a large condition number), "randomized" (Halko, Martinsson &
 * Tropp 2011) for a few components, "gram32" (gram with each row block's
 * product in single precision, added into the double Gram; means and
 * variances stay double; refitted as gram when the double projection shows
 * a kept component or explained ratio off by more than about 1e-6), and
 * "auto" (gram32 for large tall data, gram when n >= 2p, each as long as the
 * kept eigenvalues are well separated from the largest, else svd).
 * Non-finite data are an error (found by the Gram sweep, else a scan).
 * Sign convention: each component's largest-|loading| entry is positive. */
#ifndef MLSH_PCA_H
#define MLSH_PCA_H
#include <stddef.h>
#include <stdint.h>
#include "../core/matrix.h"

typedef enum { PCA_AUTO, PCA_GRAM, PCA_SVD, PCA_RANDOMIZED, PCA_GRAM32 } pca_method;

typedef struct pca_opts {
  size_t ncomp;            /* 0 = all available */
  int center, scale;
  const double *weights;   /* n row weights (>= 0), or NULL */
  pca_method method;
  int oversample, iters;   /* randomized: extra columns, power iterations */
  uint64_t seed;
  int threads;
} pca_opts;

typedef struct pca_model {
  size_t n, p, ncomp, neig;
  int scaled;
  pca_method method;       /* the solver that ran (never PCA_AUTO) */
  double *mean, *sd;       /* p each; sd = 1 when not scaling */
  double *w;               /* n normalised row weights */
  double total;            /* total inertia (sum of all eigenvalues) */
  mlsh_mat eig;            /* neig x 1 eigenvalues, decreasing */
  mlsh_mat loadings;       /* p x ncomp unit vectors */
  mlsh_mat ind_coord, ind_cos2, ind_contrib;   /* n x ncomp */
  mlsh_mat var_coord, var_cos2, var_contrib;   /* p x ncomp */
} pca_model;

void pca_opts_default(pca_opts *o);
int pca_fit(const mlsh_mat *X, const pca_opts *o, pca_model *m, mlsh_err *err);
void pca_free(pca_model *m);
/* Coordinates (and cos2 when cos2 != NULL) of new rows, fitted centring/scaling. */
int pca_transform(const pca_model *m, const mlsh_mat *X, int threads, mlsh_mat *coord, mlsh_mat *cos2, mlsh_err *err);
/* Supplementary quantitative variables (n x q, the fitted rows): their
 * coordinates (correlations with the components when scaled) and cos2. */
int pca_sup_cols(const pca_model *m, const mlsh_mat *Xs, mlsh_mat *coord, mlsh_mat *cos2, mlsh_err *err);
/* The sign convention: the largest-|.| entry of each column of the p x r
 * row-major V made positive (shared with the streamed PCA). */
void pca_fix_signs(double *V, size_t p, size_t r);

#endif
