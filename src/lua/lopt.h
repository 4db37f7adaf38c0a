/* lopt.h - option specs: one static table per public function says which
 * options it takes (name, type, default, range or choices, a one-line doc)
 * and one parser checks a Lua options table against it and fills a C
 * struct. The same specs validate the Lua-side helpers' options
 * (mlsh.declare_options / mlsh.check_options) and feed help(), so the
 * checks, the messages and the docs cannot drift apart.
 *
 * Messages (every function, every option):
 *   fname: unknown option 'x' (known: a, b, c)
 *   fname: options must be a table (got string)
 *   fname: option 'k' must be an integer (got 2.5)
 *   fname: option 'k' must be a positive integer (got 0)
 *   fname: option 'tol' must be non-negative (got -1)
 *   fname: option 'method' must be one of "a", "b" (got "c")
 *
 * Usage:
 *   static const mlsh_opt km_opt[] = {
 *     MLSH_OPT_INT(km_opts, nstart, "nstart", 10, 1, 100000, "random starts"),
 *     MLSH_OPT_ENUM(km_opts, algo, "algorithm", 0, km_algos, "iteration scheme"),
 *     MLSH_OPT_SEED(km_opts, seed),
 *     MLSH_OPT_END};
 *   static const mlsh_optspec km_spec = {"cluster.kmeans", km_opt};
 *   ... mlsh_opts(L, 3, &km_spec, &o);
 * and list &km_spec as the fifth field of the function's mlsh_Reg. */
#ifndef LOPT_H
#define LOPT_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <lua.h>

typedef enum {
  MLSH_OT_INT,      /* int field */
  MLSH_OT_SIZE,     /* size_t field (range must stay >= 0) */
  MLSH_OT_NUM,      /* double field; NaN is refused */
  MLSH_OT_BOOL,     /* int field, 0 or 1 */
  MLSH_OT_STR,      /* const char * field: valid while the options table lives */
  MLSH_OT_ENUM,     /* int field: index into `values` */
  MLSH_OT_SEED,     /* uint64_t field; absent: a clock seed */
  MLSH_OT_THREADS,  /* int field, 0..256, 0 = all cores */
  MLSH_OT_TABLE,    /* no field: a table the caller reads */
  MLSH_OT_MATRIX,   /* no field: a Matrix or numeric array the caller reads */
  MLSH_OT_FUNC,     /* no field: a function */
  MLSH_OT_ANY       /* no field: any value, checked by the caller */
} mlsh_opttype;

#define MLSH_NOFIELD ((size_t)-1)
#define MLSH_OPT_LO_OPEN 1u   /* lo itself is out of range */
#define MLSH_OPT_HI_OPEN 2u
#define MLSH_OPT_NODEF   4u   /* absent: leave the field as the caller preset it */

typedef struct mlsh_opt {
  const char *name;
  mlsh_opttype type;
  size_t offset;              /* of the field in the output struct, or MLSH_NOFIELD */
  double def;                 /* default of a number, bool (0/1) or enum (index) */
  const char *sdef;           /* default of a string; for others, the default as shown in help */
  double lo, hi;              /* inclusive range unless the OPEN flags say otherwise */
  unsigned flags;
  const char *const *values;  /* the choices of an enum, NULL-terminated */
  const char *doc;            /* one line for help(); for value types it starts with the expected type */
} mlsh_opt;

typedef struct mlsh_optspec {
  const char *fname;          /* "cluster.kmeans": names the function in messages and help */
  const mlsh_opt *opts;       /* ends with MLSH_OPT_END */
  /* Options taken over from another function (cluster.elbow takes every
   * cluster.kmeans option): its fields fill the struct the base spec
   * fills, which must sit at offset 0 of this one's struct. */
  const struct mlsh_optspec *base;
} mlsh_optspec;

#define MLSH_OPT_F(T, f) offsetof(T, f)
#define MLSH_OPT_INT(T, f, nm, d, lo, hi, doc) {nm, MLSH_OT_INT, MLSH_OPT_F(T, f), d, NULL, lo, hi, 0, NULL, doc}
#define MLSH_OPT_SIZE(T, f, nm, d, lo, hi, doc) {nm, MLSH_OT_SIZE, MLSH_OPT_F(T, f), d, NULL, lo, hi, 0, NULL, doc}
#define MLSH_OPT_NUM(T, f, nm, d, lo, hi, doc) {nm, MLSH_OT_NUM, MLSH_OPT_F(T, f), d, NULL, lo, hi, 0, NULL, doc}
/* A number > 0. */
#define MLSH_OPT_POS(T, f, nm, d, doc) {nm, MLSH_OT_NUM, MLSH_OPT_F(T, f), d, NULL, 0, HUGE_VAL, MLSH_OPT_LO_OPEN, NULL, doc}
#define MLSH_OPT_BOOL(T, f, nm, d, doc) {nm, MLSH_OT_BOOL, MLSH_OPT_F(T, f), d, NULL, 0, 1, 0, NULL, doc}
#define MLSH_OPT_STR(T, f, nm, d, doc) {nm, MLSH_OT_STR, MLSH_OPT_F(T, f), 0, d, 0, 0, 0, NULL, doc}
#define MLSH_OPT_ENUM(T, f, nm, d, vals, doc) {nm, MLSH_OT_ENUM, MLSH_OPT_F(T, f), d, NULL, 0, 0, 0, vals, doc}
#define MLSH_OPT_SEED(T, f) {"seed", MLSH_OT_SEED, MLSH_OPT_F(T, f), 0, "clock", 0, 0, 0, NULL, \
                             "seed of the random draws (same seed, same result)"}
#define MLSH_OPT_THREADS(T, f) {"threads", MLSH_OT_THREADS, MLSH_OPT_F(T, f), 0, NULL, 0, 256, 0, NULL, \
                                "worker threads (0 = all cores)"}
/* A value the caller reads itself (mlsh_opt_get): type is TABLE, MATRIX,
 * FUNC or ANY; shown is the default as help shows it (NULL: none). */
#define MLSH_OPT_VALUE(nm, type, shown, doc) {nm, type, MLSH_NOFIELD, 0, shown, 0, 0, 0, NULL, doc}
/* A boolean whose default the caller presets (help shows `shown`). */
#define MLSH_OPT_BOOL_PRESET(T, f, nm, shown, doc) {nm, MLSH_OT_BOOL, MLSH_OPT_F(T, f), 0, shown, 0, 1, MLSH_OPT_NODEF, NULL, doc}
/* An integer whose default the caller presets (help shows `shown`). */
#define MLSH_OPT_INT_PRESET(T, f, nm, shown, lo, hi, doc) {nm, MLSH_OT_INT, MLSH_OPT_F(T, f), 0, shown, lo, hi, MLSH_OPT_NODEF, NULL, doc}
/* The same for an option of type `type` (SIZE, NUM, BOOL): absent, the
 * field keeps the caller's preset (a default that depends on the call). */
#define MLSH_OPT_PRESET(type, T, f, nm, shown, lo, hi, doc) {nm, type, MLSH_OPT_F(T, f), 0, shown, lo, hi, MLSH_OPT_NODEF, NULL, doc}
#define MLSH_OPT_NUM_PRESET(T, f, nm, shown, lo, hi, doc) MLSH_OPT_PRESET(MLSH_OT_NUM, T, f, nm, shown, lo, hi, doc)
/* An enum whose default the caller presets; help shows the choice of index d. */
#define MLSH_OPT_ENUM_PRESET(T, f, nm, d, vals, doc) {nm, MLSH_OT_ENUM, MLSH_OPT_F(T, f), d, NULL, 0, 0, MLSH_OPT_NODEF, vals, doc}
/* The `na` rule of a data argument: "fail" (0) or "omit" (1); see mlsh_check_data. */
extern const char *const mlsh_na_modes[];
#define MLSH_OPT_NA(T, f) {"na", MLSH_OT_ENUM, MLSH_OPT_F(T, f), 0, NULL, 0, 0, 0, mlsh_na_modes, \
                           "missing values in the data: \"fail\" (an error) or \"omit\" (drop those rows)"}
#define MLSH_OPT_END {NULL, MLSH_OT_ANY, MLSH_NOFIELD, 0, NULL, 0, 0, 0, NULL, NULL}

/* Check the options table at idx against spec (nil or none: no options)
 * and fill `out`: every option with a field gets its value, or its default
 * when absent (MLSH_OPT_NODEF: left alone). Raises an error in the styles
 * above on unknown names, wrong types and out-of-range values. Returns a
 * bitmask of the options present (bit i for the i-th option, counting the
 * base spec's first; i < 64). */
uint64_t mlsh_opts(lua_State *L, int idx, const mlsh_optspec *spec, void *out);
/* The bit of option `name` in mlsh_opts' mask (0 when the spec lacks it). */
uint64_t mlsh_opts_bit(const mlsh_optspec *spec, const char *name);

/* The index of the string at idx in values (NULL-terminated), or an error
 * "fname: <what> must be one of "a", "b" (got "c")"; what: "option 'init'".
 * For options that take a name or another kind of value. */
int mlsh_check_choice(lua_State *L, int idx, const char *fname, const char *what, const char *const *values);

/* Record spec under spec->fname for help() and mlsh.check_options. */
void mlsh_opts_register(lua_State *L, const mlsh_optspec *spec);

#endif
