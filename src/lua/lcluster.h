/* lcluster.h - what other bindings share with the cluster binding: the
 * K-Means result table, so that a streamed or distributed fit answers in
 * the same class as cluster.kmeans. */
#ifndef LCLUSTER_H
#define LCLUSTER_H
#include "lmlsh.h"

/* Push a KMeans result table: labels (0-based, n of them; made 1-based in
 * place), centers (taken over), the scalars and the algorithm's name. The
 * caller adds the `sizes` field (their type differs between fits). */
void lcluster_push_kmeans(lua_State *L, int *labels, size_t n, size_t k, mlsh_mat *centers, double inertia,
                          int iters, int converged, const char *algorithm);

#endif
