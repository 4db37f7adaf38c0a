/* kmeans_impl.h - what kmeans.c shares with kmeans_ls.c and kmeans_hw.c
 * (not public). */
#ifndef MLSH_KMEANS_IMPL_H
#define MLSH_KMEANS_IMPL_H
#include <stddef.h>
#include "kmeans.h"
#include "../core/rng.h"

typedef struct {
  const double *X, *xn;    /* centred data and its row norms */
  size_t n, p, k;
  size_t pb, nblocks;      /* part blocks: fixed row ranges, reduced in block order */
  double tol;              /* absolute tolerance on the summed squared shift */
} km_data;

/* Lloyd with every restart in lockstep: each pass over a block of X
 * serves all running restarts through one dgemm against all their
 * centres. Restart s uses stream s of the seed, as the per-restart path.
 * Fills the best restart's centred centres (k*p), labels (n), inertia,
 * iterations and convergence. Returns an mlsh status (ENOMEM, EINTR). */
int km_fit_lockstep(const km_data *d, const km_opts *o, const double *mean, int nstart, int threads,
                    double *best_C, int *best_lab, double *best_in, int *best_it, int *best_conv);

/* k-means++ seeding as a Lloyd restart does it (greedy, one thread) on
 * the n x p rows X: k centres into C (k*p). For kmeans_hw.c. */
int km_seed_plusplus(const double *X, size_t n, size_t p, size_t k, mlsh_rng *rng, double *C);

/* Hartigan-Wong (kmeans_hw.c): the whole fit, on X as given. */
int km_fit_hw(const mlsh_mat *X, const km_opts *o, km_result *r, mlsh_err *err);
/* Whether KM_AUTO takes Hartigan-Wong for this fit (see kmeans.h):
 * *ok = 1 or 0; returns MLSH_OK or MLSH_ENOMEM. */
int km_hw_suits(const mlsh_mat *X, const km_opts *o, int nstart, int *ok);

#endif
