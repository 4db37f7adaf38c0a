/* threads.h - a small parallel-for on pthreads. Work is split into
 * contiguous chunks; each worker gets its own index range and thread id.
 * While our own workers run, OpenBLAS is told to use one thread so the
 * two pools never oversubscribe the cores. */
#ifndef MLSH_THREADS_H
#define MLSH_THREADS_H
#include <pthread.h>
#include <stddef.h>

/* Body: process items [begin, end) as worker `tid`; return 0 or an mlsh status. */
typedef int (*mlsh_range_fn)(void *ctx, size_t begin, size_t end, int tid);

/* Number of threads to use by default: MLSH_THREADS, else online CPUs. */
int mlsh_default_threads(void);
/* Clamp a user request (<= 0 means default). */
int mlsh_threads_resolve(int requested);
/* Run fn over [0, n) on up to nthreads threads, in chunks of at least
 * `grain` items. The first chunk (tid 0) runs on the calling thread (work
 * that must stay there, such as MPI calls, goes in item 0). Returns the
 * first non-zero status of any worker. */
int mlsh_parallel_for(size_t n, int nthreads, size_t grain, mlsh_range_fn fn, void *ctx);
/* Dynamic scheduling: workers take chunks of `chunk` items from a shared
 * counter (for uneven work such as trees of a forest). */
int mlsh_parallel_dynamic(size_t n, int nthreads, size_t chunk, mlsh_range_fn fn, void *ctx);

/* Start a worker thread (named for ps/gdb) with every signal blocked:
 * Ctrl-C must reach the thread that runs Lua or readline, never a worker
 * (the helpers of parallel calls stay alive while the prompt waits).
 * 0 when it started, else pthread_create's error. */
int mlsh_thread_start(pthread_t *th, void *(*fn)(void *), void *arg, const char *name);

/* One step of a spin-wait: tells the core this thread is waiting. */
static inline void mlsh_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* BLAS threading (OpenBLAS): get/set the number of threads it uses. */
int mlsh_blas_threads(void);
void mlsh_blas_set_threads(int n);
/* The kernel set OpenBLAS runs ("SkylakeX", "Haswell", ...). */
const char *mlsh_blas_core(void);
/* The kernel set to ask OpenBLAS for (its OPENBLAS_CORETYPE) when it fell
 * back to generic kernels on a CPU it does not know but whose features
 * a better set needs; NULL when its own choice stands. */
const char *mlsh_blas_better_core(void);

#endif
