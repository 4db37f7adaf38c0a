/* complete.c - Tab completion: globals, table fields (a.b.c<TAB>),
 * methods of objects (m:so<TAB>, through the metatable's __methods or
 * __index tables) and file paths inside strings ("~/ and "~user too).
 * Only table fields are read (rawget), so completing never runs user code. */
#include <dirent.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include <lua.h>
#include <lauxlib.h>
#include "chunk.h"
#include "shell.h"
#include "../core/path.h"

static lua_State *comp_L = NULL;

#define MAX_MATCHES 4096

static char **matches;
static size_t nmatches, match_pos;

static void add_match(const char *prefix, size_t plen, const char *key) {
  if (nmatches >= MAX_MATCHES) return;
  for (size_t i = 0; i < nmatches; i++)
    if (strcmp(matches[i] + plen, key) == 0) return;
  size_t n = plen + strlen(key) + 1;
  char *s = malloc(n);
  if (!s) return;
  memcpy(s, prefix, plen);
  strcpy(s + plen, key);
  matches[nmatches++] = s;
}

/* Add the string keys of the table at the top of the stack starting with `part`. */
static void add_keys(const char *prefix, size_t plen, const char *part, int functions_only) {
  size_t partlen = strlen(part);
  lua_pushnil(comp_L);
  while (lua_next(comp_L, -2)) {
    if (lua_type(comp_L, -2) == LUA_TSTRING) {
      const char *k = lua_tostring(comp_L, -2);
      if (strncmp(k, part, partlen) == 0 && k[0] != '_' && (!functions_only || lua_isfunction(comp_L, -1)))
        add_match(prefix, plen, k);
    }
    lua_pop(comp_L, 1);
  }
}

/* Push the value named by a dotted path (e.g. "a.b"), or nil. */
static void push_path(const char *path, size_t len) {
  lua_pushglobaltable(comp_L);
  size_t i = 0;
  while (i < len) {
    size_t j = i;
    while (j < len && path[j] != '.' && path[j] != ':') j++;
    if (!lua_istable(comp_L, -1)) { lua_pop(comp_L, 1); lua_pushnil(comp_L); return; }
    lua_pushlstring(comp_L, path + i, j - i);
    lua_rawget(comp_L, -2);
    lua_remove(comp_L, -2);
    i = j + 1;
  }
}

/* Push the table of methods of the value on top (metatable __methods,
 * else __index when it is a table), replacing it; nil when none. */
static void push_methods(void) {
  if (!lua_getmetatable(comp_L, -1)) { lua_pop(comp_L, 1); lua_pushnil(comp_L); return; }
  lua_remove(comp_L, -2);
  lua_pushliteral(comp_L, "__methods");
  lua_rawget(comp_L, -2);
  if (!lua_istable(comp_L, -1)) {
    lua_pop(comp_L, 1);
    lua_pushliteral(comp_L, "__index");
    lua_rawget(comp_L, -2);
  }
  lua_remove(comp_L, -2);
}

static void collect(const char *word) {
  int top = lua_gettop(comp_L);
  const char *sep = NULL;
  for (const char *p = word; *p; p++)
    if (*p == '.' || *p == ':') sep = p;
  if (!sep) {
    lua_pushglobaltable(comp_L);
    add_keys("", 0, word, 0);
    static const char *const keywords[] = {"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
                                           "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return",
                                           "then", "true", "until", "while", NULL};
    for (int i = 0; keywords[i]; i++)
      if (strncmp(keywords[i], word, strlen(word)) == 0) add_match("", 0, keywords[i]);
  } else {
    size_t plen = (size_t)(sep - word) + 1;
    push_path(word, (size_t)(sep - word));
    if (*sep == ':') push_methods();
    if (lua_istable(comp_L, -1)) add_keys(word, plen, sep + 1, *sep == ':');
    else if (*sep == '.' && lua_isuserdata(comp_L, -1)) {
      /* fields of a userdata are its methods too */
      push_methods();
      if (lua_istable(comp_L, -1)) add_keys(word, plen, sep + 1, 0);
    }
  }
  lua_settop(comp_L, top);
}

/* "~us" -> the user names starting with "us", as "~user". */
static void collect_users(const char *part) {
  size_t plen = strlen(part);
  setpwent();
  for (struct passwd *pw; (pw = getpwent()) != NULL;)
    if (strncmp(pw->pw_name, part, plen) == 0) add_match("~", 1, pw->pw_name);
  endpwent();
}

/* The entries of the folder named by `text` up to its last '/' ("./"
 * when none; "~" expanded) whose names start with what follows it.
 * Dot files only when asked for. */
static void collect_files(const char *text) {
  if (text[0] == '~' && !strchr(text, '/')) { collect_users(text + 1); return; }
  const char *slash = strrchr(text, '/');
  size_t dlen = slash ? (size_t)(slash - text) + 1 : 0;
  char dir[PATH_MAX], path[PATH_MAX];
  if (dlen >= sizeof dir) return;
  memcpy(dir, text, dlen);
  dir[dlen] = 0;
  if (mlsh_expand_user(dlen ? dir : ".", path, sizeof path) != 0) return;
  DIR *d = opendir(path);
  if (!d) return;
  const char *base = text + dlen;
  size_t blen = strlen(base);
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (e->d_name[0] == '.' && base[0] != '.') continue;
    if (strncmp(e->d_name, base, blen) == 0) add_match(text, dlen, e->d_name);
  }
  closedir(d);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int complete_files;   /* this completion is of a file name */

static char *generator(const char *text, int state) {
  if (state == 0) {
    for (size_t i = match_pos; i < nmatches; i++) free(matches[i]);
    nmatches = match_pos = 0;
    if (!matches) matches = malloc(MAX_MATCHES * sizeof *matches);
    if (!matches) return NULL;
    if (complete_files) collect_files(text);
    else collect(text);
    qsort(matches, nmatches, sizeof *matches, cmp_str);
  }
  if (match_pos < nmatches) return matches[match_pos++];  /* readline frees it */
  return NULL;
}

/* Inside a string literal before the cursor (a quote, or a long bracket,
 * left open; comments and closed strings skipped)? */
static int in_string(void) {
  chunk_scan s;
  if (chunk_scan_code(rl_line_buffer, (size_t)rl_point, &s) != 0) return 0;
  chunk_scan_free(&s);
  return s.open_string >= 0;
}

/* Word breaks: in a string only its quote or bracket, so that a whole
 * path ("~/data/my-file.csv") is one word; elsewhere not '.' or ':', so
 * that a.b:c is one word. */
static char *word_breaks(void) {
  static char in_str[] = "\"'[", code[] = " \t\n\"'`@$><=;|&{(,)}[]+-*/%^#~";
  return in_string() ? in_str : code;
}

static char **attempt(const char *text, int start, int end) {
  (void)start;
  (void)end;
  complete_files = in_string();
  rl_attempted_completion_over = 1;
  rl_completion_append_character = '\0';
  rl_filename_completion_desired = complete_files;   /* '/' after folders, base names listed */
  rl_filename_quoting_desired = 0;
  return rl_completion_matches(text, generator);
}

void shell_complete_init(lua_State *L) {
  comp_L = L;
  rl_readline_name = "mlsh";
  rl_attempted_completion_function = attempt;
  rl_completion_word_break_hook = word_breaks;
  rl_completer_word_break_characters = word_breaks();
  rl_completer_quote_characters = "";
  rl_basic_quote_characters = "";
}
