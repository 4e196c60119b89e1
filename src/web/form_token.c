/* form_token.c: double-submit tokens (see form_token.h). */
#include "web/form_token.h"

#include "core/text.h"
#include "http/response.h"

#include <sodium.h>
#include <string.h>

static bool well_formed(const char *s)
{
    if (!s || strlen(s) != FORM_TOKEN_HEX) return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))) return false;
    return true;
}

void form_token_issue(http_request *req, const char *cookie, long max_age_s,
                      char out[static FORM_TOKEN_HEX + 1])
{
    const char *have = http_cookie(req, cookie);
    if (well_formed(have)) {
        memcpy(out, have, FORM_TOKEN_HEX + 1);
    } else {
        unsigned char raw[FORM_TOKEN_HEX / 2];
        randombytes_buf(raw, sizeof raw);
        text_hex(raw, sizeof raw, out);
    }
    http_set_cookie(req, cookie, out, max_age_s, true);
}

bool form_token_ok(http_request *req, const char *cookie, const char *field)
{
    const char *have = http_cookie(req, cookie);
    return well_formed(have) && well_formed(field) &&
           sodium_memcmp(have, field, FORM_TOKEN_HEX) == 0;
}
