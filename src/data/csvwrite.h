/* csvwrite.h - a typed frame written as CSV (data.table's fwrite):
 * formatted on several threads in blocks of rows, written in order to a
 * temporary file that replaces the target only once complete. Doubles
 * take the fewest digits that read back as the same double (15
 * significant digits, 17 when 15 do not; a whole number as 2.0, so that
 * it reads back as a double), dates are ISO 8601, datetimes
 * ISO 8601 in UTC with a Z, logicals TRUE/FALSE, NA the `na` text. A
 * string is quoted when it holds the separator, a quote or a line end,
 * starts or ends with a blank, is empty or reads as the NA text, so that
 * the reader gives back exactly what was written. */
#ifndef MLSH_DATA_CSVWRITE_H
#define MLSH_DATA_CSVWRITE_H
#include "../core/error.h"
#include "../frame/frame.h"

enum { CSVW_QUOTE_AUTO, CSVW_QUOTE_ALL, CSVW_QUOTE_NONE };

typedef struct {
  char sep;           /* ',' */
  char dec;           /* '.' or ',' (then sep must not be ',') */
  const char *na;     /* "NA" */
  int quote;          /* CSVW_QUOTE_*: strings and names quoted when needed, always, never */
  int nthreads;       /* <= 0: the default */
} csvw_options;

void csvw_defaults(csvw_options *o);
int csvw_write(const mlsh_frame *f, const char *path, const csvw_options *o, mlsh_err *err);
/* One double as the writer writes it (buf of 32 bytes at least); returns the length. */
size_t csvw_format_double(double v, char dec, char *buf);

#endif
