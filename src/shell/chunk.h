/* chunk.h - the tokens of a piece of Lua source, as much as the shell
 * needs to find where a final expression may start and whether a line
 * ends inside a string: strings, comments and long brackets are skipped
 * whole, and each token knows how deep in brackets and blocks it is.
 * The shell leaves the real parsing to Lua; these are only candidates. */
#ifndef MLSH_CHUNK_H
#define MLSH_CHUNK_H
#include <stddef.h>

enum { TOK_NAME = 'n', TOK_KEYWORD = 'k', TOK_STRING = 's', TOK_NUMBER = '0' };

typedef struct chunk_token {
  size_t at, len;   /* the token's bytes in the source */
  int kind;         /* TOK_*, else the punctuation's first character */
  int depth;        /* brackets and blocks open before the token */
} chunk_token;

typedef struct chunk_scan {
  chunk_token *tok;  /* mlsh_malloc'ed; chunk_scan_free */
  size_t n;
  long open_string;  /* offset of the quote of a string left open at the end, else -1 */
} chunk_scan;

/* Tokenize len bytes of code. Returns 0, or -1 when out of memory. */
int chunk_scan_code(const char *code, size_t len, chunk_scan *s);
void chunk_scan_free(chunk_scan *s);

#endif
