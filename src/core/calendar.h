/* calendar.h - the proleptic Gregorian calendar as days since 1970-01-01
 * (R's Date), for every reader, writer and expression that turns dates
 * into numbers and back. The arithmetic is H. Hinnant's days_from_civil /
 * civil_from_days: exact for any int64 year, no tables, no time zones. */
#ifndef MLSH_CORE_CALENDAR_H
#define MLSH_CORE_CALENDAR_H
#include <stdint.h>

int64_t cal_days_from_civil(int64_t y, unsigned m, unsigned d);   /* m 1..12, d 1..31 */
void cal_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
int cal_is_leap(int64_t y);
unsigned cal_month_days(int64_t y, unsigned m);                    /* m 1..12 */

#endif
