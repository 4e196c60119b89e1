/* search.c (library): full-text search over editions with BM25 (titles weigh most), the
 * filters of the search page, facet counts over the whole result, escaped snippets, the
 * cached JSON result, and "more like this". The user's query is parsed and rebuilt by
 * search/query.c: no user text reaches FTS5 as syntax. */
#include "library/internal.h"
#include "library/search_cache.h"
#include "search/analyze.h"
#include "search/query.h"
#include "search/snippet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SNIPPET_WORDS = 32, SNIPPET_SCAN_CHARS = 200000, PAGE_MAX = 100 };

/* A match's score as an integer, higher better: bm25 with title 10, abstract 4, body 1 on
 * SQLite; on PostgreSQL ts_rank with the same proportions over the weights A, B and C
 * (?1: the tsquery). */
#define RANK_FTS5 "CAST(bm25(library_fts, 10.0, 4.0, 1.0, 0.0) * -1000000 AS INTEGER)"
#define RANK_PG                                                                                    \
    "CAST(ts_rank('{0, 0.1, 0.4, 1}', library_fts.document, CAST(?1 AS tsquery)) * 1000000"        \
    " AS BIGINT)"

/* A match joined to its facet row (schema/0012_library_facets.sql, kept by index.c): the
 * edition's language and its document's series, year and priorities in one narrow row,
 * which is all the filters and the facet counts read. */
#define FACET_JOIN " FROM library_fts JOIN library_facets f ON f.edition_id = library_fts.rowid"

/* The WHERE shared by the result page, the facet counts and the total, over FACET_JOIN (or
 * over library_fts alone when nothing is filtered); binds follow the expression in the
 * order they are appended. */
struct where {
    buf sql;
    const char *texts[4];
    int n_texts;
    int year;
    buf priority;  /* " CODE ", as the facet row lists it */
    bool filtered; /* a filter needs the facet row */
};

/* pg: PostgreSQL's twin (a tsquery against the generated tsvector, schema/pg/0006 and
 * 0014; strpos for instr); the expression is ?1 there, as the score reads it too. */
static void where_build(struct where *w, const struct library_query *lq, bool pg)
{
    buf_puts(&w->sql, pg ? " WHERE library_fts.document @@ CAST(?1 AS tsquery)"
                         : " WHERE library_fts MATCH ?");
    if (lq->lang) {
        buf_puts(&w->sql, " AND f.lang = ?");
        w->texts[w->n_texts++] = lq->lang;
    }
    if (lq->series) {
        buf_puts(&w->sql, " AND f.series = ?");
        w->texts[w->n_texts++] = lq->series;
    }
    if (lq->priority) {
        /* codes are [A-Za-z0-9_-]+ (the route's PARAM_CODE), so " CODE " is exact */
        buf_puts(&w->sql,
                 pg ? " AND strpos(f.priorities, ?) > 0" : " AND instr(f.priorities, ?) > 0");
        buf_putc(&w->priority, ' ');
        buf_puts(&w->priority, lq->priority);
        buf_putc(&w->priority, ' ');
        w->texts[w->n_texts++] = buf_str(&w->priority);
    }
    if (lq->year) buf_puts(&w->sql, " AND f.year = ?");
    w->year = lq->year;
    w->filtered = w->n_texts > 0 || w->year;
}

static void where_free(struct where *w)
{
    buf_free(&w->sql);
    buf_free(&w->priority);
}

/* Binds the match expression and the filters; returns the next free index. */
static int where_bind(const struct where *w, store_stmt *st, const char *match)
{
    int at = 1;
    store_bind_text(st, at++, match);
    for (int i = 0; i < w->n_texts; i++)
        store_bind_text(st, at++, w->texts[i]);
    if (w->year) store_bind_int(st, at++, w->year);
    return at;
}

static void count_into(json_t *facet, const char *key)
{
    json_t *v = json_object_get(facet, key);
    if (v)
        json_integer_set(v, json_integer_value(v) + 1);
    else
        json_object_set_new(facet, key, json_integer(1));
}

static int by_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Copies the members of from into to in the order of their keys. */
static void sorted_into(json_t *from, json_t *to)
{
    size_t n = json_object_size(from), i = 0;
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys) abort();
    const char *key;
    json_t *v;
    json_object_foreach(from, key, v) keys[i++] = key;
    qsort(keys, n, sizeof *keys, by_key);
    for (i = 0; i < n; i++)
        json_object_set(to, keys[i], json_object_get(from, keys[i]));
    free(keys);
}

enum { YEAR_MIN = 1900, YEAR_MAX = 2100 }; /* documents.year's CHECK */

/* Facet counts being gathered: years in an array, the rest in JSON objects updated in
 * place. */
struct counts {
    json_t *lang, *series, *priority;
    int64_t years[YEAR_MAX - YEAR_MIN + 1];
};

/* Counts the facet row in columns from..from+3 of st (lang, series, year, " A B "). */
static void count_row(struct counts *c, store_stmt *st, int from)
{
    count_into(c->lang, store_col_text(st, from));
    if (*store_col_text(st, from + 1)) count_into(c->series, store_col_text(st, from + 1));
    int64_t y = store_col_int(st, from + 2);
    if (y >= YEAR_MIN && y <= YEAR_MAX) c->years[y - YEAR_MIN]++;
    const char *codes = store_col_text(st, from + 3);
    while (*codes) {
        const char *end = strchr(codes + 1, ' ');
        if (!end) break;
        size_t n = (size_t)(end - codes - 1);
        char code[64];
        if (n > 0 && n < sizeof code) {
            memcpy(code, codes + 1, n);
            code[n] = '\0';
            count_into(c->priority, code);
        }
        codes = end;
    }
}

/* Moves the counts into out as {"lang", "series", "year", "priority"} (years and
 * priorities in order). */
static void counts_finish(struct counts *c, json_t *out)
{
    json_t *year = json_object(), *pri = json_object();
    for (int i = 0; i <= YEAR_MAX - YEAR_MIN; i++)
        if (c->years[i]) {
            char key[8];
            snprintf(key, sizeof key, "%d", YEAR_MIN + i);
            json_object_set_new(year, key, json_integer(c->years[i]));
        }
    sorted_into(c->priority, pri);
    json_object_set_new(out, "lang", c->lang);
    json_object_set_new(out, "series", c->series);
    json_object_set_new(out, "year", year);
    json_object_set_new(out, "priority", pri);
    json_decref(c->priority);
}

/* A match's rank: its bm25 score as an integer (higher is better), then its edition id
 * (lower first), as the result page orders them. */
struct ranked {
    int64_t score, id;
};

static bool ranks_below(const struct ranked *a, const struct ranked *b)
{
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

static int best_first(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    return ranks_below(y, x) ? -1 : ranks_below(x, y) ? 1 : 0;
}

/* The best cap matches seen so far: a heap whose root is the worst of them. */
struct best {
    struct ranked *heap;
    size_t n, cap;
};

static void best_swap(struct best *b, size_t i, size_t j)
{
    struct ranked t = b->heap[i];
    b->heap[i] = b->heap[j];
    b->heap[j] = t;
}

static void best_offer(struct best *b, int64_t score, int64_t id)
{
    struct ranked x = {score, id};
    if (b->n < b->cap) {
        size_t i = b->n++;
        b->heap[i] = x;
        while (i > 0 && ranks_below(&b->heap[i], &b->heap[(i - 1) / 2])) {
            best_swap(b, i, (i - 1) / 2);
            i = (i - 1) / 2;
        }
        return;
    }
    if (b->cap == 0 || !ranks_below(&b->heap[0], &x)) return;
    b->heap[0] = x;
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < b->n && ranks_below(&b->heap[l], &b->heap[w])) w = l;
        if (r < b->n && ranks_below(&b->heap[r], &b->heap[w])) w = r;
        if (w == i) break;
        best_swap(b, i, w);
        i = w;
    }
}

/* One pass over the matches: each is scored with bm25 (title 10, abstract 4, body 1) and
 * kept in best when it is among the first best->cap, counted into the total and, when
 * facets is given, into the facet counts from its facet row. FTS5 scores every match
 * whatever the LIMIT (it has no top-k shortcut), so a separate ranked statement for the
 * page would evaluate the expression a second time for nothing: for a phrase that is
 * most of the cost of the facets (docs/benchmarks.md). */
static int scan(store *s, const struct where *w, const char *match, json_t *facets, int64_t *total,
                struct best *best, p_error *err)
{
    buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT library_fts.rowid, ");
    buf_puts(&sql, store_dialect_pg(s) ? RANK_PG : RANK_FTS5);
    if (facets) buf_puts(&sql, ", f.lang, f.series, f.year, f.priorities");
    buf_puts(&sql, facets || w->filtered ? FACET_JOIN : " FROM library_fts");
    buf_append(&sql, w->sql.data, w->sql.len);
    store_stmt *st;
    int rc = store_prepare(s, buf_str(&sql), &st, err);
    buf_free(&sql);
    if (rc != P_OK) return rc;
    (void)where_bind(w, st, match);
    struct counts *c = NULL;
    if (facets) {
        c = calloc(1, sizeof *c);
        if (!c) abort();
        c->lang = json_object();
        c->series = json_object();
        c->priority = json_object();
    }
    *total = 0;
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        (*total)++;
        best_offer(best, store_col_int(st, 1), store_col_int(st, 0));
        if (c) count_row(c, st, 2);
    }
    store_reset(st);
    if (c) counts_finish(c, facets);
    free(c);
    return step < 0 ? -step : P_OK;
}

/* The language a stored text was indexed in (its tag: index.c) into out, or fallback. */
static const char *indexed_lang(const char *raw, const char *fallback, char out[static 8])
{
    const char *text = library_untagged(raw);
    size_t n = text > raw + 1 ? (size_t)(text - raw) - 2 : 0;
    if (n == 0 || n >= 8) return fallback;
    memcpy(out, raw + 1, n);
    out[n] = '\0';
    return out;
}

/* The snippet of text (indexed in lang) into out; returns how many words it marks. */
static size_t snippet_of(const search_query *q, const char *text, const char *lang, buf *out)
{
    struct search_terms *terms = malloc(sizeof *terms);
    if (!terms) abort();
    search_query_terms(q, lang, terms);
    size_t hits = search_snippet(text, strlen(text), lang, terms, SNIPPET_WORDS, out);
    free(terms);
    return hits;
}

/* Adds "snippet" to item: the best passage of the edition's body with the query's words
 * marked; when the body has none of them (the edition matched by its abstract, perhaps
 * the catalogue's English one) or there is no body, the abstract's. */
static int add_snippet(store *s, const search_query *q, int64_t edition, const char *lang,
                       json_t *item, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(
        s, "SELECT substr(body, 1, ?), abstract FROM library_fts WHERE rowid = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, SNIPPET_SCAN_CHARS);
    store_bind_int(st, 2, edition);
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        const char *body = library_untagged(store_col_text(st, 0));
        const char *raw_abstract = store_col_text(st, 1);
        char tag[8];
        const char *abstract_lang = indexed_lang(raw_abstract, lang, tag);
        buf snip = BUF_INIT;
        size_t hits = *body ? snippet_of(q, body, lang, &snip) : 0;
        if (hits == 0) {
            buf other = BUF_INIT;
            const char *abstract = library_untagged(raw_abstract);
            if (snippet_of(q, abstract, abstract_lang, &other) > 0 || !*body) {
                buf_free(&snip);
                snip = other;
            } else {
                buf_free(&other);
            }
        }
        json_object_set_new(item, "snippet", json_string(buf_str(&snip)));
        buf_free(&snip);
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* The page of lq from the best matches (best->cap is at least the page's end): each
 * edition with its document's catalogue data, its score and its snippet. */
static int result_page(store *s, const search_query *q, const struct library_query *lq,
                       struct best *best, json_t *items, p_error *err)
{
    qsort(best->heap, best->n, sizeof *best->heap, best_first);
    size_t from = (size_t)(lq->page - 1) * (size_t)lq->limit;
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT e.document_id, e.lang, e.title, d.title, d.series, d.volume,"
                           " d.year, e.text_status, e.file_sha256 IS NOT NULL FROM editions e"
                           " JOIN documents d ON d.id = e.document_id WHERE e.id = ?",
                           &st, err);
    for (size_t i = from; rc == P_OK && i < best->n && i < from + (size_t)lq->limit; i++) {
        store_bind_int(st, 1, best->heap[i].id);
        int step = store_step(st, err);
        if (step == STORE_ROW) {
            const char *lang = store_col_text(st, 1);
            json_t *item = json_pack(
                "{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:s, s:b, s:f}", "document",
                (json_int_t)store_col_int(st, 0), "edition", (json_int_t)best->heap[i].id, "lang",
                lang, "edition_title", store_col_text(st, 2), "title", store_col_text(st, 3),
                "series", store_col_text(st, 4), "volume",
                store_col_null(st, 5) ? json_null() : json_integer(store_col_int(st, 5)), "year",
                (json_int_t)store_col_int(st, 6), "text", store_col_text(st, 7), "has_file",
                store_col_int(st, 8) != 0, "score", (double)best->heap[i].score / 1e6);
            json_array_append_new(items, item);
        }
        store_reset(st);
        if (step < 0) rc = -step;
    }
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (rc != P_OK) break;
        rc = add_snippet(s, q, json_integer_value(json_object_get(item, "edition")),
                         json_string_value(json_object_get(item, "lang")), item, err);
    }
    return rc;
}

/* A search parsed and ready to run: the query's tree and its FTS5 expression. */
struct prepared {
    search_query *q;
    buf match;
};

static void prepared_free(struct prepared *p)
{
    search_query_free(p->q);
    buf_free(&p->match);
}

/* Checks lq's bounds and parses its query into p (freed with prepared_free on P_OK). */
static int prepare(const struct library_query *lq, bool pg, struct prepared *p, p_error *err)
{
    *p = (struct prepared){.match = BUF_INIT};
    if (lq->limit < 1 || lq->limit > 50)
        return p_fail(err, P_EINVAL, "limit", "limit must be 1..50");
    if (lq->page < 1 || lq->page > PAGE_MAX)
        return p_fail(err, P_EINVAL, "page", "page must be 1..%d", PAGE_MAX);
    if (lq->lang && !search_lang_supported(lq->lang))
        return p_fail(err, P_EINVAL, "lang", "lang must be one of %s", LIBRARY_LANGS);
    int rc = search_query_parse(lq->q, &p->q, err);
    if (rc != P_OK) return rc;
    /* Filtered by language, the query is analysed in that language and in English: an
     * edition without its own abstract is indexed with the catalogue's, which is English
     * (index.c), so the filter keeps every edition of lang the unfiltered search finds. */
    const char *langs[] = {lq->lang, lq->lang && strcmp(lq->lang, "en") != 0 ? "en" : NULL, NULL};
    if (pg)
        search_query_tsquery(p->q, lq->lang ? langs : NULL, &p->match);
    else
        search_query_fts5(p->q, lq->lang ? langs : NULL, &p->match);
    return P_OK;
}

static int run(store *s, const struct library_query *lq, const struct prepared *p, json_t **out,
               p_error *err)
{
    *out = NULL;
    struct where w = {.sql = BUF_INIT, .priority = BUF_INIT};
    where_build(&w, lq, store_dialect_pg(s));
    json_t *result = json_pack("{s:s, s:i, s:i}", "query", search_query_text(p->q), "page",
                               lq->page, "limit", lq->limit);
    json_t *items = json_array();
    json_object_set_new(result, "items", items);
    json_t *facets = NULL;
    if (!lq->skip_facets) {
        facets = json_object();
        json_object_set_new(result, "facets", facets);
    }
    int64_t total = 0;
    struct best best = {.cap = (size_t)lq->page * (size_t)lq->limit}; /* at most 5,000 */
    best.heap = malloc(best.cap * sizeof *best.heap);
    if (!best.heap) abort();
    int rc = scan(s, &w, buf_str(&p->match), facets, &total, &best, err);
    if (rc == P_OK) rc = result_page(s, p->q, lq, &best, items, err);
    json_object_set_new(result, "total", json_integer(total));
    free(best.heap);
    where_free(&w);
    if (rc != P_OK) {
        json_decref(result);
        return rc;
    }
    *out = result;
    return P_OK;
}

int library_search(store *s, const struct library_query *lq, json_t **out, p_error *err)
{
    *out = NULL;
    struct prepared p;
    int rc = prepare(lq, store_dialect_pg(s), &p, err);
    if (rc == P_OK) rc = run(s, lq, &p, out, err);
    prepared_free(&p);
    return rc;
}

/* Appends text to key with its length first, so no two different lists of values give the
 * same key; NULL is distinct from "". */
static void key_put(buf *key, const char *text)
{
    char n[24];
    if (!text) {
        buf_puts(key, "-;");
        return;
    }
    snprintf(n, sizeof n, "%zu:", strlen(text));
    buf_puts(key, n);
    buf_puts(key, text);
    buf_putc(key, ';');
}

/* The cache key of a search: everything its result depends on. The query enters as the
 * engine's expression, rebuilt from the parsed tree with each word analysed in every
 * language searched (so spacing and the forms typed that analyse alike share a key), and
 * as the text the result repeats. Results do not depend on who asks (every signed-in user
 * searches the whole library), so no role or scope is part of it. */
static void cache_key(const struct library_query *lq, const struct prepared *p, buf *key)
{
    char nums[64];
    key_put(key, buf_str(&p->match));
    key_put(key, search_query_text(p->q));
    key_put(key, lq->lang);
    key_put(key, lq->priority);
    key_put(key, lq->series);
    snprintf(nums, sizeof nums, "%d", lq->year);
    key_put(key, nums);
    snprintf(nums, sizeof nums, "%d,%d,%d", lq->page, lq->limit, lq->skip_facets ? 0 : 1);
    key_put(key, nums);
}

int library_search_json(store *s, const struct library_query *lq, char **body, size_t *len,
                        p_error *err)
{
    *body = NULL;
    *len = 0;
    struct prepared p;
    int rc = prepare(lq, store_dialect_pg(s), &p, err);
    if (rc != P_OK) return rc;
    /* The version is read before the search runs: a change committed meanwhile moves it
     * past the one this result is kept under, so the result is never served after it. */
    int64_t version = 0;
    rc = library_version(s, &version, err);
    buf key = BUF_INIT;
    if (rc == P_OK) cache_key(lq, &p, &key);
    if (rc == P_OK && !search_cache_get(version, key.data, key.len, body, len)) {
        json_t *result = NULL;
        rc = run(s, lq, &p, &result, err);
        if (rc == P_OK) {
            *body = json_dumps(result, JSON_COMPACT | JSON_REAL_PRECISION(15)); /* as the API */
            json_decref(result);
            if (!*body) abort(); /* jansson fails only when out of memory */
            *len = strlen(*body);
            search_cache_put(version, key.data, key.len, *body, *len);
        }
    }
    buf_free(&key);
    prepared_free(&p);
    return rc;
}

/* ---- more like this ----------------------------------------------------------------------- */

enum { MLT_TERMS = 12, MLT_SCAN_CHARS = 20000, MLT_CANDIDATES = 400 };

struct tf_count {
    json_t *counts; /* token -> count */
};

static int count_token(void *ctx, const char *token, size_t len, size_t start, size_t end)
{
    (void)start;
    (void)end;
    struct tf_count *c = ctx;
    if (len < 3 || (token[0] >= '0' && token[0] <= '9')) return 0;
    if (json_object_size(c->counts) >= MLT_CANDIDATES && !json_object_get(c->counts, token))
        return 0;
    json_t *v = json_object_get(c->counts, token);
    json_object_set_new(c->counts, token, json_integer(v ? json_integer_value(v) + 1 : 1));
    return 0;
}

/* The text of doc's best edition (English, else the first with a body), tokenised into
 * term counts. */
static int document_terms(store *s, int64_t doc, json_t *counts, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT f.lang, f.title, f.abstract, substr(f.body, 1, ?)"
                           " FROM editions e JOIN library_fts f ON f.rowid = e.id"
                           " WHERE e.document_id = ?"
                           " ORDER BY e.lang = 'en' DESC, length(f.body) DESC LIMIT 1",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, MLT_SCAN_CHARS);
    store_bind_int(st, 2, doc);
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        struct tf_count c = {counts};
        char lang[8];
        snprintf(lang, sizeof lang, "%s", store_col_text(st, 0));
        for (int col = 1; col <= 3; col++) {
            const char *raw = store_col_text(st, col);
            const char *text = library_untagged(raw);
            /* the abstract may be the catalogue's English one */
            char tag_lang[8] = "";
            if (raw[0] == '\x1f' && text - raw - 2 < (long)sizeof tag_lang && text - raw >= 2)
                snprintf(tag_lang, sizeof tag_lang, "%.*s", (int)(text - raw - 2), raw + 1);
            (void)search_tokenize(text, strlen(text), tag_lang[0] ? tag_lang : lang, SEARCH_STEM,
                                  count_token, &c);
        }
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

struct weighted {
    const char *token;
    double weight;
};

static int by_weight(const void *a, const void *b)
{
    const struct weighted *x = a, *y = b;
    return x->weight < y->weight ? 1 : x->weight > y->weight ? -1 : strcmp(x->token, y->token);
}

/* Picks the MLT_TERMS tokens of counts with the highest tf-idf into out (pointers into
 * counts' keys); returns how many. */
static int distinctive_terms(store *s, json_t *counts, const char **out, p_error *err)
{
    /* PostgreSQL has no fts5vocab: the editions holding the token, through the index */
    static const char df_pg[] =
        "SELECT count(*) FROM library_fts WHERE document @@ CAST(? AS tsquery)";
    bool pg = store_dialect_pg(s);
    store_stmt *st;
    int rc = store_prepare(s, "SELECT count(*) FROM library_fts", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    double docs = step == STORE_ROW ? (double)store_col_int(st, 0) : 0;
    store_reset(st);
    if (step < 0) return -step;
    size_t n = json_object_size(counts), k = 0;
    struct weighted *w = calloc(n ? n : 1, sizeof *w);
    if (!w) abort();
    const char *token;
    json_t *v;
    json_object_foreach(counts, token, v)
    {
        rc =
            store_prepare(s, pg ? df_pg : "SELECT doc FROM library_vocab WHERE term = ?", &st, err);
        if (rc != P_OK) break;
        buf lexeme = BUF_INIT;
        search_tsquery_any(&token, 1, &lexeme);
        store_bind_text(st, 1, pg ? buf_str(&lexeme) : token);
        buf_free(&lexeme);
        step = store_step(st, err);
        double df = step == STORE_ROW ? (double)store_col_int(st, 0) : 0;
        store_reset(st);
        if (step < 0) {
            rc = -step;
            break;
        }
        if (df < 2) continue; /* a word only this document has finds nothing else */
        w[k++] = (struct weighted){token, (double)json_integer_value(v) * log(docs / df)};
    }
    if (rc == P_OK) {
        qsort(w, k, sizeof *w, by_weight);
        for (size_t i = 0; i < k && i < MLT_TERMS; i++)
            out[i] = w[i].token;
    }
    free(w);
    return rc == P_OK ? (int)(k < MLT_TERMS ? k : MLT_TERMS) : -rc;
}

/* ?1 the expression, ?2 the document, ?3 how many. bm25 cannot run inside an aggregate:
 * rank the editions in a subquery (its LIMIT keeps SQLite from flattening it; its ORDER BY
 * makes the thousand kept the best, not the first found), then keep each document's best. */
#define SIMILAR_SQL(rank, match)                                                                   \
    "SELECT d.id, d.title, d.year, d.series, d.volume, max(m.score) AS best"                       \
    " FROM (SELECT e.document_id AS doc, " rank " AS score FROM library_fts"                       \
    " JOIN editions e ON e.id = library_fts.rowid"                                                 \
    " WHERE " match " AND e.document_id <> ?2"                                                     \
    " ORDER BY score DESC LIMIT 1000) m"                                                           \
    " JOIN documents d ON d.id = m.doc"                                                            \
    " GROUP BY d.id ORDER BY best DESC, d.id LIMIT ?3"
static const char similar_fts5[] = SIMILAR_SQL(RANK_FTS5, "library_fts MATCH ?1");
static const char similar_pg[] =
    SIMILAR_SQL(RANK_PG, "library_fts.document @@ CAST(?1 AS tsquery)");

int library_similar(store *s, int64_t doc, int limit, json_t **out, p_error *err)
{
    *out = NULL;
    json_t *exists = NULL;
    int rc = library_load(s, doc, &exists, err);
    json_decref(exists);
    if (rc != P_OK) return rc;
    json_t *counts = json_object(), *items = json_array();
    const char *terms[MLT_TERMS];
    rc = document_terms(s, doc, counts, err);
    int n = rc == P_OK ? distinctive_terms(s, counts, terms, err) : 0;
    if (n < 0) rc = -n;
    if (rc == P_OK && n > 0) {
        buf match = BUF_INIT;
        bool pg = store_dialect_pg(s);
        if (pg)
            search_tsquery_any(terms, (size_t)n, &match);
        else
            search_fts5_any(terms, (size_t)n, &match);
        store_stmt *st;
        rc = store_prepare(s, pg ? similar_pg : similar_fts5, &st, err);
        if (rc == P_OK) {
            store_bind_text(st, 1, buf_str(&match));
            store_bind_int(st, 2, doc);
            store_bind_int(st, 3, limit);
            int step;
            while ((step = store_step(st, err)) == STORE_ROW)
                json_array_append_new(
                    items,
                    json_pack(
                        "{s:I, s:s, s:I, s:s, s:o, s:f}", "id", (json_int_t)store_col_int(st, 0),
                        "title", store_col_text(st, 1), "year", (json_int_t)store_col_int(st, 2),
                        "series", store_col_text(st, 3), "volume",
                        store_col_null(st, 4) ? json_null() : json_integer(store_col_int(st, 4)),
                        "score", (double)store_col_int(st, 5) / 1e6));
            store_reset(st);
            if (step < 0) rc = -step;
        }
        buf_free(&match);
    }
    json_decref(counts);
    if (rc != P_OK) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return P_OK;
}
