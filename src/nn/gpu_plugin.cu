/* gpu_plugin.cu - the one symbol mlsh-cuda.so exports: the table of the
 * CUDA backend's entry points (gpu.h), which gpu.c looks up after dlopen.
 * The core's symbols are hidden from the plugin, so the core functions the
 * CUDA files call are defined here once, calling through the core's table;
 * the interrupt flag is read through core->interrupt_flag (the Makefile
 * builds the plugin with -Dmlsh_interrupt_flag='(*mlsh_core_interrupt_flag)'). */
#include "gpu_internal.h"
extern "C" {
#include "../core/alloc.h"
#include "../core/threads.h"
#include "../image/image.h"
}

static const nn_core_api *core;
volatile sig_atomic_t *mlsh_core_interrupt_flag;

extern "C" {
void *mlsh_calloc(size_t n, size_t size) { return core->calloc(n, size); }
void *mlsh_malloc_array(size_t n, size_t size) { return core->malloc_array(n, size); }
void mlsh_free(void *p) { core->free(p); }
int mlsh_seterr(mlsh_err *err, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  core->vseterr(err, code, fmt, ap);
  va_end(ap);
  return code;
}
int mlsh_threads_resolve(int requested) { return core->threads_resolve(requested); }
int mlsh_parallel_dynamic(size_t n, int nthreads, size_t chunk, mlsh_range_fn fn, void *ctx) {
  return core->parallel_dynamic(n, nthreads, chunk, fn, ctx);
}
int image_fit(const char *path, const mlsh_image *img, int width, int height, mlsh_image tmp[2],
              const mlsh_image **out, mlsh_err *err) {
  return core->image_fit(path, img, width, height, tmp, out, err);
}
void image_free(mlsh_image *img) { core->image_free(img); }
int nn_finalize(nn_net *net, int nthreads, mlsh_err *err) { return core->finalize(net, nthreads, err); }
double nn_now(void) { return core->now(); }
}

static const nn_gpu_ops cuda_ops = {
  NN_GPU_OPS_VERSION, cuda_gpu_count, cuda_gpu_attach, cuda_gpu_detach, cuda_forward_gpu, cuda_embed_gpu,
  cuda_gpu_bench, cuda_gpu_profile, cuda_gpu_describe, cuda_gpu_memory,
};

extern "C" __attribute__((visibility("default"))) const nn_gpu_ops *mlsh_cuda_plugin(const nn_core_api *api) {
  core = api;
  mlsh_core_interrupt_flag = api->interrupt_flag;
  return &cuda_ops;
}
