/* authz.c: the role-permission matrix and organisation scopes. */
#include "auth/authz.h"
#include "http/response.h"

#include <string.h>

struct grant {
    const char *role;
    unsigned perms; /* bit per enum permission */
};

#define P(x) (1u << (x))

static const struct grant matrix[] = {
    {"admin", P(PERM_SIGNED_IN) | P(PERM_REFERENCE_EDIT) | P(PERM_USERS_ADMIN) |
                  P(PERM_AUDIT_READ) | P(PERM_ORG_WRITE) | P(PERM_LIBRARY_EDIT) | P(PERM_CONCERNS)},
    {"coordinator",
     P(PERM_SIGNED_IN) | P(PERM_REFERENCE_EDIT) | P(PERM_ORG_WRITE) | P(PERM_CONCERNS)},
    {"programme_officer", P(PERM_SIGNED_IN) | P(PERM_ORG_WRITE)},
    {"librarian", P(PERM_SIGNED_IN) | P(PERM_LIBRARY_EDIT)},
    {"police_officer", P(PERM_SIGNED_IN) | P(PERM_CONCERNS)},
    {"forum_member", P(PERM_SIGNED_IN) | P(PERM_CONCERNS)},
    {"case_worker", P(PERM_SIGNED_IN)},
    {"provider", P(PERM_SIGNED_IN)},
    {"auditor", P(PERM_SIGNED_IN) | P(PERM_AUDIT_READ)},
};

/* Roles whose PERM_ORG_WRITE covers every organisation. */
static bool role_spans_orgs(const char *role)
{
    return strcmp(role, "admin") == 0 || strcmp(role, "coordinator") == 0;
}

bool authz_role_has(const char *role, enum permission perm)
{
    if ((unsigned)perm >= PERM_COUNT) return false;
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++)
        if (strcmp(matrix[i].role, role) == 0) return (matrix[i].perms & P(perm)) != 0;
    return false;
}

int authz_check(const principal *p, enum permission perm, const char *org_scope, bool is_write,
                p_error *err)
{
    if (!p || p->via == AUTH_NONE)
        return p_fail(err, P_EAUTH, NULL, "sign in or send an API token");
    if (is_write && p->via == AUTH_SESSION && !p->csrf_ok) {
        p_fail(err, P_EFORBIDDEN, NULL,
               "missing or wrong CSRF token (X-CSRF-Token header or csrf field)");
        p_error_code(err, "csrf");
        return P_EFORBIDDEN;
    }
    if (!authz_role_has(p->role, perm))
        return p_fail(err, P_EFORBIDDEN, NULL, "your role (%s) does not allow this", p->role);
    if (perm == PERM_ORG_WRITE && !role_spans_orgs(p->role)) {
        if (!org_scope || !p->org[0] || strcmp(org_scope, p->org) != 0)
            return p_fail(err, P_EFORBIDDEN, NULL,
                          "you can change records of your own organisation only");
    }
    return P_OK;
}

bool authz_require(http_request *req, enum permission perm, const char *org_scope)
{
    p_error err;
    p_error_clear(&err);
    if (authz_check(&req->who, perm, org_scope, http_is_write(req), &err) == P_OK) return true;
    http_reply_error(req, &err);
    return false;
}
