/* stl.c - STL decomposition (Cleveland et al. 1990) computed as R's
 * stats::stl: the same loess estimator, the same jumps and linear
 * interpolation between fitted points, the same low-pass filter and the
 * same robustness weights, so that the results agree with R's to rounding.
 * Positions are 1-based inside the smoothers (as the published algorithm
 * states them), arrays 0-based. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stl.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

void ts_stl_defaults(ts_stl_opts *o, int period, int s_window) {
  memset(o, 0, sizeof *o);
  o->period = period;
  o->s_window = s_window;
  o->s_degree = 0;
  o->t_degree = 1;
  o->l_degree = -1;
  o->inner = o->outer = -1;
}

/* ---- settings ---- */

static int next_odd(long w) { return (int)(w % 2 == 0 ? w + 1 : w); }
static int jump_for(long window) { return (int)((window + 9) / 10); }

static int check_window(int w, const char *name, mlsh_err *err) {
  if (w > 0 && (w < 3 || w % 2 == 0))
    return mlsh_seterr(err, MLSH_EINVAL, "%s must be an odd integer >= 3 (got %d)", name, w);
  return MLSH_OK;
}

static int check_degree(int d, const char *name, mlsh_err *err) {
  if (d != 0 && d != 1) return mlsh_seterr(err, MLSH_EINVAL, "%s must be 0 or 1 (got %d)", name, d);
  return MLSH_OK;
}

static int check_settings(const ts_stl_opts *o, size_t n, mlsh_err *err) {
  if (o->period < 2) return mlsh_seterr(err, MLSH_EINVAL, "period must be at least 2 (got %d)", o->period);
  if (n <= 2 * (size_t)o->period)
    return mlsh_seterr(err, MLSH_EINVAL, "the series must be longer than two periods (n = %zu, period %d)", n, o->period);
  if (n > INT_MAX / 16) return mlsh_seterr(err, MLSH_EINVAL, "the series is too long (n = %zu)", n);
  int rc;
  if ((rc = check_window(o->s_window, "s_window", err)) || (rc = check_window(o->t_window, "t_window", err)) ||
      (rc = check_window(o->l_window, "l_window", err)))
    return rc;
  if (o->s_window < 0) return mlsh_seterr(err, MLSH_EINVAL, "s_window must be an odd integer >= 3 or periodic (got %d)", o->s_window);
  if ((rc = check_degree(o->s_degree, "s_degree", err)) || (rc = check_degree(o->t_degree, "t_degree", err)))
    return rc;
  if (o->l_degree >= 0 && (rc = check_degree(o->l_degree, "l_degree", err))) return rc;
  if (o->inner == 0) return mlsh_seterr(err, MLSH_EINVAL, "inner must be at least 1 (got 0)");
  return MLSH_OK;
}

int ts_stl_resolve(const ts_stl_opts *o, size_t n, ts_stl_opts *r, mlsh_err *err) {
  int rc = check_settings(o, n, err);
  if (rc) return rc;
  *r = *o;
  long sw = o->s_window ? o->s_window : ts_stl_periodic_window(n);
  if (!o->s_window) r->s_degree = 0;
  if (r->l_degree < 0) r->l_degree = r->t_degree;
  if (r->t_window <= 0) r->t_window = next_odd((long)ceil(1.5 * o->period / (1.0 - 1.5 / (double)sw)));
  if (r->l_window <= 0) r->l_window = next_odd(o->period);
  if (r->s_jump <= 0) r->s_jump = jump_for(sw);
  if (r->t_jump <= 0) r->t_jump = jump_for(r->t_window);
  if (r->l_jump <= 0) r->l_jump = jump_for(r->l_window);
  r->robust = o->robust != 0;
  if (r->inner < 0) r->inner = r->robust ? 1 : 2;
  if (r->outer < 0) r->outer = r->robust ? 15 : 0;
  return MLSH_OK;
}

/* ---- loess ---- */

/* One loess window: what the smoothers fit with. */
typedef struct loess {
  const double *y, *rw;   /* values and robustness weights (NULL: none) */
  long n, len;            /* values, span */
  int degree;
  double *w;              /* n scratch weights */
} loess;

/* The local fit at position xs from y[nleft..nright] (1-based) with
 * tricube weights over the span; 0 when every weight is zero. */
static int loess_at(const loess *s, double xs, long nleft, long nright, double *ys) {
  double h = fmax(xs - (double)nleft, (double)nright - xs);
  if (s->len > s->n) h += (double)((s->len - s->n) / 2);
  double h9 = 0.999 * h, h1 = 0.001 * h, total = 0;
  double *w = s->w;   /* w[j - 1] weighs position j */
  for (long j = nleft; j <= nright; j++) {
    double r = fabs((double)j - xs), wj = 0;
    if (r <= h9) {
      if (r <= h1) wj = 1;
      else { double u = r / h; u = 1 - u * u * u; wj = u * u * u; }
      if (s->rw) wj *= s->rw[j - 1];
      total += wj;
    }
    w[j - 1] = wj;
  }
  if (total <= 0) return 0;
  double mean = 0, fit = 0;   /* loops fused where the order of the operations stays R's */
  for (long j = nleft; j <= nright; j++) { w[j - 1] /= total; mean += w[j - 1] * (double)j; }
  double ss = 0;
  if (h > 0 && s->degree > 0) {
    for (long j = nleft; j <= nright; j++) { double d = (double)j - mean; ss += w[j - 1] * (d * d); }
  }
  if (h > 0 && s->degree > 0 && sqrt(ss) > 0.001 * ((double)s->n - 1)) {   /* tilt the weights into a local line */
    double slope = (xs - mean) / ss;
    for (long j = nleft; j <= nright; j++) fit += w[j - 1] * (slope * ((double)j - mean) + 1.0) * s->y[j - 1];
  } else {
    for (long j = nleft; j <= nright; j++) fit += w[j - 1] * s->y[j - 1];
  }
  *ys = fit;
  return 1;
}

static void fit_or_keep(const loess *s, long i, long nleft, long nright, double *ys) {
  if (!loess_at(s, (double)i, nleft, nright, &ys[i - 1])) ys[i - 1] = s->y[i - 1];
}

/* Straight lines through ys at positions a and b (1-based) fill between them. */
static void interpolate(double *ys, long a, long b) {
  double delta = (ys[b - 1] - ys[a - 1]) / (double)(b - a);
  for (long j = a + 1; j < b; j++) ys[j - 1] = ys[a - 1] + delta * (double)(j - a);
}

/* ys = the loess smooth of s->y, fitted every `jump` positions (and at the
 * last) and interpolated linearly between. */
static void loess_smooth(const loess *s, long jump, double *ys) {
  long n = s->n, len = s->len;
  if (n < 2) { ys[0] = s->y[0]; return; }
  long step = jump < n - 1 ? jump : n - 1, half = (len + 1) / 2, nleft = 1, nright = n;
  if (len >= n) {
    for (long i = 1; i <= n; i += step) fit_or_keep(s, i, 1, n, ys);
  } else if (step == 1) {
    nright = len;
    for (long i = 1; i <= n; i++) {
      if (i > half && nright != n) { nleft++; nright++; }
      fit_or_keep(s, i, nleft, nright, ys);
    }
  } else {
    for (long i = 1; i <= n; i += step) {
      if (i < half) { nleft = 1; nright = len; }
      else if (i >= n - half + 1) { nleft = n - len + 1; nright = n; }
      else { nleft = i - half + 1; nright = len + i - half; }
      fit_or_keep(s, i, nleft, nright, ys);
    }
  }
  if (step == 1) return;
  for (long i = 1; i <= n - step; i += step) interpolate(ys, i, i + step);
  long last = ((n - 1) / step) * step + 1;
  if (last != n) {   /* the last window fitted serves the end point */
    fit_or_keep(s, n, nleft, nright, ys);
    if (last != n - 1) interpolate(ys, last, n);
  }
}

/* ---- the decomposition ---- */

typedef struct stl_work {
  const double *y;
  long n, np;
  ts_stl_opts o;
  long s_window;
  double *cycle;          /* n + 2 np: smoothed cycle-subseries, a period past each end */
  double *a, *b;          /* n + 2 np scratch each */
  double *sub, *sub_rw, *sub_fit;   /* one cycle-subseries: values, weights, fit (k + 2) */
  double *w;              /* loess weights */
  double *rw;             /* robustness weights, NULL before the first outer pass */
  double *rw_store, *sorted;
} stl_work;

/* Smooth each cycle-subseries of x (positions j, j + np, ...) and extend
 * it one value past both ends, into st->cycle. */
static void smooth_cycles(stl_work *st, const double *x) {
  long n = st->n, np = st->np;
  for (long j = 0; j < np; j++) {
    long k = (n - 1 - j) / np + 1;
    for (long i = 0; i < k; i++) {
      st->sub[i] = x[i * np + j];
      if (st->rw) st->sub_rw[i] = st->rw[i * np + j];
    }
    loess s = {st->sub, st->rw ? st->sub_rw : NULL, k, st->s_window, st->o.s_degree, st->w};
    double *fit = st->sub_fit;
    loess_smooth(&s, st->o.s_jump, fit + 1);
    if (!loess_at(&s, 0.0, 1, st->s_window < k ? st->s_window : k, &fit[0])) fit[0] = fit[1];
    long left = k - st->s_window + 1 > 1 ? k - st->s_window + 1 : 1;
    if (!loess_at(&s, (double)(k + 1), left, k, &fit[k + 1])) fit[k + 1] = fit[k];
    for (long m = 0; m < k + 2; m++) st->cycle[m * np + j] = fit[m];
  }
}

/* out[0..n-len] = running means of x[0..n-1] over len values. */
static void moving_average(const double *x, long n, long len, double *out) {
  double sum = 0;
  for (long i = 0; i < len; i++) sum += x[i];
  out[0] = sum / (double)len;
  for (long j = 1; j < n - len + 1; j++) {
    sum = sum - x[j - 1] + x[j + len - 1];
    out[j] = sum / (double)len;
  }
}

/* One inner pass: seasonal from the detrended series, then the trend of the
 * deseasonalised one. */
static void inner_pass(stl_work *st, double *seasonal, double *trend) {
  long n = st->n, np = st->np;
  double *a = st->a, *b = st->b;
  for (long i = 0; i < n; i++) a[i] = st->y[i] - trend[i];
  smooth_cycles(st, a);
  moving_average(st->cycle, n + 2 * np, np, b);   /* low-pass: np, np, 3, then loess */
  moving_average(b, n + np + 1, np, a);
  moving_average(a, n + 2, 3, b);
  loess low = {b, NULL, n, st->o.l_window, st->o.l_degree, st->w};
  loess_smooth(&low, st->o.l_jump, a);
  for (long i = 0; i < n; i++) seasonal[i] = st->cycle[np + i] - a[i];
  for (long i = 0; i < n; i++) a[i] = st->y[i] - seasonal[i];
  loess t = {a, st->rw, n, st->o.t_window, st->o.t_degree, st->w};
  loess_smooth(&t, st->o.t_jump, trend);
}

/* Chambers' partial quicksort (CACM Algorithm 410) as the STL authors'
 * code runs it: quicksort steps that keep only the parts holding a wanted
 * rank (ranks[0..nranks-1], 1-based, meant to be increasing), insertion
 * sort for short parts away from the start. R's stl asks it for the two
 * middle ranks in decreasing order, which it does not expect: now and then
 * the values left there are not the order statistics. The robustness
 * weights depend on them, so we select the same way to agree with R. */
#define AT(x) a[(x) - 1]
static void insertion_sort(double *a, long i, long j) {   /* AT(i - 1) bounds the part below */
  for (long q = i; q < j; q++) {
    double t = AT(q + 1);
    if (AT(q) <= t) continue;
    long k = q;
    do { AT(k + 1) = AT(k); k--; } while (t < AT(k));
    AT(k + 1) = t;
  }
}

/* Median-of-three pivot and the exchange scan over a[i..j]; *kp, *lp: where the scans crossed. */
static void partition(double *a, long i, long j, long *kp, long *lp) {
  long mid = (i + j) / 2, k = i, l = j;
  double t = AT(mid);
  if (AT(i) > t) { AT(mid) = AT(i); AT(i) = t; t = AT(mid); }
  if (AT(j) < t) {
    AT(mid) = AT(j); AT(j) = t; t = AT(mid);
    if (AT(i) > t) { AT(mid) = AT(i); AT(i) = t; t = AT(mid); }
  }
  for (;;) {
    l--;
    if (AT(l) > t) continue;
    double tt = AT(l);
    do k++; while (AT(k) < t);
    if (k > l) break;
    AT(l) = AT(k); AT(k) = tt;
  }
  *kp = k; *lp = l;
}

static void partial_sort(double *a, long n, const long *ranks, int nranks) {
  if (n < 2 || nranks == 0) return;
  long lo_stack[64], hi_stack[64];
  int rlo_stack[64], rhi_stack[64], depth = 0;
  long i = 1, j = n;
  int rlo = 1, rhi = nranks;   /* the wanted ranks ranks[rlo-1..rhi-1] lie in a[i..j] */
  for (;;) {
    int keep = 1;
    if (j - i > 10 || (i == 1 && i < j)) {
      long k, l;
      partition(a, i, j, &k, &l);
      rlo_stack[depth] = rlo; rhi_stack[depth] = rhi;
      if (l - i <= j - k) {   /* go on with the lower part, keep the upper */
        lo_stack[depth] = k; hi_stack[depth] = j;
        j = l;
        while (rlo <= rhi && ranks[rhi - 1] > j) rhi--;
        if ((keep = rlo <= rhi)) rlo_stack[depth] = rhi + 1;
      } else {
        lo_stack[depth] = i; hi_stack[depth] = l;
        i = k;
        while (rlo <= rhi && ranks[rlo - 1] < i) rlo++;
        if ((keep = rlo <= rhi)) rhi_stack[depth] = rlo - 1;
      }
      depth++;
      if (keep) continue;
    } else if (i != 1) {
      insertion_sort(a, i, j);
    }
    do {   /* the next kept part that still holds a wanted rank */
      if (depth == 0) return;
      depth--;
      i = lo_stack[depth]; j = hi_stack[depth]; rlo = rlo_stack[depth]; rhi = rhi_stack[depth];
    } while (rlo > rhi);
  }
}
#undef AT

/* Bisquare weights of the residuals y - fit, scaled by 6 times their median. */
static void robustness_weights(stl_work *st, const double *fit) {
  long n = st->n;
  for (long i = 0; i < n; i++) st->sorted[i] = fabs(st->y[i] - fit[i]);
  long mid[2] = { n / 2 + 1, n - n / 2 };
  partial_sort(st->sorted, n, mid, 2);
  double cmad = 3.0 * (st->sorted[mid[0] - 1] + st->sorted[mid[1] - 1]);
  double c9 = 0.999 * cmad, c1 = 0.001 * cmad;
  for (long i = 0; i < n; i++) {
    double r = fabs(st->y[i] - fit[i]), u = r / cmad;
    st->rw_store[i] = r <= c1 ? 1.0 : r <= c9 ? (1.0 - u * u) * (1.0 - u * u) : 0.0;
  }
  st->rw = st->rw_store;
}

/* A periodic seasonal: each position's mean over the cycles, as R (a
 * long-double mean refined by the mean residual). */
static void cycle_means(double *seasonal, long n, long np) {
  for (long j = 0; j < np; j++) {
    long k = (n - 1 - j) / np + 1;
    long double sum = 0, fix = 0;
    for (long i = j; i < n; i += np) sum += seasonal[i];
    sum /= k;
    for (long i = j; i < n; i += np) fix += seasonal[i] - sum;
    double mean = (double)(sum + fix / k);
    for (long i = j; i < n; i += np) seasonal[i] = mean;
  }
}

static int check_values(const double *y, size_t n, mlsh_err *err) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(y[i]))
      return mlsh_seterr(err, MLSH_EINVAL, "y[%zu] is %s: the series must have no missing values", i + 1,
                         isnan(y[i]) ? "missing (NaN)" : "infinite");
  return MLSH_OK;
}

static int run_stl(stl_work *st, double *seasonal, double *trend) {
  for (long i = 0; i < st->n; i++) trend[i] = 0;
  for (int pass = 0;; pass++) {
    for (int it = 0; it < st->o.inner; it++) {
      if (mlsh_interrupted()) return MLSH_EINTR;
      inner_pass(st, seasonal, trend);
    }
    if (pass >= st->o.outer) break;
    for (long i = 0; i < st->n; i++) st->a[i] = trend[i] + seasonal[i];
    robustness_weights(st, st->a);
  }
  return MLSH_OK;
}

int ts_stl(const double *y, size_t n, const ts_stl_opts *o,
           double *seasonal, double *trend, double *remainder, double *weights, mlsh_err *err) {
  stl_work st;
  memset(&st, 0, sizeof st);
  int rc = ts_stl_resolve(o, n, &st.o, err);
  if (rc || (rc = check_values(y, n, err))) return rc;
  st.y = y;
  st.n = (long)n;
  st.np = st.o.period;
  st.s_window = st.o.s_window ? st.o.s_window : ts_stl_periodic_window(n);
  size_t wide = n + 2 * (size_t)st.np;
  double *block = mlsh_malloc_array(4 * wide + 5 * n, sizeof(double));
  if (!block) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  st.cycle = block; st.a = block + wide; st.b = block + 2 * wide; st.sub_fit = block + 3 * wide;
  double *rest = block + 4 * wide;
  st.sub = rest; st.sub_rw = rest + n; st.w = rest + 2 * n; st.rw_store = rest + 3 * n; st.sorted = rest + 4 * n;
  rc = run_stl(&st, seasonal, trend);
  if (rc == MLSH_OK) {
    if (!o->s_window) cycle_means(seasonal, st.n, st.np);
    for (size_t i = 0; i < n; i++) remainder[i] = y[i] - seasonal[i] - trend[i];
    if (weights)
      for (size_t i = 0; i < n; i++) weights[i] = st.o.outer > 0 ? st.rw_store[i] : 1.0;
  } else {
    mlsh_seterr(err, rc, "interrupted");
  }
  mlsh_free(block);
  return rc;
}
