/* forest.h - random forest classifier: CART trees with Gini impurity,
 * splits searched over each feature's values cut into <= 256 bins of
 * about equal frequency (exact when a feature has <= 256 distinct values;
 * thresholds are real values halfway between training values), bootstrap
 * samples, random feature subsets, trees grown in parallel (one seeded
 * stream per tree, so the forest depends on the seed only, not on the
 * thread count). */
#ifndef MLSH_LEARN_FOREST_H
#define MLSH_LEARN_FOREST_H
#include <stdint.h>
#include "../core/matrix.h"
#include "serial.h"

typedef struct forest_tree {
  int nnodes;
  int *feature;        /* split feature, -1 at leaves */
  double *threshold;   /* go left when x[feature] <= threshold */
  int *left, *right;
  double *value;       /* nnodes x K class fractions */
} forest_tree;

typedef enum { MF_SQRT, MF_LOG2, MF_ALL, MF_COUNT, MF_FRACTION } forest_mf;

typedef struct forest_model {
  int ntrees, max_depth;           /* max_depth <= 0: unlimited */
  int min_split, min_leaf, bootstrap, threads;
  forest_mf mf;
  double mf_value;                 /* count or fraction for MF_COUNT / MF_FRACTION */
  uint64_t seed;
  int tree0;                       /* the first tree's number in the seed's streams (0; a part: forest_part.c) */
  const struct stream_comm *comm;  /* trees split over these processes (forest_part.c); NULL: this one */
  /* fitted */
  int K;
  size_t p;
  forest_tree *trees;
  double *importance;              /* p, mean decrease in impurity, sums to 1 */
} forest_model;

int forest_fit(forest_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err);
/* Mean of the trees' leaf class fractions, rows x K. */
int forest_proba(const forest_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err);
void forest_free(forest_model *m);
/* forest_part.c: the same forest with its trees grown by every process of
 * m->comm (trees t0..t1 each, tree t's stream keyed by (seed, t), never by
 * process) and gathered, so that every process holds the whole forest,
 * the one forest_fit grows; X and y must be the same on every process. */
int forest_fit_dist(forest_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err);
void forest_write(const forest_model *m, ser_writer *w);
int forest_read(forest_model *m, ser_reader *r, size_t p, int K);

#endif
