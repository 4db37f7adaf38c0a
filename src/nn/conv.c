/* conv.c - CPU convolution kernels, one image (CHW) per call:
 *   1x1 stride-1 unpadded   -> one cblas_sgemm on the input as it is
 *   other dense / grouped   -> im2col per group + cblas_sgemm
 *   depthwise (groups = c)  -> a padded copy of each plane, then tap loops
 *                              that the compiler vectorises (stride s is
 *                              split into s column phases so every tap reads
 *                              contiguous memory)
 * Bias, the fused residual add and the activation are applied in one pass
 * while the data is still in cache; with a residual the sum starts as
 * residual + bias and sgemm accumulates into it (beta = 1). */
#pragma GCC optimize("O3")   /* vectorise with the dynamic cost model (GCC's -O2 is very cheap) */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include "layers.h"

/* AVX2+FMA clone and a portable default, picked at load time (ifunc). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define NN_FAST __attribute__((target_clones("arch=haswell", "default")))
#else
#define NN_FAST
#endif

NN_FAST void nn_activate(float *x, size_t n, nn_act a) {
  switch (a) {
  case NN_LINEAR: break;
  case NN_RELU: for (size_t i = 0; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0; break;
  case NN_RELU6:
    for (size_t i = 0; i < n; i++) { float v = x[i] > 0 ? x[i] : 0; x[i] = v < 6 ? v : 6; }
    break;
  case NN_LEAKY: for (size_t i = 0; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0.1f * x[i]; break;
  case NN_LOGISTIC: for (size_t i = 0; i < n; i++) x[i] = 1.0f / (1.0f + expf(-x[i])); break;
  case NN_TANH: for (size_t i = 0; i < n; i++) x[i] = tanhf(x[i]); break;
  case NN_SWISH: for (size_t i = 0; i < n; i++) x[i] = x[i] / (1.0f + expf(-x[i])); break;
  case NN_MISH:   /* x * tanh(softplus(x)), softplus thresholded as darknet's */
    for (size_t i = 0; i < n; i++) {
      float v = x[i], sp = v > 20 ? v : v < -20 ? expf(v) : log1pf(expf(v));
      x[i] = v * tanhf(sp);
    }
    break;
  }
}

NN_FAST void nn_finish(float *o, size_t n, float bias, const float *res, nn_act act) {
  if (res) for (size_t i = 0; i < n; i++) o[i] += bias + res[i];
  else for (size_t i = 0; i < n; i++) o[i] += bias;
  nn_activate(o, n, act);
}

static int is_depthwise(const nn_layer *l) { return l->groups == l->c && l->filters == l->c && l->groups > 1; }
static int is_direct(const nn_layer *l) {
  return l->size == 1 && l->stride == 1 && !l->pad_top && !l->pad_left && !l->pad_bottom && !l->pad_right;
}

/* Padded extent that the taps touch: (out-1)*stride + size. */
static int span(int out, int stride, int size) { return (out - 1) * stride + size; }

size_t nn_conv_scratch(const nn_layer *l) {
  if (l->type != NN_CONV) return 0;
  if (is_depthwise(l)) {
    size_t ph = (size_t)span(l->out_h, l->stride, l->size), pw = (size_t)span(l->out_w, l->stride, l->size);
    size_t qw = (pw + (size_t)l->stride - 1) / (size_t)l->stride;
    return ph * qw * (size_t)l->stride;
  }
  if (is_direct(l)) return 0;
  return (size_t)(l->c / l->groups) * l->size * l->size * (size_t)l->out_w * l->out_h;
}

/* col[(ci*k + ky)*k + kx][oy*ow + ox] = in[ci][oy*s + ky - pt][ox*s + kx - pl] (0 outside). */
static void im2col(const float *in, int c, int h, int w, int k, int s, int pt, int pl, int oh, int ow, float *col) {
  for (int ci = 0; ci < c; ci++)
    for (int ky = 0; ky < k; ky++)
      for (int kx = 0; kx < k; kx++) {
        float *dst = col + ((size_t)(ci * k + ky) * k + kx) * (size_t)oh * ow;
        /* columns whose source x is inside: ox*s + kx - pl in [0, w) */
        int lo = 0, hi = ow;
        while (lo < ow && lo * s + kx - pl < 0) lo++;
        while (hi > lo && (hi - 1) * s + kx - pl >= w) hi--;
        for (int oy = 0; oy < oh; oy++, dst += ow) {
          int iy = oy * s + ky - pt;
          if (iy < 0 || iy >= h) { memset(dst, 0, (size_t)ow * sizeof *dst); continue; }
          const float *src = in + ((size_t)ci * h + iy) * w + kx - pl;
          for (int ox = 0; ox < lo; ox++) dst[ox] = 0;
          if (s == 1) memcpy(dst + lo, src + lo, (size_t)(hi - lo) * sizeof *dst);
          else for (int ox = lo; ox < hi; ox++) dst[ox] = src[ox * s];
          for (int ox = hi; ox < ow; ox++) dst[ox] = 0;
        }
      }
}

/* One depthwise channel. ph: s phase planes of PH rows x QW columns,
 * phase p holding padded columns p, p+s, p+2s, ... */
NN_FAST static void dw_channel(const float *in, int h, int w, const float *kw, int k, int s, int pt, int pl,
                               float *out, int oh, int ow, float bias, const float *res, nn_act act, float *ph) {
  int PH = span(oh, s, k), PW = span(ow, s, k), QW = (PW + s - 1) / s;
  for (int y = 0; y < PH; y++) {
    int iy = y - pt;
    const float *src = iy >= 0 && iy < h ? in + (size_t)iy * w : NULL;
    for (int p = 0; p < s; p++) {
      float *dst = ph + ((size_t)p * PH + y) * QW;
      if (!src) { memset(dst, 0, (size_t)QW * sizeof *dst); continue; }
      if (s == 1) {
        int l0 = pl < PW ? pl : PW, l1 = pl + w < PW ? pl + w : PW;
        memset(dst, 0, (size_t)l0 * sizeof *dst);
        memcpy(dst + l0, src + (l0 - pl), (size_t)(l1 - l0) * sizeof *dst);
        memset(dst + l1, 0, (size_t)(PW - l1) * sizeof *dst);
        continue;
      }
      for (int q = 0; q < QW; q++) {
        int ix = q * s + p - pl;
        dst[q] = ix >= 0 && ix < w ? src[ix] : 0.0f;
      }
    }
  }
  for (int oy = 0; oy < oh; oy++) {
    float *o = out + (size_t)oy * ow;
    if (k == 3 && s == 1) {
      const float *r0 = ph + (size_t)oy * QW, *r1 = r0 + QW, *r2 = r1 + QW;
      for (int x = 0; x < ow; x++)
        o[x] = kw[0] * r0[x] + kw[1] * r0[x + 1] + kw[2] * r0[x + 2]
             + kw[3] * r1[x] + kw[4] * r1[x + 1] + kw[5] * r1[x + 2]
             + kw[6] * r2[x] + kw[7] * r2[x + 1] + kw[8] * r2[x + 2];
    } else if (k == 3 && s == 2) {
      size_t pstride = (size_t)PH * QW;
      const float *e0 = ph + (size_t)(2 * oy) * QW, *e1 = e0 + QW, *e2 = e1 + QW;
      const float *d0 = e0 + pstride, *d1 = e1 + pstride, *d2 = e2 + pstride;
      for (int x = 0; x < ow; x++)
        o[x] = kw[0] * e0[x] + kw[1] * d0[x] + kw[2] * e0[x + 1]
             + kw[3] * e1[x] + kw[4] * d1[x] + kw[5] * e1[x + 1]
             + kw[6] * e2[x] + kw[7] * d2[x] + kw[8] * e2[x + 1];
    } else {
      for (int x = 0; x < ow; x++) o[x] = 0;
      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++) {
          const float *r = ph + ((size_t)(kx % s) * PH + (size_t)(oy * s + ky)) * QW + kx / s;
          float wv = kw[ky * k + kx];
          for (int x = 0; x < ow; x++) o[x] += wv * r[x];
        }
    }
    nn_finish(o, (size_t)ow, bias, res ? res + (size_t)oy * ow : NULL, act);
  }
}

void nn_forward_conv(const nn_layer *l, nn_ctx *ctx) {
  const float *in = ctx->input;
  float *out = ctx->output;
  const float *res = l->residual >= 0 ? ctx->outs[l->residual] : NULL;
  size_t on = (size_t)l->out_w * l->out_h, hw = (size_t)l->w * l->h;
  if (is_depthwise(l)) {
    size_t kk = (size_t)l->size * l->size;
    for (int c = 0; c < l->c; c++)
      dw_channel(in + c * hw, l->h, l->w, l->wf + c * kk, l->size, l->stride, l->pad_top, l->pad_left,
                 out + c * on, l->out_h, l->out_w, l->bf[c], res ? res + c * on : NULL, l->post_act, ctx->scratch);
    return;
  }
  int cg = l->c / l->groups, fg = l->filters / l->groups, K = cg * l->size * l->size;
  float beta = 0.0f;
  if (res) {   /* start from residual + bias: sgemm adds the convolution (beta = 1) */
    for (int f = 0; f < l->filters; f++) {
      float *o = out + f * on;
      const float *r = res + f * on, b = l->bf[f];
      for (size_t i = 0; i < on; i++) o[i] = r[i] + b;
    }
    beta = 1.0f;
  }
  for (int g = 0; g < l->groups; g++) {
    const float *B = in + (size_t)g * cg * hw;
    if (!is_direct(l)) {
      im2col(B, cg, l->h, l->w, l->size, l->stride, l->pad_top, l->pad_left, l->out_h, l->out_w, ctx->scratch);
      B = ctx->scratch;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, fg, (int)on, K, 1.0f, l->wf + (size_t)g * fg * K, K,
                B, (int)on, beta, out + (size_t)g * fg * on, (int)on);
  }
  if (res) nn_activate(out, on * l->filters, l->post_act);
  else
    for (int f = 0; f < l->filters; f++) nn_finish(out + f * on, on, l->bf[f], NULL, l->post_act);
}

void nn_forward_connected(const nn_layer *l, nn_ctx *ctx) {
  cblas_sgemv(CblasRowMajor, CblasNoTrans, l->filters, (int)l->inputs, 1.0f, l->wf, (int)l->inputs,
              ctx->input, 1, 0.0f, ctx->output, 1);
  for (int o = 0; o < l->filters; o++) ctx->output[o] += l->bf[o];
  nn_activate(ctx->output, (size_t)l->filters, l->post_act);
}
