/* test_mmap.c - memory-mapped .npy files and the streamed kernels.
 * References: the 8 x 3 set of test_pca.c with its numpy 1.24 values
 * (correlation PCA eigenvalues and loadings, FactoMineR definitions);
 * np.cov of it (ddof = 1); and the in-memory kernels (km_fit's Lloyd from
 * the same centres, mat_cov) on larger random data, read in small blocks
 * so that many block merges happen; empty clusters: a 6-row case worked
 * by hand, and km_fit's Lloyd and Hamerly relocation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>
#include "ctest.h"
#include "../../src/data/mmap.h"
#include "../../src/data/stream.h"
#include "../../src/cluster/kmeans.h"
#include "../../src/cluster/dist.h"
#include "../../src/cluster/validity.h"
#include "../../src/core/npy.h"
#include "../../src/core/rng.h"
#include "../../src/core/alloc.h"

static const double DATA[8][3] = {
  {2.5, 2.4, 1.0}, {0.5, 0.7, 2.1}, {2.2, 2.9, 0.3}, {1.9, 2.2, 1.7},
  {3.1, 3.0, 0.2}, {2.3, 2.7, 1.1}, {2.0, 1.6, 2.5}, {1.0, 1.1, 1.9}};

static char dir[64];

static const char *path_of(const char *name) {
  static char p[128];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return p;
}

static void save(const char *name, const mlsh_mat *m, int single) {
  mlsh_err err;
  CHECK(npy_save_matrix(path_of(name), m, single, &err) == MLSH_OK);
}

static void write_bytes(const char *name, const void *b, size_t n) {
  FILE *f = fopen(path_of(name), "wb");
  fwrite(b, 1, n, f);
  fclose(f);
}

static mlsh_mat small(void) {
  mlsh_mat X;
  mat_alloc(&X, 8, 3, NULL);
  for (size_t i = 0; i < 24; i++) X.data[i] = DATA[i / 3][i % 3];
  return X;
}

static mlsh_mat random_data(size_t n, size_t p, uint64_t seed) {
  mlsh_mat X;
  mlsh_rng r;
  mlsh_rng_seed(&r, seed);
  mat_alloc(&X, n, p, NULL);
  for (size_t i = 0; i < n * p; i++) X.data[i] = mlsh_rng_normal(&r) + (double)((i / p) % 4) * 3.0;
  return X;
}

static void test_map_rows(void) {
  mlsh_mat X = small();
  save("s.npy", &X, 0);
  save("s32.npy", &X, 1);
  mlsh_npymap m;
  mlsh_err err;
  CHECK(npymap_open(path_of("s.npy"), 2, 5, &m, &err) == MLSH_OK);
  CHECK(m.rows == 3 && m.cols == 3 && m.row0 == 2 && m.file_rows == 8 && !m.single);
  double buf[9];
  const double *r = npymap_rows(&m, 1, 2, buf);
  CHECK(r[0] == 1.9 && r[2] == 1.7);
  mlsh_mat v;
  CHECK(npymap_matrix(&m, &v, &err) == MLSH_OK && MAT_AT(&v, 0, 0) == 2.2);
  npymap_release(&m, 0, 3);
  CHECK(MAT_AT(&v, 2, 1) == 3.0);   /* released pages come back from the file */
  npymap_close(&m);
  CHECK(npymap_open(path_of("s32.npy"), 0, (size_t)-1, &m, &err) == MLSH_OK);
  CHECK(m.single && m.rows == 8);
  r = npymap_rows(&m, 7, 8, buf);
  CHECK(r[0] == 1.0 && r[1] == (double)1.1f);
  npymap_close(&m);
  CHECK(npymap_open(path_of("s.npy"), 3, 9, &m, &err) == MLSH_EINVAL);
  mat_free(&X);
}

static void test_bad_files(void) {
  mlsh_npymap m;
  mlsh_err err;
  mlsh_mat X = small();
  save("ok.npy", &X, 0);
  FILE *f = fopen(path_of("ok.npy"), "rb");
  unsigned char b[512];
  size_t n = fread(b, 1, sizeof b, f);
  fclose(f);
  write_bytes("trunc.npy", b, n - 8);
  CHECK(npymap_open(path_of("trunc.npy"), 0, (size_t)-1, &m, &err) == MLSH_EIO);
  CHECK(strstr(err.msg, "truncated") != NULL);
  write_bytes("head.npy", b, 20);
  CHECK(npymap_open(path_of("head.npy"), 0, (size_t)-1, &m, &err) == MLSH_EIO);
  /* the same header, Fortran order; then an integer dtype */
  unsigned char c[512];
  memcpy(c, b, n);
  char *fo = strstr((char *)c + 10, "False");
  memcpy(fo, "True ", 5);
  write_bytes("fortran.npy", c, n);
  CHECK(npymap_open(path_of("fortran.npy"), 0, (size_t)-1, &m, &err) == MLSH_EIO && strstr(err.msg, "Fortran"));
  memcpy(c, b, n);
  memcpy(strstr((char *)c + 10, "<f8"), "<i8", 3);
  write_bytes("int.npy", c, n);
  CHECK(npymap_open(path_of("int.npy"), 0, (size_t)-1, &m, &err) == MLSH_EIO && strstr(err.msg, "float64 or float32"));
  write_bytes("long.npy", b, n);
  f = fopen(path_of("long.npy"), "ab");
  fputs("xyz", f);
  fclose(f);
  CHECK(npymap_open(path_of("long.npy"), 0, (size_t)-1, &m, &err) == MLSH_EIO && strstr(err.msg, "after the data"));
  CHECK(npymap_open(path_of("missing.npy"), 0, (size_t)-1, &m, &err) == MLSH_EIO);
  mat_free(&X);
}

/* The correlation PCA of small(): eigenvalues, total inertia, loadings and a
 * contribution, as every solver (covariance or TSQR) must give them. */
static void check_reference_pca(const stream_pca *pc) {
  CHECK_NEAR(pc->eig.data[0], 2.65284824, 1e-8);
  CHECK_NEAR(pc->eig.data[1], 0.29993075, 1e-8);
  CHECK_NEAR(pc->eig.data[2], 0.04722101, 1e-8);
  CHECK_NEAR(pc->total, 3.0, 1e-12);
  CHECK_NEAR(MAT_AT(&pc->loadings, 0, 0), 0.57221214, 1e-8);
  CHECK_NEAR(MAT_AT(&pc->loadings, 2, 1), 0.77006801, 1e-8);
  CHECK_NEAR(MAT_AT(&pc->var_contrib, 0, 0), 32.74267283, 1e-6);
}

static void test_moments_and_pca(void) {
  mlsh_mat X = small();
  stream_src s;
  stream_src_matrix(&s, &X);
  s.block = 3;   /* three blocks, two merges */
  stream_moments mo = {.full = 1};
  mlsh_err err;
  CHECK(stream_moments_compute(&s, NULL, &mo, &err) == MLSH_OK);
  CHECK(mo.n == 8);
  CHECK_NEAR(mo.mean[0], 1.9375, 1e-15);
  CHECK(mo.min[2] == 0.2 && mo.max[0] == 3.1);
  mlsh_mat S;
  CHECK(stream_cov(&mo, 0, &S, &err) == MLSH_OK);
  /* np.cov(DATA, rowvar=False) */
  CHECK_NEAR(MAT_AT(&S, 0, 0), 0.688392857142857, 1e-14);
  CHECK_NEAR(MAT_AT(&S, 0, 1), 0.6510714285714285, 1e-14);
  CHECK_NEAR(MAT_AT(&S, 2, 0), -0.4907142857142858, 1e-14);
  mat_free(&S);
  stream_pca pc;
  CHECK(stream_pca_fit(&mo, 1, 2, &pc, &err) == MLSH_OK);
  check_reference_pca(&pc);
  stream_pca_free(&pc);
  stream_moments_free(&mo);
  mat_free(&X);
}

static void test_cov_large_offset(void) {
  /* a large common offset: the merged block moments keep the digits */
  mlsh_mat X = random_data(5000, 4, 7);
  for (size_t i = 0; i < MAT_LEN(&X); i++) X.data[i] += 1e8;
  stream_src s;
  stream_src_matrix(&s, &X);
  s.block = 333;
  stream_moments mo = {.full = 1};
  mlsh_mat S, R;
  mlsh_err err;
  CHECK(stream_moments_compute(&s, NULL, &mo, &err) == MLSH_OK);
  CHECK(stream_cov(&mo, 0, &S, &err) == MLSH_OK && mat_cov(&X, &R, &err) == MLSH_OK);
  double worst = 0;
  for (size_t i = 0; i < 16; i++) worst = fmax(worst, fabs(S.data[i] - R.data[i]));
  CHECK(worst < 1e-6);
  mat_free(&S); mat_free(&R); stream_moments_free(&mo); mat_free(&X);
}

static void test_kmeans_matches_lloyd(void) {
  mlsh_mat X = random_data(3000, 5, 11);
  save("km.npy", &X, 0);
  mlsh_npymap m;
  mlsh_err err;
  CHECK(npymap_open(path_of("km.npy"), 0, (size_t)-1, &m, &err) == MLSH_OK);
  stream_src s;
  stream_src_npymap(&s, &m);
  s.block = 250;
  for (int given = 0; given < 2; given++) {
    mlsh_mat C0;
    mat_slice(&X, 0, 4, 0, 5, &C0, &err);
    km_opts o;
    km_opts_default(&o, 4);
    o.algo = KM_LLOYD;
    o.seed = 3;
    o.init = given ? KM_INIT_GIVEN : KM_INIT_PLUSPLUS;
    o.centers0 = &C0;
    km_result a;
    CHECK(km_fit(&X, &o, &a, &err) == MLSH_OK);
    stream_km_opts so;
    stream_km_opts_default(&so, 4);
    so.seed = 3;
    so.centers0 = given ? &C0 : NULL;   /* sample (100000) >= n: k-means++ on every row, as km_fit */
    stream_km_result b;
    CHECK(stream_kmeans(&s, NULL, &so, &b, &err) == MLSH_OK);
    CHECK(a.iters == b.iters && a.converged == b.converged);
    CHECK_NEAR(b.inertia, a.inertia, 1e-9 * a.inertia);
    size_t same = 0;
    for (size_t i = 0; i < X.rows; i++) same += a.labels[i] == b.labels[i];
    CHECK(same == X.rows);
    for (size_t c = 0; c < 4; c++) CHECK(b.sizes[c] == (double)a.sizes[c]);
    CHECK_NEAR(MAT_AT(&b.centers, 2, 3), MAT_AT(&a.centers, 2, 3), 1e-12);
    km_result_free(&a);
    stream_km_result_free(&b);
    mat_free(&C0);
  }
  stream_km_opts so;
  stream_km_opts_default(&so, 4000);
  stream_km_result b;
  CHECK(stream_kmeans(&s, NULL, &so, &b, &err) == MLSH_EINVAL);
  npymap_close(&m);
  mat_free(&X);
}

static void test_sampling_is_keyed_by_row(void) {
  size_t hits = 0;
  for (size_t i = 0; i < 100000; i++) hits += stream_sampled(5, i, 0.1);
  CHECK(hits > 9500 && hits < 10500);
  CHECK(stream_sampled(5, 123, 0.5) == stream_sampled(5, 123, 0.5));
  CHECK(stream_sampled(9, 1, 1.0));
}

static void test_knn_direct(void) {
  mlsh_mat X = random_data(700, 3, 5), Q;
  mlsh_err err;
  mat_slice(&X, 10, 15, 0, 3, &Q, &err);
  stream_src s;
  stream_src_matrix(&s, &X);
  s.block = 64;
  size_t *idx = mlsh_malloc_array(5 * 701, sizeof(size_t));
  double *d = mlsh_malloc_array(5 * 701, sizeof(double));
  CHECK(stream_knn(&s, NULL, &Q, 4, 0, idx, d, &err) == MLSH_OK);
  for (size_t a = 0; a < 5; a++) {
    CHECK(idx[a * 4] == 10 + a && d[a * 4] == 0.0);
    /* the direct search: no row nearer than the 4th */
    size_t closer = 0;
    for (size_t i = 0; i < X.rows; i++)
      closer += sqrt(dist_sq_pair(Q.data + a * 3, X.data + i * 3, 3)) < d[a * 4 + 3];
    CHECK(closer <= 3);
    for (size_t t = 1; t < 4; t++) CHECK(d[a * 4 + t] >= d[a * 4 + t - 1]);
  }
  CHECK(stream_knn(&s, NULL, &Q, 701, 0, idx, d, &err) == MLSH_EINVAL);
  mlsh_free(idx);
  mlsh_free(d);
  mat_free(&Q);
  mat_free(&X);
}

static void test_tsqr_pca(void) {
  /* the same numpy reference as test_moments_and_pca, by the SVD of R */
  mlsh_mat X = small();
  stream_src s;
  stream_src_matrix(&s, &X);
  s.block = 3;   /* three R factors stacked in turn */
  stream_moments mo = {.full = 0};
  mlsh_err err;
  CHECK(stream_moments_compute(&s, NULL, &mo, &err) == MLSH_OK);
  stream_pca pc;
  CHECK(stream_pca_tsqr(&s, NULL, &mo, 1, 2, &pc, &err) == MLSH_OK);
  check_reference_pca(&pc);
  stream_pca_free(&pc);
  CHECK(stream_pca_fit(&mo, 1, 2, &pc, &err) == MLSH_EINVAL);   /* the covariance path needs full moments */
  stream_moments_free(&mo);
  mat_free(&X);
}

static void test_kmeans_parallel_seed(void) {
  /* four blobs 3 apart around row % 4: every seed lands in its own blob */
  mlsh_mat X = random_data(2000, 2, 3);
  for (size_t i = 0; i < X.rows; i++) MAT_AT(&X, i, 1) += 20.0 * (double)(i % 4);
  stream_src s;
  stream_src_matrix(&s, &X);
  s.block = 128;
  stream_seed_opts o = {.k = 4, .seed = 7, .threads = 1};
  double C[8], C2[8], C3[8], shift[2] = {1.0, -2.0};
  mlsh_err err;
  CHECK(stream_kmeans_parallel_init(&s, NULL, &o, NULL, C, &err) == MLSH_OK);
  int blob[4] = {0};
  for (int c = 0; c < 4; c++) {
    double b = floor(C[2 * c + 1] / 20.0 + 0.5);
    CHECK(b >= 0 && b < 4);
    if (b >= 0 && b < 4) blob[(int)b]++;
  }
  CHECK(blob[0] == 1 && blob[1] == 1 && blob[2] == 1 && blob[3] == 1);
  s.block = 2000;
  o.threads = 4;
  CHECK(stream_kmeans_parallel_init(&s, NULL, &o, shift, C2, &err) == MLSH_OK);
  for (int t = 0; t < 8; t++) CHECK(C2[t] == C[t] - shift[t % 2]);   /* blocks and threads change nothing */
  o.seed = 8;
  CHECK(stream_kmeans_parallel_init(&s, NULL, &o, NULL, C3, &err) == MLSH_OK);
  o.k = 2001;
  CHECK(stream_kmeans_parallel_init(&s, NULL, &o, NULL, C3, &err) == MLSH_EINVAL);
  mat_free(&X);
}

/* The streamed indices against the in-memory ones (clv_*, tested against
 * scikit-learn) on 1000 rows in blocks of 64, labels i mod 4; plain and
 * bitwise blocks; a label out of range names its row. */
static void test_cluster_indices(void) {
  mlsh_mat X = random_data(1000, 3, 13);
  int lab[1000];
  for (int i = 0; i < 1000; i++) lab[i] = i % 4;
  mlsh_err err;
  double ch0, db0, ch, db;
  CHECK(clv_calinski_harabasz(&X, lab, 4, &ch0, &err) == MLSH_OK);
  CHECK(clv_davies_bouldin(&X, lab, 4, &db0, &err) == MLSH_OK);
  stream_src s;
  stream_src_matrix(&s, &X);
  s.block = 64;
  for (int bitwise = 0; bitwise < 2; bitwise++) {
    s.bitwise = bitwise;
    CHECK(stream_cluster_indices(&s, NULL, lab, 4, 3, &ch, &db, &err) == MLSH_OK);
    CHECK_NEAR(ch, ch0, 1e-10 * ch0);
    CHECK_NEAR(db, db0, 1e-10 * db0);
  }
  lab[700] = 4;
  CHECK(stream_cluster_indices(&s, NULL, lab, 4, 1, &ch, &db, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "label 5 at row 701 is outside 1..4") != NULL);
  CHECK(stream_cluster_indices(&s, NULL, lab, 1000, 1, &ch, &db, &err) == MLSH_EINVAL);
  /* rows gathered by number, in the order asked */
  size_t rows[3] = {999, 0, 64};
  double out[9];
  CHECK(stream_gather_rows(&s, NULL, rows, 3, out, &err) == MLSH_OK);
  CHECK(out[0] == MAT_AT(&X, 999, 0) && out[4] == MAT_AT(&X, 0, 1) && out[8] == MAT_AT(&X, 64, 2));
  mat_free(&X);
}

/* One process posing as a ring of one: the ring's own code paths. */
static int self_gather(void *ctx, const void *in, size_t bytes, void *out, mlsh_err *err) {
  (void)ctx; (void)err;
  memcpy(out, in, bytes);
  return MLSH_OK;
}

static int self_shift(void *ctx, const void *send, size_t sbytes, void *recv, size_t rbytes, mlsh_err *err) {
  (void)ctx; (void)err; (void)rbytes;
  memmove(recv, send, sbytes);
  return MLSH_OK;
}

static int self_start(void *ctx, const void *send, size_t sbytes, void *recv, size_t rbytes, mlsh_err *err) {
  return self_shift(ctx, send, sbytes, recv, rbytes, err);
}
static int self_wait(void *ctx, mlsh_err *err) { (void)ctx; (void)err; return MLSH_OK; }

static void test_knn_ring_of_one(void) {
  mlsh_mat X = random_data(300, 3, 6), Q;
  mlsh_err err;
  mat_slice(&X, 0, 20, 0, 3, &Q, &err);
  stream_src s;
  stream_src_matrix(&s, &X);
  s.block = 64;
  stream_comm one = {.rank = 0, .size = 1, .allgather = self_gather};
  size_t i1[60], i2[60];
  double d1[60], d2[60];
  CHECK(stream_knn(&s, NULL, &Q, 3, 1, i1, d1, &err) == MLSH_OK);
  CHECK(stream_knn_ring(&s, &one, &Q, 3, 3, i2, d2, &err) == MLSH_EINVAL);   /* no shift: refused */
  one.shift = self_shift;
  CHECK(stream_knn_ring(&s, &one, &Q, 3, 3, i2, d2, &err) == MLSH_OK);
  for (int t = 0; t < 60; t++) CHECK(i1[t] == i2[t] && d1[t] == d2[t]);
  /* the split transfer alone serves the ring; query slices (7 for 20 queries; more threads than
   * queries) give the same bits as one */
  one.shift = NULL;
  one.shift_start = self_start;
  one.shift_wait = self_wait;
  CHECK(stream_knn_ring(&s, &one, &Q, 3, 7, i2, d2, &err) == MLSH_OK);
  for (int t = 0; t < 60; t++) CHECK(i1[t] == i2[t] && d1[t] == d2[t]);
  CHECK(stream_knn(&s, NULL, &Q, 3, 64, i2, d2, &err) == MLSH_OK);
  for (int t = 0; t < 60; t++) CHECK(i1[t] == i2[t] && d1[t] == d2[t]);
  mat_free(&Q);
  mat_free(&X);
}

static int self_sum(void *ctx, double *buf, size_t n, mlsh_err *err) {
  (void)ctx; (void)buf; (void)n; (void)err;
  return MLSH_OK;
}

static int self_gatherv(void *ctx, const void *in, size_t bytes, void *out, const size_t *counts, mlsh_err *err) {
  (void)counts;
  return self_gather(ctx, in, bytes, out, err);
}

/* Mapped Lloyd from centres C0 (k of them) against km_fit's Lloyd and
 * Hamerly from the same centres: the same labels, sizes and iterations,
 * the inertia to 1e-10. Over blocks of `block` rows, 1 and 3 threads,
 * bitwise or not, and through a comm of one process (the gathered path). */
static void check_empty_vs_memory(const mlsh_mat *X, const mlsh_mat *C0, size_t block, const char *file) {
  mlsh_err err;
  size_t k = C0->rows;
  save(file, X, 0);
  mlsh_npymap m;
  CHECK(npymap_open(path_of(file), 0, (size_t)-1, &m, &err) == MLSH_OK);
  km_result a[2];
  for (int h = 0; h < 2; h++) {
    km_opts o;
    km_opts_default(&o, k);
    o.algo = h ? KM_HAMERLY : KM_LLOYD;
    o.init = KM_INIT_GIVEN;
    o.centers0 = C0;
    CHECK(km_fit(X, &o, &a[h], &err) == MLSH_OK);
  }
  CHECK(a[0].iters == a[1].iters);
  stream_comm one = {.rank = 0, .size = 1, .allreduce_sum = self_sum, .allgather = self_gather,
                     .allgatherv = self_gatherv};
  for (int v = 0; v < 8; v++) {
    stream_src s;
    stream_src_npymap(&s, &m);
    s.block = block;
    s.bitwise = v & 1;
    stream_km_opts so;
    stream_km_opts_default(&so, k);
    so.centers0 = C0;
    so.threads = v & 2 ? 3 : 1;
    stream_km_result b;
    CHECK(stream_kmeans(&s, v & 4 ? &one : NULL, &so, &b, &err) == MLSH_OK);
    for (int h = 0; h < 2; h++) {
      CHECK(a[h].iters == b.iters && a[h].converged == b.converged);
      CHECK_NEAR(b.inertia, a[h].inertia, 1e-10 * a[h].inertia);
      size_t same = 0;
      for (size_t i = 0; i < X->rows; i++) same += a[h].labels[i] == b.labels[i];
      CHECK(same == X->rows);
      for (size_t c = 0; c < k; c++) CHECK(b.sizes[c] == (double)a[h].sizes[c]);
    }
    stream_km_result_free(&b);
  }
  km_result_free(&a[0]);
  km_result_free(&a[1]);
  npymap_close(&m);
}

static void test_kmeans_empty_clusters(void) {
  /* By hand (p = 2, second column 0): A = {10, 0} from centre 5, B =
   * {100, 101, 102} from 101, C = {200} alone from 180; D and E far from
   * every row, empty at the first pass. D takes the farthest row of a
   * cluster of 2 or more: rows 0 and 1 tie at 25 (the lower row, 10);
   * A is left with one row, so E takes row 2 (100: ties with 102 at 1).
   * Then nothing changes: labels D A E B B C, 2 iterations, inertia
   * 0.25 + 0.25. */
  static const double x[6] = {10, 0, 100, 101, 102, 200}, c0[5][2] = {{5, 0}, {101, 0}, {180, 0}, {1e4, 0}, {1e4, 1e3}};
  mlsh_mat X, C0;
  mat_alloc(&X, 6, 2, NULL);
  mat_alloc(&C0, 5, 2, NULL);
  for (size_t i = 0; i < 6; i++) { MAT_AT(&X, i, 0) = x[i]; MAT_AT(&X, i, 1) = 0.0; }
  for (size_t c = 0; c < 5; c++) { MAT_AT(&C0, c, 0) = c0[c][0]; MAT_AT(&C0, c, 1) = c0[c][1]; }
  stream_src s;
  stream_src_matrix(&s, &X);
  s.block = 2;
  stream_km_opts so;
  stream_km_opts_default(&so, 5);
  so.centers0 = &C0;
  stream_km_result b;
  mlsh_err err;
  CHECK(stream_kmeans(&s, NULL, &so, &b, &err) == MLSH_OK);
  static const int want[6] = {3, 0, 4, 1, 1, 2};
  for (size_t i = 0; i < 6; i++) CHECK(b.labels[i] == want[i]);
  CHECK(b.iters == 2 && b.converged);
  CHECK_NEAR(b.inertia, 0.5, 1e-12);
  CHECK_NEAR(MAT_AT(&b.centers, 3, 0), 10.0, 1e-12);
  stream_km_result_free(&b);
  check_empty_vs_memory(&X, &C0, 2, "empty6.npy");
  mat_free(&C0);
  /* 3000 rows around 4 centres; from rows 0..2 and two centres far from
   * every row: two empty clusters at the first pass, served in order. */
  mat_free(&X);
  X = random_data(3000, 5, 11);
  mat_alloc(&C0, 5, 5, NULL);
  for (size_t c = 0; c < 5; c++)
    for (size_t q = 0; q < 5; q++) MAT_AT(&C0, c, q) = c < 3 ? MAT_AT(&X, c, q) : (c == 3 ? 1e3 : -1e3);
  check_empty_vs_memory(&X, &C0, 250, "empty3000.npy");
  mat_free(&C0);
  mat_free(&X);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/mlsh-mmap-XXXXXX");
  if (!mkdtemp(dir)) { printf("0 passed, 1 failed\n"); return 1; }
  RUN(test_map_rows);
  RUN(test_bad_files);
  RUN(test_moments_and_pca);
  RUN(test_cov_large_offset);
  RUN(test_kmeans_matches_lloyd);
  RUN(test_sampling_is_keyed_by_row);
  RUN(test_knn_direct);
  RUN(test_tsqr_pca);
  RUN(test_kmeans_parallel_seed);
  RUN(test_knn_ring_of_one);
  RUN(test_kmeans_empty_clusters);
  RUN(test_cluster_indices);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd)) {}
  CTEST_DONE();
}
