/* fixture_db.h: the temporary database unit tests run against: a real SQLite file in its
 * own directory, migrated, with the Strategic Framework's reference data loaded. */
#ifndef POLIS_TEST_FIXTURE_DB_H
#define POLIS_TEST_FIXTURE_DB_H

#include "store/store.h"

struct fixture {
    char dir[64];
    char path[96];
    store *s;
};

/* Creates /tmp/polis-TAG-XXXXXX/polis.db, migrates it and loads the framework. Returns 0,
 * or -1 after printing why. */
int fixture_open(struct fixture *fx, const char *tag);

/* Closes the store and removes the database, its WAL files and the directory. */
void fixture_close(struct fixture *fx);

#endif
