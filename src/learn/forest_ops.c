/* forest_ops.c - random forest behind the learn_model interface (model.h). */
#include "model.h"

static int fit(learn_model *m, const mlsh_mat *X, const int *yi, int K, mlsh_err *err) {
  return m->u.forest.comm ? forest_fit_dist(&m->u.forest, X, yi, K, err) : forest_fit(&m->u.forest, X, yi, K, err);
}

static int proba(const learn_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err) {
  return forest_proba(&m->u.forest, X, P, err);
}

static void save(const learn_model *m, ser_writer *w) { forest_write(&m->u.forest, w); }

static int load(learn_model *m, ser_reader *r, size_t p, int K) { return forest_read(&m->u.forest, r, p, K); }

static void free_state(learn_model *m) { forest_free(&m->u.forest); }

const learn_model_ops learn_forest_ops = {"forest", 2, fit, NULL, proba, save, load, free_state, NULL};
