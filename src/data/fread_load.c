/* fread_load.c - the CSV reader's input: a memory map of the file, or
 * its inflated bytes (.gz, zlib), converted to UTF-8 with iconv when it
 * is in another encoding; the checks on raw bytes (NUL, UTF-8); line
 * numbers for messages; the delimiter sniffer. */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "fread_load.h"
#include "../core/alloc.h"
#include "../core/buf.h"
#include "../core/threads.h"

static int read_gz(const char *path, fr_input *in, mlsh_err *err) {
  gzFile g = gzopen(path, "rb");
  if (!g) return mlsh_seterr(err, MLSH_EIO, "cannot open '%s': %s", path, strerror(errno ? errno : EIO));
  gzbuffer(g, 1 << 17);
  mlsh_buf b = MLSH_BUF_INIT;
  int rc = MLSH_OK;
  for (;;) {
    if (mlsh_buf_reserve(&b, 1 << 20)) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); break; }
    int got = gzread(g, b.s + b.len, (unsigned)(b.cap - b.len - 1));
    if (got < 0) {
      int code;
      const char *msg = gzerror(g, &code);
      rc = mlsh_seterr(err, MLSH_EIO, "'%s': not a valid gzip file (%s)", path, code == Z_ERRNO ? strerror(errno) : msg);
      break;
    }
    if (got == 0) break;
    b.len += (size_t)got;
  }
  /* gzread reads plain files as they are: a .gz that is not compressed is
   * fine; a truncated one gives Z_BUF_ERROR at the end. */
  int code = Z_OK;
  if (!rc) gzerror(g, &code);
  if (!rc && code != Z_OK && code != Z_STREAM_END)
    rc = mlsh_seterr(err, MLSH_EIO, "'%s': truncated or corrupt gzip data", path);
  gzclose(g);
  if (rc) { mlsh_buf_free(&b); return rc; }
  in->len = b.len;
  in->owned = b.s;
  in->data = b.s ? b.s : "";
  return MLSH_OK;
}

int fr_input_open(const char *path, fr_input *in, mlsh_err *err) {
  memset(in, 0, sizeof *in);
  in->data = "";
  size_t n = strlen(path);
  if (n > 3 && strcmp(path + n - 3, ".gz") == 0) {
    if (access(path, R_OK) != 0) return mlsh_seterr(err, MLSH_EIO, "cannot open '%s': %s", path, strerror(errno));
    return read_gz(path, in, err);
  }
  int fd = open(path, O_RDONLY);
  if (fd < 0) return mlsh_seterr(err, MLSH_EIO, "cannot open '%s': %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    close(fd);
    return mlsh_seterr(err, MLSH_EIO, "cannot read '%s': it is a folder", path);
  }
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return mlsh_seterr(err, MLSH_EIO, "cannot map '%s': %s", path, strerror(errno));
    madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL | MADV_WILLNEED);
    in->map = map;
    in->data = map;
    in->len = in->maplen = (size_t)st.st_size;
    return MLSH_OK;
  }
  close(fd);
  if (S_ISREG(st.st_mode)) return MLSH_OK;   /* empty */
  int rc = mlsh_read_file(path, 0, &in->owned, &in->len, err);   /* a pipe */
  if (!rc && in->owned) in->data = in->owned;
  return rc;
}

void fr_input_close(fr_input *in) {
  if (in->map) munmap(in->map, in->maplen);
  mlsh_free(in->owned);
  memset(in, 0, sizeof *in);
}

int fr_convert(const char *buf, size_t len, const char *encoding, char **out, size_t *outlen, mlsh_err *err) {
  iconv_t cd = iconv_open("UTF-8", encoding);
  if (cd == (iconv_t)-1) return mlsh_seterr(err, MLSH_EINVAL, "unknown encoding \"%s\"", encoding);
  mlsh_buf b = MLSH_BUF_INIT;
  char *src = (char *)buf;
  size_t left = len;
  int rc = MLSH_OK;
  while (left > 0) {
    if (mlsh_buf_reserve(&b, left + 16 > (1u << 20) ? left + 16 : (1u << 20))) { rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); break; }
    char *dst = b.s + b.len;
    size_t room = b.cap - b.len - 1;
    size_t r = iconv(cd, &src, &left, &dst, &room);
    b.len = (size_t)(dst - b.s);
    if (r == (size_t)-1 && errno != E2BIG) {
      rc = mlsh_seterr(err, MLSH_EIO, "line %zu: bytes that are not %s", fr_line_of(buf, src), encoding);
      break;
    }
  }
  iconv_close(cd);
  if (rc) { mlsh_buf_free(&b); return rc; }
  *outlen = b.len;
  *out = b.s;
  return MLSH_OK;
}

size_t fr_line_of(const char *buf, const char *at) {
  size_t line = 1;
  for (const char *p = buf; p < at; p++)
    line += *p == '\n' || (*p == '\r' && (p + 1 >= at || p[1] != '\n'));
  return line;
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t k = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (k == 0 || k > n) return 0;
  for (size_t i = 1; i < k; i++) if ((s[i] & 0xC0) != 0x80) return 0;
  if (k == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))) return 0;
  if (k == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))) return 0;
  return k;
}

/* The first bad byte in [s + i, s + end) (a NUL, or invalid UTF-8 in *why
 * = 1), or NULL. */
static const unsigned char *bad_byte(const unsigned char *s, size_t i, size_t end, size_t len, int *why) {
  while (i < end) {
    /* Eight ASCII bytes without NUL at a time. */
    if (i + 8 <= end) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (!(w & 0x8080808080808080ull) && !((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)) { i += 8; continue; }
    }
    if (s[i] == 0) { *why = 0; return s + i; }
    if (s[i] < 0x80) { i++; continue; }
    size_t k = utf8_len(s + i, len - i);
    if (!k) { *why = 1; return s + i; }
    i += k;
  }
  return NULL;
}

typedef struct {
  const unsigned char *s;
  size_t len, n;
  const unsigned char **bad;   /* per piece */
  int *why;
} check_job;

/* A piece starts at the first byte at or after its share that is not a
 * UTF-8 continuation byte (so no sequence is split). */
static size_t piece_start(const check_job *c, size_t i) {
  size_t p = c->len * i / c->n;
  while (i > 0 && p < c->len && (c->s[p] & 0xC0) == 0x80 && p - c->len * i / c->n < 4) p++;
  return p;
}

static int check_range(void *ctx, size_t begin, size_t end, int tid) {
  check_job *c = ctx;
  for (size_t i = begin; i < end; i++)
    c->bad[i] = bad_byte(c->s, piece_start(c, i), piece_start(c, i + 1 < c->n ? i + 1 : c->n), c->len, &c->why[i]);
  return 0;
}

int fr_check_bytes(const char *buf, size_t len, int nthreads, mlsh_err *err) {
  const unsigned char *s = (const unsigned char *)buf;
  /* A NUL early on says binary better than the invalid UTF-8 around it. */
  const char *nul = memchr(buf, 0, len < 65536 ? len : 65536);
  if (nul) return mlsh_seterr(err, MLSH_EIO, "line %zu: a NUL byte: this is a binary file, not CSV", fr_line_of(buf, nul));
  enum { PIECES = 64 };
  const unsigned char *bad[PIECES] = {0};
  int why[PIECES] = {0};
  check_job c = {s, len, len >= (1u << 22) && nthreads > 1 ? PIECES : 1, bad, why};
  mlsh_parallel_for(c.n, nthreads, 1, check_range, &c);
  for (size_t i = 0; i < c.n; i++) {
    if (!bad[i]) continue;
    size_t line = fr_line_of(buf, (const char *)bad[i]);
    if (!why[i]) return mlsh_seterr(err, MLSH_EIO, "line %zu: a NUL byte: this is a binary file, not CSV", line);
    return mlsh_seterr(err, MLSH_EIO, "line %zu: invalid UTF-8 (byte 0x%02X); give encoding = \"latin1\" if the file is Latin-1",
                       line, *bad[i]);
  }
  return MLSH_OK;
}

char fread_sniff_sep(const char *buf, size_t len) {
  enum { LINES = 30 };
  const char cands[] = {',', ';', '\t', '|'};
  int counts[4][LINES] = {{0}};
  int lines = 0, inq = 0;
  for (size_t i = 0; i < len && lines < LINES; i++) {
    char ch = buf[i];
    if (ch == '"') inq = !inq;
    else if (!inq && (ch == '\n' || ch == '\r')) {
      if (i > 0 && buf[i - 1] != '\n' && buf[i - 1] != '\r') lines++;
    } else if (!inq)
      for (int k = 0; k < 4; k++) counts[k][lines] += ch == cands[k];
  }
  if (lines < LINES && len && buf[len - 1] != '\n' && buf[len - 1] != '\r') lines++;
  if (lines == 0) lines = 1;
  char best = ',';
  double best_score = 0;
  for (int k = 0; k < 4; k++) {
    int first = counts[k][0], same = 0;
    if (first == 0) continue;
    for (int l = 0; l < lines; l++) same += counts[k][l] == first;
    double score = (double)same / lines * 1000 + first;
    if (score > best_score) { best_score = score; best = cands[k]; }
  }
  return best;
}
