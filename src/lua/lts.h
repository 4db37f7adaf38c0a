/* lts.h - what the two halves of the ts binding share: lts.c (series,
 * transforms, correlograms, tests, accuracy) and lts_arima.c (ARIMA fits,
 * the order search, forecasts). */
#ifndef LTS_H
#define LTS_H
#include "lmlsh.h"

#define LTS_SERIES_MT "mlsh.Series"
#define LTS_RESULT_MT "mlsh.TsTest"
/* The largest period, lag or difference an option takes (the data must be
 * longer still, which the functions check). */
#define LTS_MAX_LAG 100000

/* A series argument's values and time index. */
typedef struct lts_series {
  const double *v;
  size_t n;
  int freq, is_series;
  lua_Integer start[2];
} lts_series;

/* The series-like value at idx: a Series (ts.series), a Matrix vector (a
 * data frame column), a Lua array of numbers, or a data frame with one
 * numeric column; NaN marks a gap. The value at idx is replaced by its
 * Matrix, so s->v stays valid while idx is on the stack. */
void lts_check_series(lua_State *L, int idx, const char *fname, const char *argname, lts_series *s);
/* Push n values as a Series with s's time index (start moved by `shift`
 * steps) when as_series, else as an n x 1 Matrix. */
void lts_push_series(lua_State *L, const lts_series *s, int as_series, const double *v, size_t n, long shift);
/* n doubles (at least one) owned by a userdata pushed on the stack. */
double *lts_scratch(lua_State *L, size_t n, const char *fname);

static inline void lts_setnum(lua_State *L, const char *k, double v) { lua_pushnumber(L, v); lua_setfield(L, -2, k); }
static inline void lts_setint(lua_State *L, const char *k, lua_Integer v) { lua_pushinteger(L, v); lua_setfield(L, -2, k); }
static inline void lts_setstr(lua_State *L, const char *k, const char *v) { lua_pushstring(L, v); lua_setfield(L, -2, k); }

/* Adds ts.arima, ts.auto_arima and the Arima class to the ts table on top. */
void lts_open_arima(lua_State *L);

#endif
