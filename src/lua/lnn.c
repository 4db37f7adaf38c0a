/* lnn.c - Lua binding for the CNN engine: nn.load, nn.convert
 * and the Net class (forward, embed, layers, profiling). Summaries and
 * nn.mobilenetv2 are in lua/mlsh/nn.lua. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "limage.h"
#include "../nn/nn.h"
#include "../nn/gpu.h"
#include "../core/alloc.h"

#define NET_MT "mlsh.Net"

typedef struct { nn_net *net; } lnet;

static nn_net *check_net(lua_State *L, int idx, const char *fname) {
  lnet *u = luaL_testudata(L, idx, NET_MT);
  if (!u) mlsh_error(L, fname, "argument 'self' must be a Net (got %s)", mlsh_typename(L, idx));
  if (!u->net) mlsh_error(L, fname, "the Net was freed");
  return u->net;
}

/* ---- nn.load, nn.convert ---- */

static const char *const devices[] = {"cpu", "cuda", "auto", NULL};
static const char *const engines[] = {"auto", "xnnpack", "darknet", NULL};
typedef struct { int threads, device, batch, tf32, engine; } load_args;
static const mlsh_opt load_opt[] = {
  MLSH_OPT_THREADS(load_args, threads),
  MLSH_OPT_ENUM_PRESET(load_args, device, "device", 0, devices,
                       "\"cpu\", \"cuda\" (an error when no GPU is usable) or \"auto\" (the GPU if any, else the CPU "
                       "with a notice); absent: $MLSH_DEVICE, else \"cpu\""),
  MLSH_OPT_INT(load_args, batch, "batch", 128, 1, 65536, "images per step on the GPU"),
  MLSH_OPT_BOOL(load_args, tf32, "tf32", 0, "let cuBLAS use TF32 tensor cores on the GPU (faster, about 1e-3 less accurate)"),
  MLSH_OPT_ENUM(load_args, engine, "engine", 0, engines,
                "CPU engine: \"xnnpack\" (XNNPACK's NHWC kernels; an error for a layer it does not take), "
                "\"darknet\" (mlsh's own kernels, any net) or \"auto\" (XNNPACK when it takes every layer)"),
  MLSH_OPT_END};
static const mlsh_optspec load_spec = {"nn.load", load_opt};

static int l_load(lua_State *L) {
  const char *fname = load_spec.fname;
  load_args a;
  a.device = -1;   /* absent: nn_use_device reads $MLSH_DEVICE */
  mlsh_opts(L, 3, &load_spec, &a);
  const char *cfg = mlsh_check_string(L, 1, fname, "cfg");
  const char *weights = lua_isnoneornil(L, 2) ? NULL : mlsh_check_string(L, 2, fname, "weights");
  const char *device = a.device < 0 ? NULL : devices[a.device];
  nn_gpu_opts gopt = {a.batch, a.tf32, 0};
  lnet *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->net = NULL;
  luaL_setmetatable(L, NET_MT);
  mlsh_err err;
  int rc = nn_parse_cfg(cfg, &u->net, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  if (u->net->warnings) fprintf(stderr, "nn.load: warning: %s", u->net->warnings);
  if (weights && (rc = nn_load_weights(u->net, weights, &err))) return mlsh_fail(L, fname, rc, &err);
  u->net->engine = (nn_engine)a.engine;
  if ((rc = nn_finalize(u->net, a.threads, &err))) return mlsh_fail(L, fname, rc, &err);
  char notice[640];
  int on_gpu;
  if ((rc = nn_use_device(u->net, device, &gopt, &on_gpu, notice, sizeof notice, &err))) return mlsh_fail(L, fname, rc, &err);
  if (notice[0]) fprintf(stderr, "%s\n", notice);
  return 1;
}

static const char *const sources[] = {"auto", "npy", "h5", NULL};
typedef struct { int from; } convert_args;
static const mlsh_opt convert_opt[] = {
  MLSH_OPT_ENUM(convert_args, from, "from", 0, sources,
                "\"h5\" (a Keras .h5), \"npy\" (a folder of TF-slim .npy tensors) or \"auto\" (by whether source is a folder)"),
  MLSH_OPT_END};
static const mlsh_optspec convert_spec = {"nn.convert", convert_opt};

static int l_convert(lua_State *L) {
  const char *fname = convert_spec.fname;
  convert_args a;
  mlsh_opts(L, 4, &convert_spec, &a);
  const char *cfg = mlsh_check_string(L, 1, fname, "cfg"), *src = mlsh_check_string(L, 2, fname, "source");
  const char *out = mlsh_check_string(L, 3, fname, "out");
  int k = a.from;
  if (k == 0) {   /* a folder holds .npy tensors; a file is an .h5 */
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/.", src);
    k = access(probe, F_OK) == 0 ? 1 : 2;
  }
  nn_net *net;
  mlsh_err err;
  int rc = nn_parse_cfg(cfg, &net, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  rc = nn_convert(net, k == 1 ? NN_SRC_NPY_DIR : NN_SRC_KERAS_H5, src, &err);
  if (!rc) rc = nn_save_weights(net, out, &err);
  size_t params = 0;
  for (int i = 0; i < net->n; i++) params += nn_layer_params(&net->layers[i]);
  nn_free(net);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_pushinteger(L, (lua_Integer)params);
  return 1;
}

/* ---- forward: preprocessing of images ---- */

static const char *const modes[] = {"tf", "torch", "unit", "none", NULL};
/* The preprocess option of Net:forward and Net:embed. */
#define PREPROCESS_OPT(T)                                                                           \
  MLSH_OPT_ENUM(T, preprocess, "preprocess", 0, modes,                                              \
                "scaling of Image pixels: \"tf\" (x/127.5 - 1, Keras), \"torch\" (ImageNet mean/sd), " \
                "\"unit\" (x/255, darknet) or \"none\"")

static void preprocess(int mode, float scale[3], float shift[3]) {
  static const float mean[3] = {0.485f, 0.456f, 0.406f}, sd[3] = {0.229f, 0.224f, 0.225f};
  for (int c = 0; c < 3; c++) {
    switch (mode) {
    case 0: scale[c] = 1 / 127.5f; shift[c] = -1; break;           /* Keras preprocess_input(mode="tf") */
    case 1: scale[c] = 1 / (255 * sd[c]); shift[c] = -mean[c] / sd[c]; break;   /* torchvision normalisation */
    case 2: scale[c] = 1 / 255.0f; shift[c] = 0; break;             /* darknet's [0, 1] */
    default: scale[c] = 1; shift[c] = 0;
    }
  }
}

static void push_output(lua_State *L, const float *out, size_t n, size_t cols, const char *fname) {
  mlsh_mat *m = lmat_push_new(L, n, cols, fname);
  for (size_t i = 0; i < n * cols; i++) m->data[i] = out[i];
}

typedef struct { int preprocess, na; } forward_args;
static const mlsh_opt forward_opt[] = {
  PREPROCESS_OPT(forward_args),
  MLSH_OPT_NA(forward_args, na),
  MLSH_OPT_END};
static const mlsh_optspec forward_spec = {"Net:forward", forward_opt};

static int forward_image(lua_State *L, nn_net *net, const forward_args *a, const char *fname) {
  mlsh_image *im = limage_check(L, 2, fname, "input");
  if (im->width != net->w || im->height != net->h || net->c != 3)
    return mlsh_error(L, fname, "argument 'input' is a %dx%d image, the net takes %dx%dx%d (use img:resize(%d, %d))",
                      im->width, im->height, net->w, net->h, net->c, net->w, net->h);
  float sc[3], sh[3];
  preprocess(a->preprocess, sc, sh);
  float *in = mlsh_scratch(L, net->inputs * sizeof(float), fname);
  float *out = mlsh_scratch(L, net->outputs * sizeof(float), fname);
  image_to_chw(im, sc, sh, in);
  mlsh_err err;
  int rc = nn_forward(net, in, 1, out, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  push_output(L, out, 1, net->outputs, fname);
  return 1;
}

static int net_forward(lua_State *L) {
  const char *fname = forward_spec.fname;
  nn_net *net = check_net(L, 1, fname);
  forward_args a;
  mlsh_opts(L, 3, &forward_spec, &a);
  if (luaL_testudata(L, 2, MLSH_IMAGE_MT)) return forward_image(L, net, &a, fname);
  mlsh_mat *X = mlsh_check_data(L, 2, fname, "input", a.na, NULL);
  if (X->cols != net->inputs)
    return mlsh_error(L, fname, "argument 'input' has %zu columns, the net takes %zu (%dx%dx%d, CHW order) per row",
                      X->cols, net->inputs, net->c, net->h, net->w);
  float *in = mlsh_scratch(L, MAT_LEN(X) * sizeof(float) + 1, fname);
  float *out = mlsh_scratch(L, X->rows * net->outputs * sizeof(float) + 1, fname);
  for (size_t i = 0; i < MAT_LEN(X); i++) in[i] = (float)X->data[i];
  mlsh_err err;
  int rc = nn_forward(net, in, X->rows, out, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  push_output(L, out, X->rows, net->outputs, fname);
  return 1;
}

/* ---- embed: progress bar on a terminal ---- */

typedef struct { double t0; int shown; } progress_state;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void progress_cb(void *ud, size_t done, size_t total) {
  progress_state *p = ud;
  double el = now_s() - p->t0, rate = el > 0 ? done / el : 0, eta = rate > 0 ? (total - done) / rate : 0;
  int width = 30, fill = total ? (int)(width * (double)done / total) : width;
  char bar[64];
  for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
  bar[width] = 0;
  fprintf(stderr, "\r[%s] %zu/%zu  %.1f img/s  ETA %.0fs   ", bar, done, total, rate, eta);
  fflush(stderr);
  p->shown = 1;
}

static const char *const on_errors[] = {"stop", "skip", NULL};
typedef struct { int batch, size, preprocess, progress, skip; } embed_args;
static const mlsh_opt embed_opt[] = {
  MLSH_OPT_INT(embed_args, batch, "batch", 32, 1, 1 << 20, "images per step of the workers"),
  MLSH_OPT_INT_PRESET(embed_args, size, "size", "the net's width", 1, 65536,
                      "the side images are resized to: must be the net's (its cfg's width and height)"),
  PREPROCESS_OPT(embed_args),
  MLSH_OPT_BOOL(embed_args, progress, "progress", 1, "show a progress bar with rate and ETA on a terminal"),
  MLSH_OPT_ENUM(embed_args, skip, "on_error", 0, on_errors,
                "an unreadable image: \"stop\" (an error naming it) or \"skip\" (a NaN row, listed in a second result)"),
  MLSH_OPT_END};
static const mlsh_optspec embed_spec = {"Net:embed", embed_opt};

/* The images argument (an array of paths, or of Images) into *paths or
 * *imgs; the array keeps the strings and Images alive during the call. */
static size_t check_images(lua_State *L, int idx, const char *fname, const char ***paths, mlsh_image **imgs) {
  if (!lua_istable(L, idx))
    mlsh_error(L, fname, "argument 'images' must be an array of paths or of Images (got %s)", mlsh_typename(L, idx));
  size_t n = lua_rawlen(L, idx);
  if (n == 0) mlsh_error(L, fname, "argument 'images' is empty");
  lua_rawgeti(L, idx, 1);
  int as_paths = lua_type(L, -1) == LUA_TSTRING;
  lua_pop(L, 1);
  *paths = as_paths ? mlsh_scratch(L, n * sizeof **paths, fname) : NULL;
  *imgs = as_paths ? NULL : mlsh_scratch(L, n * sizeof **imgs, fname);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    if (as_paths) {
      if (lua_type(L, -1) != LUA_TSTRING)
        mlsh_error(L, fname, "argument 'images'[%zu] must be a path like the first element (got %s)", i + 1, mlsh_typename(L, -1));
      (*paths)[i] = lua_tostring(L, -1);
    } else {
      if (!luaL_testudata(L, -1, MLSH_IMAGE_MT))
        mlsh_error(L, fname, "argument 'images'[%zu] must be a path or an Image (got %s)", i + 1, mlsh_typename(L, -1));
      (*imgs)[i] = *limage_check(L, -1, fname, "images[i]");
    }
    lua_pop(L, 1);
  }
  return n;
}

static int net_embed(lua_State *L) {
  const char *fname = embed_spec.fname;
  nn_net *net = check_net(L, 1, fname);
  embed_args a;
  a.size = net->w;
  mlsh_opts(L, 3, &embed_spec, &a);
  const char **paths;
  mlsh_image *imgs;
  size_t n = check_images(L, 2, fname, &paths, &imgs);
  if (a.size != net->w || a.size != net->h)
    return mlsh_error(L, fname, "option 'size' is %d but the net takes %dx%d images (change width/height in its cfg)",
                      a.size, net->w, net->h);
  int progress = a.progress && isatty(2), skip = a.skip;
  nn_embed_opts o = {.batch = (size_t)a.batch};
  preprocess(a.preprocess, o.scale, o.shift);
  if (net->c != 3) return mlsh_error(L, fname, "the net takes %d channels; embed needs an RGB (3-channel) net", net->c);
  float *out = mlsh_scratch(L, n * net->outputs * sizeof(float), fname);
  if (skip) {
    o.img_errs = mlsh_scratch(L, n * sizeof *o.img_errs, fname);
    memset(o.img_errs, 0, n * sizeof *o.img_errs);
  }
  progress_state ps = {now_s(), 0};
  if (progress) { o.progress = progress_cb; o.ud = &ps; }
  mlsh_err err;
  int rc = nn_embed(net, paths, imgs, n, &o, out, &err);
  if (ps.shown) fprintf(stderr, rc ? "\n" : "\r%*s\r", rc ? 0 : 78, "");
  if (rc) return mlsh_fail(L, fname, rc, &err);
  push_output(L, out, n, net->outputs, fname);
  if (!skip) return 1;
  lua_newtable(L);   /* the skipped images: {index=, path=, error=} */
  for (size_t i = 0, k = 0; i < n; i++) {
    if (!o.img_errs[i].code) continue;
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, (lua_Integer)i + 1); lua_setfield(L, -2, "index");
    if (paths) { lua_pushstring(L, paths[i]); lua_setfield(L, -2, "path"); }
    lua_pushstring(L, o.img_errs[i].msg); lua_setfield(L, -2, "error");
    lua_rawseti(L, -2, (lua_Integer)++k);
  }
  return 2;
}

static void push_shape(lua_State *L, int c, int h, int w) {
  lua_createtable(L, 3, 0);
  lua_pushinteger(L, c); lua_rawseti(L, -2, 1);
  lua_pushinteger(L, h); lua_rawseti(L, -2, 2);
  lua_pushinteger(L, w); lua_rawseti(L, -2, 3);
}

static int net_layers(lua_State *L) {
  nn_net *net = check_net(L, 1, "Net:layers");
  lua_createtable(L, net->n, 0);
  for (int i = 0; i < net->n; i++) {
    const nn_layer *l = &net->layers[i];
    lua_createtable(L, 0, 14);
    lua_pushinteger(L, i); lua_setfield(L, -2, "index");
    lua_pushstring(L, nn_type_name(l->type)); lua_setfield(L, -2, "type");
    lua_pushstring(L, l->name); lua_setfield(L, -2, "name");
    lua_pushinteger(L, l->line); lua_setfield(L, -2, "line");
    push_shape(L, l->c, l->h, l->w); lua_setfield(L, -2, "input");
    push_shape(L, l->out_c, l->out_h, l->out_w); lua_setfield(L, -2, "output");
    lua_pushinteger(L, (lua_Integer)nn_layer_params(l)); lua_setfield(L, -2, "params");
    lua_pushnumber(L, nn_layer_macs(l) / 1e6); lua_setfield(L, -2, "mmacs");
    if (l->type == NN_CONV || l->type == NN_MAXPOOL) {
      lua_pushinteger(L, l->size); lua_setfield(L, -2, "size");
      lua_pushinteger(L, l->stride); lua_setfield(L, -2, "stride");
    }
    if (l->type == NN_CONV) { lua_pushinteger(L, l->groups); lua_setfield(L, -2, "groups"); }
    if (l->type == NN_CONV || l->type == NN_CONNECTED || l->type == NN_SHORTCUT) {
      lua_pushstring(L, nn_act_name(l->act)); lua_setfield(L, -2, "activation");
    }
    if (l->type == NN_SHORTCUT) { lua_pushinteger(L, l->from); lua_setfield(L, -2, "from"); lua_pushboolean(L, l->fused); lua_setfield(L, -2, "fused"); }
    if (net->layer_time) { lua_pushnumber(L, net->layer_time[i]); lua_setfield(L, -2, "seconds"); }
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int net_info(lua_State *L) {
  nn_net *net = check_net(L, 1, "Net:info");
  lua_createtable(L, 0, 8);
  push_shape(L, net->c, net->h, net->w); lua_setfield(L, -2, "input");
  lua_pushinteger(L, (lua_Integer)net->outputs); lua_setfield(L, -2, "outputs");
  lua_pushinteger(L, net->n); lua_setfield(L, -2, "layers");
  lua_pushinteger(L, net->batch); lua_setfield(L, -2, "batch");
  lua_pushinteger(L, net->nthreads); lua_setfield(L, -2, "threads");
  lua_pushstring(L, net->gpu ? "cuda" : "cpu"); lua_setfield(L, -2, "device");
  lua_pushstring(L, net->gpu ? "cuda" : nn_engine_name(net)); lua_setfield(L, -2, "engine");
  if (!net->gpu && net->engine_note[0]) { lua_pushstring(L, net->engine_note); lua_setfield(L, -2, "engine_note"); }
  if (net->gpu) {
    lua_pushstring(L, nn_gpu_describe(net)); lua_setfield(L, -2, "gpu");
    lua_pushnumber(L, (double)nn_gpu_memory(net)); lua_setfield(L, -2, "gpu_bytes");
  }
  lua_pushinteger(L, (lua_Integer)net->images_seen); lua_setfield(L, -2, "images");
  lua_pushnumber(L, net->wall_s); lua_setfield(L, -2, "seconds");
  lua_pushnumber(L, (double)(net->nbuf * net->buf_elems + net->scratch_elems) * sizeof(float) * net->nthreads);
  lua_setfield(L, -2, "workspace_bytes");
  return 1;
}

static int net_profile(lua_State *L) {
  const char *fname = "Net:profile";
  nn_net *net = check_net(L, 1, fname);
  if (lua_type(L, 2) != LUA_TBOOLEAN) return mlsh_error(L, fname, "argument 'on' must be true or false (got %s)", mlsh_typename(L, 2));
  net->profile = lua_toboolean(L, 2);
  if (net->layer_time) memset(net->layer_time, 0, (size_t)net->n * sizeof(double));
  net->images_seen = 0;
  net->wall_s = 0;
  return 0;
}

static int net_gc(lua_State *L) {
  lnet *u = luaL_checkudata(L, 1, NET_MT);
  nn_free(u->net);
  u->net = NULL;
  return 0;
}

static int net_tostring(lua_State *L) {
  lnet *u = luaL_checkudata(L, 1, NET_MT);
  if (!u->net) { lua_pushliteral(L, "Net (freed)"); return 1; }
  lua_pushfstring(L, "Net %dx%dx%d -> %d outputs, %d layers", u->net->w, u->net->h, u->net->c, (int)u->net->outputs, u->net->n);
  return 1;
}

static const mlsh_Reg nn_funcs[] = {
  {"load", l_load, "nn.load(cfg [, weights [, opts]])",
   "Load a darknet-format network: the .cfg description and a .weights file (darknet's format; nil leaves "
   "zero weights, for summaries). Unused cfg keys print a warning naming section and line; unknown sections, "
   "bad values, impossible shapes and weights files of the wrong size are errors. threads serve forward and "
   "embed (on a GPU, the JPEG decoders); batch and tf32 apply on the GPU only.\n"
   "Returns: a Net.\nExample: net = nn.load(\"weights/mobilenetv2.cfg\", \"weights/mobilenetv2.weights\")", &load_spec},
  {"convert", l_convert, "nn.convert(cfg, source, out [, opts])",
   "Convert TensorFlow weights into a darknet .weights file for cfg: source is a Keras .h5 (read with libhdf5: "
   "Conv1, bn_Conv1, block_1_expand, ...) or a folder of TF-slim tensors as .npy files. Each conv/connected "
   "layer of the cfg names its Keras layer with name=. Kernels are transposed from HWIO to darknet's order.\n"
   "Returns: the number of parameters written.\n"
   "Example: nn.convert(\"weights/mobilenetv2.cfg\", \"../shared/weights/mobilenet_v2_1.0_224_tfslim_npy\", \"weights/mobilenetv2.weights\")",
   &convert_spec},
  {NULL, NULL, NULL, NULL, NULL}};

static const mlsh_Reg net_methods[] = {
  {"forward", net_forward, "net:forward(input [, opts])",
   "Run the network. input: an Image of the net's size (scaled by preprocess) or a Matrix (or data frame) with "
   "one image per row in CHW order, used as is.\n"
   "Returns: a Matrix, one row of outputs per image.\nExample: y = net:forward(image.load(\"a.jpg\"):resize(224, 224))",
   &forward_spec},
  {"embed", net_embed, "net:embed(images [, opts])",
   "Run every image (an array of paths or of Images) through the network: decoding, resizing to the net's size "
   "with Pillow's NEAREST (as Keras' load_img) and the network all run on the worker threads, so decoding "
   "overlaps the network. Ctrl-C stops cleanly.\n"
   "Returns: an n x outputs Matrix, one row per image in the given order (with on_error=\"skip\" also an "
   "array of {index=, path=, error=} for the images skipped).\n"
   "Example: X = net:embed(image.list(\"datasets/flower_photos\"))", &embed_spec},
  {"layers", net_layers, "net:layers()",
   "Describe every layer: index (0-based, as darknet), type, name, input/output {c, h, w}, params, mmacs, "
   "size/stride/groups/activation where they apply, seconds (when profiling).\n"
   "Returns: an array of tables.\nExample: for _, l in ipairs(net:layers()) do print(l.type, l.mmacs) end"},
  {"info", net_info, "net:info()",
   "Input shape, output size, layer count, threads, device, engine (\"xnnpack\", \"darknet\" or \"cuda\"; "
   "engine_note says why XNNPACK does not take the net), workspace bytes, and images run by forward/embed "
   "with their wall-clock seconds (since load or net:profile(on)).\n"
   "Returns: a table.\nExample: net:info().outputs"},
  {"profile", net_profile, "net:profile(on)",
   "Turn per-layer timing on or off and reset the timers and the image/seconds counters of net:info(); "
   "net:summary{profile=true} reports the per-layer times. They need per-layer kernels: while profiling is on, "
   "the darknet engine runs (XNNPACK runs a net as one graph; net:info().engine says which ran).\n"
   "Returns: nothing.\nExample: net:profile(true); net:embed(paths); print(net:summary{profile=true})"},
  {NULL, NULL, NULL, NULL, NULL}};

static const luaL_Reg net_meta[] = {{"__gc", net_gc}, {"__close", net_gc}, {"__tostring", net_tostring}, {NULL, NULL}};

void mlsh_open_nn(lua_State *L) {
  mlsh_register(L, "nn", nn_funcs);
  mlsh_new_class(L, NET_MT, "Net", net_methods, net_meta);
  lua_pop(L, 1);
}
