/* migrate.h: numbered schema migrations embedded in the binary (schema/NNNN_name.sql),
 * applied in order in one transaction, with the version recorded in schema_migrations. */
#ifndef POLIS_MIGRATE_H
#define POLIS_MIGRATE_H

#include "store/store.h"

/* Applies every embedded migration newer than the database's version, all in one
 * transaction. *applied_out (may be NULL) receives how many ran. */
MUST_CHECK int migrate_apply(store *s, int *applied_out, p_error *err);

/* The highest applied migration number (0 for a fresh database). */
MUST_CHECK int migrate_current_version(store *s, int *version_out, p_error *err);

/* The highest migration number embedded in this binary. */
int migrate_latest_version(void);

#endif
