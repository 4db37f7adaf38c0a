/* agg_cor.c - Pearson's correlation per group of two integer columns in
 * one pass: per group exact integer sums of x, y, x^2, y^2 and xy, so the
 * centred sums k*Sxx - Sx^2 ... are exact and the result is rounded once
 * (R's two-pass double formula is within a few ulps of it). Threads keep
 * their own sums over row blocks; integer sums add in any order. */
#include <math.h>
#include <string.h>
#include "agg_par.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

#define COR_MAX_TABLE (64u << 20)   /* bytes of sums over all threads */

/* Unsigned: wrapping is defined, and the sums are exact (as two's
 * complement) whenever the bound checked after the pass holds. */
typedef struct { uint64_t k, sx, sy, sxx, syy, sxy; } cor_sums;

typedef struct {
  const mlsh_col *x, *y;
  const frame_groups *g;
  int na_rm, nt;
  cor_sums *sums;    /* nt x ngroups */
  uint8_t *na;       /* nt x ngroups: a pair with NA seen (without na_rm) */
  uint64_t *absmax;  /* nt: at least the largest |value| seen (an OR of them) */
} cor_job;

static uint64_t abs64(int64_t v) { return v < 0 ? -(uint64_t)v : (uint64_t)v; }

static int cor_rows(void *ctx, size_t t0, size_t t1, int tid) {
  cor_job *j = ctx;
  size_t n = j->g->n, ng = j->g->ngroups;
  const int64_t *x = COL_I64(j->x), *y = COL_I64(j->y), *id = j->g->id;
  int check = j->x->valid || j->y->valid;
  for (size_t t = t0; t < t1; t++) {
    cor_sums *s = j->sums + t * ng;
    uint8_t *na = j->na + t * ng;
    uint64_t big = 0;
    memset(s, 0, ng * sizeof *s);
    memset(na, 0, ng);
    for (size_t i = n * t / (size_t)j->nt, e = n * (t + 1) / (size_t)j->nt; i < e; i++) {
      cor_sums *q = s + id[i];
      if (check && (col_is_na(j->x, i) || col_is_na(j->y, i))) {
        na[id[i]] |= !j->na_rm;
        continue;
      }
      uint64_t a = (uint64_t)x[i], b = (uint64_t)y[i];
      big |= abs64(x[i]) | abs64(y[i]);
      q->k++, q->sx += a, q->sy += b, q->sxx += a * a, q->syy += b * b, q->sxy += a * b;
    }
    j->absmax[t] = big;
  }
  (void)tid;
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* The correlation from exact sums: NaN for fewer than 2 pairs or a
 * constant side (R gives NA). */
static double cor_of(const cor_sums *u) {
  if (u->k < 2) return NAN;
  __int128 k = (__int128)u->k, sx = (int64_t)u->sx, sy = (int64_t)u->sy;
  __int128 cxx = k * (int64_t)u->sxx - sx * sx, cyy = k * (int64_t)u->syy - sy * sy, cxy = k * (int64_t)u->sxy - sx * sy;
  if (cxx <= 0 || cyy <= 0) return NAN;
  double r = (double)((long double)cxy / sqrtl((long double)cxx * (long double)cyy));
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

int agg_cor_int(const mlsh_col *x, const mlsh_col *y, const frame_groups *g, int na_rm, int nthreads, double *res,
                int *applied) {
  size_t ng = g->ngroups, n = g->n;
  *applied = 0;
  if (x->type != COL_INT64 || y->type != COL_INT64 || x->n != n || y->n != n || ng == 0) return MLSH_OK;
  int nt = n >= 100000 ? mlsh_threads_resolve(nthreads) : 1;
  while (nt > 1 && (size_t)nt * ng * sizeof(cor_sums) > COR_MAX_TABLE) nt--;
  if ((size_t)nt * ng * sizeof(cor_sums) > COR_MAX_TABLE) return MLSH_OK;   /* too many groups: the general path */
  cor_job j = {x, y, g, na_rm, nt, mlsh_malloc_array((size_t)nt * ng, sizeof(cor_sums)),
               mlsh_malloc_array((size_t)nt * ng, 1), mlsh_calloc((size_t)nt, sizeof(uint64_t))};
  int rc = j.sums && j.na && j.absmax ? mlsh_parallel_for((size_t)nt, nt, 1, cor_rows, &j) : MLSH_ENOMEM;
  uint64_t big = 0;
  for (int t = 0; !rc && t < nt; t++) big |= j.absmax[t];
  /* Exact only while n * max|v|^2 fits in int64: else the general path. */
  if (!rc && (double)big * (double)big * (double)n < 0x1p62) {
    for (size_t r = 0; r < ng; r++) {
      cor_sums s = j.sums[r];
      int na = j.na[r];
      for (int t = 1; t < nt; t++) {
        const cor_sums *o = j.sums + (size_t)t * ng + r;
        s.k += o->k, s.sx += o->sx, s.sy += o->sy, s.sxx += o->sxx, s.syy += o->syy, s.sxy += o->sxy;
        na |= j.na[(size_t)t * ng + r];
      }
      res[r] = na ? NAN : cor_of(&s);
    }
    *applied = 1;
  }
  mlsh_free(j.sums); mlsh_free(j.na); mlsh_free(j.absmax);
  return rc;
}
