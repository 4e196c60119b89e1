/* svg.c: the inline SVG charts of svg.h. Coordinates are integers in a fixed viewBox
 * that scales with the page; every text goes through the HTML builder's escaping. */
#include "web/svg.h"

#include <stdio.h>

enum { BAR_ROW = 22, BAR_LABEL_W = 260, BAR_W = 300, CHART_W = 640 };
enum { LINE_H = 200, LINE_TOP = 24, LINE_BOTTOM = 170, LINE_LEFT = 40, LINE_RIGHT = 600 };

static int64_t largest(const struct svg_item *items, size_t n)
{
    int64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (items[i].value > max) max = items[i].value;
    return max;
}

static void num(char out[static 24], int64_t v)
{
    snprintf(out, 24, "%lld", (long long)v);
}

void svg_bar_chart(html *h, const char *title, const struct svg_item *items, size_t n)
{
    if (n == 0) return;
    int64_t max = largest(items, n);
    char vb[64];
    snprintf(vb, sizeof vb, "0 0 %d %zu", CHART_W, n * BAR_ROW + 4);
    html_open(h, "svg", "xmlns", "http://www.w3.org/2000/svg", "viewBox", vb, "role", "img",
              "aria-label", title, "class", "chart chart-bar", NULL);
    html_elem(h, "title", title, NULL);
    for (size_t i = 0; i < n; i++) {
        int64_t v = items[i].value > 0 ? items[i].value : 0;
        int64_t w = max > 0 ? v * BAR_W / max : 0;
        char y[24], ty[24], width[24], tx[24], value[24], x[24];
        num(y, (int64_t)(i * BAR_ROW + 4));
        num(ty, (int64_t)(i * BAR_ROW + 18));
        num(x, BAR_LABEL_W);
        num(width, w > 0 ? w : 1);
        num(tx, BAR_LABEL_W + w + 6);
        num(value, v);
        html_elem(h, "text", items[i].label, "x", "0", "y", ty, "class", "chart-label", NULL);
        html_open(h, "rect", "x", x, "y", y, "width", width, "height", "16", "fill", "#2b5d8a",
                  "class", "chart-bar-rect", NULL);
        html_elem(h, "title", items[i].label, NULL);
        html_close(h, "rect");
        html_elem(h, "text", value, "x", tx, "y", ty, "class", "chart-value", NULL);
    }
    html_close(h, "svg");
}

void svg_line_chart(html *h, const char *title, const struct svg_item *points, size_t n)
{
    if (n == 0) return;
    int64_t max = largest(points, n);
    char vb[64];
    snprintf(vb, sizeof vb, "0 0 %d %d", CHART_W, LINE_H);
    html_open(h, "svg", "xmlns", "http://www.w3.org/2000/svg", "viewBox", vb, "role", "img",
              "aria-label", title, "class", "chart chart-line", NULL);
    html_elem(h, "title", title, NULL);
    char x0[24], y0[24], x1[24];
    num(x0, LINE_LEFT);
    num(y0, LINE_BOTTOM);
    num(x1, LINE_RIGHT);
    html_open(h, "line", "x1", x0, "y1", y0, "x2", x1, "y2", y0, "stroke", "#666", NULL);
    html_close(h, "line"); /* foreign content: an unclosed tag would swallow the rest */
    buf pts = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        int64_t v = points[i].value > 0 ? points[i].value : 0;
        int64_t x = n > 1 ? LINE_LEFT + (int64_t)i * (LINE_RIGHT - LINE_LEFT) / (int64_t)(n - 1)
                          : (LINE_LEFT + LINE_RIGHT) / 2;
        int64_t y = LINE_BOTTOM - (max > 0 ? v * (LINE_BOTTOM - LINE_TOP) / max : 0);
        buf_printf(&pts, "%s%lld,%lld", i ? " " : "", (long long)x, (long long)y);
    }
    html_open(h, "polyline", "points", buf_str(&pts), "fill", "none", "stroke", "#2b5d8a",
              "stroke-width", "2", "class", "chart-line-path", NULL);
    html_close(h, "polyline");
    buf_free(&pts);
    for (size_t i = 0; i < n; i++) {
        int64_t v = points[i].value > 0 ? points[i].value : 0;
        int64_t x = n > 1 ? LINE_LEFT + (int64_t)i * (LINE_RIGHT - LINE_LEFT) / (int64_t)(n - 1)
                          : (LINE_LEFT + LINE_RIGHT) / 2;
        int64_t y = LINE_BOTTOM - (max > 0 ? v * (LINE_BOTTOM - LINE_TOP) / max : 0);
        char cx[24], cy[24], ly[24], vy[24], value[24];
        num(cx, x);
        num(cy, y);
        num(ly, LINE_BOTTOM + 20);
        num(vy, y - 8);
        num(value, v);
        html_open(h, "circle", "cx", cx, "cy", cy, "r", "4", "fill", "#2b5d8a", NULL);
        html_close(h, "circle");
        html_elem(h, "text", value, "x", cx, "y", vy, "text-anchor", "middle", "class",
                  "chart-value", NULL);
        html_elem(h, "text", points[i].label, "x", cx, "y", ly, "text-anchor", "middle", "class",
                  "chart-label", NULL);
    }
    html_close(h, "svg");
}
