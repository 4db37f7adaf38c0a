/* test_cluster.c - K-Means, hierarchical clustering and validation
 * indices on iris (datasets/iris.csv). Reference values from
 * scikit-learn 1.2.1 and SciPy 1.10.1 (Debian 12), computed on the same
 * file: KMeans(3, n_init=10), silhouette_score, calinski_harabasz_score,
 * davies_bouldin_score, adjusted_rand_score, normalized_mutual_info_score,
 * scipy.cluster.hierarchy.linkage / cophenet. */
#include <stdlib.h>
#include "ctest.h"
#include "../../src/cluster/kmeans.h"
#include "../../src/cluster/hclust.h"
#include "../../src/cluster/validity.h"
#include "../../src/core/alloc.h"

static mlsh_mat iris;
static int species[150];

static int load_iris(void) {
  FILE *f = fopen("datasets/iris.csv", "r");
  char line[256], name[64];
  if (!f) return 0;
  mlsh_err err;
  mat_alloc(&iris, 150, 4, &err);
  if (!fgets(line, sizeof line, f)) { fclose(f); return 0; }
  for (int i = 0; i < 150; i++) {
    double *r = iris.data + i * 4;
    if (!fgets(line, sizeof line, f) || sscanf(line, "%lf,%lf,%lf,%lf,%63s", r, r + 1, r + 2, r + 3, name) != 5) { fclose(f); return 0; }
    species[i] = name[0] == 's' ? 0 : name[1] == 'e' ? 1 : 2;   /* setosa, versicolor, virginica */
  }
  fclose(f);
  return 1;
}

static void test_kmeans_iris(void) {
  km_opts o;
  km_result r;
  mlsh_err err;
  int algos[2] = {KM_LLOYD, KM_HAMERLY};
  for (int a = 0; a < 2; a++) {
    km_opts_default(&o, 3);
    o.seed = 42;
    o.algo = algos[a];
    CHECK(km_fit(&iris, &o, &r, &err) == MLSH_OK);
    CHECK_NEAR(r.inertia, 78.851441426146, 1e-6);
    CHECK(r.converged);
    CHECK(r.sizes[0] + r.sizes[1] + r.sizes[2] == 150);
    double s, *sv = malloc(150 * sizeof(double));
    CHECK(clv_silhouette(&iris, r.labels, 3, 2, sv, &s, &err) == MLSH_OK);
    CHECK_NEAR(s, 0.5528190123564095, 1e-9);
    double ch, db;
    CHECK(clv_calinski_harabasz(&iris, r.labels, 3, &ch, &err) == MLSH_OK);
    CHECK_NEAR(ch, 561.62775662962, 1e-7);
    CHECK(clv_davies_bouldin(&iris, r.labels, 3, &db, &err) == MLSH_OK);
    CHECK_NEAR(db, 0.6619715465007465, 1e-9);
    double tab[9];
    clv_crosstab(species, r.labels, 150, 3, 3, tab);
    CHECK_NEAR(clv_ari(tab, 3, 3), 0.7302382722834697, 1e-12);
    CHECK_NEAR(clv_nmi(tab, 3, 3), 0.7581756800057785, 1e-12);
    CHECK_NEAR(clv_purity(tab, 3, 3), 134.0 / 150.0, 1e-12);
    int *pl = malloc(150 * sizeof(int));
    CHECK(km_predict(&r.centers, &iris, 1, pl, NULL, &err) == MLSH_OK);
    int same = 1;
    for (int i = 0; i < 150; i++) same &= pl[i] == r.labels[i];
    CHECK(same);
    free(pl);
    free(sv);
    km_result_free(&r);
  }
}

static void test_kmeans_threads_deterministic(void) {
  km_opts o;
  km_result r1, r2;
  mlsh_err err;
  km_opts_default(&o, 5);
  o.seed = 7;
  o.threads = 1;
  CHECK(km_fit(&iris, &o, &r1, &err) == MLSH_OK);
  o.threads = 2;
  CHECK(km_fit(&iris, &o, &r2, &err) == MLSH_OK);
  CHECK(r1.inertia == r2.inertia);
  int same = 1;
  for (int i = 0; i < 150; i++) same &= r1.labels[i] == r2.labels[i];
  CHECK(same);
  km_result_free(&r1);
  km_result_free(&r2);
}

static void test_kmeans_bad(void) {
  km_opts o;
  km_result r;
  mlsh_err err;
  km_opts_default(&o, 0);
  CHECK(km_fit(&iris, &o, &r, &err) == MLSH_EINVAL);
  km_opts_default(&o, 151);
  CHECK(km_fit(&iris, &o, &r, &err) == MLSH_EINVAL);
  /* k = n: every point its own cluster, inertia 0 (iris has duplicate rows: 147 distinct) */
  km_opts_default(&o, 150);
  o.nstart = 1;
  CHECK(km_fit(&iris, &o, &r, &err) == MLSH_OK);
  CHECK(r.inertia < 1e-9);
  km_result_free(&r);
  /* allocation failure is reported, not a crash */
  km_opts_default(&o, 3);
  mlsh_alloc_fail_after(3);
  int rc = km_fit(&iris, &o, &r, &err);
  mlsh_alloc_fail_after(0);
  CHECK(rc == MLSH_ENOMEM);
}

typedef struct { int method; double top[3]; double sum, coph; } hc_ref;

static void test_hclust_iris(void) {
  /* scipy linkage(X, method) on iris: last three heights (in merge
   * order), sum of heights and cophenetic correlation. */
  const hc_ref refs[] = {
    {HC_WARD, {32.44760699959244, 12.300396052792589, 6.399406819518539}, 138.16224196388305, 0.8728283153305715},
    {HC_COMPLETE, {7.085195833567341, 4.024922359499621, 3.2109188716004646}, 87.52824631225513, 0.7269856836284624},
    {HC_AVERAGE, {4.062682686118029, 1.9636140862746496, 1.7855664820227883}, 65.21280928322638, 0.8769561464741983},
    {HC_SINGLE, {1.6401219466856727, 0.818535277187245, 0.7348469228349535}, 43.52377963829875, 0.8638786773076584},
    {HC_CENTROID, {3.9740040261680663, 1.810243147131377, 1.6985516706234693}, 60.15810482832773, 0.8767630896971059},
    {HC_MEDIAN, {4.305043777901954, 2.8859274686337995, 1.470251739657248}, 62.60327806347449, 0.73825728118114},
    {HC_MCQUITTY, {4.49728250849221, 2.6297946023903735, 1.4806589999819564}, 67.73374711308345, 0.867976648611241},
  };
  mlsh_err err;
  for (size_t t = 0; t < sizeof refs / sizeof *refs; t++) {
    hc_tree tr;
    CHECK(hc_linkage_data(&iris, refs[t].method, DIST_EUCLIDEAN, 2, &tr, &err) == MLSH_OK);
    for (int i = 0; i < 3; i++) CHECK_NEAR(tr.height[148 - i], refs[t].top[i], 1e-9 * refs[t].top[i]);
    double s = 0.0;
    for (int i = 0; i < 149; i++) s += tr.height[i];
    CHECK_NEAR(s, refs[t].sum, 1e-9 * refs[t].sum);
    double r;
    CHECK(hc_cophenetic(&tr, &iris, DIST_EUCLIDEAN, NULL, &r, &err) == MLSH_OK);
    CHECK_NEAR(r, refs[t].coph, 1e-9);
    /* order is a permutation of 1..n */
    int seen[151] = {0}, ok = 1;
    for (int i = 0; i < 150; i++) { if (tr.order[i] < 1 || tr.order[i] > 150 || seen[tr.order[i]]++) ok = 0; }
    CHECK(ok);
    hc_tree_free(&tr);
  }
}

static void test_hclust_cut_and_matrix(void) {
  mlsh_err err;
  hc_tree a, b;
  CHECK(hc_linkage_data(&iris, HC_WARD, DIST_EUCLIDEAN, 1, &a, &err) == MLSH_OK);
  /* Ward through the distance matrix (Lance-Williams) = Ward on centroids. */
  double *cond = malloc(150 * 149 / 2 * sizeof(double));
  CHECK(dist_condensed(&iris, DIST_EUCLIDEAN, 2, cond, &err) == MLSH_OK);
  CHECK(hc_linkage_cond(cond, 150, HC_WARD, &b, &err) == MLSH_OK);
  double md = 0.0;
  for (int i = 0; i < 149; i++) md = fmax(md, fabs(a.height[i] - b.height[i]) / b.height[i]);
  CHECK(md < 1e-9);
  int lab[150], counts[4] = {0};
  CHECK(hc_cut_k(&a, 3, lab, &err) == MLSH_OK);
  for (int i = 0; i < 150; i++) counts[lab[i]]++;
  /* scipy fcluster(ward, 3, 'maxclust'): sizes 50, 36, 64 (here numbered by first appearance) */
  CHECK(counts[1] == 50 && counts[2] + counts[3] == 100 && (counts[2] == 64 || counts[2] == 36));
  size_t k;
  CHECK(hc_cut_height(&a, 10.0, lab, &k, &err) == MLSH_OK);
  CHECK(k == 3);
  CHECK(hc_cut_k(&a, 0, lab, &err) == MLSH_EINVAL);
  hc_tree_free(&a);
  hc_tree_free(&b);
  /* manhattan / average and cosine / complete: scipy on pdist(X, 'cityblock' / 'cosine') */
  CHECK(hc_linkage_data(&iris, HC_AVERAGE, DIST_MANHATTAN, 2, &a, &err) == MLSH_OK);
  CHECK_NEAR(a.height[148], 6.769480000000001, 1e-9);
  hc_tree_free(&a);
  CHECK(hc_linkage_data(&iris, HC_COMPLETE, DIST_COSINE, 2, &a, &err) == MLSH_OK);
  CHECK_NEAR(a.height[148], 0.19375994535931274, 1e-9);
  hc_tree_free(&a);
  free(cond);
}

static void test_hclust_small(void) {
  /* Four points on a line: 0, 1, 5, 6. R: hclust(dist(c(0,1,5,6)), "single")
   * gives merge (-1,-2), (-3,-4), (1,2) and heights 1, 1, 4. */
  mlsh_mat X;
  mlsh_err err;
  hc_tree t;
  mat_alloc(&X, 4, 1, &err);
  X.data[0] = 0; X.data[1] = 1; X.data[2] = 5; X.data[3] = 6;
  CHECK(hc_linkage_data(&X, HC_SINGLE, DIST_EUCLIDEAN, 1, &t, &err) == MLSH_OK);
  CHECK(t.merge[0] == -1 && t.merge[1] == -2 && t.merge[2] == -3 && t.merge[3] == -4);
  CHECK(t.merge[4] == 1 && t.merge[5] == 2);
  CHECK_NEAR(t.height[2], 4.0, 1e-15);
  CHECK(t.order[0] == 1 && t.order[1] == 2 && t.order[2] == 3 && t.order[3] == 4);
  hc_tree_free(&t);
  mat_free(&X);
  mat_alloc(&X, 1, 2, &err);
  CHECK(hc_linkage_data(&X, HC_WARD, DIST_EUCLIDEAN, 1, &t, &err) == MLSH_EINVAL);
  mat_free(&X);
}

static void test_distance_matrix_checks(void) {
  mlsh_mat D;
  mlsh_err err;
  double out[3];
  mat_alloc(&D, 3, 3, &err);
  MAT_AT(&D, 0, 1) = MAT_AT(&D, 1, 0) = 1;
  MAT_AT(&D, 0, 2) = MAT_AT(&D, 2, 0) = 2;
  MAT_AT(&D, 1, 2) = 3;
  MAT_AT(&D, 2, 1) = 3.5;
  CHECK(dist_from_square(&D, out, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "symmetric") != NULL);
  MAT_AT(&D, 2, 1) = 3;
  CHECK(dist_from_square(&D, out, &err) == MLSH_OK);
  CHECK(out[dist_cidx(3, 1, 2)] == 3);
  mat_free(&D);
  mat_alloc(&D, 2, 3, &err);
  CHECK(dist_from_square(&D, out, &err) == MLSH_EINVAL);
  mat_free(&D);
}

static void test_profile(void) {
  /* v-test (FactoMineR catdes): (mean_k - mean) / sqrt(s^2/n_k (N-n_k)/(N-1)),
   * s^2 the population variance. Petal length, setosa: mean 1.462, overall
   * 3.758, sd 1.759412 (population) -> v = -2.296 / sqrt(3.095530/50 * 100/149). */
  double mean[12], sd[12], vt[12], pv[12], gm[4], gs[4];
  size_t sizes[3];
  mlsh_err err;
  CHECK(clv_profile(&iris, species, 3, mean, sd, vt, pv, gm, gs, sizes, &err) == MLSH_OK);
  CHECK(sizes[0] == 50);
  CHECK_NEAR(mean[2], 1.462, 1e-12);
  double s2 = gs[2] * gs[2];
  CHECK_NEAR(vt[2], (1.462 - 3.758) / sqrt(s2 / 50 * 100.0 / 149.0), 1e-9);
  CHECK(pv[2] < 1e-10);
  int bad[150];
  memcpy(bad, species, sizeof bad);
  bad[10] = 5;
  CHECK(clv_profile(&iris, bad, 3, mean, sd, vt, pv, gm, gs, sizes, &err) == MLSH_EINVAL);
}

int main(void) {
  if (!load_iris()) {
    printf("SKIP test_cluster: datasets/iris.csv not readable (run from the project root)\n");
    printf("0 passed, 0 failed, 1 skipped\n");
    return 0;
  }
  RUN(test_kmeans_iris);
  RUN(test_kmeans_threads_deterministic);
  RUN(test_kmeans_bad);
  RUN(test_hclust_iris);
  RUN(test_hclust_cut_and_matrix);
  RUN(test_hclust_small);
  RUN(test_distance_matrix_checks);
  RUN(test_profile);
  mat_free(&iris);
  CTEST_DONE();
}
