/* xnn.h - the XNNPACK engine of the CPU forward pass (xnn.c). */
#ifndef MLSH_NN_XNN_H
#define MLSH_NN_XNN_H
#include "nn.h"

/* Build the engine for a finalized net (folded weights, net->nthreads).
 * A net with a layer it does not take gets none (net->xnn stays NULL,
 * MLSH_OK) and why says which layer and why; errors are memory only. */
int nn_xnn_build(nn_net *net, char *why, size_t whylen, mlsh_err *err);
void nn_xnn_free(nn_net *net);
/* One CHW image through runtime slot: 0 .. nthreads-1 single-threaded (one
 * per worker), nn_xnn_pooled_slot() on every thread. */
int nn_xnn_run(const nn_net *net, int slot, const float *in, float *out);
int nn_xnn_pooled_slot(const nn_net *net);

#endif
