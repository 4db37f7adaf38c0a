/* npz.c - reading and writing .npz (zip) archives of .npy arrays. Only
 * what numpy writes matters: one disk, members stored or deflated, names
 * in UTF-8, zip64 sizes and offsets when an archive is large (numpy forces
 * zip64 local headers). Everything is checked against the buffer's
 * length before it is read. */
#include <stdint.h>
#include <string.h>
#include <zlib.h>
#include "npz.h"
#include "../core/alloc.h"
#include "../core/atomicfile.h"
#include "../core/buf.h"
#include "../core/npy.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define DEFLATE_MAX_RATIO 1032   /* deflate cannot expand 1 byte to more */

static uint32_t get16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const unsigned char *p) { return get16(p) | get16(p + 2) << 16; }
static uint64_t get64(const unsigned char *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

typedef struct {
  uint64_t csize, usize, offset;
  uint32_t crc;
  unsigned method;
  const unsigned char *name;
  size_t name_len;
} member;

typedef struct {
  uint64_t count, dir_offset, dir_size;
} directory;

/* The end-of-central-directory record (and its zip64 twin when present). */
static int find_directory(const unsigned char *b, size_t len, directory *d, mlsh_err *err) {
  if (len < 22) return mlsh_seterr(err, MLSH_EIO, "not a .npz file (too short for a zip archive)");
  size_t stop = len > 22 + 65535 ? len - 22 - 65535 : 0, at = len - 22 + 1;
  while (at-- > stop)
    if (get32(b + at) == SIG_END) break;
  if (at + 1 == stop || get32(b + at) != SIG_END) return mlsh_seterr(err, MLSH_EIO, "not a .npz file (no zip directory)");
  d->count = get16(b + at + 10);
  d->dir_size = get32(b + at + 12);
  d->dir_offset = get32(b + at + 16);
  if (at >= 20 && get32(b + at - 20) == SIG_LOCATOR64) {
    uint64_t e64 = get64(b + at - 20 + 8);
    if (e64 > len || len - e64 < 56 || get32(b + e64) != SIG_END64) return mlsh_seterr(err, MLSH_EIO, "corrupt zip64 directory");
    d->count = get64(b + e64 + 32);
    d->dir_size = get64(b + e64 + 40);
    d->dir_offset = get64(b + e64 + 48);
  }
  if (d->dir_offset > len || d->dir_size > len - d->dir_offset) return mlsh_seterr(err, MLSH_EIO, "truncated zip directory");
  if (d->count > d->dir_size / 46) return mlsh_seterr(err, MLSH_EIO, "corrupt zip directory (%llu entries)", (unsigned long long)d->count);
  return MLSH_OK;
}

/* The zip64 extended-information field replaces the fields saturated at 0xffffffff, in order. */
static int zip64_fields(const unsigned char *x, size_t n, member *m, int need_u, int need_c, int need_o) {
  for (size_t k = 0; k + 4 <= n;) {
    unsigned id = get16(x + k), sz = get16(x + k + 2);
    if (k + 4 + sz > n) return -1;
    if (id == 1) {
      const unsigned char *p = x + k + 4, *end = p + sz;
      if (need_u) { if (p + 8 > end) return -1; m->usize = get64(p); p += 8; }
      if (need_c) { if (p + 8 > end) return -1; m->csize = get64(p); p += 8; }
      if (need_o) { if (p + 8 > end) return -1; m->offset = get64(p); }
      return 0;
    }
    k += 4 + sz;
  }
  return need_u || need_c || need_o ? -1 : 0;
}

static int read_entry(const unsigned char *b, size_t *at, size_t end, member *m, mlsh_err *err) {
  const unsigned char *p = b + *at;
  if (end - *at < 46 || get32(p) != SIG_CENTRAL) return mlsh_seterr(err, MLSH_EIO, "corrupt zip directory entry");
  size_t nl = get16(p + 28), xl = get16(p + 30), cl = get16(p + 32);
  if (46 + nl + xl + cl > end - *at) return mlsh_seterr(err, MLSH_EIO, "corrupt zip directory entry");
  m->method = get16(p + 10);
  m->crc = get32(p + 16);
  m->csize = get32(p + 20);
  m->usize = get32(p + 24);
  m->offset = get32(p + 42);
  m->name = p + 46;
  m->name_len = nl;
  if (zip64_fields(p + 46 + nl, xl, m, m->usize == 0xffffffffu, m->csize == 0xffffffffu, m->offset == 0xffffffffu))
    return mlsh_seterr(err, MLSH_EIO, "corrupt zip64 field in entry '%.*s'", (int)nl, (const char *)m->name);
  *at += 46 + nl + xl + cl;
  return MLSH_OK;
}

/* The member's bytes, inflated when deflated, CRC checked (out: mlsh_malloc). */
static int member_data(const unsigned char *b, size_t len, const member *m, unsigned char **out, mlsh_err *err) {
  const char *nm = (const char *)m->name;
  int nl = (int)m->name_len;
  if (m->offset > len || len - m->offset < 30 || get32(b + m->offset) != SIG_LOCAL)
    return mlsh_seterr(err, MLSH_EIO, "member '%.*s': bad local header", nl, nm);
  uint64_t start = m->offset + 30 + get16(b + m->offset + 26) + get16(b + m->offset + 28);
  if (start > len || m->csize > len - start) return mlsh_seterr(err, MLSH_EIO, "member '%.*s' is truncated", nl, nm);
  if (m->method != 0 && m->method != 8)
    return mlsh_seterr(err, MLSH_EIO, "member '%.*s': compression method %u (only stored and deflated)", nl, nm, m->method);
  if ((m->method == 0 && m->usize != m->csize) || (m->method == 8 && m->usize / DEFLATE_MAX_RATIO > m->csize + 1))
    return mlsh_seterr(err, MLSH_EIO, "member '%.*s': inconsistent sizes", nl, nm);
  unsigned char *u = mlsh_malloc(m->usize ? (size_t)m->usize : 1);
  if (!u) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  int ok = 1;
  if (m->method == 0) memcpy(u, b + start, (size_t)m->usize);
  else {
    z_stream z;
    memset(&z, 0, sizeof z);
    ok = inflateInit2(&z, -MAX_WBITS) == Z_OK;
    z.next_in = (unsigned char *)(b + start);
    z.avail_in = (uInt)m->csize;
    z.next_out = u;
    z.avail_out = (uInt)m->usize;
    if (ok) ok = inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == m->usize;
    inflateEnd(&z);
  }
  if (ok && crc32(0, u, (uInt)m->usize) != m->crc) ok = 0;
  if (!ok) {
    mlsh_free(u);
    return mlsh_seterr(err, MLSH_EIO, "member '%.*s' is corrupt (bad deflate data or CRC)", nl, nm);
  }
  *out = u;
  return MLSH_OK;
}

static int add_array(npz_archive *z, size_t *cap, const member *m, const unsigned char *data, mlsh_err *err) {
  size_t nl = m->name_len >= 4 && memcmp(m->name + m->name_len - 4, ".npy", 4) == 0 ? m->name_len - 4 : m->name_len;
  if (mlsh_grow(&z->a, cap, z->n + 1, sizeof *z->a)) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  npz_array *a = &z->a[z->n];
  memset(a, 0, sizeof *a);
  if (!(a->name = mlsh_malloc(nl + 1))) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  memcpy(a->name, m->name, nl);
  a->name[nl] = 0;
  z->n++;
  mlsh_npy arr;
  int rc = npy_parse(data, (size_t)m->usize, &arr, err);
  if (!rc) rc = npy_to_matrix(&arr, a->name, &a->m, err);
  else if (rc != MLSH_ENOMEM) mlsh_err_prefix(err, a->name);
  return rc;
}

int npz_parse(const unsigned char *b, size_t len, npz_archive *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  directory d = {0};
  int rc = find_directory(b, len, &d, err);
  size_t at = (size_t)d.dir_offset, end = rc ? 0 : (size_t)(d.dir_offset + d.dir_size), cap = 0;
  for (uint64_t k = 0; k < d.count && !rc; k++) {
    member m = {0};
    unsigned char *data = NULL;
    rc = read_entry(b, &at, end, &m, err);
    if (!rc && m.name_len && m.name[m.name_len - 1] == '/') continue;   /* a folder entry */
    if (!rc) rc = member_data(b, len, &m, &data, err);
    if (!rc) rc = add_array(out, &cap, &m, data, err);
    mlsh_free(data);
  }
  if (rc) npz_free(out);
  return rc;
}

int npz_load(const char *path, npz_archive *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  char *buf;
  size_t len;
  int rc = mlsh_read_file(path, 0, &buf, &len, err);
  if (rc) return rc;
  rc = npz_parse((const unsigned char *)buf, len, out, err);
  mlsh_free(buf);
  if (rc && rc != MLSH_ENOMEM) mlsh_err_prefix(err, path);
  return rc;
}

void npz_free(npz_archive *z) {
  for (size_t i = 0; i < z->n; i++) {
    mlsh_free(z->a[i].name);
    mat_free(&z->a[i].m);
  }
  mlsh_free(z->a);
  z->a = NULL;
  z->n = 0;
}

/* ---- Writing ---- */

static void put16(mlsh_buf *b, uint32_t v) {
  unsigned char p[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
  mlsh_buf_add(b, p, 2);
}
static void put32(mlsh_buf *b, uint32_t v) {
  put16(b, v & 0xffff);
  put16(b, v >> 16);
}

typedef struct { uint32_t crc, csize, usize, offset; unsigned method; } written;

/* The deflated form of data into out (raw deflate, as zip wants). */
static int deflate_into(const unsigned char *data, size_t n, mlsh_buf *out) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return MLSH_ENOMEM;
  size_t bound = deflateBound(&z, (uLong)n);
  int rc = mlsh_buf_reserve(out, bound);
  if (!rc) {
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)n;
    z.next_out = (unsigned char *)out->s + out->len;
    z.avail_out = (uInt)bound;
    rc = deflate(&z, Z_FINISH) == Z_STREAM_END ? MLSH_OK : MLSH_ENOMEM;
    if (!rc) out->len += z.total_out;
  }
  deflateEnd(&z);
  return rc;
}

static void local_header(mlsh_buf *b, const char *name, const written *w) {
  put32(b, SIG_LOCAL);
  put16(b, 20);                  /* version needed: 2.0 */
  put16(b, 0x800);               /* UTF-8 names */
  put16(b, w->method);
  put16(b, 0);                   /* 00:00 */
  put16(b, 0x21);                /* 1980-01-01: archives are the same for the same arrays */
  put32(b, w->crc);
  put32(b, w->csize);
  put32(b, w->usize);
  put16(b, (uint32_t)strlen(name) + 4);
  put16(b, 0);
  mlsh_buf_puts(b, name);
  mlsh_buf_puts(b, ".npy");
}

static void central_entry(mlsh_buf *b, const char *name, const written *w) {
  put32(b, SIG_CENTRAL);
  put16(b, 20);
  put16(b, 20);
  put16(b, 0x800);
  put16(b, w->method);
  put16(b, 0);
  put16(b, 0x21);
  put32(b, w->crc);
  put32(b, w->csize);
  put32(b, w->usize);
  put16(b, (uint32_t)strlen(name) + 4);
  put16(b, 0); put16(b, 0); put16(b, 0); put16(b, 0);
  put32(b, 0);
  put32(b, w->offset);
  mlsh_buf_puts(b, name);
  mlsh_buf_puts(b, ".npy");
}

static int add_member(mlsh_buf *zip, const char *name, const mlsh_mat *m, int compress, written *w, mlsh_err *err) {
  mlsh_buf npy = MLSH_BUF_INIT, packed = MLSH_BUF_INIT;
  int rc = npy_encode_matrix(m, 0, &npy);
  if (!rc && compress) rc = deflate_into((const unsigned char *)npy.s, npy.len, &packed);
  const mlsh_buf *body = compress ? &packed : &npy;
  if (!rc && (npy.len > 0xfffffffeu || zip->len + body->len + 512 > 0xfffffffeu))
    rc = mlsh_seterr(err, MLSH_EINVAL, "array '%s' makes the archive over 4 GB (not written)", name);
  else if (rc) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (!rc) {
    w->method = compress ? 8 : 0;
    w->crc = (uint32_t)crc32(0, (const unsigned char *)npy.s, (uInt)npy.len);
    w->usize = (uint32_t)npy.len;
    w->csize = (uint32_t)body->len;
    w->offset = (uint32_t)zip->len;
    local_header(zip, name, w);
    mlsh_buf_add(zip, body->s, body->len);
  }
  mlsh_buf_free(&npy);
  mlsh_buf_free(&packed);
  return rc;
}

int npz_save(const char *path, const char *const *names, const mlsh_mat *const *mats, size_t n, int compress, mlsh_err *err) {
  if (n > 0xffff) return mlsh_seterr(err, MLSH_EINVAL, "%zu arrays: a .npz holds at most 65535 here", n);
  mlsh_buf zip = MLSH_BUF_INIT, dir = MLSH_BUF_INIT;
  written *w = mlsh_calloc(n ? n : 1, sizeof *w);
  int rc = w ? MLSH_OK : mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  for (size_t i = 0; i < n && !rc; i++) rc = add_member(&zip, names[i], mats[i], compress, &w[i], err);
  for (size_t i = 0; i < n && !rc; i++) central_entry(&dir, names[i], &w[i]);
  if (!rc) {
    uint32_t dir_offset = (uint32_t)zip.len;
    mlsh_buf_add(&zip, dir.s ? dir.s : "", dir.len);
    put32(&zip, SIG_END);
    put16(&zip, 0); put16(&zip, 0);
    put16(&zip, (uint32_t)n); put16(&zip, (uint32_t)n);
    put32(&zip, (uint32_t)dir.len);
    put32(&zip, dir_offset);
    put16(&zip, 0);
    if (zip.failed || dir.failed) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  if (!rc) rc = mlsh_write_file_atomic(path, zip.s, zip.len, err);
  mlsh_free(w);
  mlsh_buf_free(&zip);
  mlsh_buf_free(&dir);
  return rc;
}
