/* lcluster_valid.c - Lua binding for the validation indices, crosstab and
 * the numeric part of cluster profiles (reports are in lua/mlsh/cluster.lua). */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include "lmlsh.h"
#include "../cluster/dist.h"
#include "../cluster/validity.h"
#include "../core/alloc.h"

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* Cluster labels of n rows (n = 0: any length), any integers (0-based
 * labels from Python, negative noise labels) or strings, as codes 0..k-1
 * over the labels present in sorted order. Pushes the array of those
 * labels (the clusters' names in the results) on top of the codes'
 * scratch, and returns the codes. */
static int *check_clusters(lua_State *L, int idx, const char *fname, const char *argname, size_t n, size_t *k,
                           size_t *n_out) {
  mlsh_classes c;
  idx = lua_absindex(L, idx);
  int first = lua_istable(L, idx) ? lua_rawgeti(L, idx, 1) : LUA_TNIL;
  if (lua_istable(L, idx)) lua_pop(L, 1);
  if (first == LUA_TNUMBER) {
    memset(&c, 0, sizeof c);
    c.y = mlsh_check_labels(L, idx, fname, argname, INT_MIN, n, &c.n);
  } else mlsh_check_classes(L, idx, fname, argname, n, &c);
  int *present = mlsh_scratch(L, c.n * sizeof(int), fname);
  memcpy(present, c.y, c.n * sizeof(int));
  qsort(present, c.n, sizeof(int), cmp_int);
  size_t m = 0;
  for (size_t i = 0; i < c.n; i++)
    if (m == 0 || present[i] != present[m - 1]) present[m++] = present[i];
  for (size_t i = 0; i < c.n; i++)
    c.y[i] = (int)((int *)bsearch(&c.y[i], present, m, sizeof(int), cmp_int) - present);
  lua_createtable(L, (int)m, 0);
  for (size_t j = 0; j < m; j++) {
    if (c.names) lua_rawgeti(L, c.names, present[j]);
    else lua_pushinteger(L, present[j]);
    lua_rawseti(L, -2, (lua_Integer)j + 1);
  }
  *k = m;
  if (n_out) *n_out = c.n;
  return c.y;
}

/* X and labels (at 1 and 2) for the index functions; labels one per row
 * of X, so no `na` rule: dropping rows would misalign them. */
static mlsh_mat *data_and_labels(lua_State *L, const char *fname, int **lab, size_t *k) {
  mlsh_mat *X = mlsh_check_data(L, 1, fname, "X", MLSH_NA_FAIL, NULL);
  *lab = check_clusters(L, 2, fname, "labels", X->rows, k, NULL);
  return X;
}

typedef struct {
  int distance, threads;
} sil_args;

static const mlsh_opt sil_opt[] = {
  MLSH_OPT_BOOL(sil_args, distance, "distance", 0, "true: X is a square distance matrix"),
  MLSH_OPT_THREADS(sil_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec sil_spec = {"cluster.silhouette", sil_opt};

static int l_silhouette(lua_State *L) {
  const char *fname = sil_spec.fname;
  lua_settop(L, 3);
  sil_args a;
  mlsh_opts(L, 3, &sil_spec, &a);
  int *lab;
  size_t k;
  mlsh_mat *X = data_and_labels(L, fname, &lab, &k);
  int levels = lua_gettop(L);
  size_t n = X->rows;
  if (k < 2 || k > n - 1)
    return mlsh_error(L, fname, "needs 2 <= number of clusters <= n - 1 (got %zu clusters for %zu rows)", k, n);
  mlsh_mat *out = lmat_push_new(L, n, 1, fname);
  int oidx = lua_gettop(L);
  mlsh_err err;
  double mean;
  int rc;
  if (a.distance) {
    if (X->cols != n) return mlsh_error(L, fname, "argument 'X': a distance matrix must be square (got %zux%zu)", n, X->cols);
    double *cond = mlsh_scratch(L, n * (n - 1) / 2 * sizeof(double) + 1, fname);
    if ((rc = dist_from_square(X, cond, &err))) return mlsh_error(L, fname, "argument 'X': %s", err.msg);
    rc = clv_silhouette_cond(cond, n, lab, k, out->data, &mean, &err);
  } else {
    rc = clv_silhouette(X, lab, k, a.threads, out->data, &mean, &err);
  }
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_createtable(L, 0, 3);
  int t = lua_gettop(L);
  lua_pushnumber(L, mean); lua_setfield(L, t, "mean");
  lua_pushvalue(L, oidx); lua_setfield(L, t, "values");
  double *sum = mlsh_scratch(L, 2 * k * sizeof(double), fname), *cnt = sum + k;
  memset(sum, 0, 2 * k * sizeof(double));
  for (size_t i = 0; i < n; i++) { sum[lab[i]] += out->data[i]; cnt[lab[i]] += 1.0; }
  lua_pop(L, 1);
  lua_createtable(L, (int)k, 0);
  for (size_t c = 0; c < k; c++) {
    lua_createtable(L, 0, 3);
    lua_rawgeti(L, levels, (lua_Integer)c + 1); lua_setfield(L, -2, "label");
    lua_pushinteger(L, (lua_Integer)cnt[c]); lua_setfield(L, -2, "size");
    lua_pushnumber(L, sum[c] / cnt[c]); lua_setfield(L, -2, "mean");
    lua_rawseti(L, -2, (lua_Integer)c + 1);
  }
  lua_setfield(L, t, "by_cluster");
  luaL_setmetatable(L, "mlsh.Silhouette");
  return 1;
}

typedef int (*index_fn)(const mlsh_mat *, const int *, size_t, double *, mlsh_err *);

static int one_index(lua_State *L, const char *fname, index_fn fn) {
  int *lab;
  size_t k;
  lua_settop(L, 2);
  mlsh_mat *X = data_and_labels(L, fname, &lab, &k);
  double v;
  mlsh_err err;
  int rc = fn(X, lab, k, &v, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_pushnumber(L, v);
  return 1;
}

static int l_db(lua_State *L) { return one_index(L, "cluster.davies_bouldin", clv_davies_bouldin); }
static int l_ch(lua_State *L) { return one_index(L, "cluster.calinski_harabasz", clv_calinski_harabasz); }

/* Contingency table of two label arrays; pushes the level arrays a, b. */
static double *contingency(lua_State *L, const char *fname, size_t *ka, size_t *kb, int *la, int *lb) {
  size_t n;
  int *a = check_clusters(L, 1, fname, "a", 0, ka, &n);
  *la = lua_gettop(L);
  int *b = check_clusters(L, 2, fname, "b", n, kb, NULL);
  *lb = lua_gettop(L);
  double *tab = mlsh_scratch(L, *ka * *kb * sizeof(double), fname);
  clv_crosstab(a, b, n, *ka, *kb, tab);
  return tab;
}

typedef double (*tab_fn)(const double *, size_t, size_t);

static int tab_index(lua_State *L, const char *fname, tab_fn fn) {
  size_t ka, kb;
  int la, lb;
  lua_settop(L, 2);
  double *tab = contingency(L, fname, &ka, &kb, &la, &lb);
  lua_pushnumber(L, fn(tab, ka, kb));
  return 1;
}

static int l_ari(lua_State *L) { return tab_index(L, "cluster.ari", clv_ari); }
static int l_nmi(lua_State *L) { return tab_index(L, "cluster.nmi", clv_nmi); }
static int l_purity(lua_State *L) { return tab_index(L, "cluster.purity", clv_purity); }

static int l_crosstab(lua_State *L) {
  const char *fname = "cluster.crosstab";
  size_t ka, kb;
  int la, lb;
  lua_settop(L, 2);
  double *tab = contingency(L, fname, &ka, &kb, &la, &lb);
  lua_createtable(L, 0, 3);
  mlsh_mat *m = lmat_push_new(L, ka, kb, fname);
  memcpy(m->data, tab, ka * kb * sizeof(double));
  lua_setfield(L, -2, "table");
  lua_pushvalue(L, la); lua_setfield(L, -2, "rows");
  lua_pushvalue(L, lb); lua_setfield(L, -2, "cols");
  luaL_setmetatable(L, "mlsh.Crosstab");
  return 1;
}

static int l_profile(lua_State *L) {
  const char *fname = "cluster.profile";   /* the public function's name: it reports for it */
  int *lab;
  size_t k;
  lua_settop(L, 2);
  mlsh_mat *X = data_and_labels(L, fname, &lab, &k);
  int levels = lua_gettop(L);
  size_t p = X->cols;
  lua_createtable(L, 0, 8);
  int t = lua_gettop(L);
  const char *keys[] = {"mean", "sd", "vtest", "pvalue"};
  mlsh_mat *m[4];
  for (int i = 0; i < 4; i++) { m[i] = lmat_push_new(L, k, p, fname); lua_setfield(L, t, keys[i]); }
  mlsh_mat *gm = lmat_push_new(L, 1, p, fname);
  lua_setfield(L, t, "overall_mean");
  mlsh_mat *gs = lmat_push_new(L, 1, p, fname);
  lua_setfield(L, t, "overall_sd");
  size_t *sizes = mlsh_scratch(L, k * sizeof(size_t), fname);
  mlsh_err err;
  int rc = clv_profile(X, lab, k, m[0]->data, m[1]->data, m[2]->data, m[3]->data, gm->data, gs->data, sizes, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_pop(L, 1);
  lua_createtable(L, (int)k, 0);
  for (size_t c = 0; c < k; c++) { lua_pushinteger(L, (lua_Integer)sizes[c]); lua_rawseti(L, -2, (lua_Integer)c + 1); }
  lua_setfield(L, t, "sizes");
  lua_pushvalue(L, levels);
  lua_setfield(L, t, "clusters");
  return 1;
}

static const mlsh_Reg funcs[] = {
  {"silhouette", l_silhouette, "cluster.silhouette(X, labels [, opts])",
   "Silhouette of each row: (b - a) / max(a, b), a = mean distance to its own cluster, b = to the nearest other\n"
   "cluster (0 for singletons, as scikit-learn). Euclidean distances in row blocks through BLAS (memory: a few\n"
   "blocks, never the n x n matrix), or X is a square distance matrix (distance=true). X: a Matrix or data\n"
   "frame; labels: integers from 1 or strings, one per row.\n"
   "Returns {mean=, values = n x 1 Matrix, by_cluster = {{label=, size=, mean=}...}}.\n"
   "Example: s = cluster.silhouette(X, km.labels); print(s.mean)", &sil_spec},
  {"davies_bouldin", l_db, "cluster.davies_bouldin(X, labels)",
   "Davies-Bouldin index (lower is better): mean over clusters of max (s_i + s_j) / d(c_i, c_j), s = mean\n"
   "distance to the centroid (as scikit-learn).\nExample: cluster.davies_bouldin(X, km.labels)"},
  {"calinski_harabasz", l_ch, "cluster.calinski_harabasz(X, labels)",
   "Calinski-Harabasz index (higher is better): [B / (k-1)] / [W / (n-k)], between- and within-cluster sums\n"
   "of squares.\nExample: cluster.calinski_harabasz(X, km.labels)"},
  {"ari", l_ari, "cluster.ari(a, b)",
   "Adjusted Rand index of two labelings (integers from 1 or strings), 1 = identical partitions, ~0 = chance.\n"
   "Example: cluster.ari(species, km.labels)"},
  {"nmi", l_nmi, "cluster.nmi(a, b)",
   "Normalised mutual information (arithmetic mean of the entropies, scikit-learn's default), in [0, 1].\n"
   "Example: cluster.nmi(species, km.labels)"},
  {"purity", l_purity, "cluster.purity(truth, labels)",
   "Share of rows that belong to the majority true class of their cluster.\n"
   "Example: cluster.purity(species, km.labels)"},
  {"crosstab", l_crosstab, "cluster.crosstab(a, b)",
   "Contingency table of two labelings: {table = Matrix (levels of a x levels of b), rows =, cols = level\n"
   "names}; prints with names and margins.\nExample: print(cluster.crosstab(species, km.labels))"},
  {"_profile", l_profile, "cluster._profile(X, labels)",
   "Internal: per-cluster means, sds, v-tests and p-values of the columns of X (see cluster.profile)."},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_cluster_valid(lua_State *L) {
  mlsh_register(L, "cluster", funcs);
  const char *mts[][2] = {{"mlsh.Silhouette", "Silhouette"}, {"mlsh.Crosstab", "Crosstab"}};
  for (int i = 0; i < 2; i++) {
    luaL_newmetatable(L, mts[i][0]);
    lua_pushstring(L, mts[i][1]);
    lua_setfield(L, -2, "__name");
    lua_setfield(L, -2, mts[i][1]);
  }
}
