/* svg.c - a figure as a real vector SVG: the terminal's layout (layout.c:
 * title, axes with nice ticks, legend under the chart, colour bar beside
 * heat maps) in pixels, with a light grid and text as <text>. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "figure.h"
#include "layout.h"
#include "thumb.h"
#include "../core/alloc.h"

#define FONT "DejaVu Sans, Helvetica, Arial, sans-serif"
#define CHARW 7.0      /* estimated width of a 12px character */

typedef struct smap {
  const plot_panel *p;
  double xlo, xhi, ylo, yhi;
  plot_box a;
} smap;

static void rgb(plot_buf *b, int32_t c) {
  if (c == PLOT_NOCOLOR) c = 0x333333;
  pbuf_printf(b, "#%06x", (unsigned)c & 0xFFFFFF);
}

static void text_el(plot_buf *b, double x, double y, const char *anchor, int size, int bold, int32_t color, const char *s, const char *extra) {
  pbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\"%s fill=\"", x, y, size, anchor, bold ? " font-weight=\"bold\"" : "");
  rgb(b, color);
  pbuf_printf(b, "\"%s>", extra ? extra : "");
  pbuf_xml(b, s);
  pbuf_puts(b, "</text>\n");
}

static int to_px(const smap *m, double x, double y, double *px, double *py) {
  double fx = axis_frac(&m->p->x, m->xlo, m->xhi, x), fy = axis_frac(&m->p->y, m->ylo, m->yhi, y);
  if (!isfinite(fx) || !isfinite(fy)) return 0;
  *px = m->a.x + fx * m->a.w;
  *py = m->a.y + (1 - fy) * m->a.h;
  return 1;
}

static void svg_marker(plot_buf *b, double x, double y, uint32_t mk, int32_t c) {
  if (mk == 'x' || mk == 0xD7 || mk == '+' || mk == 0x2716) {
    if (mk == '+') pbuf_printf(b, "<path d=\"M%.1f %.1fh12M%.1f %.1fv12\"", x - 6, y, x, y - 6);
    else pbuf_printf(b, "<path d=\"M%.1f %.1fl12 12M%.1f %.1fl12 -12\"", x - 6, y - 6, x - 6, y + 6);
    pbuf_puts(b, " stroke=\""); rgb(b, c); pbuf_puts(b, "\" stroke-width=\"3\" fill=\"none\"/>\n");
  } else if (mk == 0x25C6) {
    pbuf_printf(b, "<path d=\"M%.1f %.1fl6 6l-6 6l-6 -6z\" fill=\"", x, y - 6);
    rgb(b, c); pbuf_puts(b, "\" stroke=\"#000\"/>\n");
  } else {
    pbuf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"", x, y);
    rgb(b, c); pbuf_puts(b, "\" stroke=\"#000\"/>\n");
  }
}

static void svg_layer(plot_buf *b, const smap *m, size_t k, mlsh_err *err) {
  const plot_panel *p = m->p;
  const plot_layer *l = &p->layers[k];
  int32_t c = layer_color(p, k);
  double x, y, x2, y2;
  switch (l->kind) {
  case PLOT_POINTS: {
    uint32_t mk = l->marker;
    if (mk) { for (size_t i = 0; i < l->n; i++) if (to_px(m, l->x[i], l->y[i], &x, &y)) svg_marker(b, x, y, mk, c); break; }
    /* one path of zero-length round-capped strokes: small files for many points */
    double r = l->n > 2000 ? 3 : 5;
    pbuf_printf(b, "<path fill=\"none\" stroke-linecap=\"round\" stroke-width=\"%.0f\" stroke-opacity=\"0.85\" stroke=\"", r);
    rgb(b, c);
    pbuf_puts(b, "\" d=\"");
    for (size_t i = 0; i < l->n; i++)
      if (to_px(m, l->x[i], l->y[i], &x, &y)) pbuf_printf(b, "M%.1f %.1fh0", x, y);
    pbuf_puts(b, "\"/>\n");
    break;
  }
  case PLOT_LINES: {
    int open = 0;
    double px = 0, py = 0, qx = 0, qy = 0;
    for (size_t i = 0; i <= l->n; i++) {
      int ok = i < l->n && to_px(m, l->x[i], l->y[i], &x, &y);
      if (ok && !open) {
        pbuf_printf(b, "<polyline fill=\"none\" stroke-width=\"2\"%s stroke=\"", l->dashed ? " stroke-dasharray=\"6 4\"" : "");
        rgb(b, c);
        pbuf_puts(b, "\" points=\"");
        open = 1;
        qx = px = x; qy = py = y;
      }
      if (ok) { pbuf_printf(b, "%.1f,%.1f ", x, y); qx = px; qy = py; px = x; py = y; continue; }
      if (!open) continue;
      pbuf_puts(b, "\"/>\n");
      open = 0;
      double dx = px - qx, dy = py - qy, len = hypot(dx, dy);
      if (l->arrow && len > 0) {
        double ux = dx / len, uy = dy / len, s = 9;
        pbuf_printf(b, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fz\" fill=\"", px, py,
                    px - s * ux + s * 0.5 * uy, py - s * uy - s * 0.5 * ux, px - s * ux - s * 0.5 * uy, py - s * uy + s * 0.5 * ux);
        rgb(b, c);
        pbuf_puts(b, "\"/>\n");
      }
    }
    if (l->marker)
      for (size_t i = 0; i < l->n; i++) if (to_px(m, l->x[i], l->y[i], &x, &y)) svg_marker(b, x, y, l->marker, c);
    break;
  }
  case PLOT_RECTS:
    for (size_t i = 0; i < l->n; i++) {
      if (!to_px(m, l->x[i], l->y[i], &x, &y) || !to_px(m, l->x2[i], l->y2[i], &x2, &y2)) continue;
      pbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" ", fmin(x, x2), fmin(y, y2), fabs(x2 - x), fabs(y2 - y));
      pbuf_puts(b, l->fill ? "fill=\"" : "fill=\"none\" stroke-width=\"1.5\" stroke=\"");
      rgb(b, c);
      pbuf_puts(b, "\"/>\n");
    }
    break;
  case PLOT_BAND: {
    pbuf_printf(b, "<polygon fill-opacity=\"%.2f\" stroke=\"none\" fill=\"", l->shade >= 2 ? 0.35 : 0.18);
    rgb(b, c);
    pbuf_puts(b, "\" points=\"");
    for (size_t i = 0; i < l->n; i++) if (to_px(m, l->x[i], l->y2[i], &x, &y)) pbuf_printf(b, "%.1f,%.1f ", x, y);
    for (size_t i = l->n; i-- > 0;) if (to_px(m, l->x[i], l->y[i], &x, &y)) pbuf_printf(b, "%.1f,%.1f ", x, y);
    pbuf_puts(b, "\"/>\n");
    break;
  }
  case PLOT_TEXT:
    for (size_t i = 0; i < l->n; i++)
      if (l->text[i] && to_px(m, l->x[i], l->y[i], &x, &y))
        text_el(b, x + (l->anchor < 0 ? 6 : l->anchor > 0 ? -6 : 0), y + (l->anchor == 0 ? -5 : 4), l->anchor < 0 ? "start" : l->anchor > 0 ? "end" : "middle",
                11, 0, c == PLOT_NOCOLOR ? 0x222222 : c, l->text[i], NULL);
    break;
  case PLOT_HEAT: {
    double lo, hi;
    plot_heat_range(l, &lo, &hi);
    for (size_t i = 0; i < l->hrows; i++)
      for (size_t j = 0; j < l->hcols; j++) {
        double v = l->y[i * l->hcols + j], t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
        int diag = i == j && l->cmap == CMAP_CONFUSION;
        int32_t bg = isfinite(v) ? cmap_color(l->cmap, t, diag) : 0x808080;
        if (!to_px(m, j + 0.5, i + 0.5, &x, &y) || !to_px(m, j + 1.5, i + 1.5, &x2, &y2)) continue;
        pbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"", fmin(x, x2), fmin(y, y2), fabs(x2 - x), fabs(y2 - y));
        rgb(b, bg);
        pbuf_puts(b, diag ? "\" stroke=\"#1b5e20\" stroke-width=\"2\"/>\n" : "\" stroke=\"#ffffff\" stroke-width=\"0.5\"/>\n");
        const char *ann = l->text ? l->text[i * l->hcols + j] : NULL;
        if (!ann) continue;
        int nl = 1;
        for (const char *q = ann; *q; q++) nl += *q == '\n';
        double cy = (y + y2) / 2 - (nl - 1) * 7 + 4;
        for (const char *q = ann; ; ) {
          char line[128];
          size_t len = strcspn(q, "\n");
          snprintf(line, sizeof line, "%.*s", (int)(len < 120 ? len : 120), q);
          text_el(b, (x + x2) / 2, cy, "middle", 12, diag, plot_ink_on(bg), line, NULL);
          cy += 14;
          q += len;
          if (!*q) break;
          q++;
        }
      }
    break;
  }
  case PLOT_IMAGE: {
    mlsh_image th = {0, 0, NULL};
    if (!l->img.rgb || thumb_make(&l->img, 320, &th, err)) break;
    pbuf_printf(b, "<image x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" preserveAspectRatio=\"xMidYMid meet\" href=\"",
                m->a.x, m->a.y, m->a.w, m->a.h);
    thumb_jpeg_datauri(&th, 85, b, err);
    pbuf_puts(b, "\"/>\n");
    mlsh_free(th.rgb);
    break;
  }
  }
}

/* ---- axes, legend ---- */

/* Pixels; CHARW (12px text) for titles and legends, 6.5 for 11px tick labels. */
const plot_metrics plot_svg_metrics = {
  .fig_title_h = 34, .pad_top = 8, .pad_bottom = 6, .pad_left = 8, .pad_right = 12,
  .title_h = 22, .legend_row_h = 18, .legend_key_w = 22, .legend_gap = 14, .legend_inset = 16, .legend_maxrows = 1000,
  .xlabel_h = 18, .xticks_h = 22, .ylabel_w = 18,
  .tick_char_w = 6.5, .label_char_w = CHARW, .ytick_step = 50, .xtick_step = 70,
  .ytick_gap = 8, .xtick_gap = 8, .can_turn = 1, .cbar_gap = 16, .cbar_text_dx = 18,
  .min_w = 10, .min_h = 10,
};

static void svg_grid(plot_buf *b, const plot_layout *L) {
  const plot_box *a = &L->area;
  pbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fbfbfb\" stroke=\"#cccccc\"/>\n", a->x, a->y, a->w, a->h);
  for (int i = 0; i < L->ny && !L->p->y.nnames; i++)
    pbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>\n", a->x, L->yt[i].pos, a->x + a->w, L->yt[i].pos);
  for (int i = 0; i < L->nx && !L->p->x.nnames; i++)
    if (isfinite(L->xt[i].pos))
      pbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>\n", L->xt[i].pos, a->y, L->xt[i].pos, a->y + a->h);
}

static void svg_axes(plot_buf *b, const plot_layout *L) {
  const plot_box *a = &L->area;
  const plot_panel *p = L->p;
  char tr[96];
  for (int i = 0; i < L->ny; i++)
    if (L->yt[i].shown) text_el(b, a->x - 6, L->yt[i].pos + 4, "end", 11, 0, 0x333333, L->yt[i].lab, NULL);
  double ty = L->xticks_y + 15;
  for (int i = 0; i < L->nx; i++) {
    const plot_tick *t = &L->xt[i];
    if (!t->shown) continue;
    snprintf(tr, sizeof tr, " transform=\"rotate(-30 %.1f %.1f)\"", t->pos, ty);
    text_el(b, t->turned ? t->pos : t->left + t->w / 2, ty, t->turned ? "end" : "middle", 11, 0, 0x333333, t->lab,
            t->turned ? tr : NULL);
  }
  if (L->axes && p->x.label) text_el(b, a->x + a->w / 2, L->xlabel_y + 16, "middle", 12, 0, 0x222222, p->x.label, NULL);
  if (L->yaxis && p->y.label) {
    double yx = L->ylabel_x + 12, yy = a->y + a->h / 2;
    snprintf(tr, sizeof tr, " transform=\"rotate(-90 %.1f %.1f)\"", yx, yy);
    text_el(b, yx, yy, "middle", 12, 0, 0x222222, p->y.label, tr);
  }
}

static void svg_colorbar(plot_buf *b, const plot_layout *L) {
  const plot_box *a = &L->area;
  double bx = L->cbar_x;
  int steps = 24;
  for (int i = 0; i < steps; i++) {
    pbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%.2f\" fill=\"", bx, a->y + i * a->h / steps, a->h / steps + 0.5);
    rgb(b, cmap_color(L->heat->cmap, 1 - (i + 0.5) / steps, 1));
    pbuf_puts(b, "\"/>\n");
  }
  text_el(b, bx + plot_svg_metrics.cbar_text_dx, a->y + 10, "start", 11, 0, 0x333333, L->cbar_hi, NULL);
  text_el(b, bx + plot_svg_metrics.cbar_text_dx, a->y + a->h, "start", 11, 0, 0x333333, L->cbar_lo, NULL);
}

static void svg_legend(plot_buf *b, const plot_layout *L) {
  for (int i = 0; i < L->nlegend; i++) {
    size_t k = L->legend[i].layer;
    const plot_layer *l = &L->p->layers[k];
    double lx = L->legend[i].x, ly = L->legend[i].y + 10;
    int32_t c = layer_color(L->p, k);
    if (l->kind == PLOT_LINES) {
      pbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke-width=\"2\" stroke=\"", lx, ly, lx + 16, ly);
    } else {
      pbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" rx=\"%d\"%s fill=\"", lx + 2, ly - 6,
                  l->kind == PLOT_POINTS ? 6 : 0, l->kind == PLOT_BAND ? " fill-opacity=\"0.35\"" : "");
    }
    rgb(b, c);
    pbuf_puts(b, "\"/>\n");
    text_el(b, lx + 22, ly + 4, "start", 12, 0, 0x222222, l->label, NULL);
  }
}

static void svg_panel(plot_buf *b, const plot_panel *p, plot_box pa, const char *idp, int pid, mlsh_err *err) {
  plot_layout L;
  layout_panel(&L, p, pa, &plot_svg_metrics);
  if (p->title) text_el(b, pa.x + pa.w / 2, L.title_y + 12, "middle", L.img ? 12 : 15, 1, 0x222222, p->title, NULL);
  if (!L.ok) return;
  smap m = {p, L.xlo, L.xhi, L.ylo, L.yhi, {L.area.x, L.area.y, L.area.w, L.area.h}};
  if (L.axes && !L.heat) svg_grid(b, &L);
  pbuf_printf(b, "<clipPath id=\"%sc%d\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n",
              idp, pid, m.a.x - 1, m.a.y - 1, m.a.w + 2, m.a.h + 2);
  pbuf_printf(b, "<g clip-path=\"url(#%sc%d)\">\n", idp, pid);
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < p->nlayers; k++)
      if ((p->layers[k].kind == PLOT_TEXT) == pass) svg_layer(b, &m, k, err);
  pbuf_puts(b, "</g>\n");
  svg_axes(b, &L);
  if (L.heat && p->colorbar) svg_colorbar(b, &L);
  svg_legend(b, &L);
}

int fig_svg(const plot_fig *f, int width, int height, int standalone, const char *idp, plot_buf *out, mlsh_err *err) {
  if (width <= 0) width = f->cols > 1 ? 300 * f->cols : 800;
  if (height <= 0) height = f->rows > 1 ? 280 * f->rows : 500;
  if (standalone) pbuf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  pbuf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"%s\">\n",
              width, height, width, height, FONT);
  pbuf_printf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height);
  if (f->title) text_el(out, width / 2.0, 24, "middle", 18, 1, 0x111111, f->title, NULL);
  for (int r = 0; r < f->rows; r++)
    for (int k = 0; k < f->cols; k++) {
      plot_box pa = layout_grid_cell(f, &plot_svg_metrics, width, height, r, k);
      const plot_panel *p = &f->panels[r * f->cols + k];
      if (f->rows * f->cols > 1 && p->nlayers == 0 && !p->title) continue;   /* a grid's unused cells */
      svg_panel(out, p, pa, idp ? idp : "", r * f->cols + k, err);
    }
  pbuf_puts(out, "</svg>\n");
  if (out->failed) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the SVG");
  return MLSH_OK;
}
