/* forward.c - inference plan and CPU forward pass.
 * nn_finalize folds batch norm into the weights, fuses a linear
 * convolution with the [shortcut] after it, and gives each layer's output
 * one of a few reusable buffers (a buffer is free again once the last
 * layer reading it has run), so one image's activations stay small and
 * warm in cache. nn_forward runs whole images on worker threads, each with
 * its own preallocated workspace: nothing is allocated per image. */
#include <math.h>
#include <string.h>
#include <time.h>
#include <float.h>
#include "layers.h"
#include "gpu.h"
#include "xnn.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

typedef struct nn_ws {
  float *mem;       /* nbuf * buf_elems + scratch_elems floats */
  float **outs;     /* n layer output pointers into mem */
  double *time;     /* n per-layer seconds (profiling) */
} nn_ws;

/* ---- small layers ---- */

static void fwd_shortcut(const nn_layer *l, nn_ctx *ctx) {
  const float *a = ctx->input, *b = ctx->outs[l->from];
  for (size_t i = 0; i < l->outputs; i++) ctx->output[i] = l->alpha * a[i] + l->beta * b[i];
  nn_activate(ctx->output, l->outputs, l->act);
}

static void fwd_route(const nn_layer *l, nn_ctx *ctx) {
  float *o = ctx->output;
  for (int r = 0; r < l->nroute; r++) {
    const nn_layer *src = &ctx->net->layers[l->route[r]];
    memcpy(o, ctx->outs[l->route[r]], src->outputs * sizeof *o);
    o += src->outputs;
  }
}

/* darknet's maxpool: windows start at -padding/2; outside cells never win. */
static void fwd_maxpool(const nn_layer *l, nn_ctx *ctx) {
  for (int c = 0; c < l->c; c++)
    for (int i = 0; i < l->out_h; i++)
      for (int j = 0; j < l->out_w; j++) {
        float m = -FLT_MAX;
        for (int n = 0; n < l->size; n++)
          for (int k = 0; k < l->size; k++) {
            int y = i * l->stride + n - l->pad_top, x = j * l->stride + k - l->pad_left;
            if (y >= 0 && y < l->h && x >= 0 && x < l->w) {
              float v = ctx->input[((size_t)c * l->h + y) * l->w + x];
              if (v > m) m = v;
            }
          }
        ctx->output[((size_t)c * l->out_h + i) * l->out_w + j] = m;
      }
}

static void fwd_avgpool(const nn_layer *l, nn_ctx *ctx) {
  size_t hw = (size_t)l->w * l->h;
  for (int c = 0; c < l->c; c++) {
    const float *p = ctx->input + c * hw;
    float s = 0;
    for (size_t i = 0; i < hw; i++) s += p[i];
    ctx->output[c] = s / (float)hw;
  }
}

static void fwd_softmax(const nn_layer *l, nn_ctx *ctx) {
  size_t n = l->inputs / (size_t)l->groups;
  for (int g = 0; g < l->groups; g++) {
    const float *x = ctx->input + g * n;
    float *o = ctx->output + g * n, mx = -FLT_MAX, sum = 0;
    for (size_t i = 0; i < n; i++) if (x[i] > mx) mx = x[i];
    for (size_t i = 0; i < n; i++) sum += o[i] = expf((x[i] - mx) / l->temperature);
    for (size_t i = 0; i < n; i++) o[i] /= sum;
  }
}

static void fwd_copy(const nn_layer *l, nn_ctx *ctx) { memcpy(ctx->output, ctx->input, l->outputs * sizeof(float)); }

/* ---- plan ---- */

static int fold(nn_layer *l, mlsh_err *err) {
  size_t nb = (size_t)l->filters, per = l->nweights / nb;
  mlsh_free_aligned(l->wf);
  mlsh_free(l->bf);
  l->wf = mlsh_malloc_aligned(l->nweights * sizeof(float));
  l->bf = mlsh_malloc_array(nb, sizeof(float));
  if (!l->wf || !l->bf) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the folded weights");
  for (size_t f = 0; f < nb; f++) {
    double k = 1.0, b = l->biases[f];
    if (l->batch_normalize) {
      double var = l->rolling_var[f];
      double den = l->bn_eps < 0 ? sqrt(var) + .000001 : sqrt(var + l->bn_eps);
      k = l->scales[f] / den;
      b = l->biases[f] - l->rolling_mean[f] * k;
    }
    for (size_t i = 0; i < per; i++) l->wf[f * per + i] = (float)(l->weights[f * per + i] * k);
    l->bf[f] = (float)b;
  }
  return MLSH_OK;
}

void nn_free_workspace(nn_net *net) {
  nn_xnn_free(net);
  if (net->ws)
    for (int t = 0; t < net->nthreads; t++) {
      mlsh_free_aligned(net->ws[t].mem);
      mlsh_free(net->ws[t].outs);
      mlsh_free(net->ws[t].time);
    }
  mlsh_free(net->ws);
  net->ws = NULL;
}

#define MAXBUF 64

/* The XNNPACK engine as net->engine asks; the darknet workspace stays for
 * the fallback and for nets XNNPACK does not take. */
static int finish_engine(nn_net *net, mlsh_err *err) {
  net->engine_note[0] = 0;
  if (net->engine != NN_ENGINE_DARKNET) {
    int rc = nn_xnn_build(net, net->engine_note, sizeof net->engine_note, err);
    if (rc) return rc;
    if (!net->xnn && net->engine == NN_ENGINE_XNNPACK)
      return mlsh_seterr(err, MLSH_EINVAL, "engine \"xnnpack\" does not take %s", net->engine_note);
  }
  net->finalized = 1;
  return MLSH_OK;
}

/* Per-layer timing needs per-layer kernels: while profiling, the darknet engine runs. */
static int use_xnn(const nn_net *net) { return net->xnn && !net->profile; }
const char *nn_engine_name(const nn_net *net) { return use_xnn(net) ? "xnnpack" : "darknet"; }

int nn_finalize(nn_net *net, int nthreads, mlsh_err *err) {
  int n = net->n;
  nn_free_workspace(net);
  net->finalized = 0;
  /* last reader of every output; the network output lives to the end */
  for (int i = 0; i < n; i++) net->layers[i].last_use = i == n - 1 ? n : i;
  for (int i = 0; i < n; i++) {
    nn_layer *l = &net->layers[i];
    if (l->type == NN_ROUTE)
      for (int r = 0; r < l->nroute; r++) net->layers[l->route[r]].last_use = i;
    else if (i > 0) net->layers[i - 1].last_use = i;
    if (l->type == NN_SHORTCUT) net->layers[l->from].last_use = i;
  }
  for (int i = 0; i < n; i++) {
    nn_layer *l = &net->layers[i];
    l->residual = -1;
    l->fused = 0;
    l->post_act = l->act;
    l->defer_act = 0;
    l->in_act = NN_LINEAR;
    l->in_hwc = l->out_hwc = 0;
    switch (l->type) {
    case NN_CONV: l->forward = nn_forward_conv; break;
    case NN_CONNECTED: l->forward = nn_forward_connected; break;
    case NN_SHORTCUT: l->forward = fwd_shortcut; break;
    case NN_ROUTE: l->forward = fwd_route; break;
    case NN_MAXPOOL: l->forward = fwd_maxpool; break;
    case NN_AVGPOOL: l->forward = fwd_avgpool; break;
    case NN_SOFTMAX: l->forward = fwd_softmax; break;
    case NN_DROPOUT: l->forward = fwd_copy; break;
    }
    if (l->type == NN_CONV || l->type == NN_CONNECTED) {
      int rc = fold(l, err);
      if (rc) return rc;
    }
  }
  /* conv (linear) -> shortcut (alpha = beta = 1): the conv adds the residual itself */
  for (int i = 1; i < n; i++) {
    nn_layer *s = &net->layers[i], *c = &net->layers[i - 1];
    if (s->type == NN_SHORTCUT && s->alpha == 1.0f && s->beta == 1.0f && c->type == NN_CONV &&
        c->act == NN_LINEAR && c->last_use == i && s->from != i - 1) {
      s->fused = 1;
      c->residual = s->from;
      c->post_act = s->act;
      c->last_use = s->last_use;
    }
  }
  /* conv -> depthwise conv as its only reader: the depthwise kernel copies
   * its input into padded planes anyway, so it applies the activation there
   * and the conv skips a pass over its (large, expanded) output */
  for (int i = 0; i + 1 < n; i++) {
    nn_layer *c = &net->layers[i], *d = &net->layers[i + 1];
    if (c->type == NN_CONV && d->type == NN_CONV && c->last_use == i + 1 && c->post_act != NN_LINEAR &&
        !nn_conv_is_depthwise(c) && nn_conv_is_depthwise(d) && d->residual != i) {
      c->defer_act = 1;
      d->in_act = c->post_act;
    }
  }
    /* 1x1 conv <-> small-plane depthwise conv: hand the tensor over channels-last (no transposes) */
  for (int i = 0; i + 1 < n; i++) {
    nn_layer *a = &net->layers[i], *b = &net->layers[i + 1];
    if (a->type != NN_CONV || b->type != NN_CONV || a->last_use != i + 1 || b->residual == i) continue;
    int into_dw = nn_conv_is_pointwise(a) && a->residual < 0 && nn_dw_uses_hwc(b);
    int from_dw = nn_dw_uses_hwc(a) && a->residual < 0 && nn_conv_is_pointwise(b);
    if (into_dw || from_dw) {
      a->out_hwc = b->in_hwc = 1;
      if (into_dw) { a->defer_act = 0; b->in_act = NN_LINEAR; }   /* activated while still in cache */
    }
  }
    /* buffers: reuse one whose owner's last reader ran before this layer */
  int owner_last[MAXBUF];
  net->nbuf = 0;
  net->buf_elems = 0;
  net->scratch_elems = 0;
  for (int i = 0; i < n; i++) {
    nn_layer *l = &net->layers[i];
    size_t sc = nn_conv_scratch(l);
    if (sc > net->scratch_elems) net->scratch_elems = sc;
    if (l->outputs > net->buf_elems) net->buf_elems = l->outputs;
    if (l->fused) { l->buf = net->layers[i - 1].buf; continue; }
    int b = -1;
    for (int j = 0; j < net->nbuf && b < 0; j++)
      if (owner_last[j] < i) b = j;
    if (b < 0) {
      if (net->nbuf == MAXBUF) return mlsh_seterr(err, MLSH_EINVAL, "network keeps more than %d outputs alive at once", MAXBUF);
      b = net->nbuf++;
    }
    l->buf = b;
    owner_last[b] = l->last_use;
  }
  net->buf_elems = (net->buf_elems + 15) & ~(size_t)15;   /* keep every buffer 64-byte aligned */
  net->nthreads = mlsh_threads_resolve(nthreads);
  net->ws = mlsh_calloc((size_t)net->nthreads, sizeof *net->ws);
  if (!net->ws) { net->nthreads = 0; return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  size_t total = (size_t)net->nbuf * net->buf_elems + net->scratch_elems;
  for (int t = 0; t < net->nthreads; t++) {
    nn_ws *w = &net->ws[t];
    w->mem = mlsh_malloc_aligned(total * sizeof(float));
    w->outs = mlsh_malloc_array((size_t)n, sizeof *w->outs);
    w->time = mlsh_calloc((size_t)n, sizeof *w->time);
    if (!w->mem || !w->outs || !w->time) {
      nn_free_workspace(net);
      net->nthreads = 0;
      return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the workspace (%zu floats per thread)", total);
    }
    for (int i = 0; i < n; i++) w->outs[i] = w->mem + (size_t)net->layers[i].buf * net->buf_elems;
  }
  if (!net->layer_time && !(net->layer_time = mlsh_calloc((size_t)n, sizeof(double))))
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  return finish_engine(net, err);
}

/* ---- forward ---- */

void nn_collect_profile(nn_net *net) {
  if (!net->profile || !net->ws) return;
  for (int t = 0; t < net->nthreads; t++)
    for (int i = 0; i < net->n; i++) { net->layer_time[i] += net->ws[t].time[i]; net->ws[t].time[i] = 0; }
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One image through every layer on workspace t (or XNNPACK runtime t). */
static int run_image(const nn_net *net, int t, const float *in, float *out) {
  if (use_xnn(net)) return nn_xnn_run(net, t, in, out);
  nn_ws *w = &net->ws[t];
  nn_ctx ctx = {net, in, NULL, w->outs, w->mem + (size_t)net->nbuf * net->buf_elems};
  for (int i = 0; i < net->n; i++) {
    const nn_layer *l = &net->layers[i];
    if (l->fused) continue;
    ctx.input = i ? w->outs[i - 1] : in;
    ctx.output = w->outs[i];
    double t0 = net->profile ? now_s() : 0;
    l->forward(l, &ctx);
    if (net->profile) w->time[i] += now_s() - t0;
  }
  memcpy(out, w->outs[net->n - 1], net->outputs * sizeof *out);
  return MLSH_OK;
}

typedef struct { const nn_net *net; const float *in; float *out; int slot; } fwd_job;

static int fwd_range(void *p, size_t b, size_t e, int t) {
  fwd_job *j = p;
  for (size_t i = b; i < e; i++) {
    if (mlsh_interrupted()) return MLSH_EINTR;
    int rc = run_image(j->net, t < 0 ? j->slot : t, j->in + i * j->net->inputs, j->out + i * j->net->outputs);
    if (rc) return rc;
  }
  return MLSH_OK;
}

int nn_forward(nn_net *net, const float *input, size_t n, float *output, mlsh_err *err) {
  if (!net->finalized) {
    int rc = nn_finalize(net, net->nthreads, err);
    if (rc) return rc;
  }
  if (net->gpu) return nn_forward_gpu(net, input, n, output, err);   /* the CUDA plugin (gpu.h) */
  fwd_job j = {net, input, output, 0};
  int rc;
  double t0 = now_s();
  if (use_xnn(net) && (n == 1 || net->nthreads == 1)) {   /* latency: XNNPACK's pool gets the threads */
    j.slot = nn_xnn_pooled_slot(net);
    rc = fwd_range(&j, 0, n, -1);
  } else if (n == 1 || net->nthreads == 1) {   /* latency: BLAS gets the threads */
    int saved = mlsh_blas_threads();
    mlsh_blas_set_threads(net->nthreads);
    rc = fwd_range(&j, 0, n, 0);
    mlsh_blas_set_threads(saved);
  } else {
    rc = mlsh_parallel_dynamic(n, net->nthreads, 1, fwd_range, &j);
  }
  nn_collect_profile(net);
  if (rc == MLSH_EINTR) return mlsh_seterr(err, MLSH_EINTR, "interrupted");
  if (rc) return mlsh_seterr(err, rc, "forward failed");
  net->images_seen += n;
  net->wall_s += now_s() - t0;
  return MLSH_OK;
}

/* For embed.c: one image on workspace t (caller guarantees t < nthreads). */
int nn_run_image(const nn_net *net, int t, const float *in, float *out) { return run_image(net, t, in, out); }

double nn_now(void) { return now_s(); }
