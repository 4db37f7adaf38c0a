/* model.c - dispatch, label mapping and model files (see model.h). */
#include <string.h>
#include "model.h"
#include "prep.h"
#include "../core/alloc.h"

/* The kind is the tag stored in model files: never renumber a row. */
static const learn_model_ops *const kind_ops[] = {
  [LEARN_KNN] = &learn_knn_ops,
  [LEARN_SVM] = &learn_svc_ops,
  [LEARN_FOREST] = &learn_forest_ops,
  [LEARN_LOGISTIC] = &learn_logistic_ops,
};
#define NKINDS (sizeof kind_ops / sizeof kind_ops[0])

static const learn_model_ops *ops_of(uint32_t kind) {
  return kind < NKINDS ? kind_ops[kind] : NULL;
}

const char *learn_kind_name(learn_kind k) {
  const learn_model_ops *ops = ops_of((uint32_t)k);
  return ops ? ops->name : "?";
}

static int check_X(const learn_model *m, const mlsh_mat *X, mlsh_err *err) {
  if (!m->K) return mlsh_seterr(err, MLSH_EINVAL, "the model is not fitted (call fit first)");
  if (X->cols != m->p) return mlsh_seterr(err, MLSH_EINVAL, "X has %zu columns, the model was fitted on %zu", X->cols, m->p);
  return MLSH_OK;
}

int learn_fit(learn_model *m, const mlsh_mat *X, const int *y, size_t n, mlsh_err *err) {
  if (n != X->rows) return mlsh_seterr(err, MLSH_EINVAL, "X has %zu rows but y has %zu labels", X->rows, n);
  const learn_model_ops *ops = ops_of(m->kind);
  int *classes, K, *yi;
  int rc = learn_classes(y, n, &classes, &K, &yi, err);
  if (rc) return rc;
  if (K < ops->min_classes) {
    mlsh_free(classes); mlsh_free(yi);
    return mlsh_seterr(err, MLSH_EINVAL, "y needs at least %d classes (got %d)", ops->min_classes, K);
  }
  rc = ops->fit(m, X, yi, K, err);
  mlsh_free(yi);
  if (rc) { mlsh_free(classes); return rc; }
  mlsh_free(m->classes);
  mlsh_free(m->names);
  m->classes = classes; m->K = K; m->p = X->cols; m->names = NULL;
  return MLSH_OK;
}

int learn_proba(const learn_model *m, const mlsh_mat *X, mlsh_mat *P, mlsh_err *err) {
  int rc = check_X(m, X, err);
  if (rc) return rc;
  return ops_of(m->kind)->proba(m, X, P, err);
}

int learn_predict(const learn_model *m, const mlsh_mat *X, int *labels, mlsh_err *err) {
  int rc = check_X(m, X, err);
  if (rc) return rc;
  const learn_model_ops *ops = ops_of(m->kind);
  if (ops->predict) {
    rc = ops->predict(m, X, labels, err);
    if (!rc) for (size_t i = 0; i < X->rows; i++) labels[i] = m->classes[labels[i]];
    return rc;
  }
  mlsh_mat P = {0};
  rc = learn_proba(m, X, &P, err);
  if (rc) return rc;
  for (size_t i = 0; i < X->rows; i++) {
    int best = 0;   /* first maximum: ties go to the smallest label */
    for (int c = 1; c < m->K; c++) if (MAT_AT(&P, i, c) > MAT_AT(&P, i, best)) best = c;
    labels[i] = m->classes[best];
  }
  mat_free(&P);
  return MLSH_OK;
}

void learn_model_free(learn_model *m) {
  const learn_model_ops *ops = ops_of(m->kind);
  if (ops) {   /* a zeroed model has no kind yet */
    ops->free(m);
    if (ops->release) ops->release(m);
  }
  mlsh_free(m->classes);
  mlsh_free(m->names);
  m->classes = NULL; m->K = 0; m->names = NULL;
}

/* ---- class names: one block of K pointers and the strings after them ---- */

static char **names_block(size_t K, size_t text) {
  if (K > ((size_t)-1 - text) / sizeof(char *)) return NULL;
  return mlsh_malloc(K * sizeof(char *) + text);
}

int learn_set_names(learn_model *m, const char *const *names, mlsh_err *err) {
  char **copy = NULL;
  if (names) {
    if (!m->K) return mlsh_seterr(err, MLSH_EINVAL, "the model is not fitted (call fit first)");
    size_t text = 0;
    for (int c = 0; c < m->K; c++) {
      if (m->classes[c] != c + 1) return mlsh_seterr(err, MLSH_EINVAL, "class names need the labels 1..K");
      if (c && strcmp(names[c - 1], names[c]) >= 0)
        return mlsh_seterr(err, MLSH_EINVAL, "class names must be sorted and distinct");
      text += strlen(names[c]) + 1;
    }
    if (!(copy = names_block((size_t)m->K, text))) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    char *s = (char *)(copy + m->K);
    for (int c = 0; c < m->K; c++) {
      size_t len = strlen(names[c]) + 1;
      copy[c] = memcpy(s, names[c], len);
      s += len;
    }
  }
  mlsh_free(m->names);
  m->names = copy;
  return MLSH_OK;
}

static void write_names(const learn_model *m, ser_writer *w) {
  ser_u64(w, (uint64_t)m->K);
  for (int c = 0; c < m->K; c++) {
    size_t len = strlen(m->names[c]);
    ser_u64(w, len);
    ser_bytes(w, m->names[c], len);
  }
}

/* The names section of a version 2 file: K names, sorted and distinct, for classes 1..K. */
static int read_names(learn_model *m, ser_reader *r, int K) {
  if (des_u64(r) != (uint64_t)K) return MLSH_EIO;
  ser_reader scan = *r;
  size_t text = 0;
  for (int c = 0; c < K && !scan.failed; c++) {
    size_t len = des_count(&scan, 1);
    des_bytes(&scan, len);
    text += len + 1;
  }
  if (scan.failed) return MLSH_EIO;
  if (!(m->names = names_block((size_t)K, text))) return MLSH_ENOMEM;
  char *s = (char *)(m->names + K);
  for (int c = 0; c < K; c++) {
    size_t len = des_count(r, 1);
    const unsigned char *p = des_bytes(r, len);
    if (!p || memchr(p, 0, len) || m->classes[c] != c + 1) return MLSH_EIO;
    memcpy(s, p, len);
    s[len] = 0;
    m->names[c] = s;
    s += len + 1;
    if (c && strcmp(m->names[c - 1], m->names[c]) >= 0) return MLSH_EIO;
  }
  return MLSH_OK;
}

int learn_save(const learn_model *m, const char *path, mlsh_err *err) {
  if (!m->K) return mlsh_seterr(err, MLSH_EINVAL, "the model is not fitted (call fit first)");
  ser_writer w = {0};
  ser_u32(&w, (uint32_t)m->K);
  ser_u64(&w, m->p);
  ser_i32s(&w, m->classes, (size_t)m->K);
  ops_of(m->kind)->save(m, &w);
  if (m->names) write_names(m, &w);
  int rc = ser_save(path, (uint32_t)m->kind, m->names ? 2 : 1, &w, err);
  ser_free(&w);
  return rc;
}

int learn_load(learn_model *m, const char *path, mlsh_err *err) {
  uint32_t kind, version;
  unsigned char *buf;
  size_t len;
  int rc = ser_load(path, &kind, &version, &buf, &len, err);
  if (rc) return rc;
  const learn_model_ops *ops = ops_of(kind);
  if (!ops) {
    mlsh_free(buf);
    return mlsh_seterr(err, MLSH_EIO, "'%s' holds an unknown model kind %u", path, kind);
  }
  memset(m, 0, sizeof *m);
  m->kind = (learn_kind)kind;
  ser_reader r = {buf, len, 0, 0};
  int K = (int)des_u32(&r);
  size_t p = (size_t)des_u64(&r);
  if (!r.failed && K >= 1 && K <= 1 << 24 && p >= 1 && p <= len) {
    m->classes = des_i32s(&r, (size_t)K);
    rc = ops->load(m, &r, p, K);
  } else rc = MLSH_EIO;
  if (!rc && !r.failed && version >= 2) rc = read_names(m, &r, K);
  if (!rc && (r.failed || r.pos != len)) rc = MLSH_EIO;
  for (int c = 1; !rc && c < K; c++) if (m->classes[c] <= m->classes[c - 1]) rc = MLSH_EIO;
  mlsh_free(buf);
  if (rc) {
    learn_model_free(m);
    return mlsh_seterr(err, rc, rc == MLSH_ENOMEM ? "not enough memory to load '%s'" : "'%s' is a corrupt %s model file", path,
                       ops->name);
  }
  m->K = K; m->p = p;
  return MLSH_OK;
}
