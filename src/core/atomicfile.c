/* atomicfile.c - temp file + fsync + rename. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "atomicfile.h"
#include "alloc.h"

static char *dupstr(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = mlsh_malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

static void release(mlsh_afile *af) {
  mlsh_free(af->path);
  mlsh_free(af->tmppath);
  af->path = af->tmppath = NULL;
  af->fp = NULL;
}

int mlsh_afile_open(mlsh_afile *af, const char *path, mlsh_err *err) {
  memset(af, 0, sizeof *af);
  size_t n = strlen(path);
  af->path = dupstr(path);
  af->tmppath = mlsh_malloc(n + 16);
  if (!af->path || !af->tmppath) {
    release(af);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  memcpy(af->tmppath, path, n);
  memcpy(af->tmppath + n, ".tmp.XXXXXX", 12);
  int fd = mkstemp(af->tmppath);
  if (fd < 0) {
    int e = errno;
    release(af);
    return mlsh_seterr(err, MLSH_EIO, "cannot write '%s': %s", path, strerror(e));
  }
  fchmod(fd, 0644);
  af->fp = fdopen(fd, "wb");
  if (!af->fp) {
    int e = errno;
    close(fd);
    unlink(af->tmppath);
    release(af);
    return mlsh_seterr(err, MLSH_EIO, "cannot write '%s': %s", path, strerror(e));
  }
  return MLSH_OK;
}

int mlsh_afile_commit(mlsh_afile *af, mlsh_err *err) {
  if (!af->fp) return mlsh_seterr(err, MLSH_EIO, "file already closed");
  int bad = af->failed || ferror(af->fp) || fflush(af->fp) != 0 || fsync(fileno(af->fp)) != 0;
  int e = errno;
  if (fclose(af->fp) != 0 && !bad) { bad = 1; e = errno; }
  af->fp = NULL;
  if (!bad && rename(af->tmppath, af->path) != 0) { bad = 1; e = errno; }
  if (bad) {
    unlink(af->tmppath);
    mlsh_seterr(err, MLSH_EIO, "cannot write '%s': %s", af->path, strerror(e ? e : EIO));
    release(af);
    return MLSH_EIO;
  }
  release(af);
  return MLSH_OK;
}

void mlsh_afile_abort(mlsh_afile *af) {
  if (af->fp) {
    fclose(af->fp);
    unlink(af->tmppath);
  }
  release(af);
}

int mlsh_write_file_atomic(const char *path, const void *buf, size_t len, mlsh_err *err) {
  mlsh_afile af;
  int rc = mlsh_afile_open(&af, path, err);
  if (rc) return rc;
  if (len && fwrite(buf, 1, len, af.fp) != len) af.failed = 1;
  return mlsh_afile_commit(&af, err);
}
