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

static int panel_opt(lua_State *L, int oi, plot_fig *f, const char *fname) {
  lua_Integer p = mlsh_opt_int(L, oi, "panel", 1, fname);
  if (p < 1 || p > f->rows * f->cols) mlsh_error(L, fname, "option 'panel' must be between 1 and %d (got %lld)", f->rows * f->cols, (long long)p);
  return (int)p - 1;
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

static uint32_t marker_opt(lua_State *L, int oi, const char *fname) {
  const char *s = mlsh_opt_str(L, oi, "marker", NULL, fname);
  uint32_t cp = 0;
  if (s && *s) utf8_decode(s, &cp);
  return cp;
}

static void label_opt(lua_State *L, int oi, plot_layer *l, const char *fname) {
  const char *s = mlsh_opt_str(L, oi, "label", NULL, fname);
  mlsh_err err;
  if (s) check_rc(L, fname, plot_set_str(&l->label, s, &err), &err);
}

/* Add a layer whose arrays are copied from consecutive vector arguments. */
static plot_layer *add_arrays(lua_State *L, lchart *c, int first, int narr, const char *slots, plot_kind kind,
                              int oi, const char *fname, const char *const *argnames) {
  const double *v[4];
  size_t n = 0;
  for (int k = 0; k < narr; k++) {
    size_t nk;
    v[k] = vec_arg(L, first + k, fname, argnames[k], &nk);
    if (k > 0 && nk != n) mlsh_error(L, fname, "arguments '%s' and '%s' have different lengths (%zu and %zu)", argnames[0], argnames[k], n, nk);
    n = nk;
  }
  mlsh_err err;
  plot_layer *l = fig_add_layer(c->fig, panel_opt(L, oi, c->fig, fname), kind, n, slots, &err);
  if (!l) mlsh_fail(L, fname, MLSH_ENOMEM, &err);
  for (int k = 0; k < narr; k++) {
    double *dst = slots[k] == 'x' ? l->x : slots[k] == 'y' ? l->y : slots[k] == 'X' ? l->x2 : l->y2;
    memcpy(dst, v[k], n * sizeof(double));
  }
  l->color = color_opt(L, oi, fname);
  label_opt(L, oi, l, fname);
  return l;
}

static int l_points(lua_State *L) {
  static const char *const known[] = {"panel", "color", "marker", "label", NULL};
  static const char *const names[] = {"x", "y"};
  lchart *c = check_chart(L, 1, "Chart:points");
  mlsh_opt_check(L, 4, "Chart:points", known);
  plot_layer *l = add_arrays(L, c, 2, 2, "xy", PLOT_POINTS, 4, "Chart:points", names);
  l->marker = marker_opt(L, 4, "Chart:points");
  lua_settop(L, 1);
  return 1;
}

static int l_lines(lua_State *L) {
  static const char *const known[] = {"panel", "color", "marker", "label", "dash", "arrow", NULL};
  static const char *const names[] = {"x", "y"};
  lchart *c = check_chart(L, 1, "Chart:lines");
  mlsh_opt_check(L, 4, "Chart:lines", known);
  plot_layer *l = add_arrays(L, c, 2, 2, "xy", PLOT_LINES, 4, "Chart:lines", names);
  l->marker = marker_opt(L, 4, "Chart:lines");
  l->dashed = mlsh_opt_bool(L, 4, "dash", 0, "Chart:lines");
  l->arrow = mlsh_opt_bool(L, 4, "arrow", 0, "Chart:lines");
  lua_settop(L, 1);
  return 1;
}

static int l_rects(lua_State *L) {
  static const char *const known[] = {"panel", "color", "label", "fill", "horizontal", NULL};
  static const char *const names[] = {"x0", "y0", "x1", "y1"};
  lchart *c = check_chart(L, 1, "Chart:rects");
  mlsh_opt_check(L, 6, "Chart:rects", known);
  plot_layer *l = add_arrays(L, c, 2, 4, "xyXY", PLOT_RECTS, 6, "Chart:rects", names);
  l->fill = mlsh_opt_bool(L, 6, "fill", 1, "Chart:rects");
  l->horizontal = mlsh_opt_bool(L, 6, "horizontal", 0, "Chart:rects");
  lua_settop(L, 1);
  return 1;
}

static int l_band(lua_State *L) {
  static const char *const known[] = {"panel", "color", "label", "shade", NULL};
  static const char *const names[] = {"x", "lower", "upper"};
  lchart *c = check_chart(L, 1, "Chart:band");
  mlsh_opt_check(L, 5, "Chart:band", known);
  plot_layer *l = add_arrays(L, c, 2, 3, "xyY", PLOT_BAND, 5, "Chart:band", names);
  l->shade = (int)mlsh_opt_int(L, 5, "shade", 1, "Chart:band");
  lua_settop(L, 1);
  return 1;
}

static int l_text(lua_State *L) {
  static const char *const known[] = {"panel", "color", "anchor", NULL};
  static const char *const names[] = {"x", "y"};
  static const char *const anchors[] = {"left", "center", "right", NULL};
  const char *fname = "Chart:text";
  lchart *c = check_chart(L, 1, fname);
  mlsh_opt_check(L, 5, fname, known);
  if (!lua_istable(L, 4)) mlsh_error(L, fname, "argument 'labels' must be an array of strings (got %s)", mlsh_typename(L, 4));
  plot_layer *l = add_arrays(L, c, 2, 2, "xyt", PLOT_TEXT, 5, fname, names);
  l->anchor = mlsh_opt_enum(L, 5, "anchor", "left", anchors, fname) - 1;
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
  static const char *const known[] = {"panel", "annot", "cmap", "vmin", "vmax", "colorbar", NULL};
  static const char *const cmaps[] = {"seq", "div", "confusion", NULL};
  const char *fname = "Chart:heatmap";
  lchart *c = check_chart(L, 1, fname);
  mlsh_opt_check(L, 3, fname, known);
  mlsh_mat *m = lmat_checklike(L, 2, fname, "M");
  mlsh_err err;
  plot_layer *l = fig_add_layer(c->fig, panel_opt(L, 3, c->fig, fname), PLOT_HEAT, MAT_LEN(m), "y", &err);
  if (!l) mlsh_fail(L, fname, MLSH_ENOMEM, &err);
  if (MAT_LEN(m) > 0) memcpy(l->y, m->data, MAT_LEN(m) * sizeof(double));
  l->hrows = m->rows;
  l->hcols = m->cols;
  l->cmap = (plot_cmap)mlsh_opt_enum(L, 3, "cmap", "seq", cmaps, fname);
  l->vmin = mlsh_opt_num(L, 3, "vmin", NAN, fname);
  l->vmax = mlsh_opt_num(L, 3, "vmax", NAN, fname);
  c->fig->panels[panel_opt(L, 3, c->fig, fname)].colorbar = mlsh_opt_bool(L, 3, "colorbar", 1, fname);
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
  static const char *const known[] = {"panel", NULL};
  const char *fname = "Chart:image";
  lchart *c = check_chart(L, 1, fname);
  mlsh_opt_check(L, 3, fname, known);
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
  plot_layer *l = fig_add_layer(c->fig, panel_opt(L, 3, c->fig, fname), PLOT_IMAGE, 0, "", &err);
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

static int l_axes(lua_State *L) {
  static const char *const known[] = {"panel", "title", "xlabel", "ylabel", "xlim", "ylim", "xlog", "ylog", "xnames",
                                      "ynames", "equal", "yreverse", "xhidden", "yhidden", NULL};
  const char *fname = "Chart:axes";
  lchart *c = check_chart(L, 1, fname);
  mlsh_opt_check(L, 2, fname, known);
  plot_panel *p = &c->fig->panels[panel_opt(L, 2, c->fig, fname)];
  mlsh_err err;
  const char *s;
  if ((s = mlsh_opt_str(L, 2, "title", NULL, fname))) check_rc(L, fname, plot_set_str(&p->title, s, &err), &err);
  if ((s = mlsh_opt_str(L, 2, "xlabel", NULL, fname))) check_rc(L, fname, plot_set_str(&p->x.label, s, &err), &err);
  if ((s = mlsh_opt_str(L, 2, "ylabel", NULL, fname))) check_rc(L, fname, plot_set_str(&p->y.label, s, &err), &err);
  lim_opt(L, 2, "xlim", &p->x, fname);
  lim_opt(L, 2, "ylim", &p->y, fname);
  names_opt(L, 2, "xnames", &p->x, fname);
  names_opt(L, 2, "ynames", &p->y, fname);
  p->x.log = mlsh_opt_bool(L, 2, "xlog", p->x.log, fname);
  p->y.log = mlsh_opt_bool(L, 2, "ylog", p->y.log, fname);
  p->equal = mlsh_opt_bool(L, 2, "equal", p->equal, fname);
  p->y.reverse = mlsh_opt_bool(L, 2, "yreverse", p->y.reverse, fname);
  p->x.hidden = mlsh_opt_bool(L, 2, "xhidden", p->x.hidden, fname);
  p->y.hidden = mlsh_opt_bool(L, 2, "yhidden", p->y.hidden, fname);
  lua_settop(L, 1);
  return 1;
}

/* ---- output ---- */

/* Chart size in cells: options, else the figure's, else the terminal's
 * width and a height that leaves the prompt visible. */
static void chart_size(lua_State *L, int oi, const plot_fig *f, const mlsh_term *t, int *w, int *h, const char *fname) {
  int tw = t->cols < 20 ? 20 : t->cols > 2000 ? 2000 : t->cols;
  *w = (int)mlsh_opt_int(L, oi, "width", f->width > 0 ? f->width : tw, fname);
  int defh = t->rows - 3;
  if (defh > *w * 2 / 5) defh = *w * 2 / 5;
  if (defh < 12) defh = 12;
  *h = (int)mlsh_opt_int(L, oi, "height", f->height > 0 ? f->height : defh, fname);
  if (*w < 10 || *w > 2000 || *h < 3 || *h > 1000)
    mlsh_error(L, fname, "chart size %dx%d out of range (width 10..2000, height 3..1000)", *w, *h);
}

static void push_text(lua_State *L, const plot_fig *f, int w, int h, plot_style st, const char *fname) {
  plot_buf b = {0};
  mlsh_err err;
  int rc = fig_render_text(f, w, h, st, &b, &err);
  if (rc) { pbuf_free(&b); mlsh_fail(L, fname, rc, &err); }
  lua_pushlstring(L, b.s ? b.s : "", b.len);
  pbuf_free(&b);
}

static plot_style term_style(const mlsh_term *t) {
  plot_style st = {t->color, t->unicode};
  return st;
}

static int l_render(lua_State *L) {
  static const char *const known[] = {"width", "height", "color", "ascii", NULL};
  static const char *const colors[] = {"none", "256", "truecolor", NULL};
  const char *fname = "Chart:render";
  lchart *c = check_chart(L, 1, fname);
  mlsh_opt_check(L, 2, fname, known);
  mlsh_term t;
  mlsh_term_query(&t);
  int w, h;
  chart_size(L, 2, c->fig, &t, &w, &h, fname);
  plot_style st = {mlsh_opt_enum(L, 2, "color", "none", colors, fname), !mlsh_opt_bool(L, 2, "ascii", !t.unicode, fname)};
  push_text(L, c->fig, w, h, st, fname);
  return 1;
}

static int l_tostring(lua_State *L) {
  lchart *c = check_chart(L, 1, "Chart:__tostring");
  mlsh_term t;
  mlsh_term_query(&t);
  int w, h;
  chart_size(L, 2, c->fig, &t, &w, &h, "Chart:__tostring");
  push_text(L, c->fig, w, h, term_style(&t), "Chart:__tostring");
  /* drop the final newline: print() adds one */
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  if (len && s[len - 1] == '\n') lua_pushlstring(L, s, len - 1);
  return 1;
}

static int l_show(lua_State *L) {
  static const char *const known[] = {"width", "height", NULL};
  lchart *c = check_chart(L, 1, "Chart:show");
  mlsh_opt_check(L, 2, "Chart:show", known);
  mlsh_term t;
  mlsh_term_query(&t);
  int w, h;
  chart_size(L, 2, c->fig, &t, &w, &h, "Chart:show");
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
  static const char *const known[] = {"width", "height", NULL};
  lchart *c = check_chart(L, 1, "Chart:svg");
  mlsh_opt_check(L, 2, "Chart:svg", known);
  int w = (int)mlsh_opt_int(L, 2, "width", 0, "Chart:svg"), h = (int)mlsh_opt_int(L, 2, "height", 0, "Chart:svg");
  if (w < 0 || w > 20000 || h < 0 || h > 20000) mlsh_error(L, "Chart:svg", "SVG size %dx%d out of range", w, h);
  plot_buf b = {0};
  mlsh_err err;
  int rc = fig_svg(c->fig, w, h, 1, "", &b, &err);
  if (rc) { pbuf_free(&b); mlsh_fail(L, "Chart:svg", rc, &err); }
  lua_pushlstring(L, b.s, b.len);
  pbuf_free(&b);
  return 1;
}

static int l_save(lua_State *L) {
  static const char *const known[] = {"width", "height", NULL};
  const char *fname = "Chart:save";
  lchart *c = check_chart(L, 1, fname);
  const char *path = luaL_checkstring(L, 2);
  mlsh_opt_check(L, 3, fname, known);
  plot_buf b = {0};
  mlsh_err err;
  int rc;
  if (ends_with(path, ".svg")) {
    int w = (int)mlsh_opt_int(L, 3, "width", 0, fname), h = (int)mlsh_opt_int(L, 3, "height", 0, fname);
    if (w < 0 || w > 20000 || h < 0 || h > 20000) mlsh_error(L, fname, "SVG size %dx%d out of range", w, h);
    rc = fig_svg(c->fig, w, h, 1, "", &b, &err);
  } else if (ends_with(path, ".txt")) {
    mlsh_term t;
    mlsh_term_query(&t);
    int w, h;
    chart_size(L, 3, c->fig, &t, &w, &h, fname);
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

static int l_figure(lua_State *L) {
  static const char *const known[] = {"title", "rows", "cols", "width", "height", NULL};
  const char *fname = "plot.figure";
  mlsh_opt_check(L, 1, fname, known);
  int rows = (int)mlsh_opt_int(L, 1, "rows", 1, fname), cols = (int)mlsh_opt_int(L, 1, "cols", 1, fname);
  if (rows < 1 || cols < 1 || rows * cols > 400) mlsh_error(L, fname, "options 'rows' x 'cols' must be between 1 and 400 panels (got %dx%d)", rows, cols);
  int w = (int)mlsh_opt_int(L, 1, "width", 0, fname), h = (int)mlsh_opt_int(L, 1, "height", 0, fname);
  if (w < 0 || h < 0 || (w && w < 10) || (h && h < 3) || w > 2000 || h > 1000)
    mlsh_error(L, fname, "option width/height out of range (width 10..2000, height 3..1000; got %dx%d)", w, h);
  const char *title = mlsh_opt_str(L, 1, "title", NULL, fname);
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

static int l_dashboard(lua_State *L) {
  static const char *const known[] = {"title", "tabs", NULL};
  const char *fname = "plot.dashboard";
  if (!lua_istable(L, 1)) mlsh_error(L, fname, "argument must be a table {title=, tabs={{\"name\", chart}, ...}} (got %s)", mlsh_typename(L, 1));
  mlsh_opt_check(L, 1, fname, known);
  const char *title = mlsh_opt_str(L, 1, "title", "mlsh dashboard", fname);
  if (lua_getfield(L, 1, "tabs") != LUA_TTABLE || lua_rawlen(L, -1) == 0)
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
    lua_settop(L, 1);
    chart_size(L, 2, d->figs[0], &t, &w, &h, fname);
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
  const char *path = luaL_checkstring(L, 2);
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
  const char *fname = luaL_optstring(L, 2, "plot"), *arg = luaL_optstring(L, 3, "x");
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
  double t = luaL_checknumber(L, 1);
  int m = luaL_checkoption(L, 2, "seq", cmaps);
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
   "Example: c:axes{title=\"Iris\", xlabel=\"PC1\", ylim={-3, 3}}"},
  {"points", l_points, "chart:points(x, y, {panel=, color=, marker=, label=})",
   "Adds points (braille dots in the terminal; marker = a glyph such as \"x\" draws that instead).\n"
   "color: \"#rrggbb\", a name (\"red\") or a palette index; label: a legend entry. Returns the chart.\n"
   "Example: c:points({1, 2, 3}, {2, 4, 3}, {label=\"obs\"})"},
  {"lines", l_lines, "chart:lines(x, y, {panel=, color=, marker=, label=, dash=false, arrow=false})",
   "Adds a polyline through (x, y); a NaN breaks it into pieces; arrow draws a head at each piece's end.\n"
   "Returns the chart.\nExample: c:lines({0, 1, 2}, {0, 1, 4}, {color=\"red\", dash=true})"},
  {"rects", l_rects, "chart:rects(x0, y0, x1, y1, {panel=, color=, label=, fill=true, horizontal=false})",
   "Adds rectangles [x0,x1] x [y0,y1] (bars; fill=false draws outlines). horizontal puts the partial\n"
   "blocks at the right end (horizontal bars). Returns the chart.\nExample: c:rects({0.6}, {0}, {1.4}, {5})"},
  {"band", l_band, "chart:band(x, lower, upper, {panel=, color=, label=, shade=1})",
   "Adds a filled band between lower and upper along x (intervals); shade 1 light, 2 darker.\n"
   "Returns the chart.\nExample: c:band({1, 2, 3}, {0, 1, 1}, {2, 3, 4}, {label=\"95%\"})"},
  {"text", l_text, "chart:text(x, y, labels, {panel=, color=, anchor=\"left\"})",
   "Adds text labels at (x, y); anchor \"left\" (text starts right of the point), \"center\", \"right\".\n"
   "Returns the chart.\nExample: c:text({1}, {2}, {\"peak\"})"},
  {"heatmap", l_heatmap, "chart:heatmap(M, {panel=, annot=, cmap=\"seq\", vmin=, vmax=, colorbar=true})",
   "Adds a heat map of matrix M (row 1 at the top; cells at x = 1..cols, y = 1..rows). annot: rows*cols\n"
   "strings (row-major, \"\\n\" for two lines); cmap \"seq\" (viridis), \"div\" (blue-white-red),\n"
   "\"confusion\" (green diagonal, red elsewhere). Returns the chart.\nExample: c:heatmap({{1, 2}, {3, 4}})"},
  {"image", l_image, "chart:image(img, {panel=})",
   "Adds an RGB image filling the panel (an Image from image.load, or {width=, height=, pixels=}).\n"
   "Returns the chart.\nExample: c:image(image.load(\"rose.jpg\"))"},
  {"render", l_render, "chart:render{width=, height=, color=\"none\", ascii=false}",
   "Returns the chart as text at the given size (default: the terminal's); color \"none\", \"256\" or\n"
   "\"truecolor\" adds ANSI colours; ascii uses pure ASCII.\nExample: s = c:render{width=60, height=20}"},
  {"show", l_show, "chart:show{width=, height=}",
   "Prints the chart sized to the terminal (colour only on a tty without NO_COLOR). Returns the chart.\n"
   "Example: plot.hist(x):show()"},
  {"svg", l_svg, "chart:svg{width=800, height=500}",
   "Returns the chart as an SVG document (vector: axes, ticks, legend, text).\nExample: s = c:svg()"},
  {"save", l_save, "chart:save(path, {width=, height=})",
   "Writes the chart: \"x.svg\" as vector SVG (size in pixels), \"x.txt\" as plain UTF-8 text (size in\n"
   "cells). Files are written atomically. Returns the chart.\nExample: c:save(\"elbow.svg\")"},
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
   "Example: c = plot.figure{title=\"Mine\"}:lines({1, 2, 3}, {1, 4, 9})"},
  {"dashboard", l_dashboard, "plot.dashboard{title=, tabs={{\"name\", chart}, ...}}",
   "Groups charts as tabs: dash:show() opens the full-screen viewer (or prints every tab when stdout\n"
   "is not a terminal), dash:save(\"report.html\") writes one self-contained HTML file.\n"
   "Example: plot.dashboard{title=\"Iris\", tabs={{\"PCA\", plot.biplot(p)}, {\"Tree\", plot.dendrogram(h)}}}:show()"},
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
