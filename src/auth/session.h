/* session.h: browser sessions and API tokens. The secret goes to the client once; the
 * store keeps only its SHA-256, so a copy of the database cannot be used to log in. */
#ifndef POLIS_SESSION_H
#define POLIS_SESSION_H

#include "auth/users.h"

#define SESSION_COOKIE  "polis_session"
#define SECRET_TEXT_MAX 64 /* a token's text form, NUL included */

/* Starts a session for user_id; token_out gets the cookie value, csrf_out its CSRF token. */
MUST_CHECK int session_create(store *s, int64_t user_id, char token_out[static SECRET_TEXT_MAX],
                              char csrf_out[static SECRET_TEXT_MAX], p_error *err);

/* Resolves a cookie value to its user; P_EAUTH when unknown, expired (idle or absolute) or
 * the user is disabled. Refreshes the idle timer. hash_out gets the stored hash. */
MUST_CHECK int session_lookup(store *s, const char *token, struct user *u,
                              char csrf_out[static SECRET_TEXT_MAX], char hash_out[static 65],
                              p_error *err);

/* Ends the session whose hash is token_hash. */
MUST_CHECK int session_end(store *s, const char *token_hash, p_error *err);

/* Creates an API token for login; token_out receives it (shown once). */
MUST_CHECK int token_create(store *s, const char *login, const char *name, const struct actor *by,
                            char token_out[static SECRET_TEXT_MAX], int64_t *id_out, p_error *err);

/* Resolves a bearer token to its user; P_EAUTH when unknown, revoked or user disabled. */
MUST_CHECK int token_lookup(store *s, const char *token, struct user *u, p_error *err);

/* token_lookup that also reads the audit log's head id (0 when empty) into *audit_head in
 * the same statement, so a request needing both pays for one read. */
MUST_CHECK int token_lookup_at_head(store *s, const char *token, struct user *u,
                                    int64_t *audit_head, p_error *err);

/* Revokes token id; when owner is not NULL the token must belong to that login. */
MUST_CHECK int token_revoke(store *s, int64_t id, const char *owner, const struct actor *by,
                            p_error *err);

/* Lists tokens (never their secrets) of login, or of everyone when login is NULL. */
MUST_CHECK int token_list(store *s, const char *login, json_t **items, p_error *err);

/* Hex SHA-256 of a secret (65 bytes out). */
void secret_hash(const char *secret, char out[static 65]);

#endif
