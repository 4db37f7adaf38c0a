/* gpu_internal.h - device state shared by the CUDA files of the engine
 * (gpu_net.cu, gpu_embed.cu, conv_kernels.cu, layer_kernels.cu). C++/CUDA only. */
#ifndef MLSH_NN_GPU_INTERNAL_H
#define MLSH_NN_GPU_INTERNAL_H
#include <cuda_runtime.h>
#include <cublas_v2.h>
extern "C" {
#include "layers.h"
#include "gpu.h"
#include "../core/error.h"
}

/* How a conv/connected layer runs on the device. */
enum { GK_NONE, GK_GEMM, GK_DW, GK_DIRECT, GK_FC };

typedef struct gpu_layer {
  int kind;
  float *w, *b;          /* device weights (layout per kind, see gpu_net.cu) and bias */
  int defer;             /* output stored without bias/activation: the consumer applies them */
  const float *in_bias;  /* this layer's input is a deferred output: add in_bias[c], then in_act */
  nn_act in_act;
} gpu_layer;

typedef struct gpu_net {
  int dev, batch, tf32;
  char desc[256];
  size_t bytes;               /* device memory held */
  cudaStream_t comp, copy;    /* compute, host<->device copies */
  cublasHandle_t blas;
  gpu_layer *L;
  float *mem;                 /* nbuf * batch * buf_elems: the layer outputs */
  float **outs;               /* host array: layer i's output on the device */
  float *x0;                  /* batch * inputs: the network input, NHWC */
  float *tbuf;                /* batch * max(buf_elems, inputs): transposes and staging */
  float *out;                 /* batch * outputs: the network output, CHW per image */
  float *wmem;                /* all weights and biases in one allocation */
} gpu_net;

/* the CPU's nn_activate, per element (conv.c) */
static __device__ __forceinline__ float gpu_act(float x, int a) {
  switch (a) {
  case NN_RELU: return x > 0 ? x : 0;
  case NN_RELU6: return fminf(fmaxf(x, 0.0f), 6.0f);
  case NN_LEAKY: return x > 0 ? x : 0.1f * x;
  case NN_LOGISTIC: return 1.0f / (1.0f + expf(-x));
  case NN_TANH: return tanhf(x);
  case NN_SWISH: return x / (1.0f + expf(-x));
  case NN_MISH: { float sp = x > 20 ? x : x < -20 ? expf(x) : log1pf(expf(x)); return x * tanhf(sp); }
  default: return x;
  }
}
#define GPU_THREADS 256
static inline unsigned gpu_blocks(size_t n) { return (unsigned)((n + GPU_THREADS - 1) / GPU_THREADS); }

/* status from a CUDA / cuBLAS error, message "CUDA: <text> (<where>)" */
int gpu_cuda_fail(mlsh_err *err, cudaError_t e, const char *where);
int gpu_blas_fail(mlsh_err *err, cublasStatus_t s, const char *where);
#define CU_TRY(call) do { cudaError_t e_ = (call); if (e_ != cudaSuccess) return gpu_cuda_fail(err, e_, #call); } while (0)
#define BLAS_TRY(call) do { cublasStatus_t s_ = (call); if (s_ != CUBLAS_STATUS_SUCCESS) return gpu_blas_fail(err, s_, #call); } while (0)

/* The backend's entry points (gpu.h's nn_gpu_* through nn_gpu_ops). */
extern "C" {
int cuda_gpu_count(mlsh_err *err);
int cuda_gpu_attach(nn_net *net, const nn_gpu_opts *o, mlsh_err *err);
void cuda_gpu_detach(nn_net *net);
int cuda_forward_gpu(nn_net *net, const float *input, size_t n, float *output, mlsh_err *err);
int cuda_embed_gpu(nn_net *net, const char *const *paths, const struct mlsh_image *imgs, size_t n,
                   const nn_embed_opts *o, float *out, mlsh_err *err);
int cuda_gpu_bench(nn_net *net, size_t m, int iters, double *seconds, mlsh_err *err);
int cuda_gpu_profile(nn_net *net, size_t m, int passes, double *ms, mlsh_err *err);
const char *cuda_gpu_describe(const nn_net *net);
size_t cuda_gpu_memory(const nn_net *net);
}

/* Run the m images in g->x0 through the net on g->comp; result in g->out. */
int gpu_run(nn_net *net, int m, mlsh_err *err);

/* ---- kernels (conv_kernels.cu, layer_kernels.cu); launches on stream st ---- */
/* y[i][f] = act(y[i][f] + b[f] (+ res[i][f])) over rows x F */
void k_epilogue(float *y, size_t rows, int F, const float *b, const float *res, nn_act act, cudaStream_t st);
/* depthwise NHWC; w: [k*k][C]; in_bias/in_act: pending epilogue of the input */
void k_depthwise(const float *in, float *out, int n, const nn_layer *l, const float *w, const float *b,
                 const float *res, const float *in_bias, nn_act in_act, cudaStream_t st);
/* dense or grouped conv NHWC, direct; w: [k*k*cg][F] */
void k_conv_direct(const float *in, float *out, int n, const nn_layer *l, const float *w, const float *b,
                   const float *res, cudaStream_t st);
/* global average NHWC -> n x C, applying a pending epilogue of the input */
void k_avgpool(const float *in, float *out, int n, int hw, int C, const float *in_bias, nn_act in_act, cudaStream_t st);
void k_maxpool(const float *in, float *out, int n, const nn_layer *l, cudaStream_t st);
/* out = act(alpha * a + beta * b) */
void k_shortcut(const float *a, const float *b, float *out, size_t count, float alpha, float beta, nn_act act,
                cudaStream_t st);
/* in place over n * groups rows of len floats */
void k_softmax(float *x, int rows, int len, float temperature, cudaStream_t st);
/* n images of C planes of hw <-> hw rows of C */
void k_chw_to_hwc(const float *in, float *out, int n, int C, int hw, cudaStream_t st);
void k_hwc_to_chw(const float *in, float *out, int n, int C, int hw, cudaStream_t st);
/* uint8 HWC pixels -> float NHWC: px * scale[c] + shift[c] (C = 3) */
void k_pixels(const unsigned char *px, float *out, size_t pixels, const float scale[3], const float shift[3],
              cudaStream_t st);

#endif
