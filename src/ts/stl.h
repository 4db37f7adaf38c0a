/* stl.h - seasonal-trend decomposition by loess (Cleveland, Cleveland,
 * McRae & Terpenning 1990), as R's stats::stl, and the single-period form
 * of forecast's mstl that auto.arima's seasonal-strength rule reads.
 * NaN is not accepted (R's stl refuses missing values too). */
#ifndef MLSH_TS_STL_H
#define MLSH_TS_STL_H
#include <stddef.h>
#include "../core/error.h"

typedef struct ts_stl_opts {
  int period;                        /* observations per cycle, >= 2 */
  int s_window;                      /* odd >= 3; 0 = "periodic" */
  int s_degree, t_degree, l_degree;  /* 0 or 1; l_degree < 0: t_degree (R's default) */
  int t_window, l_window;            /* odd >= 3; <= 0: R's defaults */
  int s_jump, t_jump, l_jump;        /* >= 1; <= 0: R's defaults (ceiling(window / 10)) */
  int robust;                        /* robustness weights (outer loop) */
  int inner, outer;                  /* < 0: R's defaults (robust ? 1, 15 : 2, 0) */
} ts_stl_opts;

/* R's defaults for stl(x, s.window) with frequency(x) = period. */
void ts_stl_defaults(ts_stl_opts *o, int period, int s_window);

/* The settings ts_stl runs with for n values: every default resolved as R
 * does, bad values refused with a message naming the option. A periodic
 * fit keeps s_window = 0 here; R reports its window as ts_stl_periodic_window(n). */
int ts_stl_resolve(const ts_stl_opts *o, size_t n, ts_stl_opts *r, mlsh_err *err);
static inline long ts_stl_periodic_window(size_t n) { return 10 * (long)n + 1; }

/* seasonal, trend, remainder: n values each; weights (may be NULL): the
 * final robustness weights (1 when not robust). n must exceed 2 periods. */
int ts_stl(const double *y, size_t n, const ts_stl_opts *o,
           double *seasonal, double *trend, double *remainder, double *weights, mlsh_err *err);

#endif
