/* gram.c - the row dot-product cache of kernel machines (see gram.h). */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <cblas.h>
#include "gram.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"

#define GRAM_BLOCK 512   /* rows per dgemm between Ctrl-C checks */

static struct {
  pthread_mutex_t lock;
  size_t p, rows, cap;   /* columns, rows held, capacity in rows */
  float *X;              /* cap x p copies of the rows, in float */
  double *G;             /* cap x cap dot products, rows x rows valid */
  uint64_t *hash;        /* per row */
  size_t *slot, nslot;   /* open addressing: row + 1, 0 = empty */
  void *scratch;         /* see gram_scratch */
  size_t scratch_bytes;
  int inherited;         /* set in a forked child: the buffers are the parent's */
} C = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The buffers are shared mappings (see mlsh_malloc_shared), so a forked
 * child that fits models of its own (mlsh.parallel_map workers) must not
 * write them: it adopts a private copy of the Gram on first use. */
static void in_child(void) {
  pthread_mutex_init(&C.lock, NULL);
  C.inherited = 1;
}

static void watch_forks(void) { pthread_atfork(NULL, NULL, in_child); }

/* Forget the rows (the scratch buffer stays for the next fit). */
static void drop(void) {
  mlsh_free(C.X); mlsh_free_shared(C.G); mlsh_free(C.hash); mlsh_free(C.slot);
  C.X = NULL; C.G = NULL; C.hash = NULL; C.slot = NULL;
  C.rows = C.cap = C.nslot = 0;
}

/* Forget the rows but keep the buffers for the next rows (no new pages). */
static void forget(void) {
  C.rows = 0;
  if (C.slot) memset(C.slot, 0, C.nslot * sizeof(size_t));
}

void gram_clear(void) {
  pthread_mutex_lock(&C.lock);
  drop();
  mlsh_free_shared(C.scratch);
  C.scratch = NULL; C.scratch_bytes = 0;
  pthread_mutex_unlock(&C.lock);
}

static uint64_t row_hash(const float *x, size_t p) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (size_t j = 0; j < p; j++) {
    uint32_t u;
    memcpy(&u, &x[j], sizeof u);
    h = (h ^ u) * 0x100000001b3ull;
    h ^= h >> 31;
  }
  return h;
}

/* The cache row equal to x, or SIZE_MAX. Rows are compared as float: two
 * rows that round alike have the same products (see to_float). */
static size_t find(uint64_t h, const float *x) {
  if (!C.nslot) return SIZE_MAX;
  for (size_t i = h & (C.nslot - 1);; i = (i + 1) & (C.nslot - 1)) {
    size_t s = C.slot[i];
    if (!s) return SIZE_MAX;
    if (C.hash[s - 1] == h && !memcmp(C.X + (s - 1) * C.p, x, C.p * sizeof(float))) return s - 1;
  }
}

/* Products are single precision (sgemm, twice the speed of dgemm): the
 * kernel values then carry relative errors near 1e-7, the size of the
 * rounding libsvm applies anyway when it caches kernel rows as float. */
static void to_float(const double *x, size_t p, float *out) {
  for (size_t j = 0; j < p; j++) out[j] = (float)x[j];
}

static void insert(size_t r) {
  size_t i = C.hash[r] & (C.nslot - 1);
  while (C.slot[i]) i = (i + 1) & (C.nslot - 1);
  C.slot[i] = r + 1;
}

/* Called with the lock held when C.inherited: our own copy of the Gram
 * (the parent's mapping is only unmapped here, in this process). */
static int adopt(void) {
  C.inherited = 0;
  mlsh_free_shared(C.scratch);
  C.scratch = NULL; C.scratch_bytes = 0;
  if (!C.G) return MLSH_OK;
  double *G = mlsh_malloc_shared(C.cap * C.cap * sizeof(double));
  if (G) for (size_t r = 0; r < C.rows; r++) memcpy(G + r * C.cap, C.G + r * C.cap, C.rows * sizeof(double));
  mlsh_free_shared(C.G);
  C.G = G;
  if (!G) { drop(); return MLSH_ENOMEM; }
  return MLSH_OK;
}

static size_t bytes_for(size_t rows, size_t p) {
  return rows * rows * sizeof(double) + rows * (p * sizeof(float) + sizeof(uint64_t) + 2 * sizeof(size_t));
}

/* Room for cap rows, keeping what is held. */
static int grow(size_t cap) {
  size_t p = C.p, nslot = 16;
  while (nslot < 2 * cap) nslot *= 2;
  float *X = mlsh_realloc(C.X, cap * p * sizeof(float));
  if (X) C.X = X;
  uint64_t *hash = mlsh_realloc(C.hash, cap * sizeof(uint64_t));
  if (hash) C.hash = hash;
  size_t gbytes;
  double *G = mlsh_mul_overflow(cap * cap, sizeof(double), &gbytes) ? NULL : mlsh_malloc_shared(gbytes);
  size_t *slot = mlsh_calloc(nslot, sizeof(size_t));
  if (!X || !hash || !G || !slot) { mlsh_free_shared(G); mlsh_free(slot); return MLSH_ENOMEM; }
  for (size_t r = 0; r < C.rows; r++) memcpy(G + r * cap, C.G + r * C.cap, C.rows * sizeof(double));
  mlsh_free_shared(C.G); mlsh_free(C.slot);
  C.G = G; C.slot = slot; C.nslot = nslot; C.cap = cap;
  for (size_t r = 0; r < C.rows; r++) insert(r);
  return MLSH_OK;
}

/* Products of rows [r0, rows) with every held row, in blocks. */
static int extend(size_t r0) {
  size_t R = C.rows, p = C.p, ld = C.cap;
  float *T = mlsh_malloc_array(R * GRAM_BLOCK, sizeof(float));
  if (!T) return MLSH_ENOMEM;
  for (size_t b = r0; b < R; b += GRAM_BLOCK) {
    if (mlsh_interrupted()) { mlsh_free(T); return MLSH_EINTR; }
    size_t m = R - b < GRAM_BLOCK ? R - b : GRAM_BLOCK;
    /* G[0..b+m, b..b+m) = X[0..b+m) X[b..b+m)^T, then mirrored to the rows. */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(b + m), (int)m, (int)p, 1.0f,
                C.X, (int)p, C.X + b * p, (int)p, 0.0f, T, (int)m);
    for (size_t r = 0; r < b + m; r++)
      for (size_t c = 0; c < m; c++) C.G[r * ld + b + c] = T[r * m + c];
    for (size_t r = b; r < b + m; r++)
      for (size_t c = 0; c < r; c++) C.G[r * ld + c] = C.G[c * ld + r];
  }
  mlsh_free(T);
  return MLSH_OK;
}

int gram_acquire(const mlsh_mat *X, size_t max_bytes, gram_view *v, mlsh_err *err) {
  size_t n = X->rows, p = X->cols;
  v->G = NULL; v->ld = 0;
  if (n == 0 || bytes_for(n, p) > max_bytes) return GRAM_TOO_BIG;
  uint64_t *h = mlsh_malloc_array(n, sizeof(uint64_t));
  float *xf = mlsh_malloc_array(n * p, sizeof(float));
  v->idx = mlsh_malloc_array(n, sizeof(size_t));
  if (!h || !xf || !v->idx) {
    mlsh_free(h); mlsh_free(xf); mlsh_free(v->idx); v->idx = NULL;
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  for (size_t i = 0; i < n; i++) to_float(&MAT_AT(X, i, 0), p, xf + i * p);
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, watch_forks);
  pthread_mutex_lock(&C.lock);
  if (C.inherited && adopt()) {
    pthread_mutex_unlock(&C.lock);
    mlsh_free(h); mlsh_free(xf); mlsh_free(v->idx); v->idx = NULL;
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for the kernel cache");
  }
  if (C.p != p) { drop(); C.p = p; }
  size_t miss = 0;
  for (size_t i = 0; i < n; i++) {
    h[i] = row_hash(xf + i * p, p);
    v->idx[i] = find(h[i], xf + i * p);
    miss += v->idx[i] == SIZE_MAX;
  }
  /* Start afresh when X shares no row with the cache or would overflow it. */
  if (miss == n || bytes_for(C.rows + miss, p) > max_bytes) {
    forget();
    for (size_t i = 0; i < n; i++) v->idx[i] = SIZE_MAX;
    miss = n;
  }
  int rc = MLSH_OK;
  size_t r0 = C.rows;
  if (miss) {
    size_t need = C.rows + miss, cap = need + need / 4;
    while (cap > need && bytes_for(cap, p) > max_bytes) cap = need + (cap - need) / 2;
    if (need > C.cap) rc = grow(cap);
    for (size_t i = 0; i < n && !rc; i++) {
      if (v->idx[i] != SIZE_MAX) continue;
      size_t r = find(h[i], xf + i * p);   /* a repeated new row */
      if (r == SIZE_MAX) {
        r = C.rows++;
        memcpy(C.X + r * p, xf + i * p, p * sizeof(float));
        C.hash[r] = h[i];
        insert(r);
      }
      v->idx[i] = r;
    }
    if (!rc) rc = extend(r0);
  }
  mlsh_free(h); mlsh_free(xf);
  if (rc) {
    drop();
    pthread_mutex_unlock(&C.lock);
    mlsh_free(v->idx); v->idx = NULL;
    return mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : "not enough memory for the kernel cache");
  }
  v->G = C.G; v->ld = C.cap;
  return MLSH_OK;
}

int gram_find(const mlsh_mat *X, const mlsh_mat *Y, gram_view *v, mlsh_err *err) {
  size_t nx = X->rows, ny = Y ? Y->rows : 0, p = X->cols;
  v->G = NULL; v->ld = 0; v->idx = NULL;
  if (Y && Y->cols != p) return GRAM_TOO_BIG;
  pthread_mutex_lock(&C.lock);
  if (C.inherited && adopt()) { pthread_mutex_unlock(&C.lock); return GRAM_TOO_BIG; }
  if (C.p != p || !C.rows) { pthread_mutex_unlock(&C.lock); return GRAM_TOO_BIG; }
  v->idx = mlsh_malloc_array(nx + ny + 1, sizeof(size_t));
  if (!v->idx) { pthread_mutex_unlock(&C.lock); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  float *xf = mlsh_malloc_array(p + 1, sizeof(float));
  if (!xf) { mlsh_free(v->idx); v->idx = NULL; pthread_mutex_unlock(&C.lock); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  for (size_t i = 0; i < nx + ny; i++) {
    to_float(i < nx ? &MAT_AT(X, i, 0) : &MAT_AT(Y, i - nx, 0), p, xf);
    if ((v->idx[i] = find(row_hash(xf, p), xf)) == SIZE_MAX) {
      mlsh_free(xf); mlsh_free(v->idx); v->idx = NULL;
      pthread_mutex_unlock(&C.lock);
      return GRAM_TOO_BIG;
    }
  }
  mlsh_free(xf);
  v->G = C.G; v->ld = C.cap;
  return MLSH_OK;
}

void gram_release(gram_view *v) {
  if (!v->G) return;
  v->G = NULL;
  mlsh_free(v->idx); v->idx = NULL;
  pthread_mutex_unlock(&C.lock);
}

void *gram_scratch(gram_view *v, size_t bytes) {
  if (!v->G) return NULL;
  if (bytes > C.scratch_bytes) {
    mlsh_free_shared(C.scratch);
    C.scratch = mlsh_malloc_shared(bytes);
    C.scratch_bytes = C.scratch ? bytes : 0;
  }
  return C.scratch;
}
