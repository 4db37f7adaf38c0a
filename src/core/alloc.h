/* alloc.h - the core's allocator. Every core allocation goes through here
 * so that sizes are overflow-checked and a test build can make the N-th
 * allocation fail (MLSH_FAIL_ALLOC=N in the environment, see alloc.c). */
#ifndef MLSH_ALLOC_H
#define MLSH_ALLOC_H
#include <stddef.h>

void *mlsh_malloc(size_t size);
void *mlsh_calloc(size_t n, size_t size);
void *mlsh_realloc(void *p, size_t size);
void mlsh_free(void *p);
/* n*size with overflow detection: returns 0 and sets *out, or -1. */
int mlsh_mul_overflow(size_t n, size_t size, size_t *out);
/* malloc of n*size, NULL on overflow or failure. */
void *mlsh_malloc_array(size_t n, size_t size);
/* Grow the array *p (of *cap elements of elem bytes) to hold at least
 * need elements, doubling (from 16); 0, or -1 with *p and *cap unchanged. */
int mlsh_grow(void *p, size_t *cap, size_t need, size_t elem);
/* Aligned (64-byte) allocation for SIMD/BLAS buffers; free with mlsh_free_aligned. */
void *mlsh_malloc_aligned(size_t size);
void mlsh_free_aligned(void *p);
/* Large page-aligned buffer that a fork() leaves writable in the parent
 * (MAP_SHARED): for buffers rewritten every fit and read by a child
 * process. Free with mlsh_free_shared. */
void *mlsh_malloc_shared(size_t size);
void mlsh_free_shared(void *p);
/* Fault injection: fail the n-th allocation from now (0 disables). */
void mlsh_alloc_fail_after(long n);
/* Number of core allocations so far (for the out-of-memory tests). */
unsigned long mlsh_alloc_count(void);

#endif
