/* lcluster.h - what other bindings share with the cluster binding: the
 * K-Means and elbow result tables and the elbow's own options, so that a
 * streamed or distributed fit answers as cluster.kmeans / cluster.elbow. */
#ifndef LCLUSTER_H
#define LCLUSTER_H
#include "lmlsh.h"

/* Push a KMeans result table: labels (0-based, n of them; made 1-based in
 * place), centers (taken over), the scalars and the algorithm's name. The
 * caller adds the `sizes` field (their type differs between fits). */
void lcluster_push_kmeans(lua_State *L, int *labels, size_t n, size_t k, mlsh_mat *centers, double inertia,
                          int iters, int converged, const char *algorithm);

/* The options cluster.elbow adds to a K-Means spec, for a struct T with
 * int fields kmin and kmax. */
#define LCLUSTER_ELBOW_OPTS(T)                                                                                    \
  MLSH_OPT_INT(T, kmin, "kmin", 2, 2, HUGE_VAL, "smallest k"),                                                      \
  MLSH_OPT_INT(T, kmax, "kmax", 10, 2, HUGE_VAL, "largest k (below the number of rows)"),                          \
  MLSH_OPT_VALUE("silhouette", MLSH_OT_ANY, "auto",                                                               \
                 "true (exact), false (skip), or a row sample size (auto: exact up to 5000 rows, else 5000)")

/* Checks kmin..kmax against n rows; returns the silhouette's sample size
 * (option 'silhouette' of the options at optidx). */
size_t lcluster_elbow_check(lua_State *L, int optidx, const char *fname, int kmin, int kmax, size_t n);
/* Push the Elbow result: res holds inertia, silhouette, CH, DB (m each)
 * for k = kmin.. (sample: the silhouette's rows, 0 = skipped). */
void lcluster_push_elbow(lua_State *L, int kmin, size_t m, const double *res, size_t sample);

#endif
