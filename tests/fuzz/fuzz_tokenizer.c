/* fuzz_tokenizer.c: text analysis. Whatever the bytes and the language, every token
 * search_tokenize yields is non-empty, at most SEARCH_TOKEN_MAX bytes of valid UTF-8 made
 * of word characters only (so a token can never carry FTS5 syntax), and its word lies
 * inside the text, after the previous one. Analysing a token again in prefix mode is
 * stable: folding is idempotent. */
#include "fuzz_common.h"

#include "core/text.h"
#include "search/analyze.h"
#include "search/fold.h"

#include <string.h>

struct walk {
    size_t n, last_end;
};

static int check_token(void *ctx, const char *token, size_t len, size_t start, size_t end)
{
    struct walk *w = ctx;
    CHECK(len > 0 && len <= SEARCH_TOKEN_MAX);
    CHECK(strlen(token) == len);
    CHECK(text_utf8_valid(token, len));
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += fold_decode((const unsigned char *)token + i, len - i, &cp);
        CHECK(fold_is_word_char(cp) && !fold_is_mark(cp));
    }
    CHECK(start < end && end <= w->n && start >= w->last_end);
    w->last_end = end;
    char again[SEARCH_TOKEN_MAX + 1];
    size_t n2 = search_token(token, len, "sq", SEARCH_PREFIX, again);
    CHECK(n2 > 0 && n2 <= SEARCH_TOKEN_MAX);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *const *langs = search_languages();
    size_t n_langs = 0;
    while (langs[n_langs])
        n_langs++;
    size_t pick = data[0] % (n_langs + 1);
    const char *lang = pick < n_langs ? langs[pick] : NULL;
    enum search_mode mode = (data[0] & 0x80) ? SEARCH_PREFIX : SEARCH_STEM;
    struct walk w = {size - 1, 0};
    CHECK(search_tokenize((const char *)data + 1, size - 1, lang, mode, check_token, &w) == 0);
    return 0;
}
