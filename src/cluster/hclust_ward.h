/* hclust_ward.h - the nearest-neighbour search of Ward clustering on
 * centroids, split over a few threads that stay alive for the whole
 * clustering (one search takes tens of microseconds: far less than
 * starting a thread). Results are those of the serial scan: exact double
 * arithmetic per position, ties to the lowest position. */
#ifndef MLSH_HCLUST_WARD_H
#define MLSH_HCLUST_WARD_H
#include <stddef.h>
#include "../core/matrix.h"

typedef struct ward_pool ward_pool;

/* Centroids column-major (Ct[q * ld + pos]), m active positions, sizes sz. */
typedef struct {
  const double *Ct, *sz;
  double *buf;       /* m: scratch */
  size_t ld, p, m, pa;
  double bound;      /* only positions strictly below it are looked for */
} ward_scan;

/* Up to `threads` threads (helpers started now); NULL means serial. */
ward_pool *ward_pool_start(int threads);
void ward_pool_stop(ward_pool *P);
/* The position of the smallest squared Ward distance from pa below
 * s->bound (ties: the lowest), *best its value; (size_t)-1 and *best =
 * bound when there is none. */
size_t ward_nearest(ward_pool *P, const ward_scan *s, double *best);
/* The n x p rows of X into Ct (column-major, ld = n), coordinates and
 * positions in the order that prunes best: order[pos] is the row at pos.
 * MLSH_OK or MLSH_ENOMEM. */
int ward_load_centroids(const mlsh_mat *X, double *Ct, size_t *order);
/* The squared Ward distance from pa to position t, with the same rounding. */
double ward_pair(const ward_scan *s, size_t t);

#endif
