/* import.c (cli): `polis import activities --db FILE [--format csv|json] PATH` imports
 * the activities in a CSV (as `polis export csv` writes it) or JSON file, all or nothing,
 * and prints the report; a progress bar goes to stderr when stderr is a terminal. */
#include "activities/import.h"
#include "cli/cli.h"
#include "core/buf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: polis import activities --db FILE [--format csv|json] PATH\n"
    "       polis import documents --db FILE --meta META.json DIR   (see --help there)\n"
    "\n"
    "Imports the activities in PATH (CSV with a header row as `polis export csv` writes\n"
    "it, or a JSON array of create bodies) in one transaction: when any row has an\n"
    "error nothing is imported and each error is printed as \"row N, field F: message\".\n"
    "The format comes from PATH's extension unless --format is given. A row's id is\n"
    "kept when it is free and matches its lead organisation and year; empty ids are\n"
    "assigned.\n"
    "Environment: POLIS_DB, POLIS_IMPORT_LIMIT (bytes, default 100 MB).\n"
    "Exit codes: 0 imported, 1 failed, 2 usage, 4 refused.\n";

/* Draws the bar: done of total on one line of stderr. */
static void draw_progress(size_t done, size_t total, void *ctx)
{
    (void)ctx;
    int pct = total ? (int)((double)done * 100.0 / (double)total) : 100;
    if (pct > 100) pct = 100;
    char bar[41];
    int fill = pct * 40 / 100;
    for (int i = 0; i < 40; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[40] = '\0';
    fprintf(stderr, "\r[%s] %3d%%", bar, pct);
    fflush(stderr);
}

/* Reads path whole into *out (at most limit bytes). */
static int read_file(const char *path, size_t limit, buf *out, p_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return p_fail(err, P_EIO, "path", "cannot open %s", path);
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && st.st_size > 0 && (size_t)st.st_size > limit) {
        fclose(fp);
        return p_fail(err, P_ETOOBIG, "path", "%s is larger than %zu bytes", path, limit);
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (out->len + n > limit) {
            fclose(fp);
            return p_fail(err, P_ETOOBIG, "path", "%s is larger than %zu bytes", path, limit);
        }
        buf_append(out, chunk, n);
    }
    bool bad = ferror(fp) != 0;
    fclose(fp);
    if (bad) return p_fail(err, P_EIO, "path", "cannot read %s", path);
    return P_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

int cmd_import(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "documents") == 0)
        return cmd_import_documents(argc - 1, argv + 1);
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *format = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            format = optarg;
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
    if (!db || argc - optind != 2 || strcmp(argv[optind], "activities") != 0) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *path = argv[optind + 1];
    if (!format) format = ends_with(path, ".json") ? "json" : ends_with(path, ".csv") ? "csv" : "";
    enum import_format fmt;
    if (strcmp(format, "csv") == 0)
        fmt = IMPORT_CSV;
    else if (strcmp(format, "json") == 0)
        fmt = IMPORT_JSON;
    else {
        fprintf(stderr, "polis: give --format csv or json for %s\n\n%s", path, usage);
        return EXIT_USAGE;
    }
    p_error err;
    p_error_clear(&err);
    if (!store_is_url(db) && access(db, R_OK | W_OK) != 0) {
        p_fail(&err, P_EIO, "db", "no database at %s", db);
        return cli_report(&err);
    }
    buf data = BUF_INIT;
    int rc = read_file(path, import_limit(), &data, &err);
    if (rc != P_OK) {
        buf_free(&data);
        fprintf(stderr, "polis: %s\n", err.message);
        return rc == P_ETOOBIG ? EXIT_REFUSED : EXIT_FAIL;
    }
    store *s = NULL;
    rc = store_open(db, &s, &err);
    if (rc != P_OK) {
        buf_free(&data);
        return cli_report(&err);
    }
    bool tty = isatty(fileno(stderr)) != 0;
    struct import_hooks hooks = {.progress = tty ? draw_progress : NULL};
    struct import_report rep = {0};
    struct actor by = {"cli", ""};
    rc = import_activities(s, buf_str(&data), data.len, fmt, &by, &hooks, &rep, &err);
    store_close(s);
    buf_free(&data);
    if (tty) fputc('\n', stderr);
    int code;
    if (rc == P_OK) {
        printf("imported %zu activities\n", rep.imported);
        code = EXIT_OK;
    } else if (rc == P_EUNPROC || rc == P_ETOOBIG) {
        size_t i;
        json_t *e;
        json_array_foreach(rep.errors, i, e)
        {
            const char *field = json_string_value(json_object_get(e, "field"));
            printf("row %lld, field %s: %s\n",
                   (long long)json_integer_value(json_object_get(e, "row")),
                   field && *field ? field : "-", json_string_value(json_object_get(e, "message")));
        }
        fprintf(stderr, "polis: %s\n", err.message);
        code = EXIT_REFUSED;
    } else {
        code = cli_report(&err);
        if (code == EXIT_REFUSED) code = EXIT_FAIL;
    }
    import_report_free(&rep);
    return code;
}
