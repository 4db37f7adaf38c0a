/* csv.c - a CSV reader that types its columns. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "colnames.h"
#include "fread.h"
#include "../core/buf.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

/* Parsed cells before typing: one growing array of strings per table. */
typedef struct {
  char **cells;
  size_t n, cap;
  size_t *row_start;   /* index of each row's first cell */
  size_t *row_line;    /* physical line where each row starts */
  size_t nrows, rcap;
} cellbuf;

static int cb_push_cell(cellbuf *c, char *s) {
  if (mlsh_grow(&c->cells, &c->cap, c->n + 1, sizeof *c->cells)) return -1;
  c->cells[c->n++] = s;
  return 0;
}

static int cb_start_row(cellbuf *c, size_t line) {
  if (c->nrows == c->rcap) {
    size_t cap = c->rcap ? c->rcap * 2 : 256;
    size_t *p = mlsh_realloc(c->row_start, (cap + 1) * sizeof *p);
    if (!p) return -1;
    c->row_start = p;
    p = mlsh_realloc(c->row_line, (cap + 1) * sizeof *p);
    if (!p) return -1;
    c->row_line = p;
    c->rcap = cap;
  }
  c->row_line[c->nrows] = line;
  c->row_start[c->nrows++] = c->n;
  return 0;
}

static void cb_free(cellbuf *c) {
  for (size_t i = 0; i < c->n; i++) mlsh_free(c->cells[i]);
  mlsh_free(c->cells);
  mlsh_free(c->row_start);
  mlsh_free(c->row_line);
}

static size_t row_len(const cellbuf *c, size_t r) {
  size_t end = r + 1 < c->nrows ? c->row_start[r + 1] : c->n;
  return end - c->row_start[r];
}


static char *substr(const char *s, size_t n) {
  char *p = mlsh_malloc(n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

/* Split buf into rows of cells. Returns an mlsh status. */
static int tokenize(const char *buf, size_t len, char sep, cellbuf *c, mlsh_err *err) {
  size_t i = 0, line = 1;
  char *field = NULL;
  size_t flen = 0, fcap = 0;
  while (i < len) {
    /* Skip blank lines (including a final newline). */
    if (buf[i] == '\n' || (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')) {
      i += buf[i] == '\r' ? 2 : 1;
      line++;
      continue;
    }
    if ((c->nrows & 4095) == 0 && mlsh_interrupted()) { mlsh_free(field); return MLSH_EINTR; }
    if (cb_start_row(c, line)) goto oom;
    size_t row_line = line;
    for (;;) {
      flen = 0;
      int quoted = 0;
      if (i < len && buf[i] == '"') {
        quoted = 1;
        i++;
        for (;;) {
          if (i >= len) {
            mlsh_free(field);
            return mlsh_seterr(err, MLSH_EIO, "line %zu: unterminated quoted field", row_line);
          }
          char ch = buf[i++];
          if (ch == '"') {
            if (i < len && buf[i] == '"') i++;
            else break;
          } else if (ch == '\n') line++;
          if (mlsh_grow(&field, &fcap, flen + 2, 1)) goto oom;
          if (ch != '"' || (i > 0 && buf[i - 1] == '"')) field[flen++] = ch;
        }
        /* Allow spaces between the closing quote and the separator. */
        while (i < len && buf[i] == ' ') i++;
      }
      size_t start = i;
      while (i < len && buf[i] != sep && buf[i] != '\n') i++;
      size_t end = i;
      if (end > start && buf[end - 1] == '\r') end--;
      char *cell;
      if (quoted) {
        if (end > start) {
          mlsh_free(field);
          return mlsh_seterr(err, MLSH_EIO, "line %zu: characters after a closing quote", row_line);
        }
        cell = substr(field ? field : "", flen);
      } else {
        cell = substr(buf + start, end - start);
      }
      if (!cell || cb_push_cell(c, cell)) { mlsh_free(cell); goto oom; }
      if (i < len && buf[i] == sep) { i++; continue; }
      if (i < len && buf[i] == '\n') { i++; line++; }
      break;
    }
  }
  mlsh_free(field);
  return MLSH_OK;
oom:
  mlsh_free(field);
  return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
}

int csv_is_missing(const char *s, const csv_options *opt) {
  while (*s == ' ') s++;
  if (!*s || strcmp(s, "NA") == 0 || strcmp(s, "NaN") == 0 || strcmp(s, "nan") == 0) return 1;
  if (opt && opt->na)
    for (int k = 0; opt->na[k]; k++)
      if (strcmp(s, opt->na[k]) == 0) return 1;
  return 0;
}

static int parse_number(const char *s, double *v) {
  char *end;
  while (isspace((unsigned char)*s)) s++;
  if (!*s) return 0;
  *v = strtod(s, &end);
  if (end == s) return 0;
  while (isspace((unsigned char)*end)) end++;
  return *end == 0;
}

void csv_free(csv_table *t) {
  for (size_t j = 0; j < t->ncols; j++) {
    csv_column *col = &t->cols[j];
    mlsh_free(col->name);
    mlsh_free(col->given);
    mlsh_free(col->num);
    if (col->str)
      for (size_t i = 0; i < t->nrows; i++) mlsh_free(col->str[i]);
    mlsh_free(col->str);
  }
  mlsh_free(t->cols);
  t->cols = NULL;
  t->nrows = t->ncols = 0;
}

/* ---- unique header names ---- */

static int unique_names(csv_table *t) {
  size_t n = t->ncols;
  char **names = mlsh_calloc(n ? n : 1, sizeof *names), **given = mlsh_calloc(n ? n : 1, sizeof *given);
  int rc = names && given ? 0 : -1;
  for (size_t j = 0; j < n && !rc; j++) names[j] = t->cols[j].name;
  if (!rc) rc = colnames_unique(names, given, n);
  for (size_t j = 0; j < n && names && given; j++) { t->cols[j].name = names[j]; t->cols[j].given = given[j]; }
  mlsh_free(names);
  mlsh_free(given);
  return rc;
}

/* Header detection: the first row is a header when some cell is
 * non-numeric (and not missing) while the next row has a number there,
 * or when every cell of a one-row file is non-numeric. */
static int looks_like_header(const cellbuf *c, size_t ncols, const csv_options *opt) {
  double v;
  int nonnum = 0;
  for (size_t j = 0; j < ncols; j++) {
    const char *s = c->cells[c->row_start[0] + j];
    if (csv_is_missing(s, opt) || parse_number(s, &v)) continue;
    nonnum++;
    if (c->nrows > 1 && row_len(c, 1) == ncols) {
      const char *t = c->cells[c->row_start[1] + j];
      if (parse_number(t, &v)) return 1;
    }
  }
  if (nonnum == (int)ncols) return 1;  /* all text: names */
  return 0;
}

int csv_parse(const char *buf, size_t len, const csv_options *opt, csv_table *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF) {
    buf += 3;
    len -= 3;
  }
  char sep = opt && opt->sep ? opt->sep : fread_sniff_sep(buf, len);
  cellbuf c = {0};
  int rc = tokenize(buf, len, sep, &c, err);
  if (rc) { cb_free(&c); return rc; }
  if (c.nrows == 0) { cb_free(&c); return mlsh_seterr(err, MLSH_EIO, "no data (empty file)"); }
  size_t ncols = row_len(&c, 0);
  int header = opt && opt->header >= 0 ? opt->header : looks_like_header(&c, ncols, opt);
  /* Ragged rows: report the first, with its physical line number. */
  for (size_t r = 1; r < c.nrows; r++)
    if (row_len(&c, r) != ncols) {
      size_t got = row_len(&c, r), line = c.row_line[r];
      cb_free(&c);
      return mlsh_seterr(err, MLSH_EIO, "line %zu has %zu fields, expected %zu (as in the %s)",
                         line, got, ncols, header ? "header" : "first row");
    }
  size_t first = header ? 1 : 0, nrows = c.nrows - first;
  out->cols = mlsh_calloc(ncols, sizeof *out->cols);
  if (!out->cols) { cb_free(&c); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  out->ncols = ncols;
  out->nrows = nrows;
  for (size_t j = 0; j < ncols; j++) {
    csv_column *col = &out->cols[j];
    char vname[32];
    if (header) {
      col->name = c.cells[c.row_start[0] + j];
      c.cells[c.row_start[0] + j] = NULL;
    } else {
      snprintf(vname, sizeof vname, "V%zu", j + 1);
      col->name = substr(vname, strlen(vname));
    }
    if (!col->name) goto oom;
    int numeric = 1;
    double v;
    for (size_t r = first; r < c.nrows && numeric; r++) {
      const char *s = c.cells[c.row_start[r] + j];
      if (!csv_is_missing(s, opt) && !parse_number(s, &v)) numeric = 0;
    }
    col->numeric = numeric;
    if (numeric) {
      col->num = mlsh_malloc_array(nrows ? nrows : 1, sizeof(double));
      if (!col->num) goto oom;
      for (size_t r = first; r < c.nrows; r++) {
        const char *s = c.cells[c.row_start[r] + j];
        if (csv_is_missing(s, opt)) { col->num[r - first] = NAN; col->missing++; }
        else parse_number(s, &col->num[r - first]);
      }
    } else {
      col->str = mlsh_calloc(nrows ? nrows : 1, sizeof(char *));
      if (!col->str) goto oom;
      for (size_t r = first; r < c.nrows; r++) {
        char **cell = &c.cells[c.row_start[r] + j];
        if (csv_is_missing(*cell, opt)) { col->missing++; continue; }
        col->str[r - first] = *cell;  /* take ownership */
        *cell = NULL;
      }
    }
  }
  cb_free(&c);
  if (header && unique_names(out)) {
    csv_free(out);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  return MLSH_OK;
oom:
  cb_free(&c);
  csv_free(out);
  return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
}

int csv_read(const char *path, const csv_options *opt, csv_table *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  char *buf;
  size_t len;
  int rc = mlsh_read_file(path, 0, &buf, &len, err);
  if (rc) return rc;
  rc = csv_parse(buf, len, opt, out, err);
  mlsh_free(buf);
  if (rc && rc != MLSH_ENOMEM && rc != MLSH_EINTR) mlsh_err_prefix(err, path);
  return rc;
}

void csv_write_field(FILE *fp, const char *s, char sep) {
  if (!strchr(s, sep) && !strchr(s, '"') && !strchr(s, '\n') && !strchr(s, '\r')) {
    fputs(s, fp);
    return;
  }
  fputc('"', fp);
  for (; *s; s++) {
    if (*s == '"') fputc('"', fp);
    fputc(*s, fp);
  }
  fputc('"', fp);
}
