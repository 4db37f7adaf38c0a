/* test_tsne.c - t-SNE engines and trustworthiness (src/stats/tsne*.c).
 * Reference: scikit-learn 1.2.1 sklearn.manifold.trustworthiness on the
 * fixed 20-point data below. The engines are checked against each other. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ctest.h"
#include "../../src/stats/tsne.h"
#include "../../src/stats/tsne_impl.h"
#include "../../src/core/rng.h"
#include "../../src/core/interrupt.h"

static void test_trustworthiness(void) {
  /* i = 0..19: X = [i, i^2/10, sin i], Y = [3 cos i, sin i]:
   * trustworthiness(X, Y, n_neighbors=3) = 0.3211111111111111,
   * trustworthiness(X, X[:, :2], n_neighbors=5) = 1.0 */
  mlsh_mat X = {0}, Y = {0}, X2 = {0};
  mlsh_err err = {0};
  mat_alloc(&X, 20, 3, &err); mat_alloc(&Y, 20, 2, &err); mat_alloc(&X2, 20, 2, &err);
  for (int i = 0; i < 20; i++) {
    MAT_AT(&X, i, 0) = i; MAT_AT(&X, i, 1) = i * i / 10.0; MAT_AT(&X, i, 2) = sin(i);
    MAT_AT(&Y, i, 0) = 3 * cos(i); MAT_AT(&Y, i, 1) = sin(i);
    MAT_AT(&X2, i, 0) = i; MAT_AT(&X2, i, 1) = i * i / 10.0;
  }
  double t;
  CHECK(tsne_trustworthiness(&X, &Y, 3, 0, &t, &err) == MLSH_OK);
  CHECK_NEAR(t, 0.3211111111111111, 1e-12);
  CHECK(tsne_trustworthiness(&X, &X2, 5, 0, &t, &err) == MLSH_OK);
  CHECK_NEAR(t, 1.0, 1e-12);
  CHECK(tsne_trustworthiness(&X, &Y, 15, 0, &t, &err) == MLSH_EINVAL);
  mat_free(&X); mat_free(&Y); mat_free(&X2);
}

/* Three Gaussian blobs, 60 points each, in 10 dimensions. */
static void blobs(mlsh_mat *X) {
  mlsh_rng r;
  mlsh_err err;
  mlsh_rng_seed(&r, 3);
  mat_alloc(X, 180, 10, &err);
  for (int i = 0; i < 180; i++)
    for (int j = 0; j < 10; j++) MAT_AT(X, i, j) = (j == i / 60 ? 8.0 : 0.0) + mlsh_rng_normal(&r);
}

static void test_repulsion_engines(void) {
  /* Barnes-Hut with theta=0 and FFT interpolation against the exact sums.
   * Barnes-Hut sums its interaction lists in single precision: to about
   * 1e-6 relative, far below the error of theta = 0.5. */
  mlsh_rng r;
  mlsh_rng_seed(&r, 9);
  size_t n = 500;
  double *Y = malloc(n * 2 * sizeof(double)), *re = malloc(n * 2 * sizeof(double));
  double *rb = malloc(n * 2 * sizeof(double)), *rf = malloc(n * 2 * sizeof(double)), ze, zb, zf;
  for (size_t i = 0; i < 2 * n; i++) Y[i] = 5 * mlsh_rng_normal(&r);
  CHECK(tsne_rep_exact(Y, n, 2, re, &ze, 1) == MLSH_OK);
  tsne_bh *bh = tsne_bh_new(n, 2);
  CHECK(tsne_rep_bh(bh, Y, 0.0, rb, &zb, 2) == MLSH_OK);
  CHECK_NEAR(zb / ze, 1.0, 1e-6);
  double worst = 0, scale = 0;
  for (size_t i = 0; i < 2 * n; i++) { worst = fmax(worst, fabs(rb[i] - re[i])); scale = fmax(scale, fabs(re[i])); }
  printf("theta = 0: Z to %.2g, forces to %.2g of the largest\n", fabs(zb / ze - 1), worst / scale);
  CHECK(worst <= 1e-5 * scale);
  CHECK(tsne_rep_bh(bh, Y, 0.5, rb, &zb, 2) == MLSH_OK);
  CHECK_NEAR(zb / ze, 1.0, 0.01);
  tsne_bh_free(bh);
  tsne_fft *f = tsne_fft_new(n, 2);
  CHECK(tsne_rep_fft(f, Y, rf, &zf) == MLSH_OK);
  /* Interpolation with 3 nodes per unit box: Z to a few 1e-3, forces to a
   * few % in RMS (errors come from the near field, as in FIt-SNE). */
  CHECK_NEAR(zf / ze, 1.0, 5e-3);
  double se = 0, ss = 0;
  for (size_t i = 0; i < 2 * n; i++) { se += (rf[i] - re[i]) * (rf[i] - re[i]); ss += re[i] * re[i]; }
  CHECK(sqrt(se / ss) < 0.05);
  tsne_fft_free(f);
  free(Y); free(re); free(rb); free(rf);
}

static void test_embedding(void) {
  mlsh_mat X = {0};
  blobs(&X);
  double kl[3];
  tsne_method ms[3] = {TSNE_EXACT, TSNE_BH, TSNE_FFT};
  for (int k = 0; k < 3; k++) {
    tsne_opts o;
    tsne_defaults(&o);
    o.perplexity = 20; o.seed = 1; o.method = ms[k]; o.iters = 500;
    mlsh_mat Y = {0};
    tsne_result res;
    mlsh_err err = {0};
    CHECK(tsne_run(&X, &o, &Y, &res, &err) == MLSH_OK);
    CHECK(res.iters == 500 && res.method == ms[k]);
    kl[k] = res.kl;
    double t;
    tsne_trustworthiness(&X, &Y, 5, 0, &t, &err);
    CHECK(t > 0.9);
    mat_free(&Y);
  }
  /* The three engines optimise the same objective: equal KL to a few %.
   * The FFT engine's forces carry a few % RMS interpolation error at this
   * small n, and which optimum it settles in follows the BLAS kernel's
   * rounding in the PCA start: +2.7 % with OpenBLAS's Haswell kernels,
   * +6.1 % with its SkylakeX ones (same code, same seed). */
  CHECK_NEAR(kl[1], kl[0], 0.05 * kl[0]);
  CHECK_NEAR(kl[2], kl[0], 0.08 * kl[0]);
  mat_free(&X);
}

static void test_errors(void) {
  mlsh_mat X = {0};
  blobs(&X);
  tsne_opts o;
  tsne_defaults(&o);
  mlsh_mat Y = {0};
  tsne_result res;
  mlsh_err err = {0};
  o.perplexity = 180;
  CHECK(tsne_run(&X, &o, &Y, &res, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "perplexity") != NULL);
  tsne_defaults(&o);
  o.method = TSNE_FFT; o.dims = 3;
  CHECK(tsne_run(&X, &o, &Y, &res, &err) == MLSH_EINVAL);
  tsne_defaults(&o);
  mlsh_interrupt_raise();
  CHECK(tsne_run(&X, &o, &Y, &res, &err) == MLSH_EINTR);
  mlsh_interrupt_clear();
  CHECK(Y.data == NULL);
  mat_free(&X);
}

int main(void) {
  RUN(test_trustworthiness);
  RUN(test_repulsion_engines);
  RUN(test_embedding);
  RUN(test_errors);
  CTEST_DONE();
}
