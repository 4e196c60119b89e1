/* authn.c: the authenticate hook. Lookups hit the store only when the request carries
 * credentials, so anonymous requests (health checks, assets) cost nothing here. */
#include "auth/authn.h"
#include "auth/audit.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/text.h"
#include "http/form.h"
#include "http/response.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void fill_principal(principal *p, enum auth_via via, const struct user *u)
{
    p->via = via;
    p->user_id = u->id;
    text_copy(p->login, sizeof p->login, u->login);
    text_copy(p->role, sizeof p->role, u->role);
    text_copy(p->org, sizeof p->org, u->org);
    text_copy(p->lang, sizeof p->lang, u->lang);
}

static bool same_secret(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n > 0 && n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

/* The CSRF token a write carries: the X-CSRF-Token header, or a form's csrf field. */
static bool csrf_matches(http_request *req, const char *expected)
{
    const char *h = http_header(req, "X-CSRF-Token");
    if (h) return same_secret(h, expected);
    const char *ct = http_header(req, "Content-Type");
    /* A multipart upload's fields were parsed while its body streamed in. */
    const char *upload_field = http_upload_field(req, "csrf");
    if (upload_field) return same_secret(upload_field, expected);
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) return false;
    form f;
    if (form_parse(buf_str(&req->body), req->body.len, &f, NULL) != P_OK) return false;
    const char *field = form_get(&f, "csrf");
    bool ok = field && same_secret(field, expected);
    form_free(&f);
    return ok;
}

static void pick_language(http_request *req)
{
    const char *c = http_cookie(req, LANG_COOKIE);
    if (c && (strcmp(c, "en") == 0 || strcmp(c, "ru") == 0)) {
        memcpy(req->lang, c, 3);
        return;
    }
    if (req->who.via != AUTH_NONE && req->who.lang[0]) {
        memcpy(req->lang, req->who.lang, 3);
        return;
    }
    const char *al = http_header(req, "Accept-Language");
    memcpy(req->lang, (al && strncasecmp(al, "ru", 2) == 0) ? "ru" : "en", 3);
}

void authn_authenticate(http_request *req)
{
    const char *authz = http_header(req, "Authorization");
    const char *cookie = http_cookie(req, SESSION_COOKIE);
    if (authz || cookie) {
        p_error err;
        p_error_clear(&err);
        store *s = store_thread(&err);
        struct user u;
        if (!s) {
            log_error("authentication: %s", err.message);
        } else if (authz) {
            int64_t head;
            if (strncasecmp(authz, "Bearer ", 7) == 0 &&
                token_lookup_at_head(s, authz + 7, &u, &head, &err) == P_OK) {
                fill_principal(&req->who, AUTH_TOKEN, &u);
                req->who.head_known = true;
                req->who.audit_head = head;
            }
        } else if (session_lookup(s, cookie, &u, req->who.csrf, req->who.session_hash, &err) ==
                   P_OK) {
            fill_principal(&req->who, AUTH_SESSION, &u);
            req->who.csrf_ok = !http_is_write(req) || csrf_matches(req, req->who.csrf);
        }
        if (!s || err.status == P_EUNAVAIL) {
            /* Credentials that cannot be checked now are not missing ones: 503, not 401. */
            p_fail(&err, P_EUNAVAIL, NULL, "the database is not available; try again in a moment");
            p_error_code(&err, "database_unavailable");
            http_reply_error(req, &err);
        }
    }
    pick_language(req);
}

int authn_audit_head(http_request *req, store *s, int64_t *id, p_error *err)
{
    if (req->who.head_known) {
        *id = req->who.audit_head;
        return P_OK;
    }
    char hash[65];
    return audit_head(s, id, hash, err);
}
