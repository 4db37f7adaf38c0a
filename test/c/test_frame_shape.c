/* test_frame_shape.c - the kernels that reshape frames: cut (R's cut),
 * fill (tidyr's fill), concatenation and bind_rows (dplyr's bind_rows).
 * Reference values come from R 4.2 / tidyr 1.2, the call next to each. */
#include <math.h>
#include <string.h>
#include "ctest.h"
#include "../../src/frame/bind.h"
#include "../../src/frame/cut.h"
#include "../../src/frame/fill.h"
#include "../../src/core/alloc.h"

/* airquality$Temp[1:12] */
static const int64_t temp12[12] = {67, 72, 74, 62, 56, 66, 65, 59, 61, 69, 74, 69};

static mlsh_col *int_col(const int64_t *x, size_t n, const uint8_t *valid) {
  mlsh_col *c = NULL;
  mlsh_err err = {0};
  col_from_array(COL_INT64, x, n, valid, &c, &err);
  return c;
}

static int level_is(const mlsh_col *f, size_t q, const char *want) {
  size_t len;
  const char *s = col_str(f->levels, q, &len);
  return len == strlen(want) && memcmp(s, want, len) == 0;
}

static void test_cut_breaks(void) {
  mlsh_col *t = int_col(temp12, 12, NULL), *f = NULL;
  mlsh_err err = {0};
  double b[4] = {50, 60, 70, 80};
  cut_opts o = {1, 0, 0, NULL};
  CHECK(col_cut(t, b, 4, &o, &f, &err) == MLSH_OK);
  /* R: as.integer(cut(airquality$Temp[1:12], c(50, 60, 70, 80))) 2 3 3 2 1 2 2 1 2 2 3 2 */
  const int32_t want[12] = {1, 2, 2, 1, 0, 1, 1, 0, 1, 1, 2, 1};
  for (size_t i = 0; i < 12; i++) CHECK(COL_I32(f)[i] == want[i]);
  CHECK(f->type == COL_CATEGORICAL && f->levels->n == 3 && level_is(f, 0, "(50,60]") && level_is(f, 2, "(70,80]"));
  col_unref(f);
  /* R: cut(c(60, 50), c(50, 60), right = FALSE): [50,60) for 50, NA for 60; include.lowest makes it [50,60] */
  int64_t edge[2] = {60, 50};
  mlsh_col *e = int_col(edge, 2, NULL);
  cut_opts left = {0, 0, 0, NULL};
  CHECK(col_cut(e, b, 2, &left, &f, &err) == MLSH_OK);
  CHECK(col_is_na(f, 0) && !col_is_na(f, 1) && level_is(f, 0, "[50,60)"));
  col_unref(f);
  left.include_lowest = 1;
  CHECK(col_cut(e, b, 2, &left, &f, &err) == MLSH_OK);
  CHECK(!col_is_na(f, 0) && level_is(f, 0, "[50,60]"));
  col_unref(f);
  double bad[2] = {3, 1};
  CHECK(col_cut(e, bad, 2, &o, &f, &err) == MLSH_EINVAL && f == NULL);
  col_unref(e);
  col_unref(t);
}

static void test_cut_even(void) {
  /* R: levels(cut(airquality$Temp[1:12], 3)) "(56,62]" "(62,68]" "(68,74]"; breaks 55.982 62 68 74.018 */
  mlsh_col *t = int_col(temp12, 12, NULL), *f = NULL;
  mlsh_err err = {0};
  double b[4];
  CHECK(cut_even_breaks(t, 3, b, &err) == MLSH_OK);
  CHECK_NEAR(b[0], 55.982, 1e-12);
  CHECK_NEAR(b[3], 74.018, 1e-12);
  cut_opts o = {1, 0, 0, NULL};
  CHECK(col_cut(t, b, 4, &o, &f, &err) == MLSH_OK);
  CHECK(level_is(f, 0, "(56,62]") && level_is(f, 1, "(62,68]") && level_is(f, 2, "(68,74]"));
  CHECK(COL_I32(f)[4] == 0 && COL_I32(f)[2] == 2);
  col_unref(f);
  col_unref(t);
}

static void test_fill(void) {
  /* airquality$Ozone[1:12] with NA at 5 and 10; R: tidyr::fill(.direction = "down" / "up" / "downup") */
  const int64_t oz[12] = {41, 36, 12, 18, 0, 28, 23, 19, 8, 0, 7, 16};
  uint8_t valid[2] = {0xef, 0xfd};   /* rows 5 and 10 (1-based) missing */
  mlsh_col *c = int_col(oz, 12, valid);
  int64_t idx[12];
  mlsh_err err = {0};
  CHECK(fill_rows(c, NULL, 0, FILL_DOWN, idx, &err) == MLSH_OK);
  CHECK(idx[4] == 3 && idx[9] == 8 && idx[0] == 0);
  CHECK(fill_rows(c, NULL, 0, FILL_UP, idx, &err) == MLSH_OK);
  CHECK(idx[4] == 5 && idx[9] == 10);
  /* groups: rows 1-5 one group, 6-12 another; up fills row 5 from nothing in its group: it stays */
  int64_t g[12] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
  CHECK(fill_rows(c, g, 2, FILL_UP, idx, &err) == MLSH_OK);
  CHECK(idx[4] == 4 && idx[9] == 10);
  CHECK(fill_rows(c, g, 2, FILL_UPDOWN, idx, &err) == MLSH_OK);
  CHECK(idx[4] == 3);
  col_unref(c);
}

static mlsh_col *factor(const char *const *levels, size_t k, const int32_t *codes, size_t n) {
  mlsh_col *lv = NULL, *f = NULL;
  mlsh_err err = {0};
  col_from_strings(levels, k, &lv, &err);
  col_categorical(codes, n, NULL, lv, 0, &f, &err);
  col_unref(lv);
  return f;
}

static void test_concat_and_bind(void) {
  /* dplyr: bind_rows(tibble(f = factor(c("a", "b"))), tibble(f = factor(c("c", "a")))) gives levels a b c */
  const char *l1[2] = {"a", "b"}, *l2[2] = {"c", "a"};
  int32_t c1[2] = {0, 1}, c2[2] = {0, 1};
  mlsh_col *f1 = factor(l1, 2, c1, 2), *f2 = factor(l2, 2, c2, 2), *out = NULL;
  const mlsh_col *parts[3] = {f1, NULL, f2};
  size_t lens[3] = {2, 1, 2};
  mlsh_err err = {0};
  CHECK(col_concat(parts, lens, 3, "f", &out, &err) == MLSH_OK);
  CHECK(out->n == 5 && out->levels->n == 3 && level_is(out, 2, "c"));
  CHECK(COL_I32(out)[0] == 0 && COL_I32(out)[1] == 1 && col_is_na(out, 2) && COL_I32(out)[3] == 2 && COL_I32(out)[4] == 0);
  col_unref(out);
  /* integer + double unite as double; string + integer do not */
  int64_t i2[2] = {1, 2};
  double d1[1] = {0.5};
  mlsh_col *ci = int_col(i2, 2, NULL), *cd = NULL, *cs = NULL;
  col_from_array(COL_DOUBLE, d1, 1, NULL, &cd, &err);
  const char *s1[1] = {"x"};
  col_from_strings(s1, 1, &cs, &err);
  const mlsh_col *num[2] = {ci, cd};
  size_t nl[2] = {2, 1};
  CHECK(col_concat(num, nl, 2, "x", &out, &err) == MLSH_OK && out->type == COL_DOUBLE && COL_DBL(out)[2] == 0.5);
  col_unref(out);
  const mlsh_col *mixed[2] = {ci, cs};
  CHECK(col_concat(mixed, nl, 2, "x", &out, &err) == MLSH_EINVAL && strstr(err.msg, "integer in one part and string"));
  /* frames by name, in order of first appearance */
  mlsh_frame *a = NULL, *b = NULL, *r = NULL;
  frame_new(2, &a, &err);
  frame_add(a, "x", ci, &err);
  frame_new(1, &b, &err);
  frame_add(b, "s", cs, &err);
  frame_add(b, "x", cd, &err);
  const mlsh_frame *fs[2] = {a, b};
  CHECK(frame_bind_rows(fs, 2, &r, &err) == MLSH_OK);
  CHECK(r->nrow == 3 && r->ncol == 2 && !strcmp(r->names[1], "s") && col_is_na(r->cols[1], 0) && !col_is_na(r->cols[1], 2));
  frame_free(r);
  frame_free(a);
  frame_free(b);
  col_unref(ci); col_unref(cd); col_unref(cs); col_unref(f1); col_unref(f2);
}

static void test_out_of_memory(void) {
  mlsh_col *t = int_col(temp12, 12, NULL), *f = NULL;
  double b[4] = {50, 60, 70, 80};
  cut_opts o = {1, 0, 0, NULL};
  int bad = 0, failures = 0;
  for (int k = 1; k < 200; k++) {
    mlsh_err err = {0};
    mlsh_alloc_fail_after(k);
    int rc = col_cut(t, b, 4, &o, &f, &err);
    mlsh_alloc_fail_after(0);
    if (rc == MLSH_OK) { col_unref(f); break; }
    failures++;
    bad += rc != MLSH_ENOMEM || f != NULL;
  }
  CHECK(bad == 0 && failures > 0);
  col_unref(t);
}

int main(void) {
  RUN(test_cut_breaks);
  RUN(test_cut_even);
  RUN(test_fill);
  RUN(test_concat_and_bind);
  RUN(test_out_of_memory);
  CTEST_DONE();
}
