/* lstats_tsne.c - Lua binding for stats.tsne and stats.trustworthiness
 * (C core: src/stats/tsne*.c). */
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

static int l_tsne(lua_State *L) {
  static const char *const known[] = {"dims", "perplexity", "iters", "early_exaggeration", "exaggeration_iters",
                                      "learning_rate", "init", "theta", "method", "seed", "threads", "pca",
                                      "verbose", NULL};
  static const char *const inits[] = {"pca", "random", NULL};
  const char *fn = "stats.tsne";
  mlsh_mat *X = lmat_checklike(L, 1, fn, "X");
  lmat_check_finite(L, X, fn, "X");
  mlsh_opt_check(L, 2, fn, known);
  tsne_opts o;
  tsne_defaults(&o);
  o.dims = (int)mlsh_opt_int(L, 2, "dims", 2, fn);
  if (o.dims < 1 || o.dims > 8) mlsh_error(L, fn, "option 'dims' must be between 1 and 8 (got %d)", o.dims);
  o.perplexity = mlsh_opt_num(L, 2, "perplexity", 30, fn);
  if (!(o.perplexity > 0)) mlsh_error(L, fn, "option 'perplexity' must be positive (got %g)", o.perplexity);
  if (o.perplexity >= (double)X->rows)
    mlsh_error(L, fn, "option 'perplexity' (%g) must be less than the number of rows of X (%zu)", o.perplexity, X->rows);
  lua_Integer iters = mlsh_opt_int(L, 2, "iters", 1000, fn);
  if (iters < 1 || iters > 10000000) mlsh_error(L, fn, "option 'iters' must be a positive integer (got %lld)", (long long)iters);
  o.iters = (int)iters;
  o.exaggeration = mlsh_opt_num(L, 2, "early_exaggeration", 12, fn);
  if (!(o.exaggeration >= 1)) mlsh_error(L, fn, "option 'early_exaggeration' must be at least 1 (got %g)", o.exaggeration);
  o.exaggeration_iters = (int)mlsh_opt_int(L, 2, "exaggeration_iters", 250, fn);
  if (o.exaggeration_iters < 0) mlsh_error(L, fn, "option 'exaggeration_iters' must be >= 0");
  int t = mlsh_opt_get(L, 2, "learning_rate");
  if (t == LUA_TNUMBER) {
    o.learning_rate = lua_tonumber(L, -1);
    if (!(o.learning_rate > 0)) mlsh_error(L, fn, "option 'learning_rate' must be positive (got %g)", o.learning_rate);
  } else if (t == LUA_TSTRING) {
    if (strcmp(lua_tostring(L, -1), "auto") != 0)
      mlsh_error(L, fn, "option 'learning_rate' must be \"auto\" or a positive number (got \"%s\")", lua_tostring(L, -1));
  } else if (t != LUA_TNIL) mlsh_error(L, fn, "option 'learning_rate' must be \"auto\" or a number (got %s)", mlsh_typename(L, -1));
  lua_pop(L, 1);
  o.init_pca = mlsh_opt_enum(L, 2, "init", "pca", inits, fn) == 0;
  o.theta = mlsh_opt_num(L, 2, "theta", 0.5, fn);
  if (!(o.theta >= 0 && o.theta <= 2)) mlsh_error(L, fn, "option 'theta' must be between 0 and 2 (got %g)", o.theta);
  o.method = (tsne_method)mlsh_opt_enum(L, 2, "method", "auto", method_names, fn);
  if (o.method == TSNE_FFT && o.dims != 2) mlsh_error(L, fn, "method=\"fft\" needs dims=2 (got %d)", o.dims);
  if (o.method == TSNE_BH && o.dims > 3) mlsh_error(L, fn, "method=\"barnes_hut\" needs dims <= 3 (got %d)", o.dims);
  o.seed = mlsh_opt_seed(L, 2, fn);
  o.threads = (int)mlsh_opt_int(L, 2, "threads", 0, fn);
  o.pca = (int)mlsh_opt_int(L, 2, "pca", 0, fn);
  if (o.pca < 0) mlsh_error(L, fn, "option 'pca' must be a positive number of components (got %d)", o.pca);
  int verbose = mlsh_opt_bool(L, 2, "verbose", isatty(2), fn);
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

static int l_trust(lua_State *L) {
  static const char *const known[] = {"k", "threads", NULL};
  const char *fn = "stats.trustworthiness";
  mlsh_mat *X = lmat_checklike(L, 1, fn, "X");
  mlsh_mat *Y = lmat_checklike(L, 2, fn, "Y");
  lmat_check_finite(L, X, fn, "X");
  lmat_check_finite(L, Y, fn, "Y");
  mlsh_opt_check(L, 3, fn, known);
  int k = (int)mlsh_opt_int(L, 3, "k", 5, fn), threads = (int)mlsh_opt_int(L, 3, "threads", 0, fn);
  double tw;
  mlsh_err err = {0};
  int rc = tsne_trustworthiness(X, Y, k, threads, &tw, &err);
  if (rc) mlsh_fail(L, fn, rc, &err);
  lua_pushnumber(L, tw);
  return 1;
}

static const mlsh_Reg tsne_funcs[] = {
  {"tsne", l_tsne, "stats.tsne(X [, opts])",
   "t-SNE embedding of the rows of X. opts: dims=2, perplexity=30 (< rows), iters=1000, early_exaggeration=12 "
   "(first exaggeration_iters=250 iterations, momentum 0.5, then 0.8), learning_rate=\"auto\" (max(n/12/4, 50)), "
   "init=\"pca\"|\"random\", theta=0.5 (Barnes-Hut), method=\"auto\"|\"exact\"|\"barnes_hut\"|\"fft\" (auto: exact up "
   "to 400 rows, Barnes-Hut up to 50000, FFT interpolation beyond), pca=nil (project on that many principal components "
   "first), seed, threads=0, verbose=(stderr is a terminal: KL every 50 iterations). Affinities: perplexity "
   "calibration on the 3*perplexity exact nearest neighbours. Ctrl-C stops it with an error. Returns Y (n x dims) and "
   "{kl=, iters=, method=}.\n"
   "Example: local Y, info = stats.tsne(X, {perplexity=30, seed=42}); print(info.kl)"},
  {"trustworthiness", l_trust, "stats.trustworthiness(X, Y [, opts])",
   "How well the embedding Y keeps the neighbourhoods of X (scikit-learn's trustworthiness, euclidean): 1 - the "
   "penalised rank intrusions of the k nearest neighbours in Y. opts: k=5, threads=0. Returns a number <= 1.\n"
   "Example: print(stats.trustworthiness(X, Y, {k=5}))"},
  {NULL, NULL, NULL, NULL}
};

void mlsh_open_stats_tsne(lua_State *L) {
  mlsh_register(L, "stats", tsne_funcs);
}
