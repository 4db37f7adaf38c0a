/* lstats_pca.c - Lua binding for PCA. stats._pca does the work;
 * lua/mlsh/stats_pca.lua wraps it as stats.pca (variable names, printing,
 * summary), so the spec below is stats.pca's. */
#include <math.h>
#include <string.h>
#include "lmlsh.h"
#include "../stats/pca.h"

#define PCA_MT "mlsh.PCA"

static const char *const pca_methods[] = {"auto", "gram", "svd", "randomized", "gram32", NULL};

typedef struct {
  pca_opts o;
  int na;
} pca_args;

static const mlsh_opt pca_opt[] = {
  MLSH_OPT_PRESET(MLSH_OT_SIZE, pca_args, o.ncomp, "ncomp", "all", 1, HUGE_VAL, "components kept"),
  MLSH_OPT_BOOL(pca_args, o.scale, "scale", 1,
                "true: correlation PCA (columns scaled by their population sd); false: covariance PCA"),
  MLSH_OPT_BOOL(pca_args, o.center, "center", 1, "centre the columns"),
  MLSH_OPT_VALUE("weights", MLSH_OT_MATRIX, NULL, "Matrix or array: n row weights (>= 0, normalised to sum 1)"),
  MLSH_OPT_VALUE("sup_rows", MLSH_OT_ANY, NULL, "Matrix or data frame of supplementary individuals (X's columns)"),
  MLSH_OPT_VALUE("sup_cols", MLSH_OT_ANY, NULL, "Matrix or data frame: n x q supplementary quantitative variables"),
  MLSH_OPT_ENUM(pca_args, o.method, "method", 0, pca_methods,
                "\"auto\" (gram32 for large tall data, gram when n >= 2p, each when well conditioned, else svd), \"gram\" (p x p "
                "cross-product, LAPACK dsyevr), \"gram32\" (gram with single precision block products added in double, checked "
                "against the double projection: gram when a component or explained ratio would be off by about 1e-6), \"svd\" "
                "(tall-skinny QR, then LAPACK dgesdd) or \"randomized\" (Halko et al.); p.method says which ran"),
  MLSH_OPT_INT(pca_args, o.oversample, "oversample", 10, 0, 10000, "randomized: extra columns"),
  MLSH_OPT_INT(pca_args, o.iters, "iters", 4, 0, 100, "randomized: power iterations"),
  MLSH_OPT_SEED(pca_args, o.seed),
  MLSH_OPT_THREADS(pca_args, o.threads),
  MLSH_OPT_NA(pca_args, na),
  MLSH_OPT_VALUE("names", MLSH_OT_TABLE, "column names", "names of the variables (a data frame's, else V1, V2...)"),
  MLSH_OPT_END};
static const mlsh_optspec pca_spec = {"stats.pca", pca_opt};

/* t[key] = {coord=, cos2=} */
static void set_pair(lua_State *L, int t, const char *key, mlsh_mat *coord, mlsh_mat *cos2) {
  lua_createtable(L, 0, 2);
  mlsh_set_mat(L, -1, "coord", coord);
  mlsh_set_mat(L, -1, "cos2", cos2);
  lua_setfield(L, t, key);
}

/* An optional data option (NULL when absent); it stays on the stack. */
static mlsh_mat *opt_data(lua_State *L, int optidx, const char *key, const char *fname) {
  if (mlsh_opt_get(L, optidx, key) == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  return mlsh_check_data(L, -1, fname, key, MLSH_NA_FAIL, NULL);
}

/* Everything a fit makes, in one guarded struct (mlsh_guard): a Lua error
 * while the result table is built frees what has not moved into Lua. */
typedef struct {
  pca_model m;
  mlsh_mat eig3, ev, ex, mean, sd, sup_ic, sup_i2, sup_vc, sup_v2;
} pca_out;

static void pca_out_release(void *p) {
  pca_out *o = p;
  pca_free(&o->m);
  mlsh_mat *ms[] = {&o->eig3, &o->ev, &o->ex, &o->mean, &o->sd, &o->sup_ic, &o->sup_i2, &o->sup_vc, &o->sup_v2};
  for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) mat_free(ms[i]);
}

/* The eigenvalue table (value, %, cumulative %), eigenvalues, explained
 * ratios, and the centring and scaling, from the model. */
static int pca_tables(pca_out *out, const pca_model *m, size_t p, mlsh_err *err) {
  size_t r = m->neig;
  int rc = mat_alloc(&out->eig3, r, 3, err);
  if (!rc) rc = mat_alloc(&out->ev, r, 1, err);
  if (!rc) rc = mat_alloc(&out->ex, r, 1, err);
  if (!rc) rc = mat_alloc(&out->mean, 1, p, err);
  if (!rc) rc = mat_alloc(&out->sd, 1, p, err);
  if (rc) return rc;
  double cum = 0.0;
  for (size_t k = 0; k < r; k++) {
    double lam = m->eig.data[k], pct = m->total > 0 ? 100.0 * lam / m->total : 0.0;
    cum += pct;
    MAT_AT(&out->eig3, k, 0) = lam; MAT_AT(&out->eig3, k, 1) = pct; MAT_AT(&out->eig3, k, 2) = cum;
    out->ev.data[k] = lam;
    out->ex.data[k] = pct / 100.0;
  }
  memcpy(out->mean.data, m->mean, p * sizeof(double));
  memcpy(out->sd.data, m->sd, p * sizeof(double));
  return MLSH_OK;
}

static int l_pca(lua_State *L) {
  const char *fname = pca_spec.fname;
  lua_settop(L, 2);
  if (lmat_test_mapped(L, 1)) return mlsh_call_method(L, 1, "pca");   /* from the streamed covariance */
  pca_args a;
  pca_opts_default(&a.o);
  mlsh_opts(L, 2, &pca_spec, &a);
  pca_opts o = a.o;
  /* na = "fail": pca_fit finds non-finite values itself (in its Gram sweep, without a scan of its own) */
  mlsh_mat *X = mlsh_check_data(L, 1, fname, "X", a.na == MLSH_NA_FAIL ? MLSH_NA_KEEP : a.na, NULL);
  size_t n = X->rows, p = X->cols;
  if (n < 2) return mlsh_error(L, fname, "argument 'X' needs at least 2 rows (got %zu)", n);
  mlsh_mat *w = opt_data(L, 2, "weights", fname);
  if (w && MAT_LEN(w) != n) return mlsh_error(L, fname, "option 'weights' has %zu values for %zu rows", MAT_LEN(w), n);
  o.weights = w ? w->data : NULL;
  mlsh_mat *sr = opt_data(L, 2, "sup_rows", fname);
  if (sr && sr->cols != p) return mlsh_error(L, fname, "option 'sup_rows' has %zu columns, X has %zu", sr->cols, p);
  mlsh_mat *sc = opt_data(L, 2, "sup_cols", fname);
  if (sc && sc->rows != n) return mlsh_error(L, fname, "option 'sup_cols' has %zu rows, X has %zu", sc->rows, n);

  pca_out *out = mlsh_guard(L, sizeof *out, pca_out_release);
  int g = lua_gettop(L);
  pca_model *m = &out->m;
  mlsh_err err;
  int rc = pca_fit(X, &o, m, &err);
  if (!rc) rc = pca_tables(out, m, p, &err);
  if (!rc && sr) rc = pca_transform(m, sr, o.threads, &out->sup_ic, &out->sup_i2, &err);
  if (!rc && sc) rc = pca_sup_cols(m, sc, &out->sup_vc, &out->sup_v2, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);   /* the guard frees what was made */
  lua_createtable(L, 0, 16);
  int t = lua_gettop(L);
  mlsh_set_mat(L, t, "eig", &out->eig3);
  mlsh_set_mat(L, t, "eigenvalues", &out->ev);
  mlsh_set_mat(L, t, "explained", &out->ex);
  mlsh_set_mat(L, t, "center", &out->mean);
  mlsh_set_mat(L, t, "scale", &out->sd);
  mlsh_set_mat(L, t, "loadings", &m->loadings);
  set_pair(L, t, "ind", &m->ind_coord, &m->ind_cos2);
  lua_getfield(L, t, "ind");
  mlsh_set_mat(L, -1, "contrib", &m->ind_contrib);
  lua_pop(L, 1);
  set_pair(L, t, "var", &m->var_coord, &m->var_cos2);
  lua_getfield(L, t, "var");
  mlsh_set_mat(L, -1, "contrib", &m->var_contrib);
  lua_pop(L, 1);
  lua_pushinteger(L, (lua_Integer)m->ncomp); lua_setfield(L, t, "ncomp");
  lua_pushinteger(L, (lua_Integer)n); lua_setfield(L, t, "n");
  lua_pushinteger(L, (lua_Integer)p); lua_setfield(L, t, "p");
  lua_pushnumber(L, m->total); lua_setfield(L, t, "total_inertia");
  lua_pushboolean(L, o.scale); lua_setfield(L, t, "scaled");
  lua_pushstring(L, pca_methods[m->method]); lua_setfield(L, t, "method");
  if (sr || sc) {
    lua_createtable(L, 0, 2);
    int s = lua_gettop(L);
    if (sr) set_pair(L, s, "ind", &out->sup_ic, &out->sup_i2);
    if (sc) set_pair(L, s, "var", &out->sup_vc, &out->sup_v2);
    lua_setfield(L, t, "sup");
  }
  mlsh_guard_release(L, g);
  luaL_setmetatable(L, PCA_MT);
  return 1;
}

/* The fitted model's view needed by pca_transform, from the result table. */
static int pca_transform_l(lua_State *L) {
  const char *fname = "PCA:transform";
  lua_settop(L, 2);
  if (!lua_istable(L, 1)) return mlsh_error(L, fname, "argument 'self' must be a PCA (got %s)", mlsh_typename(L, 1));
  lua_getfield(L, 1, "loadings");
  mlsh_mat *V = lmat_check(L, -1, fname, "self.loadings");
  lua_getfield(L, 1, "center");
  mlsh_mat *mu = lmat_check(L, -1, fname, "self.center");
  lua_getfield(L, 1, "scale");
  mlsh_mat *sd = lmat_check(L, -1, fname, "self.scale");
  if (MAT_LEN(mu) != V->rows || MAT_LEN(sd) != V->rows) return mlsh_error(L, fname, "self is not a valid PCA result");
  mlsh_mat *X = mlsh_check_data(L, 2, fname, "X", MLSH_NA_FAIL, NULL);
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
   "Coordinates of new rows (a Matrix or data frame with the fit's columns) on the fitted components, with the\n"
   "fit's centring and scaling.\n"
   "Example: Z = stats.pca(X, {ncomp=2}):transform(Xnew)"},
  {NULL, NULL, NULL, NULL}};

static const mlsh_Reg funcs[] = {
  {"_pca", l_pca, "stats._pca(X [, opts])", "Internal: the PCA fit behind stats.pca.", &pca_spec},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_stats_pca(lua_State *L) {
  mlsh_register(L, "stats", funcs);
  mlsh_new_class(L, PCA_MT, "PCA", methods, NULL);
  lua_setfield(L, -2, "PCA");
}
