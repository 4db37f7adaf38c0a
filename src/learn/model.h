/* model.h - one interface over the classifiers (kNN, SVC, random forest,
 * logistic regression): labels are arbitrary ints mapped to sorted class
 * indices at fit, prediction maps back; save/load use one versioned,
 * checksummed file format (serial.h) written atomically.
 *
 * Class names: a model fitted on string labels (coded 1..K in sorted
 * order) keeps their names. A file with names has format version 2: the
 * version 1 payload followed by the K names; models without names still
 * write version 1, which every mlsh reads. */
#ifndef MLSH_LEARN_MODEL_H
#define MLSH_LEARN_MODEL_H
#include "knn.h"
#include "svc.h"
#include "forest.h"
#include "logistic.h"

typedef enum { LEARN_KNN = 1, LEARN_SVM, LEARN_FOREST, LEARN_LOGISTIC } learn_kind;

typedef struct learn_model {
  learn_kind kind;
  int K;              /* 0 until fitted */
  int *classes;       /* K sorted labels */
  size_t p;           /* features seen at fit */
  char **names;       /* K class names (classes are then 1..K), or NULL; one block */
  union { knn_model knn; svc_model svc; forest_model forest; logit_model logit; } u;
} learn_model;

/* What a classifier kind provides; one row per kind (src/learn/<kind>_ops.c),
 * found by kind in model.c, so a new classifier is one row and one file.
 * fit gets class indices 0..K-1; predict is NULL where the label is the argmax
 * of proba; release frees option memory (NULL when there is none). */
typedef struct learn_model_ops {
  const char *name;
  int min_classes;    /* classes fit needs */
  int (*fit)(learn_model *m, const mlsh_mat *X, const int *yi, int K, mlsh_err *err);
  int (*predict)(const learn_model *m, const mlsh_mat *X, int *class_index, mlsh_err *err);
  int (*proba)(const learn_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err);
  void (*save)(const learn_model *m, ser_writer *w);
  int (*load)(learn_model *m, ser_reader *r, size_t p, int K);
  void (*free)(learn_model *m);
  void (*release)(learn_model *m);
} learn_model_ops;

extern const learn_model_ops learn_knn_ops, learn_svc_ops, learn_forest_ops, learn_logistic_ops;

const char *learn_kind_name(learn_kind k);
int learn_fit(learn_model *m, const mlsh_mat *X, const int *y, size_t n, mlsh_err *err);
/* Predicted labels (original values) for each row of X. */
int learn_predict(const learn_model *m, const mlsh_mat *X, int *labels, mlsh_err *err);
/* Class scores/probabilities, rows x K (columns in m->classes order). */
int learn_proba(const learn_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err);
/* Give a fitted model the names of its classes 1..K (copied; NULL: none).
 * learn_fit drops the names of an earlier fit. */
int learn_set_names(learn_model *m, const char *const *names, mlsh_err *err);
/* Free the fitted state and options' memory (the struct itself is the caller's). */
void learn_model_free(learn_model *m);
int learn_save(const learn_model *m, const char *path, mlsh_err *err);
/* Load into a zeroed model. */
int learn_load(learn_model *m, const char *path, mlsh_err *err);

#endif
