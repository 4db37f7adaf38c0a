/* test_dataio.c - the data I/O core beyond CSV: ISO 8601 text as SQLite
 * keeps dates, SQLite result typing and writing, .npz archives (round
 * trips and every truncation of one), HDF5 compound records as frames,
 * readstat writing and reading, and out-of-memory paths. Reference days
 * and seconds are R's: as.numeric(as.Date("2024-02-29")) and
 * as.numeric(as.POSIXct("2024-01-02 03:04:05", tz = "UTC")). */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <hdf5.h>
#include "ctest.h"
#include "../../src/core/alloc.h"
#include "../../src/core/buf.h"
#include "../../src/data/sqlite_db.h"
#include "../../src/data/npz.h"
#include "../../src/data/h5frame.h"
#include "../../src/data/readstat_io.h"

static void tmp_path(char *out, size_t n, const char *suffix) {
  snprintf(out, n, "/tmp/mlsh-test-dataio-%d%s", (int)getpid(), suffix);
}

static void test_iso_dates(void) {
  int32_t d = 0;
  double t = 0;
  char s[64];
  CHECK(sql_parse_date("2024-02-29", 10, &d) == 0 && d == 19782);
  CHECK(sql_parse_date("1969-12-31", 10, &d) == 0 && d == -1);
  CHECK(sql_parse_date("0001-01-01", 10, &d) == 0 && d == -719162);    /* R: -719162 */
  CHECK(sql_parse_date("2023-02-29", 10, &d) != 0);                    /* not a leap year */
  CHECK(sql_parse_date("2024-13-01", 10, &d) != 0);
  CHECK(sql_parse_date("2024-1-01", 9, &d) != 0);
  CHECK(sql_parse_datetime("2024-01-02 03:04:05", 19, &t) == 0 && t == 1704164645);
  CHECK(sql_parse_datetime("2024-01-02T05:04:05+02:00", 25, &t) == 0 && t == 1704164645);
  CHECK(sql_parse_datetime("2024-01-01T22:04:05-0500", 24, &t) == 0 && t == 1704164645);
  CHECK(sql_parse_datetime("2024-01-02 03:04:05.250Z", 24, &t) == 0 && t == 1704164645.25);
  CHECK(sql_parse_datetime("2024-01-02", 10, &t) == 0 && t == 1704153600);
  CHECK(sql_parse_datetime("2024-01-02 25:00", 16, &t) != 0);
  CHECK(sql_parse_datetime("2024-01-02 03:04:05 junk", 24, &t) != 0);
  sql_format_date(-719162, s, sizeof s);
  CHECK(strcmp(s, "0001-01-01") == 0);
  sql_format_datetime(1704164645.25, s, sizeof s);
  CHECK(strcmp(s, "2024-01-02 03:04:05.25") == 0);
  sql_format_datetime(-0.5, s, sizeof s);
  CHECK(strcmp(s, "1969-12-31 23:59:59.5") == 0);
}

static int sqlite_pipeline(mlsh_frame **out) {
  sqldb *db = NULL;
  sqldb_options o = {0, 0};
  mlsh_err err;
  mlsh_frame *f = NULL;
  int rc = sqldb_open(":memory:", &o, &db, &err);
  if (!rc) rc = sqldb_exec(db, "CREATE TABLE t (a INTEGER, b REAL, c TEXT, d DATE);"
                               "INSERT INTO t VALUES (1, 0.5, 'x', '2024-02-29'), (NULL, NULL, NULL, NULL)", &err);
  sql_param p = {SQLP_INT, 0, 0, NULL, 0};
  if (!rc) rc = sqldb_query(db, "SELECT * FROM t WHERE a IS NULL OR a > ?", &p, 1, &f, &err);
  if (!rc) rc = sqldb_write(db, "copy", f, SQLW_CREATE, &err);
  frame_free(f);
  f = NULL;
  if (!rc) rc = sqldb_query(db, "SELECT * FROM copy", NULL, 0, &f, &err);
  sqldb_close(db);
  *out = f;
  return rc;
}

static void test_sqlite(void) {
  mlsh_frame *f = NULL;
  CHECK(sqlite_pipeline(&f) == MLSH_OK);
  if (!f) return;
  CHECK(f->nrow == 2 && f->ncol == 4);
  CHECK(f->cols[0]->type == COL_INT64 && COL_I64(f->cols[0])[0] == 1 && col_is_na(f->cols[0], 1));
  CHECK(f->cols[1]->type == COL_DOUBLE && COL_DBL(f->cols[1])[0] == 0.5);
  CHECK(f->cols[2]->type == COL_STRING && col_is_na(f->cols[2], 1));
  CHECK(f->cols[3]->type == COL_DATE && COL_I32(f->cols[3])[0] == 19782 && col_is_na(f->cols[3], 1));
  frame_free(f);
  sqldb *db = NULL;
  sqldb_options o = {0, 0};
  mlsh_err err;
  CHECK(sqldb_open(":memory:", &o, &db, &err) == MLSH_OK);
  sql_param p = {SQLP_TEXT, 0, 0, "x", 1};
  CHECK(sqldb_query(db, "SELECT 1", &p, 1, &f, &err) == MLSH_EINVAL && f == NULL);
  CHECK(strstr(err.msg, "the statement has 0 parameters, 1 value given") != NULL);
  CHECK(sqldb_query(db, "SELEC 1", NULL, 0, &f, &err) == MLSH_EIO && strstr(err.msg, "syntax error") != NULL);
  sqldb_close(db);
}

static void test_npz(void) {
  char path[128];
  tmp_path(path, sizeof path, ".npz");
  double xd[6] = {1, 2, 3, 4, 5, 6.5}, yd[2] = {-1, 1e-300};
  mlsh_mat X = {2, 3, xd}, y = {2, 1, yd};
  const mlsh_mat *mats[2] = {&X, &y};
  const char *names[2] = {"X", "y"};
  mlsh_err err;
  for (int compress = 0; compress <= 1; compress++) {
    CHECK(npz_save(path, names, mats, 2, compress, &err) == MLSH_OK);
    npz_archive z;
    CHECK(npz_load(path, &z, &err) == MLSH_OK);
    CHECK(z.n == 2 && strcmp(z.a[0].name, "X") == 0 && z.a[0].m.rows == 2 && z.a[0].m.cols == 3);
    CHECK(z.n == 2 && MAT_AT(&z.a[0].m, 1, 2) == 6.5 && z.a[1].m.data[1] == 1e-300);
    npz_free(&z);
  }
  /* every prefix of a valid archive is refused without a crash */
  char *buf;
  size_t len;
  CHECK(mlsh_read_file(path, 0, &buf, &len, &err) == MLSH_OK);
  int refused = 0;
  for (size_t n = 0; n < len; n++) {
    npz_archive z;
    if (npz_parse((const unsigned char *)buf, n, &z, &err) != MLSH_OK) refused++;
    else npz_free(&z);
  }
  CHECK(refused == (int)len);
  /* out of memory anywhere: MLSH_ENOMEM and nothing leaked (make asan) */
  int bad = 0, failures = 0;
  for (long k = 1; k < 200; k++) {
    npz_archive z;
    mlsh_alloc_fail_after(k);
    int rc = npz_parse((const unsigned char *)buf, len, &z, &err);
    mlsh_alloc_fail_after(0);
    if (rc == MLSH_OK) { npz_free(&z); break; }
    failures++;
    bad += rc != MLSH_ENOMEM;
  }
  CHECK(bad == 0 && failures > 3);
  mlsh_free(buf);
  unlink(path);
}

/* A compound dataset as h5py writes a numpy record array: int64, float64,
 * fixed and variable strings, and bool as an int8 enum FALSE/TRUE. */
typedef struct { int64_t id; double x; char code[4]; const char *note; int8_t ok; } rec;

static int write_records(const char *path) {
  rec r[3] = {{1, 0.5, "ab", "first", 1}, {2, -1.25, "cdef", "", 0}, {3, 1e300, "", NULL, 1}};
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t fixed = H5Tcopy(H5T_C_S1), vlen = H5Tcopy(H5T_C_S1), boolean = H5Tenum_create(H5T_NATIVE_INT8);
  H5Tset_size(fixed, 4);
  H5Tset_strpad(fixed, H5T_STR_NULLPAD);
  H5Tset_size(vlen, H5T_VARIABLE);
  int8_t no = 0, yes = 1;
  H5Tenum_insert(boolean, "FALSE", &no);
  H5Tenum_insert(boolean, "TRUE", &yes);
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(rec));
  H5Tinsert(t, "id", HOFFSET(rec, id), H5T_NATIVE_INT64);
  H5Tinsert(t, "x", HOFFSET(rec, x), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "code", HOFFSET(rec, code), fixed);
  H5Tinsert(t, "note", HOFFSET(rec, note), vlen);
  H5Tinsert(t, "ok", HOFFSET(rec, ok), boolean);
  hsize_t n = 3, cube[3] = {2, 2, 2};
  hid_t sp = H5Screate_simple(1, &n, NULL), sp3 = H5Screate_simple(3, cube, NULL);
  hid_t ds = H5Dcreate2(f, "records", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t ds3 = H5Dcreate2(f, "cube", H5T_NATIVE_DOUBLE, sp3, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t w = H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, r);
  H5Dclose(ds); H5Dclose(ds3); H5Sclose(sp); H5Sclose(sp3);
  H5Tclose(t); H5Tclose(fixed); H5Tclose(vlen); H5Tclose(boolean);
  H5Fclose(f);
  return w < 0 ? -1 : 0;
}

static void test_h5_records(void) {
  char path[128];
  tmp_path(path, sizeof path, ".h5");
  CHECK(write_records(path) == 0);
  mlsh_mat m;
  mlsh_frame *f = NULL;
  mlsh_err err;
  CHECK(h5_read(path, "records", &m, &f, &err) == MLSH_OK && f != NULL);
  if (f) {
    size_t len;
    CHECK(f->ncol == 5 && f->nrow == 3);
    CHECK(f->cols[0]->type == COL_INT64 && COL_I64(f->cols[0])[2] == 3);
    CHECK(f->cols[1]->type == COL_DOUBLE && COL_DBL(f->cols[1])[1] == -1.25 && COL_DBL(f->cols[1])[2] == 1e300);
    CHECK(f->cols[2]->type == COL_STRING && strncmp(col_str(f->cols[2], 1, &len), "cdef", 4) == 0 && len == 4);
    CHECK(f->cols[3]->type == COL_STRING && strncmp(col_str(f->cols[3], 0, &len), "first", 5) == 0 && len == 5);
    CHECK(col_is_na(f->cols[3], 2));   /* a NULL variable-length string */
    CHECK(f->cols[4]->type == COL_LOGICAL && COL_LGL(f->cols[4])[0] == 1 && COL_LGL(f->cols[4])[1] == 0);
    frame_free(f);
  }
  CHECK(h5_read(path, "cube", &m, &f, &err) == MLSH_EINVAL && strstr(err.msg, "has 3 dimensions") != NULL);
  unlink(path);
}

static void test_readstat_roundtrip(void) {
  char path[128];
  tmp_path(path, sizeof path, ".dta");
  int64_t iv[3] = {5, 0, -7};
  uint8_t valid[1] = {0x5};   /* row 2 is NA */
  int32_t days[3] = {19782, -1, 0};
  mlsh_col *ci = NULL, *cd = NULL;
  mlsh_frame *f = NULL, *back = NULL;
  mlsh_err err;
  char **labels = NULL;
  CHECK(col_from_array(COL_INT64, iv, 3, valid, &ci, &err) == MLSH_OK);
  CHECK(col_from_array(COL_DATE, days, 3, NULL, &cd, &err) == MLSH_OK);
  CHECK(frame_new(3, &f, &err) == MLSH_OK && frame_add(f, "n", ci, &err) == MLSH_OK && frame_add(f, "d", cd, &err) == MLSH_OK);
  const char *lab[2] = {"a count", NULL};
  for (int sav = 0; sav <= 1; sav++) {
    if (sav) tmp_path(path, sizeof path, ".sav");
    CHECK(rstat_write(path, sav ? RSTAT_SAV : RSTAT_DTA, f, lab, &err) == MLSH_OK);
    CHECK(rstat_read(path, sav ? RSTAT_SAV : RSTAT_DTA, &back, &labels, &err) == MLSH_OK);
    if (back) {
      CHECK(back->cols[0]->type == COL_INT64 && COL_I64(back->cols[0])[2] == -7 && col_is_na(back->cols[0], 1));
      CHECK(back->cols[1]->type == COL_DATE && COL_I32(back->cols[1])[0] == 19782 && COL_I32(back->cols[1])[1] == -1);
      CHECK(labels[0] && strcmp(labels[0], "a count") == 0 && labels[1] == NULL);
    }
    rstat_free_labels(labels, back ? back->ncol : 0);
    frame_free(back);
    back = NULL;
    unlink(path);
  }
  col_unref(ci);
  col_unref(cd);
  frame_free(f);
  CHECK(rstat_read("/nonexistent.dta", RSTAT_DTA, &back, &labels, &err) == MLSH_EIO && back == NULL);
}

int main(void) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  RUN(test_iso_dates);
  RUN(test_sqlite);
  RUN(test_npz);
  RUN(test_h5_records);
  RUN(test_readstat_roundtrip);
  CTEST_DONE();
}
