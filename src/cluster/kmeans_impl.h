/* kmeans_impl.h - what kmeans.c shares with kmeans_ls.c (not public). */
#ifndef MLSH_KMEANS_IMPL_H
#define MLSH_KMEANS_IMPL_H
#include <stddef.h>
#include "kmeans.h"

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

#endif
