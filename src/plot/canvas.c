/* canvas.c - terminal cells, braille dots and text rendering. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "canvas.h"
#include "../core/alloc.h"

/* ---- byte buffer ---- */

void pbuf_utf8(plot_buf *b, uint32_t cp) {
  char s[4];
  if (cp < 0x80) { s[0] = (char)cp; pbuf_add(b, s, 1); }
  else if (cp < 0x800) { s[0] = (char)(0xC0 | cp >> 6); s[1] = (char)(0x80 | (cp & 0x3F)); pbuf_add(b, s, 2); }
  else if (cp < 0x10000) {
    s[0] = (char)(0xE0 | cp >> 12); s[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); s[2] = (char)(0x80 | (cp & 0x3F));
    pbuf_add(b, s, 3);
  } else {
    s[0] = (char)(0xF0 | cp >> 18); s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    s[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); s[3] = (char)(0x80 | (cp & 0x3F));
    pbuf_add(b, s, 4);
  }
}

/* XML/HTML text: escapes markup and replaces what XML forbids (controls, bad UTF-8). */
void pbuf_xml(plot_buf *b, const char *s) {
  uint32_t cp;
  while (*s) {
    int n = utf8_decode(s, &cp);
    if (cp == '&') pbuf_puts(b, "&amp;");
    else if (cp == '<') pbuf_puts(b, "&lt;");
    else if (cp == '>') pbuf_puts(b, "&gt;");
    else if (cp == '"') pbuf_puts(b, "&quot;");
    else if (cp < 0x20 || cp == 0xFFFD || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) pbuf_puts(b, "?");
    else pbuf_add(b, s, (size_t)n);
    s += n;
  }
}

/* ---- UTF-8 ---- */

int utf8_decode(const char *str, uint32_t *cp) {
  const unsigned char *p = (const unsigned char *)str;
  unsigned c = p[0];
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0) { *cp = 0xFFFD; return 1; }
  uint32_t v = len == 1 ? c : c & (0x3Fu >> (len - 1));
  for (int i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80) { *cp = 0xFFFD; return i; }
    v = (v << 6) | (p[i] & 0x3F);
  }
  *cp = v;
  return len;
}

int cp_width(uint32_t cp) {
  if (cp < 0x20) return 0;
  if (cp < 0x7F) return 1;
  int w = wcwidth((wchar_t)cp);
  if (w >= 0) return w;
  /* The C locale knows no widths: fall back to the East Asian wide ranges. */
  if ((cp >= 0x300 && cp < 0x370) || (cp >= 0x200B && cp <= 0x200F)) return 0;
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
      (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

int text_width(const char *s) {
  int w = 0;
  uint32_t cp;
  while (*s) { s += utf8_decode(s, &cp); w += cp_width(cp); }
  return w;
}

size_t text_fit(const char *s, int w) {
  const char *p = s;
  uint32_t cp;
  int used = 0;
  while (*p) {
    int n = utf8_decode(p, &cp), cw = cp_width(cp);
    if (used + cw > w) break;
    used += cw;
    p += n;
  }
  return (size_t)(p - s);
}

uint32_t cp_ascii(uint32_t cp) {
  if (cp < 0x80) return cp;
  if (cp >= 0x2800 && cp <= 0x28FF) {
    unsigned bits = cp - 0x2800, up = bits & 0x1B, lo = bits & 0xE4;
    return up && lo ? ':' : up ? '\'' : lo ? '.' : ' ';
  }
  switch (cp) {
  case 0x2500: case 0x254C: case 0x2504: case 0x2574: case 0x2576: return '-';
  case 0x2502: case 0x254E: case 0x2506: return '|';
  case 0x2591: return '.';
  case 0x2592: return ':';
  case 0x2580: return '"';
  case 0x2022: return '*';
  case 0x25CF: case 0x25CB: return 'o';
  case 0x00D7: case 0x2716: return 'x';
  case 0x25C6: case 0x2605: return '*';
  case 0x25B2: case 0x2191: return '^';
  case 0x25BC: case 0x2193: return 'v';
  case 0x2192: return '>';
  case 0x2190: return '<';
  case 0x2197: case 0x2199: return '/';
  case 0x2196: case 0x2198: return '\\';
  case 0x2026: return '.';
  }
  if (cp >= 0x250C && cp <= 0x254B) return '+';
  if (cp >= 0x2581 && cp <= 0x2584) return cp >= 0x2583 ? '=' : '_';
  if (cp >= 0x2585 && cp <= 0x2590) return '#';
  if (cp == 0x2593 || cp == 0x2588) return '#';
  return '?';
}

/* ---- canvas ---- */

int canvas_init(plot_canvas *c, int w, int h, mlsh_err *err) {
  c->w = c->h = 0;
  c->cells = NULL;
  if (w < 1 || h < 1 || w > 10000 || h > 10000)
    return mlsh_seterr(err, MLSH_EINVAL, "canvas size %dx%d out of range", w, h);
  c->cells = mlsh_calloc((size_t)w * (size_t)h, sizeof *c->cells);
  if (!c->cells) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for a %dx%d canvas", w, h);
  for (size_t i = 0; i < (size_t)w * (size_t)h; i++) c->cells[i].fg = c->cells[i].bg = PLOT_NOCOLOR;
  c->w = w;
  c->h = h;
  return MLSH_OK;
}

void canvas_free(plot_canvas *c) {
  mlsh_free(c->cells);
  c->cells = NULL;
  c->w = c->h = 0;
}

plot_cell *canvas_at(plot_canvas *c, int x, int y) {
  if (x < 0 || y < 0 || x >= c->w || y >= c->h) return NULL;
  return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

void canvas_put(plot_canvas *c, int x, int y, uint32_t ch, int32_t fg) {
  plot_cell *p = canvas_at(c, x, y);
  if (!p) return;
  p->ch = ch;
  p->fg = fg;
  p->bold = 0;
  p->text = 0;
}

int canvas_text(plot_canvas *c, int x, int y, const char *s, int32_t fg, int maxw) {
  if (maxw <= 0) maxw = c->w - x;
  int used = 0;
  uint32_t cp;
  while (*s) {
    s += utf8_decode(s, &cp);
    int cw = cp_width(cp);
    if (cw == 0) continue;  /* combining marks are dropped: one cell, one character */
    if (used + cw > maxw) break;
    canvas_put(c, x + used, y, cp, fg);
    if (cw == 2) canvas_put(c, x + used + 1, y, PLOT_WIDE_TAIL, fg);
    for (int k = 0; k < cw; k++) { plot_cell *p = canvas_at(c, x + used + k, y); if (p) p->text = 1; }
    used += cw;
  }
  return used;
}

void canvas_dot(plot_canvas *c, int px, int py, int32_t fg) {
  static const uint8_t bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
  if (px < 0 || py < 0) return;
  plot_cell *p = canvas_at(c, px / 2, py / 4);
  if (!p) return;
  if (p->ch < 0x2800 || p->ch > 0x28FF) p->ch = 0x2800;
  p->ch |= bit[py % 4][px % 2];
  if (fg != PLOT_NOCOLOR || p->fg == PLOT_NOCOLOR) p->fg = fg;
}

void canvas_line(plot_canvas *c, int x0, int y0, int x1, int y1, int32_t fg, int dashed) {
  int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
  int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
  int e = dx + dy, k = 0;
  /* Clip absurd lengths (points far off the canvas) to keep this bounded. */
  if (dx > 40000 || -dy > 40000) return;
  for (;;) {
    if (!dashed || (k++ / 3) % 2 == 0) canvas_dot(c, x0, y0, fg);
    if (x0 == x1 && y0 == y1) break;
    int e2 = 2 * e;
    if (e2 >= dy) { e += dy; x0 += sx; }
    if (e2 <= dx) { e += dx; y0 += sy; }
  }
}

/* ---- rendering ---- */

int rgb_to_256(int32_t rgb) {
  int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
  static const int lv[6] = {0, 95, 135, 175, 215, 255};
  int ir = 0, ig = 0, ib = 0;
  for (int i = 1; i < 6; i++) {
    if (abs(lv[i] - r) < abs(lv[ir] - r)) ir = i;
    if (abs(lv[i] - g) < abs(lv[ig] - g)) ig = i;
    if (abs(lv[i] - b) < abs(lv[ib] - b)) ib = i;
  }
  int cube = 16 + 36 * ir + 6 * ig + ib;
  int dc = (lv[ir] - r) * (lv[ir] - r) + (lv[ig] - g) * (lv[ig] - g) + (lv[ib] - b) * (lv[ib] - b);
  int avg = (r + g + b) / 3, gi = avg < 8 ? 0 : avg > 238 ? 23 : (avg - 8) / 10;
  int gv = 8 + 10 * gi;
  int dg = (gv - r) * (gv - r) + (gv - g) * (gv - g) + (gv - b) * (gv - b);
  return dg < dc ? 232 + gi : cube;
}

static void sgr_color(plot_buf *b, int bg, int32_t rgb, int mode) {
  if (rgb == PLOT_NOCOLOR) { pbuf_puts(b, bg ? "\x1b[49m" : "\x1b[39m"); return; }
  if (mode == 2)
    pbuf_printf(b, "\x1b[%d;2;%d;%d;%dm", bg ? 48 : 38, (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255);
  else
    pbuf_printf(b, "\x1b[%d;5;%dm", bg ? 48 : 38, rgb_to_256(rgb));
}

void canvas_render(const plot_canvas *c, plot_style st, plot_buf *out) {
  for (int y = 0; y < c->h; y++) {
    const plot_cell *row = &c->cells[(size_t)y * (size_t)c->w];
    int end = c->w;
    while (end > 0 && row[end - 1].ch == 0 && (st.color == 0 || row[end - 1].bg == PLOT_NOCOLOR)) end--;
    int32_t fg = PLOT_NOCOLOR, bg = PLOT_NOCOLOR;
    int bold = 0;
    for (int x = 0; x < end; x++) {
      const plot_cell *p = &row[x];
      if (p->ch == PLOT_WIDE_TAIL) continue;
      if (st.color) {
        if (p->bold != bold) { pbuf_puts(out, p->bold ? "\x1b[1m" : "\x1b[22m"); bold = p->bold; }
        if (p->fg != fg) { sgr_color(out, 0, p->fg, st.color); fg = p->fg; }
        if (p->bg != bg) { sgr_color(out, 1, p->bg, st.color); bg = p->bg; }
      }
      uint32_t ch = p->ch ? p->ch : ' ';
      if (!st.unicode) ch = cp_ascii(ch);
      pbuf_utf8(out, ch);
    }
    if (st.color && (fg != PLOT_NOCOLOR || bg != PLOT_NOCOLOR || bold)) pbuf_puts(out, "\x1b[0m");
    pbuf_add(out, "\n", 1);
  }
}
