/* ldata.c - the `data` module's CSV face: data.read_csv (the typed,
 * multi-threaded reader of src/data/fread.c) and DataFrame:write_csv. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lmlsh.h"
#include "lframe.h"
#include "../core/atomicfile.h"
#include "../core/buf.h"
#include "../data/csvwrite.h"
#include "../data/fread.h"

/* The reader's name in messages. */
#define READ_FNAME "data.read_csv"

/* A one-character option ("sep", "dec"...): "\t" and "tab" give a tab;
 * 0 when absent. */
static char sep_option(lua_State *L, const char *fname, const char *name, const char *s) {
  if (!s) return 0;
  if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0) return '\t';
  if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
    mlsh_error(L, fname, "option '%s' must be one character (got \"%s\")", name, s);
  return s[0];
}

/* Option 'na': a string or an array of strings, as a NULL-terminated
 * scratch array (NULL when absent); their count in *n. The strings stay
 * referenced by the options table at opts. */
static const char **na_option(lua_State *L, int opts, const char *fname, size_t *n) {
  const char **na = NULL;
  size_t k = 0;
  int t = mlsh_opt_get(L, opts, "na");
  if (t == LUA_TSTRING) {
    na = mlsh_scratch(L, 2 * sizeof *na, fname);
    na[k++] = lua_tostring(L, -2);
  } else if (t == LUA_TTABLE) {
    k = lua_rawlen(L, -1);
    na = mlsh_scratch(L, (k + 1) * sizeof *na, fname);
    for (size_t i = 0; i < k; i++) {
      lua_rawgeti(L, -2, (lua_Integer)i + 1);
      if (lua_type(L, -1) != LUA_TSTRING) mlsh_error(L, fname, "option 'na' must be a string or an array of strings");
      na[i] = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
  } else if (t != LUA_TNIL) {
    mlsh_error(L, fname, "option 'na' must be a string or an array of strings (got %s)", mlsh_typename(L, -1));
  }
  if (na) na[k] = NULL;
  if (n) *n = k;
  return na;
}

/* ---- the typed reader and writer ------------------------------------------ */

typedef struct {
  const char *sep, *dec, *thousands, *comment, *encoding;
  int header, fill, strings, progress, threads;
  size_t skip, nrows;
} fread_args;
static const char *const fread_strings[] = {"auto", "string", "categorical", NULL};
static const mlsh_opt fread_opt[] = {
  MLSH_OPT_STR(fread_args, sep, "sep", NULL, "delimiter: one character, \"\\t\" or \"tab\" (default: sniffed among , ; tab |)"),
  MLSH_OPT_BOOL_PRESET(fread_args, header, "header", "sniffed", "true: the first row names the columns; false: it is data"),
  MLSH_OPT_STR(fread_args, dec, "dec", NULL, "decimal mark \".\" or \",\" (default \".\"; \",\" when the numbers have it and sep is not \",\")"),
  MLSH_OPT_STR(fread_args, thousands, "thousands", NULL, "digit-group separator inside numbers, as in \"1,234,567.5\""),
  MLSH_OPT_STR(fread_args, comment, "comment", NULL, "a character that starts a comment: the rest of its line is ignored"),
  MLSH_OPT_SIZE(fread_args, skip, "skip", 0, 0, 1e15, "lines skipped before the header"),
  MLSH_OPT_PRESET(MLSH_OT_SIZE, fread_args, nrows, "nrows", "all", 0, 1e15, "read at most this many rows"),
  MLSH_OPT_VALUE("select", MLSH_OT_TABLE, "all", "array of the names of the columns to keep, in that order"),
  MLSH_OPT_VALUE("types", MLSH_OT_TABLE, "guessed", "{column = type}: logical, integer, double, string, categorical, date, datetime"),
  MLSH_OPT_VALUE("na", MLSH_OT_ANY, "\"NA\"", "a string or an array of strings read as missing"),
  MLSH_OPT_BOOL(fread_args, fill, "fill", 0, "pad short rows with NA (else a short row is an error naming its line)"),
  MLSH_OPT_STR(fread_args, encoding, "encoding", "UTF-8", "the file's encoding, e.g. \"latin1\" (converted to UTF-8 with iconv)"),
  MLSH_OPT_ENUM(fread_args, strings, "strings", 0, fread_strings, "string columns: auto (categorical when repetitive), string, categorical"),
  MLSH_OPT_BOOL(fread_args, progress, "progress", 1, "a progress bar on stderr for files over 100 MB (on a terminal)"),
  MLSH_OPT_THREADS(fread_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec fread_spec = {READ_FNAME, fread_opt};

/* Option 'select': an array of column names (scratch, *n of them). */
static const char **select_option(lua_State *L, const char *fname, size_t *n) {
  *n = 0;
  if (mlsh_opt_get(L, 2, "select") == LUA_TNIL) return NULL;
  size_t k = lua_rawlen(L, -1);
  const char **names = mlsh_scratch(L, (k ? k : 1) * sizeof *names, fname);
  for (size_t i = 0; i < k; i++) {
    lua_rawgeti(L, -2, (lua_Integer)i + 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      mlsh_error(L, fname, "option 'select' must be an array of column names (entry %zu is %s)", i + 1, mlsh_typename(L, -1));
    names[i] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  if (k == 0) mlsh_error(L, fname, "option 'select' is an empty array");
  *n = k;
  return names;
}

/* Option 'types': {name = "date", ...} into o->type_cols / type_vals. */
static void types_option(lua_State *L, const char *fname, fread_options *o) {
  static const char *const names[] = {"double", "integer", "logical", "string", "categorical", "date", "datetime", NULL};
  if (mlsh_opt_get(L, 2, "types") == LUA_TNIL) return;
  int t = lua_gettop(L);
  size_t k = 0;
  for (lua_pushnil(L); lua_next(L, t); lua_pop(L, 1)) k++;
  const char **cols = mlsh_scratch(L, (k ? k : 1) * sizeof *cols, fname);
  int *vals = mlsh_scratch(L, (k ? k : 1) * sizeof *vals, fname);
  k = 0;
  for (lua_pushnil(L); lua_next(L, t); lua_pop(L, 1)) {
    if (lua_type(L, -2) != LUA_TSTRING) mlsh_error(L, fname, "option 'types' must map column names to types (got a %s key)", mlsh_typename(L, -2));
    cols[k] = lua_tostring(L, -2);
    char what[160];
    snprintf(what, sizeof what, "option 'types' for column '%s'", cols[k]);
    if (lua_type(L, -1) != LUA_TSTRING) mlsh_error(L, fname, "%s must be a type name (got %s)", what, mlsh_typename(L, -1));
    vals[k++] = mlsh_check_choice(L, -1, fname, what, names);
  }
  o->type_cols = cols;
  o->type_vals = vals;
  o->ntypes = k;
}

/* Lua's %q of a plain string (the warning's wording predates this reader). */
static void quote_name(mlsh_buf *b, const char *s) {
  mlsh_buf_add(b, "\"", 1);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') mlsh_buf_printf(b, "\\%c", c);
    else if (c == '\n') mlsh_buf_puts(b, "\\\n");
    else if (c == '\r') mlsh_buf_puts(b, "\\r");
    else if (c < 32 || c == 127) mlsh_buf_printf(b, "\\%d", c);
    else mlsh_buf_add(b, s, 1);
  }
  mlsh_buf_add(b, "\"", 1);
}

/* One line on stderr naming the header names that were made unique. */
static void warn_renamed(const char *path, const fread_result *r) {
  if (!r->nrenamed) return;
  mlsh_buf b = MLSH_BUF_INIT;
  mlsh_buf_printf(&b, "data.read_csv: warning: %s: renamed %zu duplicate or empty column name%s: ", path, r->nrenamed,
                  r->nrenamed > 1 ? "s" : "");
  for (size_t i = 0; i < r->nrenamed; i++) {
    if (i) mlsh_buf_puts(&b, ", ");
    quote_name(&b, r->renamed[i].given);
    mlsh_buf_puts(&b, " -> ");
    quote_name(&b, r->renamed[i].name);
    mlsh_buf_printf(&b, " (column %zu)", r->renamed[i].column);
  }
  mlsh_buf_add(&b, "\n", 1);
  if (!b.failed) fputs(b.s, stderr);
  mlsh_buf_free(&b);
}

static int l_fread(lua_State *L) {
  const char *fname = fread_spec.fname;
  const char *path = mlsh_check_path(L, 1, fname, "path");
  fread_args a = {NULL, NULL, NULL, NULL, NULL, -1, 0, 0, 1, 0, 0, (size_t)-1};
  mlsh_opts(L, 2, &fread_spec, &a);
  fread_options o;
  fread_defaults(&o);
  o.sep = sep_option(L, fname, "sep", a.sep);
  o.dec = sep_option(L, fname, "dec", a.dec);
  if (o.dec && o.dec != '.' && o.dec != ',') return mlsh_error(L, fname, "option 'dec' must be \".\" or \",\" (got \"%s\")", a.dec);
  if (o.dec && o.dec == o.sep) return mlsh_error(L, fname, "option 'dec' cannot be the separator too");
  o.thousands = sep_option(L, fname, "thousands", a.thousands);
  if (o.thousands && o.thousands == o.dec) return mlsh_error(L, fname, "option 'thousands' cannot be the decimal mark too");
  o.comment = sep_option(L, fname, "comment", a.comment);
  o.header = a.header;
  o.fill = a.fill;
  o.strings = a.strings;
  o.encoding = a.encoding;
  o.skip = a.skip;
  o.nrows = a.nrows;
  o.nthreads = a.threads;
  o.progress = a.progress;
  o.na = na_option(L, 2, fname, &o.nna);
  o.select = select_option(L, fname, &o.nselect);
  types_option(L, fname, &o);
  fread_result r;
  mlsh_err err;
  int rc = fread_file(path, &o, &r, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  warn_renamed(path, &r);
  mlsh_frame *f = r.frame;
  r.frame = NULL;
  fread_result_free(&r);
  lframe_push(L, f);
  return 1;
}

typedef struct { const char *sep, *dec, *na; int quote, threads; } write_args;
static const char *const write_quotes[] = {"auto", "all", "none", NULL};
static const mlsh_opt write_opt[] = {
  MLSH_OPT_STR(write_args, sep, "sep", ",", "delimiter: one character, \"\\t\" or \"tab\""),
  MLSH_OPT_STR(write_args, dec, "dec", ".", "decimal mark \".\" or \",\""),
  MLSH_OPT_STR(write_args, na, "na", "NA", "the text of a missing value"),
  MLSH_OPT_ENUM(write_args, quote, "quote", 0, write_quotes, "quote strings and names when needed (auto), always (all) or never (none)"),
  MLSH_OPT_THREADS(write_args, threads),
  MLSH_OPT_END};
static const mlsh_optspec write_spec = {"DataFrame:write_csv", write_opt};

static int l_frame_write_csv(lua_State *L) {
  const char *fname = write_spec.fname;
  mlsh_frame *f = lframe_check(L, 1, fname, "self");
  const char *path = mlsh_check_path(L, 2, fname, "path");
  write_args a;
  mlsh_opts(L, 3, &write_spec, &a);
  csvw_options o;
  csvw_defaults(&o);
  o.sep = sep_option(L, fname, "sep", a.sep);
  o.dec = sep_option(L, fname, "dec", a.dec);
  if (o.dec != '.' && o.dec != ',') return mlsh_error(L, fname, "option 'dec' must be \".\" or \",\" (got \"%s\")", a.dec);
  o.na = a.na;
  o.quote = a.quote;
  o.nthreads = a.threads;
  mlsh_err err;
  int rc = csvw_write(f, path, &o, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_settop(L, 1);
  return 1;
}

static const mlsh_Reg frame_csv_methods[] = {
  {"write_csv", l_frame_write_csv, "df:write_csv(path [, opts])",
   "Writes the frame as CSV, atomically (a temporary file renamed into place: a failed write leaves no file),\n"
   "formatted on several threads. Doubles take the fewest digits that read back exactly (whole ones as 2.0),\n"
   "dates and datetimes ISO 8601 (UTC, with Z), logicals TRUE/FALSE, NA as `na`; strings are quoted when\n"
   "needed, so data.read_csv gives the same columns back. Returns df.\nExample: df:write_csv(\"out.csv\")"},
  {NULL, NULL, NULL, NULL}};

#define FREAD_DOC \
  "Reads a CSV file (or .csv.gz) into a typed DataFrame, as data.table's fread: memory-mapped, parsed on\n" \
  "several threads. Column types are guessed on rows sampled over the file and widened when a later value\n" \
  "does not fit: logical (TRUE/FALSE/T/F), integer (64-bit), double, date (ISO, or d/m/Y and m/d/Y when the\n" \
  "sample is unambiguous), datetime (ISO 8601, offsets converted to UTC), string; strings with at most half\n" \
  "as many distinct values as rows become categorical (levels in byte order, R's factor in the C locale).\n" \
  "LF, CRLF, CR and CR CR LF line ends, a UTF-8 BOM, quoted fields with separators, doubled quotes and line\n" \
  "breaks; the separator, the header and (with ;) a decimal comma are sniffed. An empty field is NA outside\n" \
  "string columns; an unquoted `na` string is NA (a quoted \"NA\" is text, as in fread). A ragged row is an\n" \
  "error naming its line (fill pads it); empty and repeated header names are made unique as fread does, with\n" \
  "one warning line on stderr. A .gz file is inflated; another encoding is converted to UTF-8.\n" \
  "Example: df = data.read_csv(\"datasets/iris.csv\", {types = {species = \"string\"}})"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* data._quantiles(m, {p...}) -> array of type-7 quantiles of the non-NaN values. */
static int l_quantiles(lua_State *L) {
  mlsh_mat *m = lmat_check(L, 1, "data.quantiles", "x");
  mlsh_check_type(L, 2, LUA_TTABLE, "data.quantiles", "p");
  size_t n = 0, len = MAT_LEN(m);
  double *v = mlsh_scratch(L, (len ? len : 1) * sizeof *v, "data.quantiles");
  for (size_t i = 0; i < len; i++)
    if (!isnan(m->data[i])) v[n++] = m->data[i];
  qsort(v, n, sizeof *v, cmp_double);
  size_t k = lua_rawlen(L, 2);
  lua_createtable(L, (int)k, 0);
  for (size_t i = 1; i <= k; i++) {
    lua_rawgeti(L, 2, (lua_Integer)i);
    double p = lua_tonumber(L, -1);
    lua_pop(L, 1);
    lua_pushnumber(L, mat_quantile_sorted(v, n, p));
    lua_rawseti(L, -2, (lua_Integer)i);
  }
  return 1;
}

static const mlsh_Reg data_funcs[] = {
  {"read_csv", l_fread, "data.read_csv(path [, opts])", FREAD_DOC, &fread_spec},
  {"quantiles", l_quantiles, "data.quantiles(x, {p1, p2, ...})",
   "Quantiles of the non-missing values of a Matrix, R's default (type 7) definition.\nExample: data.quantiles(df:col(\"x\"), {0.25, 0.5, 0.75})"},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_data(lua_State *L) {
  mlsh_register(L, "data", data_funcs);
  lframe_add_methods(L, frame_csv_methods);
}
