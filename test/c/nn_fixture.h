/* nn_fixture.h - shared by the network tests (CPU and GPU): deterministic
 * random weights for every convolutional and connected layer, scaled by the
 * fan-in so activations stay in range, with batch-norm statistics. */
#ifndef NN_FIXTURE_H
#define NN_FIXTURE_H
#include <math.h>
#include "../../src/nn/nn.h"
#include "../../src/core/rng.h"

static void fill_random(nn_net *net, uint64_t seed) {
  mlsh_rng r;
  mlsh_rng_seed(&r, seed);
  for (int i = 0; i < net->n; i++) {
    nn_layer *l = &net->layers[i];
    if (l->type != NN_CONV && l->type != NN_CONNECTED) continue;
    double sc = 1.0 / sqrt((double)l->nweights / l->filters);
    for (size_t k = 0; k < l->nweights; k++) l->weights[k] = (float)((mlsh_rng_uniform(&r) * 2 - 1) * sc * 1.5);
    for (int f = 0; f < l->filters; f++) {
      l->biases[f] = (float)(mlsh_rng_uniform(&r) - 0.5);
      if (l->batch_normalize) {
        l->scales[f] = (float)(0.5 + mlsh_rng_uniform(&r));
        l->rolling_mean[f] = (float)(mlsh_rng_uniform(&r) - 0.5) * 0.2f;
        l->rolling_var[f] = (float)(0.2 + mlsh_rng_uniform(&r));
      }
    }
  }
  net->finalized = 0;
}

#endif
