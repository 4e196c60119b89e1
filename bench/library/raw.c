/* raw.c (library benchmark): the query list, and the in-process timing of each query:
 * search.c's one pass over the matches as it runs it (MATCH, every match scored with bm25)
 * without facets and with each match's facet row, library_search() whole with its page,
 * snippets and JSON (the cold ceiling), and library_search_json() answered from the cache
 * (the warm ceiling). These are the ceilings the HTTP figures are set against. */
#include "bench.h"
#include "corpus.h"
#include "library/library.h"
#include "search/query.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_QUERIES = 4096, LINE_MAX_BYTES = 600, PAGE_LIMIT = 20 };

static const char *const classes[] = {"one", "two", "phrase"};
static const char *const frequencies[] = {"rare", "medium", "common"};

void bench_queries(unsigned picks, FILE *out)
{
    corpus *c = corpus_new();
    char a[128], b[128];
    for (int cls = 0; cls < 3; cls++)
        for (int f = 0; f < 3; f++)
            for (int ru = 0; ru < 2; ru++)
                for (unsigned p = 0; p < picks; p++) {
                    const char *lang = ru ? "ru" : "en";
                    fprintf(out, "%s\t%s\t%s\t", classes[cls], frequencies[f], lang);
                    if (cls == 0) {
                        fprintf(out, "%s\n", corpus_query_word(c, ru, f, p, a, sizeof a));
                    } else if (cls == 1) {
                        /* rare: a name and a common word; else two words of the class */
                        const char *x = corpus_query_word(c, ru, f, p, a, sizeof a);
                        const char *y =
                            corpus_query_word(c, ru, f == 0 ? 2 : f, p + 5, b, sizeof b);
                        fprintf(out, "%s %s\n", x, y);
                    } else if (f == 2) {
                        fprintf(out, "\"%s\"\n", corpus_query_phrase(ru, p));
                    } else {
                        /* two lemmas side by side by chance: common ones (medium), or middle
                         * ones (rare) */
                        int g = f == 1 ? 2 : 1;
                        fprintf(out, "\"%s %s\"\n", corpus_query_word(c, ru, g, p, a, sizeof a),
                                corpus_query_word(c, ru, g, p + 3, b, sizeof b));
                    }
                }
    corpus_free(c);
}

struct query {
    int cls, freq;
    char text[LINE_MAX_BYTES];
    char *match; /* the FTS5 expression */
    int64_t total;
};

struct samples {
    double *ms;
    size_t n;
};

static void sample_add(struct samples *s, double ms)
{
    s->ms[s->n++] = ms;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(struct samples *s, double p)
{
    if (!s->n) return 0;
    qsort(s->ms, s->n, sizeof *s->ms, by_value);
    size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
    return s->ms[i];
}

static double sum(const struct samples *s)
{
    double t = 0;
    for (size_t i = 0; i < s->n; i++)
        t += s->ms[i];
    return t;
}

static int index_of(const char *const *list, int n, const char *v)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i], v) == 0) return i;
    return -1;
}

static int read_queries(const char *path, struct query **out, size_t *n, p_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) return p_fail(err, P_EIO, NULL, "cannot open %s", path);
    struct query *q = calloc(MAX_QUERIES, sizeof *q);
    if (!q) abort();
    char line[LINE_MAX_BYTES + 64];
    *n = 0;
    while (*n < MAX_QUERIES && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *cls = strtok(line, "\t"), *freq = strtok(NULL, "\t"), *lang = strtok(NULL, "\t"),
             *text = strtok(NULL, "\t");
        if (!cls || !freq || !lang || !text) continue;
        struct query *x = &q[*n];
        x->cls = index_of(classes, 3, cls);
        x->freq = index_of(frequencies, 3, freq);
        if (x->cls < 0 || x->freq < 0) continue;
        snprintf(x->text, sizeof x->text, "%s", text);
        search_query *sq = NULL;
        if (search_query_parse(x->text, &sq, err) != P_OK) {
            fclose(f);
            free(q);
            return P_EINVAL;
        }
        buf m = BUF_INIT;
        search_query_fts5(sq, NULL, &m); /* as library_search without a language filter */
        x->match = buf_steal(&m, NULL);
        search_query_free(sq);
        (*n)++;
    }
    fclose(f);
    *out = q;
    return P_OK;
}

/* search.c's pass over the matches for a query without filters (its scan()): every match
 * scored with bm25, without facets (facets=false) and with each match's facet row. */
static const char RANK_SQL[] = "SELECT library_fts.rowid,"
                               " CAST(bm25(library_fts, 10.0, 4.0, 1.0, 0.0) * -1000000 AS INTEGER)"
                               " FROM library_fts WHERE library_fts MATCH ?";
static const char SCAN_SQL[] =
    "SELECT library_fts.rowid,"
    " CAST(bm25(library_fts, 10.0, 4.0, 1.0, 0.0) * -1000000 AS INTEGER),"
    " f.lang, f.series, f.year, f.priorities"
    " FROM library_fts JOIN library_facets f ON f.edition_id = library_fts.rowid"
    " WHERE library_fts MATCH ?";

/* Wall-clock time, or with POLIS_BENCH_CLOCK=cpu this thread's CPU time (steadier on a
 * machine shared with other work). */
static int64_t clock_ns(void)
{
    static int cpu = -1;
    if (cpu < 0)
        cpu = getenv("POLIS_BENCH_CLOCK") && strcmp(getenv("POLIS_BENCH_CLOCK"), "cpu") == 0;
    if (!cpu) return bench_now_ns();
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Runs sql with match to the end, reading every column as search.c does; returns the rows
 * or a negative status. */
static int64_t run(store *s, const char *sql, const char *match, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return -rc;
    store_bind_text(st, 1, match);
    int64_t rows = 0;
    size_t sink = 0;
    int step;
    int cols = store_column_count(st);
    while ((step = store_step(st, err)) == STORE_ROW) {
        rows++;
        for (int i = 0; i < cols; i++)
            sink += store_col_bytes(st, i);
    }
    store_reset(st);
    (void)sink;
    return step < 0 ? step : rows;
}

enum { M_PAGE, M_FACETS, M_SEARCH, M_CACHED, M_COUNT };
static const char *const measure_names[] = {"page query", "facet pass", "library_search", "cached"};

/* The warm ceiling: library_search_json answered from the cache (the version read, the
 * lookup, the copy), each query computed once first. */
static int time_cached(store *s, struct query *q, size_t n, int reps,
                       struct samples smp[3][4][M_COUNT], p_error *err)
{
    int rc = P_OK;
    for (int r = -1; r < reps && rc == P_OK; r++)
        for (size_t i = 0; i < n && rc == P_OK; i++) {
            struct library_query lq = {.q = q[i].text, .page = 1, .limit = PAGE_LIMIT};
            char *body = NULL;
            size_t len = 0;
            int64_t t0 = clock_ns();
            rc = library_search_json(s, &lq, &body, &len, err);
            int64_t t1 = clock_ns();
            free(body);
            if (r < 0) continue; /* priming */
            sample_add(&smp[q[i].cls][q[i].freq][M_CACHED], (double)(t1 - t0) / 1e6);
            sample_add(&smp[q[i].cls][3][M_CACHED], (double)(t1 - t0) / 1e6);
        }
    return rc;
}

int bench_raw(store *s, const char *queries_path, int reps, FILE *out, p_error *err)
{
    struct query *q = NULL;
    size_t n = 0;
    int rc = read_queries(queries_path, &q, &n, err);
    if (rc != P_OK) return rc;
    /* [class][frequency or 3 = all][measure] */
    struct samples smp[3][4][M_COUNT];
    for (int c = 0; c < 3; c++)
        for (int f = 0; f < 4; f++)
            for (int m = 0; m < M_COUNT; m++) {
                smp[c][f][m].ms = calloc(n * (size_t)reps, sizeof(double));
                smp[c][f][m].n = 0;
                if (!smp[c][f][m].ms) abort();
            }
    for (int r = 0; r < reps && rc == P_OK; r++)
        for (size_t i = 0; i < n && rc == P_OK; i++) {
            struct query *x = &q[i];
            int64_t t0 = clock_ns();
            int64_t rows = run(s, RANK_SQL, x->match, err);
            int64_t t1 = clock_ns();
            if (rows >= 0) rows = run(s, SCAN_SQL, x->match, err);
            int64_t t2 = clock_ns();
            if (rows < 0) {
                rc = (int)-rows;
                break;
            }
            struct library_query lq = {.q = x->text, .page = 1, .limit = PAGE_LIMIT};
            json_t *result = NULL;
            rc = library_search(s, &lq, &result, err);
            char *body = result ? json_dumps(result, JSON_COMPACT) : NULL;
            if (result) x->total = json_integer_value(json_object_get(result, "total"));
            int64_t t3 = clock_ns();
            free(body);
            json_decref(result);
            double ms[M_SEARCH + 1] = {(double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6,
                                       (double)(t3 - t2) / 1e6};
            for (int m = 0; m <= M_SEARCH; m++) {
                sample_add(&smp[x->cls][x->freq][m], ms[m]);
                sample_add(&smp[x->cls][3][m], ms[m]);
            }
        }
    if (rc == P_OK) rc = time_cached(s, q, n, reps, smp, err);
    if (rc == P_OK) {
        double matches[3][4] = {{0}};
        int counted[3][4] = {{0}};
        for (size_t i = 0; i < n; i++) {
            matches[q[i].cls][q[i].freq] += (double)q[i].total;
            counted[q[i].cls][q[i].freq]++;
            matches[q[i].cls][3] += (double)q[i].total;
            counted[q[i].cls][3]++;
        }
        fprintf(out, "# class frequency queries mean_matches");
        for (int m = 0; m < M_COUNT; m++)
            fprintf(out, " | %s: p50_ms p99_ms q/s", measure_names[m]);
        fputc('\n', out);
        for (int c = 0; c < 3; c++)
            for (int f = 0; f < 4; f++) {
                fprintf(out, "%s %s %d %.0f", classes[c], f == 3 ? "all" : frequencies[f],
                        counted[c][f], counted[c][f] ? matches[c][f] / counted[c][f] : 0);
                for (int m = 0; m < M_COUNT; m++) {
                    struct samples *sm = &smp[c][f][m];
                    double total_ms = sum(sm);
                    fprintf(out, " %.3f %.3f %.0f", percentile(sm, 0.50), percentile(sm, 0.99),
                            total_ms > 0 ? (double)sm->n * 1000.0 / total_ms : 0);
                }
                fputc('\n', out);
            }
    }
    for (int c = 0; c < 3; c++)
        for (int f = 0; f < 4; f++)
            for (int m = 0; m < M_COUNT; m++)
                free(smp[c][f][m].ms);
    for (size_t i = 0; i < n; i++)
        free(q[i].match);
    free(q);
    return rc;
}
