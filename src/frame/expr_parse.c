/* expr_parse.c - the lexer and the recursive-descent parser of the
 * expression language (grammar in expr.h). A syntax error names the byte
 * position and shows it with a caret under the source. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expr_impl.h"
#include "../core/alloc.h"

/* Nesting limits: a deep input is an error, not a stack overflow in the
 * recursive checker and evaluator. */
#define MAX_DEPTH 200
#define MAX_HEIGHT 1000

typedef struct {
  const char *src;
  size_t len, pos;
  expr_tok tok;
  size_t tpos, tend;        /* the current token's span */
  char *text;               /* TOK_STR, TOK_NAME: decoded text */
  size_t tlen;
  double num;
  int64_t i;
  int depth;
  const char *fname;
  mlsh_err *err;
  int rc;
} parser;

static int syntax_error(parser *p, size_t at, const char *what) {
  if (p->rc) return p->rc;
  char caret[96];
  const char *s = p->src;
  size_t len = p->len, from = 0;
  /* Show at most 70 bytes around the position so the caret stays on screen. */
  if (at > 50) from = at - 50;
  if (len - from > 70) len = from + 70;
  size_t k = at - from < sizeof caret - 2 ? at - from : sizeof caret - 2;
  memset(caret, ' ', k);
  caret[k] = '^';
  caret[k + 1] = 0;
  for (size_t j = 0; j < k; j++)
    if (s[from + j] == '\t') caret[j] = '\t';
  p->rc = mlsh_seterr(p->err, MLSH_EINVAL, "%s: syntax error at position %zu: %s\n  %.*s\n  %s", p->fname, at + 1, what,
                      (int)(len - from), s + from, caret);
  return p->rc;
}

static int is_name_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c >= 0x80; }
static int is_name_char(int c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

static int set_text(parser *p, const char *s, size_t len) {
  mlsh_free(p->text);
  p->text = mlsh_malloc(len + 1);
  if (!p->text) return p->rc = mlsh_seterr(p->err, MLSH_ENOMEM, "%s: not enough memory", p->fname);
  memcpy(p->text, s, len);
  p->text[len] = 0;
  p->tlen = len;
  return 0;
}

/* A quoted string or a backquoted name: \\ \' \" \n \t escapes. */
static int lex_quoted(parser *p, char q) {
  size_t start = p->pos++, n = 0;
  char *buf = mlsh_malloc(p->len - start + 1);
  if (!buf) return p->rc = mlsh_seterr(p->err, MLSH_ENOMEM, "%s: not enough memory", p->fname);
  while (p->pos < p->len && p->src[p->pos] != q) {
    char c = p->src[p->pos++];
    if (c == '\\' && p->pos < p->len) {
      c = p->src[p->pos++];
      c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
    }
    buf[n++] = c;
  }
  if (p->pos >= p->len) {
    mlsh_free(buf);
    return syntax_error(p, start, q == '`' ? "unfinished `name`" : "unfinished string");
  }
  p->pos++;
  mlsh_free(p->text);
  buf[n] = 0;
  p->text = buf;
  p->tlen = n;
  p->tok = q == '`' ? TOK_NAME : TOK_STR;
  return 0;
}

static int lex_number(parser *p) {
  const char *s = p->src + p->pos;
  char *end;
  size_t k = 0;
  int is_float = 0;
  while (p->pos + k < p->len && ((s[k] >= '0' && s[k] <= '9') || s[k] == '.' || s[k] == 'e' || s[k] == 'E' ||
                                 ((s[k] == '+' || s[k] == '-') && k > 0 && (s[k - 1] == 'e' || s[k - 1] == 'E'))))
    is_float |= s[k] == '.' || s[k] == 'e' || s[k] == 'E', k++;
  char tmp[64];
  if (k >= sizeof tmp) return syntax_error(p, p->pos, "number too long");
  memcpy(tmp, s, k);
  tmp[k] = 0;
  errno = 0;
  if (!is_float) {
    long long v = strtoll(tmp, &end, 10);
    if (errno == 0 && *end == 0) {
      p->tok = TOK_INT, p->i = v, p->pos += k;
      return 0;
    }
  }
  p->num = strtod(tmp, &end);
  if (*end != 0 || k == 0) return syntax_error(p, p->pos, "malformed number");
  p->tok = TOK_NUM;
  p->pos += k;
  return 0;
}

static const struct { const char *word; expr_tok tok; } keywords[] = {
  {"and", TOK_AND}, {"or", TOK_OR}, {"not", TOK_NOT}, {"in", TOK_IN}, {"true", TOK_TRUE}, {"TRUE", TOK_TRUE},
  {"false", TOK_FALSE}, {"FALSE", TOK_FALSE}, {"NA", TOK_NA}, {NULL, TOK_END}};

static int lex_name(parser *p) {
  size_t start = p->pos;
  while (p->pos < p->len && is_name_char((unsigned char)p->src[p->pos])) p->pos++;
  size_t len = p->pos - start;
  for (int k = 0; keywords[k].word; k++)
    if (strlen(keywords[k].word) == len && !memcmp(keywords[k].word, p->src + start, len)) {
      p->tok = keywords[k].tok;
      return 0;
    }
  p->tok = TOK_NAME;
  return set_text(p, p->src + start, len);
}

/* Two-character operators first, then one-character ones. */
static int lex_op(parser *p) {
  static const struct { const char *s; expr_tok tok; } ops[] = {
    {"==", TOK_EQ}, {"~=", TOK_NE}, {"!=", TOK_NE}, {"<=", TOK_LE}, {">=", TOK_GE}, {"&&", TOK_AND}, {"||", TOK_OR}, {"//", TOK_IDIV},
    {"(", TOK_LPAREN}, {")", TOK_RPAREN}, {"{", TOK_LBRACE}, {"}", TOK_RBRACE}, {",", TOK_COMMA}, {"+", TOK_PLUS},
    {"-", TOK_MINUS}, {"*", TOK_STAR}, {"/", TOK_SLASH}, {"^", TOK_CARET}, {"%", TOK_PERCENT}, {"<", TOK_LT},
    {">", TOK_GT}, {"=", TOK_ASSIGN}, {"&", TOK_AND}, {"|", TOK_OR}, {"!", TOK_NOT}, {NULL, TOK_END}};
  for (int k = 0; ops[k].s; k++) {
    size_t l = strlen(ops[k].s);
    if (p->pos + l <= p->len && !memcmp(p->src + p->pos, ops[k].s, l)) {
      p->tok = ops[k].tok;
      p->pos += l;
      return 0;
    }
  }
  return syntax_error(p, p->pos, "unexpected character");
}

static int next(parser *p) {
  if (p->rc) return p->rc;
  while (p->pos < p->len && strchr(" \t\r\n", p->src[p->pos])) p->pos++;
  p->tpos = p->pos;
  int rc;
  if (p->pos >= p->len) {
    p->tok = TOK_END;
    rc = 0;
  } else {
    unsigned char c = (unsigned char)p->src[p->pos];
    if (c == '\'' || c == '"' || c == '`') rc = lex_quoted(p, (char)c);
    else if ((c >= '0' && c <= '9') || (c == '.' && p->pos + 1 < p->len && p->src[p->pos + 1] >= '0' && p->src[p->pos + 1] <= '9'))
      rc = lex_number(p);
    else if (is_name_start(c)) rc = lex_name(p);
    else rc = lex_op(p);
  }
  p->tend = p->pos;
  return rc;
}

expr_node *expr_node_new(node_kind kind, size_t pos, size_t end) {
  expr_node *n = mlsh_calloc(1, sizeof *n);
  if (n) n->kind = kind, n->pos = pos, n->end = end;
  return n;
}

void expr_node_free(expr_node *n) {
  if (!n) return;
  for (size_t k = 0; k < n->nargs; k++) {
    expr_node_free(n->args[k]);
    if (n->argnames) mlsh_free(n->argnames[k]);
  }
  mlsh_free(n->args);
  mlsh_free(n->argnames);
  mlsh_free(n->str);
  mlsh_free(n);
}

static expr_node *nomem_node(parser *p, expr_node *n) {
  expr_node_free(n);
  if (!p->rc) p->rc = mlsh_seterr(p->err, MLSH_ENOMEM, "%s: not enough memory", p->fname);
  return NULL;
}

static int add_arg(parser *p, expr_node *n, expr_node *a, char *name) {
  size_t cap = n->nargs;
  if (mlsh_grow(&n->args, &cap, n->nargs + 1, sizeof *n->args)) goto fail;
  cap = n->nargs;
  if (mlsh_grow(&n->argnames, &cap, n->nargs + 1, sizeof *n->argnames)) goto fail;
  n->args[n->nargs] = a;
  n->argnames[n->nargs++] = name;
  return 0;
fail:
  expr_node_free(a);
  mlsh_free(name);
  nomem_node(p, NULL);
  return p->rc;
}

static expr_node *parse_expr(parser *p);

static expr_node *binary(parser *p, expr_tok op, expr_node *a, expr_node *b) {
  if (!a || !b) {
    expr_node_free(a);
    expr_node_free(b);
    return NULL;
  }
  expr_node *n = expr_node_new(N_BINARY, a->pos, b->end);
  if (!n) {
    expr_node_free(a);
    return nomem_node(p, b);
  }
  n->op = op;
  n->height = (a->height > b->height ? a->height : b->height) + 1;
  if (add_arg(p, n, a, NULL)) {
    expr_node_free(b);
    return nomem_node(p, n);
  }
  if (add_arg(p, n, b, NULL)) return nomem_node(p, n);
  if (n->height > MAX_HEIGHT) {
    syntax_error(p, n->pos, "expression too long (more than 1000 operators in a chain)");
    return nomem_node(p, n);
  }
  return n;
}

static expr_node *unary(parser *p, expr_tok op, size_t pos, expr_node *a) {
  if (!a) return NULL;
  expr_node *n = expr_node_new(N_UNARY, pos, a->end);
  if (!n) return nomem_node(p, a);
  n->op = op;
  n->height = a->height + 1;
  if (add_arg(p, n, a, NULL)) return nomem_node(p, n);
  return n;
}

static int expect(parser *p, expr_tok t, const char *what) {
  if (p->rc) return p->rc;
  if (p->tok != t) return syntax_error(p, p->tpos, what);
  return next(p);
}

/* f(a, name = b, ...) after the name. */
static expr_node *parse_call(parser *p, expr_node *n) {
  n->kind = N_CALL;
  next(p);   /* ( */
  while (!p->rc && p->tok != TOK_RPAREN) {
    char *name = NULL;
    if (p->tok == TOK_NAME) {
      /* name = value: look one token ahead */
      size_t save_pos = p->pos, save_tpos = p->tpos;
      char *text = p->text;
      p->text = NULL;
      next(p);
      if (p->tok == TOK_ASSIGN) {
        name = text;
        next(p);
      } else {
        mlsh_free(p->text);
        p->text = text;
        p->pos = save_pos;
        p->tpos = save_tpos;
        p->tend = save_pos;
        p->tok = TOK_NAME;
        p->tlen = strlen(text);
        p->rc = 0;
      }
    }
    expr_node *a = parse_expr(p);
    if (!a) {
      mlsh_free(name);
      break;
    }
    if (add_arg(p, n, a, name)) break;
    if (p->tok != TOK_COMMA) break;
    next(p);
  }
  n->end = p->tend;
  if (expect(p, TOK_RPAREN, "expected ',' or ')' in the call")) return nomem_node(p, n);
  for (size_t k = 0; k < n->nargs; k++)
    if (n->args[k]->height >= n->height) n->height = n->args[k]->height + 1;
  if (n->height > MAX_HEIGHT) {
    syntax_error(p, n->pos, "expression too long (more than 1000 operators in a chain)");
    return nomem_node(p, n);
  }
  return n;
}

/* {1, 2, "a"}: literals only. */
static expr_node *parse_set(parser *p) {
  expr_node *n = expr_node_new(N_SET, p->tpos, p->tend);
  if (!n) return nomem_node(p, NULL);
  next(p);
  while (!p->rc && p->tok != TOK_RBRACE) {
    size_t at = p->tpos;
    expr_node *a = parse_expr(p);
    if (!a) break;
    node_kind k = a->kind;
    int neg_lit = k == N_UNARY && a->op == TOK_NEG && (a->args[0]->kind == N_NUM || a->args[0]->kind == N_INT);
    if (k != N_NUM && k != N_INT && k != N_STR && k != N_BOOL && k != N_NA && !neg_lit) {
      expr_node_free(a);
      syntax_error(p, at, "a set {...} holds literal values only");
      break;
    }
    if (add_arg(p, n, a, NULL)) break;
    if (p->tok != TOK_COMMA) break;
    next(p);
  }
  n->end = p->tend;
  if (expect(p, TOK_RBRACE, "expected ',' or '}' in the set")) return nomem_node(p, n);
  return n;
}

static expr_node *literal(parser *p, node_kind kind) {
  expr_node *n = expr_node_new(kind, p->tpos, p->tend);
  if (!n) return nomem_node(p, NULL);
  n->num = p->num;
  n->i = kind == N_INT ? p->i : p->tok == TOK_TRUE;
  if (kind == N_STR || kind == N_COL) {
    n->str = p->text;
    n->len = p->tlen;
    p->text = NULL;
  }
  next(p);
  return n;
}

static expr_node *parse_atom(parser *p) {
  if (p->rc) return NULL;
  switch (p->tok) {
  case TOK_NUM: return literal(p, N_NUM);
  case TOK_INT: return literal(p, N_INT);
  case TOK_STR: return literal(p, N_STR);
  case TOK_TRUE: case TOK_FALSE: return literal(p, N_BOOL);
  case TOK_NA: return literal(p, N_NA);
  case TOK_LBRACE: return parse_set(p);
  case TOK_NAME: {
    int backquoted = p->src[p->tpos] == '`';
    expr_node *n = literal(p, N_COL);
    if (n && !backquoted && p->tok == TOK_LPAREN) return parse_call(p, n);
    return n;
  }
  case TOK_LPAREN: {
    next(p);
    expr_node *n = parse_expr(p);
    if (n && expect(p, TOK_RPAREN, "expected ')'")) return nomem_node(p, n);
    return n;
  }
  case TOK_END: syntax_error(p, p->tpos, "expected a value, found the end of the expression"); return NULL;
  default: syntax_error(p, p->tpos, "expected a value"); return NULL;
  }
}

/* ^ is right-associative and binds tighter than unary minus. */
static expr_node *parse_power(parser *p) {
  expr_node *a = parse_atom(p);
  if (a && p->tok == TOK_CARET) {
    if (++p->depth > MAX_DEPTH) return syntax_error(p, p->tpos, "expression nested too deeply"), nomem_node(p, a);
    next(p);
    expr_node *b;
    if (p->tok == TOK_MINUS) {   /* 2^-1 */
      size_t at = p->tpos;
      next(p);
      b = unary(p, TOK_NEG, at, parse_power(p));
    } else b = parse_power(p);
    p->depth--;
    return binary(p, TOK_CARET, a, b);
  }
  return a;
}

static expr_node *parse_unary(parser *p) {
  if (p->tok == TOK_MINUS || p->tok == TOK_PLUS) {
    expr_tok t = p->tok;
    size_t at = p->tpos;
    if (++p->depth > MAX_DEPTH) return syntax_error(p, at, "expression nested too deeply"), NULL;
    next(p);
    expr_node *a = parse_unary(p);
    p->depth--;
    return t == TOK_MINUS ? unary(p, TOK_NEG, at, a) : a;
  }
  return parse_power(p);
}

static expr_node *parse_mul(parser *p) {
  expr_node *a = parse_unary(p);
  while (a && (p->tok == TOK_STAR || p->tok == TOK_SLASH || p->tok == TOK_PERCENT || p->tok == TOK_IDIV)) {
    expr_tok t = p->tok;
    next(p);
    a = binary(p, t, a, parse_unary(p));
  }
  return a;
}

static expr_node *parse_add(parser *p) {
  expr_node *a = parse_mul(p);
  while (a && (p->tok == TOK_PLUS || p->tok == TOK_MINUS)) {
    expr_tok t = p->tok;
    next(p);
    a = binary(p, t, a, parse_mul(p));
  }
  return a;
}

static int is_comparison(expr_tok t) { return t >= TOK_EQ && t <= TOK_GE; }

static expr_node *parse_compare(parser *p) {
  expr_node *a = parse_add(p);
  while (a && (is_comparison(p->tok) || p->tok == TOK_IN)) {
    expr_tok t = p->tok;
    next(p);
    if (t == TOK_IN && p->tok != TOK_LBRACE) {
      syntax_error(p, p->tpos, "expected a set {...} after 'in'");
      return nomem_node(p, a);
    }
    a = binary(p, t, a, t == TOK_IN ? parse_set(p) : parse_add(p));
  }
  return a;
}

static expr_node *parse_not(parser *p) {
  if (p->tok == TOK_NOT) {
    size_t at = p->tpos;
    if (++p->depth > MAX_DEPTH) return syntax_error(p, at, "expression nested too deeply"), NULL;
    next(p);
    expr_node *a = parse_not(p);
    p->depth--;
    return unary(p, TOK_NOT, at, a);
  }
  return parse_compare(p);
}

static expr_node *parse_and(parser *p) {
  expr_node *a = parse_not(p);
  while (a && p->tok == TOK_AND) {
    next(p);
    a = binary(p, TOK_AND, a, parse_not(p));
  }
  return a;
}

static expr_node *parse_expr(parser *p) {
  if (++p->depth > MAX_DEPTH) {
    syntax_error(p, p->tpos, "expression nested too deeply");
    return NULL;
  }
  expr_node *a = parse_and(p);
  while (a && p->tok == TOK_OR) {
    next(p);
    a = binary(p, TOK_OR, a, parse_and(p));
  }
  p->depth--;
  return a;
}

int expr_parse(const char *src, const char *fname, expr **out, mlsh_err *err) {
  parser p = {0};
  p.src = src;
  p.len = strlen(src);
  p.fname = fname;
  p.err = err;
  *out = NULL;
  expr *e = mlsh_calloc(1, sizeof *e);
  if (!e || !(e->src = mlsh_malloc(p.len + 1))) {
    mlsh_free(e);
    return mlsh_seterr(err, MLSH_ENOMEM, "%s: not enough memory", fname);
  }
  memcpy(e->src, src, p.len + 1);
  next(&p);
  e->root = parse_expr(&p);
  if (!p.rc && p.tok != TOK_END) syntax_error(&p, p.tpos, "unexpected text after the expression");
  mlsh_free(p.text);
  if (p.rc) {
    expr_free(e);
    return p.rc;
  }
  *out = e;
  return MLSH_OK;
}

void expr_free(expr *e) {
  if (!e) return;
  expr_node_free(e->root);
  mlsh_free(e->src);
  mlsh_free(e);
}

const char *expr_source(const expr *e) { return e->src; }
