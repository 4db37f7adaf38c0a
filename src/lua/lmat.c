/* lmat.c - the `mat` module and the Matrix type: constructors, access,
 * conversion, file I/O and metamethods. Algebra and statistics are in
 * lmat_ops.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lmat.h"
#include "../core/alloc.h"
#include "../core/atomicfile.h"
#include "../core/matfmt.h"
#include "../core/npy.h"
#include "../core/rng.h"
#include "../core/term.h"
#include "../data/csv.h"

/* A dimension argument: integer >= 0 (0 allowed: empty matrices exist). */
static size_t check_dim(lua_State *L, int idx, const char *fname, const char *argname) {
  int ok;
  lua_Number v = lua_tonumberx(L, idx, &ok);
  if (!ok) mlsh_error(L, fname, "argument '%s' must be a number (got %s)", argname, mlsh_typename(L, idx));
  if (v != floor(v) || v < 0) mlsh_error(L, fname, "argument '%s' must be a non-negative integer (got %g)", argname, (double)v);
  if (v > 1e12) mlsh_error(L, fname, "argument '%s' is too large (%g)", argname, (double)v);
  return (size_t)v;
}

/* 1-based index argument within 1..n. */
static size_t check_index(lua_State *L, int idx, size_t n, const char *fname, const char *argname) {
  int ok;
  lua_Number v = lua_tonumberx(L, idx, &ok);
  if (!ok) mlsh_error(L, fname, "argument '%s' must be an integer index (got %s)", argname, mlsh_typename(L, idx));
  if (v != floor(v) || v < 1 || v > (lua_Number)n)
    mlsh_error(L, fname, "argument '%s' = %g is out of range 1..%zu", argname, (double)v, n);
  return (size_t)v - 1;
}

/* ---- constructors ---- */

static int l_new(lua_State *L) {
  size_t r = check_dim(L, 1, "mat.new", "rows"), c = check_dim(L, 2, "mat.new", "cols");
  double fill = 0;
  if (!lua_isnoneornil(L, 3)) {
    int ok;
    fill = lua_tonumberx(L, 3, &ok);
    if (!ok) mlsh_error(L, "mat.new", "argument 'fill' must be a number (got %s)", mlsh_typename(L, 3));
  }
  mlsh_mat *m = lmat_push_new(L, r, c, "mat.new");
  if (fill != 0) mat_fill(m, fill);
  return 1;
}

static int l_zeros(lua_State *L) {
  size_t r = check_dim(L, 1, "mat.zeros", "rows");
  size_t c = lua_isnoneornil(L, 2) ? r : check_dim(L, 2, "mat.zeros", "cols");
  lmat_push_new(L, r, c, "mat.zeros");
  return 1;
}

static int l_ones(lua_State *L) {
  size_t r = check_dim(L, 1, "mat.ones", "rows");
  size_t c = lua_isnoneornil(L, 2) ? r : check_dim(L, 2, "mat.ones", "cols");
  mat_fill(lmat_push_new(L, r, c, "mat.ones"), 1.0);
  return 1;
}

static int l_eye(lua_State *L) {
  size_t n = check_dim(L, 1, "mat.eye", "n");
  mlsh_mat *m = lmat_push_new(L, n, n, "mat.eye");
  for (size_t i = 0; i < n; i++) MAT_AT(m, i, i) = 1.0;
  return 1;
}

typedef struct { uint64_t seed; } seed_args;
static const mlsh_opt seed_opt[] = {MLSH_OPT_SEED(seed_args, seed), MLSH_OPT_END};
static const mlsh_optspec rand_spec = {"mat.rand", seed_opt}, randn_spec = {"mat.randn", seed_opt};

static int random_matrix(lua_State *L, const mlsh_optspec *spec, int normal) {
  const char *fname = spec->fname;
  size_t r = check_dim(L, 1, fname, "rows"), c = check_dim(L, 2, fname, "cols");
  seed_args a;
  mlsh_opts(L, 3, spec, &a);
  mlsh_rng rng;
  mlsh_rng_seed(&rng, a.seed);
  mlsh_mat *m = lmat_push_new(L, r, c, fname);
  for (size_t i = 0; i < MAT_LEN(m); i++) m->data[i] = normal ? mlsh_rng_normal(&rng) : mlsh_rng_uniform(&rng);
  return 1;
}

static int l_rand(lua_State *L) { return random_matrix(L, &rand_spec, 0); }
static int l_randn(lua_State *L) { return random_matrix(L, &randn_spec, 1); }

static int l_from(lua_State *L) {
  if (lmat_test(L, 1)) {
    mlsh_mat copy;
    mlsh_err err;
    int rc = mat_copy(lmat_test(L, 1), &copy, &err);
    if (rc) return mlsh_fail(L, "mat.from", rc, &err);
    lmat_push(L, &copy);
    return 1;
  }
  lmat_checklike(L, 1, "mat.from", "t");
  lua_settop(L, 1);
  return 1;
}

static int l_is(lua_State *L) {
  lua_pushboolean(L, lmat_test(L, 1) != NULL);
  return 1;
}

/* ---- text ---- */

/* The digits option (mlsh.options{digits = n}), kept by lua/mlsh/pretty.lua;
 * R's default 7 when it is not loaded. */
static int print_digits(lua_State *L) {
  int digits = 7, top = lua_gettop(L);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  if (lua_getfield(L, -1, "mlsh.pretty") == LUA_TTABLE && lua_getfield(L, -1, "options") == LUA_TTABLE &&
      lua_getfield(L, -1, "digits") == LUA_TNUMBER) {
    lua_Integer d = lua_tointeger(L, -1);
    if (d >= 1 && d <= 22) digits = (int)d;
  }
  lua_settop(L, top);
  return digits;
}


typedef struct { int digits; const char *na; } format_args;
static const mlsh_opt format_opt[] = {
  MLSH_OPT_INT_PRESET(format_args, digits, "digits", "mlsh.options().digits (7)", 1, 22, "significant digits"),
  MLSH_OPT_STR(format_args, na, "na", "NaN", "text of a missing value"),
  MLSH_OPT_END};
static const mlsh_optspec format_spec = {"mat.format", format_opt};

static void push_formatted(lua_State *L, double v, const num_format *f, int width, const char *na) {
  char cell[64];
  int len = isnan(v) ? (int)strlen(na) : num_format_value(cell, sizeof cell, v, f);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int k = len; k < width; k++) luaL_addchar(&b, ' ');
  luaL_addstring(&b, isnan(v) ? na : cell);
  luaL_pushresult(&b);
}

static int l_format(lua_State *L) {
  const char *fname = format_spec.fname;
  format_args a = {print_digits(L), NULL};
  mlsh_opts(L, 2, &format_spec, &a);
  lua_Integer digits = a.digits;
  const char *na = a.na;
  num_format f;
  if (lua_type(L, 1) == LUA_TNUMBER) {
    if (lua_isinteger(L, 1)) { lua_pushfstring(L, "%I", (LUA_INTEGER)lua_tointeger(L, 1)); return 1; }
    double v = lua_tonumber(L, 1);
    num_format_choose(&v, 1, 1, (int)digits, &f);
    push_formatted(L, v, &f, 0, na);
    return 1;
  }
  if (lua_istable(L, 1) && !lmat_test(L, 1) && lua_rawlen(L, 1) == 0) { lua_newtable(L); return 1; }
  if (!lmat_test(L, 1) && !lua_istable(L, 1))
    mlsh_error(L, fname, "argument 'x' must be a number, an array of numbers or a Matrix (got %s)", mlsh_typename(L, 1));
  mlsh_mat *m = lmat_checklike(L, 1, fname, "x");
  size_t n = MAT_LEN(m);
  num_format_choose(m->data, n, 1, (int)digits, &f);
  int width = f.width;
  char cell[64];
  for (size_t i = 0; i < n; i++) {
    int len = isnan(m->data[i]) ? (int)strlen(na) : num_format_value(cell, sizeof cell, m->data[i], &f);
    if (len > width) width = len;
  }
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    push_formatted(L, m->data[i], &f, width, na);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* ---- files ---- */

static int has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), k = strlen(suf);
  return n >= k && strcasecmp(s + n - k, suf) == 0;
}

static int load_csv_matrix(lua_State *L, const char *path, const char *fname) {
  csv_table t;
  mlsh_err err;
  csv_options opt = {0, -1, NULL};
  int rc = csv_read(path, &opt, &t, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  for (size_t j = 0; j < t.ncols; j++)
    if (!t.cols[j].numeric) {
      char name[128];
      snprintf(name, sizeof name, "%s", t.cols[j].name);
      csv_free(&t);
      return mlsh_error(L, fname, "%s: column %zu ('%s') is not numeric (use data.read_csv for mixed columns)", path, j + 1, name);
    }
  mlsh_mat m;
  rc = mat_alloc(&m, t.nrows, t.ncols, &err);
  if (rc) { csv_free(&t); return mlsh_fail(L, fname, rc, &err); }
  for (size_t i = 0; i < t.nrows; i++)
    for (size_t j = 0; j < t.ncols; j++) MAT_AT(&m, i, j) = t.cols[j].num[i];
  csv_free(&t);
  lmat_push(L, &m);
  return 1;
}

static int l_load(lua_State *L) {
  const char *path = mlsh_check_path(L, 1, "mat.load", "path");
  if (has_suffix(path, ".csv") || has_suffix(path, ".tsv") || has_suffix(path, ".txt"))
    return load_csv_matrix(L, path, "mat.load");
  mlsh_mat m;
  mlsh_err err;
  int rc = npy_load_matrix(path, &m, &err);
  if (rc) return mlsh_fail(L, "mat.load", rc, &err);
  lmat_push(L, &m);
  return 1;
}

static const char *const raw_types[] = {"f64", "f32", "i32", "u8", NULL};
typedef struct { int type; size_t offset; } raw_args;
static const mlsh_opt raw_opt[] = {
  MLSH_OPT_ENUM(raw_args, type, "dtype", 0, raw_types, "element type of the file"),
  MLSH_OPT_SIZE(raw_args, offset, "offset", 0, 0, HUGE_VAL, "bytes to skip before the data"),
  MLSH_OPT_END};
static const mlsh_optspec raw_spec = {"mat.read_raw", raw_opt};

static int l_read_raw(lua_State *L) {
  const char *fname = "mat.read_raw";
  const char *path = mlsh_check_path(L, 1, fname, "path");
  size_t r = check_dim(L, 2, fname, "rows"), c = check_dim(L, 3, fname, "cols");
  raw_args a;
  mlsh_opts(L, 4, &raw_spec, &a);
  int type = a.type;
  long offset = (long)a.offset;
  size_t esize = type == 0 ? 8 : type == 3 ? 1 : 4, n;
  if (mlsh_mul_overflow(r, c, &n)) return mlsh_error(L, fname, "size %zux%zu overflows", r, c);
  FILE *f = fopen(path, "rb");
  if (!f) return mlsh_error(L, fname, "cannot open '%s'", path);
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  if (offset < 0 || len < offset || (size_t)(len - offset) != n * esize) {
    fclose(f);
    return mlsh_error(L, fname, "'%s' has %ld bytes after offset %ld, expected %zu (%zux%zu %s)", path,
                      len - offset, offset, n * esize, r, c, raw_types[type]);
  }
  fseek(f, offset, SEEK_SET);
  mlsh_mat *m = lmat_push_new(L, r, c, fname);
  unsigned char *buf = mlsh_scratch(L, n * esize + 1, fname);
  size_t got = fread(buf, esize, n, f);
  fclose(f);
  if (got != n) return mlsh_error(L, fname, "cannot read '%s'", path);
  for (size_t i = 0; i < n; i++) {
    switch (type) {
      case 0: memcpy(&m->data[i], buf + i * 8, 8); break;
      case 1: { float v; memcpy(&v, buf + i * 4, 4); m->data[i] = v; break; }
      case 2: { int32_t v; memcpy(&v, buf + i * 4, 4); m->data[i] = v; break; }
      default: m->data[i] = buf[i]; break;
    }
  }
  lua_pop(L, 1);
  return 1;
}

static const char *const save_types[] = {"float64", "float32", NULL};
typedef struct { int single; } save_args;
static const mlsh_opt save_opt[] = {
  MLSH_OPT_ENUM(save_args, single, "dtype", 0, save_types, "element type of a .npy file"),
  MLSH_OPT_END};
static const mlsh_optspec save_spec = {"Matrix:save", save_opt};

static int save_csv(lua_State *L, const mlsh_mat *m, const char *path) {
  mlsh_afile af;
  mlsh_err err;
  int rc = mlsh_afile_open(&af, path, &err);
  if (rc) return mlsh_fail(L, "Matrix:save", rc, &err);
  for (size_t j = 0; j < m->cols; j++) fprintf(af.fp, "%sV%zu", j ? "," : "", j + 1);
  fputc('\n', af.fp);
  for (size_t i = 0; i < m->rows; i++) {
    for (size_t j = 0; j < m->cols; j++) {
      double v = MAT_AT(m, i, j);
      if (j) fputc(',', af.fp);
      if (isnan(v)) fputs("NA", af.fp);
      else fprintf(af.fp, "%.17g", v);
    }
    fputc('\n', af.fp);
  }
  rc = mlsh_afile_commit(&af, &err);
  if (rc) return mlsh_fail(L, "Matrix:save", rc, &err);
  return 0;
}

static int m_save(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:save", "self");
  const char *path = mlsh_check_path(L, 2, "Matrix:save", "path");
  save_args a;
  mlsh_opts(L, 3, &save_spec, &a);
  int single = a.single;
  if (has_suffix(path, ".csv")) {
    save_csv(L, m, path);
  } else {
    mlsh_err err;
    int rc = npy_save_matrix(path, m, single, &err);
    if (rc) return mlsh_fail(L, "Matrix:save", rc, &err);
  }
  lua_settop(L, 1);
  return 1;
}

/* ---- access ---- */

static int m_rows(lua_State *L) { lua_pushinteger(L, (lua_Integer)lmat_check(L, 1, "Matrix:rows", "self")->rows); return 1; }
static int m_cols(lua_State *L) { lua_pushinteger(L, (lua_Integer)lmat_check(L, 1, "Matrix:cols", "self")->cols); return 1; }

static int m_shape(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:shape", "self");
  lua_pushinteger(L, (lua_Integer)m->rows);
  lua_pushinteger(L, (lua_Integer)m->cols);
  return 2;
}

static int m_get(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:get", "self");
  size_t i = check_index(L, 2, m->rows, "Matrix:get", "i");
  size_t j = m->cols == 1 && lua_isnoneornil(L, 3) ? 0 : check_index(L, 3, m->cols, "Matrix:get", "j");
  lua_pushnumber(L, MAT_AT(m, i, j));
  return 1;
}

/* A mapped matrix (mat.mmap) is the file's read-only pages. */
static void check_writable(lua_State *L, const char *fname) {
  if (lmat_test_mapped(L, 1)) mlsh_error(L, fname, "a mapped matrix is read-only (m:copy() makes a writable one)");
}

static int m_set(lua_State *L) {
  check_writable(L, "Matrix:set");
  mlsh_mat *m = lmat_check(L, 1, "Matrix:set", "self");
  size_t i = check_index(L, 2, m->rows, "Matrix:set", "i");
  int vidx = 4;
  size_t j = 0;
  if (m->cols == 1 && lua_gettop(L) == 3) vidx = 3;
  else j = check_index(L, 3, m->cols, "Matrix:set", "j");
  int ok;
  double v = lua_tonumberx(L, vidx, &ok);
  if (!ok) mlsh_error(L, "Matrix:set", "argument 'value' must be a number (got %s)", mlsh_typename(L, vidx));
  MAT_AT(m, i, j) = v;
  lua_settop(L, 1);
  return 1;
}

static int push_result(lua_State *L, int rc, mlsh_mat *out, mlsh_err *err, const char *fname) {
  if (rc) return mlsh_fail(L, fname, rc, err);
  lmat_push(L, out);
  return 1;
}

static int m_row(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:row", "self"), out;
  size_t i = check_index(L, 2, m->rows, "Matrix:row", "i");
  mlsh_err err;
  return push_result(L, mat_slice(m, i, i + 1, 0, m->cols, &out, &err), &out, &err, "Matrix:row");
}

static int m_col(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:col", "self"), out;
  size_t j = check_index(L, 2, m->cols, "Matrix:col", "j");
  mlsh_err err;
  return push_result(L, mat_slice(m, 0, m->rows, j, j + 1, &out, &err), &out, &err, "Matrix:col");
}

static int m_slice(lua_State *L) {
  const char *f = "Matrix:slice";
  mlsh_mat *m = lmat_check(L, 1, f, "self"), out;
  size_t r1 = check_index(L, 2, m->rows, f, "r1");
  size_t r2 = lua_isnoneornil(L, 3) ? m->rows - 1 : check_index(L, 3, m->rows, f, "r2");
  size_t c1 = lua_isnoneornil(L, 4) ? 0 : check_index(L, 4, m->cols, f, "c1");
  size_t c2 = lua_isnoneornil(L, 5) ? m->cols - 1 : check_index(L, 5, m->cols, f, "c2");
  if (r2 < r1 || c2 < c1) mlsh_error(L, f, "empty range rows %zu..%zu, cols %zu..%zu", r1 + 1, r2 + 1, c1 + 1, c2 + 1);
  mlsh_err err;
  return push_result(L, mat_slice(m, r1, r2 + 1, c1, c2 + 1, &out, &err), &out, &err, f);
}

static size_t *check_index_list(lua_State *L, int idx, size_t n, size_t *count, const char *fname) {
  mlsh_check_type(L, idx, LUA_TTABLE, fname, "indices");
  size_t k = lua_rawlen(L, idx);
  if (k == 0) mlsh_error(L, fname, "argument 'indices' is an empty array");
  size_t *v = mlsh_scratch(L, k * sizeof *v, fname);
  for (size_t i = 0; i < k; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    v[i] = check_index(L, -1, n, fname, "indices");
    lua_pop(L, 1);
  }
  *count = k;
  return v;
}

static int m_rows_select(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:rows_select", "self"), out;
  size_t k, *idx = check_index_list(L, 2, m->rows, &k, "Matrix:rows_select");
  mlsh_err err;
  return push_result(L, mat_select_rows(m, idx, k, &out, &err), &out, &err, "Matrix:rows_select");
}

static int m_cols_select(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:cols_select", "self"), out;
  size_t k, *idx = check_index_list(L, 2, m->cols, &k, "Matrix:cols_select");
  mlsh_err err;
  return push_result(L, mat_select_cols(m, idx, k, &out, &err), &out, &err, "Matrix:cols_select");
}

static int m_totable(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:totable", "self");
  if (m->cols == 1 || m->rows == 1) {
    size_t n = MAT_LEN(m);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
      lua_pushnumber(L, m->data[i]);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
  }
  lua_createtable(L, (int)m->rows, 0);
  for (size_t i = 0; i < m->rows; i++) {
    lua_createtable(L, (int)m->cols, 0);
    for (size_t j = 0; j < m->cols; j++) {
      lua_pushnumber(L, MAT_AT(m, i, j));
      lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int m_copy(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:copy", "self"), out;
  mlsh_err err;
  return push_result(L, mat_copy(m, &out, &err), &out, &err, "Matrix:copy");
}

static int m_reshape(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:reshape", "self"), out;
  size_t r = check_dim(L, 2, "Matrix:reshape", "rows"), c = check_dim(L, 3, "Matrix:reshape", "cols");
  if (r * c != MAT_LEN(m)) mlsh_error(L, "Matrix:reshape", "cannot reshape %zux%zu into %zux%zu", m->rows, m->cols, r, c);
  mlsh_err err;
  int rc = mat_copy(m, &out, &err);
  out.rows = r;
  out.cols = c;
  return push_result(L, rc, &out, &err, "Matrix:reshape");
}

/* ---- metamethods ---- */

static int mm_gc(lua_State *L) {
  mlsh_mat *m = lmat_test(L, 1);
  if (m) mat_free(m);
  return 0;
}

static int mm_tostring(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:__tostring", "self");
  mlsh_term t;
  mlsh_term_query(&t);
  int rows = t.tty ? t.rows - 4 : 40;
  char *s = mat_format(m, t.cols, rows < 5 ? 5 : rows, print_digits(L));
  if (!s) return mlsh_error(L, "tostring", "not enough memory");
  mlsh_push_owned_string(L, s);
  return 1;
}

/* a == b: same shape and equal values (NaN equals nothing, as in IEEE). */
static int mm_eq(lua_State *L) {
  mlsh_mat *a = lmat_test(L, 1), *b = lmat_test(L, 2);
  int same = a && b && a->rows == b->rows && a->cols == b->cols;
  for (size_t i = 0; same && i < MAT_LEN(a); i++) same = a->data[i] == b->data[i];
  lua_pushboolean(L, same);
  return 1;
}

static int mm_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lmat_check(L, 1, "Matrix:__len", "self")->rows);
  return 1;
}

/* m[i]: an element of a vector, or row i (1 x cols) of a matrix;
 * other keys look up methods. */
static int mm_index(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:__index", "self");
  if (lua_type(L, 2) == LUA_TNUMBER) {
    lua_Integer i;
    if (!lua_isinteger(L, 2)) {
      lua_Number v = lua_tonumber(L, 2);
      if (v != floor(v)) mlsh_error(L, "Matrix", "index must be an integer (got %g)", (double)v);
    }
    i = (lua_Integer)lua_tonumber(L, 2);
    int vec = m->cols == 1 || m->rows == 1;
    size_t n = vec ? MAT_LEN(m) : m->rows;
    if (i < 1 || (size_t)i > n) mlsh_error(L, "Matrix", "index %lld out of range 1..%zu", (long long)i, n);
    if (vec) {
      lua_pushnumber(L, m->data[i - 1]);
      return 1;
    }
    mlsh_mat out;
    mlsh_err err;
    return push_result(L, mat_slice(m, (size_t)i - 1, (size_t)i, 0, m->cols, &out, &err), &out, &err, "Matrix");
  }
  lua_pushvalue(L, 2);
  lua_gettable(L, lua_upvalueindex(1));
  return 1;
}

static int mm_newindex(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "Matrix:__newindex", "self");
  check_writable(L, "Matrix");
  if (!lua_isinteger(L, 2) || !(m->cols == 1 || m->rows == 1))
    mlsh_error(L, "Matrix", "only vector elements can be assigned with m[i] = v (use m:set(i, j, v))");
  lua_Integer i = lua_tointeger(L, 2);
  if (i < 1 || (size_t)i > MAT_LEN(m)) mlsh_error(L, "Matrix", "index %lld out of range 1..%zu", (long long)i, MAT_LEN(m));
  int ok;
  double v = lua_tonumberx(L, 3, &ok);
  if (!ok) mlsh_error(L, "Matrix", "assigned value must be a number (got %s)", mlsh_typename(L, 3));
  m->data[i - 1] = v;
  return 0;
}

static const mlsh_Reg mat_funcs[] = {
  {"new", l_new, "mat.new(rows, cols [, fill])",
   "A rows x cols Matrix filled with `fill` (default 0).\nExample: m = mat.new(2, 3, 7)"},
  {"zeros", l_zeros, "mat.zeros(rows [, cols])", "A matrix of zeros (square when cols is omitted).\nExample: z = mat.zeros(3, 2)"},
  {"ones", l_ones, "mat.ones(rows [, cols])", "A matrix of ones.\nExample: o = mat.ones(4, 1)"},
  {"eye", l_eye, "mat.eye(n)", "The n x n identity matrix.\nExample: I = mat.eye(3)"},
  {"rand", l_rand, "mat.rand(rows, cols [, opts])",
   "Uniform [0, 1) random values (xoshiro256**); reproducible with seed.\nExample: u = mat.rand(100, 2, {seed = 1})", &rand_spec},
  {"randn", l_randn, "mat.randn(rows, cols [, opts])",
   "Standard normal random values; reproducible with seed.\nExample: x = mat.randn(3, 3, {seed = 1})", &randn_spec},
  {"from", l_from, "mat.from(t)",
   "A Matrix from a nested Lua array {{1,2},{3,4}} (rows x cols), a flat array (a column vector) or a Matrix (a copy).\n"
   "Example: m = mat.from{{1, 2}, {3, 4}}"},
  {"format", l_format, "mat.format(x [, opts])",
   "Numbers as text the way R prints them: each to `digits` significant digits (default: mlsh.options().digits,\n"
   "7), fixed notation unless scientific notation is narrower, one common format for all the values (as R's\n"
   "format()). x: a number (a string back; Lua integers stay whole), an array of numbers or a Matrix (an array\n"
   "of strings padded to one width, row by row). na: the text of NaN (missing) values.\n"
   "Example: mat.format({1, 2.5, 10})  --> {\" 1.0\", \" 2.5\", \"10.0\"}", &format_spec},
  {"is", l_is, "mat.is(x)", "True when x is a Matrix.\nExample: mat.is(mat.eye(2))  --> true"},
  {"load", l_load, "mat.load(path)",
   "Reads a .npy file (float64/float32/integer, C or Fortran order; 1-D arrays become n x 1) or a numeric .csv file.\n"
   "Example: X = mat.load(\"embeddings.npy\")"},
  {"read_raw", l_read_raw, "mat.read_raw(path, rows, cols [, opts])",
   "Reads raw little-endian row-major values; the file size must match exactly.\n"
   "Example: X = mat.read_raw(\"/tmp/peerdata/km_100000x50.f64\", 100000, 50)", &raw_spec},
  {NULL, NULL, NULL, NULL}};

static const mlsh_Reg mat_methods[] = {
  {"rows", m_rows, "m:rows()", "Number of rows.\nExample: mat.zeros(3, 2):rows()  --> 3"},
  {"cols", m_cols, "m:cols()", "Number of columns.\nExample: mat.zeros(3, 2):cols()  --> 2"},
  {"shape", m_shape, "m:shape()", "Rows and columns (two results).\nExample: r, c = m:shape()"},
  {"get", m_get, "m:get(i, j)", "Element (i, j), 1-based and bounds checked (j may be omitted for a vector).\nExample: m:get(1, 2)"},
  {"set", m_set, "m:set(i, j, v)", "Sets element (i, j) to v in place; returns m.\nExample: m:set(1, 1, 5)"},
  {"row", m_row, "m:row(i)", "Row i as a 1 x cols Matrix.\nExample: m:row(2)"},
  {"col", m_col, "m:col(j)", "Column j as a rows x 1 Matrix.\nExample: X:col(1):mean()"},
  {"slice", m_slice, "m:slice(r1 [, r2 [, c1 [, c2]]])",
   "Rows r1..r2 and columns c1..c2 (inclusive, 1-based; omitted bounds run to the edge) as a new Matrix.\nExample: X:slice(1, 10, 2, 3)"},
  {"rows_select", m_rows_select, "m:rows_select{i, ...}", "The listed rows, in order (repeats allowed).\nExample: X:rows_select{1, 5, 9}"},
  {"cols_select", m_cols_select, "m:cols_select{j, ...}", "The listed columns, in order.\nExample: X:cols_select{1, 3}"},
  {"totable", m_totable, "m:totable()", "A flat Lua array for a vector, a nested array otherwise.\nExample: mat.eye(2):totable()"},
  {"copy", m_copy, "m:copy()", "A deep copy.\nExample: b = a:copy()"},
  {"reshape", m_reshape, "m:reshape(rows, cols)", "A copy with a new shape (row-major order, same number of elements).\nExample: mat.from{1,2,3,4}:reshape(2, 2)"},
  {"save", m_save, "m:save(path [, opts])",
   "Writes .npy (numpy-readable; float32 on request) or .csv (by extension), atomically (temp file + rename).\n"
   "Example: X:save(\"x.npy\")", &save_spec},
  {NULL, NULL, NULL, NULL}};

static const luaL_Reg mat_meta[] = {
  {"__gc", mm_gc},
  {"__tostring", mm_tostring},
  {"__len", mm_len},
  {"__eq", mm_eq},
  {"__newindex", mm_newindex},
  {NULL, NULL}};

void mlsh_open_mat(lua_State *L) {
  mlsh_register(L, "mat", mat_funcs);
  mlsh_register(L, "mat", lmat_op_funcs);
  mlsh_new_class(L, MLSH_MATRIX_MT, "Matrix", mat_methods, mat_meta);
  lua_getfield(L, -1, "__index");
  mlsh_register(L, "Matrix:", lmat_op_methods);
  /* Arithmetic metamethods come from the methods table (add/sub/...). */
  const char *arith[][2] = {{"__add", "add"}, {"__sub", "sub"}, {"__mul", "mul"}, {"__div", "div"},
                            {"__unm", "neg"}, {"__pow", "pow"}};
  for (size_t k = 0; k < sizeof arith / sizeof *arith; k++) {
    lua_getfield(L, -1, arith[k][1]);
    lua_setfield(L, -3, arith[k][0]);
  }
  /* Every method is also a function of the module: mat.svd(m) == m:svd(). */
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);
    if (lua_getfield(L, -6, lua_tostring(L, -1)) == LUA_TNIL) {
      lua_pop(L, 1);
      lua_pushvalue(L, -2);
      lua_setfield(L, -7, lua_tostring(L, -2));
    } else {
      lua_pop(L, 1);
    }
    lua_pop(L, 2);
  }
  lua_pushcclosure(L, mm_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}
