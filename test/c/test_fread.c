/* test_fread.c - the typed CSV reader (src/data/fread*.c) and writer
 * (src/data/csvwrite.c). Expected values are the ones written in each
 * input (the CSV rules of data.table's fread: an empty field is NA
 * outside strings, "NA" is NA); epoch seconds and days are R's, as
 *   as.numeric(as.POSIXct("2020-03-04 05:06:07", tz = "UTC"))  # 1583298367
 *   as.numeric(as.Date("2020-01-02"))                            # 18263
 * The parser's doubles are checked against glibc's correctly rounded strtod. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include "ctest.h"
#include "../../src/data/fread.h"
#include "../../src/data/fread_value.h"
#include "../../src/data/csvwrite.h"
#include "../../src/core/alloc.h"
#include "../../src/core/buf.h"
#include "../../src/core/rng.h"

static mlsh_frame *rd(const char *text, const fread_options *o) {
  fread_result r;
  mlsh_err err;
  if (fread_mem(text, strlen(text), o, &r, &err)) { fprintf(stderr, "  read failed: %s\n", err.msg); return NULL; }
  mlsh_frame *f = r.frame;
  r.frame = NULL;
  fread_result_free(&r);
  return f;
}

/* The error text of reading text (empty when it reads). */
static const char *rd_err(const char *text, const fread_options *o) {
  static mlsh_err err;
  fread_result r;
  err.msg[0] = 0;
  if (fread_mem(text, strlen(text), o, &r, &err) == MLSH_OK) { fread_result_free(&r); return ""; }
  return err.msg;
}

static const mlsh_col *col(const mlsh_frame *f, const char *name) {
  long k = f ? frame_find(f, name) : -1;
  return k < 0 ? NULL : f->cols[k];
}

static int str_is(const mlsh_col *c, size_t i, const char *s) {
  size_t len;
  if (!c || col_is_na(c, i)) return 0;
  const char *x = c->type == COL_CATEGORICAL ? col_str(c->levels, (size_t)COL_I32(c)[i], &len) : col_str(c, i, &len);
  return len == strlen(s) && memcmp(x, s, len) == 0;
}

static void test_values(void) {
  fv_numfmt f = {'.', 0}, eu = {',', '.'};
  int64_t i;
  double d;
  int32_t days;
  CHECK(fv_int64("-9223372036854775808", 20, &f, &i) && i == INT64_MIN);
  CHECK(!fv_int64("9223372036854775808", 19, &f, &i));
  CHECK(fv_double("9223372036854775808", 19, &f, &d) && d == 9223372036854775808.0);
  CHECK(fv_double("1.5e-3", 6, &f, &d) && d == 0.0015);
  CHECK(fv_double("-Inf", 4, &f, &d) && isinf(d) && d < 0);
  CHECK(fv_double("NaN", 3, &f, &d) && isnan(d));
  CHECK(!fv_double("1.2.3", 5, &f, &d) && !fv_double("e5", 2, &f, &d) && !fv_double("1e", 2, &f, &d));
  CHECK(fv_double("1.234.567,25", 12, &eu, &d) && d == 1234567.25);
  CHECK(!fv_double("1.23.567,25", 11, &eu, &d));
  CHECK(fv_date("2020-01-02", 10, &days) && days == 18263);
  CHECK(!fv_date("2020-02-30", 10, &days) && fv_date("2000-02-29", 10, &days) && !fv_date("1900-02-29", 10, &days));
  CHECK(fv_date_dm("02/01/2020", 10, 0, &days) && days == 18263);
  CHECK(fv_date_dm("1/2/2020", 8, 1, &days) && days == 18263);
  CHECK(fv_datetime("2020-03-04 05:06:07", 19, &d) && d == 1583298367);
  CHECK(fv_datetime("2020-03-04T07:06:07+02:00", 25, &d) && d == 1583298367);
  CHECK(fv_datetime("2020-03-04T00:06:07-0500", 24, &d) && d == 1583298367);
  CHECK(fv_datetime("2020-03-04T05:06:07.25Z", 23, &d) && d == 1583298367.25);
  CHECK(fv_classify("13/01/2020", 10, &f) == FV_DMY && fv_classify("01/13/2020", 10, &f) == FV_MDY);
  CHECK(fv_classify("T", 1, &f) == FV_LGL && fv_classify("12", 2, &f) == (FV_INT | FV_DBL));
  /* Exact doubles: random digit strings against strtod. */
  mlsh_rng rng;
  mlsh_rng_seed(&rng, 7);
  int bad = 0;
  for (int t = 0; t < 20000; t++) {
    char s[64];
    int nd = 1 + (int)(mlsh_rng_uniform(&rng) * 20), dot = (int)(mlsh_rng_uniform(&rng) * nd), n = 0;
    for (int k = 0; k < nd; k++) {
      if (k == dot && k) s[n++] = '.';
      s[n++] = (char)('0' + (int)(mlsh_rng_uniform(&rng) * 10));
    }
    if (t % 3 == 0) n += snprintf(s + n, 16, "e%d", (int)(mlsh_rng_uniform(&rng) * 80) - 40);
    s[n] = 0;
    bad += !fv_double(s, (size_t)n, &f, &d) || d != strtod(s, NULL);
  }
  CHECK(bad == 0);
}

/* Every line-end convention gives the same frame. */
static void test_line_ends(void) {
  const char *forms[] = {"a,b\n1,x\n2,y\n", "a,b\r\n1,x\r\n2,y\r\n", "a,b\r1,x\r2,y\r", "a,b\r\r\n1,x\r\r\n2,y\r\r\n",
                         "\xEF\xBB\xBF" "a,b\n1,x\n\n2,y", "a,b\n1,x\n2,y\n\n\n"};
  for (size_t k = 0; k < sizeof forms / sizeof *forms; k++) {
    mlsh_frame *f = rd(forms[k], NULL);
    CHECK(f && f->nrow == 2 && f->ncol == 2);
    CHECK(col(f, "a") && col(f, "a")->type == COL_INT64 && COL_I64(col(f, "a"))[1] == 2);
    CHECK(str_is(col(f, "b"), 1, "y"));
    frame_free(f);
  }
}

static void test_quotes(void) {
  mlsh_frame *f = rd("id,text\n1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,  plain  \n5,\"\"\n", NULL);
  CHECK(f && f->nrow == 5);
  const mlsh_col *t = col(f, "text");
  CHECK(str_is(t, 0, "a,b") && str_is(t, 1, "say \"hi\"") && str_is(t, 2, "two\nlines"));
  CHECK(str_is(t, 3, "plain") && str_is(t, 4, ""));
  frame_free(f);
  f = rd("x\n\"12\"\n\"3\"\n", NULL);   /* quoted numbers are numbers, as fread */
  CHECK(f && col(f, "x")->type == COL_INT64);
  frame_free(f);
}

static void test_sniffing(void) {
  mlsh_frame *f = rd("a;b;c\n1,5;2;x\n2,25;3;y\n", NULL);   /* ; with a decimal comma */
  CHECK(f && f->ncol == 3 && col(f, "a")->type == COL_DOUBLE && COL_DBL(col(f, "a"))[1] == 2.25);
  frame_free(f);
  f = rd("a\tb\n1\t2\n", NULL);
  CHECK(f && f->ncol == 2);
  frame_free(f);
  f = rd("a|b|c\n1|2|3\n", NULL);
  CHECK(f && f->ncol == 3);
  frame_free(f);
  f = rd("1,2\n3,4\n", NULL);   /* no header: V1, V2 */
  CHECK(f && f->nrow == 2 && col(f, "V1") && COL_I64(col(f, "V2"))[0] == 2);
  frame_free(f);
  f = rd("name,value\nx,1\n", NULL);
  CHECK(f && f->nrow == 1 && col(f, "value"));
  frame_free(f);
  fread_options o;
  fread_defaults(&o);
  o.header = 0;
  f = rd("name,value\nx,1\n", &o);
  CHECK(f && f->nrow == 2 && str_is(col(f, "V1"), 0, "name"));
  frame_free(f);
}

static void test_types(void) {
  mlsh_frame *f = rd("l,i,d,dt,tm,dmy,mdy,amb,s\n"
                     "TRUE,1,1.5,2020-01-02,2020-03-04 05:06:07,13/01/2020,01/13/2020,01/02/2020,a\n"
                     "F,,NA,,2020-03-04T05:06:07Z,02/01/2020,01/02/2020,02/01/2020,\n", NULL);
  CHECK(f && f->nrow == 2);
  const mlsh_col *c;
  CHECK((c = col(f, "l")) && c->type == COL_LOGICAL && COL_LGL(c)[0] == 1 && COL_LGL(c)[1] == 0);
  CHECK((c = col(f, "i")) && c->type == COL_INT64 && col_is_na(c, 1));
  CHECK((c = col(f, "d")) && c->type == COL_DOUBLE && col_is_na(c, 1));
  CHECK((c = col(f, "dt")) && c->type == COL_DATE && COL_I32(c)[0] == 18263 && col_is_na(c, 1));
  CHECK((c = col(f, "tm")) && c->type == COL_DATETIME && COL_DBL(c)[0] == 1583298367 && COL_DBL(c)[1] == 1583298367);
  CHECK((c = col(f, "dmy")) && c->type == COL_DATE && COL_I32(c)[1] == 18263);
  CHECK((c = col(f, "mdy")) && c->type == COL_DATE && COL_I32(c)[1] == 18263);
  CHECK((c = col(f, "amb")) && c->type == COL_STRING);   /* d/m or m/d: unknown, stays text */
  CHECK((c = col(f, "s")) && c->type == COL_STRING && str_is(c, 1, ""));
  frame_free(f);
  f = rd("a\nx\nNA\n\n", NULL);   /* an all-NA column is logical, as fread */
  CHECK(f && f->nrow == 2);
  frame_free(f);
  f = rd("a,b\nNA,1\n,2\n", NULL);
  CHECK(f && col(f, "a")->type == COL_LOGICAL && col_na_count(col(f, "a")) == 2);
  frame_free(f);
}

static void test_categorical(void) {
  mlsh_frame *f = rd("g\nb\na\nb\nc\na\nb\n", NULL);
  const mlsh_col *c = col(f, "g");
  CHECK(c && c->type == COL_CATEGORICAL && c->levels->n == 3);
  CHECK(c && str_is(c->levels, 0, "a") && str_is(c->levels, 2, "c") && COL_I32(c)[0] == 1 && str_is(c, 3, "c"));
  frame_free(f);
  fread_options o;
  fread_defaults(&o);
  o.strings = FREAD_STR_STRING;
  f = rd("g\nb\na\nb\nc\na\nb\n", &o);
  CHECK(f && col(f, "g")->type == COL_STRING);
  frame_free(f);
}

static void test_options(void) {
  fread_options o;
  fread_defaults(&o);
  o.skip = 2;
  o.comment = '#';
  mlsh_frame *f = rd("junk line\nmore junk\n# a comment\na,b\n1,2 # trailing\n#x\n3,4\n", &o);
  CHECK(f && f->nrow == 2 && COL_I64(col(f, "b"))[0] == 2 && COL_I64(col(f, "b"))[1] == 4);
  frame_free(f);
  fread_defaults(&o);
  o.nrows = 2;
  f = rd("a\n1\n2\n3\n", &o);
  CHECK(f && f->nrow == 2);
  frame_free(f);
  const char *sel[] = {"c", "a"};
  fread_defaults(&o);
  o.select = sel;
  o.nselect = 2;
  f = rd("a,b,c\n1,2,3\n", &o);
  CHECK(f && f->ncol == 2 && !strcmp(f->names[0], "c") && COL_I64(f->cols[1])[0] == 1);
  frame_free(f);
  const char *tc[] = {"a", "b", "d"};
  const int tv[] = {COL_DOUBLE, COL_STRING, COL_DATE};
  fread_defaults(&o);
  o.type_cols = tc;
  o.type_vals = tv;
  o.ntypes = 3;
  f = rd("a,b,d\n1,2,31/12/2020\n3,4,01/01/2021\n", &o);
  CHECK(f && col(f, "a")->type == COL_DOUBLE && col(f, "b")->type == COL_STRING && col(f, "d")->type == COL_DATE);
  frame_free(f);
  CHECK(strstr(rd_err("a,b,d\n1,2,x\n", &o), "line 2, column 3 ('d'): \"x\" cannot be read as date"));
  const char *na[] = {"-", "n/a"};
  fread_defaults(&o);
  o.na = na;
  o.nna = 2;
  f = rd("a,b\n1,-\nn/a,y\n", &o);
  CHECK(f && col_na_count(col(f, "a")) == 1 && col_na_count(col(f, "b")) == 1);
  frame_free(f);
  fread_defaults(&o);
  o.thousands = ',';
  f = rd("a,b\n\"1,234,567\",x\n\"12\",y\n", &o);
  CHECK(f && col(f, "a")->type == COL_INT64 && COL_I64(col(f, "a"))[0] == 1234567);
  frame_free(f);
  fread_defaults(&o);
  o.fill = 1;
  f = rd("a,b,c\n1,2\n4,5,6\n", &o);
  CHECK(f && f->nrow == 2 && col_is_na(col(f, "c"), 0) && COL_I64(col(f, "c"))[1] == 6);
  frame_free(f);
  fread_defaults(&o);
  o.encoding = "latin1";
  f = rd("name\ncaf\xE9\nna\xEFve\n", &o);
  CHECK(f && str_is(col(f, "name"), 0, "caf\xC3\xA9"));
  frame_free(f);
}

static void test_names(void) {
  fread_result r;
  mlsh_err err;
  const char *t = "a,,a,b,a,V2\n1,2,3,4,5,6\n";
  CHECK(fread_mem(t, strlen(t), NULL, &r, &err) == MLSH_OK);
  /* fread: a, V2, a.1, b, a.2, V2.1 */
  const char *want[] = {"a", "V2", "a.1", "b", "a.2", "V2.1"};
  for (int k = 0; k < 6; k++) CHECK(r.frame && !strcmp(r.frame->names[k], want[k]));
  CHECK(r.nrenamed == 4 && r.renamed[0].column == 2 && !strcmp(r.renamed[0].given, ""));
  fread_result_free(&r);
}

static void test_errors(void) {
  CHECK(strstr(rd_err("a,b,c\n1,2,3\n4,5\n", NULL), "line 3 has 2 fields, expected 3 (as in the header)"));
  CHECK(strstr(rd_err("a,b\n1,2\n3,\"open\n4,5\n", NULL), "line 3, column 2: unterminated quoted field"));
  CHECK(strstr(rd_err("a,b\n1,\"x\"y\n", NULL), "line 2, column 2: characters after a closing quote"));
  CHECK(strstr(rd_err("", NULL), "empty"));
  CHECK(strstr(rd_err("\n\n\r\n", NULL), "empty"));
  static const char bin[] = "a,b\n1,2\n\x7f" "ELF\0\1\2";
  fread_result r;
  mlsh_err err;
  CHECK(fread_mem(bin, sizeof bin - 1, NULL, &r, &err) == MLSH_EIO && strstr(err.msg, "line 3: a NUL byte"));
  CHECK(strstr(rd_err("a\nok\ncaf\xE9\n", NULL), "line 3: invalid UTF-8 (byte 0xE9)"));
  const char *sel[] = {"zz"};
  fread_options o;
  fread_defaults(&o);
  o.select = sel;
  o.nselect = 1;
  CHECK(strstr(rd_err("a,b\n1,2\n", &o), "unknown column 'zz' (the file has: a, b)"));
  CHECK(fread_file("/nonexistent/x.csv", NULL, &r, &err) == MLSH_EIO && strstr(err.msg, "cannot open '/nonexistent/x.csv'"));
}

/* A text of n rows "i,i*0.5,g<i%7>,<quoted with a comma>" (+ extra at row `at`). */
static char *big_text(size_t n, size_t at, const char *extra, size_t *len) {
  mlsh_buf b = MLSH_BUF_INIT;
  mlsh_buf_puts(&b, "id,half,group,note\n");
  for (size_t i = 0; i < n; i++) {
    if (i == at) mlsh_buf_puts(&b, extra);
    else mlsh_buf_printf(&b, "%zu,%g,g%zu,\"n, %zu\"\n", i, i * 0.5, i % 7, i % 3);
  }
  *len = b.len;
  return mlsh_buf_take(&b);
}

static mlsh_frame *rd_threads(const char *text, size_t len, int threads) {
  fread_options o;
  fread_defaults(&o);
  o.nthreads = threads;
  fread_result r;
  mlsh_err err;
  if (fread_mem(text, len, &o, &r, &err)) { fprintf(stderr, "  read failed: %s\n", err.msg); return NULL; }
  mlsh_frame *f = r.frame;
  r.frame = NULL;
  fread_result_free(&r);
  return f;
}

static void test_chunks(void) {
  size_t n = 120000, len;
  char *t = big_text(n, n, "", &len);   /* ~2.6 MB: several chunks */
  mlsh_frame *f1 = rd_threads(t, len, 1), *f4 = rd_threads(t, len, 4);
  CHECK(f1 && f4 && f1->nrow == n && f4->nrow == n);
  const mlsh_col *id = col(f4, "id"), *half = col(f4, "half"), *g = col(f4, "group"), *note = col(f4, "note");
  int ok = id && half && g && note && id->type == COL_INT64 && half->type == COL_DOUBLE && g->type == COL_CATEGORICAL;
  for (size_t i = 0; ok && i < n; i++) ok = COL_I64(id)[i] == (int64_t)i && COL_DBL(half)[i] == i * 0.5;
  CHECK(ok);
  CHECK(note && note->type == COL_CATEGORICAL && str_is(note, n - 1, "n, 2"));
  frame_free(f1);
  frame_free(f4);
  mlsh_free(t);
  /* A late value that does not fit re-types the column on every chunk. */
  t = big_text(n, n - 10, "x,1.25,g1,\"n\"\n", &len);
  f4 = rd_threads(t, len, 4);
  CHECK(f4 && col(f4, "id")->type == COL_STRING && str_is(col(f4, "id"), n - 10, "x") && str_is(col(f4, "id"), 5, "5"));
  frame_free(f4);
  mlsh_free(t);
  t = big_text(n, n / 2, "7.5,1,g1,\"n\"\n", &len);
  f4 = rd_threads(t, len, 4);
  CHECK(f4 && col(f4, "id")->type == COL_DOUBLE && COL_DBL(col(f4, "id"))[n / 2] == 7.5 && COL_DBL(col(f4, "id"))[3] == 3);
  frame_free(f4);
  mlsh_free(t);
  /* A quoted field with line ends across a split point, and a stray quote
   * that fools the quote count: the same rows either way. */
  t = big_text(n, n / 2, "1,1,g1,\"a long\nquoted\n\"\"field\"\"\"\n", &len);
  f4 = rd_threads(t, len, 4);
  CHECK(f4 && f4->nrow == n && str_is(col(f4, "note"), n / 2, "a long\nquoted\n\"field\""));
  frame_free(f4);
  mlsh_free(t);
  t = big_text(n, n / 3, "1,1,5'11\",x\n", &len);
  f4 = rd_threads(t, len, 4);
  CHECK(f4 && f4->nrow == n && str_is(col(f4, "group"), n / 3, "5'11\""));
  frame_free(f4);
  mlsh_free(t);
  /* A ragged row far into the file is named by its line. */
  t = big_text(n, 100000, "1,2\n", &len);
  fread_options o;
  fread_defaults(&o);
  o.nthreads = 4;
  fread_result r;
  mlsh_err err;
  CHECK(fread_mem(t, len, &o, &r, &err) == MLSH_EIO && strstr(err.msg, "line 100002 has 2 fields, expected 4"));
  mlsh_free(t);
  /* Invalid UTF-8 far into a file checked on threads (over 4 MB). */
  t = big_text(200000, 199990, "1,1,caf\xE9,x\n", &len);
  CHECK(len > (4u << 20));
  CHECK(fread_mem(t, len, &o, &r, &err) == MLSH_EIO && strstr(err.msg, "line 199992: invalid UTF-8 (byte 0xE9)"));
  mlsh_free(t);
}

/* Same names, types, NA and values (strings by their text). */
static int same_frames(const mlsh_frame *f, const mlsh_frame *g) {
  if (f->ncol != g->ncol || f->nrow != g->nrow) return 0;
  for (size_t j = 0; j < f->ncol; j++) {
    const mlsh_col *a = f->cols[j], *b = g->cols[j];
    int same = !strcmp(f->names[j], g->names[j]) && a->type == b->type && a->n == b->n;
    for (size_t i = 0; same && i < a->n; i++) {
      same = col_is_na(a, i) == col_is_na(b, i);
      if (!same || col_is_na(a, i)) continue;
      size_t la, lb;
      switch (a->type) {
      case COL_STRING: case COL_CATEGORICAL: {
        const mlsh_col *sa = a->levels ? a->levels : a, *sb = b->levels ? b->levels : b;
        const char *x = col_str(sa, a->levels ? (size_t)COL_I32(a)[i] : i, &la);
        const char *y = col_str(sb, b->levels ? (size_t)COL_I32(b)[i] : i, &lb);
        same = la == lb && !memcmp(x, y, la);
        break;
      }
      default: same = !memcmp((const char *)a->data + i * col_elem_size(a->type), (const char *)b->data + i * col_elem_size(b->type), col_elem_size(a->type));
      }
    }
    if (!same) { fprintf(stderr, "  column %s differs\n", f->names[j]); return 0; }
  }
  return 1;
}

/* Every column type, with NA, written and read back. */
static void test_round_trip(void) {
  const char *path = "build/test/fread_round_trip.csv";
  const char *text = "d,i,l,s,c,dt,tm\n"
                     "0.1,1,TRUE,\"a, \"\"b\"\"\",x,2020-01-02,2020-03-04T05:06:07Z\n"
                     "1e-300,-9007199254740993,FALSE,\"NA\",y,1969-12-31,1960-01-01T00:00:00.5Z\n"
                     "NA,NA,NA,NA,NA,NA,NA\n"
                     "-2,0,T,\" lead\",x,2000-02-29,2020-03-04T05:06:07.125Z\n"
                     "0.30000000000000004,7,F,\"\",y,9999-12-31,2038-01-19T03:14:08Z\n"
                     "1.7976931348623157e308,8,T,\"two\nlines\",x,1900-03-01,1900-03-01T23:59:59Z\n";
  fread_options o;
  fread_defaults(&o);
  const char *tc[] = {"c"};
  const int tv[] = {COL_CATEGORICAL};
  o.type_cols = tc;
  o.type_vals = tv;
  o.ntypes = 1;
  mlsh_frame *f = rd(text, &o), *g = NULL;
  CHECK(f && f->nrow == 6);
  mlsh_err err;
  CHECK(f && csvw_write(f, path, NULL, &err) == MLSH_OK);
  fread_result r;
  if (fread_file(path, &o, &r, &err) == MLSH_OK) { g = r.frame; r.frame = NULL; fread_result_free(&r); }
  CHECK(g && g->nrow == 6 && g->ncol == 7);
  CHECK(f && g && same_frames(f, g));
  frame_free(g);
  /* Nothing half-written: a folder that does not exist. */
  CHECK(f && csvw_write(f, "/nonexistent-dir/x.csv", NULL, &err) == MLSH_EIO && strstr(err.msg, "cannot write"));
  frame_free(f);
  char buf[32];
  CHECK(csvw_format_double(0.1 + 0.2, '.', buf) == 19 && !memcmp(buf, "0.30000000000000004", 19));
  CHECK(csvw_format_double(-1.5e-7, ',', buf) == 11 && !memcmp(buf, "-0,00000015", 11));
  CHECK(csvw_format_double(1e22, '.', buf) == 5 && !memcmp(buf, "1e+22", 5));
  unlink(path);
}

static void test_gzip(void) {
  const char *path = "build/test/fread_gz.csv.gz";
  gzFile g = gzopen(path, "wb");
  CHECK(g != NULL);
  if (!g) return;
  gzputs(g, "a,b\n1,x\n2,y\n");
  gzclose(g);
  fread_result r;
  mlsh_err err;
  CHECK(fread_file(path, NULL, &r, &err) == MLSH_OK && r.frame->nrow == 2 && COL_I64(r.frame->cols[0])[1] == 2);
  fread_result_free(&r);
  /* Truncated: the last bytes cut off. */
  FILE *fp = fopen(path, "rb");
  char bytes[256];
  size_t n = fp ? fread(bytes, 1, sizeof bytes, fp) : 0;
  if (fp) fclose(fp);
  fp = fopen(path, "wb");
  if (fp) { fwrite(bytes, 1, n > 6 ? n - 6 : n, fp); fclose(fp); }
  CHECK(fread_file(path, NULL, &r, &err) == MLSH_EIO && strstr(err.msg, "gzip"));
  unlink(path);
}


/* Tiny chunks (every split point tried): the same frame as one chunk,
 * also with quotes, line breaks in quotes, stray quotes, blank lines,
 * CR line ends, late misfits and an all-NA start. */
static void test_tiny_chunks(void) {
  const char *texts[] = {
    "a,b,c\n1,\"x,y\",2020-01-01\n2,\"q\"\"q\",2020-01-02\n\n3,\"multi\nline\",2020-01-03\n4,z,2020-01-04\n",
    "a,b\r1,2\r\r3,x\r4,5.5\r6,7\r",
    "h1,h2\n1,5'11\"\n2,6'1\"\n3,\"ok\"\n4,x\n",
    "x,y\nNA,NA\nNA,NA\nNA,NA\nNA,NA\n5,TRUE\n6,F\n7,TRUE\n",
    "v\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n1e3\n",
  };
  for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
    mlsh_frame *one = rd(texts[t], NULL);
    CHECK(one != NULL);
    for (size_t bytes = 1; one && bytes < 24; bytes++) {
      fread_options o;
      fread_defaults(&o);
      o.chunk_bytes = bytes;
      o.nthreads = 2;
      mlsh_frame *f = rd(texts[t], &o);
      int same = f && same_frames(one, f);
      if (!same) fprintf(stderr, "  text %zu, chunks of %zu bytes\n", t, bytes);
      CHECK(same);
      frame_free(f);
    }
    frame_free(one);
  }
  mlsh_frame *f = rd(texts[3], NULL);   /* NA first, then values: integer, logical */
  CHECK(f && f->cols[0]->type == COL_INT64 && f->cols[1]->type == COL_LOGICAL);
  frame_free(f);
}

/* Out of memory at every allocation in turn: a clean MLSH_ENOMEM, nothing
 * leaked (make asan), never a crash. */
static void test_out_of_memory(void) {
  const char *text = "a,b,c,d\n1,x,2020-01-01,\"q\"\"\"\n2,y,2020-01-02,z\n3,x,,w\n1.5,x,2020-01-04,v\n";
  fread_options o;
  fread_defaults(&o);
  o.nthreads = 1;
  int crashes = 0, failed = 0;
  for (long n = 1; n < 400; n++) {
    fread_result r;
    mlsh_err err;
    mlsh_alloc_fail_after(n);
    int rc = fread_mem(text, strlen(text), &o, &r, &err);
    mlsh_alloc_fail_after(0);
    if (rc == MLSH_OK) {
      mlsh_alloc_fail_after(n);
      int wc = csvw_write(r.frame, "build/test/fread_oom.csv", NULL, &err);
      mlsh_alloc_fail_after(0);
      crashes += wc != MLSH_OK && wc != MLSH_ENOMEM;
      fread_result_free(&r);
    } else {
      failed++;
      crashes += rc != MLSH_ENOMEM;
    }
  }
  CHECK(failed > 10 && crashes == 0);
  unlink("build/test/fread_oom.csv");
}

int main(void) {
  RUN(test_values);
  RUN(test_line_ends);
  RUN(test_quotes);
  RUN(test_sniffing);
  RUN(test_types);
  RUN(test_categorical);
  RUN(test_options);
  RUN(test_names);
  RUN(test_errors);
  RUN(test_chunks);
  RUN(test_tiny_chunks);
  RUN(test_round_trip);
  RUN(test_gzip);
  RUN(test_out_of_memory);
  CTEST_DONE();
}
