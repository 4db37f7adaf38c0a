/* dist.c - MPI through the plugin (see dist.h). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dist.h"
#include "mpi/ops.h"
#include "../core/plugin.h"
#include "../core/threads.h"

#define PLUGIN "mlsh-mpi.so"

static const dist_mpi_ops *ops;
static int rank, size = 1, checking;
static unsigned long seq;
static dist_log_row log_rows[DIST_NKINDS];
static stream_comm comm;

const char *const dist_kind_names[DIST_NKINDS] = {"barrier", "bcast", "allreduce", "allgather", "allgatherv", "shift"};

int dist_launched(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

int dist_active(void) { return ops != NULL; }
int dist_rank(void) { return rank; }
int dist_size(void) { return size; }

static int comm_sum(void *ctx, double *buf, size_t n, mlsh_err *err) { return dist_allreduce(buf, n, DIST_SUM, err); }
static int comm_gather(void *ctx, const void *in, size_t bytes, void *out, mlsh_err *err) {
  return dist_allgather(in, bytes, out, err);
}
static int comm_gatherv(void *ctx, const void *in, size_t bytes, void *out, const size_t *counts, mlsh_err *err) {
  return dist_allgatherv(in, bytes, out, counts, err);
}

static int comm_shift(void *ctx, const void *send, size_t sbytes, void *recv, size_t rbytes, mlsh_err *err) {
  return dist_shift(send, sbytes, recv, rbytes, err);
}
static int comm_shift_start(void *ctx, const void *send, size_t sbytes, void *recv, size_t rbytes, mlsh_err *err) {
  return dist_shift_start(send, sbytes, recv, rbytes, err);
}
static int comm_shift_wait(void *ctx, mlsh_err *err) { return dist_shift_wait(err); }

const stream_comm *dist_comm(void) { return ops ? &comm : NULL; }

int dist_default_threads(void) {
  int all = mlsh_default_threads();
  const char *local = ops ? getenv("OMPI_COMM_WORLD_LOCAL_SIZE") : NULL;
  int ranks = local ? atoi(local) : 1;
  return ranks > 1 ? (all / ranks > 1 ? all / ranks : 1) : all;
}

int dist_init(mlsh_err *err) {
  if (ops) return MLSH_OK;
  char why[512];
  void *h = mlsh_plugin_open(PLUGIN, "MLSH_MPI_PLUGIN", "the MPI plugin",
                             "no MPI plugin (" PLUGIN " not found next to mlsh: install OpenMPI with 'make deps' and rebuild)",
                             why, sizeof why);
  if (!h) return mlsh_seterr(err, MLSH_EIO, "%s", why);
  const dist_mpi_ops *(*entry)(void) = (const dist_mpi_ops *(*)(void))dlsym(h, "mlsh_mpi_plugin");
  const dist_mpi_ops *o = entry ? entry() : NULL;
  if (!o || o->version != DIST_MPI_OPS_VERSION) return mlsh_seterr(err, MLSH_EIO, "the MPI plugin does not match this mlsh (rebuild it)");
  if (o->init(&rank, &size, why, sizeof why)) return mlsh_seterr(err, MLSH_EIO, "%s", why);
  const char *check = getenv("MLSH_DIST_CHECK"), *timeout = getenv("MLSH_DIST_TIMEOUT");
  checking = check && *check && strcmp(check, "0") != 0;
  double t = timeout && *timeout ? atof(timeout) : checking ? 30.0 : 0.0;
  o->set_timeout(t);
  comm = (stream_comm){.rank = rank, .size = size, .allreduce_sum = comm_sum, .allgather = comm_gather, .allgatherv = comm_gatherv,
                        .shift = comm_shift, .shift_start = comm_shift_start, .shift_wait = comm_shift_wait};
  ops = o;
  /* ranks on one node share its cores: so does BLAS */
  if (dist_default_threads() < mlsh_default_threads()) mlsh_blas_set_threads(dist_default_threads());
  return MLSH_OK;
}

/* Count the call; under the check, agree on (sequence, kind) first. */
static int enter(dist_kind kind, double bytes, mlsh_err *err) {
  log_rows[kind].calls++;
  log_rows[kind].bytes += bytes;
  seq++;
  if (!checking || !ops) return MLSH_OK;
  double v[4] = {(double)seq, -(double)seq, (double)kind, -(double)kind};
  char msg[512];
  if (ops->allreduce(v, 4, DIST_OP_MAX, msg, sizeof msg)) return mlsh_seterr(err, MLSH_EIO, "%s", msg);
  if (v[0] != -v[1] || v[2] != -v[3])
    return mlsh_seterr(err, MLSH_EIO, "rank %d: collective #%lu (%s) does not match the other ranks' (#%.0f..#%.0f): "
                       "some ranks skipped or added a collective", rank, seq, dist_kind_names[kind], -v[1], v[0]);
  return MLSH_OK;
}

static int done(int rc, const char *msg, mlsh_err *err) {
  return rc ? mlsh_seterr(err, MLSH_EIO, "%s", msg) : MLSH_OK;
}

int dist_barrier(mlsh_err *err) {
  char msg[512];
  int rc = enter(DIST_BARRIER, 0, err);
  if (rc || !ops) return rc;
  return done(ops->barrier(msg, sizeof msg), msg, err);
}

int dist_bcast(void *buf, size_t bytes, int root, mlsh_err *err) {
  char msg[512];
  if (root < 0 || root >= size) return mlsh_seterr(err, MLSH_EINVAL, "root %d is not a rank (0..%d)", root, size - 1);
  int rc = enter(DIST_BCAST, (double)bytes, err);
  if (rc || !ops) return rc;
  return done(ops->bcast(buf, bytes, root, msg, sizeof msg), msg, err);
}

int dist_allreduce(double *buf, size_t n, dist_op op, mlsh_err *err) {
  char msg[512];
  int rc = enter(DIST_ALLREDUCE, (double)n * sizeof(double), err);
  if (rc || !ops) return rc;
  return done(ops->allreduce(buf, n, (int)op, msg, sizeof msg), msg, err);
}

int dist_allgather(const void *in, size_t bytes, void *out, mlsh_err *err) {
  char msg[512];
  int rc = enter(DIST_ALLGATHER, (double)bytes, err);
  if (rc) return rc;
  if (!ops) { memmove(out, in, bytes); return MLSH_OK; }
  return done(ops->allgather(in, bytes, out, msg, sizeof msg), msg, err);
}

int dist_allgatherv(const void *in, size_t bytes, void *out, const size_t *counts, mlsh_err *err) {
  char msg[512];
  int rc = enter(DIST_ALLGATHERV, (double)bytes, err);
  if (rc) return rc;
  if (counts[rank] != bytes) return mlsh_seterr(err, MLSH_EINVAL, "allgatherv: rank %d sends %zu bytes, counts say %zu", rank, bytes, counts[rank]);
  if (!ops) { memmove(out, in, bytes); return MLSH_OK; }
  return done(ops->allgatherv(in, bytes, out, counts, msg, sizeof msg), msg, err);
}

int dist_shift_start(const void *send, size_t sbytes, void *recv, size_t rbytes, mlsh_err *err) {
  char msg[512];
  int rc = enter(DIST_SHIFT, (double)sbytes, err);
  if (rc) return rc;
  if (!ops) {
    if (sbytes != rbytes) return mlsh_seterr(err, MLSH_EINVAL, "shift on one process: %zu bytes sent, %zu expected", sbytes, rbytes);
    memmove(recv, send, sbytes);
    return MLSH_OK;
  }
  return done(ops->shift_start(send, sbytes, recv, rbytes, msg, sizeof msg), msg, err);
}

int dist_shift_wait(mlsh_err *err) {
  char msg[512];
  return ops ? done(ops->shift_wait(msg, sizeof msg), msg, err) : MLSH_OK;
}

int dist_shift(const void *send, size_t sbytes, void *recv, size_t rbytes, mlsh_err *err) {
  int rc = dist_shift_start(send, sbytes, recv, rbytes, err);
  return rc ? rc : dist_shift_wait(err);
}

void dist_log_get(dist_log_row rows[DIST_NKINDS]) { memcpy(rows, log_rows, sizeof log_rows); }
void dist_log_reset(void) { memset(log_rows, 0, sizeof log_rows); }

void dist_exit(int ok) {
  if (!ops) return;
  if (ok) { ops->finalize(); return; }
  fprintf(stderr, "mlsh: rank %d of %d failed; stopping every rank\n", rank, size);
  fflush(stderr);
  ops->abort(1);
}
