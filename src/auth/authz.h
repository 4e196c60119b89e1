/* authz.h: the one authorization function every handler calls. Deny by default: a
 * permission not granted in the matrix is refused; no credentials is 401, the wrong
 * ones 403; a cookie-authenticated write without the session's CSRF token is 403. */
#ifndef POLIS_AUTHZ_H
#define POLIS_AUTHZ_H

#include "http/request.h"

#include <stdbool.h>

enum permission {
    PERM_SIGNED_IN,      /* any authenticated user: own account, reading reference data */
    PERM_REFERENCE_EDIT, /* create and update framework reference data */
    PERM_USERS_ADMIN,    /* manage users and everyone's tokens */
    PERM_AUDIT_READ,     /* read the audit trail */
    PERM_ORG_WRITE,      /* write records of an organisation (scope checked) */
    PERM_LIBRARY_EDIT,   /* edit library documents and editions, upload files */
    PERM_CONCERNS,       /* record and handle citizens' concerns (visibility checked) */
    PERM_COUNT
};

/* Decides whether p may use perm on a record of organisation org_scope (NULL when the
 * record has none). is_write marks state-changing requests for the CSRF rule.
 * Returns P_OK, P_EAUTH or P_EFORBIDDEN (with a message in err). */
MUST_CHECK int authz_check(const principal *p, enum permission perm, const char *org_scope,
                           bool is_write, p_error *err);

/* authz_check for a request; on refusal replies with the error and returns false. */
bool authz_require(http_request *req, enum permission perm, const char *org_scope);

/* True when role holds perm at all (used to build navigation). */
bool authz_role_has(const char *role, enum permission perm);

#endif
