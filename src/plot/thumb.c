/* thumb.c - image sampling and in-memory JPEG encoding for charts. */
#include <math.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
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

/* libjpeg reports errors through exit() by default: jump back instead. */
typedef struct { struct jpeg_error_mgr pub; jmp_buf jb; } jpeg_fail;
static void jpeg_on_error(j_common_ptr c) { longjmp(((jpeg_fail *)c->err)->jb, 1); }

int thumb_jpeg_datauri(const mlsh_image *im, int quality, plot_buf *out, mlsh_err *err) {
  struct jpeg_compress_struct c;
  jpeg_fail jf;
  unsigned char *mem = NULL;
  unsigned long size = 0;
  c.err = jpeg_std_error(&jf.pub);
  jf.pub.error_exit = jpeg_on_error;
  if (setjmp(jf.jb)) {
    jpeg_destroy_compress(&c);
    free(mem);   /* jpeg_mem_dest's buffer comes from malloc */
    return mlsh_seterr(err, MLSH_EIO, "JPEG encoder failed");
  }
  jpeg_create_compress(&c);
  jpeg_mem_dest(&c, &mem, &size);
  c.image_width = (JDIMENSION)im->width;
  c.image_height = (JDIMENSION)im->height;
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = (JSAMPROW)(im->rgb + (size_t)c.next_scanline * (size_t)im->width * 3);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  pbuf_puts(out, "data:image/jpeg;base64,");
  base64(out, mem, size);
  free(mem);
  return MLSH_OK;
}
