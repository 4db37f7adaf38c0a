/* dash.h - several charts as tabs: the full-screen ncurses viewer and the
 * self-contained HTML report (inline SVG per tab, a few lines of JS). */
#ifndef MLSH_PLOT_DASH_H
#define MLSH_PLOT_DASH_H
#include "figure.h"

typedef struct plot_dash {
  const char *title;
  int ntabs;
  const char *const *names;
  const plot_fig *const *figs;
} plot_dash;

/* The interactive viewer on the controlling terminal (stdin/stdout must be
 * a tty). Keys: Left/Right/Tab/1-9 switch tabs, s saves the tab as SVG,
 * ? help, q/Esc quit. The terminal is restored on every exit path,
 * including Ctrl-C (returns MLSH_EINTR). */
int dash_show(const plot_dash *d, mlsh_err *err);
/* Every tab rendered as text, one after the other (for pipes). */
int dash_text(const plot_dash *d, int w, int h, plot_style st, plot_buf *out, mlsh_err *err);
/* One self-contained HTML file. */
int dash_html(const plot_dash *d, plot_buf *out, mlsh_err *err);
/* File name for saving tab i as SVG: "<title>-<tab>.svg", sanitised. */
void dash_svg_name(const plot_dash *d, int i, char *buf, size_t size);

#endif
