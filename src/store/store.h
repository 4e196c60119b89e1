/* store.h: the narrow interface every module uses to reach the database. SQL is written
 * with `?` placeholders in the standard dialect both engines share; a PostgreSQL back end
 * implements these same functions. Modules never see sqlite3 types.
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

/* Opens (creating if needed) the database at path: WAL, foreign keys, busy timeout.
 * *out is freed with store_close(). */
MUST_CHECK int store_open(const char *path, store **out, p_error *err);
void store_close(store *s);

/* Sets the database that store_thread() connects to; call once before serving. */
void store_config(const char *path);
const char *store_config_path(void);

/* This thread's connection, opened on first use; NULL (and err set) if it cannot open.
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
 * unique or foreign-key violation, P_ESTORE otherwise). */
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

/* Transactions. store_begin takes the write lock at once (BEGIN IMMEDIATE) so
 * read-modify-write sequences such as the audit chain never interleave. */
MUST_CHECK int store_begin(store *s, p_error *err);
MUST_CHECK int store_commit(store *s, p_error *err);
void store_rollback(store *s);

/* Executes a script of statements without parameters (migrations only). */
MUST_CHECK int store_exec_script(store *s, const char *sql, p_error *err);

int64_t store_last_insert_id(store *s);
int store_changes(store *s);

/* Engine maintenance, implemented per engine. */
MUST_CHECK int store_backup(store *s, const char *out_path, p_error *err);
/* Runs the engine's integrity and foreign-key checks; describes the first problem. */
MUST_CHECK int store_check_integrity(store *s, p_error *err);
const char *store_engine_version(void);

#endif
