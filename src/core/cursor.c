/* cursor.c: base64url cursors via libsodium. */
#include "core/cursor.h"
#include "core/text.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

void cursor_encode(const char *key, char out[static CURSOR_MAX])
{
    size_t n = strlen(key);
    size_t max_in = (CURSOR_MAX - 1) / 4 * 3 - 3;
    if (n > max_in) n = max_in;
    sodium_bin2base64(out, CURSOR_MAX, (const unsigned char *)key, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Only the URL-safe alphabet: libsodium 1.0.18 decodes any byte >= 0x80 as '_', so it
 * cannot be the only judge of what is one of our cursors. */
static bool urlsafe_base64(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

int cursor_decode(const char *cursor, char key[static CURSOR_MAX], p_error *err)
{
    size_t len = 0;
    if (!urlsafe_base64(cursor) ||
        sodium_base642bin((unsigned char *)key, CURSOR_MAX - 1, cursor, strlen(cursor), NULL, &len,
                          NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len == 0 || !text_utf8_valid(key, len))
        return p_fail(err, P_EINVAL, "cursor",
                      "cursor is not valid; use the 'next' value of a page");
    key[len] = '\0';
    return P_OK;
}
