/* test_password.c: argon2id hashing and verification, and the password policy (length
 * in characters, a byte ceiling, UTF-8 only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/password.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#define GOOD "correct horse battery staple"

static void test_hash_and_verify(void **state)
{
    (void)state;
    char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
    p_error err;
    p_error_clear(&err);
    assert_int_equal(password_hash(GOOD, h1, &err), P_OK);
    assert_int_equal(password_hash(GOOD, h2, &err), P_OK);

    /* argon2id in the PHC string format, with libsodium's interactive limits. */
    assert_int_equal(strncmp(h1, "$argon2id$v=19$", 15), 0);
    assert_non_null(strstr(h1, "m=65536,t=2,p=1$"));
    assert_true(strlen(h1) < PASSWORD_HASH_MAX);
    assert_int_equal(crypto_pwhash_str_needs_rehash(h1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    /* Salted: the same password never hashes to the same string, and the hash does not
     * contain the password. */
    assert_string_not_equal(h1, h2);
    assert_null(strstr(h1, GOOD));

    assert_true(password_verify(h1, GOOD));
    assert_true(password_verify(h2, GOOD));
    assert_false(password_verify(h1, "correct horse battery stapler"));
    assert_false(password_verify(h1, "Correct horse battery staple"));
    assert_false(password_verify(h1, "correct horse battery stapl"));
    assert_false(password_verify(h1, ""));

    /* A damaged or foreign hash never verifies. */
    char broken[PASSWORD_HASH_MAX];
    memcpy(broken, h1, sizeof broken);
    size_t n = strlen(broken);
    broken[n - 1] = broken[n - 1] == 'A' ? 'B' : 'A';
    assert_false(password_verify(broken, GOOD));
    assert_false(password_verify("", GOOD));
    assert_false(password_verify("plaintext", GOOD));
    assert_false(password_verify("$argon2id$", GOOD));

    /* Non-ASCII passwords round-trip. */
    char h3[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("пароль-очень-длинный", h3, &err), P_OK);
    assert_true(password_verify(h3, "пароль-очень-длинный"));
    assert_false(password_verify(h3, "пароль-очень-длинныи"));
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_burn_time_costs_a_verification(void **state)
{
    (void)state;
    /* An unknown login must cost about as much as a wrong password, or response times
     * would tell which logins exist. Compare the fastest of three runs each, with a wide
     * margin so a busy machine does not make the test flaky. */
    char h[PASSWORD_HASH_MAX];
    p_error err;
    assert_int_equal(password_hash(GOOD, h, &err), P_OK);
    password_burn_time("warm up"); /* the first call also makes the fixed hash */
    double verify = 1e9, burn = 1e9;
    for (int i = 0; i < 3; i++) {
        double t0 = seconds_now();
        assert_false(password_verify(h, "wrong password"));
        double t1 = seconds_now();
        password_burn_time("wrong password");
        double t2 = seconds_now();
        if (t1 - t0 < verify) verify = t1 - t0;
        if (t2 - t1 < burn) burn = t2 - t1;
    }
    if (burn < verify / 4) fail_msg("burn %.4fs is far cheaper than verify %.4fs", burn, verify);
}

static void expect_policy(const char *pw, p_status want)
{
    p_error err;
    p_error_clear(&err);
    int rc = password_check_policy(pw, &err);
    if (rc != (int)want)
        fail_msg("policy(\"%.40s\") = %d, want %d (%s)", pw ? pw : "(null)", rc, want, err.message);
    if (want != P_OK) {
        assert_string_equal(err.field, "password");
        assert_string_equal(err.code, "invalid_field");
        assert_true(err.message[0] != '\0');
        /* The message never echoes the password. */
        if (pw && strlen(pw) >= 4) assert_null(strstr(err.message, pw));
    }
}

static void test_policy(void **state)
{
    (void)state;
    expect_policy("abcdefghij", P_OK);     /* exactly PASSWORD_MIN_CHARS */
    expect_policy("abcdefghi", P_EUNPROC); /* one short */
    expect_policy("", P_EUNPROC);
    expect_policy(NULL, P_EUNPROC);
    /* Characters, not bytes: ten Cyrillic letters pass, nine (18 bytes) do not. */
    expect_policy("абвгдежзик", P_OK);
    expect_policy("абвгдежзи", P_EUNPROC);
    expect_policy("🚓🚓🚓🚓🚓🚓🚓🚓🚓", P_EUNPROC); /* 36 bytes, 9 characters */

    char pw[PASSWORD_MAX_BYTES + 2];
    memset(pw, 'p', PASSWORD_MAX_BYTES);
    pw[PASSWORD_MAX_BYTES] = '\0';
    expect_policy(pw, P_OK); /* exactly the ceiling */
    pw[PASSWORD_MAX_BYTES] = 'p';
    pw[PASSWORD_MAX_BYTES + 1] = '\0';
    expect_policy(pw, P_EUNPROC); /* one byte over */

    /* Invalid UTF-8 is malformed input. */
    expect_policy("abcdefghij\xff", P_EINVAL);
    expect_policy("abcdefghij\xc0\xaf", P_EINVAL);
    expect_policy("abcdefghij\xed\xa0\x80", P_EINVAL);
    expect_policy("abcdefghij\xe2\x82", P_EINVAL);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_and_verify),
        cmocka_unit_test(test_burn_time_costs_a_verification),
        cmocka_unit_test(test_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
