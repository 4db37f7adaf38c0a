/* lframe_join.c - verbs that combine frames or reshape them: join,
 * bind_rows, bind_cols, pivot_longer, pivot_wider. */
#include <stdio.h>
#include <string.h>
#include "lframe.h"
#include "../core/alloc.h"
#include "../frame/bind.h"
#include "../frame/group.h"
#include "../frame/join.h"
#include "../frame/keys.h"

static void release_frame(void *p) { frame_free(*(mlsh_frame **)p); }
static void release_join(void *p) { frame_join_result_free(p); }

/* An output frame under construction, freed by the collector on error. */
static mlsh_frame **new_out(lua_State *L, size_t nrow, const char *fname) {
  mlsh_frame **out = mlsh_guard(L, sizeof *out, release_frame);
  mlsh_err err = {0};
  if (frame_new(nrow, out, &err)) mlsh_fail(L, fname, err.code, &err);
  return out;
}

/* Add c (taken) to f as name; errors go to fname. */
static void add_col(lua_State *L, mlsh_frame *f, const char *name, mlsh_col *c, int rc, mlsh_err *err, const char *fname) {
  if (!rc) rc = frame_add(f, name, c, err);
  col_unref(c);
  if (rc) mlsh_fail(L, fname, rc, err);
}

static void take_into(lua_State *L, mlsh_frame *f, const char *name, const mlsh_col *c, const int64_t *idx, size_t m,
                      const char *fname) {
  mlsh_col *t = NULL;
  mlsh_err err = {0};
  int rc = col_take(c, idx, m, &t, &err);
  add_col(L, f, name, t, rc, &err, fname);
}

/* The same gather for every column of a frame of n rows: idx checked once. */
static void plan_for(lua_State *L, const int64_t *idx, size_t m, size_t n, col_take_plan *plan, const char *fname) {
  mlsh_err err = {0};
  int rc = col_take_plan_make(idx, m, n, plan, &err);
  if (rc) mlsh_fail(L, fname, rc, &err);
}

static void take_planned(lua_State *L, mlsh_frame *f, const char *name, const mlsh_col *c, const col_take_plan *plan,
                         const char *fname) {
  mlsh_col *t = NULL;
  mlsh_err err = {0};
  int rc = col_take_planned(c, plan, &t, &err);
  add_col(L, f, name, t, rc, &err, fname);
}

/* Hand the guarded frame over to a DataFrame. */
static void push_out(lua_State *L, mlsh_frame **out) {
  mlsh_frame *f = *out;
  *out = NULL;
  lframe_push(L, f);
}

/* ---- join ---- */

static const char *const join_hows[] = {"inner", "left", "right", "full", "semi", "anti", NULL};
static const char *const na_matches[] = {"na", "never", NULL};
typedef struct { int how, na; } join_args;
static const mlsh_opt join_opt[] = {
  MLSH_OPT_ENUM(join_args, how, "how", 0, join_hows, "which rows: matched (inner), all of the left, of the right, of both (full); semi/anti: the left rows with/without a match"),
  MLSH_OPT_VALUE("on", MLSH_OT_ANY, "the common names", "key: a name, an array of names, or {left_name = \"right_name\", ...}"),
  MLSH_OPT_VALUE("suffix", MLSH_OT_TABLE, "{\".x\", \".y\"}", "added to the names both frames have (outside the keys)"),
  MLSH_OPT_ENUM(join_args, na, "na_matches", 0, na_matches, "\"na\": NA keys match NA keys (dplyr); \"never\": they match nothing"),
  MLSH_OPT_END};
static const mlsh_optspec join_spec = {"DataFrame:join", join_opt};

typedef struct { const char **left, **right; size_t k; } key_pairs;

static void add_pair(lua_State *L, key_pairs *p, const char *l, const char *r) {
  p->left[p->k] = l;
  p->right[p->k++] = r;
  (void)L;
}

/* The key names from the `on` option (at the top of the stack, or nil: the common names). */
static void join_keys(lua_State *L, const mlsh_frame *a, const mlsh_frame *b, key_pairs *p, const char *fname) {
  int on = lua_gettop(L), t = lua_type(L, on);
  size_t cap = a->ncol + (t == LUA_TTABLE ? lua_rawlen(L, on) : 0) + 64;
  p->left = mlsh_scratch(L, cap * sizeof *p->left, fname);
  p->right = mlsh_scratch(L, cap * sizeof *p->right, fname);
  p->k = 0;
  if (t == LUA_TNIL) {
    for (size_t j = 0; j < a->ncol; j++)
      if (frame_find(b, a->names[j]) >= 0) add_pair(L, p, a->names[j], a->names[j]);
    if (!p->k) mlsh_error(L, fname, "the frames have no column name in common: say which with option 'on'");
  } else if (t == LUA_TSTRING) {
    add_pair(L, p, lua_tostring(L, on), lua_tostring(L, on));
  } else if (t == LUA_TTABLE) {
    size_t n = lua_rawlen(L, on);
    for (size_t q = 0; q < n; q++) {
      lua_rawgeti(L, on, (lua_Integer)q + 1);
      if (lua_type(L, -1) != LUA_TSTRING) mlsh_error(L, fname, "option 'on': key %zu must be a column name", q + 1);
      add_pair(L, p, lua_tostring(L, -1), lua_tostring(L, -1));
      lua_pop(L, 1);
    }
    lua_pushnil(L);
    while (lua_next(L, on)) {
      if (lua_type(L, -2) == LUA_TSTRING) {
        if (lua_type(L, -1) != LUA_TSTRING || p->k + 1 >= cap)
          mlsh_error(L, fname, "option 'on': %s = must name a column of the right frame", lua_tostring(L, -2));
        add_pair(L, p, lua_tostring(L, -2), lua_tostring(L, -1));
      }
      lua_pop(L, 1);
    }
    if (!p->k) mlsh_error(L, fname, "option 'on' names no key");
  } else {
    mlsh_error(L, fname, "option 'on' must be a name, an array of names or {left = \"right\"} (got %s)", mlsh_typename(L, on));
  }
}

static long key_index(const char *const *names, size_t k, const char *name) {
  for (size_t q = 0; q < k; q++)
    if (strcmp(names[q], name) == 0) return (long)q;
  return -1;
}

static const char *suffixed(lua_State *L, const char *name, const char *suffix) {
  lua_pushfstring(L, "%s%s", name, suffix);
  return lua_tostring(L, -1);   /* kept on the stack until the result is pushed */
}

/* The key column of a right or full join: the left key, or the right one
 * for the rows only the right frame has. */
static void coalesced_key(lua_State *L, mlsh_frame *out, const char *name, const mlsh_col *l, const mlsh_col *r,
                          const frame_join_result *jr, const char *fname) {
  const mlsh_col *parts[2] = {l, r};
  size_t lens[2] = {l->n, r->n};
  int64_t *idx = mlsh_scratch(L, (jr->n ? jr->n : 1) * sizeof *idx, fname);   /* before anything to free */
  for (size_t i = 0; i < jr->n; i++) idx[i] = jr->left[i] >= 0 ? jr->left[i] : (int64_t)l->n + jr->right[i];
  mlsh_col *both = NULL;
  mlsh_err err = {0};
  int rc = col_concat(parts, lens, 2, name, &both, &err);
  if (rc) mlsh_fail(L, fname, rc, &err);
  mlsh_col *c = NULL;
  rc = col_take(both, idx, jr->n, &c, &err);
  col_unref(both);
  add_col(L, out, name, c, rc, &err, fname);
}

static void join_columns(lua_State *L, const mlsh_frame *a, const mlsh_frame *b, const key_pairs *p,
                         const frame_join_result *jr, int how, const char *sx, const char *sy, mlsh_frame *out,
                         const char *fname) {
  col_take_plan left, right;
  plan_for(L, jr->left, jr->n, a->nrow, &left, fname);
  if (jr->right) plan_for(L, jr->right, jr->n, b->nrow, &right, fname);
  for (size_t j = 0; j < a->ncol; j++) {
    long q = key_index(p->left, p->k, a->names[j]);
    const char *name = a->names[j];
    if (q >= 0 && (how == JOIN_RIGHT || how == JOIN_FULL)) {
      coalesced_key(L, out, name, a->cols[j], b->cols[frame_find(b, p->right[q])], jr, fname);
      continue;
    }
    if (q < 0 && frame_find(b, name) >= 0 && key_index(p->right, p->k, name) < 0) name = suffixed(L, name, sx);
    take_planned(L, out, name, a->cols[j], &left, fname);
  }
  for (size_t j = 0; j < b->ncol; j++) {
    if (key_index(p->right, p->k, b->names[j]) >= 0) continue;
    const char *name = b->names[j];
    if (frame_find(a, name) >= 0) name = suffixed(L, name, sy);
    take_planned(L, out, name, b->cols[j], &right, fname);
  }
}

static void join_suffix(lua_State *L, const char **sx, const char **sy, const char *fname) {
  *sx = ".x";
  *sy = ".y";
  if (mlsh_opt_get(L, 3, "suffix") == LUA_TNIL) return;
  int t = lua_gettop(L);
  lua_rawgeti(L, t, 1);
  lua_rawgeti(L, t, 2);
  if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING || !strcmp(lua_tostring(L, -1), lua_tostring(L, -2)))
    mlsh_error(L, fname, "option 'suffix' must be two different strings, {\".x\", \".y\"}");
  *sx = lua_tostring(L, -2);   /* alive: the options table holds them */
  *sy = lua_tostring(L, -1);
}

static int l_join(lua_State *L) {
  const char *fname = join_spec.fname;
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const mlsh_frame *a = u->f, *b = lframe_check(L, 2, fname, "other");
  join_args o = {0, 0};
  mlsh_opts(L, 3, &join_spec, &o);
  const char *sx, *sy;
  join_suffix(L, &sx, &sy, fname);
  mlsh_opt_get(L, 3, "on");
  key_pairs p;
  join_keys(L, a, b, &p, fname);
  for (size_t q = 0; q < p.k; q++)
    for (size_t r = 0; r < q; r++)
      if (!strcmp(p.left[q], p.left[r]) || !strcmp(p.right[q], p.right[r]))
        return mlsh_error(L, fname, "key '%s' is named twice", p.left[q]);
  const mlsh_col **lk = lframe_lookup_cols(L, a, p.left, p.k, fname);
  const mlsh_col **rk = lframe_lookup_cols(L, b, p.right, p.k, "DataFrame:join (other)");
  mlsh_err err = {0};
  for (size_t q = 0; q < p.k; q++)
    if (keys_check_pair(lk + q, rk + q, 1, "join", &err))
      return mlsh_error(L, fname, "key '%s' is %s on the left and '%s' is %s on the right", p.left[q],
                        col_type_name(lk[q]->type), p.right[q], col_type_name(rk[q]->type));
  frame_join_result *jr = mlsh_guard(L, sizeof *jr, release_join);
  int rc = frame_join(lk, rk, p.k, (frame_join_how)o.how, o.na == 0, 0, jr, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  mlsh_frame **out = new_out(L, jr->n, fname);
  if (o.how == JOIN_SEMI || o.how == JOIN_ANTI) {
    col_take_plan left;
    plan_for(L, jr->left, jr->n, a->nrow, &left, fname);
    for (size_t j = 0; j < a->ncol; j++) take_planned(L, *out, a->names[j], a->cols[j], &left, fname);
  } else {
    join_columns(L, a, b, &p, jr, o.how, sx, sy, *out, fname);
  }
  push_out(L, out);
  mlsh_guards_release(L);
  return 1;
}

/* ---- bind ---- */

/* The frames among the arguments 1..top (a frame, or an array of frames). */
static size_t arg_frames(lua_State *L, const mlsh_frame ***frames, const char *fname) {
  int top = lua_gettop(L);
  size_t n = 0, cap = 0;
  for (int i = 1; i <= top; i++) cap += lua_type(L, i) == LUA_TTABLE ? lua_rawlen(L, i) : 1;
  const mlsh_frame **f = mlsh_scratch(L, (cap + 1) * sizeof *f, fname);
  for (int i = 1; i <= top; i++) {
    if (lua_type(L, i) == LUA_TTABLE) {
      size_t k = lua_rawlen(L, i);
      for (size_t q = 0; q < k; q++) {
        lua_rawgeti(L, i, (lua_Integer)q + 1);
        f[n] = lframe_test(L, -1);
        if (!f[n++]) mlsh_error(L, fname, "item %zu of argument %d must be a DataFrame (got %s)", q + 1, i, mlsh_typename(L, -1));
        lua_pop(L, 1);   /* alive: the array holds it */
      }
    } else {
      f[n++] = lframe_check(L, i, fname, i == 1 ? "self" : "other");
    }
  }
  *frames = f;
  return n;
}

static int l_bind_rows(lua_State *L) {
  const char *fname = "DataFrame:bind_rows";
  const mlsh_frame **frames;
  size_t k = arg_frames(L, &frames, fname);
  mlsh_frame **out = mlsh_guard(L, sizeof *out, release_frame);
  mlsh_err err = {0};
  int rc = frame_bind_rows(frames, k, out, &err);
  if (rc) return mlsh_error(L, fname, "%s", err.msg);
  push_out(L, out);
  mlsh_guards_release(L);
  return 1;
}

static int l_bind_cols(lua_State *L) {
  const char *fname = "DataFrame:bind_cols";
  const mlsh_frame **frames;
  size_t k = arg_frames(L, &frames, fname);
  mlsh_frame **out = new_out(L, frames[0]->nrow, fname);
  for (size_t q = 0; q < k; q++) {
    if (frames[q]->nrow != frames[0]->nrow)
      return mlsh_error(L, fname, "frame %zu has %zu rows, the first %zu", q + 1, frames[q]->nrow, frames[0]->nrow);
    for (size_t j = 0; j < frames[q]->ncol; j++) {
      if (frame_find(*out, frames[q]->names[j]) >= 0)
        return mlsh_error(L, fname, "column '%s' is in two of the frames: rename one first", frames[q]->names[j]);
      mlsh_err err = {0};
      add_col(L, *out, frames[q]->names[j], col_ref(frames[q]->cols[j]), MLSH_OK, &err, fname);
    }
  }
  push_out(L, out);
  mlsh_guards_release(L);
  return 1;
}

/* ---- pivot ---- */

/* df:_pivot_longer(cols, names_to, values_to) */
static int l_pivot_longer(lua_State *L) {
  const char *fname = "DataFrame:pivot_longer";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const mlsh_frame *f = u->f;
  const char **names;
  size_t k = lframe_arg_names(L, 2, 2, fname, &names);
  const char *names_to = mlsh_check_string(L, 3, fname, "names_to"), *values_to = mlsh_check_string(L, 4, fname, "values_to");
  if (!k) return mlsh_error(L, fname, "name the columns to stack");
  const mlsh_col **vals = lframe_lookup_cols(L, f, names, k, fname);
  size_t n = f->nrow, m = n * k;
  if (k && m / k != n) return mlsh_error(L, fname, "too many rows");
  int64_t *rep = mlsh_scratch(L, (m ? m : 1) * sizeof *rep, fname), *pick = mlsh_scratch(L, (m ? m : 1) * sizeof *pick, fname);
  for (size_t i = 0; i < n; i++)
    for (size_t q = 0; q < k; q++) {
      rep[i * k + q] = (int64_t)i;
      pick[i * k + q] = (int64_t)(q * n + i);
    }
  mlsh_frame **out = new_out(L, m, fname);
  for (size_t j = 0; j < f->ncol; j++)
    if (key_index(names, k, f->names[j]) < 0) take_into(L, *out, f->names[j], f->cols[j], rep, m, fname);
  if (frame_find(*out, names_to) >= 0 || frame_find(*out, values_to) >= 0 || !strcmp(names_to, values_to))
    return mlsh_error(L, fname, "names_to '%s' and values_to '%s' must be new column names", names_to, values_to);
  col_builder b;
  col_builder_init(&b, COL_STRING);
  for (size_t i = 0; i < n; i++)
    for (size_t q = 0; q < k; q++) col_builder_string(&b, names[q], strlen(names[q]));
  mlsh_col *c = NULL, *stacked = NULL;
  mlsh_err err = {0};
  int rc = col_builder_finish(&b, NULL, 0, &c, &err);
  add_col(L, *out, names_to, c, rc, &err, fname);
  size_t *lens = mlsh_scratch(L, k * sizeof *lens, fname);
  for (size_t q = 0; q < k; q++) lens[q] = n;
  rc = col_concat(vals, lens, k, values_to, &stacked, &err);
  if (rc) return mlsh_error(L, fname, "%s", err.msg);
  c = NULL;
  rc = col_take(stacked, pick, m, &c, &err);
  col_unref(stacked);
  add_col(L, *out, values_to, c, rc, &err, fname);
  push_out(L, out);
  mlsh_guards_release(L);
  return 1;
}

static void release_groups(void *p) { frame_groups_free(p); }

/* df:pivot_wider{names_from =, values_from =} */
static int l_pivot_wider(lua_State *L) {
  const char *fname = "DataFrame:pivot_wider";
  lframe *u = lframe_check_ud(L, 1, fname, "self");
  const mlsh_frame *f = u->f;
  mlsh_check_type(L, 2, LUA_TTABLE, fname, "spec");
  lua_getfield(L, 2, "names_from");
  lua_getfield(L, 2, "values_from");
  if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
    return mlsh_error(L, fname, "expects {names_from = \"column\", values_from = \"column\"}");
  const char *pair[2] = {lua_tostring(L, -2), lua_tostring(L, -1)};
  const mlsh_col **nv = lframe_lookup_cols(L, f, pair, 2, fname);
  size_t n = f->nrow, nid = 0;
  const mlsh_col **ids = mlsh_scratch(L, (f->ncol + 1) * sizeof *ids, fname);
  const char **idn = mlsh_scratch(L, (f->ncol + 1) * sizeof *idn, fname);
  for (size_t j = 0; j < f->ncol; j++)
    if (strcmp(f->names[j], pair[0]) && strcmp(f->names[j], pair[1])) { idn[nid] = f->names[j]; ids[nid++] = f->cols[j]; }
  frame_groups *rows = mlsh_guard(L, sizeof *rows, release_groups), *cols = mlsh_guard(L, sizeof *cols, release_groups);
  mlsh_err err = {0};
  int rc = nid ? frame_group(ids, nid, 0, 0, rows, &err) : frame_group_all(n, rows, &err);
  if (!rc) rc = frame_group(nv, 1, 0, 0, cols, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  size_t nr = n ? rows->ngroups : 0, nc = cols->ngroups;
  if (nr && nc && nr * nc / nc != nr) return mlsh_error(L, fname, "too many cells");
  int64_t *cell = mlsh_scratch(L, (nr * nc > 0 ? nr * nc : 1) * sizeof *cell, fname);
  for (size_t q = 0; q < nr * nc; q++) cell[q] = -1;
  for (size_t i = 0; i < n; i++) {
    int64_t *at = &cell[(size_t)cols->id[i] * nr + (size_t)rows->id[i]];
    if (*at >= 0) {
      lcol_push_value(L, nv[0], i);
      return mlsh_error(L, fname, "rows %lld and %zu have the same keys and %s = %s: summarise them first",
                        (long long)*at + 1, i + 1, pair[0], luaL_tolstring(L, -1, NULL));
    }
    *at = (int64_t)i;
  }
  mlsh_frame **out = new_out(L, nr, fname);
  for (size_t q = 0; q < nid; q++) take_into(L, *out, idn[q], ids[q], rows->first, nr, fname);
  for (size_t g = 0; g < nc; g++) {
    lcol_push_value(L, nv[0], (size_t)cols->first[g]);
    const char *name = lua_isnil(L, -1) ? "NA" : luaL_tolstring(L, -1, NULL);
    if (frame_find(*out, name) >= 0) return mlsh_error(L, fname, "the new column '%s' is already a column", name);
    take_into(L, *out, name, nv[1], cell + g * nr, nr, fname);
  }
  push_out(L, out);
  mlsh_guards_release(L);
  return 1;
}

static const mlsh_Reg join_methods[] = {
  {"join", l_join, "df:join(other [, opts])",
   "The rows of df and other matched on key columns, as dplyr's joins: how = \"inner\" (default), \"left\",\n"
   "\"right\", \"full\", \"semi\", \"anti\"; on = a name, names, or {left = \"right\"} for keys named differently\n"
   "(default: the names both have). Keys must have the same type (factors match by label). The result has\n"
   "the left columns, then the right ones but the keys; names both have get suffix .x / .y. Rows come in\n"
   "left order, each with its matches in right order, then (right, full) the unmatched right rows.\n"
   "Example: flights:join(airports, {on = {dest = \"faa\"}, how = \"left\"})", &join_spec},
  {"bind_rows", l_bind_rows, "df:bind_rows(other, ...)",
   "The rows of the frames one after the other, columns matched by name (in order of first appearance;\n"
   "NA where a frame lacks one), as dplyr's bind_rows; integer and double columns unite as double, factors\n"
   "with different levels as the union of the levels.\nExample: a:bind_rows(b, c)", NULL},
  {"bind_cols", l_bind_cols, "df:bind_cols(other, ...)",
   "The columns of the frames side by side (same number of rows, distinct names), shared, not copied.\n"
   "Example: df:bind_cols(predictions)", NULL},
  {"_pivot_longer", l_pivot_longer, "df:_pivot_longer(cols, names_to, values_to)", "Internal: see df:pivot_longer.", NULL},
  {"pivot_wider", l_pivot_wider, "df:pivot_wider{names_from =, values_from =}",
   "One row per distinct value of the other columns, one column per value of names_from (in order of first\n"
   "appearance) holding values_from, NA where a pair is absent, as tidyr's pivot_wider.\n"
   "Example: long:pivot_wider{names_from = \"name\", values_from = \"value\"}", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_frame_join(lua_State *L) {
  lframe_add_methods(L, join_methods);
}
