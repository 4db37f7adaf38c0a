/* model_matrix.h - R's model.frame + model.matrix over a typed frame.
 *
 * st_design_new reads a formula against a frame and fixes everything a
 * later evaluation needs (factor levels after dropping unused ones, the
 * coefficients of poly() bases, how each factor of each term is coded:
 * treatment contrasts with the first level as baseline, or indicators
 * where R's rule asks for them), so that st_design_eval gives the same
 * columns on the fitting frame and on new data. Rows with NA in any
 * variable used are omitted (R's na.omit) and counted. */
#ifndef MLSH_STATS_MODEL_MATRIX_H
#define MLSH_STATS_MODEL_MATRIX_H
#include "formula.h"
#include "../frame/frame.h"

typedef enum { MV_NUMERIC, MV_FACTOR, MV_POLY } mv_kind;

typedef struct st_mvar {
  mv_kind kind;
  size_t nlevels;
  char **levels;            /* factor: the levels kept, in order */
  int ordered;              /* factor: ordered, coded by R's contr.poly where contrasts apply */
  double *contr;            /* ordered: nlevels x (nlevels - 1) contrasts, row-major */
  int degree;               /* poly */
  double *alpha, *norm2;    /* poly: recurrence coefficients (degree, degree + 2) */
} st_mvar;

typedef enum { RESP_NONE, RESP_NUMERIC, RESP_FACTOR, RESP_CBIND } resp_kind;

typedef struct st_design {
  st_terms terms;
  st_mvar vars[ST_MAX_VARS];
  uint8_t *coding;          /* nterms x nvars: 0 absent, 1 contrasts, 2 indicators */
  size_t p;                 /* columns of the model matrix */
  char **colnames;          /* p names as R's model.matrix ("(Intercept)", "cyl6", "wt:hp") */
  int *assign;              /* p: 0 the intercept, k the k-th term (from 1) */
  resp_kind response;
  char *response_label;     /* "log(y)" */
  char *response_levels[2]; /* RESP_FACTOR: the first two levels (0 and 1) */
  size_t response_nlevels;
} st_design;

typedef struct st_model_data {
  size_t n, p;
  double *X;                /* n x p, column-major (LAPACK's layout) */
  double *y;                /* n, or NULL without a response */
  double *trials;           /* RESP_CBIND: successes + failures per row; else NULL */
  double *w;                /* n prior weights, or NULL */
  int64_t *rows;            /* n: the frame row of each model row */
  size_t nomitted;          /* rows dropped for NA */
} st_model_data;

/* Fix the design from frame f; w (f->nrow values or NULL) are prior
 * weights (NaN: omit the row). Fills d and the model data of f. */
int st_design_new(const char *formula, const mlsh_frame *f, const double *w, const char *fname, st_design *d,
                  st_model_data *md, mlsh_err *err);
/* The model matrix of the design on new data (no response); factor
 * levels unseen when fitting are an error naming the variable. */
int st_design_eval(const st_design *d, const mlsh_frame *f, const char *fname, st_model_data *md, mlsh_err *err);
void st_design_free(st_design *d);
void st_model_data_free(st_model_data *md);

#endif
