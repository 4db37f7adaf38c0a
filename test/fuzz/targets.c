/* targets.c - the fuzz targets: one function per parser, each taking an
 * arbitrary byte string. Built into libFuzzer binaries by `make fuzz`
 * (fuzz_main.c picks one with -DFUZZ_ENTRY) and replayed over the saved
 * regression inputs by test/c/test_fuzz.c in the normal suite. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../../src/core/alloc.h"
#include "../../src/core/interrupt.h"
#include "../../src/core/threads.h"
#include "../../src/core/npy.h"
#include "../../src/data/csv.h"
#include "../../src/data/npz.h"
#include "../../src/data/fread.h"
#include "../../src/frame/expr.h"
#include "../../src/image/image.h"
#include "../../src/learn/model.h"
#include "../../src/nn/nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <signal.h>
#include <time.h>
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

/* The typed reader: the first two bytes pick the options (separator,
 * header, fill, decimal mark, comment, strings, chunks) so that every
 * path is reached; the rest is the text. Chunks are parsed on one thread:
 * the split and the merge are what can go wrong on bytes. */
int fuzz_fread(const uint8_t *data, size_t size) {
  fread_options o;
  fread_defaults(&o);
  o.nthreads = 1;
  if (size >= 2) {
    const char seps[] = {0, ',', ';', '\t'};
    o.sep = seps[data[0] & 3];
    o.header = (data[0] >> 2) % 3 - 1;
    o.fill = (data[0] >> 4) & 1;
    o.dec = (data[0] >> 5) & 1 ? ',' : 0;
    o.comment = (data[0] >> 6) & 1 ? '#' : 0;
    o.strings = data[1] % 3;
    o.thousands = (data[1] >> 3) & 1 ? ' ' : 0;
    o.chunk_bytes = (data[1] >> 4) & 1 ? 16 + (data[1] >> 5) * 8 : 0;   /* many chunks: the split and its checks */
    data += 2;
    size -= 2;
  }
  fread_result r;
  mlsh_err err;
  if (fread_mem((const char *)data, size, &o, &r, &err) == MLSH_OK) {
    /* Touch every value: a parser bug shows up as an invalid read here. */
    volatile size_t sink = 0;
    for (size_t j = 0; j < r.frame->ncol; j++) {
      const mlsh_col *c = r.frame->cols[j];
      for (size_t i = 0; i < c->n; i++) {
        size_t len = 0;
        const char *s;
        if (col_is_na(c, i)) continue;
        if (c->type == COL_STRING || c->type == COL_CATEGORICAL) {
          s = c->levels ? col_str(c->levels, (size_t)COL_I32(c)[i], &len) : col_str(c, i, &len);
          sink += len ? (size_t)s[0] + (size_t)s[len - 1] : 0;   /* the first and last byte */
        } else {
          sink += ((const uint8_t *)c->data)[i * col_elem_size(c->type)];
        }
      }
    }
    (void)sink;
    fread_result_free(&r);
  }
  return 0;
}

/* A small grouped frame every expression input is checked and evaluated on. */
static mlsh_frame *fuzz_expr_frame(frame_groups *g) {
  static mlsh_frame *f;
  static frame_groups groups;
  if (!f) {
    static const int64_t k[6] = {1, 2, 1, 3, 2, 1};
    static const double x[6] = {1.5, -2, 0, 4, 1e300, 6};
    static const int32_t d[6] = {0, 18292, -1, 365, 59, 20000};
    static const uint8_t valid[1] = {0x3d};
    const char *s[6] = {"a", "Été", NULL, "b c", "", "a"};
    mlsh_col *c = NULL;
    mlsh_err err;
    frame_new(6, &f, &err);
    col_from_array(COL_INT64, k, 6, NULL, &c, &err), frame_add(f, "k", c, &err), col_unref(c);
    col_from_array(COL_DOUBLE, x, 6, valid, &c, &err), frame_add(f, "x", c, &err), col_unref(c);
    col_from_array(COL_DATE, d, 6, NULL, &c, &err), frame_add(f, "d", c, &err), col_unref(c);
    col_from_strings(s, 6, &c, &err), frame_add(f, "s", c, &err), col_unref(c);
    const mlsh_col *key = f->cols[0];
    frame_group(&key, 1, 1, 1, &groups, &err);
  }
  *g = groups;
  return f;
}

int fuzz_expr(const uint8_t *data, size_t size) {
  char *src = mlsh_malloc(size + 1);
  if (!src) return 0;
  memcpy(src, data, size);
  src[size] = 0;
  expr *e = NULL;
  mlsh_err err;
  frame_groups g;
  mlsh_frame *f = fuzz_expr_frame(&g);
  if (f && expr_parse(src, "fuzz", &e, &err) == MLSH_OK) {
    mlsh_col *out = NULL;
    if (expr_eval(e, f, size & 1 ? &g : NULL, size & 2 ? EXPR_PER_GROUP : EXPR_PER_ROW, 1, "fuzz", &out, &err) == MLSH_OK) {
      volatile size_t sink = out->n;
      (void)sink;
    }
    col_unref(out);
  }
  expr_free(e);
  mlsh_free(src);
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

int fuzz_npz(const uint8_t *data, size_t size) {
  npz_archive z;
  mlsh_err err;
  if (npz_parse(data, size, &z, &err) == MLSH_OK) {
    volatile double sink = 0;
    for (size_t k = 0; k < z.n; k++)
      for (size_t i = 0; i < MAT_LEN(&z.a[k].m); i++) sink += z.a[k].m.data[i];
    (void)sink;
    npz_free(&z);
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

/* The declared size of a JPEG, read by libjpeg itself (0 when it cannot). */
typedef struct { struct jpeg_error_mgr pub; jmp_buf jb; } fuzz_jpeg_err;
static void fuzz_jpeg_exit(j_common_ptr c) { longjmp(((fuzz_jpeg_err *)c->err)->jb, 1); }
static void fuzz_jpeg_quiet(j_common_ptr c, int level) { (void)c; (void)level; }

static double jpeg_pixels(const uint8_t *data, size_t size) {
  struct jpeg_decompress_struct c;
  fuzz_jpeg_err e;
  volatile double px = 0;
  memset(&c, 0, sizeof c);
  c.err = jpeg_std_error(&e.pub);
  e.pub.error_exit = fuzz_jpeg_exit;
  e.pub.emit_message = fuzz_jpeg_quiet;
  if (setjmp(e.jb) == 0) {
    jpeg_create_decompress(&c);
    jpeg_mem_src(&c, data, (unsigned long)size);
    if (jpeg_read_header(&c, TRUE) == JPEG_HEADER_OK) px = (double)c.image_width * c.image_height;
  }
  jpeg_destroy_decompress(&c);
  return px;
}

int fuzz_image(const uint8_t *data, size_t size) {
  /* A JPEG of a few hundred bytes can declare 16000x16000 pixels, and
   * libjpeg decodes corrupt data to the last row (filling gaps), so the
   * time goes in proportion to the declared pixels: ~50 ms at 4096x4096,
   * seconds at 2^28 pixels (768 MB touched). JPEGs over 256x256 pixels are
   * decoded on every 64th occurrence up to 1024x1024, and not at all above
   * (up to the 2^28-pixel refusal, which is always run): the code is the
   * same as for a small image, and this keeps the target at ~60k exec/s
   * instead of 6k, without the rare multi-second inputs. */
  static unsigned long big;
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
    double px = jpeg_pixels(data, size);
    if (px > (1 << 16) && px <= (double)((size_t)1 << 28) && (px > (1 << 20) || (big++ & 63) != 0)) return 0;
  }
  mlsh_image img = {0}, small = {0};
  mlsh_err err;
  if (image_decode(data, size, &img, &err) == MLSH_OK) {
    /* Bilinear (both passes visit every input pixel ~2x per output, with
     * the coverage hooks ~100 us at 32x32) for images up to 16x16, picked
     * by the last byte: down- and upscaling and equal sides all happen at
     * that size. Nearest (cost of the 7x5 output only) for any size. */
    image_filter f = img.width <= 16 && img.height <= 16 && (data[size - 1] & 1) ? IMAGE_BILINEAR : IMAGE_NEAREST;
    if ((size_t)img.width * (size_t)img.height < 4096 * 4096 &&
        image_resize(&img, 7, 5, f, &small, &err) == MLSH_OK)
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
 * ("key=value" lines; numbers, booleans, strings, or "{1,2,3}" arrays of
 * numbers) passed to a module function chosen by the first byte. Any Lua
 * error is fine; a crash is not.
 * Speed (the fits run on every input, so that the options reach the
 * fitting code and not just the checks): one Lua state serves every input;
 * the calls are compiled once (kept in the registry); the data are tiny so
 * a fit takes tens of microseconds; the options that only repeat work
 * (forest trees, k-means nstart, ARIMA maxit) default to small values when
 * the input does not set them; the default thread count is 1 (MLSH_THREADS,
 * unless set: starting threads costs more than these fits, and the input
 * can still set 'threads'); OpenBLAS runs on 1 thread; the stack is reset
 * after each call, with the generational collector (see below) and a full
 * collection every 4096 inputs. Option values can still ask for a lot of
 * work (trees=100000, nstart=5000): a timer raises the Ctrl-C flag after
 * 0.1 ms, so such an input ends with "interrupted" through the core's
 * cleanup path instead of a slow unit (fewer than 2% of the inputs are
 * interrupted; the checks always run to the end). */
static lua_State *fuzz_L;
static int fuzz_calls_ref = LUA_NOREF;

static const char *const fuzz_calls[] = {
  "return function(o) if o.nstart == nil then o.nstart = 1 end return cluster.kmeans(mat.randn(8, 2, {seed=1}), 3, o) end",
  "return function(o) return cluster.hclust(mat.randn(8, 2, {seed=1}), o) end",
  "return function(o) return stats.pca(mat.randn(6, 3, {seed=1}), o) end",
  "return function(o) if o.maxit == nil then o.maxit = 5 end return ts.arima(mat.randn(12, 1, {seed=1}), o) end",
  "return function(o) return learn.knn(o):fit(mat.randn(8, 2, {seed=1}), {1,2,1,2,1,2,1,2}) end",
  "return function(o) if o.trees == nil then o.trees = 2 end return learn.forest(o):fit(mat.randn(8, 2, {seed=1}), {1,2,1,2,1,2,1,2}) end",
  "return function(o) return data.read_csv('/dev/null', o) end",
  "return function(o) return mat.randn(3, 3, o) end",
};

static timer_t fuzz_timer;
static int fuzz_timer_ok;

static void fuzz_on_timer(int sig) { (void)sig; mlsh_interrupt_raise(); }

static void fuzz_options_init(void) {
  setenv("MLSH_THREADS", "1", 0);
  mlsh_blas_set_threads(1);   /* idle OpenBLAS workers spin in sched_yield on the fuzzer's cores */
  lua_State *L = fuzz_L = luaL_newstate();
  luaL_openlibs(L);
  luaL_requiref(L, "mlsh", luaopen_mlsh, 0);
  static const char *const g[] = {"mat", "data", "stats", "cluster", "ts", "learn", NULL};
  for (int i = 0; g[i]; i++) {
    lua_getfield(L, -1, g[i]);
    lua_setglobal(L, g[i]);
  }
  lua_pop(L, 1);
  lua_createtable(L, (int)(sizeof fuzz_calls / sizeof *fuzz_calls), 0);
  for (size_t i = 0; i < sizeof fuzz_calls / sizeof *fuzz_calls; i++) {
    if (luaL_loadstring(L, fuzz_calls[i]) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
      fprintf(stderr, "fuzz_options: %s\n", lua_tostring(L, -1));
      abort();
    }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  fuzz_calls_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_gc(L, LUA_GCCOLLECT, 0);
  lua_gc(L, LUA_GCGEN, 0, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fuzz_on_timer;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGRTMIN + 3;
  fuzz_timer_ok = sigaction(SIGRTMIN + 3, &sa, NULL) == 0 &&
                  timer_create(CLOCK_MONOTONIC, &sev, &fuzz_timer) == 0;
}

static void fuzz_arm(long ns) {
  if (!fuzz_timer_ok) return;
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  its.it_value.tv_nsec = ns;   /* 0 disarms */
  timer_settime(fuzz_timer, 0, &its, NULL);
}

int fuzz_options(const uint8_t *data, size_t size) {
  static unsigned long runs;
  if (!fuzz_L) fuzz_options_init();
  lua_State *L = fuzz_L;
  if (size < 1) return 0;
  int top = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fuzz_calls_ref);
  lua_rawgeti(L, -1, data[0] % (sizeof fuzz_calls / sizeof *fuzz_calls) + 1);
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
      else if (buf[0] == '{') {   /* "{1,0,2}": numbers up to a non-number; none: {1}, "{}": empty */
        lua_newtable(L);
        const char *q = buf + 1;
        int n = 0;
        for (;;) {
          double x = strtod(q, &end);
          if (end == q) break;
          lua_pushnumber(L, x);
          lua_rawseti(L, -2, ++n);
          q = end;
          if (*q != ',') break;
          q++;
        }
        if (n == 0 && buf[1] != '}') { lua_pushinteger(L, 1); lua_rawseti(L, -2, 1); }
      }
      else lua_pushstring(L, buf);
      lua_settable(L, -3);
    }
    i = j + 1;
  }
  mlsh_interrupt_clear();
  fuzz_arm(100 * 1000);   /* 0.1 ms */
  lua_pcall(L, 1, 0, 0);
  fuzz_arm(0);
  mlsh_interrupt_clear();
  lua_settop(L, top);
  /* Generational mode: a young collection frees this input's objects, a
   * second one the userdata finalized by the first, so that each input
   * frees what it allocated (else libFuzzer suspects a leak and runs a
   * full LeakSanitizer scan, ~10 ms). */
  lua_gc(L, LUA_GCSTEP, 0);
  lua_gc(L, LUA_GCSTEP, 0);
  if ((++runs & 4095) == 0) lua_gc(L, LUA_GCCOLLECT, 0);
  return 0;
}
