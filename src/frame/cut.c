/* cut.c - R's cut(): interval codes and their labels. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "cut.h"
#include "keys.h"
#include "../core/alloc.h"

static double value_at(const mlsh_col *x, size_t i) {
  if (key_missing(x, i)) return NAN;
  if (x->type == COL_INT64) return (double)COL_I64(x)[i];
  if (x->type == COL_LOGICAL) return COL_LGL(x)[i];
  return COL_DBL(x)[i];
}

static int check_numeric(const mlsh_col *x, mlsh_err *err) {
  if (x->type != COL_DOUBLE && x->type != COL_INT64 && x->type != COL_LOGICAL)
    return mlsh_seterr(err, MLSH_EINVAL, "cut: the column is %s, not numeric", col_type_name(x->type));
  return MLSH_OK;
}

int cut_even_breaks(const mlsh_col *x, size_t k, double *breaks, mlsh_err *err) {
  double lo = INFINITY, hi = -INFINITY;
  int rc = check_numeric(x, err);
  if (rc) return rc;
  for (size_t i = 0; i < x->n; i++) {
    double v = value_at(x, i);
    if (isfinite(v)) { lo = v < lo ? v : lo; hi = v > hi ? v : hi; }
  }
  if (!isfinite(lo)) return mlsh_seterr(err, MLSH_EINVAL, "cut: no finite value to take the range of");
  if (hi == lo) {   /* R: a zero range widens by 0.1% of |x| (or 0.001) each side */
    double d = lo != 0 ? fabs(lo) / 1000 : 0.001;
    lo -= d; hi += d;
    for (size_t q = 0; q <= k; q++) breaks[q] = lo + (hi - lo) * (double)q / (double)k;
    return MLSH_OK;
  }
  double dx = hi - lo;
  for (size_t q = 0; q <= k; q++) breaks[q] = lo + dx * (double)q / (double)k;
  breaks[0] = lo - dx / 1000;
  breaks[k] = hi + dx / 1000;
  return MLSH_OK;
}

/* R: for dig in 3..12, formatC(breaks, digits = dig, width = 1) until
 * neighbouring breaks read differently. */
static int break_digits(const double *b, size_t nb) {
  char s[64], t[64];
  for (int dig = 3; dig <= 12; dig++) {
    int ok = 1;
    for (size_t q = 1; q < nb && ok; q++) {
      snprintf(s, sizeof s, "%.*g", dig, b[q - 1]);
      snprintf(t, sizeof t, "%.*g", dig, b[q]);
      ok = strcmp(s, t) != 0;
    }
    if (ok) return dig;
  }
  return 12;
}

static int default_labels(const double *b, size_t nb, const cut_opts *o, mlsh_col **out, mlsh_err *err) {
  int dig = break_digits(b, nb);
  col_builder lb;
  col_builder_init(&lb, COL_STRING);
  for (size_t q = 0; q + 1 < nb; q++) {
    char s[160];
    int lowest = o->include_lowest && (o->right ? q == 0 : q + 2 == nb);
    char open = o->right ? (lowest ? '[' : '(') : '[';
    char close = o->right ? ']' : (lowest ? ']' : ')');
    snprintf(s, sizeof s, "%c%.*g,%.*g%c", open, dig, b[q], dig, b[q + 1], close);
    col_builder_string(&lb, s, strlen(s));
  }
  return col_builder_finish(&lb, NULL, 0, out, err);
}

static int given_labels(const char *const *labels, size_t k, mlsh_col **out, mlsh_err *err) {
  for (size_t q = 0; q < k; q++)
    for (size_t p = 0; p < q; p++)
      if (strcmp(labels[p], labels[q]) == 0) return mlsh_seterr(err, MLSH_EINVAL, "cut: label '%s' is given twice", labels[q]);
  return col_from_strings(labels, k, out, err);
}

/* The interval of v: the q with b[q] < v <= b[q+1] (right), or -1. */
static int32_t interval_of(double v, const double *b, size_t nb, const cut_opts *o) {
  if (v != v) return -1;
  size_t lo = 0, hi = nb;   /* binary search for the first break >= v (right) or > v (left); nb: none */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (o->right ? b[mid] >= v : b[mid] > v) hi = mid;
    else lo = mid + 1;
  }
  size_t q = lo;   /* b[q] is the first break past v */
  if (o->right) {
    if (q == 0) return o->include_lowest && v == b[0] ? 0 : -1;
    return q < nb ? (int32_t)(q - 1) : -1;
  }
  if (q == nb) return o->include_lowest && v == b[nb - 1] ? (int32_t)(nb - 2) : -1;
  return q > 0 ? (int32_t)(q - 1) : -1;
}

int col_cut(const mlsh_col *x, const double *breaks, size_t nb, const cut_opts *o, mlsh_col **out, mlsh_err *err) {
  *out = NULL;
  int rc = check_numeric(x, err);
  if (rc) return rc;
  if (nb < 2) return mlsh_seterr(err, MLSH_EINVAL, "cut: at least 2 breaks are needed (got %zu)", nb);
  for (size_t q = 0; q < nb; q++) {
    if (!isfinite(breaks[q])) return mlsh_seterr(err, MLSH_EINVAL, "cut: break %zu is not finite", q + 1);
    if (q && !(breaks[q] > breaks[q - 1]))
      return mlsh_seterr(err, MLSH_EINVAL, "cut: breaks must increase (break %zu is %g after %g)", q + 1, breaks[q], breaks[q - 1]);
  }
  mlsh_col *levels = NULL;
  rc = o->labels ? given_labels(o->labels, nb - 1, &levels, err) : default_labels(breaks, nb, o, &levels, err);
  if (rc) return rc;
  col_builder b;
  col_builder_init(&b, COL_CATEGORICAL);
  for (size_t i = 0; i < x->n; i++) {
    int32_t q = interval_of(value_at(x, i), breaks, nb, o);
    if (q < 0) col_builder_na(&b);
    else col_builder_int32(&b, q);
  }
  rc = col_builder_finish(&b, levels, o->ordered, out, err);
  col_unref(levels);
  return rc;
}
