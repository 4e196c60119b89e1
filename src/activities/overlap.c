/* overlap.c (activities): likely duplicates of an activity among other organisations'
 * activities, for co-ordination: candidates found through the date-range index and the
 * full-text index (never a scan of every activity), then scored in C by the formula that
 * overlap.h documents, each from its one row of activity_scoring. No HTTP here. */
#include "activities/overlap.h"
#include "activities/overlap_words.h"
#include "search/analyze.h"
#include "search/query.h"
#include "activities/activities.h"
#include "activities/internal.h"
#include "auth/audit.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FTS_WORDS_MAX  12   /* words OR-ed into the full-text query */
#define TOPIC_ROWS_MAX 3000 /* date-range index rows read per search, all codes together */
#define FTS_ROWS_MAX   100  /* best full-text matches taken */
#define FTS_DOCS_MAX   1000 /* activities holding the title words searched for, at most */
#define SCORED_MAX     200  /* candidates loaded and scored, the likeliest first */

/* ---- dates as day numbers ---------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Writes day z as YYYY-MM-DD, clamped to the years 0001..9999. */
static void civil_from_days(int64_t z, char out[static 11])
{
    static const int64_t lo = -719162, hi = 2932896; /* 0001-01-01, 9999-12-31 */
    if (z < lo) z = lo;
    if (z > hi) z = hi;
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400 + (m <= 2));
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    if (n == 10)
        memcpy(out, tmp, 11);
    else
        out[0] = '\0'; /* cannot happen after the clamp */
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Parses a calendar date YYYY-MM-DD into a day number. */
static bool parse_day(const char *s, int64_t *day)
{
    if (!s || !text_is_date(s)) return false;
    *day = days_from_civil(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2));
    return true;
}

double overlap_score(double topic, double time, double country, double text)
{
    return 0.35 * topic + 0.25 * time + 0.20 * country + 0.20 * text;
}

/* ---- the activity under study ------------------------------------------------------------ */

struct codes {
    int n;
    const char *v[ACTIVITY_LIST_MAX + 1];
};

static bool codes_has(const struct codes *c, const char *v)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->v[i], v) == 0) return true;
    return false;
}

static void codes_add(struct codes *c, const char *v)
{
    if (v && *v && c->n < ACTIVITY_LIST_MAX + 1 && !codes_has(c, v)) c->v[c->n++] = v;
}

struct probe {
    const char *public_id, *lead_org; /* NULL for a draft, and when not given */
    int64_t start, end;               /* day numbers; end >= start */
    struct codes priorities, focus, countries;
    struct wordset title_en, title_ru;
};

/* An optional string member: NULL when absent or null; P_EINVAL for another type. */
static int read_string(json_t *obj, const char *member, const char *field, const char **out,
                       p_error *err)
{
    *out = NULL;
    json_t *v = json_object_get(obj, member);
    if (!v || json_is_null(v)) return P_OK;
    if (!json_is_string(v)) return p_fail(err, P_EINVAL, field, "%s must be a string", field);
    *out = json_string_value(v);
    return P_OK;
}

static int read_codes(json_t *rec, const char *member, struct codes *c, p_error *err)
{
    json_t *v = json_object_get(rec, member);
    if (!v || json_is_null(v)) return P_OK;
    if (!json_is_array(v) || json_array_size(v) > ACTIVITY_LIST_MAX)
        return p_fail(err, P_EINVAL, member, "%s must be a list of at most %d codes", member,
                      ACTIVITY_LIST_MAX);
    size_t i;
    json_t *code;
    json_array_foreach(v, i, code)
    {
        if (!json_is_string(code))
            return p_fail(err, P_EINVAL, member, "%s must be a list of codes", member);
        codes_add(c, json_string_value(code));
    }
    return P_OK;
}

static int read_title(json_t *rec, struct probe *p, p_error *err)
{
    json_t *t = json_object_get(rec, "title");
    const char *en = NULL, *ru = NULL;
    if (t && !json_is_null(t)) {
        if (!json_is_object(t))
            return p_fail(err, P_EINVAL, "title", "title must be an object {\"en\": …, \"ru\": …}");
        int rc = read_string(t, "en", "title", &en, err);
        if (rc == P_OK) rc = read_string(t, "ru", "title", &ru, err);
        if (rc != P_OK) return rc;
        if ((en && text_utf8_len(en, strlen(en)) > ACTIVITY_TITLE_MAX) ||
            (ru && text_utf8_len(ru, strlen(ru)) > ACTIVITY_TITLE_MAX))
            return p_fail(err, P_EINVAL, "title", "a title is longer than %d characters",
                          ACTIVITY_TITLE_MAX);
    }
    overlap_wordset_of(en, &p->title_en);
    overlap_wordset_of(ru, &p->title_ru);
    return P_OK;
}

/* Reads the members of rec that the search uses into p (pointers into rec). */
static int read_probe(json_t *rec, struct probe *p, p_error *err)
{
    if (!json_is_object(rec)) return p_fail(err, P_EINVAL, NULL, "the activity must be an object");
    const char *host = NULL, *start = NULL, *end = NULL;
    int rc = read_string(rec, "id", "id", &p->public_id, err);
    if (rc == P_OK) rc = read_string(rec, "lead_org", "lead_org", &p->lead_org, err);
    if (rc == P_OK) rc = read_string(rec, "host_country", "host_country", &host, err);
    if (rc == P_OK) rc = read_string(rec, "planned_start", "planned_start", &start, err);
    if (rc == P_OK) rc = read_string(rec, "planned_end", "planned_end", &end, err);
    if (rc == P_OK) rc = read_codes(rec, "priorities", &p->priorities, err);
    if (rc == P_OK) rc = read_codes(rec, "focus_areas", &p->focus, err);
    codes_add(&p->countries, host);
    if (rc == P_OK) rc = read_codes(rec, "beneficiary_countries", &p->countries, err);
    if (rc == P_OK) rc = read_title(rec, p, err);
    if (rc != P_OK) return rc;
    if (!parse_day(start, &p->start))
        return p_fail(err, P_EINVAL, "planned_start",
                      "planned_start must be a date YYYY-MM-DD to find overlaps");
    if (end && !parse_day(end, &p->end))
        return p_fail(err, P_EINVAL, "planned_end", "planned_end must be a date YYYY-MM-DD");
    if (!end || p->end < p->start) p->end = p->start;
    return P_OK;
}

/* ---- candidates -------------------------------------------------------------------------- */

struct cand {
    int64_t id;
    int src;            /* the search that found it: one per code, one for the text */
    int shared_topic;   /* codes of the probe's priorities and focus areas it holds */
    int shared_country; /* of the probe's countries */
    int fts_rank;       /* 0-based place among the full-text matches, -1 when none */
    double prior;       /* likelihood used to choose which candidates to score */
};

struct cands {
    struct cand *v;
    size_t n, cap;
    int topic_rows;
};

static void cands_add(struct cands *c, int64_t id, int src, int shared_topic, int shared_country,
                      int fts_rank)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = (struct cand){id, src, shared_topic, shared_country, fts_rank, 0.0};
}

/* The bounds of the search: planned periods that end on or after from and start on or
 * before to come within the window; the activity itself and its organisation's are out. */
struct search {
    char from[11], to[11];
    const struct probe *p;
};

/* ?1 kind, ?2 code, ?3 month, ?4 window end, ?5 window start, ?6 the lead organisation to
 * leave out (NULL: none). The date-range index gives the activities of one month holding
 * the code; periods too long for per-month rows sit at month -1 (periods.c). */
static const char sql_by_code[] =
    "SELECT activity_id FROM activity_periods WHERE kind = ?1 AND code = ?2 AND month = ?3"
    " AND first_day <= ?4 AND last_day >= ?5 AND (?6 IS NULL OR lead_org <> ?6)";
/* The same for a month strictly inside the window, whose rows all come within it (a
 * period touching the month ends after the window's start and starts before its end):
 * ?4 the lead organisation to leave out. */
static const char sql_by_code_inside[] =
    "SELECT activity_id FROM activity_periods WHERE kind = ?1 AND code = ?2 AND month = ?3"
    " AND (?4 IS NULL OR lead_org <> ?4)";

/* ?1 full-text query, ?2 window end, ?3 window start, ?4 lead organisation, ?5 public id,
 * ?6 rows; titles weigh ten times the descriptions. CROSS JOIN keeps the full-text index
 * as the driver. */
static const char sql_by_text[] =
    "SELECT a.id FROM activities_fts CROSS JOIN activities a"
    " WHERE activities_fts MATCH ?1 AND a.id = activities_fts.rowid"
    " AND a.planned_start <= ?2 AND COALESCE(a.planned_end, a.planned_start) >= ?3"
    " AND (?4 IS NULL OR a.lead_org <> ?4) AND (?5 IS NULL OR a.public_id <> ?5)"
    " ORDER BY bm25(activities_fts, 10.0, 10.0, 1.0, 1.0) LIMIT ?6";
/* Its PostgreSQL twin: ?1 is a tsquery; titles (weight A) weigh ten times descriptions (B). */
static const char sql_by_text_pg[] =
    "SELECT a.id FROM activities_fts f JOIN activities a ON a.id = f.rowid"
    " WHERE f.document @@ CAST(?1 AS tsquery)"
    " AND a.planned_start <= ?2 AND COALESCE(a.planned_end, a.planned_start) >= ?3"
    " AND (?4 IS NULL OR a.lead_org <> ?4) AND (?5 IS NULL OR a.public_id <> ?5)"
    " ORDER BY ts_rank('{0, 0, 0.1, 1}', f.document, CAST(?1 AS tsquery)) DESC, a.id LIMIT ?6";

/* One code of the probe to search the index by. */
struct code_ref {
    const char *kind, *code;
    bool topic; /* a priority or focus area (else a country) */
};

/* Adds the activities of month m holding ref's code (source src). Returns P_OK, also when
 * TOPIC_ROWS_MAX rows have been read. */
static int collect_month(store *s, const struct code_ref *ref, int src, int m,
                         const struct search *q, struct cands *c, p_error *err)
{
    bool inside = m > activity_month_of(q->from) && m < activity_month_of(q->to);
    store_stmt *st;
    int rc = store_prepare(s, inside ? sql_by_code_inside : sql_by_code, &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, ref->kind);
    store_bind_text(st, 2, ref->code);
    store_bind_int(st, 3, m);
    if (inside) {
        store_bind_text(st, 4, q->p->lead_org);
    } else {
        store_bind_text(st, 4, q->to);
        store_bind_text(st, 5, q->from);
        store_bind_text(st, 6, q->p->lead_org);
    }
    int step = STORE_DONE;
    while (c->topic_rows < TOPIC_ROWS_MAX && (step = store_step(st, err)) == STORE_ROW) {
        cands_add(c, store_col_int(st, 0), src, ref->topic ? 1 : 0, ref->topic ? 0 : 1, -1);
        c->topic_rows++;
    }
    store_reset(st);
    return step < 0 && c->topic_rows < TOPIC_ROWS_MAX ? -step : P_OK;
}

/* Adds the activities of the window that share a focus area, a priority or a country with
 * the probe, month by month from the probe's own months outwards (the nearest in time
 * first, each month the most telling codes first), until TOPIC_ROWS_MAX index rows are
 * read. Each code is a source of its own (*src counts them). */
static int collect_codes(store *s, const struct search *q, struct cands *c, int *src, p_error *err)
{
    const struct probe *p = q->p;
    struct code_ref *refs =
        xcalloc((size_t)(p->focus.n + p->priorities.n + p->countries.n) + 1, sizeof *refs);
    int n = 0;
    for (int i = 0; i < p->focus.n; i++)
        refs[n++] = (struct code_ref){"f", p->focus.v[i], true};
    for (int i = 0; i < p->priorities.n; i++)
        refs[n++] = (struct code_ref){"p", p->priorities.v[i], true};
    for (int i = 0; i < p->countries.n; i++)
        refs[n++] = (struct code_ref){"c", p->countries.v[i], false};
    int first = *src + 1;
    *src += n;
    char day[11];
    civil_from_days(p->start, day);
    int own_lo = activity_month_of(day);
    civil_from_days(p->end, day);
    int own_hi = activity_month_of(day);
    int lo = activity_month_of(q->from), hi = activity_month_of(q->to);
    int rc = P_OK;
    /* Periods too long for per-month rows, then the probe's months, then outwards. */
    for (int i = 0; rc == P_OK && i < n && c->topic_rows < TOPIC_ROWS_MAX; i++)
        rc = collect_month(s, &refs[i], first + i, ACTIVITY_PERIOD_LONG, q, c, err);
    for (int m = own_lo; rc == P_OK && m <= own_hi && c->topic_rows < TOPIC_ROWS_MAX; m++)
        for (int i = 0; rc == P_OK && i < n && c->topic_rows < TOPIC_ROWS_MAX; i++)
            rc = collect_month(s, &refs[i], first + i, m, q, c, err);
    for (int d = 1;
         rc == P_OK && (own_lo - d >= lo || own_hi + d <= hi) && c->topic_rows < TOPIC_ROWS_MAX;
         d++)
        for (int i = 0; rc == P_OK && i < n && c->topic_rows < TOPIC_ROWS_MAX; i++) {
            if (own_lo - d >= lo) rc = collect_month(s, &refs[i], first + i, own_lo - d, q, c, err);
            if (rc == P_OK && own_hi + d <= hi)
                rc = collect_month(s, &refs[i], first + i, own_hi + d, q, c, err);
        }
    free(refs);
    return rc;
}

struct word_docs {
    const char *w;
    int64_t docs; /* activities holding it, counted up to FTS_DOCS_MAX + 1 */
};

static int by_docs(const void *a, const void *b)
{
    const struct word_docs *x = a, *y = b;
    return (x->docs > y->docs) - (x->docs < y->docs);
}

/* How many activities hold word w, counting no further than FTS_DOCS_MAX + 1 so a common
 * word costs no more than a rare one; asked of the index once per version v of the
 * registry (overlap_words.c keeps the counts). */
static int word_docs(store *s, const struct overlap_version *v, const char *w, int64_t *docs,
                     p_error *err)
{
    char token[SEARCH_TOKEN_MAX + 1];
    if (search_token(w, strlen(w), NULL, SEARCH_STEM, token) == 0) {
        *docs = 0;
        return P_OK;
    }
    if (overlap_docs_cached(v, token, docs)) return P_OK;
    bool pg = store_dialect_pg(s);
    const char *tokens[] = {token};
    buf match = BUF_INIT;
    if (pg)
        search_tsquery_any(tokens, 1, &match);
    else
        search_fts5_any(tokens, 1, &match);
    store_stmt *st;
    int rc = store_prepare(s,
                           pg ? "SELECT count(*) FROM (SELECT rowid FROM activities_fts"
                                " WHERE document @@ CAST(?1 AS tsquery) LIMIT ?2) AS m"
                              : "SELECT count(*) FROM (SELECT rowid FROM activities_fts"
                                " WHERE activities_fts MATCH ?1 LIMIT ?2) AS m",
                           &st, err);
    if (rc != P_OK) {
        buf_free(&match);
        return rc;
    }
    store_bind_text(st, 1, buf_str(&match));
    buf_free(&match);
    store_bind_int(st, 2, FTS_DOCS_MAX + 1);
    int step = store_step(st, err);
    *docs = step == STORE_ROW ? store_col_int(st, 0) : 0;
    store_reset(st);
    if (step < 0) return -step;
    overlap_docs_keep(v, token, *docs);
    return P_OK;
}

/* The full-text query into out: the probe's title words, rarest first, each quoted,
 * OR-ed, while the activities holding them add up to at most FTS_DOCS_MAX; "" when no
 * word is that rare. A word that many titles share says little about a duplicate, and
 * searching by it would read a large part of the index: activities sharing only common
 * words come through their priorities, focus areas and countries, and their titles are
 * still scored. */
static int text_query(store *s, const struct probe *p, buf *out, p_error *err)
{
    struct word_docs v[2 * WORDS_MAX];
    int n = 0, rc = P_OK;
    if (p->title_en.n + p->title_ru.n == 0) return P_OK;
    /* The counts are read after the version, so they are never older than it. */
    struct overlap_version at;
    rc = audit_head(s, &at.id, at.hash, err);
    const struct wordset *sets[] = {&p->title_en, &p->title_ru};
    for (int k = 0; k < 2; k++)
        for (int i = 0; rc == P_OK && i < sets[k]->n; i++) {
            v[n].w = sets[k]->w[i];
            rc = word_docs(s, &at, v[n].w, &v[n].docs, err);
            if (rc == P_OK && v[n].docs > 0) n++;
        }
    if (rc != P_OK) return rc;
    qsort(v, (size_t)n, sizeof *v, by_docs);
    int64_t docs = 0;
    char tokens[FTS_WORDS_MAX][SEARCH_TOKEN_MAX + 1]; /* the index holds stems: search those */
    const char *chosen[FTS_WORDS_MAX];
    size_t k = 0;
    for (int i = 0; i < n && i < FTS_WORDS_MAX && docs + v[i].docs <= FTS_DOCS_MAX; i++) {
        docs += v[i].docs;
        if (search_token(v[i].w, strlen(v[i].w), NULL, SEARCH_STEM, tokens[k]) == 0) continue;
        chosen[k] = tokens[k];
        k++;
    }
    if (k > 0 && store_dialect_pg(s))
        search_tsquery_any(chosen, k, out);
    else if (k > 0)
        search_fts5_any(chosen, k, out);
    return P_OK;
}

static int collect_text(store *s, const struct search *q, struct cands *c, int *src, p_error *err)
{
    buf match = BUF_INIT;
    int rc = text_query(s, q->p, &match, err);
    if (rc != P_OK || match.len == 0) {
        buf_free(&match);
        return rc;
    }
    store_stmt *st;
    rc = store_prepare(s, store_dialect_pg(s) ? sql_by_text_pg : sql_by_text, &st, err);
    if (rc == P_OK) {
        store_bind_text(st, 1, buf_str(&match));
        store_bind_text(st, 2, q->to);
        store_bind_text(st, 3, q->from);
        store_bind_text(st, 4, q->p->lead_org);
        store_bind_text(st, 5, q->p->public_id);
        store_bind_int(st, 6, FTS_ROWS_MAX);
        int step, rank = 0;
        (*src)++;
        while ((step = store_step(st, err)) == STORE_ROW)
            cands_add(c, store_col_int(st, 0), *src, 0, 0, rank++);
        store_reset(st);
        rc = step < 0 ? -step : P_OK;
    }
    buf_free(&match);
    return rc;
}

/* Whether x is likelier than y: a higher prior, then the lower key (a total order). */
static bool likelier(const struct cand *x, const struct cand *y)
{
    if (x->prior != y->prior) return x->prior > y->prior;
    return x->id < y->id;
}

static int by_prior(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    return likelier(x, y) ? -1 : likelier(y, x) ? 1 : 0;
}

static void cand_swap(struct cand *x, struct cand *y)
{
    struct cand t = *x;
    *x = *y;
    *y = t;
}

/* Reorders v[0..n) so its k likeliest come first, in no order (quickselect). */
static void select_likeliest(struct cand *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* the k-th place lies in [lo, hi) */
    while (hi - lo > 1) {
        cand_swap(&v[lo + (hi - lo) / 2], &v[hi - 1]);
        struct cand pivot = v[hi - 1];
        size_t mid = lo;
        for (size_t i = lo; i + 1 < hi; i++)
            if (likelier(&v[i], &pivot)) cand_swap(&v[i], &v[mid++]);
        cand_swap(&v[mid], &v[hi - 1]);
        if (mid == k || mid + 1 == k) return;
        if (mid > k)
            hi = mid;
        else
            lo = mid + 1;
    }
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* Merges the rows of one candidate (a search finds a candidate once per month of its
 * period: those count once; each search adds what it holds) and puts the SCORED_MAX
 * likeliest first, in order: the share of the probe's topics and countries it holds, and
 * its place among the full-text matches. Two open-addressed tables: the (candidate,
 * search) pairs seen and each candidate's merged entry. */
static void cands_rank(struct cands *c, const struct probe *p)
{
    if (c->n == 0) return;
    size_t slots = 64;
    while (slots < 2 * c->n)
        slots *= 2;
    struct slot {
        int64_t id;
        int src; /* 0: empty (searches count from 1) */
        size_t at;
    } *pairs = xcalloc(slots, sizeof *pairs), *ids = xcalloc(slots, sizeof *ids);
    size_t o = 0;
    for (size_t i = 0; i < c->n; i++) {
        struct cand r = c->v[i];
        size_t h = mix64((uint64_t)r.id * 1021u + (uint64_t)r.src) & (slots - 1);
        while (pairs[h].src && (pairs[h].id != r.id || pairs[h].src != r.src))
            h = (h + 1) & (slots - 1);
        if (pairs[h].src) continue; /* the same search, another month */
        pairs[h] = (struct slot){r.id, r.src, 0};
        h = mix64((uint64_t)r.id) & (slots - 1);
        while (ids[h].src && ids[h].id != r.id)
            h = (h + 1) & (slots - 1);
        if (!ids[h].src) {
            ids[h] = (struct slot){r.id, 1, o};
            c->v[o++] = r; /* o <= i: v[i] is read already */
            continue;
        }
        struct cand *m = &c->v[ids[h].at];
        m->shared_topic += r.shared_topic;
        m->shared_country += r.shared_country;
        if (r.fts_rank >= 0 && (m->fts_rank < 0 || r.fts_rank < m->fts_rank))
            m->fts_rank = r.fts_rank;
    }
    free(pairs);
    free(ids);
    c->n = o;
    int topics = p->priorities.n + p->focus.n;
    for (size_t i = 0; i < c->n; i++) {
        struct cand *m = &c->v[i];
        m->prior = topics ? 0.35 * m->shared_topic / topics : 0.0;
        if (p->countries.n) m->prior += 0.2 * m->shared_country / p->countries.n;
        if (m->fts_rank >= 0) m->prior += 0.2 * (1.0 - (double)m->fts_rank / FTS_ROWS_MAX);
    }
    size_t k = c->n < SCORED_MAX ? c->n : SCORED_MAX;
    if (k < c->n) select_likeliest(c->v, c->n, k);
    qsort(c->v, k, sizeof *c->v, by_prior);
}

/* ---- scoring ----------------------------------------------------------------------------- */

static double jaccard(int shared, int a, int b)
{
    return a + b - shared > 0 ? (double)shared / (double)(a + b - shared) : 0.0;
}

static double rounded(double v)
{
    return (double)(int64_t)(v * 1000.0 + 0.5) / 1000.0;
}

static int by_cstring(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A new array of the n strings v (borrowed), sorted. */
static json_t *sorted_strings(const char **v, int n)
{
    if (n > 1) qsort(v, (size_t)n, sizeof *v, by_cstring);
    json_t *out = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(out, json_string(v[i]));
    return out;
}

/* A candidate being scored: what its main row gave, then what its link rows add. Its
 * strings are copied so the answer's items are built only for those returned. */
struct pending {
    int64_t id;
    bool out; /* left out: itself, its own organisation's, or not dated */
    int64_t start, end;
    double text, score;
    char host[8];
    char *public_id, *lead_org, *title_en, *title_ru, *planned_start, *planned_end; /* owned */
    const char **shared[3]; /* the probe's priorities, focus areas, countries it holds, or NULL */
    int n_shared[3];
    int theirs[3]; /* how many of each it holds */
};

static void pending_free(struct pending *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].public_id);
        free(v[i].lead_org);
        free(v[i].title_en);
        free(v[i].title_ru);
        free(v[i].planned_start);
        free(v[i].planned_end);
        for (int k = 0; k < 3; k++)
            free(v[i].shared[k]);
    }
}

/* Records that m holds the probe's code (of kind k, one of mine's n codes). */
static void pending_share(struct pending *m, int k, const char *code, int n)
{
    if (!m->shared[k]) m->shared[k] = xcalloc((size_t)n, sizeof *m->shared[k]);
    if (m->n_shared[k] < n) m->shared[k][m->n_shared[k]++] = code;
}

/* The probe's own copy of code in c (so it outlives the statement's row), or NULL. */
static const char *codes_find(const struct codes *c, const char *v)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->v[i], v) == 0) return c->v[i];
    return NULL;
}

/* ?1..?50: the candidates' keys. One narrow row each (schema 0021): what the main row and
 * the link rows of the activity say, kept in step by the service. */
static const char sql_rows[] =
    "SELECT activity_id, public_id, lead_org, host_country, title_en, title_ru, planned_start,"
    " planned_end, priorities, focus_areas, beneficiaries FROM activity_scoring"
    " WHERE activity_id IN " ACTIVITY_IDS_IN;

/* The probe's own copy of the code c[0..len) in set, or NULL. */
static const char *codes_findn(const struct codes *set, const char *c, size_t len)
{
    for (int i = 0; i < set->n; i++)
        if (strncmp(set->v[i], c, len) == 0 && set->v[i][len] == '\0') return set->v[i];
    return NULL;
}

/* Counts in m the codes of kind k in list (separated by one space) and records those the
 * probe holds (mine); a beneficiary country that is the host counts once, as the host. */
static void add_codes(struct pending *m, int k, const char *list, const struct codes *mine)
{
    size_t host_len = strlen(m->host);
    for (const char *c = list; *c;) {
        const char *e = strchr(c, ' ');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        bool is_host = k == 2 && len == host_len && strncmp(c, m->host, len) == 0;
        if (len > 0 && !is_host) {
            m->theirs[k]++;
            const char *own = codes_findn(mine, c, len);
            if (own) pending_share(m, k, own, mine->n);
        }
        c += len;
        if (*c == ' ') c++;
    }
}

/* The best scores so far, highest first: a candidate scoring less than the limit-th of
 * them cannot be returned, so its strings are not copied. */
struct best {
    int limit, n;
    double v[OVERLAP_LIMIT_MAX];
};

static bool best_excludes(const struct best *b, double score)
{
    return b->n == b->limit && score < b->v[b->n - 1];
}

static void best_add(struct best *b, double score)
{
    int i = b->n < b->limit ? b->n++ : b->n - 1;
    while (i > 0 && b->v[i - 1] < score) {
        b->v[i] = b->v[i - 1];
        i--;
    }
    b->v[i] = score;
}

/* Scores m against p into m->score; false when it does not qualify. */
static bool score_pending(struct pending *m, const struct probe *p, int window_days)
{
    if (m->out) return false;
    int sp = m->n_shared[0], sf = m->n_shared[1], sc = m->n_shared[2];
    double topic = jaccard(sp + sf, p->priorities.n + p->focus.n, m->theirs[0] + m->theirs[1]);
    double country = jaccard(sc, p->countries.n, m->theirs[2]);
    int64_t apart = 0;
    if (m->start > p->end) apart = m->start - p->end;
    if (p->start > m->end) apart = p->start - m->end;
    double time = apart == 0 ? 1.0 : window_days > 0 ? 1.0 - (double)apart / window_days : 0.0;
    if (time < 0.0) time = 0.0;
    m->score = overlap_score(topic, time, country, m->text);
    return apart <= window_days && (sp + sf > 0 || m->text > 0.0) && m->score >= OVERLAP_THRESHOLD;
}

/* Reads and scores the n (at most ACTIVITY_IDS_CHUNK) candidates ids, appending to v
 * (*n_v entries) those that qualify and can still be returned (b). */
static int score_rows(store *s, const int64_t *ids, size_t n, const struct probe *p,
                      int window_days, struct best *b, struct pending *v, size_t *n_v, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql_rows, &st, err);
    if (rc != P_OK) return rc;
    activity_bind_ids(st, ids, n);
    int step;
    struct wordset *en = xmalloc(sizeof *en), *ru = xmalloc(sizeof *ru);
    while ((step = store_step(st, err)) == STORE_ROW) {
        struct pending *m = &v[*n_v];
        *m = (struct pending){.id = store_col_int(st, 0), .out = true};
        if ((p->public_id && strcmp(store_col_text(st, 1), p->public_id) == 0) ||
            (p->lead_org && strcmp(store_col_text(st, 2), p->lead_org) == 0) ||
            !parse_day(store_col_text(st, 6), &m->start))
            continue; /* itself, its own organisation's, or not dated */
        m->out = false;
        if (store_col_null(st, 7) || !parse_day(store_col_text(st, 7), &m->end) ||
            m->end < m->start)
            m->end = m->start;
        snprintf(m->host, sizeof m->host, "%s", store_col_text(st, 3));
        /* A title without words is 0 to any: the probe's empty titles need no words. */
        m->text = 0.0;
        if (p->title_en.n > 0) {
            overlap_wordset_of(store_col_text(st, 4), en);
            m->text = overlap_wordset_jaccard(&p->title_en, en);
        }
        if (p->title_ru.n > 0) {
            overlap_wordset_of(store_col_text(st, 5), ru);
            double text_ru = overlap_wordset_jaccard(&p->title_ru, ru);
            if (text_ru > m->text) m->text = text_ru;
        }
        m->theirs[2] = *m->host ? 1 : 0;
        const char *mine = *m->host ? codes_find(&p->countries, m->host) : NULL;
        if (mine) pending_share(m, 2, mine, p->countries.n);
        add_codes(m, 0, store_col_text(st, 8), &p->priorities);
        add_codes(m, 1, store_col_text(st, 9), &p->focus);
        add_codes(m, 2, store_col_text(st, 10), &p->countries);
        if (!score_pending(m, p, window_days) || best_excludes(b, m->score)) {
            pending_free(m, 1);
            continue;
        }
        best_add(b, m->score);
        m->public_id = xstrdup(store_col_text(st, 1));
        m->lead_org = xstrdup(store_col_text(st, 2));
        m->title_en = xstrdup(store_col_text(st, 4));
        m->title_ru = xstrdup(store_col_text(st, 5));
        m->planned_start = xstrdup(store_col_text(st, 6));
        m->planned_end = store_col_null(st, 7) ? NULL : xstrdup(store_col_text(st, 7));
        (*n_v)++;
    }
    free(en);
    free(ru);
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* The answer's item for m, a candidate that qualified. New reference. */
static json_t *pending_item(struct pending *m, const struct probe *p)
{
    int64_t apart = 0;
    if (m->start > p->end) apart = m->start - p->end;
    if (p->start > m->end) apart = p->start - m->end;
    json_t *reasons = json_object();
    static const char *const names[3] = {"shared_priorities", "shared_focus_areas",
                                         "shared_countries"};
    for (int k = 0; k < 3; k++)
        json_object_set_new(reasons, names[k], sorted_strings(m->shared[k], m->n_shared[k]));
    json_object_set_new(reasons, "days_apart", json_integer((json_int_t)apart));
    json_object_set_new(reasons, "text_similarity", json_real(rounded(m->text)));
    json_t *title = json_object();
    json_object_set_new(title, "en", json_string(m->title_en));
    if (*m->title_ru) json_object_set_new(title, "ru", json_string(m->title_ru));
    return json_pack("{s:s, s:o, s:s, s:s, s:o, s:o, s:o}", "id", m->public_id, "title", title,
                     "lead_org", m->lead_org, "planned_start", m->planned_start, "planned_end",
                     m->planned_end ? json_string(m->planned_end) : json_null(), "score",
                     json_real(rounded(m->score)), "reasons", reasons);
}

static int by_score(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return strcmp(x->public_id, y->public_id);
}

/* ---- the searches ------------------------------------------------------------------------ */

void overlap_options_default(struct overlap_options *opt)
{
    int64_t days = OVERLAP_WINDOW_DEFAULT;
    const char *env = getenv("POLIS_OVERLAP_WINDOW_DAYS");
    if (!env || !text_parse_int64(env, 0, OVERLAP_WINDOW_MAX, &days)) days = OVERLAP_WINDOW_DEFAULT;
    opt->window_days = (int)days;
    opt->limit = OVERLAP_LIMIT_DEFAULT;
}

int overlap_find_candidates(store *s, json_t *activity, const struct overlap_options *opt,
                            json_t **out, p_error *err)
{
    *out = NULL;
    struct overlap_options o;
    if (opt)
        o = *opt;
    else
        overlap_options_default(&o);
    if (o.window_days < 0 || o.window_days > OVERLAP_WINDOW_MAX)
        return p_fail(err, P_EINVAL, "window_days", "window_days must be an integer from 0 to %d",
                      OVERLAP_WINDOW_MAX);
    if (o.limit < 1 || o.limit > OVERLAP_LIMIT_MAX)
        return p_fail(err, P_EINVAL, "limit", "limit must be an integer from 1 to %d",
                      OVERLAP_LIMIT_MAX);
    struct probe *p = xcalloc(1, sizeof *p);
    struct cands c = {0};
    struct pending *found = NULL;
    size_t n_found = 0;
    int rc = read_probe(activity, p, err);
    if (rc != P_OK) goto done;
    struct search q = {.p = p};
    civil_from_days(p->start - o.window_days, q.from);
    civil_from_days(p->end + o.window_days, q.to);
    int src = 0;
    rc = collect_codes(s, &q, &c, &src, err);
    if (rc == P_OK) rc = collect_text(s, &q, &c, &src, err);
    if (rc != P_OK) goto done;
    cands_rank(&c, p);
    size_t n = c.n < SCORED_MAX ? c.n : SCORED_MAX;
    found = xcalloc(n ? n : 1, sizeof *found);
    int64_t ids[ACTIVITY_IDS_CHUNK];
    struct best best = {.limit = o.limit};
    for (size_t i = 0; rc == P_OK && i < n; i += ACTIVITY_IDS_CHUNK) {
        size_t k = n - i < ACTIVITY_IDS_CHUNK ? n - i : ACTIVITY_IDS_CHUNK;
        for (size_t j = 0; j < k; j++)
            ids[j] = c.v[i + j].id;
        rc = score_rows(s, ids, k, p, o.window_days, &best, found, &n_found, err);
    }
    if (rc != P_OK) goto done;
    if (n_found > 1) qsort(found, n_found, sizeof *found, by_score);
    *out = json_array();
    for (size_t i = 0; i < n_found && i < (size_t)o.limit; i++)
        json_array_append_new(*out, pending_item(&found[i], p));
done:
    pending_free(found, n_found);
    free(found);
    free(c.v);
    free(p);
    return rc;
}

int overlap_for_activity(store *s, const char *public_id, const struct overlap_options *opt,
                         json_t **out, p_error *err)
{
    *out = NULL;
    json_t *rec = NULL;
    int rc = activities_get(s, public_id, &rec, err);
    if (rc != P_OK) return rc;
    rc = overlap_find_candidates(s, rec, opt, out, err);
    json_decref(rec);
    return rc;
}
