/* html.c: the escaping HTML builder. */
#include "web/html.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void html_escape(buf *b, const char *s)
{
    if (!s) return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        buf_append(b, run, (size_t)(p - run));
        buf_puts(b, rep);
        run = p + 1;
    }
    buf_puts(b, run);
}

void html_text(html *h, const char *s)
{
    html_escape(&h->b, s);
}

void html_textf(html *h, const char *fmt, ...)
{
    buf tmp = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&tmp, fmt, ap);
    va_end(ap);
    html_escape(&h->b, buf_str(&tmp));
    buf_free(&tmp);
}

int html_url_allowed(const char *url)
{
    if (!url) return 0;
    if (url[0] == '/' && url[1] != '/' && url[1] != '\\') return 1;
    if (url[0] == '?' || url[0] == '#') return 1;
    return strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "http://", 7) == 0;
}

static int is_url_attribute(const char *name)
{
    return strcmp(name, "href") == 0 || strcmp(name, "src") == 0 || strcmp(name, "action") == 0 ||
           strcmp(name, "formaction") == 0;
}

static void open_tag(html *h, const char *tag, va_list ap)
{
    buf_putc(&h->b, '<');
    buf_puts(&h->b, tag);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        if (!value) break;
        if (is_url_attribute(name) && !html_url_allowed(value)) value = "#";
        buf_putc(&h->b, ' ');
        buf_puts(&h->b, name);
        buf_puts(&h->b, "=\"");
        html_escape(&h->b, value);
        buf_putc(&h->b, '"');
    }
    buf_putc(&h->b, '>');
}

void html_open(html *h, const char *tag, ...)
{
    va_list ap;
    va_start(ap, tag);
    open_tag(h, tag, ap);
    va_end(ap);
}

void html_void(html *h, const char *tag, ...)
{
    va_list ap;
    va_start(ap, tag);
    open_tag(h, tag, ap);
    va_end(ap);
}

void html_close(html *h, const char *tag)
{
    buf_puts(&h->b, "</");
    buf_puts(&h->b, tag);
    buf_putc(&h->b, '>');
}

void html_elem(html *h, const char *tag, const char *text, ...)
{
    va_list ap;
    va_start(ap, text);
    open_tag(h, tag, ap);
    va_end(ap);
    html_escape(&h->b, text);
    html_close(h, tag);
}

void html_literal_(html *h, const char *literal)
{
    buf_puts(&h->b, literal);
}

void html_marked(html *h, const char *s)
{
    static const char *const kept[] = {"<mark>", "</mark>", "&lt;", "&gt;",
                                       "&amp;",  "&quot;",  "&#39;"};
    while (*s) {
        size_t i, n = 0;
        for (i = 0; i < sizeof kept / sizeof kept[0]; i++) {
            n = strlen(kept[i]);
            if (strncmp(s, kept[i], n) == 0) break;
        }
        if (i < sizeof kept / sizeof kept[0]) {
            buf_append(&h->b, s, n);
            s += n;
            continue;
        }
        switch (*s) {
        case '<':
            buf_puts(&h->b, "&lt;");
            break;
        case '>':
            buf_puts(&h->b, "&gt;");
            break;
        case '&':
            buf_puts(&h->b, "&amp;");
            break;
        case '"':
            buf_puts(&h->b, "&quot;");
            break;
        case '\'':
            buf_puts(&h->b, "&#39;");
            break;
        default:
            buf_putc(&h->b, *s);
        }
        s++;
    }
}
