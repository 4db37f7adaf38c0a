/* lopt.c - the option parser: one reader checks a value against its spec
 * entry, and two sinks take the result: a C struct (mlsh_opts) or a Lua
 * table (mlsh.check_options, for the Lua-side helpers). Specs declared in
 * Lua are compiled into the same mlsh_opt arrays. */
#include <string.h>
#include "lmlsh.h"
#include "lopt.h"
#include "../core/rng.h"

#define SPECS_KEY "mlsh.optspecs"     /* registry: fname -> light userdata or compiled spec */
#define LUASPEC_MT "mlsh.optspec"

typedef union {
  double num;
  long long i;
  const char *s;
  uint64_t seed;
} optval;

/* ---- wording ---- */

static int is_int_type(const mlsh_opt *o) {
  return o->type == MLSH_OT_INT || o->type == MLSH_OT_SIZE || o->type == MLSH_OT_THREADS;
}

static int has_lo(const mlsh_opt *o) { return o->lo > -HUGE_VAL; }
static int has_hi(const mlsh_opt *o) { return o->hi < HUGE_VAL; }

/* "a positive integer", "between 0 and 1", "> 0 and <= 1"... */
static void describe_range(const mlsh_opt *o, char *buf, size_t size) {
  int lo_open = (o->flags & MLSH_OPT_LO_OPEN) != 0, hi_open = (o->flags & MLSH_OPT_HI_OPEN) != 0;
  const char *what = is_int_type(o) ? "an integer" : "";
  if (has_lo(o) && !has_hi(o) && o->lo == 0 && !lo_open)
    snprintf(buf, size, is_int_type(o) ? "a non-negative integer" : "non-negative");
  else if (has_lo(o) && !has_hi(o) && ((o->lo == 0 && lo_open) || (is_int_type(o) && o->lo == 1)))
    snprintf(buf, size, is_int_type(o) ? "a positive integer" : "positive");
  else if (has_lo(o) && has_hi(o) && !lo_open && !hi_open)
    snprintf(buf, size, "%s%sbetween %.15g and %.15g", what, *what ? " " : "", o->lo, o->hi);
  else {
    char lo[64] = "", hi[64] = "";
    if (has_lo(o)) snprintf(lo, sizeof lo, "%s %.15g", lo_open ? ">" : ">=", o->lo);
    if (has_hi(o)) snprintf(hi, sizeof hi, "%s %.15g", hi_open ? "<" : "<=", o->hi);
    snprintf(buf, size, "%s%s%s%s%s", what, *what ? " " : "", lo, *lo && *hi ? " and " : "", hi);
  }
}

static int in_range(const mlsh_opt *o, double v) {
  if (has_lo(o) && ((o->flags & MLSH_OPT_LO_OPEN) ? !(v > o->lo) : !(v >= o->lo))) return 0;
  if (has_hi(o) && ((o->flags & MLSH_OPT_HI_OPEN) ? !(v < o->hi) : !(v <= o->hi))) return 0;
  return 1;
}

static void push_choices(lua_State *L, const char *const *values, const char *sep) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 0; values[i]; i++) {
    if (i) luaL_addstring(&b, sep);
    luaL_addchar(&b, '"');
    luaL_addstring(&b, values[i]);
    luaL_addchar(&b, '"');
  }
  luaL_pushresult(&b);
}

/* ---- reading one value (at the top of the stack, not nil) ---- */

static double read_number(lua_State *L, const char *fname, const mlsh_opt *o) {
  int ok;
  double v = lua_tonumberx(L, -1, &ok);
  const char *kind = is_int_type(o) || o->type == MLSH_OT_SEED ? "an integer" : "a number";
  if (!ok || lua_type(L, -1) != LUA_TNUMBER)
    mlsh_error(L, fname, "option '%s' must be %s (got %s)", o->name, kind, mlsh_typename(L, -1));
  if (v != v) mlsh_error(L, fname, "option '%s' must be %s (got nan)", o->name, kind);
  if (*kind == 'a' && kind[1] == 'n' && (v != floor(v) || fabs(v) > 9007199254740992.0))
    mlsh_error(L, fname, "option '%s' must be an integer (got %s)", o->name, lua_tostring(L, -1));
  if (o->type != MLSH_OT_SEED && !in_range(o, v)) {
    char range[160];
    describe_range(o, range, sizeof range);
    mlsh_error(L, fname, "option '%s' must be %s (got %s)", o->name, range, lua_tostring(L, -1));
  }
  return v;
}

int mlsh_check_choice(lua_State *L, int idx, const char *fname, const char *what, const char *const *values) {
  if (lua_type(L, idx) != LUA_TSTRING)
    mlsh_error(L, fname, "%s must be a string (got %s)", what, mlsh_typename(L, idx));
  const char *s = lua_tostring(L, idx);
  for (int i = 0; values[i]; i++)
    if (strcmp(s, values[i]) == 0) return i;
  push_choices(L, values, ", ");
  return mlsh_error(L, fname, "%s must be one of %s (got \"%s\")", what, lua_tostring(L, -1), s);
}

static int read_enum(lua_State *L, const char *fname, const mlsh_opt *o) {
  char what[96];
  snprintf(what, sizeof what, "option '%s'", o->name);
  return mlsh_check_choice(L, -1, fname, what, o->values);
}

static void check_value_type(lua_State *L, const char *fname, const mlsh_opt *o) {
  int t = lua_type(L, -1);
  if (o->type == MLSH_OT_TABLE && t != LUA_TTABLE)
    mlsh_error(L, fname, "option '%s' must be a table (got %s)", o->name, mlsh_typename(L, -1));
  if (o->type == MLSH_OT_FUNC && t != LUA_TFUNCTION)
    mlsh_error(L, fname, "option '%s' must be a function (got %s)", o->name, mlsh_typename(L, -1));
  if (o->type == MLSH_OT_MATRIX && t != LUA_TTABLE && !lmat_test(L, -1))
    mlsh_error(L, fname, "option '%s' must be a Matrix or an array of numbers (got %s)", o->name, mlsh_typename(L, -1));
}

/* Validates the value on top of the stack; leaves it there. */
static void read_value(lua_State *L, const char *fname, const mlsh_opt *o, optval *v) {
  switch (o->type) {
  case MLSH_OT_INT: case MLSH_OT_SIZE: case MLSH_OT_THREADS: v->i = (long long)read_number(L, fname, o); break;
  case MLSH_OT_SEED: v->seed = (uint64_t)(long long)read_number(L, fname, o); break;
  case MLSH_OT_NUM: v->num = read_number(L, fname, o); break;
  case MLSH_OT_BOOL:
    if (lua_type(L, -1) != LUA_TBOOLEAN)
      mlsh_error(L, fname, "option '%s' must be true or false (got %s)", o->name, mlsh_typename(L, -1));
    v->i = lua_toboolean(L, -1);
    break;
  case MLSH_OT_STR:
    if (lua_type(L, -1) != LUA_TSTRING)
      mlsh_error(L, fname, "option '%s' must be a string (got %s)", o->name, mlsh_typename(L, -1));
    v->s = lua_tostring(L, -1);
    break;
  case MLSH_OT_ENUM: v->i = read_enum(L, fname, o); break;
  default: check_value_type(L, fname, o); break;
  }
}

static void default_value(const mlsh_opt *o, optval *v) {
  switch (o->type) {
  case MLSH_OT_SEED: v->seed = mlsh_rng_clock_seed(); break;
  case MLSH_OT_NUM: v->num = o->def; break;
  case MLSH_OT_STR: v->s = o->sdef; break;
  default: v->i = (long long)o->def; break;
  }
}

/* ---- the names ---- */

static const mlsh_opt *find_opt(const mlsh_optspec *spec, const char *name) {
  for (; spec; spec = spec->base)
    for (const mlsh_opt *o = spec->opts; o->name; o++)
      if (strcmp(o->name, name) == 0) return o;
  return NULL;
}

static void add_names(luaL_Buffer *b, const mlsh_optspec *spec, int *count) {
  if (spec->base) add_names(b, spec->base, count);
  for (const mlsh_opt *o = spec->opts; o->name; o++) {
    if ((*count)++) luaL_addstring(b, ", ");
    luaL_addstring(b, o->name);
  }
}

static void unknown_option(lua_State *L, const mlsh_optspec *spec, const char *key) {
  luaL_Buffer b;
  int count = 0;
  luaL_buffinit(L, &b);
  add_names(&b, spec, &count);
  if (count == 0) luaL_addstring(&b, "none");
  luaL_pushresult(&b);
  if (key) mlsh_error(L, spec->fname, "unknown option '%s' (known: %s)", key, lua_tostring(L, -1));
  mlsh_error(L, spec->fname, "option keys must be names (known: %s)", lua_tostring(L, -1));
}

/* nil/none: 0; a table whose keys are all known: 1; else raises. */
static int check_names(lua_State *L, int idx, const mlsh_optspec *spec) {
  if (lua_isnoneornil(L, idx)) return 0;
  if (!lua_istable(L, idx)) mlsh_error(L, spec->fname, "options must be a table (got %s)", mlsh_typename(L, idx));
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (!k || !find_opt(spec, k)) unknown_option(L, spec, k);
  }
  return 1;
}

/* ---- the C struct sink ---- */

static void store(void *out, const mlsh_opt *o, const optval *v) {
  char *p = (char *)out + o->offset;
  switch (o->type) {
  case MLSH_OT_SIZE: *(size_t *)p = (size_t)v->i; break;
  case MLSH_OT_NUM: *(double *)p = v->num; break;
  case MLSH_OT_STR: *(const char **)p = v->s; break;
  case MLSH_OT_SEED: *(uint64_t *)p = v->seed; break;
  default: *(int *)p = (int)v->i; break;
  }
}

typedef struct {
  lua_State *L;
  int idx, have;
  const char *fname;   /* the called function's, also for its base's options */
  void *out;
  uint64_t mask;
  int bit;
} fill_job;

static void fill(fill_job *j, const mlsh_optspec *spec) {
  lua_State *L = j->L;
  if (spec->base) fill(j, spec->base);
  for (const mlsh_opt *o = spec->opts; o->name; o++, j->bit++) {
    optval v;
    int t = j->have ? lua_getfield(L, j->idx, o->name) : LUA_TNIL;
    if (t != LUA_TNIL) {
      read_value(L, j->fname, o, &v);
      if (j->bit < 64) j->mask |= (uint64_t)1 << j->bit;
    } else {
      default_value(o, &v);
    }
    if (j->have) lua_pop(L, 1);  /* a string stays alive in the options table */
    if (t == LUA_TNIL && (o->flags & MLSH_OPT_NODEF)) continue;
    if (o->offset != MLSH_NOFIELD && j->out) store(j->out, o, &v);
  }
}

uint64_t mlsh_opts(lua_State *L, int idx, const mlsh_optspec *spec, void *out) {
  fill_job j = {L, lua_absindex(L, idx), 0, spec->fname, out, 0, 0};
  j.have = check_names(L, j.idx, spec);
  fill(&j, spec);
  return j.mask;
}

static int bit_of(const mlsh_optspec *spec, const char *name, int *bit) {
  if (spec->base && bit_of(spec->base, name, bit)) return 1;
  for (const mlsh_opt *o = spec->opts; o->name; o++, (*bit)++)
    if (strcmp(o->name, name) == 0) return 1;
  return 0;
}

uint64_t mlsh_opts_bit(const mlsh_optspec *spec, const char *name) {
  int bit = 0;
  return bit_of(spec, name, &bit) && bit < 64 ? (uint64_t)1 << bit : 0;
}

/* ---- the registry ---- */

static void push_specs(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, SPECS_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, SPECS_KEY);
  }
}

void mlsh_opts_register(lua_State *L, const mlsh_optspec *spec) {
  push_specs(L);
  lua_pushlightuserdata(L, (void *)spec);
  lua_setfield(L, -2, spec->fname);
  lua_pop(L, 1);
}

typedef struct {
  mlsh_optspec spec;
  size_t n;
  mlsh_opt opts[];   /* n entries and the END row, then the enums' value arrays */
} lua_spec;

static const mlsh_optspec *find_spec(lua_State *L, const char *fname) {
  push_specs(L);
  lua_getfield(L, -1, fname);
  const mlsh_optspec *s = NULL;
  if (lua_type(L, -1) == LUA_TLIGHTUSERDATA) s = lua_touserdata(L, -1);
  else if (luaL_testudata(L, -1, LUASPEC_MT)) s = &((lua_spec *)lua_touserdata(L, -1))->spec;
  lua_pop(L, 2);
  return s;
}

/* ---- specs declared in Lua ---- */

static const struct { const char *name; mlsh_opttype type; } lua_types[] = {
  {"int", MLSH_OT_INT}, {"number", MLSH_OT_NUM}, {"bool", MLSH_OT_BOOL}, {"string", MLSH_OT_STR},
  {"enum", MLSH_OT_ENUM}, {"seed", MLSH_OT_SEED}, {"threads", MLSH_OT_THREADS}, {"table", MLSH_OT_TABLE},
  {"matrix", MLSH_OT_MATRIX}, {"function", MLSH_OT_FUNC}, {"any", MLSH_OT_ANY}, {NULL, MLSH_OT_ANY}};

/* A string field of the entry table at `e`, anchored in the table at `anchor`. */
static const char *anchored_string(lua_State *L, int e, const char *key, lua_Integer pos, int anchor) {
  int t = key ? lua_getfield(L, e, key) : lua_rawgeti(L, e, pos);
  if (t == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  if (t != LUA_TSTRING) luaL_error(L, "mlsh.declare_options: %s of an entry must be a string", key ? key : "the name");
  const char *s = lua_tostring(L, -1);
  lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
  return s;
}

static double number_field(lua_State *L, int e, const char *key, double def) {
  lua_getfield(L, e, key);
  double v = lua_isnil(L, -1) ? def : luaL_checknumber(L, -1);
  lua_pop(L, 1);
  return v;
}

static mlsh_opttype entry_type(lua_State *L, int e, const char *name) {
  lua_rawgeti(L, e, 2);
  const char *t = lua_tostring(L, -1);
  lua_pop(L, 1);
  for (int i = 0; t && lua_types[i].name; i++)
    if (strcmp(t, lua_types[i].name) == 0) return lua_types[i].type;
  return (mlsh_opttype)luaL_error(L, "mlsh.declare_options: option '%s' has an unknown type '%s'", name, t ? t : "nil");
}

/* The default (entry[3]) into o->def / o->sdef. */
static void entry_default(lua_State *L, int e, int anchor, mlsh_opt *o) {
  int t = lua_rawgeti(L, e, 3);
  lua_pop(L, 1);
  if (t == LUA_TNIL) {
    if (o->type == MLSH_OT_INT || o->type == MLSH_OT_NUM || o->type == MLSH_OT_BOOL) o->flags |= MLSH_OPT_NODEF;
    return;
  }
  if (o->type == MLSH_OT_BOOL) {
    lua_rawgeti(L, e, 3);
    o->def = lua_toboolean(L, -1);
    lua_pop(L, 1);
  } else if (t == LUA_TSTRING) {
    /* a string default of a number option is only shown ("cores"): the caller fills it */
    o->sdef = anchored_string(L, e, NULL, 3, anchor);
    if (o->type != MLSH_OT_STR && o->type != MLSH_OT_ENUM) o->flags |= MLSH_OPT_NODEF;
  } else {
    lua_rawgeti(L, e, 3);
    o->def = luaL_checknumber(L, -1);
    lua_pop(L, 1);
  }
}

static void compile_entry(lua_State *L, int e, int anchor, mlsh_opt *o, const char **values_slot) {
  memset(o, 0, sizeof *o);
  o->name = anchored_string(L, e, NULL, 1, anchor);
  if (!o->name) luaL_error(L, "mlsh.declare_options: an entry has no name");
  o->type = entry_type(L, e, o->name);
  o->offset = MLSH_NOFIELD;
  o->lo = number_field(L, e, "min", o->type == MLSH_OT_THREADS ? 0 : -HUGE_VAL);
  o->hi = number_field(L, e, "max", o->type == MLSH_OT_THREADS ? 256 : HUGE_VAL);
  lua_getfield(L, e, "min_open"); if (lua_toboolean(L, -1)) o->flags |= MLSH_OPT_LO_OPEN; lua_pop(L, 1);
  lua_getfield(L, e, "max_open"); if (lua_toboolean(L, -1)) o->flags |= MLSH_OPT_HI_OPEN; lua_pop(L, 1);
  o->doc = anchored_string(L, e, "doc", 0, anchor);
  if (o->type == MLSH_OT_ENUM) {
    lua_getfield(L, e, "values");
    size_t nv = lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
    if (nv == 0) luaL_error(L, "mlsh.declare_options: enum option '%s' needs values", o->name);
    int vt = lua_gettop(L);
    for (size_t i = 0; i < nv; i++) values_slot[i] = anchored_string(L, vt, NULL, (lua_Integer)i + 1, anchor);
    values_slot[nv] = NULL;
    lua_pop(L, 1);
    o->values = values_slot;
  }
  entry_default(L, e, anchor, o);
  if (o->type == MLSH_OT_ENUM && o->sdef) {
    for (int i = 0; o->values[i]; i++) if (strcmp(o->values[i], o->sdef) == 0) o->def = i;
  }
  if (o->type == MLSH_OT_SEED) o->sdef = "clock";
}

static size_t enum_slots(lua_State *L, int entries, size_t n) {
  size_t slots = 0;
  for (size_t i = 1; i <= n; i++) {
    lua_rawgeti(L, entries, (lua_Integer)i);
    luaL_checktype(L, -1, LUA_TTABLE);
    lua_getfield(L, -1, "values");
    if (lua_istable(L, -1)) slots += lua_rawlen(L, -1) + 1;
    lua_pop(L, 2);
  }
  return slots;
}

/* The base spec named at stack index `arg` (nil: none), kept alive in `anchor`. */
static const mlsh_optspec *base_spec(lua_State *L, int arg, int anchor) {
  if (lua_isnoneornil(L, arg)) return NULL;
  const char *name = luaL_checkstring(L, arg);
  const mlsh_optspec *base = find_spec(L, name);
  if (!base) luaL_error(L, "mlsh.declare_options: no options are declared for '%s'", name);
  push_specs(L);
  lua_getfield(L, -1, name);
  lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
  lua_pop(L, 1);
  return base;
}

/* mlsh.declare_options(fname, {{name, type, default, min=, max=, min_open=, max_open=, values=, doc=}, ...} [, base]) */
static int l_declare_options(lua_State *L) {
  const char *fname = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 3);
  size_t n = lua_rawlen(L, 2), slots = enum_slots(L, 2, n);
  size_t bytes = sizeof(lua_spec) + (n + 1) * sizeof(mlsh_opt) + (slots + 1) * sizeof(const char *);
  lua_spec *ls = lua_newuserdatauv(L, bytes, 1);   /* 4 */
  memset(ls, 0, bytes);
  luaL_setmetatable(L, LUASPEC_MT);
  lua_newtable(L);                                  /* 5: anchors every string and base used */
  lua_pushvalue(L, 1);
  ls->spec.fname = lua_tostring(L, -1);
  lua_rawseti(L, 5, 1);
  const char **values = (const char **)(ls->opts + n + 1);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, 2, (lua_Integer)i + 1);
    compile_entry(L, lua_gettop(L), 5, &ls->opts[i], values);
    if (ls->opts[i].values) { while (*values) values++; values++; }
    lua_pop(L, 1);
  }
  ls->n = n;
  ls->opts[n].name = NULL;
  ls->spec.opts = ls->opts;
  ls->spec.base = base_spec(L, 3, 5);
  lua_setiuservalue(L, 4, 1);
  push_specs(L);
  lua_pushvalue(L, 4);
  lua_setfield(L, -2, fname);
  lua_settop(L, 1);
  return 1;
}

static const mlsh_optspec *check_spec(lua_State *L, int idx) {
  const char *fname = luaL_checkstring(L, idx);
  const mlsh_optspec *s = find_spec(L, fname);
  if (!s) luaL_error(L, "mlsh.check_options: no options are declared for '%s'", fname);
  return s;
}

static void push_value(lua_State *L, const mlsh_opt *o, const optval *v) {
  switch (o->type) {
  case MLSH_OT_NUM: lua_pushnumber(L, v->num); break;
  case MLSH_OT_BOOL: lua_pushboolean(L, (int)v->i); break;
  case MLSH_OT_STR: if (v->s) lua_pushstring(L, v->s); else lua_pushnil(L); break;
  case MLSH_OT_ENUM: lua_pushstring(L, o->values[v->i]); break;
  case MLSH_OT_SEED: lua_pushinteger(L, (lua_Integer)v->seed); break;
  default: lua_pushinteger(L, (lua_Integer)v->i); break;
  }
}

static void fill_table(lua_State *L, int have, const char *fname, const mlsh_optspec *spec) {
  if (spec->base) fill_table(L, have, fname, spec->base);
  for (const mlsh_opt *o = spec->opts; o->name; o++) {
    int t = have ? lua_getfield(L, 2, o->name) : (lua_pushnil(L), LUA_TNIL);
    optval v;
    if (t != LUA_TNIL) {
      read_value(L, fname, o, &v);
      if (o->type >= MLSH_OT_TABLE) { lua_setfield(L, 3, o->name); continue; }
    } else if ((o->flags & MLSH_OPT_NODEF) || o->type >= MLSH_OT_TABLE || o->type == MLSH_OT_SEED) {
      lua_pop(L, 1);
      continue;
    } else {
      default_value(o, &v);
    }
    push_value(L, o, &v);
    lua_setfield(L, 3, o->name);
    lua_pop(L, 1);
  }
}

/* mlsh.check_options(fname, opts) -> a new table: every option's value or default. */
static int l_check_options(lua_State *L) {
  const mlsh_optspec *spec = check_spec(L, 1);
  lua_settop(L, 2);
  int have = check_names(L, 2, spec);
  lua_newtable(L);
  fill_table(L, have, spec->fname, spec);
  return 1;
}

/* ---- help ---- */

static const char *type_name(const mlsh_opt *o) {
  switch (o->type) {
  case MLSH_OT_INT: case MLSH_OT_SIZE: case MLSH_OT_SEED: case MLSH_OT_THREADS: return "integer";
  case MLSH_OT_NUM: return "number";
  case MLSH_OT_BOOL: return "boolean";
  case MLSH_OT_STR: return "string";
  case MLSH_OT_ENUM: return "string";
  case MLSH_OT_TABLE: return "table";
  case MLSH_OT_MATRIX: return "Matrix";
  case MLSH_OT_FUNC: return "function";
  default: return "any";
  }
}

static void push_default(lua_State *L, const mlsh_opt *o) {
  if (o->type == MLSH_OT_ENUM) lua_pushfstring(L, "\"%s\"", o->values[(int)o->def]);
  else if (o->sdef && o->type == MLSH_OT_STR) lua_pushfstring(L, "\"%s\"", o->sdef);
  else if (o->sdef) lua_pushstring(L, o->sdef);
  else if (o->type == MLSH_OT_BOOL) lua_pushstring(L, o->def ? "true" : "false");
  else if (o->type == MLSH_OT_STR || o->type >= MLSH_OT_TABLE) lua_pushstring(L, "none");
  else {
    char b[64];
    snprintf(b, sizeof b, "%.15g", o->def);
    lua_pushstring(L, b);
  }
}

static void push_range(lua_State *L, const mlsh_opt *o) {
  char b[160] = "";
  if (o->type == MLSH_OT_ENUM) { push_choices(L, o->values, " | "); return; }
  if ((is_int_type(o) || o->type == MLSH_OT_NUM) && (has_lo(o) || has_hi(o))) describe_range(o, b, sizeof b);
  lua_pushstring(L, b);
}

static void push_entries(lua_State *L, const mlsh_optspec *spec, int *i) {
  if (spec->base) push_entries(L, spec->base, i);
  for (const mlsh_opt *o = spec->opts; o->name; o++) {
    lua_createtable(L, 0, 5);
    lua_pushstring(L, o->name); lua_setfield(L, -2, "name");
    lua_pushstring(L, type_name(o)); lua_setfield(L, -2, "type");
    push_default(L, o); lua_setfield(L, -2, "default");
    push_range(L, o); lua_setfield(L, -2, "range");
    lua_pushstring(L, o->doc ? o->doc : ""); lua_setfield(L, -2, "doc");
    lua_rawseti(L, -2, ++*i);
  }
}

/* mlsh._spec(fname) -> {{name=, type=, default=, range=, doc=}, ...} or nil */
static int l_spec(lua_State *L) {
  const mlsh_optspec *spec = find_spec(L, luaL_checkstring(L, 1));
  if (!spec) return 0;
  lua_newtable(L);
  int i = 0;
  push_entries(L, spec, &i);
  return 1;
}

/* mlsh._specs() -> sorted array of every function name that has options */
static int l_specs(lua_State *L) {
  push_specs(L);
  lua_newtable(L);
  int i = 0;
  lua_pushnil(L);
  while (lua_next(L, -3)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, ++i);
  }
  lua_getglobal(L, "table");
  if (lua_istable(L, -1) && lua_getfield(L, -1, "sort") == LUA_TFUNCTION) {
    lua_pushvalue(L, -3);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
  } else lua_pop(L, 2);
  return 1;
}

static const mlsh_Reg opt_funcs[] = {
  {"declare_options", l_declare_options, "mlsh.declare_options(fname, entries [, base])",
   "Declares the options of a Lua-side function, so that mlsh.check_options, help() and ?fname treat them\n"
   "as those of the C functions. entries: {{name, type, default, min=, max=, min_open=, max_open=,\n"
   "values=, doc=}, ...} with type one of int, number, bool, string, enum (values = {...}), seed, threads,\n"
   "table, matrix, function, any. base (optional): a function whose options this one takes too.\n"
   "Returns fname.\n"
   "Example: mlsh.declare_options(\"my.f\", {{\"k\", \"int\", 3, min = 1, doc = \"neighbours\"}})"},
  {"check_options", l_check_options, "mlsh.check_options(fname, opts)",
   "Checks the options table opts (nil: none) against fname's declared options, with the messages of every\n"
   "mlsh function (unknown names, types, ranges), and returns a new table with each option's value or\n"
   "default (value options only when given).\n"
   "Example: o = mlsh.check_options(\"plot.hist\", {bins = 20})"},
  {"_spec", l_spec, "mlsh._spec(fname)", "Internal: the declared options of fname, for help()."},
  {"_specs", l_specs, "mlsh._specs()", "Internal: the names of every function with declared options."},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_options(lua_State *L) {
  luaL_newmetatable(L, LUASPEC_MT);
  lua_pop(L, 1);
  mlsh_register(L, "mlsh", opt_funcs);
}
