/* sqlite_iso.c - ISO 8601 dates and datetimes as SQLite stores them
 * (text), converted to and from days / seconds since 1970-01-01 UTC
 * (src/core/calendar.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sqlite_db.h"
#include "../core/calendar.h"

void sql_format_date(int32_t days, char *out, size_t size) {
  int64_t y;
  unsigned m, d;
  cal_civil_from_days(days, &y, &m, &d);
  snprintf(out, size, "%04lld-%02u-%02u", (long long)y, m, d);
}

void sql_format_datetime(double secs, char *out, size_t size) {
  double day = floor(secs / 86400);
  double rest = secs - day * 86400;   /* [0, 86400) */
  long whole = (long)floor(rest);
  long micro = lround((rest - (double)whole) * 1e6);
  if (micro >= 1000000) { micro -= 1000000; whole++; }
  if (whole >= 86400) { whole -= 86400; day++; }
  char date[32];
  sql_format_date((int32_t)day, date, sizeof date);
  int n = snprintf(out, size, "%s %02ld:%02ld:%02ld", date, whole / 3600, whole / 60 % 60, whole % 60);
  if (micro && n > 0 && (size_t)n < size) {
    char frac[32];
    snprintf(frac, sizeof frac, ".%06ld", micro);
    for (size_t k = strlen(frac); k > 2 && frac[k - 1] == '0'; k--) frac[k - 1] = 0;
    snprintf(out + n, size - (size_t)n, "%s", frac);
  }
}

/* n decimal digits at s into *v; 0 when they are all digits. */
static int digits(const char *s, int n, int *v) {
  *v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    *v = *v * 10 + (s[i] - '0');
  }
  return 0;
}

static int parse_ymd(const char *s, size_t len, int64_t *days) {
  int y, m, d;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (len < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' || digits(s + 8, 2, &d))
    return -1;
  if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return -1;
  if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return -1;
  *days = cal_days_from_civil(y, (unsigned)m, (unsigned)d);
  return 0;
}

int sql_parse_date(const char *s, size_t len, int32_t *days) {
  int64_t d;
  if (len != 10 || parse_ymd(s, len, &d)) return -1;
  *days = (int32_t)d;
  return 0;
}

/* The time part after the date: HH:MM[:SS[.fff]] then Z or +HH:MM / -HHMM. */
static int parse_time(const char *s, size_t len, double *secs) {
  int h, mi, sec = 0;
  size_t i = 5;
  if (len < 5 || digits(s, 2, &h) || s[2] != ':' || digits(s + 3, 2, &mi) || h > 23 || mi > 59) return -1;
  double frac = 0;
  if (i < len && s[i] == ':') {
    if (i + 3 > len || digits(s + i + 1, 2, &sec) || sec > 60) return -1;
    i += 3;
    if (i < len && s[i] == '.') {
      double scale = 0.1;
      for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10) frac += (s[i] - '0') * scale;
    }
  }
  double off = 0;
  if (i < len && s[i] == 'Z') i++;
  else if (i < len && (s[i] == '+' || s[i] == '-')) {
    int oh, om = 0, sign = s[i] == '-' ? -1 : 1;
    if (i + 3 > len || digits(s + i + 1, 2, &oh)) return -1;
    i += 3;
    if (i < len && s[i] == ':') i++;
    if (i + 2 <= len && !digits(s + i, 2, &om)) i += 2;
    off = sign * (oh * 3600.0 + om * 60.0);
  }
  if (i != len) return -1;
  *secs = h * 3600.0 + mi * 60.0 + sec + frac - off;
  return 0;
}

int sql_parse_datetime(const char *s, size_t len, double *secs) {
  int64_t d;
  double t = 0;
  if (parse_ymd(s, len, &d)) return -1;
  if (len > 10 && ((s[10] != ' ' && s[10] != 'T') || parse_time(s + 11, len - 11, &t))) return -1;
  *secs = (double)d * 86400.0 + t;
  return 0;
}
