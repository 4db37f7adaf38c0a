/* lmat_ops.c - Matrix algebra (BLAS/LAPACK) and statistics methods. */
#include <math.h>
#include "lmat.h"

static int push_or_fail(lua_State *L, int rc, mlsh_mat *out, mlsh_err *err, const char *fname) {
  if (rc) return mlsh_fail(L, fname, rc, err);
  lmat_push(L, out);
  return 1;
}

/* a op b where either side may be a number; b may broadcast (see matrix.h).
 * For + and * a broadcasting left operand is swapped to the right. */
static int arith(lua_State *L, mat_binop op, const char *fname) {
  mlsh_mat *a = lmat_test(L, 1), *b = lmat_test(L, 2), out;
  mlsh_err err;
  int rc;
  if (a && b) {
    if (!mat_broadcastable(a, b) && (op == MAT_ADD || op == MAT_MUL) && mat_broadcastable(b, a)) {
      mlsh_mat *t = a; a = b; b = t;
    }
    if (!mat_broadcastable(a, b))
      return mlsh_error(L, fname, "shapes %zux%zu and %zux%zu do not match (same shape, a 1x1, a 1x%zu row or a %zux1 column)",
                        a->rows, a->cols, b->rows, b->cols, a->cols, a->rows);
    rc = mat_binary(a, b, op, &out, &err);
  } else if (a && lua_type(L, 2) == LUA_TNUMBER) {
    rc = mat_scalar(a, lua_tonumber(L, 2), op, 0, &out, &err);
  } else if (b && lua_type(L, 1) == LUA_TNUMBER) {
    rc = mat_scalar(b, lua_tonumber(L, 1), op, 1, &out, &err);
  } else {
    return mlsh_error(L, fname, "operands must be Matrices or numbers (got %s and %s)",
                      mlsh_typename(L, 1), mlsh_typename(L, 2));
  }
  return push_or_fail(L, rc, &out, &err, fname);
}

static int m_add(lua_State *L) { return arith(L, MAT_ADD, "Matrix:add"); }
static int m_sub(lua_State *L) { return arith(L, MAT_SUB, "Matrix:sub"); }
static int m_mul(lua_State *L) { return arith(L, MAT_MUL, "Matrix:mul"); }
static int m_div(lua_State *L) { return arith(L, MAT_DIV, "Matrix:div"); }
static int m_pow(lua_State *L) { return arith(L, MAT_POW, "Matrix:pow"); }

static int m_neg(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:neg", "self"), out;
  mlsh_err err;
  return push_or_fail(L, mat_scalar(a, -1.0, MAT_MUL, 0, &out, &err), &out, &err, "Matrix:neg");
}

static int m_t(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:t", "self"), out;
  mlsh_err err;
  return push_or_fail(L, mat_transpose(a, &out, &err), &out, &err, "Matrix:t");
}

static int m_dot(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:dot", "self");
  mlsh_mat *b = lmat_checklike(L, 2, "Matrix:dot", "b"), out;
  mlsh_err err;
  return push_or_fail(L, mat_matmul(a, b, &out, &err), &out, &err, "Matrix:dot");
}

static int m_apply(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:apply", "self");
  mlsh_check_type(L, 2, LUA_TFUNCTION, "Matrix:apply", "f");
  mlsh_mat *out = lmat_push_new(L, a->rows, a->cols, "Matrix:apply");
  for (size_t i = 0; i < MAT_LEN(a); i++) {
    lua_pushvalue(L, 2);
    lua_pushnumber(L, a->data[i]);
    lua_call(L, 1, 1);
    int ok;
    double v = lua_tonumberx(L, -1, &ok);
    if (!ok) mlsh_error(L, "Matrix:apply", "function returned %s for element %zu (expected a number)", luaL_typename(L, -1), i + 1);
    out->data[i] = v;
    lua_pop(L, 1);
  }
  return 1;
}

static int m_inv(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:inv", "self"), out;
  mlsh_err err;
  return push_or_fail(L, mat_inv(a, &out, &err), &out, &err, "Matrix:inv");
}

static int m_solve(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:solve", "self");
  mlsh_mat *b = lmat_checklike(L, 2, "Matrix:solve", "b"), out;
  mlsh_err err;
  return push_or_fail(L, mat_solve(a, b, &out, &err), &out, &err, "Matrix:solve");
}

static int m_det(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:det", "self");
  mlsh_err err;
  double d;
  int rc = mat_det(a, &d, &err);
  if (rc) return mlsh_fail(L, "Matrix:det", rc, &err);
  lua_pushnumber(L, d);
  return 1;
}

static int m_svd(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:svd", "self"), U, s, V;
  mlsh_err err;
  int rc = mat_svd(a, &U, &s, &V, &err);
  if (rc) return mlsh_fail(L, "Matrix:svd", rc, &err);
  mlsh_mat *out[] = {&U, &s, &V};
  lmat_push_all(L, out, 3);
  return 3;
}

static int m_eigh(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:eigh", "self"), w, v;
  mlsh_err err;
  int rc = mat_eigh(a, &w, &v, &err);
  if (rc) return mlsh_fail(L, "Matrix:eigh", rc, &err);
  mlsh_mat *out[] = {&w, &v};
  lmat_push_all(L, out, 2);
  return 2;
}

static int m_chol(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:chol", "self"), out;
  mlsh_err err;
  return push_or_fail(L, mat_chol(a, &out, &err), &out, &err, "Matrix:chol");
}

/* Reductions: no dim -> a number over the whole matrix; dim 1 -> 1 x cols; dim 2 -> rows x 1. */
static int reduce(lua_State *L, mat_reduce_op op, const char *fname) {
  mlsh_mat *a = lmat_check(L, 1, fname, "self"), out;
  int dim = 0;
  if (!lua_isnoneornil(L, 2)) {
    int ok;
    lua_Integer d = lua_tointegerx(L, 2, &ok);
    if (!ok || (d != 1 && d != 2))
      return mlsh_error(L, fname, "argument 'dim' must be 1 (down columns) or 2 (across rows)");
    dim = (int)d;
  }
  if (MAT_LEN(a) == 0 && op != MAT_SUM) return mlsh_error(L, fname, "matrix is empty (%zux%zu)", a->rows, a->cols);
  mlsh_err err;
  int rc = mat_reduce(a, op, dim, &out, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  if (dim == 0) {
    lua_pushnumber(L, out.data[0]);
    mat_free(&out);
    return 1;
  }
  lmat_push(L, &out);
  return 1;
}

static int m_sum(lua_State *L) { return reduce(L, MAT_SUM, "Matrix:sum"); }
static int m_mean(lua_State *L) { return reduce(L, MAT_MEAN, "Matrix:mean"); }
static int m_var(lua_State *L) { return reduce(L, MAT_VAR, "Matrix:var"); }
static int m_std(lua_State *L) { return reduce(L, MAT_STD, "Matrix:std"); }
static int m_min(lua_State *L) { return reduce(L, MAT_MIN, "Matrix:min"); }
static int m_max(lua_State *L) { return reduce(L, MAT_MAX, "Matrix:max"); }

/* A mapped matrix streams them (lmat_mmap.c). */
static int m_cov(lua_State *L) {
  if (lmat_test_mapped(L, 1)) return mlsh_call_method(L, 1, "cov");
  mlsh_mat *a = lmat_check(L, 1, "Matrix:cov", "self"), out;
  mlsh_err err;
  return push_or_fail(L, mat_cov(a, &out, &err), &out, &err, "Matrix:cov");
}

static int m_cor(lua_State *L) {
  if (lmat_test_mapped(L, 1)) return mlsh_call_method(L, 1, "cor");
  mlsh_mat *a = lmat_check(L, 1, "Matrix:cor", "self"), out;
  mlsh_err err;
  return push_or_fail(L, mat_cor(a, &out, &err), &out, &err, "Matrix:cor");
}

static int m_standardize(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:standardize", "self"), Z, mu, sd;
  mlsh_err err;
  int rc = mat_standardize(a, &Z, &mu, &sd, &err);
  if (rc) return mlsh_fail(L, "Matrix:standardize", rc, &err);
  mlsh_mat *out[] = {&Z, &mu, &sd};
  lmat_push_all(L, out, 3);
  return 3;
}

static int m_hcat(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:hcat", "self");
  mlsh_mat *b = lmat_checklike(L, 2, "Matrix:hcat", "b"), out;
  mlsh_err err;
  return push_or_fail(L, mat_hcat(a, b, &out, &err), &out, &err, "Matrix:hcat");
}

static int m_vcat(lua_State *L) {
  mlsh_mat *a = lmat_check(L, 1, "Matrix:vcat", "self");
  mlsh_mat *b = lmat_checklike(L, 2, "Matrix:vcat", "b"), out;
  mlsh_err err;
  return push_or_fail(L, mat_vcat(a, b, &out, &err), &out, &err, "Matrix:vcat");
}

static int l_linspace(lua_State *L) {
  double a = mlsh_check_number(L, 1, "mat.linspace", "a"), b = mlsh_check_number(L, 2, "mat.linspace", "b");
  lua_Integer n = lua_isnoneornil(L, 3) ? 50 : mlsh_check_integer(L, 3, "mat.linspace", "n");
  if (n < 1 || n > 100000000) return mlsh_error(L, "mat.linspace", "argument 'n' must be between 1 and 1e8 (got %lld)", (long long)n);
  mlsh_mat *m = lmat_push_new(L, (size_t)n, 1, "mat.linspace");
  for (lua_Integer i = 0; i < n; i++) m->data[i] = n == 1 ? a : a + (b - a) * (double)i / (double)(n - 1);
  return 1;
}

const mlsh_Reg lmat_op_funcs[] = {
  {"linspace", l_linspace, "mat.linspace(a, b [, n=50])", "n evenly spaced values from a to b, as a column vector.\nExample: x = mat.linspace(0, 1, 11)"},
  {NULL, NULL, NULL, NULL}};

const mlsh_Reg lmat_op_methods[] = {
  {"add", m_add, "a + b  (a:add(b))",
   "Elementwise sum. b is a number, a same-shape Matrix, a 1xc row (added to every row), a rx1 column (to every column) or 1x1.\n"
   "Example: X - X:mean(1)  -- centre the columns"},
  {"sub", m_sub, "a - b  (a:sub(b))", "Elementwise difference (broadcasting as for +).\nExample: a - 1"},
  {"mul", m_mul, "a * b  (a:mul(b))",
   "Elementwise product (NOT the matrix product: use a:dot(b)); broadcasting as for +.\nExample: 2 * a"},
  {"div", m_div, "a / b  (a:div(b))", "Elementwise quotient (broadcasting as for +).\nExample: X / X:std(1)"},
  {"pow", m_pow, "a ^ b  (a:pow(b))", "Elementwise power.\nExample: a ^ 2"},
  {"neg", m_neg, "-a  (a:neg())", "Elementwise negation.\nExample: -a"},
  {"t", m_t, "m:t()", "The transpose.\nExample: X:t():dot(X)"},
  {"dot", m_dot, "a:dot(b)", "The matrix product a b (BLAS dgemm); inner dimensions must agree.\nExample: mat.randn(3, 3, {seed=1}):dot(mat.eye(3))"},
  {"apply", m_apply, "m:apply(f)", "A new matrix with f(x) applied to every element.\nExample: m:apply(math.sqrt)"},
  {"inv", m_inv, "m:inv()", "The inverse of a square matrix (LAPACK dgetrf/dgetri); a singular matrix is an error.\nExample: mat.from{{4,7},{2,6}}:inv()"},
  {"solve", m_solve, "a:solve(b)", "Solves a x = b for x (LAPACK dgesv); b is a vector or a matrix of right-hand sides.\nExample: A:solve(mat.from{1, 2})"},
  {"det", m_det, "m:det()", "The determinant (LU factorisation).\nExample: mat.eye(3):det()  --> 1"},
  {"svd", m_svd, "m:svd()",
   "Thin singular value decomposition m = U diag(s) V^T (LAPACK dgesdd). Returns U (r x k), s (k x 1, descending), V (c x k), k = min(r, c).\n"
   "Example: U, s, V = X:svd()"},
  {"eigh", m_eigh, "m:eigh()",
   "Eigen-decomposition of a symmetric matrix (LAPACK dsyevd). Returns the values (n x 1, descending) and the vectors as columns.\n"
   "Example: vals, vecs = X:cov():eigh()"},
  {"chol", m_chol, "m:chol()", "The lower Cholesky factor L with m = L L^T (LAPACK dpotrf); m must be symmetric positive definite.\nExample: L = S:chol()"},
  {"sum", m_sum, "m:sum([dim])", "Sum of all elements (a number), or down columns (dim 1, 1 x cols) or across rows (dim 2, rows x 1).\nExample: X:sum(1)"},
  {"mean", m_mean, "m:mean([dim])", "Mean (dims as for sum).\nExample: X:mean(1)"},
  {"var", m_var, "m:var([dim])", "Sample variance with the n - 1 divisor, as R (dims as for sum).\nExample: X:var(1)"},
  {"std", m_std, "m:std([dim])", "Sample standard deviation with n - 1, as R's sd (dims as for sum).\nExample: X:std(1)"},
  {"min", m_min, "m:min([dim])", "Minimum (dims as for sum).\nExample: X:min(1)"},
  {"max", m_max, "m:max([dim])", "Maximum (dims as for sum).\nExample: X:max()"},
  {"cov", m_cov, "m:cov()", "Sample covariance matrix of the columns (n - 1).\nExample: X:cov()"},
  {"cor", m_cor, "m:cor()", "Pearson correlation matrix of the columns.\nExample: X:cor()"},
  {"standardize", m_standardize, "m:standardize()",
   "Centres and scales each column as R's scale(): returns Z, the column means (1 x c) and sample sds (1 x c). A constant column is an error.\n"
   "Example: Z, mu, sd = X:standardize()"},
  {"hcat", m_hcat, "a:hcat(b)", "Columns of a then b (same number of rows).\nExample: X:hcat(mat.ones(X:rows(), 1))"},
  {"vcat", m_vcat, "a:vcat(b)", "Rows of a then b (same number of columns).\nExample: A:vcat(B)"},
  {NULL, NULL, NULL, NULL}};
