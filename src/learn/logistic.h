/* logistic.h - multinomial (softmax) logistic regression with an L2
 * penalty, fitted by L-BFGS: minimises
 *   (1/n) sum_i -log p(y_i | x_i) + ||W||^2 / (2 C n)
 * (the intercepts are not penalised), the objective of scikit-learn's
 * LogisticRegression(multi_class="multinomial", solver="lbfgs"). */
#ifndef MLSH_LEARN_LOGISTIC_H
#define MLSH_LEARN_LOGISTIC_H
#include "../core/matrix.h"
#include "serial.h"

typedef struct logit_model {
  double C, tol;      /* tol: stop when max |gradient| <= tol */
  int max_iter;
  int threads;        /* 0 = default */
  /* fitted */
  int K, iters;
  size_t p;
  double *W;          /* (p+1) x K, last row = intercepts */
} logit_model;

int logit_fit(logit_model *m, const mlsh_mat *X, const int *y, int K, mlsh_err *err);
int logit_proba(const logit_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err);
void logit_free(logit_model *m);
void logit_write(const logit_model *m, ser_writer *w);
int logit_read(logit_model *m, ser_reader *r, size_t p, int K);

#endif
