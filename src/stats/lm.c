/* lm.c - weighted least squares by a tall-skinny QR with R's column rule
 * for aliased coefficients, and the statistics of R's summary.lm,
 * logLik.lm and anova.lm. */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>
#include "lm.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

/* Rows per block of the tall-skinny QR: a block of ~30 columns stays in L2. */
#define TSQR_ROWS 1024

static int oom(mlsh_err *err) { return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }

void st_ls_free(st_ls *r) {
  mlsh_free(r->pivot); mlsh_free(r->coef); mlsh_free(r->R); mlsh_free(r->Rinv);
  mlsh_free(r->effects); mlsh_free(r->fitted); mlsh_free(r->resid);
  memset(r, 0, sizeof *r);
}

/* ---- Tall-skinny QR of [sqrt(w) X | sqrt(w) y] --------------------------- */

typedef struct {
  const double *X, *y, *sw;   /* sw: square roots of the weights, or NULL */
  size_t n, p, q, nb, rows;   /* q = p + 1 columns; blocks of `rows` rows, the last one longer */
  double *S;                  /* stacked R factors: (nb q) x q */
} tsqr_job;

static int tsqr_block(void *ctx, size_t b, size_t e, int tid) {
  tsqr_job *J = ctx;
  size_t q = J->q, ldS = J->nb * q;
  (void)tid;
  for (size_t blk = b; blk < e; blk++) {
    size_t i0 = blk * J->rows, i1 = blk + 1 == J->nb ? J->n : i0 + J->rows, h = i1 - i0;
    size_t lwork = 64 * q;
    double *B = mlsh_malloc_array(h * q + q + lwork, sizeof *B);
    if (!B) return MLSH_ENOMEM;
    for (size_t j = 0; j < q; j++) {
      const double *src = (j < J->p ? J->X + j * J->n : J->y) + i0;
      double *dst = B + j * h;
      if (J->sw) for (size_t i = 0; i < h; i++) dst[i] = J->sw[i0 + i] * src[i];
      else memcpy(dst, src, h * sizeof *dst);
    }
    /* the _work entry: no NaN scan of the block (the caller's data is checked) */
    if (LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, (lapack_int)h, (lapack_int)q, B, (lapack_int)h, B + h * q,
                            B + h * q + q, (lapack_int)lwork)) {
      mlsh_free(B);
      return MLSH_ENUM;
    }
    for (size_t j = 0; j < q; j++)
      for (size_t i = 0; i < q; i++) J->S[j * ldS + blk * q + i] = i <= j && i < h ? B[j * h + i] : 0.0;
    mlsh_free(B);
    if (mlsh_interrupted()) return MLSH_EINTR;
  }
  return MLSH_OK;
}

/* R (q x q, column-major) of the weighted data with y as the last column. */
static int tsqr(const double *X, const double *y, const double *sw, size_t n, size_t p, int threads, double *R,
                mlsh_err *err) {
  size_t q = p + 1, rows = TSQR_ROWS > 2 * q ? TSQR_ROWS : 2 * q, nb = n / rows ? n / rows : 1;
  tsqr_job J = {X, y, sw, n, p, q, nb, rows, mlsh_calloc(nb * q * q, sizeof(double))};
  double *tau = mlsh_malloc_array(q, sizeof *tau);
  int rc = J.S && tau ? MLSH_OK : oom(err);
  if (rc == MLSH_OK && (rc = mlsh_parallel_dynamic(nb, threads, 1, tsqr_block, &J)))
    mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : rc == MLSH_ENUM ? "QR factorisation failed" : "not enough memory");
  if (rc == MLSH_OK && nb > 1 &&
      LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)(nb * q), (lapack_int)q, J.S, (lapack_int)(nb * q), tau))
    rc = mlsh_seterr(err, MLSH_ENUM, "QR factorisation failed");
  if (rc == MLSH_OK)
    for (size_t j = 0; j < q; j++)
      for (size_t i = 0; i < q; i++) R[j * q + i] = i <= j ? J.S[j * nb * q + i] : 0.0;
  mlsh_free(J.S); mlsh_free(tau);
  return rc;
}

/* ---- R's rule for aliased columns, on the small R factor ------------------ */

/* QR of the kept columns and y (taken from Rfull, q x q): M is q x (k + 1).
 * Returns the first kept position whose remaining norm is negligible, or k. */
static size_t factor_kept(const double *Rfull, size_t q, const size_t *kept, size_t k, const double *norms, double tol,
                          double *M, double *tau) {
  for (size_t j = 0; j <= k; j++) memcpy(M + j * q, Rfull + (j < k ? kept[j] : q - 1) * q, q * sizeof *M);
  LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)q, (lapack_int)(k + 1), M, (lapack_int)q, tau);
  for (size_t j = 0; j < k; j++)
    if (fabs(M[j * q + j]) < tol * norms[kept[j]]) return j;
  return k;
}

static int solve_kept(st_ls *r, const double *M, size_t q, size_t k, mlsh_err *err) {
  r->R = mlsh_calloc(k * k + 1, sizeof *r->R);
  r->Rinv = mlsh_calloc(k * k + 1, sizeof *r->Rinv);
  r->effects = mlsh_calloc(k + 1, sizeof *r->effects);
  if (!r->R || !r->Rinv || !r->effects) return oom(err);
  for (size_t j = 0; j < k; j++) {
    for (size_t i = 0; i <= j; i++) r->R[j * k + i] = M[j * q + i];
    r->effects[j] = M[k * q + j];
  }
  memcpy(r->Rinv, r->R, k * k * sizeof *r->R);
  if (k && LAPACKE_dtrtri(LAPACK_COL_MAJOR, 'U', 'N', (lapack_int)k, r->Rinv, (lapack_int)k))
    return mlsh_seterr(err, MLSH_ENUM, "singular triangular factor");
  for (size_t j = 0; j < r->p; j++) r->coef[j] = NAN;
  for (size_t j = 0; j < k; j++) {   /* b = Rinv Q'y */
    double s = 0;
    for (size_t l = j; l < k; l++) s += r->Rinv[l * k + j] * r->effects[l];
    r->coef[r->pivot[j]] = s;
  }
  return MLSH_OK;
}

static int find_rank(st_ls *r, const double *Rfull, double tol, mlsh_err *err) {
  size_t p = r->p, q = p + 1, k = p, na = 0;
  double *norms = mlsh_malloc_array(q, sizeof *norms), *M = mlsh_malloc_array(q * q, sizeof *M);
  double *tau = mlsh_malloc_array(q, sizeof *tau);
  size_t *aliased = mlsh_malloc_array(q, sizeof *aliased);
  int rc = norms && M && tau && aliased ? MLSH_OK : oom(err);
  for (size_t j = 0; rc == MLSH_OK && j < p; j++) {
    double s = 0;
    for (size_t i = 0; i <= j; i++) s += Rfull[j * q + i] * Rfull[j * q + i];
    norms[j] = s > 0 ? sqrt(s) : 1.0;   /* dqrdc2: a zero column counts against norm 1 */
    r->pivot[j] = j;
  }
  while (rc == MLSH_OK) {
    size_t bad = factor_kept(Rfull, q, r->pivot, k, norms, tol, M, tau);
    if (bad == k) break;
    aliased[na++] = r->pivot[bad];
    memmove(r->pivot + bad, r->pivot + bad + 1, (k - bad - 1) * sizeof *r->pivot);
    k--;
  }
  if (rc == MLSH_OK) {
    memcpy(r->pivot + k, aliased, na * sizeof *aliased);
    r->rank = k;
    rc = solve_kept(r, M, q, k, err);
  }
  mlsh_free(norms); mlsh_free(M); mlsh_free(tau); mlsh_free(aliased);
  return rc;
}

int st_ls_fit(const double *X, const double *y, const double *w, size_t n, size_t p, double tol, int threads,
              st_ls *r, mlsh_err *err) {
  memset(r, 0, sizeof *r);
  r->n = n; r->p = p;
  size_t q = p + 1;
  double *Rfull = mlsh_malloc_array(q * q, sizeof *Rfull);
  r->pivot = mlsh_malloc_array(q, sizeof *r->pivot);
  r->coef = mlsh_malloc_array(q, sizeof *r->coef);
  r->fitted = mlsh_calloc(n + 1, sizeof *r->fitted);
  r->resid = mlsh_malloc_array(n + 1, sizeof *r->resid);
  double *sw = w ? mlsh_malloc_array(n + 1, sizeof *sw) : NULL;
  int rc = Rfull && r->pivot && r->coef && r->fitted && r->resid && (sw || !w) ? MLSH_OK : oom(err);
  for (size_t i = 0; rc == MLSH_OK && sw && i < n; i++) sw[i] = sqrt(w[i]);
  if (rc == MLSH_OK) rc = tsqr(X, y, sw, n, p, threads, Rfull, err);
  if (rc == MLSH_OK) rc = find_rank(r, Rfull, tol, err);
  if (rc == MLSH_OK && p) {   /* fitted = X b, the aliased columns left out (b = 0 there) */
    for (size_t j = 0; j < p; j++) Rfull[j] = r->coef[j] == r->coef[j] ? r->coef[j] : 0.0;
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)p, 1.0, X, (int)n, Rfull, 1, 0.0, r->fitted, 1);
  }
  if (rc == MLSH_OK) for (size_t i = 0; i < n; i++) r->resid[i] = y[i] - r->fitted[i];
  mlsh_free(Rfull); mlsh_free(sw);
  if (rc) st_ls_free(r);
  return rc;
}

int st_ls_hat(const st_ls *r, const double *X, size_t n, const double *w, double *h, mlsh_err *err) {
  size_t k = r->rank, rows = TSQR_ROWS;
  double *B = mlsh_malloc_array(rows * k + 1, sizeof *B);
  if (!B) return oom(err);
  for (size_t i0 = 0; i0 < n; i0 += rows) {
    size_t m = n - i0 < rows ? n - i0 : rows;
    for (size_t j = 0; j < k; j++)
      for (size_t i = 0; i < m; i++) B[j * m + i] = (w ? sqrt(w[i0 + i]) : 1.0) * X[r->pivot[j] * n + i0 + i];
    if (k) cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, (int)m, (int)k, 1.0, r->Rinv,
                       (int)k, B, (int)m);
    for (size_t i = 0; i < m; i++) {
      double s = 0;
      for (size_t j = 0; j < k; j++) s += B[j * m + i] * B[j * m + i];
      h[i0 + i] = s;
    }
  }
  mlsh_free(B);
  return MLSH_OK;
}

int st_ls_cov(const st_ls *r, double *V, mlsh_err *err) {
  size_t p = r->p, k = r->rank;
  for (size_t j = 0; j < p * p; j++) V[j] = NAN;
  for (size_t a = 0; a < k; a++)
    for (size_t b = 0; b < k; b++) {
      double s = 0;
      for (size_t l = a > b ? a : b; l < k; l++) s += r->Rinv[l * k + a] * r->Rinv[l * k + b];
      V[r->pivot[b] * p + r->pivot[a]] = s;
    }
  return MLSH_OK;
}

/* ---- Statistics ----------------------------------------------------------- */

int st_lm_stats_compute(const st_ls *r, const double *y, const double *w, int intercept, st_lm_stats *s, double *se,
                        double *tval, double *pval, mlsh_err *err) {
  size_t n = r->n, nobs = 0;
  double sw = 0, swf = 0, rss = 0, slogw = 0;
  memset(s, 0, sizeof *s);
  for (size_t i = 0; i < n; i++) {
    double wi = w ? w[i] : 1.0;
    if (wi == 0) continue;
    nobs++;
    sw += wi; swf += wi * r->fitted[i];
    rss += wi * r->resid[i] * r->resid[i];
    slogw += log(wi);
  }
  double mean = swf / sw, mss = 0;
  for (size_t i = 0; i < n; i++) {
    double wi = w ? w[i] : 1.0, d = intercept ? r->fitted[i] - mean : r->fitted[i];
    mss += wi * d * d;
  }
  (void)y;
  s->nobs = nobs;
  s->intercept = intercept;
  s->rss = rss;
  s->df_residual = (double)nobs - (double)r->rank;
  double resvar = rss / s->df_residual, dfint = intercept ? 1 : 0;
  s->sigma = sqrt(resvar);
  if ((double)r->rank != dfint) {
    s->r_squared = mss / (mss + rss);
    s->adj_r_squared = 1 - (1 - s->r_squared) * (((double)nobs - dfint) / s->df_residual);
    s->numdf = (double)r->rank - dfint;
    s->dendf = s->df_residual;
    s->fstatistic = (mss / s->numdf) / resvar;
    s->f_p_value = pf(s->fstatistic, s->numdf, s->dendf, 0, 0);
  } else {
    s->fstatistic = s->numdf = s->f_p_value = NAN;
    s->dendf = s->df_residual;
  }
  double N = (double)nobs;
  s->loglik = 0.5 * (slogw - N * (log(2 * M_PI) + 1 - log(N) + log(rss)));
  s->aic = -2 * s->loglik + 2 * ((double)r->rank + 1);
  s->bic = -2 * s->loglik + log(N) * ((double)r->rank + 1);
  if (!se) return MLSH_OK;
  size_t p = r->p;
  double *V = mlsh_malloc_array(p * p + 1, sizeof *V);
  if (!V) return oom(err);
  st_ls_cov(r, V, err);
  for (size_t j = 0; j < p; j++) {
    se[j] = sqrt(resvar * V[j * p + j]);
    tval[j] = r->coef[j] / se[j];
    pval[j] = 2 * pt(-fabs(tval[j]), s->df_residual, 1, 0);
  }
  mlsh_free(V);
  return MLSH_OK;
}

int st_lm_anova(const st_ls *r, const int *assign, size_t nterms, const st_lm_stats *s, int *term, double *df,
                double *ss, double *fval, double *pval, size_t *nrows, mlsh_err *err) {
  double *tss = mlsh_calloc(nterms + 1, sizeof *tss), *tdf = mlsh_calloc(nterms + 1, sizeof *tdf);
  if (!tss || !tdf) { mlsh_free(tss); mlsh_free(tdf); return oom(err); }
  for (size_t j = 0; j < r->rank; j++) {
    int t = assign[r->pivot[j]];
    tss[t] += r->effects[j] * r->effects[j];
    tdf[t] += 1;
  }
  size_t k = 0;
  double resvar = s->rss / s->df_residual;
  for (size_t t = 1; t <= nterms; t++) {
    if (tdf[t] == 0) continue;
    term[k] = (int)t;
    df[k] = tdf[t]; ss[k] = tss[t];
    fval[k] = s->df_residual > 0 ? (tss[t] / tdf[t]) / resvar : NAN;
    pval[k] = s->df_residual > 0 ? pf(fval[k], tdf[t], s->df_residual, 0, 0) : NAN;
    k++;
  }
  term[k] = 0;
  df[k] = s->df_residual; ss[k] = s->rss; fval[k] = pval[k] = NAN;
  *nrows = k;
  mlsh_free(tss); mlsh_free(tdf);
  return MLSH_OK;
}
