/* h5frame.h - HDF5 datasets (libhdf5) as matrices and frames: a numeric
 * dataset of up to 2 dimensions is a matrix, a 1-D dataset of compound
 * records (what h5py and pandas' to_records write) a frame with one
 * column per field. A matrix is saved as a new 2-D float64 dataset. */
#ifndef MLSH_DATA_H5FRAME_H
#define MLSH_DATA_H5FRAME_H
#include "../core/matrix.h"
#include "../frame/frame.h"

/* Exactly one of *m (numeric dataset) and *f (compound) is filled. */
int h5_read(const char *path, const char *dataset, mlsh_mat *m, mlsh_frame **f, mlsh_err *err);
/* Add dataset (parent groups created) to the file at path, created when
 * missing. An existing dataset of that name is an error; the file is
 * changed on a copy renamed into place, so a failure leaves it intact. */
int h5_save_matrix(const char *path, const char *dataset, const mlsh_mat *m, mlsh_err *err);

#endif
