/* gpu.h - the CUDA backend of the CNN engine (issue 9).
 *
 * After nn_finalize(), nn_gpu_attach() uploads every layer's folded
 * weights once and allocates one device workspace for `batch` images (the
 * CPU buffer plan, times batch). From then on nn_forward() and nn_embed()
 * run on the GPU (forward.c / embed.c dispatch on net->gpu), and nn_free()
 * releases the device memory through net->gpu_free.
 *
 * On the device activations are NHWC, so a pointwise convolution over a
 * whole batch is one cuBLAS sgemm (rows = images x pixels); depthwise,
 * dense (direct), pooling, route, shortcut and softmax layers have their own
 * kernels (conv_kernels.cu, layer_kernels.cu). Bias, the fused residual and
 * the activation are applied in the same pass; the raw output of a 1x1
 * convolution read only by a depthwise conv or the average pool is left
 * raw and its consumer applies bias + activation as it loads it.
 *
 * nn_embed() on the GPU decodes and resizes JPEG/PNG files on CPU threads
 * into pinned buffers (uint8, so copies are small) while the previous batch
 * is copied and computed on two CUDA streams.
 *
 * The CUDA code is a plugin, build/mlsh-cuda.so (installed as
 * <prefix>/lib/mlsh/mlsh-cuda.so), that gpu.c loads with dlopen the first
 * time a GPU is asked for, so that a plain run never loads the CUDA runtime.
 * Without the plugin (make CUDA=0, no nvcc, or the file missing) the
 * functions exist and fail with a message saying so; nothing else in the
 * engine changes. */
#ifndef MLSH_NN_GPU_H
#define MLSH_NN_GPU_H
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include "nn.h"

struct mlsh_image;

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nn_gpu_opts {
  int batch;      /* images per device step (<= 0: 128) */
  int tf32;       /* 1: cuBLAS may use TF32 tensor cores (faster, ~1e-3 relative error) */
  int device;     /* CUDA device ordinal */
} nn_gpu_opts;

/* The plugin's entry points: mlsh-cuda.so exports one symbol,
 * `const nn_gpu_ops *mlsh_cuda_plugin(const nn_core_api *core)`, returning
 * this table. The core's own symbols are hidden (mlsh.so exports only
 * luaopen_mlsh), so the plugin reaches the few it calls through `core`. */
#define NN_GPU_OPS_VERSION 2
typedef struct nn_core_api {
  void *(*calloc)(size_t n, size_t size);
  void *(*malloc_array)(size_t n, size_t size);
  void (*free)(void *p);
  int (*vseterr)(mlsh_err *err, int code, const char *fmt, va_list ap);
  int (*threads_resolve)(int requested);
  int (*parallel_dynamic)(size_t n, int nthreads, size_t chunk, int (*fn)(void *, size_t, size_t, int), void *ctx);
  int (*image_fit)(const char *path, const struct mlsh_image *img, int width, int height, struct mlsh_image *tmp,
                   const struct mlsh_image **out, mlsh_err *err);
  void (*image_free)(struct mlsh_image *img);
  int (*finalize)(nn_net *net, int nthreads, mlsh_err *err);
  double (*now)(void);
  volatile sig_atomic_t *interrupt_flag;
} nn_core_api;
typedef struct nn_gpu_ops {
  int version;
  int (*count)(mlsh_err *err);
  int (*attach)(nn_net *net, const nn_gpu_opts *o, mlsh_err *err);
  void (*detach)(nn_net *net);
  int (*forward)(nn_net *net, const float *input, size_t n, float *output, mlsh_err *err);
  int (*embed)(nn_net *net, const char *const *paths, const struct mlsh_image *imgs, size_t n,
               const nn_embed_opts *o, float *out, mlsh_err *err);
  int (*bench)(nn_net *net, size_t m, int iters, double *seconds, mlsh_err *err);
  int (*profile)(nn_net *net, size_t m, int passes, double *ms, mlsh_err *err);
  const char *(*describe)(const nn_net *net);
  size_t (*memory)(const nn_net *net);
} nn_gpu_ops;

/* 1 when the CUDA plugin is found and loads (it is loaded then). */
int nn_gpu_built(void);
/* Number of usable CUDA devices; 0 with err saying why (CUDA's message). */
int nn_gpu_count(mlsh_err *err);
/* Upload the finalized net and allocate the device workspace (replaces any
 * previous GPU state; call again after loading other weights). */
int nn_gpu_attach(nn_net *net, const nn_gpu_opts *o, mlsh_err *err);
/* Free the device state; the net runs on the CPU again. */
void nn_gpu_detach(nn_net *net);
/* Like nn_forward / nn_embed, on the attached GPU (called by them). */
int nn_forward_gpu(nn_net *net, const float *input, size_t n, float *output, mlsh_err *err);
int nn_embed_gpu(nn_net *net, const char *const *paths, const struct mlsh_image *imgs, size_t n,
                 const nn_embed_opts *o, float *out, mlsh_err *err);
/* Forward throughput with the input already on the device: `iters` passes
 * of m images (m <= the attached batch) after a warm-up; *seconds for all. */
int nn_gpu_bench(nn_net *net, size_t m, int iters, double *seconds, mlsh_err *err);
/* Device milliseconds per layer (ms: net->n values, 0 for fused layers)
 * of m images, averaged over `passes` passes: where the time goes. */
int nn_gpu_profile(nn_net *net, size_t m, int passes, double *ms, mlsh_err *err);
/* "NVIDIA H100 80GB HBM3, batch 128, FP32" (or "" without GPU state). */
const char *nn_gpu_describe(const nn_net *net);
/* Device memory held by the net's GPU state, bytes. */
size_t nn_gpu_memory(const nn_net *net);

/* Device selection for the bindings: device is "cpu", "cuda", "auto" or
 * NULL/"" (then $MLSH_DEVICE, else "cpu"). "cuda" without a GPU is an
 * error carrying CUDA's message; "auto" without one stays on the CPU and
 * writes a one-line notice into notice[len] (notice[0] = 0 otherwise).
 * Returns MLSH_OK or a status; *on_gpu tells which way it went. */
int nn_use_device(nn_net *net, const char *device, const nn_gpu_opts *o, int *on_gpu,
                  char *notice, size_t len, mlsh_err *err);

#ifdef __cplusplus
}
#endif
#endif
