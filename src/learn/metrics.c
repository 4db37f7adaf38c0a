/* metrics.c - classification report numbers (see metrics.h). */
#include <string.h>
#include "metrics.h"
#include "prep.h"
#include "../core/alloc.h"

int learn_metrics_compute(const int *yt, const int *yp, size_t n, learn_metrics *m, mlsh_err *err) {
  memset(m, 0, sizeof *m);
  int *both = mlsh_malloc_array(2 * n, sizeof(int)), *ti = mlsh_malloc_array(2 * n, sizeof(int));
  if (!both || !ti) { mlsh_free(both); mlsh_free(ti); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  memcpy(both, yt, n * sizeof(int));
  memcpy(both + n, yp, n * sizeof(int));
  int rc = learn_classes(both, 2 * n, &m->classes, &m->K, NULL, err);
  if (!rc) rc = mat_alloc(&m->confusion, (size_t)m->K, (size_t)m->K, err);
  size_t K = (size_t)m->K;
  double *buf = rc ? NULL : mlsh_calloc(4 * K, sizeof(double));
  if (!rc && !buf) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (rc) { mlsh_free(both); mlsh_free(ti); learn_metrics_free(m); return rc; }
  m->precision = buf; m->recall = buf + K; m->f1 = buf + 2 * K; m->support = buf + 3 * K;
  learn_map_labels(both, 2 * n, m->classes, m->K, ti, NULL);
  size_t correct = 0;
  for (size_t i = 0; i < n; i++) {
    MAT_AT(&m->confusion, ti[i], ti[n + i]) += 1;
    correct += ti[i] == ti[n + i];
  }
  m->accuracy = n ? (double)correct / (double)n : 0;
  for (size_t c = 0; c < K; c++) {
    double tp = MAT_AT(&m->confusion, c, c), col = 0, row = 0;
    for (size_t r = 0; r < K; r++) { col += MAT_AT(&m->confusion, r, c); row += MAT_AT(&m->confusion, c, r); }
    m->precision[c] = col > 0 ? tp / col : 0;
    m->recall[c] = row > 0 ? tp / row : 0;
    double s = m->precision[c] + m->recall[c];
    m->f1[c] = s > 0 ? 2 * m->precision[c] * m->recall[c] / s : 0;
    m->support[c] = row;
    const double v[3] = {m->precision[c], m->recall[c], m->f1[c]};
    for (int j = 0; j < 3; j++) { m->macro[j] += v[j] / (double)K; m->weighted[j] += v[j] * row / (double)(n ? n : 1); }
  }
  mlsh_free(both); mlsh_free(ti);
  return MLSH_OK;
}

void learn_metrics_free(learn_metrics *m) {
  mlsh_free(m->classes); mlsh_free(m->precision);
  mat_free(&m->confusion);
  m->classes = NULL; m->precision = m->recall = m->f1 = m->support = NULL;
}
