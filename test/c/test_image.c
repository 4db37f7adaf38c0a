/* test_image.c - image decoding and resizing.
 * Reference values: ../shared/reference/flowers/inputs_subset_uint8.npy,
 * made by Pillow 9.4 (Debian 12) as Keras' load_img does (open, convert
 * RGB, resize 224x224 NEAREST); the small resize cases are worked out by
 * hand from Pillow's ImagingScaleAffine (source x = floor((x + 0.5) * w_in / w_out)). */
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <png.h>
#include <sys/stat.h>
#include "ctest.h"
#include "../../src/image/image.h"
#include "../../src/core/npy.h"
#include "../../src/core/alloc.h"

static const char *shared(void) {
  const char *s = getenv("MLSH_SHARED");
  return s ? s : "../shared";
}

static void test_reference_inputs(void) {
  char p[1024], line[512];
  snprintf(p, sizeof p, "%s/reference/flowers/inputs_subset_paths.txt", shared());
  FILE *f = fopen(p, "r");
  if (!f) SKIP("../shared/reference/flowers not found (set MLSH_SHARED)");
  mlsh_npy ref;
  mlsh_err err;
  snprintf(p, sizeof p, "%s/reference/flowers/inputs_subset_uint8.npy", shared());
  if (npy_load(p, &ref, &err)) { fclose(f); CHECK(!"reference npy loads"); return; }
  CHECK(ref.ndim == 4 && ref.shape[0] == 5 && ref.shape[1] == 224 && ref.shape[3] == 3);
  int k = 0;
  while (k < 5 && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    snprintf(p, sizeof p, "%s/data/flower_photos/%s", shared(), line);
    mlsh_image im, r;
    int rc = image_load(p, &im, &err);
    CHECK(rc == MLSH_OK);
    if (rc) { fprintf(stderr, "%s\n", err.msg); k++; continue; }
    rc = image_resize(&im, 224, 224, IMAGE_NEAREST, &r, &err);
    CHECK(rc == MLSH_OK);
    size_t ndiff = 0, n = 224 * 224 * 3;
    for (size_t i = 0; i < n; i++) ndiff += r.rgb[i] != (unsigned char)ref.data[k * n + i];
    if (ndiff) fprintf(stderr, "%s: %zu of %zu bytes differ\n", line, ndiff, n);
    CHECK(ndiff == 0);
    image_free(&im);
    image_free(&r);
    k++;
  }
  CHECK(k == 5);
  fclose(f);
  npy_free(&ref);
}

static void test_nearest_small(void) {
  mlsh_image a, b;
  mlsh_err err;
  CHECK(image_alloc(&a, 5, 1, &err) == 0);
  for (int x = 0; x < 5; x++) for (int c = 0; c < 3; c++) a.rgb[3 * x + c] = (unsigned char)(10 * x + c);
  /* 5 -> 3: sources floor(0.5*5/3)=0, floor(1.5*5/3)=2, floor(2.5*5/3)=4 */
  CHECK(image_resize(&a, 3, 2, IMAGE_NEAREST, &b, &err) == 0);
  CHECK(b.rgb[0] == 0 && b.rgb[3] == 20 && b.rgb[6] == 40 && b.rgb[9 + 7] == 41);
  image_free(&b);
  /* 5 -> 7 upsampling: floor((x+0.5)*5/7) = 0,1,1,2,3,3,4 */
  CHECK(image_resize(&a, 7, 1, IMAGE_NEAREST, &b, &err) == 0);
  int want[7] = {0, 1, 1, 2, 3, 3, 4};
  for (int x = 0; x < 7; x++) CHECK(b.rgb[3 * x] == 10 * want[x]);
  image_free(&b);
  /* bilinear of a constant image stays constant; 2x downscale averages pairs */
  CHECK(image_resize(&a, 2, 1, IMAGE_BILINEAR, &b, &err) == 0);
  CHECK(b.width == 2 && b.rgb[0] > 0 && b.rgb[0] < 20 && b.rgb[3] > 20 && b.rgb[3] < 40);
  image_free(&b);
  image_free(&a);
}

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc(*len);
  if (fread(b, 1, *len, f) != *len) { free(b); b = NULL; }
  fclose(f);
  return b;
}

static void test_corrupt(void) {
  mlsh_image im;
  mlsh_err err;
  CHECK(image_load("/nonexistent/x.jpg", &im, &err) == MLSH_EIO);
  unsigned char junk[64] = {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3};
  CHECK(image_decode(junk, sizeof junk, &im, &err) == MLSH_EIO && im.rgb == NULL);
  CHECK(strstr(err.msg, "JPEG") != NULL);
  CHECK(image_decode((const unsigned char *)"hello world", 11, &im, &err) == MLSH_EIO);
  unsigned char png[40] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  CHECK(image_decode(png, sizeof png, &im, &err) == MLSH_EIO && im.rgb == NULL);
  char p[1024];
  snprintf(p, sizeof p, "%s/data/flower_photos/daisy/100080576_f52e8ee070_n.jpg", shared());
  size_t len;
  unsigned char *b = slurp(p, &len);
  if (!b) SKIP("../shared photos not found: truncated-JPEG case skipped");
  CHECK(image_decode(b, len, &im, &err) == MLSH_OK);
  image_free(&im);
  for (size_t cut = 200; cut < len; cut += len / 7) {   /* every truncation is an error, never a crash */
    CHECK(image_decode(b, cut, &im, &err) == MLSH_EIO && im.rgb == NULL);
  }
  for (size_t i = 600; i < len; i += 97) b[i] ^= 0x5A;   /* flipped bits: error or garbage, no crash */
  if (image_decode(b, len, &im, &err) == MLSH_OK) image_free(&im);
  free(b);
}

/* Write a PNG with libpng and check Pillow's convert("RGB") rules. */
static int write_png(const char *path, int w, int h, int ctype, int depth, const unsigned char *data,
                     const png_color *pal, int npal) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(p);
  if (setjmp(png_jmpbuf(p))) { png_destroy_write_struct(&p, &info); fclose(f); return -1; }
  png_init_io(p, f);
  png_set_IHDR(p, info, w, h, depth, ctype, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (pal) png_set_PLTE(p, info, pal, npal);
  png_write_info(p, info);
  int ch = ctype == PNG_COLOR_TYPE_RGB_ALPHA ? 4 : ctype == PNG_COLOR_TYPE_RGB ? 3 : ctype == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : 1;
  size_t rowbytes = (size_t)w * ch * depth / 8;
  for (int y = 0; y < h; y++) png_write_row(p, data + y * rowbytes);
  png_write_end(p, NULL);
  png_destroy_write_struct(&p, &info);
  fclose(f);
  return 0;
}

static void test_png_modes(void) {
  char path[] = "/tmp/mlsh_test_image_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) SKIP("no temporary file");
  close(fd);
  mlsh_image im;
  mlsh_err err;
  unsigned char rgba[2 * 4] = {10, 20, 30, 0, 40, 50, 60, 255};
  CHECK(write_png(path, 2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8, rgba, NULL, 0) == 0);
  CHECK(image_load(path, &im, &err) == 0);   /* alpha dropped, not composited */
  CHECK(im.width == 2 && im.rgb[0] == 10 && im.rgb[2] == 30 && im.rgb[5] == 60);
  image_free(&im);
  png_color pal[2] = {{1, 2, 3}, {200, 100, 50}};
  unsigned char idx[1] = {0x40};   /* 2-bit indices: 01 00 00 00 */
  CHECK(write_png(path, 4, 1, PNG_COLOR_TYPE_PALETTE, 2, idx, pal, 2) == 0);
  CHECK(image_load(path, &im, &err) == 0);
  CHECK(im.rgb[0] == 200 && im.rgb[3] == 1 && im.rgb[5] == 3);
  image_free(&im);
  unsigned char g16[4] = {0x01, 0x00, 0x00, 0x7f};   /* 256 -> clipped 255 (Pillow mode I), 127 */
  CHECK(write_png(path, 2, 1, PNG_COLOR_TYPE_GRAY, 16, g16, NULL, 0) == 0);
  CHECK(image_load(path, &im, &err) == 0);
  CHECK(im.rgb[0] == 255 && im.rgb[1] == 255 && im.rgb[3] == 127 && im.rgb[5] == 127);
  image_free(&im);
  unsigned char g1[1] = {0x80};    /* 1-bit grey: 1 -> 255, 0 -> 0 */
  CHECK(write_png(path, 2, 1, PNG_COLOR_TYPE_GRAY, 1, g1, NULL, 0) == 0);
  CHECK(image_load(path, &im, &err) == 0);
  CHECK(im.rgb[0] == 255 && im.rgb[3] == 0);
  image_free(&im);
  remove(path);
}

static void test_list(void) {
  char p[1024];
  snprintf(p, sizeof p, "%s/data/flower_photos", shared());
  image_list l;
  mlsh_err err;
  if (image_list_dir(p, &l, &err)) SKIP("../shared/data/flower_photos not found");
  CHECK(l.n == 3670);   /* ../shared/README.md: 3,670 JPEGs */
  size_t daisy = 0;
  for (size_t i = 0; i < l.n; i++) daisy += !strcmp(l.classes[i], "daisy");
  CHECK(daisy == 633);
  CHECK(l.n > 0 && strstr(l.paths[0], "daisy/100080576_f52e8ee070_n.jpg") != NULL);
  CHECK(l.n > 0 && !strcmp(l.classes[l.n - 1], "tulips"));
  image_list_free(&l);
  CHECK(image_list_dir("/nonexistent-dir", &l, &err) == MLSH_EIO);
}

static void touch(const char *dir, const char *rel) {
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", dir, rel);
  FILE *f = fopen(p, "w");
  if (f) fclose(f);
}

/* Image names (any case), class folders, and the other files beside them. */
static void test_list_others(void) {
  char dir[] = "/tmp/mlsh-list-XXXXXX", p[1024];
  if (!mkdtemp(dir)) SKIP("no temporary folder");
  const char *sub[] = {"b", "a", "a/deep"};
  for (int i = 0; i < 3; i++) { snprintf(p, sizeof p, "%s/%s", dir, sub[i]); mkdir(p, 0700); }
  const char *files[] = {"top.png", "top.txt", "b/2.JPEG", "b/1.jpg", "a/notes.txt", "a/deep/x.Png", "a/.hidden.jpg", "b/readme"};
  for (int i = 0; i < 8; i++) touch(dir, files[i]);
  image_list l;
  mlsh_err err;
  CHECK(image_list_dir(dir, &l, &err) == MLSH_OK);
  CHECK(l.n == 4 && l.nothers == 2);
  if (l.n == 4 && l.nothers == 2) {
    CHECK(strstr(l.paths[0], "/a/deep/x.Png") && !strcmp(l.classes[0], "a"));
    CHECK(strstr(l.paths[1], "/b/1.jpg") && strstr(l.paths[2], "/b/2.JPEG") && !strcmp(l.classes[2], "b"));
    CHECK(strstr(l.paths[3], "/top.png") && !strcmp(l.classes[3], ""));
    CHECK(strstr(l.others[0], "/a/notes.txt") && strstr(l.others[1], "/b/readme"));   /* top.txt: no class folder */
  }
  image_list_free(&l);
  for (int i = 7; i >= 0; i--) { snprintf(p, sizeof p, "%s/%s", dir, files[i]); remove(p); }
  for (int i = 2; i >= 0; i--) { snprintf(p, sizeof p, "%s/%s", dir, sub[i]); rmdir(p); }
  rmdir(dir);
}

int main(void) {
  RUN(test_reference_inputs);
  RUN(test_nearest_small);
  RUN(test_corrupt);
  RUN(test_png_modes);
  RUN(test_list);
  RUN(test_list_others);
  CTEST_DONE();
}
