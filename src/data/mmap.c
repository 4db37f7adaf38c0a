/* mmap.c - memory-mapped .npy matrices (see mmap.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "mmap.h"
#include "../core/alloc.h"
#include "../core/npy.h"

static int check_header(const char *path, const npy_header *h, size_t file_len, mlsh_err *err) {
  if (h->type != NPY_F8 && h->type != NPY_F4)
    return mlsh_seterr(err, MLSH_EIO, "'%s': only float64 or float32 arrays can be mapped (convert with numpy's astype)", path);
  if (h->swap) return mlsh_seterr(err, MLSH_EIO, "'%s': big-endian data cannot be mapped (use mat.load)", path);
  if (h->fortran && h->ndim > 1)
    return mlsh_seterr(err, MLSH_EIO, "'%s': Fortran-ordered arrays cannot be mapped by rows (save with np.ascontiguousarray)", path);
  if (h->ndim < 1 || h->ndim > 2) return mlsh_seterr(err, MLSH_EIO, "'%s': a %d-D array is not a matrix", path, h->ndim);
  size_t have = file_len - h->data_offset;
  if (have < h->data_bytes)
    return mlsh_seterr(err, MLSH_EIO, "'%s': truncated .npy data: the header says %zu bytes, the file has %zu",
                       path, h->data_bytes, have);
  if (have > h->data_bytes)
    return mlsh_seterr(err, MLSH_EIO, "'%s': .npy file has %zu bytes after the data", path, have - h->data_bytes);
  return MLSH_OK;
}

static int read_head(int fd, const char *path, size_t file_len, npy_header *h, mlsh_err *err) {
  unsigned char head[4096] = {0};
  size_t want = file_len < sizeof head ? file_len : sizeof head, got = 0;
  while (got < want) {
    ssize_t k = pread(fd, head + got, want - got, (off_t)got);
    if (k <= 0) return mlsh_seterr(err, MLSH_EIO, "'%s': %s", path, k < 0 ? strerror(errno) : "short read");
    got += (size_t)k;
  }
  int rc = npy_parse_header(head, got, h, err);
  if (rc == MLSH_EIO && got == sizeof head)
    return mlsh_seterr(err, MLSH_EIO, "'%s': .npy header longer than %zu bytes", path, sizeof head);
  if (rc) { if (rc != MLSH_ENOMEM) mlsh_err_prefix(err, path); return rc; }
  return check_header(path, h, file_len, err);
}

int npymap_open(const char *path, size_t r0, size_t r1, mlsh_npymap *m, mlsh_err *err) {
  memset(m, 0, sizeof *m);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return mlsh_seterr(err, MLSH_EIO, "'%s': %s", path, strerror(errno));
  struct stat st;
  npy_header h;
  int rc = fstat(fd, &st) ? mlsh_seterr(err, MLSH_EIO, "'%s': %s", path, strerror(errno))
                          : read_head(fd, path, (size_t)st.st_size, &h, err);
  if (rc) { close(fd); return rc; }
  size_t rows = h.shape[0], cols = h.ndim == 2 ? h.shape[1] : 1;
  if (r1 == (size_t)-1) r1 = rows;
  if (r0 > r1 || r1 > rows) {
    close(fd);
    return mlsh_seterr(err, MLSH_EINVAL, "'%s': rows %zu..%zu are outside the file's 1..%zu", path, r0 + 1, r1, rows);
  }
  if (st.st_size > 0) {
    m->base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m->base == MAP_FAILED) {
      m->base = NULL;
      rc = mlsh_seterr(err, MLSH_EIO, "'%s': cannot map the file (%s)", path, strerror(errno));
    }
  }
  close(fd);   /* the mapping keeps the file */
  if (rc) return rc;
  m->map_len = (size_t)st.st_size;
  m->single = h.type == NPY_F4;
  m->file_rows = rows;
  m->rows = r1 - r0;
  m->cols = cols;
  m->row0 = r0;
  m->first = (const unsigned char *)m->base + h.data_offset + r0 * cols * (size_t)h.size;
  madvise(m->base, m->map_len, MADV_SEQUENTIAL);
  return MLSH_OK;
}

void npymap_adopt(mlsh_npymap *m, mlsh_mat *rows, size_t row0, size_t file_rows) {
  memset(m, 0, sizeof *m);
  m->owned = rows->data;
  m->first = (const unsigned char *)rows->data;
  m->rows = rows->rows;
  m->cols = rows->cols;
  m->row0 = row0;
  m->file_rows = file_rows;
  rows->data = NULL;
  rows->rows = rows->cols = 0;
}

void npymap_close(mlsh_npymap *m) {
  if (m->base) munmap(m->base, m->map_len);
  mlsh_free(m->converted);
  mlsh_free(m->owned);
  memset(m, 0, sizeof *m);
}

static size_t elem_size(const mlsh_npymap *m) { return m->single ? sizeof(float) : sizeof(double); }

const double *npymap_rows(const mlsh_npymap *m, size_t r0, size_t r1, double *buf) {
  const unsigned char *p = m->first + r0 * m->cols * elem_size(m);
  if (!m->single) return (const double *)p;
  size_t n = (r1 - r0) * m->cols;
  for (size_t i = 0; i < n; i++) {
    float f;
    memcpy(&f, p + i * sizeof f, sizeof f);
    buf[i] = f;
  }
  return buf;
}

/* madvise over the whole pages inside rows [r0, r1) (outward: every page they touch). */
static void advise(const mlsh_npymap *m, size_t r0, size_t r1, int advice, int outward) {
  if (!m->base || r1 <= r0) return;
  size_t page = (size_t)sysconf(_SC_PAGESIZE), row = m->cols * elem_size(m);
  uintptr_t b = (uintptr_t)(m->first + r0 * row), e = (uintptr_t)(m->first + r1 * row);
  b = outward ? b / page * page : (b + page - 1) / page * page;
  e = outward ? (e + page - 1) / page * page : e / page * page;
  if (e > b) madvise((void *)b, e - b, advice);
}

int npymap_fits_memory(const mlsh_npymap *m) {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  double bytes = (double)m->rows * (double)m->cols * (double)elem_size(m);
  return pages > 0 && page > 0 && bytes <= (double)pages * (double)page / 8.0;
}

void npymap_prefetch(const mlsh_npymap *m, size_t r0, size_t r1) { advise(m, r0, r1, MADV_WILLNEED, 1); }
void npymap_release(const mlsh_npymap *m, size_t r0, size_t r1) { advise(m, r0, r1, MADV_DONTNEED, 0); }

int npymap_matrix(mlsh_npymap *m, mlsh_mat *view, mlsh_err *err) {
  view->rows = m->rows;
  view->cols = m->cols;
  if (m->rows * m->cols == 0) { view->data = NULL; return MLSH_OK; }
  if (!m->single) { view->data = (double *)(uintptr_t)m->first; return MLSH_OK; }
  if (!m->converted) {
    m->converted = mlsh_malloc_array(m->rows * m->cols, sizeof(double));
    if (!m->converted) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for a %zu x %zu float32 map as doubles", m->rows, m->cols);
    npymap_rows(m, 0, m->rows, m->converted);
  }
  view->data = m->converted;
  return MLSH_OK;
}
