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
void pca_fix_signs(double *V, size_t p, size_t r) {
  for (size_t k = 0; k < r; k++) {
    size_t arg = 0;
    for (size_t j = 1; j < p; j++) if (fabs(V[j * r + k]) > fabs(V[arg * r + k])) arg = j;
    if (V[arg * r + k] < 0) for (size_t j = 0; j < p; j++) V[j * r + k] = -V[j * r + k];
  }
}

/* SVD of the column-major m x p matrix A (destroyed): all min(m, p)
 * singular values to s, V (p x min(m, p), row-major). */
static int svd_small(double *A, size_t m, size_t p, double *s, double *V, mlsh_err *err) {
  size_t r = m < p ? m : p;
  double *U = mlsh_malloc_array(m * r, sizeof(double)), *VT = mlsh_malloc_array(r * p, sizeof(double));
  if (!U || !VT) { mlsh_free(U); mlsh_free(VT); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', (lapack_int)m, (lapack_int)p, A, (lapack_int)m, s, U,
                                   (lapack_int)m, VT, (lapack_int)r);
  mlsh_free(U);
  if (info) { mlsh_free(VT); return mlsh_seterr(err, MLSH_ENUM, "SVD did not converge (info %d)", (int)info); }
  /* VT is r x p column-major: V[j][k] = VT[k + j*r]. */
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < r; k++) V[j * r + k] = VT[j * r + k];
  mlsh_free(VT);
  return MLSH_OK;
}

/* Rows [i0, i1) of sqrt(w_i) (x_ij - mean_j) / sd_j into B, column-major
 * (ld = i1 - i0) or row-major; returns their sum of squares. */
static double std_rows(const mlsh_mat *X, const pca_model *m, size_t i0, size_t i1, double *B, int colmajor) {
  size_t p = X->cols, h = i1 - i0;
  double ss = 0.0;
  double sw[64];
  for (size_t r0 = i0; r0 < i1; r0 += 64) {    /* short row runs keep column-major writes contiguous */
    size_t r1 = r0 + 64 < i1 ? r0 + 64 : i1;
    for (size_t i = r0; i < r1; i++) sw[i - r0] = sqrt(m->w[i]);
    for (size_t j = 0; j < p; j++) {
      double mu = m->mean[j], inv = 1.0 / m->sd[j];
      for (size_t i = r0; i < r1; i++) {
        double z = sw[i - r0] * (X->data[i * p + j] - mu) * inv;
        ss += z * z;
        if (colmajor) B[j * h + (i - i0)] = z;
        else B[(i - i0) * p + j] = z;
      }
    }
  }
  return ss;
}

/* Tall-skinny QR: each block of rows is factorised on its own (in cache,
 * in parallel), then the stacked R factors once more. Same R as one QR of
 * the whole matrix, without a second copy of the data. */
#define TSQR_ROWS 4096

typedef struct { const mlsh_mat *X; const pca_model *m; size_t nb; double *Rs, *ss; } tsqr_ctx;

static int tsqr_block(void *ctx, size_t b, size_t e, int tid) {
  tsqr_ctx *c = ctx;
  size_t n = c->X->rows, p = c->X->cols, ldS = c->nb * p;
  (void)tid;
  for (size_t blk = b; blk < e; blk++) {
    size_t i0 = blk * TSQR_ROWS, i1 = blk + 1 == c->nb ? n : i0 + TSQR_ROWS, h = i1 - i0;
    double *B = mlsh_malloc_array(h * p + p, sizeof(double));
    if (!B) return MLSH_ENOMEM;
    c->ss[blk] = std_rows(c->X, c->m, i0, i1, B, 1);
    lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)h, (lapack_int)p, B, (lapack_int)h, B + h * p);
    if (info) { mlsh_free(B); return MLSH_ENUM; }
    for (size_t j = 0; j < p; j++)
      for (size_t i = 0; i < p; i++) c->Rs[j * ldS + blk * p + i] = i <= j ? B[j * h + i] : 0.0;
    mlsh_free(B);
    if (mlsh_interrupted()) return MLSH_EINTR;
  }
  return MLSH_OK;
}

/* R (p x p, column-major, upper) of the weighted standardised data; n >= 2p. */
static int tsqr(const mlsh_mat *X, pca_model *m, int threads, double *R, mlsh_err *err) {
  size_t n = X->rows, p = X->cols, nb = n / TSQR_ROWS ? n / TSQR_ROWS : 1;
  tsqr_ctx c = {X, m, nb, mlsh_malloc_array(nb * p * p, sizeof(double)), mlsh_malloc_array(nb, sizeof(double))};
  double *tau = mlsh_malloc_array(p, sizeof(double));
  int rc = MLSH_OK;
  if (!c.Rs || !c.ss || !tau) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  rc = mlsh_parallel_dynamic(nb, threads, 1, tsqr_block, &c);
  if (rc) { mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : rc == MLSH_ENUM ? "QR factorisation failed" : "not enough memory"); goto done; }
  m->total = 0.0;
  for (size_t b = 0; b < nb; b++) m->total += c.ss[b];
  if (nb > 1 && LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)(nb * p), (lapack_int)p, c.Rs, (lapack_int)(nb * p), tau)) {
    rc = mlsh_seterr(err, MLSH_ENUM, "QR factorisation failed");
    goto done;
  }
  for (size_t j = 0; j < p; j++)
    for (size_t i = 0; i < p; i++) R[j * p + i] = i <= j ? c.Rs[j * nb * p + i] : 0.0;
done:
  mlsh_free(c.Rs); mlsh_free(c.ss); mlsh_free(tau);
  return rc;
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

/* Rows in blocks of PROJ_ROWS: standardise into a small buffer, one dgemm. */
#define PROJ_ROWS 256

static int proj_rows(void *ctx, size_t b, size_t e, int tid) {
  proj_ctx *c = ctx;
  const pca_model *m = c->m;
  size_t p = m->p, q = m->ncomp;
  (void)tid;
  double *Z = mlsh_malloc_array(PROJ_ROWS * p, sizeof(double));
  if (!Z) return MLSH_ENOMEM;
  for (size_t b0 = b; b0 < e; b0 += PROJ_ROWS) {
    size_t b1 = b0 + PROJ_ROWS < e ? b0 + PROJ_ROWS : e;
    for (size_t i = b0; i < b1; i++)
      for (size_t j = 0; j < p; j++) Z[(i - b0) * p + j] = (c->X->data[i * p + j] - m->mean[j]) / m->sd[j];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(b1 - b0), (int)q, (int)p, 1.0, Z, (int)p,
                m->loadings.data, (int)q, 0.0, c->coord->data + b0 * q, (int)q);
    if (c->cos2)
      for (size_t i = b0; i < b1; i++) {
        double d2 = 0.0;
        for (size_t j = 0; j < p; j++) d2 += Z[(i - b0) * p + j] * Z[(i - b0) * p + j];
        for (size_t k = 0; k < q; k++) {
          double f = MAT_AT(c->coord, i, k);
          MAT_AT(c->cos2, i, k) = d2 > 0.0 ? f * f / d2 : 0.0;
        }
      }
    if (mlsh_interrupted()) break;
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
  pca_fix_signs(m->loadings.data, p, r);
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
  /* A variable's inertia (1 when scaled, its variance otherwise): one row-major pass. */
  double *vj = mlsh_calloc(p, sizeof(double));
  if (!vj) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) {
      double z = (X->data[i * p + j] - m->mean[j]) / m->sd[j];
      vj[j] += m->w[i] * z * z;
    }
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < r; k++) {
      double v = MAT_AT(&m->loadings, j, k), c = v * sqrt(m->eig.data[k] > 0 ? m->eig.data[k] : 0.0);
      MAT_AT(&m->var_coord, j, k) = c;
      MAT_AT(&m->var_cos2, j, k) = vj[j] > 0.0 ? c * c / vj[j] : 0.0;
      MAT_AT(&m->var_contrib, j, k) = 100.0 * v * v;
    }
  mlsh_free(vj);
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
  /* Z: the standardised data (randomized, or n < 2p), else the p x p R. */
  int randomized = o->method == PCA_RANDOMIZED;
  double *Z = mlsh_malloc_array(!randomized && n >= 2 * p ? p * p : n * p, sizeof(double)), *s = NULL, *V = NULL;
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
  size_t l = ncomp + (size_t)(o->oversample > 0 ? o->oversample : 0);
  if (l > avail) l = avail;
  size_t neig = randomized ? ncomp : (n < p ? n : p);
  size_t vcols = randomized ? l : (n < p ? n : p);
  s = mlsh_malloc_array(vcols, sizeof(double));
  V = mlsh_malloc_array(p * vcols, sizeof(double));
  if (!s || !V) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  if (randomized) {          /* Z = sqrt(w_i) (x_ij - mean_j) / sd_j, row-major */
    m->total = std_rows(X, m, 0, n, Z, 0);
    rc = solve_randomized(Z, n, p, l, o->iters, o->seed, s, V, err);
  } else if (n >= 2 * p) {    /* tall: TSQR, then the p x p SVD of R */
    if (!(rc = tsqr(X, m, o->threads, Z, err))) rc = svd_small(Z, p, p, s, V, err);
  } else {
    m->total = std_rows(X, m, 0, n, Z, 1);
    rc = svd_small(Z, n, p, s, V, err);
  }
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
