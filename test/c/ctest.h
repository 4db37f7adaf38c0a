/* ctest.h - a tiny unit-test harness for the C core. Each test program
 * ends with CTEST_DONE(), printing "N passed, N failed, N skipped" which
 * test/run.sh adds up. */
#ifndef CTEST_H
#define CTEST_H
#include <math.h>
#include <stdio.h>
#include <string.h>

static int ctest_pass, ctest_fail, ctest_skip;
static const char *ctest_name = "";

#define CHECK(cond) do { \
    if (cond) ctest_pass++; \
    else { ctest_fail++; fprintf(stderr, "FAIL %s (%s:%d): %s\n", ctest_name, __FILE__, __LINE__, #cond); } \
  } while (0)

#define CHECK_NEAR(a, b, tol) do { \
    double ct_a_ = (a), ct_b_ = (b); \
    if (fabs(ct_a_ - ct_b_) <= (tol)) ctest_pass++; \
    else { ctest_fail++; fprintf(stderr, "FAIL %s (%s:%d): %s = %.12g, expected %.12g (tol %g)\n", \
                                 ctest_name, __FILE__, __LINE__, #a, ct_a_, ct_b_, (double)(tol)); } \
  } while (0)

#define SKIP(msg) do { ctest_skip++; printf("SKIP %s: %s\n", ctest_name, msg); return; } while (0)

#define RUN(fn) do { ctest_name = #fn; fn(); } while (0)

#define CTEST_DONE() do { \
    printf("%d passed, %d failed, %d skipped\n", ctest_pass, ctest_fail, ctest_skip); \
    return ctest_fail ? 1 : 0; \
  } while (0)

#endif
