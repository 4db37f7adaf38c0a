/* test_gpu.c - the CUDA backend of the CNN engine (src/nn/gpu.h).
 * Reference: the engine's own CPU forward pass (itself checked against a
 * double-precision implementation, Debian's darknet and PyTorch in
 * test_nn.c). Every layer kind the GPU runs differently is covered: direct
 * dense/grouped convs, depthwise with float4 and scalar channel paths,
 * cuBLAS pointwise convs with deferred and immediate epilogues, fused and
 * unfused shortcuts, route, maxpool, avgpool, connected on spatial input,
 * spatial softmax with groups and a spatial network output; batches that do
 * not divide the input count; the embedding pipeline over more than two
 * batches. Without a device the GPU tests skip with a visible message and
 * the device-selection errors are checked instead. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ctest.h"
#include "../../src/nn/nn.h"
#include "../../src/nn/gpu.h"
#include "../../src/image/image.h"
#include "../../src/core/alloc.h"
#include "../../src/core/rng.h"
#include "nn_fixture.h"

static int have_gpu;
static char no_gpu_msg[600];

static nn_net *make_net(const char *cfg, uint64_t seed) {
  nn_net *net = NULL;
  mlsh_err err;
  if (nn_parse_cfg_text(cfg, "test", &net, &err)) { fprintf(stderr, "cfg: %s\n", err.msg); return NULL; }
  fill_random(net, seed);
  if (nn_finalize(net, 2, &err)) { fprintf(stderr, "finalize: %s\n", err.msg); nn_free(net); return NULL; }
  return net;
}

/* MobileNetV2-like: direct stem, depthwise s1/s2 (float4), deferred expand
 * epilogues, fused residual, deferred Conv_1 into avgpool, connected, softmax. */
static const char *CFG_MOBILE =
  "[net]\nwidth=17\nheight=16\nchannels=3\n"
  "[convolutional]\nfilters=8\nsize=3\nstride=2\ntf_same=1\nbatch_normalize=1\nbn_epsilon=0.001\nactivation=relu6\n"
  "[convolutional]\nfilters=8\nsize=3\nstride=1\ntf_same=1\ngroups=8\nbatch_normalize=1\nactivation=relu6\n"
  "[convolutional]\nfilters=4\nsize=1\nstride=1\nbatch_normalize=1\nactivation=linear\n"
  "[convolutional]\nfilters=24\nsize=1\nstride=1\nbatch_normalize=1\nactivation=relu6\n"
  "[convolutional]\nfilters=24\nsize=3\nstride=2\ntf_same=1\ngroups=24\nbatch_normalize=1\nactivation=relu6\n"
  "[convolutional]\nfilters=8\nsize=1\nstride=1\nbatch_normalize=1\nactivation=linear\n"
  "[convolutional]\nfilters=48\nsize=1\nstride=1\nbatch_normalize=1\nactivation=relu6\n"
  "[convolutional]\nfilters=48\nsize=3\nstride=1\ntf_same=1\ngroups=48\nbatch_normalize=1\nactivation=relu6\n"
  "[convolutional]\nfilters=8\nsize=1\nstride=1\nbatch_normalize=1\nactivation=linear\n"
  "[shortcut]\nfrom=-4\nactivation=linear\n"
  "[convolutional]\nfilters=40\nsize=1\nstride=1\nbatch_normalize=1\nactivation=relu6\n"
  "[avgpool]\n"
  "[connected]\noutput=10\nactivation=leaky\n"
  "[softmax]\n";

/* darknet-style: padding, maxpool, grouped direct conv, odd channel counts
 * (scalar paths), unfused shortcut with weights, route, depthwise and
 * direct convs with a fused residual, spatial softmax with groups, spatial
 * output (transposed back to CHW). */
static const char *CFG_DARK =
  "[net]\nwidth=13\nheight=11\nchannels=5\n"
  "[convolutional]\nfilters=6\nsize=3\nstride=1\npad=1\nbatch_normalize=1\nactivation=leaky\n"
  "[maxpool]\nsize=2\nstride=2\n"
  "[convolutional]\nfilters=6\nsize=3\nstride=1\npad=1\ngroups=6\nactivation=mish\n"
  "[convolutional]\nfilters=6\nsize=3\nstride=1\npad=1\ngroups=2\nactivation=swish\n"
  "[shortcut]\nfrom=-3\nalpha=0.5\nbeta=2\nactivation=tanh\n"
  "[convolutional]\nfilters=5\nsize=1\nstride=1\nactivation=logistic\n"
  "[route]\nlayers=-1,-3\n"
  "[convolutional]\nfilters=11\nsize=3\nstride=1\npad=1\ngroups=11\nactivation=linear\n"
  "[shortcut]\nfrom=-2\nactivation=leaky\n"
  "[convolutional]\nfilters=11\nsize=3\nstride=1\npad=1\nactivation=linear\n"
  "[shortcut]\nfrom=-2\nactivation=relu\n"
  "[convolutional]\nfilters=7\nsize=1\nstride=2\nactivation=relu\n"
  "[dropout]\n"
  "[softmax]\ngroups=7\n";

/* a connected layer on a spatial input (flattened in CHW order) */
static const char *CFG_FC =
  "[net]\nwidth=6\nheight=5\nchannels=4\n"
  "[convolutional]\nfilters=8\nsize=1\nstride=1\nactivation=relu\n"
  "[connected]\noutput=9\nbatch_normalize=1\nactivation=linear\n";

static float max_diff(const float *a, const float *b, size_t n, double *scale) {
  float d = 0, s = 0;
  for (size_t i = 0; i < n; i++) {
    float e = fabsf(a[i] - b[i]);
    if (!(e <= d)) d = e;   /* NaN counts */
    if (fabsf(b[i]) > s) s = fabsf(b[i]);
  }
  if (scale) *scale = s;
  return d;
}

static void compare_net(const char *cfg, int batch, int tf32, size_t n, double tol) {
  nn_net *net = make_net(cfg, 7);
  CHECK(net != NULL);
  if (!net) return;
  mlsh_rng r;
  mlsh_rng_seed(&r, 3);
  float *in = mlsh_malloc_array(n * net->inputs, sizeof(float));
  float *cpu = mlsh_malloc_array(n * net->outputs, sizeof(float));
  float *gpu = mlsh_malloc_array(n * net->outputs, sizeof(float));
  for (size_t i = 0; i < n * net->inputs; i++) in[i] = (float)(mlsh_rng_uniform(&r) * 2 - 1);
  mlsh_err err;
  CHECK(nn_forward(net, in, n, cpu, &err) == 0);
  nn_gpu_opts o = {batch, tf32, 0};
  int rc = nn_gpu_attach(net, &o, &err);
  CHECK(rc == 0);
  if (rc) fprintf(stderr, "attach: %s\n", err.msg);
  if (!rc) {
    memset(gpu, 0xff, n * net->outputs * sizeof(float));
    rc = nn_forward(net, in, n, gpu, &err);
    CHECK(rc == 0);
    if (rc) fprintf(stderr, "forward: %s\n", err.msg);
    double scale;
    float d = max_diff(gpu, cpu, n * net->outputs, &scale);
    CHECK(d <= tol * (scale > 1 ? scale : 1));
    printf("  %s batch %d%s: max |gpu - cpu| = %.3g (max |cpu| %.3g)\n", strstr(cfg, "channels=3") ? "mobile" :
           strstr(cfg, "channels=5") ? "dark" : "fc", batch, tf32 ? " tf32" : "", d, scale);
    /* detaching returns the net to the CPU */
    nn_gpu_detach(net);
    CHECK(net->gpu == NULL);
    CHECK(nn_forward(net, in, n, gpu, &err) == 0 && max_diff(gpu, cpu, n * net->outputs, NULL) == 0);
  }
  mlsh_free(in);
  mlsh_free(cpu);
  mlsh_free(gpu);
  nn_free(net);
}

static void test_layers_gpu(void) {
  if (!have_gpu) SKIP(no_gpu_msg);
  compare_net(CFG_MOBILE, 3, 0, 7, 1e-4);     /* 3 + 3 + 1 images */
  compare_net(CFG_MOBILE, 16, 0, 5, 1e-4);
  compare_net(CFG_DARK, 2, 0, 5, 1e-4);
  compare_net(CFG_FC, 4, 0, 6, 1e-4);
  compare_net(CFG_MOBILE, 8, 1, 8, 2e-2);     /* TF32: ~10 bits of mantissa in the products */
}

static void test_embed_gpu(void) {
  if (!have_gpu) SKIP(no_gpu_msg);
  nn_net *net = make_net(CFG_MOBILE, 9);
  CHECK(net != NULL);
  if (!net) return;
  enum { N = 11 };
  mlsh_image imgs[N];
  mlsh_rng r;
  mlsh_rng_seed(&r, 5);
  mlsh_err err;
  for (int i = 0; i < N; i++) {   /* sizes around the input: resized up, down, or not at all */
    int w = i % 3 == 0 ? net->w : 9 + 3 * i, h = i % 3 == 0 ? net->h : 30 - i;
    CHECK(image_alloc(&imgs[i], w, h, &err) == 0);
    for (size_t k = 0; k < (size_t)w * h * 3; k++) imgs[i].rgb[k] = (unsigned char)mlsh_rng_below(&r, 256);
  }
  nn_embed_opts o = {.scale = {1 / 127.5f, 1 / 127.5f, 1 / 127.5f}, .shift = {-1, -1, -1}};
  float *cpu = mlsh_malloc_array((size_t)N * net->outputs, sizeof(float));
  float *gpu = mlsh_malloc_array((size_t)N * net->outputs, sizeof(float));
  CHECK(nn_embed(net, NULL, imgs, N, &o, cpu, &err) == 0);
  nn_gpu_opts go = {4, 0, 0};   /* 4 + 4 + 3: both pipeline slots are reused */
  CHECK(nn_gpu_attach(net, &go, &err) == 0);
  CHECK(nn_embed(net, NULL, imgs, N, &o, gpu, &err) == 0);
  float d = max_diff(gpu, cpu, (size_t)N * net->outputs, NULL);
  CHECK(d <= 1e-5);
  printf("  embed, 11 images in batches of 4: max |gpu - cpu| = %.3g\n", d);
  /* a missing file is an error naming it, and the net stays usable */
  const char *paths[2] = {"/nonexistent/a.jpg", "/nonexistent/b.jpg"};
  CHECK(nn_embed(net, paths, NULL, 2, &o, gpu, &err) != 0 && strstr(err.msg, "nonexistent"));
  /* with img_errs: the unreadable image gets its error and a NaN row, the others their outputs */
  const char *mixed[3] = {paths[0], paths[1], paths[0]};
  mlsh_err ie[3];
  memset(ie, 0, sizeof ie);
  nn_embed_opts so = o;
  so.img_errs = ie;
  CHECK(nn_embed(net, mixed, NULL, 3, &so, gpu, &err) == 0);
  CHECK(ie[0].code && ie[1].code && strstr(ie[1].msg, "b.jpg") && isnan(gpu[0]) && isnan(gpu[2 * net->outputs]));
  CHECK(nn_embed(net, NULL, imgs, 3, &o, gpu, &err) == 0 && max_diff(gpu, cpu, 3 * net->outputs, NULL) <= 1e-5);
  double sec = 0;
  CHECK(nn_gpu_bench(net, 4, 2, &sec, &err) == 0 && sec > 0);
  CHECK(nn_gpu_bench(net, 5, 2, &sec, &err) == MLSH_EINVAL);
  double ms[64] = {0}, tot = 0;
  CHECK(net->n <= 64 && nn_gpu_profile(net, 4, 2, ms, &err) == 0);
  for (int i = 0; i < net->n && i < 64; i++) tot += ms[i];
  CHECK(tot > 0);
  CHECK(strstr(nn_gpu_describe(net), "batch 4") != NULL);
  CHECK(nn_gpu_memory(net) > 0);
  for (int i = 0; i < N; i++) image_free(&imgs[i]);
  mlsh_free(cpu);
  mlsh_free(gpu);
  nn_free(net);   /* frees the device state through gpu_free */
}

static void test_device_selection(void) {
  nn_net *net = make_net(CFG_FC, 1);
  CHECK(net != NULL);
  if (!net) return;
  mlsh_err err = {0, ""};
  char notice[600];
  int on = -1;
  nn_gpu_opts o = {8, 0, 0};
  unsetenv("MLSH_DEVICE");
  CHECK(nn_use_device(net, NULL, &o, &on, notice, sizeof notice, &err) == 0 && on == 0 && !notice[0]);
  CHECK(nn_use_device(net, "cpu", &o, &on, notice, sizeof notice, &err) == 0 && on == 0);
  CHECK(nn_use_device(net, "gpu", &o, &on, notice, sizeof notice, &err) == MLSH_EINVAL && strstr(err.msg, "'auto'"));
  setenv("MLSH_DEVICE", "tpu", 1);
  CHECK(nn_use_device(net, NULL, &o, &on, notice, sizeof notice, &err) == MLSH_EINVAL && strstr(err.msg, "MLSH_DEVICE"));
  unsetenv("MLSH_DEVICE");
  if (have_gpu) {
    CHECK(nn_use_device(net, "cuda", &o, &on, notice, sizeof notice, &err) == 0 && on == 1 && net->gpu);
    CHECK(nn_use_device(net, "cpu", &o, &on, notice, sizeof notice, &err) == 0 && on == 0 && !net->gpu);
    CHECK(nn_use_device(net, "auto", &o, &on, notice, sizeof notice, &err) == 0 && on == 1 && !notice[0]);
    setenv("MLSH_DEVICE", "cpu", 1);
    CHECK(nn_use_device(net, NULL, &o, &on, notice, sizeof notice, &err) == 0 && on == 0 && !net->gpu);
    unsetenv("MLSH_DEVICE");
  } else {
    printf("  no device: %s\n", no_gpu_msg);
    CHECK(nn_use_device(net, "cuda", &o, &on, notice, sizeof notice, &err) != 0 && on == 0 && !net->gpu);
    CHECK(strstr(err.msg, "CUDA") != NULL);
    printf("  device=\"cuda\": %s\n", err.msg);
    CHECK(nn_use_device(net, "auto", &o, &on, notice, sizeof notice, &err) == 0 && on == 0 && notice[0]);
    CHECK(strstr(notice, "running on the CPU") != NULL && !strchr(notice, '\n'));
    printf("  device=\"auto\": %s\n", notice);
    setenv("MLSH_DEVICE", "cuda", 1);
    CHECK(nn_use_device(net, NULL, &o, &on, notice, sizeof notice, &err) != 0);
    unsetenv("MLSH_DEVICE");
    CHECK(nn_gpu_attach(net, &o, &err) != 0 && !net->gpu);
    float in[120] = {0}, out[9];
    CHECK(nn_forward_gpu(net, in, 1, out, &err) != 0);
    double ms[8];
    CHECK(nn_gpu_profile(net, 1, 1, ms, &err) != 0);
    CHECK(nn_forward(net, in, 1, out, &err) == 0);   /* still fine on the CPU */
  }
  nn_free(net);
}

int main(void) {
  mlsh_err err = {0, ""};
  have_gpu = nn_gpu_count(&err) > 0;
  if (!have_gpu) snprintf(no_gpu_msg, sizeof no_gpu_msg, "no CUDA device found, GPU tests skipped (%s)", err.msg);
  printf("CUDA backend: %s\n", nn_gpu_built() ? "built" : "not built (CPU-only binary)");
  RUN(test_device_selection);
  RUN(test_layers_gpu);
  RUN(test_embed_gpu);
  CTEST_DONE();
}
