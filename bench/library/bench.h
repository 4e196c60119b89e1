/* bench.h (library benchmark): what the loader, the query list and the in-process timer
 * of polis-bench-library share. */
#ifndef POLIS_BENCH_LIBRARY_H
#define POLIS_BENCH_LIBRARY_H

#include "core/err.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>

/* Monotonic time in nanoseconds. */
int64_t bench_now_ns(void);

/* Loads documents [0, n) of the corpus into s: the first service_docs through the library's
 * service functions (a transaction and audit entries per change, like the API), the rest
 * in bulk (rows and full-text rows in transactions of batch documents, one audit entry).
 * Prints what it measured to out as "key value" lines. */
MUST_CHECK int bench_load(store *s, uint64_t n, uint64_t service_docs, uint64_t batch,
                          size_t body_bytes, FILE *out, p_error *err);

/* Writes the query list: "class<TAB>frequency<TAB>lang<TAB>query" lines, per picks for
 * each class (one, two, phrase), frequency (rare, medium, common) and language. */
void bench_queries(unsigned picks, FILE *out);

/* Times each query of the list (as bench_queries writes it) reps times in-process: the
 * result page's FTS5 query as search.c runs it, the facet pass, and library_search whole.
 * Prints a table to out. */
MUST_CHECK int bench_raw(store *s, const char *queries_path, int reps, FILE *out, p_error *err);

#endif
