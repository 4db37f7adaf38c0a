/* conv_kernels.cu - convolution kernels of the CUDA backend, NHWC:
 *   epilogue     bias (+ residual) + activation after a cuBLAS sgemm
 *   depthwise    one thread per output pixel and 4 channels (float4 when
 *                C % 4 == 0): neighbouring threads read neighbouring
 *                channels, so every tap is one coalesced load; a pending
 *                epilogue of the input (bias + activation of a deferred
 *                1x1 conv) is applied on load, and padding stays zero
 *   direct       dense/grouped convolutions that are not 1x1 (the stem):
 *                one thread per output value, filters fastest, weights
 *                stored [tap][channel][filter] so the weight loads coalesce */
#include "gpu_internal.h"

template <int V> static __device__ __forceinline__ void ldv(float *d, const float *s) {
  if constexpr (V == 4) {
    float4 t = *reinterpret_cast<const float4 *>(s);
    d[0] = t.x; d[1] = t.y; d[2] = t.z; d[3] = t.w;
  } else {
    d[0] = *s;
  }
}

template <int V> static __device__ __forceinline__ void stv(float *d, const float *s) {
  if constexpr (V == 4) *reinterpret_cast<float4 *>(d) = make_float4(s[0], s[1], s[2], s[3]);
  else *d = s[0];
}

template <int V>
static __global__ void epilogue_kernel(float *__restrict__ y, size_t rows, int F, const float *__restrict__ b,
                                       const float *__restrict__ res, int act) {
  size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x, per = (size_t)(F / V);
  if (i >= rows * per) return;
  int f = (int)(i % per) * V;
  float v[V], bb[V], r[V];
  ldv<V>(v, y + i * V);
  ldv<V>(bb, b + f);
  if (res) ldv<V>(r, res + i * V);
#pragma unroll
  for (int k = 0; k < V; k++) v[k] = gpu_act(v[k] + bb[k] + (res ? r[k] : 0.0f), act);
  stv<V>(y + i * V, v);
}

void k_epilogue(float *y, size_t rows, int F, const float *b, const float *res, nn_act act, cudaStream_t st) {
  if (F % 4 == 0) {
    size_t n = rows * (size_t)(F / 4);
    epilogue_kernel<4><<<gpu_blocks(n), GPU_THREADS, 0, st>>>(y, rows, F, b, res, (int)act);
  } else {
    epilogue_kernel<1><<<gpu_blocks(rows * F), GPU_THREADS, 0, st>>>(y, rows, F, b, res, (int)act);
  }
}

struct conv_shape { int N, H, W, C, OH, OW, F, k, s, pt, pl; };

static conv_shape shape_of(const nn_layer *l, int n) {
  return conv_shape{n, l->h, l->w, l->c, l->out_h, l->out_w, l->filters, l->size, l->stride, l->pad_top, l->pad_left};
}

template <int V>
static __global__ void depthwise_kernel(const float *__restrict__ in, float *__restrict__ out, conv_shape sh,
                                        const float *__restrict__ w, const float *__restrict__ b,
                                        const float *__restrict__ res, const float *__restrict__ ib, int iact,
                                        int act) {
  int CV = sh.C / V;
  size_t idx = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (idx >= (size_t)sh.N * sh.OH * sh.OW * CV) return;
  int c0 = (int)(idx % CV) * V;
  size_t p = idx / CV;
  int ox = (int)(p % sh.OW);
  p /= sh.OW;
  int oy = (int)(p % sh.OH), n = (int)(p / sh.OH);
  float acc[V], ibv[V], x[V], wv[V];
#pragma unroll
  for (int k = 0; k < V; k++) acc[k] = 0.0f;
  if (ib) ldv<V>(ibv, ib + c0);
  for (int ky = 0; ky < sh.k; ky++) {
    int iy = oy * sh.s + ky - sh.pt;
    if (iy < 0 || iy >= sh.H) continue;
    const float *row = in + ((size_t)n * sh.H + iy) * sh.W * sh.C + c0;
    for (int kx = 0; kx < sh.k; kx++) {
      int ix = ox * sh.s + kx - sh.pl;
      if (ix < 0 || ix >= sh.W) continue;
      ldv<V>(x, row + (size_t)ix * sh.C);
      ldv<V>(wv, w + (size_t)(ky * sh.k + kx) * sh.C + c0);
#pragma unroll
      for (int k = 0; k < V; k++) {
        float xv = ib ? gpu_act(x[k] + ibv[k], iact) : x[k];
        acc[k] = fmaf(wv[k], xv, acc[k]);
      }
    }
  }
  float bb[V], r[V];
  ldv<V>(bb, b + c0);
  size_t o = idx * V;
  if (res) ldv<V>(r, res + o);
#pragma unroll
  for (int k = 0; k < V; k++) acc[k] = gpu_act(acc[k] + bb[k] + (res ? r[k] : 0.0f), act);
  stv<V>(out + o, acc);
}

void k_depthwise(const float *in, float *out, int n, const nn_layer *l, const float *w, const float *b,
                 const float *res, const float *in_bias, nn_act in_act, cudaStream_t st) {
  conv_shape sh = shape_of(l, n);
  size_t pix = (size_t)n * sh.OH * sh.OW;
  if (sh.C % 4 == 0)
    depthwise_kernel<4><<<gpu_blocks(pix * (sh.C / 4)), GPU_THREADS, 0, st>>>(in, out, sh, w, b, res, in_bias,
                                                                               (int)in_act, (int)l->post_act);
  else
    depthwise_kernel<1><<<gpu_blocks(pix * sh.C), GPU_THREADS, 0, st>>>(in, out, sh, w, b, res, in_bias,
                                                                         (int)in_act, (int)l->post_act);
}

static __global__ void direct_kernel(const float *__restrict__ in, float *__restrict__ out, conv_shape sh, int groups,
                                     const float *__restrict__ w, const float *__restrict__ b,
                                     const float *__restrict__ res, int act) {
  size_t idx = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (idx >= (size_t)sh.N * sh.OH * sh.OW * sh.F) return;
  int f = (int)(idx % sh.F);
  size_t p = idx / sh.F;
  int ox = (int)(p % sh.OW);
  p /= sh.OW;
  int oy = (int)(p % sh.OH), n = (int)(p / sh.OH);
  int cg = sh.C / groups, g = f / (sh.F / groups);
  float acc = 0.0f;
  for (int ky = 0; ky < sh.k; ky++) {
    int iy = oy * sh.s + ky - sh.pt;
    if (iy < 0 || iy >= sh.H) continue;
    for (int kx = 0; kx < sh.k; kx++) {
      int ix = ox * sh.s + kx - sh.pl;
      if (ix < 0 || ix >= sh.W) continue;
      const float *x = in + (((size_t)n * sh.H + iy) * sh.W + ix) * sh.C + (size_t)g * cg;
      const float *wp = w + (size_t)(ky * sh.k + kx) * cg * sh.F + f;
      for (int ci = 0; ci < cg; ci++) acc = fmaf(wp[(size_t)ci * sh.F], x[ci], acc);
    }
  }
  acc += b[f];
  if (res) acc += res[idx];
  out[idx] = gpu_act(acc, act);
}

void k_conv_direct(const float *in, float *out, int n, const nn_layer *l, const float *w, const float *b,
                   const float *res, cudaStream_t st) {
  conv_shape sh = shape_of(l, n);
  size_t total = (size_t)n * sh.OH * sh.OW * sh.F;
  direct_kernel<<<gpu_blocks(total), GPU_THREADS, 0, st>>>(in, out, sh, l->groups, w, b, res, (int)l->post_act);
}
