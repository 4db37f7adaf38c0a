/* logistic_ops.c - logistic regression behind the learn_model interface (model.h). */
#include "model.h"

static int fit(learn_model *m, const mlsh_mat *X, const int *yi, int K, mlsh_err *err) {
  return logit_fit(&m->u.logit, X, yi, K, err);
}

static int proba(const learn_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err) {
  return logit_proba(&m->u.logit, X, P, err);
}

static void save(const learn_model *m, ser_writer *w) { logit_write(&m->u.logit, w); }

static int load(learn_model *m, ser_reader *r, size_t p, int K) { return logit_read(&m->u.logit, r, p, K); }

static void free_state(learn_model *m) { logit_free(&m->u.logit); }

const learn_model_ops learn_logistic_ops = {"logistic", 2, fit, NULL, proba, save, load, free_state, NULL};
