/* test_frame.c - the data-frame core: columns, frames, ordering,
 * grouping with aggregates, and joins. Reference values come from
 * R 4.x (Debian) on its own datasets, written next to each check; the
 * data below are R's mtcars and airquality columns, printed by
 *   cat(mtcars$mpg, sep = ",")  (and likewise for the other columns),
 * with NA_ marking R's NA. */
#include <stdint.h>
#include <stdlib.h>
#include "ctest.h"
#include "../../src/frame/column.h"
#include "../../src/frame/frame.h"
#include "../../src/frame/sort.h"
#include "../../src/frame/group.h"
#include "../../src/frame/join.h"
#include "../../src/core/alloc.h"
#include "../../src/core/rng.h"
#include "../../src/core/interrupt.h"

#define NA_ (-999.0)

static const double mt_mpg[32] = {21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2,
  10.4, 10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4};
static const int64_t mt_cyl[32] = {6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4,
  8, 6, 8, 4};
static const int64_t mt_gear[32] = {4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5,
  5, 5, 5, 5, 4};
static const double aq_ozone[153] = {41, 36, 12, 18, NA_, 28, 23, 19, 8, NA_, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1,
  11, 4, 32, NA_, NA_, NA_, 23, 45, 115, 37, NA_, NA_, NA_, NA_, NA_, NA_, 29, NA_, 71, 39, NA_, NA_, 23, NA_, NA_,
  21, 37, 20, 12, 13, NA_, NA_, NA_, NA_, NA_, NA_, NA_, NA_, NA_, NA_, 135, 49, 32, NA_, 64, 40, 77, 97, 97, 85, NA_,
  10, 27, NA_, 7, 48, 35, 61, 79, 63, 16, NA_, NA_, 80, 108, 20, 52, 82, 50, 64, 59, 39, 9, 16, 78, 35, 66, 122, 89,
  110, NA_, NA_, 44, 28, 65, NA_, 22, 59, 23, 31, 44, 21, 9, NA_, 45, 168, 73, NA_, 76, 118, 84, 85, 96, 78, 73, 91,
  47, 32, 20, 23, 21, 24, 44, 21, 28, 9, 13, 46, 18, 13, 24, 16, 13, 23, 36, 7, 14, 30, NA_, 14, 18, 20};
static const double aq_solar[153] = {190, 118, 149, 313, NA_, NA_, 299, 99, 19, 194, NA_, 256, 290, 274, 65, 334, 307,
  78, 322, 44, 8, 320, 25, 92, 66, 266, NA_, 13, 252, 223, 279, 286, 287, 242, 186, 220, 264, 127, 273, 291, 323, 259,
  250, 148, 332, 322, 191, 284, 37, 120, 137, 150, 59, 91, 250, 135, 127, 47, 98, 31, 138, 269, 248, 236, 101, 175,
  314, 276, 267, 272, 175, 139, 264, 175, 291, 48, 260, 274, 285, 187, 220, 7, 258, 295, 294, 223, 81, 82, 213, 275,
  253, 254, 83, 24, 77, NA_, NA_, NA_, 255, 229, 207, 222, 137, 192, 273, 157, 64, 71, 51, 115, 244, 190, 259, 36,
  255, 212, 238, 215, 153, 203, 225, 237, 188, 167, 197, 183, 189, 95, 92, 252, 220, 230, 259, 236, 259, 238, 24, 112,
  237, 224, 27, 238, 201, 238, 14, 139, 49, 20, 193, 145, 191, 131, 223};
static const int64_t aq_month[153] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
  5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
  8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
  9, 9, 9, 9, 9, 9, 9, 9, 9};
static const int64_t ord_cyl_negmpg[32] = {20, 18, 19, 28, 26, 27, 8, 3, 9, 21, 32, 4, 1, 2, 30, 10, 6, 11, 25, 5, 13,
  12, 29, 22, 14, 23, 31, 17, 7, 24, 15, 16};
static const int64_t ord_ozone[153] = {21, 23, 18, 11, 76, 147, 9, 94, 114, 137, 73, 13, 20, 22, 3, 50, 51, 138, 141,
  144, 14, 16, 148, 151, 12, 82, 95, 143, 4, 15, 140, 152, 8, 49, 87, 130, 153, 47, 113, 132, 135, 108, 7, 28, 44,
  110, 131, 145, 133, 142, 74, 6, 105, 136, 38, 19, 149, 111, 24, 64, 129, 17, 78, 97, 2, 146, 31, 48, 41, 93, 67, 1,
  104, 112, 134, 29, 116, 139, 128, 77, 63, 90, 88, 92, 109, 79, 81, 66, 91, 106, 98, 40, 118, 126, 120, 68, 96, 125,
  80, 85, 89, 122, 71, 123, 100, 127, 124, 69, 70, 86, 101, 30, 121, 99, 62, 117, 5, 10, 25, 26, 27, 32, 33, 34, 35,
  36, 37, 39, 42, 43, 45, 46, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 65, 72, 75, 83, 84, 102, 103, 107, 115, 119,
  150};
static const int64_t ord_ozone_desc[153] = {117, 62, 99, 121, 30, 101, 86, 69, 70, 124, 127, 100, 71, 123, 122, 89,
  85, 80, 96, 125, 68, 120, 118, 126, 40, 98, 106, 66, 91, 81, 79, 92, 109, 88, 90, 63, 77, 128, 139, 29, 116, 104,
  112, 134, 1, 67, 41, 93, 31, 48, 2, 146, 78, 97, 17, 24, 64, 129, 111, 19, 149, 38, 6, 105, 136, 74, 133, 142, 7,
  28, 44, 110, 131, 145, 108, 47, 113, 132, 135, 49, 87, 130, 153, 8, 4, 15, 140, 152, 12, 82, 95, 143, 14, 16, 148,
  151, 51, 138, 141, 144, 3, 50, 13, 20, 22, 73, 94, 114, 137, 9, 11, 76, 147, 18, 23, 21, 5, 10, 25, 26, 27, 32, 33,
  34, 35, 36, 37, 39, 42, 43, 45, 46, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 65, 72, 75, 83, 84, 102, 103, 107, 115,
  119, 150};
static const double j_a_k[10] = {41, 36, 12, 18, NA_, 28, 23, 19, 8, NA_};
static const double j_b_k[16] = {NA_, 28, 23, 19, 8, NA_, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11};
static const int64_t m_inner_i[5] = {9, 4, 8, 7, 6};
static const int64_t m_inner_j[5] = {5, 11, 4, 3, 2};
static const int64_t m_left_i[10] = {9, 3, 4, 8, 7, 6, 2, 1, 5, 10};
static const int64_t m_left_j[10] = {5, 0, 11, 4, 3, 2, 0, 0, 0, 0};
static const int64_t m_right_i[16] = {0, 0, 9, 0, 0, 0, 0, 0, 4, 8, 7, 6, 0, 0, 0, 0};
static const int64_t m_right_j[16] = {14, 7, 5, 9, 16, 10, 12, 8, 11, 4, 3, 2, 15, 13, 1, 6};
static const int64_t m_full_i[21] = {0, 0, 9, 0, 0, 3, 0, 0, 0, 4, 8, 7, 6, 0, 0, 2, 1, 5, 10, 0, 0};
static const int64_t m_full_j[21] = {14, 7, 5, 9, 16, 0, 10, 12, 8, 11, 4, 3, 2, 15, 13, 0, 0, 0, 0, 1, 6};
static const int64_t m_inner_na_i[9] = {9, 4, 8, 7, 6, 5, 5, 10, 10};
static const int64_t m_inner_na_j[9] = {5, 11, 4, 3, 2, 1, 6, 1, 6};


/* A double column from values with NA_ for NA. */
static mlsh_col *dbl_col(const double *x, size_t n) {
  uint8_t *valid = calloc((n + 7) / 8 + 1, 1);
  double *v = malloc((n ? n : 1) * sizeof *v);
  mlsh_col *c = NULL;
  for (size_t i = 0; i < n; i++) {
    v[i] = x[i] == NA_ ? 0 : x[i];
    if (x[i] != NA_) valid[i >> 3] |= (uint8_t)(1u << (i & 7));
  }
  col_from_array(COL_DOUBLE, v, n, valid, &c, NULL);
  free(v);
  free(valid);
  return c;
}

static mlsh_col *int_col(const int64_t *x, size_t n) {
  mlsh_col *c = NULL;
  col_from_array(COL_INT64, x, n, NULL, &c, NULL);
  return c;
}

/* perm (0-based) equals R's order() result (1-based). */
static int same_order(const int64_t *perm, const int64_t *r, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (perm[i] != r[i] - 1) return 0;
  return 1;
}

/* ---- columns ---------------------------------------------------------------- */

static void test_column_basics(void) {
  mlsh_err err;
  mlsh_col *c = dbl_col(aq_ozone, 153), *t = NULL, *s = NULL;
  CHECK(c && c->n == 153 && c->type == COL_DOUBLE);
  CHECK(col_na_count(c) == 37);               /* R: sum(is.na(airquality$Ozone)) */
  CHECK(col_is_na(c, 4) && !col_is_na(c, 0) && COL_DBL(c)[0] == 41);
  int64_t idx[4] = {4, 0, -1, 152};
  CHECK(col_take(c, idx, 4, &t, &err) == MLSH_OK);
  CHECK(t->n == 4 && col_is_na(t, 0) && !col_is_na(t, 1) && col_is_na(t, 2) && COL_DBL(t)[3] == 20);
  int64_t bad = 153;
  mlsh_col *u = NULL;
  CHECK(col_take(c, &bad, 1, &u, &err) == MLSH_EINVAL && u == NULL && strstr(err.msg, "outside"));
  CHECK(col_slice(c, 3, 5, &s, &err) == MLSH_OK);
  CHECK(s->n == 5 && COL_DBL(s) == COL_DBL(c) + 3 && col_is_na(s, 1) && COL_DBL(s)[0] == 18);
  CHECK(c->refs == 2);                        /* the slice keeps its parent alive */
  col_unref(c);
  CHECK(COL_DBL(s)[4] == 19);
  CHECK(col_slice(s, 4, 2, &u, &err) == MLSH_EINVAL);
  col_unref(s);
  col_unref(t);
  mlsh_col *e = NULL;
  CHECK(col_from_array(COL_INT64, NULL, 0, NULL, &e, &err) == MLSH_OK && e->n == 0);
  CHECK(col_take(e, NULL, 0, &t, &err) == MLSH_OK && t->n == 0);
  col_unref(t);
  col_unref(e);
  CHECK(col_from_array(COL_STRING, NULL, 0, NULL, &e, &err) == MLSH_EINVAL);
}

static void test_column_builder(void) {
  mlsh_err err;
  col_builder b;
  mlsh_col *c = NULL, *lv = NULL, *f = NULL;
  col_builder_init(&b, COL_STRING);
  for (int i = 0; i < 100; i++) {
    char s[16];
    snprintf(s, sizeof s, "row%d", i);
    if (i % 7 == 3) col_builder_na(&b);
    else col_builder_string(&b, s, strlen(s));
  }
  CHECK(col_builder_finish(&b, NULL, 0, &c, &err) == MLSH_OK);
  size_t len;
  const char *s = col_str(c, 99, &len);
  CHECK(c->n == 100 && col_na_count(c) == 14 && len == 5 && memcmp(s, "row99", 5) == 0);
  CHECK(col_is_na(c, 3) && col_is_na(c, 94) && !col_is_na(c, 95));
  col_unref(c);
  const char *lev[3] = {"low", "mid", "high"};
  CHECK(col_from_strings(lev, 3, &lv, &err) == MLSH_OK);
  int32_t codes[4] = {2, 0, 1, 3};
  CHECK(col_categorical(codes, 4, NULL, lv, 1, &f, &err) == MLSH_EINVAL && strstr(err.msg, "outside"));
  CHECK(col_categorical(codes, 3, NULL, lv, 1, &f, &err) == MLSH_OK && f->levels == lv && lv->refs == 2);
  col_unref(f);
  col_builder_init(&b, COL_CATEGORICAL);
  col_builder_int32(&b, 1);
  col_builder_na(&b);
  CHECK(col_builder_finish(&b, lv, 0, &f, &err) == MLSH_OK && f->n == 2 && col_is_na(f, 1));
  col_unref(f);
  col_unref(lv);
  /* NaN is a value, NA the bitmap (R: is.na(NaN) but not identical(NaN, NA)) */
  col_builder_init(&b, COL_DOUBLE);
  col_builder_double(&b, NAN);
  col_builder_double(&b, 1);
  CHECK(col_builder_finish(&b, NULL, 0, &c, &err) == MLSH_OK && c->valid == NULL && isnan(COL_DBL(c)[0]));
  col_unref(c);
}

/* ---- frames ---------------------------------------------------------------- */

static void test_frame_share(void) {
  mlsh_err err;
  mlsh_frame *f, *g = NULL, *h = NULL;
  mlsh_col *mpg = dbl_col(mt_mpg, 32), *cyl = int_col(mt_cyl, 32), *gear = int_col(mt_gear, 32);
  CHECK(frame_new(0, &f, &err) == MLSH_OK && f->ncol == 0);
  CHECK(frame_add(f, "mpg", mpg, &err) == MLSH_OK);
  CHECK(frame_add(f, "cyl", cyl, &err) == MLSH_OK);
  CHECK(frame_add(f, "gear", gear, &err) == MLSH_OK && f->nrow == 32);
  CHECK(frame_add(f, "mpg", gear, &err) == MLSH_EINVAL && strstr(err.msg, "already"));
  const char *sel[2] = {"gear", "mpg"};
  CHECK(frame_select(f, sel, 2, &g, &err) == MLSH_OK && g->ncol == 2 && g->cols[0] == gear && g->cols[1] == mpg);
  CHECK(mpg->refs == 3);                      /* ours, f's, g's: no copy */
  frame_free(g);
  const char *typo[1] = {"mgp"};
  CHECK(frame_select(f, typo, 1, &g, &err) == MLSH_EINVAL && g == NULL);
  CHECK(strcmp(err.msg, "select: unknown column 'mgp' (did you mean 'mpg'?)") == 0);
  size_t j;
  CHECK(frame_lookup(f, "zzzzzz", "arrange", &j, &err) == MLSH_EINVAL);
  CHECK(strcmp(err.msg, "arrange: unknown column 'zzzzzz'") == 0);
  CHECK(frame_rename(f, "cyl", "cylinders", &g, &err) == MLSH_OK && frame_find(g, "cylinders") == 1);
  CHECK(g->cols[1] == cyl && frame_find(g, "cyl") < 0);
  CHECK(frame_rename(g, "mpg", "gear", &h, &err) == MLSH_EINVAL);
  CHECK(frame_with(g, "mpg", cyl, &h, &err) == MLSH_OK && h->cols[0] == cyl && h->ncol == 3);
  frame_free(h);
  CHECK(frame_drop(g, sel, 2, &h, &err) == MLSH_OK && h->ncol == 1 && h->cols[0] == cyl && h->nrow == 32);
  frame_free(h);
  mlsh_col *shortc = NULL;
  CHECK(col_slice(mpg, 0, 5, &shortc, &err) == MLSH_OK);
  CHECK(frame_with(g, "short", shortc, &h, &err) == MLSH_EINVAL && h == NULL);
  int64_t rows[3] = {31, 0, -1};
  CHECK(frame_take(g, rows, 3, &h, &err) == MLSH_OK && h->nrow == 3 && COL_DBL(h->cols[0])[0] == 21.4);
  frame_free(h);
  CHECK(frame_drop(g, NULL, 0, &h, &err) == MLSH_OK && h->ncol == 3);
  frame_free(h);
  CHECK(frame_edit_distance("kitten", "sitting") == 3 && frame_edit_distance("", "abc") == 3);
  col_unref(shortc);
  frame_free(g);
  frame_free(f);
  CHECK(mpg->refs == 1 && cyl->refs == 1);
  col_unref(mpg); col_unref(cyl); col_unref(gear);
}

/* ---- ordering ---------------------------------------------------------------- */

static void test_order_r(void) {
  mlsh_err err;
  int64_t perm[153];
  mlsh_col *cyl = int_col(mt_cyl, 32), *mpg = dbl_col(mt_mpg, 32), *oz = dbl_col(aq_ozone, 153);
  const mlsh_col *k2[2] = {cyl, mpg};
  int desc[2] = {0, 1};
  /* R: order(mtcars$cyl, -mtcars$mpg) */
  CHECK(frame_order(k2, 2, desc, 2, perm, &err) == MLSH_OK && same_order(perm, ord_cyl_negmpg, 32));
  const mlsh_col *k1[1] = {oz};
  /* R: order(airquality$Ozone, na.last = TRUE) */
  CHECK(frame_order(k1, 1, NULL, 1, perm, &err) == MLSH_OK && same_order(perm, ord_ozone, 153));
  /* R: order(airquality$Ozone, decreasing = TRUE, na.last = TRUE) */
  CHECK(frame_order(k1, 1, desc + 1, 1, perm, &err) == MLSH_OK && same_order(perm, ord_ozone_desc, 153));
  /* R: x <- c(3, -0, NaN, -2.5, NA, 0, 1e300, -Inf); order(x); order(x, decreasing = TRUE) */
  double x[8] = {3, -0.0, NAN, -2.5, NA_, 0, 1e300, -INFINITY};
  int64_t rx[8] = {8, 4, 2, 6, 1, 7, 3, 5}, rxd[8] = {7, 1, 2, 6, 4, 8, 3, 5};
  mlsh_col *cx = dbl_col(x, 8);
  const mlsh_col *kx[1] = {cx};
  CHECK(frame_order(kx, 1, NULL, 1, perm, &err) == MLSH_OK && same_order(perm, rx, 8));
  CHECK(frame_order(kx, 1, desc + 1, 1, perm, &err) == MLSH_OK && same_order(perm, rxd, 8));
  /* R (C collation): order(c("b", "a", "B", NA, "a")) */
  const char *sv[5] = {"b", "a", "B", NULL, "a"};
  int64_t rs[5] = {3, 2, 5, 1, 4};
  mlsh_col *cs = NULL;
  col_from_strings(sv, 5, &cs, &err);
  const mlsh_col *ks[1] = {cs};
  CHECK(frame_order(ks, 1, NULL, 1, perm, &err) == MLSH_OK && same_order(perm, rs, 5));
  mlsh_col *e = NULL;
  CHECK(col_slice(cyl, 0, 0, &e, &err) == MLSH_OK);
  const mlsh_col *ke[2] = {e, cyl};
  CHECK(frame_order(ke, 1, NULL, 1, perm, &err) == MLSH_OK);
  CHECK(frame_order(ke, 2, NULL, 1, perm, &err) == MLSH_EINVAL);
  col_unref(e); col_unref(cs); col_unref(cx);
  col_unref(cyl); col_unref(mpg); col_unref(oz);
}

/* 1e6 rows, two keys, several threads, against qsort with the row as the
 * last key (which is what stability means). */
static const int64_t *cmp_a;
static const double *cmp_b;
static int cmp_rows(const void *p, const void *q) {
  int64_t i = *(const int64_t *)p, j = *(const int64_t *)q;
  if (cmp_a[i] != cmp_a[j]) return cmp_a[i] < cmp_a[j] ? -1 : 1;
  if (cmp_b[i] != cmp_b[j]) return cmp_b[i] > cmp_b[j] ? -1 : 1;    /* descending */
  return (i > j) - (i < j);
}

static void test_order_scale(void) {
  size_t n = 1000000;
  int64_t *a = malloc(n * sizeof *a), *perm = malloc(n * sizeof *perm), *ref = malloc(n * sizeof *ref);
  double *b = malloc(n * sizeof *b);
  mlsh_rng r;
  mlsh_rng_seed(&r, 11);
  for (size_t i = 0; i < n; i++) {
    a[i] = (int64_t)mlsh_rng_below(&r, 1000) - 500;
    b[i] = floor(mlsh_rng_normal(&r) * 100) / 8;
    ref[i] = (int64_t)i;
  }
  mlsh_col *ca = int_col(a, n), *cb = NULL;
  col_from_array(COL_DOUBLE, b, n, NULL, &cb, NULL);
  const mlsh_col *k[2] = {ca, cb};
  int desc[2] = {0, 1};
  mlsh_err err;
  CHECK(frame_order(k, 2, desc, 2, perm, &err) == MLSH_OK);
  cmp_a = a; cmp_b = b;
  qsort(ref, n, sizeof *ref, cmp_rows);
  CHECK(memcmp(perm, ref, n * sizeof *perm) == 0);
  col_unref(ca); col_unref(cb);
  free(a); free(b); free(perm); free(ref);
}

/* ---- grouping and aggregates --------------------------------------------------- */

static double agg1(const mlsh_col *x, const frame_groups *g, frame_agg fn, int na_rm, size_t r, int *na) {
  mlsh_col *o = NULL;
  mlsh_err err;
  double v = NAN;
  *na = -1;
  if (frame_aggregate(x, g, fn, na_rm, 1, &o, &err) != MLSH_OK) return v;
  *na = col_is_na(o, r);
  v = o->type == COL_INT64 ? (double)COL_I64(o)[r] : COL_DBL(o)[r];
  col_unref(o);
  return v;
}

#define CHECK_REL(a, b) CHECK_NEAR(a, b, 1e-15 * fabs(b))

static void test_group_mtcars(void) {
  mlsh_err err;
  frame_groups g;
  mlsh_col *cyl = int_col(mt_cyl, 32), *gear = int_col(mt_gear, 32), *mpg = dbl_col(mt_mpg, 32);
  const mlsh_col *k[2] = {cyl, gear};
  CHECK(frame_group(k, 2, 1, 1, &g, &err) == MLSH_OK && g.ngroups == 8);
  /* R: aggregate(mpg ~ cyl + gear, mtcars, mean), reordered by (cyl, gear) as group_by sorts */
  int64_t kc[8] = {4, 4, 4, 6, 6, 6, 8, 8}, kg[8] = {3, 4, 5, 3, 4, 5, 3, 5};
  double means[8] = {21.5, 26.925000000000001, 28.199999999999999, 19.75, 19.75, 19.699999999999999,
                     15.050000000000001, 15.4};
  int na;
  for (size_t r = 0; r < 8; r++) {
    CHECK(mt_cyl[g.first[r]] == kc[r] && mt_gear[g.first[r]] == kg[r]);
    CHECK_REL(agg1(mpg, &g, AGG_MEAN, 0, r, &na), means[r]);
  }
  /* R: table(mtcars$cyl, mtcars$gear): 4/3 has 1 car, 8/3 has 12 */
  CHECK(g.size[0] == 1 && g.size[6] == 12);
  frame_groups_free(&g);
  CHECK(frame_group(k, 2, 0, 2, &g, &err) == MLSH_OK && g.ngroups == 8);
  CHECK(g.id[0] == 0 && g.id[1] == 0 && g.id[2] == 1 && g.first[1] == 2);   /* first appearance: 6/4, then 4/4 */
  frame_groups_free(&g);
  col_unref(cyl); col_unref(gear); col_unref(mpg);
}

static void test_group_airquality(void) {
  mlsh_err err;
  frame_groups g;
  mlsh_col *month = int_col(aq_month, 153), *oz = dbl_col(aq_ozone, 153), *sol = dbl_col(aq_solar, 153);
  const mlsh_col *k[1] = {month};
  CHECK(frame_group(k, 1, 1, 1, &g, &err) == MLSH_OK && g.ngroups == 5);
  /* R: tapply(airquality$Ozone, airquality$Month, FUN, na.rm = TRUE) for each FUN below */
  double mean[5] = {23.615384615384617, 29.444444444444443, 59.115384615384613, 59.961538461538460, 31.448275862068964};
  double median[5] = {18, 23, 60, 52, 23};
  double sd[5] = {22.224449461036237, 18.207904266493102, 31.635836544118032, 39.681210434391510, 24.141822346436413};
  double var[5] = {493.92615384615385, 331.52777777777777, 1000.82615384615383, 1574.59846153846161, 582.82758620689651};
  double mn[5] = {1, 12, 7, 9, 7}, mx[5] = {115, 71, 135, 168, 96};
  /* R: tapply(airquality$Ozone, airquality$Month, function(x) sum(!is.na(x))) */
  double cnt[5] = {26, 9, 26, 26, 29};
  /* R: tapply(airquality$Ozone, airquality$Month, function(x) length(unique(x))) (NA counts) */
  double ndist[5] = {22, 10, 25, 25, 22};
  /* R: tapply(airquality$Solar.R, airquality$Month, sum / var, na.rm = TRUE) */
  double ssum[5] = {4895, 5705, 6711, 4812, 5023};
  double svar[5] = {13242.3703703703704, 8627.2471264367814, 6491.2580645161288, 5903.6084656084658, 6259.7022988505751};
  int na;
  for (size_t r = 0; r < 5; r++) {
    CHECK_REL(agg1(oz, &g, AGG_MEAN, 1, r, &na), mean[r]);
    CHECK_REL(agg1(oz, &g, AGG_MEDIAN, 1, r, &na), median[r]);
    CHECK_REL(agg1(oz, &g, AGG_SD, 1, r, &na), sd[r]);
    CHECK_REL(agg1(oz, &g, AGG_VAR, 1, r, &na), var[r]);
    CHECK(agg1(oz, &g, AGG_MIN, 1, r, &na) == mn[r] && agg1(oz, &g, AGG_MAX, 1, r, &na) == mx[r]);
    CHECK(agg1(oz, &g, AGG_N, 1, r, &na) == cnt[r] && agg1(oz, &g, AGG_N_DISTINCT, 0, r, &na) == ndist[r]);
    CHECK(agg1(sol, &g, AGG_SUM, 1, r, &na) == ssum[r]);
    CHECK_REL(agg1(sol, &g, AGG_VAR, 1, r, &na), svar[r]);
    /* R: tapply(airquality$Ozone, airquality$Month, mean) is NA in every month */
    agg1(oz, &g, AGG_MEAN, 0, r, &na);
    CHECK(na == 1);
    agg1(oz, &g, AGG_MEDIAN, 0, r, &na);
    CHECK(na == 1);
  }
  /* R: o <- airquality$Ozone; m <- airquality$Month; o[m == 5][1] is 41; tail(o[m == 6], 1) is NA,
   * tail(na.omit(o[m == 6]), 1) is 13; length(unique(na.omit(o[m == 5]))) is 21 */
  CHECK(agg1(oz, &g, AGG_FIRST, 0, 0, &na) == 41 && na == 0);
  agg1(oz, &g, AGG_LAST, 0, 1, &na);
  CHECK(na == 1);
  CHECK(agg1(oz, &g, AGG_LAST, 1, 1, &na) == 13);
  CHECK(agg1(oz, &g, AGG_N_DISTINCT, 1, 0, &na) == 21);
  mlsh_col *o = NULL;
  const char *sv[1] = {"x"};
  mlsh_col *cs = NULL;
  col_from_strings(sv, 1, &cs, &err);
  CHECK(frame_aggregate(cs, &g, AGG_MEAN, 0, 1, &o, &err) == MLSH_EINVAL && strstr(err.msg, "string"));
  col_unref(cs);
  frame_groups_free(&g);
  col_unref(month); col_unref(oz); col_unref(sol);
}

static void test_group_empty(void) {
  mlsh_err err;
  frame_groups g;
  mlsh_col *e = NULL, *o = NULL;
  CHECK(col_from_array(COL_DOUBLE, NULL, 0, NULL, &e, &err) == MLSH_OK);
  const mlsh_col *k[1] = {e};
  CHECK(frame_group(k, 1, 1, 1, &g, &err) == MLSH_OK && g.ngroups == 0);
  CHECK(frame_aggregate(e, &g, AGG_MEDIAN, 1, 1, &o, &err) == MLSH_OK && o->n == 0);
  col_unref(o);
  frame_groups_free(&g);
  CHECK(frame_group_all(0, &g, &err) == MLSH_OK && g.ngroups == 1);
  /* R: mean(numeric(0)) is NaN, sum(numeric(0)) is 0, median(numeric(0)) is NA */
  CHECK(frame_aggregate(e, &g, AGG_MEAN, 1, 1, &o, &err) == MLSH_OK && o->n == 1 && isnan(COL_DBL(o)[0]));
  col_unref(o);
  CHECK(frame_aggregate(e, &g, AGG_SUM, 1, 1, &o, &err) == MLSH_OK && COL_DBL(o)[0] == 0 && !col_is_na(o, 0));
  col_unref(o);
  CHECK(frame_aggregate(e, &g, AGG_MEDIAN, 1, 1, &o, &err) == MLSH_OK && col_is_na(o, 0));
  col_unref(o);
  frame_groups_free(&g);
  CHECK(frame_group(k, 0, 0, 1, &g, &err) == MLSH_EINVAL);
  col_unref(e);
}

/* 1e6 rows with two keys (1e5 combinations), grouped in parallel, checked
 * against a direct table of the combinations. */
static void test_group_scale(void) {
  size_t n = 1000000, nk = 100000;
  int64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *seen = malloc(nk * sizeof *seen);
  double *v = malloc(n * sizeof *v), *sum = calloc(nk, sizeof *sum);
  mlsh_rng r;
  mlsh_rng_seed(&r, 5);
  for (size_t i = 0; i < nk; i++) seen[i] = -1;
  for (size_t i = 0; i < n; i++) {
    a[i] = (int64_t)mlsh_rng_below(&r, 100);
    b[i] = (int64_t)mlsh_rng_below(&r, 1000);
    v[i] = (double)mlsh_rng_below(&r, 1000);
    sum[a[i] * 1000 + b[i]] += v[i];
  }
  mlsh_col *ca = int_col(a, n), *cb = int_col(b, n), *cv = NULL, *o = NULL;
  col_from_array(COL_DOUBLE, v, n, NULL, &cv, NULL);
  const mlsh_col *k[2] = {ca, cb};
  frame_groups g;
  mlsh_err err;
  CHECK(frame_group(k, 2, 0, 2, &g, &err) == MLSH_OK);
  size_t bad = 0;
  int64_t *owner = malloc(g.ngroups * sizeof *owner);
  for (size_t q = 0; q < g.ngroups; q++) owner[q] = -1;
  for (size_t i = 0; i < n; i++) {
    int64_t key = a[i] * 1000 + b[i], id = g.id[i];
    if (seen[key] < 0) seen[key] = id;
    if (owner[id] < 0) owner[id] = key;
    bad += seen[key] != id || owner[id] != key;
  }
  CHECK(bad == 0 && g.ngroups <= nk);
  CHECK(frame_aggregate(cv, &g, AGG_SUM, 0, 2, &o, &err) == MLSH_OK);
  for (size_t q = 0; o && q < g.ngroups; q++) bad += COL_DBL(o)[q] != sum[owner[q]];
  CHECK(bad == 0);
  col_unref(o);
  frame_groups_free(&g);
  col_unref(ca); col_unref(cb); col_unref(cv);
  free(a); free(b); free(v); free(sum); free(seen); free(owner);
}

/* ---- joins ---------------------------------------------------------------- */

typedef struct { int64_t i, j; } pair;
static int cmp_pair(const void *p, const void *q) {
  const pair *a = p, *b = q;
  if (a->i != b->i) return (a->i > b->i) - (a->i < b->i);
  return (a->j > b->j) - (a->j < b->j);
}

/* The join's (left, right) pairs, as sets, equal merge()'s (i, j) columns
 * (1-based, 0 for NA). */
static int same_pairs(const frame_join_result *r, const int64_t *ri, const int64_t *rj, size_t m) {
  if (r->n != m) return 0;
  pair *a = malloc((m + 1) * sizeof *a), *b = malloc((m + 1) * sizeof *b);
  for (size_t q = 0; q < m; q++) {
    a[q] = (pair){r->left[q], r->right[q]};
    b[q] = (pair){ri[q] - 1, rj[q] - 1};
  }
  qsort(a, m, sizeof *a, cmp_pair);
  qsort(b, m, sizeof *b, cmp_pair);
  int same = memcmp(a, b, m * sizeof *a) == 0;
  free(a); free(b);
  return same;
}

static void test_join_merge(void) {
  /* a <- data.frame(k = airquality$Ozone[1:10], i = 1:10)
   * b <- data.frame(k = airquality$Ozone[5:20], j = 1:16)
   * merge(a, b, by = "k", all.x = ..., all.y = ..., incomparables = NA)[, c("i", "j")] */
  mlsh_err err;
  mlsh_col *ka = dbl_col(j_a_k, 10), *kb = dbl_col(j_b_k, 16);
  const mlsh_col *lk[1] = {ka}, *rk[1] = {kb};
  frame_join_result r;
  CHECK(frame_join(lk, rk, 1, JOIN_INNER, 0, 1, &r, &err) == MLSH_OK && same_pairs(&r, m_inner_i, m_inner_j, 5));
  frame_join_result_free(&r);
  CHECK(frame_join(lk, rk, 1, JOIN_LEFT, 0, 1, &r, &err) == MLSH_OK && same_pairs(&r, m_left_i, m_left_j, 10));
  frame_join_result_free(&r);
  CHECK(frame_join(lk, rk, 1, JOIN_RIGHT, 0, 1, &r, &err) == MLSH_OK && same_pairs(&r, m_right_i, m_right_j, 16));
  frame_join_result_free(&r);
  CHECK(frame_join(lk, rk, 1, JOIN_FULL, 0, 1, &r, &err) == MLSH_OK && same_pairs(&r, m_full_i, m_full_j, 21));
  frame_join_result_free(&r);
  /* merge(a, b, by = "k"): R matches NA to NA by default */
  CHECK(frame_join(lk, rk, 1, JOIN_INNER, 1, 1, &r, &err) == MLSH_OK && same_pairs(&r, m_inner_na_i, m_inner_na_j, 9));
  frame_join_result_free(&r);
  /* semi: a[a$k %in% b$k & !is.na(a$k), ] has rows 4 6 7 8 9; anti the other five */
  CHECK(frame_join(lk, rk, 1, JOIN_SEMI, 0, 1, &r, &err) == MLSH_OK && r.n == 5 && r.right == NULL);
  CHECK(r.n == 5 && r.left[0] == 3 && r.left[1] == 5 && r.left[4] == 8);
  frame_join_result_free(&r);
  CHECK(frame_join(lk, rk, 1, JOIN_ANTI, 0, 1, &r, &err) == MLSH_OK && r.n == 5 && r.left[4] == 9);
  frame_join_result_free(&r);
  mlsh_col *ki = int_col(mt_cyl, 32), *e = NULL;
  const mlsh_col *bad[1] = {ki};
  CHECK(frame_join(lk, bad, 1, JOIN_INNER, 0, 1, &r, &err) == MLSH_EINVAL && strstr(err.msg, "double on the left"));
  CHECK(col_slice(ki, 0, 0, &e, &err) == MLSH_OK);
  const mlsh_col *ek[1] = {e};
  CHECK(frame_join(ek, bad, 1, JOIN_FULL, 0, 1, &r, &err) == MLSH_OK && r.n == 32 && r.left[0] == -1);
  frame_join_result_free(&r);
  CHECK(frame_join(bad, ek, 1, JOIN_INNER, 0, 1, &r, &err) == MLSH_OK && r.n == 0);
  frame_join_result_free(&r);
  col_unref(e); col_unref(ki); col_unref(ka); col_unref(kb);
}

/* Two string keys against two double keys of another frame: many-to-many. */
static void test_join_multikey(void) {
  mlsh_err err;
  const char *la[4] = {"x", "y", "x", NULL}, *ra[3] = {"x", "x", "y"};
  double lb[4] = {1, 2, 1, 1}, rb[3] = {1, 1, 3};
  mlsh_col *l1 = NULL, *r1 = NULL, *l2 = dbl_col(lb, 4), *r2 = dbl_col(rb, 3);
  col_from_strings(la, 4, &l1, &err);
  col_from_strings(ra, 3, &r1, &err);
  const mlsh_col *lk[2] = {l1, l2}, *rk[2] = {r1, r2};
  frame_join_result r;
  CHECK(frame_join(lk, rk, 2, JOIN_LEFT, 0, 2, &r, &err) == MLSH_OK && r.n == 6);
  int64_t el[6] = {0, 0, 1, 2, 2, 3}, er[6] = {0, 1, -1, 0, 1, -1};
  CHECK(memcmp(r.left, el, sizeof el) == 0 && memcmp(r.right, er, sizeof er) == 0);
  frame_join_result_free(&r);
  col_unref(l1); col_unref(r1); col_unref(l2); col_unref(r2);
}

/* ---- the direct-address paths against the hash paths ------------------------ */

/* A column of n rows of type t (int64, date or logical) from values in
 * [lo, lo + span), NA in about one row of na_every (0: none). */
static mlsh_col *rand_col(mlsh_rng *r, col_type t, size_t n, int64_t lo, uint64_t span, unsigned na_every) {
  int64_t *v = malloc((n ? n : 1) * sizeof *v);
  int32_t *v32 = malloc((n ? n : 1) * sizeof *v32);
  uint8_t *v8 = malloc(n ? n : 1), *valid = calloc((n + 7) / 8 + 1, 1);
  for (size_t i = 0; i < n; i++) {
    v[i] = lo + (int64_t)mlsh_rng_below(r, span);
    v32[i] = (int32_t)v[i];
    v8[i] = (uint8_t)(v[i] & 1);
    if (!na_every || mlsh_rng_below(r, na_every)) valid[i >> 3] |= (uint8_t)(1u << (i & 7));
  }
  mlsh_col *c = NULL;
  col_from_array(t, t == COL_INT64 ? (void *)v : t == COL_LOGICAL ? (void *)v8 : (void *)v32, n, valid, &c, NULL);
  free(v); free(v32); free(v8); free(valid);
  return c;
}

/* A factor over the given levels (codes drawn from all of them, the last
 * level never used), NA in about one row of na_every. */
static mlsh_col *rand_factor(mlsh_rng *r, const char *const *lv, size_t nlv, size_t n, unsigned na_every) {
  int32_t *code = malloc((n ? n : 1) * sizeof *code);
  uint8_t *valid = calloc((n + 7) / 8 + 1, 1);
  mlsh_col *levels = NULL, *c = NULL;
  for (size_t i = 0; i < n; i++) {
    code[i] = (int32_t)mlsh_rng_below(r, nlv - 1);
    if (!na_every || mlsh_rng_below(r, na_every)) valid[i >> 3] |= (uint8_t)(1u << (i & 7));
  }
  col_from_strings(lv, nlv, &levels, NULL);
  col_categorical(code, n, valid, levels, 0, &c, NULL);
  col_unref(levels);
  free(code); free(valid);
  return c;
}

/* A double copy of an integer column (same NA): its joins take the hash path. */
static mlsh_col *as_double(const mlsh_col *c) {
  double *v = malloc((c->n ? c->n : 1) * sizeof *v);
  mlsh_col *d = NULL;
  for (size_t i = 0; i < c->n; i++) v[i] = c->type == COL_INT64 ? (double)COL_I64(c)[i] : COL_I32(c)[i];
  col_from_array(COL_DOUBLE, v, c->n, c->valid, &d, NULL);
  free(v);
  return d;
}

/* frame_group gives exactly the groups of the hash table, sorted or not. */
static int same_groups(const mlsh_col *const *k, size_t nk) {
  int ok = 1;
  for (int sorted = 0; sorted < 2; sorted++) {
    frame_groups a, b;
    mlsh_err err;
    if (frame_group(k, nk, sorted, 2, &a, &err) || frame_group_hashed(k, nk, sorted, 2, &b, &err)) return 0;
    size_t n = a.n * sizeof *a.id, m = a.ngroups * sizeof *a.id;
    ok = ok && a.n == b.n && a.ngroups == b.ngroups && !memcmp(a.id, b.id, n) && !memcmp(a.first, b.first, m) &&
         !memcmp(a.size, b.size, m);
    frame_groups_free(&a);
    frame_groups_free(&b);
  }
  return ok;
}

/* frame_group_keys (decoded from packed codes where it can) equals the
 * key columns gathered at each group's first row. */
static int same_group_keys(const mlsh_col *const *k, size_t nk) {
  frame_groups g;
  mlsh_err err;
  mlsh_col *dec[8] = {0}, *ref = NULL;
  if (frame_group(k, nk, 1, 2, &g, &err) || frame_group_keys(k, nk, &g, dec, &err)) return 0;
  int ok = 1;
  for (size_t q = 0; q < nk; q++) {
    ok = ok && col_take(k[q], g.first, g.ngroups, &ref, &err) == MLSH_OK && dec[q]->type == ref->type && dec[q]->n == ref->n;
    for (size_t r = 0; ok && r < g.ngroups; r++) {
      int na = col_is_na(ref, r);
      ok = na == col_is_na(dec[q], r) &&
           (na || !memcmp((const char *)dec[q]->data + r * col_elem_size(ref->type),
                          (const char *)ref->data + r * col_elem_size(ref->type), col_elem_size(ref->type)));
    }
    ok = ok && (ref->type != COL_CATEGORICAL || dec[q]->levels == ref->levels);
    col_unref(ref); ref = NULL;
    col_unref(dec[q]);
  }
  frame_groups_free(&g);
  return ok;
}

static void test_group_dense(void) {
  mlsh_rng r;
  mlsh_rng_seed(&r, 11);
  size_t n = 20000;
  const char *lv[5] = {"m", "c", "x", "a", "unused"};
  mlsh_col *i64 = rand_col(&r, COL_INT64, n, -7, 40, 9), *plain = rand_col(&r, COL_INT64, n, 1000, 100, 0);
  mlsh_col *date = rand_col(&r, COL_DATE, n, 18000, 300, 5), *lgl = rand_col(&r, COL_LOGICAL, n, 0, 2, 7);
  mlsh_col *fac = rand_factor(&r, lv, 5, n, 6), *wide = rand_col(&r, COL_INT64, n, -((int64_t)1 << 50), (uint64_t)1 << 51, 0);
  mlsh_col *none = rand_col(&r, COL_INT64, 0, 0, 1, 0), *dbl = as_double(date);
  const mlsh_col *one[6][1] = {{i64}, {plain}, {date}, {lgl}, {fac}, {wide}};
  for (int q = 0; q < 6; q++) CHECK(same_groups(one[q], 1));
  /* wide: one code sorted (no table); with a double key: the hash table itself */
  const mlsh_col *two[2] = {fac, i64}, *three[3] = {lgl, date, fac}, *mixed[3] = {plain, wide, fac};
  const mlsh_col *wide_na[3] = {i64, wide, lgl}, *hashed[2] = {fac, dbl};
  CHECK(same_groups(two, 2) && same_groups(three, 3) && same_groups(mixed, 3));
  CHECK(same_groups(wide_na, 3) && same_groups(hashed, 2));
  {  /* enough rows for the threaded paths: the codes' top-digit pass, cache-sized buckets, runs cut in blocks */
    size_t nb = 300000;
    mlsh_col *bw = rand_col(&r, COL_INT64, nb, -((int64_t)1 << 40), (uint64_t)1 << 41, 3), *bi = rand_col(&r, COL_INT64, nb, 0, 50, 4);
    mlsh_col *bf = rand_factor(&r, lv, 5, nb, 6);
    const mlsh_col *big3[3] = {bf, bw, bi}, *few[2] = {bi, bw};
    CHECK(same_groups(big3, 3) && same_groups(few, 2));
    CHECK(same_group_keys(big3, 3) && same_group_keys(few, 2) && same_group_keys(two, 2) && same_group_keys(three, 3));
    col_unref(bw); col_unref(bi); col_unref(bf);
  }
  /* sorted: NA last in each key, factor levels in their order */
  frame_groups g;
  mlsh_err err;
  CHECK(frame_group(two, 2, 1, 1, &g, &err) == MLSH_OK && g.ngroups == 4 * 41 + 41);
  CHECK(COL_I32(fac)[g.first[0]] == 0 && COL_I64(i64)[g.first[0]] == -7 && col_is_na(fac, (size_t)g.first[g.ngroups - 1]) &&
        col_is_na(i64, (size_t)g.first[g.ngroups - 1]));
  frame_groups_free(&g);
  const mlsh_col *empty[1] = {none};
  CHECK(frame_group(empty, 1, 1, 1, &g, &err) == MLSH_OK && g.ngroups == 0);
  frame_groups_free(&g);
  /* the fast integer sum still sees overflow */
  int64_t big[3] = {INT64_MAX, 1, 5}, key[3] = {1, 1, 2};
  mlsh_col *cb = int_col(big, 3), *ck = int_col(key, 3), *o = NULL;
  const mlsh_col *kk[1] = {ck};
  CHECK(frame_group(kk, 1, 1, 1, &g, &err) == MLSH_OK);
  CHECK(frame_aggregate(cb, &g, AGG_SUM, 1, 1, &o, &err) == MLSH_EINVAL && strstr(err.msg, "overflows"));
  frame_groups_free(&g);
  mlsh_interrupt_raise();
  CHECK(frame_group(two, 2, 1, 2, &g, &err) == MLSH_EINTR && g.id == NULL);
  mlsh_interrupt_clear();
  col_unref(cb); col_unref(ck); col_unref(none); col_unref(dbl);
  col_unref(i64); col_unref(plain); col_unref(date); col_unref(lgl); col_unref(fac); col_unref(wide);
}

/* A factor's labels as a string column (NA kept): its joins take the hash path. */
static mlsh_col *as_strings(const mlsh_col *c) {
  const char **s = malloc((c->n ? c->n : 1) * sizeof *s);
  char *text = malloc(c->n * 16 + 1);
  mlsh_col *out = NULL;
  for (size_t i = 0; i < c->n; i++) {
    size_t len;
    const char *t = col_str(c->levels, (size_t)COL_I32(c)[i], &len);
    memcpy(text + 16 * i, t, len);
    text[16 * i + len] = 0;
    s[i] = col_is_na(c, i) ? NULL : text + 16 * i;
  }
  col_from_strings(s, c->n, &out, NULL);
  free(s); free(text);
  return out;
}

/* Every join kind, with and without na_match, the same on (l, r) as on (hl, hr). */
static int same_joins(const mlsh_col *l, const mlsh_col *r, const mlsh_col *hl, const mlsh_col *hr) {
  int ok = 1;
  for (int how = JOIN_INNER; how <= JOIN_ANTI; how++)
    for (int na = 0; na < 2; na++) {
      frame_join_result a, b;
      mlsh_err err;
      const mlsh_col *lk[1] = {l}, *rk[1] = {r}, *hlk[1] = {hl}, *hrk[1] = {hr};
      if (frame_join(lk, rk, 1, how, na, 2, &a, &err) || frame_join(hlk, hrk, 1, how, na, 2, &b, &err)) return 0;
      ok = ok && a.n == b.n && !memcmp(a.left, b.left, a.n * sizeof *a.left) &&
           (!a.right ? !b.right : !memcmp(a.right, b.right, a.n * sizeof *a.right));
      frame_join_result_free(&a);
      frame_join_result_free(&b);
    }
  return ok;
}

static void test_join_direct(void) {
  mlsh_rng r;
  mlsh_rng_seed(&r, 12);
  const char *lv[5] = {"b", "zz", "a", "q", "-"}, *rv[4] = {"a", "b", "c", "-"};
  mlsh_col *li = rand_col(&r, COL_INT64, 3000, -20, 80, 11), *ri = rand_col(&r, COL_INT64, 500, 0, 40, 13);
  mlsh_col *ld = rand_col(&r, COL_DATE, 800, 100, 30, 0), *rd = rand_col(&r, COL_DATE, 50, 110, 30, 4);
  mlsh_col *lf = rand_factor(&r, lv, 5, 900, 8), *rf = rand_factor(&r, rv, 4, 60, 9);
  mlsh_col *hli = as_double(li), *hri = as_double(ri), *hld = as_double(ld), *hrd = as_double(rd);
  mlsh_col *hlf = as_strings(lf), *hrf = as_strings(rf);
  CHECK(same_joins(li, ri, hli, hri) && same_joins(ri, li, hri, hli));
  CHECK(same_joins(ld, rd, hld, hrd) && same_joins(lf, rf, hlf, hrf) && same_joins(rf, lf, hrf, hlf));
  CHECK(same_joins(lf, lf, hlf, hlf));   /* the same levels: codes as they are */
  CHECK(same_joins(lf, hrf, hlf, hrf));   /* strings against a factor ("c" is none of its levels) */
  frame_join_result jr;
  mlsh_err err;
  const mlsh_col *lk[1] = {li}, *rk[1] = {ri};
  mlsh_interrupt_raise();
  CHECK(frame_join(lk, rk, 1, JOIN_INNER, 0, 2, &jr, &err) == MLSH_EINTR && jr.left == NULL);
  mlsh_interrupt_clear();
  col_unref(li); col_unref(ri); col_unref(ld); col_unref(rd); col_unref(lf); col_unref(rf);
  col_unref(hli); col_unref(hri); col_unref(hld); col_unref(hrd); col_unref(hlf); col_unref(hrf);
}

/* ---- out of memory: every allocation of a pipeline fails in turn ---------- */

static int oom_pipeline(const mlsh_col *month, const mlsh_col *oz, const mlsh_col *ka, const mlsh_col *kb) {
  mlsh_err err;
  int64_t perm[153];
  frame_groups g;
  frame_join_result jr;
  mlsh_col *o = NULL, *s = NULL;
  const mlsh_col *k[2] = {month, oz}, *lk[1] = {ka}, *rk[1] = {kb};
  const char *sv[3] = {"a", NULL, "b"};
  int rc = col_from_strings(sv, 3, &s, &err);
  col_unref(s);
  if (rc) return rc;
  if ((rc = frame_order(k, 2, NULL, 1, perm, &err))) return rc;
  if ((rc = frame_group(k, 1, 1, 1, &g, &err))) return rc;
  for (int fn = AGG_N; !rc && fn <= AGG_N_DISTINCT; fn++) {
    rc = frame_aggregate(oz, &g, (frame_agg)fn, 1, 1, &o, &err);
    col_unref(o);
  }
  frame_groups_free(&g);
  if (!rc) rc = frame_join(lk, rk, 1, JOIN_FULL, 1, 1, &jr, &err);
  if (!rc) frame_join_result_free(&jr);
  const mlsh_col *ik[1] = {month};   /* the direct-address paths, and the hash table on two keys */
  if (!rc) rc = frame_join(ik, ik, 1, JOIN_INNER, 0, 1, &jr, &err);
  if (!rc) frame_join_result_free(&jr);
  if (!rc && !(rc = frame_group(k, 2, 1, 1, &g, &err))) frame_groups_free(&g);
  return rc;
}

static void test_out_of_memory(void) {
  mlsh_col *month = int_col(aq_month, 153), *oz = dbl_col(aq_ozone, 153);
  mlsh_col *ka = dbl_col(j_a_k, 10), *kb = dbl_col(j_b_k, 16);
  int bad = 0, failures = 0;
  for (long k = 1; k < 2000; k++) {
    mlsh_alloc_fail_after(k);
    int rc = oom_pipeline(month, oz, ka, kb);
    mlsh_alloc_fail_after(0);
    if (rc == MLSH_OK) break;
    failures++;
    bad += rc != MLSH_ENOMEM;
  }
  CHECK(bad == 0 && failures > 20);
  col_unref(month); col_unref(oz); col_unref(ka); col_unref(kb);
}

int main(void) {
  RUN(test_column_basics);
  RUN(test_column_builder);
  RUN(test_frame_share);
  RUN(test_order_r);
  RUN(test_order_scale);
  RUN(test_group_mtcars);
  RUN(test_group_airquality);
  RUN(test_group_empty);
  RUN(test_group_scale);
  RUN(test_join_merge);
  RUN(test_join_multikey);
  RUN(test_group_dense);
  RUN(test_join_direct);
  RUN(test_out_of_memory);
  CTEST_DONE();
}
