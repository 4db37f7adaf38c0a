/* kmeans.h - K-Means: greedy k-means++ seeding (as scikit-learn), Lloyd
 * iterations with BLAS-blocked distances, and Hamerly's bound-based
 * variant that skips most distance computations once centres settle.
 * Lloyd runs all restarts (nstart) in lockstep, one pass over X serving
 * every restart, with row blocks on parallel threads; Hamerly runs
 * restarts in parallel. KM_AUTO picks Lloyd for k <= 20, Hamerly above.
 * Results depend on the seed only (not on the number of threads). */
#ifndef MLSH_KMEANS_H
#define MLSH_KMEANS_H
#include <stddef.h>
#include <stdint.h>
#include "../core/matrix.h"

typedef enum { KM_INIT_PLUSPLUS, KM_INIT_RANDOM, KM_INIT_GIVEN } km_init;
typedef enum { KM_AUTO, KM_LLOYD, KM_HAMERLY } km_algo;

typedef struct km_opts {
  size_t k;
  km_init init;
  const mlsh_mat *centers0;  /* k x p, for KM_INIT_GIVEN */
  int nstart;                /* restarts; the lowest inertia wins (ties: first) */
  int max_iter;
  double tol;                /* relative to the mean column variance, as scikit-learn */
  km_algo algo;
  uint64_t seed;
  int threads;               /* 0 = default */
} km_opts;

typedef struct km_result {
  mlsh_mat centers;          /* k x p */
  int *labels;               /* n, 0-based */
  size_t *sizes;             /* k */
  double inertia;            /* within-cluster sum of squares */
  int iters, converged;
  km_algo algo;              /* the algorithm actually used */
} km_result;

void km_opts_default(km_opts *o, size_t k);
int km_fit(const mlsh_mat *X, const km_opts *o, km_result *r, mlsh_err *err);
void km_result_free(km_result *r);
/* Nearest centre (0-based) of each row of X; dist2 (optional) gets the
 * squared distance. */
int km_predict(const mlsh_mat *centers, const mlsh_mat *X, int threads, int *labels, double *dist2, mlsh_err *err);

#endif
