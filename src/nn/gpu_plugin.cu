/* gpu_plugin.cu - the one symbol mlsh-cuda.so exports: the table of the
 * CUDA backend's entry points (gpu.h), which gpu.c looks up after dlopen. */
#include "gpu_internal.h"

static const nn_gpu_ops cuda_ops = {
  NN_GPU_OPS_VERSION, cuda_gpu_count, cuda_gpu_attach, cuda_gpu_detach, cuda_forward_gpu, cuda_embed_gpu,
  cuda_gpu_bench, cuda_gpu_profile, cuda_gpu_describe, cuda_gpu_memory,
};

extern "C" __attribute__((visibility("default"))) const nn_gpu_ops *mlsh_cuda_plugin(void) {
  return &cuda_ops;
}
