/* csvwrite.c - CSV writing of typed frames (see csvwrite.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csvwrite.h"
#include "fread_value.h"
#include "../core/calendar.h"
#include "../core/alloc.h"
#include "../core/atomicfile.h"
#include "../core/buf.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

void csvw_defaults(csvw_options *o) {
  o->sep = ',';
  o->dec = '.';
  o->na = "NA";
  o->quote = CSVW_QUOTE_AUTO;
  o->nthreads = 0;
}

static size_t put_uint(uint64_t v, char *buf) {
  char tmp[24];
  size_t n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  for (size_t i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  return n;
}

static size_t put_int(int64_t v, char *buf) {
  if (v >= 0) return put_uint((uint64_t)v, buf);
  buf[0] = '-';
  return 1 + put_uint(0 - (uint64_t)v, buf + 1);
}

static const double pow10_table[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* Few decimals, exactly: v == R / 10^k with an integer R < 2^53 and the
 * smallest such k <= 9 (a division of exact values, correctly rounded as
 * the reader's is, so the text reads back as v). */
static size_t short_double(double v, char dec, char *buf) {
  double a = fabs(v);
  if (a >= 9007199254740992.0 || (a < 1e-9 && a != 0)) return 0;
  for (int k = 0; k <= 9; k++) {
    double r = nearbyint(a * pow10_table[k]);
    if (r >= 9007199254740992.0) return 0;
    if (r / pow10_table[k] != a) continue;
    char digits[24];
    size_t nd = put_uint((uint64_t)r, digits), n = 0;
    if (v < 0 || (v == 0 && signbit(v))) buf[n++] = '-';
    if ((int)nd <= k) {   /* 0.00ddd */
      buf[n++] = '0';
      buf[n++] = dec;
      for (int z = 0; z < k - (int)nd; z++) buf[n++] = '0';
      memcpy(buf + n, digits, nd);
      return n + nd;
    }
    memcpy(buf + n, digits, nd - (size_t)k);
    n += nd - (size_t)k;
    if (k) {
      buf[n++] = dec;
      memcpy(buf + n, digits + nd - k, (size_t)k);
      n += (size_t)k;
    }
    return n;
  }
  return 0;
}

size_t csvw_format_double(double v, char dec, char *buf) {
  if (isnan(v)) { memcpy(buf, "NaN", 3); return 3; }
  if (isinf(v)) { memcpy(buf, v < 0 ? "-Inf" : "Inf", v < 0 ? 4 : 3); return v < 0 ? 4 : 3; }
  size_t n = short_double(v, dec, buf);
  if (n) return n;
  int len = snprintf(buf, 32, "%.15g", v);
  if (strtod(buf, NULL) != v) len = snprintf(buf, 32, "%.17g", v);
  for (int i = 0; dec != '.' && i < len; i++) if (buf[i] == '.') buf[i] = dec;
  return (size_t)len;
}

static size_t put_date(int64_t days, char *buf) {
  int64_t y;
  unsigned m, d;
  cal_civil_from_days(days, &y, &m, &d);
  size_t n = 0;
  if (y < 0) { buf[n++] = '-'; y = -y; }
  if (y < 1000) n += (size_t)snprintf(buf + n, 8, "%04d", (int)y);
  else n += put_uint((uint64_t)y, buf + n);
  buf[n++] = '-';
  buf[n++] = (char)('0' + m / 10); buf[n++] = (char)('0' + m % 10);
  buf[n++] = '-';
  buf[n++] = (char)('0' + d / 10); buf[n++] = (char)('0' + d % 10);
  return n;
}

static void two(char *p, int v) { p[0] = (char)('0' + v / 10); p[1] = (char)('0' + v % 10); }

/* YYYY-MM-DDTHH:MM:SS[.ffffff]Z; fractions to the microsecond. */
static size_t put_datetime(double t, char *buf) {
  double days = floor(t / 86400.0), rest = t - days * 86400.0;
  int64_t us = (int64_t)llround(rest * 1e6);
  if (us >= 86400000000LL) { days += 1; us -= 86400000000LL; }
  size_t n = put_date((int64_t)days, buf);
  int64_t s = us / 1000000, frac = us % 1000000;
  buf[n++] = 'T';
  two(buf + n, (int)(s / 3600)); n += 2; buf[n++] = ':';
  two(buf + n, (int)(s / 60 % 60)); n += 2; buf[n++] = ':';
  two(buf + n, (int)(s % 60)); n += 2;
  if (frac) {
    int k = 6;
    while (frac % 10 == 0) { frac /= 10; k--; }
    buf[n++] = '.';
    n += (size_t)snprintf(buf + n, 8, "%0*lld", k, (long long)frac);
  }
  buf[n++] = 'Z';
  return n;
}

/* ---- strings ------------------------------------------------------------- */

static int needs_quotes(const char *s, size_t len, const csvw_options *o) {
  if (o->quote == CSVW_QUOTE_ALL) return 1;
  if (o->quote == CSVW_QUOTE_NONE) return 0;
  if (len == 0 || s[0] == ' ' || s[len - 1] == ' ' || s[0] == '\t' || s[len - 1] == '\t') return 1;
  if (strlen(o->na) == len && memcmp(s, o->na, len) == 0) return 1;
  for (size_t i = 0; i < len; i++)
    if (s[i] == o->sep || s[i] == '"' || s[i] == '\n' || s[i] == '\r') return 1;
  return 0;
}

/* Room for n more bytes at the end of b (NULL when out of memory: b failed). */
static char *room(mlsh_buf *b, size_t n) {
  if (b->cap - b->len < n + 1 && mlsh_buf_reserve(b, n)) return NULL;
  return b->s + b->len;
}

static void put_string(mlsh_buf *b, const char *s, size_t len, const csvw_options *o) {
  int quote = needs_quotes(s, len, o);
  char *p = room(b, quote ? 2 * len + 2 : len);
  if (!p) return;
  if (!quote) { memcpy(p, s, len); b->len += len; return; }
  char *start = p;
  *p++ = '"';
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '"') *p++ = '"';
    *p++ = s[i];
  }
  *p++ = '"';
  b->len += (size_t)(p - start);
}

static void put_value(mlsh_buf *b, const mlsh_col *c, size_t i, const csvw_options *o) {
  size_t len;
  if (col_is_na(c, i)) { mlsh_buf_puts(b, o->na); return; }
  if (c->type == COL_STRING) { const char *s = col_str(c, i, &len); put_string(b, s, len, o); return; }
  if (c->type == COL_CATEGORICAL) {
    const char *s = col_str(c->levels, (size_t)COL_I32(c)[i], &len);
    put_string(b, s, len, o);
    return;
  }
  char *tmp = room(b, 48);
  size_t n = 0;
  if (!tmp) return;
  switch (c->type) {
  case COL_DOUBLE:
    n = csvw_format_double(COL_DBL(c)[i], o->dec, tmp);
    /* A whole number keeps a decimal mark, so it reads back as a double. */
    if (!memchr(tmp, o->dec, n) && !memchr(tmp, 'e', n) && !memchr(tmp, 'n', n) && !memchr(tmp, 'N', n)) {
      tmp[n++] = o->dec;
      tmp[n++] = '0';
    }
    break;
  case COL_INT64: n = put_int(COL_I64(c)[i], tmp); break;
  case COL_LOGICAL: n = COL_LGL(c)[i] ? 4 : 5; memcpy(tmp, COL_LGL(c)[i] ? "TRUE" : "FALSE", n); break;
  case COL_DATE: n = put_date(COL_I32(c)[i], tmp); break;
  case COL_DATETIME:
    if (!isfinite(COL_DBL(c)[i])) n = csvw_format_double(COL_DBL(c)[i], o->dec, tmp);
    else n = put_datetime(COL_DBL(c)[i], tmp);
    break;
  default: break;
  }
  b->len += n;
}

/* ---- blocks of rows on threads ------------------------------------------------ */

enum { BLOCK_ROWS = 8192 };

typedef struct {
  const mlsh_frame *f;
  const csvw_options *o;
  size_t first;        /* the first block of this batch */
  mlsh_buf *bufs;      /* one per block of the batch */
} write_job;

static int format_blocks(void *ctx, size_t begin, size_t end, int tid) {
  write_job *w = ctx;
  const mlsh_frame *f = w->f;
  for (size_t k = begin; k < end; k++) {
    mlsh_buf *b = &w->bufs[k];
    b->len = 0;
    size_t r0 = (w->first + k) * BLOCK_ROWS, r1 = r0 + BLOCK_ROWS < f->nrow ? r0 + BLOCK_ROWS : f->nrow;
    for (size_t i = r0; i < r1; i++) {
      for (size_t j = 0; j < f->ncol; j++) {
        put_value(b, f->cols[j], i, w->o);
        char *p = room(b, 1);
        if (p) { *p = j + 1 < f->ncol ? w->o->sep : '\n'; b->len++; }
      }
      if (f->ncol == 0) mlsh_buf_add(b, "\n", 1);
    }
    if (b->failed) return MLSH_ENOMEM;
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

static int write_header(FILE *fp, const mlsh_frame *f, const csvw_options *o) {
  mlsh_buf b = MLSH_BUF_INIT;
  for (size_t j = 0; j < f->ncol; j++) {
    if (j) mlsh_buf_add(&b, &o->sep, 1);
    put_string(&b, f->names[j], strlen(f->names[j]), o);
  }
  mlsh_buf_add(&b, "\n", 1);
  int rc = b.failed ? MLSH_ENOMEM : (fwrite(b.s, 1, b.len, fp) == b.len ? MLSH_OK : MLSH_EIO);
  mlsh_buf_free(&b);
  return rc;
}

static int write_rows(FILE *fp, const mlsh_frame *f, const csvw_options *o, mlsh_err *err) {
  int nt = mlsh_threads_resolve(o->nthreads);
  size_t nblocks = (f->nrow + BLOCK_ROWS - 1) / BLOCK_ROWS, batch = (size_t)nt * 4;
  mlsh_buf *bufs = mlsh_calloc(batch, sizeof *bufs);
  if (!bufs) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  int rc = MLSH_OK;
  for (size_t first = 0; first < nblocks && !rc; first += batch) {
    size_t k = nblocks - first < batch ? nblocks - first : batch;
    write_job w = {f, o, first, bufs};
    rc = mlsh_parallel_for(k, nt, 1, format_blocks, &w);
    for (size_t i = 0; i < k && !rc; i++)
      if (bufs[i].len && fwrite(bufs[i].s, 1, bufs[i].len, fp) != bufs[i].len) rc = MLSH_EIO;
  }
  for (size_t i = 0; i < batch; i++) mlsh_buf_free(&bufs[i]);
  mlsh_free(bufs);
  if (rc == MLSH_ENOMEM) return mlsh_seterr(err, rc, "not enough memory");
  if (rc == MLSH_EINTR) return mlsh_seterr(err, rc, "interrupted");
  return rc;
}

int csvw_write(const mlsh_frame *f, const char *path, const csvw_options *o, mlsh_err *err) {
  csvw_options def;
  if (!o) { csvw_defaults(&def); o = &def; }
  if (o->dec == o->sep)
    return mlsh_seterr(err, MLSH_EINVAL, "the decimal mark '%c' cannot be the separator too", o->dec);
  mlsh_afile af;
  int rc = mlsh_afile_open(&af, path, err);
  if (rc) return rc;
  rc = write_header(af.fp, f, o);
  if (rc == MLSH_ENOMEM) mlsh_seterr(err, rc, "not enough memory");
  if (!rc) rc = write_rows(af.fp, f, o, err);
  if (rc == MLSH_EIO) mlsh_seterr(err, rc, "cannot write '%s' (disk full?)", path);
  if (rc) { mlsh_afile_abort(&af); return rc; }
  return mlsh_afile_commit(&af, err);
}
