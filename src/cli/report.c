/* report.c (cli): `polis report annual` writes the annual report on police-related
 * activities of one year as a standalone printable HTML page (styles inlined, no script),
 * JSON or CSV: the same figures as GET /api/v1/reports/annual. */
#include "activities/report.h"
#include "activities/report_format.h"
#include "cli/cli.h"
#include "core/embed.h"
#include "core/text.h"
#include "web/i18n.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: polis report annual --db FILE --year YYYY [--format html|json|csv]\n"
    "       [--suppress [N]] [--lang en|ru] [--out FILE]\n"
    "\n"
    "Writes the annual report of YYYY (1990..2100): activities whose planned period touches\n"
    "the year, by thematic priority, focus area, line of action, organisation, country and\n"
    "type, with participants, the share of women and the four previous years. html (the\n"
    "default) is a standalone printable page, json the API's document, csv one block per\n"
    "section. --suppress shows counts below N (default $POLIS_REPORT_MIN_COUNT or 5) as \"<N\",\n"
    "for publication. FILE is replaced; without --out the report goes to stdout.\n"
    "Environment: POLIS_DB. Exit codes: 0 done, 1 failed, 2 usage, 4 input refused.\n";

/* Writes len bytes to path (replaced) or to stdout when path is NULL. */
static int write_out(const char *path, const char *data, size_t len, p_error *err)
{
    FILE *fp = path ? fopen(path, "wb") : stdout;
    if (!fp) return p_fail(err, P_EIO, "out", "cannot open %s for writing", path);
    bool ok = fwrite(data, 1, len, fp) == len;
    ok = (path ? fclose(fp) == 0 : fflush(fp) == 0) && ok;
    if (!ok) return p_fail(err, P_EIO, "out", "cannot write %s", path ? path : "stdout");
    return P_OK;
}

/* A standalone page: the embedded stylesheet inlined (trusted, ours; refused if it could
 * close the <style> element), then the report's sections. */
static void standalone_html(html *h, const json_t *report, const char *lang)
{
    int year = (int)json_integer_value(json_object_get(report, "year"));
    char title[128];
    snprintf(title, sizeof title, "%s %d", T(lang, "Annual report"), year);
    HTML_LITERAL(h, "<!DOCTYPE html>\n");
    html_open(h, "html", "lang", lang, NULL);
    html_open(h, "head", NULL);
    html_void(h, "meta", "charset", "utf-8", NULL);
    html_elem(h, "title", title, NULL);
    const struct embed_file *css = embed_find(asset_files, "app.css");
    if (css && !memmem(css->data, css->size, "</", 2)) {
        HTML_LITERAL(h, "<style>\n");
        buf_append(&h->b, (const char *)css->data, css->size);
        HTML_LITERAL(h, "</style>\n");
    }
    html_close(h, "head");
    html_open(h, "body", NULL);
    html_open(h, "main", "class", "report", NULL);
    html_elem(h, "h1", title, NULL);
    report_format_html(h, report, lang);
    html_close(h, "main");
    html_close(h, "body");
    html_close(h, "html");
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},     {"year", required_argument, 0, 'y'},
        {"format", required_argument, 0, 'f'}, {"suppress", optional_argument, 0, 's'},
        {"lang", required_argument, 0, 'l'},   {"out", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *db = NULL, *out = NULL, *year_text = NULL, *format = "html", *lang = "en";
    int threshold = 0, c;
    int64_t n;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'y':
            year_text = optarg;
            break;
        case 'f':
            format = optarg;
            break;
        case 'l':
            lang = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 's':
            if (!optarg) {
                threshold = report_min_count();
            } else if (text_parse_int64(optarg, 1, 1000000, &n)) {
                threshold = (int)n;
            } else {
                fprintf(stderr, "polis: --suppress takes a count of 1 or more\n\n%s", usage);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    db = cli_db_path(db);
    if (!db || !year_text || argc - optind != 1 || strcmp(argv[optind], "annual") != 0 ||
        (strcmp(format, "html") != 0 && strcmp(format, "json") != 0 &&
         strcmp(format, "csv") != 0) ||
        (strcmp(lang, "en") != 0 && strcmp(lang, "ru") != 0)) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    p_error err;
    p_error_clear(&err);
    if (!text_parse_int64(year_text, REPORT_YEAR_MIN, REPORT_YEAR_MAX, &n)) {
        p_fail(&err, P_EINVAL, "year", "year must be %d to %d", REPORT_YEAR_MIN, REPORT_YEAR_MAX);
        return cli_report(&err);
    }
    if (!store_is_url(db) && access(db, R_OK) != 0) {
        p_fail(&err, P_ENOTFOUND, "db", "no database at %s", db);
        return cli_report(&err);
    }
    store *s = NULL;
    int rc = store_open(db, &s, &err);
    if (rc != P_OK) return cli_report(&err);
    json_t *report = NULL;
    rc = report_annual(s, (int)n, &report, &err);
    store_close(s);
    if (rc != P_OK) return cli_report(&err);
    if (threshold > 0) report_suppress(report, threshold);
    html h = HTML_INIT;
    if (strcmp(format, "json") == 0) {
        char *text = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        buf_puts(&h.b, text ? text : "");
        buf_putc(&h.b, '\n');
        free(text);
    } else if (strcmp(format, "csv") == 0) {
        report_format_csv(&h.b, report);
    } else {
        standalone_html(&h, report, lang);
    }
    json_decref(report);
    rc = write_out(out, buf_str(&h.b), h.b.len, &err);
    buf_free(&h.b);
    return rc == P_OK ? EXIT_OK : cli_report(&err);
}
