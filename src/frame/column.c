/* column.c - construction, sharing and gathering of typed columns. */
#include <string.h>
#include "column.h"
#include "../core/alloc.h"
#include "../core/threads.h"

static const char *const type_names[] = {"double", "integer", "logical", "string", "categorical", "date", "datetime"};

const char *col_type_name(col_type t) { return (unsigned)t < 7 ? type_names[t] : "?"; }

size_t col_elem_size(col_type t) {
  switch (t) {
  case COL_DOUBLE: case COL_DATETIME: return sizeof(double);
  case COL_INT64: return sizeof(int64_t);
  case COL_LOGICAL: return 1;
  case COL_CATEGORICAL: case COL_DATE: return sizeof(int32_t);
  default: return 0;
  }
}

mlsh_col *col_ref(mlsh_col *c) {
  if (c) __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
  return c;
}

void col_unref(mlsh_col *c) {
  if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) > 0) return;
  if (c->parent) col_unref(c->parent);
  else { mlsh_free(c->data); mlsh_free(c->offsets); }
  col_unref(c->levels);
  mlsh_free(c->valid);
  mlsh_free(c);
}

size_t col_na_count(const mlsh_col *c) {
  if (!c->valid) return 0;
  size_t k = 0;
  for (size_t i = 0; i < c->n; i++) k += col_is_na(c, i);
  return k;
}

static mlsh_col *col_alloc(col_type t, size_t n) {
  mlsh_col *c = mlsh_calloc(1, sizeof *c);
  if (c) { c->refs = 1; c->type = t; c->n = n; }
  return c;
}

static int nomem(mlsh_err *err, const char *fname) {
  return mlsh_seterr(err, MLSH_ENOMEM, "%s: not enough memory", fname);
}

/* A copy of bitmap v for n rows, or NULL when every bit is set (*rc stays 0). */
static uint8_t *copy_valid(const uint8_t *v, size_t n, int *rc) {
  size_t nb = (n + 7) / 8, i;
  *rc = 0;
  if (!v) return NULL;
  for (i = 0; i < n && ((v[i >> 3] >> (i & 7)) & 1); i++) {}
  if (i == n) return NULL;
  uint8_t *w = mlsh_malloc(nb ? nb : 1);
  if (!w) { *rc = -1; return NULL; }
  memcpy(w, v, nb);
  if (n & 7) w[nb - 1] &= (uint8_t)((1u << (n & 7)) - 1);
  return w;
}

int col_from_array(col_type t, const void *x, size_t n, const uint8_t *valid, mlsh_col **out, mlsh_err *err) {
  size_t es = col_elem_size(t), bytes;
  *out = NULL;
  if (t == COL_STRING || t == COL_CATEGORICAL || es == 0)
    return mlsh_seterr(err, MLSH_EINVAL, "col_from_array: type %s needs its own constructor", col_type_name(t));
  if (n && !x) return mlsh_seterr(err, MLSH_EINVAL, "col_from_array: no values given for %zu rows", n);
  if (mlsh_mul_overflow(n, es, &bytes)) return nomem(err, "col_from_array");
  mlsh_col *c = col_alloc(t, n);
  int rc;
  if (!c || !(c->data = mlsh_malloc(bytes ? bytes : 1))) { mlsh_free(c); return nomem(err, "col_from_array"); }
  if (bytes) memcpy(c->data, x, bytes);
  c->valid = copy_valid(valid, n, &rc);
  if (rc) { col_unref(c); return nomem(err, "col_from_array"); }
  *out = c;
  return MLSH_OK;
}

int col_from_strings(const char *const *s, size_t n, mlsh_col **out, mlsh_err *err) {
  col_builder b;
  col_builder_init(&b, COL_STRING);
  for (size_t i = 0; i < n; i++) {
    if (s[i]) col_builder_string(&b, s[i], strlen(s[i]));
    else col_builder_na(&b);
  }
  return col_builder_finish(&b, NULL, 0, out, err);
}

static int check_levels(const mlsh_col *levels, mlsh_err *err) {
  if (!levels || levels->type != COL_STRING)
    return mlsh_seterr(err, MLSH_EINVAL, "col_categorical: levels must be a string column");
  if (levels->valid && col_na_count(levels))
    return mlsh_seterr(err, MLSH_EINVAL, "col_categorical: levels must not contain NA");
  return MLSH_OK;
}

int col_categorical(const int32_t *codes, size_t n, const uint8_t *valid, mlsh_col *levels, int ordered,
                    mlsh_col **out, mlsh_err *err) {
  int rc = check_levels(levels, err);
  *out = NULL;
  if (rc) return rc;
  for (size_t i = 0; i < n; i++) {
    int present = !valid || ((valid[i >> 3] >> (i & 7)) & 1);
    if (present && (codes[i] < 0 || (size_t)codes[i] >= levels->n))
      return mlsh_seterr(err, MLSH_EINVAL, "col_categorical: code %d at row %zu is outside the %zu levels",
                         (int)codes[i], i + 1, levels->n);
  }
  if ((rc = col_from_array(COL_DATE, codes, n, valid, out, err))) return rc;
  (*out)->type = COL_CATEGORICAL;
  (*out)->levels = col_ref(levels);
  (*out)->ordered = ordered;
  return MLSH_OK;
}

/* ---- take and slice --------------------------------------------------- */

/* The index check of a gather, in parallel over fixed parts of idx: how
 * many indices are -1, whether idx is 0 .. n-1, and whether any index is
 * out of range. */
#define CHECK_PARTS 16
typedef struct {
  const int64_t *idx;
  size_t m, n, missing[CHECK_PARTS];
  int identity[CHECK_PARTS], bad[CHECK_PARTS];
} check_job;

static int check_part(void *ctx, size_t p0, size_t p1, int tid) {
  check_job *j = ctx;
  const int64_t *idx = j->idx;
  (void)tid;
  for (size_t p = p0; p < p1; p++) {
    size_t b = j->m * p / CHECK_PARTS, e = j->m * (p + 1) / CHECK_PARTS, missing = 0;
    int identity = 1, bad = 0;
    for (size_t i = b; i < e; i++) {
      identity &= idx[i] == (int64_t)i;
      missing += idx[i] == -1;
      bad |= (uint64_t)idx[i] + 1 > j->n;   /* -1 is allowed; below it wraps to a huge value */
    }
    j->missing[p] = missing, j->identity[p] = identity, j->bad[p] = bad;
  }
  return MLSH_OK;
}

int col_take_plan_make(const int64_t *idx, size_t m, size_t n, col_take_plan *plan, mlsh_err *err) {
  check_job j = {.idx = idx, .m = m, .n = n};
  mlsh_parallel_for(CHECK_PARTS, m >= 400000 ? 0 : 1, 1, check_part, &j);
  int bad = 0;
  *plan = (col_take_plan){idx, m, n, 0, m == n};
  for (int p = 0; p < CHECK_PARTS; p++) plan->missing += j.missing[p], plan->identity &= j.identity[p], bad |= j.bad[p];
  for (size_t i = 0; bad && i < m; i++)
    if (idx[i] < -1 || (idx[i] >= 0 && (uint64_t)idx[i] >= n))
      return mlsh_seterr(err, MLSH_EINVAL, "col_take: index %lld at position %zu is outside 0..%zu",
                         (long long)idx[i], i + 1, n ? n - 1 : 0);
  return MLSH_OK;
}

#define TAKE_AS(T) do { \
    const T *s_ = c->data; T *d_ = o->data; \
    size_t ahead_ = c->n * sizeof(T) > ((size_t)4 << 20) ? 16 : 0; \
    for (size_t i = b; i < e; i++) { \
      if (ahead_ && i + ahead_ < e && idx[i + ahead_] >= 0) __builtin_prefetch(&s_[idx[i + ahead_]]); \
      d_[i] = idx[i] >= 0 ? s_[idx[i]] : 0; \
    } \
  } while (0)

typedef struct { const mlsh_col *c; const int64_t *idx; mlsh_col *o; } take_job;

/* Typed loops for the common widths (a memcpy call per value is slow),
 * in parallel over long gathers (random reads wait on memory: from a
 * column larger than cache, the value a few rows ahead is fetched early). */
static int take_range(void *ctx, size_t b, size_t e, int tid) {
  take_job *j = ctx;
  const mlsh_col *c = j->c;
  const int64_t *idx = j->idx;
  mlsh_col *o = j->o;
  size_t es = col_elem_size(c->type);
  const char *src = c->data;
  char *dst = o->data;
  if (es == 8) TAKE_AS(int64_t);
  else if (es == 4) TAKE_AS(int32_t);
  else if (es == 1) TAKE_AS(uint8_t);
  else
    for (size_t i = b; i < e; i++) {
      if (idx[i] >= 0) memcpy(dst + i * es, src + (size_t)idx[i] * es, es);
      else memset(dst + i * es, 0, es);
    }
  return 0;
}

static void take_fixed(const mlsh_col *c, const int64_t *idx, size_t m, mlsh_col *o) {
  take_job j = {c, idx, o};
  mlsh_parallel_for(m, 0, 200000, take_range, &j);
}

static int take_strings(const mlsh_col *c, const int64_t *idx, size_t m, mlsh_col *o) {
  int64_t total = 0;
  if (!(o->offsets = mlsh_malloc_array(m + 1, sizeof(int64_t)))) return -1;
  o->offsets[0] = 0;
  for (size_t i = 0; i < m; i++) {
    if (idx[i] >= 0) total += c->offsets[idx[i] + 1] - c->offsets[idx[i]];
    o->offsets[i + 1] = total;
  }
  if (!(o->data = mlsh_malloc(total ? (size_t)total : 1))) return -1;
  for (size_t i = 0; i < m; i++)
    if (idx[i] >= 0) memcpy((char *)o->data + o->offsets[i], (const char *)c->data + c->offsets[idx[i]],
                            (size_t)(o->offsets[i + 1] - o->offsets[i]));
  return 0;
}

/* Results that are NA: the -1 indices, and the NA values taken. */
static size_t taken_na(const mlsh_col *c, const col_take_plan *p) {
  size_t nna = p->missing;
  for (size_t i = 0; c->valid && i < p->m; i++) nna += p->idx[i] >= 0 && col_is_na(c, (size_t)p->idx[i]);
  return nna;
}

int col_take_planned(const mlsh_col *c, const col_take_plan *p, mlsh_col **out, mlsh_err *err) {
  const int64_t *idx = p->idx;
  size_t m = p->m;
  *out = NULL;
  if (c->n != p->n) return mlsh_seterr(err, MLSH_EINVAL, "col_take: the column has %zu rows, the plan %zu", c->n, p->n);
  if (p->identity) {   /* every row in place (a left join, a filter keeping all): share, as columns never change */
    *out = col_ref((mlsh_col *)c);
    return MLSH_OK;
  }
  size_t nna = taken_na(c, p);
  mlsh_col *o = col_alloc(c->type, m);
  if (!o) return nomem(err, "col_take");
  o->levels = col_ref(c->levels);
  o->ordered = c->ordered;
  int rc;
  if (c->type == COL_STRING) rc = take_strings(c, idx, m, o);
  else rc = (o->data = mlsh_malloc_array(m ? m : 1, col_elem_size(c->type))) ? 0 : -1;
  if (!rc && nna) rc = (o->valid = mlsh_calloc((m + 7) / 8, 1)) ? 0 : -1;
  if (rc) { col_unref(o); return nomem(err, "col_take"); }
  if (c->type != COL_STRING) take_fixed(c, idx, m, o);
  for (size_t i = 0; nna && i < m; i++)
    if (idx[i] >= 0 && !col_is_na(c, (size_t)idx[i])) o->valid[i >> 3] |= (uint8_t)(1u << (i & 7));
  *out = o;
  return MLSH_OK;
}

int col_take(const mlsh_col *c, const int64_t *idx, size_t m, mlsh_col **out, mlsh_err *err) {
  col_take_plan p;
  *out = NULL;
  int rc = col_take_plan_make(idx, m, c->n, &p, err);
  return rc ? rc : col_take_planned(c, &p, out, err);
}

/* Bits [begin, begin + len) of v as a bitmap of its own (NULL if no NA). */
static uint8_t *slice_valid(const mlsh_col *c, size_t begin, size_t len, int *rc) {
  *rc = 0;
  if (!c->valid) return NULL;
  uint8_t *w = mlsh_calloc((len + 7) / 8 ? (len + 7) / 8 : 1, 1);
  if (!w) { *rc = -1; return NULL; }
  size_t na = 0;
  for (size_t i = 0; i < len; i++) {
    if (!col_is_na(c, begin + i)) w[i >> 3] |= (uint8_t)(1u << (i & 7));
    else na++;
  }
  if (!na) { mlsh_free(w); w = NULL; }
  return w;
}

int col_slice(mlsh_col *c, size_t begin, size_t len, mlsh_col **out, mlsh_err *err) {
  int rc;
  *out = NULL;
  if (begin > c->n || len > c->n - begin)
    return mlsh_seterr(err, MLSH_EINVAL, "col_slice: rows %zu..%zu are outside a column of %zu rows",
                       begin + 1, begin + len, c->n);
  mlsh_col *o = col_alloc(c->type, len);
  if (!o) return nomem(err, "col_slice");
  o->valid = slice_valid(c, begin, len, &rc);
  if (rc) { mlsh_free(o); return nomem(err, "col_slice"); }
  mlsh_col *owner = c->parent ? c->parent : c;
  o->parent = col_ref(owner);
  o->levels = col_ref(c->levels);
  o->ordered = c->ordered;
  if (c->type == COL_STRING) { o->offsets = c->offsets + begin; o->data = c->data; }
  else o->data = (char *)c->data + begin * col_elem_size(c->type);
  *out = o;
  return MLSH_OK;
}

/* ---- builder ------------------------------------------------------------ */

void col_builder_init(col_builder *b, col_type t) {
  memset(b, 0, sizeof *b);
  b->type = t;
}

void col_builder_free(col_builder *b) {
  mlsh_free(b->data);
  mlsh_free(b->offsets);
  mlsh_free(b->valid);
  col_builder_init(b, b->type);
}

/* Room for one more value (and its validity bit when one is kept). */
static int builder_room(col_builder *b) {
  if (b->failed) return 0;
  size_t cap = b->cap;
  int bad = b->type == COL_STRING
          ? mlsh_grow(&b->offsets, &cap, b->n + 2, sizeof(int64_t))
          : mlsh_grow(&b->data, &cap, b->n + 1, col_elem_size(b->type));
  if (!bad && b->valid && cap != b->vcap) {
    void *v = mlsh_realloc(b->valid, (cap + 7) / 8);
    if (v) { memset((uint8_t *)v + (b->vcap + 7) / 8, 0, (cap + 7) / 8 - (b->vcap + 7) / 8); b->valid = v; b->vcap = cap; }
    else bad = 1;
  }
  if (bad) { b->failed = 1; return 0; }
  b->cap = cap;
  if (b->type == COL_STRING && b->n == 0) b->offsets[0] = 0;
  return 1;
}

static void builder_present(col_builder *b) {
  if (b->valid) b->valid[b->n >> 3] |= (uint8_t)(1u << (b->n & 7));
  b->n++;
}

void col_builder_double(col_builder *b, double v) {
  if (builder_room(b)) { ((double *)b->data)[b->n] = v; builder_present(b); }
}
void col_builder_int64(col_builder *b, int64_t v) {
  if (builder_room(b)) { ((int64_t *)b->data)[b->n] = v; builder_present(b); }
}
void col_builder_int32(col_builder *b, int32_t v) {
  if (builder_room(b)) { ((int32_t *)b->data)[b->n] = v; builder_present(b); }
}
void col_builder_logical(col_builder *b, int v) {
  if (builder_room(b)) { ((uint8_t *)b->data)[b->n] = v != 0; builder_present(b); }
}

void col_builder_string(col_builder *b, const char *s, size_t len) {
  if (!builder_room(b)) return;
  if (mlsh_grow(&b->data, &b->bcap, b->nbytes + len + 1, 1)) { b->failed = 1; return; }
  memcpy((char *)b->data + b->nbytes, s, len);
  b->nbytes += len;
  b->offsets[b->n + 1] = (int64_t)b->nbytes;
  builder_present(b);
}

void col_builder_na(col_builder *b) {
  if (!b->valid && !b->failed) {
    size_t cap = b->cap > b->n ? b->cap : b->n + 1;
    if (!(b->valid = mlsh_malloc((cap + 7) / 8))) { b->failed = 1; return; }
    memset(b->valid, 0xff, (cap + 7) / 8);
    b->vcap = cap;
    for (size_t i = b->n; i < cap; i++) b->valid[i >> 3] &= (uint8_t)~(1u << (i & 7));
  }
  if (!builder_room(b)) return;
  if (b->type == COL_STRING) b->offsets[b->n + 1] = (int64_t)b->nbytes;
  else memset((char *)b->data + b->n * col_elem_size(b->type), 0, col_elem_size(b->type));
  b->valid[b->n >> 3] &= (uint8_t)~(1u << (b->n & 7));
  b->n++;
}

int col_builder_finish(col_builder *b, mlsh_col *levels, int ordered, mlsh_col **out, mlsh_err *err) {
  *out = NULL;
  if (b->failed) { col_builder_free(b); return nomem(err, "col_builder"); }
  if (b->type == COL_CATEGORICAL) {
    int rc = col_categorical(b->data, b->n, b->valid, levels, ordered, out, err);
    col_builder_free(b);
    return rc;
  }
  mlsh_col *c = col_alloc(b->type, b->n);
  if (!c) { col_builder_free(b); return nomem(err, "col_builder"); }
  if (b->type == COL_STRING && !b->offsets && !(b->offsets = mlsh_calloc(1, sizeof(int64_t)))) {
    mlsh_free(c); col_builder_free(b); return nomem(err, "col_builder");
  }
  c->data = b->data; c->offsets = b->offsets; c->valid = b->valid;
  b->data = NULL; b->offsets = NULL; b->valid = NULL;
  col_builder_free(b);
  if (!c->data && !(c->data = mlsh_malloc(1))) { col_unref(c); return nomem(err, "col_builder"); }
  if (c->valid && !col_na_count(c)) { mlsh_free(c->valid); c->valid = NULL; }
  *out = c;
  return MLSH_OK;
}
