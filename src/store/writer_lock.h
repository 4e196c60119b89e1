/* writer_lock.h: one mutex per SQLite database file, shared by every connection this process
 * has to it and taken around write transactions. This process's writers then queue on the
 * mutex and are woken the moment the writer before them commits, instead of polling
 * SQLite's lock through its busy handler, which sleeps up to 100 ms between tries. Other
 * processes on the same file still meet SQLite's lock and the busy handler. */
#ifndef POLIS_STORE_WRITER_LOCK_H
#define POLIS_STORE_WRITER_LOCK_H

struct writer_lock;

/* The lock of the file at path (resolved to its real path), made on first use; NULL when
 * the path cannot be resolved (an in-memory database). Release with writer_lock_put. */
struct writer_lock *writer_lock_get(const char *path);
void writer_lock_put(struct writer_lock *wl);

/* Recursive: a thread that holds it (through another connection to the same file) passes,
 * and meets SQLite's own lock as it would without this one. NULL does nothing. */
void writer_lock_acquire(struct writer_lock *wl);
void writer_lock_release(struct writer_lock *wl);

#endif
