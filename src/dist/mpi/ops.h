/* ops.h - the table the MPI plugin (build/mlsh-mpi.so, mpi/plugin.c)
 * hands to the core (dist.c). Plain C types only: the core never sees
 * mpi.h. Functions return 0, or -1 with a message in msg. */
#ifndef MLSH_DIST_MPI_OPS_H
#define MLSH_DIST_MPI_OPS_H
#include <stddef.h>

#define DIST_MPI_OPS_VERSION 3

enum { DIST_OP_SUM, DIST_OP_MIN, DIST_OP_MAX, DIST_OP_PROD };

typedef struct dist_mpi_ops {
  int version;
  int (*init)(int *rank, int *size, char *msg, size_t len);
  void (*finalize)(void);
  void (*abort)(int code);
  int (*barrier)(char *msg, size_t len);
  int (*bcast)(void *buf, size_t bytes, int root, char *msg, size_t len);
  int (*allreduce)(double *buf, size_t n, int op, char *msg, size_t len);
  int (*allgather)(const void *in, size_t bytes, void *out, char *msg, size_t len);
  int (*allgatherv)(const void *in, size_t bytes, void *out, const size_t *counts, char *msg, size_t len);
  /* the ring: send to rank + 1 and receive from rank - 1 at once, posted
   * by shift_start and completed by shift_wait (one transfer at a time;
   * the buffers untouched in between); only the main thread calls them */
  int (*shift_start)(const void *send, size_t sbytes, void *recv, size_t rbytes, char *msg, size_t len);
  int (*shift_wait)(char *msg, size_t len);
  /* wait at most `seconds` for a collective (0: for ever) */
  void (*set_timeout)(double seconds);
} dist_mpi_ops;

#endif
