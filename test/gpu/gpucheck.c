/* gpucheck.c - the GPU check of issue 9 as one program (test/gpu/check.sh
 * runs it on the device machine; test/gpu/pack.sh builds it here).
 *
 *   gpucheck convert CFG NPY_DIR OUT.weights
 *       TF-slim .npy tensors -> darknet weights (nn_convert, nn_save_weights)
 *   gpucheck run CFG WEIGHTS REF_DIR PHOTOS_DIR OUT.txt
 *       REF_DIR: embeddings_subset.npy and embeddings_subset_paths.txt (paths
 *       relative to PHOTOS_DIR); every image under PHOTOS_DIR feeds the
 *       end-to-end throughput test.
 *
 * Measures: GPU vs CPU embeddings of the 50 reference photos (FP32 and
 * TF32) and both vs the PyTorch reference; forward images/s with the input
 * on the device at batch 32/128/256 and with host copies; end-to-end
 * photos/s (decode + resize on CPU threads + GPU) at batch 128 and 256.
 * Without a device it runs the CPU part and says the GPU part was skipped.
 * Exit status: 0 = accuracy within 1e-3 (or no device), 1 = failure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include "../../src/nn/nn.h"
#include "../../src/nn/gpu.h"
#include "../../src/image/image.h"
#include "../../src/core/alloc.h"
#include "../../src/core/npy.h"
#include "../../src/core/threads.h"

static FILE *report;

static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  if (report) {
    va_start(ap, fmt);
    vfprintf(report, fmt, ap);
    va_end(ap);
    fflush(report);
  }
  fflush(stdout);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int fail(const char *what, const mlsh_err *err) {
  say("gpu_check: FAIL: %s: %s\n", what, err->msg);
  return 1;
}

static float max_abs_diff(const float *a, const float *b, size_t n) {
  float d = 0;
  for (size_t i = 0; i < n; i++) {
    float e = fabsf(a[i] - b[i]);
    if (!(e <= d)) d = e;   /* a NaN makes it NaN */
  }
  return d;
}

static int convert(const char *cfg, const char *npy, const char *out) {
  nn_net *net = NULL;
  mlsh_err err;
  if (nn_parse_cfg(cfg, &net, &err)) return fail(cfg, &err);
  int rc = nn_convert(net, NN_SRC_NPY_DIR, npy, &err) || nn_save_weights(net, out, &err);
  nn_free(net);
  if (rc) return fail("convert", &err);
  printf("wrote %s\n", out);
  return 0;
}

typedef struct {
  nn_net *net;
  size_t nref;
  char **refpaths;
  float *ref;               /* nref x outputs, PyTorch */
  image_list photos;
  nn_embed_opts eo;
} ctx;

/* The reference photos: paths file lines, relative to the photo folder. */
static int load_refs(ctx *c, const char *refdir, const char *photos, mlsh_err *err) {
  char p[4096];
  snprintf(p, sizeof p, "%s/embeddings_subset_paths.txt", refdir);
  FILE *f = fopen(p, "r");
  if (!f) return mlsh_seterr(err, MLSH_EIO, "cannot open %s", p);
  char line[2048];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0]) continue;
    char **np = mlsh_realloc(c->refpaths, (c->nref + 1) * sizeof *np);
    if (!np) { fclose(f); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
    c->refpaths = np;
    size_t len = strlen(photos) + strlen(line) + 2;
    if (!(c->refpaths[c->nref] = mlsh_malloc(len))) { fclose(f); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
    snprintf(c->refpaths[c->nref++], len, "%s/%s", photos, line);
  }
  fclose(f);
  snprintf(p, sizeof p, "%s/embeddings_subset.npy", refdir);
  mlsh_npy a;
  int rc = npy_load(p, &a, err);
  if (rc) return rc;
  if (a.ndim != 2 || a.shape[0] != c->nref || a.shape[1] != c->net->outputs) {
    npy_free(&a);
    return mlsh_seterr(err, MLSH_EINVAL, "%s: expected %zux%zu", p, c->nref, c->net->outputs);
  }
  c->ref = mlsh_malloc_array(a.count, sizeof(float));
  if (!c->ref) { npy_free(&a); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  for (size_t i = 0; i < a.count; i++) c->ref[i] = (float)a.data[i];
  npy_free(&a);
  return MLSH_OK;
}

/* The reference photos as network inputs (CHW floats), for nn_forward. */
static float *ref_inputs(ctx *c, mlsh_err *err) {
  nn_net *net = c->net;
  float *in = mlsh_malloc_array(c->nref * net->inputs, sizeof(float));
  if (!in) { mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); return NULL; }
  for (size_t i = 0; i < c->nref; i++) {
    mlsh_image img = {0}, rs = {0};
    int rc = image_load(c->refpaths[i], &img, err);
    if (!rc) rc = image_resize(&img, net->w, net->h, IMAGE_NEAREST, &rs, err);
    if (!rc) image_to_chw(&rs, c->eo.scale, c->eo.shift, in + i * net->inputs);
    image_free(&img);
    image_free(&rs);
    if (rc) { mlsh_free(in); return NULL; }
  }
  return in;
}

typedef struct { char **paths; int w, h; mlsh_err errs[256]; } dec_job;

static int dec_range(void *p, size_t b, size_t e, int t) {
  dec_job *j = p;
  for (size_t i = b; i < e; i++) {
    mlsh_image img = {0}, rs = {0};
    int rc = image_load(j->paths[i], &img, &j->errs[t]);
    if (!rc) rc = image_resize(&img, j->w, j->h, IMAGE_NEAREST, &rs, &j->errs[t]);
    image_free(&img);
    image_free(&rs);
    if (rc) return rc;
  }
  return MLSH_OK;
}

/* photos/s of decoding + resizing alone on the CPU threads: the ceiling of end to end */
static double decode_rate(ctx *c) {
  dec_job *j = mlsh_calloc(1, sizeof *j);
  if (!j) return 0;
  j->paths = c->photos.paths;
  j->w = c->net->w;
  j->h = c->net->h;
  double t0 = now_s();
  int rc = mlsh_parallel_dynamic(c->photos.n, c->net->nthreads, 1, dec_range, j);
  double r = rc ? 0 : c->photos.n / (now_s() - t0);
  mlsh_free(j);
  return r;
}

/* photos/s of nn_embed over `reps` passes of the photo folder */
static int end_to_end(ctx *c, int reps, double *rate, mlsh_err *err) {
  size_t n = c->photos.n * (size_t)reps;
  const char **paths = mlsh_malloc_array(n, sizeof *paths);
  float *out = mlsh_malloc_array(n * c->net->outputs, sizeof(float));
  int rc = paths && out ? MLSH_OK : mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  if (!rc) {
    for (size_t i = 0; i < n; i++) paths[i] = c->photos.paths[i % c->photos.n];
    double t0 = now_s();
    rc = nn_embed(c->net, paths, NULL, n, &c->eo, out, err);
    *rate = n / (now_s() - t0);
  }
  mlsh_free(paths);
  mlsh_free(out);
  return rc;
}

/* When GPU and CPU disagree: the same comparison on every prefix of the
 * net (cfg cut after layer k, parameters copied), naming the first layer
 * that goes wrong. Two reference photos, relative tolerance 1e-4. */
static void diagnose(ctx *c, const char *cfgpath, const float *in) {
  FILE *f = fopen(cfgpath, "rb");
  if (!f) return;
  char *text = mlsh_malloc(1 << 20);
  size_t len = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
  fclose(f);
  if (!text) return;
  text[len] = 0;
  say("per-layer diagnosis (GPU vs CPU on 2 photos, each prefix of the net):\n");
  const char *p = text;
  int sect = 0, shown = 0;
  for (;;) {   /* p: start of the line after which a section may start */
    const char *next = strstr(p, "\n[");
    int k = sect - 1;   /* layers included when cutting at next */
    if (k >= 1 || !next) {
      size_t cut = next ? (size_t)(next - text) + 1 : len;
      char save = text[cut];
      text[cut] = 0;
      nn_net *sub = NULL;
      mlsh_err err;
      int rc = nn_parse_cfg_text(text, cfgpath, &sub, &err);
      text[cut] = save;
      if (rc) { say("  cut %d: %s\n", k, err.msg); break; }
      for (int i = 0; i < sub->n; i++) {
        nn_layer *d = &sub->layers[i];
        const nn_layer *s = &c->net->layers[i];
        if (d->type != NN_CONV && d->type != NN_CONNECTED) continue;
        memcpy(d->weights, s->weights, s->nweights * sizeof(float));
        memcpy(d->biases, s->biases, (size_t)s->filters * sizeof(float));
        if (s->batch_normalize) {
          memcpy(d->scales, s->scales, (size_t)s->filters * sizeof(float));
          memcpy(d->rolling_mean, s->rolling_mean, (size_t)s->filters * sizeof(float));
          memcpy(d->rolling_var, s->rolling_var, (size_t)s->filters * sizeof(float));
        }
      }
      float *a = mlsh_malloc_array(2 * sub->outputs, sizeof(float)), *b = mlsh_malloc_array(2 * sub->outputs, sizeof(float));
      nn_gpu_opts o = {2, 0, 0};
      rc = !a || !b || nn_finalize(sub, 0, &err) || nn_forward(sub, in, 2, a, &err) ||
           nn_gpu_attach(sub, &o, &err) || nn_forward(sub, in, 2, b, &err);
      if (rc) say("  layer %d: %s\n", sub->n - 1, err.msg);
      else {
        float d = max_abs_diff(b, a, 2 * sub->outputs), mx = 0;
        for (size_t i = 0; i < 2 * sub->outputs; i++) mx = fabsf(a[i]) > mx ? fabsf(a[i]) : mx;
        const nn_layer *l = &sub->layers[sub->n - 1];
        int bad = !(d <= 1e-4f * (mx > 1 ? mx : 1));
        say("  layer %2d %-12s %-28s %3dx%3dx%4d: max |GPU - CPU| %.3g (max |CPU| %.3g)%s\n", sub->n - 1,
            nn_type_name(l->type), l->name, l->out_w, l->out_h, l->out_c, d, mx, bad ? "  <-- first mismatch" : "");
        if (bad) shown = 1;
      }
      mlsh_free(a);
      mlsh_free(b);
      nn_free(sub);
      if (rc || shown) break;
    }
    if (!next) break;
    p = next + 1;
    sect++;
  }
  mlsh_free(text);
}

static int run(const char *cfg, const char *wts, const char *refdir, const char *photos, const char *outtxt) {
  report = fopen(outtxt, "w");
  if (!report) fprintf(stderr, "gpucheck: cannot write %s (results on stdout only)\n", outtxt);
  ctx c;
  memset(&c, 0, sizeof c);
  c.eo = (nn_embed_opts){.scale = {1 / 127.5f, 1 / 127.5f, 1 / 127.5f}, .shift = {-1, -1, -1}};
  mlsh_err err = {0, ""};
  int status = 1;
  char desc[256] = "";
  float *cpu = NULL, *gpu = NULL, *in = NULL, *tf = NULL, *fw = NULL, *big = NULL, *bigout = NULL;
  if (nn_parse_cfg(cfg, &c.net, &err)) return fail(cfg, &err);
  if (nn_load_weights(c.net, wts, &err) || nn_finalize(c.net, 0, &err)) { status = fail(wts, &err); goto done; }
  if (load_refs(&c, refdir, photos, &err)) { status = fail("reference", &err); goto done; }
  if (image_list_dir(photos, &c.photos, &err)) { status = fail(photos, &err); goto done; }
  size_t no = c.net->outputs, N = c.nref;
  say("net: %s, %d layers, %zu outputs; CPU threads %d; %zu reference photos; %zu photos for throughput\n", cfg,
      c.net->n, no, c.net->nthreads, N, c.photos.n);

  /* CPU: the engine's reference path */
  cpu = mlsh_malloc_array(N * no, sizeof(float));
  gpu = mlsh_malloc_array(N * no, sizeof(float));
  tf = mlsh_malloc_array(N * no, sizeof(float));
  fw = mlsh_malloc_array(N * no, sizeof(float));
  if (!cpu || !gpu || !tf || !fw) { mlsh_seterr(&err, MLSH_ENOMEM, "not enough memory"); status = fail("alloc", &err); goto done; }
  double t0 = now_s();
  if (nn_embed(c.net, (const char *const *)c.refpaths, NULL, N, &c.eo, cpu, &err)) { status = fail("CPU embed", &err); goto done; }
  double cpu_rate = N / (now_s() - t0);
  float d_cpu_ref = max_abs_diff(cpu, c.ref, N * no);
  say("CPU: %zu reference photos at %.1f photos/s; max |CPU - reference| = %.3g\n", N, cpu_rate, d_cpu_ref);

  mlsh_err ge = {0, ""};
  int ndev = nn_gpu_count(&ge);
  if (ndev <= 0) {
    say("no CUDA device found: %s\n", ge.msg);
    say("gpu_check: SKIPPED GPU part (no CUDA device; %s); CPU vs reference max|d| %.2g\n",
        nn_gpu_built() ? "CUDA build" : "CPU-only build", d_cpu_ref);
    status = d_cpu_ref <= 1e-3 ? 0 : 1;
    goto done;
  }

  /* FP32, batch 256: accuracy through both entry points */
  nn_gpu_opts o = {256, 0, 0};
  if (nn_gpu_attach(c.net, &o, &err)) { status = fail("attach", &err); goto done; }
  snprintf(desc, sizeof desc, "%s", nn_gpu_describe(c.net));
  say("GPU: %s; %d device(s); device memory %.0f MiB\n", desc, ndev,
      nn_gpu_memory(c.net) / 1048576.0);
  if (nn_embed(c.net, (const char *const *)c.refpaths, NULL, N, &c.eo, gpu, &err)) { status = fail("GPU embed", &err); goto done; }
  float d_gc = max_abs_diff(gpu, cpu, N * no), d_gr = max_abs_diff(gpu, c.ref, N * no);
  if (!(in = ref_inputs(&c, &err))) { status = fail("decode", &err); goto done; }
  if (nn_forward(c.net, in, N, fw, &err)) { status = fail("GPU forward", &err); goto done; }
  float d_fc = max_abs_diff(fw, cpu, N * no);
  say("FP32: max |GPU embed - CPU| = %.3g, max |GPU forward - CPU| = %.3g, max |GPU - reference| = %.3g\n", d_gc,
      d_fc, d_gr);
  if (!(d_gc <= 1e-3 && d_fc <= 1e-3) || getenv("GPUCHECK_LAYERS")) {
    nn_gpu_opts keep = {256, 0, 0};
    diagnose(&c, cfg, in);
    if (nn_gpu_attach(c.net, &keep, &err)) { status = fail("attach", &err); goto done; }
  }

  /* forward throughput, input on the device */
  double fwd[3];
  size_t ms[3] = {32, 128, 256};
  for (int k = 0; k < 3; k++) {
    int iters = (int)(12800 / ms[k]);
    double sec;
    if (nn_gpu_bench(c.net, ms[k], iters, &sec, &err)) { status = fail("bench", &err); goto done; }
    fwd[k] = ms[k] * iters / sec;
    say("forward, batch %3zu: %8.0f img/s (%d passes, %.3f s)\n", ms[k], fwd[k], iters, sec);
  }
  /* where the time goes at batch 256: the slowest layers */
  double *lms = mlsh_calloc((size_t)c.net->n, sizeof *lms);
  int *order = mlsh_calloc((size_t)c.net->n, sizeof *order);
  if (lms && order && !nn_gpu_profile(c.net, 256, 5, lms, &err)) {
    double tot = 0;
    for (int i = 0; i < c.net->n; i++) { tot += lms[i]; order[i] = i; }
    for (int i = 0; i < c.net->n; i++)   /* selection sort, slowest first */
      for (int j = i + 1; j < c.net->n; j++)
        if (lms[order[j]] > lms[order[i]]) { int t = order[i]; order[i] = order[j]; order[j] = t; }
    say("profile, batch 256: %.2f ms per pass over the layers; slowest:\n", tot);
    for (int k = 0; k < 10 && k < c.net->n; k++) {
      const nn_layer *l = &c.net->layers[order[k]];
      const char *kind = l->type != NN_CONV ? nn_type_name(l->type)
                       : l->groups == l->c && l->groups > 1 ? "depthwise"
                       : l->size == 1 && l->stride == 1 && l->groups == 1 ? "1x1 sgemm" : "direct conv";
      say("  %6.3f ms %4.1f%%  layer %2d %-26s %-11s %3dx%3dx%4d -> %4d\n", lms[order[k]], 100 * lms[order[k]] / tot,
          order[k], l->name, kind, l->w, l->h, l->c, l->out_c);
    }
  } else if (lms && order) {
    say("profile: %s\n", err.msg);
  }
  mlsh_free(lms);
  mlsh_free(order);

  /* with host copies: 2048 float inputs through nn_forward */
  size_t nb = 2048;
  big = mlsh_malloc_array(nb * c.net->inputs, sizeof(float));
  bigout = mlsh_malloc_array(nb * no, sizeof(float));
  if (!big || !bigout) { mlsh_seterr(&err, MLSH_ENOMEM, "not enough memory"); status = fail("alloc", &err); goto done; }
  for (size_t i = 0; i < nb; i++) memcpy(big + i * c.net->inputs, in + (i % N) * c.net->inputs, c.net->inputs * sizeof(float));
  t0 = now_s();
  if (nn_forward(c.net, big, nb, bigout, &err)) { status = fail("GPU forward", &err); goto done; }
  double fwd_host = nb / (now_s() - t0);
  say("forward with host float input and copies, batch 256: %.0f img/s\n", fwd_host);

  /* end to end: decode + resize on CPU threads, overlapped with the GPU */
  int reps = c.photos.n ? (int)((2000 + c.photos.n - 1) / c.photos.n) : 0;
  double e2e[2] = {0, 0}, warm;
  if (reps) {
    if (end_to_end(&c, 1, &warm, &err)) { status = fail("end-to-end (warm-up)", &err); goto done; }
    if (end_to_end(&c, reps, &e2e[1], &err)) { status = fail("end-to-end", &err); goto done; }
    nn_gpu_opts o128 = {128, 0, 0};
    if (nn_gpu_attach(c.net, &o128, &err)) { status = fail("attach", &err); goto done; }
    if (end_to_end(&c, reps, &e2e[0], &err)) { status = fail("end-to-end", &err); goto done; }
    say("end to end (%zu photos, %d passes over %zu files, %d CPU threads): batch 128 %.0f photos/s, batch 256 %.0f photos/s\n",
        c.photos.n * reps, reps, c.photos.n, c.net->nthreads, e2e[0], e2e[1]);
    nn_gpu_detach(c.net);
    say("decode + resize alone on %d CPU threads (no network): %.0f photos/s\n", c.net->nthreads, decode_rate(&c));
  }

  /* TF32 (explicit option): its accuracy cost and speed */
  nn_gpu_opts ot = {256, 1, 0};
  if (nn_gpu_attach(c.net, &ot, &err)) { status = fail("attach TF32", &err); goto done; }
  if (nn_embed(c.net, (const char *const *)c.refpaths, NULL, N, &c.eo, tf, &err)) { status = fail("TF32 embed", &err); goto done; }
  float d_tc = max_abs_diff(tf, cpu, N * no), d_tr = max_abs_diff(tf, c.ref, N * no);
  double tsec, tf_rate = 0;
  if (nn_gpu_bench(c.net, 256, 50, &tsec, &err)) { status = fail("TF32 bench", &err); goto done; }
  tf_rate = 256 * 50 / tsec;
  say("TF32: max |GPU - CPU| = %.3g, max |GPU - reference| = %.3g; forward batch 256: %.0f img/s\n", d_tc, d_tr, tf_rate);
  nn_gpu_detach(c.net);

  int acc_ok = d_gc <= 1e-3 && d_fc <= 1e-3 && d_gr <= 1e-3;
  int fwd_ok = fwd[2] >= 10000, e2e_ok = reps && (e2e[0] >= 3000 || e2e[1] >= 3000);
  say("gpu_check: %s | FP32 GPU-CPU max|d| %.2g (forward %.2g), GPU-ref %.2g [%s] | forward img/s b32 %.0f b128 %.0f "
      "b256 %.0f [%s >=10000] | end-to-end photos/s b128 %.0f b256 %.0f on %d threads [%s >=3000] | TF32 GPU-CPU "
      "max|d| %.2g, b256 %.0f img/s\n",
      desc, d_gc, d_fc, d_gr, acc_ok ? "PASS" : "FAIL", fwd[0],
      fwd[1], fwd[2], fwd_ok ? "PASS" : "BELOW", e2e[0], e2e[1], c.net->nthreads, e2e_ok ? "PASS" : "BELOW", d_tc,
      tf_rate);
  status = acc_ok ? 0 : 1;
done:
  mlsh_free(cpu); mlsh_free(gpu); mlsh_free(tf); mlsh_free(fw); mlsh_free(in); mlsh_free(big); mlsh_free(bigout);
  mlsh_free(c.ref);
  for (size_t i = 0; i < c.nref; i++) mlsh_free(c.refpaths[i]);
  mlsh_free(c.refpaths);
  image_list_free(&c.photos);
  nn_free(c.net);
  if (report) fclose(report);
  return status;
}

int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "convert")) return convert(argv[2], argv[3], argv[4]);
  if (argc == 7 && !strcmp(argv[1], "run")) return run(argv[2], argv[3], argv[4], argv[5], argv[6]);
  fprintf(stderr, "usage: gpucheck convert CFG NPY_DIR OUT.weights\n"
                  "       gpucheck run CFG WEIGHTS REF_DIR PHOTOS_DIR OUT.txt\n");
  return 2;
}
