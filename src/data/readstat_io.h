/* readstat_io.h - SPSS (.sav, .zsav, .por), Stata (.dta) and SAS
 * (.sas7bdat, .xpt) files as data frames, through libreadstat.
 *
 * Reading: numeric variables become double columns (integer when Stata
 * stores them as byte/int/long, or SPSS shows them without decimals and
 * every value is whole); variables with a date or datetime display format
 * become date / datetime columns; variables with value labels become
 * categorical columns whose levels are the labels in the order of their
 * values (an unlabelled value that occurs becomes a level of its own, as
 * haven::as_factor does), except that labels exactly {0 = FALSE, 1 = TRUE}
 * give a logical column; system-, user-defined and tagged missing values
 * are NA. Variable labels come back beside the frame.
 *
 * Writing (.dta, .sav) is the inverse, so that a frame read back has the
 * same types, values and NA: integers as long (Stata) or F w.0 (SPSS),
 * logicals as 0/1 labelled FALSE/TRUE, categoricals as codes 1..k with
 * their levels as value labels, dates and datetimes with date formats.
 * Neither format has a missing string: an NA string is written empty. */
#ifndef MLSH_DATA_READSTAT_IO_H
#define MLSH_DATA_READSTAT_IO_H
#include "../frame/frame.h"

typedef enum { RSTAT_SAV, RSTAT_POR, RSTAT_DTA, RSTAT_SAS7BDAT, RSTAT_XPT } rstat_format;

/* The frame and, in *labels, one variable label per column (NULL where
 * the variable has none; free with rstat_free_labels(labels, ncol)). */
int rstat_read(const char *path, rstat_format fmt, mlsh_frame **out, char ***labels, mlsh_err *err);
void rstat_free_labels(char **labels, size_t n);
/* Write f as .dta or .sav (atomically); labels: NULL or one per column
 * (NULL entries: no label). */
int rstat_write(const char *path, rstat_format fmt, const mlsh_frame *f, const char *const *labels, mlsh_err *err);

/* Days between 1970-01-01 and the epochs of the formats' dates. */
#define RSTAT_EPOCH_1960 3653           /* Stata and SAS: 1960-01-01 */
#define RSTAT_EPOCH_1582 141428         /* SPSS: 1582-10-14 */

#endif
