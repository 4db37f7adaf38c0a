/* plugin.h - loading an optional plugin (mlsh-cuda.so, mlsh-mpi.so) with
 * dlopen, found next to the code that runs (the build tree or an
 * installed prefix), so that mlsh itself never links what it carries. */
#ifndef MLSH_PLUGIN_H
#define MLSH_PLUGIN_H
#include <stddef.h>

/* Open `file` (an environment variable `env` may name another path).
 * what: "the CUDA plugin", for messages; missing: the message when no
 * file is found. NULL with the reason in errbuf when it fails. */
void *mlsh_plugin_open(const char *file, const char *env, const char *what, const char *missing,
                       char *errbuf, size_t errlen);

#endif
