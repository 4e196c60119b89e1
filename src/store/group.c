/* group.c: group commit (store_group_run in store.h). Writers of one process to one
 * database queue their work; whoever finds no batch running leads: it runs every queued
 * piece of work in one transaction on its own connection, each inside a savepoint so a
 * refusal undoes only its own rows, commits once and wakes each writer with its result.
 * One commit, and so one sync, serves the whole batch. Batches run on a connection of the
 * group's own, so only that connection ever writes: its page cache stays valid from one
 * batch to the next, where a thread's connection would find every page it kept stale (and,
 * on SQLite, its memory map dropped) after another connection's commit. */
#include "store/engine.h"
#include "core/mem.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

/* A writer's piece of work, on its stack while it waits. Its writer sleeps on wake until
 * the batch holding it is over (done) or it is made the next leader (lead); whoever posts
 * wake sets those first, and the semaphore orders the writes for the waker. */
struct job {
    store_work work;
    void *ctx;
    int rc;
    p_error err;
    bool done;
    bool lead;
    sem_t wake;
    struct job *next;
};

struct store_group {
    char *key; /* the database: a file's real path, or the URL */
    int users; /* open connections */
    struct store_group *next;
    pthread_mutex_t mu;      /* guards head, tail and leading */
    struct job *head, *tail; /* waiting for a batch */
    bool leading;            /* a writer leads: runs a batch, or was made leader and wakes */
    store *writer;           /* the batches' connection, opened by the first leader; or NULL */
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct store_group *registry;

struct store_group *store_group_get(const char *target)
{
    char real[PATH_MAX];
    const char *key = target;
    if (!target) return NULL;
    if (!store_is_url(target)) {
        if (!realpath(target, real)) return NULL; /* in memory: no other connection */
        key = real;
    }
    pthread_mutex_lock(&registry_mu);
    struct store_group *g = registry;
    while (g && strcmp(g->key, key) != 0)
        g = g->next;
    if (!g) {
        g = xcalloc(1, sizeof *g);
        g->key = xstrdup(key);
        pthread_mutex_init(&g->mu, NULL);
        g->next = registry;
        registry = g;
    }
    g->users++;
    pthread_mutex_unlock(&registry_mu);
    return g;
}

void store_group_put(struct store_group *g)
{
    if (!g) return;
    pthread_mutex_lock(&registry_mu);
    if (--g->users == 0) {
        struct store_group **at = &registry;
        while (*at != g)
            at = &(*at)->next;
        *at = g->next;
        if (g->writer) g->writer->ops->close(g->writer);
        pthread_mutex_destroy(&g->mu);
        free(g->key);
        free(g);
    }
    pthread_mutex_unlock(&registry_mu);
}

/* Gives every job of batch whose work went well the failure rc of the whole batch. */
static void fail_batch(struct job *batch, int rc, const p_error *err)
{
    for (struct job *j = batch; j; j = j->next) {
        if (j->rc != P_OK) continue;
        j->rc = rc;
        j->err = *err;
    }
}

/* Runs batch in one transaction on s, each job in a savepoint. */
static void run_batch(store *s, struct job *batch)
{
    p_error err;
    p_error_clear(&err);
    for (struct job *j = batch; j; j = j->next)
        j->rc = P_OK;
    int rc = store_begin(s, &err);
    for (struct job *j = batch; j && rc == P_OK; j = j->next) {
        rc = store_exec_script(s, "SAVEPOINT polis_job", &err);
        if (rc != P_OK) break;
        p_error_clear(&j->err);
        j->rc = j->work(s, j->ctx, &j->err);
        if (j->rc != P_OK) rc = store_exec_script(s, "ROLLBACK TO SAVEPOINT polis_job", &err);
        if (rc == P_OK) rc = store_exec_script(s, "RELEASE SAVEPOINT polis_job", &err);
    }
    if (rc == P_OK) rc = store_commit(s, &err);
    if (rc != P_OK) {
        store_rollback(s);
        fail_batch(batch, rc, &err);
    }
}

/* The connection g's batches run on: its own, opened on first use and revived after a lost
 * server connection (called by the leader only); s, the leader's, when it cannot be. */
static store *batch_store(struct store_group *g, store *s)
{
    p_error err;
    p_error_clear(&err);
    if (!g->writer) {
        store *w = NULL;
        if (s->ops->open(g->key, &w, &err) != P_OK) return s;
        g->writer = w;
    }
    if (g->writer->ops->revive && g->writer->ops->revive(g->writer, &err) != P_OK) return s;
    return g->writer;
}

/* Sleeps until another writer posts j->wake. */
static void wait_wake(struct job *j)
{
    while (sem_wait(&j->wake) != 0 && errno == EINTR)
        ;
}

/* Leads one batch: everything queued in g, me among it. Runs it, hands the lead to the
 * first writer that queued meanwhile (or gives it up), and wakes each writer of the batch,
 * never touching a job after its wake-up (its memory is its writer's). */
static void lead(struct store_group *g, store *s, struct job *me)
{
    pthread_mutex_lock(&g->mu);
    struct job *batch = g->head;
    g->head = g->tail = NULL;
    pthread_mutex_unlock(&g->mu);
    run_batch(batch_store(g, s), batch);
    pthread_mutex_lock(&g->mu);
    struct job *next = g->head;
    if (next)
        next->lead = true;
    else
        g->leading = false;
    pthread_mutex_unlock(&g->mu);
    if (next) sem_post(&next->wake); /* first: the next batch starts while this one wakes */
    for (struct job *j = batch, *after; j; j = after) {
        after = j->next;
        j->done = true;
        if (j != me) sem_post(&j->wake);
    }
}

int store_group_run(store *s, store_work work, void *ctx, p_error *err)
{
    struct store_group *g = s->group;
    struct job me = {.work = work, .ctx = ctx};
    if (!g) { /* alone: a transaction of its own */
        run_batch(s, &me);
        if (me.rc != P_OK && err) *err = me.err;
        return me.rc;
    }
    sem_init(&me.wake, 0, 0);
    pthread_mutex_lock(&g->mu);
    if (g->tail)
        g->tail->next = &me;
    else
        g->head = &me;
    g->tail = &me;
    if (!g->leading) g->leading = me.lead = true;
    pthread_mutex_unlock(&g->mu);
    if (!me.lead) wait_wake(&me);
    if (!me.done) lead(g, s, &me); /* made leader: me is in the queue it takes */
    sem_destroy(&me.wake);
    if (me.rc != P_OK && err) *err = me.err;
    return me.rc;
}
