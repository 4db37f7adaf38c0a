/* sqlite_conn.h - what sqlite_db.c and sqlite_write.c share: the
 * connection behind an sqldb and the error text of a failed statement. */
#ifndef MLSH_DATA_SQLITE_CONN_H
#define MLSH_DATA_SQLITE_CONN_H
#include <sqlite3.h>
#include "sqlite_db.h"

struct sqldb {
  sqlite3 *h;
  char *path;
};

/* "<sqlite message> (in: <sql>)" into err; MLSH_EIO (MLSH_ENOMEM when SQLite ran out). */
int sqldb_fail(sqlite3 *h, const char *sql, mlsh_err *err);

#endif
