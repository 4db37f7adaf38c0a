/* aov.h - analysis of variance as R's aov() with summary(): one or two
 * factors (with or without their interaction), sequential sums of
 * squares; and Tukey's honest significant differences as R's TukeyHSD. */
#ifndef MLSH_STATS_AOV_H
#define MLSH_STATS_AOV_H
#include <stddef.h>
#include "../core/error.h"

#define ST_AOV_MAXTERMS 3

typedef struct st_aov {
  size_t nterms;                         /* 1 (A), 2 (A + B) or 3 (A + B + A:B) */
  double df[ST_AOV_MAXTERMS], ss[ST_AOV_MAXTERMS], ms[ST_AOV_MAXTERMS];
  double F[ST_AOV_MAXTERMS], p[ST_AOV_MAXTERMS];
  double df_resid, ss_resid, ms_resid;
  size_t n;
} st_aov;

/* y (n values, no NaN) on factor codes a in [0, ka) and, when b is not
 * NULL, b in [0, kb) (interaction: add A:B). Terms enter in that order,
 * as R's terms: treatment contrasts, aliased columns dropped (R's QR
 * tolerance 1e-7), so the degrees of freedom are the ranks gained. */
int st_aov_fit(const double *y, size_t n, const int *a, int ka, const int *b, int kb, int interaction, st_aov *r,
           mlsh_err *err);

/* Tukey's intervals and adjusted p-values for the k(k-1)/2 differences
 * mean[i] - mean[j] (i > j, in R's order: j = 0, i = 1..k-1; j = 1...):
 * out has 4 values per pair (diff, lwr, upr, p adj). */
int st_tukey(const double *mean, const double *count, int k, double mse, double df, double conf_level, double *out,
             mlsh_err *err);

#endif
