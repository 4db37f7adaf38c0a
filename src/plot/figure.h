/* figure.h - the chart model shared by every output: a figure is a grid
 * of panels; a panel has two axes and a list of layers in data
 * coordinates (points, polylines, rectangles, bands, text, a heat map,
 * an image). The terminal renderer (render.c), the SVG writer (svg.c)
 * and the dashboard (dash.c) all draw from this one description. */
#ifndef MLSH_PLOT_FIGURE_H
#define MLSH_PLOT_FIGURE_H
#include <stddef.h>
#include <stdint.h>
#include "canvas.h"
#include "../core/error.h"
#include "../image/image.h"

typedef enum {
  PLOT_POINTS,   /* x, y; marker 0 = braille dot / small circle */
  PLOT_LINES,    /* polyline through x, y; NaN breaks it; arrow heads at each piece's end */
  PLOT_RECTS,    /* x..x2 by y..y2 */
  PLOT_BAND,     /* filled area between y (low) and y2 (high) along x */
  PLOT_TEXT,     /* text[i] at (x, y) */
  PLOT_HEAT,     /* heat map of `heat` (rows top to bottom), cells at 1..cols x 1..rows */
  PLOT_IMAGE     /* an RGB image filling the panel */
} plot_kind;

typedef enum { CMAP_SEQ, CMAP_DIV, CMAP_CONFUSION } plot_cmap;

typedef struct plot_layer {
  plot_kind kind;
  size_t n;
  double *x, *y, *x2, *y2;
  char **text;          /* PLOT_TEXT labels; PLOT_HEAT cell annotations (rows*cols, may be NULL) */
  int32_t color;        /* 0xRRGGBB, or PLOT_NOCOLOR for the palette colour */
  uint32_t marker;      /* code point for points, 0 = dot */
  int dashed, arrow, fill, horizontal, anchor; /* anchor: -1 left, 0 centre, 1 right */
  int shade;            /* bands: 1 light, 2 medium */
  char *label;          /* legend entry, NULL = none */
  size_t hrows, hcols;  /* heat map shape; values in y (row-major) */
  double vmin, vmax;
  plot_cmap cmap;
  mlsh_image img;
} plot_layer;

typedef struct plot_axis {
  double lo, hi;        /* NaN = from the data */
  int log, reverse, hidden;
  char *label;
  char **names;         /* category names at 1..nnames (bars, heat maps) */
  size_t nnames;
} plot_axis;

typedef struct plot_panel {
  char *title;
  plot_axis x, y;
  int equal;            /* same scale on both axes (cells are twice as tall as wide) */
  int colorbar;
  plot_layer *layers;
  size_t nlayers, cap;
} plot_panel;

typedef struct plot_fig {
  char *title;
  int rows, cols;       /* panel grid */
  plot_panel *panels;   /* rows*cols, row-major */
  int width, height;    /* requested size in cells, 0 = terminal */
} plot_fig;

int fig_new(plot_fig **out, int rows, int cols, mlsh_err *err);
void fig_free(plot_fig *f);
/* Append a layer to panel p; the returned layer is zeroed with n values
 * allocated for the arrays named in `arrays` ("xy", "xyx2y2", "xyy2"...). */
plot_layer *fig_add_layer(plot_fig *f, int p, plot_kind kind, size_t n, const char *arrays, mlsh_err *err);
/* strdup through mlsh_malloc (NULL in, NULL out; *failed set on OOM). */
char *plot_strdup(const char *s, int *failed);
int plot_set_str(char **dst, const char *s, mlsh_err *err);
int plot_set_names(plot_axis *a, const char *const *names, size_t n, mlsh_err *err);

/* Data range of an axis after autoscaling (padding, zero-width, log). */
void panel_range(const plot_panel *p, int yaxis, double *lo, double *hi);
/* Position of v in [0, 1] along an axis with range lo..hi (NaN when unplottable). */
double axis_frac(const plot_axis *a, double lo, double hi, double v);

/* Ticks: up to maxn "nice" values (1-2-5 steps) inside lo..hi; returns the
 * count and the step. Log axes get powers of ten (and 2, 5 when few). */
int nice_ticks(double lo, double hi, int maxn, int log, double *out, double *step);
/* A tick label for v with the precision implied by step. */
void tick_label(char *buf, size_t size, double v, double step, int log);

/* Colours: the categorical palette, parsing "#rrggbb"/names, colour maps. */
int32_t plot_palette(int i);
int plot_parse_color(const char *s, int32_t *rgb);
int32_t cmap_color(plot_cmap m, double t, int diagonal);
/* The colour a layer is drawn in (palette by series when unset), and its
 * marker glyph (0 = dot) for the given colour mode. */
int32_t layer_color(const plot_panel *p, size_t k);
uint32_t layer_marker(const plot_panel *p, size_t k, int color);

/* Terminal output of a figure at w x h cells (cells hold the colours;
 * canvas_render chooses what to print). */
int fig_draw(const plot_fig *f, plot_canvas *c, plot_style st, mlsh_err *err);
/* Convenience: draw and render to text. */
int fig_render_text(const plot_fig *f, int w, int h, plot_style st, plot_buf *out, mlsh_err *err);
/* SVG of the figure (width x height pixels, 0 = default). standalone adds
 * the XML declaration; idprefix keeps clip-path ids unique when several
 * SVGs share one HTML page. */
int fig_svg(const plot_fig *f, int width, int height, int standalone, const char *idprefix, plot_buf *out, mlsh_err *err);

#endif
