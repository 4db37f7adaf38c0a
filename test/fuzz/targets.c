/* targets.c - the fuzz targets: one function per parser, each taking an
 * arbitrary byte string. Built into libFuzzer binaries by `make fuzz`
 * (fuzz_main.c picks one with -DFUZZ_ENTRY) and replayed over the saved
 * regression inputs by test/c/test_fuzz.c in the normal suite. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../../src/core/alloc.h"
#include "../../src/core/npy.h"
#include "../../src/data/csv.h"

int fuzz_csv(const uint8_t *data, size_t size) {
  csv_table t;
  mlsh_err err;
  csv_options opt = {0, -1, NULL};
  if (size > 0) {
    /* The first byte picks the options so that every code path is reached. */
    const char seps[] = {0, ',', ';', '\t'};
    opt.sep = seps[data[0] & 3];
    opt.header = (data[0] >> 2) % 3 - 1;
    data++;
    size--;
  }
  if (csv_parse((const char *)data, size, &opt, &t, &err) == MLSH_OK) {
    /* Touch every cell: a parser bug shows up as an invalid read here. */
    volatile double sink = 0;
    for (size_t j = 0; j < t.ncols; j++)
      for (size_t i = 0; i < t.nrows; i++)
        sink += t.cols[j].numeric ? t.cols[j].num[i] : (t.cols[j].str[i] ? (double)strlen(t.cols[j].str[i]) : 0);
    (void)sink;
    csv_free(&t);
  }
  return 0;
}

int fuzz_npy(const uint8_t *data, size_t size) {
  mlsh_npy a;
  mlsh_err err;
  if (npy_parse(data, size, &a, &err) == MLSH_OK) {
    volatile double sink = 0;
    for (size_t i = 0; i < a.count; i++) sink += a.data[i];
    (void)sink;
    npy_free(&a);
  }
  return 0;
}
