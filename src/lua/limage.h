/* limage.h - the "mlsh.Image" userdata for other bindings (plot thumbnails,
 * nn). The userdata holds an mlsh_image inline; __gc frees its pixels. */
#ifndef LIMAGE_H
#define LIMAGE_H
#include "lmlsh.h"
#include "../image/image.h"

/* The Image at idx, or "fname: argument 'argname' must be an Image (got T)". */
mlsh_image *limage_check(lua_State *L, int idx, const char *fname, const char *argname);
/* Push a new Image that takes ownership of img's pixels (img is emptied). */
mlsh_image *limage_push(lua_State *L, mlsh_image *img);

#endif
