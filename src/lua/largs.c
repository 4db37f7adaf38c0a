/* largs.c - the argument readers every binding shares: the data matrix
 * (a Matrix, an array of arrays, a DataFrame's numeric columns or a
 * Column) with the `na` rule, and class labels (integers 1..K, strings, or
 * a Column of strings, factor levels or integers, the class names kept for
 * the outputs). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lmlsh.h"
#include "../core/path.h"
#include "lframe.h"

const char *const mlsh_na_modes[] = {"fail", "omit", NULL};

static int is_frame(lua_State *L, int idx) { return lframe_test(L, idx) || lcol_test(L, idx); }

static int row_finite(const mlsh_mat *X, size_t i) {
  for (size_t j = 0; j < X->cols; j++)
    if (!isfinite(MAT_AT(X, i, j))) return 0;
  return 1;
}

/* Keeps the finite rows of X (a new Matrix replaces the value at idx). */
static mlsh_mat *omit_rows(lua_State *L, int idx, mlsh_mat *X, const char *fname, const char *argname, size_t *omitted) {
  size_t keep = 0, p = X->cols;
  for (size_t i = 0; i < X->rows; i++) keep += row_finite(X, i);
  if (omitted) *omitted = X->rows - keep;
  if (keep == X->rows) return X;
  if (keep == 0) mlsh_error(L, fname, "argument '%s': every row has a missing value", argname);
  mlsh_mat *Y = lmat_push_new(L, keep, p, fname);
  for (size_t i = 0, r = 0; i < X->rows; i++)
    if (row_finite(X, i)) memcpy(Y->data + r++ * p, X->data + i * p, p * sizeof(double));
  lua_replace(L, idx);
  return lmat_test(L, idx);
}

mlsh_mat *mlsh_check_data(lua_State *L, int idx, const char *fname, const char *argname, int na, size_t *omitted) {
  idx = lua_absindex(L, idx);
  if (omitted) *omitted = 0;
  if (is_frame(L, idx)) lframe_data_matrix(L, idx, fname, argname);
  mlsh_mat *X = lmat_checklike(L, idx, fname, argname);
  if (na != MLSH_NA_FAIL && MAT_LEN(X) == 0)
    mlsh_error(L, fname, "argument '%s' is an empty matrix (%zux%zu)", argname, X->rows, X->cols);
  if (na == MLSH_NA_KEEP) return X;
  if (na == MLSH_NA_OMIT) return omit_rows(L, idx, X, fname, argname, omitted);
  lmat_check_finite(L, X, fname, argname);
  return X;
}

/* ---- class labels ---- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct strings of the array at idx, sorted (R's factor levels),
 * pushed as a new array; returns their count. */
static int push_levels(lua_State *L, int idx, size_t len, const char *fname, const char *argname) {
  const char **all = mlsh_scratch(L, len * sizeof *all, fname);
  for (size_t i = 0; i < len; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      mlsh_error(L, fname, "argument '%s': label %zu must be a string like the first (got %s)", argname, i + 1,
                 lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1) ? "a missing value" : mlsh_typename(L, -1));
    size_t len_i;
    all[i] = lua_tolstring(L, -1, &len_i);   /* alive: the array at idx holds it */
    if (strlen(all[i]) != len_i)   /* the levels are sorted and told apart as C strings */
      mlsh_error(L, fname, "argument '%s': label %zu holds a NUL byte", argname, i + 1);
    lua_pop(L, 1);
  }
  qsort(all, len, sizeof *all, cmp_str);
  lua_newtable(L);
  int k = 0;
  for (size_t i = 0; i < len; i++)
    if (i == 0 || strcmp(all[i], all[i - 1]) != 0) {
      lua_pushstring(L, all[i]);
      lua_rawseti(L, -2, ++k);
    }
  lua_remove(L, -2);  /* the scratch */
  return k;
}

static void encode_strings(lua_State *L, int idx, size_t len, const char *fname, const char *argname, mlsh_classes *c) {
  c->k = push_levels(L, idx, len, fname, argname);
  c->names = lua_gettop(L);
  lua_createtable(L, 0, c->k);          /* name -> code */
  for (int j = 1; j <= c->k; j++) {
    lua_rawgeti(L, c->names, j);
    lua_pushinteger(L, j);
    lua_rawset(L, -3);
  }
  c->y = mlsh_scratch(L, len * sizeof(int), fname);
  lua_rotate(L, -2, 1);                 /* scratch below the map */
  for (size_t i = 0; i < len; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    lua_rawget(L, -2);
    c->y[i] = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);                        /* the map; names and scratch stay */
}

/* Labels from a Column: strings and integers as from a Lua array; a
 * factor's classes are its levels in their order (R's factor codes). */
static void column_classes(lua_State *L, int idx, const char *fname, const char *argname, size_t n, mlsh_classes *c) {
  mlsh_col *col = lcol_test(L, idx);
  size_t na = col_na_count(col);
  if (col->n == 0) mlsh_error(L, fname, "argument '%s' is an empty Column", argname);
  if (n && col->n != n) mlsh_error(L, fname, "argument '%s' has %zu labels, expected %zu", argname, col->n, n);
  if (na) mlsh_error(L, fname, "argument '%s' has %zu missing labels (drop_na first)", argname, na);
  if (col->type != COL_STRING && col->type != COL_CATEGORICAL && col->type != COL_INT64)
    mlsh_error(L, fname, "argument '%s' is a %s Column, not labels (strings, a factor or integers from 1)", argname,
               col_type_name(col->type));
  if (col->type != COL_CATEGORICAL) {
    lua_getfield(L, idx, "totable");
    lua_pushvalue(L, idx);
    lua_call(L, 1, 1);
    lua_replace(L, idx);
    mlsh_check_classes(L, idx, fname, argname, n, c);
    return;
  }
  c->n = col->n;
  c->k = (int)col->levels->n;
  lua_getfield(L, idx, "levels");
  lua_pushvalue(L, idx);
  lua_call(L, 1, 1);
  c->names = lua_gettop(L);
  c->y = mlsh_scratch(L, col->n * sizeof(int), fname);
  for (size_t i = 0; i < col->n; i++) c->y[i] = COL_I32(col)[i] + 1;
}

void mlsh_check_classes(lua_State *L, int idx, const char *fname, const char *argname, size_t n, mlsh_classes *c) {
  idx = lua_absindex(L, idx);
  memset(c, 0, sizeof *c);
  if (lcol_test(L, idx)) { column_classes(L, idx, fname, argname, n, c); return; }
  if (!lua_istable(L, idx) || is_frame(L, idx))
    mlsh_error(L, fname, "argument '%s' must be an array of labels (integers from 1, or strings) (got %s)", argname,
               mlsh_typename(L, idx));
  size_t len = lua_rawlen(L, idx);
  if (len == 0) mlsh_error(L, fname, "argument '%s' is an empty array", argname);
  if (n && len != n) mlsh_error(L, fname, "argument '%s' has %zu labels, expected %zu", argname, len, n);
  c->n = len;
  int first = lua_rawgeti(L, idx, 1);
  lua_pop(L, 1);
  if (first == LUA_TSTRING) { encode_strings(L, idx, len, fname, argname, c); return; }
  for (size_t i = 1; i < len; i++) {   /* say "mixed" rather than "not an integer" */
    int t = lua_rawgeti(L, idx, (lua_Integer)i + 1);
    lua_pop(L, 1);
    if (t == LUA_TSTRING)
      mlsh_error(L, fname, "argument '%s': label %zu must be an integer like the first (got string)", argname, i + 1);
  }
  c->y = mlsh_check_labels(L, idx, fname, argname, 1, len, NULL);
  for (size_t i = 0; i < len; i++)
    if (c->y[i] > c->k) c->k = c->y[i];
}

const char **mlsh_class_names(lua_State *L, const mlsh_classes *c, const char *fname) {
  if (!c->names) return NULL;
  const char **s = mlsh_scratch(L, ((size_t)c->k + 1) * sizeof *s, fname);
  for (int j = 0; j < c->k; j++) {
    lua_rawgeti(L, c->names, j + 1);
    s[j] = lua_tostring(L, -1);   /* alive: the names array holds it */
    lua_pop(L, 1);
  }
  s[c->k] = NULL;
  return s;
}

void mlsh_push_classes(lua_State *L, const int *codes, size_t n, int names) {
  if (!names) { mlsh_push_intarray(L, codes, n); return; }
  names = lua_absindex(L, names);
  lua_createtable(L, (int)(n < 0x7fffffff ? n : 0), 0);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, names, codes[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* ---- plain arguments, in the one message style ---- */

static void wrong_type(lua_State *L, int idx, const char *fname, const char *argname, const char *what) {
  mlsh_error(L, fname, "argument '%s' must be %s (got %s)", argname, what, mlsh_typename(L, idx));
}

const char *mlsh_check_string(lua_State *L, int idx, const char *fname, const char *argname) {
  if (lua_type(L, idx) != LUA_TSTRING) wrong_type(L, idx, fname, argname, "a string");
  return lua_tostring(L, idx);
}

double mlsh_check_number(lua_State *L, int idx, const char *fname, const char *argname) {
  if (lua_type(L, idx) != LUA_TNUMBER) wrong_type(L, idx, fname, argname, "a number");
  return lua_tonumber(L, idx);
}

lua_Integer mlsh_check_integer(lua_State *L, int idx, const char *fname, const char *argname) {
  int ok;
  lua_Integer v = lua_tointegerx(L, idx, &ok);
  if (!ok || lua_type(L, idx) != LUA_TNUMBER) {
    if (lua_type(L, idx) == LUA_TNUMBER)
      mlsh_error(L, fname, "argument '%s' must be an integer (got %s)", argname, lua_tostring(L, idx));
    wrong_type(L, idx, fname, argname, "an integer");
  }
  return v;
}

void mlsh_check_type(lua_State *L, int idx, int type, const char *fname, const char *argname) {
  if (lua_type(L, idx) != type) {
    const char *what = type == LUA_TTABLE ? "a table" : type == LUA_TFUNCTION ? "a function" : lua_typename(L, type);
    wrong_type(L, idx, fname, argname, what);
  }
}

const char *mlsh_check_path(lua_State *L, int idx, const char *fname, const char *argname) {
  idx = lua_absindex(L, idx);
  const char *p = mlsh_check_string(L, idx, fname, argname);
  if (p[0] != '~') return p;
  char *full = mlsh_expand_user_dup(p);
  if (!full) mlsh_error(L, fname, "not enough memory");
  mlsh_push_owned_string(L, full);
  lua_replace(L, idx);
  return lua_tostring(L, idx);
}
