/* magic.c: type detection by content (see magic.h). A ZIP is only a DOCX when libzip can read
 * its central directory and finds word/document.xml in it; plain text is UTF-8 without NUL in
 * its first 64 KB; HTML must start (after a BOM, blanks, comments and an XML declaration)
 * with a tag only HTML documents start with. */
#include "library/magic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define DOCX_MAIN_PART "word/document.xml"

static const char refused_message[] =
    "the file's type is not accepted: upload a PDF, DOCX, HTML or plain UTF-8 text file";

const char *file_type_name(enum file_type t)
{
    switch (t) {
    case FILE_TYPE_PDF:
        return "pdf";
    case FILE_TYPE_DOCX:
        return "docx";
    case FILE_TYPE_HTML:
        return "html";
    case FILE_TYPE_TEXT:
        return "text";
    default:
        return "";
    }
}

enum file_type file_type_parse(const char *name)
{
    for (int t = FILE_TYPE_PDF; t <= FILE_TYPE_TEXT; t++)
        if (name && strcmp(name, file_type_name((enum file_type)t)) == 0) return (enum file_type)t;
    return FILE_TYPE_NONE;
}

const char *file_type_mime(enum file_type t)
{
    switch (t) {
    case FILE_TYPE_PDF:
        return "application/pdf";
    case FILE_TYPE_DOCX:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case FILE_TYPE_HTML:
        return "text/html; charset=utf-8";
    case FILE_TYPE_TEXT:
        return "text/plain; charset=utf-8";
    default:
        return "application/octet-stream";
    }
}

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/* True when d[0..n) starts with the ASCII word w, case-insensitively, followed by a blank,
 * '>' or the end of the window (or '/' for "<html/>"-like starts). */
static bool starts_tag(const unsigned char *d, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n < k || strncasecmp((const char *)d, w, k) != 0) return false;
    return n == k || is_blank(d[k]) || d[k] == '>' || d[k] == '/';
}

static bool looks_html(const unsigned char *d, size_t n)
{
    size_t i = 0;
    if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) i = 3;
    for (;;) {
        while (i < n && is_blank(d[i]))
            i++;
        if (n - i >= 4 && memcmp(d + i, "<!--", 4) == 0) {
            const void *end = memmem(d + i + 4, n - i - 4, "-->", 3);
            if (!end) return false;
            i = (size_t)((const unsigned char *)end - d) + 3;
            continue;
        }
        if (n - i >= 5 && memcmp(d + i, "<?xml", 5) == 0) { /* XHTML's XML declaration */
            const void *end = memmem(d + i + 5, n - i - 5, "?>", 2);
            if (!end) return false;
            i = (size_t)((const unsigned char *)end - d) + 2;
            continue;
        }
        break;
    }
    const unsigned char *p = d + i;
    size_t m = n - i;
    return starts_tag(p, m, "<!doctype html") || starts_tag(p, m, "<html") ||
           starts_tag(p, m, "<head") || starts_tag(p, m, "<body");
}

/* UTF-8 without NUL, overlong forms or surrogates. When the window is only the start of a
 * longer file, a sequence cut by the window's end is allowed. */
static bool looks_text(const unsigned char *d, size_t n, bool window_cut)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = d[i];
        if (c == 0) return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + need >= n) {
            /* The sequence runs past the window: fine only when the file goes on. */
            if (!window_cut) return false;
            for (size_t k = i + 1; k < n; k++)
                if ((d[k] & 0xC0) != 0x80) return false;
            return true;
        }
        for (size_t k = 1; k <= need; k++) {
            if ((d[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d[i + k] & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += need + 1;
    }
    return true;
}

static bool is_zip(const unsigned char *d, size_t n)
{
    return n >= 4 && d[0] == 'P' && d[1] == 'K' && d[2] == 3 && d[3] == 4;
}

/* True when the archive's central directory lists the main part of a Word document. */
static bool zip_has_docx_part(zip_t *za)
{
    return za && zip_name_locate(za, DOCX_MAIN_PART, 0) >= 0;
}

/* Decides every type but DOCX from the window; *zip set when it may be one. */
static enum file_type classify(const unsigned char *d, size_t n, bool window_cut, bool *zip)
{
    *zip = false;
    if (n >= 5 && memcmp(d, "%PDF-", 5) == 0) return FILE_TYPE_PDF;
    if (is_zip(d, n)) {
        *zip = true;
        return FILE_TYPE_NONE;
    }
    if (!looks_text(d, n, window_cut)) return FILE_TYPE_NONE;
    return looks_html(d, n) ? FILE_TYPE_HTML : FILE_TYPE_TEXT;
}

static int refuse(p_error *err)
{
    int rc = p_fail(err, P_EMEDIA, "file", "%s", refused_message);
    p_error_code(err, "unsupported_file_type");
    return rc;
}

static int empty(p_error *err)
{
    int rc = p_fail(err, P_EUNPROC, "file", "the file is empty");
    p_error_code(err, "empty_file");
    return rc;
}

int magic_detect_mem(const void *data, size_t len, enum file_type *out, p_error *err)
{
    *out = FILE_TYPE_NONE;
    if (len == 0) return empty(err);
    const unsigned char *d = data;
    size_t window = len < MAGIC_TEXT_WINDOW_BYTES ? len : MAGIC_TEXT_WINDOW_BYTES;
    bool zip;
    enum file_type t = classify(d, window, window < len, &zip);
    if (zip) {
        zip_error_t ze;
        zip_error_init(&ze);
        zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
        zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
        if (!za && src) zip_source_free(src);
        if (zip_has_docx_part(za)) t = FILE_TYPE_DOCX;
        if (za) zip_discard(za);
        zip_error_fini(&ze);
    }
    if (t == FILE_TYPE_NONE) return refuse(err);
    *out = t;
    return P_OK;
}

int magic_detect_file(const char *path, enum file_type *out, p_error *err)
{
    *out = FILE_TYPE_NONE;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return p_fail(err, P_EIO, "file", "cannot open the file: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return p_fail(err, P_EIO, "file", "not a regular file");
    }
    static _Thread_local unsigned char window[MAGIC_TEXT_WINDOW_BYTES];
    size_t n = 0;
    while (n < sizeof window) {
        ssize_t got = read(fd, window + n, sizeof window - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int e = errno;
            close(fd);
            return p_fail(err, P_EIO, "file", "cannot read the file: %s", strerror(e));
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    close(fd);
    if (n == 0) return empty(err);
    bool zip;
    enum file_type t = classify(window, n, (uint64_t)st.st_size > n, &zip);
    if (zip) {
        int zerr = 0;
        zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
        if (zip_has_docx_part(za)) t = FILE_TYPE_DOCX;
        if (za) zip_discard(za);
    }
    if (t == FILE_TYPE_NONE) return refuse(err);
    *out = t;
    return P_OK;
}
