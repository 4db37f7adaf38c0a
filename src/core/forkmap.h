/* forkmap.h - independent work items in forked worker processes, as R's
 * parallel::mclapply: each worker inherits the parent's memory (copy on
 * write), computes its items and sends each result back as bytes through a
 * pipe. Work that cannot stop midway (libsvm) runs this way too: Ctrl-C
 * kills the workers and the OS reclaims everything they held. */
#ifndef MLSH_FORKMAP_H
#define MLSH_FORKMAP_H
#include <stddef.h>
#include "error.h"

/* Item body, run in a worker process: compute item `item` into *out and
 * *len (mlsh_malloc'd, or NULL and 0); returns 0 or an mlsh status, which
 * reaches the parent as the item's status. */
typedef int (*forkmap_fn)(void *ctx, size_t item, unsigned char **out, size_t *len);

/* Items 0..n-1 on `workers` processes, each taking the next item in order
 * when it is free (put long items first).
 * results[i], lens[i] and status[i] receive item i's bytes (mlsh_malloc'd,
 * the caller frees them) and status. Returns MLSH_OK, MLSH_EINTR (Ctrl-C:
 * the workers were killed), MLSH_ENOMEM, or MLSH_EIO (a worker could not
 * start or died); on error no result is left allocated. */
int forkmap_run(size_t n, int workers, forkmap_fn fn, void *ctx,
                unsigned char **results, size_t *lens, int *status, mlsh_err *err);

/* In a worker process: nonzero (so that nested forkmaps run in-process). */
int forkmap_in_worker(void);

#endif
