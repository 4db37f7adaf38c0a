/* lplot.c - Lua binding for charts: the Chart class (a figure that Lua-side
 * chart functions in lua/mlsh/plot.lua fill with layers), its rendering to
 * the terminal, SVG and text files, and the Dashboard class. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lmlsh.h"
#include "../core/alloc.h"
#include "../core/atomicfile.h"
#include "../core/term.h"
#include "../plot/figure.h"
#include "../plot/dash.h"

#define CHART_MT "mlsh.Chart"
#define DASH_MT "mlsh.Dashboard"

typedef struct lchart { plot_fig *fig; } lchart;

static lchart *check_chart(lua_State *L, int idx, const char *fname) {
  lchart *c = luaL_testudata(L, idx, CHART_MT);
  if (!c || !c->fig) mlsh_error(L, fname, "argument %d must be a Chart (got %s)", idx, mlsh_typename(L, idx));
  return c;
}

static void check_rc(lua_State *L, const char *fname, int rc, mlsh_err *err) {
  if (rc) mlsh_fail(L, fname, rc, err);
}

/* A numeric vector (Matrix n x 1 / 1 x n, or Lua array); NaN allowed. */
static const double *vec_arg(lua_State *L, int idx, const char *fname, const char *arg, size_t *n) {
  mlsh_mat *m = lmat_checklike(L, idx, fname, arg);
  if (m->rows != 1 && m->cols != 1) mlsh_error(L, fname, "argument '%s' must be a vector (got %zux%zu)", arg, m->rows, m->cols);
  *n = MAT_LEN(m);
  return m->data;
}

/* The options of every layer method: one struct, a spec per method. */
typedef struct {
  int panel;            /* first: the base spec's field */
  const char *label, *marker;
  int dash, arrow, fill, horizontal, shade, anchor, cmap, colorbar;
  double vmin, vmax;
} layer_args;

#define COLOR_ROW MLSH_OPT_VALUE("color", MLSH_OT_ANY, "palette", "\"#rrggbb\", a name such as \"red\", or a palette index")
#define LABEL_ROW MLSH_OPT_STR(layer_args, label, "label", NULL, "legend entry")
#define MARKER_ROW MLSH_OPT_STR(layer_args, marker, "marker", NULL, "a glyph drawn at each point instead of braille dots")

static const mlsh_opt panel_opt_rows[] = {
  MLSH_OPT_INT(layer_args, panel, "panel", 1, 1, HUGE_VAL, "panel of the figure, numbered by rows"), MLSH_OPT_END};
static const mlsh_optspec panel_spec = {"Chart:image", panel_opt_rows};
static const mlsh_opt points_opt[] = {COLOR_ROW, MARKER_ROW, LABEL_ROW, MLSH_OPT_END};
static const mlsh_optspec points_spec = {"Chart:points", points_opt, &panel_spec};
static const mlsh_opt lines_opt[] = {COLOR_ROW, MARKER_ROW, LABEL_ROW,
  MLSH_OPT_BOOL(layer_args, dash, "dash", 0, "dashed line"),
  MLSH_OPT_BOOL(layer_args, arrow, "arrow", 0, "an arrow head at the end of each piece"), MLSH_OPT_END};
static const mlsh_optspec lines_spec = {"Chart:lines", lines_opt, &panel_spec};
static const mlsh_opt rects_opt[] = {COLOR_ROW, LABEL_ROW,
  MLSH_OPT_BOOL(layer_args, fill, "fill", 1, "filled (false: outlines)"),
  MLSH_OPT_BOOL(layer_args, horizontal, "horizontal", 0, "partial blocks at the right end (horizontal bars)"), MLSH_OPT_END};
static const mlsh_optspec rects_spec = {"Chart:rects", rects_opt, &panel_spec};
static const mlsh_opt band_opt[] = {COLOR_ROW, LABEL_ROW,
  MLSH_OPT_INT(layer_args, shade, "shade", 1, 1, 2, "1 light, 2 darker"), MLSH_OPT_END};
static const mlsh_optspec band_spec = {"Chart:band", band_opt, &panel_spec};
static const char *const anchors[] = {"left", "center", "right", NULL};
static const mlsh_opt text_opt[] = {COLOR_ROW,
  MLSH_OPT_ENUM(layer_args, anchor, "anchor", 0, anchors, "where the text sits: right of the point (left), centred, left of it"),
  MLSH_OPT_END};
static const mlsh_optspec text_spec = {"Chart:text", text_opt, &panel_spec};
static const char *const cmaps[] = {"seq", "div", "confusion", NULL};
static const mlsh_opt heat_opt[] = {
  MLSH_OPT_VALUE("annot", MLSH_OT_TABLE, NULL, "rows*cols strings, row-major (\"\\n\" for two lines)"),
  MLSH_OPT_ENUM(layer_args, cmap, "cmap", 0, cmaps, "seq (viridis), div (blue-white-red), confusion (green diagonal)"),
  {"vmin", MLSH_OT_NUM, offsetof(layer_args, vmin), NAN, "min(M)", -HUGE_VAL, HUGE_VAL, 0, NULL, "value at the low end of the colours"},
  {"vmax", MLSH_OT_NUM, offsetof(layer_args, vmax), NAN, "max(M)", -HUGE_VAL, HUGE_VAL, 0, NULL, "value at the high end"},
  MLSH_OPT_BOOL(layer_args, colorbar, "colorbar", 1, "draw the colour bar"), MLSH_OPT_END};
static const mlsh_optspec heat_spec = {"Chart:heatmap", heat_opt, &panel_spec};

/* The options at oi into a; the panel checked against the figure. */
static void layer_opts(lua_State *L, int oi, const mlsh_optspec *spec, plot_fig *f, layer_args *a) {
  mlsh_opts(L, oi, spec, a);
  if (a->panel > f->rows * f->cols)
    mlsh_error(L, spec->fname, "option 'panel' must be between 1 and %d (got %d)", f->rows * f->cols, a->panel);
  a->panel--;
}

static int32_t color_opt(lua_State *L, int oi, const char *fname) {
  int t = mlsh_opt_get(L, oi, "color");
  int32_t c = PLOT_NOCOLOR;
  if (t == LUA_TNUMBER) c = plot_palette((int)lua_tointeger(L, -1) - 1);
  else if (t == LUA_TSTRING) {
    if (!plot_parse_color(lua_tostring(L, -1), &c))
      mlsh_error(L, fname, "option 'color': unknown colour '%s' (use \"#rrggbb\", a name such as \"red\", or a palette index)", lua_tostring(L, -1));
  } else if (t != LUA_TNIL) mlsh_error(L, fname, "option 'color' must be a string or a number (got %s)", mlsh_typename(L, -1));
  lua_pop(L, 1);
  return c;
}

static uint32_t marker_cp(const char *s) {
  uint32_t cp = 0;
  if (s && *s) utf8_decode(s, &cp);
  return cp;
}

/* Add a layer whose arrays are copied from consecutive vector arguments. */
static plot_layer *add_arrays(lua_State *L, lchart *c, int first, int narr, const char *slots, plot_kind kind,
                              int oi, const layer_args *a, const char *fname, const char *const *argnames) {
  const double *v[4];
  size_t n = 0;
  for (int k = 0; k < narr; k++) {
    size_t nk;
    v[k] = vec_arg(L, first + k, fname, argnames[k], &nk);
    if (k > 0 && nk != n) mlsh_error(L, fname, "arguments '%s' and '%s' have different lengths (%zu and %zu)", argnames[0], argnames[k], n, nk);
    n = nk;
  }
  mlsh_err err;
  plot_layer *l = fig_add_layer(c->fig, a->panel, kind, n, slots, &err);
  if (!l) mlsh_fail(L, fname, MLSH_ENOMEM, &err);
  for (int k = 0; k < narr; k++) {
    double *dst = slots[k] == 'x' ? l->x : slots[k] == 'y' ? l->y : slots[k] == 'X' ? l->x2 : l->y2;
    memcpy(dst, v[k], n * sizeof(double));
  }
  l->color = color_opt(L, oi, fname);
  if (a->label) check_rc(L, fname, plot_set_str(&l->label, a->label, &err), &err);
  return l;
}

static int l_points(lua_State *L) {
  static const char *const names[] = {"x", "y"};
  lchart *c = check_chart(L, 1, points_spec.fname);
  layer_args a;
  layer_opts(L, 4, &points_spec, c->fig, &a);
  plot_layer *l = add_arrays(L, c, 2, 2, "xy", PLOT_POINTS, 4, &a, points_spec.fname, names);
  l->marker = marker_cp(a.marker);
  lua_settop(L, 1);
  return 1;
}

static int l_lines(lua_State *L) {
  static const char *const names[] = {"x", "y"};
  lchart *c = check_chart(L, 1, lines_spec.fname);
  layer_args a;
  layer_opts(L, 4, &lines_spec, c->fig, &a);
  plot_layer *l = add_arrays(L, c, 2, 2, "xy", PLOT_LINES, 4, &a, lines_spec.fname, names);
  l->marker = marker_cp(a.marker);
  l->dashed = a.dash;
  l->arrow = a.arrow;
  lua_settop(L, 1);
  return 1;
}

static int l_rects(lua_State *L) {
  static const char *const names[] = {"x0", "y0", "x1", "y1"};
  lchart *c = check_chart(L, 1, rects_spec.fname);
  layer_args a;
  layer_opts(L, 6, &rects_spec, c->fig, &a);
  plot_layer *l = add_arrays(L, c, 2, 4, "xyXY", PLOT_RECTS, 6, &a, rects_spec.fname, names);
  l->fill = a.fill;
  l->horizontal = a.horizontal;
  lua_settop(L, 1);
  return 1;
}

static int l_band(lua_State *L) {
  static const char *const names[] = {"x", "lower", "upper"};
  lchart *c = check_chart(L, 1, band_spec.fname);
  layer_args a;
  layer_opts(L, 5, &band_spec, c->fig, &a);
  plot_layer *l = add_arrays(L, c, 2, 3, "xyY", PLOT_BAND, 5, &a, band_spec.fname, names);
  l->shade = a.shade;
  lua_settop(L, 1);
  return 1;
}

static int l_text(lua_State *L) {
  static const char *const names[] = {"x", "y"};
  const char *fname = text_spec.fname;
  lchart *c = check_chart(L, 1, fname);
  layer_args a;
  layer_opts(L, 5, &text_spec, c->fig, &a);
  a.label = NULL;
  if (!lua_istable(L, 4)) mlsh_error(L, fname, "argument 'labels' must be an array of strings (got %s)", mlsh_typename(L, 4));
  plot_layer *l = add_arrays(L, c, 2, 2, "xyt", PLOT_TEXT, 5, &a, fname, names);
  l->anchor = a.anchor - 1;
  if (lua_rawlen(L, 4) != l->n) mlsh_error(L, fname, "argument 'labels' has %zu entries, expected %zu", (size_t)lua_rawlen(L, 4), l->n);
  for (size_t i = 0; i < l->n; i++) {
    lua_rawgeti(L, 4, (lua_Integer)i + 1);
    const char *s = luaL_tolstring(L, -1, NULL);
    int failed = 0;
    l->text[i] = plot_strdup(s, &failed);
    if (failed) mlsh_error(L, fname, "not enough memory");
    lua_pop(L, 2);
  }
  lua_settop(L, 1);
  return 1;
}

static int l_heatmap(lua_State *L) {
  const char *fname = heat_spec.fname;
  lchart *c = check_chart(L, 1, fname);
  layer_args a;
  layer_opts(L, 3, &heat_spec, c->fig, &a);
  mlsh_mat *m = lmat_checklike(L, 2, fname, "M");
  mlsh_err err;
  plot_layer *l = fig_add_layer(c->fig, a.panel, PLOT_HEAT, MAT_LEN(m), "y", &err);
  if (!l) mlsh_fail(L, fname, MLSH_ENOMEM, &err);
  if (MAT_LEN(m) > 0) memcpy(l->y, m->data, MAT_LEN(m) * sizeof(double));
  l->hrows = m->rows;
  l->hcols = m->cols;
  l->cmap = (plot_cmap)a.cmap;
  l->vmin = a.vmin;
  l->vmax = a.vmax;
  c->fig->panels[a.panel].colorbar = a.colorbar;
  if (mlsh_opt_get(L, 3, "annot") == LUA_TTABLE) {
    int ai = lua_gettop(L);
    size_t cells = m->rows * m->cols;
    if (lua_rawlen(L, ai) != cells) mlsh_error(L, fname, "option 'annot' must have %zu strings (rows*cols), got %zu", cells, (size_t)lua_rawlen(L, ai));
    l->text = mlsh_calloc(cells, sizeof(char *));
    if (!l->text) mlsh_error(L, fname, "not enough memory");
    for (size_t i = 0; i < cells; i++) {
      lua_rawgeti(L, ai, (lua_Integer)i + 1);
      int failed = 0;
      l->text[i] = plot_strdup(luaL_tolstring(L, -1, NULL), &failed);
      if (failed) mlsh_error(L, fname, "not enough memory");
      lua_pop(L, 2);
    }
  }
  lua_settop(L, 1);
  return 1;
}

/* An mlsh.Image userdata, or a table {width=, height=, pixels=<w*h*3 RGB bytes>}. */
static int l_image(lua_State *L) {
  const char *fname = panel_spec.fname;
  lchart *c = check_chart(L, 1, fname);
  layer_args a;
  layer_opts(L, 3, &panel_spec, c->fig, &a);
  mlsh_image src = {0, 0, NULL};
  mlsh_image *ud = luaL_testudata(L, 2, MLSH_IMAGE_MT);
  if (ud) src = *ud;
  else if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "width"); lua_getfield(L, 2, "height"); lua_getfield(L, 2, "pixels");
    size_t len = 0;
    src.width = (int)lua_tointeger(L, -3);
    src.height = (int)lua_tointeger(L, -2);
    src.rgb = (unsigned char *)lua_tolstring(L, -1, &len);
    if (src.width < 1 || src.height < 1 || !src.rgb || len != (size_t)src.width * (size_t)src.height * 3)
      mlsh_error(L, fname, "argument 'img' table needs width, height and pixels (width*height*3 RGB bytes)");
  } else mlsh_error(L, fname, "argument 'img' must be an Image (got %s)", mlsh_typename(L, 2));
  if (!src.rgb || src.width < 1 || src.height < 1) mlsh_error(L, fname, "argument 'img' is an empty image");
  mlsh_err err;
  plot_layer *l = fig_add_layer(c->fig, a.panel, PLOT_IMAGE, 0, "", &err);
  if (!l) mlsh_fail(L, fname, MLSH_ENOMEM, &err);
  size_t bytes = (size_t)src.width * (size_t)src.height * 3;
  l->img.rgb = mlsh_malloc(bytes);
  if (!l->img.rgb) mlsh_error(L, fname, "not enough memory for a %dx%d image", src.width, src.height);
  memcpy(l->img.rgb, src.rgb, bytes);
  l->img.width = src.width;
  l->img.height = src.height;
  lua_settop(L, 1);
  return 1;
}

static void names_opt(lua_State *L, int oi, const char *key, plot_axis *a, const char *fname) {
  if (mlsh_opt_get(L, oi, key) != LUA_TTABLE) { lua_pop(L, 1); return; }
  int t = lua_gettop(L);
  size_t n = lua_rawlen(L, t);
  const char **v = mlsh_scratch(L, (n ? n : 1) * sizeof(char *), fname);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, t, (lua_Integer)i + 1);
    v[i] = luaL_tolstring(L, -1, NULL);
    lua_replace(L, -2);   /* the string stays on the stack until we are done */
  }
  mlsh_err err;
  check_rc(L, fname, plot_set_names(a, v, n, &err), &err);
  lua_settop(L, t - 1);
}

static void lim_opt(lua_State *L, int oi, const char *key, plot_axis *a, const char *fname) {
  if (mlsh_opt_get(L, oi, key) == LUA_TNIL) { lua_pop(L, 1); return; }
  if (!lua_istable(L, -1) || lua_rawlen(L, -1) != 2) mlsh_error(L, fname, "option '%s' must be {min, max}", key);
  lua_rawgeti(L, -1, 1); lua_rawgeti(L, -2, 2);
  int ok1, ok2;
  double lo = lua_tonumberx(L, -2, &ok1), hi = lua_tonumberx(L, -1, &ok2);
  if (!ok1 || !ok2 || !isfinite(lo) || !isfinite(hi) || !(hi > lo))
    mlsh_error(L, fname, "option '%s' must be {min, max} with finite min < max", key);
  a->lo = lo;
  a->hi = hi;
  lua_pop(L, 3);
}

typedef struct {
  layer_args layer;   /* first: the panel */
  const char *title, *xlabel, *ylabel;
  int xlog, ylog, equal, yreverse, xhidden, yhidden;
} axes_args;

static const mlsh_opt axes_opt[] = {
  MLSH_OPT_STR(axes_args, title, "title", NULL, "panel title"),
  MLSH_OPT_STR(axes_args, xlabel, "xlabel", NULL, "x axis label"),
  MLSH_OPT_STR(axes_args, ylabel, "ylabel", NULL, "y axis label"),
  MLSH_OPT_VALUE("xlim", MLSH_OT_TABLE, "data range", "{min, max} of the x axis"),
  MLSH_OPT_VALUE("ylim", MLSH_OT_TABLE, "data range", "{min, max} of the y axis"),
  MLSH_OPT_BOOL_PRESET(axes_args, xlog, "xlog", "false", "logarithmic x axis"),
  MLSH_OPT_BOOL_PRESET(axes_args, ylog, "ylog", "false", "logarithmic y axis"),
  MLSH_OPT_VALUE("xnames", MLSH_OT_TABLE, NULL, "category names at x = 1..n"),
  MLSH_OPT_VALUE("ynames", MLSH_OT_TABLE, NULL, "category names at y = 1..n"),
  MLSH_OPT_BOOL_PRESET(axes_args, equal, "equal", "false", "equal scaling of x and y"),
  MLSH_OPT_BOOL_PRESET(axes_args, yreverse, "yreverse", "false", "y grows downwards"),
  MLSH_OPT_BOOL_PRESET(axes_args, xhidden, "xhidden", "false", "no x axis"),
  MLSH_OPT_BOOL_PRESET(axes_args, yhidden, "yhidden", "false", "no y axis"),
  MLSH_OPT_END};
static const mlsh_optspec axes_spec = {"Chart:axes", axes_opt, &panel_spec};

static int l_axes(lua_State *L) {
  const char *fname = axes_spec.fname;
  lchart *c = check_chart(L, 1, fname);
  axes_args a;
  a.xlog = a.ylog = a.equal = a.yreverse = a.xhidden = a.yhidden = -1;   /* -1: as the panel has it */
  layer_opts(L, 2, &axes_spec, c->fig, &a.layer);
  plot_panel *p = &c->fig->panels[a.layer.panel];
  mlsh_err err;
  if (a.title) check_rc(L, fname, plot_set_str(&p->title, a.title, &err), &err);
  if (a.xlabel) check_rc(L, fname, plot_set_str(&p->x.label, a.xlabel, &err), &err);
  if (a.ylabel) check_rc(L, fname, plot_set_str(&p->y.label, a.ylabel, &err), &err);
  lim_opt(L, 2, "xlim", &p->x, fname);
  lim_opt(L, 2, "ylim", &p->y, fname);
  names_opt(L, 2, "xnames", &p->x, fname);
  names_opt(L, 2, "ynames", &p->y, fname);
  int *flags[] = {&p->x.log, &p->y.log, &p->equal, &p->y.reverse, &p->x.hidden, &p->y.hidden};
  int given[] = {a.xlog, a.ylog, a.equal, a.yreverse, a.xhidden, a.yhidden};
  for (int i = 0; i < 6; i++) if (given[i] >= 0) *flags[i] = given[i];
  lua_settop(L, 1);
  return 1;
}

/* ---- output ---- */

/* Sizes: in cells for text (0: the figure's, else the terminal's), in
 * pixels for SVG (0: the default). */
typedef struct {
  int width, height, color, ascii;
} size_args;

static const mlsh_opt size_opt[] = {
  MLSH_OPT_INT(size_args, width, "width", 0, 0, 20000, "width: cells for text (0: the terminal's), pixels for SVG (0: 800)"),
  MLSH_OPT_INT(size_args, height, "height", 0, 0, 20000, "height: cells for text (0: fits the terminal), pixels for SVG (0: 500)"),
  MLSH_OPT_END};
static const mlsh_optspec show_spec = {"Chart:show", size_opt}, svg_spec = {"Chart:svg", size_opt},
                          save_spec = {"Chart:save", size_opt};
static const char *const colors[] = {"none", "256", "truecolor", NULL};
static const mlsh_opt render_opt[] = {
  MLSH_OPT_ENUM(size_args, color, "color", 0, colors, "ANSI colours"),
  MLSH_OPT_BOOL_PRESET(size_args, ascii, "ascii", "no Unicode terminal", "pure ASCII"),
  MLSH_OPT_END};
static const mlsh_optspec render_spec = {"Chart:render", render_opt, &show_spec};

/* Chart size in cells: options, else the figure's, else the terminal's
 * width and a height that leaves the prompt visible. */
static void chart_size(lua_State *L, const size_args *a, const plot_fig *f, const mlsh_term *t, int *w, int *h, const char *fname) {
  int tw = t->cols < 20 ? 20 : t->cols > 2000 ? 2000 : t->cols;
  *w = a->width ? a->width : f->width > 0 ? f->width : tw;
  int defh = t->rows - 3;
  if (defh > *w * 2 / 5) defh = *w * 2 / 5;
  if (defh < 12) defh = 12;
  *h = a->height ? a->height : f->height > 0 ? f->height : defh;
  if (*w < 10 || *w > 2000 || *h < 3 || *h > 1000)
    mlsh_error(L, fname, "chart size %dx%d out of range (width 10..2000, height 3..1000)", *w, *h);
}

static void push_text(lua_State *L, const plot_fig *f, int w, int h, plot_style st, const char *fname) {
  plot_buf b = {0};
  mlsh_err err;
  int rc = fig_render_text(f, w, h, st, &b, &err);
  if (rc) { pbuf_free(&b); mlsh_fail(L, fname, rc, &err); }
  mlsh_push_owned_lstring(L, b.s, b.len);   /* frees b.s */
}

static plot_style term_style(const mlsh_term *t) {
  plot_style st = {t->color, t->unicode};
  return st;
}

static int l_render(lua_State *L) {
  const char *fname = render_spec.fname;
  lchart *c = check_chart(L, 1, fname);
  mlsh_term t;
  mlsh_term_query(&t);
  size_args a = {0, 0, 0, !t.unicode};
  mlsh_opts(L, 2, &render_spec, &a);
  int w, h;
  chart_size(L, &a, c->fig, &t, &w, &h, fname);
  plot_style st = {a.color, !a.ascii};
  push_text(L, c->fig, w, h, st, fname);
  return 1;
}

static int l_tostring(lua_State *L) {
  lchart *c = check_chart(L, 1, "Chart:__tostring");
  mlsh_term t;
  mlsh_term_query(&t);
  int w, h;
  size_args a = {0, 0, 0, 0};
  chart_size(L, &a, c->fig, &t, &w, &h, "Chart:__tostring");
  push_text(L, c->fig, w, h, term_style(&t), "Chart:__tostring");
  /* drop the final newline: print() adds one */
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  if (len && s[len - 1] == '\n') lua_pushlstring(L, s, len - 1);
  return 1;
}

static int l_show(lua_State *L) {
  lchart *c = check_chart(L, 1, "Chart:show");
  size_args a;
  mlsh_opts(L, 2, &show_spec, &a);
  mlsh_term t;
  mlsh_term_query(&t);
  int w, h;
  chart_size(L, &a, c->fig, &t, &w, &h, "Chart:show");
  push_text(L, c->fig, w, h, term_style(&t), "Chart:show");
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  fwrite(s, 1, len, stdout);
  fflush(stdout);
  lua_settop(L, 1);
  return 1;
}

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

static void write_buf(lua_State *L, const char *path, plot_buf *b, const char *fname) {
  mlsh_err err;
  if (b->failed) { pbuf_free(b); mlsh_error(L, fname, "not enough memory"); }
  int rc = mlsh_write_file_atomic(path, b->s ? b->s : "", b->len, &err);
  pbuf_free(b);
  if (rc) mlsh_fail(L, fname, rc, &err);
}

static int l_svg(lua_State *L) {
  lchart *c = check_chart(L, 1, "Chart:svg");
  size_args a;
  mlsh_opts(L, 2, &svg_spec, &a);
  int w = a.width, h = a.height;
  plot_buf b = {0};
  mlsh_err err;
  int rc = fig_svg(c->fig, w, h, 1, "", &b, &err);
  if (rc) { pbuf_free(&b); mlsh_fail(L, "Chart:svg", rc, &err); }
  mlsh_push_owned_lstring(L, b.s, b.len);   /* frees b.s */
  return 1;
}

static int l_save(lua_State *L) {
  const char *fname = save_spec.fname;
  lchart *c = check_chart(L, 1, fname);
  const char *path = mlsh_check_path(L, 2, fname, "path");
  size_args a;
  mlsh_opts(L, 3, &save_spec, &a);
  plot_buf b = {0};
  mlsh_err err;
  int rc;
  if (ends_with(path, ".svg")) {
    rc = fig_svg(c->fig, a.width, a.height, 1, "", &b, &err);
  } else if (ends_with(path, ".txt")) {
    mlsh_term t;
    mlsh_term_query(&t);
    int w, h;
    chart_size(L, &a, c->fig, &t, &w, &h, fname);
    plot_style st = {0, t.unicode};
    rc = fig_render_text(c->fig, w, h, st, &b, &err);
  } else {
    return mlsh_error(L, fname, "argument 'path' must end in .svg or .txt (got \"%s\")", path);
  }
  if (rc) { pbuf_free(&b); mlsh_fail(L, fname, rc, &err); }
  write_buf(L, path, &b, fname);
  lua_settop(L, 1);
  return 1;
}

static int l_chart_gc(lua_State *L) {
  lchart *c = luaL_checkudata(L, 1, CHART_MT);
  fig_free(c->fig);
  c->fig = NULL;
  return 0;
}

typedef struct {
  const char *title;
  int rows, cols, width, height;
} figure_args;

static const mlsh_opt figure_opt[] = {
  MLSH_OPT_STR(figure_args, title, "title", NULL, "figure title"),
  MLSH_OPT_INT(figure_args, rows, "rows", 1, 1, 400, "rows of panels"),
  MLSH_OPT_INT(figure_args, cols, "cols", 1, 1, 400, "columns of panels (rows x cols <= 400)"),
  MLSH_OPT_INT(figure_args, width, "width", 0, 0, 2000, "width in cells, at least 10 (0: the terminal's)"),
  MLSH_OPT_INT(figure_args, height, "height", 0, 0, 1000, "height in cells, at least 3 (0: fits the terminal)"),
  MLSH_OPT_END};
static const mlsh_optspec figure_spec = {"plot.figure", figure_opt};

static int l_figure(lua_State *L) {
  const char *fname = figure_spec.fname;
  figure_args a;
  mlsh_opts(L, 1, &figure_spec, &a);
  int rows = a.rows, cols = a.cols, w = a.width, h = a.height;
  if (rows * cols > 400) mlsh_error(L, fname, "options 'rows' x 'cols' must be between 1 and 400 panels (got %dx%d)", rows, cols);
  if ((w && w < 10) || (h && h < 3))
    mlsh_error(L, fname, "option width/height out of range (width 10..2000, height 3..1000; got %dx%d)", w, h);
  const char *title = a.title;
  lchart *c = lua_newuserdatauv(L, sizeof *c, 0);
  c->fig = NULL;
  luaL_setmetatable(L, CHART_MT);
  mlsh_err err;
  check_rc(L, fname, fig_new(&c->fig, rows, cols, &err), &err);
  c->fig->width = w;
  c->fig->height = h;
  if (title) check_rc(L, fname, plot_set_str(&c->fig->title, title, &err), &err);
  return 1;
}

/* ---- dashboard ---- */

typedef struct ldash {
  char *title;
  int n;
  char **names;
  const plot_fig **figs;
} ldash;

static ldash *check_dash(lua_State *L, const char *fname) {
  ldash *d = luaL_testudata(L, 1, DASH_MT);
  if (!d || !d->figs) mlsh_error(L, fname, "argument 1 must be a Dashboard (got %s)", mlsh_typename(L, 1));
  return d;
}

static plot_dash dash_view(const ldash *d) {
  plot_dash v = {d->title, d->n, (const char *const *)d->names, (const plot_fig *const *)d->figs};
  return v;
}

static int l_dash_gc(lua_State *L) {
  ldash *d = luaL_checkudata(L, 1, DASH_MT);
  for (int i = 0; d->names && i < d->n; i++) mlsh_free(d->names[i]);
  mlsh_free(d->names);
  mlsh_free(d->figs);
  mlsh_free(d->title);
  d->names = NULL;
  d->figs = NULL;
  d->title = NULL;
  return 0;
}

typedef struct { const char *title; } dash_args;
static const mlsh_opt dash_opt[] = {
  MLSH_OPT_STR(dash_args, title, "title", "mlsh dashboard", "title line of the viewer and the HTML page"),
  MLSH_OPT_VALUE("tabs", MLSH_OT_TABLE, NULL, "the tabs: {{\"name\", chart}, ...} (required)"),
  MLSH_OPT_END};
static const mlsh_optspec dash_spec = {"plot.dashboard", dash_opt};

static int l_dashboard(lua_State *L) {
  const char *fname = dash_spec.fname;
  dash_args a;
  mlsh_opts(L, 1, &dash_spec, &a);
  const char *title = a.title;
  if (mlsh_opt_get(L, 1, "tabs") != LUA_TTABLE || lua_rawlen(L, -1) == 0)
    mlsh_error(L, fname, "option 'tabs' must be a non-empty array of {\"name\", chart}");
  int tabs = lua_gettop(L);
  size_t n = lua_rawlen(L, tabs);
  if (n > 99) mlsh_error(L, fname, "option 'tabs' has %zu tabs (at most 99)", n);
  ldash *d = lua_newuserdatauv(L, sizeof *d, 1);
  memset(d, 0, sizeof *d);
  luaL_setmetatable(L, DASH_MT);
  int di = lua_gettop(L);
  d->names = mlsh_calloc(n, sizeof(char *));
  d->figs = mlsh_calloc(n, sizeof(plot_fig *));
  int failed = !d->names || !d->figs;
  d->title = plot_strdup(title, &failed);
  if (failed) mlsh_error(L, fname, "not enough memory");
  d->n = (int)n;
  lua_createtable(L, (int)n, 0);   /* keeps the charts alive */
  for (size_t i = 1; i <= n; i++) {
    if (lua_rawgeti(L, tabs, (lua_Integer)i) != LUA_TTABLE) mlsh_error(L, fname, "tab %zu must be {\"name\", chart}", i);
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    lchart *c = luaL_testudata(L, -1, CHART_MT);
    if (lua_type(L, -2) != LUA_TSTRING || !c || !c->fig)
      mlsh_error(L, fname, "tab %zu must be {\"name\", chart} (got {%s, %s})", i, mlsh_typename(L, -2), mlsh_typename(L, -1));
    d->names[i - 1] = plot_strdup(lua_tostring(L, -2), &failed);
    if (failed) mlsh_error(L, fname, "not enough memory");
    d->figs[i - 1] = c->fig;
    lua_rawseti(L, -4, (lua_Integer)i);
    lua_pop(L, 2);
  }
  lua_setiuservalue(L, di, 1);
  return 1;
}

static int l_dash_show(lua_State *L) {
  const char *fname = "Dashboard:show";
  ldash *d = check_dash(L, fname);
  mlsh_term t;
  mlsh_term_query(&t);
  plot_dash v = dash_view(d);
  mlsh_err err;
  int rc;
  const char *term = getenv("TERM");
  rc = MLSH_EIO;
  if (t.tty && isatty(STDIN_FILENO) && !getenv("MLSH_NO_DASHBOARD") && term && *term && strcmp(term, "dumb") != 0) {
    fflush(stdout);
    rc = dash_show(&v, &err);
  }
  if (rc == MLSH_EIO) {   /* no tty, no usable terminal: every tab as text */
    plot_buf b = {0};
    int w, h;
    size_args a = {0, 0, 0, 0};
    lua_settop(L, 1);
    chart_size(L, &a, d->figs[0], &t, &w, &h, fname);
    rc = dash_text(&v, w, h, term_style(&t), &b, &err);
    if (!rc) { fwrite(b.s, 1, b.len, stdout); fflush(stdout); }
    pbuf_free(&b);
  }
  if (rc) mlsh_fail(L, fname, rc, &err);
  return 0;   /* nothing: the shell prints no object after the viewer closes */
}

static int l_dash_save(lua_State *L) {
  const char *fname = "Dashboard:save";
  ldash *d = check_dash(L, fname);
  const char *path = mlsh_check_path(L, 2, fname, "path");
  if (!ends_with(path, ".html") && !ends_with(path, ".htm"))
    mlsh_error(L, fname, "argument 'path' must end in .html (got \"%s\")", path);
  plot_dash v = dash_view(d);
  plot_buf b = {0};
  mlsh_err err;
  int rc = dash_html(&v, &b, &err);
  if (rc) { pbuf_free(&b); mlsh_fail(L, fname, rc, &err); }
  write_buf(L, path, &b, fname);
  lua_settop(L, 1);
  return 1;
}

static int l_dash_tostring(lua_State *L) {
  ldash *d = check_dash(L, "Dashboard:__tostring");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  lua_pushfstring(L, "Dashboard \"%s\" (%d tabs:", d->title, d->n);
  luaL_addvalue(&b);
  for (int i = 0; i < d->n; i++) {
    lua_pushfstring(L, "%s %s", i ? "," : "", d->names[i]);
    luaL_addvalue(&b);
  }
  luaL_addstring(&b, "); :show() opens it, :save(\"report.html\") writes it");
  luaL_pushresult(&b);
  return 1;
}

/* ---- helpers for lua/mlsh/plot.lua ---- */

/* plot._totable(v, fname, arg) -> values, rows, cols: a vector as a flat
 * array, a matrix as an array of rows (Matrices and Lua arrays alike). */
static int l_totable(lua_State *L) {
  const char *fname = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "plot";
  const char *arg = lua_type(L, 3) == LUA_TSTRING ? lua_tostring(L, 3) : "x";
  if (lua_isnoneornil(L, 1)) mlsh_error(L, fname, "argument '%s' is missing", arg);
  lua_settop(L, 3);
  mlsh_mat *m = lmat_checklike(L, 1, fname, arg);
  int vec = m->cols == 1 || m->rows == 1;
  lua_createtable(L, (int)(vec ? MAT_LEN(m) : m->rows), 0);
  for (size_t i = 0; i < (vec ? MAT_LEN(m) : m->rows); i++) {
    if (vec) lua_pushnumber(L, m->data[i]);
    else {
      lua_createtable(L, (int)m->cols, 0);
      for (size_t j = 0; j < m->cols; j++) { lua_pushnumber(L, MAT_AT(m, i, j)); lua_rawseti(L, -2, (lua_Integer)j + 1); }
    }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_pushinteger(L, (lua_Integer)m->rows);
  lua_pushinteger(L, (lua_Integer)m->cols);
  return 3;
}

/* plot._term() -> cols, rows, tty, color, unicode */
static int l_term(lua_State *L) {
  mlsh_term t;
  mlsh_term_query(&t);
  lua_pushinteger(L, t.cols);
  lua_pushinteger(L, t.rows);
  lua_pushboolean(L, t.tty);
  lua_pushinteger(L, t.color);
  lua_pushboolean(L, t.unicode);
  return 5;
}

/* plot._cmap(t [, name]) -> "#rrggbb" */
static int l_cmap(lua_State *L) {
  static const char *const cmaps[] = {"seq", "div", "confusion", NULL};
  double t = mlsh_check_number(L, 1, "plot._cmap", "t");
  int m = lua_isnoneornil(L, 2) ? 0 : mlsh_check_choice(L, 2, "plot._cmap", "argument 'name'", cmaps);
  char buf[16];
  snprintf(buf, sizeof buf, "#%06x", (unsigned)cmap_color((plot_cmap)m, t, 1) & 0xFFFFFF);
  lua_pushstring(L, buf);
  return 1;
}

/* ---- registration ---- */

static const mlsh_Reg chart_methods[] = {
  {"axes", l_axes, "chart:axes{panel=, title=, xlabel=, ylabel=, xlim=, ylim=, xlog=, ylog=, xnames=, ynames=, equal=, yreverse=, xhidden=, yhidden=}",
   "Sets a panel's title, axis labels, limits ({min, max}), log scales, category names (at 1..n), equal\n"
   "scaling of x and y, a reversed y axis and hidden axes. panel defaults to 1. Returns the chart.\n"
   "Example: c:axes{title=\"Iris\", xlabel=\"PC1\", ylim={-3, 3}}", &axes_spec},
  {"points", l_points, "chart:points(x, y, {panel=, color=, marker=, label=})",
   "Adds points (braille dots in the terminal; marker = a glyph such as \"x\" draws that instead).\n"
   "color: \"#rrggbb\", a name (\"red\") or a palette index; label: a legend entry. Returns the chart.\n"
   "Example: c:points({1, 2, 3}, {2, 4, 3}, {label=\"obs\"})", &points_spec},
  {"lines", l_lines, "chart:lines(x, y, {panel=, color=, marker=, label=, dash=false, arrow=false})",
   "Adds a polyline through (x, y); a NaN breaks it into pieces; arrow draws a head at each piece's end.\n"
   "Returns the chart.\nExample: c:lines({0, 1, 2}, {0, 1, 4}, {color=\"red\", dash=true})", &lines_spec},
  {"rects", l_rects, "chart:rects(x0, y0, x1, y1, {panel=, color=, label=, fill=true, horizontal=false})",
   "Adds rectangles [x0,x1] x [y0,y1] (bars; fill=false draws outlines). horizontal puts the partial\n"
   "blocks at the right end (horizontal bars). Returns the chart.\nExample: c:rects({0.6}, {0}, {1.4}, {5})", &rects_spec},
  {"band", l_band, "chart:band(x, lower, upper, {panel=, color=, label=, shade=1})",
   "Adds a filled band between lower and upper along x (intervals); shade 1 light, 2 darker.\n"
   "Returns the chart.\nExample: c:band({1, 2, 3}, {0, 1, 1}, {2, 3, 4}, {label=\"95%\"})", &band_spec},
  {"text", l_text, "chart:text(x, y, labels, {panel=, color=, anchor=\"left\"})",
   "Adds text labels at (x, y); anchor \"left\" (text starts right of the point), \"center\", \"right\".\n"
   "Returns the chart.\nExample: c:text({1}, {2}, {\"peak\"})", &text_spec},
  {"heatmap", l_heatmap, "chart:heatmap(M, {panel=, annot=, cmap=\"seq\", vmin=, vmax=, colorbar=true})",
   "Adds a heat map of matrix M (row 1 at the top; cells at x = 1..cols, y = 1..rows). annot: rows*cols\n"
   "strings (row-major, \"\\n\" for two lines); cmap \"seq\" (viridis), \"div\" (blue-white-red),\n"
   "\"confusion\" (green diagonal, red elsewhere). Returns the chart.\nExample: c:heatmap({{1, 2}, {3, 4}})", &heat_spec},
  {"image", l_image, "chart:image(img, {panel=})",
   "Adds an RGB image filling the panel (an Image from image.load, or {width=, height=, pixels=}).\n"
   "Returns the chart.\nExample: c:image(image.load(\"rose.jpg\"))", &panel_spec},
  {"render", l_render, "chart:render{width=, height=, color=\"none\", ascii=false}",
   "Returns the chart as text at the given size (default: the terminal's); color \"none\", \"256\" or\n"
   "\"truecolor\" adds ANSI colours; ascii uses pure ASCII.\nExample: s = c:render{width=60, height=20}", &render_spec},
  {"show", l_show, "chart:show{width=, height=}",
   "Prints the chart sized to the terminal (colour only on a tty without NO_COLOR). Returns the chart.\n"
   "Example: plot.hist(x):show()", &show_spec},
  {"svg", l_svg, "chart:svg{width=800, height=500}",
   "Returns the chart as an SVG document (vector: axes, ticks, legend, text).\nExample: s = c:svg()", &svg_spec},
  {"save", l_save, "chart:save(path, {width=, height=})",
   "Writes the chart: \"x.svg\" as vector SVG (size in pixels), \"x.txt\" as plain UTF-8 text (size in\n"
   "cells). Files are written atomically. Returns the chart.\nExample: c:save(\"elbow.svg\")", &save_spec},
  {NULL, NULL, NULL, NULL}};

static const luaL_Reg chart_meta[] = {{"__gc", l_chart_gc}, {"__tostring", l_tostring}, {NULL, NULL}};

static const mlsh_Reg dash_methods[] = {
  {"show", l_dash_show, "dash:show()",
   "Opens the full-screen viewer: Left/Right, Tab or 1-9 switch tabs, s saves the tab as SVG, ? shows\n"
   "the keys, q or Esc leaves. When stdout is not a terminal (or TERM is unset or dumb, or\n"
   "MLSH_NO_DASHBOARD=1), prints every tab in order instead. Returns nothing.\n"
   "Example: plot.dashboard{tabs={{\"Hist\", plot.hist(x)}}}:show()"},
  {"save", l_dash_save, "dash:save(path)",
   "Writes one self-contained HTML file: every tab as inline SVG, switched by a few lines of inline\n"
   "JavaScript; no network access needed. Returns the dashboard.\nExample: dash:save(\"report.html\")"},
  {NULL, NULL, NULL, NULL}};

static const luaL_Reg dash_meta[] = {{"__gc", l_dash_gc}, {"__tostring", l_dash_tostring}, {NULL, NULL}};

static const mlsh_Reg plot_funcs[] = {
  {"figure", l_figure, "plot.figure{title=, rows=1, cols=1, width=, height=}",
   "Creates an empty Chart with a rows x cols grid of panels, to fill with chart:points, :lines,\n"
   "... (the plot.* charts are built this way). width/height fix its size in cells.\n"
   "Example: c = plot.figure{title=\"Mine\"}:lines({1, 2, 3}, {1, 4, 9})", &figure_spec},
  {"dashboard", l_dashboard, "plot.dashboard{title=, tabs={{\"name\", chart}, ...}}",
   "Groups charts as tabs: dash:show() opens the full-screen viewer (or prints every tab when stdout\n"
   "is not a terminal), dash:save(\"report.html\") writes one self-contained HTML file.\n"
   "Example: plot.dashboard{title=\"Iris\", tabs={{\"PCA\", plot.biplot(p)}, {\"Tree\", plot.dendrogram(h)}}}:show()", &dash_spec},
  {"_totable", l_totable, "plot._totable(v [, fname, arg])",
   "Internal: a Matrix or Lua array as Lua values (vector -> flat array, matrix -> rows), rows, cols.\n"
   "Example: t, r, c = plot._totable(mat.ones(2, 2))"},
  {"_term", l_term, "plot._term()",
   "Internal: terminal columns, rows, is-a-tty, colour level (0/1/2), unicode.\nExample: cols = plot._term()"},
  {"_cmap", l_cmap, "plot._cmap(t [, \"seq\"|\"div\"|\"confusion\"])",
   "Internal: the colour map's colour at t in [0, 1] as \"#rrggbb\".\nExample: plot._cmap(0.5)"},
  {NULL, NULL, NULL, NULL}};

void mlsh_open_plot(lua_State *L) {
  mlsh_new_class(L, CHART_MT, "Chart", chart_methods, chart_meta);
  lua_pop(L, 1);
  mlsh_new_class(L, DASH_MT, "Dashboard", dash_methods, dash_meta);
  lua_pop(L, 1);
  mlsh_register(L, "plot", plot_funcs);
}
