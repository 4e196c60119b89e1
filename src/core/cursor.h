/* cursor.h: opaque keyset-pagination cursors. A cursor is the sort key of the last item
 * on a page, base64url-encoded so clients treat it as a token, not as data to edit. */
#ifndef POLIS_CURSOR_H
#define POLIS_CURSOR_H

#include "core/err.h"

#include <stddef.h>

#define CURSOR_MAX 256

/* Encodes key into out (CURSOR_MAX bytes). */
void cursor_encode(const char *key, char out[static CURSOR_MAX]);

/* Decodes cursor into key (CURSOR_MAX bytes); P_EINVAL (field "cursor") when it is not
 * one of ours. */
MUST_CHECK int cursor_decode(const char *cursor, char key[static CURSOR_MAX], p_error *err);

#endif
