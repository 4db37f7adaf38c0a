/* chunk.c - a small Lua 5.4 tokenizer for the shell (see chunk.h). */
#include <ctype.h>
#include <string.h>
#include "chunk.h"
#include "../core/alloc.h"

static const char *const block_open[] = {"function", "do", "if", "repeat", NULL};
static const char *const block_close[] = {"end", "until", NULL};
static const char *const keywords[] = {"and", "break", "do", "else", "elseif", "end", "false", "for",
                                       "function", "goto", "if", "in", "local", "nil", "not", "or",
                                       "repeat", "return", "then", "true", "until", "while", NULL};

static int is_word(const char *w, size_t n, const char *const *list) {
  for (int i = 0; list[i]; i++)
    if (strlen(list[i]) == n && memcmp(list[i], w, n) == 0) return 1;
  return 0;
}

/* At code[i] == '[': the level of a long bracket ("[[" 0, "[=[" 1...), or -1. */
static int long_bracket_level(const char *code, size_t len, size_t i) {
  size_t j = i + 1;
  while (j < len && code[j] == '=') j++;
  return j < len && code[j] == '[' ? (int)(j - i - 1) : -1;
}

/* The end of a long bracket of `level` opened at i (past its "]=*]"), or
 * len with *open set when it is not closed. */
static size_t long_bracket_end(const char *code, size_t len, size_t i, int level, int *open) {
  for (size_t j = i + (size_t)level + 2; j < len; j++) {
    if (code[j] != ']') continue;
    size_t k = j + 1;
    while (k < len && code[k] == '=') k++;
    if (k < len && code[k] == ']' && (int)(k - j - 1) == level) return k + 1;
  }
  *open = 1;
  return len;
}

/* Past a quoted string opened at i; *open set when it runs to the end. */
static size_t quoted_end(const char *code, size_t len, size_t i, int *open) {
  char q = code[i];
  for (size_t j = i + 1; j < len; j++) {
    if (code[j] == '\\') j++;
    else if (code[j] == q) return j + 1;
    else if (code[j] == '\n') break;   /* unfinished: Lua's error, not ours */
  }
  *open = 1;
  return len;
}

static size_t number_end(const char *code, size_t len, size_t i) {
  size_t j = i;
  while (j < len && (isalnum((unsigned char)code[j]) || code[j] == '.' || code[j] == '_' ||
                     ((code[j] == '+' || code[j] == '-') && strchr("eEpP", code[j - 1]))))
    j++;
  return j;
}

static int push(chunk_scan *s, size_t *cap, size_t at, size_t len, int kind, int depth) {
  if (s->n == *cap) {
    size_t ncap = *cap ? 2 * *cap : 64;
    chunk_token *t = mlsh_realloc(s->tok, ncap * sizeof *t);
    if (!t) return -1;
    s->tok = t;
    *cap = ncap;
  }
  s->tok[s->n++] = (chunk_token){at, len, kind, depth};
  return 0;
}

/* The token at i: its end and kind (0 for white space and comments). */
static size_t next_token(const char *code, size_t len, size_t i, int *kind, int *open) {
  unsigned char c = (unsigned char)code[i];
  int level, comment_open = 0;
  *kind = 0;
  if (isspace(c)) return i + 1;
  if (c == '-' && i + 1 < len && code[i + 1] == '-') {
    if (i + 2 < len && code[i + 2] == '[' && (level = long_bracket_level(code, len, i + 2)) >= 0)
      return long_bracket_end(code, len, i + 2, level, &comment_open);
    const char *nl = memchr(code + i, '\n', len - i);
    return nl ? (size_t)(nl - code) : len;
  }
  if (c == '"' || c == '\'') { *kind = TOK_STRING; return quoted_end(code, len, i, open); }
  if (c == '[' && (level = long_bracket_level(code, len, i)) >= 0) {
    *kind = TOK_STRING;
    return long_bracket_end(code, len, i, level, open);
  }
  if (isdigit(c) || (c == '.' && i + 1 < len && isdigit((unsigned char)code[i + 1]))) {
    *kind = TOK_NUMBER;
    return number_end(code, len, i);
  }
  if (isalpha(c) || c == '_' || c >= 0x80) {
    size_t j = i;
    while (j < len && (isalnum((unsigned char)code[j]) || code[j] == '_' || (unsigned char)code[j] >= 0x80)) j++;
    *kind = is_word(code + i, j - i, keywords) ? TOK_KEYWORD : TOK_NAME;
    return j;
  }
  *kind = c;
  if (i + 1 < len && strchr("=~<>/:.", c) && (code[i + 1] == '=' || code[i + 1] == c)) return i + 2;
  return i + 1;
}

int chunk_scan_code(const char *code, size_t len, chunk_scan *s) {
  size_t cap = 0, i = 0;
  int depth = 0;
  s->tok = NULL;
  s->n = 0;
  s->open_string = -1;
  while (i < len) {
    int kind, open = 0;
    size_t end = next_token(code, len, i, &kind, &open);
    if (open) s->open_string = (long)i;
    if (kind) {
      int closes = strchr(")]}", kind) != NULL ||
                   (kind == TOK_KEYWORD && is_word(code + i, end - i, block_close));
      if (closes && depth > 0) depth--;
      if (push(s, &cap, i, end - i, kind, depth) != 0) { chunk_scan_free(s); return -1; }
      if (strchr("([{", kind) || (kind == TOK_KEYWORD && is_word(code + i, end - i, block_open))) depth++;
    }
    i = end;
  }
  return 0;
}

void chunk_scan_free(chunk_scan *s) {
  mlsh_free(s->tok);
  s->tok = NULL;
  s->n = 0;
}
