/* vexp.h - exp over a block of doubles, vectorized (AVX-512/AVX2 clones):
 * kernel matrices need millions of exps a fit, and the C library's scalar
 * exp cost more than the solver. */
#ifndef MLSH_VEXP_H
#define MLSH_VEXP_H
#include <stddef.h>

/* y[i] = exp(x[i]) for x[i] <= 0 (0 below -708), relative error < 1e-15. */
void mlsh_exp_neg(const double *x, double *y, size_t n);

#endif
