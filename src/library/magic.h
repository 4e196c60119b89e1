/* magic.h: what kind of document a file is, decided by its bytes alone — never by its name
 * or the Content-Type a client claimed. PDF, DOCX (a ZIP holding word/document.xml, checked
 * with libzip), HTML and plain UTF-8 text are accepted; anything else is refused. */
#ifndef POLIS_LIBRARY_MAGIC_H
#define POLIS_LIBRARY_MAGIC_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

enum file_type {
    FILE_TYPE_NONE = 0,
    FILE_TYPE_PDF,
    FILE_TYPE_DOCX,
    FILE_TYPE_HTML,
    FILE_TYPE_TEXT,
};

/* How much of a file decides "plain text": valid UTF-8 and no NUL in this many bytes. */
#define MAGIC_TEXT_WINDOW_BYTES ((size_t)64 * 1024)

/* Detects the type of data[0..len), the whole file. P_OK with *out set; P_EUNPROC ("the file
 * is empty") for 0 bytes; P_EMEDIA with a message naming the accepted types otherwise. */
MUST_CHECK int magic_detect_mem(const void *data, size_t len, enum file_type *out, p_error *err);

/* The same for the file at path; reads at most MAGIC_TEXT_WINDOW_BYTES of it (and lets
 * libzip read the central directory of a ZIP). P_EIO when it cannot be read. */
MUST_CHECK int magic_detect_file(const char *path, enum file_type *out, p_error *err);

/* "pdf", "docx", "html", "text" ("" for NONE): the names the extract subcommand and the
 * database use. */
const char *file_type_name(enum file_type t);

/* Parses such a name; FILE_TYPE_NONE when unknown. */
enum file_type file_type_parse(const char *name);

/* The media type to serve the file with, e.g. "application/pdf". HTML is served as
 * "text/html; charset=utf-8" and should be sent as an attachment, never rendered inline. */
const char *file_type_mime(enum file_type t);

#endif
