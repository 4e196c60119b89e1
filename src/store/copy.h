/* copy.h: copying a whole Polis database between stores (SQLite or PostgreSQL, either
 * way) with every table's row count and checksum verified on both sides; `polis migrate`
 * is its command. */
#ifndef POLIS_STORE_COPY_H
#define POLIS_STORE_COPY_H

#include "store/store.h"

#include <stdint.h>

/* One copied table: its rows and the sum of its rows' hashes (independent of order). */
struct copy_table {
    char name[64];
    int64_t rows;
    uint64_t sum;
};

/* Called after each table is copied and verified. */
typedef void (*copy_progress)(const struct copy_table *t, void *ctx);

/* P_OK when to holds no data: every table empty but for the one row a migration puts in
 * each *_version table. P_ECONFLICT (table receives the first table with data) otherwise. */
MUST_CHECK int store_copy_check_empty(store *to, char *table, size_t size, p_error *err);

/* Copies every table of from into to, which must have the same tables and columns (both
 * migrated to the same version) and be empty (store_copy_check_empty): in the order of
 * the foreign keys, one transaction of to per table, while from is held write-locked so
 * the copy is one consistent state. After each table its count and checksum are read
 * back from to and compared (P_EINTEGRITY naming the table on a difference). On
 * PostgreSQL the identity sequences are moved past the copied ids. A failure leaves the
 * tables copied before it in to. */
MUST_CHECK int store_copy_all(store *from, store *to, copy_progress progress, void *ctx,
                              p_error *err);

/* Removes every table, function and row of a PostgreSQL target (its current schema is
 * dropped and created again), so that migrations can start over; P_EINVAL on SQLite,
 * whose target file is removed instead. */
MUST_CHECK int store_copy_wipe(store *to, p_error *err);

#endif
