/* snippet.c: picks the densest window of matching words and writes it escaped. Scanning is
 * bounded (SCAN_WORDS), so a book-length body costs no more than its first pages. */
#include "search/snippet.h"

#include "search/fold.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { SCAN_WORDS = 20000 };

struct span {
    size_t start, end;
    bool match;
};

struct spans {
    struct span *v;
    size_t n, cap;
    const struct search_terms *terms;
};

static int record_word(void *ctx, const char *token, size_t len, size_t start, size_t end)
{
    struct spans *s = ctx;
    if (s->n == s->cap) return 1;
    s->v[s->n++] = (struct span){start, end, search_terms_match(s->terms, token, len)};
    return 0;
}

/* Escapes text[0..n) for HTML; whitespace and control runs become one space. */
static void put_escaped(buf *out, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    bool space = false;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t step = fold_decode(s + i, n - i, &cp);
        bool blank = cp < 0x20 || cp == ' ' || cp == 0x7F || cp == 0xA0;
        if (blank) {
            if (!space) buf_putc(out, ' ');
            space = true;
            i += step;
            continue;
        }
        space = false;
        switch (cp) {
        case '<':
            buf_puts(out, "&lt;");
            break;
        case '>':
            buf_puts(out, "&gt;");
            break;
        case '&':
            buf_puts(out, "&amp;");
            break;
        case '"':
            buf_puts(out, "&quot;");
            break;
        case '\'':
            buf_puts(out, "&#39;");
            break;
        default: {
            char enc[4];
            buf_append(out, enc, fold_encode(cp, enc));
        }
        }
        i += step;
    }
}

/* The first word of the window of max_words words with the most matches. */
static size_t best_window(const struct spans *s, size_t max_words)
{
    size_t best = 0, best_hits = 0, hits = 0;
    for (size_t i = 0; i < s->n; i++) {
        hits += s->v[i].match;
        if (i >= max_words) hits -= s->v[i - max_words].match;
        size_t first = i + 1 >= max_words ? i + 1 - max_words : 0;
        if (hits > best_hits) {
            best_hits = hits;
            best = first;
        }
    }
    /* Start a little before the first match, so it reads in context. */
    if (best_hits > 0) {
        size_t first_hit = best;
        while (!s->v[first_hit].match)
            first_hit++;
        size_t lead = max_words / 4;
        best = first_hit > lead ? first_hit - lead : 0;
        if (best + max_words > s->n) best = s->n > max_words ? s->n - max_words : 0;
    }
    return best;
}

size_t search_snippet(const char *text, size_t n, const char *lang,
                      const struct search_terms *terms, size_t max_words, buf *out)
{
    if (max_words == 0) max_words = 1;
    struct spans s = {calloc(SCAN_WORDS, sizeof(struct span)), 0, SCAN_WORDS, terms};
    if (!s.v) abort();
    /* Non-zero when the scan stopped at SCAN_WORDS: text goes on past the last span. */
    bool cut = search_tokenize(text, n, lang, SEARCH_STEM, record_word, &s) != 0;
    size_t hits = 0;
    if (s.n > 0) {
        size_t first = best_window(&s, max_words);
        size_t last = first + max_words < s.n ? first + max_words - 1 : s.n - 1;
        if (first > 0) buf_puts(out, "… ");
        size_t at = first > 0 ? s.v[first].start : 0;
        for (size_t i = first; i <= last; i++) {
            put_escaped(out, text + at, s.v[i].start - at);
            if (s.v[i].match) buf_puts(out, "<mark>");
            put_escaped(out, text + s.v[i].start, s.v[i].end - s.v[i].start);
            if (s.v[i].match) buf_puts(out, "</mark>");
            hits += s.v[i].match;
            at = s.v[i].end;
        }
        if (last + 1 < s.n || cut)
            buf_puts(out, " …");
        else
            put_escaped(out, text + at, n - at);
    }
    free(s.v);
    return hits;
}
