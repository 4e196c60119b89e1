/* export.c (cli): `polis export iati|csv|json` writes the activities that the filters
 * keep as IATI 2.03 XML, CSV or a JSON array, to a file or stdout: the same exports and
 * the same filter rules as the API's /api/v1/activities.{iati.xml,csv,export.json}. */
#include "activities/export.h"
#include "activities/iati.h"
#include "cli/cli.h"
#include "http/router.h"

#include <assert.h>
#include <getopt.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: polis export iati|csv|json --db FILE [--priority CODE] [--focus CODE]\n"
    "       [--line CODE] [--org CODE] [--country CC] [--status S] [--type T]\n"
    "       [--target-group G] [--from DATE] [--to DATE] [--q TEXT] [--sort S] [--out FILE]\n"
    "\n"
    "Writes the activities the filters keep (all without filters) to FILE, or to stdout:\n"
    "iati as IATI 2.03 XML, csv as CSV with a header row, json as a JSON array of records.\n"
    "The filters are those of GET /api/v1/activities (docs/api.md). FILE is replaced.\n"
    "Environment: POLIS_DB. Exit codes: 0 done, 1 failed, 2 usage, 4 input refused.\n";

/* Sets the filter member for the parameter name (the API's name). */
static const char **filter_member(struct activities_filter *f, const char *name)
{
    static const char *const names[] = {"priority", "focus", "line",    "type",
                                        "status",   "org",   "country", "target_group",
                                        "from",     "to",    "q",       "sort"};
    const char **members[] = {&f->priority, &f->focus, &f->line,    &f->type,
                              &f->status,   &f->org,   &f->country, &f->target_group,
                              &f->from,     &f->to,    &f->q,       &f->sort};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0) return members[i];
    return NULL;
}

/* Validates each filter the way the API route declares it. */
static int check_filter(struct activities_filter *f, p_error *err)
{
    for (const struct param_spec *p = export_filter_params(); p->name; p++) {
        const char **v = filter_member(f, p->name);
        if (v && *v) {
            int rc = router_check_value(p, *v, err);
            if (rc != P_OK) return rc;
        }
    }
    return P_OK;
}

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

int cmd_export(int argc, char **argv)
{
    /* Every filter option has the value 'x' and the API parameter's name ('-' for '_'). */
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},       {"out", required_argument, 0, 'o'},
        {"priority", required_argument, 0, 'x'}, {"focus", required_argument, 0, 'x'},
        {"line", required_argument, 0, 'x'},     {"org", required_argument, 0, 'x'},
        {"country", required_argument, 0, 'x'},  {"status", required_argument, 0, 'x'},
        {"type", required_argument, 0, 'x'},     {"target-group", required_argument, 0, 'x'},
        {"from", required_argument, 0, 'x'},     {"to", required_argument, 0, 'x'},
        {"q", required_argument, 0, 'x'},        {"sort", required_argument, 0, 'x'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    struct activities_filter f = {0};
    const char *db = NULL, *out = NULL;
    int c, index = 0;
    while ((c = getopt_long(argc, argv, "h", opts, &index)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'x': {
            const char *name = opts[index].name;
            const char **member =
                filter_member(&f, strcmp(name, "target-group") == 0 ? "target_group" : name);
            assert(member); /* every 'x' option is a filter name: our table, not user input */
            if (member) *member = optarg;
            break;
        }
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    db = cli_db_path(db);
    if (!db || argc - optind != 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *format = argv[optind];
    int (*run)(store *, const struct activities_filter *, buf *, p_error *) =
        strcmp(format, "iati") == 0   ? iati_export
        : strcmp(format, "csv") == 0  ? export_csv
        : strcmp(format, "json") == 0 ? export_json
                                      : NULL;
    if (!run) {
        fprintf(stderr, "polis: unknown export format '%s'\n\n%s", format, usage);
        return EXIT_USAGE;
    }
    p_error err;
    p_error_clear(&err);
    if (check_filter(&f, &err) != P_OK) return cli_report(&err);
    if (!store_is_url(db) && access(db, R_OK) != 0) {
        p_fail(&err, P_ENOTFOUND, "db", "no database at %s", db);
        return cli_report(&err);
    }
    xmlInitParser();
    store *s = NULL;
    int rc = store_open(db, &s, &err);
    if (rc != P_OK) return cli_report(&err);
    buf text = BUF_INIT;
    rc = run(s, &f, &text, &err);
    store_close(s);
    if (rc == P_OK) rc = write_out(out, buf_str(&text), text.len, &err);
    buf_free(&text);
    return rc == P_OK ? EXIT_OK : cli_report(&err);
}
