/* render.c - draws a figure on a terminal canvas at the places layout.c
 * gives in cells: axes, tick labels, legend, then every layer (braille dots
 * for points and lines, eighth blocks for bars, shades for bands, coloured
 * blocks for heat maps, half blocks for images). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "figure.h"
#include "layout.h"
#include "thumb.h"
#include "../core/alloc.h"

typedef struct area { int x, y, w, h; } area;

typedef struct pmap {
  const plot_panel *p;
  double xlo, xhi, ylo, yhi;
  area a;          /* plot area in cells */
  int W, H;        /* plot area in dots */
} pmap;

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

static void draw_heat(plot_canvas *c, const pmap *m, const plot_layer *l, plot_style st) {
  static const uint32_t shades[5] = {' ', 0x2591, 0x2592, 0x2593, 0x2588};
  double lo, hi;
  plot_heat_range(l, &lo, &hi);
  for (size_t i = 0; i < l->hrows; i++)
    for (size_t j = 0; j < l->hcols; j++) {
      int r0, r1, c0, c1;
      layout_span_cells(&m->p->y, m->ylo, m->yhi, i + 0.5, i + 1.5, m->a.h, 1, &r0, &r1);
      layout_span_cells(&m->p->x, m->xlo, m->xhi, j + 0.5, j + 1.5, m->a.w, 0, &c0, &c1);
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
          p->fg = plot_ink_on(bg);
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
        canvas_text(c, x, row + k, line, plot_ink_on(bg), bw);
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

/* Cells: braille dots are 2 x 4 per cell; bands of one row. */
const plot_metrics plot_term_metrics = {
  .dots_x = 2, .dots_y = 4, .fig_title_h = 1, .col_gap = 2,
  .title_h = 1, .legend_row_h = 1, .legend_key_w = 2, .legend_gap = 2, .legend_maxrows = 3,
  .xlabel_h = 1, .xticks_h = 1, .axis_line_h = 1, .ylabel_h = 1,
  .tick_char_w = 1, .label_char_w = 1, .ytick_step = 3, .ytick_bias = 1, .xtick_step = 6,
  .ytick_gap = 1, .xtick_gap = 1, .min_room = 3, .cbar_gap = 2, .cbar_text_dx = 3,
  .min_w = 2, .min_h = 1, .min_panel_w = 4,
};

static uint32_t legend_glyph(const plot_panel *p, size_t k, plot_style st) {
  const plot_layer *l = &p->layers[k];
  uint32_t mk = layer_marker(p, k, st.color);
  if (mk) return mk;
  return l->kind == PLOT_LINES ? 0x2500 : l->kind == PLOT_RECTS ? 0x2588 :
         l->kind == PLOT_BAND ? (l->shade >= 2 ? 0x2592 : 0x2591) : 0x25CF;
}

/* Legend rows under the chart: "● name  ● name". */
static void draw_legend(plot_canvas *c, const plot_layout *L, plot_style st) {
  int right = (int)(L->panel.x + L->panel.w);
  for (int i = 0; i < L->nlegend; i++) {
    size_t k = L->legend[i].layer;
    int x = (int)L->legend[i].x, y = (int)L->legend[i].y;
    canvas_put(c, x, y, legend_glyph(L->p, k, st), layer_color(L->p, k));
    canvas_text(c, x + 2, y, L->p->layers[k].label, PLOT_NOCOLOR, right - x - 2);
  }
}

static void draw_colorbar(plot_canvas *c, const plot_layout *L, plot_style st) {
  static const uint32_t shades[5] = {' ', 0x2591, 0x2592, 0x2593, 0x2588};
  int x = (int)L->cbar_x, y = (int)L->area.y, h = (int)L->area.h;
  for (int r = 0; r < h; r++) {
    double t = h > 1 ? 1 - (double)r / (h - 1) : 1;
    for (int k = 0; k < 2; k++) {
      plot_cell *p = canvas_at(c, x + k, y + r);
      if (!p) continue;
      p->bg = cmap_color(L->heat->cmap, t, 1);
      p->ch = st.color ? 0 : shades[(int)lround(t * 4)];
    }
  }
  canvas_text(c, x + (int)plot_term_metrics.cbar_text_dx, y, L->cbar_hi, PLOT_NOCOLOR, 0);
  canvas_text(c, x + (int)plot_term_metrics.cbar_text_dx, y + h - 1, L->cbar_lo, PLOT_NOCOLOR, 0);
}

static void draw_layers(plot_canvas *c, const pmap *m, plot_style st, plot_box pb) {
  const plot_panel *p = m->p;
  area pa = {(int)pb.x, (int)pb.y, (int)pb.w, (int)pb.h};
  for (int pass = 0; pass < 3; pass++)
    for (size_t k = 0; k < p->nlayers; k++) {
      const plot_layer *l = &p->layers[k];
      int32_t fg = layer_color(p, k);
      if (pass == 0 && l->kind == PLOT_HEAT) draw_heat(c, m, l, st);
      else if (pass == 0 && l->kind == PLOT_IMAGE) draw_image(c, m, l, st);
      else if (pass == 0 && l->kind == PLOT_BAND) draw_band(c, m, l, fg);
      else if (pass == (l->fill ? 0 : 1) && l->kind == PLOT_RECTS) draw_rects(c, m, l, fg);
      else if (pass == 1 && l->kind == PLOT_LINES) draw_lines(c, m, l, fg, layer_marker(p, k, st.color));
      else if (pass == 1 && l->kind == PLOT_POINTS) {
        uint32_t mk = layer_marker(p, k, st.color);
        for (size_t i = 0; i < l->n; i++) {
          double dx, dy;
          if (to_dot(m, l->x[i], l->y[i], &dx, &dy)) put_marker(c, m, dx, dy, mk, fg);
        }
      } else if (pass == 2 && l->kind == PLOT_TEXT) draw_text(c, m, l, fg, pa);
    }
}

static void draw_yaxis(plot_canvas *c, const plot_layout *L, int axcol) {
  int ax = (int)L->area.x, ay = (int)L->area.y, ah = (int)L->area.h, ylw = (int)L->ylw, px = (int)L->panel.x;
  if (axcol)
    for (int r = 0; r < ah; r++) canvas_put(c, ax - 1, ay + r, 0x2502, PLOT_NOCOLOR);
  for (int i = 0; i < L->ny; i++) {
    if (!L->yt[i].shown) continue;
    char lab[64];
    int row = (int)L->yt[i].pos;
    snprintf(lab, sizeof lab, "%s", L->yt[i].lab);
    if (text_width(lab) > ylw) lab[text_fit(lab, ylw)] = 0;
    canvas_text(c, px + ylw - text_width(lab), row, lab, PLOT_NOCOLOR, ylw);
    if (axcol) canvas_put(c, ax - 1, row, 0x2524, PLOT_NOCOLOR);
  }
}

static void draw_xaxis(plot_canvas *c, const plot_layout *L, int axcol) {
  int ax = (int)L->area.x, aw = (int)L->area.w, row = (int)L->xticks_y, bottom = (int)(L->area.y + L->area.h);
  int marks = !L->heat && (!L->p->x.nnames || L->nx <= aw / 2);   /* heat maps: labels right under the blocks */
  if (!L->heat) {
    for (int x = 0; x < aw; x++) canvas_put(c, ax + x, bottom, 0x2500, PLOT_NOCOLOR);
    canvas_put(c, ax - 1, bottom, axcol ? 0x2514 : 0x2500, PLOT_NOCOLOR);
  }
  for (int i = 0; i < L->nx; i++) {
    const plot_tick *t = &L->xt[i];
    if (!t->shown) continue;
    canvas_text(c, (int)t->left, row, t->lab, PLOT_NOCOLOR, (int)t->w);
    if (marks) canvas_put(c, (int)t->pos, row - 1, 0x252C, PLOT_NOCOLOR);
  }
}

static void draw_title(plot_canvas *c, const char *title, int x0, int y, int w) {
  int tw = text_width(title), x = x0 + (w > tw ? (w - tw) / 2 : 0);
  canvas_text(c, x, y, title, PLOT_NOCOLOR, w);
  for (int i = 0; i < tw && i < w; i++) { plot_cell *q = canvas_at(c, x + i, y); if (q) q->bold = 1; }
}

static void draw_panel(plot_canvas *c, const plot_panel *p, plot_box pb, plot_style st) {
  plot_layout L;
  layout_panel(&L, p, pb, &plot_term_metrics);
  if (p->title) draw_title(c, p->title, (int)pb.x, (int)L.title_y, (int)pb.w);
  if (!L.ok) return;
  pmap m = {p, L.xlo, L.xhi, L.ylo, L.yhi, {(int)L.area.x, (int)L.area.y, (int)L.area.w, (int)L.area.h}, 0, 0};
  m.W = m.a.w * 2;
  m.H = m.a.h * 4;
  int braille = 0;
  for (size_t k = 0; k < p->nlayers; k++) braille |= p->layers[k].kind == PLOT_POINTS || p->layers[k].kind == PLOT_LINES;
  if (braille)
    for (int r = 0; r < m.a.h; r++)
      for (int x = 0; x < m.a.w; x++) canvas_put(c, m.a.x + x, m.a.y + r, 0x2800, PLOT_NOCOLOR);
  draw_layers(c, &m, st, pb);
  int axcol = L.yaxis && !L.heat;
  if (L.yaxis) draw_yaxis(c, &L, axcol);
  if (L.xaxis) draw_xaxis(c, &L, axcol);
  if (L.axes && p->x.label) {
    int w = text_width(p->x.label);
    canvas_text(c, m.a.x + (m.a.w > w ? (m.a.w - w) / 2 : 0), (int)L.xlabel_y, p->x.label, PLOT_NOCOLOR,
                (int)(pb.x + pb.w) - m.a.x);
  }
  if (L.yaxis && p->y.label) canvas_text(c, (int)L.ylabel_x, (int)L.ylabel_y, p->y.label, PLOT_NOCOLOR, (int)pb.w);
  if (L.heat && p->colorbar) draw_colorbar(c, &L, st);
  draw_legend(c, &L, st);
}

int fig_draw(const plot_fig *f, plot_canvas *c, plot_style st, mlsh_err *err) {
  (void)err;  /* drawing on an allocated canvas cannot fail */
  if (f->title) draw_title(c, f->title, 0, 0, c->w);
  for (int r = 0; r < f->rows; r++)
    for (int k = 0; k < f->cols; k++) {
      plot_box pa = layout_grid_cell(f, &plot_term_metrics, c->w, c->h, r, k);
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
