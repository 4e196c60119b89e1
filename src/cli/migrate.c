/* migrate.c (cli): `polis migrate --from SOURCE --to TARGET [--replace]`, moving a whole
 * database between SQLite and PostgreSQL (store/copy.h) and verifying the result. */
#include "auth/audit.h"
#include "cli/cli.h"
#include "store/copy.h"
#include "store/migrate.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char migrate_usage[] =
    "usage: polis migrate --from SOURCE --to TARGET [--replace]\n"
    "\n"
    "Copies a whole Polis database from SOURCE to TARGET, each a SQLite file or a\n"
    "postgres:// URL, in either direction. TARGET is created and migrated when needed and\n"
    "must hold no data, unless --replace is given: a SQLite file is then removed and made\n"
    "again, a PostgreSQL database's schema is dropped and made again.\n"
    "SOURCE is only read, under its write lock, so the copy is one consistent state (stop\n"
    "polis serve on it first: its writes would wait until the copy ends). It must be at\n"
    "this polis's schema version (run polis init --db SOURCE first).\n"
    "Tables are copied in the order of their foreign keys, one transaction each; every\n"
    "table's row count and checksum are compared on both sides and the audit chain is\n"
    "verified in TARGET. The library's files are not in the database: copy their directory\n"
    "(FILE.files beside a SQLite file, or --files / POLIS_FILES) with cp -a.\n"
    "Exit codes: 0 copied and verified, 1 failed, 2 usage, 3 a verification failed,\n"
    "4 refused (a non-empty target, a source at another schema version).\n";

struct migrate_args {
    const char *from, *to;
    bool replace;
};

static int parse_args(int argc, char **argv, struct migrate_args *a)
{
    static const struct option opts[] = {{"from", required_argument, 0, 'f'},
                                         {"to", required_argument, 0, 't'},
                                         {"replace", no_argument, 0, 'r'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    memset(a, 0, sizeof *a);
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            a->from = optarg;
            break;
        case 't':
            a->to = optarg;
            break;
        case 'r':
            a->replace = true;
            break;
        case 'h':
            fputs(migrate_usage, stdout);
            return -1;
        default:
            fputs(migrate_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (!a->from || !a->to || !*a->from || !*a->to || optind != argc) {
        fputs(migrate_usage, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(a->from, a->to) == 0) {
        fputs("polis: --from and --to name the same database\n", stderr);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Opens the source, which must exist and be at this binary's schema version. */
static int open_source(const char *from, store **s, p_error *err)
{
    if (!store_is_url(from) && access(from, R_OK) != 0)
        return p_fail(err, P_ENOTFOUND, "from", "no database at %s", from);
    int rc = store_open(from, s, err);
    int version = 0;
    if (rc == P_OK) rc = migrate_current_version(*s, &version, err);
    if (rc == P_OK && version != migrate_latest_version())
        rc = p_fail(err, P_EUNPROC, "from",
                    "the source is at schema version %d and this polis at %d: run polis init "
                    "--db SOURCE first",
                    version, migrate_latest_version());
    return rc;
}

/* Removes a SQLite target's file and its journal files. */
static int remove_sqlite(const char *path, p_error *err)
{
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char name[4096];
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        if (unlink(name) != 0 && errno != ENOENT)
            return p_fail(err, P_EIO, "to", "cannot remove %s: %s", name, strerror(errno));
    }
    return P_OK;
}

/* Opens the target (emptied first with --replace) and applies the migrations. */
static int open_target(const struct migrate_args *a, store **s, p_error *err)
{
    int rc = P_OK;
    if (a->replace && !store_is_url(a->to)) rc = remove_sqlite(a->to, err);
    if (rc == P_OK) rc = store_open(a->to, s, err);
    if (rc == P_OK && a->replace && store_is_url(a->to)) rc = store_copy_wipe(*s, err);
    if (rc == P_OK) rc = migrate_apply(*s, NULL, err);
    char table[64];
    if (rc == P_OK) rc = store_copy_check_empty(*s, table, sizeof table, err);
    if (rc == P_ECONFLICT)
        snprintf(err->message + strlen(err->message), sizeof err->message - strlen(err->message),
                 "; give --replace to overwrite it");
    return rc;
}

static void print_table(const struct copy_table *t, void *ctx)
{
    (void)ctx;
    printf("%-32s %10lld rows  checksum %016llx  verified\n", t->name, (long long)t->rows,
           (unsigned long long)t->sum);
    fflush(stdout);
}

int cmd_migrate(int argc, char **argv)
{
    struct migrate_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
    p_error err;
    p_error_clear(&err);
    store *from = NULL, *to = NULL;
    rc = open_source(a.from, &from, &err);
    if (rc == P_OK) rc = open_target(&a, &to, &err);
    if (rc == P_OK) rc = store_copy_all(from, to, print_table, NULL, &err);
    int64_t entries = 0, head_id = 0;
    char head[65] = "";
    if (rc == P_OK) rc = audit_verify(to, &entries, &err);
    if (rc == P_OK) rc = audit_head(to, &head_id, head, &err);
    char where_from[300], where_to[300];
    store_redact_target(a.from, where_from, sizeof where_from);
    store_redact_target(a.to, where_to, sizeof where_to);
    store_close(from);
    store_close(to);
    if (rc != P_OK) return cli_report(&err);
    printf("copied %s to %s; audit chain of %lld entries verified, head: entry %lld, hash %s\n",
           where_from, where_to, (long long)entries, (long long)head_id, head);
    return EXIT_OK;
}
