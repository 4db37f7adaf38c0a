/* lstats_lm.c - the C side of stats.lm and stats.glm: a formula over a
 * DataFrame in, a fitted model userdata (the design, for predictions on
 * new data) and a table of R's numbers out. lua/mlsh/stats_models.lua
 * wraps them into LinearModel / GLM objects that print as R's summaries. */
#include <math.h>
#include <string.h>
#include "lmlsh.h"
#include "lframe.h"
#include "../core/alloc.h"
#include "../stats/glm.h"
#include "../stats/model_matrix.h"

#define MODEL_MT "mlsh.ModelFit"
#define LM_TOL 1e-7   /* R's lm.fit tol */

typedef struct lmodel {
  int is_glm;
  st_glm_opts gopts;
  st_design d;
  st_model_data md;
  st_ls ls;
  st_glm g;
  st_lm_stats s;
} lmodel;

static int model_gc(lua_State *L) {
  lmodel *m = luaL_checkudata(L, 1, MODEL_MT);
  st_design_free(&m->d);
  st_model_data_free(&m->md);
  st_ls_free(&m->ls);
  st_glm_free(&m->g);
  return 0;
}

/* Core messages that already start with "fname:" are raised as they are. */
static int model_fail(lua_State *L, const char *fname, int rc, const mlsh_err *err) {
  size_t k = strlen(fname);
  if (rc != MLSH_ENOMEM && rc != MLSH_EINTR && !strncmp(err->msg, fname, k) && err->msg[k] == ':') {
    lua_pushstring(L, err->msg);
    return lua_error(L);
  }
  return mlsh_fail(L, fname, rc, err);
}

static lmodel *check_model(lua_State *L, int idx, const char *fname) {
  lmodel *m = luaL_testudata(L, idx, MODEL_MT);
  if (!m) mlsh_error(L, fname, "argument 1 must be a fitted model (got %s)", mlsh_typename(L, idx));
  return m;
}

static lmodel *new_model(lua_State *L) {
  lmodel *m = lua_newuserdatauv(L, sizeof *m, 0);
  memset(m, 0, sizeof *m);
  luaL_setmetatable(L, MODEL_MT);
  return m;
}

/* Fields of the result table, which sits at -1 except in set_numbers_at. */
static void set_num(lua_State *L, const char *k, double v) { lua_pushnumber(L, v); lua_setfield(L, -2, k); }
static void set_int(lua_State *L, const char *k, size_t v) { lua_pushinteger(L, (lua_Integer)v); lua_setfield(L, -2, k); }
static void set_str(lua_State *L, const char *k, const char *v) { lua_pushstring(L, v); lua_setfield(L, -2, k); }

static void set_numbers_at(lua_State *L, int t, const char *k, const double *x, size_t n) {
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) { lua_pushnumber(L, x[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
  lua_setfield(L, t, k);
}

static void set_vector(lua_State *L, const char *k, const double *x, size_t n, const char *fname) {
  mlsh_mat *v = lmat_push_new(L, n, 1, fname);
  if (n) memcpy(v->data, x, n * sizeof *x);
  lua_setfield(L, -2, k);
}

/* Prior weights on every frame row: a column name or an array/Matrix. */
static double *frame_weights(lua_State *L, int opts, const mlsh_frame *f, const char *fname) {
  int t = mlsh_opt_get(L, opts, "weights");
  if (t == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  double *w = mlsh_scratch(L, (f->nrow + 1) * sizeof *w, fname);
  if (t == LUA_TSTRING) {
    size_t idx;
    mlsh_err err;
    if (frame_lookup(f, lua_tostring(L, -2), fname, &idx, &err)) model_fail(L, fname, MLSH_EINVAL, &err);
    const mlsh_col *c = f->cols[idx];
    if (c->type != COL_DOUBLE && c->type != COL_INT64)
      mlsh_error(L, fname, "option 'weights': column '%s' is %s, not numeric", f->names[idx], col_type_name(c->type));
    for (size_t i = 0; i < f->nrow; i++)
      w[i] = col_is_na(c, i) ? NAN : c->type == COL_DOUBLE ? COL_DBL(c)[i] : (double)COL_I64(c)[i];
  } else {
    mlsh_mat *m = lmat_checklike(L, -2, fname, "weights");
    if (MAT_LEN(m) != f->nrow)
      mlsh_error(L, fname, "option 'weights' must have one value per row (%zu), got %zu", f->nrow, MAT_LEN(m));
    memcpy(w, m->data, f->nrow * sizeof *w);
  }
  for (size_t i = 0; i < f->nrow; i++)
    if (w[i] < 0) mlsh_error(L, fname, "option 'weights': negative weights not allowed (row %zu)", i + 1);
  return w;
}

static void push_design_info(lua_State *L, const lmodel *m, const char *fname) {
  const st_design *d = &m->d;
  lua_createtable(L, (int)d->p, 0);
  for (size_t j = 0; j < d->p; j++) { lua_pushstring(L, d->colnames[j]); lua_rawseti(L, -2, (lua_Integer)j + 1); }
  lua_setfield(L, -2, "names");
  lua_createtable(L, (int)d->p, 0);
  for (size_t j = 0; j < d->p; j++) { lua_pushinteger(L, d->assign[j]); lua_rawseti(L, -2, (lua_Integer)j + 1); }
  lua_setfield(L, -2, "assign");
  lua_createtable(L, (int)d->terms.nterms, 0);
  for (size_t t = 0; t < d->terms.nterms; t++) {
    char *s = st_term_label(&d->terms, t);
    if (!s) mlsh_error(L, fname, "not enough memory");
    mlsh_push_owned_string(L, s);
    lua_rawseti(L, -2, (lua_Integer)t + 1);
  }
  lua_setfield(L, -2, "term_labels");
  set_str(L, "response", d->response_label);
  lua_pushboolean(L, d->terms.intercept); lua_setfield(L, -2, "intercept");
  set_int(L, "nobs", m->md.n);
  set_int(L, "n_omitted", m->md.nomitted);
  lua_createtable(L, (int)m->md.n, 0);   /* the data row of each model row: results line up with the data */
  for (size_t i = 0; i < m->md.n; i++) {
    lua_pushinteger(L, (lua_Integer)m->md.rows[i] + 1);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "data_rows");
  set_int(L, "rank", m->is_glm ? m->g.ls.rank : m->ls.rank);
  set_int(L, "p", d->p);
}

static void push_coef_table(lua_State *L, const double *coef, size_t p, const char *fname,
                            int (*tests)(const lmodel *, double *, double *, double *, mlsh_err *), const lmodel *m) {
  int t = lua_gettop(L);
  double *se = mlsh_scratch(L, 3 * (p + 1) * sizeof *se, fname), *st = se + p + 1, *pv = st + p + 1;
  mlsh_err err;
  int rc = tests(m, se, st, pv, &err);
  if (rc) model_fail(L, fname, rc, &err);
  set_numbers_at(L, t, "coefficients", coef, p);
  set_numbers_at(L, t, "std_error", se, p);
  set_numbers_at(L, t, "statistic", st, p);
  set_numbers_at(L, t, "p_value", pv, p);
  lua_pop(L, 1);
}

static int lm_tests(const lmodel *m, double *se, double *st, double *pv, mlsh_err *err) {
  st_lm_stats s;
  return st_lm_stats_compute(&m->ls, m->md.y, m->md.w, m->d.terms.intercept, &s, se, st, pv, err);
}

static int glm_tests(const lmodel *m, double *se, double *st, double *pv, mlsh_err *err) {
  return st_glm_coef_tests(&m->g, m->gopts.family, se, st, pv, err);
}

static const char *const na_actions[] = {"omit", "fail", NULL};

typedef struct { int na_action, threads; } lm_args;
static const mlsh_opt lm_opt[] = {
  MLSH_OPT_VALUE("weights", MLSH_OT_ANY, NULL, "a column name, or an array/Matrix of one non-negative weight per row (weighted least squares)"),
  MLSH_OPT_ENUM(lm_args, na_action, "na_action", 0, na_actions, "rows with NA in a variable used: \"omit\" (dropped and counted, as R's na.omit) or \"fail\""),
  MLSH_OPT_THREADS(lm_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec lm_spec = {"stats.lm", lm_opt};

static void check_rows(lua_State *L, const lmodel *m, int na_action, const char *fname) {
  if (na_action == 1 && m->md.nomitted)
    mlsh_error(L, fname, "%zu rows have missing values (na_action = \"fail\")", m->md.nomitted);
  if (m->md.n == 0) mlsh_error(L, fname, "no rows left to fit (every row has an NA in a variable used)");
}

static lmodel *fit_design(lua_State *L, const char *fname, const mlsh_optspec *spec, void *args, int *na_action) {
  mlsh_frame *f = lframe_check(L, 1, fname, "data");
  const char *formula = mlsh_check_string(L, 2, fname, "formula");
  mlsh_opts(L, 3, spec, args);
  double *w = frame_weights(L, 3, f, fname);
  lmodel *m = new_model(L);
  mlsh_err err;
  int rc = st_design_new(formula, f, w, fname, &m->d, &m->md, &err);
  if (rc) model_fail(L, fname, rc, &err);
  check_rows(L, m, *na_action, fname);
  return m;
}

/* stats._lm(df, formula, opts) -> model, info */
static int l_lm(lua_State *L) {
  const char *fname = lm_spec.fname;
  lm_args a = {0};
  lmodel *m = fit_design(L, fname, &lm_spec, &a, &a.na_action);
  int top = lua_gettop(L);
  if (m->d.response != RESP_NUMERIC)
    mlsh_error(L, fname, "the response '%s' is %s, not numeric", m->d.response_label,
               m->d.response == RESP_FACTOR ? "categorical" : "a cbind() matrix");
  mlsh_err err;
  int rc = st_ls_fit(m->md.X, m->md.y, m->md.w, m->md.n, m->md.p, LM_TOL, a.threads, &m->ls, &err);
  if (rc == MLSH_OK) rc = st_lm_stats_compute(&m->ls, m->md.y, m->md.w, m->d.terms.intercept, &m->s, NULL, NULL, NULL, &err);
  if (rc) model_fail(L, fname, rc, &err);
  lua_createtable(L, 0, 40);
  push_design_info(L, m, fname);
  push_coef_table(L, m->ls.coef, m->md.p, fname, lm_tests, m);
  const st_lm_stats *s = &m->s;
  set_num(L, "df_residual", s->df_residual); set_num(L, "sigma", s->sigma); set_num(L, "rss", s->rss);
  set_num(L, "r_squared", s->r_squared); set_num(L, "adj_r_squared", s->adj_r_squared);
  set_num(L, "fstatistic", s->fstatistic); set_num(L, "numdf", s->numdf); set_num(L, "dendf", s->dendf);
  set_num(L, "f_p_value", s->f_p_value); set_num(L, "logLik", s->loglik); set_num(L, "AIC", s->aic);
  set_num(L, "BIC", s->bic); set_int(L, "nobs_weighted", s->nobs);
  set_vector(L, "residuals", m->ls.resid, m->md.n, fname);
  set_vector(L, "fitted", m->ls.fitted, m->md.n, fname);
  set_vector(L, "y", m->md.y, m->md.n, fname);
  if (m->md.w) set_vector(L, "weights", m->md.w, m->md.n, fname);
  lua_pushvalue(L, top);
  lua_insert(L, -2);
  return 2;
}

typedef struct { int na_action, threads, family, link, maxit; double epsilon; } glm_args;
static const char *const links_or_default[] = {"identity", "log", "inverse", "sqrt", "logit", "probit", "cloglog", "canonical", NULL};
static const mlsh_opt glm_opt[] = {
  MLSH_OPT_ENUM(glm_args, family, "family", 2, glm_family_names, "the error distribution: \"binomial\", \"poisson\", \"gaussian\" or \"Gamma\""),
  MLSH_OPT_ENUM(glm_args, link, "link", 7, links_or_default, "the link function (default: the family's canonical link)"),
  MLSH_OPT_VALUE("weights", MLSH_OT_ANY, NULL, "a column name, or an array/Matrix of one non-negative prior weight per row"),
  MLSH_OPT_ENUM(glm_args, na_action, "na_action", 0, na_actions, "rows with NA in a variable used: \"omit\" or \"fail\""),
  MLSH_OPT_POS(glm_args, epsilon, "epsilon", 1e-8, "convergence tolerance on the relative change of the deviance"),
  MLSH_OPT_INT(glm_args, maxit, "maxit", 25, 1, 100000, "maximum IRLS iterations"),
  MLSH_OPT_THREADS(glm_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec glm_spec = {"stats.glm", glm_opt};

static void glm_response(lua_State *L, lmodel *m, const char *fname) {
  resp_kind r = m->d.response;
  if (r == RESP_CBIND && m->gopts.family != GLM_BINOMIAL)
    mlsh_error(L, fname, "cbind(successes, failures) is a binomial response (family is %s)", glm_family_names[m->gopts.family]);
  if (r == RESP_FACTOR && m->gopts.family != GLM_BINOMIAL)
    mlsh_error(L, fname, "the response '%s' is categorical, not numeric", m->d.response_label);
  if (r == RESP_FACTOR && m->d.response_nlevels < 2)
    mlsh_error(L, fname, "the response '%s' has a single level: a binomial response needs two", m->d.response_label);
}

static void push_warnings(lua_State *L, const st_glm *g) {
  lua_createtable(L, 4, 0);
  int k = 0;
  if (g->warn_nonint) { lua_pushstring(L, "non-integer #successes in a binomial glm!"); lua_rawseti(L, -2, ++k); }
  if (!g->converged) { lua_pushstring(L, "glm.fit: algorithm did not converge"); lua_rawseti(L, -2, ++k); }
  if (g->boundary) { lua_pushstring(L, "glm.fit: algorithm stopped at boundary value"); lua_rawseti(L, -2, ++k); }
  if (g->warn_fitted01) { lua_pushstring(L, "glm.fit: fitted probabilities numerically 0 or 1 occurred"); lua_rawseti(L, -2, ++k); }
  if (g->warn_rate0) { lua_pushstring(L, "glm.fit: fitted rates numerically 0 occurred"); lua_rawseti(L, -2, ++k); }
  lua_setfield(L, -2, "warnings");
}

/* stats._glm(df, formula, opts) -> model, info */
static int l_glm(lua_State *L) {
  const char *fname = glm_spec.fname;
  glm_args a = {0};
  lmodel *m = fit_design(L, fname, &glm_spec, &a, &a.na_action);
  int top = lua_gettop(L);
  m->is_glm = 1;
  st_glm_opts *o = &m->gopts;
  o->family = (glm_family)a.family;
  o->link = a.link == 7 ? glm_canonical_link(o->family) : (glm_link)a.link;
  o->epsilon = a.epsilon; o->maxit = a.maxit; o->threads = a.threads;
  o->intercept = m->d.terms.intercept;
  mlsh_err err;
  if (glm_check_link(o->family, o->link, fname, &err)) model_fail(L, fname, MLSH_EINVAL, &err);
  glm_response(L, m, fname);
  int rc = st_glm_fit(m->md.X, m->md.y, m->md.trials, m->md.w, m->md.n, m->md.p, o, &m->g, fname, &err);
  if (rc) model_fail(L, fname, rc, &err);
  const st_glm *g = &m->g;
  lua_createtable(L, 0, 40);
  push_design_info(L, m, fname);
  push_coef_table(L, g->ls.coef, m->md.p, fname, glm_tests, m);
  set_str(L, "family", glm_family_names[o->family]); set_str(L, "link", glm_link_names[o->link]);
  set_num(L, "deviance", g->deviance); set_num(L, "null_deviance", g->null_deviance);
  set_num(L, "AIC", g->aic); set_num(L, "dispersion", g->dispersion);
  set_num(L, "df_residual", g->df_residual); set_num(L, "df_null", g->df_null);
  set_int(L, "iter", (size_t)g->iter);
  lua_pushboolean(L, g->converged); lua_setfield(L, -2, "converged");
  push_warnings(L, g);
  mlsh_mat *dr = lmat_push_new(L, m->md.n, 1, fname);
  glm_deviance_residuals(g, o->family, dr->data);
  lua_setfield(L, -2, "residuals");
  set_vector(L, "working_residuals", g->working_resid, m->md.n, fname);
  set_vector(L, "fitted", g->mu, m->md.n, fname);
  set_vector(L, "linear_predictors", g->eta, m->md.n, fname);
  set_vector(L, "working_weights", g->wt, m->md.n, fname);
  set_vector(L, "prior_weights", g->prior, m->md.n, fname);
  set_vector(L, "y", g->y, m->md.n, fname);
  lua_pushvalue(L, top);
  lua_insert(L, -2);
  return 2;
}

static const st_ls *model_ls(const lmodel *m) { return m->is_glm ? &m->g.ls : &m->ls; }

/* stats._model_predict(model, newdf|nil) -> fit, se (link scale, unscaled
 * by sigma or the dispersion), one row per row of newdf (NaN where a
 * variable is NA), and for a GLM the response-scale fit and se. */
static int l_predict(lua_State *L) {
  const char *fname = "stats.predict";
  lmodel *m = check_model(L, 1, fname);
  const st_ls *ls = model_ls(m);
  st_model_data nd = {0}, *md = &m->md;
  size_t nrow = md->n;
  mlsh_err err;
  if (!lua_isnoneornil(L, 2)) {
    mlsh_frame *f = lframe_check(L, 2, fname, "newdata");
    lmodel *tmp = new_model(L);   /* owns the new design data until the collector frees it */
    int rc = st_design_eval(&m->d, f, fname, &tmp->md, &err);
    if (rc) model_fail(L, fname, rc, &err);
    md = &tmp->md;
    nrow = f->nrow;
    (void)nd;
  }
  mlsh_mat *fit = lmat_push_new(L, nrow, 1, fname), *se = lmat_push_new(L, nrow, 1, fname);
  double *h = mlsh_scratch(L, (md->n + 1) * sizeof *h, fname);
  int rc = st_ls_hat(ls, md->X, md->n, NULL, h, &err);
  if (rc) model_fail(L, fname, rc, &err);
  lua_pop(L, 1);
  for (size_t i = 0; i < nrow; i++) fit->data[i] = se->data[i] = NAN;
  for (size_t i = 0; i < md->n; i++) {
    double eta = 0;
    for (size_t j = 0; j < ls->rank; j++) eta += ls->coef[ls->pivot[j]] * md->X[ls->pivot[j] * md->n + i];
    size_t row = md == &m->md ? i : (size_t)md->rows[i];
    fit->data[row] = eta;
    se->data[row] = sqrt(h[i]);
  }
  if (!m->is_glm) return 2;
  mlsh_mat *mu = lmat_push_new(L, nrow, 1, fname), *semu = lmat_push_new(L, nrow, 1, fname);
  glm_linkinv(m->gopts.link, fit->data, mu->data, nrow);
  for (size_t i = 0; i < nrow; i++)   /* the delta method: se(mu) = |dmu/deta| se(eta) */
    semu->data[i] = se->data[i] * fabs(glm_mu_eta(m->gopts.link, fit->data[i]));
  return 4;
}

/* stats._model_influence(model) -> hat, cooks, standardised residuals (Matrices). */
static int l_influence(lua_State *L) {
  const char *fname = "stats.influence";
  lmodel *m = check_model(L, 1, fname);
  const st_ls *ls = model_ls(m);
  size_t n = m->md.n;
  const double *w = m->is_glm ? m->g.wt : m->md.w;
  mlsh_mat *h = lmat_push_new(L, n, 1, fname), *cook = lmat_push_new(L, n, 1, fname), *std = lmat_push_new(L, n, 1, fname);
  mlsh_err err;
  int rc = st_ls_hat(ls, m->md.X, n, w, h->data, &err);
  if (rc) model_fail(L, fname, rc, &err);
  double scale = m->is_glm ? m->g.dispersion : m->s.sigma * m->s.sigma, p = (double)ls->rank;
  if (m->is_glm) {
    glm_deviance_residuals(&m->g, m->gopts.family, std->data);
    glm_pearson_residuals(&m->g, m->gopts.family, cook->data);
  }
  for (size_t i = 0; i < n; i++) {   /* R's cooks.distance and rstandard */
    double hi = h->data[i];
    double pr = m->is_glm ? cook->data[i] : (m->md.w ? sqrt(m->md.w[i]) : 1.0) * m->ls.resid[i];
    cook->data[i] = pr / (1 - hi) * (pr / (1 - hi)) * hi / (scale * p);
    std->data[i] = (m->is_glm ? std->data[i] : pr) / sqrt(scale * (1 - hi));
  }
  return 3;
}

static void release_frame(void *p) { frame_free(*(mlsh_frame **)p); }

static int add_double_column(mlsh_frame *f, const char *name, const double *x, size_t n, uint8_t *valid,
                             mlsh_err *err) {
  memset(valid, 0, (n + 7) / 8);
  for (size_t i = 0; i < n; i++) if (x[i] == x[i]) valid[i >> 3] |= (uint8_t)(1u << (i & 7));
  mlsh_col *c;
  int rc = col_from_array(COL_DOUBLE, x, n, valid, &c, err);
  if (rc == MLSH_OK) { rc = frame_add(f, name, c, err); col_unref(c); }
  return rc;
}

/* stats._model_tidy(model) -> DataFrame term, estimate, std_error, statistic, p_value (broom's tidy). */
static int l_tidy(lua_State *L) {
  const char *fname = "stats.tidy";
  lmodel *m = check_model(L, 1, fname);
  size_t p = m->md.p;
  double *buf = mlsh_scratch(L, (3 * p + 3) * sizeof *buf + p / 8 + 1, fname);
  double *se = buf, *st = se + p + 1, *pv = st + p + 1;
  mlsh_err err;
  int rc = (m->is_glm ? glm_tests : lm_tests)(m, se, st, pv, &err);
  if (rc) model_fail(L, fname, rc, &err);
  mlsh_frame **g = mlsh_guard(L, sizeof *g, release_frame);
  mlsh_col *terms = NULL;
  const double *coef = model_ls(m)->coef;
  uint8_t *valid = (uint8_t *)(pv + p + 1);
  rc = frame_new(p, g, &err);
  if (rc == MLSH_OK) rc = col_from_strings((const char *const *)m->d.colnames, p, &terms, &err);
  if (rc == MLSH_OK) { rc = frame_add(*g, "term", terms, &err); col_unref(terms); }
  if (rc == MLSH_OK) rc = add_double_column(*g, "estimate", coef, p, valid, &err);
  if (rc == MLSH_OK) rc = add_double_column(*g, "std_error", se, p, valid, &err);
  if (rc == MLSH_OK) rc = add_double_column(*g, "statistic", st, p, valid, &err);
  if (rc == MLSH_OK) rc = add_double_column(*g, "p_value", pv, p, valid, &err);
  if (rc) model_fail(L, fname, rc, &err);
  mlsh_frame *f = *g;
  *g = NULL;
  lframe_push(L, f);
  return 1;
}

/* stats._lm_anova(model) -> {terms, df, sum_sq, mean_sq, F, p_value}, the last row the residuals. */
static int l_anova(lua_State *L) {
  const char *fname = "stats.anova";
  lmodel *m = check_model(L, 1, fname);
  if (m->is_glm) mlsh_error(L, fname, "the sequential anova table is for linear models (stats.lm)");
  size_t nt = m->d.terms.nterms, k;
  double *buf = mlsh_scratch(L, 4 * (nt + 1) * sizeof *buf + (nt + 1) * sizeof(int), fname);
  double *df = buf, *ss = df + nt + 1, *fv = ss + nt + 1, *pv = fv + nt + 1;
  int *term = (int *)(pv + nt + 1);
  mlsh_err err;
  int rc = st_lm_anova(&m->ls, m->d.assign, nt, &m->s, term, df, ss, fv, pv, &k, &err);
  if (rc) model_fail(L, fname, rc, &err);
  lua_createtable(L, 0, 6);
  int t = lua_gettop(L);
  lua_createtable(L, (int)k + 1, 0);
  for (size_t r = 0; r <= k; r++) {
    char *label = r < k ? st_term_label(&m->d.terms, (size_t)term[r] - 1) : NULL;
    if (r < k && !label) mlsh_error(L, fname, "not enough memory");
    if (label) mlsh_push_owned_string(L, label);
    else lua_pushstring(L, "Residuals");
    lua_rawseti(L, -2, (lua_Integer)r + 1);
  }
  lua_setfield(L, t, "terms");
  double *ms = mlsh_scratch(L, (k + 1) * sizeof *ms, fname);
  for (size_t r = 0; r <= k; r++) ms[r] = ss[r] / df[r];
  set_numbers_at(L, t, "df", df, k + 1);
  set_numbers_at(L, t, "sum_sq", ss, k + 1);
  set_numbers_at(L, t, "mean_sq", ms, k + 1);
  set_numbers_at(L, t, "F", fv, k + 1);
  set_numbers_at(L, t, "p_value", pv, k + 1);
  lua_pushvalue(L, t);
  return 1;
}

/* The columns of X (n rows) whose term is at most k: a new n x m matrix. */
static double *first_terms(const lmodel *m, int k, size_t *mcols) {
  size_t n = m->md.n, c = 0;
  for (size_t j = 0; j < m->md.p; j++) c += m->d.assign[j] <= k;
  double *X = mlsh_malloc_array(n * c + 1, sizeof *X);
  if (!X) return NULL;
  for (size_t j = 0, q = 0; j < m->md.p; j++)
    if (m->d.assign[j] <= k) memcpy(X + n * q++, m->md.X + n * j, n * sizeof *X);
  *mcols = c;
  return X;
}

/* stats._glm_sequential(model) -> residual df and deviance after each term
 * (R's anova.glm: the terms added one by one, on the rows of the fit). */
static int l_glm_sequential(lua_State *L) {
  const char *fname = "GLM:anova";
  lmodel *m = check_model(L, 1, fname);
  if (!m->is_glm) mlsh_error(L, fname, "argument 1 must be a GLM");
  size_t nt = m->d.terms.nterms;
  lua_createtable(L, 0, 2);
  lua_createtable(L, (int)nt, 0);
  lua_createtable(L, (int)nt, 0);
  for (size_t k = 1; k <= nt; k++) {
    double dev = m->g.deviance, df = m->g.df_residual;
    if (k < nt) {
      size_t c = 0;
      double *X = first_terms(m, (int)k, &c);
      if (!X) mlsh_error(L, fname, "not enough memory");
      st_glm g;
      mlsh_err err;
      int rc = st_glm_fit(X, m->md.y, m->md.trials, m->md.w, m->md.n, c, &m->gopts, &g, fname, &err);
      mlsh_free(X);
      if (rc) model_fail(L, fname, rc, &err);
      dev = g.deviance; df = g.df_residual;
      st_glm_free(&g);
    }
    lua_pushnumber(L, dev); lua_rawseti(L, -3, (lua_Integer)k);
    lua_pushnumber(L, df); lua_rawseti(L, -2, (lua_Integer)k);
  }
  lua_setfield(L, -3, "df_residual");
  lua_setfield(L, -2, "deviance");
  return 1;
}

static const mlsh_Reg lm_funcs[] = {
  {"_lm", l_lm, "stats._lm(data, formula, opts)", "Internal: the computation behind stats.lm.", &lm_spec},
  {"_glm", l_glm, "stats._glm(data, formula, opts)", "Internal: the computation behind stats.glm.", &glm_spec},
  {"_model_predict", l_predict, "stats._model_predict(model, newdata)", "Internal: predictions of a fitted model.", NULL},
  {"_model_influence", l_influence, "stats._model_influence(model)", "Internal: hat values, Cook's distances, standardised residuals.", NULL},
  {"_model_tidy", l_tidy, "stats._model_tidy(model)", "Internal: the coefficient table of a fitted model as a DataFrame.", NULL},
  {"_glm_sequential", l_glm_sequential, "stats._glm_sequential(model)", "Internal: deviances of a GLM as its terms are added.", NULL},
  {"_lm_anova", l_anova, "stats._lm_anova(model)", "Internal: sequential sums of squares of a linear model.", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_stats_lm(lua_State *L) {
  static const luaL_Reg meta[] = {{"__gc", model_gc}, {NULL, NULL}};
  luaL_newmetatable(L, MODEL_MT);
  luaL_setfuncs(L, meta, 0);
  lua_pop(L, 1);
  mlsh_register(L, "stats", lm_funcs);
}
