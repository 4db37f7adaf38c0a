/* layer_kernels.cu - the small layers of the CUDA backend (NHWC): global
 * average and max pooling, shortcut, softmax, layout transposes and the
 * pixel conversion of decoded images. One thread per output value with
 * channels fastest, so loads and stores coalesce. */
#include "gpu_internal.h"

/* Pending epilogue: the input is a deferred 1x1 conv's raw output. */
static __global__ void avgpool_kernel(const float *__restrict__ in, float *__restrict__ out, int n, int hw, int C,
                                      const float *__restrict__ ib, int iact) {
  size_t idx = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (idx >= (size_t)n * C) return;
  int c = (int)(idx % C);
  const float *p = in + (idx / C) * (size_t)hw * C + c;
  float bias = ib ? ib[c] : 0.0f, s = 0.0f;
  if (ib)
    for (int i = 0; i < hw; i++) s += gpu_act(p[(size_t)i * C] + bias, iact);
  else
    for (int i = 0; i < hw; i++) s += p[(size_t)i * C];
  out[idx] = s / (float)hw;
}

void k_avgpool(const float *in, float *out, int n, int hw, int C, const float *in_bias, nn_act in_act, cudaStream_t st) {
  size_t total = (size_t)n * C;
  avgpool_kernel<<<gpu_blocks(total), GPU_THREADS, 0, st>>>(in, out, n, hw, C, in_bias, (int)in_act);
}

struct pool_shape { int H, W, C, OH, OW, size, stride, pt, pl; };

/* darknet's maxpool: windows start at -padding/2; outside cells never win */
static __global__ void maxpool_kernel(const float *__restrict__ in, float *__restrict__ out, int n, pool_shape sh) {
  size_t idx = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (idx >= (size_t)n * sh.OH * sh.OW * sh.C) return;
  int c = (int)(idx % sh.C);
  size_t p = idx / sh.C;
  int ox = (int)(p % sh.OW);
  p /= sh.OW;
  int oy = (int)(p % sh.OH), b = (int)(p / sh.OH);
  float m = -3.402823466e38f;
  for (int ky = 0; ky < sh.size; ky++) {
    int y = oy * sh.stride + ky - sh.pt;
    if (y < 0 || y >= sh.H) continue;
    for (int kx = 0; kx < sh.size; kx++) {
      int x = ox * sh.stride + kx - sh.pl;
      if (x < 0 || x >= sh.W) continue;
      float v = in[(((size_t)b * sh.H + y) * sh.W + x) * sh.C + c];
      if (v > m) m = v;
    }
  }
  out[idx] = m;
}

void k_maxpool(const float *in, float *out, int n, const nn_layer *l, cudaStream_t st) {
  pool_shape sh{l->h, l->w, l->c, l->out_h, l->out_w, l->size, l->stride, l->pad_top, l->pad_left};
  size_t total = (size_t)n * l->out_h * l->out_w * l->c;
  maxpool_kernel<<<gpu_blocks(total), GPU_THREADS, 0, st>>>(in, out, n, sh);
}

static __global__ void shortcut_kernel(const float *__restrict__ a, const float *__restrict__ b, float *out,
                                       size_t count, float alpha, float beta, int act) {
  size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (i < count) out[i] = gpu_act(alpha * a[i] + beta * b[i], act);
}

void k_shortcut(const float *a, const float *b, float *out, size_t count, float alpha, float beta, nn_act act,
                cudaStream_t st) {
  shortcut_kernel<<<gpu_blocks(count), GPU_THREADS, 0, st>>>(a, b, out, count, alpha, beta, (int)act);
}

/* One block per row: max, sum of exp, normalise (block reductions). */
static __global__ void softmax_kernel(float *x, int len, float temperature) {
  __shared__ float red[GPU_THREADS];
  float *r = x + (size_t)blockIdx.x * len;
  float m = -3.402823466e38f;
  for (int i = threadIdx.x; i < len; i += blockDim.x) m = fmaxf(m, r[i]);
  red[threadIdx.x] = m;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if ((int)threadIdx.x < s) red[threadIdx.x] = fmaxf(red[threadIdx.x], red[threadIdx.x + s]);
    __syncthreads();
  }
  m = red[0];
  __syncthreads();
  float sum = 0.0f;
  for (int i = threadIdx.x; i < len; i += blockDim.x) sum += r[i] = expf((r[i] - m) / temperature);
  red[threadIdx.x] = sum;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if ((int)threadIdx.x < s) red[threadIdx.x] += red[threadIdx.x + s];
    __syncthreads();
  }
  sum = red[0];
  for (int i = threadIdx.x; i < len; i += blockDim.x) r[i] /= sum;
}

void k_softmax(float *x, int rows, int len, float temperature, cudaStream_t st) {
  softmax_kernel<<<rows, GPU_THREADS, 0, st>>>(x, len, temperature);
}

static __global__ void chw_to_hwc_kernel(const float *__restrict__ in, float *__restrict__ out, int n, int C, int hw) {
  size_t idx = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (idx >= (size_t)n * C * hw) return;
  int c = (int)(idx % C);
  size_t p = idx / C;
  int i = (int)(p % hw), b = (int)(p / hw);
  out[idx] = in[((size_t)b * C + c) * hw + i];
}

static __global__ void hwc_to_chw_kernel(const float *__restrict__ in, float *__restrict__ out, int n, int C, int hw) {
  size_t idx = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (idx >= (size_t)n * C * hw) return;
  int i = (int)(idx % hw);
  size_t p = idx / hw;
  int c = (int)(p % C), b = (int)(p / C);
  out[idx] = in[((size_t)b * hw + i) * C + c];
}

void k_chw_to_hwc(const float *in, float *out, int n, int C, int hw, cudaStream_t st) {
  chw_to_hwc_kernel<<<gpu_blocks((size_t)n * C * hw), GPU_THREADS, 0, st>>>(in, out, n, C, hw);
}

void k_hwc_to_chw(const float *in, float *out, int n, int C, int hw, cudaStream_t st) {
  hwc_to_chw_kernel<<<gpu_blocks((size_t)n * C * hw), GPU_THREADS, 0, st>>>(in, out, n, C, hw);
}

struct px_affine { float scale[3], shift[3]; };

static __global__ void pixels_kernel(const unsigned char *__restrict__ px, float *__restrict__ out, size_t count,
                                     px_affine a) {
  size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (i >= count) return;
  int c = (int)(i % 3);
  out[i] = (float)px[i] * a.scale[c] + a.shift[c];
}

void k_pixels(const unsigned char *px, float *out, size_t pixels, const float scale[3], const float shift[3],
              cudaStream_t st) {
  px_affine a;
  for (int c = 0; c < 3; c++) { a.scale[c] = scale[c]; a.shift[c] = shift[c]; }
  pixels_kernel<<<gpu_blocks(pixels * 3), GPU_THREADS, 0, st>>>(px, out, pixels * 3, a);
}
