/* term.h - what the output terminal can show: size, colour, Unicode.
 * Charts and pretty-printers ask here so that they fit the window, and so
 * that pipes, NO_COLOR and MLSH_ASCII get plain text. */
#ifndef MLSH_TERM_H
#define MLSH_TERM_H

typedef struct mlsh_term {
  int cols, rows;   /* TIOCGWINSZ, else COLUMNS/LINES, else 80x24 */
  int tty;          /* stdout is a terminal */
  int color;        /* 0 none, 1 = 256 colours, 2 = truecolor */
  int unicode;      /* 0 when MLSH_ASCII=1 */
} mlsh_term;

void mlsh_term_query(mlsh_term *t);
/* Display width of a UTF-8 string in terminal cells (wcwidth). */
int mlsh_utf8_width(const char *s);

#endif
