/* layout.h - where everything of a figure goes, computed once for every
 * back end: the panel grid, and in each panel the title, legend, axis
 * labels, tick values and their positions, the plot area, the colour bar.
 * The terminal (render.c, units = cells) and SVG (svg.c, units = pixels)
 * differ only in the sizes they pass in plot_metrics; they then just draw. */
#ifndef MLSH_PLOT_LAYOUT_H
#define MLSH_PLOT_LAYOUT_H
#include "figure.h"

#define LAYOUT_MAXTICKS 64
#define LAYOUT_MAXLEGEND 64

typedef struct plot_box { double x, y, w, h; } plot_box;

/* The sizes of a back end, in its units. */
typedef struct plot_metrics {
  int dots_x, dots_y;          /* terminal: braille dots per cell (2, 4), positions snap to cells;
                                  0: continuous units (SVG pixels) */
  double fig_title_h, col_gap;                     /* figure title band, gap between grid columns */
  double pad_top, pad_bottom, pad_left, pad_right; /* inside each panel */
  double title_h;                                  /* panel title band */
  double legend_row_h, legend_key_w, legend_gap, legend_inset;
  int legend_maxrows;
  double xlabel_h, xticks_h, axis_line_h;          /* bands under the plot area */
  double ylabel_h, ylabel_w;                       /* y axis title: a band above, or a column at the left */
  double tick_char_w, label_char_w;                /* text width per column: tick labels, legend */
  double ytick_step, ytick_bias, xtick_step;       /* at most h / step + bias y ticks, w / step x ticks */
  double ytick_gap, xtick_gap, min_room;           /* label column to plot; between x labels; category room */
  int can_turn;                                    /* category names wider than their spacing are turned
                                                      (SVG); else they are cut to the room (terminal) */
  double cbar_gap, cbar_text_dx;                   /* colour bar: from the plot area, its labels from the bar */
  double min_w, min_h, min_panel_w;                /* smallest plot area (and panel) worth drawing */
} plot_metrics;

typedef struct plot_tick {
  double v;          /* data value */
  double pos;        /* position along the axis (cell index on a terminal) */
  double left;       /* x labels: left edge of the label, kept inside the panel */
  double w;          /* label width as placed (categories: at most the room) */
  int shown;         /* 0: would collide with the previous label */
  int turned;        /* a category name turned to fit (anchored at its end on pos) */
  char lab[64];
} plot_tick;

typedef struct plot_legend_item { size_t layer; double x, y; } plot_legend_item;

typedef struct plot_layout {
  const plot_panel *p;
  const plot_layer *heat, *img;  /* the first heat map / image layer, or NULL */
  int axes, xaxis, yaxis;
  int ok;                        /* the plot area is large enough to draw */
  plot_box panel, area;          /* the panel's box; the plot area */
  double title_y;                /* top of the title band */
  double xlo, xhi, ylo, yhi;     /* axis ranges (equal scaling applied) */
  double xlabel_y, xticks_y;     /* tops of the x axis title and tick label bands */
  double ylabel_x, ylabel_y;     /* y axis title: left edge, top of its band */
  double ylw;                    /* width of the y tick label column */
  double xroom;                  /* categories: room for one label (wider ones are cut, or turned) */
  int nx, ny;
  plot_tick xt[LAYOUT_MAXTICKS], yt[LAYOUT_MAXTICKS];
  int nlegend, legend_rows;
  plot_legend_item legend[LAYOUT_MAXLEGEND];
  double cbar_x;                 /* left of the colour bar (when heat && p->colorbar) */
  double heat_lo, heat_hi;
  char cbar_lo[64], cbar_hi[64];
} plot_layout;

/* The back ends' sizes (render.c, svg.c). */
extern const plot_metrics plot_term_metrics, plot_svg_metrics;

/* The box of grid cell (r, k) of a figure drawn in W x H units. */
plot_box layout_grid_cell(const plot_fig *f, const plot_metrics *m, double W, double H, int r, int k);
/* Lay out panel p in box pa. */
void layout_panel(plot_layout *L, const plot_panel *p, plot_box pa, const plot_metrics *m);
/* Position of a data value along the x or y axis of L->area (the cell
 * holding its dot on a terminal). */
double layout_xpos(const plot_layout *L, const plot_metrics *m, double v);
double layout_ypos(const plot_layout *L, const plot_metrics *m, double v);
/* Cells [*p0, *p1] covered by the data interval [v0, v1] along an axis of n
 * cells (from_top: counted from the top, as rows are). */
void layout_span_cells(const plot_axis *ax, double lo, double hi, double v0, double v1, int n, int from_top, int *p0, int *p1);

/* Colour range of a heat map: vmin/vmax, or the finite data's. */
void plot_heat_range(const plot_layer *l, double *lo, double *hi);
/* Black or white, whichever reads on background bg. */
int32_t plot_ink_on(int32_t bg);

#endif
