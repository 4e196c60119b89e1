/* users.h: user accounts: login, role, organisation scope, language, disabled flag and
 * an argon2id password hash. Every change is audited in the same transaction. */
#ifndef POLIS_USERS_H
#define POLIS_USERS_H

#include "core/cursor.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct user {
    int64_t id;
    char login[65];
    char display_name[513]; /* up to 128 characters of UTF-8, 4 bytes each at most */
    char role[24];
    char org[24]; /* "" when the user has no organisation scope */
    char lang[3];
    bool disabled;
    char created_at[21];
    char updated_at[21];
};

/* Who is acting and from where, for the audit trail. */
struct actor {
    const char *login;  /* "cli" for the command line */
    const char *client; /* address or "" */
};

/* True when role is one of the nine roles. */
bool users_role_valid(const char *role);
/* The roles, '|'-separated (for parameter declarations and messages). */
extern const char USERS_ROLES[];

/* Checks a login name: 3-64 of [a-z0-9._-], starting with a letter or digit. */
MUST_CHECK int users_check_login(const char *login, p_error *err);

struct user_new {
    const char *login, *role, *org, *display_name, *lang, *password;
};

/* Creates a user (validated: login, role, existing org, password policy). P_ECONFLICT if
 * the login is taken. *out (may be NULL) receives the new record. */
MUST_CHECK int users_add(store *s, const struct user_new *u, const struct actor *by,
                         struct user *out, p_error *err);

/* Loads a user by login; P_ENOTFOUND if absent. hash_out (may be NULL, PASSWORD_HASH_MAX
 * bytes) receives the password hash. */
MUST_CHECK int users_find(store *s, const char *login, struct user *out, char *hash_out,
                          p_error *err);
MUST_CHECK int users_get(store *s, int64_t id, struct user *out, p_error *err);

/* Fields that an update may change; NULL leaves a field as it is. */
struct user_patch {
    const char *role, *org, *display_name, *lang;
    int disabled; /* -1 unchanged, 0 or 1 */
    const char *password;
};

/* Applies patch to the user called login (validated, audited with before and after).
 * Disabling a user or changing the password ends their sessions. */
MUST_CHECK int users_update(store *s, const char *login, const struct user_patch *patch,
                            const struct actor *by, struct user *out, p_error *err);

/* Lists users ordered by login, a page of at most limit after cursor (NULL for first). */
MUST_CHECK int users_list(store *s, const char *cursor, int limit, json_t **items,
                          char next[static CURSOR_MAX], p_error *err);

/* The public JSON form of a user (never includes the hash). New reference. */
json_t *users_to_json(const struct user *u);

#endif
