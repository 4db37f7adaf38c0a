/* matfmt.c - pretty printing of matrices. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "matfmt.h"
#include "alloc.h"
#include "buf.h"

static void pad(mlsh_buf *b, int n) {
  for (int i = 0; i < n; i++) mlsh_buf_add(b, " ", 1);
}

/* ---- numbers as R prints them (formatReal with scipen = 0) ---- */

#define KP_MAX 27

/* A finite x to `digits` significant digits: its sign, the exponent of its
 * leading digit, how many significant digits it needs (trailing zeros
 * dropped), and whether rounding up in scientific notation (9996 -> 1.00e4)
 * would add a digit that fixed notation does not show. */
static void significant(double x, int digits, int *neg, int *kpower, int *nsig, int *widens) {
  *neg = x < 0;
  *widens = 0;
  if (x == 0) { *neg = 0; *kpower = 0; *nsig = 1; return; }
  double r = fabs(x);
  char buf[64];
  snprintf(buf, sizeof buf, "%.*e", digits - 1, r);
  char *e = strchr(buf, 'e');
  *kpower = atoi(e + 1);
  *nsig = digits;
  for (const char *p = e - 1; *p == '0' && *nsig > 1; p--) (*nsig)--;
  int rgt = digits - *kpower;
  rgt = rgt < 0 ? 0 : rgt > KP_MAX ? KP_MAX : rgt;
  *widens = *kpower > 0 && *kpower <= KP_MAX && r < pow(10.0, *kpower) - 0.5 / pow(10.0, rgt);
}

void num_format_begin(num_format_acc *a, int digits) {
  memset(a, 0, sizeof *a);
  a->digits = digits < 1 ? 1 : digits > 22 ? 22 : digits;
}

void num_format_add(num_format_acc *a, double v) {
  if (!isfinite(v)) return;
  int neg, kpower, nsig, widens;
  significant(v, a->digits, &neg, &kpower, &nsig, &widens);
  int left = kpower + 1 - widens;
  int sleft = neg + (left <= 0 ? 1 : left);
  int right = nsig - left;
  if (!a->any || right > a->rgt) a->rgt = right;
  if (!a->any || left > a->mxl) a->mxl = left;
  if (!a->any || left < a->mnl) a->mnl = left;
  if (!a->any || sleft > a->mxsl) a->mxsl = sleft;
  if (!a->any || nsig > a->mxns) a->mxns = nsig;
  a->neg |= neg;
  a->any = 1;
}

void num_format_end(const num_format_acc *a, num_format *f) {
  f->width = f->decimals = f->sci = 0;
  if (!a->any) return;
  int mxsl = a->mxl < 0 ? 1 + a->neg : a->mxsl;
  int rgt = a->rgt < 0 ? 0 : a->rgt;
  int fixed_width = mxsl + rgt + (rgt != 0);
  int exp_digits = a->mxl > 100 || a->mnl <= -99 ? 2 : 1;
  int d = a->mxns - 1;
  int sci_width = a->neg + (d > 0) + d + 4 + exp_digits;
  if (fixed_width <= sci_width) {
    f->width = fixed_width;
    f->decimals = rgt;
  } else {
    f->width = sci_width;
    f->decimals = d;
    f->sci = 1;
  }
}

void num_format_choose(const double *x, size_t n, size_t stride, int digits, num_format *f) {
  num_format_acc a;
  num_format_begin(&a, digits);
  for (size_t i = 0; i < n; i++) num_format_add(&a, x[i * stride]);
  num_format_end(&a, f);
}

int num_format_value(char *out, size_t size, double v, const num_format *f) {
  if (isnan(v)) return snprintf(out, size, "NaN");
  if (isinf(v)) return snprintf(out, size, v > 0 ? "Inf" : "-Inf");
  if (v == 0) v = 0;   /* -0 prints as 0 */
  return f->sci ? snprintf(out, size, f->decimals ? "%#.*e" : "%.*e", f->decimals, v)
                : snprintf(out, size, "%.*f", f->decimals, v);
}

/* ---- matrices ---- */

/* The rows shown: all, or a head and a tail around a "..." line. */
static void shown_rows(const mlsh_mat *m, int max_rows, size_t *head, size_t *tail) {
  *head = m->rows;
  *tail = 0;
  if (m->rows > (size_t)max_rows) {
    *head = (size_t)(max_rows - 1) / 2 + (size_t)(max_rows - 1) % 2;
    *tail = (size_t)(max_rows - 1) / 2;
  }
}

/* Column j's format and width over the rows shown. */
static int column_format(const mlsh_mat *m, size_t j, size_t head, size_t tail, int digits, num_format *f) {
  num_format_acc a;
  char cell[64];
  num_format_begin(&a, digits);
  for (size_t i = 0; i < head; i++) num_format_add(&a, MAT_AT(m, i, j));
  for (size_t i = m->rows - tail; i < m->rows; i++) num_format_add(&a, MAT_AT(m, i, j));
  num_format_end(&a, f);
  int w = f->width;
  for (size_t i = 0; i < m->rows; i++) {
    if (i == head) i = m->rows - tail;
    if (i >= m->rows) break;
    double v = MAT_AT(m, i, j);
    if (!isfinite(v)) {
      int l = num_format_value(cell, sizeof cell, v, f);
      if (l > w) w = l;
    }
  }
  return w;
}

/* The columns shown: all that fit, else as many from both ends as fit
 * around a "  ..." (at least one on each side). */
static void shown_cols(const int *cw, size_t cols, int width, size_t *left, size_t *right) {
  int total = 1;
  for (size_t j = 0; j < cols; j++) total += cw[j] + 2;
  *left = cols;
  *right = 0;
  if (total <= width || cols < 2) return;
  int used = 1 + 5 + cw[0] + 2 + cw[cols - 1] + 2;
  size_t l = 1, r = 1;
  while (l + r < cols) {
    size_t j = l <= r ? l : cols - 1 - r;
    if (used + cw[j] + 2 > width) break;
    used += cw[j] + 2;
    if (l <= r) l++; else r++;
  }
  *left = l;
  *right = r;
}

char *mat_format(const mlsh_mat *m, int width, int max_rows, int digits) {
  mlsh_buf b = MLSH_BUF_INIT;
  char cell[64], footer[96];
  snprintf(footer, sizeof footer, "[Matrix %zux%zu]", m->rows, m->cols);
  if (MAT_LEN(m) == 0) {
    mlsh_buf_puts(&b, footer);
    return mlsh_buf_take(&b);
  }
  if (width < 20) width = 20;
  if (max_rows < 3) max_rows = 3;
  size_t head, tail, left, right;
  shown_rows(m, max_rows, &head, &tail);
  num_format *f = mlsh_malloc(m->cols * sizeof *f);
  int *cw = mlsh_malloc(m->cols * sizeof *cw);
  if (!f || !cw) { mlsh_free(f); mlsh_free(cw); return NULL; }
  for (size_t j = 0; j < m->cols; j++) cw[j] = column_format(m, j, head, tail, digits, &f[j]);
  shown_cols(cw, m->cols, width, &left, &right);
  for (size_t i = 0; i < m->rows; i++) {
    if (i == head && tail) {
      mlsh_buf_puts(&b, " ");
      for (size_t j = 0; j < m->cols; j++) {
        if (j == left && right) { mlsh_buf_puts(&b, "     "); j = m->cols - right; }
        pad(&b, cw[j] + 2 - 3);
        mlsh_buf_puts(&b, "...");
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
      int l = num_format_value(cell, sizeof cell, MAT_AT(m, i, j), &f[j]);
      pad(&b, cw[j] + 2 - l);
      mlsh_buf_puts(&b, cell);
    }
    mlsh_buf_puts(&b, "\n");
  }
  mlsh_buf_puts(&b, footer);
  mlsh_free(f);
  mlsh_free(cw);
  return mlsh_buf_take(&b);
}
