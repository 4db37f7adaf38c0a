/* ldata_files.c - array and spreadsheet files: data.read_h5 and
 * Matrix:save_h5 (HDF5), data.read_npz / data.write_npz (numpy
 * archives), df:write_xlsx and data.write_xlsx (Excel workbooks). The
 * work is in src/data/h5frame.c, npz.c and xlsx.c. */
#include <stdlib.h>
#include <string.h>
#include "lframe.h"
#include "../core/alloc.h"
#include "../data/h5frame.h"
#include "../data/npz.h"
#include "../data/xlsx.h"

/* ---- HDF5 ---- */

static int l_read_h5(lua_State *L) {
  const char *fname = "data.read_h5";
  const char *path = mlsh_check_path(L, 1, fname, "path");
  const char *dataset = mlsh_check_string(L, 2, fname, "dataset");
  mlsh_mat m;
  mlsh_frame *f = NULL;
  mlsh_err err = {0};
  int rc = h5_read(path, dataset, &m, &f, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  if (f) lframe_push(L, f);
  else lmat_push(L, &m);
  return 1;
}

static int l_save_h5(lua_State *L) {
  const char *fname = "Matrix:save_h5";
  mlsh_mat *m = lmat_check(L, 1, fname, "self");
  const char *path = mlsh_check_path(L, 2, fname, "path");
  const char *dataset = mlsh_check_string(L, 3, fname, "dataset");
  if (!*dataset) return mlsh_error(L, fname, "argument 'dataset' must not be empty");
  mlsh_err err = {0};
  int rc = h5_save_matrix(path, dataset, m, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_settop(L, 1);
  return 1;
}

/* ---- .npz ---- */

static void release_npz(void *p) { npz_free(p); }

static int l_read_npz(lua_State *L) {
  const char *fname = "data.read_npz";
  const char *path = mlsh_check_path(L, 1, fname, "path");
  npz_archive *z = mlsh_guard(L, sizeof *z, release_npz);
  int guard = lua_gettop(L);
  mlsh_err err = {0};
  int rc = npz_load(path, z, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_createtable(L, 0, (int)z->n);
  for (size_t i = 0; i < z->n; i++) {
    lua_pushstring(L, z->a[i].name);
    lmat_push(L, &z->a[i].m);   /* takes the data: npz_free skips it */
    lua_rawset(L, -3);
  }
  mlsh_guard_release(L, guard);
  return 1;
}

typedef struct { int compress; } npz_args;
static const mlsh_opt npz_opt[] = {
  MLSH_OPT_BOOL(npz_args, compress, "compress", 1, "deflate the members (np.savez_compressed); false stores them (np.savez)"),
  MLSH_OPT_END};
static const mlsh_optspec npz_spec = {"data.write_npz", npz_opt};

static int by_name(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int l_write_npz(lua_State *L) {
  const char *fname = "data.write_npz";
  const char *path = mlsh_check_path(L, 1, fname, "path");
  mlsh_check_type(L, 2, LUA_TTABLE, fname, "arrays");
  npz_args a;
  mlsh_opts(L, 3, &npz_spec, &a);
  size_t n = 0;
  for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1)) {
    if (lua_type(L, -2) != LUA_TSTRING || !*lua_tostring(L, -2))
      return mlsh_error(L, fname, "argument 'arrays' must map names to matrices (got a %s key)", luaL_typename(L, -2));
    n++;
  }
  if (n == 0) return mlsh_error(L, fname, "argument 'arrays' holds no array");
  const char **names = mlsh_scratch(L, n * sizeof *names, fname);
  const mlsh_mat **mats = mlsh_scratch(L, n * sizeof *mats, fname);
  size_t k = 0;
  for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1)) names[k++] = lua_tostring(L, -2);
  qsort(names, n, sizeof *names, by_name);   /* the archive lists them in a stable order */
  for (k = 0; k < n; k++) {
    lua_getfield(L, 2, names[k]);
    mats[k] = lmat_checklike(L, lua_gettop(L), fname, names[k]);   /* the converted value stays on the stack */
  }
  mlsh_err err = {0};
  int rc = npz_save(path, names, mats, n, a.compress, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  return 0;
}

/* ---- .xlsx ---- */

typedef struct { const char *sheet; } xlsx_args;
static const mlsh_opt xlsx_opt[] = {
  MLSH_OPT_STR(xlsx_args, sheet, "sheet", "Sheet1", "the worksheet's name"),
  MLSH_OPT_END};
static const mlsh_optspec xlsx_spec = {"DataFrame:write_xlsx", xlsx_opt};

static int l_df_write_xlsx(lua_State *L) {
  const char *fname = "DataFrame:write_xlsx";
  const mlsh_frame *f = lframe_check(L, 1, fname, "self");
  const char *path = mlsh_check_path(L, 2, fname, "path");
  xlsx_args a;
  mlsh_opts(L, 3, &xlsx_spec, &a);
  mlsh_err err = {0};
  int rc = xlsx_write(path, &f, &a.sheet, 1, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_settop(L, 1);
  return 1;
}

/* data.write_xlsx(path, sheets): an array of frames (Sheet1, Sheet2...)
 * and/or name = frame pairs (after them, sorted by name). */
static int l_write_xlsx(lua_State *L) {
  const char *fname = "data.write_xlsx";
  const char *path = mlsh_check_path(L, 1, fname, "path");
  mlsh_check_type(L, 2, LUA_TTABLE, fname, "sheets");
  size_t n = 0, arr = lua_rawlen(L, 2);
  for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1)) {
    int is_index = lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1 && (size_t)lua_tointeger(L, -2) <= arr;
    if (!is_index && lua_type(L, -2) != LUA_TSTRING)
      return mlsh_error(L, fname, "argument 'sheets' must be an array of DataFrames or map sheet names to them");
    if (!lframe_test(L, -1)) {
      const char *got = mlsh_typename(L, -1);
      return mlsh_error(L, fname, "sheet %s must be a DataFrame (got %s)", luaL_tolstring(L, -2, NULL), got);
    }
    n++;
  }
  if (n == 0) return mlsh_error(L, fname, "argument 'sheets' holds no DataFrame");
  const char **names = mlsh_scratch(L, n * sizeof *names, fname);
  const mlsh_frame **frames = mlsh_scratch(L, n * sizeof *frames, fname);
  size_t k = 0;
  for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1))
    if (lua_type(L, -2) == LUA_TSTRING) names[arr + k++] = lua_tostring(L, -2);
  qsort(names + arr, k, sizeof *names, by_name);
  for (size_t i = 0; i < n; i++) {
    if (i < arr) {
      lua_pushfstring(L, "Sheet%d", (int)i + 1);   /* stays on the stack: the name lives */
      names[i] = lua_tostring(L, -1);
      lua_rawgeti(L, 2, (lua_Integer)i + 1);
    } else lua_getfield(L, 2, names[i]);
    frames[i] = lframe_test(L, -1);
    lua_pop(L, 1);
  }
  mlsh_err err = {0};
  int rc = xlsx_write(path, frames, names, n, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  return 0;
}

static const mlsh_Reg file_funcs[] = {
  {"read_h5", l_read_h5, "data.read_h5(path, dataset)",
   "Reads an HDF5 dataset (\"group/name\"): a numeric one of 1 or 2 dimensions as a Matrix (1-D: a column),\n"
   "a 1-D dataset of compound records (h5py, pandas to_records) as a DataFrame with one column per\n"
   "field (integers, doubles, strings, h5py booleans).\nExample: X = data.read_h5(\"features.h5\", \"train/X\")", NULL},
  {"read_npz", l_read_npz, "data.read_npz(path)",
   "Reads a numpy .npz archive (np.savez or np.savez_compressed) as a table name -> Matrix (1-D arrays are\n"
   "columns; float, integer and boolean arrays become doubles).\nExample: t = data.read_npz(\"arrays.npz\"); t.X", NULL},
  {"write_npz", l_write_npz, "data.write_npz(path, arrays [, opts])",
   "Writes a table name -> Matrix (or numeric array) as a numpy .npz archive of float64 arrays, deflated\n"
   "unless compress = false, atomically; np.load reads it.\n"
   "Example: data.write_npz(\"out.npz\", {X = X, y = y})", &npz_spec},
  {"write_xlsx", l_write_xlsx, "data.write_xlsx(path, sheets)",
   "Writes several DataFrames as one Excel workbook, one sheet each: an array of frames gives Sheet1,\n"
   "Sheet2...; name = frame pairs give sheets of those names (sorted), as df:write_xlsx writes them.\n"
   "Example: data.write_xlsx(\"report.xlsx\", {summary = s, data = df})", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

static const mlsh_Reg frame_file_methods[] = {
  {"write_xlsx", l_df_write_xlsx, "df:write_xlsx(path [, opts])",
   "Writes the frame as an Excel .xlsx workbook (libxlsxwriter), atomically: a bold header row, then\n"
   "numbers, booleans, text (categoricals by level), dates (yyyy-mm-dd) and datetimes (UTC) as Excel\n"
   "dates, NA as blank cells. Integers beyond 2^53 lose precision (Excel keeps doubles). Returns df.\n"
   "Example: df:write_xlsx(\"out.xlsx\", {sheet = \"iris\"})", &xlsx_spec},
  {NULL, NULL, NULL, NULL, NULL}};

static const mlsh_Reg matrix_file_methods[] = {
  {"save_h5", l_save_h5, "X:save_h5(path, dataset)",
   "Saves the matrix as a new 2-D float64 dataset (\"group/name\", groups created) in the HDF5 file at path\n"
   "(created when missing). An existing dataset is not overwritten (an error); the file is changed on a\n"
   "copy renamed into place. Returns X.\nExample: X:save_h5(\"features.h5\", \"train/X\")", NULL},
  {NULL, NULL, NULL, NULL, NULL}};

void mlsh_open_data_files(lua_State *L) {
  mlsh_register(L, "data", file_funcs);
  lframe_add_methods(L, frame_file_methods);
  if (luaL_getmetatable(L, MLSH_MATRIX_MT) != LUA_TTABLE) luaL_error(L, "mlsh: class Matrix is not open");
  lua_getfield(L, -1, "__methods");
  mlsh_register(L, "Matrix:", matrix_file_methods);
  lua_pop(L, 2);
}
