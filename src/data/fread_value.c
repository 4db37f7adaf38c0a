/* fread_value.c - typed values of CSV fields (see fread_value.h). */
#define _GNU_SOURCE
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "fread_value.h"
#include "../core/calendar.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int fv_logical(const char *s, size_t n, uint8_t *out) {
  static const char *const yes[] = {"TRUE", "True", "true", "T"}, *const no[] = {"FALSE", "False", "false", "F"};
  for (int k = 0; k < 4; k++) {
    if (strlen(yes[k]) == n && memcmp(s, yes[k], n) == 0) { *out = 1; return 1; }
    if (strlen(no[k]) == n && memcmp(s, no[k], n) == 0) { *out = 0; return 1; }
  }
  return 0;
}

/* Digits of an integer part from s[*i], with the optional thousands
 * separator between groups of three: the value (saturating at
 * UINT64_MAX, *overflow set) and how many digits. */
static size_t int_digits(const char *s, size_t n, size_t *i, char thousands, uint64_t *v, int *overflow) {
  size_t nd = 0, group = 0;
  int grouped = 0;
  for (; *i < n; (*i)++) {
    char c = s[*i];
    if (is_digit(c)) {
      unsigned d = (unsigned)(c - '0');
      if (*v > (UINT64_MAX - d) / 10) *overflow = 1;
      else *v = *v * 10 + d;
      nd++;
      group++;
    } else if (thousands && c == thousands && nd > 0 && (grouped ? group == 3 : group <= 3)) {
      if (*i + 3 >= n || !is_digit(s[*i + 1]) || !is_digit(s[*i + 2]) || !is_digit(s[*i + 3])) return 0;
      grouped = 1;
      group = 0;
    } else {
      break;
    }
  }
  if (grouped && group != 3) return 0;
  return nd;
}

int fv_int64(const char *s, size_t n, const fv_numfmt *f, int64_t *out) {
  size_t i = 0;
  int neg = 0, overflow = 0;
  uint64_t v = 0;
  if (n && (s[0] == '-' || s[0] == '+')) { neg = s[0] == '-'; i = 1; }
  if (int_digits(s, n, &i, f->thousands, &v, &overflow) == 0 || i != n || overflow) return 0;
  if (v > (uint64_t)INT64_MAX + (uint64_t)neg) return 0;
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return 1;
}

static const double pow10_exact[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* NaN, Inf, -Inf as R writes them (and inf, Infinity). */
static int special_double(const char *s, size_t n, double *out) {
  int neg = n && s[0] == '-';
  size_t k = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  const char *t = s + k;
  size_t m = n - k;
  if ((m == 3 && (!memcmp(t, "Inf", 3) || !memcmp(t, "inf", 3))) || (m == 8 && !memcmp(t, "Infinity", 8))) {
    *out = neg ? -HUGE_VAL : HUGE_VAL;
    return 1;
  }
  if (k == 0 && m == 3 && !memcmp(t, "NaN", 3)) { *out = NAN; return 1; }
  return 0;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0); }

/* The rare hard cases (many digits, large exponents): strtod in the C
 * locale on a copy with a '.' decimal point and no group separators. */
static int slow_double(const char *s, size_t n, const fv_numfmt *f, double *out) {
  char small[128], *buf = small;
  if (n + 1 > sizeof small && !(buf = malloc(n + 1))) return 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (f->thousands && s[i] == f->thousands) continue;
    buf[k++] = s[i] == f->dec ? '.' : s[i];
  }
  buf[k] = 0;
  char *end;
  pthread_once(&c_locale_once, make_c_locale);
  *out = c_locale ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
  if (buf != small) free(buf);
  return 1;
}

int fv_double(const char *s, size_t n, const fv_numfmt *f, double *out) {
  size_t i = 0;
  int neg = 0, overflow = 0;
  uint64_t m = 0;
  if (n && (s[0] == '-' || s[0] == '+')) { neg = s[0] == '-'; i = 1; }
  size_t nd = int_digits(s, n, &i, f->thousands, &m, &overflow), sig = 0;
  int exp10 = 0;
  /* Significant digits: the integer part without its leading zeros. */
  for (size_t k = neg || (n && s[0] == '+'); k < i; k++)
    if (is_digit(s[k]) && (sig || s[k] != '0')) sig++;
  if (i < n && s[i] == f->dec) {
    i++;
    for (; i < n && is_digit(s[i]); i++, nd++) {
      if (sig || s[i] != '0') sig++;
      if (m <= (UINT64_MAX - 9) / 10) { m = m * 10 + (uint64_t)(s[i] - '0'); exp10--; }
      else overflow = 1;
    }
  }
  if (nd == 0) return special_double(s, n, out);
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    int eneg = 0, e = 0;
    if (j < n && (s[j] == '-' || s[j] == '+')) eneg = s[j++] == '-';
    if (j >= n || !is_digit(s[j])) return 0;
    for (; j < n && is_digit(s[j]); j++) if (e < 100000) e = e * 10 + (s[j] - '0');
    exp10 += eneg ? -e : e;
    i = j;
  }
  if (i != n) return 0;
  /* Clinger's fast path: an exact mantissa times an exact power of ten
   * is one correctly rounded operation. */
  if (!overflow && sig <= 19 && m <= (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
    double v = (double)m;
    v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
    *out = neg ? -v : v;
    return 1;
  }
  return slow_double(s, n, f, out);
}

/* k digits at s (exactly), as a number; -1 if not digits. */
static int fixed_digits(const char *s, int k) {
  int v = 0;
  for (int i = 0; i < k; i++) {
    if (!is_digit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

static int valid_ymd(int y, int m, int d, int32_t *days) {
  if (m < 1 || m > 12 || d < 1 || d > (int)cal_month_days(y, (unsigned)m)) return 0;
  *days = (int32_t)cal_days_from_civil(y, (unsigned)m, (unsigned)d);
  return 1;
}

int fv_date(const char *s, size_t n, int32_t *days) {
  if (n != 10 || s[4] != '-' || s[7] != '-') return 0;
  int y = fixed_digits(s, 4), m = fixed_digits(s + 5, 2), d = fixed_digits(s + 8, 2);
  return y >= 0 && m >= 0 && d >= 0 && valid_ymd(y, m, d, days);
}

/* a/b/yyyy with one or two digits for a and b. */
static int split_dm(const char *s, size_t n, int *a, int *b, int *y) {
  size_t i = 0;
  int part[2] = {0, 0};
  for (int k = 0; k < 2; k++) {
    size_t start = i;
    while (i < n && is_digit(s[i]) && i - start < 2) part[k] = part[k] * 10 + (s[i++] - '0');
    if (i == start || i >= n || s[i] != '/') return 0;
    i++;
  }
  if (n - i != 4 || (*y = fixed_digits(s + i, 4)) < 0) return 0;
  *a = part[0];
  *b = part[1];
  return 1;
}

int fv_date_dm(const char *s, size_t n, int mdy, int32_t *days) {
  int a, b, y;
  if (!split_dm(s, n, &a, &b, &y)) return 0;
  return mdy ? valid_ymd(y, a, b, days) : valid_ymd(y, b, a, days);
}

/* [T ]HH:MM[:SS[.fff]] after the date, then Z, +HH, +HHMM or +HH:MM. */
int fv_datetime(const char *s, size_t n, double *secs) {
  int32_t days;
  if (n < 10 || !fv_date(s, 10, &days)) return 0;
  double t = 0;
  size_t i = 10;
  if (i < n) {
    if ((s[i] != 'T' && s[i] != ' ') || n < i + 6 || s[i + 3] != ':') return 0;
    int hh = fixed_digits(s + i + 1, 2), mm = fixed_digits(s + i + 4, 2), ss = 0;
    if (hh < 0 || hh > 24 || mm < 0 || mm > 59) return 0;
    i += 6;
    double frac = 0;
    if (i < n && s[i] == ':') {
      if (n < i + 3 || (ss = fixed_digits(s + i + 1, 2)) < 0 || ss > 60) return 0;
      i += 3;
      if (i < n && (s[i] == '.' || s[i] == ',')) {
        double scale = 0.1;
        size_t start = ++i;
        for (; i < n && is_digit(s[i]); i++, scale /= 10) frac += (s[i] - '0') * scale;
        if (i == start) return 0;
      }
    }
    t = hh * 3600.0 + mm * 60.0 + ss + frac;
    if (i < n && s[i] == 'Z') i++;
    else if (i < n && (s[i] == '+' || s[i] == '-')) {
      int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
      if (n < i + 3 || (oh = fixed_digits(s + i + 1, 2)) < 0) return 0;
      i += 3;
      if (i < n && s[i] == ':') i++;
      if (i < n) {
        if (n < i + 2 || (om = fixed_digits(s + i, 2)) < 0) return 0;
        i += 2;
      }
      if (oh > 23 || om > 59) return 0;
      t -= sign * (oh * 3600.0 + om * 60.0);
    }
    if (i != n) return 0;
  }
  *secs = days * 86400.0 + t;
  return 1;
}

unsigned fv_classify(const char *s, size_t n, const fv_numfmt *f) {
  unsigned m = 0;
  union { uint8_t b; int64_t i; double d; int32_t days; } v;
  if (n == 0) return FV_ALL;
  if (fv_logical(s, n, &v.b)) return FV_LGL;
  if (fv_int64(s, n, f, &v.i)) m |= FV_INT | FV_DBL;
  else if (fv_double(s, n, f, &v.d)) m |= FV_DBL;
  if (m) return m;
  if (n == 10 && fv_date(s, n, &v.days)) return FV_DATE | FV_DTM;
  if (n >= 8 && n <= 10 && s[n - 5] == '/') {
    if (fv_date_dm(s, n, 0, &v.days)) m |= FV_DMY;
    if (fv_date_dm(s, n, 1, &v.days)) m |= FV_MDY;
    return m;
  }
  if (n > 10 && fv_datetime(s, n, &v.d)) return FV_DTM;
  return 0;
}
