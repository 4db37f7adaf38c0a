/* rng.c - xoshiro256** (Blackman & Vigna) with splitmix64 seeding. */
#include <math.h>
#include <time.h>
#include "rng.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void mlsh_rng_seed(mlsh_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
  r->has_spare = 0;
  r->spare = 0;
}

uint64_t mlsh_rng_next(mlsh_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double mlsh_rng_uniform(mlsh_rng *r) {
  return (double)(mlsh_rng_next(r) >> 11) * 0x1.0p-53;
}

double mlsh_rng_normal(mlsh_rng *r) {
  if (r->has_spare) { r->has_spare = 0; return r->spare; }
  double u, v, s;
  do {
    u = 2.0 * mlsh_rng_uniform(r) - 1.0;
    v = 2.0 * mlsh_rng_uniform(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  double f = sqrt(-2.0 * log(s) / s);
  r->spare = v * f;
  r->has_spare = 1;
  return u * f;
}

uint64_t mlsh_rng_below(mlsh_rng *r, uint64_t n) {
  if (n <= 1) return 0;
  /* Lemire's nearly-divisionless method would do; rejection keeps it simple. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = mlsh_rng_next(r); while (x >= limit);
  return x % n;
}

void mlsh_rng_shuffle(mlsh_rng *r, size_t *idx, size_t n) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)mlsh_rng_below(r, i);
    size_t t = idx[i - 1]; idx[i - 1] = idx[j]; idx[j] = t;
  }
}

void mlsh_rng_permutation(mlsh_rng *r, size_t *idx, size_t n) {
  for (size_t i = 0; i < n; i++) idx[i] = i;
  mlsh_rng_shuffle(r, idx, n);
}

void mlsh_rng_split(const mlsh_rng *parent, uint64_t stream, mlsh_rng *child) {
  uint64_t x = parent->s[0] ^ rotl(parent->s[2], 13) ^ (stream * 0xd1342543de82ef95ULL);
  mlsh_rng_seed(child, splitmix64(&x));
}

uint64_t mlsh_rng_clock_seed(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t x = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;
  return splitmix64(&x);
}
