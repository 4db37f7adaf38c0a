/* test_core.c - unit tests of the C core: matrices, LAPACK wrappers,
 * .npy and CSV parsing, RNG, threads, atomic files, fault injection. */
#include <stdlib.h>
#include <unistd.h>
#include "ctest.h"
#include "../../src/core/alloc.h"
#include "../../src/core/atomicfile.h"
#include "../../src/core/buf.h"
#include "../../src/core/distrib.h"
#include "../../src/core/error.h"
#include "../../src/core/matfmt.h"
#include "../../src/core/matrix.h"
#include "../../src/core/npy.h"
#include "../../src/core/rng.h"
#include "../../src/core/threads.h"
#include "../../src/core/vexp.h"
#include "../../src/data/csv.h"

static void test_inverse_and_solve(void) {
  mlsh_mat a, inv, b, x;
  mlsh_err err;
  mat_alloc(&a, 2, 2, &err);
  a.data[0] = 4; a.data[1] = 7; a.data[2] = 2; a.data[3] = 6;
  CHECK(mat_inv(&a, &inv, &err) == MLSH_OK);
  CHECK_NEAR(inv.data[0], 0.6, 1e-14);
  CHECK_NEAR(inv.data[1], -0.7, 1e-14);
  CHECK_NEAR(inv.data[2], -0.2, 1e-14);
  CHECK_NEAR(inv.data[3], 0.4, 1e-14);
  mat_free(&inv);
  mat_alloc(&b, 2, 1, &err);
  b.data[0] = 1; b.data[1] = 2;
  CHECK(mat_solve(&a, &b, &x, &err) == MLSH_OK);
  CHECK_NEAR(4 * x.data[0] + 7 * x.data[1], 1, 1e-12);
  CHECK_NEAR(2 * x.data[0] + 6 * x.data[1], 2, 1e-12);
  double det;
  CHECK(mat_det(&a, &det, &err) == MLSH_OK);
  CHECK_NEAR(det, 10, 1e-12);
  a.data[2] = 8; a.data[3] = 14;   /* rows proportional: singular */
  CHECK(mat_inv(&a, &inv, &err) == MLSH_ENUM);
  mat_free(&a); mat_free(&b); mat_free(&x);
}

static void test_svd_reconstructs(void) {
  mlsh_mat a, U, s, V, US, R;
  mlsh_err err;
  mlsh_rng rng;
  mlsh_rng_seed(&rng, 5);
  mat_alloc(&a, 6, 4, &err);
  for (size_t i = 0; i < 24; i++) a.data[i] = mlsh_rng_normal(&rng);
  CHECK(mat_svd(&a, &U, &s, &V, &err) == MLSH_OK);
  mat_copy(&U, &US, &err);
  for (size_t i = 0; i < 6; i++)
    for (size_t j = 0; j < 4; j++) MAT_AT(&US, i, j) *= s.data[j];
  mlsh_mat Vt;
  mat_transpose(&V, &Vt, &err);
  mat_matmul(&US, &Vt, &R, &err);
  double maxd = 0;
  for (size_t i = 0; i < 24; i++) maxd = fmax(maxd, fabs(R.data[i] - a.data[i]));
  CHECK(maxd < 1e-12);
  CHECK(s.data[0] >= s.data[1] && s.data[1] >= s.data[2]);
  mat_free(&a); mat_free(&U); mat_free(&s); mat_free(&V); mat_free(&US); mat_free(&Vt); mat_free(&R);
}

static void test_npy_parse_errors(void) {
  mlsh_npy a;
  mlsh_err err;
  CHECK(npy_parse((const unsigned char *)"garbage", 7, &a, &err) == MLSH_EIO);
  const char hdr[] = "\x93NUMPY\x01\x00\x40\x00{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }          \n";
  unsigned char buf[128 + 32] = {0};
  memcpy(buf, hdr, sizeof hdr - 1);
  /* header is 10 + 64 bytes; 4 doubles need 32 more */
  CHECK(npy_parse(buf, 74 + 31, &a, &err) == MLSH_EIO);     /* one byte short */
  CHECK(strstr(err.msg, "truncated") != NULL);
  CHECK(npy_parse(buf, 74 + 32, &a, &err) == MLSH_OK);
  CHECK(a.ndim == 2 && a.shape[0] == 2 && a.count == 4);
  npy_free(&a);
  CHECK(npy_parse(buf, 74 + 33, &a, &err) == MLSH_EIO);     /* one byte extra */
  const char bad[] = "\x93NUMPY\x01\x00\x40\x00{'descr': '<c16', 'fortran_order': False, 'shape': (2, 2), }         \n";
  memcpy(buf, bad, sizeof bad - 1);
  CHECK(npy_parse(buf, 74 + 64, &a, &err) == MLSH_EIO);
  const char huge[] = "\x93NUMPY\x01\x00\x40\x00{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999,9), }\n";
  memcpy(buf, huge, sizeof huge - 1);
  CHECK(npy_parse(buf, 74 + 32, &a, &err) == MLSH_EIO);
}

static void test_csv(void) {
  csv_table t;
  mlsh_err err;
  const char *text = "a;b;c\r\n1;\"x;y\";3\r\n4;NA;\r\n";
  CHECK(csv_parse(text, strlen(text), NULL, &t, &err) == MLSH_OK);
  CHECK(t.nrows == 2 && t.ncols == 3);
  CHECK(t.cols[0].numeric && t.cols[0].num[1] == 4);
  CHECK(!t.cols[1].numeric && strcmp(t.cols[1].str[0], "x;y") == 0 && t.cols[1].str[1] == NULL);
  CHECK(t.cols[2].numeric && isnan(t.cols[2].num[1]) && t.cols[2].missing == 1);
  csv_free(&t);
  const char *ragged = "a,b\n1,2\n3\n";
  CHECK(csv_parse(ragged, strlen(ragged), NULL, &t, &err) == MLSH_EIO);
  CHECK(strstr(err.msg, "line 3") != NULL);
  const char *multi = "name,note\n\"A\",\"two\nlines\"\n";
  CHECK(csv_parse(multi, strlen(multi), NULL, &t, &err) == MLSH_OK);
  CHECK(t.nrows == 1 && strcmp(t.cols[1].str[0], "two\nlines") == 0);
  csv_free(&t);
}

static void test_rng(void) {
  mlsh_rng a, b;
  mlsh_rng_seed(&a, 42);
  mlsh_rng_seed(&b, 42);
  int same = 1;
  for (int i = 0; i < 100; i++) same &= mlsh_rng_next(&a) == mlsh_rng_next(&b);
  CHECK(same);
  size_t perm[50], seen[50] = {0};
  mlsh_rng_permutation(&a, perm, 50);
  for (int i = 0; i < 50; i++) seen[perm[i]]++;
  int ok = 1;
  for (int i = 0; i < 50; i++) ok &= seen[i] == 1;
  CHECK(ok);
  int below_ok = 1;
  for (int i = 0; i < 1000; i++) below_ok &= mlsh_rng_below(&a, 7) < 7;
  CHECK(below_ok);
}

typedef struct { double *x; double partial[8]; } sum_ctx;

static int sum_range(void *p, size_t b, size_t e, int tid) {
  sum_ctx *c = p;
  for (size_t i = b; i < e; i++) c->partial[tid] += c->x[i];
  return 0;
}

static void test_parallel_for(void) {
  double x[10000];
  for (int i = 0; i < 10000; i++) x[i] = i;
  sum_ctx c = {x, {0}};
  CHECK(mlsh_parallel_for(10000, 2, 100, sum_range, &c) == 0);
  double s = 0;
  for (int t = 0; t < 8; t++) s += c.partial[t];
  CHECK_NEAR(s, 49995000.0, 0);
  sum_ctx d = {x, {0}};
  CHECK(mlsh_parallel_dynamic(10000, 2, 64, sum_range, &d) == 0);
  s = 0;
  for (int t = 0; t < 8; t++) s += d.partial[t];
  CHECK_NEAR(s, 49995000.0, 0);
}

static void test_atomic_file(void) {
  char dir[] = "/tmp/mlsh-test-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[256];
  snprintf(path, sizeof path, "%s/f.txt", dir);
  mlsh_err err;
  CHECK(mlsh_write_file_atomic(path, "old", 3, &err) == MLSH_OK);
  mlsh_afile af;
  CHECK(mlsh_afile_open(&af, path, &err) == MLSH_OK);
  fputs("new but abandoned", af.fp);
  mlsh_afile_abort(&af);
  FILE *f = fopen(path, "r");
  char buf[32] = {0};
  CHECK(f && fread(buf, 1, sizeof buf - 1, f) == 3 && strcmp(buf, "old") == 0);
  if (f) fclose(f);
  unlink(path);
  rmdir(dir);   /* fails if a temporary was left behind */
  CHECK(access(dir, F_OK) != 0);
}

static void test_fault_injection(void) {
  mlsh_mat m;
  mlsh_err err;
  mlsh_alloc_fail_after(1);
  CHECK(mat_alloc(&m, 10, 10, &err) == MLSH_ENOMEM);
  CHECK(mat_alloc(&m, 10, 10, &err) == MLSH_OK);
  mat_free(&m);
  CHECK(mat_alloc(&m, (size_t)1 << 40, (size_t)1 << 40, &err) == MLSH_ENOMEM);
}

static void test_format(void) {
  mlsh_mat m;
  mlsh_err err;
  mat_alloc(&m, 2, 2, &err);
  m.data[0] = 1; m.data[1] = 2; m.data[2] = 3; m.data[3] = 4;
  char *s = mat_format(&m, 80, 20, 7);
  CHECK(s && strstr(s, "[Matrix 2x2]") && strstr(s, "  1  2"));
  mlsh_free(s);
  m.data[1] = 0.5;
  s = mat_format(&m, 80, 20, 7);
  CHECK(s && strstr(s, "  1  0.5\n") && strstr(s, "  3  4.0\n"));   /* R: one format per column */
  mlsh_free(s);
  mat_free(&m);
}

static void test_buf(void) {
  mlsh_buf b = MLSH_BUF_INIT;
  CHECK(mlsh_buf_add(&b, "ab", 2) == MLSH_OK && b.len == 2 && strcmp(b.s, "ab") == 0);
  for (int i = 0; i < 1000; i++) CHECK(mlsh_buf_puts(&b, "0123456789") == MLSH_OK);   /* grows past 256 */
  CHECK(b.len == 10002 && b.cap > b.len && b.s[b.len] == 0 && memcmp(b.s + 9992, "0123456789", 10) == 0);
  char big[2000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  mlsh_buf_free(&b);
  CHECK(b.s == NULL && b.len == 0);
  /* printf longer than the first allocation (256) and than any stack buffer */
  CHECK(mlsh_buf_printf(&b, "<%s|%d>", big, 42) == MLSH_OK);
  CHECK(b.len == 1999 + 5 && b.s[0] == '<' && strcmp(b.s + 2000, "|42>") == 0);
  CHECK(mlsh_buf_reserve(&b, 100000) == MLSH_OK && b.cap >= b.len + 100001);
  char *s = mlsh_buf_take(&b);
  CHECK(s && strlen(s) == 2004 && b.s == NULL && b.cap == 0);
  mlsh_free(s);
  s = mlsh_buf_take(&b);   /* nothing added: "" */
  CHECK(s && s[0] == 0);
  mlsh_free(s);
  /* a failed allocation: status, sticky, contents kept until freed */
  CHECK(mlsh_buf_puts(&b, "kept") == MLSH_OK);
  mlsh_alloc_fail_after(1);
  CHECK(mlsh_buf_printf(&b, "%s", big) == MLSH_ENOMEM && b.failed);
  CHECK(mlsh_buf_puts(&b, "x") == MLSH_ENOMEM && strcmp(b.s, "kept") == 0);
  CHECK(mlsh_buf_take(&b) == NULL && b.s == NULL && !b.failed);
  mlsh_alloc_fail_after(1);
  CHECK(mlsh_buf_add(&b, "y", 1) == MLSH_ENOMEM && b.s == NULL);
  mlsh_buf_free(&b);
  CHECK(mlsh_buf_reserve(&b, (size_t)-1) == MLSH_ENOMEM);   /* size overflow, no allocation */
  mlsh_buf_free(&b);
}

/* Relative error within a few ulps of R 4 (options(digits = 17)). */
#define CHECK_REL(a, b) CHECK_NEAR((a) / (b), 1.0, 4e-16)

static void test_read_file(void) {
  char path[] = "/tmp/mlsh-read-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0) return;
  static char data[200000];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (char)('a' + i % 26);
  CHECK(write(fd, data, sizeof data) == (ssize_t)sizeof data);
  close(fd);
  char *s;
  size_t len;
  mlsh_err err;
  CHECK(mlsh_read_file(path, 0, &s, &len, &err) == MLSH_OK && len == sizeof data && s[len] == 0 && memcmp(s, data, len) == 0);
  mlsh_free(s);
  CHECK(mlsh_read_file(path, 1000, &s, &len, &err) == MLSH_EIO && s == NULL && strstr(err.msg, "too large"));
  mlsh_alloc_fail_after(1);
  CHECK(mlsh_read_file(path, 0, &s, &len, &err) == MLSH_ENOMEM && s == NULL);
  unlink(path);
  CHECK(mlsh_read_file(path, 0, &s, &len, &err) == MLSH_EIO && strstr(err.msg, "cannot open"));
  CHECK(mlsh_read_file("/tmp", 0, &s, &len, &err) == MLSH_EIO && strstr(err.msg, "cannot read"));
}

static void test_pnorm(void) {
  CHECK_REL(mlsh_pnorm(-1.96, 1), 2.4997895148220428e-02);   /* R: pnorm(-1.96) */
  CHECK_REL(mlsh_pnorm(1.96, 0), 2.4997895148220428e-02);    /* pnorm(1.96, lower.tail = FALSE) */
  CHECK_REL(mlsh_pnorm(1.96, 1), 9.7500210485177963e-01);
  CHECK_REL(mlsh_pnorm(3, 1), 9.9865010196836990e-01);
  CHECK_REL(mlsh_pnorm(3, 0), 1.3498980316300946e-03);
  CHECK_REL(mlsh_pnorm(-5, 1), 2.8665157187919391e-07);
  CHECK_REL(mlsh_pnorm(-10, 1), 7.6198530241605269e-24);
  CHECK_REL(mlsh_pnorm(-20, 1), 2.7536241186062337e-89);
  CHECK_REL(mlsh_pnorm(-30, 1), 4.9067139271481872e-198);
  CHECK_REL(mlsh_pnorm(-37.5, 1), 4.6053530095819552e-308);
  CHECK_REL(mlsh_pnorm(8.3, 0), 5.2055697448902552e-17);
  CHECK_REL(mlsh_pnorm(12, 0), 1.7764821120776790e-33);
  CHECK(mlsh_pnorm(0, 1) == 0.5 && mlsh_pnorm(0, 0) == 0.5);
  CHECK(mlsh_pnorm(-38, 1) == 0.0 && mlsh_pnorm(-40, 1) == 0.0 && mlsh_pnorm(40, 0) == 0.0);   /* R: 0 */
  CHECK(mlsh_pnorm(12, 1) == 1.0 && mlsh_pnorm(INFINITY, 1) == 1.0 && mlsh_pnorm(-INFINITY, 1) == 0.0);
  CHECK(isnan(mlsh_pnorm(NAN, 1)));
  CHECK_NEAR(mlsh_qnorm(1e-10), -6.3613409024040557, 4e-15);     /* R: qnorm(1e-10) */
  CHECK_NEAR(mlsh_qnorm(1e-300), -37.0470962993612005, 4e-14);
  CHECK(mlsh_qnorm(0) == -INFINITY && mlsh_qnorm(1) == INFINITY && isnan(mlsh_qnorm(1.5)));
}

static void test_quantile(void) {
  double v[] = {1, 2, 3, 4};
  CHECK_NEAR(mat_quantile_sorted(v, 4, 0.25), 1.75, 1e-15);   /* R: quantile(1:4, .25) */
  CHECK_NEAR(mat_quantile_sorted(v, 4, 0.5), 2.5, 1e-15);
}

/* The vectorized exp against the C library's, over [-708, 0] and the edges. */
static void test_vexp(void) {
  enum { N = 20011 };
  static double x[N], y[N];
  for (int i = 0; i < N - 6; i++) x[i] = -708.0 * (double)i / (N - 7);
  x[N - 6] = -0.0; x[N - 5] = -1e-300; x[N - 4] = -1e-10; x[N - 3] = -708.5; x[N - 2] = -1e6; x[N - 1] = -0.6931471805599453;
  mlsh_exp_neg(x, y, N);
  double worst = 0;
  for (int i = 0; i < N - 3; i++) {
    double e = fabs(y[i] - exp(x[i])) / exp(x[i]);
    if (e > worst) worst = e;
  }
  CHECK(worst < 2e-15);
  CHECK(y[N - 6] == 1.0 && y[N - 5] == 1.0);
  CHECK(y[N - 3] == 0.0 && y[N - 2] == 0.0);
  CHECK_NEAR(y[N - 1], 0.5, 1e-16);
}

int main(void) {
  RUN(test_inverse_and_solve);
  RUN(test_svd_reconstructs);
  RUN(test_npy_parse_errors);
  RUN(test_csv);
  RUN(test_rng);
  RUN(test_parallel_for);
  RUN(test_atomic_file);
  RUN(test_fault_injection);
  RUN(test_format);
  RUN(test_buf);
  RUN(test_read_file);
  RUN(test_pnorm);
  RUN(test_quantile);
  RUN(test_vexp);
  CTEST_DONE();
}
