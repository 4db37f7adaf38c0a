/* test_learn.c - unit tests of the classifiers, splits, scaler, metrics
 * and model files (src/learn/). Reference values are from scikit-learn
 * 1.2.1 (Debian 12), computed on datasets/iris.csv as noted per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctest.h"
#include "../../src/learn/model.h"
#include "../../src/learn/prep.h"
#include "../../src/learn/metrics.h"
#include "../../src/core/alloc.h"

/* iris: 150 x 4 and species 1..3 (setosa, versicolor, virginica). */
static mlsh_mat iris;
static int iris_y[150];

static int load_iris(void) {
  FILE *f = fopen("datasets/iris.csv", "r");
  if (!f) return 0;
  char line[256];
  mlsh_err err;
  mat_alloc(&iris, 150, 4, &err);
  if (!fgets(line, sizeof line, f)) { fclose(f); return 0; }
  int i = 0;
  while (i < 150 && fgets(line, sizeof line, f)) {
    char sp[64];
    double a, b, c, d;
    if (sscanf(line, "%lf,%lf,%lf,%lf,%63s", &a, &b, &c, &d, sp) != 5) continue;
    MAT_AT(&iris, i, 0) = a; MAT_AT(&iris, i, 1) = b; MAT_AT(&iris, i, 2) = c; MAT_AT(&iris, i, 3) = d;
    iris_y[i] = strstr(sp, "setosa") ? 1 : strstr(sp, "versicolor") ? 2 : 3;
    i++;
  }
  fclose(f);
  return i == 150;
}

/* Even rows (0, 2, ...) train, odd rows test, as X[::2] / X[1::2]. */
static mlsh_mat even, odd;
static int ye[75], yo[75];

static void halves(void) {
  mlsh_err err;
  mat_alloc(&even, 75, 4, &err);
  mat_alloc(&odd, 75, 4, &err);
  for (int i = 0; i < 150; i++) {
    mlsh_mat *m = i % 2 ? &odd : &even;
    memcpy(&MAT_AT(m, i / 2, 0), &MAT_AT(&iris, i, 0), 4 * sizeof(double));
    (i % 2 ? yo : ye)[i / 2] = iris_y[i];
  }
}

static double accuracy(learn_model *m, const mlsh_mat *X, const int *y) {
  int *p = malloc(X->rows * sizeof(int));
  mlsh_err err = {0};
  if (learn_predict(m, X, p, &err)) { free(p); return -1; }
  int ok = 0;
  for (size_t i = 0; i < X->rows; i++) ok += p[i] == y[i];
  free(p);
  return (double)ok / (double)X->rows;
}

static void test_metrics(void) {
  /* sklearn classification_report([1,1,2,2,3,3], [1,2,2,2,3,1]) */
  int yt[] = {1, 1, 2, 2, 3, 3}, yp[] = {1, 2, 2, 2, 3, 1};
  learn_metrics m;
  mlsh_err err = {0};
  CHECK(learn_metrics_compute(yt, yp, 6, &m, &err) == MLSH_OK);
  CHECK(m.K == 3);
  CHECK_NEAR(m.accuracy, 0.666667, 1e-6);
  CHECK_NEAR(m.precision[1], 0.666667, 1e-6);
  CHECK_NEAR(m.recall[2], 0.5, 1e-12);
  CHECK_NEAR(m.f1[1], 0.8, 1e-12);
  CHECK_NEAR(m.macro[0], 0.722222, 1e-6);
  CHECK_NEAR(m.macro[2], 0.655556, 1e-6);
  CHECK_NEAR(m.weighted[2], 0.655556, 1e-6);
  CHECK(MAT_AT(&m.confusion, 2, 0) == 1 && MAT_AT(&m.confusion, 0, 1) == 1 && MAT_AT(&m.confusion, 1, 1) == 2);
  learn_metrics_free(&m);
}

static void test_scaler(void) {
  /* StandardScaler().fit([[1,2,0],[3,5,0],[4,9,0],[10,1,0]]): mean [4.5, 4.25, 0],
   * scale [3.35410197, 3.1124749, 1]; transform row 1 = [-1.04349839, -0.7228974, 0] */
  double d[] = {1, 2, 0, 3, 5, 0, 4, 9, 0, 10, 1, 0};
  mlsh_mat X = {4, 3, d}, Z = {0};
  learn_scaler s = {SCALER_STANDARD, 0, NULL, NULL};
  mlsh_err err = {0};
  CHECK(scaler_fit(&s, &X, &err) == MLSH_OK);
  CHECK_NEAR(s.shift[1], 4.25, 1e-12);
  CHECK_NEAR(s.scale[0], 3.35410197, 1e-8);
  CHECK_NEAR(s.scale[2], 1.0, 0);
  CHECK(scaler_transform(&s, &X, &Z, &err) == MLSH_OK);
  CHECK_NEAR(MAT_AT(&Z, 0, 0), -1.04349839, 1e-8);
  CHECK_NEAR(MAT_AT(&Z, 0, 1), -0.7228974, 1e-7);
  mat_free(&Z);
  double w[] = {1, 2};
  mlsh_mat bad = {1, 2, w};
  CHECK(scaler_transform(&s, &bad, &Z, &err) == MLSH_EINVAL);
  scaler_free(&s);
  s.kind = SCALER_MINMAX;
  CHECK(scaler_fit(&s, &X, &err) == MLSH_OK);
  CHECK_NEAR(s.shift[0], 1, 0);
  CHECK_NEAR(s.scale[0], 9, 0);
  scaler_free(&s);
}

static void test_split_kfold(void) {
  int y[100];
  for (int i = 0; i < 100; i++) y[i] = i < 50 ? 1 : i < 80 ? 2 : 3;
  size_t *tr, *te, ntr, nte;
  mlsh_err err = {0};
  CHECK(learn_split(100, y, 0.2, 7, &tr, &ntr, &te, &nte, &err) == MLSH_OK);
  CHECK(ntr == 80 && nte == 20);
  int per[4] = {0}, seen[100] = {0};
  for (size_t i = 0; i < nte; i++) { per[y[te[i]]]++; seen[te[i]]++; }
  for (size_t i = 0; i < ntr; i++) seen[tr[i]]++;
  CHECK(per[1] == 10 && per[2] == 6 && per[3] == 4);
  int all = 1;
  for (int i = 0; i < 100; i++) all &= seen[i] == 1;
  CHECK(all);
  for (size_t i = 1; i < nte; i++) CHECK(te[i] > te[i - 1]);
  mlsh_free(tr); mlsh_free(te);
  y[99] = 4;   /* a class with one member */
  CHECK(learn_split(100, y, 0.2, 7, &tr, &ntr, &te, &nte, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "only 1 member") != NULL);
  y[99] = 3;
  int fold[100], size[5] = {0};
  CHECK(learn_kfold(100, y, 5, 3, fold, &err) == MLSH_OK);
  for (int i = 0; i < 100; i++) size[fold[i]]++;
  for (int f = 0; f < 5; f++) CHECK(size[f] == 20);
  int c3 = 0;
  for (int i = 80; i < 100; i++) c3 += fold[i] == 0;
  CHECK(c3 == 4);   /* 20 members of class 3 spread evenly */
  CHECK(learn_kfold(3, NULL, 5, 3, fold, &err) == MLSH_EINVAL);
}

static void test_knn(void) {
  /* KNeighborsClassifier(5).fit(X, y).score(X, y) = 0.966667;
   * KNeighborsClassifier(5, weights='distance', metric='manhattan') on X[::2] -> X[1::2]: 0.96 */
  learn_model m = {.kind = LEARN_KNN};
  m.u.knn = (knn_model){.k = 5, .metric = KNN_EUCLIDEAN};
  mlsh_err err = {0};
  CHECK(learn_fit(&m, &iris, iris_y, 150, &err) == MLSH_OK);
  CHECK_NEAR(accuracy(&m, &iris, iris_y), 0.966667, 1e-6);
  m.u.knn.metric = KNN_MANHATTAN; m.u.knn.distance_weights = 1;
  CHECK(learn_fit(&m, &even, ye, 75, &err) == MLSH_OK);
  CHECK_NEAR(accuracy(&m, &odd, yo), 0.96, 1e-12);
  m.u.knn.k = 76;
  CHECK(learn_fit(&m, &even, ye, 75, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "larger than the training set") != NULL);
  learn_model_free(&m);
}

static void test_svm(void) {
  /* SVC(C=1) on X[::2] -> X[1::2]: 0.933333, 40 support vectors;
   * SVC(kernel='linear', C=0.5): 0.946667, 23; SVC(kernel='poly', coef0=1, gamma='auto'): 0.973333, 9 */
  struct { svc_kernel k; double C, gamma, coef0, acc; size_t nsv; } cases[] = {
    {SVC_RBF, 1, SVC_GAMMA_SCALE, 0, 0.933333, 40},
    {SVC_LINEAR, 0.5, SVC_GAMMA_SCALE, 0, 0.946667, 23},
    {SVC_POLY, 1, SVC_GAMMA_AUTO, 1, 0.973333, 9},
  };
  for (int c = 0; c < 3; c++) {
    learn_model m = {.kind = LEARN_SVM};
    m.u.svc = (svc_model){.kernel = cases[c].k, .C = cases[c].C, .gamma_opt = cases[c].gamma, .coef0 = cases[c].coef0,
                          .degree = 3, .tol = 1e-3, .cache_mb = 100};
    mlsh_err err = {0};
    CHECK(learn_fit(&m, &even, ye, 75, &err) == MLSH_OK);
    CHECK_NEAR(accuracy(&m, &odd, yo), cases[c].acc, 1e-6);
    CHECK(m.u.svc.SV.rows == cases[c].nsv);
    learn_model_free(&m);
  }
  /* Probabilities: rows sum to 1, and agree with the vote on clear cases. */
  learn_model m = {.kind = LEARN_SVM};
  m.u.svc = (svc_model){.kernel = SVC_RBF, .C = 1, .gamma_opt = SVC_GAMMA_SCALE, .degree = 3, .tol = 1e-3,
                        .cache_mb = 100, .probability = 1, .seed = 5};
  mlsh_err err = {0};
  mlsh_mat P = {0};
  CHECK(learn_fit(&m, &even, ye, 75, &err) == MLSH_OK);
  CHECK(learn_proba(&m, &odd, &P, &err) == MLSH_OK);
  CHECK_NEAR(MAT_AT(&P, 0, 0) + MAT_AT(&P, 0, 1) + MAT_AT(&P, 0, 2), 1.0, 1e-9);
  CHECK(MAT_AT(&P, 0, 0) > 0.8);   /* row 1 of iris is a setosa */
  mat_free(&P);
  learn_model_free(&m);
}

static void test_logistic(void) {
  /* LogisticRegression(C=1, max_iter=1000, tol=1e-8).fit(X, y): score 0.973333,
   * predict_proba(X[:1]) = [9.81584652e-01, 1.84153333e-02, 1.44968230e-08] */
  learn_model m = {.kind = LEARN_LOGISTIC};
  m.u.logit = (logit_model){.C = 1, .tol = 1e-8, .max_iter = 1000};
  mlsh_err err = {0};
  mlsh_mat P = {0}, row = {1, 4, iris.data};
  CHECK(learn_fit(&m, &iris, iris_y, 150, &err) == MLSH_OK);
  CHECK_NEAR(accuracy(&m, &iris, iris_y), 0.973333, 1e-6);
  CHECK(learn_proba(&m, &row, &P, &err) == MLSH_OK);
  CHECK_NEAR(MAT_AT(&P, 0, 0), 0.981584652, 1e-5);
  CHECK_NEAR(MAT_AT(&P, 0, 1), 0.0184153333, 1e-5);
  mat_free(&P);
  learn_model_free(&m);
}

static void test_forest(void) {
  /* No exact reference (randomised): iris is easy, so a forest must reach
   * >= 0.9 on the odd half; the result must not depend on the thread count. */
  learn_model a = {.kind = LEARN_FOREST}, b = {.kind = LEARN_FOREST};
  a.u.forest = (forest_model){.ntrees = 50, .min_split = 2, .min_leaf = 1, .bootstrap = 1, .mf = MF_SQRT, .seed = 11, .threads = 1};
  b.u.forest = a.u.forest;
  b.u.forest.threads = 2;
  mlsh_err err = {0};
  CHECK(learn_fit(&a, &even, ye, 75, &err) == MLSH_OK);
  CHECK(learn_fit(&b, &even, ye, 75, &err) == MLSH_OK);
  double acc = accuracy(&a, &odd, yo);
  CHECK(acc >= 0.9);
  CHECK_NEAR(accuracy(&b, &odd, yo), acc, 0);
  mlsh_mat Pa = {0}, Pb = {0};
  learn_proba(&a, &odd, &Pa, &err);
  learn_proba(&b, &odd, &Pb, &err);
  CHECK(memcmp(Pa.data, Pb.data, MAT_LEN(&Pa) * sizeof(double)) == 0);
  double s = 0;
  for (int j = 0; j < 4; j++) s += a.u.forest.importance[j];
  CHECK_NEAR(s, 1.0, 1e-12);
  /* Petal length/width carry most of the impurity decrease on iris. */
  CHECK(a.u.forest.importance[2] + a.u.forest.importance[3] > 0.6);
  mat_free(&Pa); mat_free(&Pb);
  learn_model_free(&a); learn_model_free(&b);
}

static int same_bytes(const char *a, const char *b) {
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  int same = fa && fb;
  while (same) {
    int ca = fgetc(fa), cb = fgetc(fb);
    same = ca == cb;
    if (ca == EOF) break;
  }
  if (fa) fclose(fa);
  if (fb) fclose(fb);
  return same;
}

static void test_save_load(void) {
  learn_model ms[4];
  memset(ms, 0, sizeof ms);
  ms[0].kind = LEARN_KNN; ms[0].u.knn = (knn_model){.k = 3, .metric = KNN_COSINE};
  ms[1].kind = LEARN_SVM; ms[1].u.svc = (svc_model){.kernel = SVC_RBF, .C = 1, .gamma_opt = SVC_GAMMA_SCALE, .degree = 3, .tol = 1e-3, .cache_mb = 50};
  ms[2].kind = LEARN_FOREST; ms[2].u.forest = (forest_model){.ntrees = 10, .min_split = 2, .min_leaf = 1, .bootstrap = 1, .seed = 3};
  ms[3].kind = LEARN_LOGISTIC; ms[3].u.logit = (logit_model){.C = 1, .tol = 1e-6, .max_iter = 200};
  char path[64];
  snprintf(path, sizeof path, "/tmp/mlsh_test_model_%d.bin", (int)getpid());
  for (int k = 0; k < 4; k++) {
    mlsh_err err = {0};
    learn_model back;
    CHECK(learn_fit(&ms[k], &even, ye, 75, &err) == MLSH_OK);
    CHECK(learn_save(&ms[k], path, &err) == MLSH_OK);
    CHECK(learn_load(&back, path, &err) == MLSH_OK);
    int p1[75], p2[75];
    learn_predict(&ms[k], &odd, p1, &err);
    CHECK(learn_predict(&back, &odd, p2, &err) == MLSH_OK);
    CHECK(memcmp(p1, p2, sizeof p1) == 0);
    /* Saving the loaded model writes the same bytes. */
    char again[80];
    snprintf(again, sizeof again, "%s.again", path);
    CHECK(learn_save(&back, again, &err) == MLSH_OK);
    CHECK(same_bytes(path, again));
    remove(again);
    learn_model_free(&back);
    /* Flip one byte in the middle: the checksum catches it. */
    FILE *f = fopen(path, "r+b");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, len / 2, SEEK_SET);
    int ch = fgetc(f);
    fseek(f, len / 2, SEEK_SET);
    fputc(ch ^ 0x5a, f);
    fclose(f);
    CHECK(learn_load(&back, path, &err) == MLSH_EIO);
    CHECK(strstr(err.msg, "corrupt") != NULL);
    /* Truncated file. */
    CHECK(truncate(path, len / 3) == 0);
    CHECK(learn_load(&back, path, &err) == MLSH_EIO);
    learn_model_free(&ms[k]);
  }
  mlsh_err err = {0};
  learn_model back;
  CHECK(learn_load(&back, "/nonexistent/model", &err) == MLSH_EIO);
  remove(path);
}

static unsigned file_version(const char *path) {
  unsigned char head[12] = {0};
  FILE *f = fopen(path, "rb");
  if (f) { if (fread(head, 1, 12, f) != 12) memset(head, 0, sizeof head); fclose(f); }
  return head[8] | head[9] << 8 | head[10] << 16 | (unsigned)head[11] << 24;
}

/* Class names ride in format version 2; unnamed models stay version 1,
 * and a version 1 file written before names existed still loads. */
static void test_class_names(void) {
  static const char *const names[] = {"setosa", "versicolor", "virginica"};
  static const char *const unsorted[] = {"versicolor", "setosa", "virginica"};
  learn_model m = {.kind = LEARN_LOGISTIC}, back;
  m.u.logit = (logit_model){.C = 1, .tol = 1e-6, .max_iter = 200};
  mlsh_err err = {0};
  char path[64];
  snprintf(path, sizeof path, "/tmp/mlsh_test_names_%d.bin", (int)getpid());
  CHECK(learn_set_names(&m, names, &err) == MLSH_EINVAL);             /* not fitted */
  CHECK(learn_fit(&m, &even, ye, 75, &err) == MLSH_OK);
  CHECK(learn_set_names(&m, unsorted, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "sorted") != NULL);
  CHECK(learn_set_names(&m, names, &err) == MLSH_OK);
  CHECK(learn_save(&m, path, &err) == MLSH_OK);
  CHECK(file_version(path) == 2);
  CHECK(learn_load(&back, path, &err) == MLSH_OK);
  CHECK(back.names != NULL && strcmp(back.names[0], "setosa") == 0 && strcmp(back.names[2], "virginica") == 0);
  char again[80];
  snprintf(again, sizeof again, "%s.again", path);
  CHECK(learn_save(&back, again, &err) == MLSH_OK && same_bytes(path, again));
  remove(again);
  learn_model_free(&back);
  CHECK(learn_set_names(&m, NULL, &err) == MLSH_OK);
  CHECK(learn_save(&m, path, &err) == MLSH_OK);
  CHECK(file_version(path) == 1);
  CHECK(learn_load(&back, path, &err) == MLSH_OK && back.names == NULL);
  learn_model_free(&back);
  CHECK(learn_set_names(&m, names, &err) == MLSH_OK);
  CHECK(learn_fit(&m, &even, ye, 75, &err) == MLSH_OK && m.names == NULL);   /* a refit forgets them */
  learn_model_free(&m);
  remove(path);
  /* Written by mlsh before version 2: logistic regression (C=1, max_iter=1000,
   * tol=1e-8) on all of iris, scikit-learn's training accuracy 0.973333. */
  CHECK(file_version("test/fixtures/model/iris_logistic_v1.model") == 1);
  CHECK(learn_load(&back, "test/fixtures/model/iris_logistic_v1.model", &err) == MLSH_OK);
  CHECK(back.names == NULL);
  CHECK_NEAR(accuracy(&back, &iris, iris_y), 0.973333, 1e-6);
  learn_model_free(&back);
}

static void test_bad_input(void) {
  learn_model m = {.kind = LEARN_SVM};
  m.u.svc = (svc_model){.kernel = SVC_RBF, .C = 1, .gamma_opt = SVC_GAMMA_SCALE, .degree = 3, .tol = 1e-3, .cache_mb = 50};
  mlsh_err err = {0};
  int out[75];
  CHECK(learn_predict(&m, &odd, out, &err) == MLSH_EINVAL);            /* before fit */
  CHECK(strstr(err.msg, "not fitted") != NULL);
  CHECK(learn_fit(&m, &even, ye, 70, &err) == MLSH_EINVAL);           /* length mismatch */
  int one[75];
  for (int i = 0; i < 75; i++) one[i] = 1;
  CHECK(learn_fit(&m, &even, one, 75, &err) == MLSH_EINVAL);          /* one class */
  CHECK(learn_fit(&m, &even, ye, 75, &err) == MLSH_OK);
  mlsh_mat narrow = {75, 3, even.data};
  CHECK(learn_predict(&m, &narrow, out, &err) == MLSH_EINVAL);        /* wrong columns */
  CHECK(strstr(err.msg, "columns") != NULL);
  learn_model_free(&m);
}

int main(void) {
  RUN(test_metrics);
  RUN(test_scaler);
  RUN(test_split_kfold);
  if (!load_iris()) {
    ctest_name = "iris";
    printf("SKIP iris: datasets/iris.csv not found (run from the project root)\n");
    ctest_skip++;
    CTEST_DONE();
  }
  halves();
  RUN(test_knn);
  RUN(test_svm);
  RUN(test_logistic);
  RUN(test_forest);
  RUN(test_save_load);
  RUN(test_class_names);
  RUN(test_bad_input);
  mat_free(&iris); mat_free(&even); mat_free(&odd);
  CTEST_DONE();
}
