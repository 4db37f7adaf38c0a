/* fread_build.c - columns and frame from the CSV reader's chunks (see
 * fread_build.h). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "fread_build.h"
#include "../core/alloc.h"
#include "../core/threads.h"

static int nomem(mlsh_err *err) { return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }

static void set_bit(uint8_t *v, size_t i) { v[i >> 3] |= (uint8_t)(1u << (i & 7)); }

/* The validity of k pieces one after the other (NULL when none has NA). */
static int join_valid(mlsh_col **p, size_t k, size_t n, uint8_t **out) {
  size_t any = 0, at = 0;
  *out = NULL;
  for (size_t i = 0; i < k; i++) any += p[i]->valid != NULL;
  if (!any) return 0;
  uint8_t *v = mlsh_calloc((n + 7) / 8 ? (n + 7) / 8 : 1, 1);
  if (!v) return -1;
  for (size_t i = 0; i < k; at += p[i++]->n)
    for (size_t r = 0; r < p[i]->n; r++)
      if (!col_is_na(p[i], r)) set_bit(v, at + r);
  *out = v;
  return 0;
}

/* k pieces of one type as one column (the pieces are released). */
static int join_pieces(mlsh_col **p, size_t k, mlsh_col **out) {
  if (k == 1) { *out = p[0]; p[0] = NULL; return 0; }
  size_t n = 0, bytes = 0, es = col_elem_size(p[0]->type);
  int str = p[0]->type == COL_STRING;
  for (size_t i = 0; i < k; i++) {
    n += p[i]->n;
    bytes += str ? (size_t)p[i]->offsets[p[i]->n] : p[i]->n * es;
  }
  mlsh_col *c = mlsh_calloc(1, sizeof *c);
  if (!c) return -1;
  c->refs = 1;
  c->type = p[0]->type;
  c->n = n;
  c->data = mlsh_malloc(bytes ? bytes : 1);
  if (str) c->offsets = mlsh_malloc_array(n + 1, sizeof *c->offsets);
  if (!c->data || (str && !c->offsets) || join_valid(p, k, n, &c->valid)) { col_unref(c); return -1; }
  size_t row = 0, at = 0;
  if (str) c->offsets[0] = 0;
  for (size_t i = 0; i < k; i++) {
    size_t b = str ? (size_t)p[i]->offsets[p[i]->n] : p[i]->n * es;
    if (b) memcpy((char *)c->data + at, p[i]->data, b);
    for (size_t r = 0; str && r < p[i]->n; r++) c->offsets[row + r + 1] = (int64_t)at + p[i]->offsets[r + 1];
    row += p[i]->n;
    at += b;
    col_unref(p[i]);
    p[i] = NULL;
  }
  *out = c;
  return 0;
}

/* Values of a string column by their bytes (a shorter prefix first). */
static int cmp_value(const void *a, const void *b, void *ctx) {
  const mlsh_col *s = ctx;
  size_t la, lb;
  const char *x = col_str(s, (size_t)*(const int64_t *)a, &la), *y = col_str(s, (size_t)*(const int64_t *)b, &lb);
  int c = memcmp(x, y, la < lb ? la : lb);
  return c ? c : (la > lb) - (la < lb);
}

/* The distinct values s in byte order, and the rank of each among them. */
static int sorted_levels(const mlsh_col *s, int32_t *rank, mlsh_col **levels, mlsh_err *err) {
  size_t ng = s->n;
  int64_t *order = mlsh_malloc_array(ng ? ng : 1, sizeof *order);
  if (!order) return nomem(err);
  for (size_t g = 0; g < ng; g++) order[g] = (int64_t)g;
  qsort_r(order, ng, sizeof *order, cmp_value, (void *)s);
  col_builder b;
  col_builder_init(&b, COL_STRING);
  for (size_t r = 0; r < ng; r++) {
    size_t len;
    const char *x = col_str(s, (size_t)order[r], &len);
    col_builder_string(&b, x, len);
    rank[order[r]] = (int32_t)r;
  }
  mlsh_free(order);
  return col_builder_finish(&b, NULL, 0, levels, err);
}

/* ---- the frame ---------------------------------------------------------------- */

typedef struct {
  const fr_build *b;
  mlsh_col **cols;
  int *rc;
  mlsh_err *errs;
} build_job;

/* The text of every row: dict[map[first[i] + code]] for the rows of chunk i. */
static int materialize(const mlsh_col *dict, const int32_t *map, const size_t *row, const size_t *first, size_t k,
                       const mlsh_col *codes, mlsh_col **out, mlsh_err *err) {
  col_builder s;
  col_builder_init(&s, COL_STRING);
  for (size_t i = 0; i < k; i++)
    for (size_t r = row[i]; r < row[i + 1]; r++) {
      size_t len;
      if (col_is_na(codes, r)) { col_builder_na(&s); continue; }
      const char *x = col_str(dict, (size_t)map[first[i] + (size_t)COL_I32(codes)[r]], &len);
      col_builder_string(&s, x, len);
    }
  return col_builder_finish(&s, NULL, 0, out, err);
}

typedef struct {
  mlsh_col *codes;             /* every chunk's codes, joined */
  size_t *row, *first;         /* per chunk + 1: its first row, its first distinct value */
  int32_t *map;                /* chunk value first[i] + c -> its index in the merged values */
  fr_intern all;               /* the distinct values of the whole column */
  mlsh_col *dict;              /* all.dict as a column */
} interned_parts;

static void parts_free(interned_parts *p) {
  col_unref(p->codes);
  col_unref(p->dict);
  mlsh_free(p->row);
  mlsh_free(p->first);
  mlsh_free(p->map);
  fr_intern_free(&p->all);
}

/* The chunks' codes joined, and their distinct values merged by the
 * hashes they were found with. */
static int merge_parts(const fr_build *b, size_t q, interned_parts *p, mlsh_err *err) {
  size_t k = b->nchunks;
  mlsh_col **pieces = mlsh_calloc(k, sizeof *pieces);
  p->row = mlsh_calloc(k + 1, sizeof *p->row);
  p->first = mlsh_calloc(k + 1, sizeof *p->first);
  fr_intern_init(&p->all);
  int rc = pieces && p->row && p->first ? MLSH_OK : nomem(err);
  for (size_t i = 0; !rc && i < k; i++) {
    p->first[i + 1] = p->first[i] + b->chunks[i].intern[q].dict.n;
    if (!(rc = col_builder_finish(&b->chunks[i].b[q], NULL, 0, &pieces[i], err)))
      p->row[i + 1] = p->row[i] + pieces[i]->n;
  }
  if (!rc && join_pieces(pieces, k, &p->codes)) rc = nomem(err);
  for (size_t i = 0; pieces && i < k; i++) col_unref(pieces[i]);
  mlsh_free(pieces);
  if (!rc && !(p->map = mlsh_malloc_array(p->first[k] ? p->first[k] : 1, sizeof *p->map))) rc = nomem(err);
  for (size_t i = 0; !rc && i < k; i++) {
    const fr_intern *t = &b->chunks[i].intern[q];
    for (size_t e = 0; !rc && e < t->dict.n; e++) {
      const char *s = (const char *)t->dict.data + t->dict.offsets[e];
      int32_t g = fr_intern_add(&p->all, s, (size_t)(t->dict.offsets[e + 1] - t->dict.offsets[e]), t->hash[e]);
      if (g < 0) rc = nomem(err);
      else p->map[p->first[i] + e] = g;
    }
  }
  if (!rc) rc = col_builder_finish(&p->all.dict, NULL, 0, &p->dict, err);
  return rc;
}

/* An interned string column: the chunks' distinct values merged, then a
 * categorical column with sorted levels when repetitive (or asked for),
 * else the strings. */
static int build_interned(const fr_build *b, size_t q, mlsh_col **out, mlsh_err *err) {
  size_t k = b->nchunks;
  interned_parts p;
  memset(&p, 0, sizeof p);
  int rc = merge_parts(b, q, &p, err);
  size_t n = rc ? 0 : p.row[k], ng = rc ? 0 : p.dict->n;
  if (!rc && !(b->cat[q] == FREAD_STR_CATEGORICAL || (n > 0 && ng <= n / 2))) {
    rc = materialize(p.dict, p.map, p.row, p.first, k, p.codes, out, err);
    parts_free(&p);
    return rc;
  }
  int32_t *rank = rc ? NULL : mlsh_malloc_array(ng ? ng : 1, sizeof *rank);
  mlsh_col *levels = NULL;
  if (!rc && !rank) rc = nomem(err);
  if (!rc) rc = sorted_levels(p.dict, rank, &levels, err);
  if (!rc) {
    int32_t *c = p.codes->data;
    for (size_t i = 0; i < k; i++)
      for (size_t r = p.row[i]; r < p.row[i + 1]; r++)
        c[r] = col_is_na(p.codes, r) ? 0 : rank[p.map[p.first[i] + (size_t)c[r]]];
    p.codes->type = COL_CATEGORICAL;
    p.codes->levels = levels;
    levels = NULL;
    *out = p.codes;
    p.codes = NULL;
  }
  col_unref(levels);
  mlsh_free(rank);
  parts_free(&p);
  return rc;
}

static int build_column(const fr_build *b, size_t q, mlsh_col **out, mlsh_err *err) {
  if (b->interned[q]) return build_interned(b, q, out, err);
  mlsh_col **p = mlsh_calloc(b->nchunks, sizeof *p);
  int rc = p ? MLSH_OK : nomem(err);
  for (size_t i = 0; !rc && i < b->nchunks; i++)
    rc = col_builder_finish(&b->chunks[i].b[q], NULL, 0, &p[i], err);
  if (!rc && join_pieces(p, b->nchunks, out)) rc = nomem(err);
  for (size_t i = 0; p && i < b->nchunks; i++) col_unref(p[i]);
  mlsh_free(p);
  return rc;
}

static int build_range(void *ctx, size_t begin, size_t end, int tid) {
  build_job *j = ctx;
  for (size_t q = begin; q < end; q++) j->rc[q] = build_column(j->b, q, &j->cols[q], &j->errs[q]);
  return 0;
}

int fr_build_frame(const fr_build *b, mlsh_frame **out, mlsh_err *err) {
  size_t m = b->ncol ? b->ncol : 1, nrow = 0;
  build_job j = {b, mlsh_calloc(m, sizeof(mlsh_col *)), mlsh_calloc(m, sizeof(int)), mlsh_calloc(m, sizeof(mlsh_err))};
  int rc = j.cols && j.rc && j.errs ? MLSH_OK : nomem(err);
  *out = NULL;
  for (size_t i = 0; i < b->nchunks; i++) nrow += b->chunks[i].nrow;
  if (!rc) mlsh_parallel_dynamic(b->ncol, b->nthreads, 1, build_range, &j);
  for (size_t q = 0; !rc && q < b->ncol; q++)
    if (j.rc[q]) { rc = j.rc[q]; *err = j.errs[q]; }
  if (!rc) rc = frame_new(nrow, out, err);
  for (size_t q = 0; !rc && q < b->ncol; q++) rc = frame_add(*out, b->names[q], j.cols[q], err);
  if (rc) { frame_free(*out); *out = NULL; }
  for (size_t q = 0; j.cols && q < b->ncol; q++) col_unref(j.cols[q]);
  mlsh_free(j.cols);
  mlsh_free(j.rc);
  mlsh_free(j.errs);
  return rc;
}
