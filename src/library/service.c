/* service.c (library): documents and editions — create, read, update, delete, the
 * extraction queue — each change in one transaction with its audit entry and its
 * full-text row. */
#include "core/buf.h"
#include "core/cursor.h"
#include "core/text.h"
#include "library/internal.h"
#include "search/analyze.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char *const library_edition_members[] = {"lang", "title", "abstract", NULL};

int library_document_create(store *s, json_t *fields, const struct actor *by, json_t **out,
                            p_error *err)
{
    if (json_is_object(fields) && json_object_get(fields, "id"))
        return p_fail(err, P_EUNPROC, "id", "the id is assigned by Polis");
    if (json_is_object(fields) && json_object_get(fields, "editions"))
        return p_fail(err, P_EUNPROC, "editions",
                      "editions are added with PUT or POST /api/v1/documents/{id}/editions");
    json_t *rec = library_document_blank();
    int rc = library_document_merge(rec, fields, err);
    if (rc != P_OK) {
        json_decref(rec);
        return rc;
    }
    rc = store_begin(s, err);
    if (rc != P_OK) {
        json_decref(rec);
        return rc;
    }
    int64_t id = 0;
    json_t *after = NULL;
    rc = library_document_check(s, rec, err);
    if (rc == P_OK) rc = library_write_document(s, rec, true, &id, err);
    if (rc == P_OK) rc = library_load(s, id, &after, err);
    if (rc == P_OK) rc = library_audit(s, "create", "document", id, NULL, NULL, after, by, err);
    json_decref(rec);
    return library_finish(s, rc, after, out, err);
}

int library_document_exists(store *s, int64_t id, bool *exists, p_error *err)
{
    *exists = false;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT 1 FROM documents WHERE id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    int step = store_step(st, err);
    *exists = step == STORE_ROW;
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int library_document_get(store *s, int64_t id, json_t **out, p_error *err)
{
    return library_load(s, id, out, err);
}

int library_document_update(store *s, int64_t id, json_t *patch, const struct actor *by,
                            json_t **out, p_error *err)
{
    if (!json_is_object(patch))
        return p_fail(err, P_EINVAL, NULL, "the body must be a JSON object");
    json_t *new_id = json_object_get(patch, "id");
    if (new_id && !(json_is_integer(new_id) && json_integer_value(new_id) == id))
        return p_fail(err, P_EUNPROC, "id", "the id cannot be changed");
    if (json_object_get(patch, "editions"))
        return p_fail(err, P_EUNPROC, "editions",
                      "editions are changed with /api/v1/documents/{id}/editions/{lang}");
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    json_t *before = NULL, *after = NULL, *rec = NULL;
    rc = library_load(s, id, &before, err);
    if (rc == P_OK) {
        rec = json_deep_copy(before);
        rc = library_document_merge(rec, patch, err);
    }
    if (rc == P_OK) rc = library_document_check(s, rec, err);
    if (rc == P_OK) rc = library_write_document(s, rec, false, &id, err);
    if (rc == P_OK) rc = library_index_document(s, id, err);
    if (rc == P_OK) rc = library_load(s, id, &after, err);
    if (rc == P_OK) rc = library_audit(s, "update", "document", id, NULL, before, after, by, err);
    json_decref(rec);
    json_decref(before);
    return library_finish(s, rc, after, out, err);
}

/* Appends the file digests of doc's editions to shas. */
static int document_files(store *s, int64_t doc, json_t *shas, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(
        s, "SELECT id, file_sha256 FROM editions WHERE document_id = ? ORDER BY id", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, doc);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(
            shas, json_pack("{s:I, s:s?}", "id", (json_int_t)store_col_int(st, 0), "sha",
                            store_col_null(st, 1) ? NULL : store_col_text(st, 1)));
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int library_document_delete(store *s, int64_t id, const struct actor *by, json_t *orphans,
                            p_error *err)
{
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    json_t *before = NULL, *eds = json_array();
    rc = library_load(s, id, &before, err);
    if (rc == P_OK) rc = document_files(s, id, eds, err);
    size_t i;
    json_t *e;
    json_array_foreach(eds, i, e) if (rc == P_OK) rc =
        library_unindex_edition(s, json_integer_value(json_object_get(e, "id")), err);
    store_stmt *st;
    if (rc == P_OK) rc = store_prepare(s, "DELETE FROM documents WHERE id = ?", &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, id);
        rc = store_run(st, err);
    }
    json_array_foreach(eds, i, e) if (rc == P_OK) rc =
        library_collect_orphan(s, json_string_value(json_object_get(e, "sha")), orphans, err);
    if (rc == P_OK) rc = library_audit(s, "delete", "document", id, NULL, before, NULL, by, err);
    json_decref(eds);
    json_decref(before);
    return library_finish(s, rc, NULL, NULL, err);
}

/* ---- the list ----------------------------------------------------------------------------- */

int library_document_list(store *s, const struct library_list_filter *f, json_t **items,
                          char next[static CURSOR_MAX], p_error *err)
{
    *items = NULL;
    next[0] = '\0';
    /* Keyset on (series, volume or 0, year, id): series first, so each series reads in
     * order. The cursor holds only the last id; its sort key is read back from the row. */
    int64_t after_id = 0;
    bool has_cursor = f->cursor && *f->cursor;
    if (has_cursor) {
        char key[CURSOR_MAX];
        int rc = cursor_decode(f->cursor, key, err);
        if (rc != P_OK) return rc;
        if (strncmp(key, "d:", 2) != 0 || !text_parse_int64(key + 2, 1, INT64_MAX, &after_id))
            return p_fail(err, P_EINVAL, "cursor", "the cursor is not one this list made");
    }
    /* Only the filters present go into the SQL, each with its own placeholder in order,
     * so the planner sees plain equalities and every engine can type every parameter. */
    buf sql = BUF_INIT;
    const char *texts[4];
    int n_texts = 0;
    buf_puts(&sql, "SELECT d.id FROM documents d WHERE 1 = 1");
    if (f->series) {
        buf_puts(&sql, " AND d.series = ?");
        texts[n_texts++] = f->series;
    }
    if (f->status) {
        buf_puts(&sql, " AND d.status = ?");
        texts[n_texts++] = f->status;
    }
    if (f->priority) {
        buf_puts(&sql, " AND EXISTS (SELECT 1 FROM document_priorities p"
                       " WHERE p.document_id = d.id AND p.priority_code = ?)");
        texts[n_texts++] = f->priority;
    }
    if (f->lang) {
        buf_puts(&sql, " AND EXISTS (SELECT 1 FROM editions e WHERE e.document_id = d.id"
                       " AND e.lang = ?)");
        texts[n_texts++] = f->lang;
    }
    if (f->year) buf_puts(&sql, " AND d.year = ?");
    if (has_cursor)
        buf_puts(&sql, " AND (d.series, COALESCE(d.volume, 0), d.year, d.id) > (SELECT c.series,"
                       " COALESCE(c.volume, 0), c.year, c.id FROM documents c WHERE c.id = ?)");
    buf_puts(&sql, " ORDER BY d.series, COALESCE(d.volume, 0), d.year, d.id LIMIT ?");
    store_stmt *st;
    int rc = store_prepare(s, buf_str(&sql), &st, err);
    buf_free(&sql);
    if (rc != P_OK) return rc;
    int at = 1;
    for (int i = 0; i < n_texts; i++)
        store_bind_text(st, at++, texts[i]);
    if (f->year) store_bind_int(st, at++, f->year);
    if (has_cursor) store_bind_int(st, at++, after_id);
    store_bind_int(st, at, f->limit + 1);
    int64_t ids[1001];
    int n = 0, step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        if (n < f->limit) ids[n] = store_col_int(st, 0);
        n++;
    }
    store_reset(st);
    if (step < 0) return -step;
    json_t *out = json_array();
    int shown = n < f->limit ? n : f->limit;
    for (int i = 0; i < shown && rc == P_OK; i++) {
        json_t *rec = NULL;
        rc = library_load(s, ids[i], &rec, err);
        if (rc == P_OK) json_array_append_new(out, rec);
    }
    if (rc == P_OK && n > f->limit) {
        char key[32];
        snprintf(key, sizeof key, "d:%lld", (long long)ids[shown - 1]);
        cursor_encode(key, next);
    }
    if (rc != P_OK) {
        json_decref(out);
        return rc;
    }
    *items = out;
    return P_OK;
}

/* ---- editions ----------------------------------------------------------------------------- */

/* The edition's id (0 when there is none) and its file digest (sha: 65 bytes, "" if none). */
static int edition_find(store *s, int64_t doc, const char *lang, int64_t *id, char sha[static 65],
                        p_error *err)
{
    *id = 0;
    sha[0] = '\0';
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT id, COALESCE(file_sha256, '') FROM editions"
                           " WHERE document_id = ? AND lang = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, doc);
    store_bind_text(st, 2, lang);
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        *id = store_col_int(st, 0);
        snprintf(sha, 65, "%s", store_col_text(st, 1));
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

static json_t *edition_of(json_t *doc, const char *lang)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "editions"), i,
                       e) if (strcmp(json_string_value(json_object_get(e, "lang")), lang) ==
                              0) return json_incref(e);
    return NULL;
}

static int check_edition_text(json_t *fields, const char *name, size_t max, const char **out,
                              p_error *err)
{
    json_t *v = json_object_get(fields, name);
    *out = NULL;
    if (!v || json_is_null(v)) return P_OK;
    if (!json_is_string(v)) return p_fail(err, P_EINVAL, name, "%s must be a string", name);
    if (!text_utf8_valid(json_string_value(v), json_string_length(v)))
        return p_fail(err, P_EINVAL, name, "%s is not valid UTF-8", name);
    if (text_utf8_len(json_string_value(v), json_string_length(v)) > max)
        return p_fail(err, P_EINVAL, name, "%s is longer than %zu characters", name, max);
    *out = json_string_value(v);
    return P_OK;
}

/* Checks the document exists and lang is a library language; starts the transaction. */
static int edition_begin(store *s, int64_t doc, const char *lang, json_t **before_doc, p_error *err)
{
    if (!search_lang_supported(lang))
        return p_fail(err, P_EINVAL, "lang", "lang must be one of %s", LIBRARY_LANGS);
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    /* Whatever failed, a store error included, the transaction ends here. */
    rc = library_load(s, doc, before_doc, err);
    if (rc != P_OK) store_rollback(s);
    return rc;
}

int library_edition_put(store *s, int64_t doc, const char *lang, json_t *fields,
                        const struct actor *by, json_t **out, p_error *err)
{
    if (!json_is_object(fields))
        return p_fail(err, P_EINVAL, NULL, "the body must be a JSON object");
    const char *title = NULL, *abstract = NULL;
    int rc = check_edition_text(fields, "title", DOC_TITLE_MAX, &title, err);
    if (rc == P_OK) rc = check_edition_text(fields, "abstract", DOC_ABSTRACT_MAX, &abstract, err);
    json_t *body_lang = json_object_get(fields, "lang");
    if (rc == P_OK && body_lang &&
        !(json_is_string(body_lang) && strcmp(json_string_value(body_lang), lang) == 0))
        rc = p_fail(err, P_EUNPROC, "lang", "lang in the body differs from the path");
    if (rc != P_OK) return rc;
    json_t *doc_before = NULL;
    rc = edition_begin(s, doc, lang, &doc_before, err);
    if (rc != P_OK) return rc;
    int64_t id = 0;
    char sha[65];
    rc = edition_find(s, doc, lang, &id, sha, err);
    if (rc == P_OK && id == 0 && (!title || !*title))
        rc = p_fail(err, P_EUNPROC, "title", "a new edition needs a title");
    if (rc == P_OK && id != 0 && title && !*title)
        rc = p_fail(err, P_EUNPROC, "title", "title cannot be empty");
    char now[21];
    text_now_iso(now);
    store_stmt *st;
    if (rc == P_OK)
        rc = store_prepare(
            s,
            id == 0 ? "INSERT INTO editions(document_id, lang, title, abstract,"
                      " created_at, updated_at) VALUES (?1, ?2, ?3, COALESCE(?4, ''), ?5, ?5)"
                    : "UPDATE editions SET title = COALESCE(?3, title),"
                      " abstract = COALESCE(?4, abstract), updated_at = ?5"
                      " WHERE document_id = ?1 AND lang = ?2",
            &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, doc);
        store_bind_text(st, 2, lang);
        if (title)
            store_bind_text(st, 3, title);
        else
            store_bind_null(st, 3);
        if (abstract)
            store_bind_text(st, 4, abstract);
        else
            store_bind_null(st, 4);
        store_bind_text(st, 5, now);
        rc = store_run(st, err);
    }
    if (rc == P_OK && id == 0) id = store_last_insert_id(s);
    if (rc == P_OK) rc = library_index_edition(s, id, err);
    json_t *doc_after = NULL, *before = edition_of(doc_before, lang), *after = NULL;
    if (rc == P_OK) rc = library_load(s, doc, &doc_after, err);
    if (rc == P_OK) after = edition_of(doc_after, lang);
    if (rc == P_OK)
        rc = library_audit(s, before ? "update" : "create", "edition", doc, lang, before, after, by,
                           err);
    json_decref(before);
    json_decref(after);
    json_decref(doc_before);
    return library_finish(s, rc, doc_after, out, err);
}

int library_edition_attach(store *s, int64_t doc, const char *lang, const char *title,
                           const struct library_file *file, const struct actor *by, json_t *orphans,
                           json_t **out, p_error *err)
{
    if (title && text_utf8_len(title, strlen(title)) > DOC_TITLE_MAX)
        return p_fail(err, P_EINVAL, "title", "title is longer than %d characters", DOC_TITLE_MAX);
    json_t *doc_before = NULL;
    int rc = edition_begin(s, doc, lang, &doc_before, err);
    if (rc != P_OK) return rc;
    int64_t id = 0;
    char old_sha[65];
    rc = edition_find(s, doc, lang, &id, old_sha, err);
    if (rc == P_OK && id == 0 && (!title || !*title))
        rc = p_fail(err, P_EUNPROC, "title", "a new edition needs a title");
    char now[21];
    text_now_iso(now);
    store_stmt *st;
    if (rc == P_OK)
        rc = store_prepare(
            s,
            id == 0 ? "INSERT INTO editions(document_id, lang, title, file_sha256, file_name,"
                      " file_type, file_size, text_status, created_at, updated_at)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8)"
                    : "UPDATE editions SET title = COALESCE(NULLIF(?3, ''), title),"
                      " file_sha256 = ?4, file_name = ?5, file_type = ?6, file_size = ?7,"
                      " text_status = 'pending', text_error = '', updated_at = ?8"
                      " WHERE document_id = ?1 AND lang = ?2",
            &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, doc);
        store_bind_text(st, 2, lang);
        store_bind_text(st, 3, title ? title : "");
        store_bind_text(st, 4, file->sha256);
        store_bind_text(st, 5, file->name);
        store_bind_text(st, 6, file->type);
        store_bind_int(st, 7, file->size);
        store_bind_text(st, 8, now);
        rc = store_run(st, err);
    }
    if (rc == P_OK && id == 0) id = store_last_insert_id(s);
    /* The old text no longer describes the file: empty the body until extraction. */
    if (rc == P_OK) rc = library_index_body(s, id, "", 0, err);
    if (rc == P_OK && strcmp(old_sha, file->sha256) != 0)
        rc = library_collect_orphan(s, old_sha, orphans, err);
    json_t *doc_after = NULL, *before = edition_of(doc_before, lang), *after = NULL;
    if (rc == P_OK) rc = library_load(s, doc, &doc_after, err);
    if (rc == P_OK) after = edition_of(doc_after, lang);
    if (rc == P_OK) rc = library_audit(s, "upload", "edition", doc, lang, before, after, by, err);
    json_decref(before);
    json_decref(after);
    json_decref(doc_before);
    return library_finish(s, rc, doc_after, out, err);
}

int library_edition_delete(store *s, int64_t doc, const char *lang, const struct actor *by,
                           json_t *orphans, p_error *err)
{
    json_t *doc_before = NULL;
    int rc = edition_begin(s, doc, lang, &doc_before, err);
    if (rc != P_OK) return rc;
    int64_t id = 0;
    char sha[65];
    rc = edition_find(s, doc, lang, &id, sha, err);
    if (rc == P_OK && id == 0)
        rc =
            p_fail(err, P_ENOTFOUND, NULL, "document %lld has no %s edition", (long long)doc, lang);
    if (rc == P_OK) rc = library_unindex_edition(s, id, err);
    store_stmt *st;
    if (rc == P_OK) rc = store_prepare(s, "DELETE FROM editions WHERE id = ?", &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, id);
        rc = store_run(st, err);
    }
    if (rc == P_OK) rc = library_collect_orphan(s, sha, orphans, err);
    json_t *before = edition_of(doc_before, lang);
    if (rc == P_OK) rc = library_audit(s, "delete", "edition", doc, lang, before, NULL, by, err);
    json_decref(before);
    json_decref(doc_before);
    return library_finish(s, rc, NULL, NULL, err);
}

int library_edition_file(store *s, int64_t doc, const char *lang, char sha256[static 65],
                         char type[static 8], char name[static 256], int64_t *size, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT file_sha256, file_type, file_name, file_size FROM editions"
                           " WHERE document_id = ? AND lang = ? AND file_sha256 IS NOT NULL",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, doc);
    store_bind_text(st, 2, lang ? lang : "");
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        snprintf(sha256, 65, "%s", store_col_text(st, 0));
        snprintf(type, 8, "%s", store_col_text(st, 1));
        snprintf(name, 256, "%s", store_col_text(st, 2));
        *size = store_col_int(st, 3);
    }
    store_reset(st);
    if (step < 0) return -step;
    if (step == STORE_DONE)
        return p_fail(err, P_ENOTFOUND, NULL, "document %lld has no %s file", (long long)doc,
                      lang ? lang : "");
    return P_OK;
}

/* ---- the extraction queue ----------------------------------------------------------------- */

int library_next_pending(store *s, struct library_pending *out, bool *found, p_error *err)
{
    *found = false;
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT id, file_sha256, file_type FROM editions"
                           " WHERE text_status = 'pending' ORDER BY id LIMIT 1",
                           &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        out->edition_id = store_col_int(st, 0);
        snprintf(out->sha256, sizeof out->sha256, "%s", store_col_text(st, 1));
        snprintf(out->type, sizeof out->type, "%s", store_col_text(st, 2));
        *found = true;
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* Sets the text status of an edition whose file is still sha; *changed says if it was. */
static int set_status(store *s, int64_t id, const char *sha, const char *status, const char *why,
                      bool *changed, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "UPDATE editions SET text_status = ?, text_error = ?"
                           " WHERE id = ? AND file_sha256 = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, status);
    store_bind_text(st, 2, why);
    store_bind_int(st, 3, id);
    store_bind_text(st, 4, sha);
    rc = store_run(st, err);
    *changed = rc == P_OK && store_changes(s) > 0;
    return rc;
}

int library_edition_set_text(store *s, int64_t edition_id, const char *sha256, const char *text,
                             size_t len, p_error *err)
{
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    bool changed = false;
    rc = set_status(s, edition_id, sha256, "extracted", "", &changed, err);
    if (rc == P_OK && changed) rc = library_index_body(s, edition_id, text, len, err);
    return library_finish(s, rc, NULL, NULL, err);
}

int library_edition_set_unavailable(store *s, int64_t edition_id, const char *sha256,
                                    const char *why, p_error *err)
{
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    bool changed = false;
    rc = set_status(s, edition_id, sha256, "unavailable", why, &changed, err);
    return library_finish(s, rc, NULL, NULL, err);
}
