/* path.c - "~" and "~user" at the start of a file name. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "path.h"
#include "alloc.h"
#include "error.h"

/* The home folder of `user` (len bytes; len 0: the current user) into
 * buf; NULL when unknown. getpwnam_r: completion may run beside threads. */
static const char *home_of(const char *user, size_t len, char *buf, size_t cap) {
  if (len == 0) {
    const char *home = getenv("HOME");
    if (home && *home) return home;
  }
  char name[256], pwbuf[4096];
  if (len >= sizeof name) return NULL;
  memcpy(name, user, len);
  name[len] = 0;
  struct passwd pw, *found = NULL;
  int rc = len ? getpwnam_r(name, &pw, pwbuf, sizeof pwbuf, &found)
               : getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &found);
  if (rc != 0 || !found || !found->pw_dir || strlen(found->pw_dir) >= cap) return NULL;
  strcpy(buf, found->pw_dir);
  return buf;
}

/* Length of the expansion of in (without the final NUL); the home folder
 * (or NULL: no expansion) and the length of the "~user" part. */
static size_t expansion(const char *in, const char **home, size_t *tilde_len, char *buf, size_t cap) {
  *home = NULL;
  *tilde_len = 0;
  if (in[0] == '~') {
    size_t ulen = strcspn(in + 1, "/");
    *home = home_of(in + 1, ulen, buf, cap);
    if (*home) *tilde_len = ulen + 1;
  }
  return (*home ? strlen(*home) : 0) + strlen(in + *tilde_len);
}

static void write_expansion(const char *in, const char *home, size_t tilde_len, char *out) {
  size_t hlen = home ? strlen(home) : 0;
  if (hlen) memcpy(out, home, hlen);
  strcpy(out + hlen, in + tilde_len);
}

int mlsh_expand_user(const char *in, char *out, size_t cap) {
  char buf[4096];
  const char *home;
  size_t tilde_len;
  if (cap == 0) return MLSH_EINVAL;
  size_t n = expansion(in, &home, &tilde_len, buf, sizeof buf);
  if (n >= cap) { out[0] = 0; return MLSH_EINVAL; }
  write_expansion(in, home, tilde_len, out);
  return MLSH_OK;
}

char *mlsh_expand_user_dup(const char *in) {
  char buf[4096];
  const char *home;
  size_t tilde_len;
  size_t n = expansion(in, &home, &tilde_len, buf, sizeof buf);
  char *out = mlsh_malloc(n + 1);
  if (out) write_expansion(in, home, tilde_len, out);
  return out;
}
