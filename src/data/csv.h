/* csv.h - CSV reading into typed columns: delimiter sniffing, RFC 4180
 * quoting, CRLF, UTF-8 BOM, numeric vs string column detection, missing
 * values as NaN, a clear error naming the line of a ragged row, and unique
 * column names (as data.table's fread: "" -> V<column>, a repeat -> .1, .2). */
#ifndef MLSH_CSV_H
#define MLSH_CSV_H
#include <stddef.h>
#include <stdio.h>
#include "../core/error.h"

typedef struct csv_column {
  char *name;       /* unique: empty and repeated header names are renamed */
  char *given;      /* the header's own name when it was renamed, else NULL */
  int numeric;      /* 1: values in num (NaN = missing); 0: strings in str */
  double *num;
  char **str;       /* NULL entries are missing strings */
  size_t missing;
} csv_column;

typedef struct csv_table {
  size_t nrows, ncols;
  csv_column *cols;
} csv_table;

typedef struct csv_options {
  char sep;                 /* 0 = sniff among , ; tab | */
  int header;               /* -1 = detect, 0 = none (names V1, V2...), 1 = first row */
  const char *const *na;    /* extra missing-value strings (NULL-terminated) or NULL */
} csv_options;

int csv_read(const char *path, const csv_options *opt, csv_table *out, mlsh_err *err);
int csv_parse(const char *buf, size_t len, const csv_options *opt, csv_table *out, mlsh_err *err);
void csv_free(csv_table *t);
/* Is s a missing value ("", NA, NaN, or one of opt->na)? */
int csv_is_missing(const char *s, const csv_options *opt);
/* Write one field, quoted when it contains sep, quotes or newlines. */
void csv_write_field(FILE *fp, const char *s, char sep);

#endif
