/* layout.c - one layout of a figure for the terminal and SVG (see layout.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "layout.h"

/* Terminal units are whole cells: positions snap to them. */
static int in_cells(const plot_metrics *m) { return m->dots_x > 0; }
static double cell_floor(const plot_metrics *m, double v) { return in_cells(m) ? floor(v) : v; }

plot_box layout_grid_cell(const plot_fig *f, const plot_metrics *m, double W, double H, int r, int k) {
  double top = f->title ? m->fig_title_h : 0, g = m->col_gap;
  H -= top;
  double x0 = cell_floor(m, k * (W + g) / f->cols), x1 = cell_floor(m, (k + 1) * (W + g) / f->cols) - g;
  double y0 = top + cell_floor(m, r * H / f->rows), y1 = top + cell_floor(m, (r + 1) * H / f->rows);
  plot_box b = {x0, y0, x1 - x0, y1 - y0};
  return b;
}

void plot_heat_range(const plot_layer *l, double *lo, double *hi) {
  *lo = l->vmin; *hi = l->vmax;
  if (isfinite(*lo) && isfinite(*hi)) return;
  double a = INFINITY, b = -INFINITY;
  for (size_t i = 0; i < l->hrows * l->hcols; i++)
    if (isfinite(l->y[i])) { a = fmin(a, l->y[i]); b = fmax(b, l->y[i]); }
  if (!isfinite(*lo)) *lo = isfinite(a) ? a : 0;
  if (!isfinite(*hi)) *hi = isfinite(b) ? b : 1;
}

int32_t plot_ink_on(int32_t bg) {
  double lum = 0.299 * ((bg >> 16) & 255) + 0.587 * ((bg >> 8) & 255) + 0.114 * (bg & 255);
  return lum > 140 ? 0x000000 : 0xFFFFFF;
}

double layout_xpos(const plot_layout *L, const plot_metrics *m, double v) {
  double f = axis_frac(&L->p->x, L->xlo, L->xhi, v);
  if (!isfinite(f)) return NAN;
  if (!in_cells(m)) return L->area.x + f * L->area.w;
  return L->area.x + (int)lround(f * (L->area.w * m->dots_x - 1)) / m->dots_x;
}

/* Cells [*p0, *p1] covered by the data interval [v0, v1] along an axis of n cells. */
void layout_span_cells(const plot_axis *ax, double lo, double hi, double v0, double v1, int n, int from_top, int *p0, int *p1) {
  double fa = axis_frac(ax, lo, hi, v0), fb = axis_frac(ax, lo, hi, v1);
  double f0 = fmin(fmax(fmin(fa, fb), -1), 2), f1 = fmin(fmax(fmax(fa, fb), -1), 2);   /* cells off the panel */
  if (from_top) { double t = f0; f0 = 1 - f1; f1 = 1 - t; }
  *p0 = (int)lround(f0 * n);
  *p1 = (int)lround(f1 * n) - 1;
  if (*p1 < *p0) *p1 = *p0;
}

double layout_ypos(const plot_layout *L, const plot_metrics *m, double v) {
  double f = axis_frac(&L->p->y, L->ylo, L->yhi, v);
  if (!isfinite(f)) return NAN;
  if (!in_cells(m)) return L->area.y + (1 - f) * L->area.h;
  return L->area.y + (int)lround((1 - f) * (L->area.h * m->dots_y - 1)) / m->dots_y;
}

/* Tick values and labels: category names at 1..n, else nice numbers. */
static int make_ticks(const plot_axis *a, double lo, double hi, int maxn, plot_tick *t) {
  int n = 0;
  if (a->nnames) {
    size_t stride = (a->nnames + LAYOUT_MAXTICKS - 1) / LAYOUT_MAXTICKS;
    for (size_t k = 1; k <= a->nnames && n < LAYOUT_MAXTICKS; k += stride) {
      if (k < lo || k > hi) continue;
      const char *nm = a->names[k - 1];
      size_t len = text_fit(nm, 40);
      if (len > sizeof t[n].lab - 1) len = sizeof t[n].lab - 1;
      memcpy(t[n].lab, nm, len);
      t[n].lab[len] = 0;
      t[n++].v = (double)k;
    }
    return n;
  }
  double step, v[LAYOUT_MAXTICKS];
  n = nice_ticks(lo, hi, maxn < LAYOUT_MAXTICKS ? maxn : LAYOUT_MAXTICKS - 1, a->log, v, &step);
  for (int i = 0; i < n; i++) {
    t[i].v = v[i];
    tick_label(t[i].lab, sizeof t[i].lab, v[i], step, a->log);
  }
  return n;
}

/* Place the x labels left to right inside the panel, each skipped that
 * would come closer than xtick_gap to the previous one. Category labels
 * get the room between ticks: longer ones are turned where the back end
 * can (taking no width), else cut. Returns how many were skipped. */
static int place_x(plot_layout *L, const plot_metrics *m) {
  plot_tick *t = L->xt;
  double prev_right = -INFINITY, right_edge = L->panel.x + L->panel.w;
  double spacing = L->nx > 1 ? fabs(layout_xpos(L, m, t[1].v) - layout_xpos(L, m, t[0].v)) : L->area.w;
  int skipped = 0;
  L->xroom = L->p->x.nnames ? fmax(m->min_room, spacing - m->xtick_gap) : INFINITY;
  for (int i = 0; i < L->nx; i++) {
    t[i].shown = 0;
    t[i].pos = layout_xpos(L, m, t[i].v);
    if (!isfinite(t[i].pos)) continue;
    double w = m->tick_char_w * text_width(t[i].lab);
    t[i].turned = m->can_turn && L->p->x.nnames && L->nx > 1 && w > spacing;
    if (t[i].turned) w = 0;
    else if (w > L->xroom && in_cells(m)) { t[i].lab[text_fit(t[i].lab, (int)L->xroom)] = 0; w = text_width(t[i].lab); }
    else w = fmin(w, L->xroom);
    double left = t[i].pos + (in_cells(m) ? 0.5 : 0) - w / 2;   /* centred on the tick (its cell) */
    if (in_cells(m)) left = floor(left + 0.5);
    if (left + w > right_edge) left = right_edge - w;
    if (left < L->panel.x) left = L->panel.x;
    t[i].left = left;
    t[i].w = w;
    if (left < prev_right + m->xtick_gap) { skipped++; continue; }
    t[i].shown = 1;
    prev_right = left + w;
  }
  return skipped;
}

/* Legend entries (labelled layers) in rows across the panel; returns the rows used. */
static int place_legend(plot_layout *L, const plot_metrics *m) {
  const plot_panel *p = L->p;
  double start = L->panel.x + m->legend_inset, limit = L->panel.x + L->panel.w - m->legend_inset, x = start;
  int row = 0;
  L->nlegend = 0;
  for (size_t k = 0; k < p->nlayers && L->nlegend < LAYOUT_MAXLEGEND; k++) {
    if (!p->layers[k].label) continue;
    double w = m->legend_key_w + m->label_char_w * text_width(p->layers[k].label);
    if (x > start && x + w > limit) { x = start; row++; }
    if (row >= m->legend_maxrows) return m->legend_maxrows;
    plot_legend_item it = {k, x, row};
    L->legend[L->nlegend++] = it;
    x += w + m->legend_gap;
  }
  return L->nlegend ? row + 1 : 0;
}

static int ytick_count(const plot_metrics *m, double h) { return (int)fmax(2, h / m->ytick_step + m->ytick_bias); }

/* Equal data units per dot (or pixel) on both axes: widen the tighter range. */
static void equalize(plot_layout *L, const plot_metrics *m) {
  double W = L->area.w * (m->dots_x ? m->dots_x : 1), H = L->area.h * (m->dots_y ? m->dots_y : 1);
  double ux = (L->xhi - L->xlo) / W, uy = (L->yhi - L->ylo) / H;
  if (ux > uy) { double c = (L->ylo + L->yhi) / 2; L->ylo = c - ux * H / 2; L->yhi = c + ux * H / 2; }
  else { double c = (L->xlo + L->xhi) / 2; L->xlo = c - uy * W / 2; L->xhi = c + uy * W / 2; }
}

/* The tick label column, the colour bar and what is left: the plot area. */
static void place_area(plot_layout *L, const plot_metrics *m, double left, double right, double top, double h) {
  const plot_panel *p = L->p;
  L->ylw = 0;
  if (L->yaxis) {
    for (int i = 0; i < L->ny; i++) L->ylw = fmax(L->ylw, m->tick_char_w * text_width(L->yt[i].lab));
    L->ylw = fmin(L->ylw, cell_floor(m, L->panel.w / 3));
    left += L->ylw + m->ytick_gap;
  }
  if (L->heat && p->colorbar) {
    double lo, hi;
    plot_heat_range(L->heat, &lo, &hi);
    L->heat_lo = lo; L->heat_hi = hi;
    tick_label(L->cbar_lo, sizeof L->cbar_lo, lo, fabs(hi - lo) / 10, 0);
    tick_label(L->cbar_hi, sizeof L->cbar_hi, hi, fabs(hi - lo) / 10, 0);
    right -= m->cbar_gap + m->cbar_text_dx + m->tick_char_w * fmax(text_width(L->cbar_lo), text_width(L->cbar_hi));
  }
  plot_box a = {left, top, right - left, h};
  L->area = a;
  L->cbar_x = a.x + a.w + m->cbar_gap;
}

static void place_ticks(plot_layout *L, const plot_metrics *m) {
  const plot_panel *p = L->p;
  double last = NAN;
  for (int i = 0; i < L->ny; i++) {
    plot_tick *t = &L->yt[i];
    t->pos = layout_ypos(L, m, t->v);
    if (L->heat && p->y.nnames && in_cells(m)) {   /* a heat-map row name: on its block's middle row */
      int r0, r1;
      layout_span_cells(&p->y, L->ylo, L->yhi, t->v - 0.5, t->v + 0.5, (int)L->area.h, 1, &r0, &r1);
      t->pos = L->area.y + r0 + (r1 - r0) / 2;
    }
    t->shown = t->pos >= L->area.y && t->pos <= L->area.y + L->area.h - (in_cells(m) ? 1 : 0) && t->pos != last;
    if (t->shown) last = t->pos;
  }
  if (!L->xaxis) return;
  for (int maxn = (int)fmax(2, L->area.w / m->xtick_step);; maxn--) {
    L->nx = make_ticks(&p->x, L->xlo, L->xhi, maxn, L->xt);
    if (place_x(L, m) == 0 || p->x.nnames || maxn <= 2) break;
  }
}

void layout_panel(plot_layout *L, const plot_panel *p, plot_box pa, const plot_metrics *m) {
  memset(L, 0, sizeof *L);
  L->p = p;
  L->panel = pa;
  for (size_t k = 0; k < p->nlayers; k++) {
    if (p->layers[k].kind == PLOT_HEAT && !L->heat) L->heat = &p->layers[k];
    if (p->layers[k].kind == PLOT_IMAGE && !L->img) L->img = &p->layers[k];
  }
  L->axes = !L->img;
  L->xaxis = L->axes && !p->x.hidden;
  L->yaxis = L->axes && !p->y.hidden;
  double top = pa.y + m->pad_top, bottom = pa.y + pa.h - m->pad_bottom;
  double left = pa.x + m->pad_left, right = pa.x + pa.w - m->pad_right;
  L->title_y = top;
  if (p->title) top += m->title_h;
  L->legend_rows = place_legend(L, m);
  bottom -= L->legend_rows * m->legend_row_h;
  for (int i = 0; i < L->nlegend; i++) L->legend[i].y = bottom + L->legend[i].y * m->legend_row_h;
  if (L->axes && p->x.label) L->xlabel_y = bottom -= m->xlabel_h;
  if (L->xaxis) {
    L->xticks_y = bottom -= m->xticks_h;
    if (!L->heat) bottom -= m->axis_line_h;
  }
  if (L->yaxis && p->y.label) {
    L->ylabel_x = left;
    L->ylabel_y = top;
    top += m->ylabel_h;
    left += m->ylabel_w;
  }
  double h = bottom - top;
  if (h < m->min_h || pa.w < m->min_panel_w) return;
  panel_range(p, 0, &L->xlo, &L->xhi);
  panel_range(p, 1, &L->ylo, &L->yhi);
  if (L->yaxis) L->ny = make_ticks(&p->y, L->ylo, L->yhi, ytick_count(m, h), L->yt);
  place_area(L, m, left, right, top, h);
  if (L->area.w < m->min_w) return;
  if (p->equal && !p->x.log && !p->y.log) {
    equalize(L, m);
    if (L->yaxis) L->ny = make_ticks(&p->y, L->ylo, L->yhi, ytick_count(m, L->area.h), L->yt);
  }
  place_ticks(L, m);
  L->ok = 1;
}
