/* model_impl.h - what model_matrix.c and model_eval.c share: a variable
 * of a formula evaluated on every row of a frame. */
#ifndef MLSH_STATS_MODEL_IMPL_H
#define MLSH_STATS_MODEL_IMPL_H
#include "model_matrix.h"

typedef struct mv_value {
  mv_kind kind;
  double *x;          /* numeric and poly: n values, NaN for NA */
  int32_t *codes;     /* factor: n codes into levels, -1 for NA */
  size_t nlevels;
  char **levels;      /* factor: owned copies */
  int degree;         /* poly */
  int ordered;        /* factor: an ordered factor (polynomial contrasts) */
} mv_value;

/* Evaluate a variable's expression (a column, arithmetic, log/exp/sqrt/...,
 * I(), factor(), poly(x, k)) on every row of f. */
int mv_eval(const fx_node *e, const mlsh_frame *f, const char *fname, const char *formula, mv_value *v,
            mlsh_err *err);
/* A numeric expression only (a factor is an error naming what). */
int mv_eval_numeric(const fx_node *e, const mlsh_frame *f, const char *fname, const char *formula, double **x,
                    mlsh_err *err);
void mv_value_free(mv_value *v);
void mv_free_levels(char **levels, size_t n);

#endif
