/* expr_impl.h - what the expression files share: the tree, the values an
 * evaluation passes around, the function table and the kernels' helpers.
 * Not for users of the language (they include expr.h). */
#ifndef MLSH_FRAME_EXPR_IMPL_H
#define MLSH_FRAME_EXPR_IMPL_H
#include "expr.h"

typedef enum {
  TOK_END, TOK_NUM, TOK_INT, TOK_STR, TOK_NAME, TOK_LPAREN, TOK_RPAREN, TOK_LBRACE, TOK_RBRACE, TOK_COMMA,
  TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_SLASH, TOK_CARET, TOK_PERCENT, TOK_EQ, TOK_NE, TOK_LT, TOK_LE, TOK_GT,
  TOK_GE, TOK_ASSIGN, TOK_AND, TOK_OR, TOK_NOT, TOK_IN, TOK_TRUE, TOK_FALSE, TOK_NA, TOK_NEG, TOK_IDIV
} expr_tok;

typedef enum { N_NUM, N_INT, N_STR, N_BOOL, N_NA, N_COL, N_UNARY, N_BINARY, N_CALL, N_SET } node_kind;

struct expr_func;

typedef struct expr_node {
  node_kind kind;
  expr_tok op;                 /* N_UNARY, N_BINARY */
  size_t pos, end;             /* source span [pos, end) */
  double num;
  int64_t i;                   /* N_INT, N_BOOL */
  char *str;                   /* N_STR text, N_COL and N_CALL name */
  size_t len;
  struct expr_node **args;     /* operands, call arguments (in parameter order after checking), set items */
  char **argnames;             /* call arguments as written: NULL for positional ones */
  size_t nargs;
  int height;                  /* operators below this one */
  /* filled by the checker */
  col_type type;
  const struct expr_func *fn;
  size_t col;                  /* N_COL: index in the frame */
  const mlsh_col *bound;       /* N_COL: the column itself (expr_apply, or a per-group result) */
  int group_col;               /* N_COL: bound to a per-group result of summarise */
} expr_node;

struct expr {
  char *src;
  expr_node *root;
};

/* A value: SCALAR one value, GROUP one per group, ROW one per row. */
typedef enum { SH_SCALAR, SH_GROUP, SH_ROW } expr_shape;
typedef struct {
  mlsh_col *c;         /* owned reference; NULL for an absent optional argument */
  expr_shape shape;
} expr_val;

typedef struct {
  const mlsh_frame *f;
  const frame_groups *g;       /* NULL: one group of every row (made only when a kernel needs it) */
  const mlsh_frame *results;   /* summarise: earlier results, one row per group (or NULL) */
  frame_groups all;
  size_t n;                    /* rows */
  int nthreads;
  const char *fname;
  const char *src;
  mlsh_err *err;
} expr_ctx;

typedef enum { FK_ELEM, FK_AGG, FK_WINDOW } func_kind;

/* One function of the language. params: the parameter names in order
 * ("..." first: any number of positional values). The checker matches the
 * arguments, fills the optional ones with NULL, and calls `type` to check
 * them and set call->type; `eval` gets the evaluated arguments. */
typedef struct expr_func {
  const char *name;
  func_kind kind;
  int nreq;                     /* required parameters */
  const char *params[5];
  int (*type)(expr_ctx *cx, expr_node *call);
  int (*eval)(expr_ctx *cx, expr_node *call, expr_val *args, expr_val *out);
  int code;                     /* which variant of a shared implementation */
} expr_func;

/* The function tables of each file, and the lookup over all of them. */
extern const expr_func expr_math_funcs[], expr_string_funcs[], expr_agg_funcs[], expr_window_funcs[],
  expr_date_funcs[];
const expr_func *expr_find_func(const char *name);
size_t expr_close_funcs(const char *name, const char **best, size_t max);

/* ---- parse ---- */
expr_node *expr_node_new(node_kind kind, size_t pos, size_t end);
void expr_node_free(expr_node *n);

/* ---- check (expr_check.c) ---- */
int expr_check(expr_ctx *cx, expr_node *n);
int expr_mismatch(expr_ctx *cx, expr_node *at, const char *what, const expr_node *a, const expr_node *b);
int expr_arg_error(expr_ctx *cx, expr_node *call, size_t k, const char *need);
int expr_type_numeric(col_type t);   /* double, integer, logical */
int expr_type_text(col_type t);      /* string, categorical */
/* The common type of two values for if_else, coalesce and comparisons; -1 when none. */
int expr_common_type(const expr_node *a, const expr_node *b);
int expr_literal_bool(const expr_node *n, int *v);
int expr_literal_int(const expr_node *n, int64_t *v);
int expr_literal_num(const expr_node *n, double *v);

/* ---- evaluation (expr_eval.c) ---- */
int expr_eval_node(expr_ctx *cx, expr_node *n, expr_val *out);
void expr_val_clear(expr_val *v);
size_t expr_shape_len(const expr_ctx *cx, expr_shape s);
/* The groups (for an ungrouped evaluation, one group made on first use). */
int expr_groups(expr_ctx *cx, const frame_groups **g);
/* Make v hold `shape` values (scalar -> group -> row: repeat). */
int expr_val_expand(expr_ctx *cx, expr_val *v, expr_shape shape);
/* Bring the k values to their widest shape; scalars stay scalars (read
 * with a zero stride). Returns the shape in *shape. */
int expr_align(expr_ctx *cx, expr_val *v, size_t k, expr_shape *shape);
/* v converted to type t (numeric widening, text to date, factor to string, NA to anything). */
int expr_val_cast(expr_ctx *cx, expr_val *v, col_type t);
int expr_nomem(expr_ctx *cx);
int expr_intr(expr_ctx *cx);
/* Values of a numeric, date or datetime column as doubles (NA as NaN is
 * not assumed: NA stays in the bitmap). *owned: to mlsh_free. */
const double *expr_doubles(expr_ctx *cx, const mlsh_col *c, double **owned);
/* A bitmap of m values, NA where any of the k inputs is (stride 0 for a
 * scalar); *out NULL when none is. */
int expr_na_union(expr_ctx *cx, const mlsh_col *const *c, const size_t *stride, size_t k, size_t m, uint8_t **out);
/* A column from m values of type t and a validity bitmap (both owned by
 * the call afterwards, freed whatever happens). */
int expr_make_col(expr_ctx *cx, col_type t, void *data, size_t m, uint8_t *valid, mlsh_col **out);
/* out[i] = src[which[i]] at row i (row 0 of a scalar); which[i] < 0 gives
 * NA. Every source has type t. */
int expr_pick(expr_ctx *cx, col_type t, expr_val *src, const int8_t *which, size_t m, expr_val *out);
/* Text of value i of a string or categorical column. */
const char *expr_text(const mlsh_col *c, size_t i, size_t *len);
/* Value i formatted as R's as.character (NULL for NA); buf holds 64 bytes. */
const char *expr_format(const mlsh_col *c, size_t i, char *buf, size_t *len);

static inline int expr_bit(const uint8_t *valid, size_t i) { return !valid || ((valid[i >> 3] >> (i & 7)) & 1); }
static inline void expr_clear_bit(uint8_t *valid, size_t i) { valid[i >> 3] &= (uint8_t)~(1u << (i & 7)); }
uint8_t *expr_bitmap_new(size_t m);   /* all valid */

#define EXPR_POLL(i) (((i) & 0xffff) == 0 && mlsh_interrupted())

/* ---- groups as contiguous segments (expr_window.c) ---- */
typedef struct {
  size_t ngroups;
  int64_t *start;   /* ngroups + 1 */
  int64_t *rows;    /* the rows of group 0 in row order, then group 1, ... */
} expr_segments;
int expr_segments_build(expr_ctx *cx, const frame_groups *g, expr_segments *s);
void expr_segments_free(expr_segments *s);

/* ---- dates (expr_dates.c) ---- */
/* "2020-01-31" as days; "2020-01-31 12:30:00[.f]" (or T, optional Z) as seconds. 0 on success. */
int expr_parse_date(const char *s, size_t len, int32_t *days);
int expr_parse_datetime(const char *s, size_t len, double *secs);
size_t expr_format_date(int32_t days, char *buf);
size_t expr_format_datetime(double secs, char *buf);

#endif
