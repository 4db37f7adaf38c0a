/* aov.c - R's aov() for one or two factors: the design's columns enter
 * term by term and are orthogonalised (modified Gram-Schmidt, twice)
 * against those before; a column whose remainder is below R's tolerance
 * (1e-7 of its norm) is aliased and dropped, as R's pivoting QR does.
 * Each term's sum of squares is what its new directions take from y. */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <string.h>
#include "aov.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

#define AOV_MAX_COLUMNS 2500
#define ALIAS_TOL 1e-7

typedef struct aovjob {
  size_t n, rank, cap;
  double *Q;          /* rank orthonormal columns of length n */
  double *resid;      /* y minus its projection so far */
  double *v;          /* the column being added */
} aovjob;

static double dot(const double *a, const double *b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Add v (in j->v); returns the sum of squares it explains (0 when aliased). */
static double add_column(aovjob *j) {
  size_t n = j->n;
  double norm0 = sqrt(dot(j->v, j->v, n));
  if (norm0 == 0) return -1;
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < j->rank; k++) {
      const double *q = j->Q + k * n;
      double c = dot(q, j->v, n);
      for (size_t i = 0; i < n; i++) j->v[i] -= c * q[i];
    }
  double norm = sqrt(dot(j->v, j->v, n));
  if (norm <= ALIAS_TOL * norm0) return -1;
  double *q = j->Q + j->rank * n;
  for (size_t i = 0; i < n; i++) q[i] = j->v[i] / norm;
  j->rank++;
  double c = dot(q, j->resid, n);
  for (size_t i = 0; i < n; i++) j->resid[i] -= c * q[i];
  return c * c;
}

/* The columns of one term: level la of a (la >= 1) times level lb of b
 * (lb >= 1; -1: a main effect), or the intercept (la = lb = -1). */
static void term_column(aovjob *j, const int *a, int la, const int *b, int lb) {
  for (size_t i = 0; i < j->n; i++)
    j->v[i] = (la < 0 || a[i] == la) && (lb < 0 || b[i] == lb) ? 1 : 0;
}

static int add_term(aovjob *j, const int *a, int ka, const int *b, int kb, double *df, double *ss) {
  *df = 0; *ss = 0;
  for (int la = 1; la < ka; la++)
    for (int lb = b ? 1 : -1; lb < (b ? kb : 0); lb++) {
      if (mlsh_interrupted()) return MLSH_EINTR;
      term_column(j, a, la, b, lb);
      double s = add_column(j);
      if (s >= 0) { *df += 1; *ss += s; }
    }
  return MLSH_OK;
}

/* The terms in order, then the residual line; rc from add_term. */
static int fit_terms(aovjob *j, const double *y, const int *a, int ka, const int *b, int kb, int interaction, st_aov *r) {
  memcpy(j->resid, y, j->n * sizeof(double));
  term_column(j, a, -1, NULL, -1);
  add_column(j);
  int rc = add_term(j, a, ka, NULL, 0, &r->df[0], &r->ss[0]);
  r->nterms = 1;
  if (b && rc == MLSH_OK) {
    rc = add_term(j, b, kb, NULL, 0, &r->df[1], &r->ss[1]);
    r->nterms = 2;
    if (interaction && rc == MLSH_OK) { rc = add_term(j, a, ka, b, kb, &r->df[2], &r->ss[2]); r->nterms = 3; }
  }
  if (rc != MLSH_OK) return rc;
  r->df_resid = (double)j->n - (double)j->rank;
  r->ss_resid = dot(j->resid, j->resid, j->n);
  r->ms_resid = r->df_resid > 0 ? r->ss_resid / r->df_resid : NAN;
  for (size_t t = 0; t < r->nterms; t++) {
    r->ms[t] = r->ss[t] / r->df[t];
    r->F[t] = r->df_resid > 0 ? r->ms[t] / r->ms_resid : NAN;
    r->p[t] = r->df_resid > 0 ? pf(r->F[t], r->df[t], r->df_resid, 0, 0) : NAN;
  }
  r->n = j->n;
  return MLSH_OK;
}

int st_aov_fit(const double *y, size_t n, const int *a, int ka, const int *b, int kb, int interaction, st_aov *r,
               mlsh_err *err) {
  memset(r, 0, sizeof *r);
  size_t p = 1 + (size_t)(ka - 1) + (b ? (size_t)(kb - 1) * (interaction ? (size_t)ka : 1) : 0);
  if (ka < 2 || (b && kb < 2)) return mlsh_seterr(err, MLSH_EINVAL, "each factor needs at least 2 levels");
  if (p > AOV_MAX_COLUMNS) return mlsh_seterr(err, MLSH_EINVAL, "the design has %zu columns (at most %d)", p, AOV_MAX_COLUMNS);
  if (n < 2) return mlsh_seterr(err, MLSH_EINVAL, "not enough observations (%zu)", n);
  aovjob j = {n, 0, p, mlsh_malloc(p * n * sizeof(double)), mlsh_malloc(n * sizeof(double)), mlsh_malloc(n * sizeof(double))};
  int rc = !j.Q || !j.resid || !j.v ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory") : MLSH_OK;
  if (rc == MLSH_OK && fit_terms(&j, y, a, ka, b, kb, interaction, r) != MLSH_OK) rc = mlsh_seterr(err, MLSH_EINTR, "interrupted");
  mlsh_free(j.Q); mlsh_free(j.resid); mlsh_free(j.v);
  return rc;
}

int st_tukey(const double *mean, const double *count, int k, double mse, double df, double conf_level, double *out,
             mlsh_err *err) {
  if (!(df > 0) || !(mse > 0)) return mlsh_seterr(err, MLSH_EINVAL, "no residual degrees of freedom (or zero residual variance)");
  if (!(conf_level > 0 && conf_level < 1)) return mlsh_seterr(err, MLSH_EINVAL, "'conf_level' must be in (0, 1)");
  double q = qtukey(conf_level, 1, k, df, 1, 0);
  size_t m = 0;
  for (int j = 0; j < k; j++)
    for (int i = j + 1; i < k; i++, m++) {
      double center = mean[i] - mean[j], se = sqrt((mse / 2) * (1 / count[i] + 1 / count[j]));
      double *o = out + 4 * m;
      o[0] = center;
      o[1] = center - q * se;
      o[2] = center + q * se;
      o[3] = ptukey(fabs(center) / se, 1, k, df, 0, 0);
    }
  return MLSH_OK;
}
