/* distrib.h - R's probability distributions through R's own nmath library
 * (Debian's r-mathlib): density, distribution function and quantile with
 * R's parameter names and defaults, and seeded draws by inversion. */
#ifndef MLSH_STATS_DISTRIB_H
#define MLSH_STATS_DISTRIB_H
#include "../core/rng.h"

#define ST_DIST_MAXPAR 3

typedef double (*st_dfun)(double x, const double *par, int give_log);
/* Distribution function or quantile: lower_tail, log_p as R's. */
typedef double (*st_pfun)(double x, const double *par, int lower_tail, int log_p);

typedef struct st_dist {
  const char *name;                     /* R's suffix: "norm", "t", "binom" */
  const char *title;                    /* "normal" */
  int npar;
  const char *par[ST_DIST_MAXPAR];      /* R's argument names, in R's order */
  double def[ST_DIST_MAXPAR];           /* R's defaults; NaN: required */
  int discrete;
  st_dfun d;
  st_pfun p, q;
} st_dist;

extern const st_dist st_dists[];        /* ends with name == NULL */

/* The family named `name` ("norm"), or NULL. */
const st_dist *st_dist_find(const char *name);
/* One draw: the quantile of a uniform from rng (never 0), as R's rnorm
 * does by default (R's own uniform generator differs, so draws differ). */
double st_dist_draw(const st_dist *D, const double *par, mlsh_rng *rng);

#endif
