/* fread.c - the CSV reader's driver: find the rows, sniff the layout,
 * split the text into chunks at row starts, guess the types on a sample,
 * parse the chunks on threads, re-read the columns whose type was too
 * narrow, and report the first fault with its line (see fread.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "fread_impl.h"
#include "fread_load.h"
#include "fread_build.h"
#include "colnames.h"
#include "../core/alloc.h"
#include "../core/threads.h"

void fread_defaults(fread_options *o) {
  memset(o, 0, sizeof *o);
  o->header = -1;
  o->nrows = (size_t)-1;
  o->progress = 1;
}

static const char *const default_na[] = {"NA"};

typedef struct {
  fr_ctx c;
  const fread_options *o;
  const char *data;            /* the first data row */
  int header, nthreads;
  char **names, **given;       /* ncol each */
  int *cat;                    /* per output column: FREAD_STR_* */
  fr_chunk *chunks;
  size_t nchunks;
  size_t done, shown;          /* progress: bytes parsed, percent drawn */
  int show_progress;
} fr_job;

static int nomem(mlsh_err *err) { return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }

/* The next non-blank row from *pp; *row is where it starts. */
static int next_row(const fr_ctx *c, const char **pp, const char **row, fr_field *f, size_t cap, size_t *nf) {
  int t;
  do { *row = *pp; *nf = 0; t = fr_next_row(c, pp, f, cap, nf); } while (t == FR_BLANK);
  return t;
}

static int fault_error(const fr_job *j, const fr_fault *ft, mlsh_err *err) {
  size_t line = fr_line_of(j->c.buf, ft->at);
  if (ft->kind == FR_EQUOTE)
    return mlsh_seterr(err, MLSH_EIO, "line %zu, column %zu: unterminated quoted field (truncated file?)", line, ft->nfield + 1);
  if (ft->kind == FR_EAFTER)
    return mlsh_seterr(err, MLSH_EIO, "line %zu, column %zu: characters after a closing quote", line, ft->nfield + 1);
  return mlsh_seterr(err, MLSH_EIO, "line %zu has %zu fields, expected %zu (as in the %s)%s", line, ft->nfield,
                     j->c.ncol, j->header ? "header" : "first row",
                     ft->nfield < j->c.ncol && !j->c.fill ? "; fill = true pads short rows with NA" : "");
}

/* ---- the first rows: width, header, names, decimal mark ----------------- */

/* The first row is a header when it holds no typed value (number, date,
 * logical) and some text, or when a text cell has a typed value below. */
static int sniff_header(const fr_ctx *c, const fr_field *f1, size_t n1, const fr_field *f2, size_t n2) {
  size_t text = 0;
  for (size_t k = 0; k < n1; k++) {
    if (f1[k].len == 0) continue;
    if (!f1[k].escaped && fv_classify(f1[k].p, f1[k].len, &c->num)) return 0;
    text++;
    if (n2 == n1 && f2[k].len && !f2[k].escaped && !fr_is_na(c, &f2[k]) && fv_classify(f2[k].p, f2[k].len, &c->num))
      return 1;
  }
  return text > 0;
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* digits, one mark, digits (and an optional sign). */
static int decimal_with(const fr_field *f, char mark) {
  size_t i = f->len && (f->p[0] == '-' || f->p[0] == '+'), a = i;
  while (i < f->len && is_digit(f->p[i])) i++;
  if (i == a || i >= f->len || f->p[i] != mark) return 0;
  size_t b = ++i;
  while (i < f->len && is_digit(f->p[i])) i++;
  return i == f->len && i > b;
}

/* ',' when more fields of the first rows have a decimal comma than a point. */
static char sniff_dec(const fr_ctx *c, const char *p, fr_field *f) {
  size_t comma = 0, point = 0, nf;
  const char *row;
  for (int r = 0; r < 1000 && next_row(c, &p, &row, f, c->ncol, &nf) == FR_ROW; r++)
    for (size_t k = 0; k < nf && k < c->ncol; k++) {
      comma += decimal_with(&f[k], ',');
      point += decimal_with(&f[k], '.');
    }
  return comma > point ? ',' : '.';
}

/* The text of a field (its quotes undone) as a new string. */
static char *field_text(const fr_field *f) {
  char *s = mlsh_malloc(f->len + 1);
  size_t n = 0;
  if (!s) return NULL;
  for (size_t i = 0; i < f->len; i++) {
    s[n++] = f->p[i];
    if (f->escaped && f->p[i] == '"') i++;
  }
  s[n] = 0;
  return s;
}

static int make_names(fr_job *j, const fr_field *f, size_t nf, mlsh_err *err) {
  size_t n = j->c.ncol;
  j->names = mlsh_calloc(n ? n : 1, sizeof *j->names);
  j->given = mlsh_calloc(n ? n : 1, sizeof *j->given);
  if (!j->names || !j->given) return nomem(err);
  for (size_t k = 0; k < n; k++) {
    char v[32];
    snprintf(v, sizeof v, "V%zu", k + 1);
    fr_field fv = {v, strlen(v), 0, 0};
    if (!(j->names[k] = field_text(j->header && k < nf ? &f[k] : &fv))) return nomem(err);
  }
  return j->header && colnames_unique(j->names, j->given, n) ? nomem(err) : MLSH_OK;
}

/* Width (the widest of the first rows with fill), header, names, dec. */
static int read_layout(fr_job *j, const char *first, mlsh_err *err) {
  fr_ctx *c = &j->c;
  const char *p = first, *row;
  size_t n1 = 0, n2 = 0;
  int t = next_row(c, &p, &row, NULL, 0, &n1);
  if (t == FR_END) return mlsh_seterr(err, MLSH_EIO, "no data (empty file)");
  fr_fault ft = {t == FR_ROW ? 0 : t, row, n1};
  c->ncol = n1;
  if (t != FR_ROW) { ft.at = p; return fault_error(j, &ft, err); }
  fr_field *f1 = mlsh_malloc_array(n1, sizeof *f1), *f2 = mlsh_malloc_array(n1, sizeof *f2);
  int rc = f1 && f2 ? MLSH_OK : nomem(err);
  if (!rc) {
    p = first;
    next_row(c, &p, &row, f1, n1, &n1);
    const char *after = p;
    if (next_row(c, &p, &row, f2, n1, &n2) != FR_ROW) n2 = 0;
    j->header = j->o->header >= 0 ? j->o->header : sniff_header(c, f1, n1, f2, n2);
    j->data = j->header ? after : first;
    if (c->fill) {   /* the widest of the first rows */
      size_t nf;
      p = j->data;
      for (int r = 0; r < 1000 && next_row(c, &p, &row, NULL, 0, &nf) == FR_ROW; r++)
        if (nf > c->ncol) c->ncol = nf;
    }
    rc = make_names(j, f1, n1, err);
  }
  if (!rc && !j->o->dec && !j->o->thousands && c->sep != ',') {
    fr_field *f = mlsh_realloc(f2, (c->ncol ? c->ncol : 1) * sizeof *f);
    if (f) { f2 = f; c->num.dec = sniff_dec(c, j->data, f); }
    else rc = nomem(err);
  }
  mlsh_free(f1);
  mlsh_free(f2);
  return rc;
}

/* ---- columns: selection and given types --------------------------------- */

static long find_name(const fr_job *j, const char *name) {
  for (size_t k = 0; k < j->c.ncol; k++)
    if (strcmp(j->names[k], name) == 0) return (long)k;
  return -1;
}

static int unknown_column(const fr_job *j, const char *what, const char *name, mlsh_err *err) {
  char list[256] = "";
  size_t used = 0;
  for (size_t k = 0; k < j->c.ncol && used + 8 < sizeof list; k++) {
    int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", j->names[k]);
    if (w < 0 || (size_t)w >= sizeof list - used) { snprintf(list + used, sizeof list - used, ", ..."); break; }
    used += (size_t)w;
  }
  return mlsh_seterr(err, MLSH_EINVAL, "%s: unknown column '%s' (the file has: %s)", what, name, list);
}

static int setup_columns(fr_job *j, mlsh_err *err) {
  fr_ctx *c = &j->c;
  const fread_options *o = j->o;
  c->nout = o->select ? o->nselect : c->ncol;
  size_t n = c->nout ? c->nout : 1;
  c->src = mlsh_calloc(n, sizeof *c->src);
  c->type = mlsh_calloc(n, sizeof *c->type);
  c->fixed = mlsh_calloc(n, sizeof *c->fixed);
  c->active = mlsh_calloc(n, sizeof *c->active);
  c->interned = mlsh_calloc(n, sizeof *c->interned);
  j->cat = mlsh_calloc(n, sizeof *j->cat);
  if (!c->src || !c->type || !c->fixed || !c->active || !c->interned || !j->cat) return nomem(err);
  for (size_t k = 0; k < c->nout; k++) {
    long s = o->select ? find_name(j, o->select[k]) : (long)k;
    if (s < 0) return unknown_column(j, "option 'select'", o->select[k], err);
    for (size_t q = 0; q < k; q++)
      if (c->src[q] == (size_t)s) return mlsh_seterr(err, MLSH_EINVAL, "option 'select': column '%s' is named twice", o->select[k]);
    c->src[k] = (size_t)s;
    j->cat[k] = o->strings;
  }
  for (size_t t = 0; t < o->ntypes; t++) {
    long s = find_name(j, o->type_cols[t]);
    if (s < 0) return unknown_column(j, "option 'types'", o->type_cols[t], err);
    for (size_t k = 0; k < c->nout; k++) {
      if (c->src[k] != (size_t)s) continue;
      static const fr_type of[] = {FR_DBL, FR_INT, FR_LGL, FR_STR, FR_STR, FR_DATE, FR_DTM};
      c->type[k] = of[o->type_vals[t]];
      c->fixed[k] = 1 + (o->type_vals[t] == COL_DATE);   /* 2: date, its form from the sample */
      if (o->type_vals[t] == COL_STRING) j->cat[k] = FREAD_STR_STRING;
      if (o->type_vals[t] == COL_CATEGORICAL) j->cat[k] = FREAD_STR_CATEGORICAL;
    }
  }
  return MLSH_OK;
}

/* ---- chunks ----------------------------------------------------------------- */

typedef struct { const char *base; size_t len, n; size_t *quotes; } quote_job;

static int count_quotes(void *ctx, size_t begin, size_t end, int tid) {
  quote_job *q = ctx;
  for (size_t i = begin; i < end; i++) {
    const char *p = q->base + q->len * i / q->n, *e = q->base + q->len * (i + 1) / q->n;
    size_t k = 0;
    while ((p = memchr(p, '"', (size_t)(e - p)))) { k++; p++; }
    q->quotes[i] = k;
  }
  return 0;
}

/* The first row start after p, where an odd `inq` says p is inside quotes. */
static const char *row_start_after(const char *p, const char *end, int inq) {
  for (; p < end; p++) {
    if (*p == '"') inq = !inq;
    else if (!inq && (*p == '\n' || *p == '\r')) return fr_skip_line(p, end);
  }
  return end;
}

static void free_chunks(fr_job *j) {
  for (size_t i = 0; i < j->nchunks && j->chunks; i++) {
    fr_chunk *k = &j->chunks[i];
    for (size_t q = 0; k->b && q < j->c.nout; q++) col_builder_free(&k->b[q]);
    for (size_t q = 0; k->intern && q < j->c.nout; q++) fr_intern_free(&k->intern[q]);
    mlsh_free(k->b);
    mlsh_free(k->intern);
    mlsh_free(k->misfit);
    mlsh_free(k->misfit_at);
    mlsh_free(k->seen);
  }
  mlsh_free(j->chunks);
  j->chunks = NULL;
  j->nchunks = 0;
}

static int make_chunks(fr_job *j, size_t n, mlsh_err *err) {
  const char *begin = j->data, *end = j->c.end;
  size_t len = (size_t)(end - begin);
  size_t *quotes = n > 1 ? mlsh_calloc(n, sizeof *quotes) : NULL;
  j->chunks = mlsh_calloc(n, sizeof *j->chunks);
  if (!j->chunks || (n > 1 && !quotes)) { mlsh_free(quotes); return nomem(err); }
  j->nchunks = n;
  if (n > 1) {
    quote_job q = {begin, len, n, quotes};
    mlsh_parallel_for(n, j->nthreads, 1, count_quotes, &q);
  }
  size_t parity = 0;
  const char *start = begin;
  for (size_t i = 0; i < n; i++) {
    fr_chunk *k = &j->chunks[i];
    k->begin = start;
    if (i + 1 < n) {
      parity += quotes[i];
      const char *raw = begin + len * (i + 1) / n;
      start = row_start_after(raw > start ? raw : start, end, (int)(parity & 1));
    } else {
      start = end;
    }
    k->end = start;
    size_t m = j->c.nout ? j->c.nout : 1;
    k->b = mlsh_calloc(m, sizeof *k->b);
    k->intern = mlsh_calloc(m, sizeof *k->intern);
    k->misfit = mlsh_calloc(m, sizeof *k->misfit);
    k->misfit_at = mlsh_calloc(m, sizeof *k->misfit_at);
    k->seen = mlsh_calloc(m, 1);
    if (!k->b || !k->intern || !k->misfit || !k->misfit_at || !k->seen) { mlsh_free(quotes); return nomem(err); }
  }
  mlsh_free(quotes);
  return MLSH_OK;
}

/* ---- types from a sample ------------------------------------------------------ */

static int guess_types(fr_job *j, mlsh_err *err) {
  fr_ctx *c = &j->c;
  unsigned *mask = mlsh_malloc_array(c->ncol ? c->ncol : 1, sizeof *mask);
  if (!mask) return nomem(err);
  for (size_t k = 0; k < c->ncol; k++) mask[k] = FV_ALL;
  size_t rows = j->nchunks > 1 ? 200 : 1000;
  for (size_t i = 0; i < j->nchunks; i++) fr_sample(c, j->chunks[i].begin, rows, mask);
  for (size_t k = 0; k < c->nout; k++) {
    unsigned m = mask[c->src[k]];
    if (!c->fixed[k]) c->type[k] = fr_type_of_mask(m);
    else if (c->fixed[k] == 2) c->type[k] = !(m & FV_DATE) && (m & FV_DMY) && !(m & FV_MDY) ? FR_DMY
                                          : !(m & FV_DATE) && (m & FV_MDY) && !(m & FV_DMY) ? FR_MDY : FR_DATE;
    c->active[k] = 1;
  }
  mlsh_free(mask);
  return MLSH_OK;
}

/* ---- the parse ------------------------------------------------------------------ */

static void draw_progress(fr_job *j, size_t bytes) {
  size_t total = (size_t)(j->c.end - j->data);
  size_t done = __atomic_add_fetch(&j->done, bytes, __ATOMIC_RELAXED);
  size_t pct = total ? done * 100 / total : 100, shown = __atomic_load_n(&j->shown, __ATOMIC_RELAXED);
  if (pct < shown + 2 && pct < 100) return;
  if (!__atomic_compare_exchange_n(&j->shown, &shown, pct, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return;
  char bar[41];
  memset(bar, ' ', 40);
  memset(bar, '=', pct * 40 / 100);
  bar[40] = 0;
  fprintf(stderr, "\rreading [%s] %3zu%%%s", bar, pct, pct >= 100 ? "\r\033[K" : "");
}

static int parse_range(void *ctx, size_t begin, size_t end, int tid) {
  fr_job *j = ctx;
  for (size_t i = begin; i < end; i++) {
    fr_parse_chunk(&j->c, &j->chunks[i]);
    if (j->show_progress) draw_progress(j, (size_t)(j->chunks[i].end - j->chunks[i].begin));
  }
  return 0;
}

static int run_pass(fr_job *j, mlsh_err *err) {
  fr_ctx *c = &j->c;
  for (size_t q = 0; q < c->nout; q++) c->interned[q] = c->type[q] == FR_STR && j->cat[q] != FREAD_STR_STRING;
  for (size_t i = 0; i < j->nchunks; i++) {
    fr_chunk *k = &j->chunks[i];
    memset(&k->fault, 0, sizeof k->fault);
    for (size_t q = 0; q < c->nout; q++) {
      if (!c->active[q]) continue;
      col_builder_free(&k->b[q]);
      fr_intern_free(&k->intern[q]);
      /* an interned column's builder holds int32 codes (with their NA) */
      col_builder_init(&k->b[q], c->interned[q] ? COL_DATE : fr_col_type(c->type[q]));
      k->misfit[q] = FV_ALL;
      k->misfit_at[q] = NULL;
      k->seen[q] = 0;
    }
  }
  j->done = j->shown = 0;
  mlsh_parallel_dynamic(j->nchunks, j->nthreads, 1, parse_range, j);
  for (size_t i = 0; i < j->nchunks; i++)
    if (j->chunks[i].rc) return j->chunks[i].rc == MLSH_EINTR ? mlsh_seterr(err, MLSH_EINTR, "interrupted") : nomem(err);
  return MLSH_OK;
}

/* Each chunk's parse ended where the next begins: the split was at row
 * starts (a stray quote can fool the quote count; then one chunk). */
static int aligned(const fr_job *j) {
  for (size_t i = 0; i + 1 < j->nchunks; i++) {
    if (j->chunks[i].fault.kind) return 1;   /* reported in order below */
    if (j->chunks[i].stop != j->chunks[i + 1].begin) return 0;
  }
  return 1;
}

static int first_fault(const fr_job *j, mlsh_err *err) {
  for (size_t i = 0; i < j->nchunks; i++)
    if (j->chunks[i].fault.kind) return fault_error(j, &j->chunks[i].fault, err);
  return MLSH_OK;
}

static const char *const fr_type_names[] = {"logical", "integer", "double", "date", "date (d/m/Y)", "date (m/d/Y)", "datetime", "string"};

static int misfit_error(const fr_job *j, size_t q, const char *at, mlsh_err *err) {
  const fr_ctx *c = &j->c;
  size_t n = 0;
  while (at + n < c->end && n < 40 && at[n] != c->sep && at[n] != '"' && at[n] != '\n' && at[n] != '\r') n++;
  return mlsh_seterr(err, MLSH_EINVAL, "line %zu, column %zu ('%s'): \"%.*s\" cannot be read as %s",
                     fr_line_of(c->buf, at), c->src[q] + 1, j->names[c->src[q]], (int)n, at, fr_type_names[c->type[q]]);
}

/* Every value of a type-t column also reads as these. */
static unsigned wider_than(fr_type t) {
  static const unsigned up[] = {FV_LGL, FV_INT | FV_DBL, FV_DBL, FV_DATE | FV_DTM, FV_DMY, FV_MDY, FV_DTM, 0};
  return up[t];
}

/* Columns that met a value outside their type get the narrowest type
 * that holds every value, and are read again; 0 when none. */
static int retype(fr_job *j, int *again, mlsh_err *err) {
  fr_ctx *c = &j->c;
  *again = 0;
  for (size_t q = 0; q < c->nout; q++) {
    const char *at = NULL;
    unsigned m = FV_ALL;
    for (size_t i = 0; i < j->nchunks; i++) {
      if (!c->active[q]) continue;
      if (j->chunks[i].seen[q]) m &= wider_than(c->type[q]);
      if (!j->chunks[i].misfit_at[q]) continue;
      if (!at) at = j->chunks[i].misfit_at[q];
      m &= j->chunks[i].misfit[q];
    }
    c->active[q] = at != NULL;
    if (!at) continue;
    if (c->fixed[q]) return misfit_error(j, q, at, err);
    c->type[q] = fr_type_of_mask(m);
    *again = 1;
  }
  return MLSH_OK;
}

static int parse_all(fr_job *j, mlsh_err *err) {
  int rc = run_pass(j, err), again = 1;
  if (!rc && !aligned(j)) {   /* one chunk, and a sample from true row starts */
    free_chunks(j);
    if (!(rc = make_chunks(j, 1, err)) && !(rc = guess_types(j, err))) rc = run_pass(j, err);
  }
  if (!rc) rc = first_fault(j, err);
  for (int round = 0; !rc && again && round < 8; round++)
    if (!(rc = retype(j, &again, err)) && again) rc = run_pass(j, err);
  if (j->show_progress && j->shown < 100) fprintf(stderr, "\r\033[K");
  return rc;
}

/* ---- the whole read ----------------------------------------------------------------- */

static void job_free(fr_job *j) {
  free_chunks(j);
  for (size_t k = 0; j->names && k < j->c.ncol; k++) mlsh_free(j->names[k]);
  for (size_t k = 0; j->given && k < j->c.ncol; k++) mlsh_free(j->given[k]);
  mlsh_free(j->names);
  mlsh_free(j->given);
  mlsh_free(j->c.src);
  mlsh_free(j->c.type);
  mlsh_free(j->c.fixed);
  mlsh_free(j->c.active);
  mlsh_free(j->c.interned);
  mlsh_free((void *)j->c.nalen);
  mlsh_free(j->cat);
}

static int take_renamed(fr_job *j, fread_result *r, mlsh_err *err) {
  size_t n = 0;
  for (size_t k = 0; k < j->c.ncol; k++) n += j->given[k] != NULL;
  if (!n) return MLSH_OK;
  if (!(r->renamed = mlsh_calloc(n, sizeof *r->renamed))) return nomem(err);
  for (size_t k = 0; k < j->c.ncol; k++) {
    if (!j->given[k]) continue;
    fread_rename *e = &r->renamed[r->nrenamed++];
    e->column = k + 1;
    e->given = j->given[k];
    j->given[k] = NULL;
    size_t len = strlen(j->names[k]);
    if (!(e->name = mlsh_malloc(len + 1))) return nomem(err);
    memcpy(e->name, j->names[k], len + 1);
  }
  return MLSH_OK;
}

static size_t chunk_count(const fr_job *j) {
  size_t len = (size_t)(j->c.end - j->data), n = 1;
  if (j->o->nrows != (size_t)-1) return 1;
  if (j->o->chunk_bytes) return len / j->o->chunk_bytes + 1;
  if (j->nthreads < 2 || len < (1u << 20)) return 1;
  /* Few chunks: each one's distinct strings are merged at the end. */
  n = (size_t)j->nthreads * 4;
  if (len / (256u << 20) > n) n = len / (256u << 20);
  return n;
}

static int read_text(const char *buf, size_t len, const fread_options *o, fread_result *r, mlsh_err *err) {
  fr_job j;
  memset(&j, 0, sizeof j);
  j.o = o;
  j.c.buf = buf;
  j.c.end = buf + len;
  j.c.comment = o->comment;
  /* With a thousands separator and no dec, the decimal mark is the other one. */
  j.c.num.dec = o->dec ? o->dec : o->thousands == '.' ? ',' : '.';
  j.c.num.thousands = o->thousands;
  j.c.fill = o->fill;
  j.c.na = o->na ? o->na : default_na;
  j.c.nna = o->na ? o->nna : 1;
  size_t *nalen = mlsh_malloc_array(j.c.nna ? j.c.nna : 1, sizeof *nalen);
  if (!nalen) return nomem(err);
  for (size_t k = 0; k < j.c.nna; k++) {
    nalen[k] = strlen(j.c.na[k]);
    if (nalen[k] > j.c.namax) j.c.namax = nalen[k];
    j.c.na_first[(unsigned char)j.c.na[k][0]] = 1;
  }
  j.c.nalen = nalen;
  j.c.limit = o->nrows;
  j.nthreads = mlsh_threads_resolve(o->nthreads);
  const char *p = buf, *end = buf + len;
  if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
  for (size_t s = 0; s < o->skip && p < end; s++) p = fr_skip_line(p, end);
  while (p < end && (*p == '\n' || *p == '\r' || (o->comment && *p == o->comment))) p = fr_skip_line(p, end);
  j.c.sep = o->sep ? o->sep : fread_sniff_sep(p, (size_t)(end - p) < (1u << 16) ? (size_t)(end - p) : (1u << 16));
  int rc = read_layout(&j, p, err);
  if (!rc) rc = setup_columns(&j, err);
  if (!rc) rc = make_chunks(&j, chunk_count(&j), err);
  j.show_progress = o->progress && len > (100u << 20) && isatty(2);
  if (!rc) rc = guess_types(&j, err);
  if (!rc) rc = parse_all(&j, err);
  const char **names = rc ? NULL : mlsh_malloc_array(j.c.nout ? j.c.nout : 1, sizeof *names);
  if (!rc && !names) rc = nomem(err);
  for (size_t q = 0; !rc && q < j.c.nout; q++) names[q] = j.names[j.c.src[q]];
  if (!rc) {
    fr_build b = {j.chunks, j.nchunks, j.c.nout, j.c.type, j.c.interned, j.cat, names, j.nthreads};
    rc = fr_build_frame(&b, &r->frame, err);
  }
  if (!rc) rc = take_renamed(&j, r, err);
  mlsh_free(names);
  job_free(&j);
  return rc;
}

static int utf8_name(const char *e) {
  return !e || !strcasecmp(e, "UTF-8") || !strcasecmp(e, "UTF8");
}

int fread_mem(const char *buf, size_t len, const fread_options *o, fread_result *r, mlsh_err *err) {
  fread_options def;
  if (!o) { fread_defaults(&def); o = &def; }
  memset(r, 0, sizeof *r);
  char *conv = NULL;
  int rc;
  if (!utf8_name(o->encoding)) {
    if (!(rc = fr_convert(buf, len, o->encoding, &conv, &len, err))) buf = conv ? conv : "";
  } else {
    rc = fr_check_bytes(buf, len, mlsh_threads_resolve(o->nthreads), err);
  }
  if (!rc) rc = read_text(buf, len, o, r, err);
  mlsh_free(conv);
  if (rc) fread_result_free(r);
  return rc;
}

int fread_file(const char *path, const fread_options *o, fread_result *r, mlsh_err *err) {
  fr_input in;
  memset(r, 0, sizeof *r);
  int rc = fr_input_open(path, &in, err);
  if (rc) return rc;
  rc = fread_mem(in.data, in.len, o, r, err);
  fr_input_close(&in);
  if (rc && rc != MLSH_ENOMEM && rc != MLSH_EINTR) mlsh_err_prefix(err, path);
  return rc;
}

void fread_result_free(fread_result *r) {
  frame_free(r->frame);
  for (size_t i = 0; i < r->nrenamed; i++) { mlsh_free(r->renamed[i].given); mlsh_free(r->renamed[i].name); }
  mlsh_free(r->renamed);
  memset(r, 0, sizeof *r);
}
