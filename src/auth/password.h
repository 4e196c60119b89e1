/* password.h: argon2id password hashing (libsodium) and the password policy. */
#ifndef POLIS_PASSWORD_H
#define POLIS_PASSWORD_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_MIN_CHARS 10
#define PASSWORD_MAX_BYTES 1024
#define PASSWORD_HASH_MAX  128 /* crypto_pwhash_STRBYTES */

/* Checks the policy: length in [PASSWORD_MIN_CHARS, PASSWORD_MAX_BYTES], valid UTF-8. */
MUST_CHECK int password_check_policy(const char *password, p_error *err);

/* Hashes password with argon2id into out (PASSWORD_HASH_MAX bytes, NUL-terminated). */
MUST_CHECK int password_hash(const char *password, char out[static PASSWORD_HASH_MAX],
                             p_error *err);

/* True when password matches hash. Takes the same time whether or not it matches. */
bool password_verify(const char *hash, const char *password);

/* Runs a verification against a fixed hash so that unknown logins cost as much as known
 * ones (no user enumeration by timing). */
void password_burn_time(const char *password);

#endif
