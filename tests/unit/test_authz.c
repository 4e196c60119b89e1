/* test_authz.c: the whole authorization matrix, written out independently of
 * src/auth/authz.c: every role against every permission, organisation scopes for
 * ORG_WRITE, and the refusals for no credentials and unknown roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/authz.h"
#include "auth/users.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { Y = 1, N = 0 };

/* What each role may do. ORG_WRITE has three columns for a user of organisation BISHKEK
 * (a record of BISHKEK, of another organisation, of none) and two for the same role
 * without an organisation (a record of some organisation, of none). */
static const struct expectation {
    const char *role;
    int signed_in, reference_edit, users_admin, audit_read, library_edit, concerns;
    int org_own, org_other, org_none; /* user has org "BISHKEK" */
    int noorg_other, noorg_none;      /* user has no org */
} matrix[] = {
    // clang-format off
    /*                     SI RE UA AR LE CO  own oth none  no-org: oth none */
    {"admin",              Y, Y, Y, Y, Y, Y,  Y,  Y,  Y,            Y,  Y},
    {"coordinator",        Y, Y, N, N, N, Y,  Y,  Y,  Y,            Y,  Y},
    {"programme_officer",  Y, N, N, N, N, N,  Y,  N,  N,            N,  N},
    {"librarian",          Y, N, N, N, Y, N,  N,  N,  N,            N,  N},
    {"police_officer",     Y, N, N, N, N, Y,  N,  N,  N,            N,  N},
    {"forum_member",       Y, N, N, N, N, Y,  N,  N,  N,            N,  N},
    {"case_worker",        Y, N, N, N, N, N,  N,  N,  N,            N,  N},
    {"provider",           Y, N, N, N, N, N,  N,  N,  N,            N,  N},
    {"auditor",            Y, N, N, Y, N, N,  N,  N,  N,            N,  N},
    // clang-format on
};
#define N_ROLES (sizeof matrix / sizeof matrix[0])

static principal make(enum auth_via via, const char *role, const char *org)
{
    principal p;
    memset(&p, 0, sizeof p);
    p.via = via;
    p.user_id = 7;
    snprintf(p.login, sizeof p.login, "someone");
    snprintf(p.role, sizeof p.role, "%s", role);
    snprintf(p.org, sizeof p.org, "%s", org);
    return p;
}

/* Checks one decision for reads and writes alike (a bearer token, so no CSRF rule). */
static void expect(const principal *p, enum permission perm, const char *scope, int allowed)
{
    for (int w = 0; w < 2; w++) {
        p_error err;
        p_error_clear(&err);
        int rc = authz_check(p, perm, scope, w == 1, &err);
        int want = allowed ? P_OK : P_EFORBIDDEN;
        if (rc != want)
            fail_msg("%s (org '%s') perm %d scope %s write %d: got %d, want %d (%s)", p->role,
                     p->org, perm, scope ? scope : "NULL", w, rc, want, err.message);
        if (!allowed) {
            assert_string_equal(err.code, "forbidden");
            assert_true(err.message[0] != '\0');
        }
    }
}

static void test_matrix_covers_every_role(void **state)
{
    (void)state;
    /* The table above names each of the nine roles once, and only those. */
    size_t listed = 1;
    for (const char *c = USERS_ROLES; *c; c++)
        listed += *c == '|';
    assert_int_equal(listed, 9);
    assert_int_equal(N_ROLES, 9);
    for (size_t i = 0; i < N_ROLES; i++) {
        assert_true(users_role_valid(matrix[i].role));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(matrix[i].role, matrix[j].role);
    }
    assert_int_equal(PERM_COUNT, 7);
}

static void test_matrix(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROLES; i++) {
        const struct expectation *e = &matrix[i];
        principal p = make(AUTH_TOKEN, e->role, "BISHKEK");
        expect(&p, PERM_SIGNED_IN, NULL, e->signed_in);
        expect(&p, PERM_SIGNED_IN, "BISHKEK", e->signed_in);
        expect(&p, PERM_REFERENCE_EDIT, NULL, e->reference_edit);
        expect(&p, PERM_USERS_ADMIN, NULL, e->users_admin);
        expect(&p, PERM_AUDIT_READ, NULL, e->audit_read);
        expect(&p, PERM_LIBRARY_EDIT, NULL, e->library_edit);
        expect(&p, PERM_CONCERNS, NULL, e->concerns);
        expect(&p, PERM_ORG_WRITE, "BISHKEK", e->org_own);
        expect(&p, PERM_ORG_WRITE, "ODIHR", e->org_other);
        expect(&p, PERM_ORG_WRITE, NULL, e->org_none);
        /* Scopes are exact codes, not prefixes or case-folded. */
        expect(&p, PERM_ORG_WRITE, "BISHKEKX", e->org_other);
        expect(&p, PERM_ORG_WRITE, "bishkek", e->org_other);
        expect(&p, PERM_ORG_WRITE, "BISH", e->org_other);
        expect(&p, PERM_ORG_WRITE, "", e->org_other);

        principal q = make(AUTH_TOKEN, e->role, "");
        expect(&q, PERM_ORG_WRITE, "ODIHR", e->noorg_other);
        expect(&q, PERM_ORG_WRITE, NULL, e->noorg_none);
        /* A user without an organisation does not match a record without one. */
        expect(&q, PERM_ORG_WRITE, "", e->noorg_other);

        /* The same grants through a browser session with a valid CSRF token. */
        principal c = make(AUTH_SESSION, e->role, "BISHKEK");
        c.csrf_ok = true;
        expect(&c, PERM_REFERENCE_EDIT, NULL, e->reference_edit);
        expect(&c, PERM_ORG_WRITE, "BISHKEK", e->org_own);
        expect(&c, PERM_ORG_WRITE, "ODIHR", e->org_other);

        /* authz_role_has is the same matrix without scopes (navigation). */
        assert_int_equal(authz_role_has(e->role, PERM_SIGNED_IN), e->signed_in);
        assert_int_equal(authz_role_has(e->role, PERM_REFERENCE_EDIT), e->reference_edit);
        assert_int_equal(authz_role_has(e->role, PERM_USERS_ADMIN), e->users_admin);
        assert_int_equal(authz_role_has(e->role, PERM_AUDIT_READ), e->audit_read);
        assert_int_equal(authz_role_has(e->role, PERM_ORG_WRITE), e->org_own);
    }
}

static void test_no_principal(void **state)
{
    (void)state;
    for (int perm = 0; perm < PERM_COUNT; perm++) {
        p_error err;
        p_error_clear(&err);
        assert_int_equal(authz_check(NULL, (enum permission)perm, NULL, false, &err), P_EAUTH);
        assert_string_equal(err.code, "unauthenticated");
        assert_int_equal(p_status_http(err.status), 401);
        /* A principal that was never authenticated, whatever its other fields say. */
        principal p = make(AUTH_NONE, "admin", "BISHKEK");
        p.csrf_ok = true;
        p_error_clear(&err);
        assert_int_equal(authz_check(&p, (enum permission)perm, "BISHKEK", true, &err), P_EAUTH);
        assert_int_equal(authz_check(&p, (enum permission)perm, NULL, false, &err), P_EAUTH);
    }
}

static void test_unknown_role(void **state)
{
    (void)state;
    static const char *const roles[] = {"",          "root",   "Admin",         "ADMIN",
                                        "admin ",    " admin", "admin|auditor", "administrator",
                                        "coordinato"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        principal p = make(AUTH_TOKEN, roles[i], "BISHKEK");
        for (int perm = 0; perm < PERM_COUNT; perm++) {
            p_error err;
            p_error_clear(&err);
            int rc = authz_check(&p, (enum permission)perm, "BISHKEK", false, &err);
            if (rc != P_EFORBIDDEN) fail_msg("role \"%s\" perm %d: got %d", roles[i], perm, rc);
            assert_false(authz_role_has(roles[i], (enum permission)perm));
        }
    }
    /* Permissions outside the enum are never granted, even to admin. */
    principal a = make(AUTH_TOKEN, "admin", "");
    p_error err;
    assert_int_equal(authz_check(&a, PERM_COUNT, NULL, false, &err), P_EFORBIDDEN);
    assert_int_equal(authz_check(&a, (enum permission)31, NULL, false, &err), P_EFORBIDDEN);
    assert_false(authz_role_has("admin", PERM_COUNT));
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_covers_every_role),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_no_principal),
        cmocka_unit_test(test_unknown_role),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
