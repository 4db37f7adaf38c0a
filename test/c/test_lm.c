/* test_lm.c - formulas, model matrices, least squares and IRLS of the C
 * core, against R 4.2 (the R call next to each value). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "ctest.h"
#include "../../src/core/alloc.h"
#include "../../src/frame/frame.h"
#include "../../src/stats/formula.h"
#include "../../src/stats/glm.h"
#include "../../src/stats/lm.h"
#include "../../src/stats/model_matrix.h"

/* mtcars: mpg, wt, cyl (R's datasets) */
static const double mpg[32] = {21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4,
                               14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4};
static const double wt[32] = {2.620, 2.875, 2.320, 3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440,
                              4.070, 3.730, 3.780, 5.250, 5.424, 5.345, 2.200, 1.615, 1.835, 2.465, 3.520,
                              3.435, 3.840, 3.845, 1.935, 2.140, 1.513, 3.170, 2.770, 3.570, 2.780};
static const int64_t cyl[32] = {6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4};
static const double am[32] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};

static mlsh_frame *mtcars(void) {
  mlsh_frame *f;
  mlsh_col *c;
  frame_new(32, &f, NULL);
  col_from_array(COL_DOUBLE, mpg, 32, NULL, &c, NULL); frame_add(f, "mpg", c, NULL); col_unref(c);
  col_from_array(COL_DOUBLE, wt, 32, NULL, &c, NULL); frame_add(f, "wt", c, NULL); col_unref(c);
  col_from_array(COL_INT64, cyl, 32, NULL, &c, NULL); frame_add(f, "cyl", c, NULL); col_unref(c);
  col_from_array(COL_DOUBLE, am, 32, NULL, &c, NULL); frame_add(f, "am", c, NULL); col_unref(c);
  return f;
}

static void test_terms(void) {
  const char *cols[] = {"y", "a", "b", "c"};
  st_terms t;
  mlsh_err err;
  /* R: attr(terms(y ~ a * b + log(c) - 1), "term.labels") = "a" "b" "log(c)" "a:b", intercept 0 */
  CHECK(st_terms_parse("y ~ a * b + log(c) - 1", cols, 4, "f", &t, &err) == MLSH_OK);
  CHECK(t.nterms == 4 && !t.intercept);
  char *l = st_term_label(&t, 3);
  CHECK(l && strcmp(l, "a:b") == 0);
  mlsh_free(l);
  CHECK(strcmp(t.labels[2], "log(c)") == 0);
  st_terms_free(&t);
  /* R: terms(y ~ (a + b + c)^2) has 6 terms; y ~ . has a b c */
  CHECK(st_terms_parse("y ~ (a + b + c)^2", cols, 4, "f", &t, &err) == MLSH_OK && t.nterms == 6);
  st_terms_free(&t);
  CHECK(st_terms_parse("log(y) ~ .", cols, 4, "f", &t, &err) == MLSH_OK && t.nterms == 3);
  st_terms_free(&t);
  /* a / b = a + a:b; I() keeps arithmetic, deparsed as R does */
  CHECK(st_terms_parse("y ~ a/b + I(a^2 + 1)", cols, 4, "f", &t, &err) == MLSH_OK && t.nterms == 3);
  CHECK(strcmp(t.labels[2], "I(a^2 + 1)") == 0);
  st_terms_free(&t);
  CHECK(st_terms_parse("y ~ a +", cols, 4, "f", &t, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "position 8") != NULL);
  CHECK(st_terms_parse("y ~ a + (b", cols, 4, "f", &t, &err) == MLSH_EINVAL);
  CHECK(st_terms_parse("y ~ -a", cols, 4, "f", &t, &err) == MLSH_EINVAL);
}

static void test_design(void) {
  mlsh_frame *f = mtcars();
  st_design d;
  st_model_data md;
  mlsh_err err;
  /* R: colnames(model.matrix(mpg ~ wt * factor(cyl), mtcars)) */
  CHECK(st_design_new("mpg ~ wt * factor(cyl)", f, NULL, "t", &d, &md, &err) == MLSH_OK);
  const char *want[] = {"(Intercept)", "wt", "factor(cyl)6", "factor(cyl)8", "wt:factor(cyl)6", "wt:factor(cyl)8"};
  CHECK(d.p == 6 && md.n == 32);
  for (size_t j = 0; j < 6 && j < d.p; j++) CHECK(strcmp(d.colnames[j], want[j]) == 0);
  CHECK(md.X[4 * 32 + 0] == 2.620 && md.X[5 * 32 + 0] == 0);   /* Mazda RX4 is 6 cylinders */
  st_design_free(&d); st_model_data_free(&md);
  /* without an intercept the first factor gets every level: factor(cyl)4 6 8 */
  CHECK(st_design_new("mpg ~ factor(cyl) + wt - 1", f, NULL, "t", &d, &md, &err) == MLSH_OK);
  CHECK(d.p == 4 && strcmp(d.colnames[0], "factor(cyl)4") == 0);
  st_design_free(&d); st_model_data_free(&md);
  /* an ordered categorical column: R's contr.poly, named .L .Q (R: contr.poly(3)[, 1] = -0.7071068, 0, 0.7071068) */
  const char *lv[] = {"4", "6", "8"};
  int32_t codes[32];
  for (int i = 0; i < 32; i++) codes[i] = cyl[i] == 4 ? 0 : cyl[i] == 6 ? 1 : 2;
  mlsh_col *levels, *oc;
  mlsh_frame *g;
  CHECK(col_from_strings(lv, 3, &levels, &err) == MLSH_OK);
  CHECK(col_categorical(codes, 32, NULL, levels, 1, &oc, &err) == MLSH_OK);
  CHECK(frame_with(f, "cyl", oc, &g, &err) == MLSH_OK);
  col_unref(oc); col_unref(levels);
  CHECK(st_design_new("mpg ~ cyl", g, NULL, "t", &d, &md, &err) == MLSH_OK);
  CHECK(d.p == 3 && strcmp(d.colnames[1], "cyl.L") == 0 && strcmp(d.colnames[2], "cyl.Q") == 0);
  CHECK_NEAR(md.X[1 * 32 + 2], -0.707106781186548, 1e-15);   /* Datsun 710: 4 cylinders */
  CHECK_NEAR(md.X[2 * 32 + 2], 0.408248290463863, 1e-15);
  st_design_free(&d); st_model_data_free(&md);
  frame_free(g);
  CHECK(st_design_new("mpg ~ weight", f, NULL, "t", &d, &md, &err) == MLSH_EINVAL);
  CHECK(strstr(err.msg, "unknown column 'weight'") != NULL);
  frame_free(f);
}

static void test_lm_fit(void) {
  mlsh_frame *f = mtcars();
  st_design d;
  st_model_data md;
  st_ls r;
  st_lm_stats s;
  mlsh_err err;
  double se[8], tv[8], pv[8];
  CHECK(st_design_new("mpg ~ wt + factor(cyl)", f, NULL, "t", &d, &md, &err) == MLSH_OK);
  CHECK(st_ls_fit(md.X, md.y, NULL, md.n, md.p, 1e-7, 1, &r, &err) == MLSH_OK);
  CHECK(st_lm_stats_compute(&r, md.y, NULL, 1, &s, se, tv, pv, &err) == MLSH_OK);
  /* R: coef(summary(lm(mpg ~ wt + factor(cyl), mtcars))) */
  CHECK_NEAR(r.coef[0], 33.9907940091325, 1e-10);
  CHECK_NEAR(r.coef[1], -3.20561325619286, 1e-10);
  CHECK_NEAR(r.coef[2], -4.25558240197129, 1e-10);
  CHECK_NEAR(r.coef[3], -6.07085968049088, 1e-10);
  CHECK_NEAR(se[1], 0.753895654956412, 1e-10);
  CHECK_NEAR(pv[3], 0.000999189323675403, 1e-12);
  CHECK_NEAR(s.r_squared, 0.837432525296922, 1e-12);   /* R: summary(...)$r.squared */
  CHECK(r.rank == 4);
  st_ls_free(&r);
  st_design_free(&d); st_model_data_free(&md);
  frame_free(f);
}

static void test_glm_fit(void) {
  mlsh_frame *f = mtcars();
  st_design d;
  st_model_data md;
  st_glm g;
  mlsh_err err;
  CHECK(st_design_new("am ~ wt", f, NULL, "t", &d, &md, &err) == MLSH_OK);
  st_glm_opts o = {GLM_BINOMIAL, LINK_LOGIT, 1e-8, 25, 1, 1};
  CHECK(st_glm_fit(md.X, md.y, NULL, NULL, md.n, md.p, &o, &g, "t", &err) == MLSH_OK);
  /* R: glm(am ~ wt, binomial, mtcars): coef, deviance, aic, iter */
  CHECK_NEAR(g.ls.coef[0], 12.0403696589627, 1e-8);
  CHECK_NEAR(g.ls.coef[1], -4.0239699403279, 1e-8);
  CHECK_NEAR(g.deviance, 19.1760848074451, 1e-9);
  CHECK_NEAR(g.aic, 23.1760848074451, 1e-9);
  CHECK(g.iter == 6 && g.converged);
  st_glm_free(&g);
  /* Gamma with a non-positive response is refused as R does */
  double neg[32];
  for (int i = 0; i < 32; i++) neg[i] = md.y[i] - 0.5;
  o.family = GLM_GAMMA; o.link = LINK_INVERSE;
  CHECK(st_glm_fit(md.X, neg, NULL, NULL, md.n, md.p, &o, &g, "t", &err) == MLSH_EINVAL);
  st_design_free(&d); st_model_data_free(&md);
  frame_free(f);
}

int main(void) {
  RUN(test_terms);
  RUN(test_design);
  RUN(test_lm_fit);
  RUN(test_glm_fit);
  CTEST_DONE();
}
