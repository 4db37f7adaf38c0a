/* svc_ops.c - support vector classifier behind the learn_model interface (model.h). */
#include "model.h"
#include "../core/alloc.h"

static int fit(learn_model *m, const mlsh_mat *X, const int *yi, int K, mlsh_err *err) {
  return svc_fit(&m->u.svc, X, yi, K, err);
}

static int proba(const learn_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err) {
  return svc_proba(&m->u.svc, X, P, err);
}

static void save(const learn_model *m, ser_writer *w) { svc_write(&m->u.svc, w); }

static int load(learn_model *m, ser_reader *r, size_t p, int K) { return svc_read(&m->u.svc, r, p, K); }

static void free_state(learn_model *m) { svc_free(&m->u.svc); }

/* One-vs-one vote, as libsvm/scikit-learn (not the argmax of probabilities). */
static int predict(const learn_model *m, const mlsh_mat *X, int *class_index, mlsh_err *err) {
  return svc_predict(&m->u.svc, X, class_index, err);
}

/* The class weights are an option, set before fit and kept across refits. */
static void release(learn_model *m) {
  mlsh_free(m->u.svc.class_weight);
  m->u.svc.class_weight = NULL;
}

const learn_model_ops learn_svc_ops = {"svm", 2, fit, predict, proba, save, load, free_state, release};
