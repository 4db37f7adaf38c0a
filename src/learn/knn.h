/* knn.h - exact k-nearest-neighbour classification. Euclidean and cosine
 * distances for a block of queries come from one sgemm (float32, 3x the
 * speed of dgemm); every row within the float error bound of the k-th
 * nearest is then re-ranked in double, so the neighbours are those of an
 * all-double search. Votes break ties toward the smallest class. */
#ifndef MLSH_LEARN_KNN_H
#define MLSH_LEARN_KNN_H
#include "../core/matrix.h"
#include "serial.h"

typedef enum { KNN_EUCLIDEAN, KNN_COSINE, KNN_MANHATTAN } knn_metric;

typedef struct knn_model {
  int k;                 /* neighbours */
  knn_metric metric;
  int distance_weights;  /* 0 uniform, 1 inverse distance */
  int threads;
  int borrow;            /* fit keeps a pointer to X's data instead of a copy
                            (the caller keeps X alive and unchanged, as
                            scikit-learn does); loaded models own theirs */
  /* fitted */
  mlsh_mat X;            /* training rows */
  int borrowed;
  double *sqnorm;        /* |x|^2 per training row */
  float *Xf;             /* float32 copy of X for the sgemm screen */
  double maxnorm;        /* largest |x| (error bound of the screen) */
  int *y;                /* class index 0..K-1 per training row */
  int K;
} knn_model;

int knn_fit(knn_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err);
/* Class scores (vote shares), rows x K, allocated into P. */
int knn_proba(const knn_model *m, const mlsh_mat *Q, mlsh_mat *P, mlsh_err *err);
/* The k nearest training rows of each query: idx (0-based) and distances, rows x k. */
int knn_neighbors(const knn_model *m, const mlsh_mat *Q, int *idx, double *dist, mlsh_err *err);
void knn_free(knn_model *m);
void knn_write(const knn_model *m, ser_writer *w);
int knn_read(knn_model *m, ser_reader *r, size_t p, int K);

#endif
