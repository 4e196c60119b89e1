/* report_format.c (activities): renders the annual report for people (HTML sections
 * with server-drawn SVG charts, which need no script and print as they show) and for
 * spreadsheets (CSV through the export module's guarded cells). */
#include "activities/report_format.h"
#include "activities/export.h"
#include "activities/pages_internal.h"
#include "web/i18n.h"
#include "web/svg.h"

#include <stdio.h>
#include <string.h>

static const struct section {
    const char *key, *title, *col;
} sections[] = {
    {"priorities", N_("By thematic priority"), N_("Thematic priority")},
    {"focus_areas", N_("By focus area"), N_("Focus area")},
    {"lines", N_("By line of action"), N_("Line of action")},
    {"organisations", N_("By organisation"), N_("Organisation")},
    {"countries", N_("By country"), N_("Country")},
    {"types", N_("By type of activity"), N_("Type")},
};

static const char *str(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* The row's name in lang. */
static const char *row_name(const json_t *row, const char *section, const char *lang)
{
    if (strcmp(section, "types") == 0) return actp_label(lang, str(row, "code"));
    if (strcmp(lang, "ru") == 0 && *str(row, "name_ru")) return str(row, "name_ru");
    return *str(row, "name") ? str(row, "name") : str(row, "code");
}

/* A count or share as text: numbers, suppressed strings as they are, "—" for null. */
static void value_text(const json_t *v, char out[static 32])
{
    if (json_is_integer(v))
        snprintf(out, 32, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(out, 32, "%.1f", json_real_value(v));
    else if (json_is_string(v))
        snprintf(out, 32, "%s", json_string_value(v));
    else
        snprintf(out, 32, "%s", "—");
}

static const char *const figure_keys[] = {"activities", "participants", "women", "men",
                                          "women_share"};

static void figure_cells(html *h, const json_t *row)
{
    for (size_t i = 0; i < sizeof figure_keys / sizeof figure_keys[0]; i++) {
        char t[32];
        value_text(json_object_get(row, figure_keys[i]), t);
        html_elem(h, "td", t, "class", "num", NULL);
    }
}

static void figure_heads(html *h, const char *lang)
{
    html_elem(h, "th", T(lang, "Activities"), "scope", "col", NULL);
    html_elem(h, "th", T(lang, "Participants"), "scope", "col", NULL);
    html_elem(h, "th", T(lang, "Women"), "scope", "col", NULL);
    html_elem(h, "th", T(lang, "Men"), "scope", "col", NULL);
    html_elem(h, "th", T(lang, "Women, %"), "scope", "col", NULL);
}

/* The bar chart of a section's activity counts (suppressed counts are left out). */
static void section_chart(html *h, const json_t *rows, const struct section *sec, const char *lang)
{
    size_t n = json_array_size(rows), k = 0;
    if (n == 0 || n > 60) return; /* a chart of more bars than a page holds says nothing */
    struct svg_item items[60];
    for (size_t i = 0; i < n; i++) {
        const json_t *row = json_array_get(rows, i);
        const json_t *v = json_object_get(row, "activities");
        if (!json_is_integer(v)) continue;
        items[k].label = row_name(row, sec->key, lang);
        items[k].value = json_integer_value(v);
        k++;
    }
    svg_bar_chart(h, T(lang, sec->title), items, k);
}

static void section_html(html *h, const json_t *report, const struct section *sec, const char *lang)
{
    const json_t *rows = json_object_get(report, sec->key);
    html_open(h, "section", "id", sec->key, "class", "report-section", NULL);
    html_elem(h, "h2", T(lang, sec->title), NULL);
    if (json_array_size(rows) == 0) {
        html_elem(h, "p", T(lang, "No activities."), "class", "empty", NULL);
        html_close(h, "section");
        return;
    }
    section_chart(h, rows, sec, lang);
    bool orgs = strcmp(sec->key, "organisations") == 0;
    html_open(h, "div", "class", "table-wrap", NULL);
    html_open(h, "table", "class", "report-table", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    html_elem(h, "th", T(lang, "Code"), "scope", "col", NULL);
    html_elem(h, "th", T(lang, sec->col), "scope", "col", NULL);
    if (orgs) html_elem(h, "th", T(lang, "Region"), "scope", "col", NULL);
    figure_heads(h, lang);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row)
    {
        html_open(h, "tr", NULL);
        html_elem(h, "td", str(row, "code"), NULL);
        html_elem(h, "th", row_name(row, sec->key, lang), "scope", "row", NULL);
        if (orgs) {
            const char *region =
                strcmp(lang, "ru") == 0 ? str(row, "region_name_ru") : str(row, "region_name");
            html_elem(h, "td", *region ? region : "—", NULL);
        }
        figure_cells(h, row);
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
    html_close(h, "div");
    html_close(h, "section");
}

void report_format_html(html *h, const json_t *report, const char *lang)
{
    const json_t *totals = json_object_get(report, "totals");
    html_open(h, "section", "id", "totals", "class", "report-section", NULL);
    html_elem(h, "h2", T(lang, "Totals"), NULL);
    html_open(h, "div", "class", "table-wrap", NULL);
    html_open(h, "table", "class", "report-table", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    figure_heads(h, lang);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    html_open(h, "tr", NULL);
    figure_cells(h, totals);
    html_close(h, "tr");
    html_close(h, "tbody");
    html_close(h, "table");
    html_close(h, "div");
    html_close(h, "section");

    const json_t *series = json_object_get(report, "series");
    html_open(h, "section", "id", "series", "class", "report-section", NULL);
    html_elem(h, "h2", T(lang, "Comparison with previous years"), NULL);
    struct svg_item points[8];
    char labels[8][16];
    size_t n = 0, i;
    const json_t *t;
    json_array_foreach(series, i, t)
    {
        if (n == 8) break;
        const json_t *v = json_object_get(t, "activities");
        snprintf(labels[n], sizeof labels[n], "%lld",
                 (long long)json_integer_value(json_object_get(t, "year")));
        points[n].label = labels[n];
        points[n].value = json_is_integer(v) ? json_integer_value(v) : 0;
        n++;
    }
    svg_line_chart(h, T(lang, "Activities per year"), points, n);
    html_open(h, "div", "class", "table-wrap", NULL);
    html_open(h, "table", "class", "report-table", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    html_elem(h, "th", T(lang, "Year"), "scope", "col", NULL);
    figure_heads(h, lang);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    json_array_foreach(series, i, t)
    {
        char y[32];
        value_text(json_object_get(t, "year"), y);
        html_open(h, "tr", NULL);
        html_elem(h, "th", y, "scope", "row", NULL);
        figure_cells(h, t);
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
    html_close(h, "div");
    html_close(h, "section");

    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++)
        section_html(h, report, &sections[s], lang);
}

static void csv_cell(buf *out, const char *text, bool last)
{
    export_csv_cell(out, text, strlen(text));
    buf_puts(out, last ? "\r\n" : ",");
}

static void csv_row(buf *out, const char *section, const char *code, const char *name,
                    const json_t *row)
{
    csv_cell(out, section, false);
    csv_cell(out, code, false);
    csv_cell(out, name, false);
    for (size_t i = 0; i < sizeof figure_keys / sizeof figure_keys[0]; i++) {
        char t[32];
        const json_t *v = json_object_get(row, figure_keys[i]);
        value_text(v, t);
        csv_cell(out, json_is_null(v) || !v ? "" : t,
                 i + 1 == sizeof figure_keys / sizeof figure_keys[0]);
    }
}

static void csv_header(buf *out)
{
    buf_puts(out, "section,code,name,activities,participants,women,men,women_share\r\n");
}

void report_format_csv(buf *out, const json_t *report)
{
    csv_header(out);
    csv_row(out, "totals", "", "", json_object_get(report, "totals"));
    buf_puts(out, "\r\n");
    csv_header(out);
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(report, "series"), i, t)
    {
        char y[32];
        value_text(json_object_get(t, "year"), y);
        csv_row(out, "series", y, y, t);
    }
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
        buf_puts(out, "\r\n");
        csv_header(out);
        const json_t *row;
        json_array_foreach(json_object_get(report, sections[s].key), i, row) csv_row(
            out, sections[s].key, str(row, "code"), row_name(row, sections[s].key, "en"), row);
    }
}
