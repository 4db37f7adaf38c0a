/* layers.h - the engine's internal CPU layer kernels (one image per call,
 * see nn_ctx in nn.h) and workspace helpers. A GPU backend adds the
 * matching forward_*_gpu functions beside these, batched. */
#ifndef MLSH_NN_LAYERS_H
#define MLSH_NN_LAYERS_H
#include "nn.h"

/* conv.c */
void nn_forward_conv(const nn_layer *l, nn_ctx *ctx);
void nn_forward_connected(const nn_layer *l, nn_ctx *ctx);
size_t nn_conv_scratch(const nn_layer *l);    /* floats of scratch a conv needs */
int nn_conv_is_depthwise(const nn_layer *l);  /* groups = channels = filters: the depthwise kernels */
int nn_conv_is_pointwise(const nn_layer *l);  /* 1x1, stride 1, unpadded, one group: a plain sgemm */
int nn_dw_uses_hwc(const nn_layer *l);        /* a depthwise conv that runs channels-last (small planes) */
/* dst (cols x rows) = src (rows x cols): CHW <-> HWC. */
void nn_transpose(const float *src, size_t rows, size_t cols, float *dst);   /* no restrict: nvcc reads this header */
/* Bias, optional residual and activation over one output channel. */
void nn_finish(float *o, size_t n, float bias, const float *res, nn_act act);

/* forward.c */
void nn_free_workspace(nn_net *net);
/* One image through the finalized net on workspace t (t < net->nthreads);
 * fails only if the XNNPACK engine does. */
int nn_run_image(const nn_net *net, int t, const float *in, float *out);
double nn_now(void);   /* monotonic seconds */

#endif
