/* svg.c - a figure as a real vector SVG: the same layout as the terminal
 * (title, axes with nice ticks and a light grid, legend under the chart,
 * colour bar beside heat maps) in pixels, with text as <text>. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "figure.h"
#include "thumb.h"
#include "../core/alloc.h"

#define FONT "DejaVu Sans, Helvetica, Arial, sans-serif"
#define CHARW 7.0      /* estimated width of a 12px character */
#define MAXT 64

typedef struct sbox { double x, y, w, h; } sbox;

typedef struct smap {
  const plot_panel *p;
  double xlo, xhi, ylo, yhi;
  sbox a;
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

static double heat_lo_hi(const plot_layer *l, double *hi) {
  double lo = l->vmin, h = l->vmax, a = INFINITY, z = -INFINITY;
  for (size_t i = 0; i < l->hrows * l->hcols; i++)
    if (isfinite(l->y[i])) { a = fmin(a, l->y[i]); z = fmax(z, l->y[i]); }
  if (!isfinite(lo)) lo = isfinite(a) ? a : 0;
  if (!isfinite(h)) h = isfinite(z) ? z : 1;
  *hi = h;
  return lo;
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
    double hi, lo = heat_lo_hi(l, &hi);
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
        double lum = 0.299 * ((bg >> 16) & 255) + 0.587 * ((bg >> 8) & 255) + 0.114 * (bg & 255);
        int nl = 1;
        for (const char *q = ann; *q; q++) nl += *q == '\n';
        double cy = (y + y2) / 2 - (nl - 1) * 7 + 4;
        for (const char *q = ann; ; ) {
          char line[128];
          size_t len = strcspn(q, "\n");
          snprintf(line, sizeof line, "%.*s", (int)(len < 120 ? len : 120), q);
          text_el(b, (x + x2) / 2, cy, "middle", 12, diag, lum > 140 ? 0x000000 : 0xFFFFFF, line, NULL);
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

/* ---- layout ---- */

static int svg_ticks(const plot_axis *a, double lo, double hi, int maxn, double *v, char lab[][64]) {
  if (a->nnames) {
    int n = 0;
    size_t stride = (a->nnames + MAXT - 1) / MAXT;
    for (size_t k = 1; k <= a->nnames && n < MAXT; k += stride)
      if (k >= lo && k <= hi) { v[n] = (double)k; snprintf(lab[n], 64, "%s", a->names[k - 1]); n++; }
    return n;
  }
  double step;
  int n = nice_ticks(lo, hi, maxn, a->log, v, &step);
  for (int i = 0; i < n; i++) tick_label(lab[i], 64, v[i], step, a->log);
  return n;
}

static double est_w(const char *s, double charw) { return text_width(s) * charw; }

static void svg_panel(plot_buf *b, const plot_panel *p, sbox pa, const char *idp, int pid, mlsh_err *err) {
  const plot_layer *heat = NULL, *img = NULL;
  for (size_t k = 0; k < p->nlayers; k++) {
    if (p->layers[k].kind == PLOT_HEAT && !heat) heat = &p->layers[k];
    if (p->layers[k].kind == PLOT_IMAGE && !img) img = &p->layers[k];
  }
  double top = pa.y + 8, bottom = pa.y + pa.h - 6, left = pa.x + 8, right = pa.x + pa.w - 12;
  if (p->title) { text_el(b, pa.x + pa.w / 2, top + 12, "middle", img ? 12 : 15, 1, 0x222222, p->title, NULL); top += 22; }
  int axes = !img, xaxis = axes && !p->x.hidden, yaxis = axes && !p->y.hidden;
  /* legend rows */
  int nleg = 0;
  double lx = 0;
  int legrows = 0;
  for (size_t k = 0; k < p->nlayers; k++) {
    if (!p->layers[k].label) continue;
    double w = 22 + est_w(p->layers[k].label, CHARW);
    if (nleg == 0 || lx + w > pa.w - 16) { legrows++; lx = 0; }
    lx += w + 14;
    nleg++;
  }
  bottom -= legrows * 18;
  double legy = bottom + 4;
  if (axes && p->x.label) bottom -= 18;
  double xlaby = bottom + 12;
  if (xaxis) bottom -= 22;
  if (yaxis && p->y.label) left += 18;
  smap m;
  m.p = p;
  panel_range(p, 0, &m.xlo, &m.xhi);
  panel_range(p, 1, &m.ylo, &m.yhi);
  double yv[MAXT], xv[MAXT];
  char ylab[MAXT][64], xlab[MAXT][64];
  int ny = yaxis ? svg_ticks(&p->y, m.ylo, m.yhi, (int)fmax(2, (bottom - top) / 50), yv, ylab) : 0;
  double ylw = 0;
  for (int i = 0; i < ny; i++) ylw = fmax(ylw, est_w(ylab[i], 6.5));
  ylw = fmin(ylw, pa.w / 3);
  if (yaxis) left += ylw + 8;
  if (heat && p->colorbar) right -= 70;
  m.a.x = left; m.a.y = top; m.a.w = right - left; m.a.h = bottom - top;
  if (m.a.w < 10 || m.a.h < 10) return;
  if (p->equal && !p->x.log && !p->y.log) {
    double ux = (m.xhi - m.xlo) / m.a.w, uy = (m.yhi - m.ylo) / m.a.h;
    if (ux > uy) { double c = (m.ylo + m.yhi) / 2; m.ylo = c - ux * m.a.h / 2; m.yhi = c + ux * m.a.h / 2; }
    else { double c = (m.xlo + m.xhi) / 2; m.xlo = c - uy * m.a.w / 2; m.xhi = c + uy * m.a.w / 2; }
    ny = svg_ticks(&p->y, m.ylo, m.yhi, (int)fmax(2, m.a.h / 50), yv, ylab);
  }
  int nx = 0;
  if (xaxis) {
    double maxw = 0;
    for (int maxn = (int)fmax(2, m.a.w / 70); ; maxn--) {
      nx = svg_ticks(&p->x, m.xlo, m.xhi, maxn, xv, xlab);
      maxw = 0;
      for (int i = 0; i < nx; i++) maxw = fmax(maxw, est_w(xlab[i], 6.5) + 8);
      if (p->x.nnames || maxn <= 2 || nx * maxw <= m.a.w) break;
    }
  }
  double x, y;
  /* grid and axes */
  if (axes && !heat) {
    pbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fbfbfb\" stroke=\"#cccccc\"/>\n", m.a.x, m.a.y, m.a.w, m.a.h);
    for (int i = 0; i < ny; i++)
      if (to_px(&m, m.xlo, yv[i], &x, &y) && !p->y.nnames)
        pbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>\n", m.a.x, y, m.a.x + m.a.w, y);
    for (int i = 0; i < nx; i++)
      if (to_px(&m, xv[i], m.ylo, &x, &y) && !p->x.nnames)
        pbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>\n", x, m.a.y, x, m.a.y + m.a.h);
  }
  pbuf_printf(b, "<clipPath id=\"%sc%d\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n",
              idp, pid, m.a.x - 1, m.a.y - 1, m.a.w + 2, m.a.h + 2);
  pbuf_printf(b, "<g clip-path=\"url(#%sc%d)\">\n", idp, pid);
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < p->nlayers; k++)
      if ((p->layers[k].kind == PLOT_TEXT) == pass) svg_layer(b, &m, k, err);
  pbuf_puts(b, "</g>\n");
  for (int i = 0; i < ny; i++) {
    double fy = axis_frac(&p->y, m.ylo, m.yhi, yv[i]);
    if (!isfinite(fy)) continue;
    y = m.a.y + (1 - fy) * m.a.h;
    text_el(b, m.a.x - 6, y + 4, "end", 11, 0, 0x333333, ylab[i], NULL);
  }
  for (int i = 0; i < nx; i++) {
    double fx = axis_frac(&p->x, m.xlo, m.xhi, xv[i]);
    if (!isfinite(fx)) continue;
    x = m.a.x + fx * m.a.w;
    int rot = p->x.nnames && nx > 1 && est_w(xlab[i], 6.5) > m.a.w / nx;
    char tr[96];
    snprintf(tr, sizeof tr, " transform=\"rotate(-30 %.1f %.1f)\"", x, m.a.y + m.a.h + 15);
    text_el(b, x, m.a.y + m.a.h + 15, rot ? "end" : "middle", 11, 0, 0x333333, xlab[i], rot ? tr : NULL);
  }
  if (axes && p->x.label) text_el(b, m.a.x + m.a.w / 2, xlaby + 4, "middle", 12, 0, 0x222222, p->x.label, NULL);
  if (yaxis && p->y.label) {
    char tr[96];
    double yx = pa.x + 20, yy = m.a.y + m.a.h / 2;
    snprintf(tr, sizeof tr, " transform=\"rotate(-90 %.1f %.1f)\"", yx, yy);
    text_el(b, yx, yy, "middle", 12, 0, 0x222222, p->y.label, tr);
  }
  if (heat && p->colorbar) {
    double hi, lo = heat_lo_hi(heat, &hi), bx = m.a.x + m.a.w + 16;
    char lab[64];
    int steps = 24;
    for (int i = 0; i < steps; i++) {
      pbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%.2f\" fill=\"", bx, m.a.y + i * m.a.h / steps, m.a.h / steps + 0.5);
      rgb(b, cmap_color(heat->cmap, 1 - (i + 0.5) / steps, 1));
      pbuf_puts(b, "\"/>\n");
    }
    tick_label(lab, sizeof lab, hi, fabs(hi - lo) / 10, 0);
    text_el(b, bx + 18, m.a.y + 10, "start", 11, 0, 0x333333, lab, NULL);
    tick_label(lab, sizeof lab, lo, fabs(hi - lo) / 10, 0);
    text_el(b, bx + 18, m.a.y + m.a.h, "start", 11, 0, 0x333333, lab, NULL);
  }
  /* legend */
  lx = pa.x + 16;
  int row = 0, first = 1;
  for (size_t k = 0; k < p->nlayers; k++) {
    const plot_layer *l = &p->layers[k];
    if (!l->label) continue;
    double w = 22 + est_w(l->label, CHARW);
    if (!first && lx + w > pa.x + pa.w - 16) { lx = pa.x + 16; row++; }
    first = 0;
    double ly = legy + row * 18 + 6;
    int32_t c = layer_color(p, k);
    if (l->kind == PLOT_LINES) {
      pbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke-width=\"2\" stroke=\"", lx, ly, lx + 16, ly);
      rgb(b, c);
      pbuf_puts(b, "\"/>\n");
    } else {
      pbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" rx=\"%d\"%s fill=\"", lx + 2, ly - 6,
                  l->kind == PLOT_POINTS ? 6 : 0, l->kind == PLOT_BAND ? " fill-opacity=\"0.35\"" : "");
      rgb(b, c);
      pbuf_puts(b, "\"/>\n");
    }
    text_el(b, lx + 22, ly + 4, "start", 12, 0, 0x222222, l->label, NULL);
    lx += w + 14;
  }
}

int fig_svg(const plot_fig *f, int width, int height, int standalone, const char *idp, plot_buf *out, mlsh_err *err) {
  if (width <= 0) width = f->cols > 1 ? 300 * f->cols : 800;
  if (height <= 0) height = f->rows > 1 ? 280 * f->rows : 500;
  if (standalone) pbuf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  pbuf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"%s\">\n",
              width, height, width, height, FONT);
  pbuf_printf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height);
  double top = 0;
  if (f->title) { text_el(out, width / 2.0, 24, "middle", 18, 1, 0x111111, f->title, NULL); top = 34; }
  double H = height - top;
  for (int r = 0; r < f->rows; r++)
    for (int k = 0; k < f->cols; k++) {
      sbox pa = {(double)k * width / f->cols, top + r * H / f->rows, (double)width / f->cols, H / f->rows};
      const plot_panel *p = &f->panels[r * f->cols + k];
      if (f->rows * f->cols > 1 && p->nlayers == 0 && !p->title) continue;   /* a grid's unused cells */
      svg_panel(out, p, pa, idp ? idp : "", r * f->cols + k, err);
    }
  pbuf_puts(out, "</svg>\n");
  if (out->failed) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the SVG");
  return MLSH_OK;
}
