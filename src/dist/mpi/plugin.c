/* plugin.c - the MPI plugin, build/mlsh-mpi.so (built with mpicc when
 * OpenMPI is installed; loaded by src/dist/dist.c only under mpirun or
 * when asked for). Every collective is started non-blocking and waited
 * for by polling with short sleeps, so a rank that waits (an idle REPL
 * rank, a rank ahead of the others) does not spin a core, and a wait can
 * time out with a message instead of hanging. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mpi.h>
#include "ops.h"

static int my_rank;
static double timeout_s;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(int code, const char *what, char *msg, size_t len) {
  char text[MPI_MAX_ERROR_STRING];
  int n = 0;
  MPI_Error_string(code, text, &n);
  snprintf(msg, len, "rank %d: MPI_%s failed: %.*s", my_rank, what, n, text);
  return -1;
}

/* Test first (a fast collective completes in microseconds), then sleep
 * between tests, growing to 1 ms. */
static int wait_req(MPI_Request *req, const char *what, char *msg, size_t len) {
  double start = now();
  long polls = 0;
  for (;;) {
    int done = 0, rc = MPI_Test(req, &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS) return fail(rc, what, msg, len);
    if (done) return 0;
    if (++polls > 2000) {
      long ns = polls > 20000 ? 1000000 : 50000;
      struct timespec ts = {0, ns};
      nanosleep(&ts, NULL);
      if (timeout_s > 0 && now() - start > timeout_s) {
        snprintf(msg, len, "rank %d: %s waited more than %g s: another rank did not reach it", my_rank, what, timeout_s);
        return -1;
      }
    }
  }
}

static int p_init(int *rank, int *size, char *msg, size_t len) {
  /* mlsh loads this plugin RTLD_LOCAL; OpenMPI's own components need
   * libmpi's symbols global (as mpi4py does). */
  Dl_info info;
  if (dladdr((void *)MPI_Init, &info) && info.dli_fname) dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  int inited = 0, provided;
  MPI_Initialized(&inited);
  /* Worker threads compute (the ring KNN searches while a block travels)
   * but only the main thread calls MPI. */
  int rc = inited ? MPI_SUCCESS : MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
  if (rc != MPI_SUCCESS) return fail(rc, "Init_thread", msg, len);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  my_rank = *rank;
  return 0;
}

static void p_finalize(void) {
  int fin = 0;
  MPI_Finalized(&fin);
  if (!fin) MPI_Finalize();
}

static void p_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

static int p_barrier(char *msg, size_t len) {
  MPI_Request r;
  int rc = MPI_Ibarrier(MPI_COMM_WORLD, &r);
  return rc != MPI_SUCCESS ? fail(rc, "Ibarrier", msg, len) : wait_req(&r, "barrier", msg, len);
}

/* MPI counts are ints: long messages go in pieces of at most 1 GiB. */
#define PIECE ((size_t)1 << 30)

static int p_bcast(void *buf, size_t bytes, int root, char *msg, size_t len) {
  for (size_t off = 0; off < bytes || (bytes == 0 && off == 0); off += PIECE) {
    size_t n = bytes - off < PIECE ? bytes - off : PIECE;
    MPI_Request r;
    int rc = MPI_Ibcast((char *)buf + off, (int)n, MPI_BYTE, root, MPI_COMM_WORLD, &r);
    if (rc != MPI_SUCCESS) return fail(rc, "Ibcast", msg, len);
    if (wait_req(&r, "bcast", msg, len)) return -1;
    if (bytes == 0) break;
  }
  return 0;
}

static int p_allreduce(double *buf, size_t n, int op, char *msg, size_t len) {
  MPI_Op ops[] = {MPI_SUM, MPI_MIN, MPI_MAX, MPI_PROD};
  for (size_t off = 0; off < n; off += PIECE / sizeof(double)) {
    size_t m = n - off < PIECE / sizeof(double) ? n - off : PIECE / sizeof(double);
    MPI_Request r;
    int rc = MPI_Iallreduce(MPI_IN_PLACE, buf + off, (int)m, MPI_DOUBLE, ops[op], MPI_COMM_WORLD, &r);
    if (rc != MPI_SUCCESS) return fail(rc, "Iallreduce", msg, len);
    if (wait_req(&r, "allreduce", msg, len)) return -1;
  }
  return 0;
}

static int p_allgather(const void *in, size_t bytes, void *out, char *msg, size_t len) {
  if (bytes > INT_MAX) { snprintf(msg, len, "rank %d: allgather of %zu bytes is over MPI's 2 GiB", my_rank, bytes); return -1; }
  MPI_Request r;
  int rc = MPI_Iallgather(in, (int)bytes, MPI_BYTE, out, (int)bytes, MPI_BYTE, MPI_COMM_WORLD, &r);
  return rc != MPI_SUCCESS ? fail(rc, "Iallgather", msg, len) : wait_req(&r, "allgather", msg, len);
}

static int p_allgatherv(const void *in, size_t bytes, void *out, const size_t *counts, char *msg, size_t len) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int cnt[size], disp[size];
  size_t total = 0;
  for (int i = 0; i < size; i++) {
    if (total + counts[i] > INT_MAX) { snprintf(msg, len, "rank %d: allgatherv over MPI's 2 GiB", my_rank); return -1; }
    cnt[i] = (int)counts[i];
    disp[i] = (int)total;
    total += counts[i];
  }
  MPI_Request r;
  int rc = MPI_Iallgatherv(in, (int)bytes, MPI_BYTE, out, cnt, disp, MPI_BYTE, MPI_COMM_WORLD, &r);
  return rc != MPI_SUCCESS ? fail(rc, "Iallgatherv", msg, len) : wait_req(&r, "allgatherv", msg, len);
}

/* The ring step in two halves, so that the caller computes while the
 * block travels: start posts both directions (pieces of at most 1 GiB,
 * as bcast) before any is waited for, so no rank can block the ring;
 * wait completes them. One transfer at a time. */
static MPI_Request *ring_req;
static int ring_nreq;

static int p_shift_start(const void *send, size_t sbytes, void *recv, size_t rbytes, char *msg, size_t len) {
  if (ring_req) { snprintf(msg, len, "rank %d: a ring transfer is already in flight", my_rank); return -1; }
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int to = (my_rank + 1) % size, from = (my_rank + size - 1) % size;
  size_t most = sbytes > rbytes ? sbytes : rbytes, pieces = most ? (most + PIECE - 1) / PIECE : 1;
  ring_req = malloc(2 * pieces * sizeof *ring_req);
  if (!ring_req) { snprintf(msg, len, "rank %d: no memory for the ring's requests", my_rank); return -1; }
  ring_nreq = 0;
  for (size_t i = 0; i < pieces; i++) {
    size_t off = i * PIECE;
    int ns = off < sbytes ? (int)(sbytes - off < PIECE ? sbytes - off : PIECE) : 0;
    int nr = off < rbytes ? (int)(rbytes - off < PIECE ? rbytes - off : PIECE) : 0;
    int rc = MPI_Irecv((char *)recv + (off < rbytes ? off : 0), nr, MPI_BYTE, from, 77, MPI_COMM_WORLD, &ring_req[ring_nreq]);
    if (rc != MPI_SUCCESS) return fail(rc, "Irecv", msg, len);
    ring_nreq++;
    rc = MPI_Isend((const char *)send + (off < sbytes ? off : 0), ns, MPI_BYTE, to, 77, MPI_COMM_WORLD, &ring_req[ring_nreq]);
    if (rc != MPI_SUCCESS) return fail(rc, "Isend", msg, len);
    ring_nreq++;
  }
  return 0;
}

static int p_shift_wait(char *msg, size_t len) {
  if (!ring_req) { snprintf(msg, len, "rank %d: no ring transfer to wait for", my_rank); return -1; }
  int rc = 0;
  for (int i = 0; !rc && i < ring_nreq; i++) rc = wait_req(&ring_req[i], i % 2 ? "ring send" : "ring receive", msg, len);
  free(ring_req);
  ring_req = NULL;
  return rc;
}

static void p_set_timeout(double seconds) { timeout_s = seconds; }

__attribute__((visibility("default"))) const dist_mpi_ops *mlsh_mpi_plugin(void) {
  static const dist_mpi_ops ops = {DIST_MPI_OPS_VERSION, p_init, p_finalize, p_abort, p_barrier, p_bcast,
                                   p_allreduce, p_allgather, p_allgatherv, p_shift_start, p_shift_wait, p_set_timeout};
  return &ops;
}
