/* dist.h - pairwise distances shared by the clustering code: squared
 * Euclidean blocks through BLAS (|a|^2 - 2 a.b + |b|^2) and condensed
 * distance matrices (R's dist(), n(n-1)/2 values, row-major upper). */
#ifndef MLSH_CLUSTER_DIST_H
#define MLSH_CLUSTER_DIST_H
#include <stddef.h>
#include "../core/matrix.h"

/* Hot loops are built vectorised (and with AVX-512 and AVX2 clones chosen
 * at run time on x86-64): the project builds at -O2, whose cost model
 * leaves loops with unknown trip counts scalar. No fused multiply-add in
 * any clone: every CPU computes the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define DIST_HOT __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic", "no-math-errno", "fp-contract=off"), \
                                target_clones("avx512f", "avx2", "default"), noinline))
#else
#define DIST_HOT
#endif

typedef enum { DIST_EUCLIDEAN, DIST_MANHATTAN, DIST_COSINE } dist_metric;

/* Index of pair (i, j), i < j, in a condensed matrix of n points. */
static inline size_t dist_cidx(size_t n, size_t i, size_t j) {
  return i * n - i * (i + 1) / 2 + (j - i - 1);
}

/* Squared Euclidean distance of two p-vectors. */
static inline double dist_sq_pair(const double *a, const double *b, size_t p) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;   /* four chains: no add-latency stall */
  size_t j = 0;
  for (; j + 4 <= p; j += 4) {
    double t0 = a[j] - b[j], t1 = a[j + 1] - b[j + 1], t2 = a[j + 2] - b[j + 2], t3 = a[j + 3] - b[j + 3];
    s0 += t0 * t0; s1 += t1 * t1; s2 += t2 * t2; s3 += t3 * t3;
  }
  for (; j < p; j++) { double t = a[j] - b[j]; s0 += t * t; }
  return (s0 + s1) + (s2 + s3);
}

/* out[i] = |row i|^2 for an n x p row-major block. */
void dist_row_sqnorms(const double *X, size_t n, size_t p, double *out);
/* D (na x nb) = squared distances between rows of A and rows of B, given
 * their squared norms; clamped at 0. One dgemm. */
void dist_sq_block(const double *A, const double *an, size_t na, const double *B,
                   const double *bn, size_t nb, size_t p, double *D);
/* d[i] = sqrt(d[i]) for n values (vectorised). */
void dist_sqrt_inplace(double *d, size_t n);
/* Sum of n values with four accumulators. */
double dist_sum(const double *d, size_t n);
/* Distance between two p-vectors under a metric (cosine: 1 - cos). */
double dist_pair(const double *a, const double *b, size_t p, dist_metric m);
/* Condensed distances of the rows of X (out has n(n-1)/2 values), on
 * `threads` threads. Returns MLSH_EINTR when interrupted. */
int dist_condensed(const mlsh_mat *X, dist_metric m, int threads, double *out, mlsh_err *err);
/* Check that a square matrix is symmetric with a zero diagonal and
 * non-negative finite entries, and pack its upper triangle into out. */
int dist_from_square(const mlsh_mat *D, double *out, mlsh_err *err);

#endif
