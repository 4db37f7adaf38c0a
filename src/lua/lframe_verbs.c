/* lframe_verbs.c - the verbs that reorder, subset and group rows:
 * arrange, slice/head/tail/sample, drop_na, distinct, count, group_by /
 * ungroup and what a grouped frame answers (group_keys, n_groups,
 * group_split), and the name-level primitives select and rename build on.
 * Every verb returns a new frame sharing the columns it leaves alone;
 * the frame it was called on never changes. */
#include <string.h>
#include "lframe.h"
#include "../core/alloc.h"
#include "../core/rng.h"
#include "../frame/group.h"
#include "../frame/sort.h"
#include "../frame/keys.h"
#include "../frame/slice.h"

static int64_t *scratch_idx(lua_State *L, size_t n, const char *fname) {
  return mlsh_scratch(L, (n ? n : 1) * sizeof(int64_t), fname);
}

/* Push the rows idx[0..m) of u's frame, groups kept. */
static void push_take(lua_State *L, const lframe *u, const int64_t *idx, size_t m, const char *fname) {
  mlsh_frame *out = NULL;
  mlsh_err err = {0};
  int rc = frame_take(u->f, idx, m, &out, &err);
  if (rc) mlsh_fail(L, fname, rc, &err);
  if (!u->f->ncol) out->nrow = m;
  lframe_push_like(L, u, out, 1);
}

static void release_groups(void *p) { frame_groups_free(p); }

/* Groups of the columns (sorted: in key order, NA last), owned by a guard on the stack. */
static frame_groups *push_groups(lua_State *L, const mlsh_col *const *cols, size_t k, size_t n, int sorted,
                                 const char *fname) {
  frame_groups *g = mlsh_guard(L, sizeof *g, release_groups);
  mlsh_err err = {0};
  int rc = k ? frame_group(cols, k, sorted, 0, g, &err) : frame_group_all(n, g, &err);
  if (rc) mlsh_fail(L, fname, rc, &err);
  if (!k && n == 0) g->ngroups = 0;   /* no rows, no group */
  return g;
}

/* ---- names ---- */

static int l_pick(lua_State *L) {
  const char *fname = "DataFrame:select";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const char **names;
  size_t k = lframe_arg_names(L, 2, 2, fname, &names);
  mlsh_frame *out = NULL;
  mlsh_err err = {0};
  for (size_t q = 0; q < k; q++)
    for (size_t p = 0; p < q; p++)
      if (strcmp(names[p], names[q]) == 0) return mlsh_error(L, fname, "column '%s' is selected twice", names[q]);
  lframe_lookup_cols(L, u->f, names, k, fname);
  int rc = frame_select(u->f, names, k, &out, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lframe_push_like(L, u, out, 1);
  return 1;
}

/* df:_set_names(names): the same columns under new names (rename). */
static int l_set_names(lua_State *L) {
  const char *fname = "DataFrame:rename";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const char **names;
  size_t k = lframe_arg_names(L, 2, 2, fname, &names);
  if (k != u->f->ncol) return mlsh_error(L, fname, "%zu names for %zu columns", k, u->f->ncol);
  mlsh_frame *out = NULL;
  mlsh_err err = {0};
  int rc = frame_new(u->f->nrow, &out, &err);
  for (size_t j = 0; !rc && j < k; j++) rc = frame_add(out, names[j], u->f->cols[j], &err);
  if (rc) {
    frame_free(out);
    return mlsh_fail(L, fname, rc, &err);
  }
  lframe_push(L, out);
  /* the group keys follow their columns */
  const char *keys[64];
  size_t nk = 0;
  for (size_t i = 0; i < u->ngroup_keys && nk < 64; i++) {
    long j = frame_find(u->f, u->group_keys[i]);
    if (j >= 0) keys[nk++] = names[j];
  }
  if (nk) lframe_set_groups(L, -1, keys, nk, fname);
  return 1;
}

/* ---- arrange ---- */

static int l_arrange(lua_State *L) {
  const char *fname = "DataFrame:arrange";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const char **names;
  size_t k = lframe_arg_names(L, 2, lua_gettop(L), fname, &names);
  const char **plain = mlsh_scratch(L, (k + 1) * sizeof *plain, fname);
  int *desc = mlsh_scratch(L, (k + 1) * sizeof *desc, fname);
  for (size_t q = 0; q < k; q++) {
    size_t len = strlen(names[q]);
    desc[q] = len > 6 && strncmp(names[q], "desc(", 5) == 0 && names[q][len - 1] == ')';
    if (desc[q]) {
      lua_pushlstring(L, names[q] + 5, len - 6);
      plain[q] = lua_tostring(L, -1);   /* kept on the stack */
    } else {
      plain[q] = names[q];
    }
  }
  const mlsh_col **keys = lframe_lookup_cols(L, u->f, plain, k, fname);
  size_t n = u->f->nrow;
  int64_t *perm = scratch_idx(L, n, fname);
  mlsh_err err = {0};
  int rc = k ? frame_order(keys, k, desc, 0, perm, &err) : MLSH_OK;
  if (rc) return mlsh_fail(L, fname, rc, &err);
  if (!k)
    for (size_t i = 0; i < n; i++) perm[i] = (int64_t)i;
  push_take(L, u, perm, n, fname);
  return 1;
}

/* ---- rows by position ---- */

static void push_rows(lua_State *L, const lframe *u, size_t begin, size_t len, const char *fname) {
  int64_t *idx = scratch_idx(L, len, fname);
  for (size_t i = 0; i < len; i++) idx[i] = (int64_t)(begin + i);
  push_take(L, u, idx, len, fname);
}

static size_t count_arg(lua_State *L, int idx, size_t def, const char *fname, const char *argname) {
  if (lua_isnoneornil(L, idx)) return def;
  lua_Integer v = mlsh_check_integer(L, idx, fname, argname);
  if (v < 0) mlsh_error(L, fname, "argument '%s' must be a non-negative integer (got %lld)", argname, (long long)v);
  return (size_t)v;
}

static int l_head(lua_State *L) {
  lframe *u = lframe_check_ud(L, 1, "DataFrame:head", "self");
  size_t n = count_arg(L, 2, 6, "DataFrame:head", "n");
  push_rows(L, u, 0, n < u->f->nrow ? n : u->f->nrow, "DataFrame:head");
  return 1;
}

static int l_tail(lua_State *L) {
  lframe *u = lframe_check_ud(L, 1, "DataFrame:tail", "self");
  size_t n = count_arg(L, 2, 6, "DataFrame:tail", "n"), nrow = u->f->nrow;
  if (n > nrow) n = nrow;
  push_rows(L, u, nrow - n, n, "DataFrame:tail");
  return 1;
}

/* df:slice(i, j) rows i..j; df:slice{3, 1, 2} the listed rows (1-based). */
static int l_slice(lua_State *L) {
  const char *fname = "DataFrame:slice";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  size_t nrow = u->f->nrow;
  if (lua_type(L, 2) == LUA_TTABLE) {
    size_t m = lua_rawlen(L, 2);
    int64_t *idx = scratch_idx(L, m, fname);
    for (size_t q = 0; q < m; q++) {
      lua_rawgeti(L, 2, (lua_Integer)q + 1);
      lua_Integer i = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
      if (i < 1 || (size_t)i > nrow)
        return mlsh_error(L, fname, "row %zu of the list (%s) is outside 1..%zu", q + 1, lua_tostring(L, -1) ? lua_tostring(L, -1) : mlsh_typename(L, -1), nrow);
      lua_pop(L, 1);
      idx[q] = i - 1;
    }
    push_take(L, u, idx, m, fname);
    return 1;
  }
  lua_Integer i = mlsh_check_integer(L, 2, fname, "from");
  lua_Integer j = lua_isnoneornil(L, 3) ? i : mlsh_check_integer(L, 3, fname, "to");
  if (i < 1 || j < i - 1 || (size_t)j > nrow)
    return mlsh_error(L, fname, "rows %lld..%lld are outside 1..%zu", (long long)i, (long long)j, nrow);
  push_rows(L, u, (size_t)i - 1, (size_t)(j - i + 1), fname);
  return 1;
}

typedef struct { uint64_t seed; int replace; } sample_args;
static const mlsh_opt sample_opt[] = {
  MLSH_OPT_SEED(sample_args, seed),
  MLSH_OPT_BOOL(sample_args, replace, "replace", 0, "draw with replacement (a row may come several times)"),
  MLSH_OPT_END};
static const mlsh_optspec sample_spec = {"DataFrame:sample", sample_opt};

/* m rows drawn from rows[0..size) into out: with replacement, or the
 * first m of a partial Fisher-Yates shuffle of rows (rows is permuted). */
static void draw(mlsh_rng *rng, int64_t *rows, size_t size, size_t m, int replace, int64_t *out) {
  for (size_t i = 0; i < m; i++) {
    if (replace) {
      out[i] = rows[mlsh_rng_below(rng, size)];
      continue;
    }
    size_t j = i + (size_t)mlsh_rng_below(rng, size - i);
    int64_t t = rows[i];
    rows[i] = rows[j];
    rows[j] = t;
    out[i] = rows[i];
  }
}

/* The rows of each group together (groups in key order, rows in order):
 * group q holds rows[start[q] .. start[q + 1]). */
static int64_t *rows_by_group(lua_State *L, const frame_groups *g, size_t n, size_t ng, int64_t **start, const char *fname) {
  int64_t *s = scratch_idx(L, ng + 1, fname), *rows = scratch_idx(L, n, fname), *fill = scratch_idx(L, ng, fname);
  memset(s, 0, (ng + 1) * sizeof *s);
  for (size_t i = 0; i < n; i++) s[g->id[i] + 1]++;
  for (size_t q = 0; q < ng; q++) s[q + 1] += s[q];
  memcpy(fill, s, ng * sizeof *fill);
  for (size_t i = 0; i < n; i++) rows[fill[g->id[i]]++] = (int64_t)i;
  *start = s;
  return rows;
}

static int l_sample(lua_State *L) {
  const char *fname = sample_spec.fname;
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  size_t nrow = u->f->nrow;
  sample_args a = {0, 0};
  int opts = lua_type(L, 2) == LUA_TTABLE ? 2 : 3, all = opts == 2 || lua_isnil(L, 2);
  size_t m = all ? nrow : count_arg(L, 2, nrow, fname, "n");
  mlsh_opts(L, opts, &sample_spec, &a);
  const mlsh_col **keys;
  size_t nk = lframe_group_cols(L, u, &keys, fname);
  frame_groups *g = push_groups(L, keys, nk, nrow, 1, fname);
  size_t ng = nk ? g->ngroups : 1, total = 0;
  int64_t *start, *rows = rows_by_group(L, g, nrow, ng, &start, fname);
  for (size_t q = 0; q < ng; q++) {   /* per group, as dplyr's slice_sample */
    size_t size = (size_t)(start[q + 1] - start[q]);
    if (!a.replace && !all && m > size)
      return mlsh_error(L, fname, "cannot take %zu rows out of %zu without replace = true", m, size);
    if (a.replace && m && !size) return mlsh_error(L, fname, "cannot draw rows from an empty frame");
    total += all ? size : m;
  }
  mlsh_rng rng;
  mlsh_rng_seed(&rng, a.seed);
  int64_t *idx = scratch_idx(L, total, fname);
  for (size_t q = 0, at = 0; q < ng; q++) {
    size_t size = (size_t)(start[q + 1] - start[q]), k = all ? size : m;
    draw(&rng, rows + start[q], size, k, a.replace, idx + at);
    at += k;
  }
  push_take(L, u, idx, total, fname);
  mlsh_guards_release(L);
  return 1;
}

/* ---- the rows of the largest or smallest values per group ---- */

typedef struct { int with_ties; } top_args;
static const mlsh_opt top_opt[] = {
  MLSH_OPT_BOOL(top_args, with_ties, "with_ties", 1, "also keep the rows tied with the n-th value (dplyr's default)"),
  MLSH_OPT_END};
static const mlsh_optspec slice_max_spec = {"DataFrame:slice_max", top_opt};
static const mlsh_optspec slice_min_spec = {"DataFrame:slice_min", top_opt};

static void release_rows(void *p) { mlsh_free(*(int64_t **)p); }

static int slice_top(lua_State *L, const mlsh_optspec *spec, int want_max) {
  const char *fname = spec->fname;
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const char *name = mlsh_check_string(L, 2, fname, "order_by");
  int opts = lua_type(L, 3) == LUA_TTABLE ? 3 : 4;
  size_t n = opts == 3 ? 1 : count_arg(L, 3, 1, fname, "n");
  top_args a = {1};
  mlsh_opts(L, opts, spec, &a);
  const mlsh_col *x = *lframe_lookup_cols(L, u->f, &name, 1, fname);
  const mlsh_col **keys;
  size_t nk = lframe_group_cols(L, u, &keys, fname);
  frame_groups *g = push_groups(L, keys, nk, u->f->nrow, 1, fname);
  int64_t **rows = mlsh_guard(L, sizeof *rows, release_rows);
  size_t m;
  mlsh_err err = {0};
  int rc = frame_slice_top(x, g, n, want_max, a.with_ties, 0, rows, &m, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  push_take(L, u, *rows, m, fname);
  mlsh_guards_release(L);
  return 1;
}

static int l_slice_max(lua_State *L) { return slice_top(L, &slice_max_spec, 1); }
static int l_slice_min(lua_State *L) { return slice_top(L, &slice_min_spec, 0); }

/* The columns named by the arguments 2.. (*k of them, names in *names),
 * or every column when none is named (*k = 0, *nk = ncol). */
static const mlsh_col **named_or_all(lua_State *L, const lframe *u, const char ***names, size_t *k, size_t *nk,
                                     const char *fname) {
  *k = lframe_arg_names(L, 2, lua_gettop(L), fname, names);
  *nk = *k ? *k : u->f->ncol;
  return *k ? lframe_lookup_cols(L, u->f, *names, *k, fname) : (const mlsh_col **)u->f->cols;
}

/* ---- missing values ---- */

static int l_drop_na(lua_State *L) {
  const char *fname = "DataFrame:drop_na";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const char **names;
  size_t named, k;
  const mlsh_col **cols = named_or_all(L, u, &names, &named, &k, fname);
  size_t n = u->f->nrow, m = 0;
  int64_t *idx = scratch_idx(L, n, fname);
  for (size_t i = 0; i < n; i++) {
    size_t q = 0;
    while (q < k && !key_missing(cols[q], i)) q++;
    if (q == k) idx[m++] = (int64_t)i;
  }
  push_take(L, u, idx, m, fname);
  return 1;
}

/* ---- distinct and count ---- */

/* The named columns with the group keys of a grouped frame added, as
 * dplyr: keys first (count), or after the named ones (distinct); *names
 * is replaced by a scratch array. */
static size_t with_group_keys(lua_State *L, const lframe *u, const char ***names, size_t k, int keys_first,
                              const char *fname) {
  if (!u->ngroup_keys) return k;
  const char **all = mlsh_scratch(L, (u->ngroup_keys + k + 1) * sizeof *all, fname);
  size_t m = 0;
  if (!keys_first)
    for (size_t q = 0; q < k; q++) all[m++] = (*names)[q];
  for (size_t q = 0; q < u->ngroup_keys; q++) {
    size_t p = 0;
    while (p < k && strcmp(u->group_keys[q], (*names)[p]) != 0) p++;
    if (keys_first || p == k) all[m++] = u->group_keys[q];
  }
  if (keys_first)
    for (size_t q = 0; q < k; q++) {
      size_t p = 0;
      while (p < u->ngroup_keys && strcmp(u->group_keys[p], (*names)[q]) != 0) p++;
      if (p == u->ngroup_keys) all[m++] = (*names)[q];
    }
  *names = all;
  return m;
}

static int l_distinct(lua_State *L) {
  const char *fname = "DataFrame:distinct";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const char **names;
  size_t k, nk;
  const mlsh_col **cols = named_or_all(L, u, &names, &k, &nk, fname);
  if (k) {
    k = nk = with_group_keys(L, u, &names, k, 0, fname);
    cols = lframe_lookup_cols(L, u->f, names, k, fname);
  }
  frame_groups *g = push_groups(L, cols, nk, u->f->nrow, 0, fname);
  size_t ng = nk ? g->ngroups : (u->f->nrow ? 1 : 0);
  mlsh_frame *picked = NULL, *out = NULL;
  mlsh_err err = {0};
  int rc = k ? frame_select(u->f, names, k, &picked, &err) : MLSH_OK;
  if (!rc) rc = frame_take(k ? picked : u->f, g->first, ng, &out, &err);
  frame_free(picked);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  if (!nk) out->nrow = ng;
  lframe_push_like(L, u, out, 1);
  mlsh_guards_release(L);
  return 1;
}

typedef struct { const char *name; int sort; } count_args;
static const mlsh_opt count_opt[] = {
  MLSH_OPT_STR(count_args, name, "name", "n", "name of the count column"),
  MLSH_OPT_BOOL(count_args, sort, "sort", 0, "largest counts first (ties in key order)"),
  MLSH_OPT_END};
static const mlsh_optspec count_spec = {"DataFrame:count", count_opt};

/* The key columns at the groups' first rows, then the sizes as `name`. */
static mlsh_frame *count_frame(lua_State *L, const mlsh_frame *f, const char *const *names, size_t k,
                               const frame_groups *g, const char *cname, const char *fname) {
  mlsh_frame *keys = NULL, *out = NULL;
  mlsh_col *n = NULL;
  mlsh_err err = {0};
  int rc = frame_select(f, names, k, &keys, &err);
  if (!rc) rc = frame_take(keys, g->first, g->ngroups, &out, &err);
  if (!rc) out->nrow = g->ngroups;
  if (!rc) rc = col_from_array(COL_INT64, g->size, g->ngroups, NULL, &n, &err);
  if (!rc && frame_find(out, cname) >= 0) rc = mlsh_seterr(&err, MLSH_EINVAL, "%s: the count column '%s' is a key; pick another name (option 'name')", fname, cname);
  if (!rc) rc = frame_add(out, cname, n, &err);
  col_unref(n);
  frame_free(keys);
  if (rc) {
    frame_free(out);
    if (strncmp(err.msg, fname, strlen(fname)) == 0) mlsh_error(L, fname, "%s", err.msg + strlen(fname) + 2);
    mlsh_fail(L, fname, rc, &err);
  }
  return out;
}

static int l_count(lua_State *L) {
  const char *fname = count_spec.fname;
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  int top = lua_gettop(L);
  count_args a = {"n", 0};
  if (lua_type(L, 2) == LUA_TTABLE && lua_rawlen(L, 2) > 0) {   /* df:count({"a", "b"} [, opts]) */
    mlsh_opts(L, 3, &count_spec, &a);
    top = 2;
  } else if (top >= 2 && lua_type(L, top) == LUA_TTABLE) {      /* df:count("a", "b" [, opts]) */
    mlsh_opts(L, top, &count_spec, &a);
    top--;
  }
  const char **names;
  size_t k = lframe_arg_names(L, 2, top, fname, &names);
  k = with_group_keys(L, u, &names, k, 1, fname);
  const mlsh_col **cols = lframe_lookup_cols(L, u->f, names, k, fname);
  frame_groups *g = push_groups(L, cols, k, u->f->nrow, 1, fname);
  if (!k) g->ngroups = 1, g->first[0] = -1;   /* one row: the number of rows */
  mlsh_frame *out = count_frame(L, u->f, names, k, g, a.name, fname);
  lframe_push_like(L, u, out, 1);
  if (!a.sort) { mlsh_guards_release(L); return 1; }
  int desc = 1;
  const mlsh_col *key = out->cols[out->ncol - 1];
  int64_t *perm = scratch_idx(L, out->nrow, fname);
  mlsh_err err = {0};
  int rc = frame_order(&key, 1, &desc, 1, perm, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  push_take(L, lframe_check_ud(L, -2, fname, "self"), perm, out->nrow, fname);
  mlsh_guards_release(L);
  return 1;
}

/* ---- groups ---- */

static int l_group_by(lua_State *L) {
  const char *fname = "DataFrame:group_by";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const char **names;
  size_t k = lframe_arg_names(L, 2, lua_gettop(L), fname, &names);
  if (k == 0) return mlsh_error(L, fname, "name at least one key column");
  if (k > 64) return mlsh_error(L, fname, "at most 64 key columns (got %zu)", k);
  lframe_lookup_cols(L, u->f, names, k, fname);
  lframe_push(L, lframe_copy(L, u->f, fname));
  lframe_set_groups(L, -1, names, k, fname);
  return 1;
}

static int l_ungroup(lua_State *L) {
  lframe *u = lframe_check_ud(L, 1, "DataFrame:ungroup", "self");
  lframe_push(L, lframe_copy(L, u->f, "DataFrame:ungroup"));
  return 1;
}

static int l_group_keys(lua_State *L) {
  lframe *u = lframe_check_ud(L, 1, "DataFrame:group_keys", "self");
  lframe_push_names(L, u->group_keys, u->ngroup_keys);
  return 1;
}

static int l_n_groups(lua_State *L) {
  const char *fname = "DataFrame:n_groups";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const mlsh_col **cols;
  size_t k = lframe_group_cols(L, u, &cols, fname);
  frame_groups *g = push_groups(L, cols, k, u->f->nrow, 0, fname);
  lua_pushinteger(L, (lua_Integer)(k ? g->ngroups : 1));
  mlsh_guards_release(L);
  return 1;
}

/* Each group's rows (in row order) as frames, groups in key order. */
static int l_group_split(lua_State *L) {
  const char *fname = "DataFrame:group_split";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const mlsh_col **cols;
  size_t k = lframe_group_cols(L, u, &cols, fname), n = u->f->nrow;
  frame_groups *g = push_groups(L, cols, k, n, 1, fname);
  size_t ng = k ? g->ngroups : 1;
  int64_t *start, *rows = rows_by_group(L, g, n, ng, &start, fname);
  lua_createtable(L, (int)ng, 0);
  for (size_t q = 0; q < ng; q++) {
    push_take(L, u, rows + start[q], (size_t)(start[q + 1] - start[q]), fname);
    lua_rawseti(L, -2, (lua_Integer)q + 1);
  }
  mlsh_guards_release(L);
  return 1;
}

static const mlsh_Reg verb_methods[] = {
  {"_pick", l_pick, "df:_pick(names)", "Internal: the named columns in order (see df:select).", NULL},
  {"_set_names", l_set_names, "df:_set_names(names)", "Internal: the columns under new names (see df:rename).", NULL},
  {"arrange", l_arrange, "df:arrange(key, ...)",
   "The rows sorted by the key columns, the first key first: \"desc(b)\" sorts b in decreasing order. The\n"
   "sort is stable (ties keep their order) and NA (and NaN) come last, as dplyr's arrange; strings sort by\n"
   "bytes (the C locale).\nExample: mtcars:arrange(\"cyl\", \"desc(mpg)\")", NULL},
  {"head", l_head, "df:head([n=6])", "The first n rows (all when fewer).\nExample: df:head(3)", NULL},
  {"tail", l_tail, "df:tail([n=6])", "The last n rows (all when fewer).\nExample: df:tail(3)", NULL},
  {"slice", l_slice, "df:slice(from [, to]) | df:slice{rows}",
   "Rows from..to (1-based, inclusive), or the rows listed, in that order (repeats allowed).\n"
   "Example: df:slice(11, 20)", NULL},
  {"slice_max", l_slice_max, "df:slice_max(order_by [, n=1] [, opts])",
   "The rows with the n largest values of column order_by (dplyr's slice_max): on a grouped frame n from\n"
   "each group, groups in key order, each group's rows largest first (equal values in row order), groups\n"
   "kept. With with_ties (the default) rows tied with the n-th value come too and missing values never do;\n"
   "with_ties = false gives exactly n rows (missing values last when a group has fewer). O(rows): a\n"
   "selection per group, no full sort.\n"
   "Example: df:group_by(\"cyl\"):slice_max(\"mpg\", 2)", &slice_max_spec},
  {"slice_min", l_slice_min, "df:slice_min(order_by [, n=1] [, opts])",
   "The rows with the n smallest values of column order_by (dplyr's slice_min): as slice_max, smallest\n"
   "first.\nExample: df:group_by(\"cyl\"):slice_min(\"mpg\", 1, {with_ties = false})", &slice_min_spec},
  {"sample", l_sample, "df:sample([n] [, opts])",
   "n rows drawn at random (all of them, shuffled, when n is absent), without replacement unless\n"
   "replace = true; on a grouped frame n from each group, groups in key order (dplyr's slice_sample).\n"
   "The same seed gives the same rows.\nExample: df:sample(10, {seed = 1})", &sample_spec},
  {"drop_na", l_drop_na, "df:drop_na([col, ...])",
   "The rows with no NA (nor NaN) in the named columns (in any column when none is named), as tidyr's\n"
   "drop_na.\nExample: airquality:drop_na(\"Ozone\")", NULL},
  {"distinct", l_distinct, "df:distinct([col, ...])",
   "The distinct rows of the named columns (of all columns when none is named; on a grouped frame the\n"
   "group keys follow), each at its first appearance, with only those columns, as dplyr's distinct.\nExample: mtcars:distinct(\"cyl\", \"gear\")", NULL},
  {"count", l_count, "df:count([col, ...] [, opts])",
   "One row per distinct value of the columns (on a grouped frame: the group keys, then those named), in\n"
   "key order (NA last), with the number of rows in an integer column n, as dplyr's count.\n"
   "Columns may also come as one array: df:count({\"cyl\", \"gear\"}, {sort = true}).\n"
   "Example: mtcars:count(\"cyl\", \"gear\")", &count_spec},
  {"group_by", l_group_by, "df:group_by(key, ...)",
   "The same frame grouped by the key columns: summarise, count, describe and printing work per group.\n"
   "Example: g = mtcars:group_by(\"cyl\")", NULL},
  {"ungroup", l_ungroup, "df:ungroup()", "The same frame without groups.\nExample: g:ungroup()", NULL},
  {"group_keys", l_group_keys, "df:group_keys()", "The names of the group key columns ({} when not grouped).\nExample: g:group_keys()", NULL},
  {"n_groups", l_n_groups, "df:n_groups()", "The number of groups (1 when not grouped).\nExample: g:n_groups()", NULL},
  {"group_split", l_group_split, "df:group_split()",
   "The rows of each group as a frame (an array of frames, in key order; one frame when not grouped).\n"
   "Example: for _, part in ipairs(g:group_split()) do print(part:nrow()) end", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_frame_verbs(lua_State *L) {
  lframe_add_methods(L, verb_methods);
}
