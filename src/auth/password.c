/* password.c: argon2id with libsodium's interactive limits. */
#include "auth/password.h"
#include "core/text.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");

int password_check_policy(const char *password, p_error *err)
{
    size_t n = password ? strlen(password) : 0;
    if (n > PASSWORD_MAX_BYTES)
        return p_fail(err, P_EUNPROC, "password", "password is longer than %d bytes",
                      PASSWORD_MAX_BYTES);
    if (!text_utf8_valid(password ? password : "", n))
        return p_fail(err, P_EINVAL, "password", "password is not valid UTF-8");
    if (text_utf8_len(password ? password : "", n) < PASSWORD_MIN_CHARS)
        return p_fail(err, P_EUNPROC, "password", "password must have at least %d characters",
                      PASSWORD_MIN_CHARS);
    return P_OK;
}

int password_hash(const char *password, char out[static PASSWORD_HASH_MAX], p_error *err)
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return p_fail(err, P_EIO, NULL, "password hashing ran out of memory");
    return P_OK;
}

bool password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static char burn_hash[PASSWORD_HASH_MAX];
static pthread_once_t burn_once = PTHREAD_ONCE_INIT;

static void make_burn_hash(void)
{
    unsigned char random[16];
    char pw[33];
    randombytes_buf(random, sizeof random);
    text_hex(random, sizeof random, pw);
    if (crypto_pwhash_str_alg(burn_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        burn_hash[0] = '\0';
}

void password_burn_time(const char *password)
{
    pthread_once(&burn_once, make_burn_hash);
    if (burn_hash[0]) (void)password_verify(burn_hash, password);
}
