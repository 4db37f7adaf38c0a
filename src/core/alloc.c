/* alloc.c - checked allocation with optional fault injection. */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "alloc.h"

/* Countdown to an injected failure; <= 0 means none. Set from the
 * environment variable MLSH_FAIL_ALLOC on first use, or by tests. */
static long fail_countdown = -1;
static unsigned long alloc_count = 0;

void mlsh_alloc_fail_after(long n) { fail_countdown = n; }
unsigned long mlsh_alloc_count(void) { return __atomic_load_n(&alloc_count, __ATOMIC_RELAXED); }

static int inject_failure(void) {
  __atomic_add_fetch(&alloc_count, 1, __ATOMIC_RELAXED);
  if (fail_countdown < 0) {
    const char *s = getenv("MLSH_FAIL_ALLOC");
    fail_countdown = s ? atol(s) : 0;
  }
  if (fail_countdown > 0 && --fail_countdown == 0) return 1;
  return 0;
}

void *mlsh_malloc(size_t size) {
  if (inject_failure()) return NULL;
  return malloc(size ? size : 1);
}

void *mlsh_calloc(size_t n, size_t size) {
  if (inject_failure()) return NULL;
  if (n == 0 || size == 0) return calloc(1, 1);
  return calloc(n, size);
}

void *mlsh_realloc(void *p, size_t size) {
  if (inject_failure()) return NULL;
  return realloc(p, size ? size : 1);
}

void mlsh_free(void *p) { free(p); }

int mlsh_mul_overflow(size_t n, size_t size, size_t *out) {
  if (size && n > SIZE_MAX / size) return -1;
  *out = n * size;
  return 0;
}

void *mlsh_malloc_array(size_t n, size_t size) {
  size_t total;
  if (mlsh_mul_overflow(n, size, &total)) return NULL;
  return mlsh_malloc(total);
}

int mlsh_grow(void *pp, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t n = *cap ? *cap : 16, bytes;
  while (n < need) n = n > SIZE_MAX / 2 ? need : n * 2;
  if (mlsh_mul_overflow(n, elem, &bytes)) return -1;
  void *q = mlsh_realloc(*(void **)pp, bytes);
  if (!q) return -1;
  *(void **)pp = q;
  *cap = n;
  return 0;
}

void *mlsh_malloc_aligned(size_t size) {
  void *p = NULL;
  if (inject_failure()) return NULL;
  if (posix_memalign(&p, 64, size ? size : 64) != 0) return NULL;
  return p;
}

void mlsh_free_aligned(void *p) { free(p); }

/* Anonymous shared mapping, size in the first page. Pages the parent
 * shares with a forked child (libsvm's training process) stay writable
 * after the fork: a private buffer would be write-protected by every fork
 * and fault again page by page (huge pages even re-zeroed) at the next fit. */
#define SHARED_HEAD 4096
void *mlsh_malloc_shared(size_t size) {
  if (inject_failure() || size > SIZE_MAX - SHARED_HEAD) return NULL;
  unsigned char *p = mmap(NULL, size + SHARED_HEAD, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  memcpy(p, &size, sizeof size);
  return p + SHARED_HEAD;
}

void mlsh_free_shared(void *q) {
  if (!q) return;
  unsigned char *p = (unsigned char *)q - SHARED_HEAD;
  size_t size;
  memcpy(&size, p, sizeof size);
  munmap(p, size + SHARED_HEAD);
}
