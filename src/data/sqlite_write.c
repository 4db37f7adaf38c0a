/* sqlite_write.c - a frame written as an SQLite table, in one
 * transaction: CREATE TABLE (or DROP + CREATE) and one prepared INSERT
 * run per row. Any failure rolls back, so the table is as it was. */
#include <string.h>
#include "sqlite_conn.h"
#include "../core/buf.h"
#include "../core/interrupt.h"

/* An SQL identifier in double quotes, inner quotes doubled. */
static void quote_ident(mlsh_buf *b, const char *name) {
  mlsh_buf_add(b, "\"", 1);
  for (const char *p = name; *p; p++) {
    if (*p == '"') mlsh_buf_add(b, "\"", 1);
    mlsh_buf_add(b, p, 1);
  }
  mlsh_buf_add(b, "\"", 1);
}

static const char *sql_type(col_type t) {
  static const char *const names[] = {"REAL", "INTEGER", "BOOLEAN", "TEXT", "TEXT", "DATE", "DATETIME"};
  return names[t];
}

/* ("a" REAL, "b" TEXT) with types, ("a", "b") without. */
static void column_list(mlsh_buf *b, const mlsh_frame *f, int with_types) {
  mlsh_buf_puts(b, " (");
  for (size_t j = 0; j < f->ncol; j++) {
    if (j) mlsh_buf_puts(b, ", ");
    quote_ident(b, f->names[j]);
    if (with_types) mlsh_buf_printf(b, " %s", sql_type(f->cols[j]->type));
  }
  mlsh_buf_puts(b, ")");
}

static void create_sql(mlsh_buf *b, const char *name, const mlsh_frame *f) {
  mlsh_buf_puts(b, "CREATE TABLE ");
  quote_ident(b, name);
  column_list(b, f, 1);
}

static void insert_sql(mlsh_buf *b, const char *name, const mlsh_frame *f) {
  mlsh_buf_puts(b, "INSERT INTO ");
  quote_ident(b, name);
  column_list(b, f, 0);
  mlsh_buf_puts(b, " VALUES (");
  for (size_t j = 0; j < f->ncol; j++) mlsh_buf_puts(b, j ? ", ?" : "?");
  mlsh_buf_puts(b, ")");
}

static int bind_value(sqlite3_stmt *st, int k, const mlsh_col *c, size_t i) {
  char text[64];
  size_t len;
  const char *s;
  if (col_is_na(c, i)) return sqlite3_bind_null(st, k);
  switch (c->type) {
  case COL_DOUBLE: return sqlite3_bind_double(st, k, COL_DBL(c)[i]);
  case COL_INT64: return sqlite3_bind_int64(st, k, COL_I64(c)[i]);
  case COL_LOGICAL: return sqlite3_bind_int(st, k, COL_LGL(c)[i]);
  case COL_STRING:
    s = col_str(c, i, &len);
    return sqlite3_bind_text64(st, k, s, len, SQLITE_STATIC, SQLITE_UTF8);
  case COL_CATEGORICAL:
    s = col_str(c->levels, (size_t)COL_I32(c)[i], &len);
    return sqlite3_bind_text64(st, k, s, len, SQLITE_STATIC, SQLITE_UTF8);
  case COL_DATE:
    sql_format_date(COL_I32(c)[i], text, sizeof text);
    return sqlite3_bind_text(st, k, text, -1, SQLITE_TRANSIENT);
  case COL_DATETIME:
    sql_format_datetime(COL_DBL(c)[i], text, sizeof text);
    return sqlite3_bind_text(st, k, text, -1, SQLITE_TRANSIENT);
  }
  return SQLITE_MISUSE;
}

static int insert_rows(sqlite3 *h, const char *sql, const mlsh_frame *f, mlsh_err *err) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) return sqldb_fail(h, sql, err);
  int rc = MLSH_OK;
  for (size_t i = 0; i < f->nrow && !rc; i++) {
    for (size_t j = 0; j < f->ncol && !rc; j++)
      if (bind_value(st, (int)j + 1, f->cols[j], i) != SQLITE_OK) rc = sqldb_fail(h, sql, err);
    if (!rc && sqlite3_step(st) != SQLITE_DONE) rc = sqldb_fail(h, sql, err);
    sqlite3_reset(st);
    if (!rc && (i & 4095) == 4095 && mlsh_interrupted()) rc = mlsh_seterr(err, MLSH_EINTR, "interrupted");
  }
  sqlite3_finalize(st);
  return rc;
}

static int run(sqlite3 *h, const char *sql, mlsh_err *err) {
  return sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK ? MLSH_OK : sqldb_fail(h, sql, err);
}

int sqldb_write(sqldb *db, const char *name, const mlsh_frame *f, sqlw_mode mode, mlsh_err *err) {
  if (f->ncol == 0) return mlsh_seterr(err, MLSH_EINVAL, "a frame without columns cannot be a table");
  mlsh_buf create = MLSH_BUF_INIT, insert = MLSH_BUF_INIT, drop = MLSH_BUF_INIT;
  create_sql(&create, name, f);
  insert_sql(&insert, name, f);
  mlsh_buf_puts(&drop, "DROP TABLE IF EXISTS ");
  quote_ident(&drop, name);
  int rc = create.failed || insert.failed || drop.failed ? mlsh_seterr(err, MLSH_ENOMEM, "not enough memory") : MLSH_OK;
  if (!rc) rc = run(db->h, "BEGIN IMMEDIATE", err);
  if (!rc) {
    if (mode == SQLW_REPLACE) rc = run(db->h, drop.s, err);
    if (!rc && mode != SQLW_APPEND) rc = run(db->h, create.s, err);
    if (!rc) rc = insert_rows(db->h, insert.s, f, err);
    if (!rc) rc = run(db->h, "COMMIT", err);
    if (rc) sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
  }
  mlsh_buf_free(&create);
  mlsh_buf_free(&insert);
  mlsh_buf_free(&drop);
  return rc;
}
