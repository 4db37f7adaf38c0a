/* path.h - file names as a user types them: a leading "~" (the home
 * folder) or "~user" (that user's home folder) is expanded, as the shell
 * does, so that data.read_csv("~/iris.csv") and completion of "~/ work. */
#ifndef MLSH_PATH_H
#define MLSH_PATH_H
#include <stddef.h>

/* Write `in` to out (cap bytes) with a leading "~" or "~user" replaced by
 * the home folder: "~" is $HOME (the password entry's folder when HOME is
 * unset or empty), "~user" comes from getpwnam. The tilde part ends at the
 * first '/' or the end. Anything else, an unknown user included, is
 * copied as it is. Returns MLSH_OK, or MLSH_EINVAL when the result does not
 * fit in cap bytes (out is then ""). */
int mlsh_expand_user(const char *in, char *out, size_t cap);

/* The same, allocated with mlsh_malloc (the caller frees it with
 * mlsh_free); NULL when out of memory. */
char *mlsh_expand_user_dup(const char *in);

#endif
