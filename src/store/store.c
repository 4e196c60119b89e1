/* store.c: routes each call of store.h to the engine that opened the connection (SQLite
 * for a file path, PostgreSQL for a postgres:// URL) and owns what both share: the
 * configured database, one connection per thread, and store_run(). */
#include "store/engine.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *configured_path;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static store *open_list;
static _Thread_local store *thread_conn;

bool store_is_url(const char *target)
{
    return target &&
           (strncmp(target, "postgres://", 11) == 0 || strncmp(target, "postgresql://", 13) == 0);
}

void store_redact_target(const char *target, char *out, size_t size)
{
    if (!size) return;
    out[0] = '\0';
    if (!target) return;
    const char *scheme_end = strstr(target, "://");
    if (!store_is_url(target) || !scheme_end) {
        snprintf(out, size, "%s", target);
        return;
    }
    const char *auth = scheme_end + 3;
    const char *at = strchr(auth, '@');
    const char *slash = strchr(auth, '/');
    if (at && slash && slash < at) at = NULL; /* an '@' after the path is not userinfo */
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    /* Only the password is secret; the query string may carry one too (password=...). */
    const char *query = strchr(auth, '?');
    int n;
    if (colon)
        n = snprintf(out, size, "%.*s:***%.*s", (int)(colon - target), target,
                     (int)((query ? query : auth + strlen(auth)) - at), at);
    else
        n = snprintf(out, size, "%.*s", (int)((query ? query : auth + strlen(auth)) - target),
                     target);
    if (n < 0 || (size_t)n >= size) return;
    if (query) snprintf(out + n, size - (size_t)n, "?...");
}

int store_open(const char *path, store **out, p_error *err)
{
    const struct store_ops *ops = store_is_url(path) ? &store_pg_ops : &store_sqlite_ops;
    int rc = ops->open(path, out, err);
    if (rc == P_OK) (*out)->group = store_group_get(path);
    return rc;
}

void store_close(store *s)
{
    if (!s) return;
    store_group_put(s->group);
    s->ops->close(s);
}

const char *store_engine_name(const store *s)
{
    return s->ops->name;
}

bool store_dialect_pg(const store *s)
{
    return strcmp(s->ops->name, "postgresql") == 0;
}

void store_config(const char *path)
{
    pthread_mutex_lock(&open_lock);
    free(configured_path);
    configured_path = xstrdup(path);
    pthread_mutex_unlock(&open_lock);
}

const char *store_config_path(void)
{
    return configured_path;
}

store *store_thread(p_error *err)
{
    if (thread_conn) {
        if (thread_conn->ops->revive && thread_conn->ops->revive(thread_conn, err) != P_OK)
            return NULL;
        return thread_conn;
    }
    if (!configured_path) {
        p_fail(err, P_ESTORE, NULL, "no database configured");
        return NULL;
    }
    store *s = NULL;
    if (store_open(configured_path, &s, err) != P_OK) return NULL;
    pthread_mutex_lock(&open_lock);
    s->next_open = open_list;
    open_list = s;
    pthread_mutex_unlock(&open_lock);
    thread_conn = s;
    return s;
}

static void unlink_open(store *s)
{
    for (store **p = &open_list; *p; p = &(*p)->next_open) {
        if (*p == s) {
            *p = s->next_open;
            return;
        }
    }
}

void store_thread_release(void)
{
    if (!thread_conn) return;
    pthread_mutex_lock(&open_lock);
    unlink_open(thread_conn);
    pthread_mutex_unlock(&open_lock);
    store_close(thread_conn);
    thread_conn = NULL;
}

void store_close_all(void)
{
    pthread_mutex_lock(&open_lock);
    while (open_list) {
        store *s = open_list;
        open_list = s->next_open;
        store_close(s);
    }
    pthread_mutex_unlock(&open_lock);
    thread_conn = NULL;
}

int store_prepare(store *s, const char *sql, store_stmt **out, p_error *err)
{
    return s->ops->prepare(s, sql, out, err);
}

void store_bind_text(store_stmt *st, int idx, const char *v)
{
    st->owner->ops->bind_text(st, idx, v, v ? strlen(v) : 0);
}

void store_bind_textn(store_stmt *st, int idx, const char *v, size_t n)
{
    st->owner->ops->bind_text(st, idx, v, n);
}

void store_bind_int(store_stmt *st, int idx, int64_t v)
{
    st->owner->ops->bind_int(st, idx, v);
}

void store_bind_null(store_stmt *st, int idx)
{
    st->owner->ops->bind_null(st, idx);
}

void store_bind_blob(store_stmt *st, int idx, const void *v, size_t n)
{
    st->owner->ops->bind_blob(st, idx, v, n);
}

int store_step(store_stmt *st, p_error *err)
{
    return st->owner->ops->step(st, err);
}

void store_reset(store_stmt *st)
{
    st->owner->ops->reset(st);
}

int store_run(store_stmt *st, p_error *err)
{
    int rc = store_step(st, err);
    store_reset(st);
    return rc < 0 ? -rc : P_OK;
}

int store_column_count(store_stmt *st)
{
    return st->owner->ops->column_count(st);
}

const char *store_col_name(store_stmt *st, int i)
{
    return st->owner->ops->col_name(st, i);
}

const char *store_col_text(store_stmt *st, int i)
{
    return st->owner->ops->col_text(st, i);
}

size_t store_col_bytes(store_stmt *st, int i)
{
    return st->owner->ops->col_bytes(st, i);
}

const void *store_col_blob(store_stmt *st, int i)
{
    return st->owner->ops->col_blob(st, i);
}

int64_t store_col_int(store_stmt *st, int i)
{
    return st->owner->ops->col_int(st, i);
}

bool store_col_null(store_stmt *st, int i)
{
    return st->owner->ops->col_null(st, i);
}

int store_begin(store *s, p_error *err)
{
    return s->ops->begin(s, err);
}

int store_commit(store *s, p_error *err)
{
    return s->ops->commit(s, err);
}

void store_rollback(store *s)
{
    s->ops->rollback(s);
}

int store_exec_script(store *s, const char *sql, p_error *err)
{
    return s->ops->exec_script(s, sql, err);
}

int64_t store_last_insert_id(store *s)
{
    return s->ops->last_insert_id(s);
}

int store_changes(store *s)
{
    return s->ops->changes(s);
}

int store_backup(store *s, const char *out_path, p_error *err)
{
    return s->ops->backup(s, out_path, err);
}

int store_check_integrity(store *s, p_error *err)
{
    return s->ops->check_integrity(s, err);
}
