/* pages.c (auth): sign-in, sign-out, account and users administration pages. */
#include "auth/pages.h"

void auth_pages_register(void)
{
}
