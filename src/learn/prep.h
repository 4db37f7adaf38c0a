/* prep.h - data preparation for classifiers: class lists, train/test
 * splits, k folds (optionally stratified) and feature scalers. */
#ifndef MLSH_LEARN_PREP_H
#define MLSH_LEARN_PREP_H
#include <stddef.h>
#include <stdint.h>
#include "../core/matrix.h"

/* The sorted distinct labels of y (*classes, *k) and y mapped to 0..k-1
 * (*yidx, may be NULL when not wanted). Caller frees both. */
int learn_classes(const int *y, size_t n, int **classes, int *k, int **yidx, mlsh_err *err);
/* Map labels to indices of a known sorted class list; an unknown label is an error. */
int learn_map_labels(const int *y, size_t n, const int *classes, int k, int *yidx, mlsh_err *err);

/* The checks before predicting: the model is fitted, and X has the p
 * columns it was fitted on. MLSH_OK or MLSH_EINVAL with the message. */
int learn_check_predict(int fitted, size_t p, const mlsh_mat *X, mlsh_err *err);

/* Shuffle-split 0..n-1 into test (ceil(test*n) items) and train. With y
 * given (stratify) each class keeps its proportion, as scikit-learn's
 * StratifiedShuffleSplit; every class needs at least 2 members.
 * Outputs are sorted ascending; caller frees them. */
int learn_split(size_t n, const int *y, double test, uint64_t seed,
                size_t **train, size_t *ntrain, size_t **test_idx, size_t *ntest, mlsh_err *err);
/* Fold number (0..k-1) of each of n items; with y, folds are stratified. */
int learn_kfold(size_t n, const int *y, int k, uint64_t seed, int *fold, mlsh_err *err);

typedef enum { SCALER_STANDARD, SCALER_MINMAX } scaler_kind;
typedef struct learn_scaler {
  scaler_kind kind;
  size_t p;                /* 0 until fitted */
  double *shift, *scale;   /* x' = (x - shift) / scale */
} learn_scaler;

/* standard: mean and population sd (zero sd -> 1, as StandardScaler);
 * minmax: min and range (zero range -> 1). */
int scaler_fit(learn_scaler *s, const mlsh_mat *X, mlsh_err *err);
int scaler_transform(const learn_scaler *s, const mlsh_mat *X, mlsh_mat *out, mlsh_err *err);
void scaler_free(learn_scaler *s);

#endif
