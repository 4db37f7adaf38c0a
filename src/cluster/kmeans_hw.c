/* kmeans_hw.c - Hartigan and Wong's K-Means: Applied Statistics algorithm
 * AS 136 (Hartigan & Wong 1979), run step for step as R's
 * stats::kmeans(algorithm = "Hartigan-Wong") does (R's kmns.f): the same
 * order of points, the same live set and quick-transfer bookkeeping, the
 * same tie rules and the same sums in the same order, so that from the
 * same initial centres the result is R's.
 *
 * A point i moves from its cluster l1 to l2 when that lowers the
 * within-cluster sum of squares: removing it saves an1[l1] * |x - c1|^2
 * and adding it costs an2[l2] * |x - c2|^2, with an1 = n/(n-1) and
 * an2 = n/(n+1) for a cluster of n points. The optimal-transfer stage
 * tries every cluster of the live set for each point; the quick-transfer
 * stage only swaps each point between its two best clusters, until M
 * steps pass without a move. Steps are counted from 1, as in AS 136. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kmeans.h"
#include "kmeans_impl.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/rng.h"
#include "../core/threads.h"

#define HW_BIG 1e30              /* an1 of a one-point cluster (never used: such points stay) */
#define HW_AUTO_WORK 1e6         /* auto: n*p*k*nstart up to this (some ms) */

enum { HW_DONE, HW_QTRAN_LIMIT };

typedef struct {
  const double *X;        /* n x p, as given (not centred: R works on x itself) */
  size_t n, p, k;
  double *C;              /* k x p centres */
  int *ic1, *ic2;         /* each point's cluster and its likeliest other one */
  double *d;              /* an1[ic1] * squared distance to its own centre */
  double *an1, *an2;
  long *nc, *ncp, *live;  /* sizes; step of last update; live-set limit */
  unsigned char *itran;   /* updated in the last quick-transfer stage */
  long indx;              /* steps since the last transfer */
} hw_run;

/* Squared distance summed in AS 136's order (dist_sq_pair's four chains
 * would round differently), stopping once it reaches limit. */
static double hw_dist(const double *x, const double *c, size_t p, double limit) {
  double s = 0.0;
  for (size_t j = 0; j < p; j++) {
    double t = x[j] - c[j];
    s += t * t;
    if (s >= limit) break;
  }
  return s;
}

static void hw_free(hw_run *s) {
  mlsh_free(s->C); mlsh_free(s->ic1); mlsh_free(s->ic2); mlsh_free(s->d); mlsh_free(s->an1);
  mlsh_free(s->an2); mlsh_free(s->nc); mlsh_free(s->ncp); mlsh_free(s->live); mlsh_free(s->itran);
  memset(s, 0, sizeof *s);
}

static int hw_alloc(hw_run *s, const mlsh_mat *X, size_t k) {
  size_t n = X->rows, p = X->cols;
  memset(s, 0, sizeof *s);
  s->X = X->data; s->n = n; s->p = p; s->k = k;
  s->C = mlsh_malloc_array(k * p, sizeof(double));
  s->ic1 = mlsh_malloc_array(n, sizeof(int));
  s->ic2 = mlsh_malloc_array(n, sizeof(int));
  s->d = mlsh_malloc_array(n, sizeof(double));
  s->an1 = mlsh_malloc_array(k, sizeof(double));
  s->an2 = mlsh_malloc_array(k, sizeof(double));
  s->nc = mlsh_malloc_array(k, sizeof(long));
  s->ncp = mlsh_malloc_array(k, sizeof(long));
  s->live = mlsh_malloc_array(k, sizeof(long));
  s->itran = mlsh_malloc_array(k, 1);
  if (!s->C || !s->ic1 || !s->ic2 || !s->d || !s->an1 || !s->an2 || !s->nc || !s->ncp || !s->live || !s->itran) {
    hw_free(s);
    return MLSH_ENOMEM;
  }
  return MLSH_OK;
}

/* Each point's two nearest centres (ties: the lower number first). */
static void hw_assign(hw_run *s) {
  size_t p = s->p;
  for (size_t i = 0; i < s->n; i++) {
    const double *x = s->X + i * p;
    double dt1 = hw_dist(x, s->C, p, INFINITY), dt2 = hw_dist(x, s->C + p, p, INFINITY);
    int a = 0, b = 1;
    if (dt1 > dt2) { double t = dt1; dt1 = dt2; dt2 = t; a = 1; b = 0; }
    for (size_t l = 2; l < s->k; l++) {
      double db = hw_dist(x, s->C + l * p, p, dt2);
      if (db >= dt2) continue;
      if (db >= dt1) { dt2 = db; b = (int)l; }
      else { dt2 = dt1; b = a; dt1 = db; a = (int)l; }
    }
    s->ic1[i] = a;
    s->ic2[i] = b;
  }
}

/* Centres = means of their points; 0, or 1 when a cluster is empty. */
static int hw_means(hw_run *s) {
  size_t p = s->p, k = s->k;
  memset(s->C, 0, k * p * sizeof(double));
  memset(s->nc, 0, k * sizeof(long));
  for (size_t i = 0; i < s->n; i++) {
    double *c = s->C + (size_t)s->ic1[i] * p;
    s->nc[s->ic1[i]]++;
    for (size_t j = 0; j < p; j++) c[j] += s->X[i * p + j];
  }
  for (size_t l = 0; l < k; l++) {
    if (s->nc[l] == 0) return 1;
    for (size_t j = 0; j < p; j++) s->C[l * p + j] /= (double)s->nc[l];
  }
  return 0;
}

/* Point i leaves l1 for l2: both centres, sizes and ratios follow. */
static void hw_move(hw_run *s, size_t i, int l1, int l2) {
  const double *x = s->X + i * s->p;
  double *c1 = s->C + (size_t)l1 * s->p, *c2 = s->C + (size_t)l2 * s->p;
  double al1 = (double)s->nc[l1], alw = al1 - 1.0, al2 = (double)s->nc[l2], alt = al2 + 1.0;
  for (size_t j = 0; j < s->p; j++) {
    c1[j] = (c1[j] * al1 - x[j]) / alw;
    c2[j] = (c2[j] * al2 + x[j]) / alt;
  }
  s->nc[l1]--;
  s->nc[l2]++;
  s->an2[l1] = alw / al1;
  s->an1[l1] = alw > 1.0 ? alw / (alw - 1.0) : HW_BIG;
  s->an1[l2] = alt / al2;
  s->an2[l2] = alt / (alt + 1.0);
  s->ic1[i] = l2;
  s->ic2[i] = l1;
}

/* Optimal transfer: one pass over the points. A cluster is in the live
 * set while it was updated in the last n steps (or in the last quick
 * transfer); a point of a cluster outside it only looks at live ones. */
static void hw_optra(hw_run *s) {
  long n = (long)s->n;
  size_t p = s->p, k = s->k;
  for (size_t l = 0; l < k; l++)
    if (s->itran[l]) s->live[l] = n + 1;
  for (long step = 1; step <= n; step++) {
    size_t i = (size_t)step - 1;
    const double *x = s->X + i * p;
    int l1 = s->ic1[i], l2 = s->ic2[i], ll = l2;
    s->indx++;
    if (s->nc[l1] != 1) {
      if (s->ncp[l1] != 0) s->d[i] = hw_dist(x, s->C + (size_t)l1 * p, p, INFINITY) * s->an1[l1];
      double r2 = hw_dist(x, s->C + (size_t)l2 * p, p, INFINITY) * s->an2[l2];
      for (size_t l = 0; l < k; l++) {
        if ((step >= s->live[l1] && step >= s->live[l]) || (int)l == l1 || (int)l == ll) continue;
        double rr = r2 / s->an2[l], dc = hw_dist(x, s->C + l * p, p, rr);
        if (dc >= rr) continue;
        r2 = dc * s->an2[l];
        l2 = (int)l;
      }
      if (r2 >= s->d[i]) {
        s->ic2[i] = l2;
      } else {
        s->indx = 0;
        s->live[l1] = s->live[l2] = n + step;
        s->ncp[l1] = s->ncp[l2] = step;
        hw_move(s, i, l1, l2);
      }
    }
    if (s->indx == n) return;
  }
  for (size_t l = 0; l < k; l++) {
    s->itran[l] = 0;
    s->live[l] -= n;
  }
}

/* Quick transfer: passes over the points, each tested against its
 * second cluster only, until n steps without a move (HW_DONE), or
 * max_steps steps in all (HW_QTRAN_LIMIT), or Ctrl-C. */
static int hw_qtran(hw_run *s, long max_steps) {
  long n = (long)s->n, icoun = 0, istep = 0;
  size_t p = s->p;
  for (;;) {
    for (size_t i = 0; i < s->n; i++) {
      const double *x = s->X + i * p;
      int l1 = s->ic1[i], l2 = s->ic2[i];
      icoun++;
      if (++istep >= max_steps) return HW_QTRAN_LIMIT;
      if (s->nc[l1] != 1) {
        if (istep <= s->ncp[l1]) s->d[i] = hw_dist(x, s->C + (size_t)l1 * p, p, INFINITY) * s->an1[l1];
        if (istep < s->ncp[l1] || istep < s->ncp[l2]) {
          double r2 = s->d[i] / s->an2[l2];
          if (hw_dist(x, s->C + (size_t)l2 * p, p, r2) < r2) {
            icoun = 0;
            s->indx = 0;
            s->itran[l1] = s->itran[l2] = 1;
            s->ncp[l1] = s->ncp[l2] = istep + n;
            hw_move(s, i, l1, l2);
          }
        }
      }
      if (icoun == n) return HW_DONE;
    }
    if (mlsh_interrupted()) return MLSH_EINTR;
  }
}

/* AS 136 from the centres in s->C. MLSH_EINVAL: an empty cluster at the
 * start. Not converged: max_iter passes, or the quick-transfer stage ran
 * 50 n steps (R's limit). */
static int hw_iterate(hw_run *s, int max_iter, int *iters, int *converged) {
  long n = (long)s->n, max_q = 50 * n < 0x7fffffffL ? 50 * n : 0x7fffffffL;
  *iters = 1;
  *converged = 1;
  if (s->k == 1) {   /* R hands k = 1 to MacQueen: the mean, one pass */
    memset(s->ic1, 0, s->n * sizeof(int));
    return hw_means(s) ? MLSH_EINVAL : MLSH_OK;
  }
  hw_assign(s);
  if (hw_means(s)) return MLSH_EINVAL;
  for (size_t l = 0; l < s->k; l++) {
    double aa = (double)s->nc[l];
    s->an2[l] = aa / (aa + 1.0);
    s->an1[l] = aa > 1.0 ? aa / (aa - 1.0) : HW_BIG;
    s->itran[l] = 1;
    s->ncp[l] = -1;
    s->live[l] = 0;
  }
  s->indx = 0;
  for (int it = 1; it <= max_iter; it++) {
    *iters = it;
    hw_optra(s);
    if (s->indx == n) return MLSH_OK;
    if (mlsh_interrupted()) return MLSH_EINTR;
    int rc = hw_qtran(s, max_q);
    if (rc == MLSH_EINTR) return rc;
    if (rc == HW_QTRAN_LIMIT) { *converged = 0; return MLSH_OK; }
    if (s->k == 2) return MLSH_OK;   /* two clusters: quick transfer is final */
    memset(s->ncp, 0, s->k * sizeof(long));
  }
  *converged = 0;
  return MLSH_OK;
}

/* Within-cluster sum of squares from fresh means, summed as R does
 * (column by column; the total in long double, as R's sum). */
static double hw_inertia(hw_run *s) {
  long double tot = 0.0L;
  hw_means(s);
  for (size_t l = 0; l < s->k; l++) s->an1[l] = 0.0;   /* per-cluster sums; an1 is free now */
  for (size_t j = 0; j < s->p; j++)
    for (size_t i = 0; i < s->n; i++) {
      double t = s->X[i * s->p + j] - s->C[(size_t)s->ic1[i] * s->p + j];
      s->an1[s->ic1[i]] += t * t;
    }
  for (size_t l = 0; l < s->k; l++) tot += s->an1[l];
  return (double)tot;
}

/* ---- distinct rows ---- */

typedef struct { const double *row; size_t p, i; } hw_rowref;

static int rows_order(const double *a, const double *b, size_t p) {
  for (size_t j = 0; j < p; j++)
    if (a[j] != b[j]) return a[j] < b[j] ? -1 : 1;
  return 0;
}

static int row_cmp(const void *a, const void *b) {
  const hw_rowref *x = a, *y = b;
  int c = rows_order(x->row, y->row, x->p);
  return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

static int idx_cmp(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

/* The first row of each group of equal rows, in row order (R's unique):
 * *m of them into first (n slots; may be NULL to count only). */
static int distinct_rows(const double *X, size_t n, size_t p, size_t *first, size_t *m) {
  hw_rowref *r = mlsh_malloc_array(n, sizeof *r);
  if (!r) return MLSH_ENOMEM;
  for (size_t i = 0; i < n; i++) r[i] = (hw_rowref){X + i * p, p, i};
  qsort(r, n, sizeof *r, row_cmp);
  *m = 0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && rows_order(r[i].row, r[i - 1].row, p) == 0) continue;
    if (first) first[*m] = r[i].i;
    (*m)++;
  }
  mlsh_free(r);
  if (first) qsort(first, *m, sizeof *first, idx_cmp);
  return MLSH_OK;
}

/* ---- restarts ---- */

typedef struct { double inertia; int start, iters, converged; } hw_best;

typedef struct {
  const mlsh_mat *X;
  const km_opts *o;
  const size_t *uniq;     /* distinct rows (random starts draw from them, as R) */
  size_t m;
  hw_run *run;            /* per worker */
  size_t *pick;           /* per worker m: partial Fisher-Yates over uniq */
  double *best_C;         /* per worker k x p */
  int *best_lab;          /* per worker n */
  hw_best *best;          /* per worker */
} hw_job;

/* Initial centres of start s: given, k distinct rows, or k-means++; the
 * random stream is the seed's stream s, as for the other algorithms. */
static int hw_seed(hw_job *j, int tid, size_t s) {
  hw_run *run = &j->run[tid];
  size_t k = run->k, p = run->p;
  mlsh_rng root, rng;
  mlsh_rng_seed(&root, j->o->seed);
  mlsh_rng_split(&root, s, &rng);
  if (j->o->init == KM_INIT_GIVEN) {
    memcpy(run->C, j->o->centers0->data, k * p * sizeof(double));
  } else if (j->o->init == KM_INIT_RANDOM) {
    size_t *pick = j->pick + (size_t)tid * j->m;
    for (size_t i = 0; i < j->m; i++) pick[i] = i;
    for (size_t c = 0; c < k; c++) {
      size_t r = c + (size_t)mlsh_rng_below(&rng, j->m - c), t = pick[c];
      pick[c] = pick[r];
      pick[r] = t;
      memcpy(run->C + c * p, run->X + j->uniq[pick[c]] * p, p * sizeof(double));
    }
  } else {
    return km_seed_plusplus(run->X, run->n, p, k, &rng, run->C);
  }
  return MLSH_OK;
}

static int hw_starts(void *ctx, size_t b, size_t e, int tid) {
  hw_job *j = ctx;
  hw_run *run = &j->run[tid];
  hw_best *best = &j->best[tid];
  for (size_t s = b; s < e; s++) {
    int it, conv, rc;
    if ((rc = hw_seed(j, tid, s)) || (rc = hw_iterate(run, j->o->max_iter, &it, &conv))) return rc;
    double in = hw_inertia(run);
    if (in < best->inertia || (in == best->inertia && (int)s < best->start)) {
      *best = (hw_best){in, (int)s, it, conv};
      memcpy(j->best_C + (size_t)tid * run->k * run->p, run->C, run->k * run->p * sizeof(double));
      memcpy(j->best_lab + (size_t)tid * run->n, run->ic1, run->n * sizeof(int));
    }
  }
  return MLSH_OK;
}

static int hw_job_alloc(hw_job *j, const mlsh_mat *X, size_t k, int workers) {
  size_t n = X->rows, p = X->cols;
  j->run = mlsh_calloc((size_t)workers, sizeof(hw_run));
  j->pick = mlsh_malloc_array((size_t)workers * (j->uniq ? j->m : 1), sizeof(size_t));
  j->best_C = mlsh_malloc_array((size_t)workers * k * p, sizeof(double));
  j->best_lab = mlsh_malloc_array((size_t)workers * n, sizeof(int));
  j->best = mlsh_malloc_array((size_t)workers, sizeof(hw_best));
  if (!j->run || !j->pick || !j->best_C || !j->best_lab || !j->best) return MLSH_ENOMEM;
  for (int t = 0; t < workers; t++) {
    if (hw_alloc(&j->run[t], X, k)) return MLSH_ENOMEM;
    j->best[t] = (hw_best){INFINITY, 0x7fffffff, 0, 0};
  }
  return MLSH_OK;
}

static void hw_job_free(hw_job *j, int workers) {
  if (j->run)
    for (int t = 0; t < workers; t++) hw_free(&j->run[t]);
  mlsh_free(j->run); mlsh_free(j->pick); mlsh_free(j->best_C); mlsh_free(j->best_lab); mlsh_free(j->best);
}

/* The best worker's start into r. */
static int hw_result(const hw_job *j, size_t n, size_t p, size_t k, int workers, km_result *r, mlsh_err *err) {
  int bt = 0;
  for (int t = 1; t < workers; t++)
    if (j->best[t].inertia < j->best[bt].inertia ||
        (j->best[t].inertia == j->best[bt].inertia && j->best[t].start < j->best[bt].start)) bt = t;
  int rc = mat_alloc(&r->centers, k, p, err);
  if (rc) return rc;
  r->labels = mlsh_malloc_array(n, sizeof(int));
  r->sizes = mlsh_calloc(k, sizeof(size_t));
  if (!r->labels || !r->sizes) return MLSH_ENOMEM;
  memcpy(r->centers.data, j->best_C + (size_t)bt * k * p, k * p * sizeof(double));
  memcpy(r->labels, j->best_lab + (size_t)bt * n, n * sizeof(int));
  for (size_t i = 0; i < n; i++) r->sizes[r->labels[i]]++;
  r->inertia = j->best[bt].inertia;
  r->iters = j->best[bt].iters;
  r->converged = j->best[bt].converged;
  r->algo = KM_HARTIGAN_WONG;
  return MLSH_OK;
}

/* Checks R makes before AS 136 runs; *m and uniq (n slots, may be NULL)
 * get the distinct rows of X when the starts are drawn. */
static int hw_check(const mlsh_mat *X, const km_opts *o, size_t *uniq, size_t *m, mlsh_err *err) {
  size_t n = X->rows, k = o->k, mc;
  if (k > 1 && k >= n)
    return mlsh_seterr(err, MLSH_EINVAL, "Hartigan-Wong needs k below the number of rows %zu (got %zu)", n, k);
  *m = 0;
  if (o->init == KM_INIT_GIVEN) {
    if (distinct_rows(o->centers0->data, k, X->cols, NULL, &mc)) return MLSH_ENOMEM;
    if (mc < k) return mlsh_seterr(err, MLSH_EINVAL, "initial centres are not distinct");
    return MLSH_OK;
  }
  if (distinct_rows(X->data, n, X->cols, uniq, m)) return MLSH_ENOMEM;
  if (*m < k)
    return mlsh_seterr(err, MLSH_EINVAL, "more cluster centres (k = %zu) than distinct rows (%zu)", k, *m);
  return MLSH_OK;
}

int km_fit_hw(const mlsh_mat *X, const km_opts *o, km_result *r, mlsh_err *err) {
  size_t n = X->rows, p = X->cols, k = o->k;
  int nstart = o->init == KM_INIT_GIVEN ? 1 : o->nstart, threads = mlsh_threads_resolve(o->threads);
  int workers = threads < nstart ? threads : nstart;
  hw_job j = {.X = X, .o = o};
  size_t *uniq = NULL;
  memset(r, 0, sizeof *r);
  if (o->init == KM_INIT_RANDOM && !(uniq = mlsh_malloc_array(n, sizeof(size_t)))) goto nomem;
  int rc = hw_check(X, o, uniq, &j.m, err);
  if (rc == MLSH_ENOMEM) goto nomem;
  if (rc) { mlsh_free(uniq); return rc; }
  j.uniq = uniq;
  if ((rc = hw_job_alloc(&j, X, k, workers)) == MLSH_OK)
    rc = workers > 1 ? mlsh_parallel_dynamic((size_t)nstart, workers, 1, hw_starts, &j) : hw_starts(&j, 0, (size_t)nstart, 0);
  if (rc == MLSH_OK) rc = hw_result(&j, n, p, k, workers, r, err);
  hw_job_free(&j, workers);
  mlsh_free(uniq);
  if (rc == MLSH_OK) return rc;
  km_result_free(r);
  if (rc == MLSH_EINTR) return mlsh_seterr(err, rc, "interrupted");
  /* EINVAL from a start is hw_iterate's: no point nearest to a centre. */
  if (rc == MLSH_EINVAL) return mlsh_seterr(err, rc, "empty cluster: try a better set of initial centres");
  uniq = NULL;
nomem:
  mlsh_free(uniq);
  return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for K-Means on %zux%zu, k=%zu", n, p, k);
}

int km_hw_suits(const mlsh_mat *X, const km_opts *o, int nstart, int *ok) {
  size_t n = X->rows, p = X->cols, k = o->k, m;
  *ok = 0;
  if (k < 2 || k >= n || (double)n * (double)p * (double)k * (double)nstart > HW_AUTO_WORK) return MLSH_OK;
  if (o->init != KM_INIT_GIVEN) {
    if (distinct_rows(X->data, n, p, NULL, &m)) return MLSH_ENOMEM;
    *ok = m >= k;
    return MLSH_OK;
  }
  if (distinct_rows(o->centers0->data, k, p, NULL, &m)) return MLSH_ENOMEM;
  if (m < k) return MLSH_OK;
  hw_run s;
  if (hw_alloc(&s, X, k)) return MLSH_ENOMEM;
  memcpy(s.C, o->centers0->data, k * p * sizeof(double));
  hw_assign(&s);
  *ok = !hw_means(&s);
  hw_free(&s);
  return MLSH_OK;
}
