/* keys.c - row hashing and equality over key columns, and the
 * open-addressing table of distinct keys used by grouping and joins. */
#include "keys.h"
#include "../core/alloc.h"
#include "../core/error.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

#define NA_HASH 0x9e3779b97f4a7c15ull
#define NAN_HASH 0x7ff8000000000001ull

static inline uint64_t mix64(uint64_t x) {     /* splitmix64's finaliser */
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27; x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static uint64_t hash_bytes(const char *s, size_t len) {
  uint64_t h = 0xcbf29ce484222325ull ^ len;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    h = mix64(h ^ w);
  }
  if (i < len) {
    uint64_t w = 0;
    memcpy(&w, s + i, len - i);
    h = mix64(h ^ w);
  }
  return h;
}

static const char *level_text(const mlsh_col *c, size_t i, size_t *len) {
  return col_str(c->levels, (size_t)COL_I32(c)[i], len);
}

static uint64_t hash_value(const mlsh_col *c, size_t i) {
  size_t len;
  const char *s;
  if (col_is_na(c, i)) return NA_HASH;
  switch (c->type) {
  case COL_STRING: s = col_str(c, i, &len); return hash_bytes(s, len);
  case COL_CATEGORICAL: s = level_text(c, i, &len); return hash_bytes(s, len);
  case COL_DOUBLE: case COL_DATETIME:
    if (COL_DBL(c)[i] != COL_DBL(c)[i]) return NAN_HASH;
    return mix64(key_double_bits(COL_DBL(c)[i]));
  default: return mix64(key_image(c, i));
  }
}

uint64_t keys_hash_row(const mlsh_col *const *cols, size_t k, size_t i) {
  uint64_t h = 0x243f6a8885a308d3ull;
  for (size_t q = 0; q < k; q++) h = mix64(h ^ hash_value(cols[q], i)) + q;
  return h;
}

typedef struct { const mlsh_col *const *cols; size_t k; uint64_t *h; uint64_t **level_hash; } hash_job;

/* h = mix(h ^ value hash) + q over rows [b, e) of one key column: what
 * keys_hash_row does for key q, a column at a time. lh: the hashes of a
 * factor's levels (NULL: hash the text of each row). */
static void hash_column(const mlsh_col *c, const uint64_t *lh, size_t q, uint64_t *h, size_t b, size_t e) {
  if (lh && !c->valid) {
    for (size_t i = b; i < e; i++) h[i] = mix64(h[i] ^ lh[COL_I32(c)[i]]) + q;
  } else if (lh) {
    for (size_t i = b; i < e; i++) h[i] = mix64(h[i] ^ (col_is_na(c, i) ? NA_HASH : lh[COL_I32(c)[i]])) + q;
  } else if (c->type == COL_INT64 && !c->valid) {
    for (size_t i = b; i < e; i++) h[i] = mix64(h[i] ^ mix64((uint64_t)COL_I64(c)[i] ^ 0x8000000000000000ull)) + q;
  } else {
    for (size_t i = b; i < e; i++) h[i] = mix64(h[i] ^ hash_value(c, i)) + q;
  }
}

static int hash_range(void *ctx, size_t b, size_t e, int tid) {
  hash_job *j = ctx;
  for (size_t i = b; i < e; i++) j->h[i] = 0x243f6a8885a308d3ull;
  for (size_t q = 0; q < j->k; q++) {
    hash_column(j->cols[q], j->level_hash[q], q, j->h, b, e);
    if (mlsh_interrupted()) return MLSH_EINTR;
  }
  return MLSH_OK;
}

/* The hashes of a factor's level texts (when it has fewer levels than
 * rows); NULL for other columns. Returns -1 without memory. */
static int level_hashes(const mlsh_col *c, size_t n, uint64_t **out) {
  *out = NULL;
  if (c->type != COL_CATEGORICAL || c->levels->n > n) return 0;
  uint64_t *lh = *out = mlsh_malloc_array(c->levels->n ? c->levels->n : 1, sizeof *lh);
  for (size_t l = 0; lh && l < c->levels->n; l++) {
    size_t len;
    const char *s = col_str(c->levels, l, &len);
    lh[l] = hash_bytes(s, len);
  }
  return lh ? 0 : -1;
}

int keys_hash_rows(const mlsh_col *const *cols, size_t k, size_t n, int nthreads, uint64_t *h) {
  uint64_t **lh = mlsh_calloc(k ? k : 1, sizeof *lh);
  hash_job j = {cols, k, h, lh};
  int rc = lh ? MLSH_OK : MLSH_ENOMEM;
  for (size_t q = 0; !rc && q < k; q++)
    if (level_hashes(cols[q], n, &lh[q])) rc = MLSH_ENOMEM;
  if (!rc) rc = mlsh_parallel_for(n, nthreads, 100000, hash_range, &j);
  for (size_t q = 0; lh && q < k; q++) mlsh_free(lh[q]);
  mlsh_free(lh);
  return rc;
}

static int is_text(col_type t) { return t == COL_STRING || t == COL_CATEGORICAL; }

static const char *text_of(const mlsh_col *c, size_t i, size_t *len) {
  return c->type == COL_CATEGORICAL ? level_text(c, i, len) : col_str(c, i, len);
}

static int values_equal(const mlsh_col *a, size_t i, const mlsh_col *b, size_t j) {
  int na = col_is_na(a, i), nb = col_is_na(b, j);
  size_t la, lb;
  const char *sa, *sb;
  if (na || nb) return na && nb;
  if (a->type != b->type) {   /* a factor against strings: by text, as the hashes are */
    sa = text_of(a, i, &la); sb = text_of(b, j, &lb);
    return la == lb && memcmp(sa, sb, la) == 0;
  }
  switch (a->type) {
  case COL_STRING:
    sa = col_str(a, i, &la); sb = col_str(b, j, &lb);
    return la == lb && memcmp(sa, sb, la) == 0;
  case COL_CATEGORICAL:
    if (a->levels == b->levels) return COL_I32(a)[i] == COL_I32(b)[j];
    sa = level_text(a, i, &la); sb = level_text(b, j, &lb);
    return la == lb && memcmp(sa, sb, la) == 0;
  case COL_DOUBLE: case COL_DATETIME: {
    double x = COL_DBL(a)[i], y = COL_DBL(b)[j];
    return x == y || (x != x && y != y);
  }
  default: return key_image(a, i) == key_image(b, j);
  }
}

int keys_rows_equal(const mlsh_col *const *a, size_t i, const mlsh_col *const *b, size_t j, size_t k) {
  for (size_t q = 0; q < k; q++)
    if (!values_equal(a[q], i, b[q], j)) return 0;
  return 1;
}

int keys_row_has_na(const mlsh_col *const *cols, size_t k, size_t i) {
  for (size_t q = 0; q < k; q++)
    if (col_is_na(cols[q], i)) return 1;
  return 0;
}

typedef struct { const mlsh_col *c; int64_t lo[64], hi[64]; } range_job;

static int range_block(void *ctx, size_t b, size_t e, int tid) {
  range_job *j = ctx;
  const mlsh_col *c = j->c;
  int64_t a = INT64_MAX, z = INT64_MIN;
  if (c->type == COL_INT64 && !c->valid) {
    for (size_t i = b; i < e; i++) {
      int64_t v = COL_I64(c)[i];
      a = v < a ? v : a;
      z = v > z ? v : z;
    }
  } else {
    for (size_t i = b; i < e; i++) {
      if (col_is_na(c, i)) continue;
      int64_t v = c->type == COL_INT64 ? COL_I64(c)[i] : COL_I32(c)[i];
      a = v < a ? v : a;
      z = v > z ? v : z;
    }
  }
  j->lo[tid] = a;
  j->hi[tid] = z;
  return MLSH_OK;
}

int keys_int_range(const mlsh_col *c, int nthreads, int64_t *lo, int64_t *hi) {
  range_job j;
  j.c = c;
  int nt = mlsh_threads_resolve(nthreads);
  nt = nt > 64 ? 64 : nt;
  for (int t = 0; t < 64; t++) { j.lo[t] = INT64_MAX; j.hi[t] = INT64_MIN; }
  mlsh_parallel_for(c->n, nt, 200000, range_block, &j);
  *lo = INT64_MAX; *hi = INT64_MIN;
  for (int t = 0; t < nt; t++) {
    *lo = j.lo[t] < *lo ? j.lo[t] : *lo;
    *hi = j.hi[t] > *hi ? j.hi[t] : *hi;
  }
  return *lo <= *hi;
}

int keys_check_lengths(const mlsh_col *const *cols, size_t k, const char *what, mlsh_err *err) {
  for (size_t q = 1; q < k; q++)
    if (cols[q]->n != cols[0]->n)
      return mlsh_seterr(err, MLSH_EINVAL, "%s: key %zu has %zu rows, key 1 has %zu", what, q + 1, cols[q]->n, cols[0]->n);
  return MLSH_OK;
}

int keys_check_pair(const mlsh_col *const *a, const mlsh_col *const *b, size_t k, const char *what, mlsh_err *err) {
  for (size_t q = 0; q < k; q++)
    if (a[q]->type != b[q]->type && !(is_text(a[q]->type) && is_text(b[q]->type)))
      return mlsh_seterr(err, MLSH_EINVAL, "%s: key %zu is %s on the left and %s on the right", what, q + 1,
                         col_type_name(a[q]->type), col_type_name(b[q]->type));
  return MLSH_OK;
}

/* ---- the table ---------------------------------------------------------- */

int key_table_init(key_table *t, size_t expect) {
  memset(t, 0, sizeof *t);
  t->cap = 1024;
  while (t->cap < 2 * expect && t->cap < ((size_t)1 << 40)) t->cap *= 2;
  t->slot = mlsh_calloc(t->cap, sizeof *t->slot);
  return t->slot ? 0 : -1;
}

void key_table_free(key_table *t) {
  mlsh_free(t->slot);
  mlsh_free(t->rep);
  mlsh_free(t->hash);
  memset(t, 0, sizeof *t);
}

static int table_rehash(key_table *t) {
  size_t cap = t->cap * 2, mask = cap - 1;
  int64_t *slot = mlsh_calloc(cap, sizeof *slot);
  if (!slot) return -1;
  for (size_t g = 0; g < t->ng; g++) {
    size_t s = t->hash[g] & mask;
    while (slot[s]) s = (s + 1) & mask;
    slot[s] = (int64_t)g + 1;
  }
  mlsh_free(t->slot);
  t->slot = slot;
  t->cap = cap;
  return 0;
}

static int64_t table_add(key_table *t, size_t s, size_t i, uint64_t h) {
  size_t g = t->ng, cap = t->gcap;
  if (mlsh_grow(&t->rep, &cap, g + 1, sizeof *t->rep)) return -1;
  cap = t->gcap;
  if (mlsh_grow(&t->hash, &cap, g + 1, sizeof *t->hash)) return -1;
  t->gcap = cap;
  t->rep[g] = (int64_t)i;
  t->hash[g] = h;
  t->slot[s] = (int64_t)g + 1;
  t->ng++;
  if (2 * t->ng > t->cap && table_rehash(t)) return -1;
  return (int64_t)g;
}

int64_t key_table_insert(key_table *t, const mlsh_col *const *cols, size_t k, size_t i, uint64_t h) {
  size_t mask = t->cap - 1, s = h & mask;
  for (; t->slot[s]; s = (s + 1) & mask) {
    int64_t g = t->slot[s] - 1;
    if (t->hash[g] == h && keys_rows_equal(cols, (size_t)t->rep[g], cols, i, k)) return g;
  }
  return table_add(t, s, i, h);
}

int64_t key_table_find(const key_table *t, const mlsh_col *const *cols, const mlsh_col *const *probe, size_t k,
                       size_t i, uint64_t h) {
  size_t mask = t->cap - 1;
  for (size_t s = h & mask; t->slot[s]; s = (s + 1) & mask) {
    int64_t g = t->slot[s] - 1;
    if (t->hash[g] == h && keys_rows_equal(cols, (size_t)t->rep[g], probe, i, k)) return g;
  }
  return -1;
}
