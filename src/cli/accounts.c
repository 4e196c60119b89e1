/* accounts.c (cli): `polis user` and `polis token`: account administration from the
 * shell, for the first administrator and for automation. Passwords come from stdin only. */
#include "app.h"
#include "auth/session.h"
#include "auth/users.h"
#include "cli/cli.h"
#include "core/text.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char user_usage[] =
    "usage: polis user add --db FILE --login NAME --role ROLE [--org CODE] [--name TEXT]\n"
    "                      --password-stdin\n"
    "       polis user passwd --db FILE --login NAME --password-stdin\n"
    "       polis user disable|enable --db FILE --login NAME\n"
    "       polis user list --db FILE\n"
    "\n"
    "Roles: admin, coordinator, programme_officer, librarian, police_officer, forum_member,\n"
    "case_worker, provider, auditor. Every change is audited with actor 'cli'.\n"
    "Exit codes: 0 done, 1 failed, 2 usage, 4 input refused (bad value, unknown or taken login).\n";

static const char token_usage[] =
    "usage: polis token create --db FILE --login NAME [--name LABEL]\n"
    "       polis token revoke --db FILE --id N\n"
    "       polis token list --db FILE [--login NAME]\n"
    "\n"
    "create prints a new API token once; only its hash is stored. Send it as\n"
    "'Authorization: Bearer TOKEN'. Exit codes: 0 done, 1 failed, 2 usage, 4 refused.\n";

struct account_args {
    const char *db, *login, *role, *org, *name, *id;
    int password_stdin;
};

static int parse_args(int argc, char **argv, struct account_args *a, const char *usage)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"login", required_argument, 0, 'l'},
                                         {"role", required_argument, 0, 'r'},
                                         {"org", required_argument, 0, 'o'},
                                         {"name", required_argument, 0, 'n'},
                                         {"id", required_argument, 0, 'i'},
                                         {"password-stdin", no_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    int c;
    optind = 2; /* argv[1] is the action */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            a->db = optarg;
            break;
        case 'l':
            a->login = optarg;
            break;
        case 'r':
            a->role = optarg;
            break;
        case 'o':
            a->org = optarg;
            break;
        case 'n':
            a->name = optarg;
            break;
        case 'i':
            a->id = optarg;
            break;
        case 'p':
            a->password_stdin = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    a->db = cli_db_path(a->db);
    if (!a->db || optind != argc) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int read_password(char *pw, size_t size, p_error *err)
{
    if (cli_read_secret_line(pw, size) != 0)
        return p_fail(err, P_EINVAL, "password", "no password (or one over 1024 bytes) on stdin");
    return P_OK;
}

static int user_list(store *s, p_error *err)
{
    char next[CURSOR_MAX] = "";
    const char *cursor = NULL;
    char cursor_buf[CURSOR_MAX];
    printf("%-24s %-18s %-12s %-8s %s\n", "LOGIN", "ROLE", "ORG", "STATUS", "NAME");
    do {
        json_t *items = NULL;
        int rc = users_list(s, cursor, 500, &items, next, err);
        if (rc != P_OK) return rc;
        size_t i;
        json_t *u;
        json_array_foreach(items, i, u)
        {
            const char *org = json_string_value(json_object_get(u, "org"));
            printf("%-24s %-18s %-12s %-8s %s\n", json_string_value(json_object_get(u, "login")),
                   json_string_value(json_object_get(u, "role")), org ? org : "-",
                   json_is_true(json_object_get(u, "disabled")) ? "disabled" : "active",
                   json_string_value(json_object_get(u, "display_name")));
        }
        json_decref(items);
        snprintf(cursor_buf, sizeof cursor_buf, "%s", next);
        cursor = cursor_buf;
    } while (next[0]);
    return P_OK;
}

static int user_action(const char *action, const struct account_args *a, store *s, p_error *err)
{
    struct actor by = {"cli", ""};
    char pw[1100] = "";
    int rc = P_OK;
    if (strcmp(action, "list") == 0) return user_list(s, err);
    if (!a->login) return p_fail(err, P_EINVAL, "login", "--login is required");
    if (strcmp(action, "add") == 0) {
        if (!a->password_stdin)
            return p_fail(err, P_EINVAL, "password", "--password-stdin is required");
        rc = read_password(pw, sizeof pw, err);
        struct user_new u = {a->login, a->role, a->org, a->name, "en", pw};
        if (rc == P_OK) rc = users_add(s, &u, &by, NULL, err);
        if (rc == P_OK) printf("user %s added\n", a->login);
    } else if (strcmp(action, "passwd") == 0) {
        if (!a->password_stdin)
            return p_fail(err, P_EINVAL, "password", "--password-stdin is required");
        rc = read_password(pw, sizeof pw, err);
        struct user_patch p = {.disabled = -1, .password = pw};
        if (rc == P_OK) rc = users_update(s, a->login, &p, &by, NULL, err);
        if (rc == P_OK) printf("password of %s changed; their sessions ended\n", a->login);
    } else if (strcmp(action, "disable") == 0 || strcmp(action, "enable") == 0) {
        struct user_patch p = {.disabled = strcmp(action, "disable") == 0};
        rc = users_update(s, a->login, &p, &by, NULL, err);
        if (rc == P_OK) printf("user %s %sd\n", a->login, action);
    } else {
        rc = p_fail(err, P_EINVAL, NULL, "unknown action '%s'", action);
    }
    sodium_memzero(pw, sizeof pw);
    return rc;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(user_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    struct account_args a;
    int rc = parse_args(argc, argv, &a, user_usage);
    if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
    p_error err;
    p_error_clear(&err);
    store *s = NULL;
    if (app_open_db(a.db, &s, &err) != P_OK) return cli_report(&err);
    rc = user_action(argv[1], &a, s, &err);
    store_close(s);
    if (rc == P_EINVAL && err.field[0] == '\0') {
        fputs(user_usage, stderr);
        return EXIT_USAGE;
    }
    return rc == P_OK ? EXIT_OK : cli_report(&err);
}

static int token_action(const char *action, const struct account_args *a, store *s, p_error *err)
{
    struct actor by = {"cli", ""};
    if (strcmp(action, "create") == 0) {
        if (!a->login) return p_fail(err, P_EINVAL, "login", "--login is required");
        char token[SECRET_TEXT_MAX];
        int64_t id = 0;
        int rc = token_create(s, a->login, a->name, &by, token, &id, err);
        if (rc == P_OK) printf("%s\n", token);
        if (rc == P_OK)
            fprintf(stderr, "token %lld created for %s; it is not shown again\n", (long long)id,
                    a->login);
        sodium_memzero(token, sizeof token);
        return rc;
    }
    if (strcmp(action, "revoke") == 0) {
        int64_t id;
        if (!a->id || !text_parse_int64(a->id, 1, INT64_MAX, &id))
            return p_fail(err, P_EINVAL, "id", "--id must be a token number");
        int rc = token_revoke(s, id, NULL, &by, err);
        if (rc == P_OK) printf("token %lld revoked\n", (long long)id);
        return rc;
    }
    if (strcmp(action, "list") == 0) {
        json_t *items = NULL;
        int rc = token_list(s, a->login, &items, err);
        if (rc != P_OK) return rc;
        size_t i;
        json_t *t;
        printf("%-6s %-24s %-8s %-21s %s\n", "ID", "LOGIN", "STATUS", "CREATED", "NAME");
        json_array_foreach(items, i, t)
        {
            printf("%-6lld %-24s %-8s %-21s %s\n",
                   (long long)json_integer_value(json_object_get(t, "id")),
                   json_string_value(json_object_get(t, "login")),
                   json_is_true(json_object_get(t, "revoked")) ? "revoked" : "active",
                   json_string_value(json_object_get(t, "created_at")),
                   json_string_value(json_object_get(t, "name")));
        }
        json_decref(items);
        return P_OK;
    }
    return p_fail(err, P_EINVAL, NULL, "unknown action '%s'", action);
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(token_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    struct account_args a;
    int rc = parse_args(argc, argv, &a, token_usage);
    if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
    p_error err;
    p_error_clear(&err);
    store *s = NULL;
    if (app_open_db(a.db, &s, &err) != P_OK) return cli_report(&err);
    rc = token_action(argv[1], &a, s, &err);
    store_close(s);
    if (rc == P_EINVAL && err.field[0] == '\0') {
        fputs(token_usage, stderr);
        return EXIT_USAGE;
    }
    return rc == P_OK ? EXIT_OK : cli_report(&err);
}
