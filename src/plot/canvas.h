/* canvas.h - a grid of terminal cells that charts draw on: text, braille
 * dots (2x4 per cell), block characters and colours, rendered to a string
 * with ANSI colours (256 or truecolor), plain UTF-8, or pure ASCII. The
 * ncurses dashboard reads the same cells. */
#ifndef MLSH_PLOT_CANVAS_H
#define MLSH_PLOT_CANVAS_H
#include <stddef.h>
#include <stdint.h>
#include "../core/buf.h"
#include "../core/error.h"

#define PLOT_NOCOLOR (-1)     /* default foreground/background */
#define PLOT_WIDE_TAIL 0xFFFFFFFFu  /* right half of a double-width character */

typedef struct plot_cell {
  uint32_t ch;       /* code point; 0 = blank; 0x2800..0x28FF braille */
  int32_t fg, bg;    /* 0xRRGGBB or PLOT_NOCOLOR */
  uint8_t bold;
  uint8_t text;      /* part of a text label (labels avoid each other) */
} plot_cell;

typedef struct plot_canvas {
  int w, h;
  plot_cell *cells;
} plot_canvas;

/* Output modes: colour 0 none / 1 xterm-256 / 2 truecolor; unicode 0 = ASCII. */
typedef struct plot_style {
  int color;
  int unicode;
} plot_style;

/* Renderers append to a core growable buffer (src/core/buf.h); the pbuf_
 * names are its short plot-side spellings. */
typedef mlsh_buf plot_buf;
#define pbuf_add(b, p, n) mlsh_buf_add((b), (p), (n))
#define pbuf_puts(b, s) mlsh_buf_puts((b), (s))
#define pbuf_printf mlsh_buf_printf
#define pbuf_free(b) mlsh_buf_free(b)

void pbuf_utf8(plot_buf *b, uint32_t cp);
void pbuf_xml(plot_buf *b, const char *s);   /* escaped for XML/HTML text */

int canvas_init(plot_canvas *c, int w, int h, mlsh_err *err);
void canvas_free(plot_canvas *c);
plot_cell *canvas_at(plot_canvas *c, int x, int y);   /* NULL outside */
void canvas_put(plot_canvas *c, int x, int y, uint32_t ch, int32_t fg);
/* Text at (x, y), at most maxw cells (<= 0: to the right edge); wide
 * characters take two cells. Returns the cells used. */
int canvas_text(plot_canvas *c, int x, int y, const char *s, int32_t fg, int maxw);
/* Braille dots: (px, py) in dot units, 2w x 4h. A dot turns a non-braille
 * cell into braille (lines drawn over shading win). */
void canvas_dot(plot_canvas *c, int px, int py, int32_t fg);
void canvas_line(plot_canvas *c, int x0, int y0, int x1, int y1, int32_t fg, int dashed);

/* Decode one UTF-8 sequence; returns bytes used (>= 1), *cp = U+FFFD on bad input. */
int utf8_decode(const char *s, uint32_t *cp);
int cp_width(uint32_t cp);
/* Display width of UTF-8 text, and the byte length of its longest prefix of width <= w. */
int text_width(const char *s);
size_t text_fit(const char *s, int w);
/* The ASCII stand-in for a code point (braille by its dots, boxes, blocks). */
uint32_t cp_ascii(uint32_t cp);

/* Render to text: one line per row, trailing blanks trimmed, "\n" ends each line. */
void canvas_render(const plot_canvas *c, plot_style st, plot_buf *out);
/* xterm-256 index nearest to an RGB colour. */
int rgb_to_256(int32_t rgb);

#endif
