/* gpu.c - device selection for the CNN engine, and the CPU-only build's
 * stand-ins for the CUDA backend (gpu.h): without MLSH_CUDA every GPU
 * entry point fails with a message saying how to get one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gpu.h"

#ifndef MLSH_CUDA
#define NO_CUDA "this mlsh was built without CUDA (build with nvcc on PATH or in /usr/local/cuda)"

int nn_gpu_built(void) { return 0; }

int nn_gpu_count(mlsh_err *err) {
  mlsh_seterr(err, MLSH_EINVAL, NO_CUDA);
  return 0;
}

int nn_gpu_attach(nn_net *net, const nn_gpu_opts *o, mlsh_err *err) {
  (void)net; (void)o;
  return mlsh_seterr(err, MLSH_EINVAL, NO_CUDA);
}

void nn_gpu_detach(nn_net *net) { (void)net; }

int nn_forward_gpu(nn_net *net, const float *input, size_t n, float *output, mlsh_err *err) {
  (void)net; (void)input; (void)n; (void)output;
  return mlsh_seterr(err, MLSH_EINVAL, NO_CUDA);
}

int nn_embed_gpu(nn_net *net, const char *const *paths, const struct mlsh_image *imgs, size_t n,
                 const nn_embed_opts *o, float *out, mlsh_err *err) {
  (void)net; (void)paths; (void)imgs; (void)n; (void)o; (void)out;
  return mlsh_seterr(err, MLSH_EINVAL, NO_CUDA);
}

int nn_gpu_bench(nn_net *net, size_t m, int iters, double *seconds, mlsh_err *err) {
  (void)net; (void)m; (void)iters; (void)seconds;
  return mlsh_seterr(err, MLSH_EINVAL, NO_CUDA);
}

int nn_gpu_profile(nn_net *net, size_t m, int passes, double *ms, mlsh_err *err) {
  (void)net; (void)m; (void)passes; (void)ms;
  return mlsh_seterr(err, MLSH_EINVAL, NO_CUDA);
}

const char *nn_gpu_describe(const nn_net *net) { (void)net; return ""; }
size_t nn_gpu_memory(const nn_net *net) { (void)net; return 0; }
#endif

int nn_use_device(nn_net *net, const char *device, const nn_gpu_opts *o, int *on_gpu,
                  char *notice, size_t len, mlsh_err *err) {
  const char *d = device && *device ? device : getenv("MLSH_DEVICE");
  const char *from = device && *device ? "option 'device'" : "MLSH_DEVICE";
  if (!d || !*d) d = "cpu";
  if (notice && len) notice[0] = 0;
  *on_gpu = 0;
  if (!strcmp(d, "cpu")) {
    nn_gpu_detach(net);
    return MLSH_OK;
  }
  if (!strcmp(d, "cuda")) {
    int rc = nn_gpu_attach(net, o, err);
    if (!rc) *on_gpu = 1;
    return rc;
  }
  if (!strcmp(d, "auto")) {
    mlsh_err e = {0, ""};
    int rc = nn_gpu_count(&e) > 0 ? nn_gpu_attach(net, o, &e) : (e.code ? e.code : MLSH_EIO);
    if (!rc) { *on_gpu = 1; return MLSH_OK; }
    if (rc == MLSH_EINTR) return mlsh_seterr(err, rc, "interrupted");
    if (notice && len) snprintf(notice, len, "nn: %s; running on the CPU", e.msg);
    return MLSH_OK;
  }
  return mlsh_seterr(err, MLSH_EINVAL, "%s must be 'cpu', 'cuda' or 'auto' (got '%s')", from, d);
}
