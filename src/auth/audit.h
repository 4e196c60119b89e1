/* audit.h: the tamper-evident audit trail. Every change (with before and after), every
 * login, logout and failed login, and every read of sensitive data is appended in the
 * same transaction as the change. Each entry stores the SHA-256 of the previous entry, so
 * editing or deleting any row breaks the chain that audit_verify() walks. */
#ifndef POLIS_AUDIT_H
#define POLIS_AUDIT_H

#include "core/cursor.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

struct audit_entry {
    const char *actor;     /* login, or "system" / "cli" */
    const char *action;    /* create, update, delete, login, logout, login_failed, read, ... */
    const char *entity;    /* table-like name: "user", "organisation", ... */
    const char *entity_id; /* the entity's stable id or code */
    const json_t *before;  /* may be NULL */
    const json_t *after;   /* may be NULL */
    const char *client;    /* client address or "" */
};

/* Appends e. The caller holds a write transaction (store_begin) so the chain is linear. */
MUST_CHECK int audit_append(store *s, const struct audit_entry *e, p_error *err);

/* Appends e in its own transaction (for events that are not part of a change: logins). */
MUST_CHECK int audit_append_alone(store *s, const struct audit_entry *e, p_error *err);

/* Walks the whole chain. P_OK with *checked rows, or P_EINTEGRITY naming the first bad id. */
MUST_CHECK int audit_verify(store *s, int64_t *checked, p_error *err);

/* The newest entry: its id and hash (0 and 64 zeros for an empty trail). Removing the
 * newest entries leaves a valid shorter chain, so operators record the head elsewhere and
 * later ask audit_contains() whether the chain still reaches it. */
MUST_CHECK int audit_head(store *s, int64_t *id, char hash[static 65], p_error *err);

/* *found is true when an entry with this hash exists. */
MUST_CHECK int audit_contains(store *s, const char *hash, bool *found, p_error *err);

struct audit_filter {
    const char *actor, *entity, *entity_id, *action;
    const char *from, *to; /* ISO-8601 bounds on `at`, inclusive; NULL for open */
    const char *cursor;    /* from a previous page, or NULL */
    int limit;             /* 1..1000 */
};

/* Lists entries newest first. from and to are "YYYY-MM-DD" (whole day) or
 * "YYYY-MM-DDTHH:MM:SSZ"; callers validate them. *items is a new JSON array; next receives the
 * cursor of the following page or "" at the end. */
MUST_CHECK int audit_list(store *s, const struct audit_filter *f, json_t **items,
                          char next[static CURSOR_MAX], p_error *err);

#endif
