/* fread_value.h - one CSV field as a typed value: logical, 64-bit
 * integer, double (decimal point or comma, optional thousands
 * separators), ISO date, d/m/Y and m/d/Y dates, ISO 8601 datetime (with
 * or without an offset, converted to UTC), and the calendar arithmetic
 * the writer shares. Every parser takes the whole field (s, n) and
 * accepts it only when all of it is the value. */
#ifndef MLSH_DATA_FREAD_VALUE_H
#define MLSH_DATA_FREAD_VALUE_H
#include <stddef.h>
#include <stdint.h>

/* What a field can be read as: a mask of these (0: only a string). */
enum {
  FV_LGL = 1, FV_INT = 2, FV_DBL = 4, FV_DATE = 8, FV_DMY = 16, FV_MDY = 32, FV_DTM = 64,
  FV_ALL = 127
};

typedef struct {
  char dec;         /* '.' or ',' */
  char thousands;   /* 0: none; else the digit-group separator */
} fv_numfmt;

int fv_logical(const char *s, size_t n, uint8_t *out);
int fv_int64(const char *s, size_t n, const fv_numfmt *f, int64_t *out);
/* Exact: correctly rounded (a fast exact path, strtod for the rest). */
int fv_double(const char *s, size_t n, const fv_numfmt *f, double *out);
int fv_date(const char *s, size_t n, int32_t *days);                   /* YYYY-MM-DD */
int fv_date_dm(const char *s, size_t n, int mdy, int32_t *days);       /* dd/mm/yyyy or mm/dd/yyyy */
int fv_datetime(const char *s, size_t n, double *secs);                /* UTC seconds */
/* Every type the field parses as (FV_* bits). */
unsigned fv_classify(const char *s, size_t n, const fv_numfmt *f);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */

#endif
