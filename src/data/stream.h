/* stream.h - exact statistics and models over data read in row blocks:
 * a memory-mapped .npy larger than memory, an in-memory matrix, or one
 * process's row block of data spread over many (MPI). Each kernel keeps
 * partial results that merge (counts, means and co-moments by Chan's
 * formula; K-Means sums and counts), so the same code runs on one
 * process or reduces across processes through a stream_comm.
 * Randomness is keyed by (seed, global row), never by process, and every
 * decision (convergence, empty clusters) comes from reduced values, so a
 * run gives the same answer for any number of processes. */
#ifndef MLSH_DATA_STREAM_H
#define MLSH_DATA_STREAM_H
#include <stddef.h>
#include <stdint.h>
#include "../core/error.h"
#include "../core/matrix.h"
#include "mmap.h"

/* Rows of a data source, read [r0, r1) at a time (local row numbers). */
typedef struct stream_src {
  size_t rows, cols;       /* this process's rows */
  size_t row0;             /* global number of the first local row */
  size_t block;            /* rows per block (stream_block_rows: set from cols only) */
  int bitwise;             /* fixed blocks reduced in block order: the same bits for any
                              number of processes (row0 must be a multiple of block) */
  /* rows r0..r1 as row-major doubles: a pointer into the source or buf */
  const double *(*read)(const void *ctx, size_t r0, size_t r1, double *buf);
  void (*done)(const void *ctx, size_t r0, size_t r1);   /* NULL: nothing to release */
  void (*prefetch)(const void *ctx, size_t r0, size_t r1);   /* NULL: nothing to read ahead */
  const void *ctx;
} stream_src;

void stream_src_matrix(stream_src *s, const mlsh_mat *X);
void stream_src_npymap(stream_src *s, const mlsh_npymap *m);
/* Visit every block: fn(ctx, global row of the block, rows, m) with m rows.
 * Polls Ctrl-C; buf is block x cols scratch the caller owns. */
typedef int (*stream_block_fn)(void *ctx, size_t grow0, const double *rows, size_t m);
int stream_each_block(const stream_src *s, double *buf, stream_block_fn fn, void *ctx);
double *stream_block_buf(const stream_src *s);   /* mlsh_free it */
/* Rows per block for cols columns (about 8 MB): the same on every process. */
size_t stream_block_rows(size_t cols);
/* Number of blocks of the source. */
size_t stream_nblocks(const stream_src *s);

/* Collectives across processes (src/dist/ fills one); NULL = one process. */
typedef struct stream_comm {
  int rank, size;
  void *ctx;
  int (*allreduce_sum)(void *ctx, double *buf, size_t n, mlsh_err *err);
  /* Every process's `bytes` bytes, in rank order, into out (size x bytes). */
  int (*allgather)(void *ctx, const void *in, size_t bytes, void *out, mlsh_err *err);
  /* Variable sizes: counts[r] bytes from rank r, concatenated in rank order. */
  int (*allgatherv)(void *ctx, const void *in, size_t bytes, void *out, const size_t *counts, mlsh_err *err);
  /* The ring: send `sbytes` to rank + 1, receive `rbytes` from rank - 1 (mod size). */
  int (*shift)(void *ctx, const void *send, size_t sbytes, void *recv, size_t rbytes, mlsh_err *err);
  /* The same in two halves (NULL: not offered), so that a block is searched
   * while the next one travels: start posts the transfer, wait completes it
   * on the calling thread; one at a time, no other collective in between. */
  int (*shift_start)(void *ctx, const void *send, size_t sbytes, void *recv, size_t rbytes, mlsh_err *err);
  int (*shift_wait)(void *ctx, mlsh_err *err);
} stream_comm;

/* Bitwise mode: every process's per-block partials (nlocal x len doubles,
 * in block order) gathered into *all (mlsh_free it), *nall blocks in
 * global block order. Without c, a copy of the local ones. */
int stream_gather_blocks(const stream_comm *c, const double *local, size_t nlocal, size_t len, double **all,
                         size_t *nall, mlsh_err *err);

/* ---- moments (stream_stats.c) ---- */
typedef struct stream_moments {
  size_t p;
  double n;
  double *mean, *min, *max;   /* p each */
  double *m2;                 /* p x p co-moments sum (x - mean)(x - mean)^T, or p (diagonal) */
  int full;
  double *delta;              /* p, scratch of the merge */
} stream_moments;

int stream_moments_alloc(stream_moments *m, size_t p, int full, mlsh_err *err);
void stream_moments_free(stream_moments *m);
/* Column counts, means, extremes and (full) co-moments of every row of
 * every process; NaN values are an error naming the global row. */
int stream_moments_compute(const stream_src *s, const stream_comm *c, stream_moments *m, mlsh_err *err);
/* Merge b into a (Chan, Golub & LeVeque). */
void stream_moments_merge(stream_moments *a, const stream_moments *b);
/* Sample covariance (n - 1) or Pearson correlation (p x p) from full moments. */
int stream_cov(const stream_moments *m, int cor, mlsh_mat *out, mlsh_err *err);

/* PCA from the covariance (population divisor n, as stats.pca): center
 * and scale (population sd) 1 x p, all p eigenvalues (p x 1), loadings
 * p x ncomp (ncomp = 0: p) with stats.pca's signs. */
typedef struct stream_pca {
  mlsh_mat center, scale, eig, loadings;
  mlsh_mat var_coord, var_cos2, var_contrib;   /* p x ncomp, as stats.pca's var */
  double total, n;
} stream_pca;
int stream_pca_fit(const stream_moments *m, int scale, size_t ncomp, stream_pca *r, mlsh_err *err);
void stream_pca_free(stream_pca *r);
/* The steps of a fit, shared with TSQR: r's center and scale from the
 * moments (full or diagonal), then the rest from p eigenvalues (vals,
 * descending, population divisor) and their vectors (p x p columns). */
int stream_pca_center_scale(const stream_moments *m, int scale, stream_pca *r, mlsh_err *err);
int stream_pca_finish(const stream_moments *m, size_t ncomp, const mlsh_mat *vals, const mlsh_mat *vecs, stream_pca *r,
                      mlsh_err *err);
/* PCA by TSQR (stream_tsqr.c): the centred (scaled) rows' R factor, one
 * Householder QR (LAPACK dgeqrf) per block stacked under the running R,
 * every process's R gathered and reduced by one more QR, then the SVD of
 * R: the in-memory SVD PCA's eigenvalues, without forming X^T X.
 * m: the column moments (diagonal is enough). */
int stream_pca_tsqr(const stream_src *s, const stream_comm *c, const stream_moments *m, int scale, size_t ncomp,
                    stream_pca *r, mlsh_err *err);

/* ---- K-Means, Lloyd (stream_kmeans.c) ---- */
typedef struct stream_km_opts {
  size_t k;
  const mlsh_mat *centers0;   /* k x p, or NULL: k-means++ on a sample */
  int max_iter;
  double tol;                 /* relative to the mean column variance, as cluster.kmeans */
  uint64_t seed;
  size_t sample;              /* rows drawn for k-means++ (expected) */
  int parallel_init;          /* without centers0: k-means|| (stream_seed.c) instead of the sample */
  int threads;                /* 0 = default; results do not depend on it */
} stream_km_opts;

typedef struct stream_km_result {
  mlsh_mat centers;           /* k x p */
  int *labels;                /* local rows, 0-based */
  double *sizes;              /* k (global) */
  double inertia;
  int iters, converged;
} stream_km_result;

void stream_km_opts_default(stream_km_opts *o, size_t k);
int stream_kmeans(const stream_src *s, const stream_comm *c, const stream_km_opts *o, stream_km_result *r, mlsh_err *err);
void stream_km_result_free(stream_km_result *r);
/* Whether global row `row` belongs to the seeding sample of `seed`
 * (probability frac): a hash of (seed, row), the same on every process. */
int stream_sampled(uint64_t seed, size_t row, double frac);

/* ---- k-means|| seeding (stream_seed.c) ---- */
typedef struct stream_seed_opts {
  size_t k;
  uint64_t seed;
  int rounds;                 /* 0: 5 */
  double oversample;          /* l, expected rows drawn per round; 0: 2k */
  int threads;                /* 0 = default; results do not depend on it */
} stream_seed_opts;
/* k x p starting centres (minus shift[q] in column q when shift is not
 * NULL) by k-means|| over every row of every process: the same centres
 * for any number of processes. Keeps 12 bytes per local row. */
int stream_kmeans_parallel_init(const stream_src *s, const stream_comm *c, const stream_seed_opts *o,
                                const double *shift, double *C, mlsh_err *err);

/* ---- cluster validity and the elbow sweep (stream_valid.c) ---- */
/* Rows of every process. */
int stream_total_rows(const stream_src *s, const stream_comm *c, size_t *n, mlsh_err *err);
/* Calinski-Harabasz (*ch) and Davies-Bouldin (*db) of the labels lab
 * (local rows, 0-based in [0, k)) over every row of every process, as
 * clv_calinski_harabasz / clv_davies_bouldin in memory up to the order of
 * the sums: one pass for the clusters' sums and counts, one for each row's
 * distance to its centroid. Bitwise sources reduce in block order. */
int stream_cluster_indices(const stream_src *s, const stream_comm *c, const int *lab, size_t k, int threads, double *ch,
                           double *db, mlsh_err *err);
/* Rows rows[0..m) into out (m x p, every process gets them all): numbers
 * count the rows of every process in rank order from 0. */
int stream_gather_rows(const stream_src *s, const stream_comm *c, const size_t *rows, size_t m, double *out, mlsh_err *err);
/* cluster.elbow over blocks: for k = kmin..kmax (t = k - kmin) stream_kmeans
 * with o (its k replaced), inertia[t], ch[t] and db[t] as above, and sil[t]
 * the mean silhouette of `sample` rows (all of them when sample >= the
 * rows, else the first of clv_sample_perm(o->seed), as in memory; 0: none,
 * NaN) held in memory, their labels sent by their processes. */
int stream_elbow(const stream_src *s, const stream_comm *c, const stream_km_opts *o, size_t kmin, size_t kmax,
                 size_t sample, double *inertia, double *sil, double *ch, double *db, mlsh_err *err);

/* ---- brute-force nearest neighbours (stream_knn.c) ---- */
/* For each of the q rows of Q, the k nearest rows of the source (global
 * 0-based numbers, ties to the lower row) and their Euclidean distances,
 * both q x k row-major, nearest first. The queries are split into
 * `threads` slices (0 = default) searched at once; results do not depend
 * on it. */
int stream_knn(const stream_src *s, const stream_comm *c, const mlsh_mat *Q, size_t k, int threads, size_t *index,
               double *dist, mlsh_err *err);
/* The same for queries spread over the processes (each its own Q): every
 * process's training rows travel around the ring of processes (one shift
 * per step, size steps; two blocks of the largest process's rows held),
 * each process keeps its queries' k best. With shift_start/shift_wait
 * the block held is searched on worker threads while the calling thread
 * waits for the next one. Same neighbours for any number of processes;
 * without c, stream_knn. */
int stream_knn_ring(const stream_src *s, const stream_comm *c, const mlsh_mat *Q, size_t k, int threads, size_t *index,
                    double *dist, mlsh_err *err);

#endif
