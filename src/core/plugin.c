/* plugin.c - finding and opening plugins (see plugin.h). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "plugin.h"

/* The folder of the file that holds this code (the mlsh binary or mlsh.so). */
static int own_dir(char *dir, size_t size) {
  Dl_info info;
  char real[PATH_MAX];
  const char *f = NULL;
  if (dladdr((void *)mlsh_plugin_open, &info) && info.dli_fname && strchr(info.dli_fname, '/'))
    f = realpath(info.dli_fname, real) ? real : info.dli_fname;
  else if (realpath("/proc/self/exe", real))   /* the program, found through PATH */
    f = real;
  if (!f) return 0;
  const char *slash = strrchr(f, '/');
  if (!slash) return snprintf(dir, size, ".") > 0;
  snprintf(dir, size, "%.*s", (int)(slash - f), f);
  return 1;
}

void *mlsh_plugin_open(const char *file, const char *env, const char *what, const char *missing,
                       char *errbuf, size_t errlen) {
  const char *given = env ? getenv(env) : NULL;
  if (given && *given) {
    void *h = dlopen(given, RTLD_NOW | RTLD_LOCAL);
    if (!h) snprintf(errbuf, errlen, "cannot load %s %.200s (%.200s)", what, given, dlerror());
    return h;
  }
  char dir[PATH_MAX], path[PATH_MAX + 64];
  if (!own_dir(dir, sizeof dir)) snprintf(dir, sizeof dir, ".");
  /* build tree: build/mlsh, build/mlsh.so, build/test/...; installed: <prefix>/bin, <prefix>/lib/lua/5.4 */
  const char *where[] = {"%s/%s", "%s/../%s", "%s/../lib/mlsh/%s", "%s/../../mlsh/%s", "%s/../../../lib/mlsh/%s"};
  for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
    snprintf(path, sizeof path, where[i], dir, file);
    if (access(path, R_OK) != 0) continue;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h) return h;
    const char *why = dlerror();
    snprintf(errbuf, errlen, "cannot load %s %.200s (%.200s)", what, path, why ? why : "?");
    return NULL;
  }
  snprintf(errbuf, errlen, "%s", missing);
  return NULL;
}
