/* query.c: the search-box language. A lexer cuts the text into terms, phrases, prefixes,
 * operators and parentheses; a recursive-descent parser builds a small tree (bounded in
 * size, so no input can make it large); emitters write the engine's syntax from the tree. */
#include "search/query.h"

#include "core/mem.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum node_kind { N_LEAF, N_AND, N_OR, N_NOT };

struct node {
    enum node_kind kind;
    int left, right;  /* operators */
    int first, count; /* leaves: words[first .. first+count) */
    bool prefix;      /* leaves: the last word is a prefix */
};

struct word_ref {
    size_t start, len; /* in src */
};

enum {
    MAX_NODES = 2 * SEARCH_QUERY_MAX_TERMS,
    MAX_WORDS = SEARCH_QUERY_MAX_TERMS * SEARCH_PHRASE_MAX_WORDS
};

struct search_query {
    char *src; /* a copy of the query */
    struct node nodes[MAX_NODES];
    int n_nodes, root;
    struct word_ref words[MAX_WORDS];
    int n_words;
    buf text;
};

/* ---- lexer ------------------------------------------------------------------------------- */

enum lex_kind { T_END, T_LEAF, T_AND, T_OR, T_NOT, T_OPEN, T_CLOSE };

struct lexer {
    search_query *q;
    size_t pos;
    enum lex_kind kind; /* the current token */
    size_t at;          /* where it starts */
    int leaf;           /* T_LEAF: its node */
    int depth;
    p_error *err;
};

static int fail_at(struct lexer *lx, size_t at, const char *what)
{
    size_t chars = text_utf8_len(lx->q->src, at) + 1;
    return p_fail(lx->err, P_EINVAL, "q", "%s (at character %zu)", what, chars);
}

struct collect {
    search_query *q;
    size_t base;
    int count;
    bool overflow;
};

static int collect_word(void *ctx, const char *token, size_t len, size_t start, size_t end)
{
    (void)token;
    (void)len;
    struct collect *c = ctx;
    if (c->q->n_words >= MAX_WORDS || c->count >= SEARCH_PHRASE_MAX_WORDS) {
        c->overflow = true;
        return 1;
    }
    c->q->words[c->q->n_words++] = (struct word_ref){c->base + start, end - start};
    c->count++;
    return 0;
}

/* Makes a leaf of the words in src[start..end); sets lx->leaf to it, or -1 when the text
 * holds no words (punctuation alone is ignored). */
static int make_leaf(struct lexer *lx, size_t start, size_t end, bool prefix)
{
    search_query *q = lx->q;
    struct collect c = {q, start, 0, false};
    int first = q->n_words;
    (void)search_tokenize(q->src + start, end - start, NULL, SEARCH_PREFIX, collect_word, &c);
    if (c.overflow)
        return fail_at(lx, start,
                       q->n_words >= MAX_WORDS ? "the query has too many words"
                                               : "a phrase may have at most 8 words");
    lx->leaf = -1;
    if (c.count == 0) {
        if (prefix) return fail_at(lx, start, "a * must follow a word, as in traffick*");
        return P_OK;
    }
    if (prefix) {
        const struct word_ref *w = &q->words[q->n_words - 1];
        if (w->start + w->len != end)
            return fail_at(lx, start, "a * must follow a word, as in traffick*");
        if (text_utf8_len(q->src + w->start, w->len) < 2)
            return fail_at(lx, start, "a prefix needs at least two letters before the *");
    }
    int leaves = 0;
    for (int i = 0; i < q->n_nodes; i++)
        leaves += q->nodes[i].kind == N_LEAF;
    if (leaves >= SEARCH_QUERY_MAX_TERMS || q->n_nodes >= MAX_NODES)
        return fail_at(lx, start, "the query has too many terms (at most 16)");
    q->nodes[q->n_nodes] = (struct node){N_LEAF, -1, -1, first, c.count, prefix};
    lx->leaf = q->n_nodes++;
    return P_OK;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool ends_bare(char c)
{
    return c == '\0' || is_space(c) || c == '"' || c == '(' || c == ')';
}

/* Moves to the next token. Bare runs and phrases without words are skipped. */
static int lex_next(struct lexer *lx)
{
    const char *s = lx->q->src;
    for (;;) {
        while (is_space(s[lx->pos]))
            lx->pos++;
        lx->at = lx->pos;
        char c = s[lx->pos];
        if (c == '\0') {
            lx->kind = T_END;
            return P_OK;
        }
        if (c == '(' || c == ')') {
            lx->kind = c == '(' ? T_OPEN : T_CLOSE;
            lx->pos++;
            return P_OK;
        }
        if (c == '"') {
            const char *close = strchr(s + lx->pos + 1, '"');
            if (!close) return fail_at(lx, lx->at, "a phrase is not closed: add the closing \"");
            size_t start = lx->pos + 1, end = (size_t)(close - s);
            lx->pos = end + 1;
            bool prefix = s[lx->pos] == '*';
            if (prefix) lx->pos++;
            int rc = make_leaf(lx, start, end, prefix);
            if (rc != P_OK) return rc;
            if (lx->leaf < 0) continue;
            lx->kind = T_LEAF;
            return P_OK;
        }
        size_t start = lx->pos;
        while (!ends_bare(s[lx->pos]))
            lx->pos++;
        size_t end = lx->pos, len = end - start;
        if ((len == 3 && memcmp(s + start, "AND", 3) == 0) ||
            (len == 2 && memcmp(s + start, "OR", 2) == 0) ||
            (len == 3 && memcmp(s + start, "NOT", 3) == 0)) {
            lx->kind = s[start] == 'A' ? T_AND : s[start] == 'O' ? T_OR : T_NOT;
            return P_OK;
        }
        bool prefix = false;
        while (end > start && s[end - 1] == '*') {
            end--;
            prefix = true;
        }
        int rc = make_leaf(lx, start, end, prefix);
        if (rc != P_OK) return rc;
        if (lx->leaf < 0) continue;
        lx->kind = T_LEAF;
        return P_OK;
    }
}

/* ---- parser ------------------------------------------------------------------------------ */

static int parse_or(struct lexer *lx, int *out);

static int add_op(search_query *q, enum node_kind kind, int left, int right)
{
    if (q->n_nodes >= MAX_NODES) return -1;
    q->nodes[q->n_nodes] = (struct node){kind, left, right, 0, 0, false};
    return q->n_nodes++;
}

static const char *operator_name(enum lex_kind k)
{
    return k == T_AND ? "AND" : k == T_OR ? "OR" : "NOT";
}

static int parse_primary(struct lexer *lx, int *out)
{
    if (lx->kind == T_LEAF) {
        *out = lx->leaf;
        return lex_next(lx);
    }
    if (lx->kind == T_OPEN) {
        size_t open_at = lx->at;
        if (++lx->depth > SEARCH_QUERY_MAX_DEPTH)
            return fail_at(lx, open_at, "parentheses are nested too deeply (at most 8)");
        int rc = lex_next(lx);
        if (rc == P_OK && lx->kind == T_CLOSE) return fail_at(lx, open_at, "empty parentheses");
        if (rc == P_OK) rc = parse_or(lx, out);
        if (rc != P_OK) return rc;
        if (lx->kind != T_CLOSE) return fail_at(lx, open_at, "a parenthesis is not closed");
        lx->depth--;
        return lex_next(lx);
    }
    if (lx->kind == T_END) return fail_at(lx, lx->at, "a search term is missing at the end");
    if (lx->kind == T_CLOSE) return fail_at(lx, lx->at, "a closing parenthesis has no opening one");
    char msg[96];
    snprintf(msg, sizeof msg, "%s needs a search term %s it", operator_name(lx->kind),
             lx->kind == T_NOT ? "before" : "before and after");
    return fail_at(lx, lx->at, msg);
}

static int parse_not(struct lexer *lx, int *out)
{
    int rc = parse_primary(lx, out);
    while (rc == P_OK && lx->kind == T_NOT) {
        size_t at = lx->at;
        int right;
        rc = lex_next(lx);
        if (rc == P_OK && (lx->kind == T_END || lx->kind == T_CLOSE))
            return fail_at(lx, at, "NOT needs a search term after it");
        if (rc == P_OK) rc = parse_primary(lx, &right);
        if (rc == P_OK && (*out = add_op(lx->q, N_NOT, *out, right)) < 0)
            return fail_at(lx, at, "the query is too complex");
    }
    return rc;
}

static int parse_and(struct lexer *lx, int *out)
{
    int rc = parse_not(lx, out);
    while (rc == P_OK && (lx->kind == T_AND || lx->kind == T_LEAF || lx->kind == T_OPEN)) {
        size_t at = lx->at;
        int right;
        if (lx->kind == T_AND) {
            rc = lex_next(lx);
            if (rc == P_OK && (lx->kind == T_END || lx->kind == T_CLOSE))
                return fail_at(lx, at, "AND needs a search term after it");
        }
        if (rc == P_OK) rc = parse_not(lx, &right);
        if (rc == P_OK && (*out = add_op(lx->q, N_AND, *out, right)) < 0)
            return fail_at(lx, at, "the query is too complex");
    }
    return rc;
}

static int parse_or(struct lexer *lx, int *out)
{
    int rc = parse_and(lx, out);
    while (rc == P_OK && lx->kind == T_OR) {
        size_t at = lx->at;
        int right;
        rc = lex_next(lx);
        if (rc == P_OK && (lx->kind == T_END || lx->kind == T_CLOSE))
            return fail_at(lx, at, "OR needs a search term after it");
        if (rc == P_OK) rc = parse_and(lx, &right);
        if (rc == P_OK && (*out = add_op(lx->q, N_OR, *out, right)) < 0)
            return fail_at(lx, at, "the query is too complex");
    }
    return rc;
}

static void describe(search_query *q)
{
    for (int i = 0; i < q->n_words; i++) {
        if (i) buf_putc(&q->text, ' ');
        buf_append(&q->text, q->src + q->words[i].start, q->words[i].len);
    }
}

int search_query_parse(const char *text, search_query **out, p_error *err)
{
    *out = NULL;
    size_t n = text ? strlen(text) : 0;
    if (n > SEARCH_QUERY_MAX_BYTES)
        return p_fail(err, P_EINVAL, "q", "the query is too long (at most %d bytes)",
                      SEARCH_QUERY_MAX_BYTES);
    if (!text_utf8_valid(text ? text : "", n))
        return p_fail(err, P_EINVAL, "q", "the query is not valid UTF-8");
    search_query *q = xcalloc(1, sizeof *q);
    q->src = xstrdup(text ? text : "");
    struct lexer lx = {.q = q, .err = err};
    int rc = lex_next(&lx);
    if (rc == P_OK && lx.kind == T_END)
        rc = p_fail(err, P_EINVAL, "q", "the query has no words to search for");
    if (rc == P_OK) rc = parse_or(&lx, &q->root);
    if (rc == P_OK && lx.kind == T_CLOSE)
        rc = fail_at(&lx, lx.at, "a closing parenthesis has no opening one");
    if (rc != P_OK) {
        search_query_free(q);
        return rc;
    }
    describe(q);
    *out = q;
    return P_OK;
}

void search_query_free(search_query *q)
{
    if (!q) return;
    free(q->src);
    buf_free(&q->text);
    free(q);
}

const char *search_query_text(const search_query *q)
{
    return buf_str(&q->text);
}

/* ---- emitting FTS5 ----------------------------------------------------------------------- */

static const char *const *langs_or_all(const char *const *langs)
{
    return langs && langs[0] ? langs : search_languages();
}

/* The leaf's tokens in lang joined by spaces into out; false if a word has no token. The
 * last word of a prefix leaf is folded only, or stemmed too when stem_prefix is set. */
static bool leaf_variant(const search_query *q, const struct node *leaf, const char *lang,
                         bool stem_prefix, buf *out)
{
    buf_reset(out);
    for (int i = 0; i < leaf->count; i++) {
        const struct word_ref *w = &q->words[leaf->first + i];
        bool last = i == leaf->count - 1;
        char tok[SEARCH_TOKEN_MAX + 1];
        size_t len =
            search_token(q->src + w->start, w->len, lang,
                         leaf->prefix && last && !stem_prefix ? SEARCH_PREFIX : SEARCH_STEM, tok);
        if (len == 0) return false;
        if (i) buf_putc(out, ' ');
        buf_append(out, tok, len);
    }
    return true;
}

static void quoted(buf *out, const char *token);

enum { MAX_VARIANTS = 32 };

/* The leaf's distinct variants (its tokens joined by spaces) over langs into v (each
 * freed by the caller); returns how many. A prefix is tried as typed (folded) and
 * stemmed: the index holds stems, so "trafficking*" must also look for "traffick*" to
 * find what "trafficking" finds. */
static int leaf_variants(const search_query *q, const struct node *leaf, const char *const *langs,
                         buf v[static MAX_VARIANTS])
{
    int n = 0;
    buf scratch = BUF_INIT;
    for (int i = 0; langs[i / 2] && n < MAX_VARIANTS; i++) {
        if (i % 2 == 1 && !leaf->prefix) continue;
        if (!leaf_variant(q, leaf, langs[i / 2], i % 2 == 1, &scratch)) continue;
        bool seen = false;
        for (int k = 0; k < n && !seen; k++)
            seen = strcmp(buf_str(&v[k]), buf_str(&scratch)) == 0;
        if (seen) continue;
        v[n] = (buf)BUF_INIT;
        buf_puts(&v[n++], buf_str(&scratch));
    }
    buf_free(&scratch);
    return n;
}

static void emit_leaf(const search_query *q, const struct node *leaf, const char *const *langs,
                      buf *out)
{
    buf variants[MAX_VARIANTS];
    int n = leaf_variants(q, leaf, langs, variants);
    if (n > 1) buf_putc(out, '(');
    for (int i = 0; i < n; i++) {
        if (i) buf_puts(out, " OR ");
        quoted(out, buf_str(&variants[i]));
        if (leaf->prefix) buf_putc(out, '*');
        buf_free(&variants[i]);
    }
    if (n > 1) buf_putc(out, ')');
    if (n == 0) buf_puts(out, "\"\""); /* unreachable for parsed leaves; matches nothing */
}

/* An engine's syntax: how a leaf is written, and its three operators. */
struct syntax {
    void (*leaf)(const search_query *q, const struct node *leaf, const char *const *langs,
                 buf *out);
    const char *and_op, *or_op, *not_op;
};

static void emit(const search_query *q, int node, const char *const *langs, const struct syntax *sx,
                 buf *out)
{
    const struct node *nd = &q->nodes[node];
    if (nd->kind == N_LEAF) {
        sx->leaf(q, nd, langs, out);
        return;
    }
    buf_putc(out, '(');
    emit(q, nd->left, langs, sx, out);
    buf_puts(out, nd->kind == N_AND ? sx->and_op : nd->kind == N_OR ? sx->or_op : sx->not_op);
    emit(q, nd->right, langs, sx, out);
    buf_putc(out, ')');
}

void search_query_fts5(const search_query *q, const char *const *langs, buf *out)
{
    static const struct syntax fts5 = {emit_leaf, " AND ", " OR ", " NOT "};
    emit(q, q->root, langs_or_all(langs), &fts5, out);
}

/* ---- emitting a PostgreSQL tsquery ---------------------------------------------------------- */

/* token as a tsquery lexeme: in single quotes, with quotes and backslashes escaped. */
static void ts_lexeme(buf *out, const char *token, size_t len)
{
    buf_putc(out, '\'');
    for (size_t i = 0; i < len; i++) {
        if (token[i] == '\'' || token[i] == '\\') buf_putc(out, '\\');
        buf_putc(out, token[i]);
    }
    buf_putc(out, '\'');
}

/* A variant's tokens as a phrase: 'a' <-> 'b', the last one a prefix when asked. */
static void ts_phrase(buf *out, const char *variant, bool prefix)
{
    const char *p = variant;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        ts_lexeme(out, p, len);
        if (!sp) break;
        buf_puts(out, " <-> ");
        p = sp + 1;
    }
    if (prefix) buf_puts(out, ":*");
}

static void ts_leaf(const search_query *q, const struct node *leaf, const char *const *langs,
                    buf *out)
{
    buf variants[MAX_VARIANTS];
    int n = leaf_variants(q, leaf, langs, variants);
    buf_putc(out, '(');
    for (int i = 0; i < n; i++) {
        if (i) buf_puts(out, " | ");
        ts_phrase(out, buf_str(&variants[i]), leaf->prefix);
        buf_free(&variants[i]);
    }
    if (n == 0) buf_puts(out, "'!'"); /* unreachable for parsed leaves; matches nothing */
    buf_putc(out, ')');
}

void search_query_tsquery(const search_query *q, const char *const *langs, buf *out)
{
    static const struct syntax tsquery = {ts_leaf, " & ", " | ", " & !"};
    emit(q, q->root, langs_or_all(langs), &tsquery, out);
}

void search_tsquery_any(const char *const *tokens, size_t n, buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i) buf_puts(out, " | ");
        ts_lexeme(out, tokens[i], strlen(tokens[i]));
    }
    if (n == 0) buf_puts(out, "'!'");
}

static void quoted(buf *out, const char *token)
{
    buf_putc(out, '"');
    for (const char *p = token; *p; p++) {
        if (*p == '"') buf_putc(out, '"');
        buf_putc(out, *p);
    }
    buf_putc(out, '"');
}

void search_fts5_any(const char *const *tokens, size_t n, buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i) buf_puts(out, " OR ");
        quoted(out, tokens[i]);
    }
    if (n == 0) buf_puts(out, "\"\"");
}

/* ---- terms for highlighting -------------------------------------------------------------- */

static void add_terms(const search_query *q, int node, const char *lang, struct search_terms *t)
{
    const struct node *nd = &q->nodes[node];
    if (nd->kind != N_LEAF) {
        add_terms(q, nd->left, lang, t);
        if (nd->kind != N_NOT) add_terms(q, nd->right, lang, t);
        return;
    }
    for (int i = 0; i < nd->count; i++) {
        const struct word_ref *w = &q->words[nd->first + i];
        bool prefix = nd->prefix && i == nd->count - 1;
        if (prefix) { /* as typed and stemmed, as the search looks for both */
            for (int m = 0; m < 2 && t->n_prefixes < sizeof t->prefixes / sizeof *t->prefixes; m++)
                if (search_token(q->src + w->start, w->len, lang,
                                 m == 0 ? SEARCH_PREFIX : SEARCH_STEM, t->prefixes[t->n_prefixes]))
                    t->n_prefixes++;
        } else if (!prefix && t->n_words < sizeof t->words / sizeof *t->words) {
            if (search_token(q->src + w->start, w->len, lang, SEARCH_STEM, t->words[t->n_words]))
                t->n_words++;
        }
    }
}

void search_query_terms(const search_query *q, const char *lang, struct search_terms *out)
{
    out->n_words = 0;
    out->n_prefixes = 0;
    add_terms(q, q->root, lang, out);
}

bool search_terms_match(const struct search_terms *t, const char *token, size_t len)
{
    for (size_t i = 0; i < t->n_words; i++)
        if (strlen(t->words[i]) == len && memcmp(t->words[i], token, len) == 0) return true;
    for (size_t i = 0; i < t->n_prefixes; i++) {
        size_t pl = strlen(t->prefixes[i]);
        if (pl <= len && memcmp(t->prefixes[i], token, pl) == 0) return true;
    }
    return false;
}
