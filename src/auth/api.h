/* api.h (auth): JSON API of accounts: sign-in and sign-out, the signed-in account, users
 * administration, API tokens and the audit trail. */
#ifndef POLIS_AUTH_API_H
#define POLIS_AUTH_API_H

/* Registers /api/v1/session, /api/v1/account, /api/v1/users, /api/v1/tokens and
 * /api/v1/audit. */
void auth_api_register(void);

#endif
