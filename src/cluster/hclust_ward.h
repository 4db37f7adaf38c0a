/* hclust_ward.h - the nearest-neighbour search of Ward clustering on
 * centroids, split over a few threads that stay alive for the whole
 * clustering (one search takes tens of microseconds: far less than
 * starting a thread). Results are those of the serial scan: exact double
 * arithmetic per position, ties to the lowest position. */
#ifndef MLSH_HCLUST_WARD_H
#define MLSH_HCLUST_WARD_H
#include <stddef.h>

typedef struct ward_pool ward_pool;

/* Centroids column-major (Ct[q * ld + pos]), m active positions, sizes sz. */
typedef struct {
  const double *Ct, *sz;
  double *buf;       /* m: squared Ward distances from pa (pa itself: infinity) */
  size_t ld, p, m, pa;
} ward_scan;

/* Up to `threads` threads (helpers started now); NULL means serial. */
ward_pool *ward_pool_start(int threads);
void ward_pool_stop(ward_pool *P);
/* Fills s->buf and returns the position of the smallest (*best: its value). */
size_t ward_nearest(ward_pool *P, const ward_scan *s, double *best);

#endif
