/* open311_xml.c (community): the two shapes of every Open311 reply. A reply is built once as a
 * JSON document (members in the spec's order) and written either as JSON (Spark convention:
 * lists are top-level arrays) or as schemaless XML through libxml2's text writer, which
 * escapes every piece of text; the spec's error envelope is one more document. */
#include "community/open311_internal.h"

#include "core/log.h"
#include "http/response.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

#define X(s) ((const xmlChar *)(s))

bool o311_format_parse(const char *suffix, enum o311_format *out)
{
    if (strcmp(suffix, "xml") == 0) {
        *out = O311_XML;
        return true;
    }
    if (strcmp(suffix, "json") == 0) {
        *out = O311_JSON;
        return true;
    }
    return false;
}

bool o311_split_segment(const char *segment, char *name, size_t size, enum o311_format *fmt,
                        bool *fmt_known)
{
    *fmt = O311_XML;
    *fmt_known = false;
    const char *dot = strrchr(segment, '.');
    if (!dot) return false;
    *fmt_known = o311_format_parse(dot + 1, fmt);
    size_t n = (size_t)(dot - segment);
    if (!*fmt_known || n == 0 || n >= size) return false;
    memcpy(name, segment, n);
    name[n] = '\0';
    return true;
}

/* The element of one member of a list called plural. */
static const char *singular(const char *plural)
{
    static const char *const names[][2] = {{"endpoints", "endpoint"},
                                           {"formats", "format"},
                                           {"attributes", "attribute"},
                                           {"values", "value"},
                                           {"notes", "note"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(plural, names[i][0]) == 0) return names[i][1];
    return "item";
}

/* Text without what XML 1.0 cannot carry: C0 controls other than tab, LF and CR, and
 * U+FFFE, U+FFFF (the text is valid UTF-8: jansson's or ours). */
static const char *xml_clean(buf *clean, const char *text)
{
    buf_reset(clean);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') continue;
        if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
            p += 2;
            continue;
        }
        buf_putc(clean, (char)*p);
    }
    return buf_str(clean);
}

static int write_members(xmlTextWriterPtr w, json_t *obj, buf *clean);

/* Writes value as the content of the element that is open. */
static int write_value(xmlTextWriterPtr w, const char *key, json_t *v, buf *clean)
{
    char num[40];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return xmlTextWriterWriteString(w, X(xml_clean(clean, json_string_value(v))));
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return xmlTextWriterWriteString(w, X(num));
    case JSON_REAL:
        snprintf(num, sizeof num, "%.7f", json_real_value(v));
        return xmlTextWriterWriteString(w, X(num));
    case JSON_TRUE:
        return xmlTextWriterWriteString(w, X("true"));
    case JSON_FALSE:
        return xmlTextWriterWriteString(w, X("false"));
    case JSON_NULL:
        return 0;
    case JSON_OBJECT:
        return write_members(w, v, clean);
    case JSON_ARRAY: {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (xmlTextWriterStartElement(w, X(singular(key))) < 0) return -1;
            if (write_value(w, singular(key), e, clean) < 0) return -1;
            if (xmlTextWriterEndElement(w) < 0) return -1;
        }
        return 0;
    }
    }
    return -1;
}

static int write_members(xmlTextWriterPtr w, json_t *obj, buf *clean)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (xmlTextWriterStartElement(w, X(key)) < 0) return -1;
        if (write_value(w, key, v, clean) < 0) return -1;
        /* An empty member is <name></name>, which every parser reads as <name/>. */
        if (xmlTextWriterFullEndElement(w) < 0) return -1;
    }
    return 0;
}

/* doc as an XML document into out; -1 when the writer fails. */
static int write_xml(const char *root, const char *item, json_t *doc, buf *out)
{
    xmlBufferPtr xb = xmlBufferCreate();
    if (!xb) return -1;
    xmlTextWriterPtr w = xmlNewTextWriterMemory(xb, 0);
    if (!w) {
        xmlBufferFree(xb);
        return -1;
    }
    buf clean = BUF_INIT;
    /* The declaration is written here: libxml2 would spell the encoding "UTF-8", and the
     * spec (and clients comparing bytes) use "utf-8". */
    int rc = xmlTextWriterStartElement(w, X(root));
    if (rc >= 0 && json_is_array(doc)) {
        size_t i;
        json_t *e;
        json_array_foreach(doc, i, e)
        {
            rc = xmlTextWriterStartElement(w, X(item));
            if (rc >= 0) rc = write_value(w, item, e, &clean);
            if (rc >= 0) rc = xmlTextWriterEndElement(w);
            if (rc < 0) break;
        }
    } else if (rc >= 0) {
        rc = write_value(w, root, doc, &clean);
    }
    if (rc >= 0) rc = xmlTextWriterEndElement(w);
    if (rc >= 0) rc = xmlTextWriterFlush(w);
    xmlFreeTextWriter(w);
    if (rc >= 0) {
        buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        buf_append(out, (const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
        buf_putc(out, '\n');
    }
    xmlBufferFree(xb);
    buf_free(&clean);
    return rc < 0 ? -1 : 0;
}

void o311_reply(http_request *req, enum o311_format fmt, int status, const char *root,
                const char *item, json_t *doc)
{
    if (!doc) {
        http_reply_fail(req, P_ESTORE, NULL, "out of memory");
        return;
    }
    if (fmt == O311_JSON) {
        char *text = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(doc);
        if (!text) {
            http_reply_fail(req, P_ESTORE, NULL, "the reply could not be written");
            return;
        }
        http_reply_bytes(req, status, "application/json; charset=utf-8", text, strlen(text));
        free(text);
        return;
    }
    buf out = BUF_INIT;
    int rc = write_xml(root, item, doc, &out);
    json_decref(doc);
    if (rc != 0)
        http_reply_fail(req, P_ESTORE, NULL, "the reply could not be written");
    else
        http_reply_bytes(req, status, "text/xml; charset=utf-8", out.data, out.len);
    buf_free(&out);
}

void o311_reply_error(http_request *req, enum o311_format fmt, int http_status,
                      const char *description)
{
    json_t *doc = json_pack("[{s:i, s:s}]", "code", http_status, "description",
                            description ? description : "");
    o311_reply(req, fmt, http_status, "errors", "error", doc);
}

void o311_reply_status(http_request *req, enum o311_format fmt, int rc, const p_error *err)
{
    switch (rc) {
    case P_ENOTFOUND:
        o311_reply_error(req, fmt, 404, err->message);
        return;
    case P_EAUTH:
    case P_EFORBIDDEN:
        o311_reply_error(req, fmt, 403, err->message);
        return;
    case P_ESTORE:
    case P_EIO:
    case P_EINTEGRITY:
        log_error("open311: %s", err->message);
        o311_reply_error(req, fmt, 500, "the server failed; try again later");
        return;
    case P_EUNAVAIL:
        o311_reply_error(req, fmt, 503, "the server is busy; try again later");
        return;
    default:
        o311_reply_error(req, fmt, 400, err->message);
    }
}
