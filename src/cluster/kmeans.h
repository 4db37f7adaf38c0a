/* kmeans.h - K-Means: greedy k-means++ seeding (as scikit-learn), Lloyd
 * iterations with BLAS-blocked distances, Hamerly's bound-based variant
 * that skips most distance computations once centres settle, and
 * Hartigan and Wong's algorithm (AS 136, exactly as R's stats::kmeans).
 * Lloyd runs all restarts (nstart) in lockstep, one pass over X serving
 * every restart, with row blocks on parallel threads; Hamerly and
 * Hartigan-Wong run restarts in parallel.
 * KM_AUTO picks Hartigan-Wong for small fits: 2 <= k < n, n*p*k*nstart
 * <= 1e6 (a few milliseconds), at least k distinct rows, and given
 * centres distinct with none left without a nearest point; otherwise
 * Lloyd for k <= 20, Hamerly above.
 * Hartigan-Wong: random starts draw k distinct rows among the distinct
 * rows of X (as R); tol is not used; converged = 0 when max_iter passes
 * ran or the quick-transfer stage reached R's 50 n steps; an empty
 * cluster at the start, duplicated given centres, k >= n (k > 1) or
 * fewer distinct rows than k are MLSH_EINVAL (R's errors). k = 1 gives
 * the mean (R hands k = 1 to MacQueen).
 * Results depend on the seed only (not on the number of threads). */
#ifndef MLSH_KMEANS_H
#define MLSH_KMEANS_H
#include <stddef.h>
#include <stdint.h>
#include "../core/matrix.h"

typedef enum { KM_INIT_PLUSPLUS, KM_INIT_RANDOM, KM_INIT_GIVEN } km_init;
typedef enum { KM_AUTO, KM_LLOYD, KM_HAMERLY, KM_HARTIGAN_WONG } km_algo;

typedef struct km_opts {
  size_t k;
  km_init init;
  const mlsh_mat *centers0;  /* k x p, for KM_INIT_GIVEN */
  int nstart;                /* restarts; the lowest inertia wins (ties: first) */
  int max_iter;
  double tol;                /* relative to the mean column variance, as scikit-learn (not Hartigan-Wong) */
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
