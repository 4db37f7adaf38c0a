/* tsne_impl.h - the repulsion engines shared by tsne.c. Each fills
 * rep (n x d) with sum_j q_ij^2 (y_i - y_j) and *Z with sum_{i!=j} q_ij,
 * where q_ij = 1 / (1 + |y_i - y_j|^2); the gradient is then
 * attraction - rep / Z. */
#ifndef MLSH_TSNE_IMPL_H
#define MLSH_TSNE_IMPL_H
#include <stddef.h>
#include "../core/error.h"

int tsne_rep_exact(const double *Y, size_t n, int d, double *rep, double *Z, int threads);

typedef struct tsne_bh tsne_bh;        /* reusable Barnes-Hut tree buffers */
tsne_bh *tsne_bh_new(size_t n, int d);
void tsne_bh_free(tsne_bh *t);
int tsne_rep_bh(tsne_bh *t, const double *Y, double theta, double *rep, double *Z, int threads);
/* The two halves of tsne_rep_bh: the tree for Y, then the walk over it. */
int tsne_bh_build(tsne_bh *t, const double *Y);
int tsne_bh_walk(tsne_bh *t, const double *Y, double theta, double *rep, double *Z, int threads);

typedef struct tsne_fft tsne_fft;      /* grids and FFTW plans (2-D) */
tsne_fft *tsne_fft_new(size_t n, int threads);
void tsne_fft_free(tsne_fft *f);
int tsne_rep_fft(tsne_fft *f, const double *Y, double *rep, double *Z);

#endif
