/* load.c (library benchmark): puts the generated corpus into a database, in two ways that
 * are timed apart: through the library's service functions (what the API and importers do:
 * a transaction, a full-text update and audit entries per change) and in bulk (the same
 * rows and full-text rows, big transactions, one audit entry for the whole load). */
#include "auth/audit.h"
#include "bench.h"
#include "core/text.h"
#include "corpus.h"
#include "library/internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

enum { MAX_PRIORITIES = 6 };

/* CPU time (user and system) of this process in nanoseconds: on a shared machine wall time
 * alone says little. */
static int64_t cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
           ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

struct codes {
    char code[MAX_PRIORITIES][17];
    int n;
};

static int priority_codes(store *s, struct codes *out, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT code FROM priorities ORDER BY code", &st, err);
    if (rc != P_OK) return rc;
    int step;
    out->n = 0;
    while ((step = store_step(st, err)) == STORE_ROW && out->n < MAX_PRIORITIES)
        snprintf(out->code[out->n++], sizeof out->code[0], "%s", store_col_text(st, 0));
    store_reset(st);
    if (step < 0) return -step;
    return out->n ? P_OK : p_fail(err, P_ENOTFOUND, NULL, "no thematic priorities: polis init?");
}

static json_t *priorities_json(const struct corpus_doc *d, const struct codes *c)
{
    json_t *a = json_array();
    for (int i = 0; i < c->n; i++)
        if (d->priorities & (1u << i)) json_array_append_new(a, json_string(c->code[i]));
    return a;
}

/* One document through library_document_create, library_edition_put and the extracted
 * text through library_index_body, each change in its own transaction. */
static int load_one_service(store *s, const struct corpus_doc *d, const struct codes *c,
                            p_error *err)
{
    static const struct actor by = {"bench", ""};
    json_t *fields = json_pack("{s:s, s:i, s:s, s:s, s:o}", "title", buf_str(&d->title), "year",
                               d->year, "series", corpus_series[d->series], "abstract",
                               buf_str(&d->abstract), "priorities", priorities_json(d, c));
    json_t *doc = NULL;
    int rc = library_document_create(s, fields, &by, &doc, err);
    json_decref(fields);
    if (rc != P_OK) return rc;
    int64_t id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    fields =
        json_pack("{s:s, s:s}", "title", buf_str(&d->title), "abstract", buf_str(&d->abstract));
    rc = library_edition_put(s, id, d->lang, fields, &by, NULL, err);
    json_decref(fields);
    if (rc != P_OK) return rc;
    store_stmt *st;
    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    rc = store_prepare(s, "SELECT id FROM editions WHERE document_id = ? AND lang = ?", &st, err);
    int64_t edition = 0;
    if (rc == P_OK) {
        store_bind_int(st, 1, id);
        store_bind_text(st, 2, d->lang);
        int step = store_step(st, err);
        if (step == STORE_ROW) edition = store_col_int(st, 0);
        store_reset(st);
        if (step < 0) rc = -step;
    }
    if (rc == P_OK) rc = library_index_body(s, edition, d->body.data, d->body.len, err);
    if (rc == P_OK) rc = library_version_bump(s, err);
    if (rc == P_OK) return store_commit(s, err);
    store_rollback(s);
    return rc;
}

static int by_code(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One document as rows: the document, its priorities, its edition, its facet row and its
 * full-text row (the values tagged with their language, as index.c writes them). */
static int load_one_bulk(store *s, const struct corpus_doc *d, const struct codes *c,
                         const char *now, buf *scratch, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "INSERT INTO documents(title, series, year, status, abstract,"
                           " created_at, updated_at) VALUES (?, ?, ?, 'published', ?, ?, ?)",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_textn(st, 1, d->title.data, d->title.len);
    store_bind_text(st, 2, corpus_series[d->series]);
    store_bind_int(st, 3, d->year);
    store_bind_textn(st, 4, d->abstract.data, d->abstract.len);
    store_bind_text(st, 5, now);
    store_bind_text(st, 6, now);
    if ((rc = store_run(st, err)) != P_OK) return rc;
    int64_t doc = store_last_insert_id(s);
    for (int i = 0; i < c->n && rc == P_OK; i++) {
        if (!(d->priorities & (1u << i))) continue;
        rc = store_prepare(
            s, "INSERT INTO document_priorities(document_id, priority_code) VALUES (?, ?)", &st,
            err);
        if (rc != P_OK) return rc;
        store_bind_int(st, 1, doc);
        store_bind_text(st, 2, c->code[i]);
        rc = store_run(st, err);
    }
    if (rc == P_OK)
        rc = store_prepare(s,
                           "INSERT INTO editions(document_id, lang, title, abstract, text_status,"
                           " created_at, updated_at) VALUES (?, ?, ?, ?, 'extracted', ?, ?)",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, doc);
    store_bind_text(st, 2, d->lang);
    store_bind_textn(st, 3, d->title.data, d->title.len);
    store_bind_textn(st, 4, d->abstract.data, d->abstract.len);
    store_bind_text(st, 5, now);
    store_bind_text(st, 6, now);
    if ((rc = store_run(st, err)) != P_OK) return rc;
    int64_t edition = store_last_insert_id(s);
    /* its facet row, as index.c writes it: priorities sorted, space-padded */
    rc = store_prepare(s,
                       "INSERT INTO library_facets(edition_id, lang, series, year, priorities)"
                       " VALUES (?, ?, ?, ?, ?)",
                       &st, err);
    if (rc != P_OK) return rc;
    char codes[256];
    size_t at = 0;
    codes[at++] = ' ';
    const char *sorted[32];
    int n_sorted = 0;
    for (int i = 0; i < c->n && n_sorted < 32; i++)
        if (d->priorities & (1u << i)) sorted[n_sorted++] = c->code[i];
    qsort(sorted, (size_t)n_sorted, sizeof *sorted, by_code);
    for (int i = 0; i < n_sorted; i++) {
        int w = snprintf(codes + at, sizeof codes - at, "%s ", sorted[i]);
        if (w < 0 || (size_t)w >= sizeof codes - at) return p_fail(err, P_EINVAL, NULL, "codes");
        at += (size_t)w;
    }
    store_bind_int(st, 1, edition);
    store_bind_text(st, 2, d->lang);
    store_bind_text(st, 3, corpus_series[d->series]);
    store_bind_int(st, 4, d->year);
    store_bind_textn(st, 5, codes, at);
    if ((rc = store_run(st, err)) != P_OK) return rc;
    rc = store_prepare(s,
                       "INSERT INTO library_fts(rowid, title, abstract, body, lang)"
                       " VALUES (?, ?, ?, ?, ?)",
                       &st, err);
    if (rc != P_OK) return rc;
    buf *tagged = scratch;
    for (int i = 0; i < 3; i++)
        buf_reset(&tagged[i]);
    library_tagged(&tagged[0], d->lang, d->title.data, d->title.len);
    library_tagged(&tagged[1], d->lang, d->abstract.data, d->abstract.len);
    library_tagged(&tagged[2], d->lang, d->body.data, d->body.len);
    store_bind_int(st, 1, edition);
    for (int i = 0; i < 3; i++)
        store_bind_textn(st, 2 + i, tagged[i].data, tagged[i].len);
    store_bind_text(st, 5, d->lang);
    return store_run(st, err);
}

static int audit_bulk(store *s, uint64_t first, uint64_t n, p_error *err)
{
    char id[64];
    snprintf(id, sizeof id, "bench:%llu-%llu", (unsigned long long)first,
             (unsigned long long)(first + n));
    json_t *after = json_pack("{s:I}", "documents", (json_int_t)n);
    struct audit_entry e = {"bench", "bulk_load", "document", id, NULL, after, ""};
    int rc = audit_append(s, &e, err);
    json_decref(after);
    return rc;
}

int bench_load(store *s, uint64_t n, uint64_t service_docs, uint64_t batch, size_t body_bytes,
               FILE *out, p_error *err)
{
    struct codes codes;
    int rc = priority_codes(s, &codes, err);
    if (rc != P_OK) return rc;
    corpus *c = corpus_new();
    struct corpus_doc d = {.title = BUF_INIT, .abstract = BUF_INIT, .body = BUF_INIT};
    buf scratch[3] = {BUF_INIT, BUF_INIT, BUF_INIT};
    uint64_t body_total = 0, i = 0;
    int64_t t0 = bench_now_ns(), c0 = cpu_ns();
    for (; i < service_docs && rc == P_OK; i++) {
        corpus_document(c, i, body_bytes, &d);
        body_total += d.body.len;
        rc = load_one_service(s, &d, &codes, err);
    }
    int64_t t1 = bench_now_ns(), c1 = cpu_ns(), gen_ns = 0;
    char now[21];
    text_now_iso(now);
    while (i < n && rc == P_OK) {
        rc = store_begin(s, err);
        uint64_t first = i;
        for (; i < n && i - first < batch && rc == P_OK; i++) {
            int64_t g = bench_now_ns();
            corpus_document(c, i, body_bytes, &d);
            gen_ns += bench_now_ns() - g;
            body_total += d.body.len;
            rc = load_one_bulk(s, &d, &codes, now, scratch, err);
        }
        if (rc == P_OK) rc = audit_bulk(s, first, i - first, err);
        if (rc == P_OK) rc = library_version_bump(s, err); /* as every change of the library */
        if (rc == P_OK)
            rc = store_commit(s, err);
        else
            store_rollback(s);
        if (rc == P_OK && (i / batch) % 10 == 0)
            fprintf(stderr, "polis-bench-library: %llu of %llu documents\n", (unsigned long long)i,
                    (unsigned long long)n);
    }
    int64_t t2 = bench_now_ns(), c2 = cpu_ns();
    for (int k = 0; k < 3; k++)
        buf_free(&scratch[k]);
    buf_free(&d.title);
    buf_free(&d.abstract);
    buf_free(&d.body);
    corpus_free(c);
    if (rc != P_OK) return rc;
    store_stmt *st;
    rc = store_prepare(s, "PRAGMA wal_checkpoint(TRUNCATE)", &st, err);
    if (rc == P_OK) {
        while (store_step(st, err) == STORE_ROW) {
        }
        store_reset(st);
    }
    fprintf(out, "documents %llu\n", (unsigned long long)n);
    fprintf(out, "body_bytes_mean %llu\n", (unsigned long long)(n ? body_total / n : 0));
    fprintf(out, "service_docs %llu\nservice_ms %.1f\nservice_cpu_ms %.1f\n",
            (unsigned long long)service_docs, (double)(t1 - t0) / 1e6, (double)(c1 - c0) / 1e6);
    fprintf(out, "bulk_docs %llu\nbulk_ms %.1f\nbulk_cpu_ms %.1f\nbulk_generate_ms %.1f\n",
            (unsigned long long)(n - service_docs), (double)(t2 - t1) / 1e6,
            (double)(c2 - c1) / 1e6, (double)gen_ns / 1e6);
    return rc;
}
