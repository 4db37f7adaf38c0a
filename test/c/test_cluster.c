/* test_cluster.c - K-Means, hierarchical clustering and validation
 * indices on iris (datasets/iris.csv). Reference values from
 * scikit-learn 1.2.1 and SciPy 1.10.1 (Debian 12), computed on the same
 * file: KMeans(3, n_init=10), silhouette_score, calinski_harabasz_score,
 * davies_bouldin_score, adjusted_rand_score, normalized_mutual_info_score,
 * scipy.cluster.hierarchy.linkage / cophenet. Hartigan-Wong: R 4.2.2's
 * stats::kmeans on R's own datasets (commands at the tests). */
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

/* ---- Hartigan-Wong against R ----
 * R 4.2.2, datasets package; x = as.matrix(<data>) (iris: iris[, 1:4]),
 * for each row below (iter.max 300, and 1 for some: R then stops early and
 * warns, even where the partition is already final, as USArrests):
 *   kmeans(x, centers = x[rows, ], iter.max = im, algorithm = "Hartigan-Wong")
 * printed with sprintf("%.17g"): tot.withinss, t(centers), cluster, iter.
 * R reports iter = iter.max + 1 (and warns) when it did not converge.
 * Data: test/fixtures/r_datasets/<name>.csv, written by R's write.csv. */
typedef struct {
  const char *name;
  size_t n, p, k;
  int rows[5];            /* 1-based rows of x used as initial centres */
  int max_iter, iter, converged;
  double tot;
  double centers[40];
  const char *labels;
} hw_ref;

static const hw_ref hw_refs[] = {
  {"USArrests", 50, 4, 4, {1, 10, 20, 30}, 300, 2, 1, 37652.659523809525,
   {11.766666666666666, 257.91666666666669, 68.416666666666671, 28.933333333333337, 8.2142857142857153, 173.28571428571428, 70.642857142857139, 22.842857142857149, 11.949999999999999, 316.5, 68, 26.700000000000003, 4.2699999999999996, 87.549999999999997, 59.75, 14.390000000000001},
   "11321241324414444143214124414211344224214224422442"},
  {"USArrests", 50, 4, 4, {1, 10, 20, 30}, 1, 2, 0, 37652.659523809525,
   {11.766666666666666, 257.91666666666669, 68.416666666666671, 28.933333333333337, 8.2142857142857153, 173.28571428571428, 70.642857142857139, 22.842857142857149, 11.949999999999999, 316.5, 68, 26.700000000000003, 4.2699999999999996, 87.549999999999997, 59.75, 14.390000000000001},
   "11321241324414444143214124414211344224214224422442"},
  {"faithful", 272, 2, 2, {1, 100}, 300, 1, 1, 8901.768720947206,
   {2.0943299999999998, 54.75, 4.2979302325581408, 80.284883720930239},
   "21212122121221211212112222122222122112122121221121221212212212121222122122121222222122221212121222121212212122212212121212212212121212121212212221212122122222121212121212112222212212221221212122222212122121221222121212121212222222212121122121212212121222222212221211221212"},
  {"quakes", 1000, 5, 5, {1, 200, 400, 600, 800}, 300, 4, 1, 1584667.7130280843,
   {-20.637948717948728, 177.96497435897427, 207.13846153846154, 4.5830769230769244, 32.712820512820514, -21.836829268292664, 180.71201219512193, 515.13414634146341, 4.5451219512195138, 32.896341463414636, -19.807149532710255, 180.34322429906547, 600.01401869158883, 4.5397196261682256, 31.94859813084112, -20.61559171597634, 178.55772189349133, 77.946745562130175, 4.7742603550295888, 36.571005917159766, -20.565280898876402, 181.75415730337079, 356.71910112359552, 4.4505617977528082, 27.483146067415731},
   "3343314113312345433331245212352455431331142414542421432323223134353324114223115545352142444121155542433435444115233344114433542345124234411133113144234414434244321444112135345121253415245325113353112352513132525514231315444524111435542343425144133421143413512212135444234322322233534512343234221133113142322324332212212541344424444241244444444444444444344315443435142451212314241411413135144425333423444243242144424111142443413212523254122114124442221241143423433312453111444144243514341233412514442144142344424442344142434443415444544421424444444342244444443434415113541454343354434334423335144415144433214451441342442441224242453443551542314431141233423421335532333521213344123311534135323523233113123214241241413324154233155522351214423534415414323434214444131144111445133313134444444242333131124342433123523444221433243545144154155412413444532232444431351133334151412443232233134413144413413243125443222414241344144314331344141224443433312444244434122244314441432344144141143434444544343513421141"},
  {"quakes", 1000, 5, 5, {1, 200, 400, 600, 800}, 1, 2, 0, 2210134.7805153113,
   {-20.412500000000012, 178.69726415094328, 235.93396226415095, 4.5528301886792466, 31.117924528301888, -20.450723684210509, 180.96013157894734, 570.88157894736844, 4.6348684210526336, 37.473684210526315, -19.053010752688174, 179.38677419354843, 624.78494623655911, 4.5172043010752692, 32.526881720430104, -20.672719780219783, 178.52126373626396, 83.145604395604394, 4.7618131868131881, 36.206043956043956, -21.843519553072618, 181.04776536312843, 481.61452513966481, 4.4541899441340789, 27.491620111731844},
   "5343314113212241422221545542212411421221145414145421425252552134212354414252111145215145444151155145422431444415532244114422145241154534414132113144524414424544351444115135345151513415541251112253115255513135155114521311444554141435545243451444123424142413115515421444534255255522524515342534554422113142355254332515515141244454444541244444444444444444244245442425145454512314244411412125144425232423444242545444454141145442412545152514155114454442251541143423433312412114444144543114241523415514445144145244454445344445424442415444144454454444444245544444442424415112141454342254434224452235144445144423214451441245445441224545452443121145314421444233453424331535333151512244452211534131223552523112122514541541412354154233115155251514423534411414253434514444131444111445133313134444444242332121154245433122552444251433542541144114151415412444525522444421311133224151415442525522124412144413412542151445555414541344144214331344141554442422315444544424155544314441435344144141142424444144342513451141"},
  {"state_x77", 50, 8, 3, {1, 10, 20}, 300, 3, 1, 49292723627.898346,
   {3584.6666666666665, 4479.9333333333334, 0.91999999999999982, 71.50266666666667, 6.373333333333334, 59.426666666666662, 117.59999999999999, 112282.66666666667, 365, 6315, 1.5, 69.310000000000002, 11.300000000000001, 66.700000000000003, 152, 566432, 4652.5294117647063, 4361.0588235294117, 1.2705882352941176, 70.649411764705874, 7.7058823529411766, 49.920588235294112, 97.264705882352942, 37827.117647058825},
   "32131133333133313333331331113313333313331311333331"},
  {"state_x77", 50, 8, 3, {1, 10, 20}, 1, 2, 0, 57634307778.469742,
   {4256.5600000000004, 4529.8800000000001, 0.93600000000000028, 71.366399999999999, 6.7319999999999993, 56.708000000000013, 111.36, 91719.720000000001, 365, 6315, 1.5, 69.310000000000002, 11.300000000000001, 66.700000000000003, 152, 566432, 4397.583333333333, 4259.5, 1.4000000000000001, 70.435833333333349, 7.8875000000000002, 48.791666666666657, 95.291666666666671, 28223.708333333332},
   "32131133113113113333311311113313313113331311331311"},
  {"iris", 150, 4, 3, {1, 2, 3}, 300, 2, 1, 78.851441426145996,
   {6.8500000000000005, 3.0736842105263151, 5.7421052631578933, 2.0710526315789473, 5.9016129032258071, 2.7483870967741941, 4.3935483870967751, 1.4338709677419357, 5.0059999999999993, 3.4280000000000008, 1.4620000000000002, 0.24599999999999991},
   "333333333333333333333333333333333333333333333333332212222222222222222222222221222222222222222222222212111121111112211112121211221111121111211121112112"},
  {"iris", 150, 4, 3, {1, 51, 101}, 300, 2, 1, 78.851441426145996,
   {5.0059999999999993, 3.4280000000000008, 1.4620000000000002, 0.24599999999999991, 5.9016129032258071, 2.7483870967741941, 4.3935483870967751, 1.4338709677419357, 6.8500000000000005, 3.0736842105263151, 5.7421052631578933, 2.0710526315789473},
   "111111111111111111111111111111111111111111111111112232222222222222222222222223222222222222222222222232333323333332233332323233223333323333233323332332"},
  {"swiss", 47, 6, 3, {1, 10, 20}, 300, 2, 1, 21616.097365909092,
   {58.309090909090905, 19.509090909090904, 25.727272727272727, 23, 22.214545454545455, 19.227272727272727, 80.549999999999997, 65.518749999999997, 9.4375, 6.625, 96.149999999999991, 20.775000000000002, 68.325000000000017, 55.904999999999994, 17.050000000000001, 7.8499999999999996, 7.5500000000000016, 19.670000000000002},
   "12233222222333333113333333331322222222311131111"},
};

/* A numeric CSV with a header line (the fixtures), into X (n x p). */
static int load_csv(const char *name, size_t n, size_t p, mlsh_mat *X) {
  char path[128], line[512];
  snprintf(path, sizeof path, "test/fixtures/r_datasets/%s.csv", name);
  FILE *f = fopen(path, "r");
  mlsh_err err;
  if (!f || mat_alloc(X, n, p, &err)) { if (f) fclose(f); return 0; }
  int ok = fgets(line, sizeof line, f) != NULL;
  for (size_t i = 0; ok && i < n; i++) {
    char *s = fgets(line, sizeof line, f), *end;
    for (size_t j = 0; s && j < p; j++, s = end + 1) {
      MAT_AT(X, i, j) = strtod(s, &end);
      if (end == s) s = NULL;
    }
    ok = s != NULL;
  }
  fclose(f);
  if (!ok) mat_free(X);
  return ok;
}

static int near_rel(double a, double b, double tol) { return fabs(a - b) <= tol * fmax(1.0, fabs(b)); }

static void test_hartigan_wong_r(void) {
  for (size_t t = 0; t < sizeof hw_refs / sizeof *hw_refs; t++) {
    const hw_ref *h = &hw_refs[t];
    mlsh_mat X, C;
    mlsh_err err;
    int is_iris = !strcmp(h->name, "iris");
    if (is_iris) X = iris;
    else if (!load_csv(h->name, h->n, h->p, &X)) { CHECK(!"fixture readable"); continue; }
    mat_alloc(&C, h->k, h->p, &err);
    for (size_t c = 0; c < h->k; c++)
      for (size_t j = 0; j < h->p; j++) MAT_AT(&C, c, j) = MAT_AT(&X, h->rows[c] - 1, j);
    km_opts o;
    km_result r;
    km_opts_default(&o, h->k);
    o.init = KM_INIT_GIVEN;
    o.centers0 = &C;
    o.max_iter = h->max_iter;
    o.algo = KM_HARTIGAN_WONG;
    CHECK(km_fit(&X, &o, &r, &err) == MLSH_OK);
    CHECK(r.algo == KM_HARTIGAN_WONG);
    CHECK(near_rel(r.inertia, h->tot, 1e-10));
    CHECK(r.converged == h->converged);
    CHECK(r.iters == (h->converged ? h->iter : h->max_iter));
    int same = 1;
    for (size_t i = 0; i < h->n; i++) same &= r.labels[i] + 1 == h->labels[i] - '0';
    for (size_t q = 0; q < h->k * h->p; q++) same &= near_rel(r.centers.data[q], h->centers[q], 1e-10);
    if (!same) printf("  Hartigan-Wong differs from R on %s (rows %d, %d, ...)\n", h->name, h->rows[0], h->rows[1]);
    CHECK(same);
    /* auto takes Hartigan-Wong here (small, distinct centres) */
    o.algo = KM_AUTO;
    km_result a;
    CHECK(km_fit(&X, &o, &a, &err) == MLSH_OK);
    CHECK(a.algo == KM_HARTIGAN_WONG && a.inertia == r.inertia);
    km_result_free(&a);
    km_result_free(&r);
    mat_free(&C);
    if (!is_iris) mat_free(&X);
  }
}

/* Random starts: the best of 20 reaches R's optimum. R 4.2.2: over
 * set.seed(1..300), min of kmeans(x, k, nstart = 20, iter.max = 300)
 * $tot.withinss (every seed reached it; nstart = 2000 finds nothing lower). */
static void check_best_of_20(const mlsh_mat *X, size_t k, uint64_t seed, double best) {
  km_opts o;
  km_result r;
  mlsh_err err;
  km_opts_default(&o, k);
  o.init = KM_INIT_RANDOM;
  o.nstart = 20;
  o.seed = seed;
  o.algo = KM_HARTIGAN_WONG;
  CHECK(km_fit(X, &o, &r, &err) == MLSH_OK);
  CHECK(near_rel(r.inertia, best, 1e-10));
  CHECK(r.converged);
  km_result_free(&r);
}

static void test_hartigan_wong_starts(void) {
  mlsh_mat X;
  mlsh_err err;
  km_opts o;
  km_result r, r2;
  CHECK(load_csv("USArrests", 50, 4, &X));
  for (uint64_t seed = 1; seed <= 3; seed++) {
    check_best_of_20(&X, 4, seed, 34728.629357142861);
    check_best_of_20(&iris, 3, seed, 78.851441426145996);
  }
  /* k-means++ starts (the default init) and threads: the same result */
  km_opts_default(&o, 5);
  o.algo = KM_HARTIGAN_WONG;
  o.seed = 11;
  o.threads = 1;
  CHECK(km_fit(&X, &o, &r, &err) == MLSH_OK);
  o.threads = 3;
  CHECK(km_fit(&X, &o, &r2, &err) == MLSH_OK);
  int same = r.inertia == r2.inertia && r.iters == r2.iters;
  for (int i = 0; i < 50; i++) same &= r.labels[i] == r2.labels[i];
  CHECK(same);
  km_result_free(&r);
  km_result_free(&r2);
  /* k = 1: R (MacQueen) kmeans(x, 1)$tot.withinss = 355807.82160000014 */
  km_opts_default(&o, 1);
  o.algo = KM_HARTIGAN_WONG;
  CHECK(km_fit(&X, &o, &r, &err) == MLSH_OK);
  CHECK(near_rel(r.inertia, 355807.82160000014, 1e-10) && r.iters == 1 && r.sizes[0] == 50);
  km_result_free(&r);
  mat_free(&X);
}

static void test_hartigan_wong_errors(void) {
  mlsh_mat C;
  mlsh_err err;
  km_opts o;
  km_result r;
  mat_alloc(&C, 3, 4, &err);
  km_opts_default(&o, 3);
  o.algo = KM_HARTIGAN_WONG;
  o.init = KM_INIT_GIVEN;
  o.centers0 = &C;
  /* R: kmeans(x, rbind(x[1, ], x[51, ], 100)) -> "empty cluster: try a better set of initial centers" */
  for (int j = 0; j < 4; j++) { MAT_AT(&C, 0, j) = MAT_AT(&iris, 0, j); MAT_AT(&C, 1, j) = MAT_AT(&iris, 50, j); MAT_AT(&C, 2, j) = 100; }
  CHECK(km_fit(&iris, &o, &r, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "empty cluster") != NULL);
  /* ... which auto does not hand to Hartigan-Wong: Lloyd re-seeds the empty cluster */
  o.algo = KM_AUTO;
  CHECK(km_fit(&iris, &o, &r, &err) == MLSH_OK);
  CHECK(r.algo == KM_LLOYD);
  km_result_free(&r);
  /* R: kmeans(x, x[c(1, 1, 2), ]) -> "initial centers are not distinct" */
  o.algo = KM_HARTIGAN_WONG;
  for (int j = 0; j < 4; j++) { MAT_AT(&C, 1, j) = MAT_AT(&iris, 0, j); MAT_AT(&C, 2, j) = MAT_AT(&iris, 1, j); }
  CHECK(km_fit(&iris, &o, &r, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "not distinct") != NULL);
  mat_free(&C);
  /* R: nrow(unique(iris[, 1:4])) = 149, and kmeans(x, 150) -> "more
   * cluster centers than distinct data points." (R's check comes first) */
  km_opts_default(&o, 149);
  o.algo = KM_HARTIGAN_WONG;
  CHECK(km_fit(&iris, &o, &r, &err) == MLSH_OK);
  CHECK(r.inertia == 0.0 || r.inertia < 1e-20);
  km_result_free(&r);
  mlsh_mat Y;
  mat_alloc(&Y, 150, 4, &err);
  memcpy(Y.data, iris.data, sizeof(double) * 600);
  memcpy(Y.data + 4, Y.data, 4 * sizeof(double));   /* row 2 = row 1: 148 distinct rows */
  CHECK(km_fit(&Y, &o, &r, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "distinct rows (148)") != NULL);
  mat_free(&Y);
  km_opts_default(&o, 150);
  o.algo = KM_HARTIGAN_WONG;
  CHECK(km_fit(&iris, &o, &r, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "below the number of rows") != NULL);
  /* allocation failures are reported at every point, never a crash */
  for (int f = 1; f < 40; f++) {
    km_opts_default(&o, 3);
    o.algo = KM_HARTIGAN_WONG;
    o.init = f % 2 ? KM_INIT_RANDOM : KM_INIT_PLUSPLUS;
    o.nstart = 3;
    o.threads = 1;
    mlsh_alloc_fail_after(f);
    int rc = km_fit(&iris, &o, &r, &err);
    mlsh_alloc_fail_after(0);
    CHECK(rc == MLSH_OK || rc == MLSH_ENOMEM);
    if (rc == MLSH_OK) km_result_free(&r);
  }
}

/* auto: Hartigan-Wong up to n*p*k*nstart = 1e6, Lloyd above (so the
 * benchmark's 100000x50 k=10 and 20000x20 k>=2 fits, nstart = 10, stay on Lloyd). */
static void test_hartigan_wong_auto_rule(void) {
  mlsh_mat X;
  mlsh_err err;
  km_opts o;
  km_result r;
  mat_alloc(&X, 2000, 250, &err);
  uint64_t z = 1;
  for (size_t i = 0; i < X.rows * X.cols; i++) { z = z * 6364136223846793005ULL + 1442695040888963407ULL; X.data[i] = (double)(z >> 11) / 9007199254740992.0; }
  km_opts_default(&o, 2);
  o.nstart = 1;
  o.max_iter = 1;
  CHECK(km_fit(&X, &o, &r, &err) == MLSH_OK);
  CHECK(r.algo == KM_HARTIGAN_WONG);
  km_result_free(&r);
  o.nstart = 2;
  CHECK(km_fit(&X, &o, &r, &err) == MLSH_OK);
  CHECK(r.algo == KM_LLOYD);
  km_result_free(&r);
  mat_free(&X);
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

/* Ward on enough points that the nearest-neighbour search runs in chunks
 * on two threads: the same tree as one thread, bit for bit, and the heights
 * of the Lance-Williams route on the distance matrix. */
static void test_hclust_ward_threads(void) {
  mlsh_err err;
  size_t n = 3000, p = 5;
  mlsh_mat X;
  CHECK(mat_alloc(&X, n, p, &err) == MLSH_OK);
  unsigned long long st = 12345;
  for (size_t i = 0; i < n * p; i++) {
    st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    X.data[i] = (double)(st >> 11) / 9007199254740992.0 + (double)((i / p) % 4);
  }
  hc_tree a, b, c;
  CHECK(hc_linkage_data(&X, HC_WARD, DIST_EUCLIDEAN, 1, &a, &err) == MLSH_OK);
  CHECK(hc_linkage_data(&X, HC_WARD, DIST_EUCLIDEAN, 2, &b, &err) == MLSH_OK);
  int same = 1;
  for (size_t s = 0; s + 1 < n; s++)
    same &= a.height[s] == b.height[s] && a.merge[2 * s] == b.merge[2 * s] && a.merge[2 * s + 1] == b.merge[2 * s + 1];
  CHECK(same);
  double *cond = malloc(n * (n - 1) / 2 * sizeof(double));
  CHECK(dist_condensed(&X, DIST_EUCLIDEAN, 2, cond, &err) == MLSH_OK);
  CHECK(hc_linkage_cond(cond, n, HC_WARD, &c, &err) == MLSH_OK);
  double md = 0.0;
  for (size_t s = 0; s + 1 < n; s++) md = fmax(md, fabs(b.height[s] - c.height[s]) / c.height[s]);
  CHECK(md < 1e-9);
  free(cond);
  hc_tree_free(&a); hc_tree_free(&b); hc_tree_free(&c);
  mat_free(&X);
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
  RUN(test_hartigan_wong_r);
  RUN(test_hartigan_wong_starts);
  RUN(test_hartigan_wong_errors);
  RUN(test_hartigan_wong_auto_rule);
  RUN(test_hclust_iris);
  RUN(test_hclust_cut_and_matrix);
  RUN(test_hclust_ward_threads);
  RUN(test_hclust_small);
  RUN(test_distance_matrix_checks);
  RUN(test_profile);
  mat_free(&iris);
  CTEST_DONE();
}
