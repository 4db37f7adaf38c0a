/* gram.h - a cache of row dot products (the Gram matrix X X^T) of recently
 * fitted rows. Kernel machines refit on the same or overlapping rows all the
 * time: a grid search fits every parameter set on every CV fold of one
 * training set, and several SVMs are fitted on one split. Rows are matched
 * by content (hash, then exact compare), so any subset or reordering of
 * rows seen before costs no new O(n^2 p) product; new rows extend the cache
 * by one product against the rows it holds. Products are single precision
 * (sgemm): kernel values carry relative errors near 1e-7, as libsvm's own
 * float cache of kernel rows. */
#ifndef MLSH_LEARN_GRAM_H
#define MLSH_LEARN_GRAM_H
#include "../core/matrix.h"

typedef struct gram_view {
  const double *G;   /* cache Gram, ld x ld, both triangles */
  size_t ld;
  size_t *idx;       /* idx[i] = cache row of X's row i */
} gram_view;

/* gram_acquire's answer when X's rows cannot be cached within max_bytes:
 * the caller computes its own products. */
#define GRAM_TOO_BIG (-1)

/* Dot products of X's rows, from the cache when it holds them. max_bytes
 * bounds the cache (Gram plus row copies). On MLSH_OK the cache stays
 * locked until gram_release. */
int gram_acquire(const mlsh_mat *X, size_t max_bytes, gram_view *v, mlsh_err *err);
/* Lookup only: the view of X's rows then Y's rows (Y may be NULL) when the
 * cache holds every one of them; GRAM_TOO_BIG otherwise. Used to score
 * rows seen in a fit (a CV fold's test rows) without new products. */
int gram_find(const mlsh_mat *X, const mlsh_mat *Y, gram_view *v, mlsh_err *err);
void gram_release(gram_view *v);
/* Scratch memory that lives with the cache (reused by the next fit, so that
 * large per-fit buffers are not faulted in afresh): valid until release. */
void *gram_scratch(gram_view *v, size_t bytes);
/* Forget every cached row and free the memory. */
void gram_clear(void);

#endif
