/* term.c - terminal capabilities. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700  /* wcwidth */
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <sys/ioctl.h>
#include "term.h"

void mlsh_term_query(mlsh_term *t) {
  struct winsize ws;
  const char *s;
  t->cols = 80;
  t->rows = 24;
  t->tty = isatty(STDOUT_FILENO);
  if (t->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    t->cols = ws.ws_col;
    t->rows = ws.ws_row > 0 ? ws.ws_row : 24;
  } else {
    if ((s = getenv("COLUMNS")) && atoi(s) > 0) t->cols = atoi(s);
    if ((s = getenv("LINES")) && atoi(s) > 0) t->rows = atoi(s);
  }
  t->color = 0;
  if (t->tty && !getenv("NO_COLOR")) {
    const char *ct = getenv("COLORTERM");
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0) t->color = 0;
    else if (ct && (strstr(ct, "truecolor") || strstr(ct, "24bit"))) t->color = 2;
    else t->color = 1;
  }
  s = getenv("MLSH_ASCII");
  t->unicode = !(s && strcmp(s, "1") == 0);
}

int mlsh_utf8_width(const char *s) {
  int w = 0;
  mbstate_t st;
  memset(&st, 0, sizeof st);
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    /* Decode one UTF-8 sequence by hand: the C locale may not be UTF-8. */
    unsigned c = *p;
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    wchar_t wc = c;
    if (len > 1) {
      wc = c & (0x3f >> (len - 1));
      for (int i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) { len = 1; wc = '?'; break; }
        wc = (wc << 6) | (p[i] & 0x3f);
      }
    }
    int cw = wcwidth(wc);
    if (cw < 0) cw = (wc >= 0x2800 && wc < 0x2900) || wc >= 0x2500 ? 1 : 0;
    w += cw;
    p += len;
  }
  return w;
}
