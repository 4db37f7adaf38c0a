/* npy.c - numpy .npy reader and writer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "npy.h"
#include "buf.h"
#include "alloc.h"
#include "atomicfile.h"

void npy_free(mlsh_npy *a) {
  mlsh_free(a->data);
  a->data = NULL;
  a->count = 0;
}

/* Find `'key':` in the header dict and return the text after the colon. */
static const char *dict_value(const char *h, const char *key) {
  char pat[32];
  snprintf(pat, sizeof pat, "'%s'", key);
  const char *p = strstr(h, pat);
  if (!p) return NULL;
  p += strlen(pat);
  while (*p == ' ') p++;
  if (*p != ':') return NULL;
  p++;
  while (*p == ' ') p++;
  return p;
}

/* In the order of npy.h's NPY_F8, NPY_F4. */
typedef enum { T_F8, T_F4, T_I1, T_I2, T_I4, T_I8, T_U1, T_U2, T_U4, T_U8, T_B1 } npy_type;

static int parse_descr(const char *v, npy_type *t, int *swap, int *size) {
  if (!v || (*v != '\'' && *v != '"')) return -1;
  char q = *v++;
  const char *end = strchr(v, q);
  if (!end || end - v < 2 || end - v > 4) return -1;
  char order = v[0], kind = v[1];
  int sz = atoi(v + 2);
  if (order != '<' && order != '>' && order != '|' && order != '=') return -1;
  *swap = order == '>';
  *size = sz;
  if (kind == 'f' && sz == 8) *t = T_F8;
  else if (kind == 'f' && sz == 4) *t = T_F4;
  else if (kind == 'i' && sz == 1) *t = T_I1;
  else if (kind == 'i' && sz == 2) *t = T_I2;
  else if (kind == 'i' && sz == 4) *t = T_I4;
  else if (kind == 'i' && sz == 8) *t = T_I8;
  else if (kind == 'u' && sz == 1) *t = T_U1;
  else if (kind == 'u' && sz == 2) *t = T_U2;
  else if (kind == 'u' && sz == 4) *t = T_U4;
  else if (kind == 'u' && sz == 8) *t = T_U8;
  else if (kind == 'b' && sz == 1) *t = T_B1;
  else return -1;
  return 0;
}

static double read_value(const unsigned char *p, npy_type t, int swap, int size) {
  unsigned char b[8];
  for (int i = 0; i < size; i++) b[i] = swap ? p[size - 1 - i] : p[i];
  switch (t) {
    case T_F8: { double d; memcpy(&d, b, 8); return d; }
    case T_F4: { float f; memcpy(&f, b, 4); return f; }
    case T_I1: return (int8_t)b[0];
    case T_I2: { int16_t v; memcpy(&v, b, 2); return v; }
    case T_I4: { int32_t v; memcpy(&v, b, 4); return v; }
    case T_I8: { int64_t v; memcpy(&v, b, 8); return (double)v; }
    case T_U1: case T_B1: return b[0];
    case T_U2: { uint16_t v; memcpy(&v, b, 2); return v; }
    case T_U4: { uint32_t v; memcpy(&v, b, 4); return v; }
    default: { uint64_t v; memcpy(&v, b, 8); return (double)v; }
  }
}

/* The header: version, dict (dtype, order, shape) and where the data start. */
int npy_parse_header(const unsigned char *buf, size_t len, npy_header *hd, mlsh_err *err) {
  memset(hd, 0, sizeof *hd);
  if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
    return mlsh_seterr(err, MLSH_EIO, "not a .npy file (bad magic)");
  int major = buf[6];
  size_t hlen, hstart;
  if (major == 1) { hlen = buf[8] | (size_t)buf[9] << 8; hstart = 10; }
  else if (major == 2 || major == 3) {
    if (len < 12) return mlsh_seterr(err, MLSH_EIO, "truncated .npy header");
    hlen = buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
    hstart = 12;
  } else return mlsh_seterr(err, MLSH_EIO, "unsupported .npy version %d", major);
  if (hlen > len - hstart || hlen > 1 << 20) return mlsh_seterr(err, MLSH_EIO, "truncated .npy header");
  char *h = mlsh_malloc(hlen + 1);
  if (!h) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  memcpy(h, buf + hstart, hlen);
  h[hlen] = 0;
  npy_type t;
  int swap, size, rc = MLSH_OK;
  const char *fo = dict_value(h, "fortran_order"), *sh = dict_value(h, "shape");
  if (parse_descr(dict_value(h, "descr"), &t, &swap, &size) != 0) {
    rc = mlsh_seterr(err, MLSH_EIO, "unsupported or missing dtype in .npy header");
    goto done;
  }
  if (!fo || !sh || *sh != '(') { rc = mlsh_seterr(err, MLSH_EIO, "malformed .npy header"); goto done; }
  hd->fortran = strncmp(fo, "True", 4) == 0;
  hd->type = t;
  hd->swap = swap;
  hd->size = size;
  const char *p = sh + 1;
  hd->count = 1;
  while (*p && *p != ')') {
    while (*p == ' ' || *p == ',') p++;
    if (*p == ')') break;
    if (*p < '0' || *p > '9' || hd->ndim >= NPY_MAX_DIMS) { rc = mlsh_seterr(err, MLSH_EIO, "malformed .npy shape"); goto done; }
    char *e;
    unsigned long long d = strtoull(p, &e, 10);
    if (d > ((size_t)1 << 40) || mlsh_mul_overflow(hd->count, (size_t)d, &hd->count)) {
      rc = mlsh_seterr(err, MLSH_EIO, "malformed .npy shape"); goto done;
    }
    hd->shape[hd->ndim++] = (size_t)d;
    p = e;
  }
  if (*p != ')') { rc = mlsh_seterr(err, MLSH_EIO, "malformed .npy shape"); goto done; }
  hd->data_offset = hstart + hlen;
  if (mlsh_mul_overflow(hd->count, (size_t)size, &hd->data_bytes))
    rc = mlsh_seterr(err, MLSH_EIO, "malformed .npy shape");
done:
  mlsh_free(h);
  return rc;
}

int npy_parse(const unsigned char *buf, size_t len, mlsh_npy *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  npy_header hd;
  int rc = npy_parse_header(buf, len, &hd, err);
  if (rc) return rc;
  npy_type t = (npy_type)hd.type;
  int swap = hd.swap, size = hd.size, fortran = hd.fortran;
  out->ndim = hd.ndim;
  out->count = hd.count;
  memcpy(out->shape, hd.shape, sizeof hd.shape);
  size_t need = hd.data_bytes, dstart = hd.data_offset;
  if (need > len - dstart) {
    rc = mlsh_seterr(err, MLSH_EIO, "truncated .npy data: %zu bytes expected, %zu present", need, len - dstart);
    goto done;
  }
  if (len - dstart > need) {
    rc = mlsh_seterr(err, MLSH_EIO, ".npy file has %zu bytes after the data", len - dstart - need);
    goto done;
  }
  out->data = mlsh_malloc_array(out->count ? out->count : 1, sizeof(double));
  if (!out->data) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); goto done; }
  const unsigned char *d = buf + dstart;
  if (!fortran || out->ndim < 2) {
    for (size_t i = 0; i < out->count; i++) out->data[i] = read_value(d + i * size, t, swap, size);
  } else {
    /* Fortran order: the first index varies fastest. Walk C order and map. */
    size_t idx[NPY_MAX_DIMS] = {0};
    for (size_t i = 0; i < out->count; i++) {
      size_t f = 0, stride = 1;
      for (int k = 0; k < out->ndim; k++) { f += idx[k] * stride; stride *= out->shape[k]; }
      out->data[i] = read_value(d + f * size, t, swap, size);
      for (int k = out->ndim - 1; k >= 0; k--) {
        if (++idx[k] < out->shape[k]) break;
        idx[k] = 0;
      }
    }
  }
done:
  if (rc) npy_free(out);
  return rc;
}

int npy_load(const char *path, mlsh_npy *out, mlsh_err *err) {
  memset(out, 0, sizeof *out);
  char *buf;
  size_t len;
  int rc = mlsh_read_file(path, 0, &buf, &len, err);
  if (rc) return rc;
  rc = npy_parse((const unsigned char *)buf, len, out, err);
  mlsh_free(buf);
  if (rc && rc != MLSH_ENOMEM) mlsh_err_prefix(err, path);
  return rc;
}

int npy_to_matrix(mlsh_npy *a, const char *name, mlsh_mat *m, mlsh_err *err) {
  if (a->ndim > 2) {
    npy_free(a);
    return mlsh_seterr(err, MLSH_EINVAL, "%s: a %d-D array is not a matrix", name, a->ndim);
  }
  m->rows = a->ndim == 0 ? 1 : a->shape[0];
  m->cols = a->ndim == 2 ? a->shape[1] : 1;
  m->data = a->data;
  if (MAT_LEN(m) == 0) { mlsh_free(a->data); m->data = NULL; }
  a->data = NULL;
  return MLSH_OK;
}

int npy_load_matrix(const char *path, mlsh_mat *m, mlsh_err *err) {
  mlsh_npy a;
  int rc = npy_load(path, &a, err);
  return rc ? rc : npy_to_matrix(&a, path, m, err);
}

int npy_encode_matrix(const mlsh_mat *m, int single, mlsh_buf *out) {
  char header[128];
  int n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }",
                   single ? "<f4" : "<f8", m->rows, m->cols);
  /* Pad so that magic + len + header + '\n' is a multiple of 64. */
  int total = 10 + n + 1;
  int pad = (64 - total % 64) % 64;
  unsigned hl = (unsigned)(n + pad + 1);
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 0xff), (unsigned char)(hl >> 8)};
  size_t len = MAT_LEN(m);
  mlsh_buf_reserve(out, 10 + hl + len * (single ? 4 : 8));
  mlsh_buf_add(out, pre, 10);
  mlsh_buf_add(out, header, (size_t)n);
  for (int i = 0; i < pad; i++) mlsh_buf_add(out, " ", 1);
  mlsh_buf_add(out, "\n", 1);
  for (size_t i = 0; single && i < len; i++) {
    float f = (float)m->data[i];
    mlsh_buf_add(out, &f, sizeof f);
  }
  if (!single && len) mlsh_buf_add(out, m->data, len * sizeof(double));
  return out->failed ? MLSH_ENOMEM : MLSH_OK;
}

int npy_save_matrix(const char *path, const mlsh_mat *m, int single, mlsh_err *err) {
  mlsh_buf b = MLSH_BUF_INIT;
  if (npy_encode_matrix(m, single, &b)) {
    mlsh_buf_free(&b);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  int rc = mlsh_write_file_atomic(path, b.s, b.len, err);
  mlsh_buf_free(&b);
  return rc;
}
