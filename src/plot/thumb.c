/* thumb.c - image sampling and in-memory PNG encoding for charts. */
#include <math.h>
#include <setjmp.h>
#include <string.h>
#include <png.h>
#include "thumb.h"
#include "../core/alloc.h"

void thumb_sample(const mlsh_image *im, double x0, double y0, double x1, double y1, int rgb[3]) {
  int ix0 = (int)x0, iy0 = (int)y0, ix1 = (int)ceil(x1), iy1 = (int)ceil(y1);
  if (ix1 > im->width) ix1 = im->width;
  if (iy1 > im->height) iy1 = im->height;
  if (ix0 >= im->width) ix0 = im->width - 1;
  if (iy0 >= im->height) iy0 = im->height - 1;
  if (ix1 <= ix0) ix1 = ix0 + 1;
  if (iy1 <= iy0) iy1 = iy0 + 1;
  long s[3] = {0, 0, 0}, n = 0;
  int step = (ix1 - ix0) * (iy1 - iy0) > 1024 ? 2 : 1;   /* bounded work for huge photos */
  for (int y = iy0; y < iy1; y += step)
    for (int x = ix0; x < ix1; x += step) {
      const unsigned char *p = im->rgb + ((size_t)y * (size_t)im->width + (size_t)x) * 3;
      s[0] += p[0]; s[1] += p[1]; s[2] += p[2]; n++;
    }
  for (int k = 0; k < 3; k++) rgb[k] = n ? (int)(s[k] / n) : 0;
}

int thumb_make(const mlsh_image *src, int maxdim, mlsh_image *out, mlsh_err *err) {
  double s = fmin(1.0, (double)maxdim / (src->width > src->height ? src->width : src->height));
  int w = (int)fmax(1, lround(src->width * s)), h = (int)fmax(1, lround(src->height * s));
  out->width = w;
  out->height = h;
  out->rgb = mlsh_malloc((size_t)w * (size_t)h * 3);
  if (!out->rgb) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for a %dx%d thumbnail", w, h);
  double sx = (double)src->width / w, sy = (double)src->height / h;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int c[3];
      thumb_sample(src, x * sx, y * sy, (x + 1) * sx, (y + 1) * sy, c);
      unsigned char *p = out->rgb + ((size_t)y * (size_t)w + (size_t)x) * 3;
      p[0] = (unsigned char)c[0]; p[1] = (unsigned char)c[1]; p[2] = (unsigned char)c[2];
    }
  return MLSH_OK;
}

static void png_to_buf(png_structp png, png_bytep data, png_size_t len) {
  pbuf_add((plot_buf *)png_get_io_ptr(png), (const char *)data, len);
}

static void png_noflush(png_structp png) { (void)png; }

static void base64(plot_buf *out, const unsigned char *p, size_t n) {
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char q[4];
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    q[0] = tab[v >> 18]; q[1] = tab[(v >> 12) & 63];
    q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
    q[3] = i + 2 < n ? tab[v & 63] : '=';
    pbuf_add(out, q, 4);
  }
}

int thumb_png_datauri(const mlsh_image *im, plot_buf *out, mlsh_err *err) {
  plot_buf png = {0};
  png_structp ps = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = ps ? png_create_info_struct(ps) : NULL;
  if (!info) {
    png_destroy_write_struct(&ps, NULL);
    return mlsh_seterr(err, MLSH_ENOMEM, "PNG encoder: not enough memory");
  }
  if (setjmp(png_jmpbuf(ps))) {
    png_destroy_write_struct(&ps, &info);
    pbuf_free(&png);
    return mlsh_seterr(err, MLSH_EIO, "PNG encoder failed");
  }
  png_set_write_fn(ps, &png, png_to_buf, png_noflush);
  png_set_IHDR(ps, info, (png_uint_32)im->width, (png_uint_32)im->height, 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(ps, info);
  for (int y = 0; y < im->height; y++) png_write_row(ps, im->rgb + (size_t)y * (size_t)im->width * 3);
  png_write_end(ps, NULL);
  png_destroy_write_struct(&ps, &info);
  if (png.failed) { pbuf_free(&png); return mlsh_seterr(err, MLSH_ENOMEM, "PNG encoder: not enough memory"); }
  pbuf_puts(out, "data:image/png;base64,");
  base64(out, (const unsigned char *)png.s, png.len);
  pbuf_free(&png);
  return MLSH_OK;
}
