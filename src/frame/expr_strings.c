/* expr_strings.c - string functions over string and categorical values
 * (a factor by its labels): lower upper trim (ASCII letters and blanks),
 * contains starts_with ends_with replace (fixed text, not patterns),
 * nchar substr (in UTF-8 characters, as R's), paste paste0 (NA becomes
 * "NA", as R's paste). */
#include <string.h>
#include "expr_impl.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

enum { S_LOWER, S_UPPER, S_TRIM, S_CONTAINS, S_STARTS, S_ENDS, S_REPLACE, S_NCHAR, S_SUBSTR, S_PASTE, S_PASTE0 };

static int type_text(expr_ctx *cx, expr_node *n) {
  int code = n->fn->code;
  for (size_t k = 0; k < n->nargs; k++) {
    expr_node *a = n->args[k];
    int want_int = code == S_SUBSTR && k > 0;
    if (!a || a->kind == N_NA) continue;
    if (want_int && !expr_type_numeric(a->type)) return expr_arg_error(cx, n, k, "a number");
    if (!want_int && !expr_type_text(a->type)) return expr_arg_error(cx, n, k, "text (string or categorical)");
  }
  n->type = code <= S_TRIM || code == S_REPLACE || code == S_SUBSTR ? COL_STRING
          : code == S_NCHAR ? COL_INT64 : COL_LOGICAL;
  return 0;
}

static int type_paste(expr_ctx *cx, expr_node *n) {
  expr_node *sep = n->fn->code == S_PASTE ? n->args[n->i] : NULL;
  if (sep && sep->kind != N_STR) return expr_arg_error(cx, n, n->i, "a string literal");
  n->type = COL_STRING;
  return 0;
}

static size_t utf8_len(const char *s, size_t len) {
  size_t k = 0;
  for (size_t i = 0; i < len; i++) k += ((unsigned char)s[i] & 0xc0) != 0x80;
  return k;
}

/* Byte offset of character `ch` (0-based) in s, or len. */
static size_t utf8_offset(const char *s, size_t len, int64_t ch) {
  size_t i = 0;
  for (int64_t c = 0; i < len; i++) {
    if (((unsigned char)s[i] & 0xc0) != 0x80) {
      if (c == ch) return i;
      c++;
    }
  }
  return len;
}

static const char *find(const char *s, size_t len, const char *p, size_t plen) {
  if (plen == 0) return s;
  for (size_t i = 0; i + plen <= len; i++)
    if (s[i] == p[0] && !memcmp(s + i, p, plen)) return s + i;
  return NULL;
}

/* A character position; doubles are truncated and clamped (NaN as 0). */
static int64_t int_at(const mlsh_col *c, size_t i) {
  if (c->type == COL_INT64) return COL_I64(c)[i];
  if (c->type == COL_LOGICAL) return COL_LGL(c)[i];
  double x = COL_DBL(c)[i];
  return x != x ? 0 : x >= 9e18 ? (int64_t)9e18 : x <= -9e18 ? -(int64_t)9e18 : (int64_t)x;
}

/* The value of row i (no argument NA) pushed onto b. */
static void text_row(int code, expr_val *a, size_t i, col_builder *b) {
  size_t len, plen = 0, rlen = 0;
  const char *s = expr_text(a[0].c, a[0].shape == SH_SCALAR ? 0 : i, &len), *p = NULL, *r = NULL;
  if (a[1].c && code != S_SUBSTR) p = expr_text(a[1].c, a[1].shape == SH_SCALAR ? 0 : i, &plen);
  switch (code) {
  case S_LOWER: case S_UPPER: {
    col_builder_string(b, s, len);
    if (b->failed) return;
    char *o = (char *)b->data + b->offsets[b->n - 1];
    for (size_t k = 0; k < len; k++)
      if (code == S_LOWER && o[k] >= 'A' && o[k] <= 'Z') o[k] = (char)(o[k] + 32);
      else if (code == S_UPPER && o[k] >= 'a' && o[k] <= 'z') o[k] = (char)(o[k] - 32);
    return;
  }
  case S_TRIM: {
    size_t from = 0, to = len;
    while (from < to && strchr(" \t\r\n\f\v", s[from])) from++;
    while (to > from && strchr(" \t\r\n\f\v", s[to - 1])) to--;
    col_builder_string(b, s + from, to - from);
    return;
  }
  case S_CONTAINS: col_builder_logical(b, find(s, len, p, plen) != NULL); return;
  case S_STARTS: col_builder_logical(b, plen <= len && !memcmp(s, p, plen)); return;
  case S_ENDS: col_builder_logical(b, plen <= len && !memcmp(s + len - plen, p, plen)); return;
  case S_NCHAR: col_builder_int64(b, (int64_t)utf8_len(s, len)); return;
  case S_SUBSTR: {
    int64_t start = int_at(a[1].c, a[1].shape == SH_SCALAR ? 0 : i), stop = int_at(a[2].c, a[2].shape == SH_SCALAR ? 0 : i);
    if (start < 1) start = 1;
    if (stop < start) { col_builder_string(b, "", 0); return; }
    size_t from = utf8_offset(s, len, start - 1), to = utf8_offset(s, len, stop);
    col_builder_string(b, s + from, to - from);
    return;
  }
  default: break;
  }
  /* replace: every occurrence of p by r, left to right */
  r = expr_text(a[2].c, a[2].shape == SH_SCALAR ? 0 : i, &rlen);
  if (plen == 0) { col_builder_string(b, s, len); return; }
  size_t cap = len, used = 0;
  for (const char *q = s; (q = find(q, len - (size_t)(q - s), p, plen)); q += plen) cap += rlen;
  char *tmp = mlsh_malloc(cap + 1);
  if (!tmp) { b->failed = 1; return; }
  for (size_t k = 0; k < len;) {
    if (k + plen <= len && !memcmp(s + k, p, plen)) {
      memcpy(tmp + used, r, rlen), used += rlen, k += plen;
    } else tmp[used++] = s[k++];
  }
  col_builder_string(b, tmp, used);
  mlsh_free(tmp);
}

static int eval_text(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  expr_shape shape;
  int rc = expr_align(cx, a, n->nargs, &shape);
  if (rc) return rc;
  size_t m = expr_shape_len(cx, shape);
  col_builder b;
  col_builder_init(&b, n->type);
  for (size_t i = 0; i < m; i++) {
    int na = 0;
    for (size_t k = 0; k < n->nargs; k++)
      if (a[k].c && col_is_na(a[k].c, a[k].shape == SH_SCALAR ? 0 : i)) na = 1;
    if (na) col_builder_na(&b);
    else text_row(n->fn->code, a, i, &b);
    if (EXPR_POLL(i)) { col_builder_free(&b); return expr_intr(cx); }
  }
  out->shape = shape;
  return col_builder_finish(&b, NULL, 0, &out->c, cx->err);
}

static int eval_paste(expr_ctx *cx, expr_node *n, expr_val *a, expr_val *out) {
  size_t k = (size_t)n->i, slen = 1;
  const char *sep = n->fn->code == S_PASTE0 ? "" : " ";
  if (n->fn->code == S_PASTE0) slen = 0;
  else if (n->args[k]) sep = n->args[k]->str, slen = n->args[k]->len;
  expr_shape shape;
  int rc = expr_align(cx, a, k, &shape);
  if (rc) return rc;
  size_t m = expr_shape_len(cx, shape);
  col_builder b;
  col_builder_init(&b, COL_STRING);
  char *line = NULL;
  size_t cap = 0;
  for (size_t i = 0; i < m && !rc; i++) {
    size_t used = 0;
    for (size_t q = 0; q < k && !rc; q++) {
      char buf[64];
      size_t len = 2;
      const char *s = expr_format(a[q].c, a[q].shape == SH_SCALAR ? 0 : i, buf, &len);
      if (!s) s = "NA", len = 2;
      if (mlsh_grow(&line, &cap, used + len + slen + 1, 1)) rc = expr_nomem(cx);
      else {
        if (q) memcpy(line + used, sep, slen), used += slen;
        memcpy(line + used, s, len), used += len;
      }
    }
    if (!rc) col_builder_string(&b, line ? line : "", used);
    if (!rc && EXPR_POLL(i)) rc = expr_intr(cx);
  }
  mlsh_free(line);
  if (rc) return col_builder_free(&b), rc;
  out->shape = shape;
  return col_builder_finish(&b, NULL, 0, &out->c, cx->err);
}

const expr_func expr_string_funcs[] = {
  {"lower", FK_ELEM, 1, {"x"}, type_text, eval_text, S_LOWER},
  {"upper", FK_ELEM, 1, {"x"}, type_text, eval_text, S_UPPER},
  {"trim", FK_ELEM, 1, {"x"}, type_text, eval_text, S_TRIM},
  {"contains", FK_ELEM, 2, {"x", "pattern"}, type_text, eval_text, S_CONTAINS},
  {"starts_with", FK_ELEM, 2, {"x", "prefix"}, type_text, eval_text, S_STARTS},
  {"ends_with", FK_ELEM, 2, {"x", "suffix"}, type_text, eval_text, S_ENDS},
  {"replace", FK_ELEM, 3, {"x", "pattern", "replacement"}, type_text, eval_text, S_REPLACE},
  {"nchar", FK_ELEM, 1, {"x"}, type_text, eval_text, S_NCHAR},
  {"substr", FK_ELEM, 3, {"x", "start", "stop"}, type_text, eval_text, S_SUBSTR},
  {"paste", FK_ELEM, 1, {"...", "sep"}, type_paste, eval_paste, S_PASTE},
  {"paste0", FK_ELEM, 1, {"..."}, type_paste, eval_paste, S_PASTE0},
  {NULL, FK_ELEM, 0, {NULL}, NULL, NULL, 0}};
