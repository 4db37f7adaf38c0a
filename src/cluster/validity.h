/* validity.h - cluster validation indices and profiles: silhouette
 * (blockwise, never the n x n matrix), Calinski-Harabasz, Davies-Bouldin,
 * contingency-based ARI / NMI / purity, and catdes-style v-tests.
 * Labels are 0-based ints in [0, k). */
#ifndef MLSH_CLUSTER_VALIDITY_H
#define MLSH_CLUSTER_VALIDITY_H
#include <stddef.h>
#include <stdint.h>
#include "../core/matrix.h"

/* s[i] per row (0 for singletons, as scikit-learn); *mean = average. */
int clv_silhouette(const mlsh_mat *X, const int *lab, size_t k, int threads, double *s, double *mean, mlsh_err *err);
/* The same from a condensed distance matrix of n points. */
int clv_silhouette_cond(const double *cond, size_t n, const int *lab, size_t k, double *s, double *mean, mlsh_err *err);
int clv_calinski_harabasz(const mlsh_mat *X, const int *lab, size_t k, double *out, mlsh_err *err);
int clv_davies_bouldin(const mlsh_mat *X, const int *lab, size_t k, double *out, mlsh_err *err);
/* The last steps of both, shared with the streamed indices (src/data/
 * stream_valid.c): from the centroids C (k x p), counts, the overall
 * mean gm and the within-cluster sum of squares W; from C and S, the
 * summed distances of each cluster's rows to its centroid (made means
 * in place). */
double clv_ch_finish(const double *C, const double *cnt, const double *gm, size_t k, size_t p, size_t n, double W);
double clv_db_finish(const double *C, double *S, const double *cnt, size_t k, size_t p);
/* The rows of cluster.elbow's silhouette sample: the first m of perm, a
 * permutation of 0..n-1 drawn from seed (perm holds n). */
void clv_sample_perm(uint64_t seed, size_t n, size_t *perm);

/* tab (ka x kb, row-major) = counts of (a[i], b[i]). */
void clv_crosstab(const int *a, const int *b, size_t n, size_t ka, size_t kb, double *tab);
double clv_ari(const double *tab, size_t ka, size_t kb);
/* Normalised mutual information, arithmetic mean of entropies (scikit-learn's default). */
double clv_nmi(const double *tab, size_t ka, size_t kb);
/* Share of rows in the majority truth class of their cluster (truth = rows). */
double clv_purity(const double *tab, size_t ka, size_t kb);

/* Per cluster c and variable j (k x p outputs): mean, sd (population),
 * v-test (FactoMineR catdes: (mean_c - mean) / sqrt(var/n_c * (N-n_c)/(N-1)))
 * and its two-sided normal p-value. Overall mean/sd go to gmean/gsd (p). */
int clv_profile(const mlsh_mat *X, const int *lab, size_t k, double *mean, double *sd, double *vtest,
                double *pval, double *gmean, double *gsd, size_t *sizes, mlsh_err *err);

#endif
