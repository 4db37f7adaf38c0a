/* formula.c - parse R's formula syntax and expand it into terms as R's
 * terms.formula does. Operator precedence follows R's: ^ binds tightest,
 * then unary minus, :, * and /, binary + and -, and ~ last. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formula.h"
#include "../core/alloc.h"

typedef struct {
  const char *src, *fname;
  size_t pos, tok_pos;
  int tok;                 /* 'n' name, '#' number, 'e' end, else the character */
  char name[256];
  double num;
  mlsh_err *err;
  int failed;
} fx_parser;

static void fx_free(fx_node *e) {
  if (!e) return;
  fx_free(e->a);
  fx_free(e->b);
  for (size_t k = 0; k < e->nargs; k++) fx_free(e->args[k]);
  mlsh_free(e->args);
  mlsh_free(e->name);
  mlsh_free(e);
}

static void syntax(fx_parser *p, const char *what) {
  if (p->failed) return;
  p->failed = 1;
  mlsh_seterr(p->err, MLSH_EINVAL, "%s: formula '%s': %s at position %zu", p->fname, p->src, what, p->tok_pos + 1);
}

static void next(fx_parser *p) {
  const char *s = p->src;
  while (isspace((unsigned char)s[p->pos])) p->pos++;
  p->tok_pos = p->pos;
  char c = s[p->pos];
  if (!c) { p->tok = 'e'; return; }
  if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)s[p->pos + 1]))) {
    char *end;
    p->num = strtod(s + p->pos, &end);
    p->pos = (size_t)(end - s);
    p->tok = '#';
    return;
  }
  size_t len = 0;
  if (c == '`') {   /* a backquoted name: any characters up to the next backquote */
    const char *close = strchr(s + p->pos + 1, '`');
    if (!close) { syntax(p, "unterminated backquoted name"); p->tok = 'e'; return; }
    len = (size_t)(close - (s + p->pos + 1));
    if (len >= sizeof p->name) { syntax(p, "name too long"); p->tok = 'e'; return; }
    memcpy(p->name, s + p->pos + 1, len);
    p->pos += len + 2;
  } else if (isalpha((unsigned char)c) || c == '.' || c == '_') {
    while (isalnum((unsigned char)s[p->pos + len]) || s[p->pos + len] == '.' || s[p->pos + len] == '_') len++;
    if (len >= sizeof p->name) { syntax(p, "name too long"); p->tok = 'e'; return; }
    memcpy(p->name, s + p->pos, len);
    p->pos += len;
  } else {
    p->tok = c;
    p->pos++;
    return;
  }
  p->name[len] = 0;
  p->tok = 'n';
}

static fx_node *node(fx_parser *p, fx_kind kind, size_t pos) {
  fx_node *e = mlsh_calloc(1, sizeof *e);
  if (!e && !p->failed) { p->failed = 1; mlsh_seterr(p->err, MLSH_ENOMEM, "%s: not enough memory", p->fname); }
  if (e) { e->kind = kind; e->pos = pos; }
  return e;
}

static fx_node *binop(fx_parser *p, char op, fx_node *a, fx_node *b, size_t pos) {
  fx_node *e = p->failed ? NULL : node(p, FX_BINOP, pos);
  if (!e) { fx_free(a); fx_free(b); return NULL; }
  e->op = op; e->a = a; e->b = b;
  return e;
}

static fx_node *parse_sum(fx_parser *p);

static int add_arg(fx_parser *p, fx_node *call, fx_node *arg) {
  fx_node **args = mlsh_realloc(call->args, (call->nargs + 1) * sizeof *args);
  if (!args) { fx_free(arg); node(p, FX_NUM, 0); p->failed = 1; return 0; }
  call->args = args;
  call->args[call->nargs++] = arg;
  return 1;
}

static fx_node *parse_call(fx_parser *p, size_t pos) {
  fx_node *e = node(p, FX_CALL, pos);
  if (!e) return NULL;
  e->name = mlsh_malloc(strlen(p->name) + 1);
  if (!e->name) { mlsh_free(e); node(p, FX_NUM, 0); p->failed = 1; return NULL; }
  strcpy(e->name, p->name);
  next(p);   /* '(' */
  next(p);
  while (p->tok != ')' && !p->failed) {
    fx_node *arg = parse_sum(p);
    if (!arg || !add_arg(p, e, arg)) break;
    if (p->tok == ',') next(p);
    else if (p->tok != ')') syntax(p, "expected ',' or ')'");
  }
  if (!p->failed) next(p);
  if (p->failed) { fx_free(e); return NULL; }
  return e;
}

static fx_node *parse_primary(fx_parser *p) {
  size_t pos = p->tok_pos;
  if (p->failed) return NULL;
  if (p->tok == '(') {
    next(p);
    fx_node *e = parse_sum(p);
    if (e && p->tok != ')') { syntax(p, "expected ')'"); fx_free(e); return NULL; }
    next(p);
    return e;
  }
  if (p->tok == '#') {
    fx_node *e = node(p, FX_NUM, pos);
    if (e) e->num = p->num;
    next(p);
    return e;
  }
  if (p->tok == 'n') {
    if (p->src[p->pos] == '(' ) return parse_call(p, pos);
    int dot = strcmp(p->name, ".") == 0 && p->src[pos] != '`';
    fx_node *e = node(p, dot ? FX_DOT : FX_NAME, pos);
    if (e && !dot) {
      e->name = mlsh_malloc(strlen(p->name) + 1);
      if (!e->name) { mlsh_free(e); node(p, FX_NUM, 0); p->failed = 1; return NULL; }
      strcpy(e->name, p->name);
    }
    next(p);
    return e;
  }
  syntax(p, p->tok == 'e' ? "expected a term, found the end" : "expected a term");
  return NULL;
}

static fx_node *parse_power(fx_parser *p) {
  fx_node *a = parse_primary(p);
  if (a && p->tok == '^') {
    size_t pos = p->tok_pos;
    next(p);
    fx_node *b = p->tok == '-' ? NULL : parse_power(p);   /* right associative */
    if (!b) {
      if (p->tok == '-') {   /* x^-1 */
        size_t npos = p->tok_pos;
        next(p);
        fx_node *inner = parse_power(p);
        b = inner ? node(p, FX_NEG, npos) : NULL;
        if (b) b->a = inner; else fx_free(inner);
      }
      if (!b) { fx_free(a); return NULL; }
    }
    return binop(p, '^', a, b, pos);
  }
  return a;
}

static fx_node *parse_unary(fx_parser *p) {
  if (p->tok == '-' || p->tok == '+') {
    char op = (char)p->tok;
    size_t pos = p->tok_pos;
    next(p);
    fx_node *a = parse_unary(p);
    if (!a || op == '+') return a;
    fx_node *e = node(p, FX_NEG, pos);
    if (!e) { fx_free(a); return NULL; }
    e->a = a;
    return e;
  }
  return parse_power(p);
}

static fx_node *parse_colon(fx_parser *p) {
  fx_node *a = parse_unary(p);
  while (a && p->tok == ':') {
    size_t pos = p->tok_pos;
    next(p);
    a = binop(p, ':', a, parse_unary(p), pos);
  }
  return a;
}

static fx_node *parse_product(fx_parser *p) {
  fx_node *a = parse_colon(p);
  while (a && (p->tok == '*' || p->tok == '/')) {
    char op = (char)p->tok;
    size_t pos = p->tok_pos;
    next(p);
    a = binop(p, op, a, parse_colon(p), pos);
  }
  return a;
}

static fx_node *parse_sum(fx_parser *p) {
  fx_node *a = parse_product(p);
  while (a && (p->tok == '+' || p->tok == '-')) {
    char op = (char)p->tok;
    size_t pos = p->tok_pos;
    next(p);
    a = binop(p, op, a, parse_product(p), pos);
  }
  return a;
}

static fx_node *parse_formula(fx_parser *p) {
  next(p);
  fx_node *lhs = NULL;
  size_t pos = p->tok_pos;
  if (p->tok != '~') lhs = parse_sum(p);
  if (p->failed) { fx_free(lhs); return NULL; }
  if (p->tok != '~') {
    fx_free(lhs);
    syntax(p, "expected '~'");
    return NULL;
  }
  pos = p->tok_pos;
  next(p);
  fx_node *rhs = parse_sum(p);
  if (rhs && p->tok != 'e') {
    syntax(p, p->tok == ')' ? "unbalanced ')'" : "unexpected text");
    fx_free(rhs);
    rhs = NULL;
  }
  if (!rhs) { fx_free(lhs); return NULL; }
  return binop(p, '~', lhs, rhs, pos);
}

/* ---- Deparsing ------------------------------------------------------------ */

static int precedence(const fx_node *e) {
  if (e->kind == FX_NEG) return 5;
  if (e->kind != FX_BINOP) return 9;
  switch (e->op) {
  case '^': return 6;
  case ':': return 4;
  case '*': case '/': return 3;
  case '+': case '-': return 2;
  default: return 1;
  }
}

typedef struct { char *s; size_t n, cap; int failed; } strbuf;

static void put(strbuf *b, const char *s) {
  size_t k = strlen(s);
  if (b->failed) return;
  if (mlsh_grow(&b->s, &b->cap, b->n + k + 1, 1)) { b->failed = 1; return; }
  memcpy(b->s + b->n, s, k + 1);
  b->n += k;
}

static void deparse(strbuf *b, const fx_node *e);

static void deparse_child(strbuf *b, const fx_node *c, int parent, int right) {
  int pc = precedence(c);
  int paren = pc < parent || (right && pc == parent && parent != 6) || (!right && pc == parent && parent == 6);
  if (paren) put(b, "(");
  deparse(b, c);
  if (paren) put(b, ")");
}

static void deparse(strbuf *b, const fx_node *e) {
  char tmp[64];
  switch (e->kind) {
  case FX_NUM: snprintf(tmp, sizeof tmp, "%.15g", e->num); put(b, tmp); break;
  case FX_NAME: put(b, e->name); break;
  case FX_DOT: put(b, "."); break;
  case FX_NEG: put(b, "-"); deparse_child(b, e->a, 5, 0); break;
  case FX_CALL:
    put(b, e->name);
    put(b, "(");
    for (size_t k = 0; k < e->nargs; k++) {
      if (k) put(b, ", ");
      deparse(b, e->args[k]);
    }
    put(b, ")");
    break;
  case FX_BINOP: {
    int pr = precedence(e);
    if (e->a) deparse_child(b, e->a, pr, 0);
    char op[4] = {e->op, 0};
    int spaced = e->op == '+' || e->op == '-' || e->op == '*' || e->op == '~';
    if (spaced) { put(b, e->a ? " " : ""); put(b, op); put(b, " "); } else put(b, op);
    deparse_child(b, e->b, pr, 1);
    break;
  }
  }
}

char *fx_deparse(const fx_node *e) {
  strbuf b = {0};
  deparse(&b, e);
  if (b.failed) { mlsh_free(b.s); return NULL; }
  return b.s;
}

/* ---- Terms ---------------------------------------------------------------- */

typedef struct { uint64_t *t; size_t n, cap; int has_empty; } termlist;

int st_term_degree(uint64_t term) { return __builtin_popcountll(term); }

static int tl_add(termlist *l, uint64_t t) {
  if (t == 0) { l->has_empty = 1; return MLSH_OK; }
  for (size_t k = 0; k < l->n; k++) if (l->t[k] == t) return MLSH_OK;
  if (mlsh_grow(&l->t, &l->cap, l->n + 1, sizeof *l->t)) return MLSH_ENOMEM;
  l->t[l->n++] = t;
  return MLSH_OK;
}

typedef struct {
  st_terms *t;
  const char *const *columns;
  size_t ncols;
  const char *fname, *src;
  mlsh_err *err;
} expander;

static int var_index(expander *x, fx_node *e, size_t *idx) {
  st_terms *t = x->t;
  char *label = fx_deparse(e);
  if (!label) return mlsh_seterr(x->err, MLSH_ENOMEM, "%s: not enough memory", x->fname);
  for (size_t k = 0; k < t->nvars; k++)
    if (strcmp(t->labels[k], label) == 0) { mlsh_free(label); *idx = k; return MLSH_OK; }
  if (t->nvars == ST_MAX_VARS) {
    mlsh_free(label);
    return mlsh_seterr(x->err, MLSH_EINVAL, "%s: formula '%s' has more than %d variables", x->fname, x->src,
                       ST_MAX_VARS);
  }
  t->vars[t->nvars] = e;
  t->labels[t->nvars] = label;
  *idx = t->nvars++;
  return MLSH_OK;
}

static int names_in(const fx_node *e, const char *name) {
  if (!e) return 0;
  if (e->kind == FX_NAME) return strcmp(e->name, name) == 0;
  if (names_in(e->a, name) || names_in(e->b, name)) return 1;
  for (size_t k = 0; k < e->nargs; k++) if (names_in(e->args[k], name)) return 1;
  return 0;
}

static int expand(expander *x, fx_node *e, termlist *out);

static int expand_dot(expander *x, termlist *out) {
  st_terms *t = x->t;
  for (size_t c = 0; c < x->ncols; c++) {
    if (names_in(t->response, x->columns[c])) continue;
    fx_node **owned = mlsh_realloc(t->owned, (t->nowned + 1) * sizeof *owned);
    if (!owned) return mlsh_seterr(x->err, MLSH_ENOMEM, "%s: not enough memory", x->fname);
    t->owned = owned;
    fx_node *v = mlsh_calloc(1, sizeof *v);
    char *name = mlsh_malloc(strlen(x->columns[c]) + 1);
    if (!v || !name) { mlsh_free(v); mlsh_free(name); return mlsh_seterr(x->err, MLSH_ENOMEM, "%s: not enough memory", x->fname); }
    strcpy(name, x->columns[c]);
    v->kind = FX_NAME;
    v->name = name;
    t->owned[t->nowned++] = v;
    size_t idx;
    int rc = var_index(x, v, &idx);
    if (rc == MLSH_OK) rc = tl_add(out, 1ull << idx);
    if (rc) return rc == MLSH_ENOMEM ? mlsh_seterr(x->err, rc, "%s: not enough memory", x->fname) : rc;
  }
  return MLSH_OK;
}

/* out = all pairwise unions of a and b (R's a:b). */
static int interact(const termlist *a, const termlist *b, termlist *out) {
  for (int ea = -1; ea < (int)a->n; ea++) {
    if (ea < 0 && !a->has_empty) continue;
    for (int eb = -1; eb < (int)b->n; eb++) {
      if (eb < 0 && !b->has_empty) continue;
      uint64_t u = (ea < 0 ? 0 : a->t[ea]) | (eb < 0 ? 0 : b->t[eb]);
      if (tl_add(out, u)) return MLSH_ENOMEM;
    }
  }
  return MLSH_OK;
}

static int append(termlist *out, const termlist *a) {
  if (a->has_empty) out->has_empty = 1;
  for (size_t k = 0; k < a->n; k++) if (tl_add(out, a->t[k])) return MLSH_ENOMEM;
  return MLSH_OK;
}

static int expand_binop(expander *x, fx_node *e, termlist *out) {
  termlist a = {0}, b = {0}, ab = {0};
  int rc = expand(x, e->a, &a);
  if (rc == MLSH_OK && e->op == '^') {
    if (e->b->kind != FX_NUM || e->b->num < 1 || e->b->num != (int)e->b->num)
      rc = mlsh_seterr(x->err, MLSH_EINVAL, "%s: formula '%s': the power of a term must be a positive integer at position %zu",
                       x->fname, x->src, e->b->pos + 1);
    if (rc == MLSH_OK && (rc = append(out, &a)) == MLSH_OK)
      for (int k = 1; k < (int)e->b->num && rc == MLSH_OK; k++) {
        termlist next_ = {0};
        rc = interact(out, &a, &next_) || append(out, &next_) ? MLSH_ENOMEM : MLSH_OK;
        mlsh_free(next_.t);
      }
    goto done;
  }
  if (rc == MLSH_OK) rc = expand(x, e->b, &b);
  if (rc) goto done;
  if (e->op == '+') {
    if (e->b->kind == FX_NUM && e->b->num == 0) x->t->intercept = 0;
    if (e->a->kind == FX_NUM && e->a->num == 0) x->t->intercept = 0;
    rc = append(out, &a) || append(out, &b) ? MLSH_ENOMEM : MLSH_OK;
  } else if (e->op == '-') {
    if (b.has_empty) x->t->intercept = 0;
    out->has_empty = a.has_empty;
    for (size_t k = 0; k < a.n && rc == MLSH_OK; k++) {
      int drop = 0;
      for (size_t j = 0; j < b.n; j++) drop |= a.t[k] == b.t[j];
      if (!drop) rc = tl_add(out, a.t[k]);
    }
  } else if (e->op == ':') {
    rc = interact(&a, &b, out);
  } else if (e->op == '*') {
    rc = append(out, &a) || append(out, &b) || interact(&a, &b, out) ? MLSH_ENOMEM : MLSH_OK;
  } else if (e->op == '/') {   /* a/b = a + (all of a's variables):b */
    termlist all = {0};
    uint64_t u = 0;
    for (size_t k = 0; k < a.n; k++) u |= a.t[k];
    rc = tl_add(&all, u) || append(out, &a) || interact(&all, &b, out) ? MLSH_ENOMEM : MLSH_OK;
    mlsh_free(all.t);
  } else {
    rc = mlsh_seterr(x->err, MLSH_EINVAL, "%s: formula '%s': unexpected '%c' at position %zu", x->fname, x->src, e->op,
                     e->pos + 1);
  }
done:
  if (rc == MLSH_ENOMEM) mlsh_seterr(x->err, rc, "%s: not enough memory", x->fname);
  mlsh_free(a.t); mlsh_free(b.t); mlsh_free(ab.t);
  return rc;
}

static int expand(expander *x, fx_node *e, termlist *out) {
  size_t idx;
  int rc;
  switch (e->kind) {
  case FX_NUM:
    if (e->num == 1) { out->has_empty = 1; return MLSH_OK; }
    if (e->num == 0) return MLSH_OK;
    return mlsh_seterr(x->err, MLSH_EINVAL, "%s: formula '%s': a number other than 0 or 1 as a term at position %zu",
                       x->fname, x->src, e->pos + 1);
  case FX_DOT: return expand_dot(x, out);
  case FX_NEG:
    if (e->a->kind == FX_NUM && (e->a->num == 1 || e->a->num == 0)) { x->t->intercept = e->a->num == 0; return MLSH_OK; }
    return mlsh_seterr(x->err, MLSH_EINVAL, "%s: formula '%s': a term cannot be negated at position %zu (only -1 removes the intercept)",
                       x->fname, x->src, e->pos + 1);
  case FX_BINOP:
    if (e->op == '~') break;
    return expand_binop(x, e, out);
  default:
    if ((rc = var_index(x, e, &idx))) return rc;
    if (tl_add(out, 1ull << idx)) return mlsh_seterr(x->err, MLSH_ENOMEM, "%s: not enough memory", x->fname);
    return MLSH_OK;
  }
  return mlsh_seterr(x->err, MLSH_EINVAL, "%s: formula '%s': a second '~' at position %zu", x->fname, x->src, e->pos + 1);
}

static int by_degree(const void *a, const void *b) {
  int da = st_term_degree(*(const uint64_t *)a), db = st_term_degree(*(const uint64_t *)b);
  return da - db;
}

int st_terms_parse(const char *formula, const char *const *columns, size_t ncols, const char *fname,
                   st_terms *t, mlsh_err *err) {
  memset(t, 0, sizeof *t);
  fx_parser p = {.src = formula, .fname = fname, .err = err};
  t->tree = parse_formula(&p);
  if (!t->tree) return err ? err->code : MLSH_EINVAL;
  t->response = t->tree->a;
  t->intercept = t->tree->b->kind != FX_NUM || t->tree->b->num != 0;   /* y ~ 0 */
  expander x = {t, columns, ncols, fname, formula, err};
  termlist l = {0};
  int rc = expand(&x, t->tree->b, &l);
  if (rc) { mlsh_free(l.t); st_terms_free(t); return rc; }
  /* stable sort by degree: insertion keeps formula order within a degree */
  for (size_t i = 1; i < l.n; i++)
    for (size_t j = i; j > 0 && by_degree(&l.t[j - 1], &l.t[j]) > 0; j--) {
      uint64_t tmp = l.t[j]; l.t[j] = l.t[j - 1]; l.t[j - 1] = tmp;
    }
  t->terms = l.t;
  t->nterms = l.n;
  return MLSH_OK;
}

void st_terms_free(st_terms *t) {
  fx_free(t->tree);
  for (size_t k = 0; k < t->nvars; k++) mlsh_free(t->labels[k]);
  for (size_t k = 0; k < t->nowned; k++) fx_free(t->owned[k]);
  mlsh_free(t->owned);
  mlsh_free(t->terms);
  memset(t, 0, sizeof *t);
}

char *st_term_label(const st_terms *t, size_t term) {
  strbuf b = {0};
  int first = 1;
  for (size_t v = 0; v < t->nvars; v++)
    if (t->terms[term] >> v & 1) {
      if (!first) put(&b, ":");
      put(&b, t->labels[v]);
      first = 0;
    }
  if (b.failed) { mlsh_free(b.s); return NULL; }
  return b.s;
}
