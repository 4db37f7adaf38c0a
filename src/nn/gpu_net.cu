/* gpu_net.cu - device state of the CUDA backend: upload, workspace, the
 * per-layer forward_*_gpu functions walking the CPU plan of nn_finalize
 * (same buffers, fused shortcuts, residuals), and cuda_forward_gpu.
 *
 * Weight layouts on the device (from the folded wf/bf):
 *   GK_GEMM   1x1 stride 1 unpadded ungrouped conv: wf as is, [F][C]; the
 *             whole batch is one sgemm, rows = images x pixels
 *   GK_DW     depthwise: [k*k][C] so a tap's weights for neighbouring
 *             channels are adjacent
 *   GK_DIRECT any other conv: [k*k][C/groups][F]
 *   GK_FC     connected: wf as is, [F][inputs] (inputs in CHW order) */
#include <stdio.h>
#include <string.h>
#include "gpu_internal.h"
extern "C" {
#include "../core/alloc.h"
#include "../core/interrupt.h"
}

int gpu_cuda_fail(mlsh_err *err, cudaError_t e, const char *where) {
  (void)cudaGetLastError();   /* clear a non-sticky error so the next call starts clean */
  int code = e == cudaErrorMemoryAllocation ? MLSH_ENOMEM : MLSH_EIO;
  char w[64];
  snprintf(w, sizeof w, "%s", where);
  char *paren = strchr(w, '(');
  if (paren) *paren = 0;
  return mlsh_seterr(err, code, "CUDA error: %s (%s in %s)", cudaGetErrorString(e), cudaGetErrorName(e), w);
}

int gpu_blas_fail(mlsh_err *err, cublasStatus_t s, const char *where) {
  char w[64];
  snprintf(w, sizeof w, "%s", where);
  char *paren = strchr(w, '(');
  if (paren) *paren = 0;
  return mlsh_seterr(err, s == CUBLAS_STATUS_ALLOC_FAILED ? MLSH_ENOMEM : MLSH_EIO, "cuBLAS error: %s (%s)",
                     cublasGetStatusString(s), w);
}



extern "C" int cuda_gpu_count(mlsh_err *err) {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    int drv = 0, rt = 0;
    cudaDriverGetVersion(&drv);
    cudaRuntimeGetVersion(&rt);
    char why[128] = "";
    if (e == cudaErrorInsufficientDriver && drv == 0) snprintf(why, sizeof why, "; no NVIDIA driver (libcuda.so.1) found");
    else if (e == cudaErrorInsufficientDriver)
      snprintf(why, sizeof why, "; the driver supports CUDA %d.%d, this build needs %d.%d", drv / 1000, drv % 1000 / 10,
               rt / 1000, rt % 1000 / 10);
    mlsh_seterr(err, MLSH_EIO, "no usable CUDA device: %s (%s%s)", cudaGetErrorString(e), cudaGetErrorName(e), why);
    return 0;
  }
  if (n == 0) mlsh_seterr(err, MLSH_EIO, "no usable CUDA device: the driver reports none");
  return n;
}

static int is_dw(const nn_layer *l) { return l->groups == l->c && l->filters == l->c && l->groups > 1; }
static int is_gemm(const nn_layer *l) {
  return l->size == 1 && l->stride == 1 && l->groups == 1 && !l->pad_top && !l->pad_left && !l->pad_bottom &&
         !l->pad_right;
}

static void gpu_free_state(gpu_net *g) {
  if (!g) return;
  if (g->comp) cudaStreamSynchronize(g->comp);
  if (g->copy) cudaStreamSynchronize(g->copy);
  if (g->blas) cublasDestroy(g->blas);
  if (g->comp) cudaStreamDestroy(g->comp);
  if (g->copy) cudaStreamDestroy(g->copy);
  cudaFree(g->mem);
  cudaFree(g->x0);
  cudaFree(g->tbuf);
  cudaFree(g->out);
  cudaFree(g->wmem);
  (void)cudaGetLastError();
  mlsh_free(g->outs);
  mlsh_free(g->L);
  mlsh_free(g);
}

static void gpu_free_net(nn_net *net) {
  gpu_free_state((gpu_net *)net->gpu);
  net->gpu = NULL;
  net->gpu_free = NULL;
  for (int i = 0; i < net->n; i++) net->layers[i].gpu = NULL;
}

extern "C" void cuda_gpu_detach(nn_net *net) {
  if (net && net->gpu) gpu_free_net(net);
}

/* Host copy of layer l's weights in its device layout (w: nweights floats). */
static void layout_weights(const nn_layer *l, int kind, float *w) {
  size_t kk = (size_t)l->size * l->size;
  if (kind == GK_DW) {
    for (int c = 0; c < l->c; c++)
      for (size_t t = 0; t < kk; t++) w[t * l->c + c] = l->wf[c * kk + t];
  } else if (kind == GK_DIRECT) {
    int cg = l->c / l->groups, F = l->filters;
    for (int f = 0; f < F; f++)
      for (int ci = 0; ci < cg; ci++)
        for (size_t t = 0; t < kk; t++) w[(t * cg + ci) * F + f] = l->wf[((size_t)f * cg + ci) * kk + t];
  } else {
    memcpy(w, l->wf, l->nweights * sizeof *w);
  }
}

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

/* Which outputs may stay raw: a 1x1 conv read only by the next layer, when
 * that is a depthwise conv (not using it as residual) or an average pool. */
static void plan_defer(nn_net *net, gpu_net *g) {
  for (int i = 0; i + 1 < net->n; i++) {
    const nn_layer *l = &net->layers[i], *nx = &net->layers[i + 1];
    if (g->L[i].kind != GK_GEMM || l->residual >= 0 || l->last_use != i + 1) continue;
    int ok = (nx->type == NN_CONV && g->L[i + 1].kind == GK_DW && nx->residual != i) ||
             (nx->type == NN_AVGPOOL);
    if (!ok) continue;
    g->L[i].defer = 1;
    g->L[i + 1].in_bias = g->L[i].b;
    g->L[i + 1].in_act = l->post_act;
  }
}

extern "C" int cuda_gpu_attach(nn_net *net, const nn_gpu_opts *o, mlsh_err *err) {
  if (!net->finalized) {
    int rc = nn_finalize(net, net->nthreads, err);
    if (rc) return rc;
  }
  cuda_gpu_detach(net);
  mlsh_err e0;
  if (cuda_gpu_count(&e0) <= 0) return mlsh_seterr(err, e0.code, "%s", e0.msg);
  gpu_net *g = (gpu_net *)mlsh_calloc(1, sizeof *g);
  if (!g) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  net->gpu = g;
  net->gpu_free = gpu_free_net;
  int rc = MLSH_OK;
  float *host = NULL;
  g->batch = o && o->batch > 0 ? o->batch : 128;
  g->tf32 = o && o->tf32;
  g->dev = o ? o->device : 0;
  g->L = (gpu_layer *)mlsh_calloc((size_t)net->n, sizeof *g->L);
  g->outs = (float **)mlsh_calloc((size_t)net->n, sizeof *g->outs);
  if (!g->L || !g->outs) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto fail; }
  {
    cudaDeviceProp prop;
#define ATTACH_CU(call) do { cudaError_t e_ = (call); if (e_ != cudaSuccess) { rc = gpu_cuda_fail(err, e_, #call); goto fail; } } while (0)
    ATTACH_CU(cudaSetDevice(g->dev));
    ATTACH_CU(cudaGetDeviceProperties(&prop, g->dev));
    ATTACH_CU(cudaStreamCreateWithFlags(&g->comp, cudaStreamNonBlocking));
    ATTACH_CU(cudaStreamCreateWithFlags(&g->copy, cudaStreamNonBlocking));
    cublasStatus_t bs = cublasCreate(&g->blas);
    if (bs != CUBLAS_STATUS_SUCCESS) { g->blas = NULL; rc = gpu_blas_fail(err, bs, "cublasCreate"); goto fail; }
    cublasSetStream(g->blas, g->comp);
    cublasSetMathMode(g->blas, g->tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
    snprintf(g->desc, sizeof g->desc, "%s (sm_%d%d), batch %d, %s", prop.name, prop.major, prop.minor, g->batch,
             g->tf32 ? "TF32" : "FP32");

    /* weights: one allocation, every array 64-byte aligned (float4 loads) */
    size_t wtotal = 0;
    for (int i = 0; i < net->n; i++) {
      const nn_layer *l = &net->layers[i];
      if (l->type != NN_CONV && l->type != NN_CONNECTED) continue;
      wtotal += align16(l->nweights) + align16((size_t)l->filters);
    }
    if (wtotal) {
      host = (float *)mlsh_malloc_array(wtotal, sizeof *host);
      if (!host) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto fail; }
      ATTACH_CU(cudaMalloc((void **)&g->wmem, wtotal * sizeof(float)));
      g->bytes += wtotal * sizeof(float);
    }
    size_t off = 0;
    for (int i = 0; i < net->n; i++) {
      nn_layer *l = &net->layers[i];
      gpu_layer *gl = &g->L[i];
      l->gpu = gl;
      gl->in_act = NN_LINEAR;
      if (l->type == NN_CONNECTED) gl->kind = GK_FC;
      else if (l->type != NN_CONV) continue;
      else gl->kind = is_dw(l) ? GK_DW : is_gemm(l) ? GK_GEMM : GK_DIRECT;
      layout_weights(l, gl->kind, host + off);
      gl->w = g->wmem + off;
      off += align16(l->nweights);
      memcpy(host + off, l->bf, (size_t)l->filters * sizeof *host);
      gl->b = g->wmem + off;
      off += align16((size_t)l->filters);
    }
    if (wtotal) ATTACH_CU(cudaMemcpy(g->wmem, host, wtotal * sizeof(float), cudaMemcpyHostToDevice));
    plan_defer(net, g);

    /* workspace: the CPU buffer plan, batch images per buffer */
    size_t B = (size_t)g->batch, per = net->buf_elems;
    size_t tper = net->buf_elems > net->inputs ? net->buf_elems : net->inputs;
    size_t need = ((size_t)net->nbuf * per + net->inputs + tper + net->outputs) * B * sizeof(float);
    size_t freeb = 0, totalb = 0;
    if (cudaMemGetInfo(&freeb, &totalb) == cudaSuccess && need > freeb) {
      size_t fits = (size_t)(freeb * 0.9 / ((double)need / B));
      rc = mlsh_seterr(err, MLSH_ENOMEM, "CUDA: the workspace for batch %d needs %.0f MiB, %s has %.0f MiB free "
                       "(batch=%zu would fit)", g->batch, need / 1048576.0, prop.name, freeb / 1048576.0, fits);
      goto fail;
    }
    ATTACH_CU(cudaMalloc((void **)&g->mem, (size_t)net->nbuf * B * per * sizeof(float)));
    ATTACH_CU(cudaMalloc((void **)&g->x0, B * net->inputs * sizeof(float)));
    ATTACH_CU(cudaMalloc((void **)&g->tbuf, B * tper * sizeof(float)));
    ATTACH_CU(cudaMalloc((void **)&g->out, B * net->outputs * sizeof(float)));
    g->bytes += need;
    for (int i = 0; i < net->n; i++) g->outs[i] = g->mem + (size_t)net->layers[i].buf * B * per;
    /* the weight upload ran on the legacy stream, which our non-blocking streams do not wait for */
    ATTACH_CU(cudaDeviceSynchronize());
#undef ATTACH_CU
  }
  mlsh_free(host);
  return MLSH_OK;
fail:
  mlsh_free(host);
  cuda_gpu_detach(net);
  return rc;
}

extern "C" const char *cuda_gpu_describe(const nn_net *net) {
  return net && net->gpu ? ((const gpu_net *)net->gpu)->desc : "";
}

extern "C" size_t cuda_gpu_memory(const nn_net *net) {
  return net && net->gpu ? ((const gpu_net *)net->gpu)->bytes : 0;
}

/* ---- forward_*_gpu: m images, NHWC, on g->comp ---- */

static int forward_conv_gpu(nn_net *net, gpu_net *g, int i, const float *in, int m, mlsh_err *err) {
  const nn_layer *l = &net->layers[i];
  const gpu_layer *gl = &g->L[i];
  float *out = g->outs[i];
  const float *res = l->residual >= 0 ? g->outs[l->residual] : NULL;
  if (gl->kind == GK_DW) {
    k_depthwise(in, out, m, l, gl->w, gl->b, res, gl->in_bias, gl->in_act, g->comp);
  } else if (gl->kind == GK_DIRECT) {
    k_conv_direct(in, out, m, l, gl->w, gl->b, res, g->comp);
  } else {
    /* row-major out[rows][F] = in[rows][C] W^T. Column-major cuBLAS sees W as
     * C x F and in as C x rows, so out (F x rows, ld F) = op_T(W) * in */
    int F = l->filters, C = l->c;
    size_t rows = (size_t)m * l->out_w * l->out_h;
    const float one = 1.0f, zero = 0.0f;
    BLAS_TRY(cublasSgemm(g->blas, CUBLAS_OP_T, CUBLAS_OP_N, F, (int)rows, C, &one, gl->w, C, in, C, &zero, out, F));
    if (!gl->defer) k_epilogue(out, rows, F, gl->b, res, l->post_act, g->comp);
  }
  return MLSH_OK;
}

/* connected and softmax read flat CHW: a spatial NHWC input is transposed into tbuf */
static const float *as_chw(const nn_layer *l, const float *in, gpu_net *g, int m) {
  int hw = l->w * l->h;
  if (hw == 1 || l->c == 1) return in;
  k_hwc_to_chw(in, g->tbuf, m, l->c, hw, g->comp);
  return g->tbuf;
}

static int forward_connected_gpu(nn_net *net, gpu_net *g, int i, const float *in, int m, mlsh_err *err) {
  const nn_layer *l = &net->layers[i];
  const gpu_layer *gl = &g->L[i];
  const float *x = as_chw(l, in, g, m);
  int F = l->filters, I = (int)l->inputs;
  const float one = 1.0f, zero = 0.0f;
  BLAS_TRY(cublasSgemm(g->blas, CUBLAS_OP_T, CUBLAS_OP_N, F, m, I, &one, gl->w, I, x, I, &zero, g->outs[i], F));
  k_epilogue(g->outs[i], (size_t)m, F, gl->b, NULL, l->post_act, g->comp);
  return MLSH_OK;
}

static int forward_route_gpu(nn_net *net, gpu_net *g, int i, int m, mlsh_err *err) {
  const nn_layer *l = &net->layers[i];
  size_t pix = (size_t)m * l->out_w * l->out_h, off = 0;
  for (int r = 0; r < l->nroute; r++) {
    const nn_layer *src = &net->layers[l->route[r]];
    size_t sc = (size_t)src->out_c;
    CU_TRY(cudaMemcpy2DAsync(g->outs[i] + off, (size_t)l->out_c * sizeof(float), g->outs[l->route[r]],
                             sc * sizeof(float), sc * sizeof(float), pix, cudaMemcpyDeviceToDevice, g->comp));
    off += sc;
  }
  return MLSH_OK;
}

static int forward_softmax_gpu(nn_net *net, gpu_net *g, int i, const float *in, int m, mlsh_err *err) {
  const nn_layer *l = &net->layers[i];
  int hw = l->w * l->h;
  size_t len = l->inputs / (size_t)l->groups;
  float *out = g->outs[i];
  if (hw > 1 && l->c > 1) {   /* groups split the CHW order: softmax in tbuf, back to NHWC */
    const float *x = as_chw(l, in, g, m);
    k_softmax((float *)x, m * l->groups, (int)len, l->temperature, g->comp);
    k_chw_to_hwc(x, out, m, l->c, hw, g->comp);
  } else {
    if (in != out) CU_TRY(cudaMemcpyAsync(out, in, (size_t)m * l->outputs * sizeof(float), cudaMemcpyDeviceToDevice, g->comp));
    k_softmax(out, m * l->groups, (int)len, l->temperature, g->comp);
  }
  return MLSH_OK;
}

/* The layers on g->comp; ev (n events, or NULL) is recorded after each layer for profiling. */
static int run_layers(nn_net *net, int m, cudaEvent_t *ev, mlsh_err *err) {
  gpu_net *g = (gpu_net *)net->gpu;
  for (int i = 0; i < net->n; i++) {
    const nn_layer *l = &net->layers[i];
    if (l->fused) {   /* done by the layer it was fused into; its profile slot reads zero */
      if (ev) CU_TRY(cudaEventRecord(ev[i], g->comp));
      continue;
    }
    const float *in = i ? g->outs[i - 1] : g->x0;
    int rc = MLSH_OK;
    switch (l->type) {
    case NN_CONV: rc = forward_conv_gpu(net, g, i, in, m, err); break;
    case NN_CONNECTED: rc = forward_connected_gpu(net, g, i, in, m, err); break;
    case NN_AVGPOOL:
      k_avgpool(in, g->outs[i], m, l->w * l->h, l->c, g->L[i].in_bias, g->L[i].in_act, g->comp);
      break;
    case NN_MAXPOOL: k_maxpool(in, g->outs[i], m, l, g->comp); break;
    case NN_SHORTCUT:
      k_shortcut(in, g->outs[l->from], g->outs[i], (size_t)m * l->outputs, l->alpha, l->beta, l->act, g->comp);
      break;
    case NN_ROUTE: rc = forward_route_gpu(net, g, i, m, err); break;
    case NN_SOFTMAX: rc = forward_softmax_gpu(net, g, i, in, m, err); break;
    case NN_DROPOUT:
      if (in != g->outs[i])
        CU_TRY(cudaMemcpyAsync(g->outs[i], in, (size_t)m * l->outputs * sizeof(float), cudaMemcpyDeviceToDevice, g->comp));
      break;
    }
    if (rc) return rc;
    CU_TRY(cudaGetLastError());   /* launch errors (bad configuration) surface here */
    if (ev) CU_TRY(cudaEventRecord(ev[i], g->comp));
  }
  return MLSH_OK;
}

int gpu_run(nn_net *net, int m, mlsh_err *err) {
  gpu_net *g = (gpu_net *)net->gpu;
  int rc = run_layers(net, m, NULL, err);
  if (rc) return rc;
  /* the caller's layout: CHW per image */
  const nn_layer *last = &net->layers[net->n - 1];
  int hw = last->out_w * last->out_h;
  if (hw > 1 && last->out_c > 1) k_hwc_to_chw(g->outs[net->n - 1], g->out, m, last->out_c, hw, g->comp);
  else CU_TRY(cudaMemcpyAsync(g->out, g->outs[net->n - 1], (size_t)m * net->outputs * sizeof(float),
                              cudaMemcpyDeviceToDevice, g->comp));
  CU_TRY(cudaGetLastError());
  return MLSH_OK;
}

static int forward_chunks(nn_net *net, const float *input, size_t n, float *output, mlsh_err *err) {
  gpu_net *g = (gpu_net *)net->gpu;
  CU_TRY(cudaSetDevice(g->dev));
  int hw = net->w * net->h;
  for (size_t b = 0; b < n; b += (size_t)g->batch) {
    if (mlsh_interrupted()) return mlsh_seterr(err, MLSH_EINTR, "interrupted");
    int m = (int)(n - b < (size_t)g->batch ? n - b : (size_t)g->batch);
    const float *src = input + b * net->inputs;
    if (hw > 1 && net->c > 1) {
      CU_TRY(cudaMemcpyAsync(g->tbuf, src, (size_t)m * net->inputs * sizeof(float), cudaMemcpyHostToDevice, g->comp));
      k_chw_to_hwc(g->tbuf, g->x0, m, net->c, hw, g->comp);
    } else {
      CU_TRY(cudaMemcpyAsync(g->x0, src, (size_t)m * net->inputs * sizeof(float), cudaMemcpyHostToDevice, g->comp));
    }
    int rc = gpu_run(net, m, err);
    if (rc) return rc;
    CU_TRY(cudaMemcpyAsync(output + b * net->outputs, g->out, (size_t)m * net->outputs * sizeof(float),
                           cudaMemcpyDeviceToHost, g->comp));
    CU_TRY(cudaStreamSynchronize(g->comp));
  }
  return MLSH_OK;
}

extern "C" int cuda_forward_gpu(nn_net *net, const float *input, size_t n, float *output, mlsh_err *err) {
  if (!net->gpu) return mlsh_seterr(err, MLSH_EINVAL, "the network is not on a GPU");
  double t0 = nn_now();
  int rc = forward_chunks(net, input, n, output, err);
  if (rc) {
    cudaStreamSynchronize(((gpu_net *)net->gpu)->comp);   /* nothing in flight on return */
  } else {
    net->images_seen += n;
    net->wall_s += nn_now() - t0;
  }
  return rc;
}

extern "C" int cuda_gpu_bench(nn_net *net, size_t m, int iters, double *seconds, mlsh_err *err) {
  gpu_net *g = (gpu_net *)net->gpu;
  if (!g) return mlsh_seterr(err, MLSH_EINVAL, "the network is not on a GPU");
  if (m < 1 || m > (size_t)g->batch)
    return mlsh_seterr(err, MLSH_EINVAL, "bench batch %zu is outside 1..%d (the attached batch)", m, g->batch);
  CU_TRY(cudaSetDevice(g->dev));
  CU_TRY(cudaMemsetAsync(g->x0, 0, m * net->inputs * sizeof(float), g->comp));
  cudaEvent_t e0, e1;
  CU_TRY(cudaEventCreate(&e0));
  cudaError_t ce = cudaEventCreate(&e1);
  if (ce != cudaSuccess) { cudaEventDestroy(e0); return gpu_cuda_fail(err, ce, "cudaEventCreate"); }
  int rc = MLSH_OK;
  for (int w = 0; w < 3 && !rc; w++) rc = gpu_run(net, (int)m, err);   /* warm-up: cuBLAS heuristics, clocks */
  if (!rc) cudaEventRecord(e0, g->comp);
  for (int it = 0; it < iters && !rc; it++) rc = gpu_run(net, (int)m, err);
  float ms = 0;
  if (!rc) {
    cudaEventRecord(e1, g->comp);
    ce = cudaEventSynchronize(e1);
    if (ce == cudaSuccess) ce = cudaEventElapsedTime(&ms, e0, e1);
    if (ce != cudaSuccess) rc = gpu_cuda_fail(err, ce, "cudaEventSynchronize");
  }
  cudaStreamSynchronize(g->comp);
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  if (!rc) *seconds = ms / 1000.0;
  return rc;
}

extern "C" int cuda_gpu_profile(nn_net *net, size_t m, int passes, double *ms, mlsh_err *err) {
  gpu_net *g = (gpu_net *)net->gpu;
  if (!g) return mlsh_seterr(err, MLSH_EINVAL, "the network is not on a GPU");
  if (m < 1 || m > (size_t)g->batch)
    return mlsh_seterr(err, MLSH_EINVAL, "profile batch %zu is outside 1..%d (the attached batch)", m, g->batch);
  CU_TRY(cudaSetDevice(g->dev));
  cudaEvent_t *ev = (cudaEvent_t *)mlsh_calloc((size_t)net->n + 1, sizeof *ev);
  if (!ev) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  int rc = MLSH_OK, made = 0;
  while (made <= net->n) {
    cudaError_t e = cudaEventCreate(&ev[made]);
    if (e != cudaSuccess) { rc = gpu_cuda_fail(err, e, "cudaEventCreate"); break; }
    made++;
  }
  if (!rc) rc = gpu_run(net, (int)m, err);   /* warm-up */
  for (int i = 0; i < net->n; i++) ms[i] = 0;
  for (int p = 0; p < passes && !rc; p++) {
    cudaError_t e = cudaEventRecord(ev[0], g->comp);
    if (e != cudaSuccess) { rc = gpu_cuda_fail(err, e, "cudaEventRecord"); break; }
    if ((rc = run_layers(net, (int)m, ev + 1, err))) break;
    e = cudaEventSynchronize(ev[net->n]);
    if (e != cudaSuccess) { rc = gpu_cuda_fail(err, e, "cudaEventSynchronize"); break; }
    for (int i = 0; i < net->n; i++) {
      float t = 0;
      cudaEventElapsedTime(&t, ev[i], ev[i + 1]);
      ms[i] += t / passes;
    }
  }
  cudaStreamSynchronize(g->comp);
  for (int i = 0; i < made; i++) cudaEventDestroy(ev[i]);
  mlsh_free(ev);
  return rc;
}
