/* html.h: the only way Polis writes HTML. Text and attribute values are always escaped;
 * markup can only come from string literals (HTML_LITERAL) or tag and attribute names,
 * which are ours. URL attributes accept local paths and http(s) links only. */
#ifndef POLIS_HTML_H
#define POLIS_HTML_H

#include "core/buf.h"

typedef struct html {
    buf b;
} html;

#define HTML_INIT                                                                                  \
    {                                                                                              \
        BUF_INIT                                                                                   \
    }

/* Appends escaped text. */
void html_text(html *h, const char *s);
void html_textf(html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens <tag attr="value" ...>; the variadic part is name/value pairs ending with NULL.
 * A NULL value after a name is allowed only as the terminator, so use "" for empty. */
void html_open(html *h, const char *tag, ...) __attribute__((sentinel));
/* Like html_open for void elements (<input>, <meta>, <link>, <br>). */
void html_void(html *h, const char *tag, ...) __attribute__((sentinel));
void html_close(html *h, const char *tag);
/* <tag attrs...>text</tag> in one call. */
void html_elem(html *h, const char *tag, const char *text, ...) __attribute__((sentinel));

/* Appends trusted markup; only string literals compile ("" s "" rejects variables). */
#define HTML_LITERAL(h, s) html_literal_((h), "" s "")
void html_literal_(html *h, const char *literal);

/* Appends a search snippet (search/snippet.h): its <mark> and </mark> tags and the
 * entities &lt; &gt; &amp; &quot; &#39; pass through; anything else that could be
 * markup is escaped, so even a snippet from elsewhere cannot inject HTML. */
void html_marked(html *h, const char *snippet);

/* Escapes s for text or a quoted attribute into b. */
void html_escape(buf *b, const char *s);

/* True when a URL may be put in href/src/action: "/", "?", "#" or http(s). */
int html_url_allowed(const char *url);

#endif
