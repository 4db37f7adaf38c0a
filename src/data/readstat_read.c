/* readstat_read.c - reading SPSS, Stata and SAS files into a frame.
 * libreadstat calls back once per variable, value and value label; the
 * values are kept per variable (doubles or strings) and turned into
 * typed columns at the end, when every value label is known (Stata
 * stores them after the data). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <readstat.h>
#include "readstat_io.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

typedef enum { KIND_NUMBER, KIND_DATE, KIND_DATETIME, KIND_STRING } var_kind;

typedef struct {
  char *name, *label, *labelset;
  var_kind kind;
  int stored_int;      /* Stata byte/int/long, or SPSS F w.0 */
  double missing[64];  /* SPSS user-missing ranges: lo, hi pairs */
  int nmissing;
  col_builder b;       /* doubles, or strings */
} var_info;

typedef struct { double value; char *label; } value_label;
typedef struct { char *set; value_label *v; size_t n, cap; } label_set;

typedef struct {
  rstat_format fmt;
  var_info *vars;
  size_t nvar, vcap;
  label_set *sets;
  size_t nset, scap;
  long rows;
  int failed;          /* out of memory in a callback */
  char message[256];   /* readstat's own error text */
} reader;

static char *dup_or_null(const char *s) {
  if (!s || !*s) return NULL;
  size_t n = strlen(s);
  char *d = mlsh_malloc(n + 1);
  if (d) memcpy(d, s, n + 1);
  return d;
}

/* The display format's letters: "DATETIME20" -> "DATETIME", "%td" -> "%td". */
static void format_stem(const char *f, char *out, size_t size) {
  size_t k = 0;
  for (; f && *f && k + 1 < size; f++)
    if ((*f >= 'A' && *f <= 'Z') || (*f >= 'a' && *f <= 'z') || *f == '%' || (k && *f == '8')) out[k++] = *f;
    else if (k) break;
  out[k] = 0;
}

static int in_list(const char *s, const char *const *list) {
  for (; *list; list++)
    if (strcmp(s, *list) == 0) return 1;
  return 0;
}

/* Date and datetime display formats of each vendor (the ones haven reads
 * as Date and POSIXct). */
static var_kind kind_of_format(rstat_format fmt, const char *format) {
  static const char *const sas_date[] = {"DATE", "DAY", "DDMMYY", "DOWNAME", "JULDAY", "JULIAN", "MMDDYY", "MMYY",
    "MMYYC", "MMYYD", "MMYYN", "MMYYP", "MMYYS", "MONNAME", "MONTH", "MONYY", "QTR", "QTRR", "NENGO", "WEEKDATE",
    "WEEKDATX", "WEEKDAY", "WEEKV", "WORDDATE", "WORDDATX", "YEAR", "YYMM", "YYMMC", "YYMMD", "YYMMN", "YYMMP",
    "YYMMS", "YYMMDD", "YYMON", "YYQ", "YYQC", "YYQD", "YYQN", "YYQP", "YYQS", "YYQR", "YYQRC", "YYQRD", "YYQRN",
    "YYQRP", "YYQRS", "E8601DA", "B8601DA", "MINGUO", NULL};
  static const char *const sas_datetime[] = {"DATETIME", "DATEAMPM", "E8601DT", "B8601DT", "E8601DZ", "MDYAMPM",
    "DTDATE", "DTMONYY", "DTWKDATX", "DTYEAR", "DTYYQC", NULL};
  static const char *const spss_date[] = {"DATE", "ADATE", "EDATE", "JDATE", "SDATE", "MOYR", "QYR", "WKYR", NULL};
  static const char *const spss_datetime[] = {"DATETIME", "YMDHMS", NULL};
  char stem[32];
  format_stem(format, stem, sizeof stem);
  if (fmt == RSTAT_DTA) {
    if (strncmp(stem, "%td", 3) == 0 || strncmp(stem, "%d", 2) == 0) return KIND_DATE;
    if (strncmp(stem, "%tc", 3) == 0 || strncmp(stem, "%tC", 3) == 0) return KIND_DATETIME;
  } else if (fmt == RSTAT_SAV || fmt == RSTAT_POR) {
    if (in_list(stem, spss_date)) return KIND_DATE;
    if (in_list(stem, spss_datetime)) return KIND_DATETIME;
  } else {
    if (in_list(stem, sas_date)) return KIND_DATE;
    if (in_list(stem, sas_datetime)) return KIND_DATETIME;
  }
  return KIND_NUMBER;
}

/* SPSS F w.0 (no decimals): whole numbers, read as integers when they are. */
static int spss_whole_format(const char *format) {
  const char *dot = format ? strchr(format, '.') : NULL;
  return format && format[0] == 'F' && (!dot || strcmp(dot, ".0") == 0);
}

static int on_metadata(readstat_metadata_t *m, void *ctx) {
  ((reader *)ctx)->rows = readstat_get_row_count(m);
  return READSTAT_HANDLER_OK;
}

static int on_variable(int index, readstat_variable_t *v, const char *val_labels, void *ctx) {
  reader *r = ctx;
  if (mlsh_grow(&r->vars, &r->vcap, r->nvar + 1, sizeof *r->vars)) { r->failed = 1; return READSTAT_HANDLER_ABORT; }
  var_info *x = &r->vars[r->nvar];
  memset(x, 0, sizeof *x);
  r->nvar++;
  const char *format = readstat_variable_get_format(v);
  readstat_type_t t = readstat_variable_get_type(v);
  x->name = dup_or_null(readstat_variable_get_name(v));
  x->label = dup_or_null(readstat_variable_get_label(v));
  x->labelset = dup_or_null(val_labels);
  if (!x->name) { r->failed = 1; return READSTAT_HANDLER_ABORT; }
  x->kind = readstat_variable_get_type_class(v) == READSTAT_TYPE_CLASS_STRING ? KIND_STRING : kind_of_format(r->fmt, format);
  x->stored_int = r->fmt == RSTAT_DTA ? (t == READSTAT_TYPE_INT8 || t == READSTAT_TYPE_INT16 || t == READSTAT_TYPE_INT32)
                  : r->fmt == RSTAT_SAV || r->fmt == RSTAT_POR ? spss_whole_format(format) : 0;
  col_builder_init(&x->b, x->kind == KIND_STRING ? COL_STRING : COL_DOUBLE);
  int nm = readstat_variable_get_missing_ranges_count(v);
  for (int k = 0; k < nm && k < 32 && x->kind != KIND_STRING; k++) {
    x->missing[2 * k] = readstat_double_value(readstat_variable_get_missing_range_lo(v, k));
    x->missing[2 * k + 1] = readstat_double_value(readstat_variable_get_missing_range_hi(v, k));
    x->nmissing = k + 1;
  }
  (void)index;
  return READSTAT_HANDLER_OK;
}

static int on_value(int obs, readstat_variable_t *v, readstat_value_t value, void *ctx) {
  reader *r = ctx;
  int j = readstat_variable_get_index(v);
  if (j < 0 || (size_t)j >= r->nvar) return READSTAT_HANDLER_ABORT;
  col_builder *b = &r->vars[j].b;
  while (b->n < (size_t)obs && !b->failed) col_builder_na(b);
  if (readstat_value_is_missing(value, v)) col_builder_na(b);
  else if (b->type == COL_STRING) {
    const char *s = readstat_string_value(value);
    col_builder_string(b, s ? s : "", s ? strlen(s) : 0);
  } else col_builder_double(b, readstat_double_value(value));
  if (b->failed) { r->failed = 1; return READSTAT_HANDLER_ABORT; }
  if ((obs & 4095) == 4095 && j == 0 && mlsh_interrupted()) return READSTAT_HANDLER_ABORT;
  return READSTAT_HANDLER_OK;
}

static label_set *find_set(reader *r, const char *name) {
  for (size_t k = 0; k < r->nset; k++)
    if (strcmp(r->sets[k].set, name) == 0) return &r->sets[k];
  return NULL;
}

static int on_value_label(const char *set, readstat_value_t value, const char *label, void *ctx) {
  reader *r = ctx;
  if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING || readstat_value_is_tagged_missing(value))
    return READSTAT_HANDLER_OK;   /* labels of strings and of missing codes: nothing to map */
  label_set *s = find_set(r, set);
  if (!s) {
    if (mlsh_grow(&r->sets, &r->scap, r->nset + 1, sizeof *r->sets)) { r->failed = 1; return READSTAT_HANDLER_ABORT; }
    s = &r->sets[r->nset++];
    memset(s, 0, sizeof *s);
    if (!(s->set = dup_or_null(set))) { r->nset--; r->failed = 1; return READSTAT_HANDLER_ABORT; }
  }
  if (mlsh_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v)) { r->failed = 1; return READSTAT_HANDLER_ABORT; }
  s->v[s->n].value = readstat_double_value(value);
  s->v[s->n].label = dup_or_null(label ? label : "");
  if (!s->v[s->n].label && label && *label) { r->failed = 1; return READSTAT_HANDLER_ABORT; }
  s->n++;
  return READSTAT_HANDLER_OK;
}

static void on_error(const char *msg, void *ctx) {
  reader *r = ctx;
  snprintf(r->message, sizeof r->message, "%s", msg);
  size_t n = strlen(r->message);
  while (n && (r->message[n - 1] == '\n' || r->message[n - 1] == '.')) r->message[--n] = 0;
}

static void reader_free(reader *r) {
  for (size_t j = 0; j < r->nvar; j++) {
    mlsh_free(r->vars[j].name);
    mlsh_free(r->vars[j].label);
    mlsh_free(r->vars[j].labelset);
    col_builder_free(&r->vars[j].b);
  }
  mlsh_free(r->vars);
  for (size_t k = 0; k < r->nset; k++) {
    for (size_t i = 0; i < r->sets[k].n; i++) mlsh_free(r->sets[k].v[i].label);
    mlsh_free(r->sets[k].v);
    mlsh_free(r->sets[k].set);
  }
  mlsh_free(r->sets);
}

void rstat_free_labels(char **labels, size_t n) {
  if (!labels) return;
  for (size_t j = 0; j < n; j++) mlsh_free(labels[j]);
  mlsh_free(labels);
}


/* ---- From kept values to typed columns ---- */

typedef struct { double value; const char *text; int32_t level; } level_entry;

static int by_value(const void *a, const void *b) {
  double x = ((const level_entry *)a)->value, y = ((const level_entry *)b)->value;
  return x < y ? -1 : x > y;
}

static const level_entry *find_value(const level_entry *e, size_t n, double v) {
  level_entry key = {v, NULL, 0};
  return bsearch(&key, e, n, sizeof *e, by_value);
}

static int is_missing_code(const var_info *x, double v) {
  for (int k = 0; k < x->nmissing; k++)
    if (v >= x->missing[2 * k] && v <= x->missing[2 * k + 1]) return 1;
  return 0;
}

/* The labels of x's values (not of its missing codes), by value; each
 * entry's level is the first entry with the same text (two values may
 * share a label). NULL when a value present has no label: the variable
 * then stays numeric, as haven leaves it labelled rather than a factor. */
static level_entry *level_entries(const var_info *x, const label_set *s, const mlsh_col *c, size_t *nout, int *nomem) {
  size_t n = 0;
  level_entry *e = mlsh_malloc_array(s->n + 1, sizeof *e);
  *nomem = !e;
  if (!e) return NULL;
  for (size_t i = 0; i < s->n; i++)
    if (!is_missing_code(x, s->v[i].value)) e[n++] = (level_entry){s->v[i].value, s->v[i].label ? s->v[i].label : "", 0};
  qsort(e, n, sizeof *e, by_value);
  for (size_t i = 0; i < c->n; i++)
    if (!col_is_na(c, i) && !find_value(e, n, COL_DBL(c)[i])) {
      mlsh_free(e);
      return NULL;
    }
  int32_t levels = 0;
  for (size_t i = 0; i < n; i++) {
    size_t same = 0;
    while (same < i && strcmp(e[same].text, e[i].text) != 0) same++;
    e[i].level = same < i ? e[same].level : levels++;
  }
  *nout = n;
  return e;
}

/* 1 when made, 0 when x is not categorical, or an error status (negated). */
static int to_categorical(const var_info *x, const label_set *s, const mlsh_col *c, mlsh_col **out, mlsh_err *err) {
  size_t n = 0;
  int nomem;
  level_entry *e = level_entries(x, s, c, &n, &nomem);
  if (!e) return nomem ? -mlsh_seterr(err, MLSH_ENOMEM, "not enough memory") : 0;
  const char **names = mlsh_malloc_array(n ? n : 1, sizeof *names);
  int32_t *codes = mlsh_malloc_array(c->n ? c->n : 1, sizeof *codes);
  size_t nlev = 0;
  int rc = names && codes ? MLSH_OK : mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  for (size_t i = 0; i < n && !rc; i++)
    if (e[i].level == (int32_t)nlev) names[nlev++] = e[i].text;
  for (size_t i = 0; i < c->n && !rc; i++)
    codes[i] = col_is_na(c, i) ? 0 : find_value(e, n, COL_DBL(c)[i])->level;
  mlsh_col *levels = NULL;
  if (!rc) rc = col_from_strings(names, nlev, &levels, err);
  if (!rc) rc = col_categorical(codes, c->n, c->valid, levels, 0, out, err);
  col_unref(levels);
  mlsh_free(names);
  mlsh_free(codes);
  mlsh_free(e);
  return rc ? -rc : 1;
}

static int is_logical_set(const label_set *s) {
  if (s->n != 2) return 0;
  const value_label *f = &s->v[s->v[0].value == 0 ? 0 : 1], *t = &s->v[s->v[0].value == 0 ? 1 : 0];
  return f->value == 0 && t->value == 1 && f->label && t->label && strcmp(f->label, "FALSE") == 0 &&
         strcmp(t->label, "TRUE") == 0;
}

/* Every present value as v * scale + shift, in a column of type t. */
static int remap(const mlsh_col *c, col_type t, double scale, double shift, mlsh_col **out, mlsh_err *err) {
  col_builder b;
  col_builder_init(&b, t);
  for (size_t i = 0; i < c->n; i++) {
    double v = COL_DBL(c)[i] * scale + shift;
    if (col_is_na(c, i)) col_builder_na(&b);
    else if (t == COL_DATE) col_builder_int32(&b, (int32_t)floor(v));
    else if (t == COL_INT64) col_builder_int64(&b, (int64_t)v);
    else if (t == COL_LOGICAL) col_builder_logical(&b, v != 0);
    else col_builder_double(&b, v);
  }
  return col_builder_finish(&b, NULL, 0, out, err);
}

static int all_whole(const mlsh_col *c, double lo, double hi, int lo_hi_only) {
  for (size_t i = 0; i < c->n; i++) {
    double v = COL_DBL(c)[i];
    if (col_is_na(c, i)) continue;
    if (lo_hi_only ? v != lo && v != hi : v != floor(v) || v < lo || v > hi) return 0;
  }
  return 1;
}

static int typed_column(const reader *r, const var_info *x, mlsh_col *raw, mlsh_col **out, mlsh_err *err) {
  int spss = r->fmt == RSTAT_SAV || r->fmt == RSTAT_POR, sas = r->fmt == RSTAT_SAS7BDAT || r->fmt == RSTAT_XPT;
  const label_set *s = x->labelset && x->kind == KIND_NUMBER ? find_set((reader *)r, x->labelset) : NULL;
  if (x->kind == KIND_STRING) { *out = col_ref(raw); return MLSH_OK; }
  if (x->kind == KIND_DATE)
    return spss ? remap(raw, COL_DATE, 1.0 / 86400, -RSTAT_EPOCH_1582, out, err) : remap(raw, COL_DATE, 1, -RSTAT_EPOCH_1960, out, err);
  if (x->kind == KIND_DATETIME) {
    double scale = r->fmt == RSTAT_DTA ? 1e-3 : 1;
    return remap(raw, COL_DATETIME, scale, (spss ? -RSTAT_EPOCH_1582 : -RSTAT_EPOCH_1960) * 86400.0, out, err);
  }
  if (s && s->n && is_logical_set(s) && all_whole(raw, 0, 1, 1)) return remap(raw, COL_LOGICAL, 1, 0, out, err);
  int made = s && s->n ? to_categorical(x, s, raw, out, err) : 0;
  if (made) return made < 0 ? -made : MLSH_OK;
  if (x->stored_int && !sas && all_whole(raw, -9007199254740992.0, 9007199254740992.0, 0))
    return remap(raw, COL_INT64, 1, 0, out, err);
  *out = col_ref(raw);
  return MLSH_OK;
}

static int convert(reader *r, mlsh_frame **out, mlsh_err *err) {
  size_t nrow = r->rows > 0 ? (size_t)r->rows : 0;
  for (size_t j = 0; j < r->nvar; j++)
    if (r->vars[j].b.n > nrow) nrow = r->vars[j].b.n;
  int rc = frame_new(nrow, out, err);
  for (size_t j = 0; j < r->nvar && !rc; j++) {
    var_info *x = &r->vars[j];
    while (x->b.n < nrow && !x->b.failed) col_builder_na(&x->b);
    mlsh_col *raw = NULL, *c = NULL;
    rc = col_builder_finish(&x->b, NULL, 0, &raw, err);
    if (!rc) rc = typed_column(r, x, raw, &c, err);
    if (!rc) rc = frame_add(*out, x->name, c, err);
    col_unref(raw);
    col_unref(c);
  }
  if (rc) { frame_free(*out); *out = NULL; }
  return rc;
}

static readstat_error_t parse(readstat_parser_t *p, rstat_format fmt, const char *path, reader *r) {
  switch (fmt) {
  case RSTAT_SAV: return readstat_parse_sav(p, path, r);
  case RSTAT_POR: return readstat_parse_por(p, path, r);
  case RSTAT_DTA: return readstat_parse_dta(p, path, r);
  case RSTAT_SAS7BDAT: return readstat_parse_sas7bdat(p, path, r);
  default: return readstat_parse_xport(p, path, r);
  }
}

static int is_empty(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && st.st_size == 0;
}

static const char *format_name(rstat_format fmt) {
  static const char *const names[] = {"SPSS .sav", "SPSS .por", "Stata .dta", "SAS .sas7bdat", "SAS transport .xpt"};
  return names[fmt];
}

int rstat_read(const char *path, rstat_format fmt, mlsh_frame **out, char ***labels, mlsh_err *err) {
  *out = NULL;
  *labels = NULL;
  reader r;
  memset(&r, 0, sizeof r);
  r.fmt = fmt;
  r.rows = -1;
  readstat_parser_t *p = readstat_parser_init();
  if (!p) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  readstat_set_metadata_handler(p, on_metadata);
  readstat_set_variable_handler(p, on_variable);
  readstat_set_value_handler(p, on_value);
  readstat_set_value_label_handler(p, on_value_label);
  readstat_set_error_handler(p, on_error);
  readstat_error_t e = parse(p, fmt, path, &r);
  readstat_parser_free(p);
  int rc;
  if (r.failed) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  else if (e == READSTAT_ERROR_USER_ABORT && mlsh_interrupted()) rc = mlsh_seterr(err, MLSH_EINTR, "interrupted");
  else if (e == READSTAT_ERROR_OPEN) rc = mlsh_seterr(err, MLSH_EIO, "cannot open '%s'", path);
  else if (e != READSTAT_OK && is_empty(path)) rc = mlsh_seterr(err, MLSH_EIO, "'%s' is empty", path);
  else if (e != READSTAT_OK)
    rc = mlsh_seterr(err, MLSH_EIO, "'%s' is not a readable %s file (%s%s%s%.200s)", path, format_name(fmt),
                     e == READSTAT_ERROR_READ ? "truncated: " : "", readstat_error_message(e), r.message[0] ? "; " : "",
                     r.message);
  else rc = convert(&r, out, err);
  if (!rc) {
    *labels = mlsh_calloc(r.nvar ? r.nvar : 1, sizeof **labels);
    if (!*labels) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    for (size_t j = 0; j < r.nvar && !rc; j++) {
      (*labels)[j] = r.vars[j].label;
      r.vars[j].label = NULL;
    }
    if (rc) { frame_free(*out); *out = NULL; }
  }
  reader_free(&r);
  return rc;
}
