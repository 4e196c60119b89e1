/* extract_doc.c: the extractors proper, one per accepted type, run only inside the sandboxed
 * `polis extract` child (and by tests and fuzzers). Each appends UTF-8 text to a buffer and
 * stops at a byte budget; none writes a file or reaches the network. */
#include "library/extract.h"
#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlreader.h>
#include <limits.h>
#include <poppler.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define W_NS_TRANSITIONAL "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define W_NS_STRICT       "http://purl.oclc.org/ooxml/wordprocessingml/main"

void extract_utf8_clean(const char *in, size_t n, buf *out)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    const unsigned char *d = (const unsigned char *)in;
    size_t i = 0, run = 0; /* bytes [run, i) are valid and not yet appended */
    while (i < n) {
        unsigned char c = d[i];
        size_t need = 0;
        uint32_t cp = 0;
        bool ok = true;
        if (c == 0) {
            ok = false;
        } else if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            need = 1, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3, cp = c & 0x07;
        } else {
            ok = false;
        }
        if (ok && i + need >= n) ok = false;
        for (size_t k = 1; ok && k <= need; k++) {
            if ((d[i + k] & 0xC0) != 0x80)
                ok = false;
            else
                cp = (cp << 6) | (d[i + k] & 0x3F);
        }
        if (ok && ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                   (cp >= 0xD800 && cp <= 0xDFFF)))
            ok = false;
        if (ok) {
            i += need + 1;
            continue;
        }
        buf_append(out, in + run, i - run);
        buf_append(out, replacement, 3);
        i++; /* resynchronise on the next byte */
        run = i;
    }
    buf_append(out, in + run, n - run);
}

/* Reads at most max_bytes + 1 bytes of the file at path into out. */
static int read_capped(const char *path, size_t max_bytes, buf *out, p_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return p_fail(err, P_EIO, "file", "cannot open the file: %s", strerror(errno));
    char chunk[65536];
    int rc = P_OK;
    while (out->len <= max_bytes) {
        size_t want = max_bytes + 1 - out->len;
        if (want > sizeof chunk) want = sizeof chunk;
        ssize_t got = read(fd, chunk, want);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            rc = p_fail(err, P_EIO, "file", "cannot read the file: %s", strerror(errno));
            break;
        }
        if (got == 0) break;
        buf_append(out, chunk, (size_t)got);
    }
    close(fd);
    return rc;
}

int extract_text_file(const char *path, size_t max_bytes, buf *out, p_error *err)
{
    buf raw = BUF_INIT;
    int rc = read_capped(path, max_bytes, &raw, err);
    if (rc == P_OK) extract_utf8_clean(raw.data ? raw.data : "", raw.len, out);
    buf_free(&raw);
    return rc;
}

int extract_pdf_file(const char *path, size_t max_bytes, buf *out, p_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return p_fail(err, P_EIO, "file", "cannot open the file: %s", strerror(errno));
    GError *ge = NULL;
    PopplerDocument *doc = poppler_document_new_from_fd(fd, NULL, &ge); /* owns fd */
    if (!doc) {
        int rc = p_fail(err, P_EUNPROC, "file", "not a readable PDF: %s",
                        ge && ge->message ? ge->message : "unknown error");
        if (ge) g_error_free(ge);
        return rc;
    }
    int pages = poppler_document_get_n_pages(doc);
    for (int i = 0; i < pages && out->len <= max_bytes; i++) {
        PopplerPage *page = poppler_document_get_page(doc, i);
        if (!page) continue;
        char *text = poppler_page_get_text(page);
        if (text) {
            extract_utf8_clean(text, strlen(text), out);
            buf_putc(out, '\n');
            g_free(text);
        }
        g_object_unref(page);
    }
    g_object_unref(doc);
    return P_OK;
}

/* Text collection with blanks folded: one space between words, no empty lines. */
struct collector {
    buf *out;
    size_t max_bytes;
    bool space; /* a blank is pending before the next word */
};

static void collect_newline(struct collector *c)
{
    c->space = false;
    buf *o = c->out;
    if (o->len == 0 || o->data[o->len - 1] == '\n') return;
    buf_putc(o, '\n');
}

static void collect_text(struct collector *c, const char *s, size_t n)
{
    for (size_t i = 0; i < n && c->out->len <= c->max_bytes; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f') {
            c->space = true;
            continue;
        }
        if (c->space && c->out->len > 0 && c->out->data[c->out->len - 1] != '\n')
            buf_putc(c->out, ' ');
        c->space = false;
        buf_putc(c->out, ch);
    }
}

static bool html_skipped(const char *name)
{
    static const char *const skip[] = {"script", "style", "template", "noscript", "head", NULL};
    for (int i = 0; skip[i]; i++)
        if (strcasecmp(name, skip[i]) == 0) return true;
    return false;
}

static bool html_block(const char *name)
{
    static const char *const block[] = {
        "p",       "div",     "br",      "li",    "ul",         "ol",         "dl",      "dt",
        "dd",      "h1",      "h2",      "h3",    "h4",         "h5",         "h6",      "tr",
        "table",   "pre",     "hr",      "title", "blockquote", "section",    "article", "header",
        "footer",  "nav",     "aside",   "main",  "figure",     "figcaption", "caption", "form",
        "address", "details", "summary", NULL};
    for (int i = 0; block[i]; i++)
        if (strcasecmp(name, block[i]) == 0) return true;
    return false;
}

/* Is the UTF-8 well-formed, so the parser can be told so rather than guess Latin-1? */
static bool all_utf8(const char *data, size_t len)
{
    buf probe = BUF_INIT;
    extract_utf8_clean(data, len, &probe);
    bool same = probe.len == len;
    buf_free(&probe);
    return same;
}

int extract_html_mem(const char *data, size_t len, size_t max_bytes, buf *out, p_error *err)
{
    if (len > INT_MAX) return p_fail(err, P_EUNPROC, "file", "the HTML file is too large");
    int opts = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING;
    htmlDocPtr doc =
        htmlReadMemory(data, (int)len, NULL, all_utf8(data, len) ? "UTF-8" : NULL, opts);
    if (!doc) return p_fail(err, P_EUNPROC, "file", "not readable as HTML");
    struct collector c = {out, max_bytes, false};
    size_t start = out->len;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    /* The title first: head is otherwise skipped (it holds scripts and styles). */
    for (xmlNodePtr h = root ? root->children : NULL; h; h = h->next) {
        if (h->type != XML_ELEMENT_NODE || strcasecmp((const char *)h->name, "head") != 0) continue;
        for (xmlNodePtr t = h->children; t; t = t->next) {
            if (t->type != XML_ELEMENT_NODE || strcasecmp((const char *)t->name, "title") != 0)
                continue;
            xmlChar *title = xmlNodeGetContent(t);
            if (title) collect_text(&c, (const char *)title, strlen((const char *)title));
            xmlFree(title);
            collect_newline(&c);
        }
    }
    /* Depth-first without recursion: a deeply nested file cannot exhaust the stack. */
    xmlNodePtr n = root;
    while (n && out->len <= max_bytes) {
        bool descend = false;
        if (n->type == XML_ELEMENT_NODE) {
            if (!html_skipped((const char *)n->name)) {
                if (html_block((const char *)n->name)) collect_newline(&c);
                descend = n->children != NULL;
            }
        } else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                collect_text(&c, (const char *)n->content, strlen((const char *)n->content));
        }
        if (descend) {
            n = n->children;
            continue;
        }
        while (n && n != root && !n->next) {
            n = n->parent;
            if (n && n->type == XML_ELEMENT_NODE && html_block((const char *)n->name))
                collect_newline(&c);
        }
        n = n && n != root ? n->next : NULL;
    }
    xmlFreeDoc(doc);
    /* libxml2 hands out UTF-8; should a byte slip through, the text is cleaned all the same. */
    if (out->len > start && !text_utf8_valid(out->data + start, out->len - start)) {
        buf clean = BUF_INIT;
        extract_utf8_clean(out->data + start, out->len - start, &clean);
        out->len = start;
        buf_append(out, clean.data ? clean.data : "", clean.len);
        buf_free(&clean);
    }
    return P_OK;
}

int extract_html_file(const char *path, size_t max_bytes, buf *out, p_error *err)
{
    buf raw = BUF_INIT;
    int rc = read_capped(path, EXTRACT_HTML_MAX_BYTES, &raw, err);
    if (rc == P_OK && raw.len > EXTRACT_HTML_MAX_BYTES)
        rc = p_fail(err, P_EUNPROC, "file", "the HTML file is larger than %zu bytes",
                    EXTRACT_HTML_MAX_BYTES);
    if (rc == P_OK) rc = extract_html_mem(raw.data ? raw.data : "", raw.len, max_bytes, out, err);
    buf_free(&raw);
    return rc;
}

static bool w_element(xmlTextReaderPtr r, const char *local)
{
    const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r);
    const char *name = (const char *)xmlTextReaderConstLocalName(r);
    return ns && name && strcmp(name, local) == 0 &&
           (strcmp(ns, W_NS_TRANSITIONAL) == 0 || strcmp(ns, W_NS_STRICT) == 0);
}

int extract_docx_xml_mem(const char *data, size_t len, size_t max_bytes, buf *out, p_error *err)
{
    if (len > INT_MAX) return p_fail(err, P_EUNPROC, "file", "the document part is too large");
    /* No XML_PARSE_NOENT (entity substitution), no DTDLOAD, no network. */
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlTextReaderPtr r = xmlReaderForMemory(data, (int)len, NULL, NULL, opts);
    if (!r) return p_fail(err, P_EUNPROC, "file", "the document part is not XML");
    int rc = P_OK, in_text = 0, got;
    while ((got = xmlTextReaderRead(r)) == 1 && out->len <= max_bytes) {
        int type = xmlTextReaderNodeType(r);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE || type == XML_READER_TYPE_ENTITY_REFERENCE) {
            rc = p_fail(err, P_EUNPROC, "file", "the document part declares a DTD");
            break;
        }
        if (type == XML_READER_TYPE_ELEMENT) {
            if (w_element(r, "t") && !xmlTextReaderIsEmptyElement(r))
                in_text = 1;
            else if (w_element(r, "tab"))
                buf_putc(out, '\t');
            else if (w_element(r, "br") || w_element(r, "cr"))
                buf_putc(out, '\n');
            else if (w_element(r, "p") && xmlTextReaderIsEmptyElement(r))
                buf_putc(out, '\n');
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (w_element(r, "t"))
                in_text = 0;
            else if (w_element(r, "p"))
                buf_putc(out, '\n');
        } else if (in_text &&
                   (type == XML_READER_TYPE_TEXT ||
                    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                    type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_CDATA)) {
            const char *v = (const char *)xmlTextReaderConstValue(r);
            if (v) extract_utf8_clean(v, strlen(v), out);
        }
    }
    if (rc == P_OK && got < 0)
        rc = p_fail(err, P_EUNPROC, "file", "the document part is not well-formed XML");
    xmlFreeTextReader(r);
    return rc;
}

int extract_docx_file(const char *path, size_t max_bytes, buf *out, p_error *err)
{
    int zerr = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (!za) return p_fail(err, P_EUNPROC, "file", "not a readable ZIP archive");
    int rc = P_OK;
    buf xml = BUF_INIT;
    zip_file_t *zf = NULL;
    zip_int64_t idx = zip_name_locate(za, "word/document.xml", 0);
    zip_stat_t st;
    if (idx < 0 || zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0) {
        rc = p_fail(err, P_EUNPROC, "file", "the archive holds no word/document.xml");
        goto done;
    }
    /* The declared size is only a first check: the inflated bytes are counted too, and
     * reading stops the moment they pass the cap, so a bomb is never inflated. */
    if ((st.valid & ZIP_STAT_SIZE) && st.size > EXTRACT_DOCX_XML_MAX_BYTES) {
        rc = p_fail(err, P_EUNPROC, "file", "word/document.xml inflates beyond %llu bytes",
                    (unsigned long long)EXTRACT_DOCX_XML_MAX_BYTES);
        goto done;
    }
    zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
    if (!zf) {
        rc = p_fail(err, P_EUNPROC, "file", "cannot read word/document.xml: %s", zip_strerror(za));
        goto done;
    }
    char chunk[65536];
    for (;;) {
        zip_int64_t got = zip_fread(zf, chunk, sizeof chunk);
        if (got < 0) {
            rc = p_fail(err, P_EUNPROC, "file", "cannot inflate word/document.xml: %s",
                        zip_file_strerror(zf));
            goto done;
        }
        if (got == 0) break;
        if (xml.len + (size_t)got > EXTRACT_DOCX_XML_MAX_BYTES) {
            rc = p_fail(err, P_EUNPROC, "file", "word/document.xml inflates beyond %llu bytes",
                        (unsigned long long)EXTRACT_DOCX_XML_MAX_BYTES);
            goto done;
        }
        buf_append(&xml, chunk, (size_t)got);
    }
    rc = extract_docx_xml_mem(xml.data ? xml.data : "", xml.len, max_bytes, out, err);
done:
    if (zf) zip_fclose(zf);
    zip_discard(za);
    buf_free(&xml);
    return rc;
}
