/* distrib.c - the core's distribution functions, all from R's own nmath
 * library (libRmath), so every p-value in mlsh has one source: R's. */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include "distrib.h"

double mlsh_pnorm(double x, int lower_tail) { return pnorm(x, 0.0, 1.0, lower_tail, 0); }

double mlsh_qnorm(double p) { return qnorm(p, 0.0, 1.0, 1, 0); }

double mlsh_pchisq_upper(double x, double df) { return pchisq(x, df, 0, 0); }
