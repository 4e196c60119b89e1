/* extract.h: the text of an uploaded document, for search. Parsing a hostile file is the
 * riskiest thing the server does, so it never happens in the server's process: extract_text
 * runs this same binary as `polis extract --type T FILE` (fork + exec, never a bare fork of
 * the threaded server) under CPU, memory, file-size and wall-clock limits, and reads the text
 * from its standard output. The extractors themselves (poppler for PDF, libxml2 for HTML and
 * for DOCX's XML, libzip for DOCX's archive) run only in that child, and in tests/fuzzers. */
#ifndef POLIS_LIBRARY_EXTRACT_H
#define POLIS_LIBRARY_EXTRACT_H

#include "core/buf.h"
#include "core/err.h"
#include "library/magic.h"

#include <stddef.h>
#include <stdint.h>

#define EXTRACT_MAX_TEXT_BYTES     ((size_t)20 << 20)   /* more text than this is cut */
#define EXTRACT_CPU_SECONDS        30                   /* RLIMIT_CPU of the child */
#define EXTRACT_WALL_MS            60000                /* then the child is killed */
#define EXTRACT_ADDRESS_SPACE      ((uint64_t)1 << 30)  /* RLIMIT_AS (not under ASan) */
#define EXTRACT_FILE_SIZE          ((uint64_t)1 << 20)  /* RLIMIT_FSIZE: it writes no files */
#define EXTRACT_DOCX_XML_MAX_BYTES ((uint64_t)64 << 20) /* inflated word/document.xml */
#define EXTRACT_HTML_MAX_BYTES     ((size_t)64 << 20)   /* an HTML file parsed at most */

/* Limits of one extraction; extract_text uses the constants above. */
struct extract_limits {
    unsigned cpu_seconds;
    unsigned wall_ms;
    size_t max_text_bytes;
};

/* Extracts the text of the file at path, already known (magic.h) to be of type. On P_OK,
 * *text_out is NUL-terminated valid UTF-8 of *len_out bytes (at most EXTRACT_MAX_TEXT_BYTES,
 * cut on a character boundary) that the caller frees. On failure (P_EUNPROC: the file could
 * not be read, a limit was hit, the extractor crashed; P_EIO: the child could not be
 * started) err says why, in words the caller can record as "text unavailable". Blocks for up
 * to EXTRACT_WALL_MS: call it outside a request's thread. Thread-safe. */
MUST_CHECK int extract_text(const char *path, enum file_type type, char **text_out, size_t *len_out,
                            p_error *err);

/* The same with explicit limits (tests); NULL means the defaults. */
MUST_CHECK int extract_text_limited(const char *path, enum file_type type,
                                    const struct extract_limits *limits, char **text_out,
                                    size_t *len_out, p_error *err);

/* The child's side: `extract --type pdf|docx|html|text FILE` (argv[0] is "extract"). Writes
 * the text to standard output; exit 0, 2 on a usage error, 4 when the file cannot be read as
 * its type (the reason on standard error), 1 otherwise. A binary that calls extract_text must
 * dispatch this subcommand to it (polis does; the unit tests do too). */
int extract_main(int argc, char **argv);

/* In-process extractors, appending UTF-8 text to out and stopping once out holds more than
 * max_bytes. Used by the child, by tests and by the fuzzers; not for the server's threads. */
MUST_CHECK int extract_pdf_file(const char *path, size_t max_bytes, buf *out, p_error *err);
MUST_CHECK int extract_docx_file(const char *path, size_t max_bytes, buf *out, p_error *err);
MUST_CHECK int extract_text_file(const char *path, size_t max_bytes, buf *out, p_error *err);
MUST_CHECK int extract_html_file(const char *path, size_t max_bytes, buf *out, p_error *err);
/* HTML: libxml2's HTML parser without network access; script, style, template and noscript
 * are skipped, block elements end lines, runs of blanks become one space. */
MUST_CHECK int extract_html_mem(const char *data, size_t len, size_t max_bytes, buf *out,
                                p_error *err);
/* word/document.xml: the text of w:t runs, w:p ends a line, w:tab and w:br as '\t' and '\n'.
 * A document with a DTD is refused, so no entity is ever defined, let alone expanded. */
MUST_CHECK int extract_docx_xml_mem(const char *data, size_t len, size_t max_bytes, buf *out,
                                    p_error *err);

/* Appends in[0..n) to out with every invalid UTF-8 sequence and every NUL replaced by
 * U+FFFD. */
void extract_utf8_clean(const char *in, size_t n, buf *out);

#endif
