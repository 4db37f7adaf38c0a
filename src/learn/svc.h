/* svc.h - support vector classification on libsvm (the solver that
 * scikit-learn's SVC wraps). One-vs-one: each pair of classes is a binary
 * libsvm problem; pairs train in parallel, each on a kernel matrix computed
 * by BLAS (libsvm's PRECOMPUTED kernel) when it fits in memory. Prediction
 * is ours: K(X, support vectors) by dgemm, then libsvm's pairwise vote.
 * Both take row dot products from the cache of gram.h when the rows fit in
 * cache_mb: one product serves every pair, refit and CV fold. */
#ifndef MLSH_LEARN_SVC_H
#define MLSH_LEARN_SVC_H
#include <stdint.h>
#include "../core/matrix.h"
#include "serial.h"

typedef enum { SVC_RBF, SVC_LINEAR, SVC_POLY, SVC_SIGMOID } svc_kernel;
#define SVC_GAMMA_SCALE (-1.0)   /* 1 / (p * Var(X)), scikit-learn's default */
#define SVC_GAMMA_AUTO  (-2.0)   /* 1 / p */

typedef struct svc_model {
  svc_kernel kernel;
  double C, gamma_opt, coef0, tol, cache_mb;
  int degree, probability, threads, balanced;
  uint64_t seed;                 /* Platt scaling folds */
  double *class_weight;          /* per class index (K), NULL = all 1; set before fit */
  /* fitted */
  double gamma;
  int K;
  mlsh_mat SV;                   /* nsv x p, every support vector once */
  size_t *pair_start;            /* K(K-1)/2 + 1 offsets into pair_sv/pair_coef */
  int *pair_sv;                  /* row of SV */
  double *pair_coef, *rho;       /* dual coefficients (y*alpha) and offsets per pair */
  double *probA, *probB;         /* Platt sigmoid per pair (probability only) */
} svc_model;

int svc_fit(svc_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err);
/* Pairwise decision values, rows x K(K-1)/2 (pairs 0-1, 0-2, ..., 1-2, ...). */
int svc_decision(const svc_model *m, const mlsh_mat *X, mlsh_mat *D, mlsh_err *err);
/* Class index per row by one-vs-one vote (ties: smallest class). */
int svc_predict(const svc_model *m, const mlsh_mat *X, int *out, mlsh_err *err);
/* Pairwise-coupled Platt probabilities, rows x K (needs probability=1). */
int svc_proba(const svc_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err);
void svc_free(svc_model *m);
void svc_write(const svc_model *m, ser_writer *w);
int svc_read(svc_model *m, ser_reader *r, size_t p, int K);

#endif
