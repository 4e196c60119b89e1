/* open311.h (community): Open311 GeoReport v2 under /open311/v2/ — citizens' concerns filed
 * and followed by civic-reporting clients in XML and JSON — and the keys those clients hold
 * (issued per client, stored as SHA-256 only, revocable at once). */
#ifndef POLIS_OPEN311_H
#define POLIS_OPEN311_H

#include "auth/users.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

enum {
    OPEN311_KEY_TEXT_MAX = 64, /* "o311_" and 43 base64url characters, NUL included */
    OPEN311_KEY_NAME_MAX = 100,
};

/* Registers the /open311/v2/ resources and the admins' /api/v1/open311/keys. */
void community_open311_register(void);

/* Issues a key for the client called name (1..100 characters of UTF-8): key_out receives the
 * key, shown once; only its SHA-256 is stored. Audited. P_EINVAL naming "name". */
MUST_CHECK int open311_key_create(store *s, const char *name, const struct actor *by,
                                  char key_out[static OPEN311_KEY_TEXT_MAX], int64_t *id_out,
                                  p_error *err);

/* Every key, newest first: [{id, name, created_at, revoked_at|null, revoked}]. *items is new. */
MUST_CHECK int open311_key_list(store *s, json_t **items, p_error *err);

/* Revokes key id from now on (revoking a revoked key changes nothing). Audited.
 * P_ENOTFOUND when there is no such key. */
MUST_CHECK int open311_key_revoke(store *s, int64_t id, const struct actor *by, p_error *err);

/* Checks a key a client sent: P_OK with its id and name (OPEN311_KEY_NAME_MAX * 4 + 1 bytes,
 * may be NULL) when it is issued and not revoked; P_EFORBIDDEN when it is missing, unknown
 * or revoked. */
MUST_CHECK int open311_key_check(store *s, const char *key, int64_t *id_out, char *name_out,
                                 p_error *err);

#endif
