/* distrib.h - distribution functions (R's nmath): the one place the core takes them
 * (p-values of tests, v-tests, forecast intervals). */
#ifndef MLSH_DISTRIB_H
#define MLSH_DISTRIB_H

/* P(Z <= x) when lower_tail, else P(Z > x); full double precision in both
 * tails; 0 where R's pnorm gives 0 (a tail below -37.5193). */
double mlsh_pnorm(double x, int lower_tail);
/* The quantile: x with P(Z <= x) = p (-inf at 0, inf at 1, NaN outside). */
double mlsh_qnorm(double p);
/* Upper tail of the chi-square distribution, P(X > x) (NaN unless df > 0). */
double mlsh_pchisq_upper(double x, double df);

#endif
