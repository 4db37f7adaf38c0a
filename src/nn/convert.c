/* convert.c - TensorFlow/Keras weights into darknet layer parameters.
 * Each convolutional/connected layer of the cfg carries `name=` with its
 * Keras layer name (Conv1, expanded_conv_depthwise, block_1_expand, ...,
 * Conv_1, Logits). Tensors are looked up by that name:
 *   Keras .h5 (save_weights layout, read with libhdf5):
 *     /<name>/<name>/kernel:0 (HWIO), depthwise_kernel:0 (HWC1), bias:0;
 *     batch norm in layer <name>_BN, bn_<name> or <name>_bn with
 *     gamma:0, beta:0, moving_mean:0, moving_variance:0
 *   TF-slim tensors as .npy files (../shared/weights/..._npy):
 *     the slim scope: Conv1 -> Conv, block_N_x -> expanded_conv_N_x,
 *     Logits -> Logits_Conv2d_1c_1x1, others unchanged; then
 *     <scope>_weights, <scope>_depthwise_weights, <scope>_biases,
 *     <scope>_BatchNorm_{gamma,beta,moving_mean,moving_variance}
 * Kernels are transposed from TF's HWIO (depthwise HWCM) to darknet's
 * [filter][channel][y][x]; the raw BN statistics are stored, and the cfg's
 * bn_epsilon key gives the epsilon (TF: 0.001, inside the square root). */
#include <stdio.h>
#include <string.h>
#include <hdf5.h>
#include "nn.h"
#include "../core/alloc.h"
#include "../core/npy.h"

typedef struct { int ndim; size_t shape[4], count; float *data; } tensor;

typedef struct {
  nn_src_kind kind;
  const char *src;
  hid_t file;
} source;

static void tensor_free(tensor *t) { mlsh_free(t->data); memset(t, 0, sizeof *t); }

/* Read tensor `name` (h5: layer/weight); returns 1 found, 0 absent, <0 error. */
static int get_npy(source *s, const char *name, tensor *t, mlsh_err *err) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.npy", s->src, name);
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  fclose(f);
  mlsh_npy a;
  int rc = npy_load(path, &a, err);
  if (rc) return -rc;
  if (a.ndim > 4) { npy_free(&a); return -mlsh_seterr(err, MLSH_EIO, "'%s' has %d dimensions", path, a.ndim); }
  t->ndim = a.ndim;
  t->count = a.count;
  for (int i = 0; i < a.ndim; i++) t->shape[i] = a.shape[i];
  t->data = mlsh_malloc_array(a.count ? a.count : 1, sizeof(float));
  if (!t->data) { npy_free(&a); return -mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  for (size_t i = 0; i < a.count; i++) t->data[i] = (float)a.data[i];
  npy_free(&a);
  return 1;
}

static int get_h5(source *s, const char *layer, const char *weight, tensor *t, mlsh_err *err) {
  char path[512];
  snprintf(path, sizeof path, "/%s/%s/%s", layer, layer, weight);
  /* H5Lexists on each prefix: opening a missing path is not an error here */
  char pre[512];
  for (const char *c = path + 1;; c++) {
    if (*c == '/' || !*c) {
      snprintf(pre, sizeof pre, "%.*s", (int)(c - path), path);
      if (H5Lexists(s->file, pre, H5P_DEFAULT) <= 0) return 0;
      if (!*c) break;
    }
  }
  hid_t ds = H5Dopen2(s->file, path, H5P_DEFAULT);
  if (ds < 0) return -mlsh_seterr(err, MLSH_EIO, "'%s': cannot open dataset %s", s->src, path);
  hid_t sp = H5Dget_space(ds);
  int nd = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
  hsize_t dims[4] = {0};
  int rc = 1;
  if (nd < 0 || nd > 4) rc = -mlsh_seterr(err, MLSH_EIO, "'%s': dataset %s has an unsupported shape", s->src, path);
  else {
    H5Sget_simple_extent_dims(sp, dims, NULL);
    t->ndim = nd;
    t->count = 1;
    for (int i = 0; i < nd; i++) { t->shape[i] = (size_t)dims[i]; t->count *= (size_t)dims[i]; }
    if (t->count > ((size_t)1 << 31) || !(t->data = mlsh_malloc_array(t->count ? t->count : 1, sizeof(float))))
      rc = -mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for %s", path);
    else if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->data) < 0)
      rc = -mlsh_seterr(err, MLSH_EIO, "'%s': cannot read dataset %s", s->src, path);
  }
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(ds);
  if (rc < 0) tensor_free(t);
  return rc;
}

/* The TF-slim scope of a Keras MobileNetV2 layer name. */
static void slim_scope(const char *k, char *out, size_t n) {
  int num;
  char rest[64];
  if (!strcmp(k, "Conv1")) snprintf(out, n, "Conv");
  else if (!strcmp(k, "Logits")) snprintf(out, n, "Logits_Conv2d_1c_1x1");
  else if (sscanf(k, "block_%d_%63s", &num, rest) == 2) snprintf(out, n, "expanded_conv_%d_%s", num, rest);
  else snprintf(out, n, "%s", k);
}

/* what: "kernel", "depthwise", "bias", "gamma", "beta", "mean", "var" */
static int fetch(source *s, const char *layer, const char *what, tensor *t, mlsh_err *err) {
  memset(t, 0, sizeof *t);
  static const char *const bnw[][3] = {{"gamma", "gamma:0", "BatchNorm_gamma"}, {"beta", "beta:0", "BatchNorm_beta"},
                                       {"mean", "moving_mean:0", "BatchNorm_moving_mean"},
                                       {"var", "moving_variance:0", "BatchNorm_moving_variance"}};
  int bn = -1;
  for (int i = 0; i < 4; i++) if (!strcmp(what, bnw[i][0])) bn = i;
  if (s->kind == NN_SRC_KERAS_H5) {
    if (bn < 0) {
      const char *w = !strcmp(what, "kernel") ? "kernel:0" : !strcmp(what, "depthwise") ? "depthwise_kernel:0" : "bias:0";
      return get_h5(s, layer, w, t, err);
    }
    char bname[160];
    const char *pat[3] = {"%s_BN", "bn_%s", "%s_bn"};
    for (int i = 0; i < 3; i++) {
      snprintf(bname, sizeof bname, pat[i], layer);
      int rc = get_h5(s, bname, bnw[bn][1], t, err);
      if (rc) return rc;
    }
    return 0;
  }
  char scope[128], name[256];
  slim_scope(layer, scope, sizeof scope);
  snprintf(name, sizeof name, "%s_%s", scope,
           bn >= 0 ? bnw[bn][2] : !strcmp(what, "kernel") ? "weights" : !strcmp(what, "depthwise") ? "depthwise_weights" : "biases");
  return get_npy(s, name, t, err);
}

static int shape_is(const tensor *t, int nd, size_t a, size_t b, size_t c, size_t d) {
  size_t want[4] = {a, b, c, d};
  if (t->ndim != nd) return 0;
  for (int i = 0; i < nd; i++) if (t->shape[i] != want[i]) return 0;
  return 1;
}

static const char *shape_str(const tensor *t, char *buf, size_t n) {
  size_t o = (size_t)snprintf(buf, n, "(");
  for (int i = 0; i < t->ndim && o < n; i++) o += (size_t)snprintf(buf + o, n - o, i ? ",%zu" : "%zu", t->shape[i]);
  if (o < n) snprintf(buf + o, n - o, ")");
  return buf;
}

static int convert_layer(source *s, nn_layer *l, int idx, mlsh_err *err) {
  tensor k = {0}, v = {0};
  char sb[64];
  int dw = l->type == NN_CONV && l->groups > 1 && l->groups == l->c;
  int rc = fetch(s, l->name, dw ? "depthwise" : "kernel", &k, err);
  if (rc < 0) return -rc;
  if (rc == 0) return mlsh_seterr(err, MLSH_EIO, "'%s': no %s weights for layer %d '%s'", s->src, dw ? "depthwise" : "kernel", idx, l->name);
  int K = l->size, F = l->filters;
  if (l->type == NN_CONNECTED) {   /* Dense (in, out) or a 1x1 conv (1, 1, in, out) */
    size_t in = l->inputs;
    if (!shape_is(&k, 2, in, (size_t)F, 0, 0) && !shape_is(&k, 4, 1, 1, in, (size_t)F)) rc = -1;
    else for (size_t o = 0; o < (size_t)F; o++) for (size_t i = 0; i < in; i++) l->weights[o * in + i] = k.data[i * F + o];
  } else if (dw) {                  /* (K, K, C, M): filter c*M + j */
    int C = l->c, M = F / C;
    if (!shape_is(&k, 4, (size_t)K, (size_t)K, (size_t)C, (size_t)M)) rc = -1;
    else
      for (int c = 0; c < C; c++) for (int j = 0; j < M; j++) for (int y = 0; y < K; y++) for (int x = 0; x < K; x++)
        l->weights[((size_t)(c * M + j) * K + y) * K + x] = k.data[(((size_t)y * K + x) * C + c) * M + j];
  } else {                          /* (K, K, Cin, F) */
    int cg = l->c / l->groups;
    if (l->groups != 1 || !shape_is(&k, 4, (size_t)K, (size_t)K, (size_t)cg, (size_t)F)) rc = -1;
    else
      for (int f = 0; f < F; f++) for (int c = 0; c < cg; c++) for (int y = 0; y < K; y++) for (int x = 0; x < K; x++)
        l->weights[(((size_t)f * cg + c) * K + y) * K + x] = k.data[(((size_t)y * K + x) * cg + c) * F + f];
  }
  if (rc < 0) {
    rc = mlsh_seterr(err, MLSH_EIO, "'%s': layer %d '%s' (cfg line %d) weights have shape %s, the cfg needs %d filters of %dx%dx%d",
                     s->src, idx, l->name, l->line, shape_str(&k, sb, sizeof sb), F, K, K, l->type == NN_CONNECTED ? (int)l->inputs : l->c / l->groups);
    tensor_free(&k);
    return rc;
  }
  tensor_free(&k);
  /* conv bias (absent in MobileNetV2) */
  rc = fetch(s, l->name, "bias", &v, err);
  if (rc < 0) return -rc;
  if (rc && !shape_is(&v, 1, (size_t)F, 0, 0, 0)) { tensor_free(&v); return mlsh_seterr(err, MLSH_EIO, "'%s': layer '%s' bias is not %d long", s->src, l->name, F); }
  for (int f = 0; f < F; f++) l->biases[f] = rc ? v.data[f] : 0.0f;
  int had_bias = rc;
  tensor_free(&v);
  if (!l->batch_normalize) return MLSH_OK;
  static const char *const parts[4] = {"gamma", "beta", "mean", "var"};
  float *dst[4] = {l->scales, l->biases, l->rolling_mean, l->rolling_var};
  float *convb = NULL;
  if (had_bias) {   /* a conv bias before BN shifts the mean: keep it to fold below */
    convb = mlsh_malloc_array((size_t)F, sizeof(float));
    if (!convb) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    memcpy(convb, l->biases, (size_t)F * sizeof(float));
  }
  for (int p = 0; p < 4; p++) {
    rc = fetch(s, l->name, parts[p], &v, err);
    if (rc < 0) { mlsh_free(convb); return -rc; }
    if (rc == 0 && p >= 2) { mlsh_free(convb); return mlsh_seterr(err, MLSH_EIO, "'%s': no batch-norm %s for layer '%s'", s->src, parts[p], l->name); }
    if (rc && !shape_is(&v, 1, (size_t)F, 0, 0, 0)) {
      tensor_free(&v);
      mlsh_free(convb);
      return mlsh_seterr(err, MLSH_EIO, "'%s': layer '%s' batch-norm %s is not %d long", s->src, l->name, parts[p], F);
    }
    for (int f = 0; f < F; f++) dst[p][f] = rc ? v.data[f] : (p == 0 ? 1.0f : 0.0f);   /* scale=False / center=False */
    tensor_free(&v);
  }
  if (convb) for (int f = 0; f < F; f++) l->rolling_mean[f] -= convb[f];
  mlsh_free(convb);
  return MLSH_OK;
}

int nn_convert(nn_net *net, nn_src_kind kind, const char *src, mlsh_err *err) {
  source s = {kind, src, -1};
  H5E_auto2_t oldf = NULL;
  void *olddata = NULL;
  if (kind == NN_SRC_KERAS_H5) {
    H5Eget_auto2(H5E_DEFAULT, &oldf, &olddata);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);   /* report errors ourselves, not on stderr */
    FILE *f = fopen(src, "rb");
    if (!f) { H5Eset_auto2(H5E_DEFAULT, oldf, olddata); return mlsh_seterr(err, MLSH_EIO, "cannot open '%s'", src); }
    fclose(f);
    s.file = H5Fopen(src, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (s.file < 0) { H5Eset_auto2(H5E_DEFAULT, oldf, olddata); return mlsh_seterr(err, MLSH_EIO, "'%s' is not an HDF5 file", src); }
  }
  int rc = MLSH_OK, any = 0;
  for (int i = 0; i < net->n && !rc; i++) {
    nn_layer *l = &net->layers[i];
    if (l->type != NN_CONV && l->type != NN_CONNECTED) continue;
    if (!l->name[0]) rc = mlsh_seterr(err, MLSH_EINVAL, "layer %d (cfg line %d) has no name= to look its weights up by", i, l->line);
    else rc = convert_layer(&s, l, i, err);
    any = 1;
  }
  if (!rc && !any) rc = mlsh_seterr(err, MLSH_EINVAL, "the cfg has no layers with weights");
  if (kind == NN_SRC_KERAS_H5) {
    H5Fclose(s.file);
    H5Eset_auto2(H5E_DEFAULT, oldf, olddata);
  }
  net->finalized = 0;
  return rc;
}
