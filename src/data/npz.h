/* npz.h - numpy .npz archives: a zip file of .npy arrays (np.savez
 * stores them, np.savez_compressed deflates them). Reading takes stored
 * and deflated members, zip64 records included, and checks each CRC;
 * writing stores or deflates (zlib) every member, atomically. */
#ifndef MLSH_DATA_NPZ_H
#define MLSH_DATA_NPZ_H
#include <stddef.h>
#include "../core/error.h"
#include "../core/matrix.h"

typedef struct {
  char *name;          /* the member name without ".npy" */
  mlsh_mat m;          /* 0-D -> 1 x 1, 1-D -> n x 1 */
} npz_array;

typedef struct {
  npz_array *a;
  size_t n;
} npz_archive;

/* Parse an in-memory archive (used by npz_load and the fuzzer). */
int npz_parse(const unsigned char *buf, size_t len, npz_archive *out, mlsh_err *err);
int npz_load(const char *path, npz_archive *out, mlsh_err *err);
void npz_free(npz_archive *z);
/* Write n matrices as name.npy members (float64), deflated when compress. */
int npz_save(const char *path, const char *const *names, const mlsh_mat *const *mats, size_t n, int compress, mlsh_err *err);

#endif
