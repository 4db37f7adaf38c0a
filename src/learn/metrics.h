/* metrics.h - classification metrics as scikit-learn's
 * classification_report: accuracy, per-class precision/recall/F1/support,
 * macro and support-weighted averages, confusion matrix (rows = truth).
 * A zero denominator gives 0 (zero_division=0). */
#ifndef MLSH_LEARN_METRICS_H
#define MLSH_LEARN_METRICS_H
#include <stddef.h>
#include "../core/matrix.h"

typedef struct learn_metrics {
  int K;
  int *classes;                          /* sorted union of true and predicted labels */
  double accuracy;
  double *precision, *recall, *f1;       /* K each */
  double *support;                       /* true count per class */
  double macro[3], weighted[3];          /* precision, recall, F1 */
  mlsh_mat confusion;                    /* K x K */
} learn_metrics;

int learn_metrics_compute(const int *ytrue, const int *ypred, size_t n, learn_metrics *m, mlsh_err *err);
void learn_metrics_free(learn_metrics *m);

#endif
