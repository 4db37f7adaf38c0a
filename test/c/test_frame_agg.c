/* test_frame_agg.c - the threaded aggregates of columns without NA
 * against the row-by-row path (the same values behind an all-valid
 * bitmap take it), which test_frame.c checks against R. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ctest.h"
#include "../../src/frame/group.h"
#include "../../src/core/rng.h"

static mlsh_col *col_of(col_type t, const void *v, size_t n, int bitmap) {
  uint8_t *valid = NULL;
  if (bitmap) {
    valid = malloc((n + 7) / 8);
    memset(valid, 0xff, (n + 7) / 8);
  }
  mlsh_col *c = NULL;
  mlsh_err err = {0};
  col_from_array(t, v, n, valid, &c, &err);
  free(valid);
  return c;
}

static double value_at(const mlsh_col *c, size_t r) {
  return c->type == COL_INT64 ? (double)COL_I64(c)[r] : COL_DBL(c)[r];
}

/* The same aggregate, threaded and row by row: equal (NaN equal to NaN),
 * or within rel for the sums in long double taken in another order. */
static size_t mismatches(const mlsh_col *plain, const mlsh_col *masked, const frame_groups *g, frame_agg fn, int na_rm,
                         double rel) {
  mlsh_col *a = NULL, *b = NULL;
  mlsh_err err = {0};
  size_t bad = 0;
  if (frame_aggregate(plain, g, fn, na_rm, 4, &a, &err) || frame_aggregate(masked, g, fn, na_rm, 1, &b, &err)) return 1;
  if (a->type != b->type) bad++;
  for (size_t r = 0; !bad && r < g->ngroups; r++) {
    if (col_is_na(a, r) != col_is_na(b, r)) { bad++; continue; }
    if (col_is_na(a, r)) continue;
    double x = value_at(a, r), y = value_at(b, r);
    if (isnan(x) || isnan(y)) bad += isnan(x) != isnan(y);
    else bad += fabs(x - y) > rel * fabs(y);
  }
  col_unref(a);
  col_unref(b);
  return bad;
}

static void test_threaded_matches_rows(void) {
  size_t n = 400000, ng = 997;
  int64_t *key = malloc(n * sizeof *key), *iv = malloc(n * sizeof *iv);
  double *dv = malloc(n * sizeof *dv);
  mlsh_rng r;
  mlsh_rng_seed(&r, 11);
  for (size_t i = 0; i < n; i++) {
    key[i] = (int64_t)mlsh_rng_below(&r, ng);
    iv[i] = (int64_t)mlsh_rng_below(&r, 2000001) - 1000000;
    dv[i] = mlsh_rng_uniform(&r) * 1e6 - 3e5;
    if (key[i] == 5 && i % 3 == 0) dv[i] = NAN;   /* group 5: NaN among numbers */
    if (key[i] == 7) dv[i] = NAN;                 /* group 7: NaN only */
  }
  mlsh_col *k = col_of(COL_INT64, key, n, 0);
  mlsh_col *d0 = col_of(COL_DOUBLE, dv, n, 0), *d1 = col_of(COL_DOUBLE, dv, n, 1);
  mlsh_col *i0 = col_of(COL_INT64, iv, n, 0), *i1 = col_of(COL_INT64, iv, n, 1);
  frame_groups g;
  mlsh_err err = {0};
  CHECK(frame_group((const mlsh_col *const *)&k, 1, 1, 2, &g, &err) == MLSH_OK && g.ngroups == ng);
  static const frame_agg moment[] = {AGG_MEAN, AGG_VAR, AGG_SD, AGG_SUM}, extreme[] = {AGG_MIN, AGG_MAX};
  for (int na_rm = 0; na_rm < 2; na_rm++) {
    for (size_t q = 0; q < 4; q++) {
      CHECK(mismatches(d0, d1, &g, moment[q], na_rm, 1e-15) == 0);
      CHECK(mismatches(i0, i1, &g, moment[q], na_rm, 1e-15) == 0);
    }
    for (size_t q = 0; q < 2; q++) {
      CHECK(mismatches(d0, d1, &g, extreme[q], na_rm, 0) == 0);
      CHECK(mismatches(i0, i1, &g, extreme[q], na_rm, 0) == 0);
    }
  }
  mlsh_col *o = NULL;   /* a group of NaN only: NaN without na_rm, NA with it */
  CHECK(frame_aggregate(d0, &g, AGG_MAX, 0, 4, &o, &err) == MLSH_OK && isnan(COL_DBL(o)[7]) && !col_is_na(o, 7));
  col_unref(o);
  CHECK(frame_aggregate(d0, &g, AGG_MAX, 1, 4, &o, &err) == MLSH_OK && col_is_na(o, 7) && !col_is_na(o, 5));
  col_unref(o);
  frame_groups_free(&g);
  col_unref(k); col_unref(d0); col_unref(d1); col_unref(i0); col_unref(i1);
  free(key); free(iv); free(dv);
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median by sorting each group's values (what R's median does). */
static double sorted_median(const double *v, const int64_t *key, size_t n, int64_t group, double *buf) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (key[i] == group && !isnan(v[i])) buf[k++] = v[i];
  qsort(buf, k, sizeof *buf, cmp_dbl);
  return k % 2 ? buf[k / 2] : (buf[k / 2 - 1] + buf[k / 2]) / 2;
}

/* The median on threads (rows gathered by group in parallel) against
 * sorting: NaN drops out with na_rm, makes the group NA without. */
static void test_median_threads(void) {
  size_t n = 300000, ng = 50;
  int64_t *key = malloc(n * sizeof *key);
  double *v = malloc(n * sizeof *v), *buf = malloc(n * sizeof *buf);
  mlsh_rng r;
  mlsh_rng_seed(&r, 3);
  for (size_t i = 0; i < n; i++) {
    key[i] = (int64_t)mlsh_rng_below(&r, ng);
    v[i] = (double)mlsh_rng_below(&r, 1000) / 8;   /* many ties */
    if (key[i] == 9 && i % 7 == 0) v[i] = NAN;
  }
  mlsh_col *k = col_of(COL_INT64, key, n, 0), *x = col_of(COL_DOUBLE, v, n, 0), *o = NULL;
  frame_groups g;
  mlsh_err err = {0};
  CHECK(frame_group((const mlsh_col *const *)&k, 1, 1, 2, &g, &err) == MLSH_OK && g.ngroups == ng);
  CHECK(frame_aggregate(x, &g, AGG_MEDIAN, 1, 4, &o, &err) == MLSH_OK);
  size_t bad = 0;
  for (size_t q = 0; o && q < ng; q++) bad += COL_DBL(o)[q] != sorted_median(v, key, n, (int64_t)q, buf);
  CHECK(bad == 0);
  col_unref(o);
  CHECK(frame_aggregate(x, &g, AGG_MEDIAN, 0, 4, &o, &err) == MLSH_OK && col_is_na(o, 9) && !col_is_na(o, 8));
  col_unref(o);
  frame_groups_free(&g);
  col_unref(k); col_unref(x);
  free(key); free(v); free(buf);
}

/* The mean of integers is the exact mean rounded: mean(c(1, 2, 2)) is 5/3. */
static void test_integer_mean_exact(void) {
  int64_t v[6] = {1, 2, 2, -7, 4, 4}, key[6] = {0, 0, 0, 1, 1, 1};
  mlsh_col *k = col_of(COL_INT64, key, 6, 0), *x = col_of(COL_INT64, v, 6, 0), *o = NULL;
  frame_groups g;
  mlsh_err err = {0};
  CHECK(frame_group((const mlsh_col *const *)&k, 1, 1, 1, &g, &err) == MLSH_OK);
  CHECK(frame_aggregate(x, &g, AGG_MEAN, 0, 1, &o, &err) == MLSH_OK);
  CHECK(o && COL_DBL(o)[0] == 5.0 / 3 && COL_DBL(o)[1] == 1.0 / 3);
  col_unref(o);
  frame_groups_free(&g);
  col_unref(k); col_unref(x);
}

int main(void) {
  RUN(test_threaded_matches_rows);
  RUN(test_integer_mean_exact);
  RUN(test_median_threads);
  CTEST_DONE();
}
