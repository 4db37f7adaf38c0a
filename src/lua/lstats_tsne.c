/* lstats_tsne.c - Lua binding for stats.tsne and stats.trustworthiness
 * (C core: src/stats/tsne*.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lmlsh.h"
#include "../stats/tsne.h"

static const char *const method_names[] = {"auto", "exact", "barnes_hut", "fft", NULL};

/* Progress on a terminal: one line rewritten every 50 iterations. */
static void progress(void *ctx, int iter, double kl) {
  const int *total = ctx;
  fprintf(stderr, "\rt-SNE: iteration %d/%d, KL %.4f", iter, *total, kl);
  if (iter >= *total) fputc('\n', stderr);
  fflush(stderr);
}

static const char *const inits[] = {"pca", "random", NULL};

typedef struct {
  tsne_opts o;
  int init, verbose, na;
} tsne_args;

static const mlsh_opt tsne_opt[] = {
  MLSH_OPT_INT(tsne_args, o.dims, "dims", 2, 1, 8, "dimensions of the embedding"),
  MLSH_OPT_POS(tsne_args, o.perplexity, "perplexity", 30, "effective number of neighbours (below the number of rows)"),
  MLSH_OPT_INT(tsne_args, o.iters, "iters", 1000, 1, 10000000, "gradient iterations in all"),
  MLSH_OPT_NUM(tsne_args, o.exaggeration, "early_exaggeration", 12, 1, HUGE_VAL,
               "factor on P for the first exaggeration_iters iterations (momentum 0.5, then 0.8)"),
  MLSH_OPT_INT(tsne_args, o.exaggeration_iters, "exaggeration_iters", 250, 0, 10000000, "iterations with early exaggeration"),
  MLSH_OPT_VALUE("learning_rate", MLSH_OT_ANY, "\"auto\"", "\"auto\" (max(n / early_exaggeration / 4, 50)) or a positive number"),
  MLSH_OPT_ENUM(tsne_args, init, "init", 0, inits, "starting layout: PCA (scaled to sd 1e-4) or random"),
  MLSH_OPT_NUM(tsne_args, o.theta, "theta", 0.5, 0, 2, "Barnes-Hut opening angle"),
  MLSH_OPT_ENUM(tsne_args, o.method, "method", 0, method_names,
                "auto: exact up to 400 rows, Barnes-Hut up to 50000, FFT interpolation beyond"),
  MLSH_OPT_SEED(tsne_args, o.seed),
  MLSH_OPT_THREADS(tsne_args, o.threads),
  MLSH_OPT_INT_PRESET(tsne_args, o.pca, "pca", "none", 0, 100000, "project X on that many principal components first (0: none)"),
  MLSH_OPT_PRESET(MLSH_OT_BOOL, tsne_args, verbose, "verbose", "stderr is a terminal", 0, 1,
                  "progress on stderr: KL every 50 iterations"),
  MLSH_OPT_NA(tsne_args, na),
  MLSH_OPT_END};
static const mlsh_optspec tsne_spec = {"stats.tsne", tsne_opt};

/* The `learning_rate` option: "auto" (left as the core's default) or a number > 0. */
static void read_learning_rate(lua_State *L, int optidx, const char *fn, tsne_opts *o) {
  int t = mlsh_opt_get(L, optidx, "learning_rate");
  if (t == LUA_TNUMBER) {
    o->learning_rate = lua_tonumber(L, -1);
    if (!(o->learning_rate > 0)) mlsh_error(L, fn, "option 'learning_rate' must be positive (got %g)", o->learning_rate);
  } else if (t == LUA_TSTRING) {
    if (strcmp(lua_tostring(L, -1), "auto") != 0)
      mlsh_error(L, fn, "option 'learning_rate' must be \"auto\" or a positive number (got \"%s\")", lua_tostring(L, -1));
  } else if (t != LUA_TNIL) {
    mlsh_error(L, fn, "option 'learning_rate' must be \"auto\" or a number (got %s)", mlsh_typename(L, -1));
  }
  lua_pop(L, 1);
}

static int l_tsne(lua_State *L) {
  const char *fn = tsne_spec.fname;
  lua_settop(L, 2);
  tsne_args a;
  tsne_defaults(&a.o);
  a.verbose = isatty(2);
  mlsh_opts(L, 2, &tsne_spec, &a);
  tsne_opts o = a.o;
  o.init_pca = a.init == 0;
  read_learning_rate(L, 2, fn, &o);
  if (o.method == TSNE_FFT && o.dims != 2) mlsh_error(L, fn, "method=\"fft\" needs dims=2 (got %d)", o.dims);
  if (o.method == TSNE_BH && o.dims > 3) mlsh_error(L, fn, "method=\"barnes_hut\" needs dims <= 3 (got %d)", o.dims);
  mlsh_mat *X = mlsh_check_data(L, 1, fn, "X", a.na, NULL);
  if (o.perplexity >= (double)X->rows)
    mlsh_error(L, fn, "option 'perplexity' (%g) must be less than the number of rows of X (%zu)", o.perplexity, X->rows);
  int verbose = a.verbose;
  int total = o.iters;
  if (verbose) { o.progress = progress; o.progress_ctx = &total; }
  mlsh_mat Y = {0};
  tsne_result res;
  mlsh_err err = {0};
  int rc = tsne_run(X, &o, &Y, &res, &err);
  if (verbose && rc) fputc('\n', stderr);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lmat_push(L, &Y);
  lua_createtable(L, 0, 3);
  lua_pushnumber(L, res.kl); lua_setfield(L, -2, "kl");
  lua_pushinteger(L, res.iters); lua_setfield(L, -2, "iters");
  lua_pushstring(L, method_names[res.method]); lua_setfield(L, -2, "method");
  return 2;
}

typedef struct {
  int k, threads;
} trust_args;

static const mlsh_opt trust_opt[] = {
  MLSH_OPT_INT(trust_args, k, "k", 5, 1, 64, "neighbours compared (below half the number of rows)"),
  MLSH_OPT_THREADS(trust_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec trust_spec = {"stats.trustworthiness", trust_opt};

static int l_trust(lua_State *L) {
  const char *fn = trust_spec.fname;
  lua_settop(L, 3);
  trust_args a;
  mlsh_opts(L, 3, &trust_spec, &a);
  mlsh_mat *X = mlsh_check_data(L, 1, fn, "X", MLSH_NA_FAIL, NULL);
  mlsh_mat *Y = mlsh_check_data(L, 2, fn, "Y", MLSH_NA_FAIL, NULL);
  double tw;
  mlsh_err err = {0};
  int rc = tsne_trustworthiness(X, Y, a.k, a.threads, &tw, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_pushnumber(L, tw);
  return 1;
}

static const mlsh_Reg tsne_funcs[] = {
  {"tsne", l_tsne, "stats.tsne(X [, opts])",
   "t-SNE embedding of the rows of X (a Matrix or data frame). Affinities: perplexity calibration on the\n"
   "3*perplexity exact nearest neighbours. Ctrl-C stops it with an error.\n"
   "Returns Y (n x dims) and {kl=, iters=, method=}; df:augment(Y, \".tSNE\") puts Y beside the rows of the frame\n"
   "(NA for the rows that na = \"omit\" dropped).\n"
   "Example: local Y, info = stats.tsne(X, {perplexity=30, seed=42}); print(info.kl)", &tsne_spec},
  {"trustworthiness", l_trust, "stats.trustworthiness(X, Y [, opts])",
   "How well the embedding Y keeps the neighbourhoods of X (scikit-learn's trustworthiness, euclidean): 1 - the\n"
   "penalised rank intrusions of the k nearest neighbours in Y. X, Y: Matrices or data frames, same rows.\n"
   "Returns a number <= 1.\n"
   "Example: print(stats.trustworthiness(X, Y, {k=5}))", &trust_spec},
  {NULL, NULL, NULL, NULL, NULL}
};

void mlsh_open_stats_tsne(lua_State *L) {
  mlsh_register(L, "stats", tsne_funcs);
}
