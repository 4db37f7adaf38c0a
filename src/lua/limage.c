/* limage.c - Lua binding for image loading and resizing:
 * image.load/decode/list and the Image class. */
#include <math.h>
#include <string.h>
#include "limage.h"
#include "../core/alloc.h"

mlsh_image *limage_check(lua_State *L, int idx, const char *fname, const char *argname) {
  mlsh_image *im = luaL_testudata(L, idx, MLSH_IMAGE_MT);
  if (!im) mlsh_error(L, fname, "argument '%s' must be an Image (got %s)", argname, mlsh_typename(L, idx));
  if (!im->rgb) mlsh_error(L, fname, "argument '%s' is an empty Image", argname);
  return im;
}

mlsh_image *limage_push(lua_State *L, mlsh_image *img) {
  mlsh_image *u = mlsh_try_newudata(L, sizeof *u, MLSH_IMAGE_MT);
  if (!u) { image_free(img); lua_error(L); }
  *u = *img;
  img->rgb = NULL;
  img->width = img->height = 0;
  return u;
}

static int l_load(lua_State *L) {
  const char *fname = "image.load";
  const char *path = mlsh_check_string(L, 1, fname, "path");
  mlsh_image im;
  mlsh_err err;
  int rc = image_load(path, &im, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  limage_push(L, &im);
  return 1;
}

static int l_decode(lua_State *L) {
  const char *fname = "image.decode";
  size_t len;
  mlsh_check_string(L, 1, fname, "bytes");
  const char *s = lua_tolstring(L, 1, &len);
  mlsh_image im;
  mlsh_err err;
  int rc = image_decode((const unsigned char *)s, len, &im, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  limage_push(L, &im);
  return 1;
}

static int l_list(lua_State *L) {
  const char *fname = "image.list";
  const char *dir = mlsh_check_string(L, 1, fname, "dir");
  image_list li;
  mlsh_err err;
  int rc = image_list_dir(dir, &li, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  lua_createtable(L, (int)li.n, 0);
  lua_createtable(L, (int)li.n, 0);
  for (size_t i = 0; i < li.n; i++) {
    lua_pushstring(L, li.paths[i]);
    lua_rawseti(L, -3, (lua_Integer)i + 1);
    lua_pushstring(L, li.classes[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_createtable(L, (int)li.nothers, 0);
  for (size_t i = 0; i < li.nothers; i++) {
    lua_pushstring(L, li.others[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  image_list_free(&li);
  return 3;
}

/* ---- Image methods ---- */

static int im_width(lua_State *L) { lua_pushinteger(L, limage_check(L, 1, "Image:width", "self")->width); return 1; }
static int im_height(lua_State *L) { lua_pushinteger(L, limage_check(L, 1, "Image:height", "self")->height); return 1; }

static const char *const filters[] = {"nearest", "bilinear", NULL};
typedef struct { int filter; } resize_args;
static const mlsh_opt resize_opt[] = {
  MLSH_OPT_ENUM(resize_args, filter, "filter", 0, filters,
                "\"nearest\" (Pillow's NEAREST, the filter of Keras' load_img) or \"bilinear\" (Pillow's BILINEAR: "
                "antialiased triangle filter, 22-bit fixed point)"),
  MLSH_OPT_END};
static const mlsh_optspec resize_spec = {"Image:resize", resize_opt};

static int im_resize(lua_State *L) {
  const char *fname = resize_spec.fname;
  mlsh_image *im = limage_check(L, 1, fname, "self");
  resize_args a;
  mlsh_opts(L, 4, &resize_spec, &a);
  size_t w = mlsh_check_count(L, 2, fname, "width", 1 << 16), h = mlsh_check_count(L, 3, fname, "height", 1 << 16);
  mlsh_image out;
  mlsh_err err;
  int rc = image_resize(im, (int)w, (int)h, a.filter ? IMAGE_BILINEAR : IMAGE_NEAREST, &out, &err);
  if (rc) return mlsh_fail(L, fname, rc, &err);
  limage_push(L, &out);
  return 1;
}

static const char *const layouts[] = {"hwc", "chw", NULL};
typedef struct { int chw; double scale, shift; } to_matrix_args;
static const mlsh_opt to_matrix_opt[] = {
  MLSH_OPT_ENUM(to_matrix_args, chw, "layout", 0, layouts,
                "\"hwc\": height x (width*3), R,G,B interleaved (numpy's reshape(h, w*3)); \"chw\": one row of "
                "3*height*width values, channel planes in order (the input layout of nn nets)"),
  MLSH_OPT_NUM(to_matrix_args, scale, "scale", 1, -HUGE_VAL, HUGE_VAL, "factor applied to each value (0..255)"),
  MLSH_OPT_NUM(to_matrix_args, shift, "shift", 0, -HUGE_VAL, HUGE_VAL, "added after scaling"),
  MLSH_OPT_END};
static const mlsh_optspec to_matrix_spec = {"Image:to_matrix", to_matrix_opt};

static int im_to_matrix(lua_State *L) {
  const char *fname = to_matrix_spec.fname;
  mlsh_image *im = limage_check(L, 1, fname, "self");
  to_matrix_args a;
  mlsh_opts(L, 2, &to_matrix_spec, &a);
  int chw = a.chw;
  double sc = a.scale, sh = a.shift;
  size_t w = (size_t)im->width, h = (size_t)im->height;
  mlsh_mat *m = chw ? lmat_push_new(L, 1, 3 * w * h, fname) : lmat_push_new(L, h, 3 * w, fname);
  for (size_t p = 0; p < w * h; p++)
    for (size_t c = 0; c < 3; c++) {
      double v = im->rgb[3 * p + c] * sc + sh;
      if (chw) m->data[c * w * h + p] = v;
      else m->data[3 * p + c] = v;
    }
  return 1;
}

static int im_pixel(lua_State *L) {
  const char *fname = "Image:pixel";
  mlsh_image *im = limage_check(L, 1, fname, "self");
  size_t x = mlsh_check_count(L, 2, fname, "x", (size_t)im->width), y = mlsh_check_count(L, 3, fname, "y", (size_t)im->height);
  const unsigned char *p = im->rgb + ((y - 1) * (size_t)im->width + (x - 1)) * 3;
  lua_pushinteger(L, p[0]);
  lua_pushinteger(L, p[1]);
  lua_pushinteger(L, p[2]);
  return 3;
}

static int im_gc(lua_State *L) {
  mlsh_image *im = luaL_checkudata(L, 1, MLSH_IMAGE_MT);
  image_free(im);
  return 0;
}

static int im_tostring(lua_State *L) {
  mlsh_image *im = luaL_checkudata(L, 1, MLSH_IMAGE_MT);
  lua_pushfstring(L, "Image %dx%d RGB", im->width, im->height);
  return 1;
}

static const mlsh_Reg image_funcs[] = {
  {"load", l_load, "image.load(path)",
   "Decode a JPEG (libjpeg-turbo) or PNG (libpng) file, recognised by its content, into an 8-bit RGB Image. "
   "Grayscale, CMYK, palette and alpha are converted as Pillow's convert(\"RGB\") does (alpha is dropped). "
   "Corrupt, truncated or non-image files raise an error naming the file.\n"
   "Returns: an Image.\nExample: img = image.load(\"datasets/flower_photos/daisy/5547758_eea9edfd54_n.jpg\")"},
  {"decode", l_decode, "image.decode(bytes)",
   "Decode a JPEG or PNG held in a Lua string (as image.load does for files).\n"
   "Returns: an Image.\nExample: img = image.decode(io.open(\"a.png\", \"rb\"):read(\"a\"))"},
  {"list", l_list, "image.list(dir)",
   "List the image files (.jpg, .jpeg, .png, any case) under dir recursively, sorted by class folder then "
   "file name (the order of the reference pipeline). The class of a file is its first sub-folder under dir "
   "(\"\" for files directly in dir), as in flower_photos/<class>/<file>.jpg. Hidden files are left out.\n"
   "Returns: paths (array of strings), classes (array of strings), others (the other files inside class "
   "folders, same order: what a photo pipeline skips as not an image file).\n"
   "Example: paths, classes = image.list(\"datasets/flower_photos\")"},
  {NULL, NULL, NULL, NULL, NULL}};

static const mlsh_Reg image_methods[] = {
  {"width", im_width, "img:width()", "Width in pixels.\nReturns: an integer.\nExample: img:width()"},
  {"height", im_height, "img:height()", "Height in pixels.\nReturns: an integer.\nExample: img:height()"},
  {"resize", im_resize, "img:resize(width, height [, opts])",
   "Resize to width x height (1..65536 pixels each).\n"
   "Returns: a new Image.\nExample: small = img:resize(224, 224)", &resize_spec},
  {"to_matrix", im_to_matrix, "img:to_matrix([opts])",
   "Pixels as a Matrix of value * scale + shift, laid out by layout.\nReturns: a Matrix.\n"
   "Example: x = img:resize(224, 224):to_matrix{layout=\"chw\", scale=1/127.5, shift=-1}", &to_matrix_spec},
  {"pixel", im_pixel, "img:pixel(x, y)",
   "The colour at column x, row y (1-based, from the top-left).\nReturns: r, g, b (0..255).\nExample: r, g, b = img:pixel(1, 1)"},
  {NULL, NULL, NULL, NULL, NULL}};

static const luaL_Reg image_meta[] = {{"__gc", im_gc}, {"__tostring", im_tostring}, {NULL, NULL}};

void mlsh_open_image(lua_State *L) {
  mlsh_register(L, "image", image_funcs);
  mlsh_new_class(L, MLSH_IMAGE_MT, "Image", image_methods, image_meta);
  lua_pop(L, 1);
}
