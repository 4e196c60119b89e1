/* maint.c (cli): `polis backup`, `polis check` and `polis version`. */
#include "app.h"
#include "auth/audit.h"
#include "cli/cli.h"
#include "store/migrate.h"
#include "web/i18n.h"

#include <getopt.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char backup_usage[] =
    "usage: polis backup --db FILE OUT\n"
    "\n"
    "Copies the database to OUT with SQLite's online backup: safe while polis serve runs.\n"
    "A PostgreSQL database (--db postgres://...) is backed up with pg_dump instead.\n"
    "OUT must not exist. Exit codes: 0 done, 1 failed, 2 usage.\n";

static const char check_usage[] =
    "usage: polis check --db FILE [--expect-head HASH]\n"
    "\n"
    "Runs the store's integrity check and foreign-key check and verifies the audit chain.\n"
    "It prints the chain's head (newest entry and hash): record it elsewhere, and a later\n"
    "check with --expect-head HASH also finds entries removed from the end of the chain.\n"
    "Exit codes: 0 all good, 1 could not run, 2 usage, 3 damage found (described on stderr).\n";

static int parse_db(int argc, char **argv, const char *usage, const char **db, int want_extra)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    *db = NULL;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            *db = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    *db = cli_db_path(*db);
    if (!*db || argc - optind != want_extra) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Opens an existing database without creating or migrating it. */
static int open_existing(const char *db, store **s, p_error *err)
{
    if (!store_is_url(db) && access(db, R_OK) != 0)
        return p_fail(err, P_ENOTFOUND, "db", "no database at %s", db);
    return store_open(db, s, err);
}

int cmd_backup(int argc, char **argv)
{
    const char *db;
    int rc = parse_db(argc, argv, backup_usage, &db, 1);
    if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
    const char *out = argv[optind];
    p_error err;
    p_error_clear(&err);
    if (access(out, F_OK) == 0) {
        p_fail(&err, P_ECONFLICT, "OUT", "%s exists; choose a new file", out);
        return cli_report(&err);
    }
    store *s = NULL;
    if (open_existing(db, &s, &err) != P_OK) return cli_report(&err);
    rc = store_backup(s, out, &err);
    store_close(s);
    if (rc != P_OK) return cli_report(&err);
    char where[300];
    store_redact_target(db, where, sizeof where);
    printf("backup of %s written to %s\n", where, out);
    return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
    const char *db, *expect_head = NULL;
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--expect-head") == 0) {
            expect_head = argv[i + 1];
            for (int j = i; j + 2 <= argc; j++)
                argv[j] = argv[j + 2];
            argc -= 2;
            break;
        }
    }
    int rc = parse_db(argc, argv, check_usage, &db, 0);
    if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
    p_error err;
    p_error_clear(&err);
    store *s = NULL;
    if (open_existing(db, &s, &err) != P_OK) return cli_report(&err);
    int version = 0;
    int64_t entries = 0;
    rc = store_check_integrity(s, &err);
    if (rc == P_OK) rc = migrate_current_version(s, &version, &err);
    if (rc == P_OK && version != migrate_latest_version())
        rc = p_fail(&err, P_EINTEGRITY, NULL,
                    "schema version %d, this polis expects %d; run polis init", version,
                    migrate_latest_version());
    if (rc == P_OK) rc = audit_verify(s, &entries, &err);
    int64_t head_id = 0;
    char head[65] = "";
    bool reached = true;
    if (rc == P_OK) rc = audit_head(s, &head_id, head, &err);
    if (rc == P_OK && expect_head) rc = audit_contains(s, expect_head, &reached, &err);
    const char *engine = s ? store_engine_name(s) : "";
    if (rc == P_OK && !reached)
        rc = p_fail(&err, P_EINTEGRITY, NULL,
                    "the audit chain no longer contains the expected head %s: entries were removed",
                    expect_head);
    store_close(s);
    if (rc != P_OK) return cli_report(&err);
    printf("ok: integrity, foreign keys, schema version %d, audit chain of %lld entries (%s)\n",
           version, (long long)entries, engine);
    printf("audit head: entry %lld, hash %s\n", (long long)head_id, head);
    return EXIT_OK;
}

int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fputs("usage: polis version\n\nPrints the versions of polis and its libraries. Exit code "
              "0.\n",
              stdout);
        return EXIT_OK;
    }
    printf("polis %s\nschema %d\nsqlite %s\nlibpq %s\nlibmicrohttpd %s\njansson %s\n"
           "libsodium %s\ntranslations: ru (%u messages)\n",
           POLIS_VERSION, migrate_latest_version(), store_engine_version(),
           store_pg_library_version(), MHD_get_version(), JANSSON_VERSION, sodium_version_string(),
           i18n_count("ru"));
    return EXIT_OK;
}
