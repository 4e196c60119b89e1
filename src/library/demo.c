/* demo.c (library): loads data/demo/library.json — the guidebooks the source text names —
 * through the same service calls as the API, so demo records are audited and indexed like
 * any other. An edition with a demo body gets it as a plain-text file in the file store. */
#include "core/embed.h"
#include "library/files.h"
#include "library/internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* *found when a document with this title and year exists. */
static int document_exists(store *s, const char *title, json_int_t year, bool *found, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT 1 FROM documents WHERE title = ? AND year = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, title ? title : "");
    store_bind_int(st, 2, year);
    int step = store_step(st, err);
    *found = step == STORE_ROW;
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* Stores text as a file; sha (65 bytes) receives its digest. */
static int store_text_file(const char *text, char sha[static 65], p_error *err)
{
    char path[FILES_PATH_MAX];
    int fd = -1;
    int rc = files_tmp_create(path, sizeof path, &fd, err);
    if (rc != P_OK) return rc;
    size_t len = strlen(text);
    ssize_t wrote = write(fd, text, len);
    close(fd);
    if (wrote < 0 || (size_t)wrote != len) {
        unlink(path);
        return p_fail(err, P_EIO, NULL, "cannot write a demo file");
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)text, len);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(sha + 2 * i, 3, "%02x", digest[i]);
    return files_put_temp(path, sha, NULL, err);
}

static int load_edition(store *s, int64_t doc, const char *lang, json_t *ed, const struct actor *by,
                        p_error *err)
{
    const char *title = json_string_value(json_object_get(ed, "title"));
    const char *body = json_string_value(json_object_get(ed, "body"));
    if (!body) {
        json_t *fields = json_pack("{s:s?}", "title", title);
        int rc = library_edition_put(s, doc, lang, fields, by, NULL, err);
        json_decref(fields);
        return rc;
    }
    char sha[65], name[64];
    int rc = store_text_file(body, sha, err);
    snprintf(name, sizeof name, "document-%lld-%s.txt", (long long)doc, lang);
    struct library_file file = {sha, name, "text", (int64_t)strlen(body)};
    if (rc == P_OK) rc = library_edition_attach(s, doc, lang, title, &file, by, NULL, NULL, err);
    int64_t edition = 0;
    store_stmt *st;
    if (rc == P_OK)
        rc = store_prepare(s, "SELECT id FROM editions WHERE document_id = ? AND lang = ?", &st,
                           err);
    if (rc == P_OK) {
        store_bind_int(st, 1, doc);
        store_bind_text(st, 2, lang);
        int step = store_step(st, err);
        if (step == STORE_ROW) edition = store_col_int(st, 0);
        store_reset(st);
        if (step < 0) rc = -step;
    }
    /* A plain-text demo body is its own text: no extraction needed. */
    if (rc == P_OK) rc = library_edition_set_text(s, edition, sha, body, strlen(body), err);
    return rc;
}

static int load_document(store *s, json_t *item, const struct actor *by, p_error *err)
{
    const char *title = json_string_value(json_object_get(item, "title"));
    bool found = false;
    int rc =
        document_exists(s, title, json_integer_value(json_object_get(item, "year")), &found, err);
    if (rc != P_OK || found) return rc;
    json_t *fields = json_deep_copy(item), *rec = NULL;
    json_object_del(fields, "editions");
    rc = library_document_create(s, fields, by, &rec, err);
    json_decref(fields);
    int64_t doc = rc == P_OK ? json_integer_value(json_object_get(rec, "id")) : 0;
    json_decref(rec);
    const char *lang;
    json_t *ed;
    json_object_foreach(json_object_get(item, "editions"), lang, ed)
    {
        if (rc != P_OK) break;
        rc = load_edition(s, doc, lang, ed, by, err);
    }
    if (rc != P_OK && err->message[0]) {
        p_error e = *err;
        return p_fail(err, (p_status)rc, e.field[0] ? e.field : NULL, "demo document '%.80s': %s",
                      title ? title : "", e.message);
    }
    return rc;
}

int library_load_demo(store *s, const struct actor *by, p_error *err)
{
    if (!files_root()) return p_fail(err, P_EIO, NULL, "the file store is not configured");
    const struct embed_file *f = embed_find(data_files, "demo/library.json");
    if (!f) return p_fail(err, P_EIO, NULL, "demo/library.json is not embedded");
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)f->data, f->size, 0, &jerr);
    if (!doc)
        return p_fail(err, P_EINVAL, NULL, "demo/library.json line %d: %s", jerr.line, jerr.text);
    json_t *items = json_object_get(doc, "documents");
    int rc = json_is_array(items)
                 ? P_OK
                 : p_fail(err, P_EINVAL, NULL, "demo/library.json has no documents");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (rc != P_OK) break;
        rc = load_document(s, item, by, err);
    }
    json_decref(doc);
    return rc;
}
