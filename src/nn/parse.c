/* parse.c - darknet .cfg files: [section] headers and key=value lines
 * ('#' and ';' start comments) turned into layers with their shapes.
 * Keys a section does not use become warnings naming section and line,
 * as darknet's option_unused; anything impossible is an error naming the
 * line. Two documented keys go beyond darknet for TensorFlow weights:
 *   tf_same=1        TensorFlow "SAME" padding (on even inputs with
 *                    stride 2 the extra row/column goes after)
 *   bn_epsilon=E     batch norm as x / sqrt(var + E) (darknet: sqrt(var) + 1e-6)
 * and `name=` labels a layer (used by the weight converter). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "layers.h"
#include "../core/buf.h"
#include "../core/alloc.h"

typedef struct { char *key, *val; int line, used; } kv;
typedef struct { char *type; int line; kv *kvs; int nkv; size_t cap; } section;
typedef struct { section *s; int n; size_t cap; char *warn; size_t wlen; const char *src; } cfgdoc;

static int add_warning(cfgdoc *d, const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (len < 0) return 0;
  if ((size_t)len >= sizeof buf) len = sizeof buf - 1;
  char *nw = mlsh_realloc(d->warn, d->wlen + (size_t)len + 2);
  if (!nw) return -1;
  d->warn = nw;
  memcpy(d->warn + d->wlen, buf, (size_t)len);
  d->wlen += (size_t)len;
  d->warn[d->wlen++] = '\n';
  d->warn[d->wlen] = 0;
  return 0;
}

static void doc_free(cfgdoc *d) {
  for (int i = 0; i < d->n; i++) {
    for (int j = 0; j < d->s[i].nkv; j++) mlsh_free(d->s[i].kvs[j].key);
    mlsh_free(d->s[i].kvs);
    mlsh_free(d->s[i].type);
  }
  mlsh_free(d->s);
  mlsh_free(d->warn);
}

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  char *e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
  return s;
}

static char *dupstr(const char *s) {
  char *d = mlsh_malloc(strlen(s) + 1);
  if (d) strcpy(d, s);
  return d;
}

/* Split the text into sections of key/value pairs. */
static int tokenize(const char *text, cfgdoc *d, mlsh_err *err) {
  const char *p = text;
  int line = 0;
  char buf[4096];
  while (*p) {
    line++;
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len >= sizeof buf) return mlsh_seterr(err, MLSH_EIO, "%s:%d: line too long", d->src, line);
    memcpy(buf, p, len);
    buf[len] = 0;
    p += len + (e != NULL);
    char *c = strpbrk(buf, "#;");
    if (c) *c = 0;
    char *s = trim(buf);
    if (!*s) continue;
    if (*s == '[') {
      char *close = strchr(s, ']');
      if (!close || close[1]) return mlsh_seterr(err, MLSH_EIO, "%s:%d: malformed section header '%s'", d->src, line, s);
      *close = 0;
      if (mlsh_grow(&d->s, &d->cap, (size_t)d->n + 1, sizeof *d->s)) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
      section *sec = &d->s[d->n];
      memset(sec, 0, sizeof *sec);
      sec->line = line;
      if (!(sec->type = dupstr(trim(s + 1)))) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
      d->n++;
      continue;
    }
    char *eq = strchr(s, '=');
    if (!eq) return mlsh_seterr(err, MLSH_EIO, "%s:%d: expected key=value, got '%s'", d->src, line, s);
    if (d->n == 0) return mlsh_seterr(err, MLSH_EIO, "%s:%d: key '%s' before any [section]", d->src, line, s);
    *eq = 0;
    char *k = trim(s), *v = trim(eq + 1);
    if (!*k) return mlsh_seterr(err, MLSH_EIO, "%s:%d: empty key", d->src, line);
    section *sec = &d->s[d->n - 1];
    if (mlsh_grow(&sec->kvs, &sec->cap, (size_t)sec->nkv + 1, sizeof *sec->kvs)) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    size_t kl = strlen(k), vl = strlen(v);
    char *mem = mlsh_malloc(kl + vl + 2);
    if (!mem) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    memcpy(mem, k, kl + 1);
    memcpy(mem + kl + 1, v, vl + 1);
    sec->kvs[sec->nkv++] = (kv){mem, mem + kl + 1, line, 0};
  }
  return MLSH_OK;
}

static kv *find(section *s, const char *key) {
  kv *r = NULL;
  for (int i = 0; i < s->nkv; i++)
    if (!strcmp(s->kvs[i].key, key)) { s->kvs[i].used = 1; r = &s->kvs[i]; }   /* last one wins */
  return r;
}

/* Integer option within [lo, hi]. */
static int opt_int(cfgdoc *d, section *s, const char *key, int def, int lo, int hi, int *out, mlsh_err *err) {
  kv *k = find(s, key);
  if (!k) { *out = def; return MLSH_OK; }
  char *end;
  errno = 0;
  long v = strtol(k->val, &end, 10);
  if (end == k->val || *end || errno || v < lo || v > hi)
    return mlsh_seterr(err, MLSH_EIO, "%s:%d: [%s] %s=%s must be an integer in [%d, %d]", d->src, k->line, s->type, key, k->val, lo, hi);
  *out = (int)v;
  return MLSH_OK;
}

static int opt_float(cfgdoc *d, section *s, const char *key, float def, float *out, mlsh_err *err) {
  kv *k = find(s, key);
  if (!k) { *out = def; return MLSH_OK; }
  char *end;
  double v = strtod(k->val, &end);
  if (end == k->val || *end || !(v == v) || v > 1e30 || v < -1e30)
    return mlsh_seterr(err, MLSH_EIO, "%s:%d: [%s] %s=%s is not a number", d->src, k->line, s->type, key, k->val);
  *out = (float)v;
  return MLSH_OK;
}

static const char *const act_names[] = {"linear", "relu", "relu6", "leaky", "logistic", "tanh", "swish", "mish", NULL};

static int opt_act(cfgdoc *d, section *s, const char *def, nn_act *out, mlsh_err *err) {
  kv *k = find(s, "activation");
  const char *v = k ? k->val : def;
  for (int i = 0; act_names[i]; i++)
    if (!strcmp(v, act_names[i])) { *out = (nn_act)i; return MLSH_OK; }
  return mlsh_seterr(err, MLSH_EIO, "%s:%d: [%s] unknown activation '%s' (known: linear, relu, relu6, leaky, logistic, tanh, swish, mish)",
                     d->src, k ? k->line : s->line, s->type, v);
}

const char *nn_act_name(nn_act a) { return (unsigned)a < 8 ? act_names[a] : "?"; }

const char *nn_type_name(nn_type t) {
  static const char *const n[] = {"conv", "shortcut", "route", "maxpool", "avgpool", "connected", "softmax", "dropout"};
  return (unsigned)t < 8 ? n[t] : "?";
}

static int alloc_params(nn_layer *l, size_t nb, mlsh_err *err) {
  l->weights = mlsh_calloc(l->nweights ? l->nweights : 1, sizeof(float));
  l->biases = mlsh_calloc(nb, sizeof(float));
  if (l->batch_normalize) {
    l->scales = mlsh_malloc_array(nb, sizeof(float));
    l->rolling_mean = mlsh_calloc(nb, sizeof(float));
    l->rolling_var = mlsh_malloc_array(nb, sizeof(float));
    if (l->scales && l->rolling_var)
      for (size_t i = 0; i < nb; i++) l->scales[i] = l->rolling_var[i] = 1.0f;
  }
  if (!l->weights || !l->biases || (l->batch_normalize && (!l->scales || !l->rolling_mean || !l->rolling_var)))
    return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for layer parameters");
  return MLSH_OK;
}

#define TRY(x) do { int rc_ = (x); if (rc_) return rc_; } while (0)
#define MAXDIM 65536

static int parse_conv(cfgdoc *d, section *s, nn_layer *l, mlsh_err *err) {
  int pad, padding, tf_same;
  TRY(opt_int(d, s, "filters", 1, 1, MAXDIM, &l->filters, err));
  TRY(opt_int(d, s, "size", 1, 1, 64, &l->size, err));
  TRY(opt_int(d, s, "stride", 1, 1, 64, &l->stride, err));
  TRY(opt_int(d, s, "pad", 0, 0, 1, &pad, err));
  TRY(opt_int(d, s, "padding", 0, 0, 64, &padding, err));
  TRY(opt_int(d, s, "groups", 1, 1, MAXDIM, &l->groups, err));
  TRY(opt_int(d, s, "batch_normalize", 0, 0, 1, &l->batch_normalize, err));
  TRY(opt_int(d, s, "tf_same", 0, 0, 1, &tf_same, err));
  TRY(opt_float(d, s, "bn_epsilon", -1.0f, &l->bn_eps, err));
  TRY(opt_act(d, s, "logistic", &l->act, err));
  if (l->c % l->groups || l->filters % l->groups)
    return mlsh_seterr(err, MLSH_EIO, "%s:%d: [convolutional] groups=%d must divide the input channels (%d) and filters (%d)",
                       d->src, s->line, l->groups, l->c, l->filters);
  if (tf_same) {   /* TensorFlow: out = ceil(in / stride), total padding split with the extra after */
    l->out_h = (l->h + l->stride - 1) / l->stride;
    l->out_w = (l->w + l->stride - 1) / l->stride;
    int th = (l->out_h - 1) * l->stride + l->size - l->h, tw = (l->out_w - 1) * l->stride + l->size - l->w;
    if (th < 0) th = 0;
    if (tw < 0) tw = 0;
    l->pad_top = th / 2; l->pad_bottom = th - th / 2;
    l->pad_left = tw / 2; l->pad_right = tw - tw / 2;
  } else {         /* darknet: pad=1 means size/2 on every side */
    int p = pad ? l->size / 2 : padding;
    l->pad_top = l->pad_left = l->pad_bottom = l->pad_right = p;
    l->out_h = (l->h + 2 * p - l->size) / l->stride + 1;
    l->out_w = (l->w + 2 * p - l->size) / l->stride + 1;
    if (l->h + 2 * p < l->size || l->w + 2 * p < l->size)
      return mlsh_seterr(err, MLSH_EIO, "%s:%d: [convolutional] size=%d is larger than the padded %dx%d input",
                         d->src, s->line, l->size, l->w + 2 * p, l->h + 2 * p);
  }
  l->out_c = l->filters;
  l->nweights = (size_t)l->filters * (l->c / l->groups) * l->size * l->size;
  return alloc_params(l, (size_t)l->filters, err);
}

static int parse_connected(cfgdoc *d, section *s, nn_layer *l, mlsh_err *err) {
  TRY(opt_int(d, s, "output", 1, 1, 1 << 24, &l->filters, err));
  TRY(opt_int(d, s, "batch_normalize", 0, 0, 1, &l->batch_normalize, err));
  TRY(opt_float(d, s, "bn_epsilon", -1.0f, &l->bn_eps, err));
  TRY(opt_act(d, s, "logistic", &l->act, err));
  l->out_w = l->out_h = 1;
  l->out_c = l->filters;
  if (mlsh_mul_overflow(l->inputs, (size_t)l->filters, &l->nweights) || l->nweights > ((size_t)1 << 31))
    return mlsh_seterr(err, MLSH_EIO, "%s:%d: [connected] %zu x %d weights is too many", d->src, s->line, l->inputs, l->filters);
  return alloc_params(l, (size_t)l->filters, err);
}

/* Resolve a layer reference: negative = relative to layer i. */
static int layer_ref(cfgdoc *d, int line, int i, long v, int *out, mlsh_err *err) {
  long j = v < 0 ? i + v : v;
  if (j < 0 || j >= i)
    return mlsh_seterr(err, MLSH_EIO, "%s:%d: layer reference %ld points outside the earlier layers (0..%d)", d->src, line, v, i - 1);
  *out = (int)j;
  return MLSH_OK;
}

static int parse_route(cfgdoc *d, section *s, nn_layer *l, int i, nn_layer *all, mlsh_err *err) {
  kv *k = find(s, "layers");
  if (!k) return mlsh_seterr(err, MLSH_EIO, "%s:%d: [route] needs layers=", d->src, s->line);
  int n = 1;
  for (const char *c = k->val; *c; c++) n += *c == ',';
  if (!(l->route = mlsh_malloc_array((size_t)n, sizeof(int)))) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  const char *p = k->val;
  for (int r = 0; r < n; r++) {
    char *end;
    long v = strtol(p, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    if (end == p || (*end && *end != ','))
      return mlsh_seterr(err, MLSH_EIO, "%s:%d: [route] layers=%s is not a list of integers", d->src, k->line, k->val);
    TRY(layer_ref(d, k->line, i, v, &l->route[r], err));
    l->nroute = r + 1;
    p = end + (*end == ',');
    const nn_layer *src = &all[l->route[r]];
    if (r == 0) { l->out_w = src->out_w; l->out_h = src->out_h; l->out_c = 0; }
    else if (src->out_w != l->out_w || src->out_h != l->out_h)
      return mlsh_seterr(err, MLSH_EIO, "%s:%d: [route] layer %d is %dx%d, layer %d is %dx%d: sizes must match",
                         d->src, k->line, l->route[0], l->out_w, l->out_h, l->route[r], src->out_w, src->out_h);
    l->out_c += src->out_c;
  }
  return MLSH_OK;
}

static int parse_shortcut(cfgdoc *d, section *s, nn_layer *l, int i, nn_layer *all, mlsh_err *err) {
  kv *k = find(s, "from");
  if (!k) return mlsh_seterr(err, MLSH_EIO, "%s:%d: [shortcut] needs from=", d->src, s->line);
  char *end;
  long v = strtol(k->val, &end, 10);
  if (end == k->val || *end) return mlsh_seterr(err, MLSH_EIO, "%s:%d: [shortcut] from=%s is not an integer", d->src, k->line, k->val);
  TRY(layer_ref(d, k->line, i, v, &l->from, err));
  TRY(opt_float(d, s, "alpha", 1.0f, &l->alpha, err));
  TRY(opt_float(d, s, "beta", 1.0f, &l->beta, err));
  TRY(opt_act(d, s, "linear", &l->act, err));
  const nn_layer *f = &all[l->from];
  if (f->out_w != l->w || f->out_h != l->h || f->out_c != l->c)
    return mlsh_seterr(err, MLSH_EIO, "%s:%d: [shortcut] layer %d output %dx%dx%d differs from the input %dx%dx%d",
                       d->src, s->line, l->from, f->out_w, f->out_h, f->out_c, l->w, l->h, l->c);
  l->out_w = l->w; l->out_h = l->h; l->out_c = l->c;
  return MLSH_OK;
}

static int parse_maxpool(cfgdoc *d, section *s, nn_layer *l, mlsh_err *err) {
  int padding;
  TRY(opt_int(d, s, "size", 1, 1, 64, &l->size, err));
  TRY(opt_int(d, s, "stride", 1, 1, 64, &l->stride, err));
  TRY(opt_int(d, s, "padding", l->size - 1, 0, 128, &padding, err));
  l->pad_top = l->pad_left = padding / 2;      /* darknet: offset -padding/2 */
  l->out_w = (l->w + padding - l->size) / l->stride + 1;
  l->out_h = (l->h + padding - l->size) / l->stride + 1;
  l->out_c = l->c;
  if (l->w + padding < l->size || l->h + padding < l->size)
    return mlsh_seterr(err, MLSH_EIO, "%s:%d: [maxpool] size=%d is larger than the %dx%d input", d->src, s->line, l->size, l->w, l->h);
  return MLSH_OK;
}

/* Keys darknet reads for training; accepted silently at inference. */
static const char *const net_ignored[] = {
  "subdivisions", "momentum", "decay", "learning_rate", "burn_in", "max_batches", "policy", "steps",
  "scales", "angle", "saturation", "exposure", "hue", "max_crop", "min_crop", "aspect", "jitter",
  "power", "gamma", "step", "rate", "time_steps", "notruth", "random", "adam", "B1", "B2", "eps",
  "inputs", "mosaic", "flip", "name", NULL};

static int build(cfgdoc *d, nn_net *net, mlsh_err *err) {
  if (d->n == 0 || (strcmp(d->s[0].type, "net") && strcmp(d->s[0].type, "network")))
    return mlsh_seterr(err, MLSH_EIO, "%s:%d: the first section must be [net]", d->src, d->n ? d->s[0].line : 1);
  section *ns = &d->s[0];
  TRY(opt_int(d, ns, "width", 0, 1, MAXDIM, &net->w, err));
  TRY(opt_int(d, ns, "height", 0, 1, MAXDIM, &net->h, err));
  TRY(opt_int(d, ns, "channels", 0, 1, MAXDIM, &net->c, err));
  TRY(opt_int(d, ns, "batch", 1, 1, 1 << 20, &net->batch, err));
  for (int j = 0; net_ignored[j]; j++) find(ns, net_ignored[j]);
  if (!net->w || !net->h || !net->c)
    return mlsh_seterr(err, MLSH_EIO, "%s:%d: [net] needs width, height and channels", d->src, ns->line);
  if ((size_t)net->w * net->h * net->c > ((size_t)1 << 30))
    return mlsh_seterr(err, MLSH_EIO, "%s:%d: [net] input %dx%dx%d is too large", d->src, ns->line, net->w, net->h, net->c);
  net->inputs = (size_t)net->w * net->h * net->c;
  if (d->n < 2) return mlsh_seterr(err, MLSH_EIO, "%s: no layers after [net]", d->src);
  net->layers = mlsh_calloc((size_t)(d->n - 1), sizeof(nn_layer));
  if (!net->layers) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  int pw = net->w, ph = net->h, pc = net->c;
  for (int i = 0; i < d->n - 1; i++) {
    section *s = &d->s[i + 1];
    nn_layer *l = &net->layers[i];
    net->n = i + 1;
    l->line = s->line;
    l->w = pw; l->h = ph; l->c = pc;
    l->inputs = (size_t)pw * ph * pc;
    l->residual = -1;
    l->alpha = l->beta = 1.0f;
    l->groups = 1;
    l->temperature = 1.0f;
    kv *nm = find(s, "name");
    if (nm) snprintf(l->name, sizeof l->name, "%s", nm->val);
    const char *t = s->type;
    int rc;
    if (!strcmp(t, "convolutional") || !strcmp(t, "conv")) { l->type = NN_CONV; rc = parse_conv(d, s, l, err); }
    else if (!strcmp(t, "connected")) { l->type = NN_CONNECTED; rc = parse_connected(d, s, l, err); }
    else if (!strcmp(t, "shortcut")) { l->type = NN_SHORTCUT; rc = parse_shortcut(d, s, l, i, net->layers, err); }
    else if (!strcmp(t, "route")) { l->type = NN_ROUTE; rc = parse_route(d, s, l, i, net->layers, err); }
    else if (!strcmp(t, "maxpool")) { l->type = NN_MAXPOOL; rc = parse_maxpool(d, s, l, err); }
    else if (!strcmp(t, "avgpool")) { l->type = NN_AVGPOOL; l->out_w = l->out_h = 1; l->out_c = pc; rc = 0; }
    else if (!strcmp(t, "softmax")) {
      l->type = NN_SOFTMAX;
      rc = opt_int(d, s, "groups", 1, 1, MAXDIM, &l->groups, err);
      if (!rc) rc = opt_float(d, s, "temperature", 1.0f, &l->temperature, err);
      if (!rc && (l->inputs % (size_t)l->groups || !(l->temperature > 0)))
        rc = mlsh_seterr(err, MLSH_EIO, "%s:%d: [softmax] groups must divide the %zu inputs and temperature be > 0", d->src, s->line, l->inputs);
      l->out_w = pw; l->out_h = ph; l->out_c = pc;
    } else if (!strcmp(t, "dropout")) {
      float p;
      l->type = NN_DROPOUT;
      rc = opt_float(d, s, "probability", 0.5f, &p, err);
      l->out_w = pw; l->out_h = ph; l->out_c = pc;
    } else return mlsh_seterr(err, MLSH_EIO, "%s:%d: unknown section [%s]", d->src, s->line, t);
    if (rc) return rc;
    if (l->out_w < 1 || l->out_h < 1 || l->out_c < 1)
      return mlsh_seterr(err, MLSH_EIO, "%s:%d: [%s] gives an empty %dx%dx%d output", d->src, s->line, t, l->out_w, l->out_h, l->out_c);
    l->outputs = (size_t)l->out_w * l->out_h * l->out_c;
    if (l->outputs > ((size_t)1 << 30))
      return mlsh_seterr(err, MLSH_EIO, "%s:%d: [%s] output %dx%dx%d is too large", d->src, s->line, t, l->out_w, l->out_h, l->out_c);
    pw = l->out_w; ph = l->out_h; pc = l->out_c;
  }
  net->outputs = net->layers[net->n - 1].outputs;
  for (int i = 0; i < d->n; i++)
    for (int j = 0; j < d->s[i].nkv; j++)
      if (!d->s[i].kvs[j].used &&
          add_warning(d, "%s:%d: [%s] unused key '%s = %s'", d->src, d->s[i].kvs[j].line, d->s[i].type,
                      d->s[i].kvs[j].key, d->s[i].kvs[j].val))
        return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  net->warnings = d->warn;
  d->warn = NULL;
  return MLSH_OK;
}

int nn_parse_cfg_text(const char *text, const char *srcname, nn_net **out, mlsh_err *err) {
  *out = NULL;
  cfgdoc d = {.src = srcname ? srcname : "cfg"};
  nn_net *net = mlsh_calloc(1, sizeof *net);
  if (!net) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  int rc = tokenize(text, &d, err);
  if (!rc) rc = build(&d, net, err);
  doc_free(&d);
  if (rc) { nn_free(net); return rc; }
  *out = net;
  return MLSH_OK;
}

int nn_parse_cfg(const char *path, nn_net **out, mlsh_err *err) {
  *out = NULL;
  char *text;
  size_t len;
  int rc = mlsh_read_file(path, (size_t)1 << 26, &text, &len, err);
  if (rc) return rc;
  if (memchr(text, 0, len)) { mlsh_free(text); return mlsh_seterr(err, MLSH_EIO, "'%s' is not a text cfg file (contains NUL bytes)", path); }
  rc = nn_parse_cfg_text(text, path, out, err);
  mlsh_free(text);
  return rc;
}

void nn_free(nn_net *net) {
  if (!net) return;
  if (net->gpu_free) net->gpu_free(net);
  for (int i = 0; i < net->n; i++) {
    nn_layer *l = &net->layers[i];
    mlsh_free(l->weights); mlsh_free(l->biases); mlsh_free(l->scales);
    mlsh_free(l->rolling_mean); mlsh_free(l->rolling_var);
    mlsh_free_aligned(l->wf); mlsh_free(l->bf);
    mlsh_free(l->route);
  }
  nn_free_workspace(net);
  mlsh_free(net->layer_time);
  mlsh_free(net->layers);
  mlsh_free(net->warnings);
  mlsh_free(net);
}
