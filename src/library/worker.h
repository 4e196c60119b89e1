/* worker.h (library): the extraction worker — one background thread of `polis serve` that
 * takes editions waiting for text, runs the sandboxed extractor on their files and stores
 * the text for search, or marks it unavailable. Request threads never extract. */
#ifndef POLIS_LIBRARY_WORKER_H
#define POLIS_LIBRARY_WORKER_H

#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>

/* Starts the worker (once). It uses its own store connection. */
MUST_CHECK int library_worker_start(p_error *err);

/* Wakes the worker now (after an upload) instead of at its next poll. */
void library_worker_wake(void);

/* Stops the worker and waits for it (an extraction in progress is finished first). */
void library_worker_stop(void);

/* Extracts every waiting edition now, in the calling thread (the CLI). *done counts them. */
MUST_CHECK int library_extract_pending(store *s, int *done, p_error *err);

#endif
