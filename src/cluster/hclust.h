/* hclust.h - agglomerative hierarchical clustering with R's hclust
 * output. Exact algorithms after Muellner (2011): nearest-neighbour chain
 * for ward / complete / average / mcquitty, Prim's MST for single, the
 * generic NN-cached algorithm for centroid / median. Memory is at most
 * one condensed distance matrix; Ward on Euclidean data works on
 * centroids and needs none. Heights are in distance units as SciPy
 * (ward = R's ward.D2; centroid / median = distances between centres). */
#ifndef MLSH_HCLUST_H
#define MLSH_HCLUST_H
#include <stddef.h>
#include "dist.h"

typedef enum { HC_WARD, HC_COMPLETE, HC_AVERAGE, HC_SINGLE, HC_CENTROID, HC_MEDIAN, HC_MCQUITTY } hc_method;

typedef struct hc_tree {
  size_t n;
  int *merge;       /* (n-1) x 2, R convention: -i = observation i, +s = step s */
  double *height;   /* n-1 */
  int *order;       /* n, 1-based leaf order for the dendrogram */
} hc_tree;

/* From data rows (metric applies; ward + euclidean runs on centroids). */
int hc_linkage_data(const mlsh_mat *X, hc_method m, dist_metric metric, int threads, hc_tree *t, mlsh_err *err);
/* From a condensed distance matrix of n points (overwritten). */
int hc_linkage_cond(double *cond, size_t n, hc_method m, hc_tree *t, mlsh_err *err);
void hc_tree_free(hc_tree *t);
/* Labels 1..k (numbered by first appearance, as R's cutree). */
int hc_cut_k(const hc_tree *t, size_t k, int *labels, mlsh_err *err);
/* Labels for a cut at height h; *k_out gets the number of clusters. */
int hc_cut_height(const hc_tree *t, double h, int *labels, size_t *k_out, mlsh_err *err);
/* Cophenetic correlation against the original distances: from X with a
 * metric (cond NULL), or from a condensed matrix. */
int hc_cophenetic(const hc_tree *t, const mlsh_mat *X, dist_metric metric, const double *cond, double *r, mlsh_err *err);

#endif
