/* import.c (library): bulk loading of documents from a metadata file and a directory of
 * files, checked whole before anything is written. */
#include "library/import.h"

#include "core/buf.h"
#include "core/text.h"
#include "library/files.h"
#include "library/internal.h"
#include "library/magic.h"
#include "library/worker.h"
#include "search/analyze.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { IMPORT_MAX_DOCUMENTS = 10000 };

/* Fails with the document's position and title in front of the message. */
static int fail_doc(p_error *err, size_t i, json_t *item, const char *field, const char *msg)
{
    const char *title = json_string_value(json_object_get(item, "title"));
    return p_fail(err, P_EUNPROC, field, "document %zu (%.60s): %s", i + 1,
                  title ? title : "untitled", msg);
}

/* A relative path of plain components: no absolute path, no "." or "..", no empty part. */
static bool plain_relative(const char *p)
{
    if (!*p || *p == '/' || strlen(p) > 1024) return false;
    for (const char *s = p; *s;) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        if (!slash) break;
        s = slash + 1;
    }
    return true;
}

/* Resolves file (relative to dir_real) into out and checks it stays inside dir_real and is
 * a regular file of at most limit bytes of an accepted type. */
static int check_file(const char *dir_real, const char *file, uint64_t limit,
                      char out[static PATH_MAX], enum file_type *type, char *why, size_t why_size)
{
    if (!text_utf8_valid(file, strlen(file)) || !plain_relative(file)) {
        snprintf(why, why_size, "file must be a path inside the directory, without \"..\"");
        return P_EUNPROC;
    }
    char joined[PATH_MAX * 2];
    snprintf(joined, sizeof joined, "%s/%s", dir_real, file);
    if (!realpath(joined, out)) {
        snprintf(why, why_size, "file %.200s does not exist", file);
        return P_EUNPROC;
    }
    size_t dl = strlen(dir_real);
    if (strncmp(out, dir_real, dl) != 0 || out[dl] != '/') {
        snprintf(why, why_size, "file %.200s leads outside the directory", file);
        return P_EUNPROC;
    }
    struct stat st;
    if (stat(out, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "file %.200s is not a regular file", file);
        return P_EUNPROC;
    }
    if (limit && (uint64_t)st.st_size > limit) {
        snprintf(why, why_size, "file %.200s is larger than %llu bytes", file,
                 (unsigned long long)limit);
        return P_ETOOBIG;
    }
    p_error e;
    p_error_clear(&e);
    if (magic_detect_file(out, type, &e) != P_OK) {
        snprintf(why, why_size, "file %.120s: %.200s", file, e.message);
        return e.status == P_EIO ? P_EIO : P_EUNPROC;
    }
    return P_OK;
}

/* Checks one edition entry; resolved (when it has a file) receives its real path. */
static int check_edition(const char *dir_real, uint64_t limit, size_t i, json_t *item,
                         const char *lang, json_t *ed, json_t *resolved, p_error *err)
{
    char msg[600];
    if (!search_lang_supported(lang)) {
        snprintf(msg, sizeof msg, "edition %.16s: not a library language (%s)", lang,
                 LIBRARY_LANGS);
        return fail_doc(err, i, item, "editions", msg);
    }
    const char *title = json_string_value(json_object_get(ed, "title"));
    if (!json_is_object(ed) || !title || !*title ||
        json_string_length(json_object_get(ed, "title")) > 1200) {
        snprintf(msg, sizeof msg, "edition %s needs a title", lang);
        return fail_doc(err, i, item, "title", msg);
    }
    json_t *file = json_object_get(ed, "file");
    if (!file) return P_OK;
    if (!json_is_string(file)) {
        snprintf(msg, sizeof msg, "edition %s: file must be a path", lang);
        return fail_doc(err, i, item, "file", msg);
    }
    char real[PATH_MAX], why[400];
    enum file_type type;
    int rc = check_file(dir_real, json_string_value(file), limit, real, &type, why, sizeof why);
    if (rc != P_OK) {
        snprintf(msg, sizeof msg, "edition %s: %s", lang, why);
        fail_doc(err, i, item, "file", msg);
        err->status = (p_status)rc;
        return rc;
    }
    json_object_set_new(resolved, lang,
                        json_pack("{s:s, s:s}", "path", real, "type", file_type_name(type)));
    return P_OK;
}

/* Checks a whole document entry without writing. */
static int check_document(store *s, const char *dir_real, uint64_t limit, size_t i, json_t *item,
                          json_t *resolved, p_error *err)
{
    if (!json_is_object(item))
        return p_fail(err, P_EINVAL, NULL, "document %zu is not an object", i + 1);
    json_t *fields = json_deep_copy(item), *rec = library_document_blank();
    json_object_del(fields, "editions");
    p_error e;
    p_error_clear(&e);
    int rc = library_document_merge(rec, fields, &e);
    if (rc == P_OK) rc = library_document_check(s, rec, &e);
    json_decref(fields);
    json_decref(rec);
    if (rc != P_OK) {
        if (rc == P_ESTORE) {
            *err = e;
            return rc;
        }
        fail_doc(err, i, item, e.field, e.message);
        err->status = (p_status)rc;
        return rc;
    }
    json_t *eds = json_object_get(item, "editions");
    if (eds && !json_is_object(eds))
        return fail_doc(err, i, item, "editions", "editions must be an object of languages");
    const char *lang;
    json_t *ed;
    json_object_foreach(eds, lang, ed)
    {
        rc = check_edition(dir_real, limit, i, item, lang, ed, resolved, err);
        if (rc != P_OK) return rc;
    }
    return P_OK;
}

static int document_exists(store *s, json_t *item, bool *found, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT 1 FROM documents WHERE title = ? AND year = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, json_string_value(json_object_get(item, "title")));
    store_bind_int(st, 2, json_integer_value(json_object_get(item, "year")));
    int step = store_step(st, err);
    *found = step == STORE_ROW;
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

static int write_document(store *s, json_t *item, json_t *resolved, uint64_t limit,
                          const struct actor *by, struct library_import_result *out, p_error *err)
{
    bool found = false;
    int rc = document_exists(s, item, &found, err);
    if (rc != P_OK) return rc;
    if (found) {
        out->skipped++;
        return P_OK;
    }
    json_t *fields = json_deep_copy(item), *rec = NULL;
    json_object_del(fields, "editions");
    rc = library_document_create(s, fields, by, &rec, err);
    json_decref(fields);
    int64_t doc = rc == P_OK ? json_integer_value(json_object_get(rec, "id")) : 0;
    json_decref(rec);
    if (rc == P_OK) out->documents++;
    const char *lang;
    json_t *ed;
    json_object_foreach(json_object_get(item, "editions"), lang, ed)
    {
        if (rc != P_OK) break;
        json_t *file = json_object_get(resolved, lang);
        if (!file) {
            json_t *body = json_pack("{s:O, s:O?}", "title", json_object_get(ed, "title"),
                                     "abstract", json_object_get(ed, "abstract"));
            rc = library_edition_put(s, doc, lang, body, by, NULL, err);
            json_decref(body);
        } else {
            struct files_blob blob;
            rc = files_put_copy(json_string_value(json_object_get(file, "path")), limit, &blob,
                                NULL, err);
            const char *name = strrchr(json_string_value(json_object_get(ed, "file")), '/');
            name = name ? name + 1 : json_string_value(json_object_get(ed, "file"));
            struct library_file lf = {blob.sha256, name,
                                      json_string_value(json_object_get(file, "type")),
                                      (int64_t)blob.size_bytes};
            if (rc == P_OK)
                rc = library_edition_attach(s, doc, lang,
                                            json_string_value(json_object_get(ed, "title")), &lf,
                                            by, NULL, NULL, err);
            if (rc == P_OK) out->files++;
        }
        if (rc == P_OK) out->editions++;
    }
    return rc;
}

/* Counts editions by text status after the extraction. */
static int count_status(store *s, const char *status, int *n, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT count(*) FROM editions WHERE text_status = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, status);
    int step = store_step(st, err);
    *n = step == STORE_ROW ? (int)store_col_int(st, 0) : 0;
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int library_import(store *s, const char *meta, size_t meta_len, const char *dir,
                   uint64_t limit_bytes, const struct actor *by, struct library_import_result *out,
                   p_error *err)
{
    memset(out, 0, sizeof *out);
    if (!files_root()) return p_fail(err, P_EIO, NULL, "the file store is not configured");
    char dir_real[PATH_MAX];
    struct stat st;
    if (!realpath(dir, dir_real) || stat(dir_real, &st) != 0 || !S_ISDIR(st.st_mode))
        return p_fail(err, P_EINVAL, "dir", "%s is not a directory", dir);
    if (!text_utf8_valid(meta, meta_len))
        return p_fail(err, P_EINVAL, "meta", "the metadata is not valid UTF-8");
    json_error_t jerr;
    json_t *doc = json_loadb(meta, meta_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) return p_fail(err, P_EINVAL, "meta", "metadata line %d: %s", jerr.line, jerr.text);
    json_t *items = json_object_get(doc, "documents");
    int rc = P_OK;
    if (!json_is_array(items))
        rc = p_fail(err, P_EINVAL, "meta", "the metadata needs a \"documents\" array");
    else if (json_array_size(items) > IMPORT_MAX_DOCUMENTS)
        rc =
            p_fail(err, P_ETOOBIG, "meta", "at most %d documents per import", IMPORT_MAX_DOCUMENTS);
    json_t *resolved = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (rc != P_OK) break;
        json_t *r = json_object();
        json_array_append_new(resolved, r);
        rc = check_document(s, dir_real, limit_bytes, i, item, r, err);
    }
    json_array_foreach(items, i, item)
    {
        if (rc != P_OK) break;
        rc = write_document(s, item, json_array_get(resolved, i), limit_bytes, by, out, err);
    }
    json_decref(resolved);
    json_decref(doc);
    if (rc == P_OK) rc = library_extract_pending(s, &out->extracted, err);
    if (rc == P_OK) rc = count_status(s, "unavailable", &out->unavailable, err);
    return rc;
}
