/* image.h - 8-bit RGB images: decoding (JPEG via libjpeg-turbo, PNG via
 * libpng) and resizing. Shared by the nn (embeddings) and plot
 * (thumbnails) modules. In Lua an Image is a userdata with metatable
 * MLSH_IMAGE_MT holding an mlsh_image inline. */
#ifndef MLSH_IMAGE_H
#define MLSH_IMAGE_H
#include <stddef.h>
#include "../core/error.h"

#define MLSH_IMAGE_MT "mlsh.Image"

typedef struct mlsh_image {
  int width, height;
  unsigned char *rgb;   /* width*height*3 bytes, rows top to bottom, RGB interleaved */
} mlsh_image;

typedef enum { IMAGE_NEAREST, IMAGE_BILINEAR } image_filter;

/* Decode a JPEG or PNG file (by content, not extension) into RGB
 * (grayscale, CMYK, palette and alpha converted as Pillow's convert("RGB")). */
int image_load(const char *path, mlsh_image *img, mlsh_err *err);
/* Same, from memory (used by the fuzzers). */
int image_decode(const unsigned char *buf, size_t len, mlsh_image *img, mlsh_err *err);
/* Resize; IMAGE_NEAREST is identical to Pillow's NEAREST. */
int image_resize(const mlsh_image *src, int width, int height, image_filter filter, mlsh_image *out, mlsh_err *err);
void image_free(mlsh_image *img);

/* ---- Additions for the nn module (issue 6) ---- */
/* Allocate an uninitialised width x height image (freed with image_free). */
int image_alloc(mlsh_image *img, int width, int height, mlsh_err *err);
/* Pixels to the network's planar input: out[c][y][x] = rgb[y][x][c] * scale[c] + shift[c]
 * (out holds 3*width*height floats). */
/* The image at `path` (decoded) or `img` when path is NULL, brought to
 * width x height with Pillow's NEAREST when its size differs: *out points
 * at img, tmp[0] or tmp[1]; the caller frees tmp[0] and tmp[1] (zeroed here
 * first) once done with *out. */
int image_fit(const char *path, const mlsh_image *img, int width, int height, mlsh_image tmp[2],
              const mlsh_image **out, mlsh_err *err);
void image_to_chw(const mlsh_image *img, const float scale[3], const float shift[3], float *out);

/* Image files (.jpg .jpeg .png, any case: the one list of image names)
 * under a folder, recursively, sorted component by component (class folder,
 * then file name). The class of a file is its first sub-folder under `dir`
 * ("" for files in `dir`). `others` are the other regular files inside
 * class folders (what a photo pipeline skips with a warning), same order. */
typedef struct image_list {
  size_t n;
  char **paths;      /* dir "/" relative path */
  char **classes;
  size_t nothers;
  char **others;     /* dir "/" relative path */
} image_list;
int image_list_dir(const char *dir, image_list *out, mlsh_err *err);
void image_list_free(image_list *l);

#endif
