/* test_expr.c - the expression language's core (src/frame/expr*):
 * parsing and its errors, R's type and NA rules, groups, windows,
 * expr_apply, allocation failures and Ctrl-C. Reference values are R 4.2
 * results, with the R call next to each check. */
#include <stdint.h>
#include <stdlib.h>
#include "ctest.h"
#include "../../src/frame/expr.h"
#include "../../src/core/alloc.h"
#include "../../src/core/interrupt.h"

/* mtcars$cyl[1:8], mtcars$mpg[1:8]; x: 1 2 NA 4 NaN 6 7 8 (a double with NA and NaN). */
static const int64_t cyl[8] = {6, 6, 4, 6, 8, 6, 8, 4};
static const double mpg[8] = {21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4};

static mlsh_frame *test_frame(void) {
  mlsh_frame *f = NULL;
  mlsh_col *c = NULL;
  mlsh_err err;
  double x[8] = {1, 2, 0, 4, NAN, 6, 7, 8};
  uint8_t valid[1] = {0xfb};   /* row 3 (index 2) NA */
  const char *s[8] = {"a", "b", "a", NULL, "c", "b", "a", "c"};
  frame_new(8, &f, &err);
  col_from_array(COL_INT64, cyl, 8, NULL, &c, &err), frame_add(f, "cyl", c, &err), col_unref(c);
  col_from_array(COL_DOUBLE, mpg, 8, NULL, &c, &err), frame_add(f, "mpg", c, &err), col_unref(c);
  col_from_array(COL_DOUBLE, x, 8, valid, &c, &err), frame_add(f, "x", c, &err), col_unref(c);
  col_from_strings(s, 8, &c, &err), frame_add(f, "s", c, &err), col_unref(c);
  return f;
}

/* Evaluate src over f (groups g), per row; NULL on error (message in err). */
static mlsh_col *eval_on(const mlsh_frame *f, const frame_groups *g, const char *src, expr_want want, mlsh_err *err) {
  expr *e = NULL;
  mlsh_col *out = NULL;
  if (expr_parse(src, "test", &e, err)) return NULL;
  expr_eval(e, f, g, want, 2, "test", &out, err);
  expr_free(e);
  return out;
}

static void test_parse_errors(void) {
  expr *e = NULL;
  mlsh_err err;
  CHECK(expr_parse("mpg > ", "filter", &e, &err) == MLSH_EINVAL && !e);
  CHECK(strstr(err.msg, "filter: syntax error at position 7") != NULL);
  CHECK(strstr(err.msg, "\n  mpg > \n        ^") != NULL);
  CHECK(expr_parse("f(1,", "t", &e, &err) == MLSH_EINVAL);
  CHECK(expr_parse("{1, 2}", "t", &e, &err) == MLSH_OK);   /* a set parses; checking rejects it outside 'in' */
  expr_free(e);
  CHECK(expr_parse("x in {y}", "t", &e, &err) == MLSH_EINVAL && strstr(err.msg, "literal values only"));
  CHECK(expr_parse("`odd name` + 1", "t", &e, &err) == MLSH_OK);
  expr_free(e);
  CHECK(expr_parse("", "t", &e, &err) == MLSH_EINVAL && strstr(err.msg, "found the end"));
  CHECK(expr_parse("1 2", "t", &e, &err) == MLSH_EINVAL && strstr(err.msg, "unexpected text after"));
}

static void test_types_and_na(void) {
  mlsh_frame *f = test_frame();
  mlsh_err err;
  mlsh_col *c = eval_on(f, NULL, "cyl * 2 + 1", EXPR_PER_ROW, &err);
  CHECK(c && c->type == COL_INT64 && COL_I64(c)[0] == 13);            /* integer stays integer */
  col_unref(c);
  c = eval_on(f, NULL, "cyl / 4", EXPR_PER_ROW, &err);
  CHECK(c && c->type == COL_DOUBLE && COL_DBL(c)[0] == 1.5);          /* 6L / 4L is 1.5 */
  col_unref(c);
  c = eval_on(f, NULL, "x + 1", EXPR_PER_ROW, &err);
  CHECK(c && col_is_na(c, 2) && !col_is_na(c, 4) && isnan(COL_DBL(c)[4]));   /* NA stays NA, NaN stays NaN */
  col_unref(c);
  c = eval_on(f, NULL, "is_na(x)", EXPR_PER_ROW, &err);
  CHECK(c && COL_LGL(c)[2] == 1 && COL_LGL(c)[4] == 1 && COL_LGL(c)[0] == 0);   /* is.na(NaN) is TRUE */
  col_unref(c);
  c = eval_on(f, NULL, "x > 3", EXPR_PER_ROW, &err);
  CHECK(c && col_is_na(c, 2) && col_is_na(c, 4) && COL_LGL(c)[3] == 1);        /* NaN > 3 is NA */
  col_unref(c);
  c = eval_on(f, NULL, "x > 3 or cyl == 6", EXPR_PER_ROW, &err);
  CHECK(c && col_is_na(c, 2) && COL_LGL(c)[3] == 1);                             /* NA | FALSE is NA */
  col_unref(c);
  c = eval_on(f, NULL, "s in {'a', NA}", EXPR_PER_ROW, &err);
  CHECK(c && !c->valid && COL_LGL(c)[0] == 1 && COL_LGL(c)[3] == 1 && COL_LGL(c)[1] == 0);
  col_unref(c);
  c = eval_on(f, NULL, "s + 1", EXPR_PER_ROW, &err);
  CHECK(!c && strstr(err.msg, "got column 's' (string) and '1' (integer)"));
  c = eval_on(f, NULL, "mpgg > 1", EXPR_PER_ROW, &err);
  CHECK(!c && strstr(err.msg, "unknown column 'mpgg' (did you mean 'mpg'?)"));
  c = eval_on(f, NULL, "x in {1, 2}", EXPR_PER_ROW, &err);
  CHECK(c && COL_LGL(c)[0] == 1 && COL_LGL(c)[2] == 0);
  col_unref(c);
  c = eval_on(f, NULL, "-2^2", EXPR_PER_ROW, &err);   /* R: -2^2 is -4 */
  CHECK(c && c->n == 8 && COL_DBL(c)[7] == -4);
  col_unref(c);
  c = eval_on(f, NULL, "2^3^2", EXPR_PER_ROW, &err);   /* R: 2^3^2 is 512 */
  CHECK(c && COL_DBL(c)[0] == 512);
  col_unref(c);
  frame_free(f);
}

/* R: f <- factor(c("mid", "low", "high", NA, "mid"), levels = c("low", "mid", "high"), ordered = TRUE) */
static void test_factors(void) {
  const char *lv[3] = {"low", "mid", "high"};
  const int32_t codes[5] = {1, 0, 2, 0, 1};
  const uint8_t valid[1] = {0x17};
  mlsh_col *levels = NULL, *fc = NULL;
  mlsh_frame *f = NULL;
  mlsh_err err;
  col_from_strings(lv, 3, &levels, &err);
  CHECK(col_categorical(codes, 5, valid, levels, 1, &fc, &err) == MLSH_OK);
  frame_new(5, &f, &err);
  frame_add(f, "f", fc, &err);
  mlsh_col *c = eval_on(f, NULL, "f < 'high'", EXPR_PER_ROW, &err);   /* f < "high": TRUE TRUE FALSE NA TRUE */
  CHECK(c && COL_LGL(c)[0] == 1 && COL_LGL(c)[1] == 1 && COL_LGL(c)[2] == 0 && col_is_na(c, 3) && COL_LGL(c)[4] == 1);
  col_unref(c);
  c = eval_on(f, NULL, "f == 'mid'", EXPR_PER_ROW, &err);
  CHECK(c && COL_LGL(c)[0] == 1 && COL_LGL(c)[1] == 0);
  col_unref(c);
  c = eval_on(f, NULL, "f in {'low', 'high'}", EXPR_PER_ROW, &err);
  CHECK(c && COL_LGL(c)[1] == 1 && COL_LGL(c)[2] == 1 && COL_LGL(c)[0] == 0 && COL_LGL(c)[3] == 0);
  col_unref(c);
  c = eval_on(f, NULL, "upper(f)", EXPR_PER_ROW, &err);   /* toupper(f): character */
  size_t len;
  CHECK(c && c->type == COL_STRING && !memcmp(col_str(c, 2, &len), "HIGH", 4) && col_is_na(c, 3));
  col_unref(c);
  c = eval_on(f, NULL, "max(f, na_rm = true)", EXPR_PER_GROUP, &err);   /* max(f, na.rm = TRUE) is high */
  CHECK(c && c->type == COL_CATEGORICAL && COL_I32(c)[0] == 2);
  col_unref(c);
  c = eval_on(f, NULL, "f < 'huge'", EXPR_PER_ROW, &err);
  CHECK(!c && strstr(err.msg, "'huge' is not a level"));
  col_unref(fc);
  col_unref(levels);
  frame_free(f);
}

static void test_groups(void) {
  mlsh_frame *f = test_frame();
  mlsh_err err;
  frame_groups g;
  const mlsh_col *key = f->cols[0];
  CHECK(frame_group(&key, 1, 1, 1, &g, &err) == MLSH_OK && g.ngroups == 3);
  /* tapply(mtcars$mpg[1:8], mtcars$cyl[1:8], mean): 23.6 20.375 16.5 */
  mlsh_col *c = eval_on(f, &g, "mean(mpg)", EXPR_PER_GROUP, &err);
  CHECK(c && c->n == 3);
  if (c) {
    CHECK_NEAR(COL_DBL(c)[0], 23.6, 1e-12);
    CHECK_NEAR(COL_DBL(c)[1], 20.375, 1e-12);
    CHECK_NEAR(COL_DBL(c)[2], 16.5, 1e-12);
  }
  col_unref(c);
  /* ave(mpg, cyl): centred within groups */
  c = eval_on(f, &g, "mpg - mean(mpg)", EXPR_PER_ROW, &err);
  CHECK(c && c->n == 8);
  if (c) {
    CHECK_NEAR(COL_DBL(c)[0], 21.0 - 20.375, 1e-12);
    CHECK_NEAR(COL_DBL(c)[2], 22.8 - 23.6, 1e-12);
  }
  col_unref(c);
  /* dplyr: group_by(cyl) %>% mutate(lag(mpg)): 6-cylinder rows 1 2 4 6 */
  c = eval_on(f, &g, "lag(mpg)", EXPR_PER_ROW, &err);
  CHECK(c && col_is_na(c, 0) && COL_DBL(c)[1] == 21.0 && COL_DBL(c)[3] == 21.0 && COL_DBL(c)[5] == 21.4 && col_is_na(c, 2));
  col_unref(c);
  c = eval_on(f, &g, "n()", EXPR_PER_GROUP, &err);
  CHECK(c && COL_I64(c)[0] == 2 && COL_I64(c)[1] == 4 && COL_I64(c)[2] == 2);
  col_unref(c);
  c = eval_on(f, &g, "sum(1)", EXPR_PER_GROUP, &err);   /* R: sum(1) is 1 whatever the group */
  CHECK(c && c->n == 3 && COL_I64(c)[1] == 1);
  col_unref(c);
  c = eval_on(f, &g, "mpg", EXPR_PER_GROUP, &err);
  CHECK(!c && strstr(err.msg, "one value per row, not one per group"));
  frame_groups_free(&g);
  frame_free(f);
}

static void test_apply(void) {
  mlsh_col *a = NULL, *out = NULL;
  mlsh_err err;
  col_from_array(COL_DOUBLE, mpg, 8, NULL, &a, &err);
  expr_arg args[2] = {{EXPR_ARG_COL, NULL, a, 0, 0, NULL}, {EXPR_ARG_INT, NULL, NULL, 2, 0, NULL}};
  CHECK(expr_apply("*", args, 2, EXPR_PER_ROW, "Column:__mul", &out, &err) == MLSH_OK && COL_DBL(out)[0] == 42);
  col_unref(out);
  /* quantile(mtcars$mpg[1:8], 0.25) is 18.55 */
  expr_arg q[2] = {{EXPR_ARG_COL, NULL, a, 0, 0, NULL}, {EXPR_ARG_NUM, NULL, NULL, 0, 0.25, NULL}};
  CHECK(expr_apply("quantile", q, 2, EXPR_PER_GROUP, "Column:quantile", &out, &err) == MLSH_OK);
  if (out) CHECK_NEAR(COL_DBL(out)[0], 18.55, 1e-12);
  col_unref(out);
  expr_arg s[1] = {{EXPR_ARG_STR, NULL, NULL, 0, 0, "x"}};
  CHECK(expr_apply("neg", s, 1, EXPR_PER_ROW, "Column:__unm", &out, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "unary '-' needs a number") != NULL);
  col_unref(a);
}

/* Every allocation of a grouped evaluation fails in turn: a clean error, never a leak or a crash. */
static void test_alloc_failures(void) {
  mlsh_frame *f = test_frame();
  const char *srcs[] = {"if_else(x > mean(x, na_rm = true), paste(s, cyl), upper(s))", "rank(mpg) + lag(cyl, 1, 0)",
                        "quantile(mpg, 0.5) + n_distinct(s)", "as_date('2020-01-02') + cyl"};
  for (size_t q = 0; q < sizeof srcs / sizeof *srcs; q++) {
    int ok = 0;
    for (long k = 1; k < 400 && !ok; k++) {
      mlsh_err err = {0};
      frame_groups g = {0};
      const mlsh_col *key = f->cols[0];
      mlsh_alloc_fail_after(k);
      expr *e = NULL;
      mlsh_col *out = NULL;
      int rc = frame_group(&key, 1, 1, 1, &g, &err);
      if (!rc) rc = expr_parse(srcs[q], "t", &e, &err);
      if (!rc) rc = expr_eval(e, f, &g, EXPR_PER_ROW, 1, "t", &out, &err);
      mlsh_alloc_fail_after(0);
      CHECK(rc == MLSH_OK || rc == MLSH_ENOMEM);
      ok = rc == MLSH_OK && out && out->n == 8;
      col_unref(out);
      expr_free(e);
      frame_groups_free(&g);
    }
    CHECK(ok);
  }
  frame_free(f);
}

static void test_interrupt_and_threads(void) {
  size_t n = 300000;
  double *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++) x[i] = (double)i;
  mlsh_frame *f = NULL;
  mlsh_col *c = NULL;
  mlsh_err err;
  frame_new(n, &f, &err);
  col_from_array(COL_DOUBLE, x, n, NULL, &c, &err);
  frame_add(f, "x", c, &err);
  col_unref(c);
  c = eval_on(f, NULL, "x * 2 + 1 > 5", EXPR_PER_ROW, &err);   /* several threads on long columns */
  CHECK(c && COL_LGL(c)[2] == 0 && COL_LGL(c)[3] == 1 && COL_LGL(c)[n - 1] == 1);
  col_unref(c);
  mlsh_interrupt_raise();
  c = eval_on(f, NULL, "x * 2", EXPR_PER_ROW, &err);
  CHECK(!c && err.code == MLSH_EINTR);
  mlsh_interrupt_clear();
  frame_free(f);
  free(x);
}

int main(void) {
  RUN(test_parse_errors);
  RUN(test_types_and_na);
  RUN(test_factors);
  RUN(test_groups);
  RUN(test_apply);
  RUN(test_alloc_failures);
  RUN(test_interrupt_and_threads);
  CTEST_DONE();
}
