/* matfmt.c - pretty printing of matrices. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "matfmt.h"
#include "alloc.h"
#include "buf.h"

static void pad(mlsh_buf *b, int n) {
  for (int i = 0; i < n; i++) mlsh_buf_add(b, " ", 1);
}

typedef enum { F_INT, F_FIXED, F_SCALED, F_SCI } fmt_kind;

typedef struct {
  fmt_kind kind;
  int decimals;
  double scale;   /* F_SCALED: values are divided by it */
} numfmt;

static void format_value(char *out, size_t size, double v, const numfmt *f) {
  if (isnan(v)) { snprintf(out, size, "nan"); return; }
  if (isinf(v)) { snprintf(out, size, v > 0 ? "inf" : "-inf"); return; }
  switch (f->kind) {
    case F_INT: snprintf(out, size, "%.0f", v); break;
    case F_FIXED: snprintf(out, size, "%.*f", f->decimals, v); break;
    case F_SCALED: snprintf(out, size, "%.*f", f->decimals, v / f->scale); break;
    default: snprintf(out, size, "%.4e", v); break;
  }
}

static numfmt choose_format(const mlsh_mat *m) {
  numfmt f = {F_INT, 0, 1.0};
  double maxabs = 0, minabs = INFINITY;
  int allint = 1, any = 0;
  size_t n = MAT_LEN(m);
  for (size_t i = 0; i < n; i++) {
    double v = m->data[i];
    if (!isfinite(v)) continue;
    any = 1;
    double a = fabs(v);
    if (a > maxabs) maxabs = a;
    if (a > 0 && a < minabs) minabs = a;
    if (allint && (v != floor(v) || a >= 1e15)) allint = 0;
  }
  if (!any || allint) return f;
  int emax = (int)floor(log10(maxabs));
  int emin = isfinite(minabs) ? (int)floor(log10(minabs)) : emax;
  if (emax - emin >= 5 || emax >= 9 || emin <= -9) {
    f.kind = F_SCI;
  } else if (emax >= 4 || emax <= -3) {
    /* A common factor keeps the digits readable (Torch's "1e+05 *"). */
    f.kind = F_SCALED;
    f.scale = pow(10.0, emax);
    f.decimals = 4;
  } else {
    f.kind = F_FIXED;
    f.decimals = 4;
  }
  return f;
}

char *mat_format(const mlsh_mat *m, int width, int max_rows) {
  mlsh_buf b = MLSH_BUF_INIT;
  char cell[64], footer[96];
  snprintf(footer, sizeof footer, "[Matrix %zux%zu]", m->rows, m->cols);
  if (MAT_LEN(m) == 0) {
    mlsh_buf_puts(&b, footer);
    return mlsh_buf_take(&b);
  }
  if (width < 20) width = 20;
  if (max_rows < 3) max_rows = 3;
  numfmt f = choose_format(m);

  /* Rows shown: all, or a head and a tail around a "..." line. */
  size_t head = m->rows, tail = 0;
  if (m->rows > (size_t)max_rows) {
    head = (size_t)(max_rows - 1) / 2 + (size_t)(max_rows - 1) % 2;
    tail = (size_t)(max_rows - 1) / 2;
  }
  /* Cell width over the rows shown. */
  int cw = 1;
  for (size_t i = 0; i < m->rows; i++) {
    if (i == head && tail) i = m->rows - tail;
    for (size_t j = 0; j < m->cols; j++) {
      format_value(cell, sizeof cell, MAT_AT(m, i, j), &f);
      int l = (int)strlen(cell);
      if (l > cw) cw = l;
    }
  }
  /* Columns shown: all, or the first and last ones around " ...". */
  size_t left = m->cols, right = 0;
  size_t fit = (size_t)((width - 1) / (cw + 2));
  if (fit < 2) fit = 2;
  if (m->cols > fit) {
    size_t room = (size_t)((width - 1 - 5) / (cw + 2));
    if (room < 2) room = 2;
    left = (room + 1) / 2;
    right = room / 2;
  }
  if (f.kind == F_SCALED) {
    snprintf(cell, sizeof cell, "%.0e *\n", f.scale);
    mlsh_buf_puts(&b, cell);
  }
  for (size_t i = 0; i < m->rows; i++) {
    if (i == head && tail) {
      size_t shown = left + right;
      mlsh_buf_puts(&b, " ");
      for (size_t k = 0; k < shown; k++) {
        pad(&b, cw + 2 - 3);
        mlsh_buf_puts(&b, "...");
        if (k + 1 == left && right) mlsh_buf_puts(&b, "     ");
      }
      mlsh_buf_puts(&b, "\n");
      i = m->rows - tail;
    }
    mlsh_buf_puts(&b, " ");
    for (size_t j = 0; j < m->cols; j++) {
      if (j == left && right) {
        mlsh_buf_puts(&b, "  ...");
        j = m->cols - right;
      }
      format_value(cell, sizeof cell, MAT_AT(m, i, j), &f);
      pad(&b, cw + 2 - (int)strlen(cell));
      mlsh_buf_puts(&b, cell);
    }
    mlsh_buf_puts(&b, "\n");
  }
  mlsh_buf_puts(&b, footer);
  return mlsh_buf_take(&b);
}
