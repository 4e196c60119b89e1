/* login.h: the sign-in procedure shared by the JSON API and the login page: throttling
 * per account and per client, password check, session creation, audit. */
#ifndef POLIS_LOGIN_H
#define POLIS_LOGIN_H

#include "auth/session.h"

struct login_result {
    struct user user;
    char token[SECRET_TEXT_MAX]; /* the session cookie value; wipe after use */
    char csrf[SECRET_TEXT_MAX];
    long retry_after_s; /* set with P_ELIMIT */
};

/* Signs login in from client. P_EAUTH for a wrong login or password (one message for
 * both), P_ELIMIT when throttled, P_OK with a new session in out. Every outcome is
 * audited (login, login_failed). */
MUST_CHECK int login_attempt(store *s, const char *login, const char *password, const char *client,
                             struct login_result *out, p_error *err);

/* Ends the session with hash session_hash of login, audited as logout. */
MUST_CHECK int login_end(store *s, const char *session_hash, const char *login, const char *client,
                         p_error *err);

#endif
