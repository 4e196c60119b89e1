/* import.h (library): `polis import documents`: a metadata file describing documents and
 * their editions, and a directory holding the editions' files. */
#ifndef POLIS_LIBRARY_IMPORT_H
#define POLIS_LIBRARY_IMPORT_H

#include "auth/users.h"
#include "store/store.h"

#include <stdint.h>

struct library_import_result {
    int documents; /* created */
    int skipped;   /* already in the library (same title and year) */
    int editions;
    int files;       /* stored (a file already in the store counts too) */
    int extracted;   /* texts taken from files by this run (successfully or not) */
    int unavailable; /* editions of the whole library whose text is unavailable */
};

/* Imports meta (the JSON text of {"documents": [ {document members..., "editions":
 * {"en": {"title": ..., "abstract": ..., "file": "relative/path"}, ...}} ]}) with files
 * under dir. Everything is checked first — members, codes, languages, that each file is a
 * regular file inside dir (no absolute paths, no "..", no symlink out), at most limit_bytes,
 * of an accepted type by its bytes — and nothing is written when anything is wrong; err
 * names the document (by position and title) and the field. Then each document is written
 * (audited), files are stored by digest, and the texts are extracted before returning. */
MUST_CHECK int library_import(store *s, const char *meta, size_t meta_len, const char *dir,
                              uint64_t limit_bytes, const struct actor *by,
                              struct library_import_result *out, p_error *err);

#endif
