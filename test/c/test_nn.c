/* test_nn.c - the CNN engine.
 * References:
 *  - a plain double-precision implementation written here (7 nested loops
 *    for convolution, darknet's formulas for BN/pooling/softmax), on odd
 *    shapes, every padding mode, groups and depthwise, every layer type;
 *  - Debian's darknet (/usr/lib/darknet/libdarknet.so, loaded with dlopen)
 *    on the same cfg and weights file: outputs equal to 1e-4;
 *  - ../shared/reference/flowers/embeddings_subset.npy (PyTorch + Pillow,
 *    see its README): MobileNetV2 from file to embedding within 1e-3;
 *  - a synthetic Keras-layout .h5 written here: weights land transposed
 *    where darknet expects them. */
#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hdf5.h>
#include "ctest.h"
#include "../../src/nn/nn.h"
#include "../../src/image/image.h"
#include "../../src/core/npy.h"
#include "../../src/core/rng.h"
#include "../../src/core/alloc.h"
#include "nn_fixture.h"

static const char *shared(void) {
  const char *s = getenv("MLSH_SHARED");
  return s ? s : "../shared";
}

/* ---- reference forward in double ---- */

static double act_ref(double x, nn_act a) {
  switch (a) {
  case NN_LINEAR: return x;
  case NN_RELU: return x > 0 ? x : 0;
  case NN_RELU6: return x < 0 ? 0 : x > 6 ? 6 : x;
  case NN_LEAKY: return x > 0 ? x : 0.1 * x;
  case NN_LOGISTIC: return 1 / (1 + exp(-x));
  case NN_TANH: return tanh(x);
  case NN_SWISH: return x / (1 + exp(-x));
  case NN_MISH: return x * tanh(log1p(exp(x)));
  }
  return x;
}

static void ref_forward(const nn_net *net, const double *in, double *out) {
  double **o = calloc((size_t)net->n, sizeof *o);
  for (int i = 0; i < net->n; i++) {
    const nn_layer *l = &net->layers[i];
    const double *x = i ? o[i - 1] : in;
    double *y = o[i] = calloc(l->outputs, sizeof(double));
    if (l->type == NN_CONV) {
      int cg = l->c / l->groups, fg = l->filters / l->groups, k = l->size;
      for (int f = 0; f < l->filters; f++)                 /* 7 loops: f, oy, ox, c, ky, kx (+ groups) */
        for (int oy = 0; oy < l->out_h; oy++)
          for (int ox = 0; ox < l->out_w; ox++) {
            double s = 0;
            int g = f / fg;
            for (int c = 0; c < cg; c++)
              for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) {
                  int iy = oy * l->stride + ky - l->pad_top, ix = ox * l->stride + kx - l->pad_left;
                  if (iy < 0 || iy >= l->h || ix < 0 || ix >= l->w) continue;
                  s += (double)l->weights[(((size_t)f * cg + c) * k + ky) * k + kx] * x[((size_t)(g * cg + c) * l->h + iy) * l->w + ix];
                }
            if (l->batch_normalize) {
              double den = l->bn_eps < 0 ? sqrt(l->rolling_var[f]) + .000001 : sqrt(l->rolling_var[f] + l->bn_eps);
              s = (s - l->rolling_mean[f]) / den * l->scales[f];
            }
            y[((size_t)f * l->out_h + oy) * l->out_w + ox] = act_ref(s + l->biases[f], l->act);
          }
    } else if (l->type == NN_CONNECTED) {
      for (int f = 0; f < l->filters; f++) {
        double s = 0;
        for (size_t j = 0; j < l->inputs; j++) s += (double)l->weights[f * l->inputs + j] * x[j];
        if (l->batch_normalize) {
          double den = l->bn_eps < 0 ? sqrt(l->rolling_var[f]) + .000001 : sqrt(l->rolling_var[f] + l->bn_eps);
          s = (s - l->rolling_mean[f]) / den * l->scales[f];
        }
        y[f] = act_ref(s + l->biases[f], l->act);
      }
    } else if (l->type == NN_SHORTCUT) {
      for (size_t j = 0; j < l->outputs; j++) y[j] = act_ref(l->alpha * x[j] + l->beta * o[l->from][j], l->act);
    } else if (l->type == NN_ROUTE) {
      size_t off = 0;
      for (int r = 0; r < l->nroute; r++) {
        memcpy(y + off, o[l->route[r]], net->layers[l->route[r]].outputs * sizeof(double));
        off += net->layers[l->route[r]].outputs;
      }
    } else if (l->type == NN_MAXPOOL) {
      for (int c = 0; c < l->c; c++)
        for (int oy = 0; oy < l->out_h; oy++)
          for (int ox = 0; ox < l->out_w; ox++) {
            double m = -INFINITY;
            for (int ky = 0; ky < l->size; ky++)
              for (int kx = 0; kx < l->size; kx++) {
                int iy = oy * l->stride + ky - l->pad_top, ix = ox * l->stride + kx - l->pad_left;
                if (iy >= 0 && iy < l->h && ix >= 0 && ix < l->w && x[((size_t)c * l->h + iy) * l->w + ix] > m)
                  m = x[((size_t)c * l->h + iy) * l->w + ix];
              }
            y[((size_t)c * l->out_h + oy) * l->out_w + ox] = m;
          }
    } else if (l->type == NN_AVGPOOL) {
      for (int c = 0; c < l->c; c++) {
        double s = 0;
        for (int j = 0; j < l->w * l->h; j++) s += x[(size_t)c * l->w * l->h + j];
        y[c] = s / (l->w * l->h);
      }
    } else if (l->type == NN_SOFTMAX) {
      size_t n = l->inputs / l->groups;
      for (int g = 0; g < l->groups; g++) {
        double mx = -INFINITY, s = 0;
        for (size_t j = 0; j < n; j++) if (x[g * n + j] > mx) mx = x[g * n + j];
        for (size_t j = 0; j < n; j++) s += y[g * n + j] = exp((x[g * n + j] - mx) / l->temperature);
        for (size_t j = 0; j < n; j++) y[g * n + j] /= s;
      }
    } else {
      memcpy(y, x, l->outputs * sizeof(double));
    }
  }
  memcpy(out, o[net->n - 1], net->outputs * sizeof(double));
  for (int i = 0; i < net->n; i++) free(o[i]);
  free(o);
}

/* Parse, randomise, run `nimg` random images through both; max |diff|. */
static double compare_ref_on(const char *cfg, uint64_t seed, int nimg, int threads, nn_engine engine) {
  nn_net *net;
  mlsh_err err;
  if (nn_parse_cfg_text(cfg, "test.cfg", &net, &err)) { fprintf(stderr, "parse: %s\n", err.msg); return 1e9; }
  fill_random(net, seed);
  net->engine = engine;
  if (nn_finalize(net, threads, &err)) { fprintf(stderr, "finalize: %s\n", err.msg); nn_free(net); return 1e9; }
  mlsh_rng r;
  mlsh_rng_seed(&r, seed + 1);
  float *in = malloc(sizeof(float) * net->inputs * nimg), *out = malloc(sizeof(float) * net->outputs * nimg);
  double *din = malloc(sizeof(double) * net->inputs), *dout = malloc(sizeof(double) * net->outputs);
  for (size_t i = 0; i < net->inputs * nimg; i++) in[i] = (float)(mlsh_rng_uniform(&r) * 2 - 1);
  double md = 0;
  if (nn_forward(net, in, (size_t)nimg, out, &err)) { fprintf(stderr, "forward: %s\n", err.msg); md = 1e9; }
  for (int k = 0; k < nimg && md < 1e9; k++) {
    for (size_t i = 0; i < net->inputs; i++) din[i] = in[k * net->inputs + i];
    ref_forward(net, din, dout);
    for (size_t i = 0; i < net->outputs; i++) {
      double d = fabs(dout[i] - out[k * net->outputs + i]) / (1 + fabs(dout[i]));
      if (d > md) md = d;
    }
  }
  free(in); free(out); free(din); free(dout);
  nn_free(net);
  return md;
}

/* The darknet kernels (the XNNPACK engine has its own test). */
static double compare_ref(const char *cfg, uint64_t seed, int nimg, int threads) {
  return compare_ref_on(cfg, seed, nimg, threads, NN_ENGINE_DARKNET);
}

static void test_reference_layers(void) {
  /* odd sizes, stride 2 on odd inputs, pad/padding/tf_same, groups, depthwise (x1 and x2), 1x1 stride 2 */
  const char *a =
    "[net]\nwidth=13\nheight=11\nchannels=4\n"
    "[convolutional]\nfilters=6\nsize=3\nstride=2\npad=1\nbatch_normalize=1\nactivation=leaky\n"
    "[convolutional]\nfilters=6\nsize=3\nstride=1\ntf_same=1\ngroups=6\nbatch_normalize=1\nbn_epsilon=0.001\nactivation=relu6\n"
    "[convolutional]\nfilters=12\nsize=3\nstride=2\ntf_same=1\ngroups=6\nactivation=swish\n"
    "[convolutional]\nfilters=8\nsize=5\nstride=1\npadding=2\ngroups=4\nactivation=mish\n"
    "[convolutional]\nfilters=8\nsize=1\nstride=2\nactivation=tanh\n"
    "[convolutional]\nfilters=8\nsize=2\nstride=1\nactivation=logistic\n";
  double d = compare_ref(a, 1, 3, 2);
  CHECK(d < 1e-5);
  if (d >= 1e-5) fprintf(stderr, "conv chain rel diff %g\n", d);
  /* depthwise at stride 2 on even and odd sizes, tf_same and symmetric pads; kernel 5 */
  const char *b =
    "[net]\nwidth=16\nheight=9\nchannels=5\n"
    "[convolutional]\nfilters=5\nsize=3\nstride=2\ntf_same=1\ngroups=5\nactivation=linear\n"
    "[convolutional]\nfilters=5\nsize=3\nstride=2\npad=1\ngroups=5\nactivation=relu\n"
    "[convolutional]\nfilters=5\nsize=5\nstride=1\npad=1\ngroups=5\nactivation=linear\n"
    "[convolutional]\nfilters=5\nsize=3\nstride=3\npadding=2\ngroups=5\nactivation=linear\n";
  d = compare_ref(b, 2, 2, 1);
  CHECK(d < 1e-5);
  /* the same on planes above the HWC threshold (the per-plane depthwise kernel) */
  const char *big[] = {
    "[convolutional]\nfilters=3\nsize=3\nstride=1\ntf_same=1\ngroups=3\nactivation=relu6\n"
    "[convolutional]\nfilters=3\nsize=3\nstride=1\npad=1\ngroups=3\nbatch_normalize=1\nactivation=linear\n"
    "[shortcut]\nfrom=-2\nactivation=relu\n",   /* residual fused into the depthwise conv */
    "[convolutional]\nfilters=3\nsize=3\nstride=2\ntf_same=1\ngroups=3\nactivation=linear\n",
    "[convolutional]\nfilters=3\nsize=3\nstride=2\npad=1\ngroups=3\nactivation=leaky\n",
    "[convolutional]\nfilters=3\nsize=5\nstride=3\npadding=2\ngroups=3\nactivation=linear\n",
    "[convolutional]\nfilters=3\nsize=4\nstride=2\npadding=0\ngroups=3\nactivation=linear\n",
    /* a conv whose activation the depthwise conv after it applies (logistic(0) != 0: padding must stay 0) */
    "[convolutional]\nfilters=4\nsize=1\nstride=1\nactivation=logistic\n"
    "[convolutional]\nfilters=4\nsize=3\nstride=2\ntf_same=1\ngroups=4\nactivation=relu6\n",
    "[convolutional]\nfilters=8\nsize=3\nstride=2\npad=1\nactivation=mish\n"
    "[convolutional]\nfilters=8\nsize=3\nstride=1\npad=1\ngroups=8\nactivation=linear\n",
  };
  for (size_t i = 0; i < sizeof big / sizeof *big; i++) {
    char cfg[1024];
    snprintf(cfg, sizeof cfg, "[net]\nwidth=31\nheight=23\nchannels=3\n%s", big[i]);
    d = compare_ref(cfg, 4 + i, 2, 2);
    if (d >= 1e-5) fprintf(stderr, "large-plane depthwise case %zu: rel diff %g\n", i, d);
    CHECK(d < 1e-5);
  }
  /* residuals (fused and not), route, maxpool (default and explicit padding), avgpool, connected+BN, softmax groups, dropout */
  const char *c =
    "[net]\nwidth=9\nheight=7\nchannels=3\n"
    "[convolutional]\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=relu\n"
    "[convolutional]\nfilters=8\nsize=1\nstride=1\nbatch_normalize=1\nactivation=linear\n"
    "[shortcut]\nfrom=-2\nactivation=leaky\n"
    "[convolutional]\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
    "[shortcut]\nfrom=-3\nalpha=0.5\nbeta=2\nactivation=linear\n"
    "[route]\nlayers=-1,0\n"
    "[maxpool]\nsize=2\nstride=2\n"
    "[maxpool]\nsize=3\nstride=1\npadding=2\n"
    "[dropout]\nprobability=0.3\n"
    "[route]\nlayers=-1\n"
    "[avgpool]\n"
    "[connected]\noutput=12\nbatch_normalize=1\nactivation=leaky\n"
    "[connected]\noutput=10\nactivation=linear\n"
    "[softmax]\ngroups=2\ntemperature=1.5\n";
  d = compare_ref(c, 3, 3, 2);
  CHECK(d < 1e-5);
  /* channels-last hand-over between 1x1 convs and small-plane depthwise convs (an inverted
   * residual block with a fused shortcut, then 1x1 -> dw -> 1x1 -> dw -> 1x1 chains) */
  const char *e =
    "[net]\nwidth=11\nheight=9\nchannels=3\n"
    "[convolutional]\nfilters=6\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
    "[convolutional]\nfilters=12\nsize=1\nstride=1\nbatch_normalize=1\nactivation=relu6\n"
    "[convolutional]\nfilters=12\nsize=3\nstride=1\ntf_same=1\ngroups=12\nactivation=relu6\n"
    "[convolutional]\nfilters=6\nsize=1\nstride=1\nactivation=linear\n"
    "[shortcut]\nfrom=-4\nactivation=linear\n"
    "[convolutional]\nfilters=10\nsize=1\nstride=1\nactivation=logistic\n"
    "[convolutional]\nfilters=10\nsize=3\nstride=2\ntf_same=1\ngroups=10\nactivation=leaky\n"
    "[convolutional]\nfilters=10\nsize=1\nstride=1\nactivation=mish\n"
    "[convolutional]\nfilters=10\nsize=3\nstride=1\npad=1\ngroups=10\nactivation=linear\n"
    "[convolutional]\nfilters=5\nsize=1\nstride=1\nactivation=linear\n";
  d = compare_ref(e, 9, 3, 2);
  if (d >= 1e-5) fprintf(stderr, "channels-last chain: rel diff %g\n", d);
  CHECK(d < 1e-5);
}

/* The XNNPACK engine against the same double reference: every layer kind
 * it takes, batches on worker runtimes, single images on the pooled one
 * and on one thread; nets it does not take fall back or fail as asked. */
static void test_xnnpack_engine(void) {
  const char *a =
    "[net]\nwidth=13\nheight=11\nchannels=4\n"
    "[convolutional]\nfilters=6\nsize=3\nstride=2\npad=1\nbatch_normalize=1\nactivation=relu\n"
    "[convolutional]\nfilters=6\nsize=3\nstride=1\ntf_same=1\ngroups=6\nbatch_normalize=1\nbn_epsilon=0.001\nactivation=relu6\n"
    "[convolutional]\nfilters=8\nsize=5\nstride=1\npadding=2\ngroups=2\nactivation=linear\n"
    "[convolutional]\nfilters=8\nsize=3\nstride=2\ntf_same=1\ngroups=8\nactivation=relu6\n"
    "[convolutional]\nfilters=8\nsize=1\nstride=1\nactivation=linear\n"
    "[shortcut]\nfrom=-2\nactivation=relu\n"
    "[dropout]\nprobability=0.3\n"
    "[convolutional]\nfilters=8\nsize=3\nstride=3\npadding=2\ngroups=8\nactivation=linear\n"
    "[avgpool]\n"
    "[connected]\noutput=12\nbatch_normalize=1\nactivation=relu\n"
    "[connected]\noutput=10\nactivation=linear\n"
    "[softmax]\n";
  /* a spatial output (NHWC back to CHW), depthwise at stride 2 on odd and even sizes */
  const char *b =
    "[net]\nwidth=16\nheight=9\nchannels=5\n"
    "[convolutional]\nfilters=5\nsize=3\nstride=2\ntf_same=1\ngroups=5\nactivation=linear\n"
    "[convolutional]\nfilters=5\nsize=3\nstride=2\npad=1\ngroups=5\nactivation=relu\n"
    "[convolutional]\nfilters=7\nsize=1\nstride=1\nactivation=relu6\n";
  const int threads[3] = {2, 2, 1}, nimg[3] = {3, 1, 1};
  for (int k = 0; k < 3; k++) {
    double da = compare_ref_on(a, 11 + k, nimg[k], threads[k], NN_ENGINE_XNNPACK);
    double db = compare_ref_on(b, 21 + k, nimg[k], threads[k], NN_ENGINE_XNNPACK);
    if (da >= 1e-5 || db >= 1e-5) fprintf(stderr, "xnnpack case %d: rel diff %g, %g\n", k, da, db);
    CHECK(da < 1e-5 && db < 1e-5);
  }
  /* a route: auto falls back to the darknet kernels and says why; xnnpack is an error */
  const char *c =
    "[net]\nwidth=9\nheight=7\nchannels=3\n"
    "[convolutional]\nfilters=4\nsize=3\nstride=1\npad=1\nactivation=relu\n"
    "[route]\nlayers=-1,0\n";
  nn_net *net;
  mlsh_err err;
  CHECK(nn_parse_cfg_text(c, "c.cfg", &net, &err) == 0);
  CHECK(nn_finalize(net, 2, &err) == 0);
  CHECK(net->xnn == NULL && strstr(net->engine_note, "route") && !strcmp(nn_engine_name(net), "darknet"));
  net->engine = NN_ENGINE_XNNPACK;
  CHECK(nn_finalize(net, 2, &err) == MLSH_EINVAL && strstr(err.msg, "xnnpack") && strstr(err.msg, "route"));
  nn_free(net);
  CHECK(compare_ref_on(c, 5, 2, 2, NN_ENGINE_AUTO) < 1e-5);
}

static void test_cfg_errors(void) {
  nn_net *net;
  mlsh_err err;
  struct { const char *cfg, *want; } cases[] = {
    {"[net]\nwidth=8\nheight=8\nchannels=3\n[bogus]\n", "test.cfg:5: unknown section [bogus]"},
    {"[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=x\n", "test.cfg:6:"},
    {"[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nsize=3\nactivation=wobbly\n", "unknown activation 'wobbly'"},
    {"[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nsize=9\n", "test.cfg:5:"},
    {"[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=4\ngroups=2\n", "groups=2"},
    {"[net]\nwidth=8\nheight=8\nchannels=3\n[route]\nlayers=-3\n", "test.cfg:6: layer reference -3"},
    {"[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=2\n[shortcut]\nfrom=-2\n", "test.cfg:8: layer reference -2"},
    {"[net]\nwidth=8\n[convolutional]\n", "needs width, height and channels"},
    {"[net\nwidth=8\n", "test.cfg:1: malformed section header"},
    {"width=8\n", "before any [section]"},
    {"[net]\nwidth=8\nheight=8\nchannels=3\nnonsense line\n", "test.cfg:5: expected key=value"},
    {"[convolutional]\n", "the first section must be [net]"},
    {"[net]\nwidth=8\nheight=8\nchannels=3\n", "no layers"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int rc = nn_parse_cfg_text(cases[i].cfg, "test.cfg", &net, &err);
    CHECK(rc == MLSH_EIO && net == NULL);
    if (rc == MLSH_EIO && !strstr(err.msg, cases[i].want)) { fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, err.msg, cases[i].want); CHECK(0); }
    if (!rc) nn_free(net);
  }
  /* unused keys warn with section and line, as darknet */
  CHECK(nn_parse_cfg_text("[net]\nwidth=8\nheight=8\nchannels=3\n# c\n[maxpool]\nsize=2 ; note\nstride=2\nfilters=3\n", "w.cfg", &net, &err) == 0);
  CHECK(net && net->warnings && strstr(net->warnings, "w.cfg:9: [maxpool] unused key 'filters = 3'"));
  CHECK(net && net->layers[0].out_w == 4);
  nn_free(net);
  CHECK(nn_parse_cfg("/nonexistent.cfg", &net, &err) == MLSH_EIO);
}

static void test_weights_file(void) {
  nn_net *net;
  mlsh_err err;
  const char *cfg = "[net]\nwidth=5\nheight=5\nchannels=2\n[convolutional]\nfilters=3\nsize=3\npad=1\nbatch_normalize=1\nactivation=leaky\n"
                    "[connected]\noutput=4\nactivation=linear\n";
  CHECK(nn_parse_cfg_text(cfg, "t", &net, &err) == 0);
  if (!net) return;
  fill_random(net, 7);
  char path[] = "/tmp/mlsh_test_nn_XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  CHECK(nn_save_weights(net, path, &err) == 0);
  nn_net *b;
  CHECK(nn_parse_cfg_text(cfg, "t", &b, &err) == 0);
  CHECK(nn_load_weights(b, path, &err) == 0);
  CHECK(b->layers[0].weights[17] == net->layers[0].weights[17] && b->layers[1].weights[5] == net->layers[1].weights[5]);
  CHECK(b->layers[0].rolling_var[2] == net->layers[0].rolling_var[2]);
  /* expected size: 20 header + 4*(3*4 + 3*2*9 + 4 + 4*75) */
  FILE *f = fopen(path, "ab");
  fputc(0, f);
  fclose(f);
  CHECK(nn_load_weights(b, path, &err) == MLSH_EIO && strstr(err.msg, "1 bytes too long"));
  CHECK(truncate(path, 20 + 4 * (12 + 54 + 4 + 300) - 8) == 0);
  CHECK(nn_load_weights(b, path, &err) == MLSH_EIO && strstr(err.msg, "8 bytes too short"));
  CHECK(truncate(path, 5) == 0);
  CHECK(nn_load_weights(b, path, &err) == MLSH_EIO);
  /* old 32-bit `seen` header (version 0.1): 16-byte header */
  f = fopen(path, "wb");
  int hdr[4] = {0, 1, 0, 0};
  fwrite(hdr, 4, 4, f);
  float z[370] = {0};
  z[0] = 0.25f;
  fwrite(z, 4, 370, f);
  fclose(f);
  CHECK(nn_load_weights(b, path, &err) == 0 && b->layers[0].biases[0] == 0.25f);
  remove(path);
  nn_free(b);
  nn_free(net);
}

/* ---- darknet as an oracle ---- */

/* darknet's free_network leaves a few buffers behind: not ours to report */
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));
static void lsan_off(void) { if (__lsan_disable) __lsan_disable(); }
static void lsan_on(void) { if (__lsan_enable) __lsan_enable(); }

typedef void *(*load_network_fn)(char *, char *, int);
typedef float *(*predict_fn)(void *, float *);
typedef void (*set_batch_fn)(void *, int);
typedef void (*free_network_fn)(void *);

static void test_darknet_oracle(void) {
  void *h = dlopen("/usr/lib/darknet/libdarknet.so", RTLD_NOW | RTLD_LOCAL);
  if (!h) SKIP("Debian's darknet not installed (apt-get install darknet): oracle comparison skipped");
  load_network_fn load_network = (load_network_fn)dlsym(h, "load_network");
  predict_fn predict = (predict_fn)dlsym(h, "network_predict");
  set_batch_fn set_batch = (set_batch_fn)dlsym(h, "set_batch_network");
  free_network_fn free_network = (free_network_fn)dlsym(h, "free_network");
  if (!load_network || !predict || !set_batch || !free_network) { dlclose(h); SKIP("libdarknet.so lacks the expected symbols"); }
  /* layers both engines have (darknet 2018 ignores stride on 1x1 convs: none here) */
  const char *cfg =
    "[net]\nbatch=1\nwidth=15\nheight=13\nchannels=3\n"
    "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
    "[maxpool]\nsize=2\nstride=2\n"
    "[convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=2\npad=1\ngroups=2\nactivation=relu\n"
    "[convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=1\npad=1\ngroups=16\nactivation=leaky\n"
    "[convolutional]\nbatch_normalize=1\nfilters=16\nsize=1\nstride=1\npad=1\nactivation=linear\n"
    "[shortcut]\nfrom=-3\nactivation=linear\n"
    "[convolutional]\nfilters=8\nsize=1\nstride=1\nactivation=leaky\n"
    "[route]\nlayers=-1,-2\n"
    "[convolutional]\nfilters=12\nsize=3\nstride=1\npad=1\nactivation=linear\n"
    "[maxpool]\nsize=3\nstride=1\n"
    "[avgpool]\n"
    "[connected]\noutput=10\nactivation=leaky\n"
    "[connected]\noutput=7\nbatch_normalize=1\nactivation=linear\n"
    "[softmax]\n";
  char cpath[] = "/tmp/mlsh_dn_cfg_XXXXXX", wpath[] = "/tmp/mlsh_dn_w_XXXXXX";
  int fd1 = mkstemp(cpath), fd2 = mkstemp(wpath);
  if (fd1 < 0 || fd2 < 0) { dlclose(h); SKIP("no temporary files"); }
  if (write(fd1, cfg, strlen(cfg)) != (ssize_t)strlen(cfg)) CHECK(0);
  close(fd1);
  close(fd2);
  nn_net *net;
  mlsh_err err;
  CHECK(nn_parse_cfg(cpath, &net, &err) == 0);
  if (!net) { dlclose(h); return; }
  fill_random(net, 11);
  CHECK(nn_save_weights(net, wpath, &err) == 0);
  /* the engine reads its own file back: the comparison covers the file format too */
  CHECK(nn_load_weights(net, wpath, &err) == 0);
  CHECK(nn_finalize(net, 2, &err) == 0);
  /* darknet (its layer table goes to stderr) */
  lsan_off();
  void *dn = load_network(cpath, wpath, 0);
  set_batch(dn, 1);
  lsan_on();
  mlsh_rng r;
  mlsh_rng_seed(&r, 5);
  float in[15 * 13 * 3], ours[3][7];
  float ins[3][15 * 13 * 3];
  for (int k = 0; k < 3; k++)
    for (size_t i = 0; i < net->inputs; i++) ins[k][i] = (float)mlsh_rng_uniform(&r);
  CHECK(nn_forward(net, &ins[0][0], 3, &ours[0][0], &err) == 0);
  double md = 0, mpre = 0;
  for (int k = 0; k < 3; k++) {
    memcpy(in, ins[k], sizeof in);
    lsan_off();
    float *theirs = predict(dn, in);
    lsan_on();
    for (int i = 0; i < 7; i++) { double d = fabs(theirs[i] - ours[k][i]); if (d > md) md = d; }
  }
  /* the softmax flattens differences: compare the logits as well */
  nn_net *pre;
  char *cut = strdup(cfg);
  *strstr(cut, "[softmax]") = 0;
  CHECK(nn_parse_cfg_text(cut, "pre", &pre, &err) == 0);
  if (pre) {
    CHECK(nn_load_weights(pre, wpath, &err) == 0);
    float lo[7];
    CHECK(nn_forward(pre, ins[2], 1, lo, &err) == 0);
    /* darknet keeps every layer's output; the connected layer before softmax is layer 12.
       Recompute ours in double and compare to ours: darknet's softmax of lo == theirs */
    double s = 0, mx = -1e30;
    for (int i = 0; i < 7; i++) if (lo[i] > mx) mx = lo[i];
    for (int i = 0; i < 7; i++) s += exp(lo[i] - mx);
    memcpy(in, ins[2], sizeof in);
    lsan_off();
    float *theirs = predict(dn, in);
    lsan_on();
    for (int i = 0; i < 7; i++) { double d = fabs(log(theirs[i]) - (lo[i] - mx - log(s))); if (d > mpre) mpre = d; }
    nn_free(pre);
  }
  free(cut);
  if (md >= 1e-4 || mpre >= 1e-4) fprintf(stderr, "darknet oracle: max |diff| %g (log-probabilities %g)\n", md, mpre);
  CHECK(md < 1e-4);
  CHECK(mpre < 1e-4);
  free_network(dn);
  nn_free(net);
  remove(cpath);
  remove(wpath);
  dlclose(h);
}

/* ---- MobileNetV2 against the shared reference ---- */

static void test_mobilenetv2_reference(void) {
  char p[1024], npy_dir[1024];
  snprintf(npy_dir, sizeof npy_dir, "%s/weights/mobilenet_v2_1.0_224_tfslim_npy", shared());
  snprintf(p, sizeof p, "%s/reference/flowers/embeddings_subset_paths.txt", shared());
  FILE *f = fopen(p, "r");
  if (!f) SKIP("../shared/reference/flowers not found (set MLSH_SHARED)");
  nn_net *net;
  mlsh_err err;
  int rc = nn_parse_cfg("weights/mobilenetv2.cfg", &net, &err);
  CHECK(rc == 0);
  if (rc) { fprintf(stderr, "%s\n", err.msg); fclose(f); return; }
  CHECK(net->warnings == NULL);
  size_t params = 0;
  double macs = 0;
  for (int i = 0; i < net->n; i++) { params += nn_layer_params(&net->layers[i]); macs += nn_layer_macs(&net->layers[i]); }
  CHECK(params == 2257984);   /* Keras MobileNetV2(include_top=False).count_params() */
  CHECK(macs > 290e6 && macs < 310e6);   /* the paper: 300 M multiply-adds */
  CHECK(net->outputs == 1280);
  rc = nn_convert(net, NN_SRC_NPY_DIR, npy_dir, &err);
  CHECK(rc == 0);
  if (rc) fprintf(stderr, "%s\n", err.msg);
  char *paths[50];
  char line[512];
  int n = 0;
  while (n < 50 && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    snprintf(p, sizeof p, "%s/data/flower_photos/%s", shared(), line);
    paths[n++] = strdup(p);
  }
  fclose(f);
  mlsh_npy ref;
  snprintf(p, sizeof p, "%s/reference/flowers/embeddings_subset.npy", shared());
  CHECK(npy_load(p, &ref, &err) == 0 && ref.count == 50 * 1280);
  CHECK(nn_finalize(net, 2, &err) == 0);
  CHECK(!strcmp(nn_engine_name(net), "xnnpack"));   /* auto picks XNNPACK for MobileNetV2 */
  float *out = malloc(sizeof(float) * 50 * 1280);
  nn_embed_opts o = {.scale = {1 / 127.5f, 1 / 127.5f, 1 / 127.5f}, .shift = {-1, -1, -1}, .batch = 16};
  rc = nn_embed(net, (const char *const *)paths, NULL, (size_t)n, &o, out, &err);
  CHECK(rc == 0 && n == 50);
  double md = 0;
  for (size_t i = 0; i < ref.count && !rc; i++) { double d = fabs(out[i] - ref.data[i]); if (d > md) md = d; }
  printf("mobilenetv2: max |diff| vs embeddings_subset.npy = %.3g\n", md);
  CHECK(!rc && md <= 1e-3);
  /* a bad file in the list names the file */
  paths[3][strlen(paths[3]) - 2] = 'x';
  CHECK(nn_embed(net, (const char *const *)paths, NULL, 5, &o, out, &err) == MLSH_EIO && strstr(err.msg, paths[3]));
  for (int i = 0; i < n; i++) free(paths[i]);
  free(out);
  npy_free(&ref);
  nn_free(net);
}

/* ---- Keras .h5 conversion on a synthetic file in Keras' save_weights layout ---- */

static void h5_put(hid_t file, const char *layer, const char *wname, int nd, const hsize_t *dims, const float *data) {
  hid_t g = H5Gopen2(file, layer, H5P_DEFAULT);
  if (g < 0) g = H5Gcreate2(file, layer, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t g2 = H5Gopen2(g, layer, H5P_DEFAULT);
  if (g2 < 0) g2 = H5Gcreate2(g, layer, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t sp = H5Screate_simple(nd, dims, NULL);
  hid_t ds = H5Dcreate2(g2, wname, H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(ds); H5Sclose(sp); H5Gclose(g2); H5Gclose(g);
}

static void put_bn(hid_t file, const char *bn, int n, float base) {
  float v[64];
  hsize_t d[1] = {(hsize_t)n};
  const char *w[4] = {"gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"};
  for (int k = 0; k < 4; k++) {
    for (int i = 0; i < n; i++) v[i] = base + k + i * 0.01f;
    h5_put(file, bn, w[k], 1, d, v);
  }
}

static void test_keras_h5(void) {
  char path[] = "/tmp/mlsh_test_h5_XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) SKIP("cannot create an HDF5 file");
  float k1[3 * 3 * 3 * 4], dw[3 * 3 * 4], k2[4 * 2], dense[2 * 5], db[5];
  for (int i = 0; i < 108; i++) k1[i] = (float)i;
  for (int i = 0; i < 36; i++) dw[i] = 1000.0f + i;
  for (int i = 0; i < 8; i++) k2[i] = 2000.0f + i;
  for (int i = 0; i < 10; i++) dense[i] = 3000.0f + i;
  for (int i = 0; i < 5; i++) db[i] = 0.5f * i;
  hsize_t d1[4] = {3, 3, 3, 4}, d2[4] = {3, 3, 4, 1}, d3[4] = {1, 1, 4, 2}, d4[2] = {2, 5}, d5[1] = {5}, d6[4] = {1, 1, 2, 2};
  h5_put(file, "Conv1", "kernel:0", 4, d1, k1);
  put_bn(file, "bn_Conv1", 4, 1.0f);
  h5_put(file, "expanded_conv_depthwise", "depthwise_kernel:0", 4, d2, dw);
  put_bn(file, "expanded_conv_depthwise_BN", 4, 2.0f);
  h5_put(file, "block_1_project", "kernel:0", 4, d3, k2);
  put_bn(file, "block_1_project_BN", 2, 3.0f);
  h5_put(file, "Conv_1", "kernel:0", 4, d6, k2);
  put_bn(file, "Conv_1_bn", 2, 4.0f);
  h5_put(file, "Logits", "kernel:0", 2, d4, dense);
  h5_put(file, "Logits", "bias:0", 1, d5, db);
  H5Fclose(file);
  const char *cfg =
    "[net]\nwidth=8\nheight=8\nchannels=3\n"
    "[convolutional]\nname=Conv1\nfilters=4\nsize=3\nstride=2\ntf_same=1\nbatch_normalize=1\nbn_epsilon=0.001\nactivation=relu6\n"
    "[convolutional]\nname=expanded_conv_depthwise\nfilters=4\ngroups=4\nsize=3\nstride=1\ntf_same=1\nbatch_normalize=1\nbn_epsilon=0.001\nactivation=relu6\n"
    "[convolutional]\nname=block_1_project\nfilters=2\nsize=1\nstride=1\nbatch_normalize=1\nactivation=linear\n"
    "[convolutional]\nname=Conv_1\nfilters=2\nsize=1\nstride=1\nbatch_normalize=1\nactivation=linear\n"
    "[avgpool]\n[connected]\nname=Logits\noutput=5\nactivation=linear\n";
  nn_net *net;
  mlsh_err err;
  CHECK(nn_parse_cfg_text(cfg, "h5.cfg", &net, &err) == 0);
  if (!net) return;
  int rc = nn_convert(net, NN_SRC_KERAS_H5, path, &err);
  CHECK(rc == 0);
  if (rc) fprintf(stderr, "%s\n", err.msg);
  nn_layer *L = net->layers;
  /* darknet w[f][c][y][x] = keras kernel[y][x][c][f] */
  for (int f = 0; f < 4; f++) for (int c = 0; c < 3; c++) for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++)
    if (L[0].weights[((f * 3 + c) * 3 + y) * 3 + x] != k1[((y * 3 + x) * 3 + c) * 4 + f]) { CHECK(!"Conv1 transposed"); f = 4; c = 3; y = 3; break; }
  CHECK(L[1].weights[2 * 9 + 1 * 3 + 2] == dw[(1 * 3 + 2) * 4 + 2]);   /* depthwise: [c][y][x] = [y][x][c][0] */
  CHECK(L[2].weights[1 * 4 + 3] == k2[3 * 2 + 1]);
  CHECK(L[5].weights[4 * 2 + 1] == dense[1 * 5 + 4]);   /* dense: [out][in] = kernel[in][out] */
  CHECK(L[5].biases[3] == 1.5f);
  CHECK(L[0].scales[1] == 1.01f && L[0].biases[1] == 2.01f && L[0].rolling_mean[2] == 3.02f && L[0].rolling_var[3] == 4.03f);
  CHECK(L[3].rolling_var[0] == 7.0f);   /* found under Conv_1_bn */
  /* a missing layer is an error naming it */
  nn_net *bad;
  CHECK(nn_parse_cfg_text("[net]\nwidth=4\nheight=4\nchannels=3\n[convolutional]\nname=block_9_expand\nfilters=2\n", "x", &bad, &err) == 0);
  CHECK(nn_convert(bad, NN_SRC_KERAS_H5, path, &err) == MLSH_EIO && strstr(err.msg, "block_9_expand"));
  /* a wrong shape is an error naming the shapes */
  nn_free(bad);
  CHECK(nn_parse_cfg_text("[net]\nwidth=4\nheight=4\nchannels=3\n[convolutional]\nname=Conv1\nfilters=5\nsize=3\n", "x", &bad, &err) == 0);
  CHECK(nn_convert(bad, NN_SRC_KERAS_H5, path, &err) == MLSH_EIO && strstr(err.msg, "(3,3,3,4)"));
  nn_free(bad);
  CHECK(nn_convert(net, NN_SRC_KERAS_H5, "/nonexistent.h5", &err) == MLSH_EIO);
  CHECK(nn_convert(net, NN_SRC_KERAS_H5, "weights/mobilenetv2.cfg", &err) == MLSH_EIO && strstr(err.msg, "not an HDF5"));
  nn_free(net);
  remove(path);
}

/* Every allocation failing in turn (alloc.h fault injection): errors, never crashes or leaks. */
static void test_alloc_failures(void) {
  const char *cfg = "[net]\nwidth=9\nheight=7\nchannels=3\n"
                    "[convolutional]\nfilters=4\nsize=3\npad=1\nbatch_normalize=1\nactivation=leaky\n"
                    "[convolutional]\nfilters=4\nsize=3\ngroups=4\npad=1\nactivation=relu6\n"
                    "[shortcut]\nfrom=-2\n[route]\nlayers=-1,-3\n[avgpool]\n[connected]\noutput=3\nactivation=linear\n";
  float in[9 * 7 * 3] = {0}, out[3];
  int failures = 0, oks = 0;
  for (long k = 1; k < 200; k++) {
    nn_net *net = NULL;
    mlsh_err err;
    mlsh_alloc_fail_after(k);
    int rc = nn_parse_cfg_text(cfg, "f", &net, &err);
    if (!rc) rc = nn_finalize(net, 2, &err);
    if (!rc) rc = nn_forward(net, in, 1, out, &err);
    mlsh_alloc_fail_after(0);
    nn_free(net);
    if (rc) { failures++; CHECK(rc == MLSH_ENOMEM); }
    else oks++;
  }
  CHECK(failures > 10 && oks > 0);
}

int main(void) {
  RUN(test_alloc_failures);
  RUN(test_cfg_errors);
  RUN(test_weights_file);
  RUN(test_reference_layers);
  RUN(test_xnnpack_engine);
  RUN(test_darknet_oracle);
  RUN(test_keras_h5);
  RUN(test_mobilenetv2_reference);
  CTEST_DONE();
}
