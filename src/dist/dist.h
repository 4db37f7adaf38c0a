/* dist.h - many processes through MPI (OpenMPI): the core's side of the
 * plugin build/mlsh-mpi.so. Nothing here loads MPI until dist_init: a
 * plain run never touches it. Without MPI (not initialised) the
 * collectives act as on one process: rank 0 of 1.
 * Every collective is counted and its bytes logged (what this rank
 * contributes), for the cost model; MLSH_DIST_CHECK=1 checks before each
 * one that every rank reached the same collective (a sequence number and
 * kind), and MLSH_DIST_TIMEOUT=s makes a wait longer than s seconds an
 * error instead of a hang (30 s by default under the check). */
#ifndef MLSH_DIST_H
#define MLSH_DIST_H
#include <stddef.h>
#include "../core/error.h"
#include "../data/stream.h"

typedef enum { DIST_SUM, DIST_MIN, DIST_MAX, DIST_PROD } dist_op;
typedef enum { DIST_BARRIER, DIST_BCAST, DIST_ALLREDUCE, DIST_ALLGATHER, DIST_ALLGATHERV, DIST_SHIFT, DIST_NKINDS } dist_kind;

/* Launched by mpirun/mpiexec (its environment variables are set). */
int dist_launched(void);
/* Load the plugin and initialise MPI (once; later calls do nothing). */
int dist_init(mlsh_err *err);
int dist_active(void);
int dist_rank(void);
int dist_size(void);
/* Threads a rank should use by default: the cores shared by the ranks on
 * this node (OpenMPI's local size), at least 1; all cores without MPI. */
int dist_default_threads(void);
/* The communicator for the streamed kernels; NULL when not active. */
const stream_comm *dist_comm(void);

int dist_barrier(mlsh_err *err);
int dist_bcast(void *buf, size_t bytes, int root, mlsh_err *err);
int dist_allreduce(double *buf, size_t n, dist_op op, mlsh_err *err);
int dist_allgather(const void *in, size_t bytes, void *out, mlsh_err *err);
int dist_allgatherv(const void *in, size_t bytes, void *out, const size_t *counts, mlsh_err *err);
/* The ring step: sbytes to rank + 1, rbytes from rank - 1 (mod size); every
 * rank calls it together, as a collective. */
int dist_shift(const void *send, size_t sbytes, void *recv, size_t rbytes, mlsh_err *err);
/* The same in two halves: start posts the transfer and returns, wait
 * completes it; in between the caller computes (not touching recv, nor
 * changing send) and calls no other collective. One at a time; only the
 * main thread calls MPI (worker threads may compute meanwhile). */
int dist_shift_start(const void *send, size_t sbytes, void *recv, size_t rbytes, mlsh_err *err);
int dist_shift_wait(mlsh_err *err);

/* Calls and bytes of each kind since the last reset. */
typedef struct dist_log_row { unsigned long calls; double bytes; } dist_log_row;
extern const char *const dist_kind_names[DIST_NKINDS];
void dist_log_get(dist_log_row rows[DIST_NKINDS]);
void dist_log_reset(void);

/* End of the program: finalize after a clean run; otherwise say which
 * rank failed and abort every rank (a non-zero status, no hang). */
void dist_exit(int ok);

#endif
