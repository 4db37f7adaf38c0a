/* vexp.c - vectorizable exp for non-positive arguments (see vexp.h).
 * exp(x) = 2^k e^r with k = round(x / ln 2), r = x - k ln 2 (Cody-Waite,
 * |r| <= ln 2 / 2), e^r by its Taylor polynomial to degree 13 (remainder
 * below 2e-17), 2^k built in the exponent bits. Every step is plain
 * arithmetic on 64-bit lanes, so the compiler vectorizes the loop. */
#include <stdint.h>
#include <string.h>
#include "vexp.h"

/* GCC 12 vectorizes loops at -O3 only; clang does at -O2 (and has no
 * optimize attribute). The clones are static: clang 14 emits no public
 * symbol for an exported target_clones function. */
#if defined(__clang__)
#define VEXP_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VEXP_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"), optimize("O3")))
#endif

VEXP_CLONES
static void exp_neg_block(const double *x, double *y, size_t n) {
  const double log2e = 1.4426950408889634, ln2_hi = 6.93147180369123816490e-01,
               ln2_lo = 1.90821492927058770002e-10, shifter = 0x1.8p52;
  uint64_t shift_bits;
  memcpy(&shift_bits, &shifter, 8);
  for (size_t i = 0; i < n; i++) {
    double v = x[i] < -708.0 ? -708.0 : x[i] > 0.0 ? 0.0 : x[i];
    double t = v * log2e + shifter;          /* k in the low mantissa bits */
    double kd = t - shifter;
    double r = (v - kd * ln2_hi) - kd * ln2_lo;
    double p = 1.0 / 6227020800.0;          /* 1/13! */
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t tb;
    memcpy(&tb, &t, 8);
    uint64_t sb = (tb - shift_bits + 1023) << 52;   /* 2^k, k in [-1022, 0] */
    double s;
    memcpy(&s, &sb, 8);
    y[i] = x[i] < -708.0 ? 0.0 : p * s;
  }
}

void mlsh_exp_neg(const double *x, double *y, size_t n) { exp_neg_block(x, y, n); }
