/* xlsx.h - frames written as an Excel .xlsx workbook (libxlsxwriter),
 * one worksheet per frame: a bold header row of column names, then
 * typed cells: numbers, booleans, strings (categoricals by level),
 * dates and datetimes as Excel serial numbers with a date format, and
 * blank cells for NA (and for NaN/Inf, which Excel cannot hold). */
#ifndef MLSH_DATA_XLSX_H
#define MLSH_DATA_XLSX_H
#include "../frame/frame.h"

#define XLSX_MAX_ROWS 1048576
#define XLSX_MAX_COLS 16384

/* Write n frames as sheets named sheets[i] (checked as Excel wants:
 * 1-31 characters, none of []:*?/\, unique), atomically. */
int xlsx_write(const char *path, const mlsh_frame *const *frames, const char *const *sheets, size_t n, mlsh_err *err);

#endif
