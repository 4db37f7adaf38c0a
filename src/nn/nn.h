/* nn.h - a darknet-format CNN inference engine: .cfg network descriptions,
 * .weights files, and a batched float32 NCHW forward pass on OpenBLAS.
 *
 * Life of a network (the same steps as darknet's parse_network_cfg,
 * load_weights, network_predict):
 *   nn_parse_cfg()     sections -> layers with shapes; parameters zeroed
 *   nn_load_weights()  fill weights/biases/BN from a .weights file
 *   nn_finalize()      fold BN into wf/bf, plan the buffers, allocate the
 *                      per-thread workspace         <- GPU upload point
 *   nn_forward()       n images in, n output rows out
 *   nn_free()
 *
 * Layer code is split as in darknet (forward_X_layer / forward_X_layer_gpu):
 * the CPU kernels live in forward.c and conv.c and see one image at a time
 * through an nn_ctx. A CUDA backend (issue 9) should:
 *   - after nn_finalize(), upload every layer's folded wf/bf (nweights and
 *     outputs-many floats; connected: outputs x inputs) and keep device
 *     pointers in l->gpu; net->gpu holds its device workspace (it may reuse
 *     the CPU buffer plan: layer i writes buffer l->buf, sized buf_elems per
 *     image, plus scratch_elems floats of im2col space per image);
 *   - provide nn_forward_gpu(net, input, n, output, err) walking the same
 *     layers with the same semantics (l->residual: add that layer's output
 *     before the activation l->post_act; l->fused: skip, already done);
 *   - free device memory from nn_free() through net->gpu_free.
 * Nothing in the CPU path depends on the layout of l->gpu / net->gpu, and
 * the CPU-only plan flags (defer_act, in_act, in_hwc, out_hwc: layouts and
 * deferred activations between neighbouring CPU kernels) are for the CPU
 * kernels alone; a backend ignores them (they never touch the net output). */
#ifndef MLSH_NN_H
#define MLSH_NN_H
#include <stddef.h>
#include "../core/error.h"

typedef enum {
  NN_CONV, NN_SHORTCUT, NN_ROUTE, NN_MAXPOOL, NN_AVGPOOL, NN_CONNECTED, NN_SOFTMAX, NN_DROPOUT
} nn_type;

typedef enum {
  NN_LINEAR, NN_RELU, NN_RELU6, NN_LEAKY, NN_LOGISTIC, NN_TANH, NN_SWISH, NN_MISH
} nn_act;

/* CPU engine: XNNPACK (xnn.c) when it takes every layer, else the darknet kernels. */
typedef enum { NN_ENGINE_AUTO, NN_ENGINE_XNNPACK, NN_ENGINE_DARKNET } nn_engine;

typedef struct nn_layer nn_layer;
typedef struct nn_xnn nn_xnn;
typedef struct nn_net nn_net;
struct nn_ws;

/* What a CPU layer kernel works on: one image. */
typedef struct nn_ctx {
  const nn_net *net;
  const float *input;      /* the previous layer's output (or the net input) */
  float *output;           /* this layer's output buffer */
  float *const *outs;      /* every layer's output buffer (route/shortcut sources) */
  float *scratch;          /* net->scratch_elems floats (im2col, padded planes) */
} nn_ctx;

struct nn_layer {
  nn_type type;
  int line;                /* line of the section header in the cfg */
  char name[64];           /* cfg key `name` (source layer name for conversion), or "" */
  int w, h, c;             /* input shape */
  int out_w, out_h, out_c; /* output shape */
  size_t inputs, outputs;  /* per image: w*h*c, out_w*out_h*out_c */

  /* convolutional and connected */
  int filters, size, stride, groups;
  int pad_top, pad_left, pad_bottom, pad_right;
  int batch_normalize;
  float bn_eps;            /* < 0: darknet's x / (sqrt(var) + .000001); else x / sqrt(var + bn_eps) */
  nn_act act;
  size_t nweights;         /* filters * c/groups * size * size, or outputs * inputs */
  float *weights, *biases, *scales, *rolling_mean, *rolling_var;   /* as in the .weights file */
  float *wf, *bf;          /* inference weights and bias, BN folded in (nn_finalize) */

  /* shortcut: out = act(alpha * prev + beta * layer[from]); route: concatenation */
  int from;
  float alpha, beta;
  int *route, nroute;
  /* maxpool uses size, stride and pad_top/pad_left (darknet: padding/2 before);
   * softmax: groups and temperature */
  float temperature;

  /* execution plan (nn_finalize) */
  int buf;                 /* index of the per-image buffer holding the output */
  int fused;               /* 1: this shortcut is computed by the convolution before it */
  int residual;            /* conv: layer whose output is added before post_act, or -1 */
  nn_act post_act;         /* conv: activation after bias (+ residual) */
  int defer_act;           /* conv: output left before post_act; the next (depthwise) layer applies it */
  nn_act in_act;           /* depthwise conv: activation applied to the input as it is loaded */
  int in_hwc, out_hwc;     /* CPU: input / output kept channels-last (HWC) between a 1x1 conv and a
                            * small-plane depthwise conv that reads/writes only each other */
  int last_use;            /* last layer reading this output */
  void (*forward)(const nn_layer *l, nn_ctx *ctx);
  void *gpu;               /* backend state (issue 9); NULL on the CPU */
};

struct nn_net {
  int n;
  nn_layer *layers;
  int w, h, c;             /* [net] width, height, channels */
  int batch;               /* [net] batch (a default for callers; forward takes any n) */
  size_t inputs, outputs;  /* per image */
  char *warnings;          /* unused cfg keys, one per line, or NULL */
  /* workspace (nn_finalize): per thread, nbuf buffers of buf_elems floats + scratch */
  int nthreads;
  int nbuf;
  size_t buf_elems, scratch_elems;
  struct nn_ws *ws;        /* nthreads workspaces (forward.c): buffers, scratch, timers */
  int finalized;
  int profile;             /* accumulate per-layer times into layer_time */
  double *layer_time;      /* n seconds, summed over threads */
  size_t images_seen;      /* images run by nn_forward/nn_embed ... */
  double wall_s;           /* ... and their wall-clock seconds */
  nn_engine engine;        /* asked for (set before nn_finalize; AUTO by default) */
  nn_xnn *xnn;             /* the XNNPACK engine, or NULL: the darknet kernels run */
  char engine_note[160];   /* why XNNPACK does not run this net, or "" */
  void *gpu;               /* backend state (issue 9) */
  void (*gpu_free)(nn_net *net);
};

/* Parse a cfg file / text. Shapes are computed and parameters allocated
 * (zeros, BN variance 1). Errors name the line. */
int nn_parse_cfg(const char *path, nn_net **out, mlsh_err *err);
int nn_parse_cfg_text(const char *text, const char *srcname, nn_net **out, mlsh_err *err);
/* Read darknet weights (major, minor, revision, seen; per layer as darknet).
 * A file of the wrong size is an error saying by how many bytes. */
int nn_load_weights(nn_net *net, const char *path, mlsh_err *err);
/* Write the net's parameters as a darknet .weights file (version 0.2.0), atomically. */
int nn_save_weights(const nn_net *net, const char *path, mlsh_err *err);
/* Fold BN, plan buffers and allocate the workspace for nthreads (<= 0: default);
 * build the XNNPACK engine as net->engine asks (NN_ENGINE_XNNPACK: an error
 * naming the layer it does not take). */
int nn_finalize(nn_net *net, int nthreads, mlsh_err *err);
/* n images (n * net->inputs floats, CHW each) -> n * net->outputs floats.
 * Images run in parallel on net->nthreads threads (BLAS held at one thread
 * meanwhile); a single image gets the BLAS threads instead. Polls Ctrl-C. */
int nn_forward(nn_net *net, const float *input, size_t n, float *output, mlsh_err *err);
void nn_free(nn_net *net);
/* Move the per-thread layer timers into net->layer_time (when net->profile). */
void nn_collect_profile(nn_net *net);

/* Description for summaries. */
const char *nn_type_name(nn_type t);
const char *nn_act_name(nn_act a);
const char *nn_engine_name(const nn_net *net);   /* "xnnpack" or "darknet" (the engine that runs) */
size_t nn_layer_params(const nn_layer *l);        /* weights + biases (+ BN) as stored */
double nn_layer_macs(const nn_layer *l);          /* multiply-adds per image */
/* Apply an activation in place (also used by the converter tests). */
void nn_activate(float *x, size_t n, nn_act a);

/* ---- Whole-image pipeline (embed.c) ---- */
typedef struct nn_embed_opts {
  float scale[3], shift[3];    /* pixel * scale + shift per channel */
  size_t batch;                /* images per step between progress reports */
  void (*progress)(void *ud, size_t done, size_t total);
  void *ud;
  /* NULL: the first unreadable image stops the run with its error. Else n
   * slots: an image that fails to load gets its error here (code != 0) and
   * a row of NaN, and the run goes on (CPU path). */
  mlsh_err *img_errs;
} nn_embed_opts;
/* Embed n files (paths) or n decoded images (imgs, when paths == NULL):
 * images are resized to the net's input size with Pillow's NEAREST. Each
 * worker decodes, resizes and runs the network on its images, so
 * decoding runs in parallel with the network. out: n * net->outputs. */
struct mlsh_image;
int nn_embed(nn_net *net, const char *const *paths, const struct mlsh_image *imgs, size_t n,
             const nn_embed_opts *o, float *out, mlsh_err *err);

/* ---- Weight conversion (convert.c) ---- */
typedef enum { NN_SRC_NPY_DIR, NN_SRC_KERAS_H5 } nn_src_kind;
/* Fill the net's convolutional/connected layers from TF tensors found by
 * each layer's `name` (Keras names: Conv1, block_1_expand, ...); see convert.c. */
int nn_convert(nn_net *net, nn_src_kind kind, const char *src, mlsh_err *err);

#endif
