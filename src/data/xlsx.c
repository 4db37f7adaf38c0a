/* xlsx.c - writing frames as .xlsx through libxlsxwriter. The workbook
 * is written under the name of an atomic temporary (libxlsxwriter writes
 * the whole zip at workbook_close), then renamed into place. */
#include <math.h>
#include <string.h>
#include <xlsxwriter.h>
#include "xlsx.h"
#include "../core/atomicfile.h"
#include "../core/buf.h"
#include "../core/interrupt.h"

#define EXCEL_EPOCH_1970 25569.0     /* the serial number of 1970-01-01 */

typedef struct {
  lxw_format *header, *date, *datetime;
  mlsh_buf text;                     /* one NUL-terminated cell */
} cell_formats;

static lxw_error write_text(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, cell_formats *fm, const char *s, size_t len,
                            lxw_format *format) {
  fm->text.len = 0;
  mlsh_buf_add(&fm->text, s, len);
  mlsh_buf_add(&fm->text, "", 1);
  if (fm->text.failed) return LXW_ERROR_MEMORY_MALLOC_FAILED;
  return worksheet_write_string(ws, r, c, fm->text.s, format);
}

static lxw_error write_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t j, const mlsh_col *c, size_t i, cell_formats *fm) {
  size_t len;
  const char *s;
  double v;
  if (col_is_na(c, i)) return LXW_NO_ERROR;
  switch (c->type) {
  case COL_DOUBLE:
    v = COL_DBL(c)[i];
    return isfinite(v) ? worksheet_write_number(ws, r, j, v, NULL) : LXW_NO_ERROR;
  case COL_INT64: return worksheet_write_number(ws, r, j, (double)COL_I64(c)[i], NULL);
  case COL_LOGICAL: return worksheet_write_boolean(ws, r, j, COL_LGL(c)[i], NULL);
  case COL_STRING:
    s = col_str(c, i, &len);
    return write_text(ws, r, j, fm, s, len, NULL);
  case COL_CATEGORICAL:
    s = col_str(c->levels, (size_t)COL_I32(c)[i], &len);
    return write_text(ws, r, j, fm, s, len, NULL);
  case COL_DATE: return worksheet_write_number(ws, r, j, COL_I32(c)[i] + EXCEL_EPOCH_1970, fm->date);
  case COL_DATETIME:
    v = COL_DBL(c)[i];
    return isfinite(v) ? worksheet_write_number(ws, r, j, v / 86400 + EXCEL_EPOCH_1970, fm->datetime) : LXW_NO_ERROR;
  }
  return LXW_NO_ERROR;
}

static int write_sheet(lxw_workbook *wb, const mlsh_frame *f, const char *name, cell_formats *fm, mlsh_err *err) {
  if (f->nrow + 1 > XLSX_MAX_ROWS || f->ncol > XLSX_MAX_COLS)
    return mlsh_seterr(err, MLSH_EINVAL, "sheet '%s': %zu x %zu is over Excel's %d rows x %d columns", name, f->nrow,
                       f->ncol, XLSX_MAX_ROWS - 1, XLSX_MAX_COLS);
  lxw_error e = workbook_validate_sheet_name(wb, name);
  if (e != LXW_NO_ERROR) return mlsh_seterr(err, MLSH_EINVAL, "sheet name '%s': %s", name, lxw_strerror(e));
  lxw_worksheet *ws = workbook_add_worksheet(wb, name);
  if (!ws) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  for (size_t j = 0; j < f->ncol && !e; j++) {
    e = write_text(ws, 0, (lxw_col_t)j, fm, f->names[j], strlen(f->names[j]), fm->header);
    int wide = f->cols[j]->type == COL_DATETIME ? 20 : f->cols[j]->type == COL_DATE ? 12 : 0;
    if (!e && wide) e = worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j, wide, NULL);
  }
  worksheet_freeze_panes(ws, 1, 0);
  for (size_t i = 0; i < f->nrow && !e; i++) {
    for (size_t j = 0; j < f->ncol && !e; j++) {
      e = write_cell(ws, (lxw_row_t)(i + 1), (lxw_col_t)j, f->cols[j], i, fm);
      if (e) {
        return mlsh_seterr(err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? MLSH_ENOMEM : MLSH_EINVAL,
                           "sheet '%s', row %zu, column '%s': %s", name, i + 1, f->names[j], lxw_strerror(e));
      }
    }
    if ((i & 4095) == 4095 && mlsh_interrupted()) return mlsh_seterr(err, MLSH_EINTR, "interrupted");
  }
  return e ? mlsh_seterr(err, MLSH_EIO, "sheet '%s': %s", name, lxw_strerror(e)) : MLSH_OK;
}

int xlsx_write(const char *path, const mlsh_frame *const *frames, const char *const *sheets, size_t n, mlsh_err *err) {
  if (n == 0) return mlsh_seterr(err, MLSH_EINVAL, "no frame to write (a workbook needs a sheet)");
  mlsh_afile af;
  int rc = mlsh_afile_open(&af, path, err);
  if (rc) return rc;
  lxw_workbook_options o = {.constant_memory = 1, .use_zip64 = 1};
  lxw_workbook *wb = workbook_new_opt(af.tmppath, &o);
  cell_formats fm = {NULL, NULL, NULL, MLSH_BUF_INIT};
  if (!wb) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  else {
    fm.header = workbook_add_format(wb);
    fm.date = workbook_add_format(wb);
    fm.datetime = workbook_add_format(wb);
    format_set_bold(fm.header);
    format_set_num_format(fm.date, "yyyy-mm-dd");
    format_set_num_format(fm.datetime, "yyyy-mm-dd hh:mm:ss");
  }
  for (size_t k = 0; k < n && !rc; k++) rc = write_sheet(wb, frames[k], sheets[k], &fm, err);
  if (wb) {
    lxw_error e = workbook_close(wb);   /* frees the workbook; writes the file when all went well */
    if (!rc && e != LXW_NO_ERROR) rc = mlsh_seterr(err, MLSH_EIO, "cannot write '%s': %s", path, lxw_strerror(e));
  }
  mlsh_buf_free(&fm.text);
  if (rc) {
    mlsh_afile_abort(&af);
    return rc;
  }
  return mlsh_afile_commit(&af, err);
}
