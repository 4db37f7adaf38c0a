/* colnames.c - unique column names (see colnames.h). */
#include <stdio.h>
#include <string.h>
#include "colnames.h"
#include "../core/alloc.h"

/* A set of names (open addressing), each with the column it first named. */
typedef struct {
  const char **key;
  size_t *first;
  size_t cap;
} name_set;

static size_t name_hash(const char *s) {
  size_t h = 1469598103934665603u;
  while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211u;
  return h;
}

/* The slot of k, or of the free place where it goes. */
static size_t ns_slot(const name_set *ns, const char *k) {
  size_t i = name_hash(k) & (ns->cap - 1);
  while (ns->key[i] && strcmp(ns->key[i], k) != 0) i = (i + 1) & (ns->cap - 1);
  return i;
}

/* Adds k (first named by column j) unless present; returns its first column. */
static size_t ns_add(name_set *ns, const char *k, size_t j) {
  size_t i = ns_slot(ns, k);
  if (!ns->key[i]) { ns->key[i] = k; ns->first[i] = j; }
  return ns->first[i];
}

static char *dupstr(const char *s) {
  size_t n = strlen(s);
  char *p = mlsh_malloc(n + 1);
  if (p) memcpy(p, s, n + 1);
  return p;
}

/* Column j takes `name`; the header's text goes to given[j] unless an
 * earlier rename (an empty name) already put it there. A replaced
 * V<column> name may be a key of the set: it is freed at the end. */
static int rename_column(char **names, char **given, char **stale, size_t j, const char *name) {
  char *p = dupstr(name);
  if (!p) return -1;
  if (given[j]) stale[j] = names[j];
  else given[j] = names[j];
  names[j] = p;
  return 0;
}

int colnames_unique(char **names, char **given, size_t n) {
  size_t cap = 16;
  while (cap < 4 * n) cap *= 2;
  name_set ns = {mlsh_calloc(cap, sizeof(char *)), mlsh_calloc(cap, sizeof(size_t)), cap};
  size_t *next = mlsh_calloc(n ? n : 1, sizeof *next);   /* next suffix to try, per first column */
  char **stale = mlsh_calloc(n ? n : 1, sizeof *stale);
  int rc = ns.key && ns.first && next && stale ? 0 : -1;
  char vname[32];
  for (size_t j = 0; j < n && !rc; j++)
    if (!names[j][0]) {
      snprintf(vname, sizeof vname, "V%zu", j + 1);
      rc = rename_column(names, given, stale, j, vname);
    }
  for (size_t j = 0; j < n && !rc; j++) ns_add(&ns, names[j], j);
  for (size_t j = 0; j < n && !rc; j++) {
    size_t first = ns_add(&ns, names[j], j);
    if (first == j) continue;
    size_t len = strlen(names[j]);
    char *cand = mlsh_malloc(len + 24);
    if (!cand) { rc = -1; break; }
    size_t k = next[first] ? next[first] : 1;
    for (;; k++) {
      snprintf(cand, len + 24, "%s.%zu", names[j], k);
      if (!ns.key[ns_slot(&ns, cand)]) break;
    }
    next[first] = k + 1;
    /* The set points at names[j]: the first column's equal name stays. */
    rc = rename_column(names, given, stale, j, cand);
    mlsh_free(cand);
    if (!rc) ns_add(&ns, names[j], j);
  }
  mlsh_free(ns.key);
  mlsh_free(ns.first);
  mlsh_free(next);
  for (size_t j = 0; stale && j < n; j++) mlsh_free(stale[j]);
  mlsh_free(stale);
  return rc;
}
