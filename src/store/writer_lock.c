/* writer_lock.c: the per-file writers' mutexes of the SQLite engine (writer_lock.h), in a
 * small list guarded by one mutex; a lock lives while a connection to its file is open. */
#include "store/writer_lock.h"
#include "core/mem.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct writer_lock {
    char *path; /* the real path */
    pthread_mutex_t mu;
    int users; /* open connections */
    struct writer_lock *next;
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct writer_lock *registry;

struct writer_lock *writer_lock_get(const char *path)
{
    char real[PATH_MAX];
    if (!path || !realpath(path, real)) return NULL;
    pthread_mutex_lock(&registry_mu);
    struct writer_lock *wl = registry;
    while (wl && strcmp(wl->path, real) != 0)
        wl = wl->next;
    if (!wl) {
        wl = xcalloc(1, sizeof *wl);
        wl->path = xstrdup(real);
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
        pthread_mutex_init(&wl->mu, &attr);
        pthread_mutexattr_destroy(&attr);
        wl->next = registry;
        registry = wl;
    }
    wl->users++;
    pthread_mutex_unlock(&registry_mu);
    return wl;
}

void writer_lock_put(struct writer_lock *wl)
{
    if (!wl) return;
    pthread_mutex_lock(&registry_mu);
    if (--wl->users == 0) {
        struct writer_lock **at = &registry;
        while (*at != wl)
            at = &(*at)->next;
        *at = wl->next;
        pthread_mutex_destroy(&wl->mu);
        free(wl->path);
        free(wl);
    }
    pthread_mutex_unlock(&registry_mu);
}

void writer_lock_acquire(struct writer_lock *wl)
{
    if (wl) pthread_mutex_lock(&wl->mu);
}

void writer_lock_release(struct writer_lock *wl)
{
    if (wl) pthread_mutex_unlock(&wl->mu);
}
