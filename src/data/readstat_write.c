/* readstat_write.c - a frame written as a Stata .dta or SPSS .sav file
 * through libreadstat's writer, into an atomic file (so a failure leaves
 * no half-written file). Each column type has one encoding, chosen so
 * that readstat_read.c reads the same types back (see readstat_io.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <readstat.h>
#include "readstat_io.h"
#include "../core/alloc.h"
#include "../core/atomicfile.h"
#include "../core/buf.h"
#include "../core/interrupt.h"

#define STATA_MAX_STR 2045           /* longer strings go in strL */
#define STATA_MAX_LONG 2147483620    /* larger longs are missing codes */

typedef struct {
  rstat_format fmt;
  readstat_writer_t *w;
  const mlsh_frame *f;
  readstat_variable_t **vars;
  int *as_long;        /* integer column written as Stata long (else double) */
  int *as_strl;        /* string column written as Stata strL */
  readstat_string_ref_t ***refs;   /* strL columns: one reference per cell */
  mlsh_buf text;       /* one string value, NUL-terminated */
  mlsh_afile af;
} writer;

static ssize_t write_bytes(const void *data, size_t len, void *ctx) {
  writer *wr = ctx;
  return fwrite(data, 1, len, wr->af.fp) == len ? (ssize_t)len : -1;
}

static size_t max_bytes(const mlsh_col *c) {
  size_t m = 1, len;
  for (size_t i = 0; i < c->n; i++)
    if (!col_is_na(c, i) && (col_str(c, i, &len), len > m)) m = len;
  return m;
}

static int fits_long(const mlsh_col *c) {
  for (size_t i = 0; i < c->n; i++)
    if (!col_is_na(c, i) && (COL_I64(c)[i] > STATA_MAX_LONG || COL_I64(c)[i] < -STATA_MAX_LONG)) return 0;
  return 1;
}

static const char *cstring(writer *wr, const mlsh_col *c, size_t i);

/* Value labels live in a set named after the column; readstat copies the texts. */
static readstat_label_set_t *new_label_set(writer *wr, size_t j) {
  char setname[40];
  snprintf(setname, sizeof setname, "%.32s", wr->f->names[j]);
  return readstat_add_label_set(wr->w, wr->fmt == RSTAT_DTA ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE, setname);
}

static void add_label(writer *wr, readstat_label_set_t *s, int32_t value, const char *label) {
  if (wr->fmt == RSTAT_DTA) readstat_label_int32_value(s, value, label);
  else readstat_label_double_value(s, value, label);
}

/* Logicals: 0 FALSE, 1 TRUE; categoricals: codes 1..k labelled with the levels. */
static int add_value_labels(writer *wr, size_t j, readstat_variable_t *v) {
  const mlsh_col *c = wr->f->cols[j];
  readstat_label_set_t *s = new_label_set(wr, j);
  if (!s) return MLSH_ENOMEM;
  if (c->type == COL_LOGICAL) {
    add_label(wr, s, 0, "FALSE");
    add_label(wr, s, 1, "TRUE");
  }
  for (size_t k = 0; c->type == COL_CATEGORICAL && k < c->levels->n; k++) {
    const char *name = cstring(wr, c->levels, k);
    if (!name) return MLSH_ENOMEM;
    add_label(wr, s, (int32_t)k + 1, name);
  }
  readstat_variable_set_label_set(v, s);
  return MLSH_OK;
}

/* The variable of column j: its storage type, width and display format. */
static int add_variable(writer *wr, size_t j, mlsh_err *err) {
  const mlsh_col *c = wr->f->cols[j];
  int dta = wr->fmt == RSTAT_DTA;
  readstat_type_t t = READSTAT_TYPE_DOUBLE;
  size_t width = 0;
  char format[32] = "";
  if (c->type == COL_STRING) {
    width = max_bytes(c);
    wr->as_strl[j] = dta && width > STATA_MAX_STR;
    t = wr->as_strl[j] ? READSTAT_TYPE_STRING_REF : READSTAT_TYPE_STRING;
    if (wr->as_strl[j]) width = 0;
  } else if (c->type == COL_INT64) {
    wr->as_long[j] = dta && fits_long(c);
    t = wr->as_long[j] ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE;
    snprintf(format, sizeof format, dta ? "%%12.0g" : "F20.0");
  } else if (c->type == COL_LOGICAL || c->type == COL_CATEGORICAL) {
    t = dta ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE;
    snprintf(format, sizeof format, dta ? "%%8.0g" : "F8.0");
  } else if (c->type == COL_DATE) {
    t = dta ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE;
    snprintf(format, sizeof format, dta ? "%%td" : "DATE11");
  } else if (c->type == COL_DATETIME) {
    snprintf(format, sizeof format, dta ? "%%tc" : "DATETIME23.2");
  } else {
    snprintf(format, sizeof format, dta ? "%%10.0g" : "F8.2");
  }
  readstat_variable_t *v = readstat_add_variable(wr->w, wr->f->names[j], t, width);
  if (!v) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (format[0]) readstat_variable_set_format(v, format);
  if ((c->type == COL_LOGICAL || c->type == COL_CATEGORICAL) && add_value_labels(wr, j, v))
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  wr->vars[j] = v;
  return MLSH_OK;
}

/* Value i of a string column, NUL-terminated in wr->text ("" for NA). */
static const char *cstring(writer *wr, const mlsh_col *c, size_t i) {
  size_t len;
  const char *s = col_is_na(c, i) ? "" : col_str(c, i, &len);
  if (col_is_na(c, i)) len = 0;
  wr->text.len = 0;
  mlsh_buf_add(&wr->text, s, len);
  return wr->text.failed ? NULL : wr->text.s ? wr->text.s : "";
}

static readstat_error_t insert(writer *wr, size_t j, size_t i) {
  const mlsh_col *c = wr->f->cols[j];
  readstat_variable_t *v = wr->vars[j];
  int dta = wr->fmt == RSTAT_DTA;
  if (c->type == COL_STRING) {
    const char *s = cstring(wr, c, i);
    if (!s) return READSTAT_ERROR_MALLOC;
    if (!wr->as_strl[j]) return readstat_insert_string_value(wr->w, v, s);
    return readstat_insert_string_ref(wr->w, v, wr->refs[j][i]);
  }
  if (col_is_na(c, i)) return readstat_insert_missing_value(wr->w, v);
  switch (c->type) {
  case COL_INT64:
    if (wr->as_long[j]) return readstat_insert_int32_value(wr->w, v, (int32_t)COL_I64(c)[i]);
    return readstat_insert_double_value(wr->w, v, (double)COL_I64(c)[i]);
  case COL_LOGICAL:
    return dta ? readstat_insert_int32_value(wr->w, v, COL_LGL(c)[i]) : readstat_insert_double_value(wr->w, v, COL_LGL(c)[i]);
  case COL_CATEGORICAL:
    return dta ? readstat_insert_int32_value(wr->w, v, COL_I32(c)[i] + 1)
               : readstat_insert_double_value(wr->w, v, COL_I32(c)[i] + 1);
  case COL_DATE:
    if (dta) return readstat_insert_int32_value(wr->w, v, COL_I32(c)[i] + RSTAT_EPOCH_1960);
    return readstat_insert_double_value(wr->w, v, (COL_I32(c)[i] + (double)RSTAT_EPOCH_1582) * 86400);
  case COL_DATETIME:
    if (dta) return readstat_insert_double_value(wr->w, v, (COL_DBL(c)[i] + RSTAT_EPOCH_1960 * 86400.0) * 1000);
    return readstat_insert_double_value(wr->w, v, COL_DBL(c)[i] + RSTAT_EPOCH_1582 * 86400.0);
  default:
    return readstat_insert_double_value(wr->w, v, COL_DBL(c)[i]);
  }
}

/* Stata's layout needs every strL value known before the first row. */
static readstat_error_t add_strls(writer *wr) {
  for (size_t j = 0; j < wr->f->ncol; j++) {
    if (!wr->as_strl[j]) continue;
    if (!(wr->refs[j] = mlsh_malloc_array(wr->f->nrow + 1, sizeof **wr->refs))) return READSTAT_ERROR_MALLOC;
    for (size_t i = 0; i < wr->f->nrow; i++) {
      const char *s = cstring(wr, wr->f->cols[j], i);
      if (!s || !(wr->refs[j][i] = readstat_add_string_ref(wr->w, s))) return READSTAT_ERROR_MALLOC;
    }
  }
  return READSTAT_OK;
}

static readstat_error_t write_rows(writer *wr) {
  for (size_t i = 0; i < wr->f->nrow; i++) {
    readstat_error_t e = readstat_begin_row(wr->w);
    for (size_t j = 0; j < wr->f->ncol && e == READSTAT_OK; j++) e = insert(wr, j, i);
    if (e == READSTAT_OK) e = readstat_end_row(wr->w);
    if (e != READSTAT_OK) return e;
    if ((i & 4095) == 4095 && mlsh_interrupted()) return READSTAT_ERROR_USER_ABORT;
  }
  return READSTAT_OK;
}

static int fail(writer *wr, readstat_error_t e, mlsh_err *err) {
  if (e == READSTAT_ERROR_MALLOC) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (e == READSTAT_ERROR_USER_ABORT) return mlsh_seterr(err, MLSH_EINTR, "interrupted");
  return mlsh_seterr(err, MLSH_EIO, "cannot write '%s': %s", wr->af.path, readstat_error_message(e));
}

/* readstat checks names (Stata: letters, digits, _, at most 32 bytes). */
static int validate(writer *wr, mlsh_err *err) {
  readstat_error_t e = readstat_validate_metadata(wr->w);
  if (e != READSTAT_OK) return fail(wr, e, err);
  for (size_t j = 0; j < wr->f->ncol; j++)
    if ((e = readstat_validate_variable(wr->w, wr->vars[j])) != READSTAT_OK)
      return mlsh_seterr(err, MLSH_EINVAL, "column '%s' cannot be written to '%s': %s", wr->f->names[j], wr->af.path,
                         readstat_error_message(e));
  return MLSH_OK;
}

int rstat_write(const char *path, rstat_format fmt, const mlsh_frame *f, const char *const *labels, mlsh_err *err) {
  if (fmt != RSTAT_DTA && fmt != RSTAT_SAV) return mlsh_seterr(err, MLSH_EINVAL, "only .dta and .sav are written");
  writer wr;
  memset(&wr, 0, sizeof wr);
  wr.fmt = fmt;
  wr.f = f;
  wr.w = readstat_writer_init();
  wr.vars = mlsh_calloc(f->ncol + 1, sizeof *wr.vars);
  wr.as_long = mlsh_calloc(f->ncol + 1, sizeof *wr.as_long);
  wr.as_strl = mlsh_calloc(f->ncol + 1, sizeof *wr.as_strl);
  wr.refs = mlsh_calloc(f->ncol + 1, sizeof *wr.refs);
  int rc = wr.w && wr.vars && wr.as_long && wr.as_strl && wr.refs ? MLSH_OK : mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (!rc) rc = mlsh_afile_open(&wr.af, path, err);
  int opened = !rc;
  if (!rc) readstat_set_data_writer(wr.w, write_bytes);
  for (size_t j = 0; j < f->ncol && !rc; j++) {
    rc = add_variable(&wr, j, err);
    if (!rc && labels && labels[j]) readstat_variable_set_label(wr.vars[j], labels[j]);
  }
  readstat_error_t e = READSTAT_OK;
  if (!rc && (e = add_strls(&wr)) != READSTAT_OK) rc = fail(&wr, e, err);
  if (!rc) {
    if (fmt == RSTAT_DTA) readstat_writer_set_file_format_version(wr.w, 118);
    e = fmt == RSTAT_DTA ? readstat_begin_writing_dta(wr.w, &wr, (long)f->nrow)
                         : readstat_begin_writing_sav(wr.w, &wr, (long)f->nrow);
    if (e != READSTAT_OK) rc = fail(&wr, e, err);
  }
  if (!rc) rc = validate(&wr, err);
  if (!rc && (e = write_rows(&wr)) != READSTAT_OK) rc = fail(&wr, e, err);
  if (!rc && (e = readstat_end_writing(wr.w)) != READSTAT_OK) rc = fail(&wr, e, err);
  if (!rc) rc = mlsh_afile_commit(&wr.af, err);
  else if (opened) mlsh_afile_abort(&wr.af);
  if (wr.w) readstat_writer_free(wr.w);
  mlsh_free(wr.vars);
  mlsh_free(wr.as_long);
  mlsh_free(wr.as_strl);
  for (size_t j = 0; wr.refs && j < f->ncol; j++) mlsh_free(wr.refs[j]);
  mlsh_free(wr.refs);
  mlsh_buf_free(&wr.text);
  return rc;
}
