/* weights.c - darknet .weights files and the parameter bookkeeping around
 * them. Layout (darknet's load_weights): int32 major, minor, revision;
 * `seen` as uint64 when major*10+minor >= 2 (and both < 1000), else
 * uint32; then per layer in cfg order:
 *   convolutional: biases[filters], if batch_normalize scales, rolling_mean,
 *                  rolling_variance [filters]; weights[filters][c/groups][size][size]
 *   connected:     biases[out], weights[out][in], then the BN triple if any.
 * The expected size comes from the cfg alone, so a file that does not
 * match is refused before any value is used. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "nn.h"
#include "../core/alloc.h"
#include "../core/atomicfile.h"

/* The arrays of one layer in file order; returns how many (0..5). */
static int layer_arrays(const nn_layer *l, float **arr[5], size_t len[5]) {
  if (l->type != NN_CONV && l->type != NN_CONNECTED) return 0;
  size_t nb = (size_t)l->filters;
  int k = 0;
  float **p = (float **)&l->biases;   /* cast away const: callers own the layer */
  arr[k] = p; len[k++] = nb;
  if (l->type == NN_CONNECTED) { arr[k] = (float **)&l->weights; len[k++] = l->nweights; }
  if (l->batch_normalize) {
    arr[k] = (float **)&l->scales; len[k++] = nb;
    arr[k] = (float **)&l->rolling_mean; len[k++] = nb;
    arr[k] = (float **)&l->rolling_var; len[k++] = nb;
  }
  if (l->type == NN_CONV) { arr[k] = (float **)&l->weights; len[k++] = l->nweights; }
  return k;
}

size_t nn_layer_params(const nn_layer *l) {
  float **arr[5];
  size_t len[5], total = 0;
  int k = layer_arrays(l, arr, len);
  for (int i = 0; i < k; i++) total += len[i];
  return total;
}

double nn_layer_macs(const nn_layer *l) {
  switch (l->type) {
  case NN_CONV: return (double)l->nweights * l->out_w * l->out_h;
  case NN_CONNECTED: return (double)l->nweights;
  default: return 0;
  }
}

int nn_load_weights(nn_net *net, const char *path, mlsh_err *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return mlsh_seterr(err, MLSH_EIO, "cannot open '%s': %s", path, strerror(errno));
  int32_t hdr[3];
  long long fsize = -1;
  if (fseek(f, 0, SEEK_END) == 0) fsize = ftell(f);
  rewind(f);
  if (fread(hdr, sizeof(int32_t), 3, f) != 3) {
    fclose(f);
    return mlsh_seterr(err, MLSH_EIO, "'%s' is too short for a darknet weights header (%lld bytes)", path, fsize);
  }
  /* range checks first: a hostile header must not overflow the version arithmetic */
  int wide = hdr[0] >= 0 && hdr[1] >= 0 && hdr[0] < 1000 && hdr[1] < 1000 && hdr[0] * 10 + hdr[1] >= 2;
  unsigned char seen[8];
  size_t seen_len = wide ? 8 : 4;
  long long expect = 12 + (long long)seen_len;
  for (int i = 0; i < net->n; i++) expect += (long long)nn_layer_params(&net->layers[i]) * 4;
  if (fsize != expect) {
    fclose(f);
    if (fsize < expect)
      return mlsh_seterr(err, MLSH_EIO, "'%s' is %lld bytes too short for this cfg (%lld bytes, expected %lld; version %d.%d.%d)",
                         path, expect - fsize, fsize, expect, hdr[0], hdr[1], hdr[2]);
    return mlsh_seterr(err, MLSH_EIO, "'%s' is %lld bytes too long for this cfg (%lld bytes, expected %lld; version %d.%d.%d)",
                       path, fsize - expect, fsize, expect, hdr[0], hdr[1], hdr[2]);
  }
  if (fread(seen, 1, seen_len, f) != seen_len) { fclose(f); return mlsh_seterr(err, MLSH_EIO, "cannot read '%s'", path); }
  for (int i = 0; i < net->n; i++) {
    float **arr[5];
    size_t len[5];
    int k = layer_arrays(&net->layers[i], arr, len);
    for (int j = 0; j < k; j++)
      if (fread(*arr[j], sizeof(float), len[j], f) != len[j]) {
        fclose(f);
        return mlsh_seterr(err, MLSH_EIO, "cannot read '%s' (layer %d)", path, i);
      }
  }
  fclose(f);
  for (int i = 0; i < net->n; i++) {   /* non-finite values would poison every output */
    float **arr[5];
    size_t len[5];
    int k = layer_arrays(&net->layers[i], arr, len);
    for (int j = 0; j < k; j++)
      for (size_t e = 0; e < len[j]; e++)
        if (!isfinite((*arr[j])[e]))
          return mlsh_seterr(err, MLSH_EIO, "'%s': layer %d (cfg line %d) has a non-finite parameter", path, i, net->layers[i].line);
  }
  net->finalized = 0;
  return MLSH_OK;
}

int nn_save_weights(const nn_net *net, const char *path, mlsh_err *err) {
  mlsh_afile af;
  int rc = mlsh_afile_open(&af, path, err);
  if (rc) return rc;
  int32_t hdr[3] = {0, 2, 0};
  uint64_t seen = 0;
  int ok = fwrite(hdr, sizeof hdr, 1, af.fp) == 1 && fwrite(&seen, sizeof seen, 1, af.fp) == 1;
  for (int i = 0; ok && i < net->n; i++) {
    float **arr[5];
    size_t len[5];
    int k = layer_arrays(&net->layers[i], arr, len);
    for (int j = 0; ok && j < k; j++) ok = fwrite(*arr[j], sizeof(float), len[j], af.fp) == len[j];
  }
  if (!ok) {
    mlsh_afile_abort(&af);
    return mlsh_seterr(err, MLSH_EIO, "cannot write '%s'", path);
  }
  return mlsh_afile_commit(&af, err);
}
