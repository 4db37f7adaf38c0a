/* image.c - JPEG (libjpeg-turbo) and PNG (libpng) decoding into 8-bit RGB,
 * converting colour spaces as Pillow's Image.convert("RGB") does, since
 * the reference embeddings were made with Pillow. Both libraries report
 * errors by longjmp back here (libjpeg's default error_exit would exit). */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include "image.h"
#include "../core/buf.h"
#include "../core/alloc.h"

#define IMAGE_MAX_PIXELS ((size_t)1 << 28)   /* 268 M pixels: refuse bigger */

int image_alloc(mlsh_image *img, int width, int height, mlsh_err *err) {
  img->width = img->height = 0;
  img->rgb = NULL;
  if (width < 1 || height < 1 || (size_t)width * (size_t)height > IMAGE_MAX_PIXELS)
    return mlsh_seterr(err, MLSH_EINVAL, "bad image size %dx%d", width, height);
  img->rgb = mlsh_malloc_array((size_t)width * (size_t)height, 3);
  if (!img->rgb) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for a %dx%d image", width, height);
  img->width = width;
  img->height = height;
  return MLSH_OK;
}

void image_free(mlsh_image *img) {
  if (!img) return;
  mlsh_free(img->rgb);
  img->rgb = NULL;
  img->width = img->height = 0;
}

/* ---- JPEG ---- */

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jb;
  char msg[JMSG_LENGTH_MAX];
  int truncated;
} jpeg_errmgr;

static void jpeg_on_error(j_common_ptr cinfo) {
  jpeg_errmgr *e = (jpeg_errmgr *)cinfo->err;
  e->pub.format_message(cinfo, e->msg);
  longjmp(e->jb, 1);
}

/* Warnings are silent, except premature end of data: Pillow refuses
 * truncated files ("image file is truncated"), so do we. */
static void jpeg_on_message(j_common_ptr cinfo, int level) {
  jpeg_errmgr *e = (jpeg_errmgr *)cinfo->err;
  if (level < 0 && e->pub.msg_code == JWRN_JPEG_EOF) e->truncated = 1;
}

/* Pillow's cmyk2rgb on inverted ("CMYK;I", Adobe) samples. */
static void cmyk_row_to_rgb(const unsigned char *in, unsigned char *out, int w) {
  for (int x = 0; x < w; x++) {
    int nk = in[4 * x + 3];          /* inverted k: 255 - k */
    for (int c = 0; c < 3; c++) {
      int v = 255 - in[4 * x + c];   /* c, m, y un-inverted */
      int tmp = v * nk + 128;
      int m = ((tmp >> 8) + tmp) >> 8;
      int r = nk - m;
      out[3 * x + c] = (unsigned char)(r < 0 ? 0 : r > 255 ? 255 : r);
    }
  }
}

static int decode_jpeg(const unsigned char *buf, size_t len, mlsh_image *img, mlsh_err *err) {
  struct jpeg_decompress_struct cinfo;
  jpeg_errmgr jerr;
  unsigned char *volatile row = NULL;
  memset(&cinfo, 0, sizeof cinfo);
  memset(&jerr, 0, sizeof jerr);
  img->rgb = NULL;
  cinfo.err = jpeg_std_error(&jerr.pub);
  jerr.pub.error_exit = jpeg_on_error;
  jerr.pub.emit_message = jpeg_on_message;
  if (setjmp(jerr.jb)) {
    jpeg_destroy_decompress(&cinfo);
    mlsh_free(row);
    image_free(img);
    return mlsh_seterr(err, MLSH_EIO, "corrupt JPEG: %s", jerr.msg);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, buf, (unsigned long)len);
  jpeg_read_header(&cinfo, TRUE);
  /* Refuse an oversized image before jpeg_start_decompress: for a
   * progressive JPEG it allocates and zeroes whole-image coefficient
   * buffers (a 677-byte file declaring 60000x60000 took 2.4 GB). */
  if ((size_t)cinfo.image_width * (size_t)cinfo.image_height > IMAGE_MAX_PIXELS) {
    int w = (int)cinfo.image_width, h = (int)cinfo.image_height;
    jpeg_destroy_decompress(&cinfo);
    return mlsh_seterr(err, MLSH_EINVAL, "bad image size %dx%d", w, h);
  }
  int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;   /* grayscale -> R=G=B, like Pillow's L->RGB */
  jpeg_start_decompress(&cinfo);
  int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
  if (image_alloc(img, w, h, err)) { jpeg_destroy_decompress(&cinfo); return err ? err->code : MLSH_EINVAL; }
  if (cmyk && !(row = mlsh_malloc_array((size_t)w, 4))) {
    jpeg_destroy_decompress(&cinfo);
    image_free(img);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  while (cinfo.output_scanline < cinfo.output_height && !jerr.truncated) {
    unsigned char *dst = img->rgb + (size_t)cinfo.output_scanline * (size_t)w * 3;
    JSAMPROW rp = cmyk ? row : dst;
    jpeg_read_scanlines(&cinfo, &rp, 1);
    if (cmyk) cmyk_row_to_rgb(row, dst, w);
  }
  if (jerr.truncated) {
    jpeg_destroy_decompress(&cinfo);
    mlsh_free(row);
    image_free(img);
    return mlsh_seterr(err, MLSH_EIO, "truncated JPEG (premature end of data)");
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  mlsh_free(row);
  return MLSH_OK;
}

/* ---- PNG ---- */

typedef struct { const unsigned char *buf; size_t len, pos; char msg[256]; } png_src;

static void png_read_mem(png_structp p, png_bytep out, size_t n) {
  png_src *s = png_get_io_ptr(p);
  if (n > s->len - s->pos) png_error(p, "truncated PNG (premature end of data)");
  memcpy(out, s->buf + s->pos, n);
  s->pos += n;
}

static void png_on_error(png_structp p, png_const_charp msg) {
  png_src *s = png_get_error_ptr(p);
  snprintf(s->msg, sizeof s->msg, "%s", msg);
  png_longjmp(p, 1);
}

static void png_on_warning(png_structp p, png_const_charp msg) { (void)p; (void)msg; }

/* One decoded row (8- or 16-bit, 1..4 channels after palette/low-bit
 * expansion) to RGB the way Pillow converts its PNG modes: alpha dropped,
 * 16-bit colour keeps the high byte, 16-bit grey (Pillow mode "I") clips. */
static void png_row_to_rgb(const unsigned char *in, unsigned char *out, int w, int ch, int depth) {
  for (int x = 0; x < w; x++) {
    unsigned v[3];
    for (int c = 0; c < 3; c++) {
      int src = ch >= 3 ? c : 0;
      if (depth == 16) {
        unsigned hi = in[(x * ch + src) * 2], lo = in[(x * ch + src) * 2 + 1];
        v[c] = ch == 1 ? ((hi << 8 | lo) > 255 ? 255 : (hi << 8 | lo)) : hi;
      } else {
        v[c] = in[x * ch + src];
      }
    }
    out[3 * x] = (unsigned char)v[0]; out[3 * x + 1] = (unsigned char)v[1]; out[3 * x + 2] = (unsigned char)v[2];
  }
}

static int decode_png(const unsigned char *buf, size_t len, mlsh_image *img, mlsh_err *err) {
  png_src src = {buf, len, 0, ""};
  png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_on_error, png_on_warning);
  png_infop info = p ? png_create_info_struct(p) : NULL;
  unsigned char *volatile rows = NULL;
  img->rgb = NULL;
  if (!info) {
    png_destroy_read_struct(&p, NULL, NULL);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  if (setjmp(png_jmpbuf(p))) {
    png_destroy_read_struct(&p, &info, NULL);
    mlsh_free(rows);
    image_free(img);
    return mlsh_seterr(err, MLSH_EIO, "corrupt PNG: %s", src.msg[0] ? src.msg : "bad data");
  }
  png_set_read_fn(p, &src, png_read_mem);
  png_set_user_limits(p, 1 << 16, 1 << 16);
  png_read_info(p, info);
  int ctype = png_get_color_type(p, info), depth = png_get_bit_depth(p, info);
  if (ctype == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(p);
  if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(p);
  png_set_interlace_handling(p);
  png_read_update_info(p, info);
  int w = (int)png_get_image_width(p, info), h = (int)png_get_image_height(p, info);
  int ch = png_get_channels(p, info);
  int odepth = png_get_bit_depth(p, info);
  size_t rowbytes = png_get_rowbytes(p, info);
  if (image_alloc(img, w, h, err)) { png_destroy_read_struct(&p, &info, NULL); return err ? err->code : MLSH_EINVAL; }
  rows = mlsh_malloc_array((size_t)h, rowbytes);
  png_bytep *ptrs = rows ? mlsh_malloc_array((size_t)h, sizeof *ptrs) : NULL;
  if (!ptrs) {
    png_destroy_read_struct(&p, &info, NULL);
    mlsh_free(rows);
    image_free(img);
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for a %dx%d PNG", w, h);
  }
  for (int y = 0; y < h; y++) ptrs[y] = rows + (size_t)y * rowbytes;
  /* ptrs is freed on the longjmp path too: keep it reachable through a volatile copy */
  png_bytep *volatile vptrs = ptrs;
  if (setjmp(png_jmpbuf(p))) {
    png_destroy_read_struct(&p, &info, NULL);
    mlsh_free(vptrs);
    mlsh_free(rows);
    image_free(img);
    return mlsh_seterr(err, MLSH_EIO, "corrupt PNG: %s", src.msg[0] ? src.msg : "bad data");
  }
  png_read_image(p, ptrs);
  png_read_end(p, NULL);
  for (int y = 0; y < h; y++) png_row_to_rgb(ptrs[y], img->rgb + (size_t)y * w * 3, w, ch, odepth);
  png_destroy_read_struct(&p, &info, NULL);
  mlsh_free(vptrs);
  mlsh_free(rows);
  return MLSH_OK;
}

int image_decode(const unsigned char *buf, size_t len, mlsh_image *img, mlsh_err *err) {
  img->width = img->height = 0;
  img->rgb = NULL;
  if (len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF) return decode_jpeg(buf, len, img, err);
  if (len >= 8 && !png_sig_cmp(buf, 0, 8)) return decode_png(buf, len, img, err);
  return mlsh_seterr(err, MLSH_EIO, "not a JPEG or PNG file (unknown signature)");
}

int image_load(const char *path, mlsh_image *img, mlsh_err *err) {
  img->width = img->height = 0;
  img->rgb = NULL;
  char *buf;
  size_t len;
  int rc = mlsh_read_file(path, 0, &buf, &len, err);
  if (rc) return rc;
  rc = image_decode((const unsigned char *)buf, len, img, err);
  mlsh_free(buf);
  if (rc) mlsh_err_prefix(err, path);
  return rc;
}
