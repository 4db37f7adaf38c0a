/* linit.c - luaopen_mlsh: builds the `mlsh` table with every module,
 * points package.path at the Lua-side helpers, and runs lua/mlsh/prelude.lua.
 * Used by the shell and by `require "mlsh"` from a stock lua5.4. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "lmlsh.h"

typedef struct {
  const char *name;
  const char *summary;
  void (*open[12])(lua_State *L);
  const char *parts[4];   /* its Lua-side helpers: lua/mlsh/<part>.lua */
} module_entry;

/* Module order matters only for help(); each opener adds to its table. */
static const module_entry modules[] = {
  {"mat", "dense matrices: construction, algebra (BLAS/LAPACK), statistics, .npy/.csv I/O, memory-mapped .npy", {mlsh_open_mat, mlsh_open_mat_mmap}, {"mat"}},
  {"data", "typed data frames: the dplyr/tidyr verbs, tibble printing; CSV, SQLite, SPSS/Stata/SAS, Excel, HDF5, .npz", {mlsh_open_frame, mlsh_open_data, mlsh_open_frame_convert, mlsh_open_frame_verbs, mlsh_open_frame_join, mlsh_open_frame_fill, mlsh_open_frame_expr, mlsh_open_frame_colops, mlsh_open_data_sql, mlsh_open_data_stat, mlsh_open_data_files}, {"data", "frame_print", "frame"}},
  {"stats", "PCA (FactoMineR-grade), t-SNE, R's distributions and tests, linear and generalised linear models", {mlsh_open_stats_pca, mlsh_open_stats_tsne, mlsh_open_stats_distrib, mlsh_open_stats_tests, mlsh_open_stats_rank, mlsh_open_stats_lm}, {"stats_pca", "stats_tests", "stats_models"}},
  {"cluster", "K-Means, hierarchical clustering, validation indices, cluster profiles", {mlsh_open_cluster, mlsh_open_cluster_valid}, {"cluster"}},
  {"ts", "time series: Box-Jenkins tests, ACF/PACF, ARIMA/SARIMA, forecasts", {mlsh_open_ts}, {"ts"}},
  {"learn", "classifiers (KNN, SVM, random forest, logistic), splits, metrics", {mlsh_open_learn, mlsh_open_learn_prep}, {"learn"}},
  {"nn", "darknet-format CNN engine, MobileNetV2 embeddings", {mlsh_open_nn}, {"nn"}},
  {"image", "JPEG/PNG loading and resizing", {mlsh_open_image}, {"image"}},
  {"plot", "terminal charts, dashboard, SVG/HTML export", {mlsh_open_plot}, {"plot", "plot_diagnostics"}},
  {"dist", "many processes (mpirun): ranks, collectives, .npy row blocks, distributed K-Means/PCA", {mlsh_open_dist}, {"dist"}},
};

static int file_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

/* The project root: where lua/mlsh/prelude.lua, weights/ and datasets/
 * live. MLSH_ROOT overrides; else found relative to this binary or .so
 * (build tree: <root>/build/mlsh; installed: <prefix>/bin, <prefix>/lib
 * with data in <prefix>/share/mlsh). */
static int find_root(char *out, size_t size) {
  const char *env = getenv("MLSH_ROOT");
  char probe[PATH_MAX * 3], dir[PATH_MAX];
  if (env && *env) {
    snprintf(out, size, "%s", env);
    return 1;
  }
  Dl_info info;
  if (dladdr((void *)luaopen_mlsh, &info) && info.dli_fname && strchr(info.dli_fname, '/')) {
    if (!realpath(info.dli_fname, dir)) snprintf(dir, sizeof dir, "%s", info.dli_fname);
  } else {
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0) return 0;
    dir[n] = 0;
  }
  char *slash = strrchr(dir, '/');
  if (!slash) return 0;
  *slash = 0;
  const char *candidates[] = {"%s/..", "%s/../share/mlsh", "%s/../../share/mlsh", "%s/../../../share/mlsh", "%s", "%s/../.."};
  for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
    char root[PATH_MAX * 2];
    snprintf(root, sizeof root, candidates[i], dir);
    snprintf(probe, sizeof probe, "%s/lua/mlsh/prelude.lua", root);
    if (file_exists(probe)) {
      if (!realpath(root, out)) snprintf(out, size, "%.*s", (int)(size - 1), root);
      return 1;
    }
  }
  return 0;
}

static void add_package_path(lua_State *L, const char *root) {
  lua_getglobal(L, "package");
  if (!lua_istable(L, -1)) { lua_pop(L, 1); return; }
  lua_getfield(L, -1, "path");
  const char *old = lua_tostring(L, -1);
  char add[PATH_MAX * 2 + 64];
  snprintf(add, sizeof add, "%.4000s/lua/?.lua;%.4000s/lua/?/init.lua;", root, root);
  if (!old || !strstr(old, add)) {
    lua_pushfstring(L, "%s%s", add, old ? old : "");
    lua_setfield(L, -3, "path");
  }
  lua_pop(L, 2);
}

/* {{module, part}, ...}: what lua/mlsh/prelude.lua loads, in order. */
static void push_parts(lua_State *L) {
  lua_newtable(L);
  int k = 0;
  for (size_t i = 0; i < sizeof modules / sizeof *modules; i++)
    for (int j = 0; j < 4 && modules[i].parts[j]; j++) {
      lua_createtable(L, 2, 0);
      lua_pushstring(L, modules[i].name);
      lua_rawseti(L, -2, 1);
      lua_pushstring(L, modules[i].parts[j]);
      lua_rawseti(L, -2, 2);
      lua_rawseti(L, -2, ++k);
    }
}

int luaopen_mlsh(lua_State *L) {
  char root[PATH_MAX];
  lua_newtable(L);
  int mt = lua_gettop(L);
  lua_pushstring(L, MLSH_VERSION);
  lua_setfield(L, mt, "version");
  for (size_t i = 0; i < sizeof modules / sizeof *modules; i++) {
    lua_newtable(L);
    for (int k = 0; k < (int)(sizeof modules[i].open / sizeof *modules[i].open) && modules[i].open[k]; k++) modules[i].open[k](L);
    mlsh_doc_value(L, -1, modules[i].name, modules[i].name, modules[i].summary);
    mlsh_doc_module(L, modules[i].name, modules[i].summary);
    /* require "mat" works too, and luaL_argerror names "mat.zeros". */
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, modules[i].name);
    lua_pop(L, 1);
    lua_setfield(L, mt, modules[i].name);
  }
  push_parts(L);
  lua_setfield(L, mt, "_parts");
  mlsh_open_help(L);
  mlsh_open_debug(L);
  mlsh_open_parallel(L);
  mlsh_open_options(L);
  if (find_root(root, sizeof root)) {
    lua_pushstring(L, root);
    lua_setfield(L, mt, "root");
    add_package_path(L, root);
    /* Lua-side helpers extend the C modules: prelude(mlsh). */
    lua_getglobal(L, "require");
    lua_pushstring(L, "mlsh.prelude");
    lua_call(L, 1, 1);
    if (lua_isfunction(L, -1)) {
      lua_pushvalue(L, mt);
      lua_call(L, 1, 0);
    } else {
      lua_pop(L, 1);
    }
  } else {
    fprintf(stderr, "mlsh: warning: the Lua helpers (lua/mlsh/prelude.lua) were not found next to the "
                    "program; set MLSH_ROOT to the mlsh folder\n");
  }
  lua_settop(L, mt);
  return 1;
}
