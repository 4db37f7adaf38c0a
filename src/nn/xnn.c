/* xnn.c - the XNNPACK engine: the finalized darknet net (BN folded into
 * wf/bf) rebuilt as an XNNPACK subgraph of NHWC convolutions, depthwise
 * convolutions, additions and pooling with the activations fused as
 * clamps. XNNPACK packs the weights for its own micro-kernels and plans
 * the activations of a whole MobileNetV2 block so they stay in cache,
 * which our per-layer sgemm calls cannot do.
 *
 * One subgraph, several runtimes: one single-threaded runtime per worker
 * (whole images in parallel: batches and nn_embed) and, with more than one
 * thread, one runtime on a pthreadpool for single-image latency. A runtime
 * owns fixed input/output buffers, set up once, so running an image is a
 * transpose in, an invoke and a transpose out.
 *
 * Layers it takes: convolutions of any size, stride, padding and groups,
 * [shortcut] with alpha = beta = 1, global [avgpool], [connected] and
 * [softmax] on 1x1 planes, [dropout]; activations linear, relu and relu6.
 * A net with anything else stays on the darknet kernels (nn_xnn_build
 * says why). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <xnnpack.h>
#include "xnn.h"
#include "layers.h"
#include "../core/alloc.h"

typedef struct {
  xnn_runtime_t rt;
  float *in, *out;     /* NHWC image in, NHWC net output */
} xnn_slot;

struct nn_xnn {
  int nslots;          /* net->nthreads single-threaded + 1 pooled when nthreads > 1 */
  xnn_slot *slot;
  pthreadpool_t pool;
  float **packed;      /* weights in XNNPACK's layouts (must outlive the runtimes) */
  int npacked;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static enum xnn_status init_status;
static void init_xnnpack(void) { init_status = xnn_initialize(NULL); }

/* ---- what the engine takes ---- */

static int act_range(nn_act a, float *lo, float *hi) {
  *lo = -INFINITY;
  *hi = INFINITY;
  if (a == NN_RELU || a == NN_RELU6) *lo = 0;
  if (a == NN_RELU6) *hi = 6;
  return a == NN_LINEAR || a == NN_RELU || a == NN_RELU6;
}

static int same_shape(const nn_layer *a, const nn_layer *b) {
  return a->out_w == b->out_w && a->out_h == b->out_h && a->out_c == b->out_c;
}

/* NULL if the XNNPACK engine can run layer i, else why not. */
static const char *layer_unsupported(const nn_net *net, int i) {
  const nn_layer *l = &net->layers[i];
  float lo, hi;
  int flat_in = l->w == 1 && l->h == 1;   /* no CHW/HWC difference in the input */
  switch (l->type) {
  case NN_CONV:
    if (!act_range(l->act, &lo, &hi)) return "activation";
    if (l->groups < 1 || l->c % l->groups || l->filters % l->groups) return "groups";
    if ((l->h + l->pad_top + l->pad_bottom - l->size) / l->stride + 1 != l->out_h ||
        (l->w + l->pad_left + l->pad_right - l->size) / l->stride + 1 != l->out_w) return "padding";
    return NULL;
  case NN_SHORTCUT:
    if (l->alpha != 1.0f || l->beta != 1.0f) return "weighted shortcut";
    if (!act_range(l->act, &lo, &hi)) return "activation";
    return i > 0 && same_shape(&net->layers[i - 1], &net->layers[l->from]) ? NULL : "shortcut of another shape";
  case NN_AVGPOOL: return NULL;
  case NN_DROPOUT: return NULL;
  case NN_CONNECTED:
    if (!act_range(l->act, &lo, &hi)) return "activation";
    return flat_in ? NULL : "connected layer on a plane";
  case NN_SOFTMAX:
    return flat_in && l->groups == 1 && l->temperature == 1.0f ? NULL : "grouped or tempered softmax";
  default: return "layer type";
  }
}

/* ---- the subgraph ---- */

typedef struct {
  const nn_net *net;
  nn_xnn *x;
  xnn_subgraph_t sub;
  uint32_t *vid;       /* value id of each layer's output */
} builder;

static float *pack_new(builder *b, size_t n) {
  float *p = mlsh_malloc_aligned((n ? n : 1) * sizeof *p);
  if (!p) return NULL;
  b->x->packed[b->x->npacked++] = p;
  return p;
}

static int tensor(builder *b, const float *data, size_t nd, size_t d0, size_t d1, size_t d2, size_t d3,
                  uint32_t ext, uint32_t flags, uint32_t *id) {
  size_t dims[4] = {d0, d1, d2, d3};
  return xnn_define_tensor_value(b->sub, xnn_datatype_fp32, nd, dims, data, ext, flags, id) != xnn_status_success;
}

/* The output value of layer i: the subgraph's external output for the last layer. */
static int out_value(builder *b, int i, uint32_t *id) {
  const nn_layer *l = &b->net->layers[i];
  int last = i == b->net->n - 1;
  return tensor(b, NULL, 4, 1, (size_t)l->out_h, (size_t)l->out_w, (size_t)l->out_c, last ? 1 : XNN_INVALID_VALUE_ID,
                last ? XNN_VALUE_FLAG_EXTERNAL_OUTPUT : 0, id);
}

/* Folded weights (OIHW) to XNNPACK's OHWI, or 1HWC for depthwise. */
static int define_conv(builder *b, const nn_layer *l, uint32_t in, uint32_t out) {
  int k = l->size, g = l->groups, cg = l->c / g, fg = l->filters / g, dw = g > 1 && g == l->c && g == l->filters;
  size_t kk = (size_t)k * k;
  float *w = pack_new(b, l->nweights), *bias = pack_new(b, (size_t)l->filters), lo, hi;
  if (!w || !bias) return -1;
  memcpy(bias, l->bf, (size_t)l->filters * sizeof *bias);
  for (int f = 0; f < l->filters; f++)
    for (int ci = 0; ci < cg; ci++)
      for (size_t t = 0; t < kk; t++) {
        float v = l->wf[((size_t)f * cg + ci) * kk + t];
        if (dw) w[t * l->c + f] = v;
        else w[((size_t)f * kk + t) * cg + ci] = v;
      }
  uint32_t wid, bid;
  if (dw ? tensor(b, w, 4, 1, (size_t)k, (size_t)k, (size_t)l->c, XNN_INVALID_VALUE_ID, 0, &wid)
         : tensor(b, w, 4, (size_t)l->filters, (size_t)k, (size_t)k, (size_t)cg, XNN_INVALID_VALUE_ID, 0, &wid))
    return -1;
  if (tensor(b, bias, 1, (size_t)l->filters, 0, 0, 0, XNN_INVALID_VALUE_ID, 0, &bid)) return -1;
  act_range(l->act, &lo, &hi);
  enum xnn_status st = dw
    ? xnn_define_depthwise_convolution_2d(b->sub, l->pad_top, l->pad_right, l->pad_bottom, l->pad_left, k, k,
                                          l->stride, l->stride, 1, 1, 1, l->c, lo, hi, in, wid, bid, out, 0)
    : xnn_define_convolution_2d(b->sub, l->pad_top, l->pad_right, l->pad_bottom, l->pad_left, k, k, l->stride,
                                l->stride, 1, 1, g, cg, fg, lo, hi, in, wid, bid, out, 0);
  return st != xnn_status_success;
}

static int define_connected(builder *b, const nn_layer *l, uint32_t in, uint32_t out) {
  float *w = pack_new(b, l->nweights), *bias = pack_new(b, (size_t)l->filters), lo, hi;
  if (!w || !bias) return -1;
  memcpy(w, l->wf, l->nweights * sizeof *w);   /* [outputs][inputs], as XNNPACK wants */
  memcpy(bias, l->bf, (size_t)l->filters * sizeof *bias);
  uint32_t wid, bid;
  if (tensor(b, w, 2, (size_t)l->filters, l->inputs, 0, 0, XNN_INVALID_VALUE_ID, 0, &wid) ||
      tensor(b, bias, 1, (size_t)l->filters, 0, 0, 0, XNN_INVALID_VALUE_ID, 0, &bid)) return -1;
  act_range(l->act, &lo, &hi);
  return xnn_define_fully_connected(b->sub, lo, hi, in, wid, bid, out, 0) != xnn_status_success;
}

static int define_layer(builder *b, int i) {
  const nn_layer *l = &b->net->layers[i];
  uint32_t in = i ? b->vid[i - 1] : 0, out;
  float lo, hi;
  if (l->type == NN_DROPOUT && i < b->net->n - 1) { b->vid[i] = in; return 0; }   /* identity */
  if (out_value(b, i, &out)) return -1;
  b->vid[i] = out;
  act_range(l->act, &lo, &hi);
  switch (l->type) {
  case NN_CONV: return define_conv(b, l, in, out);
  case NN_CONNECTED: return define_connected(b, l, in, out);
  case NN_SHORTCUT: return xnn_define_add2(b->sub, lo, hi, in, b->vid[l->from], out, 0) != xnn_status_success;
  case NN_AVGPOOL:
    return xnn_define_global_average_pooling_2d(b->sub, -INFINITY, INFINITY, in, out, 0) != xnn_status_success;
  case NN_SOFTMAX: return xnn_define_softmax(b->sub, in, out, 0) != xnn_status_success;
  default: return xnn_define_clamp(b->sub, -INFINITY, INFINITY, in, out, 0) != xnn_status_success;   /* a copy */
  }
}

static int define_net(builder *b) {
  const nn_net *net = b->net;
  if (xnn_create_subgraph(2, 0, &b->sub) != xnn_status_success) return -1;
  uint32_t in;
  if (tensor(b, NULL, 4, 1, (size_t)net->h, (size_t)net->w, (size_t)net->c, 0, XNN_VALUE_FLAG_EXTERNAL_INPUT, &in))
    return -1;
  for (int i = 0; i < net->n; i++)
    if (define_layer(b, i)) return -1;
  return 0;
}

static int make_slot(const nn_net *net, xnn_subgraph_t sub, pthreadpool_t pool, xnn_slot *s) {
  s->in = mlsh_malloc_aligned(net->inputs * sizeof(float));
  s->out = mlsh_malloc_aligned(net->outputs * sizeof(float));
  if (!s->in || !s->out) return -1;
  if (xnn_create_runtime_v2(sub, pool, pool ? XNN_FLAG_YIELD_WORKERS : 0, &s->rt) != xnn_status_success) return -1;
  struct xnn_external_value io[2] = {{0, s->in}, {1, s->out}};
  return xnn_setup_runtime(s->rt, 2, io) != xnn_status_success;
}

void nn_xnn_free(nn_net *net) {
  nn_xnn *x = net->xnn;
  if (!x) return;
  for (int s = 0; x->slot && s < x->nslots; s++) {
    if (x->slot[s].rt) xnn_delete_runtime(x->slot[s].rt);
    mlsh_free_aligned(x->slot[s].in);
    mlsh_free_aligned(x->slot[s].out);
  }
  if (x->pool) pthreadpool_destroy(x->pool);
  for (int p = 0; p < x->npacked; p++) mlsh_free_aligned(x->packed[p]);
  mlsh_free(x->packed);
  mlsh_free(x->slot);
  mlsh_free(x);
  net->xnn = NULL;
}

static int build(nn_net *net, nn_xnn *x) {
  builder b = {net, x, NULL, mlsh_malloc_array((size_t)net->n, sizeof(uint32_t))};
  x->packed = mlsh_calloc((size_t)net->n * 2, sizeof *x->packed);
  x->nslots = net->nthreads + (net->nthreads > 1);
  x->slot = mlsh_calloc((size_t)x->nslots, sizeof *x->slot);
  int rc = !b.vid || !x->packed || !x->slot || define_net(&b);
  if (!rc && net->nthreads > 1 && !(x->pool = pthreadpool_create((size_t)net->nthreads))) rc = -1;
  for (int s = 0; !rc && s < x->nslots; s++)
    rc = make_slot(net, b.sub, s < net->nthreads ? NULL : x->pool, &x->slot[s]);
  if (b.sub) xnn_delete_subgraph(b.sub);   /* runtimes keep what they need */
  mlsh_free(b.vid);
  return rc;
}

int nn_xnn_build(nn_net *net, char *why, size_t whylen, mlsh_err *err) {
  nn_xnn_free(net);
  why[0] = 0;
  for (int i = 0; i < net->n; i++) {
    const char *r = layer_unsupported(net, i);
    if (r) {
      snprintf(why, whylen, "layer %d (%s, cfg line %d): %s", i, nn_type_name(net->layers[i].type),
               net->layers[i].line, r);
      return MLSH_OK;
    }
  }
  pthread_once(&init_once, init_xnnpack);
  if (init_status != xnn_status_success) { snprintf(why, whylen, "XNNPACK does not run on this processor"); return MLSH_OK; }
  nn_xnn *x = mlsh_calloc(1, sizeof *x);
  if (!x) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the XNNPACK engine");
  net->xnn = x;
  if (build(net, x)) {
    nn_xnn_free(net);
    return mlsh_seterr(err, MLSH_ENOMEM, "XNNPACK could not build the network (out of memory?)");
  }
  return MLSH_OK;
}

int nn_xnn_run(const nn_net *net, int slot, const float *in, float *out) {
  const nn_layer *last = &net->layers[net->n - 1];
  xnn_slot *s = &net->xnn->slot[slot];
  nn_transpose(in, (size_t)net->c, (size_t)net->w * net->h, s->in);   /* CHW -> HWC */
  if (xnn_invoke_runtime(s->rt) != xnn_status_success) return MLSH_EINVAL;
  nn_transpose(s->out, (size_t)last->out_w * last->out_h, (size_t)last->out_c, out);   /* HWC -> CHW */
  return MLSH_OK;
}

int nn_xnn_pooled_slot(const nn_net *net) { return net->nthreads > 1 ? net->nthreads : 0; }
