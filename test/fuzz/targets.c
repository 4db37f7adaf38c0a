/* targets.c - the fuzz targets: one function per parser, each taking an
 * arbitrary byte string. Built into libFuzzer binaries by `make fuzz`
 * (fuzz_main.c picks one with -DFUZZ_ENTRY) and replayed over the saved
 * regression inputs by test/c/test_fuzz.c in the normal suite. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../../src/core/alloc.h"
#include "../../src/core/npy.h"
#include "../../src/data/csv.h"
#include "../../src/image/image.h"
#include "../../src/learn/model.h"
#include "../../src/nn/nn.h"
#include <stdio.h>
#include <unistd.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "../../src/lua/lmlsh.h"

/* Parsers that take a path read the input from a per-process file. */
static const char *scratch_file(const uint8_t *data, size_t size) {
  static char path[64];
  if (!path[0]) snprintf(path, sizeof path, "%s/mlsh-fuzz-%d.bin", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
  FILE *f = fopen(path, "wb");
  if (!f) return NULL;
  if (size) fwrite(data, 1, size, f);
  fclose(f);
  return path;
}

int fuzz_csv(const uint8_t *data, size_t size) {
  csv_table t;
  mlsh_err err;
  csv_options opt = {0, -1, NULL};
  if (size > 0) {
    /* The first byte picks the options so that every code path is reached. */
    const char seps[] = {0, ',', ';', '\t'};
    opt.sep = seps[data[0] & 3];
    opt.header = (data[0] >> 2) % 3 - 1;
    data++;
    size--;
  }
  if (csv_parse((const char *)data, size, &opt, &t, &err) == MLSH_OK) {
    /* Touch every cell: a parser bug shows up as an invalid read here. */
    volatile double sink = 0;
    for (size_t j = 0; j < t.ncols; j++)
      for (size_t i = 0; i < t.nrows; i++)
        sink += t.cols[j].numeric ? t.cols[j].num[i] : (t.cols[j].str[i] ? (double)strlen(t.cols[j].str[i]) : 0);
    (void)sink;
    csv_free(&t);
  }
  return 0;
}

int fuzz_npy(const uint8_t *data, size_t size) {
  mlsh_npy a;
  mlsh_err err;
  if (npy_parse(data, size, &a, &err) == MLSH_OK) {
    volatile double sink = 0;
    for (size_t i = 0; i < a.count; i++) sink += a.data[i];
    (void)sink;
    npy_free(&a);
  }
  return 0;
}

int fuzz_cfg(const uint8_t *data, size_t size) {
  char *text = mlsh_malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  nn_net *net = NULL;
  mlsh_err err;
  if (nn_parse_cfg_text(text, "fuzz.cfg", &net, &err) == MLSH_OK) nn_free(net);
  mlsh_free(text);
  return 0;
}

/* A small fixed network: the fuzzer varies the .weights file only. */
static const char weights_cfg[] =
  "[net]\nwidth=8\nheight=8\nchannels=3\n"
  "[convolutional]\nfilters=4\nsize=3\nstride=1\npad=1\nbatch_normalize=1\nactivation=leaky\n"
  "[convolutional]\nfilters=4\nsize=1\nstride=1\npad=0\nactivation=linear\n"
  "[avgpool]\n[connected]\noutput=3\nactivation=linear\n";

int fuzz_weights(const uint8_t *data, size_t size) {
  /* The cfg is parsed once; each input is loaded over the same net (the
   * loader checks sizes before it writes), and every 64th one that loads
   * is also run, on a fresh net, through finalize and forward. */
  static nn_net *net;
  static unsigned long runs;
  mlsh_err err;
  const char *path = scratch_file(data, size);
  if (!path) return 0;
  if (!net && nn_parse_cfg_text(weights_cfg, "fuzz.cfg", &net, &err) != MLSH_OK) return 0;
  if (nn_load_weights(net, path, &err) != MLSH_OK || (runs++ & 63) != 0) return 0;
  nn_net *full = NULL;
  if (nn_parse_cfg_text(weights_cfg, "fuzz.cfg", &full, &err) == MLSH_OK &&
      nn_load_weights(full, path, &err) == MLSH_OK && nn_finalize(full, 1, &err) == MLSH_OK) {
    float in[8 * 8 * 3] = {0}, out[3];
    nn_forward(full, in, 1, out, &err);
  }
  nn_free(full);
  return 0;
}

int fuzz_image(const uint8_t *data, size_t size) {
  mlsh_image img = {0}, small = {0};
  mlsh_err err;
  if (image_decode(data, size, &img, &err) == MLSH_OK) {
    if ((size_t)img.width * (size_t)img.height < 4096 * 4096 &&
        image_resize(&img, 7, 5, IMAGE_NEAREST, &small, &err) == MLSH_OK)
      image_free(&small);
    image_free(&img);
  }
  return 0;
}

int fuzz_model(const uint8_t *data, size_t size) {
  learn_model m;
  mlsh_err err;
  const char *path = scratch_file(data, size);
  memset(&m, 0, sizeof m);
  if (path && learn_load(&m, path, &err) == MLSH_OK) {
    mlsh_mat X;
    if (m.p > 0 && m.p < 100000 && mat_alloc(&X, 2, m.p, &err) == MLSH_OK) {
      int labels[2];
      learn_predict(&m, &X, labels, &err);
      mat_free(&X);
    }
  }
  learn_model_free(&m);
  return 0;
}

/* Lua-facing option parsing: the input becomes an options table
 * ("key=value" lines; numbers, booleans or strings) passed to a module
 * function chosen by the first byte. Any Lua error is fine; a crash is not. */
static lua_State *fuzz_L;

int fuzz_options(const uint8_t *data, size_t size) {
  static const char *const calls[] = {
    "local o = ... return cluster.kmeans(mat.randn(30, 3, {seed=1}), 3, o)",
    "local o = ... return cluster.hclust(mat.randn(20, 3, {seed=1}), o)",
    "local o = ... return stats.pca(mat.randn(20, 4, {seed=1}), o)",
    "local o = ... return ts.arima(mat.randn(60, 1, {seed=1}), o)",
    "local o = ... return learn.knn(o):fit(mat.randn(20, 3, {seed=1}), {1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2})",
    "local o = ... return learn.forest(o):fit(mat.randn(20, 3, {seed=1}), {1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2})",
    "local o = ... return data.read_csv('/dev/null', o)",
    "local o = ... return mat.randn(3, 3, o)",
  };
  if (!fuzz_L) {
    fuzz_L = luaL_newstate();
    luaL_openlibs(fuzz_L);
    luaL_requiref(fuzz_L, "mlsh", luaopen_mlsh, 0);
    static const char *const g[] = {"mat", "data", "stats", "cluster", "ts", "learn", NULL};
    for (int i = 0; g[i]; i++) {
      lua_getfield(fuzz_L, -1, g[i]);
      lua_setglobal(fuzz_L, g[i]);
    }
    lua_pop(fuzz_L, 1);
  }
  lua_State *L = fuzz_L;
  if (size < 1) return 0;
  const char *code = calls[data[0] % (sizeof calls / sizeof *calls)];
  int top = lua_gettop(L);
  if (luaL_loadstring(L, code) != LUA_OK) { lua_settop(L, top); return 0; }
  lua_newtable(L);
  size_t i = 1;
  while (i < size) {
    size_t j = i;
    while (j < size && data[j] != '\n') j++;
    const char *line = (const char *)data + i;
    size_t len = j - i, eq = 0;
    while (eq < len && line[eq] != '=') eq++;
    if (eq > 0 && eq < len && eq < 32) {
      lua_pushlstring(L, line, eq);
      const char *v = line + eq + 1;
      size_t vlen = len - eq - 1;
      char buf[64];
      snprintf(buf, sizeof buf, "%.*s", (int)(vlen < 63 ? vlen : 63), v);
      char *end;
      double d = strtod(buf, &end);
      if (end != buf && *end == 0) lua_pushnumber(L, d);
      else if (strcmp(buf, "true") == 0 || strcmp(buf, "false") == 0) lua_pushboolean(L, buf[0] == 't');
      else if (buf[0] == '{') { lua_newtable(L); lua_pushinteger(L, 1); lua_rawseti(L, -2, 1); }
      else lua_pushstring(L, buf);
      lua_settable(L, -3);
    }
    i = j + 1;
  }
  lua_pcall(L, 1, 0, 0);
  lua_settop(L, top);
  lua_gc(L, LUA_GCCOLLECT, 0);
  return 0;
}
