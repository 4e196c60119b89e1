/* group.c: group commit (store_group_run and store_group_submit in store.h). Writers of one
 * process to one database queue their work, and a writer thread of the group's own runs
 * everything queued as one batch: one transaction, each piece of work inside a savepoint so
 * a refusal undoes only its own rows, one commit (so one sync) for the whole batch, then
 * each writer learns its result. A waiting writer holds no server thread when it submits
 * (store_group_submit: a callback brings the result), or sleeps on a semaphore of its own
 * (store_group_run). Batches run on a connection of the group's own, so only that
 * connection ever writes: its page cache stays valid from one batch to the next, where a
 * thread's connection would find every page it kept stale (and, on SQLite, its memory map
 * dropped) after another connection's commit. */
#include "store/engine.h"
#include "core/mem.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

/* A writer's piece of work: on its writer's stack while it waits on wake (store_group_run),
 * or on the heap with a callback, freed by the writer thread after calling it. */
struct job {
    store_work work;
    void *ctx;
    int rc;
    p_error err;
    store_done done; /* NULL: post wake instead */
    sem_t wake;
    struct job *next;
};

struct store_group {
    char *key; /* the database: a file's real path, or the URL */
    int users; /* open connections */
    struct store_group *next;
    pthread_mutex_t mu;          /* guards head, tail, stop and the thread's start */
    pthread_cond_t queued;       /* signalled when work is queued or the thread must stop */
    struct job *head, *tail;     /* waiting for a batch */
    const struct store_ops *ops; /* the engine the writer's connection is opened with */
    store *writer;               /* the batches' connection (writer thread only), or NULL */
    pthread_t thread;            /* runs the batches */
    bool running, stop;
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
        pthread_cond_init(&g->queued, NULL);
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
        pthread_mutex_lock(&g->mu);
        g->stop = true;
        bool running = g->running;
        pthread_cond_signal(&g->queued);
        pthread_mutex_unlock(&g->mu);
        if (running) pthread_join(g->thread, NULL); /* it runs what is queued first */
        if (g->writer) g->writer->ops->close(g->writer);
        pthread_cond_destroy(&g->queued);
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

/* The group's connection: opened on first use, revived after a lost server connection;
 * NULL with err set when it cannot be. */
static store *writer_store(struct store_group *g, p_error *err)
{
    if (!g->writer) {
        store *w = NULL;
        if (g->ops->open(g->key, &w, err) != P_OK) return NULL;
        g->writer = w;
    }
    if (g->writer->ops->revive && g->writer->ops->revive(g->writer, err) != P_OK) return NULL;
    return g->writer;
}

/* Tells each writer of batch its result, never touching a job after that (its memory is
 * its writer's, or freed here). */
static void finish_batch(struct job *batch)
{
    for (struct job *j = batch, *after; j; j = after) {
        after = j->next;
        if (j->done) {
            j->done(j->ctx, j->rc, &j->err);
            free(j);
        } else {
            sem_post(&j->wake);
        }
    }
}

static void *writer_main(void *arg)
{
    struct store_group *g = arg;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->head && !g->stop)
            pthread_cond_wait(&g->queued, &g->mu);
        if (!g->head) break;
        struct job *batch = g->head;
        g->head = g->tail = NULL;
        pthread_mutex_unlock(&g->mu);
        p_error err;
        p_error_clear(&err);
        store *w = writer_store(g, &err);
        if (w) {
            run_batch(w, batch);
        } else {
            for (struct job *j = batch; j; j = j->next) {
                j->rc = err.status ? (int)err.status : P_EUNAVAIL;
                j->err = err;
            }
        }
        finish_batch(batch);
        pthread_mutex_lock(&g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* Queues j in g, starting g's writer thread on first use; false (nothing queued) when the
 * thread cannot start. */
static bool enqueue(struct store_group *g, const store *s, struct job *j)
{
    pthread_mutex_lock(&g->mu);
    if (!g->running) {
        g->ops = s->ops;
        if (pthread_create(&g->thread, NULL, writer_main, g) != 0) {
            pthread_mutex_unlock(&g->mu);
            return false;
        }
        g->running = true;
    }
    if (g->tail)
        g->tail->next = j;
    else
        g->head = j;
    g->tail = j;
    pthread_cond_signal(&g->queued);
    pthread_mutex_unlock(&g->mu);
    return true;
}

int store_group_run(store *s, store_work work, void *ctx, p_error *err)
{
    struct store_group *g = s->group;
    struct job me = {.work = work, .ctx = ctx};
    sem_init(&me.wake, 0, 0);
    if (g && enqueue(g, s, &me)) {
        while (sem_wait(&me.wake) != 0 && errno == EINTR)
            ;
    } else { /* alone (in memory), or no thread: a transaction of its own */
        run_batch(s, &me);
    }
    sem_destroy(&me.wake);
    if (me.rc != P_OK && err) *err = me.err;
    return me.rc;
}

void store_group_submit(store *s, store_work work, void *ctx, store_done done)
{
    struct store_group *g = s->group;
    struct job *j = xcalloc(1, sizeof *j);
    j->work = work;
    j->ctx = ctx;
    j->done = done;
    if (g && enqueue(g, s, j)) return;
    run_batch(s, j); /* alone: at once, on the caller's connection */
    finish_batch(j);
}
