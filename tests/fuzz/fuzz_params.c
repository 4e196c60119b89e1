/* fuzz_params.c: declared path and query parameters. Every input is checked against a
 * spec of each parameter type, as a keyset cursor, and as UTF-8; each verdict is compared
 * with a reference written here from the definitions, independently of src/. */
#include "fuzz_common.h"

#include "core/cursor.h"
#include "core/text.h"
#include "http/router.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sodium_init() < 0 ? -1 : 0;
}

/* ---- reference UTF-8 decoder: decode, then re-encode and demand the same bytes ---- */

/* Bytes needed to encode cp in UTF-8. */
static size_t encoded_len(uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Decodes one code point at s[0..n); returns its length, 0 when malformed. */
static size_t ref_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    if (s[0] < 0x80) {
        *cp = s[0];
        len = 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        *cp = s[0] & 0x1F;
        len = 2;
    } else if ((s[0] & 0xF0) == 0xE0) {
        *cp = s[0] & 0x0F;
        len = 3;
    } else if ((s[0] & 0xF8) == 0xF0) {
        *cp = s[0] & 0x07;
        len = 4;
    } else {
        return 0; /* continuation byte or 0xF8.. */
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (encoded_len(*cp) != len) return 0;        /* overlong */
    if (*cp >= 0xD800 && *cp <= 0xDFFF) return 0; /* surrogate */
    if (*cp > 0x10FFFF) return 0;                 /* beyond Unicode */
    if (*cp == 0) return 0;                       /* NUL is never allowed */
    return len;
}

/* Valid UTF-8 without NUL; *count receives the number of code points. */
static bool ref_utf8(const unsigned char *s, size_t n, size_t *count)
{
    *count = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = ref_decode(s + i, n - i, &cp);
        if (!len) return false;
        i += len;
        (*count)++;
    }
    return true;
}

/* ---- reference parameter checks ---- */

static bool ref_int(const char *s, int64_t min, int64_t max)
{
    /* strtoll's grammar without the leading white space: [+-]?[0-9]+ */
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    if (!*p) return false;
    /* Accumulate as a negative number so INT64_MIN fits. */
    int64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        int d = *p - '0';
        if (v < (INT64_MIN + d) / 10) return false;
        v = v * 10 - d;
    }
    if (!neg) {
        if (v == INT64_MIN) return false;
        v = -v;
    }
    return v >= min && v <= max;
}

static bool ref_date(const char *s)
{
    if (strlen(s) != 10) return false;
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return false;
    }
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int days = m == 2 ? (leap ? 29 : 28) : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
    return d <= days;
}

static bool ref_digits(const char *s, int max)
{
    return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
           (s[0] - '0') * 10 + (s[1] - '0') <= max;
}

/* A date, or a date and a UTC time of day: YYYY-MM-DDTHH:MM:SSZ. */
static bool ref_time(const char *s)
{
    size_t n = strlen(s);
    char date[11];
    if (n != 10 && n != 20) return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!ref_date(date)) return false;
    if (n == 10) return true;
    return s[10] == 'T' && ref_digits(s + 11, 23) && s[13] == ':' && ref_digits(s + 14, 59) &&
           s[16] == ':' && ref_digits(s + 17, 59) && s[19] == 'Z';
}

static bool ref_chars(const char *s, bool allow_equals)
{
    if (!*s) return false;
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || (allow_equals && c == '=');
        if (!ok) return false;
    }
    return true;
}

static bool ref_enum(const char *values, const char *s)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", values);
    char *save = NULL;
    for (char *tok = strtok_r(copy, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
        if (strcmp(tok, s) == 0) return true;
    return false;
}

static const struct param_spec specs[] = {
    {.name = "q", .type = PARAM_STRING},
    {.name = "short", .type = PARAM_STRING, .max_len = 5},
    {.name = "code", .type = PARAM_CODE, .max_len = 16},
    {.name = "id", .type = PARAM_CODE},
    {.name = "limit", .type = PARAM_INT, .min = 1, .max = 1000},
    {.name = "offset", .type = PARAM_INT, .min = INT64_MIN, .max = INT64_MAX},
    {.name = "delta", .type = PARAM_INT, .min = -50, .max = -10},
    {.name = "status", .type = PARAM_ENUM, .enum_values = "planned|ongoing|completed|cancelled"},
    {.name = "from", .type = PARAM_DATE},
    {.name = "at", .type = PARAM_TIME},
    {.name = "cursor", .type = PARAM_CURSOR},
};

static bool reference_verdict(const struct param_spec *spec, const char *v)
{
    size_t count;
    if (!ref_utf8((const unsigned char *)v, strlen(v), &count)) return false;
    if (count > (size_t)(spec->max_len > 0 ? spec->max_len : 200)) return false;
    switch (spec->type) {
    case PARAM_STRING:
        return true;
    case PARAM_CODE:
        return ref_chars(v, false);
    case PARAM_CURSOR:
        return ref_chars(v, true);
    case PARAM_INT:
        return ref_int(v, spec->min, spec->max);
    case PARAM_ENUM:
        return ref_enum(spec->enum_values, v);
    case PARAM_DATE:
        return ref_date(v);
    case PARAM_TIME:
        return ref_time(v);
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Raw bytes: the UTF-8 validator against the reference, NULs included. */
    size_t count = 0;
    bool ref_ok = ref_utf8(data, size, &count);
    CHECK(text_utf8_valid((const char *)data, size) == ref_ok);
    if (ref_ok) CHECK(text_utf8_len((const char *)data, size) == count);

    /* Parameters arrive as C strings: everything up to the first NUL. */
    char *v = malloc(size + 1);
    CHECK(v);
    memcpy(v, data, size);
    v[size] = '\0';

    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        p_error err;
        p_error_clear(&err);
        int rc = router_check_value(&specs[i], v, &err);
        bool want = reference_verdict(&specs[i], v);
        if ((rc == P_OK) != want) {
            fprintf(stderr, "param %s: router says %d, reference says %d\n", specs[i].name, rc,
                    want);
            abort();
        }
        if (rc != P_OK) {
            CHECK(rc == P_EINVAL);
            CHECK(strcmp(err.field, specs[i].name) == 0);
            CHECK(strcmp(err.code, "invalid_field") == 0);
        }
    }

    /* Cursors: a decoded key is UTF-8 without NUL, and encoding it gives the input back
     * (the decoder is canonical: one key, one cursor). */
    char key[CURSOR_MAX];
    p_error err;
    p_error_clear(&err);
    if (cursor_decode(v, key, &err) == P_OK) {
        size_t klen = strlen(key);
        CHECK(klen > 0 && klen < CURSOR_MAX);
        CHECK(ref_utf8((const unsigned char *)key, klen, &count));
        char again[CURSOR_MAX];
        if (klen <= 186) { /* cursor_encode's longest key */
            cursor_encode(key, again);
            CHECK(strcmp(again, v) == 0);
        }
        /* A cursor of ours passes the cursor parameter check when short enough. */
        if (strlen(v) <= 200) {
            const struct param_spec cs = {.name = "cursor", .type = PARAM_CURSOR};
            CHECK(router_check_value(&cs, v, &err) == P_OK);
        }
    } else {
        CHECK(err.status == P_EINVAL);
        CHECK(strcmp(err.field, "cursor") == 0);
    }
    free(v);
    return 0;
}
