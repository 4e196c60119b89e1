/* worker.c (library): the extraction queue's consumer. The queue is the editions table
 * itself (text_status = 'pending'), so nothing is lost across restarts and several servers
 * may run workers: storing the text checks that the edition still has the same file. */
#include "library/worker.h"

#include "core/log.h"
#include "library/extract.h"
#include "library/files.h"
#include "library/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

enum { POLL_MS = 2000 };

static pthread_t worker;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool running, stopping, woken;

/* Extracts one pending edition; *found false when the queue is empty. */
static int extract_one(store *s, bool *found, p_error *err)
{
    struct library_pending job;
    int rc = library_next_pending(s, &job, found, err);
    if (rc != P_OK || !*found) return rc;
    char path[FILES_PATH_MAX];
    char *text = NULL;
    size_t len = 0;
    p_error why;
    p_error_clear(&why);
    enum file_type type = file_type_parse(job.type);
    int xrc = files_path(job.sha256, path, sizeof path, &why);
    if (xrc == P_OK && !files_exists(job.sha256))
        xrc = p_fail(&why, P_EUNPROC, NULL, "the file is missing from the file store");
    if (xrc == P_OK && type == FILE_TYPE_NONE)
        xrc = p_fail(&why, P_EUNPROC, NULL, "unknown file type %s", job.type);
    if (xrc == P_OK) xrc = extract_text(path, type, &text, &len, &why);
    if (xrc == P_OK)
        rc = library_edition_set_text(s, job.edition_id, job.sha256, text, len, err);
    else
        rc = library_edition_set_unavailable(
            s, job.edition_id, job.sha256, why.message[0] ? why.message : "extraction failed", err);
    if (xrc != P_OK)
        log_info("library: text of edition %lld unavailable: %s", (long long)job.edition_id,
                 why.message);
    free(text);
    return rc;
}

int library_extract_pending(store *s, int *done, p_error *err)
{
    *done = 0;
    for (;;) {
        bool found = false;
        int rc = extract_one(s, &found, err);
        if (rc != P_OK) return rc;
        if (!found) return P_OK;
        (*done)++;
    }
}

static void *run(void *arg)
{
    (void)arg;
    p_error err;
    p_error_clear(&err);
    for (;;) {
        pthread_mutex_lock(&lock);
        if (!woken && !stopping) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += POLL_MS / 1000;
            (void)pthread_cond_timedwait(&wake, &lock, &until);
        }
        woken = false;
        bool stop = stopping;
        pthread_mutex_unlock(&lock);
        if (stop) break;
        store *s = store_thread(&err);
        int done = 0;
        if (s && library_extract_pending(s, &done, &err) != P_OK)
            log_error("library: extraction queue: %s", err.message);
    }
    store_thread_release();
    return NULL;
}

int library_worker_start(p_error *err)
{
    pthread_mutex_lock(&lock);
    int rc = P_OK;
    if (!running) {
        stopping = false;
        if (pthread_create(&worker, NULL, run, NULL) != 0)
            rc = p_fail(err, P_EIO, NULL, "cannot start the extraction worker");
        else
            running = true;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

void library_worker_wake(void)
{
    pthread_mutex_lock(&lock);
    woken = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
}

void library_worker_stop(void)
{
    pthread_mutex_lock(&lock);
    bool was = running;
    stopping = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    if (was) pthread_join(worker, NULL);
    pthread_mutex_lock(&lock);
    running = false;
    pthread_mutex_unlock(&lock);
}
