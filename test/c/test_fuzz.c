/* test_fuzz.c - replays every saved fuzz input (test/fuzz/regress/<target>/)
 * and the seed corpora through the fuzz targets, so a crash found once by
 * `make fuzz` stays fixed. Run under `make asan` it checks memory too. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include "ctest.h"
#include "../fuzz/targets.c"

typedef int (*target_fn)(const uint8_t *, size_t);

static int replay_dir(const char *dir, target_fn fn) {
  DIR *d = opendir(dir);
  int n = 0;
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "rb");
    if (!f) continue;
    unsigned char *buf = malloc(1 << 20);
    size_t len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    if (buf) { fn(buf, len); n++; }
    free(buf);
  }
  closedir(d);
  return n;
}

static void replay(const char *name, target_fn fn) {
  char dir[256];
  snprintf(dir, sizeof dir, "test/fuzz/regress/%s", name);
  int n = replay_dir(dir, fn);
  snprintf(dir, sizeof dir, "test/fuzz/corpus/%s", name);
  n += replay_dir(dir, fn);
  CHECK(n > 0);   /* every target has a seed corpus */
}

static void test_csv(void) { replay("csv", fuzz_csv); }
static void test_fread(void) { replay("fread", fuzz_fread); }
static void test_npy(void) { replay("npy", fuzz_npy); }
static void test_npz(void) { replay("npz", fuzz_npz); }
static void test_cfg(void) { replay("cfg", fuzz_cfg); }
static void test_weights(void) { replay("weights", fuzz_weights); }
static void test_image(void) { replay("image", fuzz_image); }
static void test_model(void) { replay("model", fuzz_model); }
static void test_options(void) { replay("options", fuzz_options); }
static void test_expr(void) { replay("expr", fuzz_expr); }

int main(void) {
  RUN(test_csv);
  RUN(test_fread);
  RUN(test_npy);
  RUN(test_npz);
  RUN(test_cfg);
  RUN(test_weights);
  RUN(test_image);
  RUN(test_model);
  RUN(test_options);
  RUN(test_expr);
  if (fuzz_L) lua_close(fuzz_L);
  CTEST_DONE();
}
