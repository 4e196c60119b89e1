/* init.c (cli): `polis init` creates or upgrades a database, loads the Strategic
 * Framework, creates the first administrator and, with --demo, the demo data. */
#include "activities/activities.h"
#include "app.h"
#include "community/community.h"
#include "auth/users.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/text.h"
#include "framework/framework.h"
#include "library/files.h"
#include "library/library.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: polis init --db FILE [--files DIR] [--demo] [--admin-login NAME]\n"
    "                  [--admin-password-stdin]\n"
    "\n"
    "Creates FILE (or upgrades it to this version's schema), loads the Strategic Framework's\n"
    "reference data and creates an administrator if there is none. The administrator's\n"
    "password is read from stdin with --admin-password-stdin, otherwise generated and\n"
    "printed once. --demo also loads the demo data: users of each kind (sharing that\n"
    "password), the activities the source text describes and the guidebooks of the POLIS\n"
    "library (whose files go to --files DIR, $POLIS_FILES, or FILE.files). Running it\n"
    "again is safe:\n"
    "nothing that exists is changed.\n"
    "URL is a PostgreSQL database, postgres://USER@HOST:PORT/DB, that exists (createdb).\n"
    "Environment: POLIS_DB. Exit codes: 0 done, 1 failed, 2 usage, 4 input refused.\n";

struct demo_user {
    const char *login, *role, *org, *name;
};

static const struct demo_user demo_users[] = {
    {"coordinator", "coordinator", "SPMU", "Co-ordinator, Strategic Police Matters Unit"},
    {"officer.bishkek", "programme_officer", "BISHKEK", "Programme officer, Centre in Bishkek"},
    {"officer.odihr", "programme_officer", "ODIHR", "Programme officer, ODIHR"},
    {"librarian", "librarian", "SPMU", "POLIS librarian"},
    {"inspector.osh", "police_officer", "BISHKEK", "Neighbourhood inspector, Osh"},
    {"auditor", "auditor", NULL, "Auditor"},
};

static int count_admins(store *s, int *n, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0",
                           &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    if (step < 0) return -step;
    *n = (int)store_col_int(st, 0);
    store_reset(st);
    return P_OK;
}

static void generate_password(char out[static 25])
{
    unsigned char raw[12];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, 25, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int load_demo(store *s, const char *password, const struct actor *by, p_error *err)
{
    for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
        const struct demo_user *d = &demo_users[i];
        struct user existing;
        p_error ignore;
        if (users_find(s, d->login, &existing, NULL, &ignore) == P_OK) continue;
        struct user_new u = {d->login, d->role, d->org, d->name, "en", password};
        int rc = users_add(s, &u, by, NULL, err);
        if (rc != P_OK) return rc;
    }
    return P_OK;
}

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"demo", no_argument, 0, 'm'},
                                         {"files", required_argument, 0, 'f'},
                                         {"admin-login", required_argument, 0, 'l'},
                                         {"admin-password-stdin", no_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *admin_login = "admin", *files = NULL;
    int demo = 0, pw_stdin = 0, c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'm':
            demo = 1;
            break;
        case 'f':
            files = optarg;
            break;
        case 'l':
            admin_login = optarg;
            break;
        case 'p':
            pw_stdin = 1;
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
    if (!db || optind != argc) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    p_error err;
    p_error_clear(&err);
    store *s = NULL;
    int rc = app_open_db(db, &s, &err);
    if (rc != P_OK) return cli_report(&err);
    struct actor by = {"cli", ""};
    int admins = 0;
    char password[1100] = "";
    bool generated = false;
    rc = framework_load_reference(s, &by, &err);
    if (rc == P_OK) rc = community_load_reference(s, &by, &err);
    if (rc == P_OK) rc = count_admins(s, &admins, &err);
    if (rc == P_OK && (admins == 0 || demo)) {
        if (pw_stdin) {
            if (cli_read_secret_line(password, sizeof password) != 0)
                rc = p_fail(&err, P_EINVAL, "password", "no password on stdin");
        } else {
            generate_password(password);
            generated = true;
        }
    }
    if (rc == P_OK && admins == 0) {
        struct user_new u = {admin_login, "admin", NULL, "Administrator", "en", password};
        rc = users_add(s, &u, &by, NULL, &err);
    }
    if (rc == P_OK && demo) rc = load_demo(s, password, &by, &err);
    if (rc == P_OK && demo) rc = activities_load_demo(s, &by, &err);
    if (rc == P_OK && demo) rc = files_configure(files, store_is_url(db) ? NULL : db, &err);
    if (rc == P_OK && demo) rc = library_load_demo(s, &by, &err);
    if (rc == P_OK && demo) rc = community_load_demo(s, &by, &err);
    store_close(s);
    if (rc != P_OK) {
        sodium_memzero(password, sizeof password);
        return cli_report(&err);
    }
    char where[300];
    store_redact_target(db, where, sizeof where);
    printf("polis: database %s is ready (schema and Strategic Framework loaded%s).\n", where,
           demo ? ", demo data loaded" : "");
    if (admins == 0 && generated)
        printf("Sign in as administrator: login '%s', password '%s' (shown only this once).\n",
               admin_login, password);
    if (demo && generated && admins > 0)
        printf("Demo users created with password '%s' (shown only this once).\n", password);
    if (demo && generated)
        printf("Demo users: coordinator, officer.bishkek, officer.odihr, librarian, inspector.osh,"
               " auditor (same password).\n");
    sodium_memzero(password, sizeof password);
    return EXIT_OK;
}
