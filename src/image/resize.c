/* resize.c - image resizing as Pillow 9 does it: NEAREST is Pillow's
 * affine scale (the filter of Keras' load_img; checked bit for bit against
 * the reference inputs), BILINEAR follows Pillow's two-pass convolution
 * resampler (a triangle filter widened when shrinking, 22-bit fixed-point
 * coefficients; not checked against Pillow itself here). */
#include <math.h>
#include <string.h>
#include "image.h"
#include "../core/alloc.h"

/* Pillow's ImagingScaleAffine: source coordinates accumulate in double
 * precision from (scale/2), truncating; keeping the same accumulation
 * keeps the same rounding on every pixel. */
static void resize_nearest(const mlsh_image *src, mlsh_image *out, int *xin) {
  double ax = (double)src->width / out->width, ay = (double)src->height / out->height;
  double xo = ax * 0.5, yo = ay * 0.5;
  for (int x = 0; x < out->width; x++) {
    int xi = xo < 0.0 ? -1 : (int)xo;
    xin[x] = xi < src->width ? xi : src->width - 1;
    xo += ax;
  }
  for (int y = 0; y < out->height; y++) {
    int yi = yo < 0.0 ? -1 : (int)yo;
    if (yi >= src->height) yi = src->height - 1;
    const unsigned char *in = src->rgb + (size_t)yi * src->width * 3;
    unsigned char *o = out->rgb + (size_t)y * out->width * 3;
    for (int x = 0; x < out->width; x++) memcpy(o + 3 * x, in + 3 * xin[x], 3);
    yo += ay;
  }
}

#define PRECISION_BITS (32 - 8 - 2)

/* Pillow's precompute_coeffs for the bilinear (triangle) filter. Returns
 * ksize; bounds[2*i] = first input index, bounds[2*i+1] = count. */
static int bilinear_coeffs(int insize, int outsize, int **bounds_out, int **kk_out, mlsh_err *err) {
  double scale = (double)insize / outsize, fscale = scale < 1.0 ? 1.0 : scale;
  double support = 1.0 * fscale;
  int ksize = (int)ceil(support) * 2 + 1;
  double *k = mlsh_malloc_array((size_t)ksize, sizeof *k);
  int *kk = mlsh_malloc_array((size_t)outsize * ksize, sizeof *kk);
  int *bounds = mlsh_malloc_array((size_t)outsize * 2, sizeof *bounds);
  if (!k || !kk || !bounds) {
    mlsh_free(k); mlsh_free(kk); mlsh_free(bounds);
    return -mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  }
  for (int xx = 0; xx < outsize; xx++) {
    double center = (xx + 0.5) * scale, ww = 0.0, ss = 1.0 / fscale;
    int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
    if (xmin < 0) xmin = 0;
    if (xmax > insize) xmax = insize;
    xmax -= xmin;
    for (int x = 0; x < xmax; x++) {
      double t = fabs((x + xmin - center + 0.5) * ss);
      k[x] = t < 1.0 ? 1.0 - t : 0.0;
      ww += k[x];
    }
    for (int x = 0; x < ksize; x++) {
      double v = x < xmax && ww != 0.0 ? k[x] / ww : 0.0;
      kk[xx * ksize + x] = (int)(v < 0 ? v * (1 << PRECISION_BITS) - 0.5 : v * (1 << PRECISION_BITS) + 0.5);
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
  }
  mlsh_free(k);
  *bounds_out = bounds;
  *kk_out = kk;
  return ksize;
}

static unsigned char clip8(long long v) {
  if (v >= (1LL << PRECISION_BITS << 8)) return 255;
  if (v <= 0) return 0;
  return (unsigned char)(v >> PRECISION_BITS);
}

/* One separable pass along x (horiz = 1) or y. */
static int bilinear_pass(const mlsh_image *src, mlsh_image *out, int horiz, mlsh_err *err) {
  int insize = horiz ? src->width : src->height, outsize = horiz ? out->width : out->height;
  int *bounds = NULL, *kk = NULL;
  int ksize = bilinear_coeffs(insize, outsize, &bounds, &kk, err);
  if (ksize < 0) return -ksize;
  size_t sw = (size_t)src->width * 3, ow = (size_t)out->width * 3;
  for (int y = 0; y < out->height; y++)
    for (int x = 0; x < out->width; x++) {
      int i = horiz ? x : y, first = bounds[2 * i], n = bounds[2 * i + 1];
      const int *k = kk + (size_t)i * ksize;
      for (int c = 0; c < 3; c++) {
        long long ss = 1LL << (PRECISION_BITS - 1);
        for (int j = 0; j < n; j++) {
          const unsigned char *p = horiz ? src->rgb + (size_t)y * sw + (size_t)(first + j) * 3
                                         : src->rgb + (size_t)(first + j) * sw + (size_t)x * 3;
          ss += (long long)p[c] * k[j];
        }
        out->rgb[(size_t)y * ow + (size_t)x * 3 + c] = clip8(ss);
      }
    }
  mlsh_free(bounds);
  mlsh_free(kk);
  return MLSH_OK;
}

int image_resize(const mlsh_image *src, int width, int height, image_filter filter, mlsh_image *out, mlsh_err *err) {
  out->rgb = NULL;
  out->width = out->height = 0;
  if (!src->rgb || src->width < 1 || src->height < 1) return mlsh_seterr(err, MLSH_EINVAL, "empty source image");
  int rc = image_alloc(out, width, height, err);
  if (rc) return rc;
  if (width == src->width && height == src->height) {
    memcpy(out->rgb, src->rgb, (size_t)width * height * 3);
    return MLSH_OK;
  }
  if (filter == IMAGE_NEAREST) {
    int *xin = mlsh_malloc_array((size_t)width, sizeof *xin);
    if (!xin) { image_free(out); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
    resize_nearest(src, out, xin);
    mlsh_free(xin);
    return MLSH_OK;
  }
  /* Bilinear: horizontal pass into an intermediate, then vertical (Pillow's order). */
  mlsh_image mid;
  if (width == src->width) return bilinear_pass(src, out, 0, err) ? (image_free(out), err ? err->code : MLSH_ENOMEM) : MLSH_OK;
  if ((rc = image_alloc(&mid, width, src->height, err))) { image_free(out); return rc; }
  rc = bilinear_pass(src, height == src->height ? out : &mid, 1, err);
  if (!rc && height != src->height) rc = bilinear_pass(&mid, out, 0, err);
  image_free(&mid);
  if (rc) image_free(out);
  return rc;
}

/* HWC bytes to CHW floats, x * scale + shift per channel (the network's input order). */
void image_to_chw(const mlsh_image *img, const float scale[3], const float shift[3], float *out) {
  size_t hw = (size_t)img->width * img->height;
  for (int c = 0; c < 3; c++) {
    float s = scale[c], b = shift[c];
    float *o = out + c * hw;
    const unsigned char *p = img->rgb + c;
    for (size_t i = 0; i < hw; i++) o[i] = p[3 * i] * s + b;
  }
}

int image_fit(const char *path, const mlsh_image *img, int width, int height, mlsh_image tmp[2],
              const mlsh_image **out, mlsh_err *err) {
  const mlsh_image *src = img;
  int rc;
  memset(tmp, 0, 2 * sizeof *tmp);
  if (path) {
    if ((rc = image_load(path, &tmp[0], err))) return rc;
    src = &tmp[0];
  }
  if (src->width != width || src->height != height) {
    if ((rc = image_resize(src, width, height, IMAGE_NEAREST, &tmp[1], err))) return rc;
    src = &tmp[1];
  }
  *out = src;
  return MLSH_OK;
}
