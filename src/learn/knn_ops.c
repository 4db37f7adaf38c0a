/* knn_ops.c - k-nearest neighbours behind the learn_model interface (model.h). */
#include "model.h"

static int fit(learn_model *m, const mlsh_mat *X, const int *yi, int K, mlsh_err *err) {
  return knn_fit(&m->u.knn, X, yi, K, err);
}

static int proba(const learn_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err) {
  return knn_proba(&m->u.knn, X, P, err);
}

static void save(const learn_model *m, ser_writer *w) { knn_write(&m->u.knn, w); }

static int load(learn_model *m, ser_reader *r, size_t p, int K) { return knn_read(&m->u.knn, r, p, K); }

static void free_state(learn_model *m) { knn_free(&m->u.knn); }

/* One class is allowed: every query then gets that label. */
const learn_model_ops learn_knn_ops = {"knn", 1, fit, NULL, proba, save, load, free_state, NULL};
