/* thumb.h - small raster helpers for charts: area-averaged sampling of an
 * RGB image (terminal half blocks, thumbnails) and JPEG + base64
 * encoding (images embedded in SVG/HTML as data: URIs). */
#ifndef MLSH_PLOT_THUMB_H
#define MLSH_PLOT_THUMB_H
#include "canvas.h"
#include "../image/image.h"

/* Mean colour of the source pixels in [x0,x1) x [y0,y1) (pixel units). */
void thumb_sample(const mlsh_image *im, double x0, double y0, double x1, double y1, int rgb[3]);
/* Shrink so that neither side exceeds maxdim (aspect kept; never enlarges). */
int thumb_make(const mlsh_image *src, int maxdim, mlsh_image *out, mlsh_err *err);
/* Append "data:image/jpeg;base64,..." (quality 1..100): photos embed at
 * about a sixth of a PNG's size and a tenth of its encoding time. */
int thumb_jpeg_datauri(const mlsh_image *im, int quality, plot_buf *out, mlsh_err *err);

#endif
