/* rng.h - reproducible random numbers: xoshiro256** seeded through
 * splitmix64. Every random algorithm in mlsh takes a seed and owns an
 * mlsh_rng, so results depend on the seed only (and not on threads). */
#ifndef MLSH_RNG_H
#define MLSH_RNG_H
#include <stdint.h>
#include <stddef.h>

typedef struct mlsh_rng {
  uint64_t s[4];
  int has_spare;
  double spare;
} mlsh_rng;

void mlsh_rng_seed(mlsh_rng *r, uint64_t seed);
uint64_t mlsh_rng_next(mlsh_rng *r);
double mlsh_rng_uniform(mlsh_rng *r);            /* [0, 1) with 53 random bits */
double mlsh_rng_normal(mlsh_rng *r);             /* N(0, 1), polar method */
uint64_t mlsh_rng_below(mlsh_rng *r, uint64_t n);/* uniform in [0, n), unbiased */
void mlsh_rng_permutation(mlsh_rng *r, size_t *idx, size_t n); /* idx = shuffled 0..n-1 */
void mlsh_rng_shuffle(mlsh_rng *r, size_t *idx, size_t n);     /* Fisher-Yates in place */
/* An independent stream for worker t (jump-free: reseeds from the parent). */
void mlsh_rng_split(const mlsh_rng *parent, uint64_t stream, mlsh_rng *child);
/* A seed from the clock, for calls made without `seed`. */
uint64_t mlsh_rng_clock_seed(void);

#endif
