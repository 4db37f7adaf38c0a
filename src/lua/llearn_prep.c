/* llearn_prep.c - Lua binding for the data side of `learn`: label
 * encoding, train/test splits, k folds, row selection, feature scalers
 * and classification metrics (src/learn/prep.c, metrics.c). Labels are
 * integers from 1 or strings, and come back in the kind they were given. */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "lmlsh.h"
#include "lframe.h"
#include "../learn/prep.h"
#include "../learn/metrics.h"
#include "../core/alloc.h"

#define SCALER_MT "mlsh.Scaler"

/* ---- labels ---- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* learn.encode for numbers: codes of the sorted distinct values. */
static int encode_numbers(lua_State *L, size_t n, const char *fn) {
  double *v = mlsh_scratch(L, 2 * n * sizeof(double), fn), *levels = v + n;
  for (size_t i = 0; i < n; i++) {
    int t = lua_rawgeti(L, 1, (lua_Integer)i + 1);
    if (t != LUA_TNUMBER)
      mlsh_error(L, fn, "argument 'values': label %zu must be %s (got %s)", i + 1,
                 i ? "a number like the first" : "a string or a number",
                 t == LUA_TBOOLEAN && !lua_toboolean(L, -1) ? "a missing value" : mlsh_typename(L, -1));
    v[i] = lua_tonumber(L, -1);
    if (!isfinite(v[i]))
      mlsh_error(L, fn, "argument 'values': label %zu is not finite (got %s)", i + 1, isnan(v[i]) ? "nan" : lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  memcpy(levels, v, n * sizeof(double));
  qsort(levels, n, sizeof(double), cmp_double);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (k == 0 || levels[i] != levels[k - 1]) levels[k++] = levels[i];
  lua_createtable(L, (int)(n < 0x7fffffff ? n : 0), 0);
  for (size_t i = 0; i < n; i++) {
    const double *hit = bsearch(&v[i], levels, k, sizeof(double), cmp_double);
    lua_pushinteger(L, (lua_Integer)(hit - levels) + 1);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_createtable(L, (int)k, 0);
  for (size_t j = 0; j < k; j++) {
    if (levels[j] == floor(levels[j]) && fabs(levels[j]) < 9007199254740992.0) lua_pushinteger(L, (lua_Integer)levels[j]);
    else lua_pushnumber(L, levels[j]);
    lua_rawseti(L, -2, (lua_Integer)j + 1);
  }
  return 2;
}

static int l_encode(lua_State *L) {
  const char *fn = "learn.encode";
  lua_settop(L, 1);
  mlsh_col *col = lcol_test(L, 1);
  if (col && col->type != COL_CATEGORICAL) {   /* a Column's values as an array; a factor keeps its level order */
    lua_getfield(L, 1, "totable");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    lua_replace(L, 1);
    if (col_na_count(col)) mlsh_error(L, fn, "argument 'values' has %zu missing values (drop_na first)", col_na_count(col));
  }
  if (col && col->type == COL_CATEGORICAL) {
    mlsh_classes c;
    mlsh_check_classes(L, 1, fn, "values", 0, &c);
    mlsh_push_intarray(L, c.y, c.n);
    lua_pushvalue(L, c.names);
    return 2;
  }
  if (!lua_istable(L, 1) || lua_rawlen(L, 1) == 0)
    mlsh_error(L, fn, "argument 'values' must be a non-empty array of strings or numbers (got %s)",
               lua_istable(L, 1) ? "an empty table" : mlsh_typename(L, 1));
  int first = lua_rawgeti(L, 1, 1);
  lua_pop(L, 1);
  if (first != LUA_TSTRING) return encode_numbers(L, lua_rawlen(L, 1), fn);
  mlsh_classes c;
  mlsh_check_classes(L, 1, fn, "values", 0, &c);
  mlsh_push_intarray(L, c.y, c.n);
  lua_pushvalue(L, c.names);
  return 2;
}

/* Stratifying needs 2 items per class. The core checks it too, but would
 * name a string class by its code. */
static void check_strata(lua_State *L, const mlsh_classes *c, const char *fn, const char *what) {
  if (!c->names) return;
  size_t *count = mlsh_scratch(L, ((size_t)c->k + 1) * sizeof(size_t), fn);
  memset(count, 0, ((size_t)c->k + 1) * sizeof(size_t));
  for (size_t i = 0; i < c->n; i++) count[c->y[i]]++;
  for (int j = 1; j <= c->k; j++)
    if (count[j] < 2) {
      lua_rawgeti(L, c->names, j);
      mlsh_error(L, fn, "class \"%s\" has only %zu member; %s at least 2 per class", lua_tostring(L, -1),
                 count[j], what);
    }
}

/* The labels of rows idx[0..n-1], in the kind they were given. */
static void push_labels(lua_State *L, const mlsh_classes *c, const size_t *idx, size_t n) {
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    if (c->names) lua_rawgeti(L, c->names, c->y[idx[i]]);
    else lua_pushinteger(L, c->y[idx[i]]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
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

typedef struct { double test; int stratify; uint64_t seed; } split_args;

static const mlsh_opt split_opt[] = {
  /* test: a fraction strictly between 0 and 1 (no row macro has open bounds) */
  {"test", MLSH_OT_NUM, offsetof(split_args, test), 0.2, NULL, 0, 1, MLSH_OPT_LO_OPEN | MLSH_OPT_HI_OPEN, NULL,
   "fraction of the rows in the test set (ceil(test n) rows)"},
  MLSH_OPT_BOOL_PRESET(split_args, stratify, "stratify", "true when y is given",
                       "keep the class proportions in both sets (each class needs 2 rows)"),
  MLSH_OPT_SEED(split_args, seed),
  MLSH_OPT_END};
static const mlsh_optspec split_spec = {"learn.split", split_opt};

static int l_split(lua_State *L) {
  const char *fn = split_spec.fname;
  lua_settop(L, 3);
  split_args a = {.stratify = !lua_isnil(L, 2)};
  mlsh_opts(L, 3, &split_spec, &a);
  mlsh_mat *X = mlsh_check_data(L, 1, fn, "X", MLSH_NA_KEEP, NULL);
  if (X->rows == 0) mlsh_error(L, fn, "argument 'X' has no rows");
  mlsh_classes c = {0};
  if (!lua_isnil(L, 2)) mlsh_check_classes(L, 2, fn, "y", X->rows, &c);
  else if (a.stratify) mlsh_error(L, fn, "option 'stratify' needs the labels y");
  if (a.stratify) check_strata(L, &c, fn, "stratify needs");
  size_t *tr, *te, ntr, nte;
  mlsh_err err = {0};
  /* The index arrays move to memory the Lua stack owns (made first: after
   * the split, a Lua error must not lose them). */
  size_t *s = mlsh_scratch(L, X->rows * sizeof(size_t), fn);
  int rc = learn_split(X->rows, a.stratify ? c.y : NULL, a.test, a.seed, &tr, &ntr, &te, &nte, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  memcpy(s, tr, ntr * sizeof(size_t)); memcpy(s + ntr, te, nte * sizeof(size_t));
  mlsh_free(tr); mlsh_free(te);
  tr = s; te = s + ntr;
  push_rows(L, X, tr, ntr, fn);
  push_rows(L, X, te, nte, fn);
  if (c.y) { push_labels(L, &c, tr, ntr); push_labels(L, &c, te, nte); }
  else { lua_pushnil(L); lua_pushnil(L); }
  to_index(L, tr, ntr);
  to_index(L, te, nte);
  return 6;
}

typedef struct { size_t k; int stratify; uint64_t seed; } kfold_args;

static const mlsh_opt kfold_opt[] = {
  MLSH_OPT_SIZE(kfold_args, k, "k", 5, 2, HUGE_VAL, "number of folds (at most the number of items)"),
  MLSH_OPT_BOOL_PRESET(kfold_args, stratify, "stratify", "true for labels",
                       "keep the class proportions in every fold (each class needs 2 items)"),
  MLSH_OPT_SEED(kfold_args, seed),
  MLSH_OPT_END};
static const mlsh_optspec kfold_spec = {"learn.kfold", kfold_opt};

static void push_folds(lua_State *L, const int *fold, size_t n, int k) {
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
}

static int l_kfold(lua_State *L) {
  const char *fn = kfold_spec.fname;
  lua_settop(L, 2);
  int counted = lua_type(L, 1) == LUA_TNUMBER;
  kfold_args a = {.stratify = !counted};
  mlsh_opts(L, 2, &kfold_spec, &a);
  mlsh_classes c = {0};
  if (counted) c.n = mlsh_check_count(L, 1, fn, "n", (size_t)1 << 40);
  else mlsh_check_classes(L, 1, fn, "y", 0, &c);
  if (a.stratify && counted) mlsh_error(L, fn, "option 'stratify' needs the labels y (got a count)");
  if (a.stratify) check_strata(L, &c, fn, "stratified folds need");
  int k = a.k < INT_MAX ? (int)a.k : INT_MAX;   /* more folds than items is the core's error */
  int *fold = mlsh_scratch(L, c.n * sizeof(int), fn);
  mlsh_err err = {0};
  int rc = learn_kfold(c.n, a.stratify ? c.y : NULL, k, a.seed, fold, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  push_folds(L, fold, c.n, k);
  return 1;
}

static int l_rows(lua_State *L) {
  const char *fn = "learn.rows";
  mlsh_mat *X = mlsh_check_data(L, 1, fn, "X", MLSH_NA_KEEP, NULL);
  size_t n;
  int *idx = mlsh_check_labels(L, 2, fn, "idx", 1, 0, &n);
  size_t *s = mlsh_scratch(L, n * sizeof(size_t), fn);
  for (size_t i = 0; i < n; i++) {
    if ((size_t)idx[i] > X->rows) mlsh_error(L, fn, "argument 'idx': row %d is out of range (X has %zu rows)", idx[i], X->rows);
    s[i] = (size_t)idx[i] - 1;
  }
  push_rows(L, X, s, n, fn);
  return 1;
}

/* learn._check_xy(fname, X, y): X as a Matrix, with y checked against it,
 * in fname's words (for the Lua-side cross-validation). */
static int l_check_xy(lua_State *L) {
  const char *fn = mlsh_check_string(L, 1, "learn._check_xy", "fname");
  lua_settop(L, 3);
  mlsh_mat *X = mlsh_check_data(L, 2, fn, "X", MLSH_NA_FAIL, NULL);
  mlsh_classes c;
  mlsh_check_classes(L, 3, fn, "y", X->rows, &c);
  lua_pushvalue(L, 2);
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
  MLSH_OPT_ENUM(scaler_args, kind, "kind", 0, scaler_kinds,
                "\"standard\": mean 0, population sd 1 (zero-sd columns left unscaled), as StandardScaler; "
                "\"minmax\": to [0, 1]"),
  MLSH_OPT_END};
static const mlsh_optspec scaler_spec = {"learn.scaler", scaler_opt};

static int l_scaler(lua_State *L) {
  scaler_args a;
  mlsh_opts(L, 1, &scaler_spec, &a);
  learn_scaler *s = lua_newuserdatauv(L, sizeof *s, 0);
  memset(s, 0, sizeof *s);
  s->kind = (scaler_kind)a.kind;
  luaL_setmetatable(L, SCALER_MT);
  return 1;
}

static int s_fit(lua_State *L) {
  const char *fn = "Scaler:fit";
  learn_scaler *s = check_scaler(L, fn);
  mlsh_mat *X = mlsh_check_data(L, 2, fn, "X", MLSH_NA_FAIL, NULL);
  mlsh_err err = {0};
  int rc = scaler_fit(s, X, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_settop(L, 1);
  return 1;
}

/* transform, after a fit when `fit` is set. */
static int scaler_apply(lua_State *L, const char *fn, int fit) {
  learn_scaler *s = check_scaler(L, fn);
  mlsh_mat *X = mlsh_check_data(L, 2, fn, "X", MLSH_NA_FAIL, NULL), out = {0};
  mlsh_err err = {0};
  int rc = fit ? scaler_fit(s, X, &err) : MLSH_OK;
  if (!rc) rc = scaler_transform(s, X, &out, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lmat_push(L, &out);
  return 1;
}

static int s_transform(lua_State *L) { return scaler_apply(L, "Scaler:transform", 0); }
static int s_fit_transform(lua_State *L) { return scaler_apply(L, "Scaler:fit_transform", 1); }

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
  lua_pushfstring(L, "Scaler(%s, %s)", scaler_kinds[s->kind], s->p ? "fitted" : "not fitted");
  return 1;
}

/* ---- metrics ---- */

/* Recodes both label sets onto the sorted union of their class names,
 * pushed as an array (its stack index is returned). */
static int union_codes(lua_State *L, mlsh_classes *t, mlsh_classes *p, const char *fn) {
  const char **a = mlsh_class_names(L, t, fn), **b = mlsh_class_names(L, p, fn);
  int *ma = mlsh_scratch(L, ((size_t)t->k + (size_t)p->k + 2) * sizeof(int), fn), *mb = ma + t->k + 1;
  lua_createtable(L, t->k + p->k, 0);
  int u = lua_gettop(L), k = 0, i = 0, j = 0;
  while (i < t->k || j < p->k) {
    int c = i == t->k ? 1 : j == p->k ? -1 : strcmp(a[i], b[j]);
    lua_pushstring(L, c <= 0 ? a[i] : b[j]);
    lua_rawseti(L, u, ++k);
    if (c <= 0) ma[++i] = k;   /* code i (1-based) of t is union code k */
    if (c >= 0) mb[++j] = k;
  }
  for (size_t r = 0; r < t->n; r++) { t->y[r] = ma[t->y[r]]; p->y[r] = mb[p->y[r]]; }
  return u;
}

static void push_numbers(lua_State *L, const double *v, int n) {
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) { lua_pushnumber(L, v[i]); lua_rawseti(L, -2, i + 1); }
}

static void metrics_release(void *m) { learn_metrics_free(m); }

static void push_metrics(lua_State *L, learn_metrics *m, size_t n, int names) {
  lua_createtable(L, 0, 12);
  lua_pushnumber(L, m->accuracy); lua_setfield(L, -2, "accuracy");
  mlsh_push_classes(L, m->classes, (size_t)m->K, names); lua_setfield(L, -2, "classes");
  push_numbers(L, m->precision, m->K); lua_setfield(L, -2, "precision");
  push_numbers(L, m->recall, m->K); lua_setfield(L, -2, "recall");
  push_numbers(L, m->f1, m->K); lua_setfield(L, -2, "f1");
  push_numbers(L, m->support, m->K); lua_setfield(L, -2, "support");
  push_numbers(L, m->macro, 3); lua_setfield(L, -2, "macro");
  push_numbers(L, m->weighted, 3); lua_setfield(L, -2, "weighted");
  lua_pushnumber(L, m->macro[2]); lua_setfield(L, -2, "macro_f1");
  lua_pushnumber(L, m->weighted[2]); lua_setfield(L, -2, "weighted_f1");
  lua_pushinteger(L, (lua_Integer)n); lua_setfield(L, -2, "n");
  mlsh_set_mat(L, -1, "confusion", &m->confusion);
}

static int l_metrics(lua_State *L) {
  const char *fn = "learn.metrics";
  lua_settop(L, 2);
  mlsh_classes t, p;
  mlsh_check_classes(L, 1, fn, "ytrue", 0, &t);
  mlsh_check_classes(L, 2, fn, "ypred", t.n, &p);
  if (!t.names != !p.names)
    mlsh_error(L, fn, "argument 'ytrue' holds %s but 'ypred' holds %s", t.names ? "strings" : "integers",
               p.names ? "strings" : "integers");
  int names = t.names ? union_codes(L, &t, &p, fn) : 0;
  learn_metrics *m = mlsh_guard(L, sizeof *m, metrics_release);
  int g = lua_gettop(L);
  mlsh_err err = {0};
  int rc = learn_metrics_compute(t.y, p.y, t.n, m, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  push_metrics(L, m, t.n, names);
  mlsh_guard_release(L, g);
  return 1;
}

/* ---- registration ---- */

static const mlsh_Reg scaler_methods[] = {
  {"fit", s_fit, "scaler:fit(X)",
   "Learn per-column shift and scale from X (a Matrix, an array of rows or a DataFrame). Returns the scaler.\n"
   "Example: sc:fit(Xtrain)"},
  {"transform", s_transform, "scaler:transform(X)",
   "A new Matrix (X - shift) / scale with the fitted columns.\nExample: local Z = sc:transform(Xtest)"},
  {"fit_transform", s_fit_transform, "scaler:fit_transform(X)",
   "fit(X), then transform(X).\nExample: local Z = learn.scaler():fit_transform(X)"},
  {"params", s_params, "scaler:params()",
   "The fitted parameters as 1 x p Matrices: {mean, scale} (standard) or {min, range} (minmax).\n"
   "Example: print(sc:params().mean)"},
  {NULL, NULL, NULL, NULL, NULL}
};

static const luaL_Reg scaler_meta[] = {{"__gc", s_gc}, {"__tostring", s_tostring}, {NULL, NULL}};

static const mlsh_Reg prep_funcs[] = {
  {"encode", l_encode, "learn.encode(values)",
   "Integer labels 1..K for an array of strings or of numbers (not both), classes in sorted order as "
   "scikit-learn's LabelEncoder (strings by byte order, as the classifiers sort string labels). Returns the "
   "labels and the sorted class names (names[label] is the class of a label). The classifiers take string "
   "labels themselves; encode is for code that wants the integers.\n"
   "Example: local y, names = learn.encode({\"rose\", \"daisy\", \"rose\"})  -- {2, 1, 2}, {\"daisy\", \"rose\"}"},
  {"split", l_split, "learn.split(X, y [, opts])",
   "Shuffle-split the rows of X (a Matrix, an array of rows or a DataFrame's numeric columns) and their labels "
   "y (integers or strings; nil for none) into train and test. Returns Xtrain, Xtest, ytrain, ytest (labels of "
   "the kind given), itrain, itest (1-based row indices, ascending).\n"
   "Example: local Xtr, Xte, ytr, yte = learn.split(df, df:col(\"species\"), {test=0.2, seed=42})", &split_spec},
  {"kfold", l_kfold, "learn.kfold(y | n [, opts])",
   "Cross-validation folds over labels y (integers or strings; stratified by default) or over n items. "
   "Returns an array of k tables {train = indices, test = indices} (1-based).\n"
   "Example: for _, f in ipairs(learn.kfold(y, {k=5, seed=1})) do print(#f.test) end", &kfold_spec},
  {"rows", l_rows, "learn.rows(X, idx)",
   "The rows of X (a Matrix, an array of rows or a DataFrame's numeric columns) listed in idx (1-based), as a "
   "new Matrix.\nExample: local Xa = learn.rows(X, {1, 5, 9})"},
  {"scaler", l_scaler, "learn.scaler([opts])",
   "A feature scaler. Returns a Scaler with fit, transform, fit_transform, params.\n"
   "Example: local sc = learn.scaler(); local Z = sc:fit_transform(Xtr); local Zt = sc:transform(Xte)", &scaler_spec},
  {"_metrics", l_metrics, "learn._metrics(ytrue, ypred)",
   "The numbers behind learn.metrics (accuracy, per-class precision/recall/f1/support, macro, weighted, confusion).\n"
   "Example: local r = learn._metrics({1,2,2}, {1,2,1})"},
  {"_check_xy", l_check_xy, "learn._check_xy(fname, X, y)",
   "Internal: X as a Matrix, with the labels y checked against it, errors in fname's words.\n"
   "Example: X = learn._check_xy(\"learn.cross_validate\", df, y)"},
  {NULL, NULL, NULL, NULL, NULL}
};

void mlsh_open_learn_prep(lua_State *L) {
  mlsh_new_class(L, SCALER_MT, "Scaler", scaler_methods, scaler_meta);
  lua_pop(L, 1);
  mlsh_register(L, "learn", prep_funcs);
}
