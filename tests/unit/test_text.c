/* test_text.c: the checked text helpers every parser leans on (integers, UTF-8, dates,
 * hex) and the keyset cursors built on them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/cursor.h"
#include "core/text.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static bool utf8(const char *s, size_t n)
{
    return text_utf8_valid(s, n);
}

#define UTF8_OK(lit)  assert_true(utf8((lit), sizeof(lit) - 1))
#define UTF8_BAD(lit) assert_false(utf8((lit), sizeof(lit) - 1))

static void test_parse_int64_accepts(void **state)
{
    (void)state;
    int64_t v = -1;
    assert_true(text_parse_int64("0", 0, 10, &v));
    assert_int_equal(v, 0);
    assert_true(text_parse_int64("-17", -100, 100, &v));
    assert_int_equal(v, -17);
    assert_true(text_parse_int64("9223372036854775807", INT64_MIN, INT64_MAX, &v));
    assert_true(v == INT64_MAX);
    assert_true(text_parse_int64("-9223372036854775808", INT64_MIN, INT64_MAX, &v));
    assert_true(v == INT64_MIN);
    /* The bounds are inclusive. */
    assert_true(text_parse_int64("1", 1, 1000, &v));
    assert_true(text_parse_int64("1000", 1, 1000, &v));
    assert_int_equal(v, 1000);
    assert_true(text_parse_int64("007", 0, 10, &v));
    assert_int_equal(v, 7);
}

static void test_parse_int64_rejects(void **state)
{
    (void)state;
    int64_t v = 42;
    static const char *const junk[] = {
        "",
        " 5",
        "\t5",
        "5 ",
        "5\n",
        "12abc",
        "abc",
        "-",
        "+",
        "0x10",
        "1e3",
        "1.5",
        "--1",
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999",
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        if (text_parse_int64(junk[i], INT64_MIN, INT64_MAX, &v))
            fail_msg("accepted \"%s\"", junk[i]);
    }
    assert_false(text_parse_int64(NULL, 0, 10, &v));
    assert_false(text_parse_int64("0", 1, 1000, &v));
    assert_false(text_parse_int64("1001", 1, 1000, &v));
    assert_false(text_parse_int64("-1", 0, 10, &v));
    /* A failed parse leaves the output alone. */
    assert_int_equal(v, 42);
}

static void test_utf8_valid_accepts(void **state)
{
    (void)state;
    UTF8_OK("");
    UTF8_OK("plain ASCII ~\x7f");
    UTF8_OK("\xc2\x80");         /* U+0080, smallest two-byte */
    UTF8_OK("\xdf\xbf");         /* U+07FF */
    UTF8_OK("\xe0\xa0\x80");     /* U+0800, smallest three-byte */
    UTF8_OK("\xed\x9f\xbf");     /* U+D7FF, just below the surrogates */
    UTF8_OK("\xee\x80\x80");     /* U+E000, just above them */
    UTF8_OK("\xef\xbf\xbf");     /* U+FFFF */
    UTF8_OK("\xf0\x90\x80\x80"); /* U+10000, smallest four-byte */
    UTF8_OK("\xf4\x8f\xbf\xbf"); /* U+10FFFF, the last code point */
    UTF8_OK("Ёжик в тумане — 東京 🚓");
    /* Only n bytes are looked at: a NUL after them does not matter. */
    assert_true(utf8("ab\0cd", 2));
}

static void test_utf8_valid_rejects(void **state)
{
    (void)state;
    /* NUL anywhere */
    UTF8_BAD("\0");
    UTF8_BAD("ab\0cd");
    /* overlong forms */
    UTF8_BAD("\xc0\x80"); /* NUL as two bytes */
    UTF8_BAD("\xc0\xaf"); /* '/' as two bytes */
    UTF8_BAD("\xc1\xbf");
    UTF8_BAD("\xe0\x80\xaf");     /* '/' as three bytes */
    UTF8_BAD("\xe0\x9f\xbf");     /* U+07FF as three bytes */
    UTF8_BAD("\xf0\x80\x80\xaf"); /* '/' as four bytes */
    UTF8_BAD("\xf0\x8f\xbf\xbf"); /* U+FFFF as four bytes */
    /* UTF-16 surrogates */
    UTF8_BAD("\xed\xa0\x80");             /* U+D800 */
    UTF8_BAD("\xed\xbf\xbf");             /* U+DFFF */
    UTF8_BAD("\xed\xa0\xbd\xed\xb2\xa9"); /* CESU-8 pair */
    /* beyond U+10FFFF */
    UTF8_BAD("\xf4\x90\x80\x80"); /* U+110000 */
    UTF8_BAD("\xf5\x80\x80\x80");
    UTF8_BAD("\xf7\xbf\xbf\xbf");
    UTF8_BAD("\xf8\x88\x80\x80\x80"); /* five-byte form */
    UTF8_BAD("\xfc\x84\x80\x80\x80\x80");
    UTF8_BAD("\xfe");
    UTF8_BAD("\xff");
    /* truncated sequences, alone and before more text */
    UTF8_BAD("\xc3");
    UTF8_BAD("\xe2\x82");
    UTF8_BAD("\xf0\x9f\x9a");
    UTF8_BAD("\xe2\x82x");
    UTF8_BAD("\xf0\x9f\x9a!");
    assert_false(utf8("\xd0\x81", 1)); /* n cuts a valid sequence */
    /* lone continuation bytes */
    UTF8_BAD("\x80");
    UTF8_BAD("a\xbf");
    /* a lead byte followed by a lead byte instead of a continuation */
    UTF8_BAD("\xc3\xc3\xa9");
}

static void test_utf8_len(void **state)
{
    (void)state;
    assert_int_equal(text_utf8_len("", 0), 0);
    assert_int_equal(text_utf8_len("abc", 3), 3);
    assert_int_equal(text_utf8_len("Ёжи", strlen("Ёжи")), 3);
    assert_int_equal(text_utf8_len("🚓x", strlen("🚓x")), 2);
}

static void test_is_date(void **state)
{
    (void)state;
    static const char *const good[] = {"2012-12-07", "2000-02-29", "2012-02-29", "1900-01-01",
                                       "2024-12-31", "2023-04-30", "9999-12-31"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!text_is_date(good[i])) fail_msg("rejected %s", good[i]);
    static const char *const bad[] = {
        "",
        "2012-1-07",
        "2012-01-7",
        "12-01-07",
        "2012/01/07",
        "2012-01-07T00:00:00Z",
        "2012-01-07 ",
        " 2012-01-07",
        "2012-00-10",
        "2012-13-01",
        "2012-01-00",
        "2012-01-32",
        "2011-02-29",
        "1900-02-29", /* not a leap year: divisible by 100 */
        "2100-02-29",
        "2023-04-31",
        "2023-06-31",
        "2023-09-31",
        "2023-11-31",
        "1899-12-31",
        "2012-0a-01",
        "+012-01-01",
        "2012--1-01",
        "abcd-ef-gh",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (text_is_date(bad[i])) fail_msg("accepted \"%s\"", bad[i]);
    assert_false(text_is_date(NULL));
}

static void test_is_timestamp(void **state)
{
    (void)state;
    static const char *const good[] = {"2012-12-07", "2012-12-07T00:00:00Z", "2024-02-29T23:59:59Z",
                                       "1900-01-01T12:30:45Z"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!text_is_timestamp(good[i])) fail_msg("rejected %s", good[i]);
    static const char *const bad[] = {
        "",
        "2023-02-29T00:00:00Z", /* no such day */
        "2012-12-07T24:00:00Z",
        "2012-12-07T23:60:00Z",
        "2012-12-07T23:59:60Z",
        "2012-12-07T23:59:59", /* no zone */
        "2012-12-07T23:59:59+01:00",
        "2012-12-07 23:59:59Z",
        "2012-12-07t23:59:59Z",
        "2012-12-07T23:59:59z",
        "2012-12-07T2:59:59ZZ",
        "2012-12-07T23-59-59Z",
        "2012-12-07T",
        "2012-12-7T23:59:59Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (text_is_timestamp(bad[i])) fail_msg("accepted \"%s\"", bad[i]);
    assert_false(text_is_timestamp(NULL));
}

static void test_hex(void **state)
{
    (void)state;
    char out[16];
    memset(out, 'x', sizeof out);
    text_hex((const unsigned char *)"", 0, out);
    assert_string_equal(out, "");
    static const unsigned char bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    text_hex(bytes, sizeof bytes, out);
    assert_string_equal(out, "00017f80abff");
    assert_int_equal(out[12], '\0');
    assert_int_equal(out[13], 'x'); /* writes exactly 2n+1 bytes */
}

static void test_time_iso(void **state)
{
    (void)state;
    char out[21];
    text_time_iso(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    text_time_iso(1354838400, out); /* the Framework's adoption day */
    assert_string_equal(out, "2012-12-07T00:00:00Z");
}

static void test_cursor_round_trip(void **state)
{
    (void)state;
    static const char *const keys[] = {"a",         "12345", "officer.bishkek", "Ёжик/🚓",
                                       "a b&c=d?e", "x\x7f", "~~~~~~",          ">>>???"};
    char cur[CURSOR_MAX], key[CURSOR_MAX];
    p_error err;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        cursor_encode(keys[i], cur);
        /* The token is URL-safe as it stands: no escaping needed in a query string. */
        for (const char *p = cur; *p; p++)
            if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                fail_msg("cursor for \"%s\" has '%c'", keys[i], *p);
        p_error_clear(&err);
        assert_int_equal(cursor_decode(cur, key, &err), P_OK);
        assert_string_equal(key, keys[i]);
    }
    /* The longest key that fits survives the trip intact. */
    char longest[187];
    memset(longest, 'k', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    cursor_encode(longest, cur);
    assert_true(strlen(cur) < CURSOR_MAX);
    assert_int_equal(cursor_decode(cur, key, &err), P_OK);
    assert_string_equal(key, longest);
    /* A longer key is cut, never overflowing the output. */
    char huge[1000];
    memset(huge, 'h', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    cursor_encode(huge, cur);
    assert_true(strlen(cur) < CURSOR_MAX);
    assert_int_equal(cursor_decode(cur, key, &err), P_OK);
    assert_true(strlen(key) > 0 && strncmp(key, huge, strlen(key)) == 0);
}

static void test_cursor_rejects_junk(void **state)
{
    (void)state;
    char key[CURSOR_MAX], enc[CURSOR_MAX];
    p_error err;
    static const char *const junk[] = {
        "",     /* empty */
        "!!!!", /* not base64 */
        "YQ==", /* padded: ours never are */
        "YW+j", /* standard alphabet, not URL-safe */
        "YW/j",
        "Y",       /* a lone character cannot encode a byte */
        "YR",      /* non-zero leftover bits: not canonical */
        "YQ x",    /* embedded space */
        "AA",      /* decodes to a NUL byte */
        "_w",      /* decodes to 0xff: not UTF-8 */
        "7aCA",    /* decodes to a surrogate */
        "YWF\xa4", /* a byte outside the alphabet that libsodium reads as '_' ("aa\x7f") */
        "YWF_\xc3\xa9",
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        p_error_clear(&err);
        if (cursor_decode(junk[i], key, &err) != P_EINVAL) fail_msg("accepted \"%s\"", junk[i]);
        assert_int_equal(err.status, P_EINVAL);
        assert_string_equal(err.field, "cursor");
        assert_string_equal(err.code, "invalid_field");
    }
    /* Too long to be one of ours: would decode to more than CURSOR_MAX - 1 bytes. */
    char big[400];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "YWFh", 4);
    assert_int_equal(cursor_decode(big, key, &err), P_EINVAL);
    /* Sanity: the same alphabet at a legal length decodes. */
    cursor_encode("aaa", enc);
    assert_string_equal(enc, "YWFh");
    assert_int_equal(cursor_decode(enc, key, &err), P_OK);
}

static void test_copy(void **state)
{
    (void)state;
    char out[6];
    memset(out, 'x', sizeof out);
    text_copy(out, sizeof out, "abc");
    assert_string_equal(out, "abc");
    text_copy(out, sizeof out, "abcdefgh"); /* cut to fit, terminated */
    assert_string_equal(out, "abcde");
    text_copy(out, sizeof out, "");
    assert_string_equal(out, "");
    text_copy(out, sizeof out, NULL);
    assert_string_equal(out, "");
    char one[1] = {'x'};
    text_copy(one, sizeof one, "abc");
    assert_int_equal(one[0], '\0');
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int64_accepts),
        cmocka_unit_test(test_parse_int64_rejects),
        cmocka_unit_test(test_utf8_valid_accepts),
        cmocka_unit_test(test_utf8_valid_rejects),
        cmocka_unit_test(test_utf8_len),
        cmocka_unit_test(test_is_date),
        cmocka_unit_test(test_is_timestamp),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_time_iso),
        cmocka_unit_test(test_cursor_round_trip),
        cmocka_unit_test(test_cursor_rejects_junk),
        cmocka_unit_test(test_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
