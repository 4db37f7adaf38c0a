/* render.c - draws a figure on a terminal canvas: panel layout, axes with
 * non-colliding tick labels, legend, then every layer (braille dots for
 * points and lines, eighth blocks for bars, shades for bands, coloured
 * blocks for heat maps, half blocks for images). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "figure.h"
#include "thumb.h"
#include "../core/alloc.h"

typedef struct area { int x, y, w, h; } area;

typedef struct pmap {
  const plot_panel *p;
  double xlo, xhi, ylo, yhi;
  area a;          /* plot area in cells */
  int W, H;        /* plot area in dots */
} pmap;

#define MAXTICKS 64

static int to_dot(const pmap *m, double x, double y, double *dx, double *dy) {
  double fx = axis_frac(&m->p->x, m->xlo, m->xhi, x), fy = axis_frac(&m->p->y, m->ylo, m->yhi, y);
  if (!isfinite(fx) || !isfinite(fy)) return 0;
  *dx = fx * (m->W - 1);
  *dy = (1 - fy) * (m->H - 1);
  return 1;
}

/* Liang-Barsky: clip the segment to the plot area; 0 when it is outside. */
static int clip(const pmap *m, double *x0, double *y0, double *x1, double *y1) {
  double t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0;
  double p[4] = {-dx, dx, -dy, dy}, q[4] = {*x0 + 0.49, m->W - 0.51 - *x0, *y0 + 0.49, m->H - 0.51 - *y0};
  for (int i = 0; i < 4; i++) {
    if (p[i] == 0) { if (q[i] < 0) return 0; continue; }
    double r = q[i] / p[i];
    if (p[i] < 0) { if (r > t1) return 0; if (r > t0) t0 = r; }
    else { if (r < t0) return 0; if (r < t1) t1 = r; }
  }
  double ax = *x0 + t0 * dx, ay = *y0 + t0 * dy;
  *x1 = *x0 + t1 * dx; *y1 = *y0 + t1 * dy;
  *x0 = ax; *y0 = ay;
  return 1;
}

static void seg(plot_canvas *c, const pmap *m, double x0, double y0, double x1, double y1, int32_t fg, int dashed) {
  if (!clip(m, &x0, &y0, &x1, &y1)) return;
  canvas_line(c, m->a.x * 2 + (int)lround(x0), m->a.y * 4 + (int)lround(y0),
              m->a.x * 2 + (int)lround(x1), m->a.y * 4 + (int)lround(y1), fg, dashed);
}

static int in_area(const pmap *m, double dx, double dy) {
  return dx > -0.5 && dy > -0.5 && dx < m->W - 0.5 && dy < m->H - 0.5;
}

static void put_marker(plot_canvas *c, const pmap *m, double dx, double dy, uint32_t mk, int32_t fg) {
  if (!in_area(m, dx, dy)) return;
  int px = (int)lround(dx), py = (int)lround(dy);
  if (!mk) { canvas_dot(c, m->a.x * 2 + px, m->a.y * 4 + py, fg); return; }
  canvas_put(c, m->a.x + px / 2, m->a.y + py / 4, mk, fg);
  plot_cell *cell = canvas_at(c, m->a.x + px / 2, m->a.y + py / 4);
  if (cell) cell->bold = 1;
}

static uint32_t arrow_glyph(double dx, double dy) {
  static const uint32_t g[8] = {0x2192, 0x2197, 0x2191, 0x2196, 0x2190, 0x2199, 0x2193, 0x2198};
  double ang = atan2(-dy, dx * 0.5);   /* dots are square; cells are not: use dot units */
  int k = (int)lround(ang / (M_PI / 4));
  return g[(k + 8) % 8];
}

static void draw_lines(plot_canvas *c, const pmap *m, const plot_layer *l, int32_t fg, uint32_t mk) {
  double px = 0, py = 0, qx = 0, qy = 0;
  int have = 0, seglen = 0;
  for (size_t i = 0; i <= l->n; i++) {
    double dx, dy;
    int ok = i < l->n && to_dot(m, l->x[i], l->y[i], &dx, &dy);
    if (ok && have) { seg(c, m, px, py, dx, dy, fg, l->dashed); qx = px; qy = py; seglen++; }
    if (!ok && l->arrow && have && seglen && in_area(m, px, py)) {
      canvas_put(c, m->a.x + (int)lround(px) / 2, m->a.y + (int)lround(py) / 4, arrow_glyph(px - qx, py - qy), fg);
    }
    if (ok) { px = dx; py = dy; have = 1; }
    else { have = 0; seglen = 0; }
  }
  /* markers after the segments: a later segment would turn them back into braille */
  for (size_t i = 0; mk && i < l->n; i++) {
    double dx, dy;
    if (to_dot(m, l->x[i], l->y[i], &dx, &dy)) put_marker(c, m, dx, dy, mk, fg);
  }
}

/* Fill [fx0,fx1] x [fy0,fy1] (cell units, y from the bottom) with blocks; the
 * bar's far edge uses eighth blocks so that heights are readable. */
static void fill_blocks(plot_canvas *c, area a, double fx0, double fx1, double fy0, double fy1, int horiz, int32_t fg) {
  double s0 = horiz ? fy0 : fx0, s1 = horiz ? fy1 : fx1;   /* across the bar */
  double l0 = horiz ? fx0 : fy0, l1 = horiz ? fx1 : fy1;   /* along the bar */
  int n_across = horiz ? a.h : a.w, n_along = horiz ? a.w : a.h;
  int c0 = (int)floor(s0 + 0.5), c1 = (int)floor(s1 + 0.5) - 1;
  if (c1 < c0) c0 = c1 = (int)floor((s0 + s1) / 2);
  if (c0 < 0) c0 = 0;
  if (c1 >= n_across) c1 = n_across - 1;
  for (int i = c0; i <= c1; i++)
    for (int j = 0; j < n_along; j++) {
      double cov = fmin(l1, j + 1) - fmax(l0, j);
      if (cov <= 0.02) continue;
      uint32_t ch;
      if (cov >= 0.94) ch = 0x2588;
      else if (l0 <= j + 0.06) {       /* the bar ends inside this cell: partial block from its start */
        int k = (int)lround(cov * 8);
        if (k < 1) continue;
        ch = horiz ? 0x2590 - (uint32_t)k : 0x2580 + (uint32_t)k;
      } else if (cov >= 0.5) ch = horiz ? 0x2590 : 0x2580;
      else continue;
      int x = horiz ? a.x + j : a.x + i, y = horiz ? a.y + a.h - 1 - i : a.y + a.h - 1 - j;
      canvas_put(c, x, y, ch, fg);
    }
}

static void draw_rects(plot_canvas *c, const pmap *m, const plot_layer *l, int32_t fg) {
  for (size_t i = 0; i < l->n; i++) {
    double ax, ay, bx, by;
    if (!to_dot(m, l->x[i], l->y[i], &ax, &ay) || !to_dot(m, l->x2[i], l->y2[i], &bx, &by)) continue;
    if (!l->fill) {
      seg(c, m, ax, ay, bx, ay, fg, 0); seg(c, m, bx, ay, bx, by, fg, 0);
      seg(c, m, bx, by, ax, by, fg, 0); seg(c, m, ax, by, ax, ay, fg, 0);
      continue;
    }
    /* fractions -> cells, y measured from the bottom */
    double f[4] = {axis_frac(&m->p->x, m->xlo, m->xhi, l->x[i]), axis_frac(&m->p->x, m->xlo, m->xhi, l->x2[i]),
                   axis_frac(&m->p->y, m->ylo, m->yhi, l->y[i]), axis_frac(&m->p->y, m->ylo, m->yhi, l->y2[i])};
    double fx0 = fmin(f[0], f[1]) * m->a.w, fx1 = fmax(f[0], f[1]) * m->a.w;
    double fy0 = fmin(f[2], f[3]) * m->a.h, fy1 = fmax(f[2], f[3]) * m->a.h;
    fill_blocks(c, m->a, fmax(fx0, 0), fmin(fx1, m->a.w), fmax(fy0, 0), fmin(fy1, m->a.h), l->horizontal, fg);
  }
}

static void draw_band(plot_canvas *c, const pmap *m, const plot_layer *l, int32_t fg) {
  uint32_t ch = l->shade >= 2 ? 0x2592 : 0x2591;
  for (int col = 0; col < m->a.w; col++) {
    double X = col * 2 + 0.5;
    for (size_t i = 0; i + 1 < l->n; i++) {
      double x0, lo0, x1, lo1, hi0, hi1, t;
      if (!to_dot(m, l->x[i], l->y[i], &x0, &lo0) || !to_dot(m, l->x[i + 1], l->y[i + 1], &x1, &lo1) ||
          !to_dot(m, l->x[i], l->y2[i], &x0, &hi0) || !to_dot(m, l->x[i + 1], l->y2[i + 1], &x1, &hi1))
        continue;
      if (X < fmin(x0, x1) - 1 || X > fmax(x0, x1) + 1) continue;
      t = x1 != x0 ? (X - x0) / (x1 - x0) : 0;
      t = fmin(fmax(t, 0), 1);
      double top = hi0 + t * (hi1 - hi0), bot = lo0 + t * (lo1 - lo0);
      top = fmin(fmax(top, 0), m->H - 1);   /* clamped before converting: far-off bands */
      bot = fmin(fmax(bot, 0), m->H - 1);
      int r0 = (int)floor(top / 4), r1 = (int)floor(bot / 4);
      for (int r = r0; r <= r1; r++) canvas_put(c, m->a.x + col, m->a.y + r, ch, fg);
      break;
    }
  }
}

static int text_free(plot_canvas *c, int x, int y, int w) {
  for (int k = -1; k <= w; k++) {
    plot_cell *p = canvas_at(c, x + k, y);
    if (p && p->text) return 0;
  }
  return 1;
}

/* Labels: centred ones sit on the row above their point (bar values), the
 * others beside it; a label that would overwrite another moves one row up
 * or down, or is left out. */
static void draw_text(plot_canvas *c, const pmap *m, const plot_layer *l, int32_t fg, area panel) {
  for (size_t i = 0; i < l->n; i++) {
    double dx, dy;
    if (!l->text[i] || !to_dot(m, l->x[i], l->y[i], &dx, &dy) || !in_area(m, dx, dy)) continue;
    int col = m->a.x + (int)lround(dx) / 2, row = m->a.y + (int)lround(dy) / 4, w = text_width(l->text[i]);
    if (l->anchor == 0) {
      double fy = axis_frac(&m->p->y, m->ylo, m->yhi, l->y[i]) * m->a.h;
      row = m->a.y + m->a.h - (int)ceil(fy - 0.06) - 1;
      if (row < m->a.y) row = m->a.y;
    }
    int x = l->anchor < 0 ? col + 1 : l->anchor > 0 ? col - w : col - w / 2;
    if (x + w > panel.x + panel.w) x = panel.x + panel.w - w;
    if (x < panel.x) x = panel.x;
    static const int tries[3] = {0, -1, 1};
    for (int t = 0; t < 3; t++) {
      int r = row + tries[t];
      if (r < m->a.y || r >= m->a.y + m->a.h || !text_free(c, x, r, w)) continue;
      canvas_text(c, x, r, l->text[i], fg, panel.x + panel.w - x);
      break;
    }
  }
}

/* Cells [*p0, *p1] covered by the data interval [v0, v1] along an axis of n cells. */
static void span_cells(const plot_axis *ax, double lo, double hi, double v0, double v1, int n, int from_top, int *p0, int *p1) {
  double fa = axis_frac(ax, lo, hi, v0), fb = axis_frac(ax, lo, hi, v1);
  double f0 = fmin(fmax(fmin(fa, fb), -1), 2), f1 = fmin(fmax(fmax(fa, fb), -1), 2);   /* cells off the panel */
  if (from_top) { double t = f0; f0 = 1 - f1; f1 = 1 - t; }
  *p0 = (int)lround(f0 * n);
  *p1 = (int)lround(f1 * n) - 1;
  if (*p1 < *p0) *p1 = *p0;
}

static void heat_range(const plot_layer *l, double *lo, double *hi) {
  *lo = l->vmin; *hi = l->vmax;
  if (isfinite(*lo) && isfinite(*hi)) return;
  double a = INFINITY, b = -INFINITY;
  for (size_t i = 0; i < l->hrows * l->hcols; i++)
    if (isfinite(l->y[i])) { a = fmin(a, l->y[i]); b = fmax(b, l->y[i]); }
  if (!isfinite(*lo)) *lo = isfinite(a) ? a : 0;
  if (!isfinite(*hi)) *hi = isfinite(b) ? b : 1;
}

static int32_t ink_on(int32_t bg) {
  double lum = 0.299 * ((bg >> 16) & 255) + 0.587 * ((bg >> 8) & 255) + 0.114 * (bg & 255);
  return lum > 140 ? 0x000000 : 0xFFFFFF;
}

static void draw_heat(plot_canvas *c, const pmap *m, const plot_layer *l, plot_style st) {
  static const uint32_t shades[5] = {' ', 0x2591, 0x2592, 0x2593, 0x2588};
  double lo, hi;
  heat_range(l, &lo, &hi);
  for (size_t i = 0; i < l->hrows; i++)
    for (size_t j = 0; j < l->hcols; j++) {
      int r0, r1, c0, c1;
      span_cells(&m->p->y, m->ylo, m->yhi, i + 0.5, i + 1.5, m->a.h, 1, &r0, &r1);
      span_cells(&m->p->x, m->xlo, m->xhi, j + 0.5, j + 1.5, m->a.w, 0, &c0, &c1);
      double v = l->y[i * l->hcols + j], t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      int diag = i == j && l->cmap == CMAP_CONFUSION;
      int32_t bg = isfinite(v) ? cmap_color(l->cmap, t, diag) : 0x808080;
      const char *ann = l->text ? l->text[i * l->hcols + j] : NULL;
      for (int r = r0; r <= r1; r++)
        for (int cc = c0; cc <= c1; cc++) {
          plot_cell *p = cc >= 0 && cc < m->a.w && r >= 0 && r < m->a.h ? canvas_at(c, m->a.x + cc, m->a.y + r) : NULL;
          if (!p) continue;
          p->ch = st.color || ann ? 0 : shades[isfinite(v) ? (int)lround(fmin(fmax(t, 0), 1) * 4) : 0];
          p->bg = bg;
          p->fg = ink_on(bg);
        }
      if (!ann || r0 < 0 || c0 < 0 || r1 >= m->a.h || c1 >= m->a.w) continue;
      /* Annotation lines centred in the block; "\n" separates lines. */
      int bw = c1 - c0 + 1, bh = r1 - r0 + 1, nl = 1;
      for (const char *q = ann; *q; q++) nl += *q == '\n';
      int show = nl <= bh ? nl : 1, row = m->a.y + r0 + (bh - show) / 2;
      const char *q = ann;
      for (int k = 0; k < show; k++) {
        char line[128];
        size_t len = strcspn(q, "\n");
        if (len > sizeof line - 3) len = sizeof line - 3;
        int mark = diag && !st.color && k == 0;
        snprintf(line, sizeof line, mark ? "[%.*s]" : "%.*s", (int)len, q);
        int w = text_width(line);
        if (w > bw) { line[text_fit(line, bw)] = 0; w = text_width(line); }
        int x = m->a.x + c0 + (bw - w) / 2;
        canvas_text(c, x, row + k, line, ink_on(bg), bw);
        for (int t2 = 0; t2 < w; t2++) {
          plot_cell *p = canvas_at(c, x + t2, row + k);
          if (p) { p->bg = bg; p->bold = diag; }
        }
        q += len;
        if (*q == '\n') q++;
      }
    }
}

static void draw_image(plot_canvas *c, const pmap *m, const plot_layer *l, plot_style st) {
  static const uint32_t ramp[5] = {' ', 0x2591, 0x2592, 0x2593, 0x2588};
  const mlsh_image *im = &l->img;
  if (!im->rgb || im->width < 1 || im->height < 1) return;
  double s = fmin((double)m->a.w / im->width, 2.0 * m->a.h / im->height);
  int tw = (int)fmax(1, floor(im->width * s)), th = (int)fmax(1, floor(im->height * s));
  int ox = (m->a.w - tw) / 2;
  for (int cy = 0; cy * 2 < th; cy++)
    for (int cx = 0; cx < tw; cx++) {
      int top[3], bot[3] = {0, 0, 0};
      double sx = (double)im->width / tw, sy = (double)im->height / th;
      thumb_sample(im, cx * sx, 2 * cy * sy, (cx + 1) * sx, (2 * cy + 1) * sy, top);
      int has_bot = 2 * cy + 1 < th;
      if (has_bot) thumb_sample(im, cx * sx, (2 * cy + 1) * sy, (cx + 1) * sx, (2 * cy + 2) * sy, bot);
      plot_cell *p = canvas_at(c, m->a.x + ox + cx, m->a.y + cy);
      if (!p) continue;
      if (st.color) {
        p->ch = 0x2580;
        p->fg = top[0] << 16 | top[1] << 8 | top[2];
        p->bg = has_bot ? (bot[0] << 16 | bot[1] << 8 | bot[2]) : PLOT_NOCOLOR;
      } else {
        double lum = (0.299 * (top[0] + bot[0]) + 0.587 * (top[1] + bot[1]) + 0.114 * (top[2] + bot[2])) / (has_bot ? 2 : 1);
        p->ch = ramp[(int)lround(lum / 255 * 4)];
      }
    }
}

/* ---- axes, legend, layout ---- */

typedef struct tickset {
  int n;
  double v[MAXTICKS];
  char lab[MAXTICKS][64];
} tickset;

static void make_ticks(const plot_axis *a, double lo, double hi, int maxn, tickset *t) {
  t->n = 0;
  if (a->nnames) {
    size_t stride = (a->nnames + MAXTICKS - 1) / MAXTICKS;
    for (size_t k = 1; k <= a->nnames && t->n < MAXTICKS; k += stride) {
      if (k < lo || k > hi) continue;
      const char *nm = a->names[k - 1];
      size_t len = text_fit(nm, 40);
      if (len > sizeof t->lab[0] - 1) len = sizeof t->lab[0] - 1;
      memcpy(t->lab[t->n], nm, len);
      t->lab[t->n][len] = 0;
      t->v[t->n++] = (double)k;
    }
    return;
  }
  double step, v[MAXTICKS];
  int n = nice_ticks(lo, hi, maxn < MAXTICKS ? maxn : MAXTICKS - 1, a->log, v, &step);
  for (int i = 0; i < n; i++) {
    t->v[i] = v[i];
    tick_label(t->lab[i], sizeof t->lab[i], v[i], step, a->log);
  }
  t->n = n;
}

static int dot_col(const pmap *m, double v) {
  double f = axis_frac(&m->p->x, m->xlo, m->xhi, v);
  return isfinite(f) ? m->a.x + (int)lround(f * (m->W - 1)) / 2 : -1;
}

static int dot_row(const pmap *m, double v) {
  double f = axis_frac(&m->p->y, m->ylo, m->yhi, v);
  return isfinite(f) ? m->a.y + (int)lround((1 - f) * (m->H - 1)) / 4 : -1;
}

/* Where the name of heat-map row v (1-based) goes so that it sits on its
 * row: the first line of the row's annotation, placed as draw_heat does,
 * else the middle of the block. */
static int block_row(const pmap *m, const plot_layer *heat, double v) {
  int r0, r1, nl = 1;
  span_cells(&m->p->y, m->ylo, m->yhi, v - 0.5, v + 0.5, m->a.h, 1, &r0, &r1);
  long i = lround(v) - 1;
  const char *ann = heat->text && i >= 0 && (size_t)i < heat->hrows ? heat->text[(size_t)i * heat->hcols] : NULL;
  for (const char *q = ann; q && *q; q++) nl += *q == '\n';
  int bh = r1 - r0 + 1;
  return m->a.y + r0 + (bh - (nl <= bh ? nl : 1)) / 2;
}

/* Place x tick labels left to right, skipping any that would touch the
 * previous one; returns how many were skipped. */
static int x_labels(plot_canvas *c, const pmap *m, tickset *t, int row, area pa, int draw) {
  int prev_end = -1000, skipped = 0;
  double spacing = t->n > 1 ? fabs((double)dot_col(m, t->v[1]) - dot_col(m, t->v[0])) : m->a.w;
  int maxw = m->p->x.nnames ? (int)fmax(3, spacing - 1) : 64;
  for (int i = 0; i < t->n; i++) {
    int col = dot_col(m, t->v[i]);
    if (col < 0) continue;
    char *lab = t->lab[i];
    if (text_width(lab) > maxw) lab[text_fit(lab, maxw)] = 0;
    int w = text_width(lab), x = col - (w - 1) / 2;
    if (x + w > pa.x + pa.w) x = pa.x + pa.w - w;
    if (x < pa.x) x = pa.x;
    if (x <= prev_end + 1) { skipped++; continue; }
    if (draw) {
      canvas_text(c, x, row, lab, PLOT_NOCOLOR, w);
      if (draw == 1 && (!m->p->x.nnames || t->n <= m->a.w / 2)) canvas_put(c, col, row - 1, 0x252C, PLOT_NOCOLOR);
    }
    prev_end = x + w - 1;
  }
  return skipped;
}

static int legend_items(const plot_panel *p, plot_style st, uint32_t *glyph, int32_t *color, const char **label, int max) {
  int n = 0;
  for (size_t k = 0; k < p->nlayers && n < max; k++) {
    const plot_layer *l = &p->layers[k];
    if (!l->label) continue;
    uint32_t g = l->kind == PLOT_LINES ? 0x2500 : l->kind == PLOT_RECTS ? 0x2588 :
                 l->kind == PLOT_BAND ? (l->shade >= 2 ? 0x2592 : 0x2591) : 0x25CF;
    uint32_t mk = layer_marker(p, k, st.color);
    if (mk) g = mk;
    glyph[n] = g; color[n] = layer_color(p, k); label[n] = l->label; n++;
  }
  return n;
}

/* Legend rows under the chart: "● name  ● name", wrapped; returns rows used. */
static int draw_legend(plot_canvas *c, const plot_panel *p, plot_style st, area pa, int row, int maxrows, int draw) {
  uint32_t glyph[32]; int32_t color[32]; const char *label[32];
  int n = legend_items(p, st, glyph, color, label, 32), x = pa.x, r = 0;
  if (n == 0) return 0;
  for (int i = 0; i < n; i++) {
    int w = 2 + text_width(label[i]);
    if (x > pa.x && x + w > pa.x + pa.w) { x = pa.x; r++; }
    if (r >= maxrows) return maxrows;
    if (draw) {
      canvas_put(c, x, row + r, glyph[i], color[i]);
      canvas_text(c, x + 2, row + r, label[i], PLOT_NOCOLOR, pa.x + pa.w - x - 2);
    }
    x += w + 2;
  }
  return r + 1;
}

static void draw_colorbar(plot_canvas *c, const plot_layer *heat, int x, int y, int h, plot_style st) {
  static const uint32_t shades[5] = {' ', 0x2591, 0x2592, 0x2593, 0x2588};
  double lo, hi;
  char lab[64];
  heat_range(heat, &lo, &hi);
  for (int r = 0; r < h; r++) {
    double t = h > 1 ? 1 - (double)r / (h - 1) : 1;
    for (int k = 0; k < 2; k++) {
      plot_cell *p = canvas_at(c, x + k, y + r);
      if (!p) continue;
      p->bg = cmap_color(heat->cmap == CMAP_CONFUSION ? CMAP_CONFUSION : heat->cmap, t, 1);
      p->ch = st.color ? 0 : shades[(int)lround(t * 4)];
    }
  }
  tick_label(lab, sizeof lab, hi, fabs(hi - lo) / 10, 0);
  canvas_text(c, x + 3, y, lab, PLOT_NOCOLOR, 0);
  tick_label(lab, sizeof lab, lo, fabs(hi - lo) / 10, 0);
  canvas_text(c, x + 3, y + h - 1, lab, PLOT_NOCOLOR, 0);
}

static void draw_panel(plot_canvas *c, const plot_panel *p, area pa, plot_style st) {
  int top = pa.y, bottom = pa.y + pa.h;
  const plot_layer *heat = NULL, *img = NULL;
  int braille = 0;
  for (size_t k = 0; k < p->nlayers; k++) {
    plot_kind kd = p->layers[k].kind;
    if (kd == PLOT_HEAT && !heat) heat = &p->layers[k];
    if (kd == PLOT_IMAGE && !img) img = &p->layers[k];
    braille |= kd == PLOT_POINTS || kd == PLOT_LINES;
  }
  if (p->title && top < bottom) {
    int w = text_width(p->title), x = pa.x + (pa.w > w ? (pa.w - w) / 2 : 0);
    canvas_text(c, x, top, p->title, PLOT_NOCOLOR, pa.w);
    for (int i = 0; i < w && i < pa.w; i++) { plot_cell *q = canvas_at(c, x + i, top); if (q) q->bold = 1; }
    top++;
  }
  int axes = !img, xaxis = axes && !p->x.hidden, yaxis = axes && !p->y.hidden;
  int legrows = draw_legend(c, p, st, pa, 0, 3, 0);
  bottom -= legrows;
  int legrow = bottom, xlabrow = -1, ticksrow = -1, ylabrow = -1;
  if (axes && p->x.label) xlabrow = --bottom;
  if (xaxis) { ticksrow = --bottom; if (!heat) bottom--; }
  if (yaxis && p->y.label) ylabrow = top++;
  int ph = bottom - top;
  if (ph < 1 || pa.w < 4) return;
  pmap m;
  m.p = p;
  panel_range(p, 0, &m.xlo, &m.xhi);
  panel_range(p, 1, &m.ylo, &m.yhi);
  tickset yt;
  make_ticks(&p->y, m.ylo, m.yhi, ph / 3 + 1 < 2 ? 2 : ph / 3 + 1, &yt);
  int ylw = 0;
  if (yaxis) {
    for (int i = 0; i < yt.n; i++) if (text_width(yt.lab[i]) > ylw) ylw = text_width(yt.lab[i]);
    if (ylw > pa.w / 3) ylw = pa.w / 3;
  }
  int cbw = 0;
  if (heat && p->colorbar) {
    double lo, hi;
    char a[64], b[64];
    heat_range(heat, &lo, &hi);
    tick_label(a, sizeof a, lo, fabs(hi - lo) / 10, 0);
    tick_label(b, sizeof b, hi, fabs(hi - lo) / 10, 0);
    cbw = 5 + (text_width(a) > text_width(b) ? text_width(a) : text_width(b));
  }
  int axcol = yaxis && !heat;
  m.a.x = pa.x + ylw + (yaxis ? 1 : 0);
  m.a.y = top;
  m.a.w = pa.w - ylw - (yaxis ? 1 : 0) - cbw;
  m.a.h = ph;
  if (m.a.w < 2) return;
  m.W = m.a.w * 2;
  m.H = m.a.h * 4;
  if (p->equal && !p->x.log && !p->y.log) {
    /* Braille dots are square: equal data units per dot on both axes. */
    double ux = (m.xhi - m.xlo) / m.W, uy = (m.yhi - m.ylo) / m.H;
    if (ux > uy) { double c0 = (m.ylo + m.yhi) / 2; m.ylo = c0 - ux * m.H / 2; m.yhi = c0 + ux * m.H / 2; }
    else { double c0 = (m.xlo + m.xhi) / 2; m.xlo = c0 - uy * m.W / 2; m.xhi = c0 + uy * m.W / 2; }
    make_ticks(&p->y, m.ylo, m.yhi, ph / 3 + 1, &yt);
  }
  if (braille)
    for (int r = 0; r < m.a.h; r++)
      for (int x = 0; x < m.a.w; x++) canvas_put(c, m.a.x + x, m.a.y + r, 0x2800, PLOT_NOCOLOR);
  for (int pass = 0; pass < 3; pass++)
    for (size_t k = 0; k < p->nlayers; k++) {
      const plot_layer *l = &p->layers[k];
      int32_t fg = layer_color(p, k);
      if (pass == 0 && l->kind == PLOT_HEAT) draw_heat(c, &m, l, st);
      else if (pass == 0 && l->kind == PLOT_IMAGE) draw_image(c, &m, l, st);
      else if (pass == 0 && l->kind == PLOT_BAND) draw_band(c, &m, l, fg);
      else if (pass == (l->fill ? 0 : 1) && l->kind == PLOT_RECTS) draw_rects(c, &m, l, fg);
      else if (pass == 1 && l->kind == PLOT_LINES) draw_lines(c, &m, l, fg, layer_marker(p, k, st.color));
      else if (pass == 1 && l->kind == PLOT_POINTS) {
        uint32_t mk = layer_marker(p, k, st.color);
        for (size_t i = 0; i < l->n; i++) {
          double dx, dy;
          if (to_dot(&m, l->x[i], l->y[i], &dx, &dy)) put_marker(c, &m, dx, dy, mk, fg);
        }
      } else if (pass == 2 && l->kind == PLOT_TEXT) draw_text(c, &m, l, fg, pa);
    }
  if (yaxis) {
    if (axcol)
      for (int r = 0; r < m.a.h; r++) canvas_put(c, m.a.x - 1, m.a.y + r, 0x2502, PLOT_NOCOLOR);
    int last = -2;
    for (int i = 0; i < yt.n; i++) {
      int row = heat && p->y.nnames ? block_row(&m, heat, yt.v[i]) : dot_row(&m, yt.v[i]);
      if (row < m.a.y || row >= m.a.y + m.a.h || row == last) continue;
      last = row;
      int w = text_width(yt.lab[i]);
      if (w > ylw) { yt.lab[i][text_fit(yt.lab[i], ylw)] = 0; w = text_width(yt.lab[i]); }
      canvas_text(c, pa.x + ylw - w, row, yt.lab[i], PLOT_NOCOLOR, ylw);
      if (axcol) canvas_put(c, m.a.x - 1, row, 0x2524, PLOT_NOCOLOR);
    }
  }
  if (xaxis) {
    if (!heat) {
      for (int x = 0; x < m.a.w; x++) canvas_put(c, m.a.x + x, bottom, 0x2500, PLOT_NOCOLOR);
      canvas_put(c, m.a.x - 1, bottom, axcol ? 0x2514 : 0x2500, PLOT_NOCOLOR);
    }
    tickset xt;
    int maxn = m.a.w / 6 < 2 ? 2 : m.a.w / 6;
    for (;;) {
      make_ticks(&p->x, m.xlo, m.xhi, maxn, &xt);
      if (p->x.nnames || maxn <= 2 || x_labels(c, &m, &xt, ticksrow, pa, 0) == 0) break;
      maxn--;
    }
    x_labels(c, &m, &xt, ticksrow, pa, heat ? 2 : 1);  /* heat maps: labels right under the blocks */
  }
  if (xlabrow >= 0) {
    int w = text_width(p->x.label);
    canvas_text(c, m.a.x + (m.a.w > w ? (m.a.w - w) / 2 : 0), xlabrow, p->x.label, PLOT_NOCOLOR, pa.x + pa.w - m.a.x);
  }
  if (ylabrow >= 0) canvas_text(c, pa.x, ylabrow, p->y.label, PLOT_NOCOLOR, pa.w);
  if (heat && cbw) draw_colorbar(c, heat, m.a.x + m.a.w + 2, m.a.y, m.a.h, st);
  if (legrows) draw_legend(c, p, st, pa, legrow, legrows, 1);
}

int fig_draw(const plot_fig *f, plot_canvas *c, plot_style st, mlsh_err *err) {
  (void)err;  /* drawing on an allocated canvas cannot fail */
  int top = 0;
  if (f->title) {
    int w = text_width(f->title), x = c->w > w ? (c->w - w) / 2 : 0;
    canvas_text(c, x, 0, f->title, PLOT_NOCOLOR, c->w);
    for (int i = 0; i < w && x + i < c->w; i++) canvas_at(c, x + i, 0)->bold = 1;
    top = 1;
  }
  int gap = 2, H = c->h - top;
  for (int r = 0; r < f->rows; r++)
    for (int k = 0; k < f->cols; k++) {
      area pa;
      int x0 = k * (c->w + gap) / f->cols, x1 = (k + 1) * (c->w + gap) / f->cols - gap;
      pa.x = x0;
      pa.w = x1 - x0;
      pa.y = top + r * H / f->rows;
      pa.h = top + (r + 1) * H / f->rows - pa.y;
      const plot_panel *p = &f->panels[r * f->cols + k];
      if (f->rows * f->cols > 1 && p->nlayers == 0 && !p->title) continue;   /* a grid's unused cells */
      if (pa.w >= 1 && pa.h >= 1) draw_panel(c, p, pa, st);
    }
  return MLSH_OK;
}

int fig_render_text(const plot_fig *f, int w, int h, plot_style st, plot_buf *out, mlsh_err *err) {
  plot_canvas c;
  int rc = canvas_init(&c, w, h, err);
  if (rc) return rc;
  rc = fig_draw(f, &c, st, err);
  if (!rc) canvas_render(&c, st, out);
  canvas_free(&c);
  if (!rc && out->failed) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the chart text");
  return rc;
}
