/* dash.c - tabs of charts: the ncurses viewer, plain-text output for pipes
 * and the self-contained HTML report. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <ctype.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <sys/ioctl.h>
#include <ncursesw/curses.h>
#include "dash.h"
#include "../core/alloc.h"
#include "../core/atomicfile.h"
#include "../core/interrupt.h"

void dash_svg_name(const plot_dash *d, int i, char *buf, size_t size) {
  char raw[256];
  snprintf(raw, sizeof raw, "%s-%s", d->title ? d->title : "chart", d->names[i]);
  size_t k = 0;
  for (const char *p = raw; *p && k + 5 < size; p++) {
    unsigned char c = (unsigned char)*p;
    char o = isalnum(c) ? (char)tolower(c) : (c == '-' || c == '_') ? (char)c : '_';
    if (o == '_' && k > 0 && buf[k - 1] == '_') continue;
    buf[k++] = o;
  }
  snprintf(buf + k, size - k, ".svg");
}

int dash_text(const plot_dash *d, int w, int h, plot_style st, plot_buf *out, mlsh_err *err) {
  for (int i = 0; i < d->ntabs; i++) {
    pbuf_printf(out, "== %s: %s (%d/%d) ==\n", d->title ? d->title : "dashboard", d->names[i], i + 1, d->ntabs);
    int rc = fig_render_text(d->figs[i], w, h, st, out, err);
    if (rc) return rc;
    if (i + 1 < d->ntabs) pbuf_puts(out, "\n");
  }
  return out->failed ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory") : MLSH_OK;
}

int dash_html(const plot_dash *d, plot_buf *out, mlsh_err *err) {
  const char *title = d->title ? d->title : "mlsh dashboard";
  pbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
  pbuf_xml(out, title);
  pbuf_puts(out, "</title>\n<style>\n"
    "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:0;background:#eef0f3}\n"
    "header{background:#2d3e50;color:#fff;padding:10px 18px;font-size:20px}\n"
    "nav{display:flex;flex-wrap:wrap;gap:4px;padding:10px 18px 0}\n"
    "nav button{border:1px solid #c8ccd2;border-bottom:none;background:#dde1e6;padding:7px 16px;cursor:pointer;font-size:14px;border-radius:4px 4px 0 0}\n"
    "nav button.on{background:#fff;font-weight:bold}\n"
    "section{background:#fff;margin:0 18px 18px;padding:12px;border:1px solid #c8ccd2}\n"
    ".js section{display:none}\n.js section.on{display:block}\nsection svg{max-width:100%;height:auto}\n"
    "</style>\n</head>\n<body>\n<header>");   /* without JavaScript every tab shows, one under another */
  pbuf_xml(out, title);
  pbuf_puts(out, "</header>\n<nav>\n");
  for (int i = 0; i < d->ntabs; i++) {
    pbuf_printf(out, "<button type=\"button\"%s>", i == 0 ? " class=\"on\"" : "");
    pbuf_xml(out, d->names[i]);
    pbuf_puts(out, "</button>\n");
  }
  pbuf_puts(out, "</nav>\n");
  for (int i = 0; i < d->ntabs; i++) {
    char idp[16];
    snprintf(idp, sizeof idp, "t%d", i + 1);
    pbuf_printf(out, "<section%s>\n", i == 0 ? " class=\"on\"" : "");
    int rc = fig_svg(d->figs[i], 0, 0, 0, idp, out, err);
    if (rc) return rc;
    pbuf_puts(out, "</section>\n");
  }
  pbuf_puts(out, "<script>\n"
    "(function(){var b=document.querySelectorAll('nav button'),s=document.querySelectorAll('section'),cur=0;\n"
    "function show(i){cur=(i+b.length)%b.length;for(var k=0;k<b.length;k++){b[k].className=k==cur?'on':'';s[k].className=k==cur?'on':'';}}\n"
    "for(var k=0;k<b.length;k++)b[k].onclick=(function(i){return function(){show(i);};})(k);\n"
    "document.addEventListener('keydown',function(e){if(e.key=='ArrowRight')show(cur+1);else if(e.key=='ArrowLeft')show(cur-1);});\n"
    "document.body.className='js';document.body.setAttribute('data-mlsh','ready');})();\n"
    "</script>\n</body>\n</html>\n");
  return out->failed ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the HTML") : MLSH_OK;
}

/* ---- the ncurses viewer ---- */

static volatile sig_atomic_t dash_stop;   /* set by SIGINT/SIGTERM/SIGHUP while the viewer runs */
static void on_signal(int sig) { dash_stop = sig; }

typedef struct pairs {
  int n, max;
  int *key;          /* (fg+1) * 257 + bg + 1 per allocated pair */
} pairs;

static short to_curses_color(int32_t rgb) {
  if (rgb == PLOT_NOCOLOR) return -1;
  if (COLORS >= 256) return (short)rgb_to_256(rgb);
  int r = ((rgb >> 16) & 255) > 127, g = ((rgb >> 8) & 255) > 127, b = (rgb & 255) > 127;
  return (short)(r | g << 1 | b << 2);   /* COLOR_RED=1, GREEN=2, BLUE=4 */
}

static int pair_for(pairs *p, int32_t fg, int32_t bg) {
  if (!p->max) return 0;
  int f = to_curses_color(fg), b = to_curses_color(bg);
  if (f < 0 && b < 0) return 0;
  int key = (f + 1) * 257 + b + 1;
  for (int i = 0; i < p->n; i++) if (p->key[i] == key) return i + 1;
  if (p->n >= p->max) return 0;
  init_extended_pair(p->n + 1, f, b);
  p->key[p->n++] = key;
  return p->n;
}

static void put_cell(int y, int x, const plot_cell *c, pairs *pr, int unicode) {
  wchar_t w[2] = {(wchar_t)(c->ch ? c->ch : ' '), 0};
  if (!unicode) w[0] = (wchar_t)cp_ascii(c->ch ? c->ch : ' ');
  cchar_t cc;
  int pair = pair_for(pr, c->fg, c->bg);
  setcchar(&cc, w, c->bold ? A_BOLD : A_NORMAL, 0, &pair);
  mvadd_wch(y, x, &cc);
}

/* The smallest window the viewer lays a chart out in. */
enum { DASH_MIN_COLS = 40, DASH_MIN_ROWS = 12 };

static void draw_too_small(int W, int H) {
  static const char text[] = "terminal too small";
  char need[64];
  snprintf(need, sizeof need, "(%dx%d, needs %dx%d; q quits)", W, H, DASH_MIN_COLS, DASH_MIN_ROWS);
  int y = H / 2 - (H > 2);
  mvaddnstr(y < 0 ? 0 : y, W > (int)strlen(text) ? (W - (int)strlen(text)) / 2 : 0, text, W);
  if (H > 2) mvaddnstr(y + 1, W > (int)strlen(need) ? (W - (int)strlen(need)) / 2 : 0, need, W);
  refresh();
}

static void draw_screen(const plot_dash *d, int cur, int help, const char *msg, pairs *pr, plot_style st) {
  erase();
  int W = COLS, H = LINES;
  if (W < DASH_MIN_COLS || H < DASH_MIN_ROWS) { draw_too_small(W, H); return; }
  /* tab bar */
  attron(A_BOLD);
  mvaddnstr(0, 0, d->title ? d->title : "dashboard", W / 3);
  attroff(A_BOLD);
  int x = getcurx(stdscr) + 2;
  /* many tabs: start the bar late enough that the current tab shows */
  int first = 0;
  for (;;) {
    int w = x;
    for (int i = first; i <= cur; i++) w += (int)strlen(d->names[i]) + 6;
    if (w <= W || first >= cur) break;
    first++;
  }
  if (first > 0) { mvaddstr(0, x, "<"); x += 2; }
  for (int i = first; i < d->ntabs && x < W; i++) {
    char lab[96];
    snprintf(lab, sizeof lab, " %d:%s ", i + 1, d->names[i]);
    if (i == cur) attron(A_REVERSE | A_BOLD);
    mvaddnstr(0, x, lab, W - x);
    if (i == cur) attroff(A_REVERSE | A_BOLD);
    x += (int)strlen(lab) + 1;
  }
  cchar_t rule;
  wchar_t rw[2] = {st.unicode ? 0x2500 : '-', 0};
  setcchar(&rule, rw, A_NORMAL, 0, NULL);
  mvhline_set(1, 0, &rule, W);
  plot_canvas c;
  mlsh_err err;
  if (canvas_init(&c, W, H - 3, &err) == MLSH_OK) {
    fig_draw(d->figs[cur], &c, st, &err);
    for (int r = 0; r < c.h; r++)
      for (int k = 0; k < c.w; k++) {
        const plot_cell *p = &c.cells[(size_t)r * (size_t)c.w + (size_t)k];
        if (p->ch == PLOT_WIDE_TAIL) continue;
        put_cell(r + 2, k, p, pr, st.unicode);
      }
    canvas_free(&c);
  } else {
    mvaddstr(2, 0, "(not enough memory to draw the chart)");
  }
  attron(A_REVERSE);
  mvhline(H - 1, 0, ' ', W);
  const char *keys = W >= 72 ? " <-/-> or Tab: switch tab   1-9: tab   s: save SVG   ?: keys   q: quit"
                              : " <-/->: tab  s: save  ?: keys  q: quit";
  mvaddnstr(H - 1, 0, msg && *msg ? msg : keys, W);
  attroff(A_REVERSE);
  if (help) {   /* fits the smallest window: 38 x 10 */
    static const char *lines[] = {"Keys", "", " Right, Tab, l   next tab", " Left, S-Tab, h  previous tab",
                                  " 1 .. 9          go to tab", " s               save this tab as SVG",
                                  " ?               show/hide this help", " q, Esc          leave"};
    int bw = 38, bh = (int)(sizeof lines / sizeof *lines) + 2, by = (H - bh) / 2, bx = (W - bw) / 2;
    for (int r = 0; r < bh; r++) mvhline(by + r, bx, ' ', bw);
    attron(A_BOLD);
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) mvaddstr(by + 1 + (int)i, bx + 2, lines[i]);
    attroff(A_BOLD);
  }
  refresh();
}

/* LINES/COLUMNS back as they were asked for, at the window's size now. */
static void export_size(int had_env, int rows, int cols) {
  struct winsize ws;
  if (!had_env) return;
  if (rows < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) { rows = ws.ws_row; cols = ws.ws_col; }
  if (rows <= 0 || cols <= 0) return;
  char v[16];
  snprintf(v, sizeof v, "%d", rows);
  setenv("LINES", v, 1);
  snprintf(v, sizeof v, "%d", cols);
  setenv("COLUMNS", v, 1);
}

int dash_show(const plot_dash *d, mlsh_err *err) {
  if (d->ntabs < 1) return mlsh_seterr(err, MLSH_EINVAL, "no tabs to show");
  /* ncursesw needs a UTF-8 LC_CTYPE to draw braille; restore the caller's after. */
  char oldloc[128];
  const char *cur_loc = setlocale(LC_CTYPE, NULL);
  snprintf(oldloc, sizeof oldloc, "%s", cur_loc ? cur_loc : "C");
  if (!setlocale(LC_CTYPE, "") || strcmp(nl_langinfo(CODESET), "UTF-8") != 0) setlocale(LC_CTYPE, "C.UTF-8");
  const char *asc = getenv("MLSH_ASCII");
  plot_style st = {0, !(asc && strcmp(asc, "1") == 0) && strcmp(nl_langinfo(CODESET), "UTF-8") == 0};
  /* The window size from the terminal, not from LINES/COLUMNS: readline
   * exports those, and ncurses would lay out every resize at them. */
  int had_env = getenv("LINES") || getenv("COLUMNS");
  unsetenv("LINES");
  unsetenv("COLUMNS");
  SCREEN *scr = newterm(NULL, stdout, stdin);
  if (!scr) {
    setlocale(LC_CTYPE, oldloc);
    export_size(had_env, -1, -1);
    return mlsh_seterr(err, MLSH_EIO, "cannot start the full-screen viewer on this terminal (TERM=%s)",
                       getenv("TERM") ? getenv("TERM") : "unset");
  }
  struct sigaction sa, old_int, old_term, old_hup;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  dash_stop = 0;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  sigaction(SIGHUP, &sa, &old_hup);
  set_term(scr);
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  timeout(150);
  pairs pr = {0, 0, NULL};
  if (has_colors() && !getenv("NO_COLOR")) {
    start_color();
    use_default_colors();
    pr.max = COLOR_PAIRS - 1 < 4096 ? COLOR_PAIRS - 1 : 4096;
    pr.key = mlsh_calloc((size_t)(pr.max > 0 ? pr.max : 1), sizeof(int));
    if (!pr.key) pr.max = 0;
    st.color = pr.max > 0 ? 1 : 0;
  }
  int cur = 0, help = 0, rc = MLSH_OK, redraw = 1;
  char msg[512] = "";
  while (!dash_stop) {
    if (redraw) { draw_screen(d, cur, help, msg, &pr, st); redraw = 0; }
    int k = getch();
    if (k == ERR) {
      if (mlsh_interrupted()) break;
      continue;
    }
    redraw = 1;
    if (k != '?' && k != KEY_RESIZE) msg[0] = 0;
    if (k == 'q' || k == 'Q' || k == 27) break;
    else if (k == KEY_RIGHT || k == '\t' || k == 'l' || k == KEY_NPAGE) cur = (cur + 1) % d->ntabs;
    else if (k == KEY_LEFT || k == KEY_BTAB || k == 'h' || k == KEY_PPAGE) cur = (cur + d->ntabs - 1) % d->ntabs;
    else if (k >= '1' && k <= '9' && k - '1' < d->ntabs) cur = k - '1';
    else if (k == '?') help = !help;
    else if (k == 's' || k == 'S') {
      char name[300];
      plot_buf b = {0};
      mlsh_err e2;
      dash_svg_name(d, cur, name, sizeof name);
      int r2 = fig_svg(d->figs[cur], 0, 0, 1, "", &b, &e2);
      if (!r2) r2 = mlsh_write_file_atomic(name, b.s, b.len, &e2);
      pbuf_free(&b);
      snprintf(msg, sizeof msg, r2 ? " could not save %s: %s" : " saved %s%s", name, r2 ? e2.msg : "");
    }
  }
  if (dash_stop == SIGINT || mlsh_interrupted()) rc = mlsh_seterr(err, MLSH_EINTR, "interrupted");
  curs_set(1);
  export_size(had_env, LINES, COLS);
  endwin();
  delscreen(scr);
  mlsh_free(pr.key);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  sigaction(SIGHUP, &old_hup, NULL);
  setlocale(LC_CTYPE, oldloc);
  fflush(stdout);
  return rc;
}
