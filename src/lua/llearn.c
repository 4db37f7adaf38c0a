/* llearn.c - Lua binding for the `learn` module: classifiers (KNN, SVM,
 * random forest, logistic regression) as Model objects, splits, folds,
 * scalers, metrics and model files. The C core is src/learn/. */
#include <math.h>
#include <string.h>
#include "lmlsh.h"
#include "../learn/model.h"
#include "../learn/prep.h"
#include "../learn/metrics.h"
#include "../learn/gram.h"
#include "../core/alloc.h"

#define MODEL_MT "mlsh.Model"
#define SCALER_MT "mlsh.Scaler"

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

/* X for fit/predict: a Matrix (or nested array), finite, non-empty. */
static mlsh_mat *check_X(lua_State *L, int idx, const char *fname) {
  mlsh_mat *X = lmat_checklike(L, idx, fname, "X");
  lmat_check_finite(L, X, fname, "X");
  return X;
}

/* ---- constructors ---- */

static const char *const knn_metrics[] = {"euclidean", "cosine", "manhattan", NULL};
static const char *const knn_weights[] = {"uniform", "distance", NULL};
typedef struct { int k, metric, weights, threads; } knn_args;
static const mlsh_opt knn_opt[] = {
  MLSH_OPT_INT(knn_args, k, "k", 5, 1, 1000000, "neighbours"),
  MLSH_OPT_ENUM(knn_args, metric, "metric", 0, knn_metrics, "distance between rows"),
  MLSH_OPT_ENUM(knn_args, weights, "weights", 0, knn_weights, "votes: equal, or weighted by 1/distance"),
  MLSH_OPT_THREADS(knn_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec knn_spec = {"learn.knn", knn_opt};

static int l_knn(lua_State *L) {
  knn_args a;
  mlsh_opts(L, 1, &knn_spec, &a);
  lmodel *u = push_model(L, LEARN_KNN);
  u->m.u.knn = (knn_model){.k = a.k, .metric = (knn_metric)a.metric, .distance_weights = a.weights, .threads = a.threads, .borrow = 1};
  return 1;
}

static const char *const svm_kernels[] = {"rbf", "linear", "poly", "sigmoid", NULL};
typedef struct { int kernel, degree, prob, threads; double C, coef0, tol, cache; uint64_t seed; } svm_args;
static const mlsh_opt svm_opt[] = {
  MLSH_OPT_ENUM(svm_args, kernel, "kernel", 0, svm_kernels, "kernel function"),
  MLSH_OPT_POS(svm_args, C, "C", 1.0, "regularisation (cost of a margin violation)"),
  MLSH_OPT_VALUE("gamma", MLSH_OT_ANY, "\"scale\"", "\"scale\" (1 / (p var(X))), \"auto\" (1/p) or a positive number"),
  MLSH_OPT_INT(svm_args, degree, "degree", 3, 1, 100, "degree of the poly kernel"),
  MLSH_OPT_NUM(svm_args, coef0, "coef0", 0.0, -HUGE_VAL, HUGE_VAL, "constant of the poly and sigmoid kernels"),
  MLSH_OPT_BOOL(svm_args, prob, "probability", 0, "fit Platt probabilities (predict_proba)"),
  MLSH_OPT_VALUE("class_weight", MLSH_OT_ANY, NULL, "\"balanced\" or {[label] = weight}"),
  MLSH_OPT_POS(svm_args, tol, "tol", 1e-3, "stopping tolerance"),
  {"cache", MLSH_OT_NUM, offsetof(svm_args, cache), 200.0, NULL, 1, HUGE_VAL, 0, NULL, "kernel cache, MB"},
  MLSH_OPT_SEED(svm_args, seed),
  MLSH_OPT_THREADS(svm_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec svm_spec = {"learn.svm", svm_opt};

static int l_svm(lua_State *L) {
  const char *fn = svm_spec.fname;
  svm_args a;
  mlsh_opts(L, 1, &svm_spec, &a);
  int kernel = a.kernel;
  double C = a.C, gamma = SVC_GAMMA_SCALE;
  int t = mlsh_opt_get(L, 1, "gamma");
  if (t == LUA_TSTRING) {
    const char *g = lua_tostring(L, -1);
    if (strcmp(g, "scale") == 0) gamma = SVC_GAMMA_SCALE;
    else if (strcmp(g, "auto") == 0) gamma = SVC_GAMMA_AUTO;
    else mlsh_error(L, fn, "option 'gamma' must be \"scale\", \"auto\" or a positive number (got \"%s\")", g);
  } else if (t == LUA_TNUMBER) {
    gamma = lua_tonumber(L, -1);
    if (!(gamma > 0)) mlsh_error(L, fn, "option 'gamma' must be positive (got %g)", gamma);
  } else if (t != LUA_TNIL) mlsh_error(L, fn, "option 'gamma' must be \"scale\", \"auto\" or a number (got %s)", mlsh_typename(L, -1));
  lua_pop(L, 1);
  lua_Integer degree = a.degree;
  double coef0 = a.coef0, tol = a.tol, cache = a.cache;
  int prob = a.prob, threads = a.threads, balanced = 0;
  uint64_t seed = a.seed;
  t = mlsh_opt_get(L, 1, "class_weight");   /* stays on the stack for below */
  if (t == LUA_TSTRING) {
    if (strcmp(lua_tostring(L, -1), "balanced") != 0)
      mlsh_error(L, fn, "option 'class_weight' must be \"balanced\" or a table {[label] = weight} (got \"%s\")", lua_tostring(L, -1));
    balanced = 1;
  } else if (t == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      if (!lua_isinteger(L, -2) || !lua_isnumber(L, -1) || !(lua_tonumber(L, -1) > 0))
        mlsh_error(L, fn, "option 'class_weight' must map integer labels to positive weights");
      lua_pop(L, 1);
    }
  } else if (t != LUA_TNIL) mlsh_error(L, fn, "option 'class_weight' must be \"balanced\" or a table (got %s)", mlsh_typename(L, -1));
  lmodel *u = push_model(L, LEARN_SVM);
  u->m.u.svc = (svc_model){.kernel = (svc_kernel)kernel, .C = C, .gamma_opt = gamma, .coef0 = coef0, .tol = tol,
                           .cache_mb = cache, .degree = (int)degree, .probability = prob, .threads = threads,
                           .balanced = balanced, .seed = seed};
  if (t == LUA_TTABLE) { lua_pushvalue(L, -2); lua_setiuservalue(L, -2, 2); }
  return 1;
}

typedef struct { int trees, depth, msplit, mleaf, boot, threads; uint64_t seed; } forest_args;
static const mlsh_opt forest_opt[] = {
  MLSH_OPT_INT(forest_args, trees, "trees", 100, 1, 100000, "number of trees"),
  MLSH_OPT_INT(forest_args, depth, "max_depth", 0, 0, HUGE_VAL, "depth limit (0: none)"),
  MLSH_OPT_INT(forest_args, msplit, "min_samples_split", 2, 2, HUGE_VAL, "smallest node that is split"),
  MLSH_OPT_INT(forest_args, mleaf, "min_samples_leaf", 1, 1, HUGE_VAL, "smallest leaf"),
  MLSH_OPT_VALUE("max_features", MLSH_OT_ANY, "\"sqrt\"", "features tried per split: \"sqrt\", \"log2\", \"all\", a count or a fraction"),
  MLSH_OPT_BOOL(forest_args, boot, "bootstrap", 1, "each tree on a bootstrap sample"),
  MLSH_OPT_SEED(forest_args, seed),
  MLSH_OPT_THREADS(forest_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec forest_spec = {"learn.forest", forest_opt};

static int l_forest(lua_State *L) {
  const char *fn = forest_spec.fname;
  forest_args a;
  mlsh_opts(L, 1, &forest_spec, &a);
  lua_Integer trees = a.trees, depth = a.depth, msplit = a.msplit, mleaf = a.mleaf;
  forest_mf mf = MF_SQRT;
  double mfv = 0;
  int t = mlsh_opt_get(L, 1, "max_features");
  if (t == LUA_TSTRING) {
    const char *s = lua_tostring(L, -1);
    if (strcmp(s, "sqrt") == 0) mf = MF_SQRT;
    else if (strcmp(s, "log2") == 0) mf = MF_LOG2;
    else if (strcmp(s, "all") == 0) mf = MF_ALL;
    else mlsh_error(L, fn, "option 'max_features' must be \"sqrt\", \"log2\", \"all\" or a number (got \"%s\")", s);
  } else if (t == LUA_TNUMBER) {
    mfv = lua_tonumber(L, -1);
    if (!(mfv > 0)) mlsh_error(L, fn, "option 'max_features' must be positive (got %g)", mfv);
    mf = mfv < 1 ? MF_FRACTION : MF_COUNT;
    if (mf == MF_COUNT && mfv != floor(mfv))   /* no (long long) cast: UB past 2^63 */
      mlsh_error(L, fn, "option 'max_features' must be a count (integer) or a fraction below 1 (got %g)", mfv);
  } else if (t != LUA_TNIL) mlsh_error(L, fn, "option 'max_features' must be a string or a number (got %s)", mlsh_typename(L, -1));
  lua_pop(L, 1);
  int boot = a.boot, threads = a.threads;
  uint64_t seed = a.seed;
  lmodel *u = push_model(L, LEARN_FOREST);
  u->m.u.forest = (forest_model){.ntrees = (int)trees, .max_depth = (int)depth, .min_split = (int)msplit,
                                 .min_leaf = (int)mleaf, .bootstrap = boot, .threads = threads, .mf = mf,
                                 .mf_value = mfv, .seed = seed};
  return 1;
}

typedef struct { double C, tol; int max_iter; } logit_args;
static const mlsh_opt logit_opt[] = {
  MLSH_OPT_POS(logit_args, C, "C", 1.0, "inverse L2 penalty (scikit-learn's C)"),
  MLSH_OPT_INT(logit_args, max_iter, "max_iter", 100, 1, HUGE_VAL, "L-BFGS iterations"),
  MLSH_OPT_POS(logit_args, tol, "tol", 1e-4, "gradient tolerance"),
  MLSH_OPT_END};
static const mlsh_optspec logit_spec = {"learn.logistic", logit_opt};

static int l_logistic(lua_State *L) {
  logit_args a;
  mlsh_opts(L, 1, &logit_spec, &a);
  lmodel *u = push_model(L, LEARN_LOGISTIC);
  u->m.u.logit = (logit_model){.C = a.C, .tol = a.tol, .max_iter = a.max_iter};
  return 1;
}

/* ---- Model methods ---- */

/* SVM class weights given as {[label] = w}: one per sorted class of y. */
static int svm_class_weights(lua_State *L, lmodel *u, const int *y, size_t n, const char *fn) {
  mlsh_free(u->m.u.svc.class_weight);
  u->m.u.svc.class_weight = NULL;
  if (lua_getiuservalue(L, 1, 2) != LUA_TTABLE) { lua_pop(L, 1); return 0; }
  int *classes, K;
  mlsh_err err;
  int rc = learn_classes(y, n, &classes, &K, NULL, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  double *w = mlsh_malloc_array((size_t)K, sizeof(double));
  if (!w) { mlsh_free(classes); mlsh_error(L, fn, "not enough memory"); }
  for (int c = 0; c < K; c++) {
    lua_rawgeti(L, -1, classes[c]);
    w[c] = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : 1.0;
    lua_pop(L, 1);
  }
  mlsh_free(classes);
  lua_pop(L, 1);
  u->m.u.svc.class_weight = w;
  return 0;
}

static int m_fit(lua_State *L) {
  const char *fn = "Model:fit";
  lmodel *u = check_model(L, 1, fn);
  mlsh_mat *X = check_X(L, 2, fn);
  if (lua_isnoneornil(L, 3)) mlsh_error(L, fn, "argument 'y' (labels) is missing");
  size_t n;
  int *y = mlsh_check_labels(L, 3, fn, "y", 0, &n);
  if (n != X->rows) mlsh_error(L, fn, "X has %zu rows but y has %zu labels", X->rows, n);
  if (u->m.kind == LEARN_SVM) svm_class_weights(L, u, y, n, fn);
  mlsh_err err = {0};
  int rc = learn_fit(&u->m, X, y, n, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  if (u->m.kind == LEARN_KNN) { lua_pushvalue(L, 2); lua_setiuservalue(L, 1, 1); }  /* keep X alive */
  lua_settop(L, 1);
  return 1;
}

static int m_predict(lua_State *L) {
  const char *fn = "Model:predict";
  lmodel *u = check_model(L, 1, fn);
  mlsh_mat *X = check_X(L, 2, fn);
  int *out = mlsh_scratch(L, X->rows * sizeof(int), fn);
  mlsh_err err = {0};
  int rc = learn_predict(&u->m, X, out, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  mlsh_push_intarray(L, out, X->rows);
  return 1;
}

static int m_proba(lua_State *L) {
  const char *fn = "Model:predict_proba";
  lmodel *u = check_model(L, 1, fn);
  mlsh_mat *X = check_X(L, 2, fn);
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
  mlsh_mat *X = check_X(L, 2, fn);
  int *y = mlsh_check_labels(L, 3, fn, "y", X->rows, NULL);
  int *out = mlsh_scratch(L, X->rows * sizeof(int), fn);
  mlsh_err err = {0};
  int rc = learn_predict(&u->m, X, out, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  size_t ok = 0;
  for (size_t i = 0; i < X->rows; i++) ok += out[i] == y[i];
  lua_pushnumber(L, (double)ok / (double)X->rows);
  return 1;
}

static int m_save(lua_State *L) {
  const char *fn = "Model:save";
  lmodel *u = check_model(L, 1, fn);
  const char *path = luaL_checkstring(L, 2);
  mlsh_err err = {0};
  int rc = learn_save(&u->m, path, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_settop(L, 1);
  return 1;
}

static int m_classes(lua_State *L) {
  lmodel *u = check_model(L, 1, "Model:classes");
  if (!u->m.K) mlsh_error(L, "Model:classes", "the model is not fitted (call fit first)");
  mlsh_push_intarray(L, u->m.classes, (size_t)u->m.K);
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

static int m_info(lua_State *L) {
  lmodel *u = check_model(L, 1, "Model:info");
  const learn_model *m = &u->m;
  lua_newtable(L);
  lua_pushstring(L, learn_kind_name(m->kind)); lua_setfield(L, -2, "kind");
  lua_pushboolean(L, m->K > 0); lua_setfield(L, -2, "fitted");
  if (m->K) {
    lua_pushinteger(L, m->K); lua_setfield(L, -2, "classes");
    lua_pushinteger(L, (lua_Integer)m->p); lua_setfield(L, -2, "features");
  }
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
  const char *path = luaL_checkstring(L, 1);
  lmodel *u = push_model(L, LEARN_KNN);
  mlsh_err err = {0};
  int rc = learn_load(&u->m, path, &err);
  if (rc) { u->m.kind = LEARN_KNN; mlsh_fail(L, fn, rc, &err); }
  return 1;
}

/* ---- splits, folds, rows ---- */

static void to_index(lua_State *L, const size_t *v, size_t n) {
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) { lua_pushinteger(L, (lua_Integer)v[i] + 1); lua_rawseti(L, -2, (lua_Integer)i + 1); }
}

static void push_rows(lua_State *L, const mlsh_mat *X, const size_t *idx, size_t n, const char *fn) {
  mlsh_mat *o = lmat_push_new(L, n, X->cols, fn);
  for (size_t i = 0; i < n; i++) memcpy(&MAT_AT(o, i, 0), &MAT_AT(X, idx[i], 0), X->cols * sizeof(double));
}

static void push_labels(lua_State *L, const int *y, const size_t *idx, size_t n) {
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) { lua_pushinteger(L, y[idx[i]]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
}

typedef struct { double test; int stratify, k; uint64_t seed; } split_args;
static const mlsh_opt split_opt[] = {
  {"test", MLSH_OT_NUM, offsetof(split_args, test), 0.2, NULL, 0, 1, MLSH_OPT_LO_OPEN | MLSH_OPT_HI_OPEN, NULL,
   "share of the rows in the test set"},
  MLSH_OPT_BOOL_PRESET(split_args, stratify, "stratify", "true with labels", "keep the class shares in both parts"),
  MLSH_OPT_SEED(split_args, seed),
  MLSH_OPT_END};
static const mlsh_optspec split_spec = {"learn.split", split_opt};

static int l_split(lua_State *L) {
  const char *fn = split_spec.fname;
  split_args a = {0, !lua_isnoneornil(L, 2), 0, 0};
  mlsh_opts(L, 3, &split_spec, &a);
  mlsh_mat *X = mlsh_check_data(L, 1, fn, "X", MLSH_NA_FAIL, NULL);
  double test = a.test;
  int strat = a.stratify;
  uint64_t seed = a.seed;
  int *y = NULL;
  if (!lua_isnoneornil(L, 2)) y = mlsh_check_labels(L, 2, fn, "y", 0, NULL);
  else if (strat) mlsh_error(L, fn, "stratify=true needs the labels y");
  if (y && lua_rawlen(L, 2) != X->rows) mlsh_error(L, fn, "X has %zu rows but y has %zu labels", X->rows, (size_t)lua_rawlen(L, 2));
  size_t *tr, *te, ntr, nte;
  mlsh_err err = {0};
  /* The index arrays move to memory the Lua stack owns (made first: after
   * the split, a Lua error must not lose them). */
  size_t *s = mlsh_scratch(L, (X->rows ? X->rows : 1) * sizeof(size_t), fn);
  int rc = learn_split(X->rows, strat ? y : NULL, test, seed, &tr, &ntr, &te, &nte, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  memcpy(s, tr, ntr * sizeof(size_t)); memcpy(s + ntr, te, nte * sizeof(size_t));
  mlsh_free(tr); mlsh_free(te);
  tr = s; te = s + ntr;
  push_rows(L, X, tr, ntr, fn);
  push_rows(L, X, te, nte, fn);
  if (y) { push_labels(L, y, tr, ntr); push_labels(L, y, te, nte); }
  else { lua_pushnil(L); lua_pushnil(L); }
  to_index(L, tr, ntr);
  to_index(L, te, nte);
  return 6;
}

static const mlsh_opt kfold_opt[] = {
  MLSH_OPT_INT(split_args, k, "k", 5, 2, HUGE_VAL, "number of folds"),
  MLSH_OPT_BOOL_PRESET(split_args, stratify, "stratify", "true with labels", "keep the class shares in every fold"),
  MLSH_OPT_SEED(split_args, seed),
  MLSH_OPT_END};
static const mlsh_optspec kfold_spec = {"learn.kfold", kfold_opt};

static int l_kfold(lua_State *L) {
  const char *fn = kfold_spec.fname;
  split_args a = {0, lua_type(L, 1) != LUA_TNUMBER, 0, 0};
  mlsh_opts(L, 2, &kfold_spec, &a);
  int k = a.k;
  uint64_t seed = a.seed;
  size_t n;
  int *y = NULL;
  if (lua_type(L, 1) == LUA_TNUMBER) n = mlsh_check_count(L, 1, fn, "n", (size_t)1 << 40);
  else y = mlsh_check_labels(L, 1, fn, "y", 0, &n);
  int strat = a.stratify;
  if (strat && !y) mlsh_error(L, fn, "stratify=true needs the labels y (got a count)");
  int *fold = mlsh_scratch(L, n * sizeof(int), fn);
  mlsh_err err = {0};
  int rc = learn_kfold(n, strat ? y : NULL, k, seed, fold, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_createtable(L, k, 0);
  for (int f = 0; f < k; f++) {
    lua_createtable(L, 0, 2);
    lua_newtable(L);
    lua_newtable(L);
    lua_Integer a = 0, b = 0;
    for (size_t i = 0; i < n; i++) {
      lua_pushinteger(L, (lua_Integer)i + 1);
      if (fold[i] == f) lua_rawseti(L, -2, ++b); else lua_rawseti(L, -3, ++a);
    }
    lua_setfield(L, -3, "test");
    lua_setfield(L, -2, "train");
    lua_rawseti(L, -2, f + 1);
  }
  return 1;
}

static int l_rows(lua_State *L) {
  const char *fn = "learn.rows";
  mlsh_mat *X = lmat_checklike(L, 1, fn, "X");
  size_t n;
  int *idx = mlsh_check_labels(L, 2, fn, "idx", 0, &n);
  size_t *s = mlsh_scratch(L, n * sizeof(size_t), fn);
  for (size_t i = 0; i < n; i++) {
    if ((size_t)idx[i] > X->rows) mlsh_error(L, fn, "argument 'idx': row %d is out of range (X has %zu rows)", idx[i], X->rows);
    s[i] = (size_t)idx[i] - 1;
  }
  push_rows(L, X, s, n, fn);
  return 1;
}

/* ---- scaler ---- */

static learn_scaler *check_scaler(lua_State *L, const char *fn) {
  learn_scaler *s = luaL_testudata(L, 1, SCALER_MT);
  if (!s) mlsh_error(L, fn, "argument 'self' must be a Scaler (got %s)", mlsh_typename(L, 1));
  return s;
}

static const char *const scaler_kinds[] = {"standard", "minmax", NULL};
typedef struct { int kind; } scaler_args;
static const mlsh_opt scaler_opt[] = {
  MLSH_OPT_ENUM(scaler_args, kind, "kind", 0, scaler_kinds, "standard: mean 0, sd 1; minmax: [0, 1]"),
  MLSH_OPT_END};
static const mlsh_optspec scaler_spec = {"learn.scaler", scaler_opt};

static int l_scaler(lua_State *L) {
  scaler_args a;
  mlsh_opts(L, 1, &scaler_spec, &a);
  int kind = a.kind;
  learn_scaler *s = lua_newuserdatauv(L, sizeof *s, 0);
  memset(s, 0, sizeof *s);
  s->kind = (scaler_kind)kind;
  luaL_setmetatable(L, SCALER_MT);
  return 1;
}

static int s_fit(lua_State *L) {
  learn_scaler *s = check_scaler(L, "Scaler:fit");
  mlsh_mat *X = check_X(L, 2, "Scaler:fit");
  mlsh_err err = {0};
  int rc = scaler_fit(s, X, &err);
  if (rc) mlsh_fail(L, "Scaler:fit", rc, &err);
  lua_settop(L, 1);
  return 1;
}

static int s_transform(lua_State *L) {
  learn_scaler *s = check_scaler(L, "Scaler:transform");
  mlsh_mat *X = check_X(L, 2, "Scaler:transform"), out = {0};
  mlsh_err err = {0};
  int rc = scaler_transform(s, X, &out, &err);
  if (rc) mlsh_fail(L, "Scaler:transform", rc, &err);
  lmat_push(L, &out);
  return 1;
}

static int s_fit_transform(lua_State *L) {
  learn_scaler *s = check_scaler(L, "Scaler:fit_transform");
  mlsh_mat *X = check_X(L, 2, "Scaler:fit_transform"), out = {0};
  mlsh_err err = {0};
  int rc = scaler_fit(s, X, &err);
  if (!rc) rc = scaler_transform(s, X, &out, &err);
  if (rc) mlsh_fail(L, "Scaler:fit_transform", rc, &err);
  lmat_push(L, &out);
  return 1;
}

static int s_params(lua_State *L) {
  learn_scaler *s = check_scaler(L, "Scaler:params");
  if (!s->p) mlsh_error(L, "Scaler:params", "the scaler is not fitted (call fit first)");
  lua_createtable(L, 0, 2);
  mlsh_mat *a = lmat_push_new(L, 1, s->p, "Scaler:params");
  memcpy(a->data, s->shift, s->p * sizeof(double));
  lua_setfield(L, -2, s->kind == SCALER_STANDARD ? "mean" : "min");
  a = lmat_push_new(L, 1, s->p, "Scaler:params");
  memcpy(a->data, s->scale, s->p * sizeof(double));
  lua_setfield(L, -2, s->kind == SCALER_STANDARD ? "scale" : "range");
  return 1;
}

static int s_gc(lua_State *L) {
  learn_scaler *s = luaL_testudata(L, 1, SCALER_MT);
  if (s) scaler_free(s);
  return 0;
}

static int s_tostring(lua_State *L) {
  learn_scaler *s = check_scaler(L, "Scaler:__tostring");
  lua_pushfstring(L, "Scaler(%s, %s)", s->kind == SCALER_STANDARD ? "standard" : "minmax",
                  s->p ? "fitted" : "not fitted");
  return 1;
}

/* ---- metrics ---- */

static void push_numbers(lua_State *L, const double *v, int n) {
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) { lua_pushnumber(L, v[i]); lua_rawseti(L, -2, i + 1); }
}

static int l_metrics(lua_State *L) {
  const char *fn = "learn.metrics";
  size_t n;
  int *yt = mlsh_check_labels(L, 1, fn, "ytrue", 0, &n);
  int *yp = mlsh_check_labels(L, 2, fn, "ypred", n, NULL);
  learn_metrics m;
  mlsh_err err = {0};
  int rc = learn_metrics_compute(yt, yp, n, &m, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_createtable(L, 0, 12);
  lua_pushnumber(L, m.accuracy); lua_setfield(L, -2, "accuracy");
  mlsh_push_intarray(L, m.classes, (size_t)m.K); lua_setfield(L, -2, "classes");
  push_numbers(L, m.precision, m.K); lua_setfield(L, -2, "precision");
  push_numbers(L, m.recall, m.K); lua_setfield(L, -2, "recall");
  push_numbers(L, m.f1, m.K); lua_setfield(L, -2, "f1");
  push_numbers(L, m.support, m.K); lua_setfield(L, -2, "support");
  push_numbers(L, m.macro, 3); lua_setfield(L, -2, "macro");
  push_numbers(L, m.weighted, 3); lua_setfield(L, -2, "weighted");
  lua_pushnumber(L, m.macro[2]); lua_setfield(L, -2, "macro_f1");
  lua_pushnumber(L, m.weighted[2]); lua_setfield(L, -2, "weighted_f1");
  lua_pushinteger(L, (lua_Integer)n); lua_setfield(L, -2, "n");
  lmat_push(L, &m.confusion); lua_setfield(L, -2, "confusion");
  learn_metrics_free(&m);
  return 1;
}

/* ---- registration ---- */

static const mlsh_Reg model_methods[] = {
  {"fit", m_fit, "model:fit(X, y)",
   "Fit the model on the rows of X (Matrix n x p, finite) and labels y (array of n integers >= 1). "
   "Returns the model itself. A KNN model keeps a reference to X (do not modify X afterwards).\n"
   "Example: local m = learn.svm{C=10}:fit(Xtrain, ytrain)"},
  {"predict", m_predict, "model:predict(X)",
   "Predicted label of each row of X (same number of columns as at fit). Returns an array of labels. "
   "KNN/forest/logistic take the most probable class (ties: smallest label); SVM uses libsvm's one-vs-one vote.\n"
   "Example: local yhat = model:predict(Xtest)"},
  {"predict_proba", m_proba, "model:predict_proba(X)",
   "Class probabilities, a Matrix rows x K with columns in model:classes() order: KNN vote shares, "
   "forest mean leaf fractions, logistic softmax, SVM Platt scaling with pairwise coupling (needs probability=true).\n"
   "Example: local P = model:predict_proba(Xtest)"},
  {"score", m_score, "model:score(X, y)",
   "Accuracy of model:predict(X) against the labels y (a number in [0, 1]).\n"
   "Example: print(model:score(Xtest, ytest))"},
  {"save", m_save, "model:save(path)",
   "Write the fitted model to path (binary, versioned, checksummed; written to a temporary file, then renamed). "
   "Returns the model. Read it back with learn.load.\nExample: model:save(\"svm.model\")"},
  {"classes", m_classes, "model:classes()",
   "The sorted labels seen at fit (the column order of predict_proba).\nExample: print(table.concat(model:classes(), \",\"))"},
  {"importance", m_importance, "model:importance()",
   "Forest only: mean decrease in Gini impurity per feature (a p x 1 Matrix summing to 1), as scikit-learn's feature_importances_.\n"
   "Example: local imp = learn.forest{seed=1}:fit(X, y):importance()"},
  {"info", m_info, "model:info()",
   "A table describing the model: kind, fitted, classes, features, and per kind k / C, gamma, support_vectors / trees, nodes / iterations.\n"
   "Example: print(model:info().support_vectors)"},
  {NULL, NULL, NULL, NULL}
};

static const luaL_Reg model_meta[] = {{"__gc", m_gc}, {"__tostring", m_tostring}, {NULL, NULL}};

static const mlsh_Reg scaler_methods[] = {
  {"fit", s_fit, "scaler:fit(X)", "Learn per-column shift and scale from X. Returns the scaler.\nExample: sc:fit(Xtrain)"},
  {"transform", s_transform, "scaler:transform(X)",
   "A new Matrix (X - shift) / scale with the fitted columns.\nExample: local Z = sc:transform(Xtest)"},
  {"fit_transform", s_fit_transform, "scaler:fit_transform(X)",
   "fit(X), then transform(X).\nExample: local Z = learn.scaler():fit_transform(X)"},
  {"params", s_params, "scaler:params()",
   "The fitted parameters as 1 x p Matrices: {mean, scale} (standard) or {min, range} (minmax).\nExample: print(sc:params().mean)"},
  {NULL, NULL, NULL, NULL}
};

static const luaL_Reg scaler_meta[] = {{"__gc", s_gc}, {"__tostring", s_tostring}, {NULL, NULL}};

static int l_clear_cache(lua_State *L) {
  gram_clear();
  return 0;
}

static const mlsh_Reg learn_funcs[] = {
  {"knn", l_knn, "learn.knn([opts])",
   "Exact k-nearest-neighbour classifier. Distances for blocks of queries come from one sgemm, "
   "re-ranked in double near the k-th neighbour, so results equal an exact double search. Returns a Model.\n"
   "Example: local acc = learn.knn{k=5, metric=\"cosine\"}:fit(Xtr, ytr):score(Xte, yte)", &knn_spec},
  {"clear_cache", l_clear_cache, "learn.clear_cache()",
   "Free the SVM's cache of row dot products (see learn.svm's cache option): memory back, and the next fit "
   "computes its kernel from scratch (as timing a cold fit needs).\n"
   "Example: learn.clear_cache()"},
  {"svm", l_svm, "learn.svm([opts])",
   "Support vector classifier on libsvm (C-SVC, one-vs-one as scikit-learn's SVC); probabilities by Platt "
   "scaling over 5 seeded folds per pair. Class pairs train in parallel on BLAS-computed kernel matrices (row products in "
   "single precision: kernel errors near 1e-7, the rounding of libsvm's own float cache). The row dot "
   "products of recent fits stay cached (up to `cache` MB, rows matched by content), so refits on the same or "
   "overlapping rows (grid search, CV folds, several SVMs on one split) and scoring of those rows skip the "
   "O(n^2 p) product. Returns a Model.\n"
   "Example: local m = learn.svm{kernel=\"rbf\", C=10}:fit(Xtr, ytr)", &svm_spec},
  {"forest", l_forest, "learn.forest([opts])",
   "Random forest of CART trees (Gini, exact splits on float32 values as scikit-learn). Trees grow in parallel; the result depends on the seed only. Returns a Model.\n"
   "Example: local rf = learn.forest{trees=100, max_depth=20, seed=42}:fit(Xtr, ytr)", &forest_spec},
  {"logistic", l_logistic, "learn.logistic([opts])",
   "Multinomial logistic regression with an L2 penalty, fitted by L-BFGS (scikit-learn's objective, "
   "solver=\"lbfgs\"). Returns a Model.\n"
   "Example: local lr = learn.logistic{C=0.1}:fit(Xtr, ytr)", &logit_spec},
  {"load", l_load, "learn.load(path)",
   "Read a model written by model:save. A missing, truncated, corrupt or newer-version file is an error. Returns a Model.\n"
   "Example: local m = learn.load(\"svm.model\")"},
  {"split", l_split, "learn.split(X, y [, opts])",
   "Shuffle-split rows into train and test: ceil(test*n) test rows; stratified, each class needs 2 members. Returns Xtrain, Xtest, ytrain, ytest, "
   "itrain, itest (1-based row indices, ascending).\n"
   "Example: local Xtr, Xte, ytr, yte = learn.split(X, y, {test=0.2, seed=42})", &split_spec},
  {"kfold", l_kfold, "learn.kfold(y | n [, opts])",
   "Cross-validation folds over labels y (stratified by default) or over n items. "
   "Returns an array of k tables {train = indices, test = indices} (1-based).\n"
   "Example: for _, f in ipairs(learn.kfold(y, {k=5, seed=1})) do print(#f.test) end", &kfold_spec},
  {"rows", l_rows, "learn.rows(X, idx)",
   "The rows of X listed in idx (1-based), as a new Matrix.\nExample: local Xa = learn.rows(X, {1, 5, 9})"},
  {"scaler", l_scaler, "learn.scaler([opts])",
   "A feature scaler (standard: population sd, zero-sd columns left unscaled, as StandardScaler). Returns a Scaler with fit, transform, fit_transform, params.\n"
   "Example: local sc = learn.scaler(); local Z = sc:fit_transform(Xtr); local Zt = sc:transform(Xte)", &scaler_spec},
  {"_metrics", l_metrics, "learn._metrics(ytrue, ypred)",
   "The numbers behind learn.metrics (accuracy, per-class precision/recall/f1/support, macro, weighted, confusion).\n"
   "Example: local r = learn._metrics({1,2,2}, {1,2,1})"},
  {NULL, NULL, NULL, NULL}
};

void mlsh_open_learn(lua_State *L) {
  mlsh_new_class(L, MODEL_MT, "Model", model_methods, model_meta);
  lua_pop(L, 1);
  mlsh_new_class(L, SCALER_MT, "Scaler", scaler_methods, scaler_meta);
  lua_pop(L, 1);
  mlsh_register(L, "learn", learn_funcs);
}
