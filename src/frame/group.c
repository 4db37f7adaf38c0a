/* group.c - grouping on one or more key columns. Keys with a small
 * combined range (factor codes, logicals, narrow integers and dates) are
 * mixed-radix codes counted into a direct-address table: no hashing, and
 * sorted groups for free. Other keys are hashed: row hashes computed in
 * parallel, then one pass inserts every row into an open-addressing table
 * of distinct keys (no allocation per row). */
#include <string.h>
#include "group.h"
#include "keys.h"
#include "sort.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

/* Sorted groups of dense keys packed in bit fields (each key's span a
 * power of two): the code of each group, and where each key sits. */
typedef struct group_codes {
  size_t k;
  uint64_t *code;      /* ngroups */
  int shift[64];
  uint64_t span[64];   /* a power of two; span - 1 is NA for keys with NA */
  int64_t lo[64];
} group_codes;

static void group_codes_free(group_codes *c) {
  if (c) mlsh_free(c->code);
  mlsh_free(c);
}

void frame_groups_free(frame_groups *g) {
  group_codes_free(g->codes);
  mlsh_free(g->id);
  mlsh_free(g->first);
  mlsh_free(g->size);
  memset(g, 0, sizeof *g);
}

static int group_nomem(frame_groups *g, mlsh_err *err) {
  frame_groups_free(g);
  return mlsh_seterr(err, MLSH_ENOMEM, "group_by: not enough memory");
}

static int group_failed(frame_groups *g, int rc, mlsh_err *err) {
  if (rc == MLSH_ENOMEM) return group_nomem(g, err);
  frame_groups_free(g);
  return rc == MLSH_EINTR ? mlsh_seterr(err, rc, "group_by: interrupted") : rc;
}

int frame_group_all(size_t n, frame_groups *g, mlsh_err *err) {
  memset(g, 0, sizeof *g);
  g->n = n;
  g->ngroups = 1;
  g->id = mlsh_calloc(n ? n : 1, sizeof *g->id);
  g->first = mlsh_malloc(sizeof *g->first);
  g->size = mlsh_malloc(sizeof *g->size);
  if (!g->id || !g->first || !g->size) return group_nomem(g, err);
  g->first[0] = n ? 0 : -1;
  g->size[0] = (int64_t)n;
  return MLSH_OK;
}

static int insert_rows(const mlsh_col *const *keys, size_t k, const uint64_t *h, key_table *t, frame_groups *g) {
  for (size_t i = 0; i < g->n; i++) {
    int64_t id = key_table_insert(t, keys, k, i, h[i]);
    if (id < 0) return MLSH_ENOMEM;
    g->id[i] = id;
    if ((i & 0xffff) == 0 && mlsh_interrupted()) return MLSH_EINTR;
  }
  return MLSH_OK;
}

static int fill_sizes(frame_groups *g, const key_table *t) {
  g->ngroups = t->ng;
  g->first = mlsh_malloc_array(t->ng ? t->ng : 1, sizeof *g->first);
  g->size = mlsh_calloc(t->ng ? t->ng : 1, sizeof *g->size);
  if (!g->first || !g->size) return MLSH_ENOMEM;
  if (t->ng) memcpy(g->first, t->rep, t->ng * sizeof *g->first);
  for (size_t i = 0; i < g->n; i++) g->size[g->id[i]]++;
  return MLSH_OK;
}

/* ---- dense keys: a direct-address table instead of hashing --------------- */

/* A key whose values map to 0 .. span-1 (NA to the last slot when the
 * column can hold NA): categorical codes, logicals, and integers and
 * dates with a small range. */
typedef struct { const mlsh_col *c; int64_t lo; uint64_t span; } dense_key;

/* The key as a dense digit, or 0 when its range is too wide for `limit`. */
static int dense_of(const mlsh_col *c, uint64_t limit, int nthreads, dense_key *d) {
  int64_t lo = 0, hi = -1;
  d->c = c;
  switch (c->type) {
  case COL_CATEGORICAL: hi = (int64_t)c->levels->n - 1; break;
  case COL_LOGICAL: hi = 1; break;
  case COL_INT64: case COL_DATE: if (!keys_int_range(c, nthreads, &lo, &hi)) lo = hi = 0; break;
  default: return 0;
  }
  int64_t width;
  if (__builtin_sub_overflow(hi, lo, &width) || width < 0 || (uint64_t)width >= limit) return 0;
  d->lo = lo;
  d->span = (uint64_t)width + 1 + (c->valid != NULL);
  return 1;
}

static inline int64_t digit_at(const mlsh_col *c, size_t i) {
  return c->type == COL_INT64 ? COL_I64(c)[i] : c->type == COL_LOGICAL ? COL_LGL(c)[i] : COL_I32(c)[i];
}

/* code = code * span + digit over rows [b, e), a loop per type (the
 * common no-NA case without a test per row). */
static void add_digit(const dense_key *d, int64_t *code, size_t b, size_t e) {
  const mlsh_col *c = d->c;
  int64_t lo = d->lo, span = (int64_t)d->span;
  if (c->valid) {
    for (size_t i = b; i < e; i++) code[i] = code[i] * span + (col_is_na(c, i) ? span - 1 : digit_at(c, i) - lo);
  } else if (c->type == COL_INT64) {
    for (size_t i = b; i < e; i++) code[i] = code[i] * span + (COL_I64(c)[i] - lo);
  } else if (c->type == COL_LOGICAL) {
    for (size_t i = b; i < e; i++) code[i] = code[i] * span + COL_LGL(c)[i];
  } else {
    for (size_t i = b; i < e; i++) code[i] = code[i] * span + (COL_I32(c)[i] - lo);
  }
}

/* Mixed-radix codes of rows [b, e), the first key most significant, so
 * that code order is key order (NA last within each key). */
static void code_rows(const dense_key *d, size_t k, int64_t *code, size_t b, size_t e) {
  memset(code + b, 0, (e - b) * sizeof *code);
  for (size_t q = 0; q < k; q++) add_digit(&d[q], code, b, e);
}

typedef struct { const dense_key *d; size_t k; int64_t *code; } code_job;

static int code_range(void *ctx, size_t b, size_t e, int tid) {
  code_job *j = ctx;
  code_rows(j->d, j->k, j->code, b, e);
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* The keys as dense digits whose product of spans (the table size) is at
 * most limit; 0 when some key is not dense or the product is too big. */
static uint64_t dense_keys(const mlsh_col *const *keys, size_t k, uint64_t limit, int nthreads, dense_key *d) {
  uint64_t total = 1;
  for (size_t q = 0; q < k; q++) {
    if (!dense_of(keys[q], limit, nthreads, &d[q]) || __builtin_mul_overflow(total, d[q].span, &total) || total > limit)
      return 0;
  }
  return total;
}

/* Groups numbered by first row from the codes in g->id (m slots):
 * slot[c] is the group of code c, given as codes first appear. */
static int dense_by_first(size_t m, int64_t *slot, frame_groups *g) {
  size_t n = g->n, ng = 0, cap = (n < m ? n : m) + 1;
  int64_t *cnt = mlsh_calloc(m, sizeof *cnt);
  g->first = mlsh_malloc_array(cap, sizeof *g->first);
  g->size = mlsh_malloc_array(cap, sizeof *g->size);
  int rc = cnt && g->first && g->size ? MLSH_OK : MLSH_ENOMEM;
  for (size_t c = 0; !rc && c < m; c++) slot[c] = -1;
  for (size_t i = 0; !rc && i < n; i++) {
    int64_t c = g->id[i];
    if (slot[c] < 0) { slot[c] = (int64_t)ng; g->first[ng++] = (int64_t)i; }
    cnt[c]++;
    if ((i & 0xffff) == 0 && mlsh_interrupted()) rc = MLSH_EINTR;
  }
  for (size_t c = 0; !rc && c < m; c++)
    if (slot[c] >= 0) g->size[slot[c]] = cnt[c];
  g->ngroups = ng;
  mlsh_free(cnt);
  return rc;
}

/* Per row block: how many rows have each code, and the first of them. */
typedef struct { const dense_key *d; size_t k; int64_t *code; size_t n, m; int nt; int64_t *cnt, *first; } tally_job;

/* The codes of the block (when d is set) and their counts, in one pass
 * over the keys while the block is in cache. */
static int tally_block(void *ctx, size_t t0, size_t t1, int tid) {
  tally_job *j = ctx;
  for (size_t t = t0; t < t1; t++) {
    int64_t *cnt = j->cnt + t * j->m, *first = j->first + t * j->m;
    size_t b = j->n * t / (size_t)j->nt, e = j->n * (t + 1) / (size_t)j->nt;
    if (j->d) code_rows(j->d, j->k, j->code, b, e);
    memset(cnt, 0, j->m * sizeof *cnt);
    for (size_t i = b; i < e; i++) {
      int64_t c = j->code[i];
      if (cnt[c]++ == 0) first[c] = (int64_t)i;
    }
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

/* Groups numbered by code (sorted): the codes into g->id (m slots),
 * counted in parallel by row blocks when the table is small. */
static int dense_by_code(const dense_key *d, size_t k, size_t m, int nthreads, int64_t *slot, frame_groups *g) {
  size_t n = g->n, ng = 0, cap = (n < m ? n : m) + 1;
  int nt = n >= 200000 && m <= n / 4 ? mlsh_threads_resolve(nthreads) : 1;
  if (nt > 16) nt = 16;
  tally_job j = {nt > 1 ? d : NULL, k, g->id, n, m, nt, mlsh_malloc_array(m * (size_t)nt, sizeof *j.cnt),
                 mlsh_malloc_array(m * (size_t)nt, sizeof *j.first)};
  code_job cj = {d, k, g->id};
  g->first = mlsh_malloc_array(cap, sizeof *g->first);
  g->size = mlsh_malloc_array(cap, sizeof *g->size);
  int rc = j.cnt && j.first && g->first && g->size ? MLSH_OK : MLSH_ENOMEM;
  if (!rc && nt == 1) rc = mlsh_parallel_for(n, nthreads, 100000, code_range, &cj);
  if (!rc) rc = mlsh_parallel_for((size_t)nt, nt, 1, tally_block, &j);
  for (size_t c = 0; !rc && c < m; c++) {
    int64_t total = 0, first = -1;
    for (int t = 0; t < nt; t++) {
      int64_t k = j.cnt[(size_t)t * m + c];
      if (k && first < 0) first = j.first[(size_t)t * m + c];
      total += k;
    }
    slot[c] = total ? (int64_t)ng : -1;
    if (total) { g->first[ng] = first; g->size[ng++] = total; }
  }
  g->ngroups = ng;
  mlsh_free(j.cnt); mlsh_free(j.first);
  return rc;
}

typedef struct { const int64_t *map; int64_t *id; } map_job;

static int map_range(void *ctx, size_t b, size_t e, int tid) {
  map_job *j = ctx;
  for (size_t i = b; i < e; i++) j->id[i] = j->map[j->id[i]];
  return MLSH_OK;
}

/* Groups from the codes of the rows (a table of m slots), then every
 * row's code becomes its group (nothing to do when sorted groups fill
 * every slot: the codes are the groups). */
static int dense_assign(const dense_key *d, size_t k, size_t m, int sorted, int nthreads, frame_groups *g) {
  int64_t *slot = mlsh_malloc_array(m, sizeof *slot);
  code_job cj = {d, k, g->id};
  int rc = !slot ? MLSH_ENOMEM : sorted ? dense_by_code(d, k, m, nthreads, slot, g)
                                        : mlsh_parallel_for(g->n, nthreads, 100000, code_range, &cj);
  if (!rc && !sorted) rc = dense_by_first(m, slot, g);
  map_job mj = {slot, g->id};
  if (!rc && !(sorted && g->ngroups == m)) rc = mlsh_parallel_for(g->n, nthreads, 100000, map_range, &mj);
  mlsh_free(slot);
  return rc;
}

/* Renumber the groups: new group r is old group perm[r] (rank: scratch of ngroups). */
static void renumber(frame_groups *g, const int64_t *perm, int64_t *rank) {
  size_t ng = g->ngroups;
  for (size_t r = 0; r < ng; r++) rank[perm[r]] = (int64_t)r;
  for (size_t i = 0; i < g->n; i++) g->id[i] = rank[g->id[i]];
  for (size_t r = 0; r < ng; r++) rank[r] = g->first[perm[r]];
  memcpy(g->first, rank, ng * sizeof *rank);
  for (size_t r = 0; r < ng; r++) rank[r] = g->size[perm[r]];
  memcpy(g->size, rank, ng * sizeof *rank);
}

/* Renumber the groups in the order of their keys: order the first rows. */
static int sort_groups(const mlsh_col *const *keys, size_t k, int nthreads, frame_groups *g, mlsh_err *err) {
  size_t ng = g->ngroups;
  mlsh_col **reps = mlsh_calloc(k, sizeof *reps);
  int64_t *perm = mlsh_malloc_array(ng ? ng : 1, sizeof *perm), *rank = mlsh_malloc_array(ng ? ng : 1, sizeof *rank);
  int rc = reps && perm && rank ? MLSH_OK : mlsh_seterr(err, MLSH_ENOMEM, "group_by: not enough memory");
  for (size_t q = 0; !rc && q < k; q++) rc = col_take(keys[q], g->first, ng, &reps[q], err);
  if (!rc) rc = frame_order((const mlsh_col *const *)reps, k, NULL, nthreads, perm, err);
  if (!rc) renumber(g, perm, rank);
  for (size_t q = 0; reps && q < k; q++) col_unref(reps[q]);
  mlsh_free(reps); mlsh_free(perm); mlsh_free(rank);
  return rc;
}

/* Groups numbered by key (sorted) into groups numbered by first row. */
static int order_by_first(frame_groups *g) {
  size_t ng = g->ngroups, nid = 0;
  int64_t *perm = mlsh_malloc_array(ng ? ng : 1, sizeof *perm), *rank = mlsh_malloc_array(ng ? ng : 1, sizeof *rank);
  uint8_t *seen = mlsh_calloc(ng ? ng : 1, 1);
  int rc = perm && rank && seen ? MLSH_OK : MLSH_ENOMEM;
  for (size_t i = 0; !rc && i < g->n; i++)
    if (!seen[g->id[i]]) { seen[g->id[i]] = 1; perm[nid++] = g->id[i]; }
  if (!rc) renumber(g, perm, rank);
  mlsh_free(perm); mlsh_free(rank); mlsh_free(seen);
  return rc;
}

/* Groups from the sorted codes: runs of equal codes, in code order. Two
 * passes over row blocks on threads: count the runs that start in each
 * block, then number them from the block's offset. */
typedef struct {
  const uint64_t *key;
  const int64_t *row;
  frame_groups *g;
  size_t n;
  int nt;
  int64_t *base;
  uint64_t *gcode;   /* NULL, or each group's code */
} runs_job;

static void block_of(const runs_job *j, size_t t, size_t *b, size_t *e) {
  *b = j->n * t / (size_t)j->nt;
  *e = j->n * (t + 1) / (size_t)j->nt;
}

static int count_runs(void *ctx, size_t t0, size_t t1, int tid) {
  runs_job *j = ctx;
  (void)tid;
  for (size_t t = t0; t < t1; t++) {
    size_t b, e, c = 0;
    block_of(j, t, &b, &e);
    for (size_t r = b; r < e; r++) c += r == 0 || j->key[r] != j->key[r - 1];
    j->base[t + 1] = (int64_t)c;
  }
  return MLSH_OK;
}

static int number_runs(void *ctx, size_t t0, size_t t1, int tid) {
  runs_job *j = ctx;
  frame_groups *g = j->g;
  (void)tid;
  for (size_t t = t0; t < t1; t++) {
    size_t b, e;
    int64_t id = j->base[t] - 1;
    block_of(j, t, &b, &e);
    for (size_t r = b; r < e; r++) {
      if (r == 0 || j->key[r] != j->key[r - 1]) {
        g->first[++id] = j->row[r];
        g->size[id] = (int64_t)r;
        if (j->gcode) j->gcode[id] = j->key[r];
      }
      g->id[j->row[r]] = id;
    }
  }
  return mlsh_interrupted() ? MLSH_EINTR : MLSH_OK;
}

static int cut_runs(const uint64_t *key, const int64_t *row, int nthreads, uint64_t *gcode, frame_groups *g) {
  size_t n = g->n;
  int nt = n >= 200000 ? mlsh_threads_resolve(nthreads) : 1;
  runs_job j = {key, row, g, n, nt, mlsh_calloc((size_t)nt + 1, sizeof(int64_t)), gcode};
  g->first = mlsh_malloc_array(n ? n : 1, sizeof *g->first);
  g->size = mlsh_malloc_array(n ? n : 1, sizeof *g->size);
  if (!j.base || !g->first || !g->size) { mlsh_free(j.base); return MLSH_ENOMEM; }
  int rc = mlsh_parallel_for((size_t)nt, nt, 1, count_runs, &j);
  for (int t = 0; t < nt; t++) j.base[t + 1] += j.base[t];
  if (!rc) rc = mlsh_parallel_for((size_t)nt, nt, 1, number_runs, &j);
  g->ngroups = (size_t)j.base[nt];
  for (size_t q = 0; !rc && q < g->ngroups; q++)   /* run starts into sizes */
    g->size[q] = (q + 1 < g->ngroups ? g->size[q + 1] : (int64_t)n) - g->size[q];
  mlsh_free(j.base);
  return rc;
}

/* The keys with spans rounded up to powers of two, so that a code is the
 * keys' bit fields (the NA slot, span - 1, still sorts last); NULL when
 * the fields do not fit in 63 bits. */
static group_codes *packed_keys(dense_key *d, size_t k) {
  int bits[64], total = 0;
  if (k > 64) return NULL;
  for (size_t q = 0; q < k; q++) {
    bits[q] = d[q].span > 1 ? 64 - __builtin_clzll(d[q].span - 1) : 0;
    total += bits[q];
  }
  group_codes *c = total <= 63 ? mlsh_calloc(1, sizeof *c) : NULL;
  if (!c) return NULL;
  c->k = k;
  for (size_t q = k, shift = 0; q-- > 0; shift += (size_t)bits[q]) {
    c->shift[q] = (int)shift;
    c->span[q] = d[q].span = (uint64_t)1 << bits[q];
    c->lo[q] = d[q].lo;
  }
  return c;
}

/* Dense keys whose table would be too big: sort the combined codes (a
 * radix sort) and cut the runs; sorted groups again come for free, and
 * with packed codes each group's code is kept for frame_group_keys. */
static int group_by_codes(dense_key *d, size_t k, int sorted, int nthreads, frame_groups *g, mlsh_err *err) {
  size_t n = g->n, len = n ? n : 1;
  uint64_t *code = mlsh_malloc_array(len, sizeof *code), *code2 = mlsh_malloc_array(len, sizeof *code2);
  int64_t *row = mlsh_malloc_array(len, sizeof *row), *row2 = mlsh_malloc_array(len, sizeof *row2);
  group_codes *packed = sorted ? packed_keys(d, k) : NULL;
  if (packed && !(packed->code = mlsh_malloc_array(len, sizeof *packed->code))) group_codes_free(packed), packed = NULL;
  code_job j = {d, k, (int64_t *)code};   /* codes are >= 0: the same bits as unsigned */
  const uint64_t *keys;
  const int64_t *rows;
  int rc = code && code2 && row && row2 ? mlsh_parallel_for(n, nthreads, 100000, code_range, &j) : MLSH_ENOMEM;
  if (!rc) rc = frame_sort_codes(code, row, code2, row2, n, nthreads, &keys, &rows);
  if (!rc) rc = cut_runs(keys, rows, nthreads, packed ? packed->code : NULL, g);
  mlsh_free(code); mlsh_free(code2); mlsh_free(row); mlsh_free(row2);
  if (!rc && !sorted) rc = order_by_first(g);
  if (!rc) g->codes = packed;
  else group_codes_free(packed);
  return rc ? group_failed(g, rc, err) : MLSH_OK;
}

/* ---- the key columns of the groups ---- */

typedef struct { const group_codes *c; size_t q, ng; const mlsh_col *key; void *out; uint8_t *valid; } decode_job;

static int decode_range(void *ctx, size_t b, size_t e, int tid) {
  decode_job *j = ctx;
  const uint64_t *code = j->c->code;
  int shift = j->c->shift[j->q];
  uint64_t mask = j->c->span[j->q] - 1, na = j->key->valid ? mask : UINT64_MAX;
  int64_t lo = j->c->lo[j->q];
  col_type t = j->key->type;
  (void)tid;
  for (size_t r = b; r < e; r++) {
    uint64_t digit = (code[r] >> shift) & mask;
    int64_t v = digit == na ? 0 : (int64_t)digit + lo;
    if (digit == na) j->valid[r >> 3] &= (uint8_t)~(1u << (r & 7));
    if (t == COL_INT64) ((int64_t *)j->out)[r] = v;
    else if (t == COL_LOGICAL) ((uint8_t *)j->out)[r] = (uint8_t)v;
    else ((int32_t *)j->out)[r] = (int32_t)v;
  }
  return MLSH_OK;
}

static int decode_blocks(void *ctx, size_t b, size_t e, int tid) {
  decode_job *j = ctx;
  return decode_range(ctx, b * 8, e * 8 < j->ng ? e * 8 : j->ng, tid);
}

/* Key q of every group from the packed codes. Bitmap bytes are shared
 * at block edges, so blocks are whole bytes (multiples of 8 groups). */
static int decode_key(const group_codes *c, size_t q, const mlsh_col *key, size_t ng, mlsh_col **out, mlsh_err *err) {
  size_t es = col_elem_size(key->type);
  void *vals = mlsh_malloc_array(ng ? ng : 1, es);
  uint8_t *valid = key->valid ? mlsh_malloc((ng + 7) / 8 ? (ng + 7) / 8 : 1) : NULL;
  int rc = vals && (valid || !key->valid) ? MLSH_OK : mlsh_seterr(err, MLSH_ENOMEM, "group_by: not enough memory");
  if (!rc && valid) memset(valid, 0xff, (ng + 7) / 8);
  decode_job j = {c, q, ng, key, vals, valid};
  size_t blocks = (ng + 7) / 8;
  if (!rc && valid) rc = mlsh_parallel_for(blocks, 0, 25000, decode_blocks, &j);
  else if (!rc) rc = mlsh_parallel_for(ng, 0, 200000, decode_range, &j);
  if (!rc && key->type == COL_CATEGORICAL) rc = col_categorical(vals, ng, valid, key->levels, key->ordered, out, err);
  else if (!rc) rc = col_from_array(key->type, vals, ng, valid, out, err);
  mlsh_free(vals);
  mlsh_free(valid);
  return rc;
}

int frame_group_keys(const mlsh_col *const *keys, size_t nkeys, const frame_groups *g, mlsh_col **out, mlsh_err *err) {
  for (size_t q = 0; q < nkeys; q++) out[q] = NULL;
  int rc = MLSH_OK;
  if (g->codes && g->codes->k == nkeys) {
    for (size_t q = 0; !rc && q < nkeys; q++) rc = decode_key(g->codes, q, keys[q], g->ngroups, &out[q], err);
  } else if (nkeys) {
    col_take_plan plan;
    rc = col_take_plan_make(g->first, g->ngroups, keys[0]->n, &plan, err);
    for (size_t q = 0; !rc && q < nkeys; q++) rc = col_take_planned(keys[q], &plan, &out[q], err);
  }
  for (size_t q = 0; rc && q < nkeys; q++) { col_unref(out[q]); out[q] = NULL; }
  return rc;
}

/* Dense keys: codes, then a direct-address table of m slots. */
static int group_dense(const dense_key *d, size_t k, size_t m, int sorted, int nthreads, frame_groups *g,
                       mlsh_err *err) {
  int rc = dense_assign(d, k, m, sorted, nthreads, g);
  return rc ? group_failed(g, rc, err) : MLSH_OK;
}

static int group_hashed(const mlsh_col *const *keys, size_t nkeys, int sorted, int nthreads, frame_groups *g,
                        mlsh_err *err) {
  key_table t;
  uint64_t *h = mlsh_malloc_array(g->n ? g->n : 1, sizeof *h);
  int rc = key_table_init(&t, 0) || !h ? MLSH_ENOMEM : MLSH_OK;
  if (!rc) rc = keys_hash_rows(keys, nkeys, g->n, nthreads, h);
  if (!rc) rc = insert_rows(keys, nkeys, h, &t, g);
  if (!rc) rc = fill_sizes(g, &t);
  key_table_free(&t);
  mlsh_free(h);
  if (rc) return group_failed(g, rc, err);
  if (sorted && (rc = sort_groups(keys, nkeys, nthreads, g, err))) frame_groups_free(g);
  return rc;
}

/* Keys with a small combined range (dense codes, at most a few slots per
 * row) need no hashing; dense keys with a wider product are sorted as
 * one code; the others go to the hash table. */
static int group_rows(const mlsh_col *const *keys, size_t nkeys, int sorted, int hashed, int nthreads,
                      frame_groups *g, mlsh_err *err) {
  memset(g, 0, sizeof *g);
  int rc = keys_check_lengths(keys, nkeys, "group_by", err);
  if (rc) return rc;
  if (nkeys == 0) return mlsh_seterr(err, MLSH_EINVAL, "group_by: no key columns");
  g->n = keys[0]->n;
  g->id = mlsh_malloc_array(g->n ? g->n : 1, sizeof *g->id);
  if (!g->id) return group_nomem(g, err);
  dense_key *d = mlsh_malloc_array(nkeys, sizeof *d);
  if (!d) return group_nomem(g, err);
  uint64_t m = hashed ? 0 : dense_keys(keys, nkeys, (uint64_t)1 << 62, nthreads, d);
  if (m && m <= 2 * (uint64_t)g->n + 4096) rc = group_dense(d, nkeys, (size_t)m, sorted, nthreads, g, err);
  else if (m) rc = group_by_codes(d, nkeys, sorted, nthreads, g, err);
  else rc = group_hashed(keys, nkeys, sorted, nthreads, g, err);
  mlsh_free(d);
  return rc;
}

int frame_group(const mlsh_col *const *keys, size_t nkeys, int sorted, int nthreads, frame_groups *g,
                mlsh_err *err) {
  return group_rows(keys, nkeys, sorted, 0, nthreads, g, err);
}

int frame_group_hashed(const mlsh_col *const *keys, size_t nkeys, int sorted, int nthreads, frame_groups *g,
                       mlsh_err *err) {
  return group_rows(keys, nkeys, sorted, 1, nthreads, g, err);
}
