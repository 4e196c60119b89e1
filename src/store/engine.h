/* engine.h (store, internal): the operations an engine implements behind store.h, and
 * the header every engine's connection and statement begin with, so store.c can route
 * each call of store.h to the engine that opened the connection. Only src/store sees it. */
#ifndef POLIS_STORE_ENGINE_H
#define POLIS_STORE_ENGINE_H

#include "store/store.h"

struct store_ops {
    const char *name; /* "sqlite", "postgresql" */
    MUST_CHECK int (*open)(const char *target, store **out, p_error *err);
    void (*close)(store *s);
    /* Makes a connection usable again after a failure (reconnects); NULL if the engine
     * never needs it. Returns P_OK, or P_EUNAVAIL with err set. */
    MUST_CHECK int (*revive)(store *s, p_error *err);
    MUST_CHECK int (*prepare)(store *s, const char *sql, store_stmt **out, p_error *err);
    /* v NULL binds NULL; n is the byte length of v. */
    void (*bind_text)(store_stmt *st, int idx, const char *v, size_t n);
    void (*bind_int)(store_stmt *st, int idx, int64_t v);
    void (*bind_null)(store_stmt *st, int idx);
    void (*bind_blob)(store_stmt *st, int idx, const void *v, size_t n);
    MUST_CHECK int (*step)(store_stmt *st, p_error *err);
    void (*reset)(store_stmt *st);
    int (*column_count)(store_stmt *st);
    const char *(*col_name)(store_stmt *st, int i);
    const char *(*col_text)(store_stmt *st, int i);
    size_t (*col_bytes)(store_stmt *st, int i);
    const void *(*col_blob)(store_stmt *st, int i);
    int64_t (*col_int)(store_stmt *st, int i);
    bool (*col_null)(store_stmt *st, int i);
    MUST_CHECK int (*begin)(store *s, p_error *err);
    MUST_CHECK int (*commit)(store *s, p_error *err);
    void (*rollback)(store *s);
    MUST_CHECK int (*exec_script)(store *s, const char *sql, p_error *err);
    int64_t (*last_insert_id)(store *s);
    int (*changes)(store *s);
    MUST_CHECK int (*backup)(store *s, const char *out_path, p_error *err);
    MUST_CHECK int (*check_integrity)(store *s, p_error *err);
};

/* Every engine's connection struct starts with this. */
struct store {
    const struct store_ops *ops;
    struct store *next_open;   /* list of thread connections, for store_close_all */
    struct store_group *group; /* the database's group commit (group.c), or NULL */
};

/* The group commit of the database target names (group.c), shared by every connection of
 * this process to it; NULL for an in-memory database. Release with store_group_put. */
struct store_group *store_group_get(const char *target);
void store_group_put(struct store_group *g);

/* Every engine's statement struct starts with this. */
struct store_stmt {
    store *owner;
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

#endif
