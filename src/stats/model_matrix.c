/* model_matrix.c - the design of a formula over a frame: R's model.frame
 * (NA rows omitted, unused factor levels dropped) and model.matrix
 * (treatment contrasts, indicators where R's TermCode rule asks for them,
 * interactions with the first factor varying fastest, R's column names). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "model_impl.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

static int oom(const char *fname, mlsh_err *err) { return mlsh_seterr(err, MLSH_ENOMEM, "%s: not enough memory", fname); }

void st_model_data_free(st_model_data *md) {
  mlsh_free(md->X);
  mlsh_free(md->y);
  mlsh_free(md->trials);
  mlsh_free(md->w);
  mlsh_free(md->rows);
  memset(md, 0, sizeof *md);
}

void st_design_free(st_design *d) {
  for (size_t v = 0; v < d->terms.nvars; v++) {
    mv_free_levels(d->vars[v].levels, d->vars[v].nlevels);
    mlsh_free(d->vars[v].alpha);
    mlsh_free(d->vars[v].norm2);
    mlsh_free(d->vars[v].contr);
  }
  if (d->colnames) for (size_t j = 0; j < d->p; j++) mlsh_free(d->colnames[j]);
  mlsh_free(d->colnames);
  mlsh_free(d->assign);
  mlsh_free(d->coding);
  mlsh_free(d->response_label);
  for (int k = 0; k < 2; k++) mlsh_free(d->response_levels[k]);
  st_terms_free(&d->terms);
  memset(d, 0, sizeof *d);
}

/* ---- Poly: R's orthogonal polynomials by their three-term recurrence ---- */

/* Column j (1..degree) of the basis at x, into out (n values). */
static void poly_basis(const st_mvar *m, const double *x, size_t n, double *out, double *z0, double *z1) {
  for (size_t i = 0; i < n; i++) { z0[i] = 1; z1[i] = x[i] - m->alpha[0]; out[i] = z1[i] / sqrt(m->norm2[2]); }
  for (int j = 2; j <= m->degree; j++) {
    double r = m->norm2[j] / m->norm2[j - 1];
    double *col = out + (size_t)(j - 1) * n;
    for (size_t i = 0; i < n; i++) {
      double z = (x[i] - m->alpha[j - 1]) * z1[i] - r * z0[i];
      z0[i] = z1[i]; z1[i] = z;
      col[i] = z / sqrt(m->norm2[j + 1]);
    }
  }
}

/* Fit alpha and norm2 to x (the rows of the model), as R's poly(x, k). */
static int poly_fit(st_mvar *m, const double *x, size_t n, const char *fname, const char *label, mlsh_err *err) {
  int k = m->degree;
  m->alpha = mlsh_calloc((size_t)k, sizeof *m->alpha);
  m->norm2 = mlsh_calloc((size_t)k + 2, sizeof *m->norm2);
  double *z0 = mlsh_malloc_array(n ? n : 1, sizeof *z0), *z1 = mlsh_malloc_array(n ? n : 1, sizeof *z1);
  int rc = m->alpha && m->norm2 && z0 && z1 ? MLSH_OK : oom(fname, err);
  size_t distinct = 0;
  for (size_t i = 0; rc == MLSH_OK && i < n && distinct <= (size_t)k; i++) {
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++) seen = x[j] == x[i];
    distinct += !seen;
  }
  if (rc == MLSH_OK && distinct <= (size_t)k)
    rc = mlsh_seterr(err, MLSH_EINVAL, "%s: %s: 'degree' must be less than the number of unique points", fname, label);
  if (rc == MLSH_OK) {
    m->norm2[0] = 1;
    for (size_t i = 0; i < n; i++) { z0[i] = 0; z1[i] = 1; }
    for (int j = 0; j < k; j++) {   /* z1 holds Z_j, z0 Z_{j-1} */
      double s = 0, sx = 0;
      for (size_t i = 0; i < n; i++) { s += z1[i] * z1[i]; sx += x[i] * z1[i] * z1[i]; }
      m->norm2[j + 1] = s;
      m->alpha[j] = sx / s;
      double r = j ? m->norm2[j + 1] / m->norm2[j] : 0;
      for (size_t i = 0; i < n; i++) {
        double z = (x[i] - m->alpha[j]) * z1[i] - r * z0[i];
        z0[i] = z1[i]; z1[i] = z;
      }
    }
    double s = 0;
    for (size_t i = 0; i < n; i++) s += z1[i] * z1[i];
    m->norm2[k + 1] = s;
  }
  mlsh_free(z0); mlsh_free(z1);
  return rc;
}

/* R's contr.poly(K): the orthonormal polynomials of the scores 1..K, which
 * are poly(1:K, K - 1). */
static int contr_poly(st_mvar *m, const char *fname, const char *label, mlsh_err *err) {
  size_t K = m->nlevels;
  if (K < 2) return MLSH_OK;
  st_mvar pm = {.kind = MV_POLY, .degree = (int)K - 1};
  double *x = mlsh_malloc_array(K, sizeof *x), *basis = mlsh_malloc_array(K * (K - 1), sizeof *basis);
  double *z0 = mlsh_malloc_array(K, sizeof *z0), *z1 = mlsh_malloc_array(K, sizeof *z1);
  m->contr = mlsh_malloc_array(K * (K - 1), sizeof *m->contr);
  int rc = x && basis && z0 && z1 && m->contr ? MLSH_OK : oom(fname, err);
  for (size_t i = 0; rc == MLSH_OK && i < K; i++) x[i] = (double)(i + 1);
  if (rc == MLSH_OK) rc = poly_fit(&pm, x, K, fname, label, err);
  if (rc == MLSH_OK) {
    poly_basis(&pm, x, K, basis, z0, z1);
    for (size_t i = 0; i < K; i++)
      for (size_t j = 0; j + 1 < K; j++) m->contr[i * (K - 1) + j] = basis[j * K + i];
  }
  mlsh_free(pm.alpha); mlsh_free(pm.norm2);
  mlsh_free(x); mlsh_free(basis); mlsh_free(z0); mlsh_free(z1);
  return rc;
}

/* contr.poly's column names: .L .Q .C ^4 ^5 ... */
static void poly_suffix(size_t j, char *buf, size_t size) {
  static const char *const first[] = {".L", ".Q", ".C"};
  if (j < 3) snprintf(buf, size, "%s", first[j]);
  else snprintf(buf, size, "^%zu", j + 1);
}

/* ---- Columns ------------------------------------------------------------ */

static size_t var_width(const st_design *d, size_t t, size_t v) {
  const st_mvar *m = &d->vars[v];
  if (m->kind == MV_NUMERIC) return 1;
  if (m->kind == MV_POLY) return (size_t)m->degree;
  return d->coding[t * d->terms.nvars + v] == 1 ? m->nlevels - 1 : m->nlevels;
}

/* R's TermCode: factor v of term t is coded by contrasts (1) when the term
 * without v is empty or lies inside an earlier term, else by indicators (2);
 * without an intercept the first factor met gets indicators. */
static int set_coding(st_design *d, const char *fname, mlsh_err *err) {
  const st_terms *T = &d->terms;
  d->coding = mlsh_calloc(T->nterms * T->nvars + 1, 1);
  if (!d->coding) return oom(fname, err);
  for (size_t t = 0; t < T->nterms; t++)
    for (size_t v = 0; v < T->nvars; v++) {
      if (!(T->terms[t] >> v & 1)) continue;
      if (d->vars[v].kind != MV_FACTOR) { d->coding[t * T->nvars + v] = 1; continue; }
      uint64_t rest = T->terms[t] & ~(1ull << v);
      int code = rest == 0 ? 1 : 2;
      for (size_t s = 0; s < t && code == 2; s++) if ((rest & ~T->terms[s]) == 0) code = 1;
      d->coding[t * T->nvars + v] = (uint8_t)code;
    }
  if (!T->intercept)
    for (size_t t = 0; t < T->nterms; t++)
      for (size_t v = 0; v < T->nvars; v++)
        if (d->vars[v].kind == MV_FACTOR && (T->terms[t] >> v & 1)) { d->coding[t * T->nvars + v] = 2; return MLSH_OK; }
  return MLSH_OK;
}

static char *column_name(const st_design *d, size_t t, const size_t *digit) {
  const st_terms *T = &d->terms;
  size_t len = 1;
  char num[24];
  for (size_t v = 0, k = 0; v < T->nvars; v++) {
    if (!(T->terms[t] >> v & 1)) continue;
    len += strlen(T->labels[v]) + 1 + 24;
    if (d->vars[v].kind == MV_FACTOR) len += strlen(d->vars[v].levels[digit[k] + (d->coding[t * T->nvars + v] == 1)]);
    len += 24;
    k++;
  }
  char *s = mlsh_malloc(len), *q = s;
  if (!s) return NULL;
  *q = 0;
  for (size_t v = 0, k = 0; v < T->nvars; v++) {
    if (!(T->terms[t] >> v & 1)) continue;
    const st_mvar *m = &d->vars[v];
    if (k) *q++ = ':';
    q += sprintf(q, "%s", T->labels[v]);
    int contrasts = d->coding[t * T->nvars + v] == 1;
    if (m->kind == MV_FACTOR && m->ordered && contrasts) { poly_suffix(digit[k], num, sizeof num); q += sprintf(q, "%s", num); }
    else if (m->kind == MV_FACTOR) q += sprintf(q, "%s", m->levels[digit[k] + contrasts]);
    if (m->kind == MV_POLY) { snprintf(num, sizeof num, "%zu", digit[k] + 1); q += sprintf(q, "%s", num); }
    k++;
  }
  return s;
}

/* Enumerate the columns of term t: digit[k] is the index within the k-th
 * variable of the term, the first one varying fastest. */
static int next_digit(const st_design *d, size_t t, size_t *digit) {
  for (size_t v = 0, k = 0; v < d->terms.nvars; v++) {
    if (!(d->terms.terms[t] >> v & 1)) continue;
    if (++digit[k] < var_width(d, t, v)) return 1;
    digit[k++] = 0;
  }
  return 0;
}

static size_t term_columns(const st_design *d, size_t t) {
  size_t w = 1;
  for (size_t v = 0; v < d->terms.nvars; v++) if (d->terms.terms[t] >> v & 1) w *= var_width(d, t, v);
  return w;
}

static int set_columns(st_design *d, const char *fname, mlsh_err *err) {
  size_t p = d->terms.intercept ? 1 : 0;
  for (size_t t = 0; t < d->terms.nterms; t++) p += term_columns(d, t);
  d->colnames = mlsh_calloc(p ? p : 1, sizeof *d->colnames);
  d->assign = mlsh_calloc(p ? p : 1, sizeof *d->assign);
  if (!d->colnames || !d->assign) return oom(fname, err);
  d->p = p;
  size_t j = 0;
  if (d->terms.intercept) {
    if (!(d->colnames[j] = mlsh_malloc(12))) return oom(fname, err);
    strcpy(d->colnames[j++], "(Intercept)");
  }
  for (size_t t = 0; t < d->terms.nterms; t++) {
    if (term_columns(d, t) == 0) continue;
    size_t digit[ST_MAX_VARS] = {0};
    do {
      d->assign[j] = (int)t + 1;
      if (!(d->colnames[j++] = column_name(d, t, digit))) return oom(fname, err);
    } while (next_digit(d, t, digit));
  }
  return MLSH_OK;
}

/* Per variable, its values on the model rows: numbers, level indices, or a poly basis. */
typedef struct { double *x; int32_t *codes; int borrowed; } prepared;

/* One column of the model matrix: the product of its variables' parts
 * (the first one assigned, the others multiplied in). */
static void fill_column(const st_design *d, const prepared *pv, size_t n, size_t t, const size_t *digit, double *col) {
  int first = 1;
  for (size_t v = 0, k = 0; v < d->terms.nvars; v++) {
    if (!(d->terms.terms[t] >> v & 1)) continue;
    const st_mvar *m = &d->vars[v];
    if (m->kind == MV_FACTOR && m->ordered && d->coding[t * d->terms.nvars + v] == 1) {
      const double *C = m->contr + digit[k];   /* column digit[k] of the K x (K - 1) contrasts */
      size_t w = m->nlevels - 1;
      const int32_t *codes = pv[v].codes;
      if (first) for (size_t i = 0; i < n; i++) col[i] = C[(size_t)codes[i] * w];
      else for (size_t i = 0; i < n; i++) col[i] *= C[(size_t)codes[i] * w];
    } else if (m->kind == MV_FACTOR) {
      int32_t level = (int32_t)(digit[k] + (d->coding[t * d->terms.nvars + v] == 1));
      const int32_t *codes = pv[v].codes;
      if (first) for (size_t i = 0; i < n; i++) col[i] = codes[i] == level;
      else for (size_t i = 0; i < n; i++) col[i] *= codes[i] == level;
    } else {
      const double *x = pv[v].x + (m->kind == MV_POLY ? digit[k] * n : 0);
      if (first) memcpy(col, x, n * sizeof *col);
      else for (size_t i = 0; i < n; i++) col[i] *= x[i];
    }
    first = 0;
    k++;
  }
}

typedef struct {
  const st_design *d;
  const prepared *pv;
  size_t n;
  double *X;
  size_t *term, *digits;   /* per column j: its term and ST_MAX_VARS digits */
} fill_job;

static int fill_range(void *ctx, size_t b, size_t e, int tid) {
  fill_job *J = ctx;
  (void)tid;
  for (size_t j = b; j < e; j++) {
    double *col = J->X + j * J->n;
    if (J->term[j] == (size_t)-1) for (size_t i = 0; i < J->n; i++) col[i] = 1;
    else fill_column(J->d, J->pv, J->n, J->term[j], J->digits + j * ST_MAX_VARS, col);
    if (mlsh_interrupted()) return MLSH_EINTR;
  }
  return MLSH_OK;
}

/* The columns filled in parallel, each by one thread. */
static int fill_matrix(const st_design *d, const prepared *pv, size_t n, double *X) {
  fill_job J = {d, pv, n, X, mlsh_malloc_array(d->p + 1, sizeof(size_t)),
                mlsh_calloc((d->p + 1) * ST_MAX_VARS, sizeof(size_t))};
  int rc = J.term && J.digits ? MLSH_OK : MLSH_ENOMEM;
  size_t j = 0;
  if (rc == MLSH_OK && d->terms.intercept) J.term[j++] = (size_t)-1;
  for (size_t t = 0; rc == MLSH_OK && t < d->terms.nterms; t++) {
    if (term_columns(d, t) == 0) continue;
    size_t digit[ST_MAX_VARS] = {0};
    do {
      J.term[j] = t;
      memcpy(J.digits + j * ST_MAX_VARS, digit, sizeof digit);
      j++;
    } while (next_digit(d, t, digit));
  }
  if (rc == MLSH_OK) rc = mlsh_parallel_for(d->p, 0, 1, fill_range, &J);
  mlsh_free(J.term); mlsh_free(J.digits);
  return rc;
}

static int value_missing(const mv_value *v, size_t i) {
  return v->kind == MV_FACTOR ? v->codes[i] < 0 : v->x[i] != v->x[i];
}

/* Values on the model rows; factor codes mapped through map (value level -> design level). */
static int prepare(const st_design *d, const mv_value *vals, int32_t *const *maps, const int64_t *rows, size_t n,
                   size_t nrow, prepared *pv, const char *fname, mlsh_err *err) {
  int identity = n == nrow;   /* no row omitted: numeric values are used in place */
  for (size_t v = 0; v < d->terms.nvars; v++) {
    const st_mvar *m = &d->vars[v];
    if (m->kind == MV_FACTOR) {
      if (!(pv[v].codes = mlsh_malloc_array(n ? n : 1, sizeof *pv[v].codes))) return oom(fname, err);
      for (size_t i = 0; i < n; i++) pv[v].codes[i] = maps[v][vals[v].codes[rows[i]]];
      continue;
    }
    size_t w = m->kind == MV_POLY ? (size_t)m->degree : 1;
    if (m->kind == MV_NUMERIC && identity) { pv[v].x = vals[v].x; pv[v].borrowed = 1; continue; }
    double *x = mlsh_malloc_array(n ? n : 1, sizeof *x);
    if (!x || !(pv[v].x = mlsh_malloc_array(n * w + 1, sizeof *pv[v].x))) { mlsh_free(x); return oom(fname, err); }
    for (size_t i = 0; i < n; i++) x[i] = vals[v].x[rows[i]];
    if (m->kind == MV_NUMERIC) { memcpy(pv[v].x, x, n * sizeof *x); mlsh_free(x); continue; }
    double *z0 = mlsh_malloc_array(n ? n : 1, sizeof *z0), *z1 = mlsh_malloc_array(n ? n : 1, sizeof *z1);
    if (z0 && z1) poly_basis(m, x, n, pv[v].x, z0, z1);
    mlsh_free(z0); mlsh_free(z1); mlsh_free(x);
    if (!z0 || !z1) return oom(fname, err);
  }
  return MLSH_OK;
}

static void free_prepared(prepared *pv, size_t nvars) {
  for (size_t v = 0; v < nvars; v++) { if (!pv[v].borrowed) mlsh_free(pv[v].x); mlsh_free(pv[v].codes); }
}

static void free_values(mv_value *vals, int32_t **maps, size_t nvars) {
  for (size_t v = 0; v < nvars; v++) { mv_value_free(&vals[v]); mlsh_free(maps[v]); }
}

static int eval_vars(const st_design *d, const mlsh_frame *f, const char *fname, const char *formula,
                     mv_value *vals, mlsh_err *err) {
  for (size_t v = 0; v < d->terms.nvars; v++) {
    int rc = mv_eval(d->terms.vars[v], f, fname, formula, &vals[v], err);
    if (rc) return rc;
  }
  return MLSH_OK;
}

/* Rows complete in every variable (and in the extra arrays, NaN = NA). */
static int complete_rows(const mv_value *vals, size_t nvars, const double *const *extra, size_t nextra, size_t nrow,
                         st_model_data *md, const char *fname, mlsh_err *err) {
  if (!(md->rows = mlsh_malloc_array(nrow ? nrow : 1, sizeof *md->rows))) return oom(fname, err);
  size_t n = 0;
  for (size_t i = 0; i < nrow; i++) {
    int miss = 0;
    for (size_t v = 0; v < nvars && !miss; v++) miss = value_missing(&vals[v], i);
    for (size_t e = 0; e < nextra && !miss; e++) miss = extra[e] && extra[e][i] != extra[e][i];
    if (!miss) md->rows[n++] = (int64_t)i;
  }
  md->n = n;
  md->nomitted = nrow - n;
  return MLSH_OK;
}

static int build_matrix(const st_design *d, const mv_value *vals, int32_t *const *maps, st_model_data *md,
                        const char *fname, mlsh_err *err) {
  prepared pv[ST_MAX_VARS] = {{0}};
  size_t cells;
  md->p = d->p;
  int rc = prepare(d, vals, maps, md->rows, md->n, md->n + md->nomitted, pv, fname, err);
  if (rc == MLSH_OK && (mlsh_mul_overflow(md->n, d->p, &cells) || !(md->X = mlsh_malloc_array(cells + 1, sizeof *md->X))))
    rc = oom(fname, err);
  if (rc == MLSH_OK) rc = fill_matrix(d, pv, md->n, md->X);
  if (rc == MLSH_EINTR) mlsh_seterr(err, rc, "%s: interrupted", fname);
  if (rc == MLSH_ENOMEM) oom(fname, err);
  free_prepared(pv, d->terms.nvars);
  return rc;
}

/* ---- Designs ------------------------------------------------------------ */

/* Keep the levels used on the model rows, in order; map[old] = new or -1. */
static int drop_unused(char ***levels, size_t *nlevels, const int32_t *codes, const int64_t *rows, size_t n,
                       int32_t **map, const char *fname, mlsh_err *err) {
  size_t K = *nlevels, kept = 0;
  if (!(*map = mlsh_malloc_array(K ? K : 1, sizeof **map))) return oom(fname, err);
  for (size_t k = 0; k < K; k++) (*map)[k] = -1;
  for (size_t i = 0; i < n; i++) (*map)[codes[rows[i]]] = 0;
  for (size_t k = 0; k < K; k++) {
    if ((*map)[k] < 0) { mlsh_free((*levels)[k]); continue; }
    (*levels)[kept] = (*levels)[k];
    (*map)[k] = (int32_t)kept++;
  }
  *nlevels = kept;
  return MLSH_OK;
}

static int is_factor_response(const fx_node *e, const mlsh_frame *f) {
  if (e->kind == FX_CALL) return !strcmp(e->name, "factor");
  if (e->kind != FX_NAME) return 0;
  long c = frame_find(f, e->name);
  return c >= 0 && (f->cols[c]->type == COL_STRING || f->cols[c]->type == COL_CATEGORICAL);
}

/* The response on every frame row: y (NaN = NA) and, for cbind(s, f), the trials. */
static int eval_response(st_design *d, const mlsh_frame *f, const char *fname, const char *formula, mv_value *resp,
                         double **y, double **trials, mlsh_err *err) {
  const fx_node *e = d->terms.response;
  if (!(d->response_label = fx_deparse(e))) return oom(fname, err);
  if (e->kind == FX_CALL && !strcmp(e->name, "cbind")) {
    if (e->nargs != 2)
      return mlsh_seterr(err, MLSH_EINVAL, "%s: formula '%s': cbind() takes the successes and the failures", fname, formula);
    d->response = RESP_CBIND;
    int rc = mv_eval_numeric(e->args[0], f, fname, formula, y, err);
    if (rc == MLSH_OK) rc = mv_eval_numeric(e->args[1], f, fname, formula, trials, err);
    if (rc) return rc;
    for (size_t i = 0; i < f->nrow; i++) {
      (*trials)[i] += (*y)[i];
      (*y)[i] = (*trials)[i] == 0 ? 0 : (*y)[i] / (*trials)[i];
    }
    return MLSH_OK;
  }
  if (!is_factor_response(e, f)) {
    d->response = RESP_NUMERIC;
    return mv_eval_numeric(e, f, fname, formula, y, err);
  }
  d->response = RESP_FACTOR;
  int rc = mv_eval(e, f, fname, formula, resp, err);
  if (rc) return rc;
  if (!(*y = mlsh_malloc_array(f->nrow ? f->nrow : 1, sizeof **y))) return oom(fname, err);
  for (size_t i = 0; i < f->nrow; i++) (*y)[i] = resp->codes[i] < 0 ? NAN : resp->codes[i];
  return MLSH_OK;
}

static int gather(const double *x, const int64_t *rows, size_t n, double **out, const char *fname, mlsh_err *err) {
  if (!x) return MLSH_OK;
  if (!(*out = mlsh_malloc_array(n ? n : 1, sizeof **out))) return oom(fname, err);
  for (size_t i = 0; i < n; i++) (*out)[i] = x[rows[i]];
  return MLSH_OK;
}

/* Levels, kinds and poly coefficients fixed on the model rows. */
static int fix_variables(st_design *d, mv_value *vals, int32_t **maps, const st_model_data *md, const char *fname,
                         mlsh_err *err) {
  int rc = MLSH_OK;
  for (size_t v = 0; v < d->terms.nvars && rc == MLSH_OK; v++) {
    st_mvar *m = &d->vars[v];
    m->kind = vals[v].kind;
    m->degree = vals[v].degree;
    if (m->kind == MV_FACTOR) {
      rc = drop_unused(&vals[v].levels, &vals[v].nlevels, vals[v].codes, md->rows, md->n, &maps[v], fname, err);
      m->levels = vals[v].levels; m->nlevels = vals[v].nlevels;
      vals[v].levels = NULL; vals[v].nlevels = 0;
      m->ordered = vals[v].ordered;
      if (rc == MLSH_OK && m->ordered) rc = contr_poly(m, fname, d->terms.labels[v], err);
    } else if (m->kind == MV_POLY) {
      double *x = NULL;
      rc = gather(vals[v].x, md->rows, md->n, &x, fname, err);
      if (rc == MLSH_OK) rc = poly_fit(m, x, md->n, fname, d->terms.labels[v], err);
      mlsh_free(x);
    }
  }
  return rc;
}

static int fix_response(st_design *d, mv_value *resp, st_model_data *md, const char *fname, mlsh_err *err) {
  if (d->response != RESP_FACTOR) return MLSH_OK;
  int32_t *map = NULL;
  int rc = drop_unused(&resp->levels, &resp->nlevels, resp->codes, md->rows, md->n, &map, fname, err);
  if (rc == MLSH_OK) {
    for (size_t i = 0; i < md->n; i++) md->y[i] = map[resp->codes[md->rows[i]]] != 0;
    d->response_nlevels = resp->nlevels;
    for (size_t k = 0; k < 2 && k < resp->nlevels; k++) { d->response_levels[k] = resp->levels[k]; resp->levels[k] = NULL; }
  }
  mlsh_free(map);
  return rc;
}

int st_design_new(const char *formula, const mlsh_frame *f, const double *w, const char *fname, st_design *d,
                  st_model_data *md, mlsh_err *err) {
  memset(d, 0, sizeof *d);
  memset(md, 0, sizeof *md);
  mv_value vals[ST_MAX_VARS] = {{0}}, resp = {0};
  int32_t *maps[ST_MAX_VARS] = {0};
  double *y = NULL, *trials = NULL;
  int rc = st_terms_parse(formula, (const char *const *)f->names, f->ncol, fname, &d->terms, err);
  if (rc) return rc;
  if (!d->terms.response)
    rc = mlsh_seterr(err, MLSH_EINVAL, "%s: formula '%s' has no response (write 'y ~ ...')", fname, formula);
  if (rc == MLSH_OK) rc = eval_response(d, f, fname, formula, &resp, &y, &trials, err);
  if (rc == MLSH_OK) rc = eval_vars(d, f, fname, formula, vals, err);
  const double *extra[3] = {y, trials, w};
  if (rc == MLSH_OK) rc = complete_rows(vals, d->terms.nvars, extra, 3, f->nrow, md, fname, err);
  if (rc == MLSH_OK) rc = gather(y, md->rows, md->n, &md->y, fname, err);
  if (rc == MLSH_OK) rc = gather(trials, md->rows, md->n, &md->trials, fname, err);
  if (rc == MLSH_OK) rc = gather(w, md->rows, md->n, &md->w, fname, err);
  if (rc == MLSH_OK) rc = fix_response(d, &resp, md, fname, err);
  if (rc == MLSH_OK) rc = fix_variables(d, vals, maps, md, fname, err);
  if (rc == MLSH_OK) rc = set_coding(d, fname, err);
  if (rc == MLSH_OK) rc = set_columns(d, fname, err);
  if (rc == MLSH_OK) rc = build_matrix(d, vals, maps, md, fname, err);
  free_values(vals, maps, d->terms.nvars);
  mv_value_free(&resp);
  mlsh_free(y); mlsh_free(trials);
  if (rc) { st_design_free(d); st_model_data_free(md); }
  return rc;
}

/* Map the levels of a factor evaluated on new data to the design's. */
static int map_levels(const st_design *d, size_t v, const mv_value *val, const st_model_data *md, int32_t **map,
                      const char *fname, mlsh_err *err) {
  const st_mvar *m = &d->vars[v];
  if (!(*map = mlsh_malloc_array(val->nlevels ? val->nlevels : 1, sizeof **map))) return oom(fname, err);
  for (size_t k = 0; k < val->nlevels; k++) {
    (*map)[k] = -1;
    for (size_t j = 0; j < m->nlevels; j++) if (!strcmp(val->levels[k], m->levels[j])) (*map)[k] = (int32_t)j;
  }
  for (size_t i = 0; i < md->n; i++) {
    int32_t c = val->codes[md->rows[i]];
    if ((*map)[c] < 0)
      return mlsh_seterr(err, MLSH_EINVAL, "%s: factor '%s' has a new level '%s' (not seen when fitting)", fname,
                         d->terms.labels[v], val->levels[c]);
  }
  return MLSH_OK;
}

int st_design_eval(const st_design *d, const mlsh_frame *f, const char *fname, st_model_data *md, mlsh_err *err) {
  memset(md, 0, sizeof *md);
  mv_value vals[ST_MAX_VARS] = {{0}};
  int32_t *maps[ST_MAX_VARS] = {0};
  const char *formula = "new data";
  int rc = eval_vars(d, f, fname, formula, vals, err);
  for (size_t v = 0; rc == MLSH_OK && v < d->terms.nvars; v++)
    if ((vals[v].kind == MV_FACTOR) != (d->vars[v].kind == MV_FACTOR))
      rc = mlsh_seterr(err, MLSH_EINVAL, "%s: variable '%s' is %s in the new data but was %s when fitting", fname,
                       d->terms.labels[v], vals[v].kind == MV_FACTOR ? "categorical" : "numeric",
                       d->vars[v].kind == MV_FACTOR ? "categorical" : "numeric");
  if (rc == MLSH_OK) rc = complete_rows(vals, d->terms.nvars, NULL, 0, f->nrow, md, fname, err);
  for (size_t v = 0; rc == MLSH_OK && v < d->terms.nvars; v++)
    if (d->vars[v].kind == MV_FACTOR) rc = map_levels(d, v, &vals[v], md, &maps[v], fname, err);
  if (rc == MLSH_OK) rc = build_matrix(d, vals, maps, md, fname, err);
  free_values(vals, maps, d->terms.nvars);
  if (rc) st_model_data_free(md);
  return rc;
}
