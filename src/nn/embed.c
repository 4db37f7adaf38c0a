/* embed.c - files to network outputs: every worker thread decodes,
 * resizes (Pillow NEAREST, as Keras' load_img), scales and runs the network
 * on one image at a time, so JPEG decoding of one image overlaps the
 * network work of another and the two cores stay busy. */
#include <math.h>
#include <string.h>
#include "layers.h"
#include "gpu.h"
#include "../image/image.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"

typedef struct {
  nn_net *net;
  const char *const *paths;
  const mlsh_image *imgs;
  const nn_embed_opts *o;
  size_t base;            /* index of the batch's first image */
  float *out, **in;       /* in[t]: one preprocessed image per thread */
  mlsh_err errs[256];
} embed_job;

static int prepare(embed_job *j, size_t i, float *in, mlsh_err *err) {
  mlsh_image tmp[2];
  const mlsh_image *src;
  int rc = image_fit(j->imgs ? NULL : j->paths[i], j->imgs ? &j->imgs[i] : NULL, j->net->w, j->net->h, tmp, &src, err);
  if (!rc) image_to_chw(src, j->o->scale, j->o->shift, in);
  image_free(&tmp[0]);
  image_free(&tmp[1]);
  return rc;
}

static int embed_range(void *p, size_t b, size_t e, int t) {
  embed_job *j = p;
  for (size_t k = b; k < e; k++) {
    size_t i = j->base + k;
    if (mlsh_interrupted()) return MLSH_EINTR;
    int rc = prepare(j, i, j->in[t], &j->errs[t]);
    if (rc && j->o->img_errs && rc != MLSH_ENOMEM) {   /* skip it: record, NaN row, go on */
      j->o->img_errs[i] = j->errs[t];
      j->errs[t].code = 0;
      for (size_t c = 0; c < j->net->outputs; c++) j->out[i * j->net->outputs + c] = NAN;
      continue;
    }
    if (rc) return rc;
    if (nn_run_image(j->net, t, j->in[t], j->out + i * j->net->outputs))
      return mlsh_seterr(&j->errs[t], MLSH_EINVAL, "the XNNPACK engine failed on image %zu", i + 1);
  }
  return MLSH_OK;
}

int nn_embed(nn_net *net, const char *const *paths, const mlsh_image *imgs, size_t n,
             const nn_embed_opts *o, float *out, mlsh_err *err) {
  if (net->c != 3) return mlsh_seterr(err, MLSH_EINVAL, "the network takes %d channels, images have 3", net->c);
  if (!net->finalized) {
    int rc = nn_finalize(net, net->nthreads, err);
    if (rc) return rc;
  }
  if (net->gpu) return nn_embed_gpu(net, paths, imgs, n, o, out, err);   /* the CUDA plugin (gpu.h) */
  embed_job *j = mlsh_calloc(1, sizeof *j);
  float **in = mlsh_calloc((size_t)net->nthreads, sizeof *in);
  int rc = j && in ? MLSH_OK : mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  for (int t = 0; !rc && t < net->nthreads; t++)
    if (!(in[t] = mlsh_malloc_aligned(net->inputs * sizeof(float)))) rc = mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  size_t batch = o->batch ? o->batch : 32;
  double t0 = nn_now();
  if (!rc) {
    *j = (embed_job){.net = net, .paths = paths, .imgs = imgs, .o = o, .out = out, .in = in};
    for (size_t b = 0; b < n && !rc; b += batch) {
      size_t m = n - b < batch ? n - b : batch;
      j->base = b;
      if (net->nthreads == 1) rc = embed_range(j, 0, m, 0);
      else rc = mlsh_parallel_dynamic(m, net->nthreads, 1, embed_range, j);
      if (rc == MLSH_EINTR) { rc = mlsh_seterr(err, MLSH_EINTR, "interrupted"); break; }
      if (rc) {
        for (int t = 0; t < net->nthreads; t++)
          if (j->errs[t].code) { if (err) *err = j->errs[t]; break; }
        break;
      }
      net->images_seen += m;
      net->wall_s += nn_now() - t0;
      t0 = nn_now();
      if (o->progress) o->progress(o->ud, b + m, n);
    }
  }
  nn_collect_profile(net);
  if (in)
    for (int t = 0; t < net->nthreads; t++) mlsh_free_aligned(in[t]);
  mlsh_free(in);
  mlsh_free(j);
  return rc;
}
