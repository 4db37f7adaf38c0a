/* llearn.c - Lua binding for the `learn` classifiers (KNN, SVM, random
 * forest, logistic regression) as Model objects, and model files. Splits,
 * folds, scalers, label encoding and metrics are in llearn_prep.c; the C
 * core is src/learn/.
 *
 * Labels are integers from 1 or strings (mlsh_check_classes). A model
 * fitted on strings keeps their names in the core model (so they are saved
 * with it) and answers in them: predict, classes and score speak the
 * labels it was given. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lmlsh.h"
#include "../learn/model.h"
#include "../learn/prep.h"
#include "../learn/gram.h"
#include "../core/alloc.h"
#include "../dist/dist.h"

#define MODEL_MT "mlsh.Model"

/* Uservalues of a Model: 1 = the X a KNN borrows, 2 = svm class_weight table. */
typedef struct lmodel { learn_model m; } lmodel;

static lmodel *check_model(lua_State *L, int idx, const char *fname) {
  lmodel *u = luaL_testudata(L, idx, MODEL_MT);
  if (!u) mlsh_error(L, fname, "argument 'self' must be a Model (got %s); call it as model:%s(...)",
                     mlsh_typename(L, idx), strchr(fname, ':') ? strchr(fname, ':') + 1 : fname);
  return u;
}

static lmodel *push_model(lua_State *L, learn_kind kind) {
  lmodel *u = lua_newuserdatauv(L, sizeof *u, 2);
  memset(u, 0, sizeof *u);
  u->m.kind = kind;
  luaL_setmetatable(L, MODEL_MT);
  return u;
}

/* A size_t option as the core's int (counts past INT_MAX mean "no limit" there too). */
static int clamp_int(size_t v) { return v > INT_MAX ? INT_MAX : (int)v; }

/* ---- constructors ---- */

static const char *const knn_metrics[] = {"euclidean", "cosine", "manhattan", NULL};
static const char *const knn_weights[] = {"uniform", "distance", NULL};

typedef struct { int k, metric, weights, threads; } knn_args;

static const mlsh_opt knn_opt[] = {
  MLSH_OPT_INT(knn_args, k, "k", 5, 1, 1000000, "neighbours that vote"),
  MLSH_OPT_ENUM(knn_args, metric, "metric", 0, knn_metrics, "distance between rows"),
  MLSH_OPT_ENUM(knn_args, weights, "weights", 0, knn_weights, "\"uniform\" votes, or \"distance\": votes weighted by 1 / distance"),
  MLSH_OPT_THREADS(knn_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec knn_spec = {"learn.knn", knn_opt};

static int l_knn(lua_State *L) {
  knn_args a;
  mlsh_opts(L, 1, &knn_spec, &a);
  lmodel *u = push_model(L, LEARN_KNN);
  u->m.u.knn = (knn_model){.k = a.k, .metric = (knn_metric)a.metric, .distance_weights = a.weights,
                           .threads = a.threads, .borrow = 1};
  return 1;
}

static const char *const svm_kernels[] = {"rbf", "linear", "poly", "sigmoid", NULL};

typedef struct {
  int kernel, degree, probability, threads;
  double C, coef0, tol, cache;
  uint64_t seed;
} svm_args;

static const mlsh_opt svm_opt[] = {
  MLSH_OPT_ENUM(svm_args, kernel, "kernel", 0, svm_kernels, "kernel function"),
  MLSH_OPT_POS(svm_args, C, "C", 1.0, "cost of a margin violation"),
  MLSH_OPT_VALUE("gamma", MLSH_OT_ANY, "\"scale\"",
                 "kernel width: \"scale\" (1 / (p Var X)), \"auto\" (1 / p) or a positive number"),
  MLSH_OPT_INT(svm_args, degree, "degree", 3, 1, 100, "degree of the poly kernel"),
  MLSH_OPT_NUM(svm_args, coef0, "coef0", 0.0, -HUGE_VAL, HUGE_VAL, "constant of the poly and sigmoid kernels"),
  MLSH_OPT_BOOL(svm_args, probability, "probability", 0,
                "fit Platt scaling (5 seeded folds per pair), which predict_proba needs"),
  MLSH_OPT_VALUE("class_weight", MLSH_OT_ANY, NULL,
                 "\"balanced\" (n / (K n_class)) or a table {[label] = weight} (other classes 1)"),
  MLSH_OPT_POS(svm_args, tol, "tol", 1e-3, "stopping tolerance of the solver"),
  MLSH_OPT_NUM(svm_args, cache, "cache", 200, 1, HUGE_VAL, "MB for the kernel's cache of row dot products"),
  MLSH_OPT_SEED(svm_args, seed),
  MLSH_OPT_THREADS(svm_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec svm_spec = {"learn.svm", svm_opt};

/* The `gamma` option: a name or a positive number. */
static double svm_gamma(lua_State *L, int optidx, const char *fn) {
  static const char *const named[] = {"scale", "auto", NULL};
  double gamma = SVC_GAMMA_SCALE;
  int t = mlsh_opt_get(L, optidx, "gamma");
  if (t == LUA_TSTRING) {
    gamma = mlsh_check_choice(L, -1, fn, "option 'gamma'", named) == 0 ? SVC_GAMMA_SCALE : SVC_GAMMA_AUTO;
  } else if (t == LUA_TNUMBER) {
    gamma = lua_tonumber(L, -1);
    if (!(gamma > 0) || !isfinite(gamma)) mlsh_error(L, fn, "option 'gamma' must be positive (got %g)", gamma);
  } else if (t != LUA_TNIL) {
    mlsh_error(L, fn, "option 'gamma' must be \"scale\", \"auto\" or a positive number (got %s)", mlsh_typename(L, -1));
  }
  lua_pop(L, 1);
  return gamma;
}

/* The `class_weight` option: returns 1 for "balanced"; a table is checked
 * here (labels to positive weights) and left on the stack (returns 2). */
static int svm_class_weight_opt(lua_State *L, int optidx, const char *fn) {
  static const char *const named[] = {"balanced", NULL};
  int t = mlsh_opt_get(L, optidx, "class_weight");
  if (t == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      int key_ok = lua_type(L, -2) == LUA_TSTRING || (lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1);
      double w = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : NAN;
      if (!key_ok || !(w > 0) || !isfinite(w))
        mlsh_error(L, fn, "option 'class_weight' must map labels (integers from 1 or strings) to positive weights");
      lua_pop(L, 1);
    }
    return 2;
  }
  int balanced = 0;
  if (t == LUA_TSTRING) balanced = mlsh_check_choice(L, -1, fn, "option 'class_weight'", named) == 0;
  else if (t != LUA_TNIL)
    mlsh_error(L, fn, "option 'class_weight' must be \"balanced\" or a table {[label] = weight} (got %s)", mlsh_typename(L, -1));
  lua_pop(L, 1);
  return balanced;
}

static int l_svm(lua_State *L) {
  const char *fn = svm_spec.fname;
  svm_args a;
  mlsh_opts(L, 1, &svm_spec, &a);
  double gamma = svm_gamma(L, 1, fn);
  int cw = svm_class_weight_opt(L, 1, fn);   /* 2: the table is on the stack */
  lmodel *u = push_model(L, LEARN_SVM);
  u->m.u.svc = (svc_model){.kernel = (svc_kernel)a.kernel, .C = a.C, .gamma_opt = gamma, .coef0 = a.coef0,
                           .tol = a.tol, .cache_mb = a.cache, .degree = a.degree, .probability = a.probability,
                           .threads = a.threads, .balanced = cw == 1, .seed = a.seed};
  if (cw == 2) { lua_pushvalue(L, -2); lua_setiuservalue(L, -2, 2); }
  return 1;
}

typedef struct {
  size_t trees, max_depth, min_split, min_leaf;
  int bootstrap, threads, distributed;
  uint64_t seed;
} forest_args;

static const mlsh_opt forest_opt[] = {
  MLSH_OPT_SIZE(forest_args, trees, "trees", 100, 1, 100000, "trees in the forest"),
  MLSH_OPT_SIZE(forest_args, max_depth, "max_depth", 0, 0, HUGE_VAL, "depth limit of each tree (0: unlimited)"),
  MLSH_OPT_SIZE(forest_args, min_split, "min_samples_split", 2, 2, HUGE_VAL, "rows a node needs to be split"),
  MLSH_OPT_SIZE(forest_args, min_leaf, "min_samples_leaf", 1, 1, HUGE_VAL, "rows every leaf keeps at least"),
  MLSH_OPT_VALUE("max_features", MLSH_OT_ANY, "\"sqrt\"",
                 "features tried per split: \"sqrt\", \"log2\", \"all\", a count, or a fraction below 1"),
  MLSH_OPT_BOOL(forest_args, bootstrap, "bootstrap", 1, "each tree on a bootstrap sample (false: on every row)"),
  MLSH_OPT_SEED(forest_args, seed),
  MLSH_OPT_THREADS(forest_args, threads),
  MLSH_OPT_BOOL(forest_args, distributed, "distributed", 0,
                "under MPI, trees split over the ranks (the same X, y on each) and gathered: the same forest on every rank"),
  MLSH_OPT_END};
static const mlsh_optspec forest_spec = {"learn.forest", forest_opt};

/* The `max_features` option: a name (the order of forest_mf) or a number. */
static forest_mf forest_max_features(lua_State *L, int optidx, const char *fn, double *value) {
  static const char *const named[] = {"sqrt", "log2", "all", NULL};
  forest_mf mf = MF_SQRT;
  *value = 0;
  int t = mlsh_opt_get(L, optidx, "max_features");
  if (t == LUA_TSTRING) {
    mf = (forest_mf)mlsh_check_choice(L, -1, fn, "option 'max_features'", named);
  } else if (t == LUA_TNUMBER) {
    double v = lua_tonumber(L, -1);
    if (!(v > 0) || !isfinite(v) || (v >= 1 && v != floor(v)))   /* no (long long) cast: UB past 2^63 */
      mlsh_error(L, fn, "option 'max_features' must be a count (integer) or a fraction below 1 (got %g)", v);
    mf = v < 1 ? MF_FRACTION : MF_COUNT;
    *value = v;
  } else if (t != LUA_TNIL) {
    mlsh_error(L, fn, "option 'max_features' must be \"sqrt\", \"log2\", \"all\" or a number (got %s)", mlsh_typename(L, -1));
  }
  lua_pop(L, 1);
  return mf;
}

static int l_forest(lua_State *L) {
  forest_args a;
  mlsh_opts(L, 1, &forest_spec, &a);
  double mfv;
  forest_mf mf = forest_max_features(L, 1, forest_spec.fname, &mfv);
  lmodel *u = push_model(L, LEARN_FOREST);
  u->m.u.forest = (forest_model){.ntrees = (int)a.trees, .max_depth = clamp_int(a.max_depth),
                                 .min_split = clamp_int(a.min_split), .min_leaf = clamp_int(a.min_leaf),
                                 .bootstrap = a.bootstrap, .threads = a.threads, .mf = mf, .mf_value = mfv,
                                 .seed = a.seed, .comm = a.distributed ? dist_comm() : NULL};
  return 1;
}

typedef struct { double C, tol; size_t max_iter; int threads; } logit_args;

static const mlsh_opt logit_opt[] = {
  MLSH_OPT_POS(logit_args, C, "C", 1.0, "inverse strength of the L2 penalty"),
  MLSH_OPT_SIZE(logit_args, max_iter, "max_iter", 100, 1, HUGE_VAL, "L-BFGS iterations at most"),
  MLSH_OPT_POS(logit_args, tol, "tol", 1e-4, "stop when the largest |gradient| is at most tol"),
  MLSH_OPT_THREADS(logit_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec logit_spec = {"learn.logistic", logit_opt};

static int l_logistic(lua_State *L) {
  logit_args a;
  mlsh_opts(L, 1, &logit_spec, &a);
  lmodel *u = push_model(L, LEARN_LOGISTIC);
  u->m.u.logit = (logit_model){.C = a.C, .tol = a.tol, .max_iter = clamp_int(a.max_iter), .threads = a.threads};
  return 1;
}

/* ---- labels ---- */

/* The model's class names as a Lua array on the stack (its index), or 0
 * for a model fitted on integers. */
static int push_model_names(lua_State *L, const learn_model *m) {
  if (!m->names) return 0;
  lua_createtable(L, m->K, 0);
  for (int c = 0; c < m->K; c++) {
    lua_pushstring(L, m->names[c]);
    lua_rawseti(L, -2, c + 1);
  }
  return lua_gettop(L);
}

static int cmp_name(const void *key, const void *elem) {
  return strcmp(key, *(char *const *)elem);
}

/* y's codes as the model's codes (a string the model does not know: 0). */
static void recode_for_model(lua_State *L, mlsh_classes *c, const learn_model *m, const char *fn) {
  if (!c->names != !m->names)
    mlsh_error(L, fn, "argument 'y' holds %s but the model was fitted on %s", c->names ? "strings" : "integers",
               m->names ? "strings" : "integers");
  if (!c->names) return;
  const char **ys = mlsh_class_names(L, c, fn);
  int *code = mlsh_scratch(L, ((size_t)c->k + 1) * sizeof(int), fn);
  for (int j = 0; j < c->k; j++) {
    char **hit = bsearch(ys[j], m->names, (size_t)m->K, sizeof *m->names, cmp_name);
    code[j + 1] = hit ? (int)(hit - m->names) + 1 : 0;
  }
  for (size_t i = 0; i < c->n; i++) c->y[i] = code[c->y[i]];
}

/* ---- Model methods ---- */

/* The class_weight table as one weight per class of y (sorted), others 1;
 * a label in the table that y lacks is an error, as in scikit-learn. */
static void svm_class_weights(lua_State *L, lmodel *u, const mlsh_classes *c, const char *fn) {
  mlsh_free(u->m.u.svc.class_weight);
  u->m.u.svc.class_weight = NULL;
  if (lua_getiuservalue(L, 1, 2) != LUA_TTABLE) { lua_pop(L, 1); return; }
  int tw = lua_gettop(L), K;
  int *classes = mlsh_scratch(L, c->n * sizeof(int), fn), *found;
  mlsh_err err;
  int rc = learn_classes(c->y, c->n, &found, &K, NULL, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  memcpy(classes, found, (size_t)K * sizeof(int));
  mlsh_free(found);
  lua_createtable(L, 0, K);   /* label -> its class index + 1 */
  for (int j = 0; j < K; j++) {
    if (c->names) lua_rawgeti(L, c->names, classes[j]); else lua_pushinteger(L, classes[j]);
    lua_pushinteger(L, j + 1);
    lua_rawset(L, -3);
  }
  double *w = u->m.u.svc.class_weight = mlsh_malloc_array((size_t)K, sizeof(double));   /* the model owns it */
  if (!w) mlsh_error(L, fn, "not enough memory");
  for (int j = 0; j < K; j++) w[j] = 1.0;
  for (lua_pushnil(L); lua_next(L, tw); lua_pop(L, 2)) {   /* [map, label, weight] */
    lua_pushvalue(L, -2);
    if (lua_rawget(L, -4) == LUA_TNIL) {
      int str = lua_type(L, -3) == LUA_TSTRING;
      mlsh_error(L, fn, "option 'class_weight' names the label %s%s%s, which is not a class of y", str ? "\"" : "",
                 luaL_tolstring(L, -3, NULL), str ? "\"" : "");
    }
    w[lua_tointeger(L, -1) - 1] = lua_tonumber(L, -2);
  }
  lua_settop(L, tw - 1);
}

static int m_fit(lua_State *L) {
  const char *fn = "Model:fit";
  lmodel *u = check_model(L, 1, fn);
  lua_settop(L, 3);
  mlsh_mat *X = mlsh_check_data(L, 2, fn, "X", MLSH_NA_FAIL, NULL);
  mlsh_classes c;
  mlsh_check_classes(L, 3, fn, "y", X->rows, &c);
  const char **names = mlsh_class_names(L, &c, fn);
  if (u->m.kind == LEARN_SVM) svm_class_weights(L, u, &c, fn);
  mlsh_err err = {0};
  int rc = learn_fit(&u->m, X, c.y, c.n, &err);
  if (!rc && names && (rc = learn_set_names(&u->m, names, &err))) learn_model_free(&u->m);
  if (rc) mlsh_fail(L, fn, rc, &err);
  if (u->m.kind == LEARN_KNN) { lua_pushvalue(L, 2); lua_setiuservalue(L, 1, 1); }  /* keep X alive */
  lua_settop(L, 1);
  return 1;
}

/* The predicted codes of the rows of X (scratch on the stack). */
static int *predict_codes(lua_State *L, lmodel *u, int xidx, const char *fn, size_t *n) {
  mlsh_mat *X = mlsh_check_data(L, xidx, fn, "X", MLSH_NA_FAIL, NULL);
  int *out = mlsh_scratch(L, X->rows * sizeof(int), fn);
  mlsh_err err = {0};
  int rc = learn_predict(&u->m, X, out, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  *n = X->rows;
  return out;
}

static int m_predict(lua_State *L) {
  const char *fn = "Model:predict";
  lmodel *u = check_model(L, 1, fn);
  size_t n;
  int *out = predict_codes(L, u, 2, fn, &n);
  mlsh_push_classes(L, out, n, push_model_names(L, &u->m));
  return 1;
}

static int m_proba(lua_State *L) {
  const char *fn = "Model:predict_proba";
  lmodel *u = check_model(L, 1, fn);
  mlsh_mat *X = mlsh_check_data(L, 2, fn, "X", MLSH_NA_FAIL, NULL);
  mlsh_mat P = {0};
  mlsh_err err = {0};
  int rc = learn_proba(&u->m, X, &P, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lmat_push(L, &P);
  return 1;
}

static int m_score(lua_State *L) {
  const char *fn = "Model:score";
  lmodel *u = check_model(L, 1, fn);
  lua_settop(L, 3);
  size_t n;
  int *out = predict_codes(L, u, 2, fn, &n);
  mlsh_classes c;
  mlsh_check_classes(L, 3, fn, "y", n, &c);
  recode_for_model(L, &c, &u->m, fn);
  size_t ok = 0;
  for (size_t i = 0; i < n; i++) ok += out[i] == c.y[i];
  lua_pushnumber(L, (double)ok / (double)n);
  return 1;
}

static int m_save(lua_State *L) {
  const char *fn = "Model:save";
  lmodel *u = check_model(L, 1, fn);
  const char *path = mlsh_check_path(L, 2, fn, "path");
  mlsh_err err = {0};
  int rc = learn_save(&u->m, path, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_settop(L, 1);
  return 1;
}

static int m_classes(lua_State *L) {
  lmodel *u = check_model(L, 1, "Model:classes");
  if (!u->m.K) mlsh_error(L, "Model:classes", "the model is not fitted (call fit first)");
  if (!push_model_names(L, &u->m)) mlsh_push_intarray(L, u->m.classes, (size_t)u->m.K);
  return 1;
}

static int m_importance(lua_State *L) {
  const char *fn = "Model:importance";
  lmodel *u = check_model(L, 1, fn);
  if (u->m.kind != LEARN_FOREST) mlsh_error(L, fn, "only forests have importances (this is a %s model)", learn_kind_name(u->m.kind));
  if (!u->m.K) mlsh_error(L, fn, "the model is not fitted (call fit first)");
  mlsh_mat *v = lmat_push_new(L, u->m.p, 1, fn);
  memcpy(v->data, u->m.u.forest.importance, u->m.p * sizeof(double));
  return 1;
}

static void info_kind(lua_State *L, const learn_model *m) {
  switch (m->kind) {
  case LEARN_KNN:
    lua_pushinteger(L, m->u.knn.k); lua_setfield(L, -2, "k");
    break;
  case LEARN_SVM:
    lua_pushnumber(L, m->u.svc.C); lua_setfield(L, -2, "C");
    if (m->K) {
      lua_pushnumber(L, m->u.svc.gamma); lua_setfield(L, -2, "gamma");
      lua_pushinteger(L, (lua_Integer)m->u.svc.SV.rows); lua_setfield(L, -2, "support_vectors");
    }
    break;
  case LEARN_FOREST:
    lua_pushinteger(L, m->u.forest.ntrees); lua_setfield(L, -2, "trees");
    if (m->K) {
      long nodes = 0;
      for (int t = 0; t < m->u.forest.ntrees; t++) nodes += m->u.forest.trees[t].nnodes;
      lua_pushinteger(L, nodes); lua_setfield(L, -2, "nodes");
    }
    break;
  case LEARN_LOGISTIC:
    lua_pushnumber(L, m->u.logit.C); lua_setfield(L, -2, "C");
    if (m->K) { lua_pushinteger(L, m->u.logit.iters); lua_setfield(L, -2, "iterations"); }
    break;
  }
}

static int m_info(lua_State *L) {
  lmodel *u = check_model(L, 1, "Model:info");
  const learn_model *m = &u->m;
  lua_newtable(L);
  lua_pushstring(L, learn_kind_name(m->kind)); lua_setfield(L, -2, "kind");
  lua_pushboolean(L, m->K > 0); lua_setfield(L, -2, "fitted");
  if (m->K) {
    lua_pushinteger(L, m->K); lua_setfield(L, -2, "classes");
    lua_pushinteger(L, (lua_Integer)m->p); lua_setfield(L, -2, "features");
    lua_pushstring(L, m->names ? "strings" : "integers"); lua_setfield(L, -2, "labels");
  }
  info_kind(L, m);
  return 1;
}

static int m_tostring(lua_State *L) {
  lmodel *u = check_model(L, 1, "Model:__tostring");
  const learn_model *m = &u->m;
  if (m->K) lua_pushfstring(L, "Model(%s, fitted: %d classes, %d features)", learn_kind_name(m->kind), m->K, (int)m->p);
  else lua_pushfstring(L, "Model(%s, not fitted)", learn_kind_name(m->kind));
  return 1;
}

static int m_gc(lua_State *L) {
  lmodel *u = luaL_testudata(L, 1, MODEL_MT);
  if (u) learn_model_free(&u->m);
  return 0;
}

static int l_load(lua_State *L) {
  const char *fn = "learn.load";
  const char *path = mlsh_check_path(L, 1, fn, "path");
  lmodel *u = push_model(L, LEARN_KNN);
  mlsh_err err = {0};
  int rc = learn_load(&u->m, path, &err);
  if (rc) { u->m.kind = LEARN_KNN; mlsh_fail(L, fn, rc, &err); }
  return 1;
}

static int l_clear_cache(lua_State *L) {
  gram_clear();
  return 0;
}

/* ---- registration ---- */

static const mlsh_Reg model_methods[] = {
  {"fit", m_fit, "model:fit(X, y)",
   "Fit the model on the rows of X (a Matrix, an array of rows or a DataFrame's numeric columns; finite) and "
   "their labels y: integers from 1, or strings (a DataFrame's string column), sorted into classes as R's factor "
   "levels. Mixing both kinds is an error. Returns the model itself. A KNN model keeps a reference to X (do not "
   "modify X afterwards).\n"
   "Example: local m = learn.svm{C=10}:fit(df, df:col(\"species\"))"},
  {"predict", m_predict, "model:predict(X)",
   "Predicted label of each row of X (same number of columns as at fit), in the labels fit was given: an array "
   "of strings for a model fitted on strings, else of integers. KNN/forest/logistic take the most probable class "
   "(ties: the first class); SVM uses libsvm's one-vs-one vote. model:augment(df) gives them as a frame column.\n"
   "Example: local yhat = model:predict(Xtest)"},
  {"predict_proba", m_proba, "model:predict_proba(X)",
   "Class probabilities, a Matrix rows x K whose columns follow model:classes(): KNN vote shares, "
   "forest mean leaf fractions, logistic softmax, SVM Platt scaling with pairwise coupling (needs probability=true).\n"
   "Example: local P = model:predict_proba(Xtest)"},
  {"score", m_score, "model:score(X, y)",
   "Accuracy of model:predict(X) against the labels y (a number in [0, 1]); y is of the kind fit was given "
   "(a string the model never saw counts as a miss).\n"
   "Example: print(model:score(Xtest, ytest))"},
  {"save", m_save, "model:save(path)",
   "Write the fitted model to path (binary, versioned, checksummed; written to a temporary file, then renamed), "
   "with its class names when it was fitted on strings. Returns the model. Read it back with learn.load.\n"
   "Example: model:save(\"svm.model\")"},
  {"classes", m_classes, "model:classes()",
   "The sorted labels seen at fit, strings or integers (the column order of predict_proba).\n"
   "Example: print(table.concat(model:classes(), \",\"))"},
  {"importance", m_importance, "model:importance()",
   "Forest only: mean decrease in Gini impurity per feature (a p x 1 Matrix summing to 1), as scikit-learn's "
   "feature_importances_.\n"
   "Example: local imp = learn.forest{seed=1}:fit(X, y):importance()"},
  {"info", m_info, "model:info()",
   "A table describing the model: kind, fitted, classes (count), features, labels (\"strings\" or \"integers\"), "
   "and per kind k / C, gamma, support_vectors / trees, nodes / iterations.\n"
   "Example: print(model:info().support_vectors)"},
  {NULL, NULL, NULL, NULL, NULL}
};

static const luaL_Reg model_meta[] = {{"__gc", m_gc}, {"__tostring", m_tostring}, {NULL, NULL}};

static const mlsh_Reg learn_funcs[] = {
  {"knn", l_knn, "learn.knn([opts])",
   "Exact k-nearest-neighbour classifier. Distances for blocks of queries come from one sgemm, re-ranked in "
   "double near the k-th neighbour, so results equal an exact double search. Returns a Model.\n"
   "Example: local acc = learn.knn{k=5, metric=\"cosine\"}:fit(Xtr, ytr):score(Xte, yte)", &knn_spec},
  {"clear_cache", l_clear_cache, "learn.clear_cache()",
   "Free the SVM's cache of row dot products (see learn.svm's cache option): memory back, and the next fit "
   "computes its kernel from scratch (as timing a cold fit needs).\n"
   "Example: learn.clear_cache()"},
  {"svm", l_svm, "learn.svm([opts])",
   "Support vector classifier on libsvm (C-SVC, one-vs-one as scikit-learn's SVC). Class pairs train in "
   "parallel on BLAS-computed kernel matrices (row products in single precision: kernel errors near 1e-7, the "
   "rounding of libsvm's own float cache). The row dot products of recent fits stay cached (up to `cache` MB, "
   "rows matched by content), so refits on the same or overlapping rows (grid search, CV folds, several SVMs on "
   "one split) and scoring of those rows skip the O(n^2 p) product. class_weight labels are those given to fit "
   "(integers or strings). Returns a Model.\n"
   "Example: local m = learn.svm{kernel=\"rbf\", C=10, class_weight={setosa=2}}:fit(df, df:col(\"species\"))",
   &svm_spec},
  {"forest", l_forest, "learn.forest([opts])",
   "Random forest of CART trees (Gini, exact splits on float32 values as scikit-learn). Trees grow in parallel; "
   "the result depends on the seed only. Returns a Model. Under MPI (mpirun), distributed = true splits the trees\n"
   "over the ranks (tree t's random stream is keyed by the seed and t, never by the rank) and gathers them: every\n"
   "rank holds the forest one process grows, with the same predictions for any number of ranks (each rank\n"
   "must be given the same rows). SVMs (libsvm) stay single-process.\n"
   "Example: local rf = learn.forest{trees=100, max_depth=20, seed=42}:fit(Xtr, ytr)", &forest_spec},
  {"logistic", l_logistic, "learn.logistic([opts])",
   "Multinomial logistic regression with an L2 penalty, fitted by L-BFGS (scikit-learn's objective, "
   "solver=\"lbfgs\"). Returns a Model.\n"
   "Example: local lr = learn.logistic{C=0.1}:fit(Xtr, ytr)", &logit_spec},
  {"load", l_load, "learn.load(path)",
   "Read a model written by model:save (any format version up to this mlsh's; a model saved with class names "
   "answers in them). A missing, truncated, corrupt or newer-version file is an error. Returns a Model.\n"
   "Example: local m = learn.load(\"svm.model\")"},
  {NULL, NULL, NULL, NULL, NULL}
};

void mlsh_open_learn(lua_State *L) {
  mlsh_new_class(L, MODEL_MT, "Model", model_methods, model_meta);
  lua_pop(L, 1);
  mlsh_register(L, "learn", learn_funcs);
}
