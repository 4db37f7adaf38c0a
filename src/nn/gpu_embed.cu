/* gpu_embed.cu - files to embeddings on the GPU. CPU threads decode and
 * resize batch b+1 (Pillow NEAREST, as embed.c) into a pinned uint8 buffer
 * while batch b is copied (copy stream) and run (compute stream):
 *
 *   host     decode b ---- decode b+1 ---- decode b+2 ...
 *   copy            H2D b           H2D b+1
 *   compute              pixels, net, D2H b    pixels, net, D2H b+1
 *
 * Two slots of everything (pinned pixels, device pixels, pinned outputs)
 * with events saying when a slot may be reused. Pixels travel as uint8
 * HWC (a quarter of the floats) and become NHWC floats on the device. */
#include <math.h>
#include <string.h>
#include "gpu_internal.h"
extern "C" {
#include "../image/image.h"
#include "../core/alloc.h"
#include "../core/interrupt.h"
#include "../core/threads.h"
}

typedef struct {
  const nn_net *net;
  const char *const *paths;
  const mlsh_image *imgs;
  const nn_embed_opts *o;
  unsigned char *bad;     /* n flags: skipped images (o->img_errs), NaN rows */
  size_t base;
  unsigned char *px;      /* the slot being filled: m images of w*h*3 bytes */
  mlsh_err *errs;         /* one per thread */
} decode_job;

static int decode_one(decode_job *j, size_t k, mlsh_err *err) {
  const nn_net *net = j->net;
  size_t i = j->base + k, bytes = (size_t)net->w * net->h * 3;
  mlsh_image tmp[2];
  const mlsh_image *src;
  int rc = image_fit(j->imgs ? NULL : j->paths[i], j->imgs ? &j->imgs[i] : NULL, net->w, net->h, tmp, &src, err);
  if (!rc) memcpy(j->px + k * bytes, src->rgb, bytes);
  image_free(&tmp[0]);
  image_free(&tmp[1]);
  return rc;
}

static int decode_range(void *p, size_t b, size_t e, int t) {
  decode_job *j = (decode_job *)p;
  for (size_t k = b; k < e; k++) {
    if (mlsh_interrupted()) return MLSH_EINTR;
    int rc = decode_one(j, k, &j->errs[t]);
    if (rc && j->o->img_errs && rc != MLSH_ENOMEM) {   /* as embed.c: record, NaN row, go on */
      size_t i = j->base + k, bytes = (size_t)j->net->w * j->net->h * 3;
      j->o->img_errs[i] = j->errs[t];
      j->errs[t].code = 0;
      j->bad[i] = 1;
      memset(j->px + k * bytes, 0, bytes);
      continue;
    }
    if (rc) return rc;
  }
  return MLSH_OK;
}

typedef struct {
  unsigned char *hpx[2], *dpx[2];
  float *hout[2];
  cudaEvent_t h2d[2], used[2], done[2];
  int nev;
} pipe_bufs;

static void pipe_free(pipe_bufs *p) {
  for (int s = 0; s < 2; s++) {
    cudaFreeHost(p->hpx[s]);
    cudaFreeHost(p->hout[s]);
    cudaFree(p->dpx[s]);
  }
  for (int k = 0; k < p->nev; k++) cudaEventDestroy(k < 2 ? p->h2d[k] : k < 4 ? p->used[k - 2] : p->done[k - 4]);
  (void)cudaGetLastError();
}

static int pipe_alloc(pipe_bufs *p, size_t pxbytes, size_t outbytes, mlsh_err *err) {
  memset(p, 0, sizeof *p);
  for (int s = 0; s < 2; s++) {
    CU_TRY(cudaMallocHost((void **)&p->hpx[s], pxbytes));
    CU_TRY(cudaMallocHost((void **)&p->hout[s], outbytes));
    CU_TRY(cudaMalloc((void **)&p->dpx[s], pxbytes));
  }
  cudaEvent_t *ev[6] = {&p->h2d[0], &p->h2d[1], &p->used[0], &p->used[1], &p->done[0], &p->done[1]};
  for (; p->nev < 6; p->nev++) CU_TRY(cudaEventCreateWithFlags(ev[p->nev], cudaEventDisableTiming));
  return MLSH_OK;
}

/* Queue the k-th batch (m images in slot s) on the streams. */
static int enqueue(nn_net *net, gpu_net *g, pipe_bufs *p, int s, size_t k, int m, const nn_embed_opts *o,
                   mlsh_err *err) {
  size_t hw = (size_t)net->w * net->h;
  if (k >= 2) CU_TRY(cudaStreamWaitEvent(g->copy, p->used[s], 0));   /* batch k-2 done reading dpx[s] */
  CU_TRY(cudaMemcpyAsync(p->dpx[s], p->hpx[s], (size_t)m * hw * 3, cudaMemcpyHostToDevice, g->copy));
  CU_TRY(cudaEventRecord(p->h2d[s], g->copy));
  CU_TRY(cudaStreamWaitEvent(g->comp, p->h2d[s], 0));
  k_pixels(p->dpx[s], g->x0, (size_t)m * hw, o->scale, o->shift, g->comp);
  CU_TRY(cudaEventRecord(p->used[s], g->comp));
  int rc = gpu_run(net, m, err);
  if (rc) return rc;
  CU_TRY(cudaMemcpyAsync(p->hout[s], g->out, (size_t)m * net->outputs * sizeof(float), cudaMemcpyDeviceToHost,
                         g->comp));
  CU_TRY(cudaEventRecord(p->done[s], g->comp));
  return MLSH_OK;
}

/* Wait for batch b's outputs and move them into out (NaN rows for skipped images). */
static int collect(nn_net *net, pipe_bufs *p, int s, size_t b, int m, float *out, const unsigned char *bad,
                   mlsh_err *err) {
  CU_TRY(cudaEventSynchronize(p->done[s]));
  memcpy(out + b * net->outputs, p->hout[s], (size_t)m * net->outputs * sizeof(float));
  for (size_t i = b; i < b + (size_t)m; i++)
    if (bad[i])
      for (size_t c = 0; c < net->outputs; c++) out[i * net->outputs + c] = NAN;
  return MLSH_OK;
}

extern "C" int cuda_embed_gpu(nn_net *net, const char *const *paths, const mlsh_image *imgs, size_t n,
                            const nn_embed_opts *o, float *out, mlsh_err *err) {
  gpu_net *g = (gpu_net *)net->gpu;
  if (!g) return mlsh_seterr(err, MLSH_EINVAL, "the network is not on a GPU");
  if (net->c != 3) return mlsh_seterr(err, MLSH_EINVAL, "the network takes %d channels, images have 3", net->c);
  CU_TRY(cudaSetDevice(g->dev));
  /* batches of g->batch; pinned buffers no larger than the call needs */
  size_t B = n < (size_t)g->batch ? (n ? n : 1) : (size_t)g->batch, bytes = (size_t)net->w * net->h * 3;
  int nt = net->nthreads > 0 ? net->nthreads : mlsh_threads_resolve(0);
  mlsh_err *errs = (mlsh_err *)mlsh_calloc((size_t)nt, sizeof *errs);
  unsigned char *bad = (unsigned char *)mlsh_calloc(n ? n : 1, 1);
  if (!errs || !bad) { mlsh_free(errs); mlsh_free(bad); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  double t0 = nn_now();
  pipe_bufs p;
  int rc = pipe_alloc(&p, B * bytes, B * net->outputs * sizeof(float), err);
  decode_job j = {net, paths, imgs, o, bad, 0, NULL, errs};
  size_t prev_b = 0;
  int prev_m = 0, prev_s = 0;
  for (size_t b = 0, k = 0; !rc && b < n; b += B, k++) {
    int s = (int)(k & 1), m = (int)(n - b < B ? n - b : B);
    if (k >= 2) {   /* the pinned slot's previous batch must have reached the device */
      cudaError_t ce = cudaEventSynchronize(p.h2d[s]);
      if (ce != cudaSuccess) { rc = gpu_cuda_fail(err, ce, "cudaEventSynchronize"); break; }
    }
    j.base = b;
    j.px = p.hpx[s];
    rc = nt == 1 ? decode_range(&j, 0, (size_t)m, 0) : mlsh_parallel_dynamic((size_t)m, nt, 1, decode_range, &j);
    if (rc == MLSH_EINTR) { rc = mlsh_seterr(err, MLSH_EINTR, "interrupted"); break; }
    if (rc) {
      for (int t = 0; t < nt; t++)
        if (errs[t].code) { if (err) *err = errs[t]; break; }
      break;
    }
    if ((rc = enqueue(net, g, &p, s, k, m, o, err))) break;
    if (k >= 1) {   /* batch k-1 has had a whole decode to finish */
      if ((rc = collect(net, &p, prev_s, prev_b, prev_m, out, bad, err))) break;
      net->images_seen += (size_t)prev_m;
      if (o->progress) o->progress(o->ud, prev_b + prev_m, n);
    }
    prev_b = b; prev_m = m; prev_s = s;
  }
  if (!rc && prev_m) {
    rc = collect(net, &p, prev_s, prev_b, prev_m, out, bad, err);
    if (!rc) {
      net->images_seen += (size_t)prev_m;
      if (o->progress) o->progress(o->ud, prev_b + prev_m, n);
    }
  }
  cudaStreamSynchronize(g->copy);   /* nothing may still write into buffers we free */
  cudaStreamSynchronize(g->comp);
  pipe_free(&p);
  mlsh_free(errs);
  mlsh_free(bad);
  net->wall_s += nn_now() - t0;
  return rc;
}
