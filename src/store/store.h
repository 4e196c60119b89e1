/* store.h: the narrow interface every module uses to reach the database. SQL is written
 * with `?` and `?N` placeholders in the standard dialect both engines share; store.c routes
 * each call to SQLite (a file path) or PostgreSQL (a postgres:// URL). Modules never see
 * either engine's types and never branch on the engine.
 *
 * Threading: a `store` is one connection and belongs to one thread. store_thread() gives
 * the calling thread its own connection to the configured database, opened on first use. */
#ifndef POLIS_STORE_H
#define POLIS_STORE_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store;
typedef struct store_stmt store_stmt;

enum { STORE_DONE = 0, STORE_ROW = 1 };

/* Opens a connection. path is a SQLite file (created if needed; WAL, foreign keys, busy
 * timeout) or a postgres:// or postgresql:// URL (libpq syntax). *out is freed with
 * store_close(). P_EUNAVAIL when a PostgreSQL server cannot be reached. */
MUST_CHECK int store_open(const char *path, store **out, p_error *err);
void store_close(store *s);

/* True when target names a PostgreSQL database (postgres:// or postgresql://). */
bool store_is_url(const char *target);
/* Writes target to out with any password removed, for messages and logs. */
void store_redact_target(const char *target, char *out, size_t size);
/* "sqlite" or "postgresql": for `polis version`, `polis check` and the start-up log. */
const char *store_engine_name(const store *s);

/* True when s speaks PostgreSQL's dialect. Only for the few statements that have no form
 * both engines share, written as twins: full-text search (FTS5 MATCH on SQLite, a
 * tsvector @@ tsquery on PostgreSQL). */
bool store_dialect_pg(const store *s);

/* Sets the database that store_thread() connects to; call once before serving. */
void store_config(const char *path);
const char *store_config_path(void);

/* This thread's connection, opened on first use; NULL (and err set: P_EUNAVAIL) if it
 * cannot open. A PostgreSQL connection that broke is re-established here, so call it at
 * the start of a request; statements already prepared stay valid (prepared again lazily).
 * Owned by the store layer; released by store_thread_release() or store_close_all(). */
store *store_thread(p_error *err);
void store_thread_release(void);
/* Closes every connection store_thread() opened (at shutdown, after workers stop). */
void store_close_all(void);

/* Returns a cached prepared statement for sql (reset and unbound), or NULL with err set.
 * The statement belongs to the connection; callers do not free it, but must call
 * store_reset() (or step to DONE) before the next store_prepare of the same sql. */
MUST_CHECK int store_prepare(store *s, const char *sql, store_stmt **out, p_error *err);

void store_bind_text(store_stmt *st, int idx, const char *v);
void store_bind_textn(store_stmt *st, int idx, const char *v, size_t n);
void store_bind_int(store_stmt *st, int idx, int64_t v);
void store_bind_null(store_stmt *st, int idx);
void store_bind_blob(store_stmt *st, int idx, const void *v, size_t n);

/* Steps: STORE_ROW, STORE_DONE, or a negative value with err set (P_ECONFLICT for a
 * constraint violation, P_EUNAVAIL when the database is busy or unreachable, P_ESTORE
 * otherwise). On PostgreSQL a failed statement aborts the enclosing transaction: roll back. */
MUST_CHECK int store_step(store_stmt *st, p_error *err);
void store_reset(store_stmt *st);

int store_column_count(store_stmt *st);
const char *store_col_name(store_stmt *st, int i);
/* Text of column i, "" for NULL; valid until the next step or reset. */
const char *store_col_text(store_stmt *st, int i);
size_t store_col_bytes(store_stmt *st, int i);
const void *store_col_blob(store_stmt *st, int i);
int64_t store_col_int(store_stmt *st, int i);
bool store_col_null(store_stmt *st, int i);

/* Runs a statement that returns no rows to completion and resets it. */
MUST_CHECK int store_run(store_stmt *st, p_error *err);

/* Transactions. store_begin takes the write lock at once (SQLite: BEGIN IMMEDIATE;
 * PostgreSQL: BEGIN and one transaction-scoped advisory lock shared by every writer) so
 * read-modify-write sequences such as the audit chain never interleave. */
MUST_CHECK int store_begin(store *s, p_error *err);
MUST_CHECK int store_commit(store *s, p_error *err);
void store_rollback(store *s);

/* Group commit. work(s, ctx, err) runs inside a write transaction with every other writer
 * of this process to the same database that arrived meanwhile: the group's writer thread
 * runs the whole batch on a connection of its own, each piece of work in a savepoint (a
 * work that fails undoes only its own changes), commits once and wakes the writers. So
 * work must use only the store it is given, and must not begin or end transactions.
 * Returns work's result, or the batch's commit failure. */
typedef int (*store_work)(store *s, void *ctx, p_error *err);
MUST_CHECK int store_group_run(store *s, store_work work, void *ctx, p_error *err);

/* store_group_run without waiting: done(ctx, rc, err) is called with work's result (or the
 * batch's commit failure) once its batch has committed, on the group's writer thread (or
 * at once, in the caller's thread, for a database without a group). ctx must live until
 * then; done must not use a connection of the submitting thread. */
typedef void (*store_done)(void *ctx, int rc, const p_error *err);
void store_group_submit(store *s, store_work work, void *ctx, store_done done);

/* Executes a script of statements without parameters (migrations, savepoints). */
MUST_CHECK int store_exec_script(store *s, const char *sql, p_error *err);

/* The id generated by this connection's latest INSERT into a table with an integer
 * key (PostgreSQL: lastval(), 0 before any insert). */
int64_t store_last_insert_id(store *s);
int store_changes(store *s);

/* Engine maintenance, implemented per engine. store_backup copies a SQLite database
 * online; on PostgreSQL it refuses (P_EINVAL) and names pg_dump. */
MUST_CHECK int store_backup(store *s, const char *out_path, p_error *err);
/* Runs the engine's integrity and foreign-key checks; describes the first problem. */
MUST_CHECK int store_check_integrity(store *s, p_error *err);
/* Library versions: SQLite's, and libpq's as "major.minor". */
const char *store_engine_version(void);
const char *store_pg_library_version(void);

#endif
