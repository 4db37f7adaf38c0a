/* serial.c - model file buffers and framing (see serial.h). */
#include <string.h>
#include <stdio.h>
#include "serial.h"
#include "../core/alloc.h"
#include "../core/atomicfile.h"

#define SER_MAGIC "MLSHMDL\n"

static void put(ser_writer *w, const void *p, size_t n) { mlsh_buf_add(w, p, n); }

/* x86 and ARM are little-endian; the format is defined as little-endian. */
void ser_u32(ser_writer *w, uint32_t v) { put(w, &v, 4); }
void ser_u64(ser_writer *w, uint64_t v) { put(w, &v, 8); }
void ser_f64(ser_writer *w, double v) { put(w, &v, 8); }
void ser_f64s(ser_writer *w, const double *v, size_t n) { if (n) put(w, v, n * 8); }
void ser_i32s(ser_writer *w, const int *v, size_t n) { if (n) put(w, v, n * 4); }
void ser_bytes(ser_writer *w, const void *p, size_t n) { if (n) put(w, p, n); }
void ser_free(ser_writer *w) { mlsh_buf_free(w); }

int ser_take(ser_writer *w, unsigned char **out, size_t *len) {
  *len = w->len;
  *out = (unsigned char *)mlsh_buf_take(w);
  return *out ? MLSH_OK : MLSH_ENOMEM;
}

static int get(ser_reader *r, void *p, size_t n) {
  if (r->failed || n > r->len - r->pos) { r->failed = 1; memset(p, 0, n); return 0; }
  memcpy(p, r->buf + r->pos, n);
  r->pos += n;
  return 1;
}

const unsigned char *des_bytes(ser_reader *r, size_t n) {
  if (r->failed || n > r->len - r->pos) { r->failed = 1; return NULL; }
  r->pos += n;
  return r->buf + r->pos - n;
}

uint32_t des_u32(ser_reader *r) { uint32_t v; get(r, &v, 4); return v; }
uint64_t des_u64(ser_reader *r) { uint64_t v; get(r, &v, 8); return v; }
double des_f64(ser_reader *r) { double v; get(r, &v, 8); return v; }

size_t des_count(ser_reader *r, size_t elem) {
  uint64_t n = des_u64(r);
  if (r->failed || (elem && n > (r->len - r->pos) / elem)) { r->failed = 1; return 0; }
  return (size_t)n;
}

static void *des_array(ser_reader *r, size_t n, size_t elem) {
  if (r->failed || n > (r->len - r->pos) / elem) { r->failed = 1; return NULL; }
  void *p = mlsh_malloc(n ? n * elem : 1);
  if (!p) { r->failed = 1; return NULL; }
  get(r, p, n * elem);
  return p;
}
double *des_f64s(ser_reader *r, size_t n) { return des_array(r, n, 8); }
int *des_i32s(ser_reader *r, size_t n) { return des_array(r, n, 4); }

uint64_t ser_checksum(const unsigned char *p, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ULL; }
  return h;
}

int ser_save(const char *path, uint32_t kind, uint32_t version, const ser_writer *payload, mlsh_err *err) {
  if (payload->failed) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory to serialise the model");
  ser_writer w = MLSH_BUF_INIT;
  put(&w, SER_MAGIC, 8);
  ser_u32(&w, version);
  ser_u32(&w, kind);
  ser_u64(&w, payload->len);
  put(&w, payload->s, payload->len);
  ser_u64(&w, ser_checksum((const unsigned char *)payload->s, payload->len));
  if (w.failed) { ser_free(&w); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory to serialise the model"); }
  int rc = mlsh_write_file_atomic(path, w.s, w.len, err);
  ser_free(&w);
  return rc;
}

int ser_load(const char *path, uint32_t *kind, uint32_t *version, unsigned char **payload, size_t *len, mlsh_err *err) {
  *payload = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return mlsh_seterr(err, MLSH_EIO, "cannot open '%s'", path);
  unsigned char head[24];
  if (fread(head, 1, 24, f) != 24 || memcmp(head, SER_MAGIC, 8) != 0) {
    fclose(f);
    return mlsh_seterr(err, MLSH_EIO, "'%s' is not an mlsh model file", path);
  }
  uint32_t ver; uint64_t n;
  memcpy(&ver, head + 8, 4); memcpy(kind, head + 12, 4); memcpy(&n, head + 16, 8);
  if (ver < 1 || ver > SER_VERSION) {
    fclose(f);
    return mlsh_seterr(err, MLSH_EIO, "'%s' has model format version %u (this mlsh reads versions 1 to %u)", path, ver,
                       SER_VERSION);
  }
  *version = ver;
  /* Never trust the stored size: it must match the file (header + payload + checksum). */
  long here = ftell(f), fsize = -1;
  if (here >= 0 && fseek(f, 0, SEEK_END) == 0) fsize = ftell(f);
  if (fsize < 0 || fseek(f, here, SEEK_SET) != 0 || n > (uint64_t)fsize || (uint64_t)fsize != 24 + n + 8) {
    fclose(f);
    return mlsh_seterr(err, MLSH_EIO, "'%s' is corrupt or truncated (payload size %llu, file size %ld)", path,
                       (unsigned long long)n, fsize);
  }
  unsigned char *buf = mlsh_malloc(n ? n : 1);
  if (!buf) { fclose(f); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory to read '%s'", path); }
  uint64_t sum = 0;
  int ok = fread(buf, 1, n, f) == n && fread(&sum, 1, 8, f) == 8 && fgetc(f) == EOF;
  fclose(f);
  if (!ok || sum != ser_checksum(buf, n)) {
    mlsh_free(buf);
    return mlsh_seterr(err, MLSH_EIO, "'%s' is corrupt or truncated (checksum mismatch)", path);
  }
  *payload = buf; *len = n;
  return MLSH_OK;
}
