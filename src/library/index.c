/* index.c (library): keeps library_fts and the facet rows (library_facets) in step with
 * documents and editions inside the same transaction as each change, and the small shared
 * write helpers (audit, orphaned files, the library's version, commit). The body of an
 * edition lives only in its full-text row. */
#include "auth/audit.h"
#include "core/buf.h"
#include "core/log.h"
#include "library/files.h"
#include "library/internal.h"
#include "store/fts5_polis.h"

#include <stdio.h>
#include <string.h>

void library_tagged(buf *out, const char *lang, const char *text, size_t len)
{
    buf_putc(out, FTS5_POLIS_TAG);
    buf_puts(out, lang);
    buf_putc(out, FTS5_POLIS_TAG);
    buf_append(out, text, len);
}

const char *library_untagged(const char *text)
{
    if (text[0] != FTS5_POLIS_TAG) return text;
    const char *close = strchr(text + 1, FTS5_POLIS_TAG);
    return close ? close + 1 : text;
}

/* Writes the edition's facet row (schema/0012_library_facets.sql): its language, its
 * document's series and year, and the document's priorities as " A B " (sorted). */
static int facet_row_put(store *s, int64_t edition_id, const char *lang, const char *series,
                         int64_t year, int64_t doc, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT priority_code FROM document_priorities WHERE document_id = ?"
                           " ORDER BY priority_code",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, doc);
    buf codes = BUF_INIT;
    buf_putc(&codes, ' ');
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        buf_puts(&codes, store_col_text(st, 0));
        buf_putc(&codes, ' ');
    }
    store_reset(st);
    rc = step < 0 ? -step : P_OK;
    if (rc == P_OK)
        rc = store_prepare(s,
                           "INSERT INTO library_facets(edition_id, lang, series, year, priorities)"
                           " VALUES (?, ?, ?, ?, ?) ON CONFLICT (edition_id) DO UPDATE SET"
                           " lang = excluded.lang, series = excluded.series, year = excluded.year,"
                           " priorities = excluded.priorities",
                           &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, edition_id);
        store_bind_text(st, 2, lang);
        store_bind_text(st, 3, series);
        store_bind_int(st, 4, year);
        store_bind_textn(st, 5, codes.data, codes.len);
        rc = store_run(st, err);
    }
    buf_free(&codes);
    return rc;
}

int library_index_edition(store *s, int64_t edition_id, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT e.lang, e.title, e.abstract, d.abstract, d.series, d.year, d.id"
                           " FROM editions e JOIN documents d ON d.id = e.document_id"
                           " WHERE e.id = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, edition_id);
    int step = store_step(st, err);
    if (step != STORE_ROW) {
        store_reset(st);
        if (step < 0) return -step;
        return p_fail(err, P_ENOTFOUND, NULL, "no edition %lld", (long long)edition_id);
    }
    char lang[8];
    snprintf(lang, sizeof lang, "%s", store_col_text(st, 0));
    buf series = BUF_INIT;
    buf_append(&series, store_col_text(st, 4), store_col_bytes(st, 4));
    int64_t year = store_col_int(st, 5), doc = store_col_int(st, 6);
    buf title = BUF_INIT, abstract = BUF_INIT;
    library_tagged(&title, lang, store_col_text(st, 1), store_col_bytes(st, 1));
    if (store_col_bytes(st, 2) > 0)
        library_tagged(&abstract, lang, store_col_text(st, 2), store_col_bytes(st, 2));
    else /* the catalogue's abstract is English */
        library_tagged(&abstract, "en", store_col_text(st, 3), store_col_bytes(st, 3));
    store_reset(st);
    rc = store_prepare(
        s, "UPDATE library_fts SET title = ?, abstract = ?, lang = ? WHERE rowid = ?", &st, err);
    if (rc == P_OK) {
        store_bind_textn(st, 1, title.data ? title.data : "", title.len);
        store_bind_textn(st, 2, abstract.data ? abstract.data : "", abstract.len);
        store_bind_text(st, 3, lang);
        store_bind_int(st, 4, edition_id);
        rc = store_run(st, err);
    }
    if (rc == P_OK && store_changes(s) == 0) {
        rc = store_prepare(s,
                           "INSERT INTO library_fts(rowid, title, abstract, body, lang)"
                           " VALUES (?, ?, ?, '', ?)",
                           &st, err);
        if (rc == P_OK) {
            store_bind_int(st, 1, edition_id);
            store_bind_textn(st, 2, title.data ? title.data : "", title.len);
            store_bind_textn(st, 3, abstract.data ? abstract.data : "", abstract.len);
            store_bind_text(st, 4, lang);
            rc = store_run(st, err);
        }
    }
    buf_free(&title);
    buf_free(&abstract);
    if (rc == P_OK) rc = facet_row_put(s, edition_id, lang, buf_str(&series), year, doc, err);
    buf_free(&series);
    return rc;
}

int library_index_document(store *s, int64_t doc, p_error *err)
{
    store_stmt *st;
    int rc =
        store_prepare(s, "SELECT id FROM editions WHERE document_id = ? ORDER BY id", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, doc);
    int64_t ids[16];
    size_t n = 0;
    int step;
    json_t *more = json_array(); /* documents rarely have more than 16 editions */
    while ((step = store_step(st, err)) == STORE_ROW) {
        if (n < 16)
            ids[n++] = store_col_int(st, 0);
        else
            json_array_append_new(more, json_integer(store_col_int(st, 0)));
    }
    store_reset(st);
    rc = step < 0 ? -step : P_OK;
    for (size_t i = 0; rc == P_OK && i < n; i++)
        rc = library_index_edition(s, ids[i], err);
    size_t i;
    json_t *v;
    json_array_foreach(more, i, v) if (rc == P_OK) rc =
        library_index_edition(s, json_integer_value(v), err);
    json_decref(more);
    return rc;
}

int library_index_body(store *s, int64_t edition_id, const char *text, size_t len, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT lang FROM editions WHERE id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, edition_id);
    int step = store_step(st, err);
    char lang[8] = "";
    if (step == STORE_ROW) snprintf(lang, sizeof lang, "%s", store_col_text(st, 0));
    store_reset(st);
    if (step < 0) return -step;
    if (step == STORE_DONE)
        return p_fail(err, P_ENOTFOUND, NULL, "no edition %lld", (long long)edition_id);
    rc = library_index_edition(s, edition_id, err); /* makes sure the row exists */
    buf body = BUF_INIT;
    library_tagged(&body, lang, text, len);
    if (rc == P_OK)
        rc = store_prepare(s, "UPDATE library_fts SET body = ? WHERE rowid = ?", &st, err);
    if (rc == P_OK) {
        store_bind_textn(st, 1, body.data, body.len);
        store_bind_int(st, 2, edition_id);
        rc = store_run(st, err);
    }
    buf_free(&body);
    return rc;
}

int library_unindex_edition(store *s, int64_t edition_id, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "DELETE FROM library_fts WHERE rowid = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, edition_id);
    rc = store_run(st, err);
    if (rc == P_OK)
        rc = store_prepare(s, "DELETE FROM library_facets WHERE edition_id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, edition_id);
    return store_run(st, err);
}

int library_collect_orphan(store *s, const char *sha, json_t *orphans, p_error *err)
{
    if (!sha || !*sha) return P_OK;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT count(*) FROM editions WHERE file_sha256 = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, sha);
    int step = store_step(st, err);
    int64_t refs = step == STORE_ROW ? store_col_int(st, 0) : 0;
    store_reset(st);
    if (step < 0) return -step;
    if (refs == 0 && orphans) json_array_append_new(orphans, json_string(sha));
    return P_OK;
}

int library_audit(store *s, const char *action, const char *entity, int64_t id, const char *lang,
                  json_t *before, json_t *after, const struct actor *by, p_error *err)
{
    char entity_id[48];
    if (lang)
        snprintf(entity_id, sizeof entity_id, "%lld/%s", (long long)id, lang);
    else
        snprintf(entity_id, sizeof entity_id, "%lld", (long long)id);
    struct audit_entry e = {by->login, action, entity, entity_id, before, after, by->client};
    return audit_append(s, &e, err);
}

int library_version(store *s, int64_t *version, p_error *err)
{
    *version = 0;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT version FROM library_version WHERE id = 1", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    if (step == STORE_ROW) *version = store_col_int(st, 0);
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int library_version_bump(store *s, p_error *err)
{
    store_stmt *st;
    int rc =
        store_prepare(s, "UPDATE library_version SET version = version + 1 WHERE id = 1", &st, err);
    if (rc != P_OK) return rc;
    return store_run(st, err);
}

int library_finish(store *s, int rc, json_t *after, json_t **out, p_error *err)
{
    /* Every change of the library ends here: the version moves with it, in its transaction,
     * so no server serves a search result cached before it (search_cache.h). */
    if (rc == P_OK) rc = library_version_bump(s, err);
    if (rc == P_OK)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    if (rc == P_OK && out)
        *out = after;
    else
        json_decref(after);
    return rc;
}

void library_remove_orphans(json_t *orphans)
{
    size_t i;
    json_t *sha;
    json_array_foreach(orphans, i, sha)
    {
        p_error err;
        p_error_clear(&err);
        /* The change is committed; a file left behind only costs disk space. */
        if (files_remove(json_string_value(sha), &err) != P_OK)
            log_error("library: could not remove file %s: %s", json_string_value(sha), err.message);
    }
}
