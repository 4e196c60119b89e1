/* app.h: wiring of the whole application: which routes exist, and opening a database
 * ready for use. Shared by the CLI and the tests. */
#ifndef POLIS_APP_H
#define POLIS_APP_H

#include "store/store.h"

/* Registers every route of every module (once). */
void app_register_routes(void);

/* Opens path and applies pending migrations. *out is closed with store_close(). */
MUST_CHECK int app_open_db(const char *path, store **out, p_error *err);

#endif
