/* gpu.c - device selection for the CNN engine, and the loader of the CUDA
 * plugin (gpu.h): the CUDA runtime and cuBLAS live in mlsh-cuda.so, loaded
 * with dlopen the first time a GPU is asked for, so a run that never asks
 * starts without them (about 0.1 s and 200 MB less). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gpu.h"
#include "layers.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/plugin.h"
#include "../core/threads.h"
#include "../image/image.h"

#define PLUGIN "mlsh-cuda.so"

static const nn_gpu_ops *plugin_ops;
static char plugin_error[512];
static pthread_once_t plugin_once = PTHREAD_ONCE_INIT;

static void *open_plugin(void) {
  return mlsh_plugin_open(PLUGIN, "MLSH_CUDA_PLUGIN", "the CUDA plugin",
                          "no CUDA plugin (" PLUGIN " not found next to mlsh; build mlsh with nvcc on PATH or in /usr/local/cuda)",
                          plugin_error, sizeof plugin_error);
}

static void load_plugin(void) {
  void *h = open_plugin();
  if (!h) return;
  static const nn_core_api core = {
    mlsh_calloc, mlsh_malloc_array, mlsh_free, mlsh_vseterr, mlsh_threads_resolve, mlsh_parallel_dynamic,
    image_fit, image_free, nn_finalize, nn_now, &mlsh_interrupt_flag,
  };
  const nn_gpu_ops *(*entry)(const nn_core_api *) =
    (const nn_gpu_ops *(*)(const nn_core_api *))dlsym(h, "mlsh_cuda_plugin");
  const nn_gpu_ops *ops = entry ? entry(&core) : NULL;
  if (!ops || ops->version != NN_GPU_OPS_VERSION) {
    snprintf(plugin_error, sizeof plugin_error, "the CUDA plugin does not match this mlsh (rebuild it)");
    return;
  }
  plugin_ops = ops;
}

static const nn_gpu_ops *gpu_ops(mlsh_err *err) {
  pthread_once(&plugin_once, load_plugin);
  if (!plugin_ops && err) mlsh_seterr(err, MLSH_EINVAL, "%s", plugin_error);
  return plugin_ops;
}

int nn_gpu_built(void) { return gpu_ops(NULL) != NULL; }

int nn_gpu_count(mlsh_err *err) {
  const nn_gpu_ops *g = gpu_ops(err);
  return g ? g->count(err) : 0;
}

int nn_gpu_attach(nn_net *net, const nn_gpu_opts *o, mlsh_err *err) {
  const nn_gpu_ops *g = gpu_ops(err);
  return g ? g->attach(net, o, err) : err->code;
}

/* A net has GPU state only when the plugin attached it. */
void nn_gpu_detach(nn_net *net) {
  if (net && net->gpu && plugin_ops) plugin_ops->detach(net);
}

int nn_forward_gpu(nn_net *net, const float *input, size_t n, float *output, mlsh_err *err) {
  const nn_gpu_ops *g = gpu_ops(err);
  return g ? g->forward(net, input, n, output, err) : err->code;
}

int nn_embed_gpu(nn_net *net, const char *const *paths, const struct mlsh_image *imgs, size_t n,
                 const nn_embed_opts *o, float *out, mlsh_err *err) {
  const nn_gpu_ops *g = gpu_ops(err);
  return g ? g->embed(net, paths, imgs, n, o, out, err) : err->code;
}

int nn_gpu_bench(nn_net *net, size_t m, int iters, double *seconds, mlsh_err *err) {
  const nn_gpu_ops *g = gpu_ops(err);
  return g ? g->bench(net, m, iters, seconds, err) : err->code;
}

int nn_gpu_profile(nn_net *net, size_t m, int passes, double *ms, mlsh_err *err) {
  const nn_gpu_ops *g = gpu_ops(err);
  return g ? g->profile(net, m, passes, ms, err) : err->code;
}

const char *nn_gpu_describe(const nn_net *net) {
  return net && net->gpu && plugin_ops ? plugin_ops->describe(net) : "";
}

size_t nn_gpu_memory(const nn_net *net) {
  return net && net->gpu && plugin_ops ? plugin_ops->memory(net) : 0;
}

int nn_use_device(nn_net *net, const char *device, const nn_gpu_opts *o, int *on_gpu,
                  char *notice, size_t len, mlsh_err *err) {
  const char *d = device && *device ? device : getenv("MLSH_DEVICE");
  const char *from = device && *device ? "option 'device'" : "MLSH_DEVICE";
  if (!d || !*d) d = "cpu";
  if (notice && len) notice[0] = 0;
  *on_gpu = 0;
  if (!strcmp(d, "cpu")) {
    nn_gpu_detach(net);
    return MLSH_OK;
  }
  if (!strcmp(d, "cuda")) {
    int rc = nn_gpu_attach(net, o, err);
    if (!rc) *on_gpu = 1;
    return rc;
  }
  if (!strcmp(d, "auto")) {
    mlsh_err e = {0, ""};
    int rc = nn_gpu_count(&e) > 0 ? nn_gpu_attach(net, o, &e) : (e.code ? e.code : MLSH_EIO);
    if (!rc) { *on_gpu = 1; return MLSH_OK; }
    if (rc == MLSH_EINTR) return mlsh_seterr(err, rc, "interrupted");
    if (notice && len) snprintf(notice, len, "nn: %s; running on the CPU", e.msg);
    return MLSH_OK;
  }
  return mlsh_seterr(err, MLSH_EINVAL, "%s must be 'cpu', 'cuda' or 'auto' (got '%s')", from, d);
}
