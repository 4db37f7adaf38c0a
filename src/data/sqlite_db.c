/* sqlite_db.c - opening a database, running statements and turning a
 * result set into a typed frame. Rows are first kept as SQLite gave them
 * (a storage class and a value per cell); each column's type is decided
 * once every value is known, from its declared type and its values. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "sqlite_conn.h"
#include "../core/alloc.h"
#include "../core/buf.h"
#include "../core/interrupt.h"

const char *sqldb_path(const sqldb *db) { return db->path; }

/* "<sqlite message> (in: <sql>)", the statement shortened when long. */
int sqldb_fail(sqlite3 *h, const char *sql, mlsh_err *err) {
  int code = sqlite3_errcode(h) == SQLITE_NOMEM ? MLSH_ENOMEM : MLSH_EIO;
  if (!sql) return mlsh_seterr(err, code, "%s", sqlite3_errmsg(h));
  size_t n = strlen(sql);
  return mlsh_seterr(err, code, "%s (in: %.200s%s)", sqlite3_errmsg(h), sql, n > 200 ? "..." : "");
}

int sqldb_open(const char *path, const sqldb_options *o, sqldb **out, mlsh_err *err) {
  *out = NULL;
  sqldb *db = mlsh_calloc(1, sizeof *db);
  size_t n = strlen(path);
  if (db) db->path = mlsh_malloc(n + 1);
  if (!db || !db->path) {
    mlsh_free(db);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  memcpy(db->path, path, n + 1);
  int flags = o->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path, &db->h, flags, NULL);
  /* Reading the schema makes a file that is not a database fail now. */
  if (rc == SQLITE_OK) rc = sqlite3_exec(db->h, "PRAGMA schema_version", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    if (db->h) mlsh_seterr(err, MLSH_EIO, "cannot open '%s': %s", path, sqlite3_errmsg(db->h));
    else mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    sqldb_close(db);
    return err ? err->code : MLSH_EIO;
  }
  sqlite3_busy_timeout(db->h, o->busy_ms);
  sqlite3_extended_result_codes(db->h, 0);
  *out = db;
  return MLSH_OK;
}

void sqldb_close(sqldb *db) {
  if (!db) return;
  sqlite3_close_v2(db->h);
  mlsh_free(db->path);
  mlsh_free(db);
}

int sqldb_exec(sqldb *db, const char *sql, mlsh_err *err) {
  if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK) return sqldb_fail(db->h, sql, err);
  return MLSH_OK;
}

/* ---- Cells, then columns ---- */

typedef struct {
  int kind;            /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL */
  union { int64_t i; double d; struct { size_t off, len; } s; } v;
} cell;

typedef struct {
  size_t ncol, nrow, cap;
  cell *cells;         /* nrow * ncol, row-major */
  mlsh_buf bytes;      /* text and blob values */
} result;

static void result_free(result *r) {
  mlsh_free(r->cells);
  mlsh_buf_free(&r->bytes);
}

static int keep_row(sqlite3_stmt *st, result *r) {
  size_t need;
  if (mlsh_mul_overflow(r->nrow + 1, r->ncol, &need) || mlsh_grow(&r->cells, &r->cap, need, sizeof(cell)))
    return MLSH_ENOMEM;
  cell *row = r->cells + r->nrow * r->ncol;
  for (size_t j = 0; j < r->ncol; j++) {
    cell *c = &row[j];
    c->kind = sqlite3_column_type(st, (int)j);
    if (c->kind == SQLITE_INTEGER) c->v.i = sqlite3_column_int64(st, (int)j);
    else if (c->kind == SQLITE_FLOAT) c->v.d = sqlite3_column_double(st, (int)j);
    else if (c->kind != SQLITE_NULL) {
      const void *p = c->kind == SQLITE_TEXT ? (const void *)sqlite3_column_text(st, (int)j) : sqlite3_column_blob(st, (int)j);
      c->v.s.len = (size_t)sqlite3_column_bytes(st, (int)j);
      c->v.s.off = r->bytes.len;
      if (c->v.s.len && mlsh_buf_add(&r->bytes, p, c->v.s.len)) return MLSH_ENOMEM;
    }
  }
  r->nrow++;
  return MLSH_OK;
}

typedef enum { DECL_NONE, DECL_INT, DECL_DOUBLE, DECL_TEXT, DECL_BOOL, DECL_DATE, DECL_DATETIME } decl_kind;

static int has(const char *s, const char *word) {
  for (size_t n = strlen(word); *s; s++)
    if (strncasecmp(s, word, n) == 0) return 1;
  return 0;
}

/* SQLite's affinity rules (INT, CHAR/CLOB/TEXT, REAL/FLOA/DOUB) plus the
 * date and boolean names that SQLite leaves to the application. */
static decl_kind declared(const char *t) {
  if (!t || !*t) return DECL_NONE;
  if (has(t, "DATETIME") || has(t, "TIMESTAMP")) return DECL_DATETIME;
  if (has(t, "DATE")) return DECL_DATE;
  if (has(t, "BOOL")) return DECL_BOOL;
  if (has(t, "INT")) return DECL_INT;
  if (has(t, "CHAR") || has(t, "CLOB") || has(t, "TEXT")) return DECL_TEXT;
  if (has(t, "REAL") || has(t, "FLOA") || has(t, "DOUB")) return DECL_DOUBLE;
  return DECL_NONE;
}

typedef struct { size_t ints, reals, texts, others, bools, dates, datetimes; } census;

static census count_kinds(const result *r, size_t j) {
  census c = {0};
  for (size_t i = 0; i < r->nrow; i++) {
    const cell *x = &r->cells[i * r->ncol + j];
    const char *s = r->bytes.s + (x->kind == SQLITE_TEXT ? x->v.s.off : 0);
    int32_t d;
    double t;
    if (x->kind == SQLITE_INTEGER) {
      c.ints++;
      c.bools += x->v.i == 0 || x->v.i == 1;
    } else if (x->kind == SQLITE_FLOAT) c.reals++;
    else if (x->kind == SQLITE_TEXT) {
      c.texts++;
      c.dates += !sql_parse_date(s, x->v.s.len, &d);
      c.datetimes += !sql_parse_datetime(s, x->v.s.len, &t);
    } else if (x->kind == SQLITE_BLOB) c.others++;
  }
  return c;
}

static col_type decide(decl_kind k, census c) {
  size_t numbers = c.ints + c.reals, values = numbers + c.texts + c.others;
  if (k == DECL_DATE && c.dates == values) return COL_DATE;
  if (k == DECL_DATETIME && c.datetimes + numbers == values) return COL_DATETIME;
  if (k == DECL_BOOL && c.bools == values) return COL_LOGICAL;
  if (c.texts || c.others) return COL_STRING;
  if (values == 0) {   /* only NULLs: the declared type, else R's logical NA */
    static const col_type by_decl[] = {COL_LOGICAL, COL_INT64, COL_DOUBLE, COL_STRING, COL_LOGICAL, COL_DATE, COL_DATETIME};
    return by_decl[k];
  }
  if (k == DECL_TEXT) return COL_STRING;
  return c.reals || k == DECL_DOUBLE ? COL_DOUBLE : COL_INT64;
}

static void push_cell(col_builder *b, const result *r, const cell *x) {
  const char *s = r->bytes.s + (x->kind == SQLITE_TEXT || x->kind == SQLITE_BLOB ? x->v.s.off : 0);
  double num = x->kind == SQLITE_INTEGER ? (double)x->v.i : x->v.d;
  char text[64];
  int32_t d;
  double t;
  if (x->kind == SQLITE_NULL) { col_builder_na(b); return; }
  switch (b->type) {
  case COL_INT64: col_builder_int64(b, x->v.i); break;
  case COL_DOUBLE: col_builder_double(b, num); break;
  case COL_LOGICAL: col_builder_logical(b, x->v.i != 0); break;
  case COL_DATE: sql_parse_date(s, x->v.s.len, &d); col_builder_int32(b, d); break;
  case COL_DATETIME:
    if (x->kind == SQLITE_TEXT) sql_parse_datetime(s, x->v.s.len, &t);
    else t = num;
    col_builder_double(b, t);
    break;
  default:   /* string: numbers as SQLite itself writes them as text */
    if (x->kind == SQLITE_INTEGER) sqlite3_snprintf(sizeof text, text, "%lld", (long long)x->v.i);
    else if (x->kind == SQLITE_FLOAT) sqlite3_snprintf(sizeof text, text, "%!.15g", x->v.d);
    if (x->kind == SQLITE_INTEGER || x->kind == SQLITE_FLOAT) col_builder_string(b, text, strlen(text));
    else col_builder_string(b, s, x->v.s.len);
  }
}

static int build_frame(sqlite3_stmt *st, const result *r, mlsh_frame **out, mlsh_err *err) {
  int rc = frame_new(r->nrow, out, err);
  for (size_t j = 0; j < r->ncol && !rc; j++) {
    col_builder b;
    col_builder_init(&b, decide(declared(sqlite3_column_decltype(st, (int)j)), count_kinds(r, j)));
    for (size_t i = 0; i < r->nrow; i++) push_cell(&b, r, &r->cells[i * r->ncol + j]);
    mlsh_col *c = NULL;
    rc = col_builder_finish(&b, NULL, 0, &c, err);
    const char *name = sqlite3_column_name(st, (int)j);
    char alt[32];
    if (!rc && frame_find(*out, name) >= 0) {   /* SELECT a.x, b.x: the second is x..2 */
      snprintf(alt, sizeof alt, "..%zu", j + 1);
      mlsh_buf nb = MLSH_BUF_INIT;
      mlsh_buf_printf(&nb, "%s%s", name, alt);
      rc = nb.failed ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory") : frame_add(*out, nb.s, c, err);
      mlsh_buf_free(&nb);
    } else if (!rc) rc = frame_add(*out, name, c, err);
    col_unref(c);
  }
  if (rc) {
    frame_free(*out);
    *out = NULL;
  }
  return rc;
}

static int bind_params(sqlite3 *h, sqlite3_stmt *st, const char *sql, const sql_param *p, size_t np, mlsh_err *err) {
  int want = sqlite3_bind_parameter_count(st);
  if ((size_t)want != np)
    return mlsh_seterr(err, MLSH_EINVAL, "the statement has %d parameter%s, %zu value%s given (in: %.200s)", want,
                       want == 1 ? "" : "s", np, np == 1 ? "" : "s", sql);
  for (size_t k = 0; k < np; k++) {
    int i = (int)k + 1, rc;
    if (p[k].kind == SQLP_INT) rc = sqlite3_bind_int64(st, i, p[k].i);
    else if (p[k].kind == SQLP_DOUBLE) rc = sqlite3_bind_double(st, i, p[k].d);
    else if (p[k].kind == SQLP_TEXT) rc = sqlite3_bind_text64(st, i, p[k].s, p[k].len, SQLITE_TRANSIENT, SQLITE_UTF8);
    else rc = sqlite3_bind_null(st, i);
    if (rc != SQLITE_OK) return sqldb_fail(h, sql, err);
  }
  return MLSH_OK;
}

static int only_space(const char *s) {
  for (; *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != ';') return 0;
  return 1;
}

int sqldb_query(sqldb *db, const char *sql, const sql_param *p, size_t np, mlsh_frame **out, mlsh_err *err) {
  *out = NULL;
  sqlite3_stmt *st = NULL;
  const char *tail = NULL;
  if (sqlite3_prepare_v2(db->h, sql, -1, &st, &tail) != SQLITE_OK) return sqldb_fail(db->h, sql, err);
  if (!st) return mlsh_seterr(err, MLSH_EINVAL, "no statement in the SQL text");
  result r = {0};
  r.ncol = (size_t)sqlite3_column_count(st);
  int rc = tail && !only_space(tail)
             ? mlsh_seterr(err, MLSH_EINVAL, "one statement at a time (exec runs several): '%.60s' follows the first", tail)
             : bind_params(db->h, st, sql, p, np, err);
  while (!rc) {
    int s = sqlite3_step(st);
    if (s == SQLITE_DONE) break;
    if (s != SQLITE_ROW) rc = sqldb_fail(db->h, sql, err);
    else if (keep_row(st, &r)) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    else if ((r.nrow & 4095) == 0 && mlsh_interrupted()) rc = mlsh_seterr(err, MLSH_EINTR, "interrupted");
  }
  if (!rc) rc = build_frame(st, &r, out, err);
  result_free(&r);
  sqlite3_finalize(st);
  return rc;
}

