/* matfmt.h - numbers and matrices as text, the way R prints them: each
 * number to `digits` significant digits (R's default 7), fixed notation
 * unless scientific notation is narrower (R's formatReal, scipen = 0); a
 * matrix with one such format per column, rows and columns elided with
 * "..." past the given width/height, and a "[Matrix RxC]" footer. */
#ifndef MLSH_MATFMT_H
#define MLSH_MATFMT_H
#include <stddef.h>
#include "matrix.h"

/* One format for a set of numbers. */
typedef struct num_format {
  int width;      /* of the widest finite value */
  int decimals;   /* after the point (fixed) or in the mantissa (scientific) */
  int sci;        /* 1: scientific notation */
} num_format;

/* Choosing a format value by value: begin, add each number (non-finite
 * ones are skipped), end. digits: 1..22 (clamped). */
typedef struct num_format_acc {
  int digits, any, neg, rgt, mxl, mnl, mxsl, mxns;
} num_format_acc;
void num_format_begin(num_format_acc *a, int digits);
void num_format_add(num_format_acc *a, double v);
void num_format_end(const num_format_acc *a, num_format *f);
/* The format of x[0], x[stride], ... x[(n-1)*stride]. */
void num_format_choose(const double *x, size_t n, size_t stride, int digits, num_format *f);
/* v in format f, unpadded (NaN, Inf and -Inf as R writes them); returns its length. */
int num_format_value(char *out, size_t size, double v, const num_format *f);

/* Returns a malloc'ed (mlsh_malloc) string, or NULL when out of memory.
 * width: columns of text available; max_rows: rows of numbers shown
 * before eliding the middle (>= 3); digits: significant digits. */
char *mat_format(const mlsh_mat *m, int width, int max_rows, int digits);

#endif
