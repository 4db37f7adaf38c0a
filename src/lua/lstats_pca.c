/* lstats_pca.c - Lua binding for PCA (issue 3). stats._pca does the work;
 * lua/mlsh/stats_pca.lua wraps it as stats.pca (data frames, names,
 * printing, summary). */
#include <math.h>
#include <string.h>
#include "lcluster.h"
#include "../stats/pca.h"

#define PCA_MT "mlsh.PCA"

static const char *const pca_known[] = {"ncomp", "scale", "center", "weights", "sup_rows", "sup_cols", "method",
                                        "oversample", "iters", "seed", "threads", "na", NULL};
static const char *const pca_methods[] = {"svd", "randomized", NULL};

/* t[key] = {coord=, cos2=} */
static void set_pair(lua_State *L, int t, const char *key, mlsh_mat *coord, mlsh_mat *cos2) {
  lua_createtable(L, 0, 2);
  lcl_set_mat(L, -1, "coord", coord);
  lcl_set_mat(L, -1, "cos2", cos2);
  lua_setfield(L, t, key);
}

/* An optional Matrix option (nil when absent); checked finite. */
static mlsh_mat *opt_matrix(lua_State *L, int optidx, const char *key, const char *fname) {
  if (mlsh_opt_get(L, optidx, key) == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  mlsh_mat *m = lmat_checklike(L, -1, fname, key);
  lmat_check_finite(L, m, fname, key);
  return m;   /* stays on the stack */
}

static int l_pca(lua_State *L) {
  const char *fname = "stats.pca";
  lua_settop(L, 2);
  mlsh_opt_check(L, 2, fname, pca_known);
  mlsh_mat *X = lcl_check_data(L, 1, 2, fname, "X");
  size_t n = X->rows, p = X->cols;
  if (n < 2) return mlsh_error(L, fname, "argument 'X' needs at least 2 rows (got %zu)", n);
  pca_opts o;
  pca_opts_default(&o);
  lua_Integer nc = mlsh_opt_int(L, 2, "ncomp", 0, fname);
  if (nc < 0) return mlsh_error(L, fname, "option 'ncomp' must be >= 1 (got %lld)", (long long)nc);
  o.ncomp = (size_t)nc;
  o.scale = mlsh_opt_bool(L, 2, "scale", 1, fname);
  o.center = mlsh_opt_bool(L, 2, "center", 1, fname);
  o.method = (pca_method)mlsh_opt_enum(L, 2, "method", "svd", pca_methods, fname);
  o.oversample = (int)mlsh_opt_int(L, 2, "oversample", 10, fname);
  o.iters = (int)mlsh_opt_int(L, 2, "iters", 4, fname);
  if (o.oversample < 0 || o.iters < 0 || o.iters > 100)
    return mlsh_error(L, fname, "options 'oversample' and 'iters' must be >= 0 (iters <= 100)");
  o.seed = mlsh_opt_seed(L, 2, fname);
  o.threads = lcl_threads(L, 2, fname);
  mlsh_mat *w = opt_matrix(L, 2, "weights", fname);
  if (w && MAT_LEN(w) != n) return mlsh_error(L, fname, "option 'weights' has %zu values for %zu rows", MAT_LEN(w), n);
  o.weights = w ? w->data : NULL;
  mlsh_mat *sr = opt_matrix(L, 2, "sup_rows", fname);
  if (sr && sr->cols != p) return mlsh_error(L, fname, "option 'sup_rows' has %zu columns, X has %zu", sr->cols, p);
  mlsh_mat *sc = opt_matrix(L, 2, "sup_cols", fname);
  if (sc && sc->rows != n) return mlsh_error(L, fname, "option 'sup_cols' has %zu rows, X has %zu", sc->rows, n);

  pca_model m;
  mlsh_err err;
  int rc = pca_fit(X, &o, &m, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  /* Move everything into Lua before anything else can fail. */
  lua_createtable(L, 0, 16);
  int t = lua_gettop(L);
  mlsh_mat eig3 = {0}, ev = {0}, ex = {0}, mean = {0}, sd = {0};
  size_t r = m.neig;
  if (mat_alloc(&eig3, r, 3, &err) || mat_alloc(&ev, r, 1, &err) || mat_alloc(&ex, r, 1, &err) ||
      mat_alloc(&mean, 1, p, &err) || mat_alloc(&sd, 1, p, &err)) {
    mat_free(&eig3); mat_free(&ev); mat_free(&ex); mat_free(&mean); mat_free(&sd);
    pca_free(&m);
    return mlsh_error(L, fname, "not enough memory");
  }
  double cum = 0.0;
  for (size_t k = 0; k < r; k++) {
    double lam = m.eig.data[k], pct = m.total > 0 ? 100.0 * lam / m.total : 0.0;
    cum += pct;
    MAT_AT(&eig3, k, 0) = lam; MAT_AT(&eig3, k, 1) = pct; MAT_AT(&eig3, k, 2) = cum;
    ev.data[k] = lam;
    ex.data[k] = pct / 100.0;
  }
  memcpy(mean.data, m.mean, p * sizeof(double));
  memcpy(sd.data, m.sd, p * sizeof(double));
  mlsh_mat sup_ic = {0}, sup_i2 = {0}, sup_vc = {0}, sup_v2 = {0};
  int src = sr ? pca_transform(&m, sr, o.threads, &sup_ic, &sup_i2, &err) : MLSH_OK;
  int scc = !src && sc ? pca_sup_cols(&m, sc, &sup_vc, &sup_v2, &err) : MLSH_OK;
  lcl_set_mat(L, t, "eig", &eig3);
  lcl_set_mat(L, t, "eigenvalues", &ev);
  lcl_set_mat(L, t, "explained", &ex);
  lcl_set_mat(L, t, "center", &mean);
  lcl_set_mat(L, t, "scale", &sd);
  lcl_set_mat(L, t, "loadings", &m.loadings);
  set_pair(L, t, "ind", &m.ind_coord, &m.ind_cos2);
  lua_getfield(L, t, "ind");
  lcl_set_mat(L, -1, "contrib", &m.ind_contrib);
  lua_pop(L, 1);
  set_pair(L, t, "var", &m.var_coord, &m.var_cos2);
  lua_getfield(L, t, "var");
  lcl_set_mat(L, -1, "contrib", &m.var_contrib);
  lua_pop(L, 1);
  lua_pushinteger(L, (lua_Integer)m.ncomp); lua_setfield(L, t, "ncomp");
  lua_pushinteger(L, (lua_Integer)n); lua_setfield(L, t, "n");
  lua_pushinteger(L, (lua_Integer)p); lua_setfield(L, t, "p");
  lua_pushnumber(L, m.total); lua_setfield(L, t, "total_inertia");
  lua_pushboolean(L, o.scale); lua_setfield(L, t, "scaled");
  lua_pushstring(L, pca_methods[o.method]); lua_setfield(L, t, "method");
  pca_free(&m);
  if (src || scc) {
    mat_free(&sup_ic); mat_free(&sup_i2); mat_free(&sup_vc); mat_free(&sup_v2);
    return mlsh_fail(L, fname, src ? src : scc, &err);
  }
  if (sr || sc) {
    lua_createtable(L, 0, 2);
    int s = lua_gettop(L);
    if (sr) set_pair(L, s, "ind", &sup_ic, &sup_i2);
    if (sc) set_pair(L, s, "var", &sup_vc, &sup_v2);
    lua_setfield(L, t, "sup");
  }
  luaL_setmetatable(L, PCA_MT);
  return 1;
}

/* The fitted model's view needed by pca_transform, from the result table. */
static int pca_transform_l(lua_State *L) {
  const char *fname = "PCA:transform";
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_getfield(L, 1, "loadings");
  mlsh_mat *V = lmat_check(L, -1, fname, "self.loadings");
  lua_getfield(L, 1, "center");
  mlsh_mat *mu = lmat_check(L, -1, fname, "self.center");
  lua_getfield(L, 1, "scale");
  mlsh_mat *sd = lmat_check(L, -1, fname, "self.scale");
  if (MAT_LEN(mu) != V->rows || MAT_LEN(sd) != V->rows) return mlsh_error(L, fname, "self is not a valid PCA result");
  mlsh_mat *X = lmat_checklike(L, 2, fname, "X");
  lmat_check_finite(L, X, fname, "X");
  pca_model m = {.n = 0, .p = V->rows, .ncomp = V->cols, .mean = mu->data, .sd = sd->data, .loadings = *V};
  mlsh_mat coord;
  mlsh_err err;
  int rc = pca_transform(&m, X, 0, &coord, NULL, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lmat_push(L, &coord);
  return 1;
}

static const mlsh_Reg methods[] = {
  {"transform", pca_transform_l, "p:transform(X)",
   "Coordinates of new rows on the fitted components (with the fit's centring and scaling).\n"
   "Example: Z = stats.pca(X, {ncomp=2}):transform(Xnew)"},
  {NULL, NULL, NULL, NULL}};

static const mlsh_Reg funcs[] = {
  {"_pca", l_pca, "stats._pca(X [, opts])", "Internal: PCA of a Matrix (see stats.pca)."},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_stats_pca(lua_State *L) {
  mlsh_register(L, "stats", funcs);
  mlsh_new_class(L, PCA_MT, "PCA", methods, NULL);
  lua_setfield(L, -2, "PCA");
}
