/* import_bulk.h (activities): the set-wise steps of a bulk import (import.c): the
 * date-range index rows of the new activities written in the index's order after the rows, and
 * the secondary indexes of the registry's tables rebuilt after a large import into a
 * registry smaller than the file, and a larger page cache while it runs. Internal to the
 * import. */
#ifndef POLIS_ACTIVITIES_IMPORT_BULK_H
#define POLIS_ACTIVITIES_IMPORT_BULK_H

#include "core/err.h"
#include "store/store.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Below this many rows an import keeps every index as it is. */
#define IMPORT_DEFER_MIN_ROWS 1000

/* The date-range index rows of an import's activities (periods.c's activity_periods_write
 * for each), gathered as they are created and written at the end in the index's own order,
 * so the rows go into its B-tree one after another instead of each at its own place. */
struct import_periods;
struct import_periods *import_periods_new(void);
void import_periods_free(struct import_periods *ip);

/* Adds the rows of activity id, whose checked record is rec (as activity_periods_write). */
MUST_CHECK int import_periods_add(struct import_periods *ip, int64_t id, json_t *rec, p_error *err);

/* Writes every row added, in the index's order (several rows a statement). The caller
 * holds the transaction. */
MUST_CHECK int import_periods_write(store *s, struct import_periods *ip, p_error *err);

/* The secondary indexes an import dropped, to be built again before it commits. */
struct import_indexes;

/* For an import of about rows rows (an estimate from above) into a registry of about
 * activities activities and audit_entries audit entries, drops the non-unique secondary
 * indexes of the tables the import writes whose rows are fewer than those it will add
 * (SQLite only: CREATE INDEX sorts, where an insert per row seeks); *out is NULL when none
 * were. Call inside the import's transaction, before its rows. While they are gone, what
 * the import reads per row of these tables must go by a primary key or a UNIQUE index (as
 * the public id's check and the audit chain's head do): anything else would scan. */
MUST_CHECK int import_indexes_defer(store *s, size_t rows, int64_t activities,
                                    int64_t audit_entries, struct import_indexes **out,
                                    p_error *err);

/* Builds again what import_indexes_defer dropped (in the same transaction, before the
 * commit; a rollback brings them back by itself) and frees d (NULL is fine). */
MUST_CHECK int import_indexes_restore(store *s, struct import_indexes *d, p_error *err);

/* Frees d without building anything (the import is rolled back). */
void import_indexes_free(struct import_indexes *d);

/* The highest key of the audit log (0 when empty): its size, near enough. */
MUST_CHECK int import_audit_last_id(store *s, int64_t *out, p_error *err);

/* SQLite: the import's connection keeps up to IMPORT_CACHE_PER_BYTE KiB of pages for each
 * KiB of the file (a database holds about nine times the bytes of the CSV its activities
 * came from), at most IMPORT_CACHE_MAX_KIB, so a large import's transaction neither spills
 * its pages to the WAL midway nor reads them back from there. *was receives the size to
 * give back to import_cache_restore (0: unchanged). No effect on what is committed. */
#define IMPORT_CACHE_PER_BYTE 12
#define IMPORT_CACHE_MAX_KIB  (512 * 1024)
MUST_CHECK int import_cache_grow(store *s, size_t bytes, int64_t *was, p_error *err);
void import_cache_restore(store *s, int64_t was);

#endif
