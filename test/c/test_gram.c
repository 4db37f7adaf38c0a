/* test_gram.c - the row dot-product cache of the SVM (src/learn/gram.c):
 * exact products for any subset, order or overlap of cached rows, growth,
 * the size bound, lookups, and SVM fits that agree with and without it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cblas.h>
#include "ctest.h"
#include "../../src/learn/gram.h"
#include "../../src/learn/model.h"
#include "../../src/core/rng.h"
#include "../../src/core/forkmap.h"
#include "../../src/core/alloc.h"

static mlsh_mat data;   /* 120 x 7 normals */

static void rows_of(size_t *idx, size_t n, mlsh_mat *out) {
  mlsh_err err;
  mat_select_rows(&data, idx, n, out, &err);
}

/* Max relative |G(view) - X X^T| over all pairs (products are single precision). */
static double view_error(const mlsh_mat *X, const gram_view *v) {
  double e = 0;
  for (size_t i = 0; i < X->rows; i++)
    for (size_t j = 0; j < X->rows; j++) {
      double d = cblas_ddot((int)X->cols, &MAT_AT(X, i, 0), 1, &MAT_AT(X, j, 0), 1);
      double g = v->G[v->idx[i] * v->ld + v->idx[j]];
      if (fabs(d - g) / (1.0 + fabs(d)) > e) e = fabs(d - g) / (1.0 + fabs(d));
    }
  return e;
}

static void test_products(void) {
  mlsh_err err = {0};
  gram_clear();
  size_t a[60], b[60], c[40];
  for (size_t i = 0; i < 60; i++) { a[i] = i; b[i] = 119 - i; }          /* disjoint halves */
  for (size_t i = 0; i < 40; i++) c[i] = (i * 37) % 120;                 /* both halves, shuffled */
  mlsh_mat A = {0}, B = {0}, Cm = {0};
  rows_of(a, 60, &A); rows_of(b, 60, &B); rows_of(c, 40, &Cm);
  gram_view v;
  CHECK(gram_acquire(&A, 1 << 20, &v, &err) == MLSH_OK);
  CHECK(view_error(&A, &v) < 1e-5);
  gram_release(&v);
  /* B shares no row with A: the cache starts afresh with B's rows. */
  CHECK(gram_acquire(&B, 1 << 20, &v, &err) == MLSH_OK);
  CHECK(view_error(&B, &v) < 1e-5);
  gram_release(&v);
  /* C overlaps B: it grows by A's rows among C's. */
  CHECK(gram_acquire(&Cm, 1 << 20, &v, &err) == MLSH_OK);
  CHECK(view_error(&Cm, &v) < 1e-5);
  gram_release(&v);
  /* A again: it shares C's rows, so the cache grows by the rest of A. */
  CHECK(gram_acquire(&A, 1 << 20, &v, &err) == MLSH_OK);
  CHECK(view_error(&A, &v) < 1e-5);
  gram_release(&v);
  /* Now every row is cached: a lookup of all 120 finds them. */
  if (gram_find(&data, NULL, &v, &err) == MLSH_OK) {
    CHECK(view_error(&data, &v) < 1e-5);
    gram_release(&v);
  } else CHECK(!"all rows cached");
  /* A row never seen: the lookup misses and the cache stays usable. */
  mlsh_mat odd = {0};
  mat_copy(&A, &odd, &err);
  MAT_AT(&odd, 3, 2) += 1e-3;   /* a change that survives rounding to float */
  CHECK(gram_find(&odd, NULL, &v, &err) == GRAM_TOO_BIG);
  if (gram_find(&A, &B, &v, &err) == MLSH_OK) {
    CHECK(v.idx[0] != v.idx[60]);
    CHECK(view_error(&A, &v) < 1e-5);
    gram_release(&v);
  } else CHECK(!"A and B cached");
  /* Repeated rows share one cache row. */
  size_t rep[4] = {5, 5, 6, 5};
  mlsh_mat R = {0};
  rows_of(rep, 4, &R);
  gram_clear();
  if (gram_acquire(&R, 1 << 20, &v, &err) == MLSH_OK) {
    CHECK(v.idx[0] == v.idx[1] && v.idx[1] == v.idx[3] && v.idx[2] != v.idx[0]);
    CHECK(view_error(&R, &v) < 1e-5);
    gram_release(&v);
  } else CHECK(!"repeated rows cached");
  /* Too big for the bound: the caller computes its own products. */
  CHECK(gram_acquire(&data, 1000, &v, &err) == GRAM_TOO_BIG);
  mat_free(&A); mat_free(&B); mat_free(&Cm); mat_free(&odd); mat_free(&R);
  gram_clear();
}

/* An SVM fitted with the cache (cold, then warm) and without it (a cache
 * bound too small) gives the same support vectors and predictions. */
static void test_svm_agrees(void) {
  int y[120];
  for (size_t i = 0; i < 120; i++) {
    y[i] = (MAT_AT(&data, i, 0) + 0.5 * MAT_AT(&data, i, 1) > 0) + (MAT_AT(&data, i, 2) > 0.8);
  }
  double cache[3] = {100, 100, 0.001};   /* cold, warm, none */
  int pred[3][120];
  size_t nsv[3];
  for (int c = 0; c < 3; c++) {
    learn_model m = {.kind = LEARN_SVM};
    m.u.svc = (svc_model){.kernel = SVC_RBF, .C = 3, .gamma_opt = SVC_GAMMA_SCALE, .degree = 3, .tol = 1e-3,
                          .cache_mb = cache[c]};
    mlsh_err err = {0};
    if (c == 0) gram_clear();
    CHECK(learn_fit(&m, &data, y, 120, &err) == MLSH_OK);
    CHECK(learn_predict(&m, &data, pred[c], &err) == MLSH_OK);
    nsv[c] = m.u.svc.SV.rows;
    learn_model_free(&m);
  }
  CHECK(nsv[0] == nsv[1] && nsv[1] == nsv[2]);
  CHECK(!memcmp(pred[0], pred[1], sizeof pred[0]));
  CHECK(!memcmp(pred[0], pred[2], sizeof pred[0]));
  gram_clear();
}

/* Workers fit their own rows (forkmap, as mlsh.parallel_map): each must
 * get exact products, and the parent's cache must stay intact. */
static int worker_products(void *ctx, size_t item, unsigned char **out, size_t *len) {
  (void)ctx; *out = NULL; *len = 0;
  size_t idx[50];
  for (size_t i = 0; i < 50; i++) idx[i] = 60 + (i * 7 + item * 13) % 60;   /* none of the parent's rows */
  mlsh_mat A = {0};
  rows_of(idx, 50, &A);
  mlsh_err err = {0};
  gram_view v;
  int bad = 1;
  for (int rep = 0; rep < 30; rep++) {
    if (gram_acquire(&A, 1 << 20, &v, &err) != MLSH_OK) break;
    usleep(1000);   /* let the other workers write, were the buffers shared */
    bad = view_error(&A, &v) > 1e-5;
    gram_release(&v);
    if (bad) break;
    A.data[0] += 1.0;   /* a new row each time: the cache rewrites its buffers */
  }
  mat_free(&A);
  return bad;
}

static void test_fork_workers(void) {
  mlsh_err err = {0};
  size_t a[60];
  for (size_t i = 0; i < 60; i++) a[i] = i;
  mlsh_mat A = {0};
  rows_of(a, 60, &A);
  gram_clear();
  gram_view v;
  CHECK(gram_acquire(&A, 1 << 20, &v, &err) == MLSH_OK);
  gram_release(&v);
  unsigned char *res[6];
  size_t lens[6];
  int st[6];
  CHECK(forkmap_run(6, 3, worker_products, NULL, res, lens, st, &err) == MLSH_OK);
  for (int i = 0; i < 6; i++) { CHECK(st[i] == 0); mlsh_free(res[i]); }
  if (gram_find(&A, NULL, &v, &err) == MLSH_OK) {
    CHECK(view_error(&A, &v) < 1e-5);
    gram_release(&v);
  } else CHECK(!"parent's rows still cached");
  mat_free(&A);
  gram_clear();
}

int main(void) {
  mlsh_err err;
  mlsh_rng rng;
  mlsh_rng_seed(&rng, 7);
  mat_alloc(&data, 120, 7, &err);
  for (size_t i = 0; i < MAT_LEN(&data); i++) data.data[i] = mlsh_rng_normal(&rng);
  RUN(test_products);
  RUN(test_svm_agrees);
  RUN(test_fork_workers);
  mat_free(&data);
  CTEST_DONE();
}
