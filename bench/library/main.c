/* main.c (library benchmark): polis-bench-library, the tool bench/library.sh drives.
 *   polis-bench-library load DB N [SERVICE_DOCS [BODY_BYTES]]   generate and load N documents
 *   polis-bench-library queries [PICKS]                          print the query list
 *   polis-bench-library raw DB QUERIES [REPS]                    time the queries in-process
 *   polis-bench-library count DB                                 print how many documents
 * DB is a database `polis init` made. */
#include "bench.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int usage(void)
{
    fputs("usage: polis-bench-library load DB N [SERVICE_DOCS [BODY_BYTES]]\n"
          "       polis-bench-library queries [PICKS]\n"
          "       polis-bench-library raw DB QUERIES [REPS]\n"
          "       polis-bench-library count DB\n",
          stderr);
    return 2;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v > max || s[0] == '-') return false;
    *out = v;
    return true;
}

static int with_store(const char *path, store **s)
{
    p_error err;
    p_error_clear(&err);
    if (store_open(path, s, &err) != P_OK) {
        fprintf(stderr, "polis-bench-library: %s: %s\n", path, err.message);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    p_error err;
    p_error_clear(&err);
    if (strcmp(argv[1], "queries") == 0) {
        uint64_t picks = 4;
        if (argc > 3 || (argc == 3 && !parse_u64(argv[2], 1000, &picks))) return usage();
        bench_queries((unsigned)picks, stdout);
        return 0;
    }
    if (strcmp(argv[1], "load") == 0) {
        uint64_t n, service = 1000, body = 3000;
        if (argc < 4 || argc > 6 || !parse_u64(argv[3], 100000000, &n) ||
            (argc > 4 && !parse_u64(argv[4], n, &service)) ||
            (argc > 5 && !parse_u64(argv[5], 1000000, &body)))
            return usage();
        if (service > n) service = n;
        store *s;
        if (with_store(argv[2], &s)) return 1;
        int rc = bench_load(s, n, service, 2000, (size_t)body, stdout, &err);
        store_close(s);
        if (rc != P_OK) fprintf(stderr, "polis-bench-library: load: %s\n", err.message);
        return rc == P_OK ? 0 : 1;
    }
    if (strcmp(argv[1], "raw") == 0) {
        uint64_t reps = 20;
        if (argc < 4 || argc > 5 || (argc == 5 && !parse_u64(argv[4], 100000, &reps)) || !reps)
            return usage();
        store *s;
        if (with_store(argv[2], &s)) return 1;
        int rc = bench_raw(s, argv[3], (int)reps, stdout, &err);
        store_close(s);
        if (rc != P_OK) fprintf(stderr, "polis-bench-library: raw: %s\n", err.message);
        return rc == P_OK ? 0 : 1;
    }
    if (strcmp(argv[1], "count") == 0 && argc == 3) {
        store *s;
        if (with_store(argv[2], &s)) return 1;
        store_stmt *st;
        int rc = store_prepare(s, "SELECT count(*) FROM documents", &st, &err);
        int step = rc == P_OK ? store_step(st, &err) : -rc;
        if (step == STORE_ROW) printf("%lld\n", (long long)store_col_int(st, 0));
        if (rc == P_OK) store_reset(st);
        store_close(s);
        if (step != STORE_ROW) fprintf(stderr, "polis-bench-library: count: %s\n", err.message);
        return step == STORE_ROW ? 0 : 1;
    }
    return usage();
}
