/* threads.c - parallel-for on pthreads. */
#define _GNU_SOURCE   /* pthread_setname_np */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>
#include "threads.h"
#include "error.h"

/* OpenBLAS's own thread controls (declared in its cblas.h). */
extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);
extern char *openblas_get_corename(void);

int mlsh_blas_threads(void) { return openblas_get_num_threads(); }
void mlsh_blas_set_threads(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }
const char *mlsh_blas_core(void) { return openblas_get_corename(); }

/* OpenBLAS 0.3.21 (Debian 12) knows CPUs by model number and runs its
 * Prescott (SSE3) kernels on newer ones, e.g. Emerald Rapids: a fifth of
 * the speed of its AVX-512 kernels there. */
const char *mlsh_blas_better_core(void) {
  static const char *generic[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom"};
  const char *core = openblas_get_corename();
  int fallback = 0;
  for (size_t i = 0; core && i < sizeof generic / sizeof *generic; i++) fallback |= strcasecmp(core, generic[i]) == 0;
  if (!fallback) return NULL;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return NULL;
}

int mlsh_default_threads(void) {
  const char *s = getenv("MLSH_THREADS");
  if (s && atoi(s) > 0) return atoi(s);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  if (n > 256) n = 256;
  return (int)n;
}

int mlsh_threads_resolve(int requested) {
  if (requested <= 0) return mlsh_default_threads();
  return requested > 256 ? 256 : requested;
}

typedef struct {
  mlsh_range_fn fn;
  void *ctx;
  size_t n, chunk;
  size_t begin, end;      /* static mode */
  size_t *next;           /* dynamic mode: shared counter */
  pthread_mutex_t *lock;
  int tid, status;
} worker;

static void *run_static(void *p) {
  worker *w = p;
  w->status = w->fn(w->ctx, w->begin, w->end, w->tid);
  return NULL;
}

static void *run_dynamic(void *p) {
  worker *w = p;
  for (;;) {
    size_t b;
    pthread_mutex_lock(w->lock);
    b = *w->next;
    *w->next = b + w->chunk < w->n ? b + w->chunk : w->n;
    pthread_mutex_unlock(w->lock);
    if (b >= w->n) break;
    size_t e = b + w->chunk < w->n ? b + w->chunk : w->n;
    int rc = w->fn(w->ctx, b, e, w->tid);
    if (rc) { w->status = rc; break; }
  }
  return NULL;
}

/* A team of helper threads kept from one parallel call to the next:
 * starting and joining a thread costs about 50 us in a VM, as much as
 * the work of a whole t-SNE iteration at a few thousand points. After a
 * job a helper spins a little (calls often come back to back), then
 * sleeps. One job at a time: a nested or concurrent call starts threads
 * of its own, as does a forked child until it has a team of its own. */
#define TEAM_MAX 255
#define TEAM_SPINS 4000

static struct {
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  int size;                      /* helpers 1..size started */
  unsigned long born[TEAM_MAX + 1];
  atomic_ulong gen;              /* the latest job's number */
  atomic_int pending;            /* its helpers not yet done */
  void *(*body)(void *);         /* the job, set under lock */
  worker *ws;
  int want;                      /* helper k takes ws[k] when k < want */
} team = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};
static atomic_flag team_busy = ATOMIC_FLAG_INIT;
static pthread_once_t team_once = PTHREAD_ONCE_INIT;

static void team_after_fork(void) {   /* the child has none of the helpers */
  pthread_mutex_init(&team.lock, NULL);
  pthread_cond_init(&team.wake, NULL);
  pthread_cond_init(&team.done, NULL);
  team.size = 0;
  atomic_flag_clear(&team_busy);
}
static void team_init(void) { pthread_atfork(NULL, NULL, team_after_fork); }

static void *team_helper(void *arg) {
  int k = (int)(intptr_t)arg;
  unsigned long seen = team.born[k];
  for (;;) {
    for (unsigned spins = 0; atomic_load_explicit(&team.gen, memory_order_acquire) == seen && spins < TEAM_SPINS; spins++)
      mlsh_cpu_relax();
    pthread_mutex_lock(&team.lock);
    while (atomic_load_explicit(&team.gen, memory_order_relaxed) == seen) pthread_cond_wait(&team.wake, &team.lock);
    seen = atomic_load_explicit(&team.gen, memory_order_relaxed);
    int mine = k < team.want;
    void *(*body)(void *) = team.body;
    worker *w = team.ws + k;
    pthread_mutex_unlock(&team.lock);
    if (!mine) continue;
    body(w);
    if (atomic_fetch_sub_explicit(&team.pending, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&team.lock);
      pthread_cond_signal(&team.done);
      pthread_mutex_unlock(&team.lock);
    }
  }
  return NULL;
}

int mlsh_thread_start(pthread_t *th, void *(*fn)(void *), void *arg, const char *name) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(th, NULL, fn, arg);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (!rc) pthread_setname_np(*th, name);
  return rc;
}

/* ws[0 .. nt) on the team and this thread; 0 when the team is taken. */
static int team_run(worker *ws, int nt, void *(*body)(void *)) {
  pthread_once(&team_once, team_init);
  if (atomic_flag_test_and_set(&team_busy)) return 0;
  while (team.size < nt - 1 && team.size < TEAM_MAX) {
    pthread_t th;
    team.born[team.size + 1] = atomic_load(&team.gen);
    if (mlsh_thread_start(&th, team_helper, (void *)(intptr_t)(team.size + 1), "mlsh-team")) break;
    pthread_detach(th);
    team.size++;
  }
  int want = nt < team.size + 1 ? nt : team.size + 1;
  pthread_mutex_lock(&team.lock);
  team.body = body; team.ws = ws; team.want = want;
  atomic_store_explicit(&team.pending, want - 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&team.gen, 1, memory_order_release);
  pthread_cond_broadcast(&team.wake);
  pthread_mutex_unlock(&team.lock);
  body(&ws[0]);
  for (int t = want; t < nt; t++) body(&ws[t]);   /* helpers that could not start: here */
  for (unsigned spins = 0; atomic_load_explicit(&team.pending, memory_order_acquire) > 0 && spins < TEAM_SPINS; spins++)
    mlsh_cpu_relax();
  pthread_mutex_lock(&team.lock);
  while (atomic_load_explicit(&team.pending, memory_order_acquire) > 0) pthread_cond_wait(&team.done, &team.lock);
  pthread_mutex_unlock(&team.lock);
  atomic_flag_clear(&team_busy);
  return 1;
}

/* Threads of its own, for a call while the team is busy. */
static void own_threads(worker *ws, int nt, void *(*body)(void *)) {
  pthread_t th[256];
  int started[256] = {0};
  for (int t = 1; t < nt; t++)
    started[t] = mlsh_thread_start(&th[t], body, &ws[t], "mlsh-worker") == 0;
  body(&ws[0]);
  /* A thread that could not start runs its share here. */
  for (int t = 1; t < nt; t++) {
    if (started[t]) pthread_join(th[t], NULL);
    else body(&ws[t]);
  }
}

static int run_workers(worker *ws, int nt, void *(*body)(void *)) {
  int saved_blas = mlsh_blas_threads();
  if (nt > 1) mlsh_blas_set_threads(1);
  if (!team_run(ws, nt, body)) own_threads(ws, nt, body);
  if (nt > 1) mlsh_blas_set_threads(saved_blas);
  for (int t = 0; t < nt; t++)
    if (ws[t].status) return ws[t].status;
  return MLSH_OK;
}

/* Threads for n items in pieces of at least `grain`: never more than pieces. */
static int plan_threads(size_t n, int nthreads, size_t *grain) {
  int nt = mlsh_threads_resolve(nthreads);
  if (*grain < 1) *grain = 1;
  if ((size_t)nt > (n + *grain - 1) / *grain) nt = (int)((n + *grain - 1) / *grain);
  return nt;
}

int mlsh_parallel_for(size_t n, int nthreads, size_t grain, mlsh_range_fn fn, void *ctx) {
  if (n == 0) return MLSH_OK;
  int nt = plan_threads(n, nthreads, &grain);
  if (nt <= 1) return fn(ctx, 0, n, 0);
  worker ws[256];
  size_t per = n / nt, extra = n % nt, b = 0;
  for (int t = 0; t < nt; t++) {
    size_t len = per + ((size_t)t < extra);
    ws[t] = (worker){.fn = fn, .ctx = ctx, .begin = b, .end = b + len, .tid = t};
    b += len;
  }
  return run_workers(ws, nt, run_static);
}

int mlsh_parallel_dynamic(size_t n, int nthreads, size_t chunk, mlsh_range_fn fn, void *ctx) {
  if (n == 0) return MLSH_OK;
  int nt = plan_threads(n, nthreads, &chunk);
  if (nt <= 1) return fn(ctx, 0, n, 0);
  worker ws[256];
  size_t next = 0;
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  for (int t = 0; t < nt; t++)
    ws[t] = (worker){.fn = fn, .ctx = ctx, .n = n, .chunk = chunk, .next = &next, .lock = &lock, .tid = t};
  return run_workers(ws, nt, run_dynamic);
}
