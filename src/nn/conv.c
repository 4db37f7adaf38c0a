/* conv.c - CPU convolution kernels, one image (CHW) per call:
 *   1x1 stride-1 unpadded   -> one cblas_sgemm on the input as it is
 *   other dense / grouped   -> im2col per group + cblas_sgemm
 *   depthwise (groups = c)  -> a padded copy of each plane split into
 *                              stride phases, then one vectorised loop of
 *                              shifted taps per plane (see dw_channel)
 * Dense convolutions start the output as bias (+ the fused residual) and
 * sgemm accumulates into it (beta = 1), then one activation pass (none for
 * linear layers); the depthwise kernels apply bias, residual and
 * activation while a plane is still in cache. */
#pragma GCC optimize("O3")   /* vectorise with the dynamic cost model (GCC's -O2 is very cheap) */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include "layers.h"

/* An x86-64-v3 (AVX2+FMA) clone and a portable default, picked at load time (ifunc). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define NN_FAST __attribute__((target_clones("arch=x86-64-v3", "default")))
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

int nn_conv_is_depthwise(const nn_layer *l) { return l->groups == l->c && l->filters == l->c && l->groups > 1; }
#define is_depthwise nn_conv_is_depthwise
int nn_conv_is_pointwise(const nn_layer *l) {
  return l->size == 1 && l->stride == 1 && l->groups == 1 && !l->pad_top && !l->pad_left && !l->pad_bottom && !l->pad_right;
}
/* Small planes (14x14, 7x7) take the HWC depthwise path (dw_hwc). */
#define DW_HWC_MAX_PLANE 400
int nn_dw_uses_hwc(const nn_layer *l) { return nn_conv_is_depthwise(l) && l->w * l->h <= DW_HWC_MAX_PLANE && l->size <= 8; }
#define dw_use_hwc nn_dw_uses_hwc
static int is_direct(const nn_layer *l) {
  return l->size == 1 && l->stride == 1 && !l->pad_top && !l->pad_left && !l->pad_bottom && !l->pad_right;
}

size_t nn_conv_scratch(const nn_layer *l) {
  if (l->type != NN_CONV) return 0;
  if (is_depthwise(l) && dw_use_hwc(l))   /* HWC input, output and weights */
    return (size_t)l->c * ((size_t)l->w * l->h + (size_t)l->out_w * l->out_h + (size_t)l->size * l->size);
  if (is_depthwise(l)) {   /* s*s phases of (QH + 1) x QW, the oh x QW grid, a padded row */
    size_t st = (size_t)l->stride, QH = (size_t)l->out_h + (size_t)(l->size - 1) / st, QW = (size_t)l->out_w + (size_t)(l->size - 1) / st;
    return st * st * (QH + 1) * QW + (size_t)l->out_h * QW + QW * st;
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

/* grid = sum of 9 shifted planes (restrict: no aliasing checks in the loop). */
NN_FAST static void taps9(float *restrict g, const float *restrict p0, const float *restrict p1, const float *restrict p2,
                          const float *restrict p3, const float *restrict p4, const float *restrict p5,
                          const float *restrict p6, const float *restrict p7, const float *restrict p8,
                          const float *kw, size_t n) {
  float w0 = kw[0], w1 = kw[1], w2 = kw[2], w3 = kw[3], w4 = kw[4], w5 = kw[5], w6 = kw[6], w7 = kw[7], w8 = kw[8];
  for (size_t i = 0; i < n; i++)
    g[i] = w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i] + w5 * p5[i] + w6 * p6[i] + w7 * p7[i] + w8 * p8[i];
}

/* One depthwise channel. The padded plane is split into s*s phases
 * (row parity x column parity for stride 2), phase (py, px) holding padded
 * pixels (r*s + py, q*s + px) in a QH x QW grid. Tap (ky, kx) then reads
 * phase (ky%s, kx%s) shifted by (ky/s, kx/s): the same flat offset for every
 * output, so each output is one long contiguous loop over the oh x QW grid
 * (no per-row overhead on 7x7 planes); the QW - ow spare columns are
 * dropped when the rows are compacted into the output. */
NN_FAST static void dw_channel(const float *in, int h, int w, const float *kw, int k, int s, int pt, int pl,
                               float *out, int oh, int ow, float bias, const float *res, nn_act act, nn_act in_act,
                               float *scratch) {
  int QH = oh + (k - 1) / s, QW = ow + (k - 1) / s, TW = QW * s;
  size_t psz = (size_t)(QH + 1) * QW;   /* one spare row: the grid's last taps read past QH*QW */
  float *grid = scratch + (size_t)s * s * psz, *T = grid + (size_t)oh * QW;
  int lo = pl < TW ? pl : TW, hi = pl + w < TW ? pl + w : TW;   /* padded columns [lo, hi) hold input */
  for (int y = 0; y < QH * s; y++) {
    int py = y % s, r = y / s, iy = y - pt;
    float *row = s == 1 ? scratch + (size_t)r * QW : T;   /* stride 1: the padded row is the phase row */
    if (iy < 0 || iy >= h) { for (int x = 0; x < TW; x++) row[x] = 0; }
    else {
      const float *src = in + (size_t)iy * w - pl;
      for (int x = 0; x < lo; x++) row[x] = 0;
      for (int x = lo; x < hi; x++) row[x] = src[x];
      for (int x = hi; x < TW; x++) row[x] = 0;
      if (in_act != NN_LINEAR) nn_activate(row + lo, (size_t)(hi - lo), in_act);   /* the producer's deferred activation */
    }
    if (s == 2) {   /* deinterleave even/odd columns */
      float *e = scratch + (size_t)(py * 2) * psz + (size_t)r * QW, *o = e + psz;
      for (int q = 0; q < QW; q++) { e[q] = T[2 * q]; o[q] = T[2 * q + 1]; }
    } else if (s > 2) {
      for (int px = 0; px < s; px++) {
        float *d = scratch + (size_t)(py * s + px) * psz + (size_t)r * QW;
        for (int q = 0; q < QW; q++) d[q] = T[q * s + px];
      }
    }
  }
  for (int ph = 0; ph < s * s; ph++) {
    float *spare = scratch + (size_t)ph * psz + (size_t)QH * QW;
    for (int q = 0; q < QW; q++) spare[q] = 0;
  }
  size_t n = (size_t)oh * QW;
  if (k == 3) {
    const float *p[9];
    for (int t = 0; t < 9; t++) {
      int ky = t / 3, kx = t % 3;
      p[t] = scratch + (size_t)((ky % s) * s + kx % s) * psz + (size_t)(ky / s) * QW + kx / s;
    }
    taps9(grid, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], kw, n);
  } else {
    for (size_t i = 0; i < n; i++) grid[i] = 0;
    for (int ky = 0; ky < k; ky++)
      for (int kx = 0; kx < k; kx++) {
        const float *pp = scratch + (size_t)((ky % s) * s + kx % s) * psz + (size_t)(ky / s) * QW + kx / s;
        float wv = kw[ky * k + kx];
        for (size_t i = 0; i < n; i++) grid[i] += wv * pp[i];
      }
  }
  if (res) {   /* compact, then bias + residual + activation */
    for (int oy = 0; oy < oh; oy++)
      for (int x = 0; x < ow; x++) out[(size_t)oy * ow + x] = grid[(size_t)oy * QW + x];
    nn_finish(out, (size_t)oh * ow, bias, res, act);
  } else {     /* bias + activation on the grid in one pass, then compact */
    nn_finish(grid, n, bias, NULL, act);
    for (int oy = 0; oy < oh; oy++)
      for (int x = 0; x < ow; x++) out[(size_t)oy * ow + x] = grid[(size_t)oy * QW + x];
  }
}

/* Depthwise on small planes (14x14, 7x7): per-plane loops would be all
 * overhead, so the input is transposed to HWC and every tap is one
 * contiguous multiply-add across all channels, then transposed back. */

/* dst (cols x rows) = src (rows x cols) transposed, in 8x8 tiles that stay in L1. */
NN_FAST void nn_transpose(const float *restrict src, size_t rows, size_t cols, float *restrict dst) {
  size_t r0 = 0;
  for (; r0 + 8 <= rows; r0 += 8) {
    size_t c0 = 0;
    for (; c0 + 8 <= cols; c0 += 8)
      for (size_t c = c0; c < c0 + 8; c++)
        for (size_t r = r0; r < r0 + 8; r++) dst[c * rows + r] = src[r * cols + c];
    for (size_t c = c0; c < cols; c++)
      for (size_t r = r0; r < r0 + 8; r++) dst[c * rows + r] = src[r * cols + c];
  }
  for (size_t r = r0; r < rows; r++)
    for (size_t c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
}

NN_FAST static void dw_hwc(const nn_layer *l, const float *in, float *out, const float *res, float *scratch) {
  int C = l->c, h = l->h, w = l->w, oh = l->out_h, ow = l->out_w, k = l->size, s = l->stride;
  size_t hw = (size_t)h * w, on = (size_t)oh * ow;
  float *X = scratch, *Y = l->out_hwc ? out : X + hw * C, *W = X + hw * C + on * C;
  if (l->in_hwc) X = (float *)in;   /* the producer wrote HWC (and activated it) */
  else {
    nn_transpose(in, (size_t)C, hw, X);
    nn_activate(X, hw * C, l->in_act);   /* the producer's deferred activation (zero padding stays zero) */
  }
  for (int t = 0; t < k * k; t++)
    for (int c = 0; c < C; c++) W[(size_t)t * C + c] = l->wf[(size_t)c * k * k + t];
  for (int oy = 0; oy < oh; oy++)
    for (int ox = 0; ox < ow; ox++) {
      float *y = Y + ((size_t)oy * ow + ox) * C;
      const float *xs[64], *ws[64];   /* the taps inside the input */
      int nt = 0;
      for (int ky = 0; ky < k; ky++) {
        int iy = oy * s + ky - l->pad_top;
        for (int kx = 0; kx < k && iy >= 0 && iy < h; kx++) {
          int ix = ox * s + kx - l->pad_left;
          if (ix < 0 || ix >= w || nt == 64) continue;
          xs[nt] = X + ((size_t)iy * w + ix) * C;
          ws[nt++] = W + (size_t)(ky * k + kx) * C;
        }
      }
      int c0 = 0;
      for (; c0 + 16 <= C; c0 += 16) {   /* 16 accumulators stay in registers across the taps */
        float acc[16];
        for (int j = 0; j < 16; j++) acc[j] = l->bf[c0 + j];
        for (int t = 0; t < nt; t++) {
          const float *xp = xs[t] + c0, *wp = ws[t] + c0;
          for (int j = 0; j < 16; j++) acc[j] += wp[j] * xp[j];
        }
        for (int j = 0; j < 16; j++) y[c0 + j] = acc[j];
      }
      for (; c0 < C; c0++) {
        float a = l->bf[c0];
        for (int t = 0; t < nt; t++) a += ws[t][c0] * xs[t][c0];
        y[c0] = a;
      }
    }
  if (!res) nn_activate(Y, on * C, l->post_act);
  if (l->out_hwc) return;   /* the next 1x1 conv reads HWC */
  nn_transpose(Y, on, (size_t)C, out);
  if (res) nn_finish(out, on * C, 0.0f, res, l->post_act);
}

/* 1x1 convolutions next to an HWC depthwise conv (nn_finalize sets the
 * flags): out_hwc computes out^T = in^T W^T (pixels x filters) so the
 * depthwise conv needs no transpose of its input; in_hwc reads an HWC
 * input as the transposed operand. Bias (+ residual) first, sgemm adds. */
static void conv1x1_hwc(const nn_layer *l, const float *in, float *out, const float *res) {
  size_t on = (size_t)l->out_w * l->out_h;
  int M = l->filters, K = l->c;
  if (l->out_hwc) {   /* out HWC (on x M) from in CHW (K x on) or HWC (on x K) */
    for (size_t p = 0; p < on; p++) memcpy(out + p * M, l->bf, (size_t)M * sizeof *out);
    if (l->in_hwc)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)on, M, K, 1.0f, in, K, l->wf, K, 1.0f, out, M);
    else
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasTrans, (int)on, M, K, 1.0f, in, (int)on, l->wf, K, 1.0f, out, M);
    nn_activate(out, on * M, l->post_act);
    return;
  }
  /* in HWC (on x K), out CHW (M x on) */
  for (int f = 0; f < M; f++) {
    float *o = out + f * on, b = l->bf[f];
    if (res) { const float *r = res + f * on; for (size_t i = 0; i < on; i++) o[i] = r[i] + b; }
    else for (size_t i = 0; i < on; i++) o[i] = b;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, (int)on, K, 1.0f, l->wf, K, in, K, 1.0f, out, (int)on);
  if (!l->defer_act) nn_activate(out, on * M, l->post_act);
}

void nn_forward_conv(const nn_layer *l, nn_ctx *ctx) {
  const float *in = ctx->input;
  float *out = ctx->output;
  const float *res = l->residual >= 0 ? ctx->outs[l->residual] : NULL;
  size_t on = (size_t)l->out_w * l->out_h, hw = (size_t)l->w * l->h;
  if (is_depthwise(l) && dw_use_hwc(l)) { dw_hwc(l, in, out, res, ctx->scratch); return; }
  if (is_depthwise(l)) {
    size_t kk = (size_t)l->size * l->size;
    for (int c = 0; c < l->c; c++)
      dw_channel(in + c * hw, l->h, l->w, l->wf + c * kk, l->size, l->stride, l->pad_top, l->pad_left,
                 out + c * on, l->out_h, l->out_w, l->bf[c], res ? res + c * on : NULL, l->post_act, l->in_act,
                 ctx->scratch);
    return;
  }
  if (l->in_hwc || l->out_hwc) { conv1x1_hwc(l, in, out, res); return; }
  int cg = l->c / l->groups, fg = l->filters / l->groups, K = cg * l->size * l->size;
  /* Column blocks small enough that this block of the output stays in L2
   * from the bias fill through sgemm to the activation: one trip to memory
   * instead of three on the large early layers. */
  size_t nb = (size_t)(65536 / (fg > 0 ? fg : 1));
  nb = nb < 256 ? 256 : (nb + 63) & ~(size_t)63;
  if (nb > on) nb = on;
  for (int g = 0; g < l->groups; g++) {
    const float *B = in + (size_t)g * cg * hw;
    if (!is_direct(l)) {
      im2col(B, cg, l->h, l->w, l->size, l->stride, l->pad_top, l->pad_left, l->out_h, l->out_w, ctx->scratch);
      B = ctx->scratch;
    }
    for (size_t c0 = 0; c0 < on; c0 += nb) {
      size_t cn = on - c0 < nb ? on - c0 : nb;
      /* start from bias (+ residual): sgemm accumulates (beta = 1), no zeroing pass */
      for (int f = g * fg; f < (g + 1) * fg; f++) {
        float *o = out + f * on + c0, b = l->bf[f];
        if (res) { const float *r = res + f * on + c0; for (size_t i = 0; i < cn; i++) o[i] = r[i] + b; }
        else for (size_t i = 0; i < cn; i++) o[i] = b;
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, fg, (int)cn, K, 1.0f, l->wf + (size_t)g * fg * K, K,
                  B + c0, (int)on, 1.0f, out + (size_t)g * fg * on + c0, (int)on);
      if (!l->defer_act && l->post_act != NN_LINEAR)
        for (int f = g * fg; f < (g + 1) * fg; f++) nn_activate(out + f * on + c0, cn, l->post_act);
    }
  }
}

void nn_forward_connected(const nn_layer *l, nn_ctx *ctx) {
  cblas_sgemv(CblasRowMajor, CblasNoTrans, l->filters, (int)l->inputs, 1.0f, l->wf, (int)l->inputs,
              ctx->input, 1, 0.0f, ctx->output, 1);
  for (int o = 0; o < l->filters; o++) ctx->output[o] += l->bf[o];
  nn_activate(ctx->output, (size_t)l->filters, l->post_act);
}
