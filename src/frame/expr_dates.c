/* expr_dates.c - dates (days since 1970-01-01) and datetimes (UTC
 * seconds): the proleptic Gregorian calendar (H. Hinnant's civil day
 * algorithms), ISO text in and out, and the date functions of the
 * language (year month day weekday week isoweek yday quarter, hour minute
 * second, as_date as_datetime). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "expr_impl.h"
#include "../core/alloc.h"
#include "../core/calendar.h"

/* Reads 1 to `width` digits (a year: 4 to 6, a sign allowed, when width is 0). */
static int digits(const char *s, size_t len, size_t *pos, size_t width, int64_t *v) {
  size_t p = *pos, k = 0;
  int neg = 0;
  if (!width && p < len && (s[p] == '-' || s[p] == '+')) neg = s[p++] == '-';
  int64_t x = 0;
  while (p < len && s[p] >= '0' && s[p] <= '9' && (width ? k < width : k < 6)) x = x * 10 + (s[p++] - '0'), k++;
  if (k == 0 || (!width && k < 4)) return -1;
  *v = neg ? -x : x;
  *pos = p;
  return 0;
}

static int parse_ymd(const char *s, size_t len, size_t *pos, int32_t *days) {
  int64_t y, m, d;
  if (digits(s, len, pos, 0, &y) || *pos >= len || s[(*pos)++] != '-' || digits(s, len, pos, 2, &m) || *pos >= len ||
      s[(*pos)++] != '-' || digits(s, len, pos, 2, &d))
    return -1;
  if (m < 1 || m > 12 || d < 1 || d > cal_month_days(y, (unsigned)m)) return -1;
  *days = (int32_t)cal_days_from_civil(y, (unsigned)m, (unsigned)d);
  return 0;
}

int expr_parse_date(const char *s, size_t len, int32_t *days) {
  size_t pos = 0;
  if (parse_ymd(s, len, &pos, days)) return -1;
  return pos == len ? 0 : -1;
}

int expr_parse_datetime(const char *s, size_t len, double *secs) {
  size_t pos = 0;
  int32_t days;
  int64_t h = 0, mi = 0, sec = 0;
  double frac = 0;
  if (parse_ymd(s, len, &pos, &days)) return -1;
  if (pos < len && (s[pos] == ' ' || s[pos] == 'T')) {
    pos++;
    if (digits(s, len, &pos, 2, &h) || pos >= len || s[pos++] != ':' || digits(s, len, &pos, 2, &mi)) return -1;
    if (pos < len && s[pos] == ':') {
      pos++;
      if (digits(s, len, &pos, 2, &sec)) return -1;
      if (pos < len && s[pos] == '.') {
        double scale = 0.1;
        for (pos++; pos < len && s[pos] >= '0' && s[pos] <= '9'; pos++, scale /= 10) frac += (s[pos] - '0') * scale;
      }
    }
    if (pos < len && s[pos] == 'Z') pos++;
  }
  if (pos != len || h > 23 || mi > 59 || sec > 60) return -1;
  *secs = (double)days * 86400.0 + (double)(h * 3600 + mi * 60 + sec) + frac;
  return 0;
}

size_t expr_format_date(int32_t days, char *buf) {
  int64_t y;
  unsigned m, d;
  cal_civil_from_days(days, &y, &m, &d);
  return (size_t)snprintf(buf, 64, "%04lld-%02u-%02u", (long long)y, m, d);
}

size_t expr_format_datetime(double secs, char *buf) {
  if (!(fabs(secs) < 1e14)) return (size_t)snprintf(buf, 64, "%.15g", secs);
  double day = floor(secs / 86400.0), rest = secs - day * 86400.0;
  size_t k = expr_format_date((int32_t)day, buf);
  int s = (int)rest;
  k += (size_t)snprintf(buf + k, 64 - k, " %02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  return k;
}

/* ---- the functions ---- */

enum { D_YEAR, D_MONTH, D_DAY, D_WEEKDAY, D_WEEK, D_ISOWEEK, D_YDAY, D_QUARTER, D_HOUR, D_MINUTE, D_SECOND };

static int type_part(expr_ctx *cx, expr_node *n) {
  col_type t = n->args[0]->type;
  int clock = n->fn->code >= D_HOUR;
  if (n->args[0]->kind != N_NA && t != COL_DATETIME && (clock || t != COL_DATE))
    return expr_arg_error(cx, n, 0, clock ? "a datetime" : "a date or a datetime");
  n->type = n->fn->code == D_SECOND ? COL_DOUBLE : COL_INT64;
  return 0;
}

/* The ISO week of a day: the week (Monday first) holding its Thursday. */
static int64_t iso_week(int64_t days) {
  int64_t wd = ((days + 3) % 7 + 7) % 7;       /* 0 = Monday */
  int64_t thursday = days - wd + 3, ty;
  unsigned m, d;
  cal_civil_from_days(thursday, &ty, &m, &d);
  return (thursday - (int32_t)cal_days_from_civil(ty, 1, 1)) / 7 + 1;
}

static int64_t date_part(int code, int64_t days) {
  int64_t y;
  unsigned m, d;
  cal_civil_from_days(days, &y, &m, &d);
  int64_t yday = days - (int32_t)cal_days_from_civil(y, 1, 1) + 1;
  switch (code) {
  case D_YEAR: return y;
  case D_MONTH: return m;
  case D_DAY: return d;
  case D_WEEKDAY: return ((days + 3) % 7 + 7) % 7 + 1;   /* 1 = Monday ... 7 = Sunday (ISO, R's %u) */
  case D_WEEK: return (yday - 1) / 7 + 1;
  case D_ISOWEEK: return iso_week(days);
  case D_YDAY: return yday;
  default: return (m - 1) / 3 + 1;
  }
}

static int eval_part(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  const mlsh_col *c = a[0].c;
  size_t m = c->n, one = 1;
  uint8_t *valid;
  int rc = expr_na_union(cx, &c, &one, 1, m, &valid);
  if (rc) return rc;
  int code = n->fn->code;
  out->shape = a[0].shape;
  void *data = mlsh_malloc_array(m ? m : 1, 8);
  for (size_t i = 0; data && i < m; i++) {
    double s = c->type == COL_DATETIME ? COL_DBL(c)[i] : c->type == COL_DATE ? COL_I32(c)[i] * 86400.0 : 0;
    if (!(fabs(s) < 1e14)) {   /* NaN, infinite, or beyond any calendar (three million years): NA */
      if (!valid && !(valid = expr_bitmap_new(m))) break;
      expr_clear_bit(valid, i);
      s = 0;
    }
    double day = floor(s / 86400.0), rest = s - day * 86400.0;
    if (code == D_SECOND) ((double *)data)[i] = fmod(rest, 60.0);
    else if (code == D_HOUR) ((int64_t *)data)[i] = (int64_t)(rest / 3600);
    else if (code == D_MINUTE) ((int64_t *)data)[i] = (int64_t)(rest / 60) % 60;
    else ((int64_t *)data)[i] = date_part(code, (int64_t)day);
  }
  return expr_make_col(cx, n->type, data, m, valid, &out->c);
}

static int type_as_time(expr_ctx *cx, expr_node *n) {
  col_type t = n->args[0]->type;
  if (n->args[0]->kind != N_NA && t != COL_STRING && t != COL_CATEGORICAL && t != COL_DATE && t != COL_DATETIME)
    return expr_arg_error(cx, n, 0, "text, a date or a datetime");
  n->type = (col_type)n->fn->code;
  return 0;
}

static int eval_as_time(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  int rc = expr_val_cast(cx, &a[0], n->type);
  if (rc) return rc;
  *out = a[0];
  a[0].c = NULL;
  return 0;
}

#define PART(name, code) {name, FK_ELEM, 1, {"x"}, type_part, eval_part, code}

const expr_func expr_date_funcs[] = {
  PART("year", D_YEAR), PART("month", D_MONTH), PART("day", D_DAY), PART("weekday", D_WEEKDAY),
  PART("week", D_WEEK), PART("isoweek", D_ISOWEEK), PART("yday", D_YDAY), PART("quarter", D_QUARTER),
  PART("hour", D_HOUR), PART("minute", D_MINUTE), PART("second", D_SECOND),
  {"as_date", FK_ELEM, 1, {"x"}, type_as_time, eval_as_time, COL_DATE},
  {"as_datetime", FK_ELEM, 1, {"x"}, type_as_time, eval_as_time, COL_DATETIME},
  {NULL, FK_ELEM, 0, {NULL}, NULL, NULL, 0}};
