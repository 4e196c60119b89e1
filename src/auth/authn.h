/* authn.h: who is calling: resolves a Bearer token or the session cookie into the
 * request's principal, checks the CSRF token of cookie-authenticated writes, and picks
 * the page language. Installed as the HTTP server's authenticate hook. */
#ifndef POLIS_AUTHN_H
#define POLIS_AUTHN_H

#include "http/request.h"

#define LANG_COOKIE "polis_lang"

void authn_authenticate(http_request *req);

#endif
