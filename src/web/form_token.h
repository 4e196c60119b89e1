/* form_token.h: double-submit tokens for forms that people fill in before they have a
 * session (signing in, raising a concern as a citizen): a random token set in a cookie and
 * repeated in a hidden field; a cross-site form cannot read the cookie to repeat it. */
#ifndef POLIS_FORM_TOKEN_H
#define POLIS_FORM_TOKEN_H

#include "http/request.h"

#include <stdbool.h>

enum { FORM_TOKEN_HEX = 64 };

/* The browser's current token for cookie when it has a well-formed one (so two open tabs
 * both work), else a new one; the cookie is (re)set either way, for max_age_s seconds. */
void form_token_issue(http_request *req, const char *cookie, long max_age_s,
                      char out[static FORM_TOKEN_HEX + 1]);

/* True when field is the token the cookie holds (compared in constant time). */
bool form_token_ok(http_request *req, const char *cookie, const char *field);

#endif
