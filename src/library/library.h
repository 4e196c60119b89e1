/* library.h: the POLIS library — documents (guidebooks and other publications) and their
 * editions, one per language, each with an optional file. Records are jansson objects in
 * the API's shape (docs/api.md). Every change is audited with before and after; searching
 * is in search.c. */
#ifndef POLIS_LIBRARY_H
#define POLIS_LIBRARY_H

#include "auth/users.h"
#include "core/cursor.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

extern const char LIBRARY_LANGS[];    /* "en|ru|sr|sq|mk|hy|ar|fr|ro|sk" */
extern const char LIBRARY_STATUSES[]; /* "published|in_preparation" */
extern const char LIBRARY_FILE_TYPES[];

/* Members a document body may carry, NULL-terminated (for api_only_fields). */
extern const char *const library_document_members[];
extern const char *const library_edition_members[];

/* Creates a document from the API members of fields; *out (may be NULL) receives the
 * stored record with its new integer id. 400 for wrong types, 422 for broken rules, each
 * naming the field. */
MUST_CHECK int library_document_create(store *s, json_t *fields, const struct actor *by,
                                       json_t **out, p_error *err);

/* *exists when a document with this id is in the library (for other modules' links). */
MUST_CHECK int library_document_exists(store *s, int64_t id, bool *exists, p_error *err);

/* The document with its editions; P_ENOTFOUND when there is none. */
MUST_CHECK int library_document_get(store *s, int64_t id, json_t **out, p_error *err);

/* Applies the members present in patch (null clears an optional member). */
MUST_CHECK int library_document_update(store *s, int64_t id, json_t *patch, const struct actor *by,
                                       json_t **out, p_error *err);

/* Deletes a document and its editions (audited with its last state). The digests of the
 * files no edition refers to any more are appended to orphans (the caller removes the
 * files after the commit). */
MUST_CHECK int library_document_delete(store *s, int64_t id, const struct actor *by,
                                       json_t *orphans, p_error *err);

struct library_list_filter {
    const char *series, *priority, *lang, *status;
    int year;           /* 0 = any */
    const char *cursor; /* from a previous page, or NULL */
    int limit;          /* 1..1000 */
};

/* Documents by series and volume, then year; keyset-paginated like every list. */
MUST_CHECK int library_document_list(store *s, const struct library_list_filter *f, json_t **items,
                                     char next[static CURSOR_MAX], p_error *err);

/* Creates or updates the edition of document doc in lang from fields (title, abstract);
 * a new edition needs a title. */
MUST_CHECK int library_edition_put(store *s, int64_t doc, const char *lang, json_t *fields,
                                   const struct actor *by, json_t **out, p_error *err);

/* The file of an upload, already stored under its digest. */
struct library_file {
    const char *sha256; /* 64 lowercase hex */
    const char *name;   /* the download name, already cleaned */
    const char *type;   /* pdf, docx, html or text */
    int64_t size;
};

/* Attaches file to the edition of doc in lang (creating the edition with title when it
 * does not exist; title may be NULL for an existing one) and queues its text for
 * extraction. The digest of a replaced file nothing refers to any more goes to orphans. */
MUST_CHECK int library_edition_attach(store *s, int64_t doc, const char *lang, const char *title,
                                      const struct library_file *file, const struct actor *by,
                                      json_t *orphans, json_t **out, p_error *err);

/* Deletes an edition (audited); its file's digest goes to orphans when unreferenced. */
MUST_CHECK int library_edition_delete(store *s, int64_t doc, const char *lang,
                                      const struct actor *by, json_t *orphans, p_error *err);

/* Where an edition's file is: digest, type and download name (buffers of 65, 8 and 256
 * bytes). P_ENOTFOUND when the edition or its file does not exist. */
MUST_CHECK int library_edition_file(store *s, int64_t doc, const char *lang, char sha256[static 65],
                                    char type[static 8], char name[static 256], int64_t *size,
                                    p_error *err);

/* Extraction queue: claims the oldest edition waiting for text (*found false when none). */
struct library_pending {
    int64_t edition_id;
    char sha256[65];
    char type[8];
};
MUST_CHECK int library_next_pending(store *s, struct library_pending *out, bool *found,
                                    p_error *err);

/* Stores the extracted text of an edition (indexed for search) and marks it extracted,
 * unless its file changed meanwhile (sha256 no longer the edition's: nothing happens). */
MUST_CHECK int library_edition_set_text(store *s, int64_t edition_id, const char *sha256,
                                        const char *text, size_t len, p_error *err);

/* Marks an edition's text unavailable with a reason (the file stays downloadable). */
MUST_CHECK int library_edition_set_unavailable(store *s, int64_t edition_id, const char *sha256,
                                               const char *why, p_error *err);

/* A search of the library. q is what the user typed (search/query.h); the filters keep
 * editions in lang, documents with priority, in series, of year (0 = any). */
struct library_query {
    const char *q;
    const char *lang, *priority, *series;
    int year;
    int page;         /* 1.. */
    int limit;        /* 1..50 */
    bool skip_facets; /* no facet counts (the API's facets=false); total is still counted */
};

/* Runs a search: *out is {"query", "total", "page", "limit", "items": [...], "facets":
 * {"lang", "priority", "series", "year"}} ("facets" absent with skip_facets); each item is an
 * edition with its document's catalogue data, its score and an escaped snippet with <mark> around
 * matched words. A malformed q is P_EINVAL naming "q". */
MUST_CHECK int library_search(store *s, const struct library_query *lq, json_t **out, p_error *err);

/* The same search, its result as compact JSON text in *body (the caller frees it) of *len
 * bytes: served from this process's cache (search_cache.h) while the library's version is
 * the one it was computed for, and cached when computed. */
MUST_CHECK int library_search_json(store *s, const struct library_query *lq, char **body,
                                   size_t *len, p_error *err);

/* The library's version: a counter every change that can alter a search's result moves,
 * in the change's own transaction. One read; search caches check it on every lookup. */
MUST_CHECK int library_version(store *s, int64_t *version, p_error *err);

/* Moves the version; call inside the transaction of the change. The service functions do
 * it themselves; a bulk loader that writes the library's tables directly must call it. */
MUST_CHECK int library_version_bump(store *s, p_error *err);

/* Documents like doc: its most distinctive words, searched in every other document.
 * *out is an array of {"id", "title", "year", "series", "volume", "score"}. */
MUST_CHECK int library_similar(store *s, int64_t doc, int limit, json_t **out, p_error *err);

/* Loads the demo documents (data/demo/library.json) that are not there yet. */
MUST_CHECK int library_load_demo(store *s, const struct actor *by, p_error *err);

/* Registers the library's API routes and pages. */
void library_register_routes(void);

#endif
