/* login.c: sign-in and sign-out. A failed attempt costs the same argon2id work whether
 * or not the login exists, and says the same thing, so logins cannot be enumerated. */
#include "auth/login.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/throttle.h"
#include "core/config.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int audit_event(store *s, const char *actor, const char *action, const char *login,
                       const char *client, p_error *err)
{
    struct audit_entry e = {actor, action, "session", login, NULL, NULL, client};
    return audit_append_alone(s, &e, err);
}

static int record_failure(store *s, const char *key_login, const char *key_client,
                          const char *login, const char *client, p_error *err)
{
    long window = config_get()->login_window_s;
    int rc = throttle_fail(s, key_login, window, err);
    if (rc == P_OK) rc = throttle_fail(s, key_client, window, err);
    if (rc == P_OK) rc = audit_event(s, "anonymous", "login_failed", login, client, err);
    return rc;
}

int login_attempt(store *s, const char *login, const char *password, const char *client,
                  struct login_result *out, p_error *err)
{
    memset(out, 0, sizeof *out);
    const struct polis_config *cfg = config_get();
    char key_login[96], key_client[96];
    snprintf(key_login, sizeof key_login, "login:%.80s", login);
    snprintf(key_client, sizeof key_client, "client:%.80s", client ? client : "");
    int rc = throttle_check(s, key_login, cfg->login_max_per_account, cfg->login_window_s,
                            &out->retry_after_s, err);
    if (rc == P_OK)
        rc = throttle_check(s, key_client, cfg->login_max_per_client, cfg->login_window_s,
                            &out->retry_after_s, err);
    if (rc != P_OK) return rc;

    char hash[PASSWORD_HASH_MAX];
    p_error lookup_err;
    int found = users_find(s, login, &out->user, hash, &lookup_err);
    if (found == P_ENOTFOUND) {
        password_burn_time(password);
    } else if (found != P_OK) {
        *err = lookup_err;
        return found;
    }
    bool ok = found == P_OK && password_verify(hash, password) && !out->user.disabled;
    sodium_memzero(hash, sizeof hash);
    if (!ok) {
        rc = record_failure(s, key_login, key_client, login, client, err);
        if (rc != P_OK) return rc;
        return p_fail(err, P_EAUTH, NULL, "wrong login or password");
    }
    rc = throttle_clear(s, key_login, err);
    if (rc == P_OK) rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    struct audit_entry e = {out->user.login, "login", "session", out->user.login, NULL, NULL,
                            client};
    rc = session_create(s, out->user.id, out->token, out->csrf, err);
    if (rc == P_OK) rc = audit_append(s, &e, err);
    if (rc == P_OK) rc = store_commit(s, err);
    if (rc != P_OK) {
        store_rollback(s);
        sodium_memzero(out->token, sizeof out->token);
    }
    return rc;
}

int login_end(store *s, const char *session_hash, const char *login, const char *client,
              p_error *err)
{
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    struct audit_entry e = {login, "logout", "session", login, NULL, NULL, client};
    rc = session_end(s, session_hash, err);
    if (rc == P_OK) rc = audit_append(s, &e, err);
    if (rc != P_OK) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}
