/* fread_impl.h - what the parts of the CSV reader share: the parse
 * context, the tokenizer's field, and the per-chunk results. */
#ifndef MLSH_DATA_FREAD_IMPL_H
#define MLSH_DATA_FREAD_IMPL_H
#include "fread.h"
#include "fread_value.h"
#include "../frame/column.h"

/* Column types while reading: the FV_* bit of each is 1 << type. */
typedef enum { FR_LGL, FR_INT, FR_DBL, FR_DATE, FR_DMY, FR_MDY, FR_DTM, FR_STR } fr_type;

typedef struct {
  const char *p;
  size_t len;
  int quoted, escaped;   /* escaped: holds doubled quotes to undo */
} fr_field;

/* Tokenizer outcomes. */
enum { FR_ROW, FR_BLANK, FR_END, FR_EQUOTE, FR_EAFTER, FR_RAGGED };

typedef struct fr_ctx {
  const char *buf, *end;       /* the whole text */
  char sep, comment;
  fv_numfmt num;
  int fill;
  size_t ncol;                 /* fields per row */
  const char *const *na;
  const size_t *nalen;         /* their lengths */
  size_t nna, namax;           /* namax: the longest */
  uint8_t na_first[256];       /* the first bytes of the NA strings (1: "" is one) */
  size_t nout;                 /* output columns */
  size_t *src;                 /* output column j is field src[j] of a row */
  fr_type *type;               /* per output column */
  int *fixed;                  /* per output column: the type was given (a misfit is an error) */
  int *active;                 /* per output column: parsed in this pass */
  uint8_t *interned;           /* per output column: a string column kept as codes into distinct values */
  size_t limit;                /* rows wanted per chunk at most */
} fr_ctx;

/* A chunk's error: where and what (the message is made once, with the line). */
typedef struct {
  int kind;                    /* 0 none, FR_EQUOTE, FR_EAFTER, FR_RAGGED */
  const char *at;
  size_t nfield;               /* ragged: fields found */
} fr_fault;

/* The distinct strings of one column of a chunk (its builder then holds
 * int32 codes into `dict`): what may become a categorical column is
 * hashed once, on the threads that parse. */
typedef struct {
  col_builder dict;            /* COL_STRING: the distinct values in order of appearance */
  uint64_t *hash;              /* per distinct value */
  uint64_t *slot;              /* cap entries: the hash's high half << 32 | index + 1; 0 = empty */
  size_t cap, hcap;
} fr_intern;

void fr_intern_init(fr_intern *t);
void fr_intern_free(fr_intern *t);
/* The code of s (hash h) in t, added when new; -1 without memory. */
int32_t fr_intern_add(fr_intern *t, const char *s, size_t n, uint64_t h);

typedef struct {
  const char *begin, *end;     /* rows starting in [begin, end) */
  const char *stop;            /* where the parse ended */
  size_t nrow;
  col_builder *b;              /* nout */
  fr_intern *intern;           /* nout: for the interned columns */
  unsigned *misfit;            /* nout: AND of the FV masks of the fields that did not fit */
  uint8_t *seen;               /* nout: some value fitted (else the column held only NA so far) */
  const char **misfit_at;      /* nout: the first of them (NULL: none) */
  fr_fault fault;
  int rc;                      /* MLSH_ENOMEM, MLSH_EINTR */
} fr_chunk;

/* One row from *pp: fields into f (up to cap; *nf counts all). */
int fr_next_row(const fr_ctx *c, const char **pp, fr_field *f, size_t cap, size_t *nf);
/* Skip one physical line. */
const char *fr_skip_line(const char *p, const char *end);
/* Is the field one of the NA strings? */
int fr_is_na(const fr_ctx *c, const fr_field *f);
/* Parse the chunk's rows into its builders (active columns only). */
void fr_parse_chunk(const fr_ctx *c, fr_chunk *k);
/* AND of the FV masks of every non-NA field of column j over up to
 * `rows` rows from p (sampling; rows of the wrong width are skipped). */
void fr_sample(const fr_ctx *c, const char *p, size_t rows, unsigned *mask);
fr_type fr_type_of_mask(unsigned mask);
col_type fr_col_type(fr_type t);

#endif
