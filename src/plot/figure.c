/* figure.c - the chart model: construction, autoscaling, ticks, colours. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "figure.h"
#include "../core/alloc.h"

/* ---- construction ---- */

char *plot_strdup(const char *s, int *failed) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *d = mlsh_malloc(n);
  if (!d) { if (failed) *failed = 1; return NULL; }
  memcpy(d, s, n);
  return d;
}

int plot_set_str(char **dst, const char *s, mlsh_err *err) {
  int failed = 0;
  char *d = plot_strdup(s, &failed);
  if (failed) return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
  mlsh_free(*dst);
  *dst = d;
  return MLSH_OK;
}

static void free_strings(char **v, size_t n) {
  if (!v) return;
  for (size_t i = 0; i < n; i++) mlsh_free(v[i]);
  mlsh_free(v);
}

int plot_set_names(plot_axis *a, const char *const *names, size_t n, mlsh_err *err) {
  char **v = n ? mlsh_calloc(n, sizeof *v) : NULL;
  int failed = n && !v;
  for (size_t i = 0; !failed && i < n; i++) v[i] = plot_strdup(names[i] ? names[i] : "", &failed);
  if (failed) { free_strings(v, n); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  free_strings(a->names, a->nnames);
  a->names = v;
  a->nnames = n;
  return MLSH_OK;
}

static void axis_init(plot_axis *a) {
  memset(a, 0, sizeof *a);
  a->lo = a->hi = NAN;
}

int fig_new(plot_fig **out, int rows, int cols, mlsh_err *err) {
  *out = NULL;
  if (rows < 1 || cols < 1 || rows * cols > 4096)
    return mlsh_seterr(err, MLSH_EINVAL, "panel grid %dx%d out of range", rows, cols);
  plot_fig *f = mlsh_calloc(1, sizeof *f);
  if (f) f->panels = mlsh_calloc((size_t)(rows * cols), sizeof *f->panels);
  if (!f || !f->panels) { mlsh_free(f); return mlsh_seterr(err, MLSH_ENOMEM, "not enough memory"); }
  f->rows = rows;
  f->cols = cols;
  for (int i = 0; i < rows * cols; i++) { axis_init(&f->panels[i].x); axis_init(&f->panels[i].y); }
  *out = f;
  return MLSH_OK;
}

static void layer_free(plot_layer *l) {
  mlsh_free(l->x); mlsh_free(l->y); mlsh_free(l->x2); mlsh_free(l->y2);
  free_strings(l->text, l->kind == PLOT_HEAT ? l->hrows * l->hcols : l->n);
  mlsh_free(l->label);
  mlsh_free(l->img.rgb);
}

void fig_free(plot_fig *f) {
  if (!f) return;
  for (int i = 0; i < f->rows * f->cols; i++) {
    plot_panel *p = &f->panels[i];
    for (size_t k = 0; k < p->nlayers; k++) layer_free(&p->layers[k]);
    mlsh_free(p->layers);
    mlsh_free(p->title);
    mlsh_free(p->x.label); mlsh_free(p->y.label);
    free_strings(p->x.names, p->x.nnames);
    free_strings(p->y.names, p->y.nnames);
  }
  mlsh_free(f->panels);
  mlsh_free(f->title);
  mlsh_free(f);
}

plot_layer *fig_add_layer(plot_fig *f, int pi, plot_kind kind, size_t n, const char *arrays, mlsh_err *err) {
  if (pi < 0 || pi >= f->rows * f->cols) { mlsh_seterr(err, MLSH_EINVAL, "panel %d out of range", pi + 1); return NULL; }
  plot_panel *p = &f->panels[pi];
  if (mlsh_grow(&p->layers, &p->cap, p->nlayers + 1, sizeof *p->layers)) {
    mlsh_seterr(err, MLSH_ENOMEM, "not enough memory");
    return NULL;
  }
  plot_layer *l = &p->layers[p->nlayers];
  memset(l, 0, sizeof *l);
  l->kind = kind;
  l->n = n;
  l->color = PLOT_NOCOLOR;
  l->fill = 1;
  l->vmin = l->vmax = NAN;
  int failed = 0;
  size_t m = n ? n : 1;
  for (const char *a = arrays; *a && !failed; a++) {
    double **slot = *a == 'x' ? &l->x : *a == 'y' ? &l->y : *a == 'X' ? &l->x2 : *a == 'Y' ? &l->y2 : NULL;
    if (slot) failed = !(*slot = mlsh_calloc(m, sizeof(double)));
    else if (*a == 't') failed = !(l->text = mlsh_calloc(m, sizeof(char *)));
  }
  if (failed) { layer_free(l); mlsh_seterr(err, MLSH_ENOMEM, "not enough memory for %zu values", n); return NULL; }
  p->nlayers++;
  return l;
}

/* ---- ranges ---- */

static void widen(double v, int log, double *lo, double *hi) {
  if (!isfinite(v) || (log && v <= 0)) return;
  if (v < *lo) *lo = v;
  if (v > *hi) *hi = v;
}

void panel_range(const plot_panel *p, int yaxis, double *plo, double *phi) {
  const plot_axis *a = yaxis ? &p->y : &p->x;
  double lo = INFINITY, hi = -INFINITY;
  int pad = 0;
  for (size_t k = 0; k < p->nlayers; k++) {
    const plot_layer *l = &p->layers[k];
    const double *v = yaxis ? l->y : l->x, *v2 = yaxis ? l->y2 : l->x2;
    switch (l->kind) {
    case PLOT_HEAT:
      widen(0.5, 0, &lo, &hi);
      widen((double)(yaxis ? l->hrows : l->hcols) + 0.5, 0, &lo, &hi);
      break;
    case PLOT_IMAGE:
      widen(0, 0, &lo, &hi); widen(1, 0, &lo, &hi);
      break;
    case PLOT_BAND:
      for (size_t i = 0; i < l->n; i++) {
        widen(yaxis ? l->y[i] : l->x[i], a->log, &lo, &hi);
        if (yaxis) widen(l->y2[i], a->log, &lo, &hi);
      }
      pad = 1;
      break;
    default:
      for (size_t i = 0; i < l->n; i++) {
        widen(v[i], a->log, &lo, &hi);
        if (v2) widen(v2[i], a->log, &lo, &hi);
      }
      pad = 1;   /* bars keep their zero end: see below */
    }
  }
  if (a->nnames) { widen(0.5, 0, &lo, &hi); widen((double)a->nnames + 0.5, 0, &lo, &hi); }
  if (!(lo <= hi)) { lo = a->log ? 1 : 0; hi = a->log ? 10 : 1; pad = 0; }
  if (lo == hi) {
    if (a->log) { lo /= 2; hi *= 2; }
    else { double d = fabs(lo) > 1 ? fabs(lo) * 0.1 : 0.5; lo -= d; hi += d; }
  } else if (pad && !a->nnames) {
    if (a->log) {
      double r = pow(hi / lo, 0.04);
      lo /= r; hi *= r;
    } else {
      double d = (hi - lo) * 0.04;
      if (lo != 0) lo -= d;
      if (hi != 0) hi += d;
    }
  }
  if (isfinite(a->lo) && (!a->log || a->lo > 0)) lo = a->lo;
  if (isfinite(a->hi) && (!a->log || a->hi > 0)) hi = a->hi;
  if (!(hi > lo)) hi = lo + 1;
  *plo = lo;
  *phi = hi;
}

double axis_frac(const plot_axis *a, double lo, double hi, double v) {
  if (!isfinite(v)) return NAN;
  double f;
  if (a->log) {
    if (v <= 0) return NAN;
    f = (log10(v) - log10(lo)) / (log10(hi) - log10(lo));
  } else {
    f = (v - lo) / (hi - lo);
  }
  return a->reverse ? 1 - f : f;
}

/* ---- ticks ---- */

int nice_ticks(double lo, double hi, int maxn, int log, double *out, double *pstep) {
  int n = 0;
  if (maxn < 1) maxn = 1;
  if (maxn > 50) maxn = 50;
  if (log) {
    int d0 = (int)ceil(log10(lo) - 1e-9), d1 = (int)floor(log10(hi) + 1e-9);
    int nd = d1 - d0 + 1;
    if (nd >= 2) {
      int every = (nd + maxn - 1) / maxn;
      for (int d = d0; d <= d1 && n < maxn; d += every) out[n++] = pow(10, d);
    } else {
      /* Less than two decades: 1, 2, 5 times powers of ten. */
      static const double m[3] = {1, 2, 5};
      for (int d = d0 - 1; d <= d1 && n < maxn; d++)
        for (int k = 0; k < 3 && n < maxn; k++) {
          double v = m[k] * pow(10, d);
          if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out[n++] = v;
        }
    }
    *pstep = 0;
    return n;
  }
  double range = hi - lo;
  if (!(range > 0) || !isfinite(range)) { out[0] = lo; *pstep = 1; return 1; }
  double mag = pow(10, floor(log10(range / maxn)));
  static const double mult[5] = {1, 2, 5, 10, 20};
  double step = mag * 50;
  for (int k = 0; k < 5; k++) {
    /* the count of multiples of the step inside lo..hi, both ends included */
    double s = mult[k] * mag;
    if (floor(hi / s + 1e-9) - ceil(lo / s - 1e-9) + 1 <= maxn) { step = s; break; }
  }
  double first = ceil(lo / step - 1e-9) * step;
  for (double v = first; v <= hi + step * 1e-9 && n < maxn + 1; v = first + n * step) {
    out[n++] = fabs(v) < step * 1e-9 ? 0 : v;
  }
  if (n > maxn) n = maxn;
  *pstep = step;
  return n;
}

void tick_label(char *buf, size_t size, double v, double step, int log) {
  if (log || step == 0) { snprintf(buf, size, "%g", v); return; }
  if (fabs(v) < step * 1e-9) { snprintf(buf, size, "0"); return; }   /* never "-0" */
  if (fabs(v) >= 1e6 || step < 1e-4) { snprintf(buf, size, "%.3g", v); return; }
  int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
  snprintf(buf, size, "%.*f", dec, v);
}

/* ---- colours ---- */

int32_t plot_palette(int i) {
  /* Tableau 10: distinct on dark and light terminals. */
  static const int32_t pal[10] = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
                                  0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC};
  return pal[((i % 10) + 10) % 10];
}

int plot_parse_color(const char *s, int32_t *rgb) {
  static const struct { const char *name; int32_t rgb; } names[] = {
    {"red", 0xE15759}, {"green", 0x59A14F}, {"blue", 0x4E79A7}, {"orange", 0xF28E2B}, {"purple", 0xB07AA1},
    {"brown", 0x9C755F}, {"pink", 0xFF9DA7}, {"gray", 0x8C8C8C}, {"grey", 0x8C8C8C}, {"cyan", 0x76B7B2},
    {"yellow", 0xEDC948}, {"black", 0x000000}, {"white", 0xFFFFFF}};
  if (s[0] == '#' && strlen(s) == 7) {
    unsigned v;
    if (sscanf(s + 1, "%6x", &v) == 1) { *rgb = (int32_t)v; return 1; }
    return 0;
  }
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcasecmp(s, names[i].name) == 0) { *rgb = names[i].rgb; return 1; }
  return 0;
}

static int32_t lerp_stops(const int32_t *stops, int n, double t) {
  if (!(t >= 0)) t = 0;
  if (t > 1) t = 1;
  double pos = t * (n - 1);
  int i = (int)pos;
  if (i >= n - 1) i = n - 2;
  double f = pos - i;
  int32_t a = stops[i], b = stops[i + 1], out = 0;
  for (int sh = 16; sh >= 0; sh -= 8) {
    double ca = (a >> sh) & 255, cb = (b >> sh) & 255;
    out |= (int32_t)lround(ca + (cb - ca) * f) << sh;
  }
  return out;
}

int32_t cmap_color(plot_cmap m, double t, int diagonal) {
  static const int32_t viridis[5] = {0x440154, 0x3B528B, 0x21918C, 0x5EC962, 0xFDE725};
  static const int32_t coolwarm[3] = {0x3B4CC0, 0xF2F2F2, 0xB40426};
  static const int32_t greens[2] = {0xEDF8E9, 0x1B7837};
  static const int32_t reds[2] = {0xFFF0EB, 0xC0392B};
  switch (m) {
  case CMAP_DIV: return lerp_stops(coolwarm, 3, t);
  case CMAP_CONFUSION: return lerp_stops(diagonal ? greens : reds, 2, t);
  default: return lerp_stops(viridis, 5, t);
  }
}

int32_t layer_color(const plot_panel *p, size_t k) {
  const plot_layer *l = &p->layers[k];
  if (l->color != PLOT_NOCOLOR || l->kind == PLOT_TEXT) return l->color;
  int ord = 0;
  for (size_t i = 0; i < k; i++) {
    plot_kind kd = p->layers[i].kind;
    if (kd == PLOT_POINTS || kd == PLOT_LINES || kd == PLOT_RECTS || kd == PLOT_BAND) ord++;
  }
  return plot_palette(ord);
}

uint32_t layer_marker(const plot_panel *p, size_t k, int color) {
  /* Without colour, labelled series of the same kind get distinct glyphs. */
  static const uint32_t glyphs[8] = {0x2022, '+', 'x', 'o', '#', '@', '%', '&'};
  const plot_layer *l = &p->layers[k];
  if (l->marker) return l->marker;
  /* a few points: a bullet shows better than one braille dot */
  uint32_t few = l->kind == PLOT_POINTS && l->n <= 40 ? 0x2022 : 0;
  if (color || !l->label) return few;
  /* lines get glyphs at their points only when there are few points */
  if (l->kind != PLOT_POINTS && !(l->kind == PLOT_LINES && l->n <= 30)) return 0;
  int ord = 0, total = 0;
  for (size_t i = 0; i < p->nlayers; i++)
    if (p->layers[i].kind == l->kind && p->layers[i].label) { if (i < k) ord++; total++; }
  return total >= 2 ? glyphs[ord % 8] : few;
}
