/* test_pca.c - PCA core on a small 8 x 3 data set. Reference values from
 * numpy 1.24 on the FactoMineR definitions (population sd, weights summing
 * to 1, eigenvalues of the weighted correlation matrix, ind.coord = Z V,
 * contrib = w F^2 / lambda, cos2 = F^2 / |z|^2), largest-|loading| positive. */
#include "ctest.h"
#include <math.h>
#include "../../src/stats/pca.h"
#include "../../src/core/alloc.h"
#include "../../src/core/rng.h"

static const double DATA[8][3] = {
  {2.5, 2.4, 1.0}, {0.5, 0.7, 2.1}, {2.2, 2.9, 0.3}, {1.9, 2.2, 1.7},
  {3.1, 3.0, 0.2}, {2.3, 2.7, 1.1}, {2.0, 1.6, 2.5}, {1.0, 1.1, 1.9}};

static mlsh_mat X;

static void test_correlation_pca(void) {
  pca_opts o;
  pca_model m;
  mlsh_err err;
  pca_opts_default(&o);
  CHECK(pca_fit(&X, &o, &m, &err) == MLSH_OK);
  CHECK(m.ncomp == 3 && m.neig == 3);
  CHECK_NEAR(m.eig.data[0], 2.65284824, 1e-8);
  CHECK_NEAR(m.eig.data[1], 0.29993075, 1e-8);
  CHECK_NEAR(m.eig.data[2], 0.04722101, 1e-8);
  CHECK_NEAR(m.total, 3.0, 1e-12);
  CHECK_NEAR(MAT_AT(&m.loadings, 0, 0), 0.57221214, 1e-8);
  CHECK_NEAR(MAT_AT(&m.loadings, 2, 1), 0.77006801, 1e-8);
  CHECK_NEAR(MAT_AT(&m.ind_coord, 0, 0), 0.90783375, 1e-8);
  CHECK_NEAR(MAT_AT(&m.ind_coord, 0, 2), -0.20192632, 1e-8);
  CHECK_NEAR(MAT_AT(&m.var_contrib, 0, 0), 32.74267283, 1e-6);
  CHECK_NEAR(MAT_AT(&m.var_contrib, 1, 0), 36.44244668, 1e-6);
  CHECK_NEAR(MAT_AT(&m.ind_cos2, 0, 0), 0.92635875, 1e-8);
  CHECK_NEAR(MAT_AT(&m.ind_contrib, 0, 2), 10.79345691, 1e-6);
  /* var.coord of a correlation PCA: correlations; cos2 over all dims sums to 1 */
  double s = 0.0;
  for (int k = 0; k < 3; k++) s += MAT_AT(&m.var_cos2, 1, k);
  CHECK_NEAR(s, 1.0, 1e-12);
  /* transform of the fitted rows reproduces ind.coord; no rows give no coordinates */
  mlsh_mat F, E = {0, 3, NULL};
  CHECK(pca_transform(&m, &X, 2, &F, NULL, &err) == MLSH_OK);
  CHECK_NEAR(MAT_AT(&F, 5, 1), MAT_AT(&m.ind_coord, 5, 1), 1e-12);
  mat_free(&F);
  CHECK(pca_transform(&m, &E, 2, &F, NULL, &err) == MLSH_OK && F.rows == 0);
  mat_free(&F);
  /* a supplementary column equal to an active one gets the same coordinates */
  mlsh_mat col, c, c2;
  mat_alloc(&col, 8, 1, &err);
  for (int i = 0; i < 8; i++) col.data[i] = DATA[i][1];
  CHECK(pca_sup_cols(&m, &col, &c, &c2, &err) == MLSH_OK);
  CHECK_NEAR(MAT_AT(&c, 0, 0), MAT_AT(&m.var_coord, 1, 0), 1e-12);
  CHECK_NEAR(MAT_AT(&c2, 0, 1), MAT_AT(&m.var_cos2, 1, 1), 1e-12);
  mat_free(&col); mat_free(&c); mat_free(&c2);
  pca_free(&m);
}

static void test_covariance_weighted_randomized(void) {
  pca_opts o;
  pca_model m;
  mlsh_err err;
  pca_opts_default(&o);
  o.scale = 0;
  CHECK(pca_fit(&X, &o, &m, &err) == MLSH_OK);
  CHECK_NEAR(m.eig.data[0], 1.64409613, 1e-8);
  CHECK_NEAR(m.eig.data[2], 0.02956914, 1e-8);
  pca_free(&m);
  double w[8] = {1, 2, 1, 1, 3, 1, 1, 2};
  pca_opts_default(&o);
  o.weights = w;
  CHECK(pca_fit(&X, &o, &m, &err) == MLSH_OK);
  CHECK_NEAR(m.eig.data[0], 2.78231046, 1e-8);
  CHECK_NEAR(m.eig.data[1], 0.18424362, 1e-8);
  pca_free(&m);
  pca_opts_default(&o);
  o.method = PCA_RANDOMIZED;
  o.ncomp = 2;
  o.seed = 1;
  CHECK(pca_fit(&X, &o, &m, &err) == MLSH_OK);
  CHECK(m.ncomp == 2);
  CHECK_NEAR(m.eig.data[0], 2.65284824, 1e-8);
  CHECK_NEAR(MAT_AT(&m.ind_coord, 0, 0), 0.90783375, 1e-8);
  pca_free(&m);
}

/* Both exact solvers on the numpy references above, and p.method. */
static void test_gram_and_svd(void) {
  double w[8] = {1, 2, 1, 1, 3, 1, 1, 2};
  pca_method ms[2] = {PCA_GRAM, PCA_SVD};
  for (int k = 0; k < 2; k++) {
    pca_opts o;
    pca_model m;
    mlsh_err err;
    pca_opts_default(&o);
    o.method = ms[k];
    CHECK(pca_fit(&X, &o, &m, &err) == MLSH_OK);
    CHECK(m.method == ms[k]);
    CHECK_NEAR(m.eig.data[2], 0.04722101, 1e-8);
    CHECK_NEAR(MAT_AT(&m.loadings, 2, 1), 0.77006801, 1e-8);
    CHECK_NEAR(MAT_AT(&m.ind_coord, 0, 2), -0.20192632, 1e-8);
    CHECK_NEAR(MAT_AT(&m.ind_cos2, 0, 0), 0.92635875, 1e-8);
    CHECK_NEAR(m.total, 3.0, 1e-12);
    pca_free(&m);
    o.scale = 0;
    CHECK(pca_fit(&X, &o, &m, &err) == MLSH_OK);
    CHECK_NEAR(m.eig.data[0], 1.64409613, 1e-8);
    CHECK_NEAR(m.eig.data[2], 0.02956914, 1e-8);
    pca_free(&m);
    o.scale = 1;
    o.weights = w;
    o.ncomp = 2;
    CHECK(pca_fit(&X, &o, &m, &err) == MLSH_OK);
    CHECK(m.ncomp == 2 && m.neig == 3);
    CHECK_NEAR(m.eig.data[0], 2.78231046, 1e-8);
    CHECK_NEAR(m.eig.data[1], 0.18424362, 1e-8);
    pca_free(&m);
  }
}

/* auto: gram for tall data, svd when the data are wide or the kept
 * eigenvalues are too small against the first (squaring loses digits). */
static void test_auto_choice(void) {
  pca_opts o;
  pca_model m;
  mlsh_err err;
  pca_opts_default(&o);
  CHECK(o.method == PCA_AUTO);
  CHECK(pca_fit(&X, &o, &m, &err) == MLSH_OK);
  CHECK(m.method == PCA_GRAM);
  pca_free(&m);
  mlsh_mat Y;
  mat_alloc(&Y, 40, 3, &err);
  for (int i = 0; i < 40; i++) {   /* column 3 = column 1 + 1e-5 * a small wiggle */
    MAT_AT(&Y, i, 0) = i % 7;
    MAT_AT(&Y, i, 1) = (i * 5) % 11;
    MAT_AT(&Y, i, 2) = (i % 7) + 1e-5 * ((i * 3) % 4);
  }
  o.scale = 0;
  CHECK(pca_fit(&Y, &o, &m, &err) == MLSH_OK);
  CHECK(m.method == PCA_SVD);
  pca_free(&m);
  o.ncomp = 2;                     /* the two large ones alone are well separated */
  CHECK(pca_fit(&Y, &o, &m, &err) == MLSH_OK);
  CHECK(m.method == PCA_GRAM);
  pca_free(&m);
  mat_free(&Y);
  mat_alloc(&Y, 4, 3, &err);
  for (int i = 0; i < 12; i++) Y.data[i] = DATA[i / 3][i % 3];
  pca_opts_default(&o);
  CHECK(pca_fit(&Y, &o, &m, &err) == MLSH_OK);
  CHECK(m.method == PCA_SVD);
  pca_free(&m);
  mat_free(&Y);
}

static void test_bad_input(void) {
  pca_opts o;
  pca_model m;
  mlsh_err err;
  pca_opts_default(&o);
  mlsh_mat Z;
  mat_alloc(&Z, 4, 2, &err);
  for (int i = 0; i < 4; i++) { MAT_AT(&Z, i, 0) = i; MAT_AT(&Z, i, 1) = 5.0; }
  CHECK(pca_fit(&Z, &o, &m, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "column 2") != NULL);
  o.scale = 0;
  CHECK(pca_fit(&Z, &o, &m, &err) == MLSH_OK);   /* fine without scaling */
  pca_free(&m);
  mat_free(&Z);
  mat_alloc(&Z, 1, 3, &err);
  CHECK(pca_fit(&Z, &o, &m, &err) == MLSH_EINVAL);
  mat_free(&Z);
  pca_opts_default(&o);
  o.ncomp = 4;
  CHECK(pca_fit(&X, &o, &m, &err) == MLSH_EINVAL);
  pca_opts_default(&o);
  mlsh_alloc_fail_after(2);
  int rc = pca_fit(&X, &o, &m, &err);
  mlsh_alloc_fail_after(0);
  CHECK(rc == MLSH_ENOMEM);
}

/* n x p rows like the benchmark's: normals scaled by 3 * 0.9^k, turned by
 * Givens rotations of every neighbouring pair, plus an offset. */
static void tall_data(mlsh_mat *Y, size_t n, size_t p, uint64_t seed) {
  mlsh_err err;
  mlsh_rng r;
  mlsh_rng_seed(&r, seed);
  mat_alloc(Y, n, p, &err);
  for (size_t i = 0; i < n; i++) {
    double *y = &MAT_AT(Y, i, 0);
    for (size_t j = 0; j < p; j++) y[j] = 3.0 * pow(0.9, (double)j) * mlsh_rng_normal(&r);
    for (size_t j = 0; j + 1 < p; j++) {
      double c = cos(0.3 + 0.1 * (double)j), s = sin(0.3 + 0.1 * (double)j), a = y[j], b = y[j + 1];
      y[j] = c * a - s * b;
      y[j + 1] = s * a + c * b;
    }
    for (size_t j = 0; j < p; j++) y[j] += 5.0 * (double)(j % 3) - 2.0;
  }
}

static double max_diff(const mlsh_mat *a, const mlsh_mat *b) {
  double e = 0.0;
  for (size_t k = 0; k < MAT_LEN(a); k++) e = fmax(e, fabs(a->data[k] - b->data[k]));
  return e;
}

/* Single-precision block products: the same fit as the double Gram (the
 * reference: its solver is checked against numpy above), components to
 * 1e-6 and explained ratios to 1e-8 (here the ratios differ by 1.4e-9;
 * on the 100000 x 100 bench data loadings by 2e-8, ratios by 3e-10), for
 * covariance and correlation PCA with weights; auto takes it for large
 * tall data. */
static void test_gram32_matches_gram(void) {
  mlsh_mat Y;
  mlsh_err err;
  tall_data(&Y, 50000, 24, 7);
  double *w = mlsh_malloc_array(50000, sizeof(double));
  for (size_t i = 0; i < 50000; i++) w[i] = 1.0 + (double)(i % 5);
  for (int v = 0; v < 3; v++) {
    pca_opts o;
    pca_model a, b;
    pca_opts_default(&o);
    o.ncomp = v == 1 ? 2 : 6;     /* the correlation matrix's third to sixth eigenvalues are within 3% */
    o.scale = v == 1;
    o.weights = v == 2 ? w : NULL;
    o.method = PCA_GRAM;
    CHECK(pca_fit(&Y, &o, &a, &err) == MLSH_OK);
    o.method = v == 0 ? PCA_AUTO : PCA_GRAM32;
    CHECK(pca_fit(&Y, &o, &b, &err) == MLSH_OK);
    CHECK(a.method == PCA_GRAM && b.method == PCA_GRAM32);
    CHECK_NEAR(b.total, a.total, 1e-12 * a.total);
    for (size_t j = 0; j < 24; j++) CHECK_NEAR(b.mean[j], a.mean[j], 1e-12);
    for (size_t k = 0; k < 24; k++) CHECK_NEAR(b.eig.data[k] / b.total, a.eig.data[k] / a.total, 1e-8);
    CHECK(max_diff(&a.loadings, &b.loadings) < 1e-6);
    CHECK(max_diff(&a.ind_coord, &b.ind_coord) < 1e-5);
    CHECK(max_diff(&a.ind_cos2, &b.ind_cos2) < 1e-6);
    CHECK(max_diff(&a.ind_contrib, &b.ind_contrib) < 1e-8);
    CHECK(max_diff(&a.var_cos2, &b.var_cos2) < 1e-6);
    pca_free(&a); pca_free(&b);
  }
  mlsh_free(w);
  mat_free(&Y);
}

/* gram32 refits in double when it cannot be trusted: two equal eigenvalues
 * (the orbit of each (u, v) under the square's symmetries: isotropic), and
 * a column too small for single precision's range. */
static void test_gram32_falls_back(void) {
  mlsh_mat Y;
  mlsh_err err;
  mlsh_rng r;
  mlsh_rng_seed(&r, 3);
  mat_alloc(&Y, 8000, 3, &err);
  for (size_t i = 0; i < 8000; i += 8) {
    double u = mlsh_rng_normal(&r), v = mlsh_rng_normal(&r), z = 3.0 * mlsh_rng_normal(&r);
    double orbit[8][2] = {{u, v}, {v, u}, {-u, -v}, {-v, -u}, {u, -v}, {-v, u}, {-u, v}, {v, -u}};
    for (int k = 0; k < 8; k++) {
      MAT_AT(&Y, i + k, 0) = orbit[k][0];
      MAT_AT(&Y, i + k, 1) = orbit[k][1];
      MAT_AT(&Y, i + k, 2) = z;
    }
  }
  pca_opts o;
  pca_model m;
  pca_opts_default(&o);
  o.scale = 0;
  o.method = PCA_GRAM32;
  CHECK(pca_fit(&Y, &o, &m, &err) == MLSH_OK);
  CHECK(m.method == PCA_GRAM);
  CHECK_NEAR(m.eig.data[1], m.eig.data[2], 1e-12);
  pca_free(&m);
  mat_free(&Y);
  tall_data(&Y, 4000, 5, 11);
  for (size_t i = 0; i < 4000; i++) MAT_AT(&Y, i, 2) *= 1e-20;
  CHECK(pca_fit(&Y, &o, &m, &err) == MLSH_OK);
  CHECK(m.method == PCA_GRAM && m.total > 0.0);
  pca_free(&m);
  mat_free(&Y);
}

/* A non-finite value is an error naming its place, from every solver. */
static void test_nonfinite(void) {
  mlsh_mat Y;
  mlsh_err err;
  tall_data(&Y, 3000, 4, 5);
  MAT_AT(&Y, 2999, 3) = NAN;
  pca_method ms[4] = {PCA_GRAM, PCA_GRAM32, PCA_SVD, PCA_RANDOMIZED};
  for (int k = 0; k < 4; k++) {
    pca_opts o;
    pca_model m;
    pca_opts_default(&o);
    o.method = ms[k];
    o.ncomp = 2;
    CHECK(pca_fit(&Y, &o, &m, &err) == MLSH_EINVAL);
    CHECK(strstr(err.msg, "row 3000, column 4") != NULL);
  }
  MAT_AT(&Y, 2999, 3) = -INFINITY;
  pca_opts o;
  pca_model m;
  pca_opts_default(&o);
  CHECK(pca_fit(&Y, &o, &m, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "non-finite value (-inf)") != NULL);
  mat_free(&Y);
}

int main(void) {
  mlsh_err err;
  mat_alloc(&X, 8, 3, &err);
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 3; j++) MAT_AT(&X, i, j) = DATA[i][j];
  RUN(test_correlation_pca);
  RUN(test_covariance_weighted_randomized);
  RUN(test_gram_and_svd);
  RUN(test_auto_choice);
  RUN(test_bad_input);
  RUN(test_gram32_matches_gram);
  RUN(test_gram32_falls_back);
  RUN(test_nonfinite);
  mat_free(&X);
  CTEST_DONE();
}
