/* fread_scan.c - the CSV reader's tokenizer and its per-chunk parse into
 * column builders (see fread.h for the rules). */
#include <stdint.h>
#include <string.h>
#include "fread_impl.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

static int is_blank(char ch, char sep) { return ch == ' ' || (ch == '\t' && sep != '\t'); }

const char *fr_skip_line(const char *p, const char *end) {
  while (p < end && *p != '\n' && *p != '\r') p++;
  if (p < end && *p++ == '\r' && p < end && *p == '\n') p++;
  return p;
}

/* A quoted field from p (just after the opening quote); *pp past the
 * closing quote. */
static int quoted_field(const char **pp, const char *end, fr_field *f) {
  const char *p = *pp;
  f->p = p;
  f->quoted = 1;
  f->escaped = 0;
  for (;;) {
    const char *q = memchr(p, '"', (size_t)(end - p));
    if (!q) return FR_EQUOTE;
    if (q + 1 < end && q[1] == '"') { f->escaped = 1; p = q + 2; continue; }
    f->len = (size_t)(q - f->p);
    *pp = q + 1;
    return FR_ROW;
  }
}

/* An unquoted field from p: up to sep, a comment or a line end, blanks
 * trimmed. */
static void plain_field(const fr_ctx *c, const char **pp, const char *end, fr_field *f) {
  const char *p = *pp, *start = p;
  char sep = c->sep, stop = c->comment ? c->comment : sep;
  while (p < end && *p != sep && *p != stop && *p != '\n' && *p != '\r') p++;
  const char *e = p;
  while (e > start && is_blank(e[-1], sep)) e--;
  f->p = start;
  f->len = (size_t)(e - start);
  f->quoted = f->escaped = 0;
  *pp = p;
}

int fr_next_row(const fr_ctx *c, const char **pp, fr_field *f, size_t cap, size_t *nf) {
  const char *p = *pp, *end = c->end;
  char sep = c->sep;
  size_t k = 0;
  if (p >= end) return FR_END;
  if (*p == '\n' || *p == '\r' || (c->comment && *p == c->comment)) {
    *pp = fr_skip_line(p, end);
    return FR_BLANK;
  }
  for (;;) {
    fr_field tmp, *fld = k < cap ? &f[k] : &tmp;
    while (p < end && is_blank(*p, sep)) p++;
    if (p < end && *p == '"') {
      const char *open = p++;
      if (quoted_field(&p, end, fld) != FR_ROW) { *pp = open; *nf = k; return FR_EQUOTE; }
      while (p < end && is_blank(*p, sep)) p++;
      if (p < end && *p != sep && *p != '\n' && *p != '\r' && !(c->comment && *p == c->comment)) {
        *pp = p;
        *nf = k;
        return FR_EAFTER;
      }
    } else {
      plain_field(c, &p, end, fld);
    }
    k++;
    if (p < end && *p == sep) { p++; continue; }
    if (p < end) p = fr_skip_line(p, end);   /* at the line end or a comment */
    break;
  }
  *nf = k;
  *pp = p;
  return FR_ROW;
}

int fr_is_na(const fr_ctx *c, const fr_field *f) {
  if (f->len > c->namax || !c->na_first[f->len ? (unsigned char)f->p[0] : 0]) return 0;
  for (size_t i = 0; i < c->nna; i++)
    if (c->nalen[i] == f->len && memcmp(c->na[i], f->p, f->len) == 0) return 1;
  return 0;
}

fr_type fr_type_of_mask(unsigned m) {
  if (m & FV_LGL) return FR_LGL;
  if (m & FV_INT) return FR_INT;
  if (m & FV_DBL) return FR_DBL;
  if (m & FV_DATE) return FR_DATE;
  if (m & FV_DTM) return FR_DTM;
  if ((m & FV_DMY) && !(m & FV_MDY)) return FR_DMY;
  if ((m & FV_MDY) && !(m & FV_DMY)) return FR_MDY;
  return FR_STR;
}

col_type fr_col_type(fr_type t) {
  static const col_type map[] = {COL_LOGICAL, COL_INT64, COL_DOUBLE, COL_DATE, COL_DATE, COL_DATE, COL_DATETIME, COL_STRING};
  return map[t];
}

void fr_sample(const fr_ctx *c, const char *p, size_t rows, unsigned *mask) {
  fr_field *f = mlsh_malloc_array(c->ncol ? c->ncol : 1, sizeof *f);
  if (!f) return;
  for (size_t r = 0; r < rows;) {
    size_t nf = 0;
    int t = fr_next_row(c, &p, f, c->ncol, &nf);
    if (t == FR_BLANK) continue;
    if (t != FR_ROW) break;
    r++;
    if (nf != c->ncol && !(c->fill && nf < c->ncol)) continue;
    for (size_t j = 0; j < nf && j < c->ncol; j++)
      if (f[j].len && !(!f[j].quoted && fr_is_na(c, &f[j]))) mask[j] &= f[j].escaped ? 0 : fv_classify(f[j].p, f[j].len, &c->num);
  }
  mlsh_free(f);
}

/* ---- distinct strings --------------------------------------------------------- */

void fr_intern_init(fr_intern *t) {
  memset(t, 0, sizeof *t);
  col_builder_init(&t->dict, COL_STRING);
}

void fr_intern_free(fr_intern *t) {
  col_builder_free(&t->dict);
  mlsh_free(t->hash);
  mlsh_free(t->slot);
  memset(t, 0, sizeof *t);
  col_builder_init(&t->dict, COL_STRING);
}

/* Words mixed in, then murmur3's finalizer: every byte reaches the low
 * bits that pick the slot (ids such as id0000012345 differ at the end). */
static uint64_t str_hash(const char *s, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    memcpy(&w, s + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h = (h << 31) | (h >> 33);
  }
  if (i < n) {
    w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

static uint64_t slot_entry(uint64_t h, size_t g) { return (h & 0xFFFFFFFF00000000ull) | (uint64_t)(g + 1); }

static int intern_rehash(fr_intern *t) {
  size_t cap = t->cap ? t->cap * 2 : 256, mask = cap - 1;
  uint64_t *slot = mlsh_calloc(cap, sizeof *slot);
  if (!slot) return -1;
  for (size_t g = 0; g < t->dict.n; g++) {
    size_t i = t->hash[g] & mask;
    while (slot[i]) i = (i + 1) & mask;
    slot[i] = slot_entry(t->hash[g], g);
  }
  mlsh_free(t->slot);
  t->slot = slot;
  t->cap = cap;
  return 0;
}

int32_t fr_intern_add(fr_intern *t, const char *s, size_t n, uint64_t h) {
  if (t->dict.failed || (2 * (t->dict.n + 1) > t->cap && intern_rehash(t))) return -1;
  size_t mask = t->cap - 1, i = h & mask;
  /* The slot holds half of the hash: most misses end there. */
  for (uint64_t tag = h & 0xFFFFFFFF00000000ull; t->slot[i]; i = (i + 1) & mask) {
    if ((t->slot[i] & 0xFFFFFFFF00000000ull) != tag) continue;
    size_t g = (size_t)(uint32_t)t->slot[i] - 1, len = (size_t)(t->dict.offsets[g + 1] - t->dict.offsets[g]);
    if (len == n && memcmp((const char *)t->dict.data + t->dict.offsets[g], s, n) == 0) return (int32_t)g;
  }
  if (t->dict.n >= INT32_MAX || mlsh_grow(&t->hash, &t->hcap, t->dict.n + 1, sizeof *t->hash)) return -1;
  t->hash[t->dict.n] = h;
  t->slot[i] = slot_entry(h, t->dict.n);
  col_builder_string(&t->dict, s, n);
  return t->dict.failed ? -1 : (int32_t)t->dict.n - 1;
}

/* ---- one chunk ------------------------------------------------------------ */

/* A string field into a builder (or its code in t, h its hash when the
 * field has no doubled quotes), doubled quotes undone through scratch. */
static void push_string(col_builder *b, fr_intern *t, uint64_t h, const fr_field *f, char **scratch, size_t *scap) {
  const char *s = f->p;
  size_t n = f->len;
  if (f->escaped) {
    if (mlsh_grow(scratch, scap, f->len, 1)) { b->failed = 1; return; }
    n = 0;
    for (size_t i = 0; i < f->len; i++) {
      (*scratch)[n++] = f->p[i];
      if (f->p[i] == '"') i++;
    }
    s = *scratch;
    h = str_hash(s, n);
  }
  if (!t) { col_builder_string(b, s, n); return; }
  if (b->failed) return;
  int32_t g = fr_intern_add(t, s, n, h);
  if (g < 0) b->failed = 1;
  else col_builder_int32(b, g);
}

/* Field f as type t into b; 0 when it does not fit (NA pushed instead). */
static int push_value(const fr_ctx *c, fr_type t, col_builder *b, const fr_field *f) {
  union { uint8_t b; int64_t i; double d; int32_t days; } v;
  const char *s = f->p;
  size_t n = f->len;
  int ok;
  switch (t) {
  case FR_LGL: ok = fv_logical(s, n, &v.b); if (ok) col_builder_logical(b, v.b); break;
  case FR_INT: ok = fv_int64(s, n, &c->num, &v.i); if (ok) col_builder_int64(b, v.i); break;
  case FR_DBL: ok = fv_double(s, n, &c->num, &v.d); if (ok) col_builder_double(b, v.d); break;
  case FR_DATE: ok = fv_date(s, n, &v.days); if (ok) col_builder_int32(b, v.days); break;
  case FR_DMY: case FR_MDY: ok = fv_date_dm(s, n, t == FR_MDY, &v.days); if (ok) col_builder_int32(b, v.days); break;
  case FR_DTM: ok = fv_datetime(s, n, &v.d); if (ok) col_builder_double(b, v.d); break;
  default: ok = 0;
  }
  if (!ok) col_builder_na(b);
  return ok;
}

enum { BATCH = 64 };   /* rows tokenized before they are stored */

typedef struct {
  fr_field *f;          /* BATCH rows of ncol fields */
  size_t nf[BATCH];
  uint64_t *h;          /* BATCH rows of nout hashes (interned columns) */
  char *scratch;
  size_t scap;
} row_state;

/* The hashes of the interned columns' fields of a batch, and their slots
 * (then the offsets they point to) fetched ahead: the tables of columns
 * with many distinct values do not fit the caches. */
static void hash_batch(const fr_ctx *c, fr_chunk *k, row_state *rs, size_t rows) {
  for (size_t j = 0; j < c->nout; j++) {
    if (!c->active[j] || !c->interned[j]) continue;
    const fr_intern *t = &k->intern[j];
    size_t s = c->src[j], mask = t->cap ? t->cap - 1 : 0;
    for (size_t r = 0; r < rows; r++) {
      const fr_field *f = &rs->f[r * c->ncol + s];
      if (s >= rs->nf[r] || f->escaped) continue;
      uint64_t h = rs->h[r * c->nout + j] = str_hash(f->p, f->len);
      if (t->cap) __builtin_prefetch(&t->slot[h & mask]);
    }
    for (size_t r = 0; t->cap && r < rows; r++) {
      const fr_field *f = &rs->f[r * c->ncol + s];
      if (s >= rs->nf[r] || f->escaped) continue;
      uint64_t e = t->slot[rs->h[r * c->nout + j] & mask];
      if (e) __builtin_prefetch(&t->dict.offsets[(uint32_t)e - 1]);
    }
  }
}

/* The fields of row r of the batch into the chunk's active builders. */
static void store_row(const fr_ctx *c, fr_chunk *k, row_state *rs, size_t r) {
  size_t nf = rs->nf[r];
  const fr_field *row = &rs->f[r * c->ncol];
  for (size_t j = 0; j < c->nout; j++) {
    if (!c->active[j]) continue;
    col_builder *b = &k->b[j];
    size_t s = c->src[j];
    const fr_field *f = &row[s];
    fr_type t = c->type[j];
    /* Padded by fill, an NA string (unquoted: "NA" is text, as in fread),
     * or empty outside a string column. */
    if (s >= nf || (!f->quoted && fr_is_na(c, f)) || (f->len == 0 && t != FR_STR)) { col_builder_na(b); continue; }
    if (t == FR_STR) {
      push_string(b, c->interned[j] ? &k->intern[j] : NULL, rs->h[r * c->nout + j], f, &rs->scratch, &rs->scap);
      continue;
    }
    if (!f->escaped && push_value(c, t, b, f)) { k->seen[j] = 1; continue; }
    if (f->escaped) col_builder_na(b);   /* a failed push_value pushed its NA */
    k->misfit[j] &= f->escaped ? 0 : fv_classify(f->p, f->len, &c->num);
    if (!k->misfit_at[j]) k->misfit_at[j] = f->p;
  }
}

/* Up to BATCH rows from *pp into rs (a fault stops it); how many. */
static size_t read_batch(const fr_ctx *c, fr_chunk *k, row_state *rs, const char **pp, size_t want) {
  size_t rows = 0;
  while (rows < want && *pp < k->end) {
    const char *row = *pp;
    size_t nf = 0;
    int t = fr_next_row(c, pp, &rs->f[rows * c->ncol], c->ncol, &nf);
    if (t == FR_BLANK) continue;
    if (t == FR_END) break;
    if (t != FR_ROW) { k->fault.kind = t; k->fault.at = *pp; k->fault.nfield = nf; break; }
    if (nf != c->ncol && !(c->fill && nf < c->ncol)) {
      k->fault.kind = FR_RAGGED; k->fault.at = row; k->fault.nfield = nf;
      break;
    }
    rs->nf[rows++] = nf;
  }
  return rows;
}

void fr_parse_chunk(const fr_ctx *c, fr_chunk *k) {
  row_state rs = {mlsh_malloc_array(BATCH * (c->ncol ? c->ncol : 1), sizeof(fr_field)), {0},
                  mlsh_calloc(BATCH * (c->nout ? c->nout : 1), sizeof(uint64_t)), NULL, 0};
  const char *p = k->begin;
  k->nrow = 0;
  k->rc = rs.f && rs.h ? MLSH_OK : MLSH_ENOMEM;
  while (!k->rc && !k->fault.kind && p < k->end && k->nrow < c->limit) {
    size_t want = c->limit - k->nrow < BATCH ? c->limit - k->nrow : BATCH;
    size_t rows = read_batch(c, k, &rs, &p, want);
    if (rows == 0) break;
    hash_batch(c, k, &rs, rows);
    for (size_t r = 0; r < rows; r++) store_row(c, k, &rs, r);
    k->nrow += rows;
    if ((k->nrow & 4095) < BATCH && mlsh_interrupted()) k->rc = MLSH_EINTR;
  }
  k->stop = p;
  mlsh_free(rs.f);
  mlsh_free(rs.h);
  mlsh_free(rs.scratch);
  for (size_t j = 0; j < c->nout && !k->rc; j++)
    if (c->active[j] && (k->b[j].failed || (c->interned[j] && k->intern[j].dict.failed))) k->rc = MLSH_ENOMEM;
}
