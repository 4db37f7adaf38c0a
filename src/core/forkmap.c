/* forkmap.c - forked worker processes with results through pipes (see forkmap.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "forkmap.h"
#include "alloc.h"
#include "interrupt.h"

#define FORKMAP_MAX 64

static int in_worker = 0;
int forkmap_in_worker(void) { return in_worker; }

static int write_all(int fd, const void *p, size_t n) {
  const unsigned char *b = p;
  while (n > 0) {
    ssize_t k = write(fd, b, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    b += k; n -= (size_t)k;
  }
  return 0;
}

/* A worker: items taken in order from the shared counter (a long item
 * does not hold up the others), each sent as a record {item u64,
 * status i32, len u64, bytes}. */
static void worker_main(int fd, size_t *next, size_t n, forkmap_fn fn, void *ctx) {
  in_worker = 1;
  int ok = 1;
  for (size_t i; ok && (i = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED)) < n;) {
    unsigned char *out = NULL;
    size_t len = 0;
    int32_t st = (int32_t)fn(ctx, i, &out, &len);
    uint64_t head[2] = {(uint64_t)i, (uint64_t)len};
    ok = !write_all(fd, &head[0], 8) && !write_all(fd, &st, 4) && !write_all(fd, &head[1], 8) &&
         !write_all(fd, out, len);
    mlsh_free(out);
  }
  fflush(NULL);
  _exit(ok ? 0 : 1);
}

typedef struct { pid_t pid; int fd; unsigned char *buf; size_t len, cap; } worker;

/* Split a worker's stream into the items' records. */
static int parse(worker *wk, size_t n, unsigned char **results, size_t *lens, int *status, char *seen) {
  size_t pos = 0;
  while (pos < wk->len) {
    if (wk->len - pos < 20) return MLSH_EIO;
    uint64_t item, len;
    int32_t st;
    memcpy(&item, wk->buf + pos, 8); memcpy(&st, wk->buf + pos + 8, 4); memcpy(&len, wk->buf + pos + 12, 8);
    pos += 20;
    if (item >= n || seen[item] || len > wk->len - pos) return MLSH_EIO;
    results[item] = mlsh_malloc(len ? len : 1);
    if (!results[item]) return MLSH_ENOMEM;
    memcpy(results[item], wk->buf + pos, len);
    lens[item] = len; status[item] = st; seen[item] = 1;
    pos += len;
  }
  return MLSH_OK;
}

int forkmap_run(size_t n, int workers, forkmap_fn fn, void *ctx,
                unsigned char **results, size_t *lens, int *status, mlsh_err *err) {
  size_t nw = workers < 1 ? 1 : (size_t)workers;
  if (nw > FORKMAP_MAX) nw = FORKMAP_MAX;
  if (nw > n) nw = n;
  for (size_t i = 0; i < n; i++) { results[i] = NULL; lens[i] = 0; status[i] = 0; }
  if (n == 0) return MLSH_OK;
  worker ws[FORKMAP_MAX];
  char *seen = mlsh_calloc(n, 1);
  if (!seen) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  /* The next item to take: a counter in memory shared with the workers. */
  size_t *next = mmap(NULL, sizeof(size_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (next == MAP_FAILED) { mlsh_free(seen); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  *next = 0;
  fflush(NULL);   /* or the children would print what is buffered again */
  int rc = MLSH_OK;
  size_t started = 0;
  for (size_t w = 0; w < nw && !rc; w++, started++) {
    int fd[2];
    ws[w] = (worker){0, -1, NULL, 0, 0};
    if (pipe(fd) != 0) { rc = MLSH_EIO; break; }
    pid_t pid = fork();
    if (pid < 0) { close(fd[0]); close(fd[1]); rc = MLSH_EIO; break; }
    if (pid == 0) {
      close(fd[0]);
      for (size_t v = 0; v < w; v++) close(ws[v].fd);
      worker_main(fd[1], next, n, fn, ctx);
    }
    close(fd[1]);
    ws[w].pid = pid; ws[w].fd = fd[0];
  }
  /* Collect every worker's stream until all pipes close. */
  size_t open = rc ? 0 : started;
  while (open > 0 && !rc) {
    if (mlsh_interrupted()) { rc = MLSH_EINTR; break; }
    struct pollfd pf[FORKMAP_MAX];
    for (size_t w = 0; w < started; w++) pf[w] = (struct pollfd){ws[w].fd, POLLIN, 0};
    if (poll(pf, started, 50) <= 0) continue;
    for (size_t w = 0; w < started && !rc; w++) {
      if (ws[w].fd < 0 || !(pf[w].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      worker *wk = &ws[w];
      if (mlsh_grow(&wk->buf, &wk->cap, wk->len + (1 << 15), 1)) { rc = MLSH_ENOMEM; break; }
      ssize_t k = read(wk->fd, wk->buf + wk->len, wk->cap - wk->len);
      if (k < 0 && errno == EINTR) continue;
      if (k > 0) { wk->len += (size_t)k; continue; }
      close(wk->fd); wk->fd = -1; open--;
    }
  }
  /* Reap: a worker that died or failed to write is an error. */
  for (size_t w = 0; w < started; w++) {
    if (ws[w].fd >= 0) { close(ws[w].fd); ws[w].fd = -1; }
    if (ws[w].pid <= 0) continue;
    if (rc) kill(ws[w].pid, SIGKILL);
    int st = 0;
    while (waitpid(ws[w].pid, &st, 0) < 0 && errno == EINTR) {}
    ws[w].pid = 0;
    if (!rc && (!WIFEXITED(st) || WEXITSTATUS(st) != 0)) rc = MLSH_EIO;
  }
  for (size_t w = 0; w < started && !rc; w++) rc = parse(&ws[w], n, results, lens, status, seen);
  for (size_t i = 0; i < n && !rc; i++) if (!seen[i]) rc = MLSH_EIO;
  for (size_t w = 0; w < started; w++) mlsh_free(ws[w].buf);
  mlsh_free(seen);
  munmap(next, sizeof(size_t));
  if (rc) {
    for (size_t i = 0; i < n; i++) { mlsh_free(results[i]); results[i] = NULL; lens[i] = 0; }
    return mlsh_seterr(err, rc, rc == MLSH_EINTR ? "interrupted" : rc == MLSH_ENOMEM ? "not enough memory"
                       : "a worker process could not start or died (out of memory?)");
  }
  return MLSH_OK;
}
