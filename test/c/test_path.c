/* test_path.c - "~" and "~user" at the start of a file name, checked
 * against the expansion /bin/sh does itself. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctest.h"
#include "../../src/core/alloc.h"
#include "../../src/core/error.h"
#include "../../src/core/path.h"

/* What /bin/sh prints for `echo WORD` (WORD unquoted: tilde expansion). */
static void sh_expand(const char *word, char *out, size_t cap) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "echo %s", word);
  FILE *p = popen(cmd, "r");
  out[0] = 0;
  if (!p) return;
  if (!fgets(out, (int)cap, p)) out[0] = 0;
  pclose(p);
  out[strcspn(out, "\n")] = 0;
}

static int expands_as_sh(const char *word) {
  char ours[4096], ref[4096];
  sh_expand(word, ref, sizeof ref);
  if (mlsh_expand_user(word, ours, sizeof ours) != MLSH_OK) return 0;
  if (strcmp(ours, ref) != 0) fprintf(stderr, "  %s: mlsh '%s', sh '%s'\n", word, ours, ref);
  return strcmp(ours, ref) == 0;
}

static void test_home(void) {
  setenv("HOME", "/tmp/mlsh home", 1);
  char out[256];
  CHECK(mlsh_expand_user("~", out, sizeof out) == MLSH_OK && strcmp(out, "/tmp/mlsh home") == 0);
  CHECK(mlsh_expand_user("~/data/iris.csv", out, sizeof out) == MLSH_OK &&
        strcmp(out, "/tmp/mlsh home/data/iris.csv") == 0);
  setenv("HOME", "/tmp/h", 1);
  CHECK(expands_as_sh("~"));
  CHECK(expands_as_sh("~/a/b"));
  /* HOME unset: the password entry's folder, as bash and glob(3) do */
  unsetenv("HOME");
  struct passwd *pw = getpwuid(getuid());
  CHECK(mlsh_expand_user("~/x", out, sizeof out) == MLSH_OK);
  if (pw) {
    char want[256];
    snprintf(want, sizeof want, "%s/x", pw->pw_dir);
    CHECK(strcmp(out, want) == 0);
  }
  setenv("HOME", "/tmp/h", 1);
}

static void test_users(void) {
  if (!getpwnam("root")) SKIP("no root entry in the password database");
  CHECK(expands_as_sh("~root"));
  CHECK(expands_as_sh("~root/x/y.csv"));
  CHECK(expands_as_sh("~no_such_user_mlsh/x"));   /* unknown: left as it is */
}

static void test_untouched(void) {
  char out[64];
  const char *same[] = {"", "/abs/path", "rel/~x", "a~b", "./~", NULL};
  for (int i = 0; same[i]; i++)
    CHECK(mlsh_expand_user(same[i], out, sizeof out) == MLSH_OK && strcmp(out, same[i]) == 0);
}

static void test_capacity(void) {
  setenv("HOME", "/tmp/h", 1);
  char out[16];
  CHECK(mlsh_expand_user("~/abcdefgh", out, 16) == MLSH_OK && strcmp(out, "/tmp/h/abcdefgh") == 0);  /* 15 + NUL */
  CHECK(mlsh_expand_user("~/abcdefghi", out, 16) == MLSH_EINVAL && out[0] == 0);
  CHECK(mlsh_expand_user("x", out, 0) == MLSH_EINVAL);
  char *dup = mlsh_expand_user_dup("~/abc");
  CHECK(dup && strcmp(dup, "/tmp/h/abc") == 0);
  mlsh_free(dup);
  mlsh_alloc_fail_after(1);
  CHECK(mlsh_expand_user_dup("~/abc") == NULL);
  mlsh_alloc_fail_after(0);
}

int main(void) {
  RUN(test_home);
  RUN(test_users);
  RUN(test_untouched);
  RUN(test_capacity);
  CTEST_DONE();
}
