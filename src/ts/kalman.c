/* kalman.c - the numerical pieces of an ARIMA fit, following R's
 * stats::arima (src/library/stats/src/arima.c): the parameter transforms,
 * the expansion of seasonal polynomials, the stationary state covariance,
 * the Kalman-filter likelihood and the conditional sum of squares. */
/* The filter's short loops (rd ~ 2..40) only vectorise with GCC's
 * dynamic cost model; -O2's very-cheap model leaves them scalar. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-tree-loop-distribute-patterns")
#define TS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TS_CLONES
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <complex.h>
#include <lapacke.h>
#include <cblas.h>
#include "arima.h"
#include "../core/alloc.h"

/* Jones (1980): tanh maps R to (-1, 1), read as partial autocorrelations;
 * Durbin-Levinson turns them into AR coefficients of a stationary model. */
void ts_partrans(int p, const double *raw, double *out) {
  double work[128];
  for (int j = 0; j < p; j++) work[j] = out[j] = tanh(raw[j]);
  for (int j = 1; j < p; j++) {
    double a = out[j];
    for (int k = 0; k < j; k++) work[k] -= a * out[j - k - 1];
    memcpy(out, work, (size_t)j * sizeof(double));
  }
}

/* The inverse: run Durbin-Levinson backwards to the PACF, then atanh. */
void ts_invpartrans(int p, const double *phi, double *out) {
  double work[128];
  for (int j = 0; j < p; j++) work[j] = out[j] = phi[j];
  for (int j = p - 1; j > 0; j--) {
    double a = out[j];
    for (int k = 0; k < j; k++) work[k] = (out[k] + a * out[j - k - 1]) / (1 - a * a);
    memcpy(out, work, (size_t)j * sizeof(double));
  }
  for (int j = 0; j < p; j++) out[j] = atanh(out[j]);
}

/* Multiply out (1 - phi(B))(1 - Phi(B^s)) and (1 + theta(B))(1 + Theta(B^s)). */
void ts_expand_arma(const ts_order *o, const double *par, int trans, double *phi, double *theta) {
  int mp = o->p, mq = o->q, sp = o->P, sq = o->Q, s = o->s;
  double buf[256];
  const double *w = par;
  if (trans && (mp > 0 || sp > 0)) {
    int n = mp + mq + sp + sq;
    memcpy(buf, par, (size_t)n * sizeof(double));
    if (mp > 0) ts_partrans(mp, par, buf);
    if (sp > 0) ts_partrans(sp, par + mp + mq, buf + mp + mq);
    w = buf;
  }
  int p = mp + s * sp, q = mq + s * sq;
  for (int i = 0; i < p; i++) phi[i] = i < mp ? w[i] : 0.0;
  for (int i = 0; i < q; i++) theta[i] = i < mq ? w[mp + i] : 0.0;
  for (int j = 0; j < sp; j++) {
    double sj = w[mp + mq + j];
    phi[(j + 1) * s - 1] += sj;
    for (int i = 0; i < mp; i++) phi[(j + 1) * s + i] -= w[i] * sj;
  }
  for (int j = 0; j < sq; j++) {
    double sj = w[mp + mq + sp + j];
    theta[(j + 1) * s - 1] += sj;
    for (int i = 0; i < mq; i++) theta[(j + 1) * s + i] += w[mp + i] * sj;
  }
}

int ts_solve(double *A, double *B, int n, int m) {
  for (int c = 0; c < n; c++) {
    int piv = c;
    for (int i = c + 1; i < n; i++) if (fabs(A[(size_t)i * n + c]) > fabs(A[(size_t)piv * n + c])) piv = i;
    if (!(fabs(A[(size_t)piv * n + c]) > 1e-300)) return 0;
    if (piv != c) {
      for (int j = 0; j < n; j++) { double t = A[(size_t)c * n + j]; A[(size_t)c * n + j] = A[(size_t)piv * n + j]; A[(size_t)piv * n + j] = t; }
      for (int j = 0; j < m; j++) { double t = B[(size_t)c * m + j]; B[(size_t)c * m + j] = B[(size_t)piv * m + j]; B[(size_t)piv * m + j] = t; }
    }
    double inv = 1.0 / A[(size_t)c * n + c];
    for (int i = c + 1; i < n; i++) {
      double f = A[(size_t)i * n + c] * inv;
      if (f == 0) continue;
      for (int j = c; j < n; j++) A[(size_t)i * n + j] -= f * A[(size_t)c * n + j];
      for (int j = 0; j < m; j++) B[(size_t)i * m + j] -= f * B[(size_t)c * m + j];
    }
  }
  for (int c = n - 1; c >= 0; c--)
    for (int j = 0; j < m; j++) {
      double s = B[(size_t)c * m + j];
      for (int k = c + 1; k < n; k++) s -= A[(size_t)c * n + k] * B[(size_t)k * m + j];
      B[(size_t)c * m + j] = s / A[(size_t)c * n + c];
    }
  return 1;
}

/* Large states: the doubling algorithm P = sum_k T^k V T'^k, squaring T
 * each round (2^k terms after k rounds), until T^(2^k) is negligible. */
static int q0_doubling(const double *phi, int p, const double *R, int r, double *Q0, mlsh_err *err) {
  size_t rr = (size_t)r * r;
  double *A = mlsh_malloc(3 * rr * sizeof(double));
  if (!A) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *W = A + rr, *W2 = W + rr;
  memset(A, 0, rr * sizeof(double));
  for (int i = 0; i < r; i++) {
    if (i < p) A[(size_t)i * r] = phi[i];
    if (i + 1 < r) A[(size_t)i * r + i + 1] = 1.0;
  }
  for (int i = 0; i < r; i++)
    for (int j = 0; j < r; j++) Q0[(size_t)i * r + j] = R[i] * R[j];
  int rc = MLSH_ENUM;
  for (int it = 0; it < 60; it++) {
    /* Q0 += A Q0 A' ; A = A A */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, r, r, 1.0, A, r, Q0, r, 0.0, W, r);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r, r, r, 1.0, W, r, A, r, 1.0, Q0, r);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, r, r, 1.0, A, r, A, r, 0.0, W2, r);
    memcpy(A, W2, rr * sizeof(double));
    double amax = 0;
    for (size_t k = 0; k < rr; k++) if (fabs(A[k]) > amax) amax = fabs(A[k]);
    if (!isfinite(amax)) break;
    if (amax < 1e-18) { rc = MLSH_OK; break; }
  }
  mlsh_free(A);
  if (rc) return mlsh_seterr(err, MLSH_ENUM, "non-stationary AR part: the state covariance does not exist");
  return MLSH_OK;
}

/* Largest |P - T P T' - R R'| relative to the largest |P|: how well Q0
 * solves the stationary equation. */
static double lyapunov_residual(const double *phi, int p, const double *R, int r, const double *Q0) {
  double worst = 0, size = 0;
  for (int i = 0; i < r; i++)
    for (int j = i; j < r; j++) {
      double fi = i < p ? phi[i] : 0.0, fj = j < p ? phi[j] : 0.0;
      double tpt = fi * fj * Q0[0];
      if (j + 1 < r) tpt += fi * Q0[j + 1];
      if (i + 1 < r) tpt += fj * Q0[(size_t)(i + 1) * r];
      if (i + 1 < r && j + 1 < r) tpt += Q0[(size_t)(i + 1) * r + j + 1];
      double v = Q0[(size_t)i * r + j];
      worst = fmax(worst, fabs(v - tpt - R[i] * R[j]));
      size = fmax(size, fabs(v));
    }
  return isfinite(worst) && size > 0 ? worst / size : INFINITY;
}

/* The state of Harvey's form is a_t[i] = sum_{u>=0} phi_{i+u} y_{t-1-u}
 * + sum_{v>=0} R_{i+v} e_{t-v}, so its covariance follows from the ARMA
 * autocovariances gamma(0..p) (one (p+1)-system) and the psi weights
 * (Rossignol 2011): O(r^2 (p + r)) instead of the r^2/2-unknown system.
 * Returns 0 when that system is singular (a unit root). */
static int q0_autocov(const double *phi, int p, const double *R, int r, double *Q0, int *oom) {
  size_t g1 = (size_t)p + 1;
  double *G = mlsh_calloc(g1 * g1 + g1 + (size_t)r + (size_t)r * ((size_t)p + r), sizeof(double));
  if (!G) { *oom = 1; return 0; }
  double *gam = G + g1 * g1, *psi = gam + g1, *B = psi + r, *C = B + (size_t)r * p;
  for (int j = 0; j < r; j++) {
    double s = R[j];
    for (int k = 1; k <= j && k <= p; k++) s += phi[k - 1] * psi[j - k];
    psi[j] = s;
  }
  /* gamma(h) - sum_k phi_k gamma(|h - k|) = sum_{j>=h} R_j psi_{j-h} */
  for (int h = 0; h <= p; h++) {
    double *row = G + (size_t)h * g1;
    row[h] += 1.0;
    for (int k = 1; k <= p; k++) row[abs(h - k)] -= phi[k - 1];
    double s = 0;
    for (int j = h; j < r; j++) s += R[j] * psi[j - h];
    gam[h] = s;
  }
  int ok = ts_solve(G, gam, (int)g1, 1);
  if (ok) {
    /* B[i][w] = sum_u phi_{i+u} gamma(|u - w|), C[i][v] = sum_u phi_{i+u} psi_{v-1-u} */
    for (int i = 0; i < r; i++)
      for (int w = 0; w < p; w++) {
        double sb = 0;
        for (int u = 0; i + u < p; u++) sb += phi[i + u] * gam[abs(u - w)];
        B[(size_t)i * p + w] = sb;
      }
    for (int i = 0; i < r; i++)
      for (int v = 0; v < r; v++) {
        double sc = 0;
        for (int u = 0; i + u < p && u < v; u++) sc += phi[i + u] * psi[v - 1 - u];
        C[(size_t)i * r + v] = sc;
      }
    for (int i = 0; i < r; i++)
      for (int j = i; j < r; j++) {
        double s = 0;
        for (int w = 0; j + w < p; w++) s += B[(size_t)i * p + w] * phi[j + w];
        for (int v = 0; j + v < r; v++) s += C[(size_t)i * r + v] * R[j + v];
        for (int v = 0; i + v < r; v++) s += C[(size_t)j * r + v] * R[i + v];
        for (int v = 0; j + v < r; v++) s += R[i + v] * R[j + v];
        Q0[(size_t)i * r + j] = Q0[(size_t)j * r + i] = s;
      }
  }
  mlsh_free(G);
  return ok;
}

/* Stationary covariance of the state of Harvey's ARMA form
 * (T: phi in column 0 and a shifted identity, R = (1, theta)).
 * As Gardner, Harvey & Phillips (1980, AS 154) we solve the linear system
 * P - T P T' = R R' for the r(r+1)/2 distinct elements of P; for a pure MA
 * it is solved by back-substitution (P_ij = sum_k R_{i+k} R_{j+k}). */
int ts_getQ0(const double *phi, int p, const double *theta, int q, double *Q0, mlsh_err *err) {
  int r = p > q + 1 ? p : q + 1;
  double R[512];
  if (r > 350) return mlsh_seterr(err, MLSH_EINVAL, "maximum supported lag is 350 (got %d)", r);
  for (int i = 0; i < r; i++) R[i] = i == 0 ? 1.0 : (i - 1 < q ? theta[i - 1] : 0.0);
  if (p == 0) {
    for (int i = 0; i < r; i++)
      for (int j = i; j < r; j++) {
        double s = 0;
        for (int k = 0; j + k < r; k++) s += R[i + k] * R[j + k];
        Q0[i * r + j] = Q0[j * r + i] = s;
      }
    return MLSH_OK;
  }
  if (r == 1) { Q0[0] = 1.0 / (1.0 - phi[0] * phi[0]); return MLSH_OK; }
  /* the autocovariance route, checked; near a unit root it can lose
   * accuracy, and then the direct solution decides */
  int oom = 0;
  if (q0_autocov(phi, p, R, r, Q0, &oom) && lyapunov_residual(phi, p, R, r, Q0) < 1e-10) return MLSH_OK;
  if (oom) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (r > 28) return q0_doubling(phi, p, R, r, Q0, err);
  size_t m = (size_t)r * (r + 1) / 2;
  double *A = mlsh_calloc(m * m + m, sizeof(double));
  if (!A) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  double *b = A + m * m;
  /* index of (i, j), i <= j, in the packed unknown vector */
#define QIDX(i, j) ((i) <= (j) ? (size_t)(i) * r - (size_t)(i) * ((i) - 1) / 2 + ((j) - (i)) \
                               : (size_t)(j) * r - (size_t)(j) * ((j) - 1) / 2 + ((i) - (j)))
  for (int i = 0; i < r; i++)
    for (int j = i; j < r; j++) {
      size_t row = QIDX(i, j);
      double *a = A + row * m;
      double fi = i < p ? phi[i] : 0.0, fj = j < p ? phi[j] : 0.0;
      a[row] += 1.0;
      /* (T P T')_ij = fi fj P00 + fi P0,j+1 + fj Pi+1,0 + Pi+1,j+1 */
      a[QIDX(0, 0)] -= fi * fj;
      if (j + 1 < r) a[QIDX(0, j + 1)] -= fi;
      if (i + 1 < r) a[QIDX(i + 1, 0)] -= fj;
      if (i + 1 < r && j + 1 < r) a[QIDX(i + 1, j + 1)] -= 1.0;
      b[row] = R[i] * R[j];
    }
  int info = !ts_solve(A, b, (int)m, 1);
  if (info == 0)
    for (int i = 0; i < r; i++)
      for (int j = i; j < r; j++) Q0[i * r + j] = Q0[j * r + i] = b[QIDX(i, j)];
#undef QIDX
  mlsh_free(A);
  if (info != 0) return mlsh_seterr(err, MLSH_ENUM, "non-stationary AR part: the state covariance is singular");
  return MLSH_OK;
}

/* One Kalman step's covariance prediction Pn = T P T' + R R'. T is a
 * phi column plus shifted identities and the differencing row, so both
 * products are row copies plus a few axpys over the non-zero coefficients. */
static inline void vcopy(double *restrict o, const double *restrict a, int n) {
  for (int j = 0; j < n; j++) o[j] = a[j];
}
static inline void vaxpy(double *restrict o, double f, const double *restrict a, int n) {
  for (int j = 0; j < n; j++) o[j] += f * a[j];
}
/* o = a - c M */
static inline void vsubax(double *restrict o, const double *restrict a, double c, const double *restrict M, int n) {
  for (int j = 0; j < n; j++) o[j] = a[j] - c * M[j];
}

/* Row o of Pn = mm T' from the row x of mm (o[r] comes later, by symmetry). */
static inline void pn_row(const ts_ss *m, const int *nzp, int np, const double *x, double *o) {
  int r = m->r, d = m->d;
  vcopy(o, x + 1, r - 1);
  o[r - 1] = 0.0;
  for (int k = 0; k < np; k++) o[nzp[k]] += m->phi[nzp[k]] * x[0];
  if (d > 1) vcopy(o + r + 1, x + r, d - 1);
}

/* The same for a row of mm that is the row src of P less c M, without
 * forming it: most rows of T are shifts, so most rows of Pn are rows of
 * P shifted, less a multiple of M. */
static inline void pn_row_shifted(const ts_ss *m, const int *nzp, int np, const double *src, double c,
                                  const double *M, double *o) {
  int r = m->r, d = m->d;
  vsubax(o, src + 1, c, M + 1, r - 1);
  o[r - 1] = 0.0;
  double x0 = src[0] - c * M[0];
  for (int k = 0; k < np; k++) o[nzp[k]] += m->phi[nzp[k]] * x0;
  if (d > 1) vsubax(o + r + 1, src + r, c, M + r, d - 1);
}

/* Pn = T (P - g M') T' + R R': the prediction from the previous prediction
 * P and its update g = M / F (g = NULL: no observation, P as is). T is a
 * phi column plus shifted identities and the differencing row: only the
 * rows of T (P - g M') with phi or differencing terms are formed (in mm),
 * the others go straight into Pn; the differencing column of Pn is its
 * row, by symmetry. */
TS_CLONES void ts_predict_cov(const ts_ss *m, const double *P, const double *g, const double *M, double *mm, double *Pn) {
  int r = m->r, d = m->d, rd = m->rd, p = m->p, q = m->q;
  int nzp[1024], nzd[1024], nzt[1024], np = 0, ndl = 0, nt = 0;
  unsigned char formed[1024];
  double vt[1024];
  static const double zero[1024];
  for (int i = 0; i < p; i++) if (m->phi[i] != 0.0) nzp[np++] = i;
  for (int i = 0; i < d; i++) if (m->delta[i] != 0.0) nzd[ndl++] = i;
  nzt[nt] = 0; vt[nt++] = 1.0;
  for (int i = 0; i < q && i + 1 < r; i++) if (m->theta[i] != 0.0) { nzt[nt] = i + 1; vt[nt++] = m->theta[i]; }
  if (!g) g = M = zero;
  memset(formed, 0, (size_t)rd);
  for (int k = 0; k < np; k++) formed[nzp[k]] = 1;
  formed[r - 1] = 1;
  if (d > 0) formed[r] = 1;
  /* the formed rows of mm = T (P - g M') */
  for (int k = 0; k < np; k++)
    if (nzp[k] < r - 1) vsubax(mm + (size_t)nzp[k] * rd, P + (size_t)(nzp[k] + 1) * rd, g[nzp[k] + 1], M, rd);
  for (int j = 0; j < rd; j++) mm[(size_t)(r - 1) * rd + j] = 0.0;
  for (int k = 0; k < np; k++) {
    double *o = mm + (size_t)nzp[k] * rd, f = m->phi[nzp[k]];
    vaxpy(o, f, P, rd);
    vaxpy(o, -f * g[0], M, rd);
  }
  if (d > 0) {
    double *o = mm + (size_t)r * rd, c = g[0];
    vcopy(o, P, rd);
    for (int k = 0; k < ndl; k++) {
      double f = m->delta[nzd[k]];
      vaxpy(o, f, P + (size_t)(r + nzd[k]) * rd, rd);
      c += f * g[r + nzd[k]];
    }
    vaxpy(o, -c, M, rd);
  }
  /* Pn = mm T' + R R' */
  for (int i = 0; i < rd; i++) {
    double *o = Pn + (size_t)i * rd;
    if (formed[i]) pn_row(m, nzp, np, mm + (size_t)i * rd, o);
    else if (i < r - 1) pn_row_shifted(m, nzp, np, P + (size_t)(i + 1) * rd, g[i + 1], M, o);
    else pn_row_shifted(m, nzp, np, P + (size_t)(i - 1) * rd, g[i - 1], M, o);   /* differencing rows */
  }
  if (d > 0) {
    const double *x = mm + (size_t)r * rd;
    double s = x[0];
    for (int k = 0; k < ndl; k++) s += m->delta[nzd[k]] * x[r + nzd[k]];
    double *row = Pn + (size_t)r * rd;
    row[r] = s;
    for (int i = 0; i < rd; i++) if (i != r) Pn[(size_t)i * rd + r] = row[i];
  }
  for (int i = 0; i < nt; i++)
    for (int j = 0; j < nt; j++) Pn[(size_t)nzt[i] * rd + nzt[j]] += vt[i] * vt[j];
}

/* The filter of R's ARIMA_Like. Innovations with variance F >= 1e4 (the
 * diffuse start of the differenced states) do not enter the likelihood.
 * Once the predicted covariance stops changing (to 1e-13 relative) and
 * data are complete it is reused: the steady state saves O(rd^2) a step. */
void ts_arima_like(const double *y, size_t n, ts_ss *m, double *resid, double *ssq, double *sumlog, size_t *nu) {
  int r = m->r, d = m->d, rd = m->rd, p = m->p;
  const double *phi = m->phi, *delta = m->delta;
  double *a = m->a, *Pn = m->Pn;
  double anew[1024], M[1024], g[1024];
  int nzd[1024], ndl = 0;
  for (int k = 0; k < d; k++) if (delta[k] != 0.0) nzd[ndl++] = k;
  size_t rr = (size_t)rd * rd;
  double *mm = m->work, *prev = mm + rr;
  double s1 = 0, s2 = 0;
  size_t used = 0;
  int steady = 0, cached = 0, updated = 0;
  double F = 1.0, logF = 0.0;
  for (size_t t = 0; t < n; t++) {
    for (int i = 0; i < r; i++) anew[i] = (i < r - 1 ? a[i + 1] : 0.0) + (i < p ? phi[i] * a[0] : 0.0);
    if (d > 0) {
      double s = a[0];
      for (int k = 0; k < ndl; k++) s += delta[nzd[k]] * a[r + nzd[k]];
      for (int i = d - 1; i > 0; i--) anew[r + i] = a[r + i - 1];
      anew[r] = s;
    }
    if (t > 0 && !steady) {
      double *tmp = prev; prev = Pn; Pn = tmp;   /* keep the last prediction to compare */
      ts_predict_cov(m, prev, updated ? g : NULL, M, mm, Pn);
      int same = t > 1 && updated;
      double scale = fabs(Pn[0]);
      for (size_t k = 0; k < rr && same; k++)
        if (fabs(Pn[k] - prev[k]) > 1e-13 * (fabs(Pn[k]) + scale)) same = 0;
      steady = same;
    }
    if (!isnan(y[t])) {
      double v = y[t] - anew[0];
      for (int k = 0; k < ndl; k++) v -= delta[nzd[k]] * anew[r + nzd[k]];
      if (!cached) {   /* M = Pn Z (rows, by symmetry); constant in the steady state */
        vcopy(M, Pn, rd);
        for (int k = 0; k < ndl; k++) vaxpy(M, delta[nzd[k]], Pn + (size_t)(r + nzd[k]) * rd, rd);
        F = M[0];
        for (int k = 0; k < ndl; k++) F += delta[nzd[k]] * M[r + nzd[k]];
        logF = log(F);
        for (int i = 0; i < rd; i++) g[i] = M[i] / F;
        cached = steady;
      }
      if (F < 1e4) { used++; s1 += v * v / F; s2 += logF; }
      if (resid) resid[t] = v / sqrt(F);
      for (int i = 0; i < rd; i++) a[i] = anew[i] + g[i] * v;
      updated = 1;
    } else {
      steady = cached = updated = 0;  /* the steady state no longer holds after a gap */
      memcpy(a, anew, (size_t)rd * sizeof(double));
      if (resid) resid[t] = NAN;
    }
  }
  /* the filtered covariance of the last step, for forecasts */
  for (size_t k = 0; k < rr; k++) m->P[k] = Pn[k];
  if (updated)
    for (int i = 0; i < rd; i++) vaxpy(m->P + (size_t)i * rd, -g[i], M, rd);
  if (Pn != m->Pn) memcpy(m->Pn, Pn, rr * sizeof(double));
  *ssq = s1; *sumlog = s2; *nu = used;
}

/* R's ARIMA_CSS: difference, then run the ARMA recursion conditioning on
 * the first ncond values. w: n scratch doubles. Returns ssq / nu. */
double ts_arima_css(const double *y, size_t n, const ts_order *o, const double *phi, int p,
                    const double *theta, int q, size_t ncond, double *w, double *resid) {
  double *e = resid;
  memcpy(w, y, n * sizeof(double));
  for (int i = 0; i < o->d; i++)
    for (size_t l = n - 1; l > 0; l--) w[l] -= w[l - 1];
  size_t s = (size_t)o->s;
  for (int i = 0; i < o->D; i++)
    for (size_t l = n - 1; l >= s && s > 0; l--) w[l] -= w[l - s];
  if (!e) e = w + n;  /* caller gives 2n scratch when resid is NULL */
  for (size_t l = 0; l < ncond && l < n; l++) e[l] = 0;
  double ssq = 0;
  size_t nu = 0;
  size_t l0 = ncond + (size_t)q < n ? ncond + (size_t)q : n;
  for (size_t l = ncond; l < l0; l++) {   /* the MA recursion starts up */
    double v = w[l];
    for (int j = 0; j < p; j++) v -= phi[j] * w[l - j - 1];
    for (size_t j = 0; j < l - ncond; j++) v -= theta[j] * e[l - j - 1];
    e[l] = v;
    if (!isnan(v)) { nu++; ssq += v * v; }
  }
  for (size_t l = l0; l < n; l++) {
    double v = w[l];
    for (int j = 0; j < p; j++) v -= phi[j] * w[l - j - 1];
    for (int j = 0; j < q; j++) v -= theta[j] * e[l - j - 1];
    e[l] = v;
    if (!isnan(v)) { nu++; ssq += v * v; }
  }
  return ssq / (double)nu;
}

/* Roots of c0 + c1 z + ... + ck z^k (ck != 0) as companion eigenvalues. */
static int poly_roots(const double *c, int k, double complex *roots) {
  if (k > 120) return -1;
  double wr[120], wi[120], small[40 * 40];
  double *H = k <= 40 ? small : mlsh_malloc((size_t)k * k * sizeof(double));
  if (!H) return -1;
  memset(H, 0, (size_t)k * k * sizeof(double));
  for (int j = 0; j < k; j++) H[j] = -c[k - 1 - j] / c[k];
  for (int i = 1; i < k; i++) H[i * k + i - 1] = 1.0;
  lapack_int info = LAPACKE_dhseqr(LAPACK_ROW_MAJOR, 'E', 'N', k, 1, k, H, k, wr, wi, NULL, k);
  if (H != small) mlsh_free(H);
  if (info != 0) return -1;
  for (int i = 0; i < k; i++) roots[i] = wr[i] + I * wi[i];
  return 0;
}

int ts_ar_stationary(const double *c, int p) {
  double poly[121];
  double complex roots[120];
  while (p > 0 && c[p - 1] == 0.0) p--;
  if (p == 0) return 1;
  if (p > 120) return 0;
  poly[0] = 1.0;
  for (int i = 0; i < p; i++) poly[i + 1] = -c[i];
  if (poly_roots(poly, p, roots) != 0) return 0;
  for (int i = 0; i < p; i++)
    if (cabs(roots[i]) <= 1.0) return 0;
  return 1;
}

void ts_ma_invert(double *ma, int q) {
  double poly[121];
  double complex roots[120], x[121];
  int q0 = q;
  while (q0 > 0 && ma[q0 - 1] == 0.0) q0--;
  if (q0 == 0 || q0 > 120) return;
  poly[0] = 1.0;
  for (int i = 0; i < q0; i++) poly[i + 1] = ma[i];
  if (poly_roots(poly, q0, roots) != 0) return;
  int any = 0;
  for (int i = 0; i < q0; i++)
    if (cabs(roots[i]) < 1.0) { any = 1; roots[i] = 1.0 / roots[i]; }
  if (!any) return;
  if (q0 == 1) { ma[0] = 1.0 / ma[0]; return; }
  /* rebuild prod (1 - z / root) */
  int len = 1;
  x[0] = 1.0;
  for (int k = 0; k < q0; k++) {
    x[len] = 0.0;
    for (int i = len; i > 0; i--) x[i] -= x[i - 1] / roots[k];
    len++;
  }
  for (int i = 0; i < q0; i++) ma[i] = creal(x[i + 1]);
}
