/* sqlite_db.h - SQLite databases as sources and sinks of data frames
 * (libsqlite3). A query's result becomes a frame whose column types come
 * from the declared types of the columns and from the values stored
 * (SQLite types values, not columns); a frame is written as a table in
 * one transaction, so a failed write leaves the table as it was. */
#ifndef MLSH_DATA_SQLITE_DB_H
#define MLSH_DATA_SQLITE_DB_H
#include <stddef.h>
#include <stdint.h>
#include "../frame/frame.h"

typedef struct sqldb sqldb;

typedef struct {
  int readonly;        /* open read-only (the file must exist) */
  int busy_ms;         /* how long to wait for another connection's lock */
} sqldb_options;

/* Open (or create, unless read-only) the database at path; ":memory:" is
 * a private in-memory database. A file that is not a database is an
 * error here, not at the first query. */
int sqldb_open(const char *path, const sqldb_options *o, sqldb **out, mlsh_err *err);
void sqldb_close(sqldb *db);                       /* NULL-safe */
const char *sqldb_path(const sqldb *db);

/* A value bound to a `?` parameter. */
typedef enum { SQLP_NULL, SQLP_INT, SQLP_DOUBLE, SQLP_TEXT } sqlp_kind;
typedef struct {
  sqlp_kind kind;
  int64_t i;
  double d;
  const char *s;
  size_t len;
} sql_param;

/* Run one statement with np parameters and return its rows as a frame.
 * Types: INTEGER -> integer, REAL/FLOAT/DOUBLE -> double, TEXT/CHAR ->
 * string, BOOLEAN -> logical (0/1), DATE -> date and DATETIME/TIMESTAMP ->
 * datetime (ISO 8601 text; numbers in a DATETIME column are Unix
 * seconds), NULL -> NA; a column whose values do not fit its declared type
 * (SQLite allows text in an INTEGER column) and one without a declared
 * type get the type of their values: integer, double, else string. */
int sqldb_query(sqldb *db, const char *sql, const sql_param *p, size_t np, mlsh_frame **out, mlsh_err *err);
/* Run any number of statements without parameters. */
int sqldb_exec(sqldb *db, const char *sql, mlsh_err *err);

typedef enum { SQLW_CREATE, SQLW_REPLACE, SQLW_APPEND } sqlw_mode;
/* Write f as table `name`: CREATE (the table must not exist), REPLACE
 * (drop it first) or APPEND (insert into the existing table, matching
 * columns by name), all in one transaction. Dates and datetimes are ISO
 * text in DATE / DATETIME columns, logicals 0/1 in BOOLEAN columns,
 * categoricals their level text. */
int sqldb_write(sqldb *db, const char *name, const mlsh_frame *f, sqlw_mode mode, mlsh_err *err);

/* ISO 8601 text for dates and datetimes (the forms written above), and
 * back: "YYYY-MM-DD" and "YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z|+HH:MM]".
 * The parsers return 0 on success, -1 when the text is not that form. */
void sql_format_date(int32_t days, char *out, size_t size);
void sql_format_datetime(double secs, char *out, size_t size);
int sql_parse_date(const char *s, size_t len, int32_t *days);
int sql_parse_datetime(const char *s, size_t len, double *secs);

#endif
