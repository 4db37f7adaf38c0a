/* h5frame.c - reading HDF5 datasets as matrices or frames, saving
 * matrices. HDF5 prints its error stack on stderr by default: that is
 * turned off while mlsh works and each failure reported as an mlsh error. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <hdf5.h>
#include "h5frame.h"
#include "../core/alloc.h"
#include "../core/atomicfile.h"

typedef struct { H5E_auto2_t func; void *data; } h5_quiet;

static void quiet_on(h5_quiet *q) {
  H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}
static void quiet_off(const h5_quiet *q) { H5Eset_auto2(H5E_DEFAULT, q->func, q->data); }

static int read_matrix(hid_t ds, hid_t space, const char *dataset, mlsh_mat *m, mlsh_err *err) {
  int nd = H5Sget_simple_extent_ndims(space);
  hsize_t dims[2] = {1, 1};
  if (nd < 0 || nd > 2) return mlsh_seterr(err, MLSH_EINVAL, "dataset '%s' has %d dimensions (a matrix has 1 or 2)", dataset, nd);
  H5Sget_simple_extent_dims(space, dims, NULL);
  int rc = mat_alloc(m, nd >= 1 ? (size_t)dims[0] : 1, nd == 2 ? (size_t)dims[1] : 1, err);
  if (!rc && MAT_LEN(m) > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->data) < 0) {
    mat_free(m);
    rc = mlsh_seterr(err, MLSH_EIO, "cannot read dataset '%s'", dataset);
  }
  return rc;
}

/* A memory type holding only field `name` of a compound, as `type`. */
static hid_t field_type(const char *name, hid_t type) {
  hid_t t = H5Tcreate(H5T_COMPOUND, H5Tget_size(type));
  if (t >= 0) H5Tinsert(t, name, 0, type);
  return t;
}

/* An enum of two values named FALSE and TRUE (h5py's bool). */
static int is_bool_enum(hid_t t) {
  if (H5Tget_class(t) != H5T_ENUM || H5Tget_nmembers(t) != 2) return 0;
  char *a = H5Tget_member_name(t, 0), *b = H5Tget_member_name(t, 1);
  int yes = a && b && strcmp(a, "FALSE") == 0 && strcmp(b, "TRUE") == 0;
  H5free_memory(a);
  H5free_memory(b);
  return yes;
}

static int read_numbers(hid_t ds, const char *name, size_t n, hid_t native, col_type ct, col_builder *b) {
  size_t sz = ct == COL_DOUBLE ? sizeof(double) : sizeof(int64_t);
  void *buf = mlsh_malloc_array(n ? n : 1, sz);
  hid_t mt = field_type(name, native);
  int ok = buf && mt >= 0 && (n == 0 || H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
  for (size_t i = 0; ok && i < n; i++) {
    if (ct == COL_DOUBLE) col_builder_double(b, ((double *)buf)[i]);
    else if (ct == COL_LOGICAL) col_builder_logical(b, ((int64_t *)buf)[i] != 0);
    else col_builder_int64(b, ((int64_t *)buf)[i]);
  }
  if (mt >= 0) H5Tclose(mt);
  mlsh_free(buf);
  return ok ? MLSH_OK : buf ? MLSH_EIO : MLSH_ENOMEM;
}

static int read_strings(hid_t ds, hid_t space, const char *name, size_t n, hid_t ft, col_builder *b) {
  int vlen = H5Tis_variable_str(ft) > 0;
  size_t width = vlen ? sizeof(char *) : H5Tget_size(ft);
  hid_t st = H5Tcopy(H5T_C_S1);
  H5Tset_size(st, vlen ? H5T_VARIABLE : width);
  H5Tset_cset(st, H5Tget_cset(ft));
  if (!vlen) H5Tset_strpad(st, H5T_STR_NULLPAD);   /* all `width` bytes: a full-width value keeps its last one */
  hid_t mt = field_type(name, st);
  char *buf = mlsh_malloc_array(n ? n : 1, width);
  int ok = buf && mt >= 0 && (n == 0 || H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
  for (size_t i = 0; ok && i < n; i++) {
    const char *s = vlen ? ((char **)buf)[i] : buf + i * width;
    size_t len = s ? (vlen ? strlen(s) : strnlen(s, width)) : 0;
    if (!s) col_builder_na(b);
    else col_builder_string(b, s, len);
  }
  if (ok && vlen && n) H5Dvlen_reclaim(mt, space, H5P_DEFAULT, buf);
  mlsh_free(buf);
  H5Tclose(mt);
  H5Tclose(st);
  return ok ? MLSH_OK : buf ? MLSH_EIO : MLSH_ENOMEM;
}

static int read_field(hid_t ds, hid_t space, hid_t ftype, const char *name, size_t n, mlsh_col **out, mlsh_err *err) {
  H5T_class_t cls = H5Tget_class(ftype);
  col_type ct = cls == H5T_FLOAT ? COL_DOUBLE : cls == H5T_INTEGER ? COL_INT64 : cls == H5T_STRING ? COL_STRING
              : is_bool_enum(ftype) ? COL_LOGICAL : (col_type)-1;
  if ((int)ct < 0) return mlsh_seterr(err, MLSH_EINVAL, "field '%s' is not a number, string or boolean", name);
  col_builder b;
  col_builder_init(&b, ct);
  int rc = ct == COL_STRING ? read_strings(ds, space, name, n, ftype, &b)
           : read_numbers(ds, name, n, ct == COL_DOUBLE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, ct, &b);
  if (rc) {
    col_builder_free(&b);
    return mlsh_seterr(err, rc, rc == MLSH_ENOMEM ? "not enough memory" : "cannot read field '%s'", name);
  }
  return col_builder_finish(&b, NULL, 0, out, err);
}

static int read_frame(hid_t ds, hid_t space, hid_t type, const char *dataset, mlsh_frame **f, mlsh_err *err) {
  if (H5Sget_simple_extent_ndims(space) != 1)
    return mlsh_seterr(err, MLSH_EINVAL, "compound dataset '%s' must have 1 dimension (records)", dataset);
  hsize_t n;
  H5Sget_simple_extent_dims(space, &n, NULL);
  int rc = frame_new((size_t)n, f, err), k = H5Tget_nmembers(type);
  for (int j = 0; j < k && !rc; j++) {
    char *name = H5Tget_member_name(type, (unsigned)j);
    hid_t ft = H5Tget_member_type(type, (unsigned)j);
    mlsh_col *c = NULL;
    rc = !name || ft < 0 ? mlsh_seterr(err, MLSH_EIO, "cannot read the fields of '%s'", dataset)
                         : read_field(ds, space, ft, name, (size_t)n, &c, err);
    if (!rc) rc = frame_add(*f, name, c, err);
    col_unref(c);
    if (ft >= 0) H5Tclose(ft);
    H5free_memory(name);
  }
  if (rc) { frame_free(*f); *f = NULL; }
  return rc;
}

int h5_read(const char *path, const char *dataset, mlsh_mat *m, mlsh_frame **f, mlsh_err *err) {
  memset(m, 0, sizeof *m);
  *f = NULL;
  if (access(path, R_OK) != 0) return mlsh_seterr(err, MLSH_EIO, "cannot open '%s'", path);
  h5_quiet q;
  quiet_on(&q);
  int rc = MLSH_OK;
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), ds = -1, space = -1, type = -1;
  if (file < 0) rc = mlsh_seterr(err, MLSH_EIO, "'%s' is not an HDF5 file", path);
  else if (H5Lexists(file, dataset, H5P_DEFAULT) <= 0 || (ds = H5Dopen2(file, dataset, H5P_DEFAULT)) < 0)
    rc = mlsh_seterr(err, MLSH_EINVAL, "'%s' has no dataset '%s'", path, dataset);
  if (!rc) {
    space = H5Dget_space(ds);
    type = H5Dget_type(ds);
    H5T_class_t cls = H5Tget_class(type);
    if (cls == H5T_COMPOUND) rc = read_frame(ds, space, type, dataset, f, err);
    else if (cls == H5T_INTEGER || cls == H5T_FLOAT) rc = read_matrix(ds, space, dataset, m, err);
    else rc = mlsh_seterr(err, MLSH_EINVAL, "dataset '%s' is neither numeric nor compound records", dataset);
  }
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  if (ds >= 0) H5Dclose(ds);
  if (file >= 0) H5Fclose(file);
  quiet_off(&q);
  return rc;
}

/* The bytes of src appended to fp (the temporary that replaces it). */
static int copy_into(const char *src, FILE *fp, mlsh_err *err) {
  FILE *in = fopen(src, "rb");
  if (!in) return mlsh_seterr(err, MLSH_EIO, "cannot read '%s'", src);
  char buf[65536];
  size_t n;
  int rc = MLSH_OK;
  while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, fp) != n) rc = mlsh_seterr(err, MLSH_EIO, "cannot write beside '%s'", src);
  if (ferror(in)) rc = mlsh_seterr(err, MLSH_EIO, "cannot read '%s'", src);
  fclose(in);
  if (!rc && fflush(fp) != 0) rc = mlsh_seterr(err, MLSH_EIO, "cannot write beside '%s'", src);
  return rc;
}

static int add_dataset(hid_t file, const char *path, const char *dataset, const mlsh_mat *m, mlsh_err *err) {
  if (H5Lexists(file, dataset, H5P_DEFAULT) > 0)
    return mlsh_seterr(err, MLSH_EINVAL, "'%s' already has a dataset '%s' (not overwritten)", path, dataset);
  hsize_t dims[2] = {m->rows, m->cols};
  hid_t space = H5Screate_simple(2, dims, NULL), lcpl = H5Pcreate(H5P_LINK_CREATE), ds = -1;
  H5Pset_create_intermediate_group(lcpl, 1);
  if (space >= 0) ds = H5Dcreate2(file, dataset, H5T_IEEE_F64LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  int rc = ds < 0 ? mlsh_seterr(err, MLSH_EINVAL, "cannot create dataset '%s' in '%s'", dataset, path) : MLSH_OK;
  if (!rc && MAT_LEN(m) > 0 && H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->data) < 0)
    rc = mlsh_seterr(err, MLSH_EIO, "cannot write dataset '%s' in '%s'", dataset, path);
  if (ds >= 0) H5Dclose(ds);
  if (space >= 0) H5Sclose(space);
  H5Pclose(lcpl);
  return rc;
}

int h5_save_matrix(const char *path, const char *dataset, const mlsh_mat *m, mlsh_err *err) {
  int exists = access(path, F_OK) == 0;
  h5_quiet q;
  mlsh_afile af;
  int rc = mlsh_afile_open(&af, path, err);
  if (rc) return rc;
  if (exists) rc = copy_into(path, af.fp, err);
  quiet_on(&q);
  hid_t file = -1;
  if (!rc) {
    file = exists ? H5Fopen(af.tmppath, H5F_ACC_RDWR, H5P_DEFAULT) : H5Fcreate(af.tmppath, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) rc = mlsh_seterr(err, MLSH_EIO, exists ? "'%s' is not an HDF5 file" : "cannot create '%s'", path);
  }
  if (!rc) rc = add_dataset(file, path, dataset, m, err);
  if (file >= 0 && H5Fclose(file) < 0 && !rc) rc = mlsh_seterr(err, MLSH_EIO, "cannot write '%s'", path);
  quiet_off(&q);
  if (rc) {
    mlsh_afile_abort(&af);
    return rc;
  }
  return mlsh_afile_commit(&af, err);
}
