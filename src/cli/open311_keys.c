/* open311_keys.c (cli): `polis open311-key`: issuing, listing and revoking the keys Open311
 * clients send as api_key. A key is printed once; the store keeps only its SHA-256. */
#include "app.h"
#include "cli/cli.h"
#include "community/open311.h"
#include "core/text.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: polis open311-key create --db FILE --name NAME\n"
    "       polis open311-key list --db FILE\n"
    "       polis open311-key revoke --db FILE --id N\n"
    "\n"
    "create prints a new key for the Open311 client NAME once (to stdout); only its SHA-256\n"
    "is stored. The client sends it as the api_key parameter. revoke stops a key at once.\n"
    "Every change is audited with actor 'cli'.\n"
    "Exit codes: 0 done, 1 failed, 2 usage, 4 refused (bad name, unknown key).\n";

static int key_action(const char *action, const char *name, const char *id_text, store *s,
                      p_error *err)
{
    struct actor by = {"cli", ""};
    if (strcmp(action, "create") == 0) {
        if (!name) return p_fail(err, P_EINVAL, "name", "--name is required");
        char key[OPEN311_KEY_TEXT_MAX];
        int64_t id = 0;
        int rc = open311_key_create(s, name, &by, key, &id, err);
        if (rc == P_OK) {
            printf("%s\n", key);
            fprintf(stderr, "Open311 key %lld created for %s; it is not shown again\n",
                    (long long)id, name);
        }
        sodium_memzero(key, sizeof key);
        return rc;
    }
    if (strcmp(action, "revoke") == 0) {
        int64_t id;
        if (!id_text || !text_parse_int64(id_text, 1, INT64_MAX, &id))
            return p_fail(err, P_EINVAL, "id", "--id must be a key number");
        int rc = open311_key_revoke(s, id, &by, err);
        if (rc == P_OK) printf("Open311 key %lld revoked\n", (long long)id);
        return rc;
    }
    if (strcmp(action, "list") == 0) {
        json_t *items = NULL;
        int rc = open311_key_list(s, &items, err);
        if (rc != P_OK) return rc;
        printf("%-6s %-8s %-21s %s\n", "ID", "STATUS", "CREATED", "NAME");
        size_t i;
        json_t *k;
        json_array_foreach(items, i, k)
        {
            printf("%-6lld %-8s %-21s %s\n",
                   (long long)json_integer_value(json_object_get(k, "id")),
                   json_is_true(json_object_get(k, "revoked")) ? "revoked" : "active",
                   json_string_value(json_object_get(k, "created_at")),
                   json_string_value(json_object_get(k, "name")));
        }
        json_decref(items);
        return P_OK;
    }
    return p_fail(err, P_EINVAL, NULL, "unknown action '%s'", action);
}

int cmd_open311_key(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"name", required_argument, 0, 'n'},
                                         {"id", required_argument, 0, 'i'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *name = NULL, *id = NULL;
    int c;
    optind = 2; /* argv[1] is the action */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'i':
            id = optarg;
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
    if (app_open_db(db, &s, &err) != P_OK) return cli_report(&err);
    int rc = key_action(argv[1], name, id, s, &err);
    store_close(s);
    if (rc == P_EINVAL && err.field[0] == '\0') {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    return rc == P_OK ? EXIT_OK : cli_report(&err);
}
