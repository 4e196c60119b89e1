/* pages.h: HTML pages of accounts: sign-in and sign-out, the account page (password,
 * language) and the users administration page. */
#ifndef POLIS_PAGES_H
#define POLIS_PAGES_H

void auth_pages_register(void);

#endif
