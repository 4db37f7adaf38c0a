/* tsne.h - t-distributed stochastic neighbour embedding (van der Maaten
 * and Hinton 2008) with three gradient engines: exact O(n^2), Barnes-Hut
 * (van der Maaten 2014) and FFT-accelerated interpolation (FIt-SNE,
 * Linderman et al. 2019). Input affinities: perplexity calibration by
 * binary search on each point's 3*perplexity exact nearest neighbours
 * (blocked dgemm), symmetrised. Optimisation follows scikit-learn's
 * TSNE: early exaggeration with momentum 0.5, then momentum 0.8, gains. */
#ifndef MLSH_TSNE_H
#define MLSH_TSNE_H
#include <stdint.h>
#include "../core/matrix.h"

typedef enum { TSNE_AUTO, TSNE_EXACT, TSNE_BH, TSNE_FFT } tsne_method;

typedef struct tsne_opts {
  int dims;                  /* 2 */
  double perplexity;         /* 30, must be < n */
  int iters;                 /* 1000 in all */
  double exaggeration;       /* 12 */
  int exaggeration_iters;    /* 250 */
  double learning_rate;      /* <= 0: max(n / exaggeration / 4, 50) */
  int init_pca;              /* 1: PCA scaled to sd 1e-4 (column 1); 0: N(0, 1e-4^2) */
  double theta;              /* Barnes-Hut opening angle, 0.5 */
  tsne_method method;        /* AUTO picks by n */
  int pca;                   /* > 0: project X on its first `pca` components first */
  uint64_t seed;
  int threads;
  /* Called every 50 iterations with the current KL divergence. */
  void (*progress)(void *ctx, int iter, double kl);
  void *progress_ctx;
} tsne_opts;

typedef struct tsne_result {
  double kl;                 /* KL(P || Q) of the final embedding */
  int iters;
  tsne_method method;        /* the engine used */
} tsne_result;

void tsne_defaults(tsne_opts *o);
tsne_method tsne_auto_method(size_t n, int dims);
int tsne_run(const mlsh_mat *X, const tsne_opts *o, mlsh_mat *Y, tsne_result *res, mlsh_err *err);
/* scikit-learn's trustworthiness(X, Y, n_neighbors=k) with euclidean distances. */
int tsne_trustworthiness(const mlsh_mat *X, const mlsh_mat *Y, int k, int threads, double *out, mlsh_err *err);

#endif
