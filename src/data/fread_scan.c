/* fread_scan.c - the CSV reader's tokenizer and its per-chunk parse into
 * column builders (see fread.h for the rules). */
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

static uint64_t str_hash(const char *s, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    memcpy(&w, s + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (i < n) {
    w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  }
  return h ^ (h >> 29);
}

static int intern_rehash(fr_intern *t) {
  size_t cap = t->cap ? t->cap * 2 : 256, mask = cap - 1;
  int32_t *slot = mlsh_calloc(cap, sizeof *slot);
  if (!slot) return -1;
  for (size_t g = 0; g < t->dict.n; g++) {
    size_t i = t->hash[g] & mask;
    while (slot[i]) i = (i + 1) & mask;
    slot[i] = (int32_t)g + 1;
  }
  mlsh_free(t->slot);
  t->slot = slot;
  t->cap = cap;
  return 0;
}

/* The code of s in t (added when new) into codes. */
static void intern_push(fr_intern *t, col_builder *codes, const char *s, size_t n) {
  if (t->dict.failed || codes->failed) return;
  if (2 * (t->dict.n + 1) > t->cap && intern_rehash(t)) { codes->failed = 1; return; }
  uint64_t h = str_hash(s, n);
  size_t mask = t->cap - 1, i = h & mask;
  for (; t->slot[i]; i = (i + 1) & mask) {
    size_t g = (size_t)t->slot[i] - 1, len = (size_t)(t->dict.offsets[g + 1] - t->dict.offsets[g]);
    if (t->hash[g] == h && len == n && memcmp((const char *)t->dict.data + t->dict.offsets[g], s, n) == 0) {
      col_builder_int32(codes, (int32_t)g);
      return;
    }
  }
  if (mlsh_grow(&t->hash, &t->hcap, t->dict.n + 1, sizeof *t->hash)) { codes->failed = 1; return; }
  t->hash[t->dict.n] = h;
  t->slot[i] = (int32_t)t->dict.n + 1;
  col_builder_int32(codes, (int32_t)t->dict.n);
  col_builder_string(&t->dict, s, n);
}

/* ---- one chunk ------------------------------------------------------------ */

/* A string field into a builder (or its code, with t), doubled quotes
 * undone through scratch. */
static void push_string(col_builder *b, fr_intern *t, const fr_field *f, char **scratch, size_t *scap) {
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
  }
  if (t) intern_push(t, b, s, n);
  else col_builder_string(b, s, n);
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

typedef struct {
  fr_field *f;
  char *scratch;
  size_t scap;
} row_state;

/* The fields of one row into the chunk's active builders. */
static void store_row(const fr_ctx *c, fr_chunk *k, row_state *rs, size_t nf) {
  for (size_t j = 0; j < c->nout; j++) {
    if (!c->active[j]) continue;
    col_builder *b = &k->b[j];
    size_t s = c->src[j];
    const fr_field *f = &rs->f[s];
    fr_type t = c->type[j];
    /* Padded by fill, an NA string (unquoted: "NA" is text, as in fread),
     * or empty outside a string column. */
    if (s >= nf || (!f->quoted && fr_is_na(c, f)) || (f->len == 0 && t != FR_STR)) { col_builder_na(b); continue; }
    if (t == FR_STR) { push_string(b, c->interned[j] ? &k->intern[j] : NULL, f, &rs->scratch, &rs->scap); continue; }
    if (!f->escaped && push_value(c, t, b, f)) { k->seen[j] = 1; continue; }
    if (f->escaped) col_builder_na(b);   /* a failed push_value pushed its NA */
    k->misfit[j] &= f->escaped ? 0 : fv_classify(f->p, f->len, &c->num);
    if (!k->misfit_at[j]) k->misfit_at[j] = f->p;
  }
}

void fr_parse_chunk(const fr_ctx *c, fr_chunk *k) {
  row_state rs = {mlsh_malloc_array(c->ncol ? c->ncol : 1, sizeof(fr_field)), NULL, 0};
  const char *p = k->begin;
  k->nrow = 0;
  k->rc = MLSH_OK;
  if (!rs.f) { k->rc = MLSH_ENOMEM; return; }
  while (p < k->end && k->nrow < c->limit) {
    const char *row = p;
    size_t nf = 0;
    int t = fr_next_row(c, &p, rs.f, c->ncol, &nf);
    if (t == FR_BLANK) continue;
    if (t == FR_END) break;
    if (t != FR_ROW) { k->fault.kind = t; k->fault.at = p; k->fault.nfield = nf; break; }
    if (nf != c->ncol && !(c->fill && nf < c->ncol)) {
      k->fault.kind = FR_RAGGED; k->fault.at = row; k->fault.nfield = nf;
      break;
    }
    store_row(c, k, &rs, nf);
    if ((++k->nrow & 4095) == 0 && mlsh_interrupted()) { k->rc = MLSH_EINTR; break; }
  }
  k->stop = p;
  mlsh_free(rs.f);
  mlsh_free(rs.scratch);
  for (size_t j = 0; j < c->nout && !k->rc; j++)
    if (c->active[j] && (k->b[j].failed || (c->interned[j] && k->intern[j].dict.failed))) k->rc = MLSH_ENOMEM;
}
