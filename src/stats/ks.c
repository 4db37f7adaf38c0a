/* ks.c - the Kolmogorov-Smirnov tests as R 4.2's ks.test: exact p-values
 * by Marsaglia, Tsang and Wang (2003) for one sample and by R's
 * psmirnov2x recursion for two samples, Birnbaum and Tingey (1951) for
 * the one-sided one-sample exact case, else the limiting distributions. */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "htest.h"
#include "../core/alloc.h"

#define KOLMOGOROV_EXACT_MAX 200   /* the matrices are (2 k - 1)^2, k ~ n D: n^3 log n work */

static void m_multiply(const double *A, const double *B, double *C, int m) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < m; j++) {
      double s = 0;
      for (int k = 0; k < m; k++) s += A[i * m + k] * B[k * m + j];
      C[i * m + j] = s;
    }
}

/* V = A^n with a decimal exponent *eV kept apart; B is m*m scratch per level. */
static int m_power(const double *A, int eA, double *V, int *eV, int m, int n) {
  if (n == 1) {
    memcpy(V, A, (size_t)m * m * sizeof *V);
    *eV = eA;
    return MLSH_OK;
  }
  if (m_power(A, eA, V, eV, m, n / 2) != MLSH_OK) return MLSH_ENOMEM;
  double *B = mlsh_malloc((size_t)m * m * sizeof *B);
  if (!B) return MLSH_ENOMEM;
  m_multiply(V, V, B, m);
  int eB = 2 * *eV;
  if (n % 2 == 0) { memcpy(V, B, (size_t)m * m * sizeof *V); *eV = eB; }
  else { m_multiply(A, B, V, m); *eV = eA + eB; }
  if (V[(m / 2) * m + (m / 2)] > 1e140) {
    for (int i = 0; i < m * m; i++) V[i] *= 1e-140;
    *eV += 140;
  }
  mlsh_free(B);
  return MLSH_OK;
}

/* P[D_n < d] (R's pkolmogorov2x). */
static int pkolmogorov2x(double d, int n, double *out) {
  int k = (int)(n * d) + 1, m = 2 * k - 1, eQ;
  double h = k - n * d;
  double *H = mlsh_calloc((size_t)m * m, sizeof *H), *Q = mlsh_calloc((size_t)m * m, sizeof *Q);
  if (!H || !Q) { mlsh_free(H); mlsh_free(Q); return MLSH_ENOMEM; }
  for (int i = 0; i < m; i++)
    for (int j = 0; j < m; j++) H[i * m + j] = i - j + 1 < 0 ? 0 : 1;
  for (int i = 0; i < m; i++) {
    H[i * m] -= pow(h, i + 1);
    H[(m - 1) * m + i] -= pow(h, m - i);
  }
  H[(m - 1) * m] += 2 * h - 1 > 0 ? pow(2 * h - 1, m) : 0;
  for (int i = 0; i < m; i++)
    for (int j = 0; j < m; j++)
      if (i - j + 1 > 0) for (int g = 1; g <= i - j + 1; g++) H[i * m + j] /= g;
  int rc = m_power(H, 0, Q, &eQ, m, n);
  if (rc == MLSH_OK) {
    double s = Q[(k - 1) * m + k - 1];
    for (int i = 1; i <= n; i++) {
      s = s * i / n;
      if (s < 1e-140) { s *= 1e140; eQ -= 140; }
    }
    *out = s * pow(10., eQ);
  }
  mlsh_free(H);
  mlsh_free(Q);
  return rc;
}

/* P[D+ < x] for one sample (Birnbaum and Tingey), as R's pkolmogorov1x. */
static double pkolmogorov1x(double x, size_t n) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  double fn = (double)n, s = 0;
  for (double j = 0; j <= floor(fn * (1 - x)); j++)
    s += exp(lchoose(fn, j) + (fn - j) * log(1 - x - j / fn) + (j - 1) * log(x + j / fn));
  return 1 - x * s;
}

/* P[D < q] for two samples (R's psmirnov, exact = TRUE): the lattice
 * paths from (0, 0) to (m, n), counted along the anti-diagonals, that
 * keep |u/m - v/n| (one-sided: u/m - v/n) below q after every pooled
 * value that ends a run of ties (last[k]); divided by choose(m + n, m). */
static int psmirnov_exact(double q, size_t m, size_t n, const unsigned char *last, int two_sided, double *out) {
  double md = (double)m, nd = (double)n, stat = (0.5 + floor(q * md * nd - 1e-7)) / (md * nd);
  double *diag = mlsh_calloc(m + 2, sizeof *diag);
  if (!diag) return MLSH_ENOMEM;
  diag[0] = 1;   /* diag[u]: paths reaching (u, k - u) */
  for (size_t k = 1; k <= m + n; k++) {
    size_t ulo = k > n ? k - n : 0, uhi = k < m ? k : m;
    for (size_t u = uhi + 1; u-- > ulo;) {
      double c = (k - u <= n && u <= k - 1 ? diag[u] : 0) + (u > 0 ? diag[u - 1] : 0);
      if (last[k - 1]) {
        double d = (double)u / md - (double)(k - u) / nd;
        if (two_sided) d = fabs(d);
        if (!(stat > d)) c = 0;
      }
      diag[u] = c;
    }
    if (ulo > 0) diag[ulo - 1] = 0;
  }
  double logdenom = lgammafn(md + nd + 1) - lgammafn(md + 1) - lgammafn(nd + 1);
  *out = diag[m] / exp(logdenom);
  mlsh_free(diag);
  return isfinite(*out) ? MLSH_OK : MLSH_ENUM;
}

/* The limiting distribution: sum_k (-1)^k exp(-2 k^2 x^2) (R's pkstwo, tol 1e-6). */
static double pkstwo(double x) {
  double tol = 1e-6;
  if (!(x > 0)) return 0;
  if (x < 1) {
    int k_max = (int)sqrt(2 - log(tol));
    double z = -(M_PI_2 * M_PI_4) / (x * x), w = log(x), s = 0;
    for (int k = 1; k < k_max; k += 2) s += exp(k * k * z - w);
    return s / M_1_SQRT_2PI;
  }
  double z = -2 * x * x, s = -1, old = 0, new = 1;
  for (int k = 1; fabs(old - new) > tol; k++) {
    old = new;
    new += 2 * s * exp(z * k * k);
    s *= -1;
  }
  return new;
}

typedef struct { double v; int from_x; } pooled;

static int by_value(const void *a, const void *b) {
  const pooled *x = a, *y = b;
  return (x->v > y->v) - (x->v < y->v);
}

static size_t drop_nan(const double *x, size_t n, double *out) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) if (!isnan(x[i])) out[m++] = x[i];
  return m;
}

static double one_sided_stat(double dplus, double dminus, st_alternative alt) {
  return alt == ST_TWO_SIDED ? fmax(dplus, dminus) : alt == ST_GREATER ? dplus : dminus;
}

static int one_sample(double *x, size_t n, st_cdf cdf, const void *par, st_alternative alt, int exact, st_htest *r) {
  qsort(x, n, sizeof *x, st_cmp_double);
  int ties = 0;
  for (size_t i = 1; i < n; i++) ties |= x[i] == x[i - 1];
  if (ties) r->warning = "ties should not be present for the Kolmogorov-Smirnov test";
  if (exact < 0) exact = n < 100 && !ties;
  double fn = (double)n, dplus = -INFINITY, dminus = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    double v = cdf(x[i], par) - (double)i / fn;
    dminus = fmax(dminus, v);
    dplus = fmax(dplus, 1 / fn - v);
  }
  r->statistic = one_sided_stat(dplus, dminus, alt);
  r->method = exact ? "Exact one-sample Kolmogorov-Smirnov test" : "Asymptotic one-sample Kolmogorov-Smirnov test";
  r->exact = exact;
  if (!exact) return MLSH_OK;
  if (alt != ST_TWO_SIDED) { r->p_value = 1 - pkolmogorov1x(r->statistic, n); return MLSH_OK; }
  double p;
  if (pkolmogorov2x(r->statistic, (int)n, &p) != MLSH_OK) return MLSH_ENOMEM;
  r->p_value = 1 - p;
  return MLSH_OK;
}

static int two_sample(const double *x, size_t nx, const double *y, size_t ny, st_alternative alt, int exact,
                      st_htest *r) {
  size_t N = nx + ny;
  pooled *w = mlsh_malloc(N * sizeof *w);
  unsigned char *last = mlsh_malloc(N);
  if (!w || !last) { mlsh_free(w); mlsh_free(last); return MLSH_ENOMEM; }
  for (size_t i = 0; i < nx; i++) { w[i].v = x[i]; w[i].from_x = 1; }
  for (size_t i = 0; i < ny; i++) { w[nx + i].v = y[i]; w[nx + i].from_x = 0; }
  /* within a run of ties the order does not matter: only the ends of runs count */
  qsort(w, N, sizeof *w, by_value);
  if (exact < 0) exact = (double)nx * (double)ny < 10000;
  double fx = (double)nx, fy = (double)ny, z = 0, zmax = -INFINITY, zmin = INFINITY;
  int ties = 0;
  for (size_t i = 0; i < N; i++) {
    z += w[i].from_x ? 1 / fx : -1 / fy;
    last[i] = i + 1 == N || w[i + 1].v != w[i].v;
    ties |= !last[i];
    if (last[i]) { zmax = fmax(zmax, z); zmin = fmin(zmin, z); }
  }
  mlsh_free(w);
  if (ties && !exact) r->warning = "p-value will be approximate in the presence of ties";
  r->statistic = alt == ST_TWO_SIDED ? fmax(fabs(zmax), fabs(zmin)) : alt == ST_GREATER ? zmax : -zmin;
  r->method = exact ? "Exact two-sample Kolmogorov-Smirnov test" : "Asymptotic two-sample Kolmogorov-Smirnov test";
  r->exact = exact;
  int rc = MLSH_OK;
  if (exact) {
    double p = 0;
    rc = psmirnov_exact(r->statistic, nx, ny, last, alt == ST_TWO_SIDED, &p);
    r->p_value = 1 - p;
  }
  mlsh_free(last);
  return rc;
}

int st_ks_test(const double *x, size_t nx, const double *y, size_t ny, st_cdf cdf, const void *par, st_alternative alt,
               int exact, st_htest *r, mlsh_err *err) {
  memset(r, 0, sizeof *r);
  double *buf = mlsh_malloc((nx + ny + 1) * sizeof *buf);
  if (!buf) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  size_t mx = drop_nan(x, nx, buf), my = y ? drop_nan(y, ny, buf + mx) : 0;
  int rc = MLSH_OK;
  r->parameter = r->conf_int[0] = r->conf_int[1] = NAN;
  r->nx = mx; r->ny = my;
  if (mx < 1) rc = mlsh_seterr(err, MLSH_EINVAL, "not enough 'x' data");
  else if (y && my < 1) rc = mlsh_seterr(err, MLSH_EINVAL, "not enough 'y' data");
  else if (y && exact == 1 && (double)mx * (double)my > 1e8)
    rc = mlsh_seterr(err, MLSH_EINVAL, "exact = true needs nx * ny <= 1e8 (got %zu * %zu)", mx, my);
  else if (!y && exact == 1 && alt == ST_TWO_SIDED && mx > KOLMOGOROV_EXACT_MAX)
    rc = mlsh_seterr(err, MLSH_EINVAL, "exact = true needs at most %d observations (got %zu)", KOLMOGOROV_EXACT_MAX, mx);
  else {
    rc = y ? two_sample(buf, mx, buf + mx, my, alt, exact, r) : one_sample(buf, mx, cdf, par, alt, exact, r);
    if (rc == MLSH_ENUM) rc = mlsh_seterr(err, rc, "the exact p-value overflows for samples of %zu and %zu; use exact = false", mx, my);
    else if (rc != MLSH_OK) rc = mlsh_seterr(err, rc, "not enough memory");
  }
  if (rc == MLSH_OK && !r->exact) {
    double n = y ? (double)mx * (double)my / (double)(mx + my) : (double)mx;
    r->p_value = alt == ST_TWO_SIDED ? 1 - pkstwo(sqrt(n) * r->statistic) : exp(-2 * n * r->statistic * r->statistic);
  }
  if (rc == MLSH_OK) r->p_value = fmin(1, fmax(0, r->p_value));
  mlsh_free(buf);
  return rc;
}
