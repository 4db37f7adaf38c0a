/* fread.h - a fast CSV reader into typed frames, after data.table's fread.
 *
 * The file is memory-mapped (or inflated, for .gz; or converted to UTF-8
 * with iconv, for another encoding), split at row starts found with the
 * quotes taken into account, and parsed by several threads at once. The
 * type of each column is guessed on rows sampled over the whole file
 * (logical, integer, double, ISO date, d/m/Y or m/d/Y when unambiguous,
 * ISO 8601 datetime, string) and a column is re-read with a wider type
 * when a later value does not fit. Repetitive strings become categorical
 * columns with sorted levels (R's factor in the C locale).
 *
 * Line ends LF, CRLF, CR and CR CR LF; blank lines are skipped; a UTF-8
 * BOM is dropped; quoted fields hold separators, doubled quotes and line
 * ends; unquoted fields lose their surrounding blanks. An empty field is
 * NA except in a string column (""); an unquoted `na` string is NA (a
 * quoted one is text, as in fread).
 * Errors name the line (counted from 1 in the file) and the column. */
#ifndef MLSH_DATA_FREAD_H
#define MLSH_DATA_FREAD_H
#include <stddef.h>
#include "../core/error.h"
#include "../frame/frame.h"

enum { FREAD_STR_AUTO, FREAD_STR_STRING, FREAD_STR_CATEGORICAL };

typedef struct fread_options {
  char sep;                      /* 0: sniffed among , ; \t | */
  char dec;                      /* 0: '.', or ',' when the sample says so with sep ';' / tab / | */
  char thousands;                /* 0: none; else a digit-group separator (in quoted numbers) */
  char comment;                  /* 0: none; else a line (or the rest of it) starting with it is skipped */
  int header;                    /* -1: sniffed, 0: none (V1, V2, ...), 1: the first row */
  int fill;                      /* short rows padded with NA (else an error naming the line) */
  int strings;                   /* FREAD_STR_*: repetitive strings become categorical when AUTO */
  const char *encoding;          /* NULL or "UTF-8": checked; else converted with iconv */
  size_t skip;                   /* lines skipped before the header */
  size_t nrows;                  /* at most this many rows; (size_t)-1: all */
  const char *const *na;         /* nna strings read as NA; NULL: {"NA"} */
  size_t nna;
  const char *const *select;     /* nselect column names to keep (in this order), or NULL */
  size_t nselect;
  const char *const *type_cols;  /* ntypes columns whose type is given, with type_vals (col_type) */
  const int *type_vals;
  size_t ntypes;
  int nthreads;                  /* <= 0: the default */
  int progress;                  /* a bar on stderr for files over 100 MB when it is a terminal */
  size_t chunk_bytes;            /* tests: split into chunks of about this size (0: by size and threads) */
} fread_options;

void fread_defaults(fread_options *o);

typedef struct {
  size_t column;                 /* 1-based */
  char *given, *name;            /* the header's text, the unique name */
} fread_rename;

typedef struct {
  mlsh_frame *frame;
  fread_rename *renamed;         /* the header names that were made unique */
  size_t nrenamed;
} fread_result;

/* A file (a name ending in .gz is inflated). Messages start "'path': ". */
int fread_file(const char *path, const fread_options *o, fread_result *r, mlsh_err *err);
/* The same on bytes in memory (not copied; must outlive the call only). */
int fread_mem(const char *buf, size_t len, const fread_options *o, fread_result *r, mlsh_err *err);
void fread_result_free(fread_result *r);

/* The delimiter among , ; \t | whose count per line is non-zero and most
 * consistent over the first lines (quotes respected); ',' when none. */
char fread_sniff_sep(const char *buf, size_t len);

#endif
