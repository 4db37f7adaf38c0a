/* prep.c - class lists, splits, folds and scalers (see prep.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "prep.h"
#include "../core/alloc.h"
#include "../core/rng.h"

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}
static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

int learn_classes(const int *y, size_t n, int **classes, int *k, int **yidx, mlsh_err *err) {
  *classes = NULL;
  if (yidx) *yidx = NULL;
  int *c = mlsh_malloc_array(n ? n : 1, sizeof(int));
  if (!c) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  memcpy(c, y, n * sizeof(int));
  qsort(c, n, sizeof(int), cmp_int);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (m == 0 || c[m - 1] != c[i]) c[m++] = c[i];
  *classes = c;
  *k = (int)m;
  if (yidx) {
    *yidx = mlsh_malloc_array(n ? n : 1, sizeof(int));
    if (!*yidx) { mlsh_free(c); *classes = NULL; return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
    learn_map_labels(y, n, c, (int)m, *yidx, NULL);
  }
  return MLSH_OK;
}

int learn_map_labels(const int *y, size_t n, const int *classes, int k, int *yidx, mlsh_err *err) {
  for (size_t i = 0; i < n; i++) {
    const int *p = bsearch(&y[i], classes, (size_t)k, sizeof(int), cmp_int);
    if (!p) return mlsh_seterr(err, MLSH_EINVAL, "label %d (item %zu) is not one of the model's classes", y[i], i + 1);
    yidx[i] = (int)(p - classes);
  }
  return MLSH_OK;
}

/* Members of each class, grouped: order[] holds item indices class by class,
 * start[c]..start[c+1]. */
static int group_by_class(size_t n, const int *y, int **classes, int *k, size_t **order, size_t **start, mlsh_err *err) {
  int *yi = NULL;
  int rc = learn_classes(y, n, classes, k, &yi, err);
  if (rc) return rc;
  *order = mlsh_malloc_array(n, sizeof(size_t));
  *start = mlsh_calloc((size_t)*k + 1, sizeof(size_t));
  if (!*order || !*start) {
    mlsh_free(yi); mlsh_free(*order); mlsh_free(*start); mlsh_free(*classes);
    *classes = NULL; *order = *start = NULL;
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  for (size_t i = 0; i < n; i++) (*start)[yi[i] + 1]++;
  for (int c = 0; c < *k; c++) (*start)[c + 1] += (*start)[c];
  size_t *pos = mlsh_malloc_array((size_t)*k, sizeof(size_t));
  if (!pos) {
    mlsh_free(yi); mlsh_free(*order); mlsh_free(*start); mlsh_free(*classes);
    *classes = NULL; *order = *start = NULL;
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  memcpy(pos, *start, (size_t)*k * sizeof(size_t));
  for (size_t i = 0; i < n; i++) (*order)[pos[yi[i]]++] = i;
  mlsh_free(pos);
  mlsh_free(yi);
  return MLSH_OK;
}

int learn_split(size_t n, const int *y, double test, uint64_t seed,
                size_t **train, size_t *ntrain, size_t **test_idx, size_t *ntest, mlsh_err *err) {
  *train = *test_idx = NULL;
  if (!(test > 0 && test < 1)) return mlsh_seterr(err, MLSH_EINVAL, "test fraction must be in (0, 1) (got %g)", test);
  size_t nte = (size_t)ceil(test * (double)n);
  if (nte < 1 || nte >= n)
    return mlsh_seterr(err, MLSH_EINVAL, "test=%g of %zu items leaves an empty train or test set", test, n);
  mlsh_rng rng;
  mlsh_rng_seed(&rng, seed);
  size_t *te = mlsh_malloc_array(nte, sizeof(size_t)), *tr = mlsh_malloc_array(n - nte, sizeof(size_t));
  size_t *perm = mlsh_malloc_array(n, sizeof(size_t));
  int *classes = NULL, k = 0, rc = MLSH_OK;
  size_t *order = NULL, *start = NULL, *take = NULL;
  double *frac = NULL;
  if (!te || !tr || !perm) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  if (!y) {
    mlsh_rng_permutation(&rng, perm, n);
  } else {
    rc = group_by_class(n, y, &classes, &k, &order, &start, err);
    if (rc) goto done;
    for (int c = 0; c < k; c++)
      if (start[c + 1] - start[c] < 2) {
        rc = mlsh_seterr(err, MLSH_EINVAL, "class %d has only %zu member; stratify needs at least 2 per class",
                         classes[c], start[c + 1] - start[c]);
        goto done;
      }
    if (nte < (size_t)k || n - nte < (size_t)k) {
      rc = mlsh_seterr(err, MLSH_EINVAL, "with stratify, train and test need at least one item of each of the %d classes", k);
      goto done;
    }
    /* Largest-remainder allocation of the test count over classes. */
    take = mlsh_calloc((size_t)k, sizeof(size_t));
    frac = mlsh_calloc((size_t)k, sizeof(double));
    if (!take || !frac) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
    size_t given = 0;
    for (int c = 0; c < k; c++) {
      double want = (double)(start[c + 1] - start[c]) * (double)nte / (double)n;
      take[c] = (size_t)floor(want);
      frac[c] = want - floor(want) + 1e-9 * mlsh_rng_uniform(&rng); /* random tie-break */
      given += take[c];
    }
    while (given < nte) {
      int best = 0;
      for (int c = 1; c < k; c++) if (frac[c] > frac[best]) best = c;
      take[best]++; frac[best] = -1; given++;
    }
    /* Test items first (class by class), then train, then shuffle each part. */
    size_t a = 0, b = nte;
    for (int c = 0; c < k; c++) {
      size_t m = start[c + 1] - start[c];
      size_t *g = order + start[c];
      mlsh_rng_shuffle(&rng, g, m);
      for (size_t i = 0; i < m; i++) perm[i < take[c] ? a++ : b++] = g[i];
    }
  }
  memcpy(te, perm, nte * sizeof(size_t));
  memcpy(tr, perm + nte, (n - nte) * sizeof(size_t));
  qsort(te, nte, sizeof(size_t), cmp_size);
  qsort(tr, n - nte, sizeof(size_t), cmp_size);
done:
  mlsh_free(perm); mlsh_free(classes); mlsh_free(order); mlsh_free(start); mlsh_free(take); mlsh_free(frac);
  if (rc) { mlsh_free(te); mlsh_free(tr); return rc; }
  *train = tr; *ntrain = n - nte; *test_idx = te; *ntest = nte;
  return MLSH_OK;
}

int learn_kfold(size_t n, const int *y, int k, uint64_t seed, int *fold, mlsh_err *err) {
  if (k < 2) return mlsh_seterr(err, MLSH_EINVAL, "k must be at least 2 (got %d)", k);
  if ((size_t)k > n) return mlsh_seterr(err, MLSH_EINVAL, "k=%d is larger than the number of items (%zu)", k, n);
  mlsh_rng rng;
  mlsh_rng_seed(&rng, seed);
  if (!y) {
    size_t *perm = mlsh_malloc_array(n, sizeof(size_t));
    if (!perm) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    mlsh_rng_permutation(&rng, perm, n);
    for (size_t i = 0; i < n; i++) fold[perm[i]] = (int)(i % (size_t)k);
    mlsh_free(perm);
    return MLSH_OK;
  }
  int *classes, nc;
  size_t *order, *start;
  int rc = group_by_class(n, y, &classes, &nc, &order, &start, err);
  if (rc) return rc;
  for (int c = 0; c < nc; c++)
    if (start[c + 1] - start[c] < 2) {
      rc = mlsh_seterr(err, MLSH_EINVAL, "class %d has only %zu member; stratified folds need at least 2 per class",
                       classes[c], start[c + 1] - start[c]);
      break;
    }
  /* Deal each class's shuffled members round-robin, continuing the count
   * across classes so that fold sizes differ by at most one. */
  size_t t = 0;
  for (int c = 0; c < nc && !rc; c++) {
    size_t m = start[c + 1] - start[c];
    mlsh_rng_shuffle(&rng, order + start[c], m);
    for (size_t i = 0; i < m; i++) fold[order[start[c] + i]] = (int)(t++ % (size_t)k);
  }
  mlsh_free(classes); mlsh_free(order); mlsh_free(start);
  return rc;
}

int scaler_fit(learn_scaler *s, const mlsh_mat *X, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  if (n == 0 || p == 0) return mlsh_seterr(err, MLSH_EINVAL, "X is empty");
  double *shift = mlsh_calloc(p, sizeof(double)), *scale = mlsh_calloc(p, sizeof(double));
  if (!shift || !scale) { mlsh_free(shift); mlsh_free(scale); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  if (s->kind == SCALER_STANDARD) {
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < p; j++) shift[j] += MAT_AT(X, i, j);
    for (size_t j = 0; j < p; j++) shift[j] /= (double)n;
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < p; j++) { double d = MAT_AT(X, i, j) - shift[j]; scale[j] += d * d; }
    for (size_t j = 0; j < p; j++) {
      double sd = sqrt(scale[j] / (double)n);
      /* StandardScaler treats near-constant columns (sd ~ rounding) as constant. */
      scale[j] = sd < 10 * 2.220446049250313e-16 * fmax(fabs(shift[j]), 1.0) ? 1.0 : sd;
    }
  } else {
    for (size_t j = 0; j < p; j++) shift[j] = scale[j] = X->data[j];
    for (size_t i = 1; i < n; i++)
      for (size_t j = 0; j < p; j++) {
        double v = MAT_AT(X, i, j);
        if (v < shift[j]) shift[j] = v;
        if (v > scale[j]) scale[j] = v;
      }
    for (size_t j = 0; j < p; j++) { double r = scale[j] - shift[j]; scale[j] = r > 0 ? r : 1.0; }
  }
  scaler_free(s);
  s->shift = shift; s->scale = scale; s->p = p;
  return MLSH_OK;
}

int scaler_transform(const learn_scaler *s, const mlsh_mat *X, mlsh_mat *out, mlsh_err *err) {
  if (!s->p) return mlsh_seterr(err, MLSH_EINVAL, "the scaler is not fitted (call fit first)");
  if (X->cols != s->p) return mlsh_seterr(err, MLSH_EINVAL, "X has %zu columns, the scaler was fitted on %zu", X->cols, s->p);
  int rc = mat_alloc(out, X->rows, X->cols, err);
  if (rc) return rc;
  for (size_t i = 0; i < X->rows; i++)
    for (size_t j = 0; j < s->p; j++) MAT_AT(out, i, j) = (MAT_AT(X, i, j) - s->shift[j]) / s->scale[j];
  return MLSH_OK;
}

void scaler_free(learn_scaler *s) {
  mlsh_free(s->shift); mlsh_free(s->scale);
  s->shift = s->scale = NULL; s->p = 0;
}

int learn_check_predict(int fitted, size_t p, const mlsh_mat *X, mlsh_err *err) {
  if (!fitted) return mlsh_seterr(err, MLSH_EINVAL, "the model is not fitted (call fit first)");
  if (X->cols != p) return mlsh_seterr(err, MLSH_EINVAL, "X has %zu columns, the model was fitted on %zu", X->cols, p);
  return MLSH_OK;
}
