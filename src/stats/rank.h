/* rank.h - order statistics as R's stats computes them: quantile()'s nine
 * types and p.adjust()'s corrections for multiple testing. */
#ifndef MLSH_STATS_RANK_H
#define MLSH_STATS_RANK_H
#include <stddef.h>
#include "../core/error.h"

/* R's quantile(x, probs, type) on sorted (n values, ascending, no NaN):
 * types 1-9 (Hyndman & Fan 1996, R's numbering). out: np values. */
void st_quantile_sorted(const double *sorted, size_t n, const double *probs, size_t np, int type, double *out);

typedef enum { ST_PADJ_HOLM, ST_PADJ_HOCHBERG, ST_PADJ_HOMMEL, ST_PADJ_BONFERRONI, ST_PADJ_BH, ST_PADJ_BY, ST_PADJ_NONE } st_padjust;
/* R's p.adjust(p, method, n): NaN (NA) values stay NaN and do not count
 * unless n says so (n >= the number of non-NaN values; 0: that number). */
int st_p_adjust(const double *p, size_t len, st_padjust method, size_t n, double *out, mlsh_err *err);

#endif
