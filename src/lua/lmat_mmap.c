/* lmat_mmap.c - mat.mmap and the MappedMatrix type: a read-only
 * memory-mapped .npy read wherever a Matrix is (lmat_test gives its
 * view), with streamed kernels as methods: colstats, cov, cor, pca,
 * kmeans, elbow, knn. A map made by dist.load is a rank's row block: the same
 * methods then reduce across ranks (src/dist/). cluster.kmeans,
 * cluster.elbow and stats.pca hand a mapped matrix to these methods. */
#include <math.h>
#include <string.h>
#include "lmlsh.h"
#include "lcluster.h"
#include "../core/alloc.h"
#include "../data/stream.h"
#include "../dist/dist.h"

static lmat_mapped *check_mapped(lua_State *L, int idx, const char *fname) {
  lmat_mapped *u = lmat_test_mapped(L, idx);
  if (!u) mlsh_error(L, fname, "argument 'self' must be a MappedMatrix (got %s)", mlsh_typename(L, idx));
  if (u->closed) mlsh_error(L, fname, "the mapping is closed");
  return u;
}

/* The source and, for a rank's block, the communicator (none without
 * MPI: one process holds every row). */
static const stream_comm *source_of(lua_State *L, lmat_mapped *u, stream_src *s, const char *fname) {
  stream_src_npymap(s, &u->map);
  s->bitwise = u->bitwise;
  s->block = u->block;
  return u->distributed ? dist_comm() : NULL;
}

typedef struct { int distributed, bitwise; size_t block; } mmap_args;
static const mlsh_opt mmap_opt[] = {
  MLSH_OPT_VALUE("rows", MLSH_OT_TABLE, "all", "{a, b}: rows a..b only (1-based, inclusive)"),
  MLSH_OPT_BOOL(mmap_args, distributed, "distributed", 0, "a rank's block of rows spread over MPI ranks (as dist.load)"),
  MLSH_OPT_BOOL(mmap_args, bitwise, "bitwise", 0,
                "reduce fixed blocks of X:info().block rows in block order: identical bits for any number of ranks"),
  MLSH_OPT_SIZE(mmap_args, block, "block", 0, 0, 1e12, "rows per streamed block (0: about 8 MB of them)"),
  MLSH_OPT_VALUE("release", MLSH_OT_BOOL, "auto",
                 "true: each pass drops the pages it read (the resident set stays small); false: they stay; auto: they "
                 "stay when the rows take at most 1/8 of memory"),
  MLSH_OPT_END};
static const mlsh_optspec mmap_spec = {"mat.mmap", mmap_opt};

/* Option 'release' (auto: by size) into m->keep. */
static void read_release(lua_State *L, mlsh_npymap *m) {
  int t = mlsh_opt_get(L, 2, "release");
  m->keep = t == LUA_TBOOLEAN ? !lua_toboolean(L, -1) : npymap_fits_memory(m);
  lua_pop(L, 1);
}

static void read_rows(lua_State *L, size_t *r0, size_t *r1) {
  *r0 = 0;
  *r1 = (size_t)-1;
  if (mlsh_opt_get(L, 2, "rows") != LUA_TTABLE) { lua_pop(L, 1); return; }
  lua_Integer ab[2];
  for (int i = 0; i < 2; i++) {
    lua_rawgeti(L, -1, i + 1);
    int ok;
    ab[i] = lua_tointegerx(L, -1, &ok);
    if (!ok) mlsh_error(L, "mat.mmap", "option 'rows' must be {a, b}, two integers (element %d is %s)", i + 1, mlsh_typename(L, -1));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (ab[0] < 1 || ab[1] < ab[0] - 1) mlsh_error(L, "mat.mmap", "option 'rows' = {%lld, %lld} is not a range a..b with 1 <= a <= b + 1",
                                               (long long)ab[0], (long long)ab[1]);
  *r0 = (size_t)ab[0] - 1;
  *r1 = (size_t)ab[1];
}

static int l_mmap(lua_State *L) {
  lua_settop(L, 2);
  const char *path = mlsh_check_string(L, 1, "mat.mmap", "path");
  mmap_args a;
  mlsh_opts(L, 2, &mmap_spec, &a);
  size_t r0, r1;
  read_rows(L, &r0, &r1);
  lmat_mapped *u = lua_newuserdatauv(L, sizeof *u, 0);
  memset(u, 0, sizeof *u);
  luaL_setmetatable(L, MLSH_MAPPED_MT);
  mlsh_err err;
  int rc = npymap_open(path, r0, r1, &u->map, &err);
  if (rc) return mlsh_fail(L, "mat.mmap", rc, &err);
  read_release(L, &u->map);
  u->distributed = a.distributed;
  u->bitwise = a.bitwise;
  u->block = a.block ? a.block : stream_block_rows(u->map.cols);
  if (a.bitwise && u->map.row0 % u->block != 0)
    return mlsh_error(L, "mat.mmap", "bitwise mode needs the first row to start a block of %zu rows (got row %zu)", u->block, u->map.row0 + 1);
  return 1;
}

/* _block(B, row0, total [, opts]): rows row0+1.. of `total` held in memory
 * as a distributed MappedMatrix (dist.load of a CSV file). */
static int l_block(lua_State *L) {
  const char *fname = "dist.load";
  lua_settop(L, 4);
  mlsh_mat *B = lmat_check(L, 1, fname, "B");
  lua_Integer row0 = mlsh_check_integer(L, 2, fname, "row0"), total = mlsh_check_integer(L, 3, fname, "total");
  if (row0 < 0 || total < row0 + (lua_Integer)B->rows) mlsh_error(L, fname, "rows %lld.. do not fit in %lld", (long long)row0 + 1, (long long)total);
  mmap_args a;
  mlsh_opts(L, 4, &mmap_spec, &a);
  mlsh_mat copy;
  mlsh_err err;
  int rc = mat_copy(B, &copy, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lmat_mapped *u = mlsh_try_newudata(L, sizeof *u, MLSH_MAPPED_MT);
  if (!u) { mat_free(&copy); return lua_error(L); }
  npymap_adopt(&u->map, &copy, (size_t)row0, (size_t)total);
  u->distributed = 1;
  u->bitwise = a.bitwise;
  u->block = a.block ? a.block : stream_block_rows(u->map.cols);
  if (a.bitwise && u->map.row0 % u->block != 0)
    return mlsh_error(L, fname, "bitwise mode needs the first row to start a block of %zu rows (got row %zu)", u->block, u->map.row0 + 1);
  return 1;
}

static int l_is_mapped(lua_State *L) {
  lua_pushboolean(L, lmat_test_mapped(L, 1) != NULL);
  return 1;
}

static int mm_gc(lua_State *L) {
  lmat_mapped *u = lmat_test_mapped(L, 1);
  if (u) npymap_close(&u->map);
  return 0;
}

static int m_close(lua_State *L) {
  lmat_mapped *u = check_mapped(L, 1, "MappedMatrix:close");
  npymap_close(&u->map);
  u->closed = 1;
  return 0;
}

static int mm_tostring(lua_State *L) {
  lmat_mapped *u = check_mapped(L, 1, "MappedMatrix:__tostring");
  lua_pushfstring(L, "MappedMatrix(%d x %d %s, rows %d..%d of %d%s)", (int)u->map.rows, (int)u->map.cols,
                  u->map.single ? "float32" : "float64", (int)u->map.row0 + 1, (int)(u->map.row0 + u->map.rows),
                  (int)u->map.file_rows, u->distributed ? ", distributed" : "");
  return 1;
}

static int mm_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)check_mapped(L, 1, "MappedMatrix:__len")->map.rows);
  return 1;
}

static void set_int(lua_State *L, const char *k, lua_Integer v) { lua_pushinteger(L, v); lua_setfield(L, -2, k); }

static int m_info(lua_State *L) {
  lmat_mapped *u = check_mapped(L, 1, "MappedMatrix:info");
  lua_createtable(L, 0, 6);
  set_int(L, "rows", (lua_Integer)u->map.rows);
  set_int(L, "cols", (lua_Integer)u->map.cols);
  set_int(L, "first_row", (lua_Integer)u->map.row0 + 1);
  set_int(L, "file_rows", (lua_Integer)u->map.file_rows);
  lua_pushstring(L, u->map.single ? "float32" : "float64"); lua_setfield(L, -2, "dtype");
  lua_pushboolean(L, u->distributed); lua_setfield(L, -2, "distributed");
  lua_pushboolean(L, u->bitwise); lua_setfield(L, -2, "bitwise");
  set_int(L, "block", (lua_Integer)u->block);
  return 1;
}

static void moments_release(void *p) { stream_moments_free(p); }

/* Moments of every row (of every rank), guarded on the stack. */
static stream_moments *moments_of(lua_State *L, int full, const char *fname) {
  lmat_mapped *u = check_mapped(L, 1, fname);
  stream_src s;
  const stream_comm *c = source_of(L, u, &s, fname);
  stream_moments *m = mlsh_guard(L, sizeof *m, moments_release);
  m->full = full;
  mlsh_err err;
  int rc = stream_moments_compute(&s, c, m, &err);
  if (rc) mlsh_fail(L, fname, rc, &err);
  return m;
}

static void push_row(lua_State *L, const char *key, const double *v, size_t p, double scale, int root) {
  mlsh_mat *r = lmat_push_new(L, 1, p, "MappedMatrix:colstats");
  for (size_t j = 0; j < p; j++) r->data[j] = root ? sqrt(v[j] * scale) : v[j] * scale;
  lua_setfield(L, -2, key);
}

static int m_colstats(lua_State *L) {
  stream_moments *m = moments_of(L, 0, "MappedMatrix:colstats");
  size_t p = m->p;
  double dv = m->n > 1 ? 1.0 / (m->n - 1.0) : NAN;
  lua_createtable(L, 0, 6);
  lua_pushnumber(L, m->n); lua_setfield(L, -2, "n");
  push_row(L, "mean", m->mean, p, 1.0, 0);
  push_row(L, "var", m->m2, p, dv, 0);
  push_row(L, "sd", m->m2, p, dv, 1);
  push_row(L, "min", m->min, p, 1.0, 0);
  push_row(L, "max", m->max, p, 1.0, 0);
  return 1;
}

static int cov_or_cor(lua_State *L, int cor, const char *fname) {
  stream_moments *m = moments_of(L, 1, fname);
  mlsh_mat out;
  mlsh_err err;
  int rc = stream_cov(m, cor, &out, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lmat_push(L, &out);
  return 1;
}

static int m_cov(lua_State *L) { return cov_or_cor(L, 0, "MappedMatrix:cov"); }
static int m_cor(lua_State *L) { return cov_or_cor(L, 1, "MappedMatrix:cor"); }

/* ---- PCA ---- */

static const char *const pca_methods[] = {"covariance", "tsqr", NULL};

typedef struct { size_t ncomp; int scale, method; } pca_args;
static const mlsh_opt pca_opt[] = {
  MLSH_OPT_ENUM(pca_args, method, "method", 0, pca_methods,
                "\"covariance\" (eigenvectors of the streamed covariance) or \"tsqr\" (SVD of the R of a streamed QR)"),
  MLSH_OPT_SIZE(pca_args, ncomp, "ncomp", 0, 0, 1e9, "components kept (0: all, as stats.pca)"),
  MLSH_OPT_BOOL(pca_args, scale, "scale", 1, "scale the columns to unit (population) variance: a correlation PCA"),
  MLSH_OPT_VALUE("names", MLSH_OT_TABLE, "V1, V2, ...", "names of the columns (stats.pca)"),
  MLSH_OPT_END};
static const mlsh_optspec pca_spec = {"MappedMatrix:pca", pca_opt};

static void pca_release(void *p) { stream_pca_free(p); }

static void push_eig_tables(lua_State *L, const stream_pca *r, int t) {
  size_t p = r->eig.rows;
  mlsh_mat *e3 = lmat_push_new(L, p, 3, pca_spec.fname);
  mlsh_mat *ex = lmat_push_new(L, p, 1, pca_spec.fname);
  double cum = 0.0;
  for (size_t k = 0; k < p; k++) {
    double lam = r->eig.data[k], pct = r->total > 0 ? 100.0 * lam / r->total : 0.0;
    cum += pct;
    MAT_AT(e3, k, 0) = lam; MAT_AT(e3, k, 1) = pct; MAT_AT(e3, k, 2) = cum;
    ex->data[k] = pct / 100.0;
  }
  lua_setfield(L, t, "explained");
  lua_setfield(L, t, "eig");
}

static int m_pca(lua_State *L) {
  const char *fname = pca_spec.fname;
  lua_settop(L, 2);
  pca_args a;
  mlsh_opts(L, 2, &pca_spec, &a);
  stream_moments *m = moments_of(L, a.method == 0, fname);
  stream_pca *r = mlsh_guard(L, sizeof *r, pca_release);
  int g = lua_gettop(L);
  mlsh_err err;
  stream_src s;
  const stream_comm *c = source_of(L, check_mapped(L, 1, fname), &s, fname);
  int rc = a.method == 0 ? stream_pca_fit(m, a.scale, a.ncomp, r, &err) : stream_pca_tsqr(&s, c, m, a.scale, a.ncomp, r, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_createtable(L, 0, 14);
  int t = lua_gettop(L);
  size_t ncomp = r->loadings.cols;
  push_eig_tables(L, r, t);
  lua_pushnumber(L, r->total); lua_setfield(L, t, "total_inertia");
  lua_pushnumber(L, r->n); lua_setfield(L, t, "n");
  mlsh_set_mat(L, t, "eigenvalues", &r->eig);
  mlsh_set_mat(L, t, "center", &r->center);
  mlsh_set_mat(L, t, "scale", &r->scale);
  mlsh_set_mat(L, t, "loadings", &r->loadings);
  lua_createtable(L, 0, 3);
  mlsh_set_mat(L, -1, "coord", &r->var_coord);
  mlsh_set_mat(L, -1, "cos2", &r->var_cos2);
  mlsh_set_mat(L, -1, "contrib", &r->var_contrib);
  lua_setfield(L, t, "var");
  lua_pushinteger(L, (lua_Integer)ncomp); lua_setfield(L, t, "ncomp");
  lua_pushinteger(L, (lua_Integer)m->p); lua_setfield(L, t, "p");
  lua_pushboolean(L, a.scale); lua_setfield(L, t, "scaled");
  lua_pushstring(L, pca_methods[a.method]); lua_setfield(L, t, "method");
  mlsh_guard_release(L, g);
  luaL_setmetatable(L, "mlsh.PCA");
  return 1;
}

/* ---- K-Means ---- */

typedef struct { int max_iter; double tol; uint64_t seed; size_t sample; int threads; } km_args;
static const mlsh_opt km_opt[] = {
  MLSH_OPT_VALUE("init", MLSH_OT_ANY, "\"k-means++\"",
                 "\"k-means++\" (on a sample), \"k-means||\" (over every row: l = 2k, 5 rounds) or a k x p Matrix of starting centres"),
  MLSH_OPT_INT(km_args, max_iter, "max_iter", 300, 1, 1000000, "Lloyd iterations at most"),
  MLSH_OPT_NUM(km_args, tol, "tol", 1e-4, 0, HUGE_VAL, "stop when the summed squared centre shift is at most tol x the mean column variance"),
  MLSH_OPT_SEED(km_args, seed),
  MLSH_OPT_SIZE(km_args, sample, "sample", 100000, 1, 1e9, "rows drawn (expected number) for the k-means++ seeding"),
  MLSH_OPT_THREADS(km_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec km_spec = {"MappedMatrix:kmeans", km_opt};

static void km_release(void *p) { stream_km_result_free(p); }

/* The given centres, or NULL for a seeding (*parallel: k-means||). */
static const mlsh_mat *km_init(lua_State *L, size_t k, size_t p, int *parallel) {
  int t = mlsh_opt_get(L, 3, "init");
  *parallel = t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "k-means||") == 0;
  if (t == LUA_TNIL || *parallel || (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "k-means++") == 0)) return NULL;
  mlsh_mat *C = lmat_test(L, -1);
  if (!C) mlsh_error(L, km_spec.fname, "option 'init' must be \"k-means++\", \"k-means||\" or a Matrix (got %s)", mlsh_typename(L, -1));
  if (C->rows != k || C->cols != p)
    mlsh_error(L, km_spec.fname, "option 'init' must be %zu x %zu (got %zu x %zu)", k, p, C->rows, C->cols);
  return C;
}

static void push_km(lua_State *L, stream_km_result *r, size_t n, size_t k) {
  lcluster_push_kmeans(L, r->labels, n, k, &r->centers, r->inertia, r->iters, r->converged, "lloyd");
  lua_createtable(L, (int)k, 0);
  for (size_t c = 0; c < k; c++) { lua_pushinteger(L, (lua_Integer)r->sizes[c]); lua_rawseti(L, -2, (lua_Integer)c + 1); }
  lua_setfield(L, -2, "sizes");
}

static int m_kmeans(lua_State *L) {
  const char *fname = km_spec.fname;
  lua_settop(L, 3);
  lmat_mapped *u = check_mapped(L, 1, fname);
  lua_Integer k = mlsh_check_integer(L, 2, fname, "k");
  if (k < 1) mlsh_error(L, fname, "argument 'k' must be at least 1 (got %lld)", (long long)k);
  km_args a;
  mlsh_opts(L, 3, &km_spec, &a);
  stream_km_opts o;
  stream_km_opts_default(&o, (size_t)k);
  o.max_iter = a.max_iter; o.tol = a.tol; o.seed = a.seed; o.sample = a.sample;
  o.threads = a.threads ? a.threads : dist_default_threads();   /* ranks on one node share its cores */
  o.centers0 = km_init(L, (size_t)k, u->map.cols, &o.parallel_init);
  stream_src s;
  const stream_comm *c = source_of(L, u, &s, fname);
  stream_km_result *r = mlsh_guard(L, sizeof *r, km_release);
  int g = lua_gettop(L);
  mlsh_err err;
  int rc = stream_kmeans(&s, c, &o, r, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  push_km(L, r, s.rows, (size_t)k);
  mlsh_guard_release(L, g);
  return 1;
}

/* ---- the elbow sweep ---- */

typedef struct {
  km_args km;   /* first: the base spec's struct */
  int kmin, kmax;
} elbow_args;
static const mlsh_opt elbow_opt[] = {LCLUSTER_ELBOW_OPTS(elbow_args), MLSH_OPT_END};
static const mlsh_optspec elbow_spec = {"MappedMatrix:elbow", elbow_opt, &km_spec};

static int m_elbow(lua_State *L) {
  static const char *const inits[] = {"k-means++", "k-means||", NULL};
  const char *fname = elbow_spec.fname;
  lua_settop(L, 2);
  lmat_mapped *u = check_mapped(L, 1, fname);
  elbow_args a;
  mlsh_opts(L, 2, &elbow_spec, &a);
  stream_km_opts o;
  stream_km_opts_default(&o, (size_t)a.kmin);
  o.max_iter = a.km.max_iter; o.tol = a.km.tol; o.seed = a.km.seed; o.sample = a.km.sample;
  o.threads = a.km.threads ? a.km.threads : dist_default_threads();
  if (mlsh_opt_get(L, 2, "init") != LUA_TNIL) o.parallel_init = mlsh_check_choice(L, -1, fname, "option 'init'", inits) == 1;
  lua_pop(L, 1);
  stream_src s;
  const stream_comm *c = source_of(L, u, &s, fname);
  size_t n;
  mlsh_err err;
  int rc = stream_total_rows(&s, c, &n, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  size_t sample = lcluster_elbow_check(L, 2, fname, a.kmin, a.kmax, n), m = (size_t)(a.kmax - a.kmin + 1);
  double *res = mlsh_scratch(L, 4 * m * sizeof(double), fname);
  rc = stream_elbow(&s, c, &o, (size_t)a.kmin, (size_t)a.kmax, sample, res, res + m, res + 2 * m, res + 3 * m, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lcluster_push_elbow(L, a.kmin, m, res, sample);
  return 1;
}

/* ---- KNN ---- */

static int m_knn(lua_State *L) {
  const char *fname = "MappedMatrix:knn";
  lua_settop(L, 3);
  lmat_mapped *u = check_mapped(L, 1, fname);
  mlsh_mat *Q = mlsh_check_data(L, 2, fname, "Q", MLSH_NA_FAIL, NULL);
  lua_Integer k = lua_isnoneornil(L, 3) ? 5 : mlsh_check_integer(L, 3, fname, "k");
  if (k < 1 || (double)k > 1e6) mlsh_error(L, fname, "argument 'k' must be between 1 and 1000000 (got %lld)", (long long)k);
  if (Q->cols != u->map.cols) mlsh_error(L, fname, "argument 'Q' has %zu columns, the data %zu", Q->cols, u->map.cols);
  lmat_mapped *uq = lmat_test_mapped(L, 2);
  int ring = u->distributed && uq && uq->distributed;   /* queries spread over the ranks too */
  stream_src s;
  const stream_comm *c = source_of(L, u, &s, fname);
  mlsh_mat *D = lmat_push_new(L, Q->rows, (size_t)k, fname);
  mlsh_mat *I = lmat_push_new(L, Q->rows, (size_t)k, fname);
  size_t *idx = mlsh_scratch(L, Q->rows * (size_t)k * sizeof(size_t) + 1, fname);
  mlsh_err err;
  int threads = u->distributed ? dist_default_threads() : 0;   /* ranks on one node share its cores */
  int rc = (ring ? stream_knn_ring : stream_knn)(&s, c, Q, (size_t)k, threads, idx, D->data, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  for (size_t t = 0; t < MAT_LEN(I); t++) I->data[t] = (double)idx[t] + 1;
  lua_pop(L, 1);
  lua_insert(L, -2);   /* index, then distances */
  return 2;
}

/* ---- any model over blocks ---- */

/* results[1..n] (at idx): one Matrix of all their rows when they are all
 * Matrices of one width, one array when they are all arrays; else as is. */
static void join_results(lua_State *L, int idx, int n, const char *fname) {
  size_t rows = 0, cols = 0;
  int mats = 1, arrays = 1;
  for (int i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, i);
    mlsh_mat *m = luaL_testudata(L, -1, MLSH_MATRIX_MT);
    if (m && (i == 1 || m->cols == cols)) { cols = m->cols; rows += m->rows; } else mats = 0;
    if (!lua_istable(L, -1)) arrays = 0;
    lua_pop(L, 1);
  }
  if (n > 0 && mats) {
    mlsh_mat *out = lmat_push_new(L, rows, cols, fname);
    size_t at = 0;
    for (int i = 1; i <= n; i++, lua_pop(L, 1)) {
      lua_rawgeti(L, idx, i);
      mlsh_mat *m = lua_touserdata(L, -1);
      memcpy(out->data + at, m->data, MAT_LEN(m) * sizeof(double));
      at += MAT_LEN(m);
    }
  } else if (n > 0 && arrays) {
    lua_createtable(L, (int)rows, 0);
    lua_Integer k = 0;
    for (int i = 1; i <= n; i++, lua_pop(L, 1)) {
      lua_rawgeti(L, idx, i);
      lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
      for (lua_Integer j = 1; j <= len; j++) { lua_rawgeti(L, -1, j); lua_rawseti(L, -3, ++k); }
    }
  } else {
    lua_pushvalue(L, idx);
  }
}

static int m_map_blocks(lua_State *L) {
  const char *fname = "MappedMatrix:map_blocks";
  lua_settop(L, 3);
  lmat_mapped *u = check_mapped(L, 1, fname);
  if (!lua_isfunction(L, 2)) mlsh_error(L, fname, "argument 'fn' must be a function (got %s)", mlsh_typename(L, 2));
  lua_Integer rows = lua_isnil(L, 3) ? (lua_Integer)u->block : mlsh_check_integer(L, 3, fname, "rows");
  if (rows < 1) mlsh_error(L, fname, "argument 'rows' must be at least 1 (got %lld)", (long long)rows);
  lua_newtable(L);
  int res = lua_gettop(L), n = 0;
  size_t p = u->map.cols;
  for (size_t r0 = 0; r0 < u->map.rows; r0 += (size_t)rows) {
    size_t r1 = r0 + (size_t)rows < u->map.rows ? r0 + (size_t)rows : u->map.rows;
    lua_pushvalue(L, 2);
    mlsh_mat *B = lmat_push_new(L, r1 - r0, p, fname);
    const double *src = npymap_rows(&u->map, r0, r1, B->data);
    if (src != B->data) memcpy(B->data, src, MAT_LEN(B) * sizeof(double));
    npymap_release(&u->map, r0, r1);
    lua_pushinteger(L, (lua_Integer)(u->map.row0 + r0 + 1));
    lua_call(L, 2, 1);
    lua_rawseti(L, res, ++n);
  }
  join_results(L, res, n, fname);
  return 1;
}

static const mlsh_Reg funcs[] = {
  {"mmap", l_mmap, "mat.mmap(path [, opts])",
   "Maps a .npy file (float64 or float32, C order) read-only without reading it: a MappedMatrix, accepted\n"
   "wherever a Matrix is read (float64 pages are read on demand; float32 is converted on first use). Its\n"
   "methods colstats, cov, cor, pca, kmeans and knn stream the rows in blocks of about 8 MB and drop each\n"
   "block from memory after use, for files larger than memory; cluster.kmeans and stats.pca use them for a\n"
   "mapped matrix. rows = {a, b} maps rows a..b only. Writing (m:set) is an error; m:copy() reads it all.\n"
   "Example: X = mat.mmap(\"big.npy\"); km = X:kmeans(10, {seed = 1})", &mmap_spec},
  {"_block", l_block, "mat._block(B, row0, total [, opts])", "Internal: rows held in memory as a rank's block (dist.load)."},
  {"is_mapped", l_is_mapped, "mat.is_mapped(x)", "True when x is a MappedMatrix (mat.mmap, dist.load).\nExample: mat.is_mapped(X)"},
  {NULL, NULL, NULL, NULL}};

static int m_gc_close(lua_State *L) { return mm_gc(L); }

static const mlsh_Reg methods[] = {
  {"info", m_info, "X:info()",
   "rows, cols, dtype, first_row (its global number), file_rows, distributed, bitwise and block (rows per\n"
   "streamed block) of the mapping.\nExample: X:info().rows"},
  {"colstats", m_colstats, "X:colstats()",
   "Exact column statistics in one streamed pass (blocks merged by Chan's formula): n, and 1 x p Matrices mean,\n"
   "var and sd (n - 1 divisor), min, max. NaN is an error naming the row.\nExample: s = X:colstats(); s.mean"},
  {"cov", m_cov, "X:cov()", "Sample covariance of the columns (p x p), streamed and exact.\nExample: S = X:cov()"},
  {"cor", m_cor, "X:cor()", "Pearson correlation of the columns (p x p), streamed and exact.\nExample: R = X:cor()"},
  {"pca", m_pca, "X:pca([opts])",
   "PCA from the streamed covariance (as stats.pca: population variances, correlation PCA when scale), or with\n"
   "method = \"tsqr\" from the SVD of the R factor of a streamed QR of the centred rows (R factors of every\n"
   "block and rank stacked and reduced by Householder QR): the in-memory SVD's eigenvalues without X^T X,\n"
   "for ill-conditioned data (one more pass). Fields: eig,\n"
   "eigenvalues (all p), explained, center, scale, loadings (p x ncomp), var = {coord, cos2, contrib}; no\n"
   "per-row fields (p:transform(rows) gives coordinates of any rows).\nExample: p = X:pca{ncomp = 10}", &pca_spec},
  {"kmeans", m_kmeans, "X:kmeans(k [, opts])",
   "K-Means (Lloyd) streamed over row blocks: one pass per iteration, as cluster.kmeans's Lloyd (centred data,\n"
   "the same tol and stopping rule). An empty cluster takes the row farthest from its own centre among the\n"
   "clusters of 2 rows or more, as in memory (scikit-learn's relocation; one more pass, only in an iteration\n"
   "that leaves a cluster empty). k-means++ runs on a sample of\n"
   "rows drawn by (seed, row); init = \"k-means||\" seeds over every row instead (Bahmani et al.: 5 rounds\n"
   "each drawing about 2k rows with probability by (seed, row, round), the candidates weighted by their\n"
   "nearest rows and reduced by weighted k-means++ and Lloyd), the centres cluster.kmeans finds in memory\n"
   "with the same init. Both give the same labels and iterations for any number of ranks. Returns a KMeans (labels of this map's rows, centers, sizes, inertia, iters).\n"
   "Example: km = X:kmeans(10, {seed = 1, max_iter = 20})", &km_spec},
  {"elbow", m_elbow, "X:elbow([opts])",
   "cluster.elbow streamed: for k = kmin..kmax X:kmeans (Lloyd over row blocks, init \"k-means++\" on a sample\n"
   "or \"k-means||\"), the Calinski-Harabasz and Davies-Bouldin indices exact over blocks (two more passes:\n"
   "the clusters' sums and counts, then each row's distance to its centroid), the silhouette on cluster.elbow's\n"
   "seeded row sample read from the mapping (8 bytes per row while it is drawn). On dist.load data every rank\n"
   "gets the same result. The same result table as cluster.elbow, which sends a mapped X here.\n"
   "Example: e = cluster.elbow(mat.mmap(\"big.npy\"), {kmax = 8, init = \"k-means||\", seed = 1})", &elbow_spec},
  {"knn", m_knn, "X:knn(Q [, k])",
   "The k (default 5) nearest rows of X to each row of Q by brute force over blocks (Euclidean; ties to the\n"
   "lower row): an index Matrix (1-based row numbers in the file) and a distance Matrix, both q x k. On a\n"
   "distributed X, a plain Q (the same on every rank) gets every rank's k best merged; a distributed Q (a\n"
   "rank's block of queries, dist.load) stays put while the training blocks pass around a ring of ranks\n"
   "(one shift per step): each rank gets its own queries' neighbours, the same for any number of ranks.\n"
   "Example: idx, d = X:knn(Q, 3)"},
  {"map_blocks", m_map_blocks, "X:map_blocks(fn [, rows])",
   "Calls fn(B, first) on each block of rows (a Matrix copy B of `rows` rows, default X:info().block, and its\n"
   "first row's number), dropping each block from memory after use: any fitted model's predict or transform\n"
   "over data larger than memory. Results that are all Matrices (one width) come back as one Matrix, all\n"
   "arrays as one array, anything else as the list of results.\n"
   "Example: labels = X:map_blocks(function(B) return km:predict(B) end)"},
  {"close", m_close, "X:close()", "Unmaps the file now (the collector does it otherwise).\nExample: X:close()"},
  {NULL, NULL, NULL, NULL}};

static const luaL_Reg meta[] = {
  {"__gc", m_gc_close},
  {"__tostring", mm_tostring},
  {"__len", mm_len},
  {NULL, NULL}};

void mlsh_open_mat_mmap(lua_State *L) {
  mlsh_register(L, "mat", funcs);
  mlsh_new_class(L, MLSH_MAPPED_MT, "MappedMatrix", methods, meta);
  /* Every other Matrix method reads the view: mat.<name>(X, ...). */
  lua_getfield(L, -1, "__index");
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, -4);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_pop(L, 1);
  /* and the Matrix operators: M * 2, M == X */
  const char *ops[] = {"__add", "__sub", "__mul", "__div", "__unm", "__pow", "__eq"};
  luaL_getmetatable(L, MLSH_MATRIX_MT);
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
    lua_getfield(L, -1, ops[i]);
    lua_setfield(L, -3, ops[i]);
  }
  lua_pop(L, 2);
}
