/* pca.c - PCA (see pca.h). */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include "pca.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/rng.h"
#include "../core/threads.h"

void pca_opts_default(pca_opts *o) {
  memset(o, 0, sizeof *o);
  o->center = 1;
  o->scale = 1;
  o->method = PCA_SVD;
  o->oversample = 10;
  o->iters = 4;
}

void pca_free(pca_model *m) {
  mlsh_free(m->mean); mlsh_free(m->sd); mlsh_free(m->w);
  mat_free(&m->eig); mat_free(&m->loadings);
  mat_free(&m->ind_coord); mat_free(&m->ind_cos2); mat_free(&m->ind_contrib);
  mat_free(&m->var_coord); mat_free(&m->var_cos2); mat_free(&m->var_contrib);
  memset(m, 0, sizeof *m);
}

/* Weighted means and population sds; zero-variance columns are an error
 * under scaling (the column is named). */
static int moments(const mlsh_mat *X, pca_model *m, const pca_opts *o, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  for (size_t j = 0; j < p; j++) { m->mean[j] = 0.0; m->sd[j] = 0.0; }
  if (o->center)
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < p; j++) m->mean[j] += m->w[i] * X->data[i * p + j];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) { double d = X->data[i * p + j] - m->mean[j]; m->sd[j] += m->w[i] * d * d; }
  for (size_t j = 0; j < p; j++) {
    double s = sqrt(m->sd[j]);
    if (o->scale && !(s > 1e-12 * (fabs(m->mean[j]) + 1e-300)))
      return mlsh_seterr(err, MLSH_EINVAL, "column %zu has zero variance: it cannot be scaled (drop it or use scale=false)", j + 1);
    m->sd[j] = o->scale ? s : 1.0;
  }
  return MLSH_OK;
}

/* Make the largest-|.| entry of each column of the p x r row-major V positive. */
static void fix_signs(double *V, size_t p, size_t r) {
  for (size_t k = 0; k < r; k++) {
    size_t arg = 0;
    for (size_t j = 1; j < p; j++) if (fabs(V[j * r + k]) > fabs(V[arg * r + k])) arg = j;
    if (V[arg * r + k] < 0) for (size_t j = 0; j < p; j++) V[j * r + k] = -V[j * r + k];
  }
}

/* Full solver: Zcm is the n x p weighted standardised data, column-major.
 * Writes all singular values to s (min(n,p)) and V (p x min(n,p), row-major). */
static int solve_svd(double *Zcm, size_t n, size_t p, double *s, double *V, mlsh_err *err) {
  size_t r = n < p ? n : p;
  double *A = Zcm, *R = NULL, *U = NULL, *VT = mlsh_malloc_array(r * p, sizeof(double));
  lapack_int info;
  size_t m = n;
  if (!VT) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (n >= 2 * p) {  /* tall: QR first, then the p x p SVD of R */
    double *tau = mlsh_malloc_array(p, sizeof(double));
    R = mlsh_calloc(p * p, sizeof(double));
    if (!tau || !R) { mlsh_free(tau); mlsh_free(R); mlsh_free(VT); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
    info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)p, Zcm, (lapack_int)n, tau);
    mlsh_free(tau);
    if (info) { mlsh_free(R); mlsh_free(VT); return mlsh_seterr(err, MLSH_ENUM, "QR factorisation failed (info %d)", (int)info); }
    for (size_t j = 0; j < p; j++)
      for (size_t i = 0; i <= j; i++) R[j * p + i] = Zcm[j * n + i];
    A = R;
    m = p;
  }
  size_t rr = m < p ? m : p;
  U = mlsh_malloc_array(m * rr, sizeof(double));
  if (!U) { mlsh_free(R); mlsh_free(VT); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', (lapack_int)m, (lapack_int)p, A, (lapack_int)m, s, U, (lapack_int)m,
                        VT, (lapack_int)rr);
  mlsh_free(U);
  mlsh_free(R);
  if (info) { mlsh_free(VT); return mlsh_seterr(err, MLSH_ENUM, "SVD did not converge (info %d)", (int)info); }
  /* VT is r x p column-major: V[j][k] = VT[k + j*r]. */
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < r; k++) V[j * r + k] = VT[j * r + k];
  mlsh_free(VT);
  return MLSH_OK;
}

/* Orthonormal basis of the columns of the row-major n x l matrix Y (in place). */
static int orthonormalise(double *Y, size_t n, size_t l, mlsh_err *err) {
  double *tau = mlsh_malloc_array(l, sizeof(double));
  if (!tau) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  lapack_int info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)l, Y, (lapack_int)l, tau);
  if (!info) info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)l, (lapack_int)l, Y, (lapack_int)l, tau);
  mlsh_free(tau);
  return info ? mlsh_seterr(err, MLSH_ENUM, "QR factorisation failed (info %d)", (int)info) : MLSH_OK;
}

/* Randomized range finder with power iterations on the row-major n x p Z.
 * Returns the top l singular values in s and V (p x l row-major). */
static int solve_randomized(const double *Z, size_t n, size_t p, size_t l, int iters, uint64_t seed, double *s,
                            double *V, mlsh_err *err) {
  double *Y = mlsh_malloc_array(n * l, sizeof(double)), *P = mlsh_malloc_array(p * l, sizeof(double));
  double *B = mlsh_malloc_array(l * p, sizeof(double)), *U = mlsh_malloc_array(l * l, sizeof(double));
  double *VT = mlsh_malloc_array(l * p, sizeof(double));
  int rc = MLSH_OK;
  if (!Y || !P || !B || !U || !VT) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  mlsh_rng rng;
  mlsh_rng_seed(&rng, seed);
  for (size_t i = 0; i < p * l; i++) P[i] = mlsh_rng_normal(&rng);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)l, (int)p, 1.0, Z, (int)p, P, (int)l, 0.0, Y, (int)l);
  for (int it = 0; it < iters; it++) {
    if ((rc = orthonormalise(Y, n, l, err))) goto done;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)l, (int)n, 1.0, Z, (int)p, Y, (int)l, 0.0, P, (int)l);
    if ((rc = orthonormalise(P, p, l, err))) goto done;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)l, (int)p, 1.0, Z, (int)p, P, (int)l, 0.0, Y, (int)l);
    if (mlsh_interrupted()) { rc = mlsh_seterr(err, MLSH_EINTR, "interrupted"); goto done; }
  }
  if ((rc = orthonormalise(Y, n, l, err))) goto done;
  /* B = Q^T Z (l x p), then its small SVD. */
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)l, (int)p, (int)n, 1.0, Y, (int)l, Z, (int)p, 0.0, B, (int)p);
  lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)l, (lapack_int)p, B, (lapack_int)p, s, U,
                                   (lapack_int)l, VT, (lapack_int)p);
  if (info) { rc = mlsh_seterr(err, MLSH_ENUM, "SVD did not converge (info %d)", (int)info); goto done; }
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < l; k++) V[j * l + k] = VT[k * p + j];
done:
  mlsh_free(Y); mlsh_free(P); mlsh_free(B); mlsh_free(U); mlsh_free(VT);
  return rc;
}

typedef struct { const pca_model *m; const mlsh_mat *X; mlsh_mat *coord, *cos2; } proj_ctx;

static int proj_rows(void *ctx, size_t b, size_t e, int tid) {
  proj_ctx *c = ctx;
  const pca_model *m = c->m;
  size_t p = m->p, q = m->ncomp;
  (void)tid;
  double *Z = mlsh_malloc_array((e - b) * p, sizeof(double));
  if (!Z) return MLSH_ENOMEM;
  for (size_t i = b; i < e; i++)
    for (size_t j = 0; j < p; j++) Z[(i - b) * p + j] = (c->X->data[i * p + j] - m->mean[j]) / m->sd[j];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(e - b), (int)q, (int)p, 1.0, Z, (int)p,
              m->loadings.data, (int)q, 0.0, c->coord->data + b * q, (int)q);
  if (c->cos2)
    for (size_t i = b; i < e; i++) {
      double d2 = 0.0;
      for (size_t j = 0; j < p; j++) d2 += Z[(i - b) * p + j] * Z[(i - b) * p + j];
      for (size_t k = 0; k < q; k++) {
        double f = MAT_AT(c->coord, i, k);
        MAT_AT(c->cos2, i, k) = d2 > 0.0 ? f * f / d2 : 0.0;
      }
    }
  mlsh_free(Z);
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

int pca_transform(const pca_model *m, const mlsh_mat *X, int threads, mlsh_mat *coord, mlsh_mat *cos2, mlsh_err *err) {
  if (X->cols != m->p) return mlsh_seterr(err, MLSH_EINVAL, "X has %zu columns, the PCA was fitted on %zu", X->cols, m->p);
  int rc;
  if ((rc = mat_alloc(coord, X->rows, m->ncomp, err))) return rc;
  if (cos2 && (rc = mat_alloc(cos2, X->rows, m->ncomp, err))) { mat_free(coord); return rc; }
  proj_ctx c = {m, X, coord, cos2};
  rc = mlsh_parallel_for(X->rows, threads, 2048, proj_rows, &c);
  if (rc) {
    mat_free(coord);
    if (cos2) mat_free(cos2);
    return mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : "not enough memory");
  }
  return MLSH_OK;
}

int pca_sup_cols(const pca_model *m, const mlsh_mat *Xs, mlsh_mat *coord, mlsh_mat *cos2, mlsh_err *err) {
  size_t n = m->n, q = Xs->cols, r = m->ncomp;
  if (Xs->rows != n) return mlsh_seterr(err, MLSH_EINVAL, "supplementary columns have %zu rows, expected %zu", Xs->rows, n);
  int rc;
  if ((rc = mat_alloc(coord, q, r, err))) return rc;
  if ((rc = mat_alloc(cos2, q, r, err))) { mat_free(coord); return rc; }
  for (size_t j = 0; j < q; j++) {
    double mu = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++) mu += m->w[i] * MAT_AT(Xs, i, j);
    for (size_t i = 0; i < n; i++) { double d = MAT_AT(Xs, i, j) - mu; ss += m->w[i] * d * d; }
    double sd = m->scaled && ss > 0.0 ? sqrt(ss) : 1.0;   /* scaled PCA: scale it too */
    double norm2 = ss / (sd * sd);
    for (size_t k = 0; k < r; k++) {
      double lam = m->eig.data[k], acc = 0.0;
      for (size_t i = 0; i < n; i++) acc += m->w[i] * (MAT_AT(Xs, i, j) - mu) / sd * MAT_AT(&m->ind_coord, i, k);
      double c = lam > 0.0 ? acc / sqrt(lam) : 0.0;
      MAT_AT(coord, j, k) = c;
      MAT_AT(cos2, j, k) = norm2 > 0.0 ? c * c / norm2 : 0.0;
    }
  }
  return MLSH_OK;
}

static int fill_results(pca_model *m, const mlsh_mat *X, const double *V, size_t vcols, int threads, mlsh_err *err) {
  size_t n = m->n, p = m->p, r = m->ncomp;
  int rc;
  if ((rc = mat_alloc(&m->loadings, p, r, err))) return rc;
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < r; k++) MAT_AT(&m->loadings, j, k) = V[j * vcols + k];
  fix_signs(m->loadings.data, p, r);
  if ((rc = pca_transform(m, X, threads, &m->ind_coord, &m->ind_cos2, err))) return rc;
  if ((rc = mat_alloc(&m->ind_contrib, n, r, err)) || (rc = mat_alloc(&m->var_coord, p, r, err)) ||
      (rc = mat_alloc(&m->var_cos2, p, r, err)) || (rc = mat_alloc(&m->var_contrib, p, r, err)))
    return rc;
  for (size_t k = 0; k < r; k++) {
    double lam = m->eig.data[k];
    for (size_t i = 0; i < n; i++) {
      double f = MAT_AT(&m->ind_coord, i, k);
      MAT_AT(&m->ind_contrib, i, k) = lam > 0.0 ? 100.0 * m->w[i] * f * f / lam : 0.0;
    }
  }
  for (size_t j = 0; j < p; j++) {
    /* A variable's inertia: 1 when scaled, its variance otherwise. */
    double vj = 0.0;
    for (size_t i = 0; i < n; i++) {
      double z = (X->data[i * p + j] - m->mean[j]) / m->sd[j];
      vj += m->w[i] * z * z;
    }
    for (size_t k = 0; k < r; k++) {
      double v = MAT_AT(&m->loadings, j, k), c = v * sqrt(m->eig.data[k] > 0 ? m->eig.data[k] : 0.0);
      MAT_AT(&m->var_coord, j, k) = c;
      MAT_AT(&m->var_cos2, j, k) = vj > 0.0 ? c * c / vj : 0.0;
      MAT_AT(&m->var_contrib, j, k) = 100.0 * v * v;
    }
  }
  return MLSH_OK;
}

int pca_fit(const mlsh_mat *X, const pca_opts *o, pca_model *m, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  memset(m, 0, sizeof *m);
  if (n < 2) return mlsh_seterr(err, MLSH_EINVAL, "needs at least 2 rows (got %zu)", n);
  if (p < 1) return mlsh_seterr(err, MLSH_EINVAL, "X has no columns");
  size_t avail = (n - (o->center ? 1 : 0)) < p ? n - (o->center ? 1 : 0) : p;
  size_t ncomp = o->ncomp ? o->ncomp : (o->method == PCA_RANDOMIZED ? (avail < 10 ? avail : 10) : avail);
  if (ncomp > avail)
    return mlsh_seterr(err, MLSH_EINVAL, "ncomp must be at most %zu for %zux%zu data (got %zu)", avail, n, p, ncomp);
  m->n = n; m->p = p; m->ncomp = ncomp; m->scaled = o->scale;
  m->mean = mlsh_malloc_array(p, sizeof(double));
  m->sd = mlsh_malloc_array(p, sizeof(double));
  m->w = mlsh_malloc_array(n, sizeof(double));
  double *Z = mlsh_malloc_array(n * p, sizeof(double)), *s = NULL, *V = NULL;
  int rc = MLSH_OK;
  if (!m->mean || !m->sd || !m->w || !Z) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  double wsum = 0.0;
  for (size_t i = 0; i < n; i++) {
    double w = o->weights ? o->weights[i] : 1.0;
    if (!(w >= 0.0) || !isfinite(w)) { rc = mlsh_seterr(err, MLSH_EINVAL, "weight %zu must be finite and >= 0 (got %g)", i + 1, w); goto done; }
    m->w[i] = w;
    wsum += w;
  }
  if (!(wsum > 0.0)) { rc = mlsh_seterr(err, MLSH_EINVAL, "the weights sum to 0"); goto done; }
  for (size_t i = 0; i < n; i++) m->w[i] /= wsum;
  if ((rc = moments(X, m, o, err))) goto done;
  int randomized = o->method == PCA_RANDOMIZED;
  size_t l = ncomp + (size_t)(o->oversample > 0 ? o->oversample : 0);
  if (l > avail) l = avail;
  size_t neig = randomized ? ncomp : (n < p ? n : p);
  size_t vcols = randomized ? l : (n < p ? n : p);
  s = mlsh_malloc_array(vcols, sizeof(double));
  V = mlsh_malloc_array(p * vcols, sizeof(double));
  if (!s || !V) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  /* Z = sqrt(w_i) (x_ij - mean_j) / sd_j: column-major for the QR path. */
  m->total = 0.0;
  for (size_t i = 0; i < n; i++) {
    double sw = sqrt(m->w[i]);
    for (size_t j = 0; j < p; j++) {
      double z = sw * (X->data[i * p + j] - m->mean[j]) / m->sd[j];
      m->total += z * z;
      if (randomized) Z[i * p + j] = z;
      else Z[j * n + i] = z;
    }
  }
  rc = randomized ? solve_randomized(Z, n, p, l, o->iters, o->seed, s, V, err) : solve_svd(Z, n, p, s, V, err);
  if (rc) goto done;
  if ((rc = mat_alloc(&m->eig, neig, 1, err))) goto done;
  for (size_t k = 0; k < neig; k++) m->eig.data[k] = s[k] * s[k];
  m->neig = neig;
  rc = fill_results(m, X, V, vcols, o->threads, err);
done:
  mlsh_free(Z); mlsh_free(s); mlsh_free(V);
  if (rc) pca_free(m);
  return rc;
}
