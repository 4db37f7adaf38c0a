/* lcluster.c - Lua binding for K-Means, the elbow sweep and hierarchical
 * clustering. Validation indices are in lcluster_valid.c. */
#include <math.h>
#include <string.h>
#include "lmlsh.h"
#include "lcluster.h"
#include "../cluster/kmeans.h"
#include "../cluster/hclust.h"
#include "../cluster/validity.h"
#include "../core/alloc.h"
#include "../data/stream.h"

#define KMEANS_MT "mlsh.KMeans"
#define HCLUST_MT "mlsh.HClust"

/* ---- K-Means ---- */

/* In km_algo order: push_kmeans names the algorithm used from this list. */
static const char *const km_algos[] = {"auto", "lloyd", "hamerly", "hartigan-wong", NULL};
static const char *const km_inits[] = {"k-means++", "random", "k-means||", NULL};

typedef struct {
  km_opts km;   /* first: cluster.elbow's options extend these */
  int na;
} km_args;

static const mlsh_opt km_opt[] = {
  MLSH_OPT_VALUE("init", MLSH_OT_ANY, "\"k-means++\"",
                 "\"k-means++\", \"random\", \"k-means||\" (Bahmani et al.; as on mapped and distributed data), or a k x p Matrix of starting centres"),
  MLSH_OPT_INT(km_args, km.nstart, "nstart", 10, 1, 100000, "random starts; the lowest inertia wins"),
  MLSH_OPT_INT(km_args, km.max_iter, "max_iter", 300, 1, 1000000, "iterations per start (R's iter.max for Hartigan-Wong)"),
  MLSH_OPT_NUM(km_args, km.tol, "tol", 1e-4, 0, HUGE_VAL,
               "convergence: centre shift relative to the mean column variance (not used by Hartigan-Wong)"),
  MLSH_OPT_ENUM(km_args, km.algo, "algorithm", 0, km_algos,
                "\"auto\" (Hartigan-Wong for small fits, else lockstep Lloyd for k <= 20, else Hamerly), "
                "\"lloyd\", \"hamerly\" or \"hartigan-wong\""),
  MLSH_OPT_SEED(km_args, km.seed),
  MLSH_OPT_THREADS(km_args, km.threads),
  MLSH_OPT_NA(km_args, na),
  MLSH_OPT_END};
static const mlsh_optspec km_spec = {"cluster.kmeans", km_opt};

/* The `init` option: a method name or a k x p Matrix of centres. */
/* k-means|| on an in-memory X: the centres of the mapped and distributed fits. */
static const mlsh_mat *parallel_init(lua_State *L, const mlsh_mat *X, const km_opts *o, const char *fname) {
  mlsh_mat *C = lmat_push_new(L, o->k, X->cols, fname);
  stream_src s;
  stream_src_matrix(&s, X);
  stream_seed_opts so = {.k = o->k, .seed = o->seed, .threads = o->threads};
  mlsh_err err;
  int rc = stream_kmeans_parallel_init(&s, NULL, &so, NULL, C->data, &err);
  if (rc) mlsh_fail(L, fname, rc, &err);
  return C;
}

static void km_read_init(lua_State *L, int optidx, const char *fname, const mlsh_mat *X, km_opts *o) {
  int t = mlsh_opt_get(L, optidx, "init");
  if (t == LUA_TUSERDATA || t == LUA_TTABLE) {
    o->centers0 = lmat_checklike(L, -1, fname, "init");
    o->init = KM_INIT_GIVEN;
    if (o->centers0->rows != o->k || o->centers0->cols != X->cols)
      mlsh_error(L, fname, "option 'init' must be a %zux%zu Matrix of centres (got %zux%zu)", o->k, X->cols,
                 o->centers0->rows, o->centers0->cols);
    lmat_check_finite(L, o->centers0, fname, "init");
  } else if (t != LUA_TNIL) {
    int choice = mlsh_check_choice(L, -1, fname, "option 'init'", km_inits);
    o->init = choice == 0 ? KM_INIT_PLUSPLUS : KM_INIT_RANDOM;
    if (choice == 2) {   /* the streamed seeding's centres, kept on the stack */
      o->centers0 = parallel_init(L, X, o, fname);
      o->init = KM_INIT_GIVEN;
      lua_insert(L, -2);
    }
  }
  lua_pop(L, 1);   /* the value stays referenced by the options table */
}

/* The options at optidx into a, then the data X (with the na rule). */
static mlsh_mat *km_read_args(lua_State *L, int xidx, int optidx, const mlsh_optspec *spec, km_args *a) {
  km_opts_default(&a->km, 1);
  mlsh_opts(L, optidx, spec, a);
  return mlsh_check_data(L, xidx, spec->fname, "X", a->na, NULL);
}

static size_t km_check_k(lua_State *L, int idx, const char *fname, const mlsh_mat *X) {
  int ok;
  lua_Number v = lua_tonumberx(L, idx, &ok);
  if (!ok) mlsh_error(L, fname, "argument 'k' must be a number (got %s)", mlsh_typename(L, idx));
  if (v != floor(v) || v < 1 || v > (lua_Number)X->rows)
    mlsh_error(L, fname, "argument 'k' must be an integer between 1 and the number of rows %zu (got %g)", X->rows, (double)v);
  return (size_t)v;
}

static void km_release(void *r) { km_result_free(r); }

void lcluster_push_kmeans(lua_State *L, int *labels, size_t n, size_t k, mlsh_mat *centers, double inertia,
                          int iters, int converged, const char *algorithm) {
  lua_createtable(L, 0, 10);
  int t = lua_gettop(L);
  for (size_t i = 0; i < n; i++) labels[i] += 1;
  mlsh_push_intarray(L, labels, n);
  lua_setfield(L, t, "labels");
  mlsh_set_mat(L, t, "centers", centers);
  lua_pushnumber(L, inertia); lua_setfield(L, t, "inertia");
  lua_pushinteger(L, iters); lua_setfield(L, t, "iters");
  lua_pushboolean(L, converged); lua_setfield(L, t, "converged");
  lua_pushinteger(L, (lua_Integer)k); lua_setfield(L, t, "k");
  lua_pushstring(L, algorithm); lua_setfield(L, t, "algorithm");
  luaL_setmetatable(L, KMEANS_MT);
}

/* The result table; r stays guarded by the caller until it is built. */
static void push_kmeans(lua_State *L, km_result *r, size_t n, size_t k) {
  lcluster_push_kmeans(L, r->labels, n, k, &r->centers, r->inertia, r->iters, r->converged, km_algos[r->algo]);
  lua_createtable(L, (int)k, 0);
  for (size_t c = 0; c < k; c++) { lua_pushinteger(L, (lua_Integer)r->sizes[c]); lua_rawseti(L, -2, (lua_Integer)c + 1); }
  lua_setfield(L, -2, "sizes");
}

static int l_kmeans(lua_State *L) {
  lua_settop(L, 3);
  if (lmat_test_mapped(L, 1)) return mlsh_call_method(L, 1, "kmeans");   /* streamed Lloyd */
  km_args a;
  mlsh_mat *X = km_read_args(L, 1, 3, &km_spec, &a);
  a.km.k = km_check_k(L, 2, km_spec.fname, X);
  km_read_init(L, 3, km_spec.fname, X, &a.km);
  km_result *r = mlsh_guard(L, sizeof *r, km_release);
  int g = lua_gettop(L);
  mlsh_err err;
  int rc = km_fit(X, &a.km, r, &err);
  if (rc) return mlsh_fail(L, km_spec.fname, rc, &err);
  push_kmeans(L, r, X->rows, a.km.k);
  mlsh_guard_release(L, g);
  return 1;
}

static int km_predict_l(lua_State *L) {
  const char *fname = "KMeans:predict";
  lua_settop(L, 2);
  if (!lua_istable(L, 1)) return mlsh_error(L, fname, "argument 'self' must be a KMeans (got %s)", mlsh_typename(L, 1));
  lua_getfield(L, 1, "centers");
  mlsh_mat *C = lmat_check(L, -1, fname, "self.centers");
  mlsh_mat *X = mlsh_check_data(L, 2, fname, "X", MLSH_NA_FAIL, NULL);
  if (X->cols != C->cols)
    return mlsh_error(L, fname, "argument 'X' has %zu columns, the model was fitted on %zu", X->cols, C->cols);
  int *lab = mlsh_scratch(L, X->rows * sizeof(int) + 1, fname);
  mlsh_err err;
  int rc = km_predict(C, X, 0, lab, NULL, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  for (size_t i = 0; i < X->rows; i++) lab[i] += 1;
  mlsh_push_intarray(L, lab, X->rows);
  return 1;
}

/* ---- elbow ---- */

typedef struct {
  km_args km;   /* first: the base spec's struct */
  int kmin, kmax;
} elbow_args;

static const mlsh_opt elbow_opt[] = {LCLUSTER_ELBOW_OPTS(elbow_args), MLSH_OPT_END};
static const mlsh_optspec elbow_spec = {"cluster.elbow", elbow_opt, &km_spec};

size_t lcluster_elbow_check(lua_State *L, int optidx, const char *fname, int kmin, int kmax, size_t n) {
  if (kmax < kmin || (size_t)kmax >= n)
    mlsh_error(L, fname, "options 'kmin'/'kmax' need 2 <= kmin <= kmax < number of rows %zu (got %d..%d)", n, kmin, kmax);
  size_t sample = n <= 5000 ? n : 5000;
  int st = mlsh_opt_get(L, optidx, "silhouette");
  if (st == LUA_TBOOLEAN) sample = lua_toboolean(L, -1) ? n : 0;
  else if (st == LUA_TNUMBER) {
    lua_Integer s = lua_tointeger(L, -1);
    if (s < 2) mlsh_error(L, fname, "option 'silhouette' must be true, false or a sample size >= 2");
    sample = (size_t)s < n ? (size_t)s : n;
  } else if (st != LUA_TNIL) mlsh_error(L, fname, "option 'silhouette' must be true, false or a sample size");
  lua_pop(L, 1);
  return sample;
}

/* Kneedle (Satopaa et al. 2011) for a decreasing convex curve: the point
 * farthest above the chord once both axes are scaled to [0, 1]. */
static size_t kneedle(const double *y, size_t m) {
  double lo = y[0], hi = y[0], best = -INFINITY;
  size_t arg = 0;
  for (size_t i = 1; i < m; i++) { lo = fmin(lo, y[i]); hi = fmax(hi, y[i]); }
  if (m < 3 || hi == lo) return 0;
  for (size_t i = 0; i < m; i++) {
    double xn = (double)i / (double)(m - 1), yn = (y[i] - lo) / (hi - lo), d = (1.0 - yn) - xn;
    if (d > best) { best = d; arg = i; }
  }
  return arg;
}

static void set_array(lua_State *L, int t, const char *key, const double *v, size_t m) {
  lua_createtable(L, (int)m, 0);
  for (size_t i = 0; i < m; i++) { lua_pushnumber(L, v[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
  lua_setfield(L, t, key);
}

void lcluster_push_elbow(lua_State *L, int kmin, size_t m, const double *res, size_t sample) {
  const double *in = res, *sil = res + m;
  lua_createtable(L, 0, 8);
  int t = lua_gettop(L);
  lua_createtable(L, (int)m, 0);
  for (size_t i = 0; i < m; i++) { lua_pushinteger(L, kmin + (lua_Integer)i); lua_rawseti(L, -2, (lua_Integer)i + 1); }
  lua_setfield(L, t, "k");
  set_array(L, t, "inertia", in, m);
  set_array(L, t, "silhouette", sil, m);
  set_array(L, t, "calinski_harabasz", res + 2 * m, m);
  set_array(L, t, "davies_bouldin", res + 3 * m, m);
  lua_pushinteger(L, (lua_Integer)sample); lua_setfield(L, t, "silhouette_rows");
  lua_createtable(L, 0, 2);
  if (sample) {
    size_t b = 0;
    for (size_t i = 1; i < m; i++) if (sil[i] > sil[b]) b = i;
    lua_pushinteger(L, kmin + (lua_Integer)b);
    lua_setfield(L, -2, "silhouette");
  }
  lua_pushinteger(L, kmin + (lua_Integer)kneedle(in, m));
  lua_setfield(L, -2, "knee");
  lua_setfield(L, t, "best");
  luaL_setmetatable(L, "mlsh.Elbow");
}

/* The fit for one k: from k-means|| centres (kept on the stack until the
 * fit is done) or from o's own init. */
static int elbow_fit(lua_State *L, const mlsh_mat *X, km_opts *o, int parallel, km_result *r, mlsh_err *err) {
  if (parallel) {
    o->centers0 = parallel_init(L, X, o, elbow_spec.fname);
    o->init = KM_INIT_GIVEN;
  }
  int rc = km_fit(X, o, r, err);
  if (parallel) lua_pop(L, 1);
  return rc;
}

/* Whether the init option is "k-means||" (seeded again for every k); a
 * Matrix of centres cannot serve every k. */
static int elbow_init(lua_State *L, const char *fname, const mlsh_mat *X, km_opts *o) {
  int parallel = mlsh_opt_get(L, 2, "init") == LUA_TSTRING && strcmp(lua_tostring(L, -1), "k-means||") == 0;
  lua_pop(L, 1);
  if (parallel) return 1;
  km_read_init(L, 2, fname, X, o);
  if (o->init == KM_INIT_GIVEN)
    mlsh_error(L, fname, "option 'init' must be \"k-means++\", \"random\" or \"k-means||\" for a sweep (not a Matrix)");
  return 0;
}

static int l_elbow(lua_State *L) {
  const char *fname = elbow_spec.fname;
  lua_settop(L, 2);
  if (lmat_test_mapped(L, 1)) return mlsh_call_method(L, 1, "elbow");   /* streamed over blocks */
  elbow_args a;
  mlsh_mat *X = km_read_args(L, 1, 2, &elbow_spec, &a.km);
  size_t n = X->rows;
  size_t sample = lcluster_elbow_check(L, 2, fname, a.kmin, a.kmax, n);
  km_opts o = a.km.km;
  o.k = (size_t)a.kmin;
  int parallel = elbow_init(L, fname, X, &o);
  size_t m = (size_t)(a.kmax - a.kmin + 1);
  double *res = mlsh_scratch(L, 4 * m * sizeof(double), fname);
  double *in = res, *sil = res + m, *ch = res + 2 * m, *db = res + 3 * m;
  /* The silhouette sample: rows drawn once (seeded), reused for every k. */
  mlsh_mat *Xs = NULL;
  size_t *idx = NULL;
  if (sample > 0 && sample < n) {
    idx = mlsh_scratch(L, n * sizeof(size_t), fname);
    clv_sample_perm(o.seed, n, idx);
    Xs = lmat_push_new(L, sample, X->cols, fname);
    for (size_t i = 0; i < sample; i++) memcpy(Xs->data + i * X->cols, X->data + idx[i] * X->cols, X->cols * sizeof(double));
  }
  double *sv = sample ? mlsh_scratch(L, sample * sizeof(double), fname) : NULL;
  int *slab = sample ? mlsh_scratch(L, sample * sizeof(int), fname) : NULL;
  for (size_t t = 0; t < m; t++) {
    km_result r;
    mlsh_err err;
    o.k = (size_t)a.kmin + t;
    int rc = elbow_fit(L, X, &o, parallel, &r, &err);
    if (rc) return mlsh_fail(L, fname, rc, &err);
    in[t] = r.inertia;
    rc = clv_calinski_harabasz(X, r.labels, o.k, &ch[t], &err);
    if (!rc) rc = clv_davies_bouldin(X, r.labels, o.k, &db[t], &err);
    sil[t] = NAN;
    if (!rc && sample) {
      for (size_t i = 0; i < sample; i++) slab[i] = r.labels[idx ? idx[i] : i];
      rc = clv_silhouette(Xs ? Xs : X, slab, o.k, o.threads, sv, &sil[t], &err);
    }
    km_result_free(&r);
    if (rc) return mlsh_fail(L, fname, rc, &err);
  }
  lcluster_push_elbow(L, a.kmin, m, res, sample);
  return 1;
}

/* ---- hierarchical clustering ---- */

static const char *const hc_methods[] = {"ward", "complete", "average", "single", "centroid", "median", "mcquitty", NULL};
static const char *const hc_metrics[] = {"euclidean", "manhattan", "cosine", NULL};

static int looks_like_distances(const mlsh_mat *X) {
  if (X->rows != X->cols || X->rows < 2) return 0;
  for (size_t i = 0; i < X->rows; i++) if (MAT_AT(X, i, i) != 0.0) return 0;
  return 1;
}

typedef struct {
  int method, metric, threads, na;
} hc_args;

static const mlsh_opt hc_opt[] = {
  MLSH_OPT_ENUM(hc_args, method, "method", 0, hc_methods, "linkage (ward = R's ward.D2)"),
  MLSH_OPT_ENUM(hc_args, metric, "metric", 0, hc_metrics, "distance between rows"),
  MLSH_OPT_VALUE("distance", MLSH_OT_ANY, "detected", "true: X is a square distance matrix (detected when square with a zero diagonal)"),
  MLSH_OPT_VALUE("labels", MLSH_OT_TABLE, "\"1\", \"2\", ...", "names of the rows"),
  MLSH_OPT_THREADS(hc_args, threads),
  MLSH_OPT_NA(hc_args, na),
  MLSH_OPT_END};
static const mlsh_optspec hc_spec = {"cluster.hclust", hc_opt};

static void hc_release(void *tr) { hc_tree_free(tr); }

static int l_hclust(lua_State *L) {
  const char *fname = hc_spec.fname;
  lua_settop(L, 2);
  hc_args a;
  mlsh_opts(L, 2, &hc_spec, &a);
  mlsh_mat *X = mlsh_check_data(L, 1, fname, "X", a.na, NULL);
  int method = a.method, metric = a.metric, threads = a.threads;
  int isdist = mlsh_opt_get(L, 2, "distance") == LUA_TNIL ? looks_like_distances(X) : lua_toboolean(L, -1);
  lua_pop(L, 1);
  size_t n = X->rows;
  if (n < 2) return mlsh_error(L, fname, "argument 'X' needs at least 2 rows (got %zu)", n);
  if (isdist && X->cols != n) return mlsh_error(L, fname, "argument 'X': a distance matrix must be square (got %zux%zu)", n, X->cols);
  if (mlsh_opt_get(L, 2, "labels") == LUA_TTABLE && lua_rawlen(L, -1) != n)
    return mlsh_error(L, fname, "option 'labels' has %zu names for %zu rows", (size_t)lua_rawlen(L, -1), n);
  lua_pop(L, 1);
  /* Results are allocated first so that no Lua error can leak the tree. */
  lua_createtable(L, 0, 10);
  int t = lua_gettop(L);
  mlsh_mat *mg = lmat_push_new(L, n - 1, 2, fname);
  lua_setfield(L, t, "merge");
  mlsh_mat *h = lmat_push_new(L, n - 1, 1, fname);
  lua_setfield(L, t, "height");
  hc_tree *tr = mlsh_guard(L, sizeof *tr, hc_release);
  int g = lua_gettop(L);
  mlsh_err err;
  int rc;
  if (isdist) {
    size_t len;
    if (mlsh_mul_overflow(n, n - 1, &len)) return mlsh_error(L, fname, "distance matrix too large");
    double *cond = mlsh_scratch(L, len / 2 * sizeof(double) + 1, fname);
    if ((rc = dist_from_square(X, cond, &err))) return mlsh_error(L, fname, "argument 'X': %s", err.msg);
    rc = hc_linkage_cond(cond, n, (hc_method)method, tr, &err);
  } else {
    rc = hc_linkage_data(X, (hc_method)method, (dist_metric)metric, threads, tr, &err);
  }
  if (rc) return mlsh_fail(L, fname, rc, &err);
  for (size_t i = 0; i < 2 * (n - 1); i++) mg->data[i] = tr->merge[i];
  memcpy(h->data, tr->height, (n - 1) * sizeof(double));
  mlsh_push_intarray(L, tr->order, n);
  mlsh_guard_release(L, g);
  lua_setfield(L, t, "order");
  lua_settop(L, t);   /* the guard and the scratch go */
  if (mlsh_opt_get(L, 2, "labels") != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) { lua_pushfstring(L, "%d", (int)i + 1); lua_rawseti(L, -2, (lua_Integer)i + 1); }
  }
  lua_setfield(L, t, "labels");
  lua_pushstring(L, hc_methods[method]); lua_setfield(L, t, "method");
  lua_pushstring(L, isdist ? "precomputed" : hc_metrics[metric]); lua_setfield(L, t, "metric");
  lua_pushinteger(L, (lua_Integer)n); lua_setfield(L, t, "n");
  lua_pushvalue(L, 1); lua_setfield(L, t, "data");   /* kept for cophenetic() */
  luaL_setmetatable(L, HCLUST_MT);
  return 1;
}

/* Rebuild the C tree view of an HClust table (arrays owned by scratch). */
static void check_tree(lua_State *L, int idx, const char *fname, hc_tree *tr) {
  if (!lua_istable(L, idx)) mlsh_error(L, fname, "argument 'self' must be an HClust (got %s)", mlsh_typename(L, idx));
  lua_getfield(L, idx, "merge");
  mlsh_mat *mg = lmat_check(L, -1, fname, "self.merge");
  lua_getfield(L, idx, "height");
  mlsh_mat *h = lmat_check(L, -1, fname, "self.height");
  size_t n = mg->rows + 1;
  if (mg->cols != 2 || h->rows != mg->rows) mlsh_error(L, fname, "self is not a valid HClust result");
  tr->n = n;
  tr->merge = mlsh_scratch(L, 2 * (n - 1) * sizeof(int) + 1, fname);
  for (size_t i = 0; i < 2 * (n - 1); i++) {
    double v = mg->data[i];
    if (v != floor(v) || v == 0 || v < -(double)n || v > (double)i / 2) mlsh_error(L, fname, "self.merge has an invalid entry %g", v);
    tr->merge[i] = (int)v;
  }
  tr->height = h->data;
  tr->order = NULL;
}

typedef struct {
  size_t k;
  double height;
} cut_args;

/* No defaults: the mask says which one was given. */
static const mlsh_opt cut_opt[] = {
  MLSH_OPT_PRESET(MLSH_OT_SIZE, cut_args, k, "k", "none", 1, HUGE_VAL, "number of clusters (at most the number of rows)"),
  MLSH_OPT_PRESET(MLSH_OT_NUM, cut_args, height, "height", "none", -HUGE_VAL, HUGE_VAL,
                  "cut height: merges at heights <= height are joined"),
  MLSH_OPT_END};
static const mlsh_optspec cut_spec = {"HClust:cut", cut_opt};

static int hc_cut(lua_State *L) {
  const char *fname = cut_spec.fname;
  lua_settop(L, 2);
  hc_tree tr;
  check_tree(L, 1, fname, &tr);
  int *lab = mlsh_scratch(L, tr.n * sizeof(int), fname);
  mlsh_err err;
  int rc;
  size_t k;
  if (lua_type(L, 2) == LUA_TNUMBER) {
    k = mlsh_check_count(L, 2, fname, "k", tr.n);
    rc = hc_cut_k(&tr, k, lab, &err);
  } else {
    cut_args a;
    uint64_t given = mlsh_opts(L, 2, &cut_spec, &a);
    int by_k = (given & mlsh_opts_bit(&cut_spec, "k")) != 0, by_height = (given & mlsh_opts_bit(&cut_spec, "height")) != 0;
    if (by_k && by_height) return mlsh_error(L, fname, "give option 'k' or option 'height', not both");
    if (!by_k && !by_height) return mlsh_error(L, fname, "give a number of clusters k, {k=} or {height=} (got %s)", mlsh_typename(L, 2));
    if (by_k && a.k > tr.n)
      return mlsh_error(L, fname, "option 'k' must be at most the number of rows %zu (got %zu)", tr.n, a.k);
    rc = by_k ? hc_cut_k(&tr, a.k, lab, &err) : hc_cut_height(&tr, a.height, lab, &k, &err);
  }
  if (rc) return mlsh_fail(L, fname, rc, &err);
  mlsh_push_intarray(L, lab, tr.n);
  return 1;
}

static int hc_coph(lua_State *L) {
  const char *fname = "HClust:cophenetic";
  static const char *const metrics[] = {"euclidean", "manhattan", "cosine", "precomputed", NULL};
  hc_tree tr;
  check_tree(L, 1, fname, &tr);
  lua_getfield(L, 1, "data");
  mlsh_mat *X = lmat_check(L, -1, fname, "self.data");
  lua_getfield(L, 1, "metric");
  int metric = mlsh_check_choice(L, -1, fname, "self.metric", metrics);
  mlsh_err err;
  double r;
  int rc;
  if (metric == 3) {
    if (X->rows != tr.n) return mlsh_error(L, fname, "self.data does not match the tree");
    double *cond = mlsh_scratch(L, tr.n * (tr.n - 1) / 2 * sizeof(double) + 1, fname);
    if ((rc = dist_from_square(X, cond, &err))) return mlsh_fail(L, fname, rc, &err);
    rc = hc_cophenetic(&tr, NULL, DIST_EUCLIDEAN, cond, &r, &err);
  } else {
    if (X->rows != tr.n) return mlsh_error(L, fname, "self.data does not match the tree");
    rc = hc_cophenetic(&tr, X, (dist_metric)metric, NULL, &r, &err);
  }
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_pushnumber(L, r);
  return 1;
}

static const mlsh_Reg km_methods[] = {
  {"predict", km_predict_l, "km:predict(X)",
   "Labels (1-based) of the nearest fitted centre for each row of X (same columns as the fit).\n"
   "Example: km = cluster.kmeans(X, 3, {seed=1}); lab = km:predict(Xnew)"},
  {NULL, NULL, NULL, NULL}};

static const mlsh_Reg hc_methods_reg[] = {
  {"cut", hc_cut, "h:cut(k) | h:cut{k=} | h:cut{height=h}",
   "Cuts the tree into k clusters, or at a height (merges with height <= h are joined); give one of the two.\n"
   "Returns labels 1..k numbered by first appearance (as R's cutree). Cutting by height needs increasing heights.\n"
   "Example: lab = cluster.hclust(X):cut(3)", &cut_spec},
  {"cophenetic", hc_coph, "h:cophenetic()",
   "The cophenetic correlation: Pearson correlation between the original distances and the heights at which\n"
   "each pair is first joined (O(n^2) time, O(n) memory).\nExample: r = cluster.hclust(X):cophenetic()"},
  {NULL, NULL, NULL, NULL}};

static const mlsh_Reg funcs[] = {
  {"kmeans", l_kmeans, "cluster.kmeans(X, k [, opts])",
   "K-Means with k-means++ seeding (greedy, 2 + log k trials per centre, as scikit-learn), then Lloyd\n"
   "iterations with BLAS-blocked distances (all restarts in lockstep: one pass over X serves every restart),\n"
   "Hamerly's bounds (fewer distances, for many clusters) or Hartigan-Wong. X: a Matrix or data frame (rows =\n"
   "observations). The best of nstart runs (lowest inertia; ties: the first) is kept.\n"
   "Lloyd and Hamerly re-seed empty clusters with the farthest points and stop when the centres move less than tol.\n"
   "\"hartigan-wong\" is Applied Statistics algorithm AS 136 (Hartigan & Wong 1979) exactly as R's\n"
   "stats::kmeans(algorithm = \"Hartigan-Wong\") runs it (optimal- and quick-transfer stages, live set): from\n"
   "the same init Matrix it gives R's centres, labels, tot.withinss (inertia) and iter. Its starts: k-means++\n"
   "(the default init), or with init = \"random\" k distinct rows among the distinct rows of X (as R's nstart),\n"
   "run in parallel on threads. tol is not used; max_iter is R's\n"
   "iter.max (R's default is 10, ours 300). converged = false where R warns: max_iter passes ran (\"did not\n"
   "converge\"), or the quick-transfer stage reached 50 n steps (R's \"Quick-TRANSfer stage steps exceeded\").\n"
   "R's errors are errors: an initial centre nearest to no row (\"empty cluster\"), duplicated init centres,\n"
   "k >= rows (k > 1), fewer distinct rows than k. k = 1 gives the mean (R uses MacQueen there).\n"
   "algorithm = \"auto\" (default) takes Hartigan-Wong when 2 <= k < rows, rows*columns*k*nstart <= 1e6 (a few\n"
   "milliseconds), X has at least k distinct rows and an init Matrix has distinct centres each nearest to some\n"
   "row; otherwise Lloyd for k <= 20, Hamerly above. Results depend on the seed only, not on threads.\n"
   "A MappedMatrix (mat.mmap, dist.load) goes to X:kmeans: Lloyd streamed over row blocks (and over MPI ranks).\n"
   "Returns a KMeans table: labels (1-based array), centers (k x p), inertia (within-cluster sum of squares),\n"
   "sizes, iters, converged, algorithm (the one used); methods km:predict(Xnew), km:augment(df) (a .cluster column).\n"
   "Example: km = cluster.kmeans(X, 3, {nstart=10, seed=42}); print(km.inertia)", &km_spec},
  {"elbow", l_elbow, "cluster.elbow(X [, opts])",
   "Runs K-Means for k = kmin..kmax and reports, per k, the inertia, mean silhouette, Calinski-Harabasz and\n"
   "Davies-Bouldin indices; takes every cluster.kmeans option too. init = \"k-means||\" seeds each k afresh\n"
   "(as cluster.kmeans). The silhouette runs on a row sample drawn once from the seed (silhouette_rows).\n"
   "A MappedMatrix (mat.mmap, dist.load) goes to X:elbow: the streamed Lloyd for each k, the indices over\n"
   "row blocks (and MPI ranks), the silhouette on the same sample read from the mapping; it gives this\n"
   "function's results with algorithm = \"lloyd\" and init = \"k-means||\" (or nstart = 1 and k-means++ when\n"
   "its seeding sample holds every row), up to the order of the sums.\n"
   "Returns {k=, inertia=, silhouette=, calinski_harabasz=, davies_bouldin= (arrays by k), best = {silhouette=k,\n"
   "knee=k (Kneedle on the inertia curve)}}; prints as a table.\n"
   "Example: e = cluster.elbow(X, {kmax=8, seed=1}); print(e); print(e.best.knee)", &elbow_spec},
  {"hclust", l_hclust, "cluster.hclust(X [, opts])",
   "Agglomerative hierarchical clustering of the rows of X, or of a square distance Matrix (detected when\n"
   "square with a zero diagonal, or forced with distance=true; it must be symmetric).\n"
   "Exact algorithms: nearest-neighbour chain (ward on centroids without a distance matrix; complete, average,\n"
   "mcquitty with Lance-Williams), Prim's MST for single, the generic NN-cached algorithm for centroid/median.\n"
   "Heights are in distance units as SciPy (ward = R's ward.D2; centroid/median: distance between centres).\n"
   "Returns R's hclust shape: merge ((n-1) x 2 Matrix, -i = observation i, +s = step s), height, order (leaf\n"
   "order), labels, method, metric; methods h:cut(k), h:cut{height=}, h:cophenetic(), h:augment(df, k).\n"
   "Example: h = cluster.hclust(X, {method=\"ward\"}); lab = h:cut(3); print(h:cophenetic())", &hc_spec},
  {NULL, NULL, NULL, NULL}};

static int km_tostring(lua_State *L) {
  lua_getfield(L, 1, "k");
  lua_getfield(L, 1, "inertia");
  lua_getfield(L, 1, "iters");
  lua_pushfstring(L, "KMeans(k=%d, inertia=%f, iters=%d)", (int)lua_tointeger(L, -3), lua_tonumber(L, -2),
                  (int)lua_tointeger(L, -1));
  return 1;
}

static int hc_tostring(lua_State *L) {
  lua_getfield(L, 1, "n");
  lua_getfield(L, 1, "method");
  lua_getfield(L, 1, "metric");
  lua_pushfstring(L, "HClust(n=%d, method=%s, metric=%s)", (int)lua_tointeger(L, -3), lua_tostring(L, -2), lua_tostring(L, -1));
  return 1;
}

void mlsh_open_cluster(lua_State *L) {
  static const luaL_Reg km_meta[] = {{"__tostring", km_tostring}, {NULL, NULL}};
  static const luaL_Reg hc_meta[] = {{"__tostring", hc_tostring}, {NULL, NULL}};
  mlsh_register(L, "cluster", funcs);
  mlsh_new_class(L, KMEANS_MT, "KMeans", km_methods, km_meta);
  lua_setfield(L, -2, "KMeans");
  mlsh_new_class(L, HCLUST_MT, "HClust", hc_methods_reg, hc_meta);
  lua_setfield(L, -2, "HClust");
  luaL_newmetatable(L, "mlsh.Elbow");
  lua_pushstring(L, "Elbow");
  lua_setfield(L, -2, "__name");
  lua_setfield(L, -2, "Elbow");
}
