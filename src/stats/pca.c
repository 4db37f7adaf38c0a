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

/* GCC 12 vectorizes at -O3 only: the row sweeps (shift, convert, sum; the
 * projection's standardisation) get clones for AVX-512 and AVX2. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define PCA_FAST __attribute__((noinline, target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"), optimize("O3")))
#else
#define PCA_FAST
#endif

void pca_opts_default(pca_opts *o) {
  memset(o, 0, sizeof *o);
  o->center = 1;
  o->scale = 1;
  o->method = PCA_AUTO;
  o->oversample = 10;
  o->iters = 4;
}

/* The results of pca_fit after the solve (all but the centring and weights). */
static void results_free(pca_model *m) {
  mat_free(&m->eig); mat_free(&m->loadings);
  mat_free(&m->ind_coord); mat_free(&m->ind_cos2); mat_free(&m->ind_contrib);
  mat_free(&m->var_coord); mat_free(&m->var_cos2); mat_free(&m->var_contrib);
}

void pca_free(pca_model *m) {
  mlsh_free(m->mean); mlsh_free(m->sd); mlsh_free(m->w);
  results_free(m);
  memset(m, 0, sizeof *m);
}

/* The sd used for column j from its weighted variance v: an error for a
 * zero-variance column under scaling (the column is named). */
static int column_scale(pca_model *m, const pca_opts *o, size_t j, double v, double *vj, mlsh_err *err) {
  double s = sqrt(v > 0.0 ? v : 0.0);
  if (o->scale && !(s > 1e-12 * (fabs(m->mean[j]) + 1e-300)))
    return mlsh_seterr(err, MLSH_EINVAL, "column %zu has zero variance: it cannot be scaled (drop it or use scale=false)", j + 1);
  m->sd[j] = o->scale ? s : 1.0;
  vj[j] = v / (m->sd[j] * m->sd[j]);     /* the variable's inertia: 1 when scaled */
  return MLSH_OK;
}

/* Weighted means and population sds (two passes, for the SVD solvers). */
static int moments(const mlsh_mat *X, pca_model *m, const pca_opts *o, double *vj, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  for (size_t j = 0; j < p; j++) { m->mean[j] = 0.0; m->sd[j] = 0.0; }
  if (o->center)
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < p; j++) m->mean[j] += m->w[i] * X->data[i * p + j];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) { double d = X->data[i * p + j] - m->mean[j]; m->sd[j] += m->w[i] * d * d; }
  for (size_t j = 0; j < p; j++) {
    int rc = column_scale(m, o, j, m->sd[j], vj, err);
    if (rc) return rc;
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

/* Rows per chunk of a sweep on threads whose chunks each keep a partial of
 * `part` doubles, summed in chunk order afterwards: workers take chunks as
 * they go (a core lost to another process does not hold the rest up), and
 * the result does not depend on which worker took which chunk. Between nt
 * and CHUNKS_MAX chunks, their partials within CHUNKS_BYTES; whole units. */
#define CHUNKS_MAX 32
#define CHUNKS_BYTES ((size_t)64 << 20)
static size_t chunk_rows(size_t n, size_t unit, size_t part, int nt) {
  size_t k = CHUNKS_BYTES / (part * sizeof(double) + 1);
  if (k > CHUNKS_MAX) k = CHUNKS_MAX;
  if (k < (size_t)nt) k = (size_t)nt;
  size_t rows = (n + k - 1) / k;
  return rows ? (rows + unit - 1) / unit * unit : unit;
}

/* Partials [1, k) added into partial 0, in order. */
static void sum_partials(double *part, size_t k, size_t len) {
  for (size_t c = 1; c < k; c++)
    for (size_t j = 0; j < len; j++) part[j] += part[c * len + j];
}

/* The projection of rows: coordinates, and optionally their cos2, their
 * contributions (fitted rows, weights m->w) and per-chunk sums of w t t'
 * (q x q, for gram32_trusted), over chunks of `rows` rows. */
typedef struct { const pca_model *m; const mlsh_mat *X; mlsh_mat *coord, *cos2, *contrib; double *S; size_t rows; } proj_ctx;

/* Rows in blocks of PROJ_ROWS: standardise into a small buffer, one dgemm. */
#define PROJ_ROWS 256

/* Rows [0, h) of x standardised into Z, and their squared norms into d2;
 * eight running sums (one register) where one chain of dependent adds
 * would bound the loop by the add latency. */
PCA_FAST static void std_block(const double *restrict x, size_t h, size_t p, const double *restrict mu,
                               const double *restrict inv, double *restrict Z, double *restrict d2) {
  for (size_t i = 0; i < h; i++) {
    const double *xi = x + i * p;
    double *zi = Z + i * p, a[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    size_t j = 0;
    for (; j + 8 <= p; j += 8)
      for (int u = 0; u < 8; u++) {
        double z = (xi[j + u] - mu[j + u]) * inv[j + u];
        zi[j + u] = z;
        a[u] += z * z;
      }
    for (; j < p; j++) {
      double z = (xi[j] - mu[j]) * inv[j];
      zi[j] = z;
      a[0] += z * z;
    }
    d2[i] = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
  }
}

/* cos2, contributions and w t t' of the block's rows [b0, b1) (d2: their
 * squared standardised norms; cf: 100 / eigenvalue, or 0; U: room for
 * their weighted coordinates). */
PCA_FAST static void proj_extras(const proj_ctx *c, const double *d2, const double *cf, size_t b0, size_t b1, double *U,
                                 double *S) {
  const pca_model *m = c->m;
  size_t q = m->ncomp;
  for (size_t i = b0; i < b1; i++) {
    const double *f = c->coord->data + i * q;
    if (c->cos2) {
      double inv2 = d2[i - b0] > 0.0 ? 1.0 / d2[i - b0] : 0.0, *o = c->cos2->data + i * q;
      for (size_t k = 0; k < q; k++) o[k] = f[k] * f[k] * inv2;
    }
    if (c->contrib) {
      double wi = m->w[i], *o = c->contrib->data + i * q;
      for (size_t k = 0; k < q; k++) o[k] = wi * f[k] * f[k] * cf[k];
    }
    if (S) {
      double sw = sqrt(m->w[i]);
      for (size_t k = 0; k < q; k++) U[(i - b0) * q + k] = sw * f[k];
    }
  }
  if (S) cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)q, (int)(b1 - b0), 1.0, U, (int)q, 1.0, S, (int)q);
}

static int proj_chunks(void *ctx, size_t cb, size_t ce, int tid) {
  proj_ctx *c = ctx;
  const pca_model *m = c->m;
  size_t p = m->p, q = m->ncomp, n = c->X->rows;
  (void)tid;
  double *Z = mlsh_malloc_array(PROJ_ROWS * (p + q + 1) + p + q, sizeof(double)), *inv = Z + PROJ_ROWS * p, *U = inv + p;
  double *d2 = U + PROJ_ROWS * q, *cf = d2 + PROJ_ROWS;
  if (!Z) return MLSH_ENOMEM;
  for (size_t j = 0; j < p; j++) inv[j] = 1.0 / m->sd[j];
  for (size_t k = 0; c->contrib && k < q; k++) cf[k] = m->eig.data[k] > 0.0 ? 100.0 / m->eig.data[k] : 0.0;
  for (size_t ch = cb; ch < ce; ch++) {
    size_t e = (ch + 1) * c->rows < n ? (ch + 1) * c->rows : n;
    for (size_t b0 = ch * c->rows; b0 < e; b0 += PROJ_ROWS) {
      size_t b1 = b0 + PROJ_ROWS < e ? b0 + PROJ_ROWS : e;
      std_block(c->X->data + b0 * p, b1 - b0, p, m->mean, inv, Z, d2);
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(b1 - b0), (int)q, (int)p, 1.0, Z, (int)p,
                  m->loadings.data, (int)q, 0.0, c->coord->data + b0 * q, (int)q);
      proj_extras(c, d2, cf, b0, b1, U, c->S ? c->S + ch * q * q : NULL);
    }
    if (mlsh_interrupted()) break;
  }
  mlsh_free(Z);
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* The projection into c's matrices (allocated by the caller), on threads;
 * c->S, when set, gets the sum of the chunks' w t t' (upper triangle). */
static int project(proj_ctx *c, int threads, mlsh_err *err) {
  size_t q = c->m->ncomp, n = c->X->rows;
  int nt = mlsh_threads_resolve(threads), rc;
  double *S = c->S;
  if (S) memset(S, 0, q * q * sizeof(double));
  if (n == 0) return MLSH_OK;
  c->rows = chunk_rows(n, PROJ_ROWS, S ? q * q : 0, nt);
  size_t k = (n + c->rows - 1) / c->rows;
  if (S && !(c->S = mlsh_calloc(k * q * q, sizeof(double)))) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  rc = mlsh_parallel_dynamic(k, nt, 1, proj_chunks, c);
  if (S) {
    sum_partials(c->S, k, q * q);
    memcpy(S, c->S, q * q * sizeof(double));
    mlsh_free(c->S);
    c->S = S;
  }
  return rc ? mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : "not enough memory") : MLSH_OK;
}

int pca_transform(const pca_model *m, const mlsh_mat *X, int threads, mlsh_mat *coord, mlsh_mat *cos2, mlsh_err *err) {
  if (X->cols != m->p) return mlsh_seterr(err, MLSH_EINVAL, "X has %zu columns, the PCA was fitted on %zu", X->cols, m->p);
  int rc;
  if ((rc = mat_alloc_uninit(coord, X->rows, m->ncomp, err))) return rc;
  if (cos2 && (rc = mat_alloc_uninit(cos2, X->rows, m->ncomp, err))) { mat_free(coord); return rc; }
  proj_ctx c = {m, X, coord, cos2, NULL, NULL, 0};
  if ((rc = project(&c, threads, err))) {
    mat_free(coord);
    if (cos2) mat_free(cos2);
  }
  return rc;
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

/* The loadings, then the rows' and variables' results; S (q x q, or NULL)
 * gets the weighted cross-product of the coordinates. */
static int fill_results(pca_model *m, const mlsh_mat *X, const double *V, size_t vcols, const double *vj, int threads,
                        double *S, mlsh_err *err) {
  size_t n = m->n, p = m->p, r = m->ncomp;
  int rc;
  if ((rc = mat_alloc(&m->loadings, p, r, err)) || (rc = mat_alloc_uninit(&m->ind_coord, n, r, err)) ||
      (rc = mat_alloc_uninit(&m->ind_cos2, n, r, err)) || (rc = mat_alloc_uninit(&m->ind_contrib, n, r, err)) ||
      (rc = mat_alloc(&m->var_coord, p, r, err)) || (rc = mat_alloc(&m->var_cos2, p, r, err)) ||
      (rc = mat_alloc(&m->var_contrib, p, r, err)))
    return rc;
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < r; k++) MAT_AT(&m->loadings, j, k) = V[j * vcols + k];
  pca_fix_signs(m->loadings.data, p, r);
  proj_ctx c = {m, X, &m->ind_coord, &m->ind_cos2, &m->ind_contrib, S, 0};
  if ((rc = project(&c, threads, err))) return rc;
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < r; k++) {
      double v = MAT_AT(&m->loadings, j, k), cj = v * sqrt(m->eig.data[k] > 0 ? m->eig.data[k] : 0.0);
      MAT_AT(&m->var_coord, j, k) = cj;
      MAT_AT(&m->var_cos2, j, k) = vj[j] > 0.0 ? cj * cj / vj[j] : 0.0;
      MAT_AT(&m->var_contrib, j, k) = 100.0 * v * v;
    }
  return MLSH_OK;
}

/* ---- the Gram solver: for n >> p, the p x p weighted cross-product of
 * the centred data, built in cache-sized row blocks (no centred copy of X),
 * then its eigenpairs. It squares the condition number: pca_fit falls back
 * to the SVD when the kept eigenvalues are too small against the largest.
 * PCA_GRAM32 forms each block's product in single precision (twice the
 * flops per cycle) and adds it into the double Gram; the means, the
 * diagonal (variances, total inertia) stay double, and the fit checks the
 * kept components against the double projection (gram32_trusted). */
#define GRAM_ROWS 1024      /* a centred block (GRAM_ROWS x p) stays in L2 */
#define GRAM_SHIFT_ROWS 4096
/* eps * lambda_1 / lambda_k bounds the relative error of lambda_k: keep the
 * Gram solver while that is below about 2e-10. */
#define GRAM_MAX_RATIO 1e6
/* Per-chunk partials: G (p x p, upper), then sum w (x - s) and sum w (x - s)^2. */
#define GRAM_PART(p) ((p) * (p) + 2 * (p))

/* One pass over the data: the rows shifted by s (the mean of the first
 * rows, close to the mean), so that sum w (x - s)(x - s)' and sum w (x - s)
 * give the centred G = S - d d', d = mean - s, without cancellation
 * (the shifted-data algorithm; the correction d d' is of order var / 4096). */
typedef struct { const mlsh_mat *X; const double *w, *shift; double *part; int single; size_t rows; } gram_ctx;

/* h rows of x shifted by s and weighted by sqrt(sn^2 w) into the block: single
 * (F, scaled by sn = sqrt(n): weights near 1, far from float underflow,
 * and the sums of squares for the double diagonal) or double (B). */
PCA_FAST static void gram_block(const double *restrict x, const double *restrict w, size_t h, size_t p, const double *restrict s,
                                double sn, double *restrict B, float *restrict F, double *restrict sum, double *restrict sq) {
  for (size_t i = 0; i < h; i++) {
    const double *xi = x + i * p;
    double wi = w[i], sw = sn * sqrt(wi);
    if (F)
      for (size_t j = 0; j < p; j++) {
        double d = xi[j] - s[j];
        F[i * p + j] = (float)(sw * d);
        sum[j] += wi * d;
        sq[j] += wi * d * d;
      }
    else
      for (size_t j = 0; j < p; j++) {
        double d = xi[j] - s[j];
        B[i * p + j] = sw * d;
        sum[j] += wi * d;
      }
  }
}

/* Chunks [cb, ce) into their partials: one syrk per block (upper
 * triangle); a single block's product is added into the double G. */
static int gram_chunks(void *ctx, size_t cb, size_t ce, int tid) {
  gram_ctx *c = ctx;
  size_t p = c->X->cols, n = c->X->rows;
  (void)tid;
  double *B = c->single ? NULL : mlsh_malloc_array(GRAM_ROWS * p, sizeof(double));
  float *F = c->single ? mlsh_malloc_array(GRAM_ROWS * p + p * p, sizeof(float)) : NULL, *Gf = F ? F + GRAM_ROWS * p : NULL;
  if (!B && !F) return MLSH_ENOMEM;
  for (size_t ch = cb; ch < ce; ch++) {
    double *G = c->part + ch * GRAM_PART(p), *sum = G + p * p, *sq = sum + p;
    size_t e = (ch + 1) * c->rows < n ? (ch + 1) * c->rows : n;
    for (size_t i0 = ch * c->rows; i0 < e; i0 += GRAM_ROWS) {
      size_t i1 = i0 + GRAM_ROWS < e ? i0 + GRAM_ROWS : e;
      gram_block(c->X->data + i0 * p, c->w + i0, i1 - i0, p, c->shift, F ? sqrt((double)n) : 1.0, B, F, sum, sq);
      if (F) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)(i1 - i0), 1.0f, F, (int)p, 0.0f, Gf, (int)p);
        for (size_t i = 0; i < p; i++)
          for (size_t j = i; j < p; j++) G[i * p + j] += Gf[i * p + j];
      } else
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)(i1 - i0), 1.0, B, (int)p, 1.0, G, (int)p);
    }
    if (mlsh_interrupted()) break;
  }
  mlsh_free(B); mlsh_free(F);
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* s += a x (p values). */
PCA_FAST static void add_scaled(double *restrict s, double a, const double *restrict x, size_t p) {
  for (size_t j = 0; j < p; j++) s[j] += a * x[j];
}

/* The shift: the weighted mean of the first rows with weight (0 uncentred). */
static void gram_shift(const mlsh_mat *X, const double *w, int center, double *s) {
  size_t n = X->rows, p = X->cols, i = 0, h = 0;
  double ws = 0.0;
  for (size_t j = 0; j < p; j++) s[j] = 0.0;
  for (; center && i < n && h < GRAM_SHIFT_ROWS; i++) {
    if (!(w[i] > 0.0)) continue;
    add_scaled(s, w[i], X->data + i * p, p);
    ws += w[i];
    h++;
  }
  for (size_t j = 0; ws > 0.0 && j < p; j++) s[j] /= ws;
}

/* The error for a non-finite value of X, which made the sweep's sums non-finite. */
static int nonfinite_error(const mlsh_mat *X, long k, mlsh_err *err) {
  return mlsh_seterr(err, MLSH_EINVAL, "argument 'X' has a non-finite value (%g) at row %ld, column %ld", X->data[k],
                     k / (long)X->cols + 1, k % (long)X->cols + 1);
}

/* The combined partials (c->part, chunk 0) into the means and G (p x p,
 * upper, row-major: G_jj are the variances). Single: G scaled back by 1/n
 * and its diagonal from the double sums of squares; *ok = 0 when a value
 * is out of float's comfortable range (the caller redoes it in double). */
static int gram_finish(const mlsh_mat *X, const gram_ctx *c, pca_model *m, int center, double *G, int *ok, mlsh_err *err) {
  size_t p = X->cols;
  const double *d = c->part + p * p, *sq = d + p;   /* mean - shift, sum w (x - s)^2 */
  double f = c->single ? 1.0 / (double)X->rows : 1.0;
  int finite = 1;
  for (size_t j = 0; j < p; j++) finite &= isfinite(d[j]) && (!c->single || isfinite(sq[j]));
  long k = finite ? -1 : mat_find_nonfinite(X);
  if (k >= 0) return nonfinite_error(X, k, err);
  *ok = 1;
  for (size_t i = 0; i < p; i++) {
    m->mean[i] = center ? c->shift[i] + d[i] : 0.0;
    for (size_t j = i; j < p; j++) G[i * p + j] = f * c->part[i * p + j] - (center ? d[i] * d[j] : 0.0);
    if (!c->single) continue;
    G[i * p + i] = sq[i] - (center ? d[i] * d[i] : 0.0);
    /* float holds squares of about 1e-38..3e38: keep the data's scale well inside */
    *ok &= sq[i] < 1e30 && (sq[i] > 1e-30 || sq[i] == 0.0);
    for (size_t j = i; j < p; j++) *ok &= isfinite(G[i * p + j]);
  }
  return MLSH_OK;
}

/* Means (or 0), then G of the weighted centred data (gram_finish). */
static int gram_matrix(const mlsh_mat *X, pca_model *m, const pca_opts *o, int single, double *G, int *ok, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  int nt = mlsh_threads_resolve(o->threads);
  double *shift = mlsh_malloc_array(p, sizeof(double));
  size_t rows = chunk_rows(n, GRAM_ROWS, GRAM_PART(p), nt), k = (n + rows - 1) / rows;
  gram_ctx c = {X, m->w, shift, mlsh_calloc(k * GRAM_PART(p), sizeof(double)), single, rows};
  int rc = MLSH_OK;
  if (!c.part || !shift) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  gram_shift(X, m->w, o->center, shift);
  rc = mlsh_parallel_dynamic(k, nt, 1, gram_chunks, &c);
  if (rc) { mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : "not enough memory"); goto done; }
  sum_partials(c.part, k, GRAM_PART(p));
  rc = gram_finish(X, &c, m, o->center, G, ok, err);
done:
  mlsh_free(c.part); mlsh_free(shift);
  return rc;
}

#define EIGEN_SERIAL_P 256

/* Eigenpairs of the symmetric p x p G (destroyed): all p eigenvalues in
 * decreasing order to lam, the top r eigenvectors to V (p x r, row-major). */
static int gram_eigen(double *G, size_t p, size_t r, double *lam, double *V, mlsh_err *err) {
  int all = 3 * r >= p;   /* few components of many: values alone, then r vectors */
  /* OpenBLAS's threads cost more than they bring on a small problem (p = 100: 6 ms against 0.9 ms) */
  int bt = mlsh_blas_threads(), serial = p <= EIGEN_SERIAL_P && bt > 1;
  if (serial) mlsh_blas_set_threads(1);
  double *Z = mlsh_malloc_array(p * (all ? p : r), sizeof(double)), *w = mlsh_malloc_array(p, sizeof(double));
  double *Gc = all ? NULL : mlsh_malloc_array(p * p, sizeof(double));
  lapack_int *sup = mlsh_malloc_array(2 * p, sizeof(lapack_int)), found = 0, info = 0, P = (lapack_int)p;
  int rc = MLSH_OK;
  if (!Z || !w || !sup || (!all && !Gc)) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  if (!all) {
    memcpy(Gc, G, p * p * sizeof(double));
    info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'N', 'A', 'L', P, Gc, P, 0, 0, 0, 0, 0.0, &found, w, Z, P, sup);
    for (size_t k = 0; !info && k < p; k++) lam[k] = w[p - 1 - k];
  }
  /* Row-major upper = column-major lower. */
  if (!info) info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', all ? 'A' : 'I', 'L', P, G, P, 0, 0, all ? 0 : P - (lapack_int)r + 1,
                                   P, 0.0, &found, w, Z, P, sup);
  if (info) { rc = mlsh_seterr(err, MLSH_ENUM, "eigen decomposition did not converge (info %d)", (int)info); goto done; }
  size_t cols = all ? p : r;
  if (all) for (size_t k = 0; k < p; k++) lam[k] = w[p - 1 - k];
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < r; k++) V[j * r + k] = Z[(cols - 1 - k) * p + j];
done:
  if (serial) mlsh_blas_set_threads(bt);
  mlsh_free(Z); mlsh_free(w); mlsh_free(Gc); mlsh_free(sup);
  return rc;
}

#define GRAM32_TOL 1e-6
#define GRAM32_MARGIN 2.0
/* The least error of a single-precision Gram against the total inertia
 * (the measured one: 2e-10 to 5e-10 at 50000 to 100000 rows): a fit whose
 * eigengaps would not allow even that goes to double without projecting. */
#define GRAM32_LEAST_ERROR 1e-11

/* Whether an error e in the Gram, times a margin, turns none of the r kept
 * components by more than GRAM32_TOL (e over the eigengap) and moves no
 * explained ratio by more than GRAM32_TOL. */
static int gram32_allows(const double *lam, size_t r, size_t neig, double total, double e) {
  e *= GRAM32_MARGIN;
  if (!(e <= GRAM32_TOL * total)) return 0;
  for (size_t k = 0; k < r; k++) {
    double below = k > 0 ? lam[k - 1] - lam[k] : HUGE_VAL, above = k + 1 < neig ? lam[k] - lam[k + 1] : HUGE_VAL;
    if (!(e <= GRAM32_TOL * fmin(below, above))) return 0;
  }
  return 1;
}

/* The Gram solver (single or double products): means, sds, the total
 * inertia, vj, all eigenvalues (lam, p) and r eigenvectors (V). *illcond
 * is set, and nothing solved, when the r-th eigenvalue is too small against
 * the first for the Gram route; *ok is 0 when single precision could not
 * hold the data (nothing solved either) or its eigengaps are too small. */
static int solve_gram(const mlsh_mat *X, pca_model *m, const pca_opts *o, int single, size_t r, double *lam, double *V,
                      double *vj, int *illcond, int *ok, mlsh_err *err) {
  size_t p = X->cols;
  double *G = mlsh_malloc_array(p * p, sizeof(double));
  if (!G) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  int rc = gram_matrix(X, m, o, single, G, ok, err);
  if (rc || !*ok) goto done;
  for (size_t j = 0; !rc && j < p; j++) rc = column_scale(m, o, j, G[j * p + j], vj, err);
  if (rc) goto done;
  m->total = 0.0;
  for (size_t i = 0; i < p; i++) {
    for (size_t j = i; j < p; j++) G[i * p + j] /= m->sd[i] * m->sd[j];
    m->total += G[i * p + i];
  }
  if ((rc = gram_eigen(G, p, r, lam, V, err))) goto done;
  *illcond = o->method == PCA_AUTO && lam[0] > 0.0 && !(lam[r - 1] * GRAM_MAX_RATIO >= lam[0]);
  if (single && !*illcond && !gram32_allows(lam, r, m->neig, m->total, GRAM32_LEAST_ERROR * m->total)) *ok = 0;
done:
  mlsh_free(G);
  return rc;
}

/* The single-precision Gram's check. With V the eigenvectors of the Gram
 * G + E (E its rounding error), the double projection's S = sum w t t' is
 * V'GV = diag(lam) - V'EV: a measure of E. */
static int gram32_trusted(const pca_model *m, const double *S) {
  size_t q = m->ncomp;
  const double *lam = m->eig.data;
  double e = 0.0;
  for (size_t k = 0; k < q; k++)
    for (size_t l = k; l < q; l++) e = fmax(e, fabs(S[k * q + l] - (k == l ? lam[k] : 0.0)));
  return gram32_allows(lam, q, m->neig, m->total, e);
}

/* Row weights normalised to sum 1 (1/n each without weights). */
static int normalise_weights(const pca_opts *o, size_t n, double *w, mlsh_err *err) {
  double wsum = 0.0;
  if (!o->weights) {
    for (size_t i = 0; i < n; i++) w[i] = 1.0 / (double)n;
    return MLSH_OK;
  }
  for (size_t i = 0; i < n; i++) {
    double v = o->weights[i];
    if (!(v >= 0.0) || !isfinite(v)) return mlsh_seterr(err, MLSH_EINVAL, "weight %zu must be finite and >= 0 (got %g)", i + 1, v);
    w[i] = v;
    wsum += v;
  }
  if (!(wsum > 0.0)) return mlsh_seterr(err, MLSH_EINVAL, "the weights sum to 0");
  for (size_t i = 0; i < n; i++) w[i] /= wsum;
  return MLSH_OK;
}

/* The SVD solvers (TSQR + dgesdd, dgesdd of the data, randomized): the
 * eigenvalues (squared singular values) to lam, V (p x vcols). */
static int solve_svd(const mlsh_mat *X, pca_model *m, const pca_opts *o, size_t l, size_t vcols, double *lam, double *V,
                     double *vj, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  int randomized = m->method == PCA_RANDOMIZED, rc;
  /* Z: the standardised data (randomized, or n < 2p), else the p x p R. */
  double *Z = mlsh_malloc_array(!randomized && n >= 2 * p ? p * p : n * p, sizeof(double));
  if (!Z) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if ((rc = moments(X, m, o, vj, err))) goto done;
  if (randomized) {          /* Z = sqrt(w_i) (x_ij - mean_j) / sd_j, row-major */
    m->total = std_rows(X, m, 0, n, Z, 0);
    rc = solve_randomized(Z, n, p, l, o->iters, o->seed, lam, V, err);
  } else if (n >= 2 * p) {    /* tall: TSQR, then the p x p SVD of R */
    if (!(rc = tsqr(X, m, o->threads, Z, err))) rc = svd_small(Z, p, p, lam, V, err);
  } else {
    m->total = std_rows(X, m, 0, n, Z, 1);
    rc = svd_small(Z, n, p, lam, V, err);
  }
  for (size_t k = 0; !rc && k < vcols; k++) lam[k] *= lam[k];
done:
  mlsh_free(Z);
  return rc;
}

/* Buffers of one fit: eigenvalues, vectors (p x vcols), variable inertias. */
typedef struct { size_t l, vcols; double *lam, *V, *vj; } fit_work;

/* Eigenvalues and the results with m->method's solver (the Gram one falls
 * back to the SVD when ill-conditioned); *retry is set when the single
 * precision Gram cannot be trusted: the caller refits in double. */
static int fit_once(const mlsh_mat *X, const pca_opts *o, pca_model *m, fit_work *f, int *retry, mlsh_err *err) {
  size_t p = m->p, r = m->ncomp, neig = m->neig;
  int single = m->method == PCA_GRAM32, rc = MLSH_OK, illcond = 0, ok = 1;
  double *S = NULL;
  *retry = 0;
  if (single || m->method == PCA_GRAM) {
    rc = solve_gram(X, m, o, single, r, f->lam, f->V, f->vj, &illcond, &ok, err);
    if (!rc && !ok) { *retry = 1; return MLSH_OK; }
  }
  if (!rc && illcond) {       /* the SVD keeps the digits the Gram matrix would lose */
    m->method = PCA_SVD;
    f->vcols = neig;
    mlsh_free(f->V);
    if (!(f->V = mlsh_malloc_array(p * f->vcols, sizeof(double)))) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  if (!rc && m->method != PCA_GRAM && m->method != PCA_GRAM32) rc = solve_svd(X, m, o, f->l, f->vcols, f->lam, f->V, f->vj, err);
  if (rc || (rc = mat_alloc(&m->eig, neig, 1, err))) return rc;
  for (size_t k = 0; k < neig; k++) m->eig.data[k] = f->lam[k] > 0.0 ? f->lam[k] : 0.0;
  if (m->method == PCA_GRAM32 && !(S = mlsh_malloc_array(r * r, sizeof(double)))) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  rc = fill_results(m, X, f->V, f->vcols, f->vj, o->threads, S, err);
  if (!rc && S) *retry = !gram32_trusted(m, S);
  mlsh_free(S);
  return rc;
}

/* auto: the Gram solver for tall data, in single precision where that pays
 * (enough rows per block and columns for the faster products to count). */
#define GRAM32_MIN_CELLS ((size_t)1 << 20)
static pca_method auto_method(size_t n, size_t p) {
  if (n < 2 * p) return PCA_SVD;
  return n * p >= GRAM32_MIN_CELLS && p >= 8 && n >= 64 * p ? PCA_GRAM32 : PCA_GRAM;
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
  m->method = o->method == PCA_AUTO ? auto_method(n, p) : o->method;
  /* The Gram sweep finds non-finite values on its way (its sums turn non-finite). */
  long bad = m->method == PCA_GRAM || m->method == PCA_GRAM32 ? -1 : mat_find_nonfinite(X);
  if (bad >= 0) return nonfinite_error(X, bad, err);
  m->mean = mlsh_malloc_array(p, sizeof(double));
  m->sd = mlsh_malloc_array(p, sizeof(double));
  m->w = mlsh_malloc_array(n, sizeof(double));
  fit_work f = {ncomp + (size_t)(o->oversample > 0 ? o->oversample : 0), 0, NULL, NULL, NULL};
  if (f.l > avail) f.l = avail;
  m->neig = m->method == PCA_RANDOMIZED ? ncomp : (n < p ? n : p);
  f.vcols = m->method == PCA_RANDOMIZED ? f.l : m->method == PCA_GRAM || m->method == PCA_GRAM32 ? ncomp : m->neig;
  f.lam = mlsh_malloc_array(p > f.vcols ? p : f.vcols, sizeof(double));
  f.V = mlsh_malloc_array(p * f.vcols, sizeof(double));
  f.vj = mlsh_malloc_array(p, sizeof(double));
  int rc = MLSH_OK, retry = 0;
  if (!m->mean || !m->sd || !m->w || !f.lam || !f.V || !f.vj) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  if ((rc = normalise_weights(o, n, m->w, err))) goto done;
  rc = fit_once(X, o, m, &f, &retry, err);
  if (!rc && retry) {         /* single precision could not be trusted: the double Gram */
    results_free(m);
    m->method = PCA_GRAM;
    rc = fit_once(X, o, m, &f, &retry, err);
  }
done:
  mlsh_free(f.lam); mlsh_free(f.V); mlsh_free(f.vj);
  if (rc) pca_free(m);
  return rc;
}
