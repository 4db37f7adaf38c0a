/* tsne_fft.c - t-SNE repulsion in 2-D by FFT-accelerated interpolation
 * (FIt-SNE, Linderman et al. 2019): the square around the embedding is cut
 * into boxes (width <= 1), each with 3 Lagrange nodes per axis; charges
 * (1, x, y, x^2+y^2) are spread to the uniform node grid, convolved with
 * the kernel 1/(1+r^2)^2 by zero-padded FFT (FFTW), and interpolated back.
 * From the four potentials, sum_j q_ij and sum_j q_ij^2 (y_i - y_j)
 * follow exactly, up to interpolation error. The FFTs run in single
 * precision (their rounding, ~1e-7, is far below the interpolation error),
 * one worker per charge term. */
#include <math.h>
#include <string.h>
#include <fftw3.h>
#include "tsne_impl.h"
#include "../core/alloc.h"
#include "../core/threads.h"

#define NTERMS 4

struct tsne_fft {
  size_t n;
  int threads;                 /* workers for the NTERMS convolutions */
  int nb;                      /* boxes per axis the buffers are planned for */
  int N;                       /* grid nodes per axis = 3 * nb */
  double *w;                   /* n x 6: Lagrange weights, 3 per axis */
  int *g;                      /* n x 2: first grid node per axis */
  double *grid;                /* NTERMS x N x N potentials */
  float *in[NTERMS];           /* 2N x 2N real inputs: charges in the first N x N, zeros around */
  float *out[NTERMS];          /* 2N x 2N convolutions */
  float *kin;                  /* 2N x 2N kernel */
  fftwf_complex *kf, *cf[NTERMS];  /* 2N x (N+1) spectra: kernel, charges */
  fftwf_plan pk, pf, pb;        /* run on other buffers of the same shape (fftw_execute_dft_*) */
};

tsne_fft *tsne_fft_new(size_t n, int threads) {
  tsne_fft *f = mlsh_calloc(1, sizeof *f);
  if (!f) return NULL;
  f->n = n;
  f->threads = mlsh_threads_resolve(threads);
  f->w = mlsh_malloc_array(n * 6, sizeof(double));
  f->g = mlsh_malloc_array(n * 2, sizeof(int));
  if (!f->w || !f->g) { tsne_fft_free(f); return NULL; }
  return f;
}

static void drop_plans(tsne_fft *f) {
  if (f->pk) fftwf_destroy_plan(f->pk);
  if (f->pf) fftwf_destroy_plan(f->pf);
  if (f->pb) fftwf_destroy_plan(f->pb);
  f->pk = f->pf = f->pb = NULL;
  mlsh_free(f->grid);
  f->grid = NULL;
  mlsh_free_aligned(f->kin); mlsh_free_aligned(f->kf);
  f->kin = NULL; f->kf = NULL;
  for (int t = 0; t < NTERMS; t++) {
    mlsh_free_aligned(f->in[t]); mlsh_free_aligned(f->out[t]); mlsh_free_aligned(f->cf[t]);
    f->in[t] = f->out[t] = NULL; f->cf[t] = NULL;
  }
  f->nb = 0;
}

void tsne_fft_free(tsne_fft *f) {
  if (!f) return;
  drop_plans(f);
  mlsh_free(f->w); mlsh_free(f->g);
  mlsh_free(f);
}

/* Box counts (width <= 1) with fast FFT sizes, after FIt-SNE's list, so
 * that plans are rebuilt only when the embedding's extent crosses one. Below
 * FIt-SNE's minimum of 50 too: a compact embedding (early exaggeration) is
 * already accurate with few boxes, each much narrower than the kernel. */
static int round_boxes(double want) {
  static const int sizes[] = {12, 16, 20, 25, 30, 36, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 96, 100, 110, 120,
                              130, 140, 150};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) if (want <= sizes[i]) return sizes[i];
  /* Past 150 boxes (an extent of 150) the FFTs would dominate: boxes widen. */
  return 150;
}

static int plan(tsne_fft *f, int nb) {
  if (f->nb == nb) return MLSH_OK;
  drop_plans(f);
  int N = 3 * nb, M = 2 * N, ok;
  size_t real = (size_t)M * M * sizeof(float), spec = (size_t)M * (N + 1) * sizeof(fftwf_complex);
  f->grid = mlsh_malloc_array((size_t)NTERMS * N * N, sizeof(double));
  f->kin = mlsh_malloc_aligned(real);
  f->kf = mlsh_malloc_aligned(spec);
  ok = f->grid && f->kin && f->kf;
  for (int t = 0; t < NTERMS && ok; t++) {
    f->in[t] = mlsh_malloc_aligned(real);
    f->out[t] = mlsh_malloc_aligned(real);
    f->cf[t] = mlsh_malloc_aligned(spec);
    ok = f->in[t] && f->out[t] && f->cf[t];
    if (ok) memset(f->in[t], 0, real);   /* the padding stays zero: charges fill the first quadrant only */
  }
  if (!ok) { drop_plans(f); return MLSH_ENOMEM; }
  f->pk = fftwf_plan_dft_r2c_2d(M, M, f->kin, f->kf, FFTW_ESTIMATE);
  f->pf = fftwf_plan_dft_r2c_2d(M, M, f->out[0], f->cf[0], FFTW_ESTIMATE | FFTW_PRESERVE_INPUT);
  f->pb = fftwf_plan_dft_c2r_2d(M, M, f->cf[0], f->out[0], FFTW_ESTIMATE);
  if (!f->pk || !f->pf || !f->pb) { drop_plans(f); return MLSH_ENOMEM; }
  f->nb = nb; f->N = N;
  return MLSH_OK;
}

/* Lagrange weights of the nodes 1/6, 1/2, 5/6 of a unit box at r. */
static void lagrange(double r, double *w) {
  w[0] = (r - 0.5) * (r - 5.0 / 6) * 4.5;
  w[1] = -(r - 1.0 / 6) * (r - 5.0 / 6) * 9.0;
  w[2] = (r - 1.0 / 6) * (r - 0.5) * 4.5;
}

/* The kernel 1/(1+r^2)^2 on node offsets, embedded circulantly (offset
 * -N..N-1), and its spectrum. */
static void kernel_spectrum(tsne_fft *f, double hg) {
  int N = f->N, M = 2 * N;
  float *k = f->kin;
  memset(k, 0, (size_t)M * M * sizeof(float));
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double dx = i * hg, dy = j * hg, t = 1.0 / (1.0 + dx * dx + dy * dy), v = t * t;
      k[(size_t)(N + i) * M + N + j] = (float)v;
      k[(size_t)(N - i) * M + N + j] = (float)v;
      k[(size_t)(N + i) * M + N - j] = (float)v;
      k[(size_t)(N - i) * M + N - j] = (float)v;
    }
  fftwf_execute(f->pk);
}

/* Spread the charges (1, x, y, x^2+y^2) of every point to its 3 x 3 nodes,
 * straight into the first quadrant of each term's padded input. */
static void spread(tsne_fft *f, const double *Y, double mn, double bw) {
  int N = f->N, M = 2 * N, nb = f->nb;
  for (int t = 0; t < NTERMS; t++)
    for (int i = 0; i < N; i++) memset(f->in[t] + (size_t)i * M, 0, (size_t)N * sizeof(float));
  for (size_t i = 0; i < f->n; i++) {
    double x = Y[2 * i], y = Y[2 * i + 1], c[NTERMS] = {1, x, y, x * x + y * y}, *w = f->w + 6 * i;
    double ux = (x - mn) / bw, uy = (y - mn) / bw;
    int bx = (int)ux, by = (int)uy;
    if (bx >= nb) bx = nb - 1;
    if (by >= nb) by = nb - 1;
    lagrange(ux - bx, w); lagrange(uy - by, w + 3);
    f->g[2 * i] = 3 * bx; f->g[2 * i + 1] = 3 * by;
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++) {
        double wt = w[a] * w[3 + b];
        size_t o = (size_t)(3 * bx + a) * M + 3 * by + b;
        for (int t = 0; t < NTERMS; t++) f->in[t][o] += (float)(wt * c[t]);
      }
  }
}

/* Convolve terms [t0, t1) with the kernel (terms are independent: one
 * worker each; FFTW's new-array execute is thread safe). */
static int convolve_terms(void *ctx, size_t t0, size_t t1, int tid) {
  tsne_fft *f = ctx;
  int N = f->N, M = 2 * N;
  size_t NN = (size_t)N * N, nc = (size_t)M * (N + 1);
  float norm = 1.0f / ((float)M * M);
  (void)tid;
  for (size_t t = t0; t < t1; t++) {
    fftwf_complex *cf = f->cf[t];
    fftwf_execute_dft_r2c(f->pf, f->in[t], cf);
    /* The kernel is even, so its spectrum is real. */
    for (size_t k = 0; k < nc; k++) { float c = f->kf[k][0] * norm; cf[k][0] *= c; cf[k][1] *= c; }
    fftwf_execute_dft_c2r(f->pb, cf, f->out[t]);
    double *gt = f->grid + t * NN;
    for (int i = 0; i < N; i++) {
      const float *o = f->out[t] + (size_t)(N + i) * M + N;
      for (int j = 0; j < N; j++) gt[(size_t)i * N + j] = o[j];
    }
  }
  return MLSH_OK;
}

int tsne_rep_fft(tsne_fft *f, const double *Y, double *rep, double *Z) {
  size_t n = f->n;
  double mn = INFINITY, mx = -INFINITY;
  for (size_t i = 0; i < 2 * n; i++) { if (Y[i] < mn) mn = Y[i]; if (Y[i] > mx) mx = Y[i]; }
  double span = mx - mn;
  if (!(span > 0)) span = 1e-6;
  int nb = round_boxes(span);
  if (plan(f, nb)) return MLSH_ENOMEM;
  int N = f->N;
  double bw = span / nb;
  size_t NN = (size_t)N * N;
  kernel_spectrum(f, bw / 3);
  spread(f, Y, mn, bw);
  int rc = mlsh_parallel_for(NTERMS, f->threads, 1, convolve_terms, f);
  if (rc) return rc;
  /* Interpolate the potentials back and combine. */
  double z = 0;
  for (size_t i = 0; i < n; i++) {
    double phi[NTERMS] = {0}, *w = f->w + 6 * i;
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++) {
        double wt = w[a] * w[3 + b];
        size_t o = (size_t)(f->g[2 * i] + a) * N + f->g[2 * i + 1] + b;
        for (int t = 0; t < NTERMS; t++) phi[t] += wt * f->grid[t * NN + o];
      }
    double x = Y[2 * i], y = Y[2 * i + 1];
    z += (1 + x * x + y * y) * phi[0] - 2 * (x * phi[1] + y * phi[2]) + phi[3];
    rep[2 * i] = x * phi[0] - phi[1];
    rep[2 * i + 1] = y * phi[0] - phi[2];
  }
  z -= (double)n;   /* each point's own term, K(0) * 1 */
  *Z = z > 0 ? z : 1e-300;
  return MLSH_OK;
}
