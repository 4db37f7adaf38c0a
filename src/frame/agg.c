/* agg.c - aggregates per group. Every aggregate is a few passes over the
 * rows in row order, accumulating into arrays indexed by group id (no
 * per-group allocation); columns without NA take the threaded passes of
 * agg_par.c, the median is agg_median.c's, n_distinct groups by (group,
 * value). */
#include <math.h>
#include <string.h>
#include "group.h"
#include "keys.h"
#include "agg_par.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

#define POLL(i) (((i) & 0xffff) == 0 && mlsh_interrupted())

static const char *const agg_names[] = {"n", "sum", "mean", "var", "sd", "median", "min", "max",
                                        "first", "last", "n_distinct"};

const char *frame_agg_name(frame_agg fn) { return (unsigned)fn <= AGG_N_DISTINCT ? agg_names[fn] : "?"; }

typedef struct {
  const mlsh_col *x;
  const frame_groups *g;
  int na_rm;
  uint8_t *isna;     /* per group: the result is NA */
  mlsh_err *err;
} agg_job;

static int numeric(col_type t) { return t != COL_STRING && t != COL_CATEGORICAL; }

/* Row i takes part: 1; is skipped: 0; makes its group NA: -1. */
static inline int row_state(const agg_job *j, size_t i) {
  if (j->na_rm) return !key_missing(j->x, i);
  return col_is_na(j->x, i) ? -1 : 1;
}

static int agg_nomem(agg_job *j) { return mlsh_seterr(j->err, MLSH_ENOMEM, "summarise: not enough memory"); }
static int agg_intr(agg_job *j) { return mlsh_seterr(j->err, MLSH_EINTR, "summarise: interrupted"); }

/* A column of ng values of type t with NA where isna is set. */
static int finish(agg_job *j, col_type t, const void *v, mlsh_col **out) {
  size_t ng = j->g->ngroups, nb = (ng + 7) / 8, nna = 0;
  uint8_t *valid = mlsh_malloc(nb ? nb : 1);
  if (!valid) return agg_nomem(j);
  memset(valid, 0, nb ? nb : 1);
  for (size_t r = 0; r < ng; r++) {
    if (j->isna[r]) nna++;
    else valid[r >> 3] |= (uint8_t)(1u << (r & 7));
  }
  int rc = col_from_array(t, v, ng, nna ? valid : NULL, out, j->err);
  mlsh_free(valid);
  return rc;
}

static int agg_count(agg_job *j, mlsh_col **out) {
  int64_t *cnt = mlsh_calloc(j->g->ngroups ? j->g->ngroups : 1, sizeof *cnt);
  if (!cnt) return agg_nomem(j);
  for (size_t i = 0; i < j->g->n; i++) {
    cnt[j->g->id[i]] += !j->na_rm || !key_missing(j->x, i);
    if (POLL(i)) { mlsh_free(cnt); return agg_intr(j); }
  }
  int rc = finish(j, COL_INT64, cnt, out);
  mlsh_free(cnt);
  return rc;
}

/* Integer sums of a column without NA: a tight loop. Returns -1 on overflow. */
static int sum_plain_int(const int64_t *v, const int64_t *id, size_t n, int64_t *s) {
  for (size_t i = 0; i < n; i++)
    if (__builtin_add_overflow(s[id[i]], v[i], &s[id[i]])) return -1;
  return 0;
}

/* Exact integer sums in parallel: one partial array per row block when
 * the groups are few, added up at the end. */
typedef struct { const int64_t *v, *id; size_t n, ng; int nt; int64_t *part; } isum_job;

static int isum_block(void *ctx, size_t t0, size_t t1, int tid) {
  isum_job *j = ctx;
  for (size_t t = t0; t < t1; t++) {
    size_t b = j->n * t / (size_t)j->nt, e = j->n * (t + 1) / (size_t)j->nt;
    int64_t *s = j->part + t * j->ng;
    memset(s, 0, j->ng * sizeof *s);
    if (sum_plain_int(j->v + b, j->id + b, e - b, s)) return -1;
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

static int sum_plain_par(agg_job *j, int nthreads, int64_t *s) {
  size_t n = j->g->n, ng = j->g->ngroups;
  int nt = mlsh_threads_resolve(nthreads);
  nt = nt > 16 ? 16 : nt;
  if (n < 200000 || nt < 2 || ng > n / 8) return sum_plain_int(COL_I64(j->x), j->g->id, n, s);
  isum_job p = {COL_I64(j->x), j->g->id, n, ng, nt, mlsh_malloc_array(ng * (size_t)nt, sizeof(int64_t))};
  if (!p.part) return MLSH_ENOMEM;
  int rc = mlsh_parallel_for((size_t)nt, nt, 1, isum_block, &p);
  for (size_t t = 0; !rc && t < (size_t)nt; t++)
    for (size_t r = 0; !rc && r < ng; r++)
      if (__builtin_add_overflow(s[r], p.part[t * ng + r], &s[r])) rc = -1;
  mlsh_free(p.part);
  return rc;
}

static int sum_rows_int(agg_job *j, int64_t *s) {
  for (size_t i = 0; i < j->g->n; i++) {
    int64_t gi = j->g->id[i], v = j->x->type == COL_LOGICAL ? COL_LGL(j->x)[i] : COL_I64(j->x)[i];
    int st = row_state(j, i);
    if (st < 0) j->isna[gi] = 1;
    else if (st && __builtin_add_overflow(s[gi], v, &s[gi])) return -1;
    if (POLL(i)) return agg_intr(j);
  }
  return MLSH_OK;
}

static int sum_integer(agg_job *j, int nthreads, mlsh_col **out) {
  int64_t *s = mlsh_calloc(j->g->ngroups ? j->g->ngroups : 1, sizeof *s);
  if (!s) return agg_nomem(j);
  int plain = !j->x->valid && j->x->type == COL_INT64;
  int rc = plain ? sum_plain_par(j, nthreads, s) : sum_rows_int(j, s);
  if (rc < 0) rc = mlsh_seterr(j->err, MLSH_EINVAL, "sum: the integer sum of a group overflows 64 bits");
  if (rc == MLSH_ENOMEM) rc = agg_nomem(j);
  if (rc == MLSH_EINTR || (!rc && mlsh_interrupted())) rc = agg_intr(j);
  if (!rc) rc = finish(j, COL_INT64, s, out);
  mlsh_free(s);
  return rc;
}

/* The means of an integer column without NA from its exact integer
 * sums (S = q n + r: q + r / n rounded once in long double, what R's
 * two passes give); 1 when done, 0 when a sum overflows, -1 without
 * memory. */
static int exact_int_means(agg_job *j, int nthreads, int64_t *cnt, double *mean) {
  size_t ng = j->g->ngroups;
  if (j->x->valid || j->x->type != COL_INT64) return 0;
  int64_t *is = mlsh_calloc(ng ? ng : 1, sizeof *is);
  if (!is) return -1;
  int rc = sum_plain_par(j, nthreads, is);
  for (size_t r = 0; !rc && r < ng; r++) {
    int64_t k = cnt[r] = j->g->size[r];
    mean[r] = k ? (double)((long double)(is[r] / k) + (long double)(is[r] % k) / k) : NAN;
  }
  mlsh_free(is);
  return rc == MLSH_ENOMEM ? -1 : rc ? 0 : 1;
}

/* Per group: count and mean (R's two passes: the sum, then the sum of
 * the deviations from the first mean corrects it). */
static int mean_passes(agg_job *j, int nthreads, int64_t *cnt, double *mean) {
  size_t ng = j->g->ngroups, n = j->g->n;
  const int64_t *id = j->g->id;
  int par = agg_par_applies(j->x), rc = MLSH_OK;
  long double *s = mlsh_calloc(ng ? ng : 1, sizeof *s), *t = mlsh_calloc(ng ? ng : 1, sizeof *t);
  if (!s || !t) rc = MLSH_ENOMEM;
  else if (par && j->x->type == COL_DOUBLE) rc = agg_par_exact_sums(j->x, j->g, j->na_rm, nthreads, s, cnt);
  else if (par) rc = agg_par_moment_pass(j->x, j->g, j->na_rm, AGG_PASS_SUM, nthreads, NULL, NULL, s, cnt);
  for (size_t i = 0; !rc && !par && i < n; i++) {
    int st = row_state(j, i);
    if (st < 0) j->isna[id[i]] = 1;
    else if (st) { s[id[i]] += num_at(j->x, i); cnt[id[i]]++; }
    if (POLL(i)) rc = MLSH_EINTR;
  }
  for (size_t r = 0; !rc && r < ng; r++) s[r] /= cnt[r];
  if (!rc && par && j->x->type != COL_DOUBLE)   /* a compensated sum needs no correction */
    rc = agg_par_moment_pass(j->x, j->g, j->na_rm, AGG_PASS_CORRECT, nthreads, s, NULL, t, NULL);
  for (size_t i = 0; !rc && !par && i < n; i++)
    if (row_state(j, i) > 0 && isfinite((double)s[id[i]])) t[id[i]] += num_at(j->x, i) - s[id[i]];
  for (size_t r = 0; !rc && r < ng; r++) mean[r] = isfinite((double)s[r]) ? (double)(s[r] + t[r] / cnt[r]) : (double)s[r];
  mlsh_free(t);
  mlsh_free(s);
  return rc;
}

/* Per group: count, mean and, when ss is given, the sum of squared
 * deviations from the mean. */
static int moments(agg_job *j, int nthreads, int64_t *cnt, double *mean, long double *ss) {
  int exact = exact_int_means(j, nthreads, cnt, mean), rc = MLSH_OK;
  if (exact < 0) return agg_nomem(j);
  if (!exact) rc = mean_passes(j, nthreads, cnt, mean);
  if (!rc && ss && agg_par_applies(j->x))
    rc = agg_par_moment_pass(j->x, j->g, j->na_rm, AGG_PASS_SQUARES, nthreads, NULL, mean, ss, NULL);
  else
    for (size_t i = 0; !rc && ss && i < j->g->n; i++)
      if (row_state(j, i) > 0) {
        double d = num_at(j->x, i) - mean[j->g->id[i]];
        ss[j->g->id[i]] += (long double)(d * d);
      }
  if (rc == MLSH_ENOMEM) return agg_nomem(j);
  return rc || mlsh_interrupted() ? agg_intr(j) : MLSH_OK;
}

static int agg_moment(agg_job *j, frame_agg fn, int nthreads, mlsh_col **out) {
  size_t ng = j->g->ngroups, m = ng ? ng : 1;
  int64_t *cnt = mlsh_calloc(m, sizeof *cnt);
  double *mean = mlsh_calloc(m, sizeof *mean);
  long double *ss = fn == AGG_MEAN ? NULL : mlsh_calloc(m, sizeof *ss);
  int rc = cnt && mean && (ss || fn == AGG_MEAN) ? moments(j, nthreads, cnt, mean, ss) : agg_nomem(j);
  for (size_t r = 0; !rc && ss && r < ng; r++) {
    if (cnt[r] < 2) { j->isna[r] = 1; continue; }
    mean[r] = (double)(ss[r] / (cnt[r] - 1));
    if (fn == AGG_SD) mean[r] = sqrt(mean[r]);
  }
  if (!rc) rc = finish(j, COL_DOUBLE, mean, out);
  mlsh_free(cnt); mlsh_free(mean); mlsh_free(ss);
  return rc;
}

static int agg_sum(agg_job *j, int nthreads, mlsh_col **out) {
  if (j->x->type == COL_INT64 || j->x->type == COL_LOGICAL) return sum_integer(j, nthreads, out);
  if (j->x->type != COL_DOUBLE)
    return mlsh_seterr(j->err, MLSH_EINVAL, "sum: not defined for a %s column", col_type_name(j->x->type));
  size_t ng = j->g->ngroups;
  long double *s = mlsh_calloc(ng ? ng : 1, sizeof *s);
  double *v = mlsh_malloc_array(ng ? ng : 1, sizeof *v);
  int64_t *cnt = mlsh_malloc_array(ng ? ng : 1, sizeof *cnt);
  int rc = s && v && cnt ? MLSH_OK : agg_nomem(j), par = agg_par_applies(j->x);
  if (!rc && par && (rc = agg_par_exact_sums(j->x, j->g, j->na_rm, nthreads, s, cnt)))
    rc = rc == MLSH_ENOMEM ? agg_nomem(j) : agg_intr(j);
  for (size_t i = 0; !rc && !par && i < j->g->n; i++) {
    int st = row_state(j, i);
    if (st < 0) j->isna[j->g->id[i]] = 1;
    else if (st) s[j->g->id[i]] += COL_DBL(j->x)[i];
    if (POLL(i)) rc = agg_intr(j);
  }
  for (size_t r = 0; !rc && r < ng; r++) v[r] = (double)s[r];
  if (!rc) rc = finish(j, COL_DOUBLE, v, out);
  mlsh_free(s); mlsh_free(v); mlsh_free(cnt);
  return rc;
}

static int agg_median(agg_job *j, int nthreads, mlsh_col **out) {
  double *med = mlsh_calloc(j->g->ngroups ? j->g->ngroups : 1, sizeof *med);
  int rc = med ? agg_par_median(j->x, j->g, j->na_rm, nthreads, med, j->isna) : MLSH_ENOMEM;
  if (!rc) rc = finish(j, COL_DOUBLE, med, out);
  else rc = rc == MLSH_ENOMEM ? agg_nomem(j) : agg_intr(j);
  mlsh_free(med);
  return rc;
}

/* ---- min, max, first, last: a row per group, then a gather ---------------- */

static int pick_take(agg_job *j, const int64_t *row, mlsh_col **out) {
  return col_take(j->x, row, j->g->ngroups, out, j->err);
}

/* A double or integer column without NA: the values themselves, on threads. */
static int extreme_par(agg_job *j, int want_max, int nthreads, mlsh_col **out) {
  size_t m = j->g->ngroups ? j->g->ngroups : 1;
  int64_t *best = mlsh_calloc(m, sizeof *best);   /* int64 or double bits */
  uint8_t *found = mlsh_malloc(m);
  int rc = best && found ? agg_par_extreme(j->x, j->g, want_max, j->na_rm, nthreads, best, found) : MLSH_ENOMEM;
  for (size_t r = 0; !rc && r < j->g->ngroups; r++) j->isna[r] = !found[r];
  if (!rc) rc = finish(j, j->x->type, best, out);
  else rc = rc == MLSH_ENOMEM ? agg_nomem(j) : agg_intr(j);
  mlsh_free(best); mlsh_free(found);
  return rc;
}

/* The row holding each group's min (or max); -1 (NA) for a group with NA
 * (without na_rm) or with nothing left; a NaN wins over numbers as in R. */
static int agg_extreme(agg_job *j, int want_max, int nthreads, mlsh_col **out) {
  const mlsh_col *x = j->x;
  if (x->type == COL_STRING || (x->type == COL_CATEGORICAL && !x->ordered))
    return mlsh_seterr(j->err, MLSH_EINVAL, "%s: not defined for a%s %s column", want_max ? "max" : "min",
                       x->type == COL_CATEGORICAL ? "n unordered" : "", col_type_name(x->type));
  if (agg_par_applies(x)) return extreme_par(j, want_max, nthreads, out);
  size_t ng = j->g->ngroups;
  int64_t *row = mlsh_malloc_array(ng ? ng : 1, sizeof *row);
  uint8_t *lock = mlsh_calloc(ng ? ng : 1, 1);     /* 1: NaN found, 2: NA found */
  int rc = row && lock ? MLSH_OK : agg_nomem(j);
  for (size_t r = 0; !rc && r < ng; r++) row[r] = -1;
  for (size_t i = 0; !rc && i < j->g->n; i++) {
    int64_t gi = j->g->id[i];
    if (lock[gi] == 2) continue;
    if (key_missing(x, i)) {
      if (j->na_rm) continue;
      lock[gi] = col_is_na(x, i) ? 2 : 1;
      row[gi] = lock[gi] == 2 ? -1 : (int64_t)i;
      continue;
    }
    if (lock[gi]) continue;
    uint64_t u = key_image(x, i);
    if (row[gi] < 0 || (want_max ? u > key_image(x, (size_t)row[gi]) : u < key_image(x, (size_t)row[gi])))
      row[gi] = (int64_t)i;
    if (POLL(i)) rc = agg_intr(j);
  }
  if (!rc) rc = pick_take(j, row, out);
  mlsh_free(row); mlsh_free(lock);
  return rc;
}

static int agg_end(agg_job *j, int last, mlsh_col **out) {
  size_t ng = j->g->ngroups;
  int64_t *row = mlsh_malloc_array(ng ? ng : 1, sizeof *row);
  if (!row) return agg_nomem(j);
  for (size_t r = 0; r < ng; r++) row[r] = -1;
  for (size_t i = 0; i < j->g->n; i++) {
    int64_t gi = j->g->id[i];
    if ((last || row[gi] < 0) && !(j->na_rm && key_missing(j->x, i))) row[gi] = (int64_t)i;
  }
  int rc = pick_take(j, row, out);
  mlsh_free(row);
  return rc;
}

/* Distinct values per group: the groups of (group id, value). */
static int agg_n_distinct(agg_job *j, mlsh_col **out) {
  size_t ng = j->g->ngroups;
  mlsh_col *gid = NULL;
  frame_groups pair = {0};
  int64_t *cnt = mlsh_calloc(ng ? ng : 1, sizeof *cnt);
  int rc = cnt ? col_from_array(COL_INT64, j->g->id, j->g->n, NULL, &gid, j->err) : agg_nomem(j);
  const mlsh_col *keys[2] = {gid, j->x};
  if (!rc) rc = frame_group(keys, 2, 0, 1, &pair, j->err);
  for (size_t p = 0; !rc && p < pair.ngroups; p++) {
    size_t i = (size_t)pair.first[p];
    cnt[j->g->id[i]] += !(j->na_rm && key_missing(j->x, i));
  }
  if (!rc) rc = finish(j, COL_INT64, cnt, out);
  frame_groups_free(&pair);
  col_unref(gid);
  mlsh_free(cnt);
  return rc;
}

static int agg_check(const mlsh_col *x, const frame_groups *g, frame_agg fn, mlsh_err *err) {
  if ((unsigned)fn > AGG_N_DISTINCT) return mlsh_seterr(err, MLSH_EINVAL, "summarise: unknown aggregate %d", (int)fn);
  int needs_number = fn == AGG_MEAN || fn == AGG_VAR || fn == AGG_SD || fn == AGG_MEDIAN;
  if (needs_number && !numeric(x->type))
    return mlsh_seterr(err, MLSH_EINVAL, "%s: not defined for a %s column", frame_agg_name(fn), col_type_name(x->type));
  if (x->n != g->n)
    return mlsh_seterr(err, MLSH_EINVAL, "%s: the column has %zu rows, the groups %zu", frame_agg_name(fn), x->n, g->n);
  return MLSH_OK;
}

int frame_aggregate(const mlsh_col *x, const frame_groups *g, frame_agg fn, int na_rm, int nthreads,
                    mlsh_col **out, mlsh_err *err) {
  int rc = agg_check(x, g, fn, err);
  *out = NULL;
  if (rc) return rc;
  agg_job j = {x, g, na_rm, mlsh_calloc(g->ngroups ? g->ngroups : 1, 1), err};
  if (!j.isna) return agg_nomem(&j);
  switch (fn) {
  case AGG_N: rc = agg_count(&j, out); break;
  case AGG_SUM: rc = agg_sum(&j, nthreads, out); break;
  case AGG_MEAN: case AGG_VAR: case AGG_SD: rc = agg_moment(&j, fn, nthreads, out); break;
  case AGG_MEDIAN: rc = agg_median(&j, nthreads, out); break;
  case AGG_MIN: case AGG_MAX: rc = agg_extreme(&j, fn == AGG_MAX, nthreads, out); break;
  case AGG_FIRST: case AGG_LAST: rc = agg_end(&j, fn == AGG_LAST, out); break;
  default: rc = agg_n_distinct(&j, out); break;
  }
  mlsh_free(j.isna);
  return rc;
}
