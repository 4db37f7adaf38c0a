/* test_plot.c - the chart core: nice ticks, UTF-8 widths, canvas dots and
 * text, rendering without escape codes in plain mode, SVG well-formedness
 * basics, bad sizes, and every allocation failure path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ctest.h"
#include "../../src/core/alloc.h"
#include "../../src/plot/layout.h"
#include "../../src/plot/figure.h"
#include "../../src/plot/dash.h"
#include "../../src/plot/thumb.h"

static void test_ticks(void) {
  double v[64], step;
  int n = nice_ticks(0, 10, 6, 0, v, &step);
  CHECK(n == 6);
  CHECK_NEAR(step, 2, 0);
  CHECK_NEAR(v[0], 0, 0);
  CHECK_NEAR(v[5], 10, 1e-12);
  n = nice_ticks(-0.23, 0.91, 5, 0, v, &step);   /* 1-2-5 steps: 0.2 or 0.5 */
  CHECK(step == 0.2 || step == 0.5);
  CHECK(v[0] >= -0.23 && v[n - 1] <= 0.91);
  n = nice_ticks(1, 1000, 10, 1, v, &step);        /* log: decades */
  CHECK(n == 4);
  CHECK_NEAR(v[3], 1000, 1e-9);
  char buf[32];
  tick_label(buf, sizeof buf, 0.30000000000000004, 0.1, 0);
  CHECK(strcmp(buf, "0.3") == 0);
  tick_label(buf, sizeof buf, -1e-17, 0.5, 0);
  CHECK(strcmp(buf, "0") == 0);
  tick_label(buf, sizeof buf, 2500, 500, 0);
  CHECK(strcmp(buf, "2500") == 0);
}

static void test_utf8(void) {
  CHECK(text_width("abc") == 3);
  CHECK(text_width("\xc3\xa9t\xc3\xa9") == 3);             /* été */
  CHECK(text_width("\xe6\x97\xa5\xe6\x9c\xac") == 4);       /* 日本: wide */
  CHECK(text_fit("\xe6\x97\xa5\xe6\x9c\xac", 3) == 3);      /* one wide char fits in 3 */
  CHECK(cp_ascii(0x2800) == ' ');
  CHECK(cp_ascii(0x2800 | 0x01 | 0x40) == ':');
  CHECK(cp_ascii(0x2588) == '#');
  CHECK(rgb_to_256(0xFF0000) == 196);
  CHECK(rgb_to_256(0x000000) == 16);
}

static void test_canvas(void) {
  plot_canvas c;
  mlsh_err err;
  CHECK(canvas_init(&c, 0, 5, &err) == MLSH_EINVAL);
  CHECK(canvas_init(&c, 4, 2, &err) == MLSH_OK);
  canvas_dot(&c, 0, 0, PLOT_NOCOLOR);
  canvas_dot(&c, 1, 3, PLOT_NOCOLOR);
  CHECK(canvas_at(&c, 0, 0)->ch == (0x2800 | 0x01 | 0x80));
  canvas_dot(&c, -1, 0, PLOT_NOCOLOR);        /* outside: ignored */
  canvas_dot(&c, 100, 100, PLOT_NOCOLOR);
  CHECK(canvas_text(&c, 1, 1, "\xe6\x97\xa5x", 0xFF0000, 0) == 3);
  CHECK(canvas_at(&c, 2, 1)->ch == PLOT_WIDE_TAIL);
  plot_buf b = {0};
  plot_style plain = {0, 1}, color = {2, 1};
  canvas_render(&c, plain, &b);
  CHECK(b.s && strchr(b.s, 0x1b) == NULL);
  CHECK(strcmp(b.s, "\xe2\xa2\x81\n \xe6\x97\xa5x\n") == 0);
  pbuf_free(&b);
  canvas_render(&c, color, &b);
  CHECK(b.s && strstr(b.s, "\x1b[38;2;255;0;0m") != NULL);
  pbuf_free(&b);
  canvas_free(&c);
}

static plot_fig *sample_fig(mlsh_err *err) {
  plot_fig *f;
  if (fig_new(&f, 1, 2, err)) return NULL;
  plot_set_str(&f->title, "Sample <&>", err);
  plot_layer *l = fig_add_layer(f, 0, PLOT_POINTS, 50, "xy", err);
  if (!l) { fig_free(f); return NULL; }
  for (int i = 0; i < 50; i++) { l->x[i] = i; l->y[i] = sin(i / 5.0); }
  plot_set_str(&l->label, "sin", err);
  l = fig_add_layer(f, 0, PLOT_LINES, 3, "xy", err);
  if (!l) { fig_free(f); return NULL; }
  l->x[0] = 0; l->y[0] = 0; l->x[1] = NAN; l->y[1] = NAN; l->x[2] = 10; l->y[2] = 1;
  l = fig_add_layer(f, 1, PLOT_HEAT, 4, "y", err);
  if (!l) { fig_free(f); return NULL; }
  l->hrows = l->hcols = 2;
  for (int i = 0; i < 4; i++) l->y[i] = i;
  f->panels[1].colorbar = 1;
  f->panels[1].y.reverse = 1;
  return f;
}

static void test_render(void) {
  mlsh_err err;
  plot_fig *f = sample_fig(&err);
  CHECK(f != NULL);
  if (!f) return;
  plot_buf b = {0};
  plot_style plain = {0, 1}, ascii = {0, 0};
  CHECK(fig_render_text(f, 60, 16, plain, &b, &err) == MLSH_OK);
  CHECK(b.s && strchr(b.s, 0x1b) == NULL && strstr(b.s, "Sample") && strstr(b.s, "sin"));
  int lines = 0;
  for (const char *p = b.s; *p; p++) lines += *p == '\n';
  CHECK(lines == 16);
  pbuf_free(&b);
  CHECK(fig_render_text(f, 60, 16, ascii, &b, &err) == MLSH_OK);
  int pure = 1;
  for (const char *p = b.s; *p; p++) if ((unsigned char)*p >= 0x80) pure = 0;
  CHECK(pure);
  pbuf_free(&b);
  /* tiny sizes draw what fits, never crash */
  CHECK(fig_render_text(f, 1, 1, plain, &b, &err) == MLSH_OK);
  pbuf_free(&b);
  CHECK(fig_svg(f, 0, 0, 1, "", &b, &err) == MLSH_OK);
  CHECK(strncmp(b.s, "<?xml", 5) == 0 && strstr(b.s, "</svg>") && strstr(b.s, "Sample &lt;&amp;&gt;"));
  CHECK(strstr(b.s, "<&>") == NULL);
  pbuf_free(&b);
  fig_free(f);
}

static int inside(plot_box outer, double x, double y, double w, double h) {
  return x >= outer.x - 1e-9 && y >= outer.y - 1e-9 && x + w <= outer.x + outer.w + 1e-9 && y + h <= outer.y + outer.h + 1e-9;
}

/* One layout for both back ends: at every size the plot area, the legend
 * rows and the shown x labels stay inside the panel, and no two shown x
 * labels touch. */
static void test_layout(void) {
  mlsh_err err;
  plot_fig *f;
  CHECK(fig_new(&f, 1, 1, &err) == MLSH_OK);
  if (!f) return;
  static const char *const labels[3] = {"a rather long first label", "second", "the third one"};
  for (int s = 0; s < 3; s++) {
    plot_layer *l = fig_add_layer(f, 0, PLOT_LINES, 40, "xy", &err);
    if (!l) { fig_free(f); CHECK(0); return; }
    for (int i = 0; i < 40; i++) { l->x[i] = 1000 + i * 25.0; l->y[i] = s * cos(i / 3.0); }
    plot_set_str(&l->label, labels[s], &err);
  }
  plot_set_str(&f->panels[0].title, "Title", &err);
  plot_set_str(&f->panels[0].x.label, "x", &err);
  plot_set_str(&f->panels[0].y.label, "y", &err);
  const plot_metrics *ms[2] = {&plot_term_metrics, &plot_svg_metrics};
  static const double sizes[2][4][2] = {{{30, 10}, {60, 20}, {100, 30}, {200, 60}}, {{200, 150}, {300, 800}, {800, 500}, {1600, 400}}};
  int bad = 0, drawn = 0;
  for (int b = 0; b < 2; b++)
    for (int k = 0; k < 4; k++) {
      plot_layout L;
      plot_box pa = layout_grid_cell(f, ms[b], sizes[b][k][0], sizes[b][k][1], 0, 0);
      layout_panel(&L, &f->panels[0], pa, ms[b]);
      if (!L.ok) continue;
      drawn++;
      bad += !inside(pa, L.area.x, L.area.y, L.area.w, L.area.h);
      for (int i = 0; i < L.nlegend; i++) bad += !inside(pa, L.legend[i].x, L.legend[i].y, 0, ms[b]->legend_row_h);
      double prev = -INFINITY;
      for (int i = 0; i < L.nx; i++) {
        if (!L.xt[i].shown) continue;
        bad += !inside(pa, L.xt[i].left, L.xticks_y, L.xt[i].w, ms[b]->xticks_h) || L.xt[i].left < prev + ms[b]->xtick_gap;
        prev = L.xt[i].left + L.xt[i].w;
      }
      bad += L.nx < 2;
    }
  CHECK(drawn == 8);
  CHECK(bad == 0);
  fig_free(f);
}

static void test_dash(void) {
  mlsh_err err;
  plot_fig *f = sample_fig(&err);
  if (!f) { CHECK(0); return; }
  const char *names[2] = {"One tab", "Two/tab"};
  const plot_fig *figs[2] = {f, f};
  plot_dash d = {"My Report", 2, names, figs};
  char name[64];
  dash_svg_name(&d, 1, name, sizeof name);
  CHECK(strcmp(name, "my_report-two_tab.svg") == 0);
  plot_buf b = {0};
  CHECK(dash_html(&d, &b, &err) == MLSH_OK);
  CHECK(strstr(b.s, "<!DOCTYPE html>") && strstr(b.s, "<script>") && strstr(b.s, "id=\"t2c0\""));
  CHECK(strstr(b.s, "http://") == NULL || strstr(b.s, "xmlns=\"http://www.w3.org/2000/svg\""));
  pbuf_free(&b);
  plot_style plain = {0, 1};
  CHECK(dash_text(&d, 50, 10, plain, &b, &err) == MLSH_OK);
  CHECK(strstr(b.s, "== My Report: Two/tab (2/2) ==") != NULL);
  pbuf_free(&b);
  fig_free(f);
}

static void test_png(void) {
  unsigned char px[2 * 2 * 3] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
  mlsh_image im = {2, 2, px}, th;
  mlsh_err err;
  plot_buf b = {0};
  CHECK(thumb_jpeg_datauri(&im, 85, &b, &err) == MLSH_OK);
  CHECK(strncmp(b.s, "data:image/jpeg;base64,/9j/", 27) == 0);   /* the JPEG SOI marker */
  pbuf_free(&b);
  CHECK(thumb_make(&im, 1, &th, &err) == MLSH_OK);
  CHECK(th.width == 1 && th.height == 1);
  CHECK(th.rgb[0] == (255 + 0 + 0 + 255) / 4);
  mlsh_free(th.rgb);
}

/* Fail the k-th allocation for every k: each path must return an error
 * (or succeed) without leaking; ASan checks the leaks. */
static void test_alloc_failures(void) {
  int ok = 1;
  for (long k = 1; k < 400; k++) {
    mlsh_err err;
    mlsh_alloc_fail_after(k);
    plot_fig *f = sample_fig(&err);
    if (f) {
      plot_buf b = {0};
      plot_style plain = {0, 1};
      int rc = fig_render_text(f, 40, 12, plain, &b, &err);
      if (rc != MLSH_OK && rc != MLSH_ENOMEM) ok = 0;
      pbuf_free(&b);
      rc = fig_svg(f, 0, 0, 1, "", &b, &err);
      if (rc != MLSH_OK && rc != MLSH_ENOMEM) ok = 0;
      pbuf_free(&b);
      fig_free(f);
    }
  }
  mlsh_alloc_fail_after(0);
  CHECK(ok);
}

int main(void) {
  RUN(test_ticks);
  RUN(test_utf8);
  RUN(test_canvas);
  RUN(test_render);
  RUN(test_layout);
  RUN(test_dash);
  RUN(test_png);
  RUN(test_alloc_failures);
  CTEST_DONE();
}
