/* internal.h (library): what the library's files share and nobody else sees. */
#ifndef POLIS_LIBRARY_INTERNAL_H
#define POLIS_LIBRARY_INTERNAL_H

#include "library/library.h"

#include <stddef.h>

enum {
    DOC_TITLE_MAX = 300,
    DOC_SHORT_MAX = 120,
    DOC_ABSTRACT_MAX = 4000,
    DOC_CODES_MAX = 20,
    EDITION_NAME_MAX = 200,
};

/* Merges the members of fields into rec (a blank or a stored record), checking each
 * member's type (400) and limits; then library_document_check applies the rules. */
MUST_CHECK int library_document_merge(json_t *rec, json_t *fields, p_error *err);
MUST_CHECK int library_document_check(store *s, json_t *rec, p_error *err);
json_t *library_document_blank(void);

/* Reads a document and its editions into a new record; P_ENOTFOUND when absent. */
MUST_CHECK int library_load(store *s, int64_t id, json_t **out, p_error *err);

/* Writes the main row and the code links of rec (insert: *id receives the new id). */
MUST_CHECK int library_write_document(store *s, json_t *rec, bool insert, int64_t *id,
                                      p_error *err);

/* Keeps the full-text row of an edition in step with its title and abstract (and the
 * document's abstract, used when the edition has none), and its facet row with its
 * language and its document's series, year and priorities. */
MUST_CHECK int library_index_edition(store *s, int64_t edition_id, p_error *err);
MUST_CHECK int library_index_document(store *s, int64_t doc, p_error *err);
MUST_CHECK int library_index_body(store *s, int64_t edition_id, const char *text, size_t len,
                                  p_error *err);
MUST_CHECK int library_unindex_edition(store *s, int64_t edition_id, p_error *err);

/* Appends the language tag the polis tokenizer reads, then text. */
struct buf;
void library_tagged(struct buf *out, const char *lang, const char *text, size_t len);
/* text without a leading language tag. */
const char *library_untagged(const char *text);

/* Appends sha to orphans when no edition refers to it any more. */
MUST_CHECK int library_collect_orphan(store *s, const char *sha, json_t *orphans, p_error *err);

/* Removes the stored files whose digests orphans holds; call after the commit. */
void library_remove_orphans(json_t *orphans);

MUST_CHECK int library_audit(store *s, const char *action, const char *entity, int64_t id,
                             const char *lang, json_t *before, json_t *after,
                             const struct actor *by, p_error *err);

/* Bumps the library's version (library_version_bump), then commits; or rolls back. Hands
 * after to *out or frees it. Every change of the library's tables ends with it. */
MUST_CHECK int library_finish(store *s, int rc, json_t *after, json_t **out, p_error *err);

void library_api_register(void);
void library_files_register(void);
void library_pages_register(void);

#endif
