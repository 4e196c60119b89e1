/* authn.h: who is calling: resolves a Bearer token or the session cookie into the
 * request's principal, checks the CSRF token of cookie-authenticated writes, and picks
 * the page language. Installed as the HTTP server's authenticate hook. */
#ifndef POLIS_AUTHN_H
#define POLIS_AUTHN_H

#include "http/request.h"
#include "store/store.h"

#define LANG_COOKIE "polis_lang"

void authn_authenticate(http_request *req);

/* The audit log's head id as the request's credentials were checked (read in the same
 * statement as a bearer token), else read from s now. A version for caches that move with
 * the audit log: it is never newer than what the request reads after it. */
MUST_CHECK int authn_audit_head(http_request *req, store *s, int64_t *id, p_error *err);

#endif
