/* svg.h: charts drawn by the server as inline SVG through the escaping HTML builder, so
 * pages and printed reports show them without script. Shapes carry classes and
 * presentation attributes only (the CSP allows no inline style). */
#ifndef POLIS_SVG_H
#define POLIS_SVG_H

#include "web/html.h"

#include <stddef.h>
#include <stdint.h>

struct svg_item {
    const char *label; /* escaped on output */
    int64_t value;     /* negative values are drawn as 0 */
};

/* A horizontal bar chart of n items, one labelled bar each, the value at its end;
 * title is the accessible name (role="img", aria-label). Nothing for n == 0. */
void svg_bar_chart(html *h, const char *title, const struct svg_item *items, size_t n);

/* A line chart of n points (e.g. years) from left to right, with labels under the
 * x axis and the values above the points. Nothing for n == 0. */
void svg_line_chart(html *h, const char *title, const struct svg_item *points, size_t n);

#endif
