/* corpus.c (library benchmark): generates the documents of the synthetic library. Words
 * are drawn by Zipf's law (s = 1) over function words then lemmas (vocab.c), a form of the
 * lemma chosen at random (the first form half the time); 4 % of words are proper names from
 * a tail of 64,000 drawn by Zipf's law too; collocations are inserted now and then. */
#include "corpus.h"

#include "vocab.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { TAIL_NAMES = 64000, MAX_FORMS = 8, TAIL_PER_MILLE = 40, PHRASE_PER_MILLE = 15 };

const char *const corpus_series[] = {"",
                                     "Strategic Police Matters Unit Publication Series",
                                     "OSCE Guidebook",
                                     "Field Operation Reports",
                                     "Training Manuals",
                                     "Conference Proceedings",
                                     NULL};

struct lemma {
    const char *forms[MAX_FORMS];
    size_t lens[MAX_FORMS];
    int n_forms;
};

struct language {
    const struct vocab *v;
    struct lemma *ranks; /* function words first, then lemmas */
    size_t n_ranks, n_function;
    double *cdf;      /* over ranks */
    double *tail_cdf; /* over TAIL_NAMES */
    size_t n_phrases;
    char *storage; /* the forms, split out of the vocabulary strings */
};

struct corpus {
    struct language lang[2];
};

/* Syllables of the tail's names, Latin and the matching Cyrillic. */
static const char *const syl_latin[40] = {
    "ka", "ro",  "vi", "len", "mir", "dor", "sa", "tu",  "nes", "gor", "ba",  "li", "za", "vek",
    "ta", "ran", "po", "shi", "dan", "mo",  "ve", "ko",  "ra",  "sin", "bor", "ne", "lo", "pet",
    "ni", "sko", "ma", "ri",  "vo",  "gen", "du", "cha", "tor", "bi",  "lav", "ov"};
static const char *const syl_cyr[40] = {
    "ка", "ро",  "ви", "лен", "мир", "дор", "са", "ту", "нес", "гор", "ба",  "ли", "за", "век",
    "та", "ран", "по", "ши",  "дан", "мо",  "ве", "ко", "ра",  "син", "бор", "не", "ло", "пет",
    "ни", "ско", "ма", "ри",  "во",  "ген", "ду", "ча", "тор", "би",  "лав", "ов"};

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) abort();
    return p;
}

static size_t count(const char *const *list)
{
    size_t n = 0;
    while (list[n])
        n++;
    return n;
}

static double *zipf_cdf(size_t n)
{
    double *cdf = xmalloc(n * sizeof *cdf), sum = 0;
    for (size_t i = 0; i < n; i++)
        cdf[i] = sum += 1.0 / (double)(i + 1);
    for (size_t i = 0; i < n; i++)
        cdf[i] /= sum;
    return cdf;
}

static void language_init(struct language *l, const struct vocab *v)
{
    l->v = v;
    l->n_function = count(v->function);
    size_t n_lemmas = count(v->lemmas), bytes = 0;
    for (size_t i = 0; i < n_lemmas; i++)
        bytes += strlen(v->lemmas[i]) + 1;
    l->n_ranks = l->n_function + n_lemmas;
    l->ranks = calloc(l->n_ranks, sizeof *l->ranks);
    if (!l->ranks) abort();
    for (size_t i = 0; i < l->n_function; i++) {
        l->ranks[i].forms[0] = v->function[i];
        l->ranks[i].lens[0] = strlen(v->function[i]);
        l->ranks[i].n_forms = 1;
    }
    char *at = l->storage = xmalloc(bytes);
    for (size_t i = 0; i < n_lemmas; i++) {
        struct lemma *lm = &l->ranks[l->n_function + i];
        strcpy(at, v->lemmas[i]);
        for (char *tok = strtok(at, " "); tok && lm->n_forms < MAX_FORMS; tok = strtok(NULL, " ")) {
            lm->forms[lm->n_forms] = tok;
            lm->lens[lm->n_forms++] = strlen(tok);
        }
        at += strlen(v->lemmas[i]) + 1;
    }
    l->cdf = zipf_cdf(l->n_ranks);
    l->tail_cdf = zipf_cdf(TAIL_NAMES);
    l->n_phrases = count(v->phrases);
}

corpus *corpus_new(void)
{
    corpus *c = calloc(1, sizeof *c);
    if (!c) abort();
    language_init(&c->lang[0], &vocab_en);
    language_init(&c->lang[1], &vocab_ru);
    return c;
}

void corpus_free(corpus *c)
{
    if (!c) return;
    for (int i = 0; i < 2; i++) {
        free(c->lang[i].ranks);
        free(c->lang[i].cdf);
        free(c->lang[i].tail_cdf);
        free(c->lang[i].storage);
    }
    free(c);
}

/* splitmix64: a small, good generator; one stream per document. */
static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *state)
{
    return (double)(next(state) >> 11) / 9007199254740992.0;
}

static size_t draw(const double *cdf, size_t n, uint64_t *state)
{
    double u = uniform(state);
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void tail_name(int ru, size_t k, buf *out)
{
    const char *const *syl = ru ? syl_cyr : syl_latin;
    buf_puts(out, syl[k % 40]);
    buf_puts(out, syl[(k / 40) % 40]);
    buf_puts(out, syl[(k / 1600) % 40]);
}

/* Uppercases the first letter at out[from] (ASCII and basic Cyrillic). */
static void capitalise(buf *out, size_t from)
{
    unsigned char *p = (unsigned char *)out->data + from;
    if (p[0] >= 'a' && p[0] <= 'z') {
        p[0] = (unsigned char)(p[0] - 32);
    } else if (p[0] == 0xD0 && p[1] >= 0xB0 && p[1] <= 0xBF) {
        p[1] = (unsigned char)(p[1] - 0x20); /* а..п */
    } else if (p[0] == 0xD1 && p[1] >= 0x80 && p[1] <= 0x8F) {
        p[0] = 0xD0; /* р..я */
        p[1] = (unsigned char)(p[1] + 0x20);
    }
}

static void word(const struct language *l, int ru, uint64_t *rng, bool content_only, buf *out)
{
    unsigned roll = (unsigned)(next(rng) % 1000);
    if (!content_only && roll < TAIL_PER_MILLE) {
        size_t start = out->len;
        tail_name(ru, draw(l->tail_cdf, TAIL_NAMES, rng), out);
        capitalise(out, start);
        return;
    }
    if (!content_only && roll < TAIL_PER_MILLE + PHRASE_PER_MILLE) {
        buf_puts(out, l->v->phrases[next(rng) % l->n_phrases]);
        return;
    }
    size_t r;
    do
        r = draw(l->cdf, l->n_ranks, rng);
    while (content_only && r < l->n_function);
    const struct lemma *lm = &l->ranks[r];
    int f = (lm->n_forms == 1 || next(rng) % 2 == 0)
                ? 0
                : 1 + (int)(next(rng) % (uint64_t)(lm->n_forms - 1));
    buf_append(out, lm->forms[f], lm->lens[f]);
}

/* Sentences of 6..20 words until out has grown by at least bytes. */
static void sentences(const struct language *l, int ru, uint64_t *rng, size_t bytes, buf *out)
{
    size_t goal = out->len + bytes;
    while (out->len < goal) {
        if (out->len) buf_putc(out, ' ');
        size_t start = out->len;
        int words = 6 + (int)(next(rng) % 15);
        for (int w = 0; w < words; w++) {
            if (w) buf_puts(out, next(rng) % 12 == 0 ? ", " : " ");
            word(l, ru, rng, false, out);
        }
        capitalise(out, start);
        buf_putc(out, '.');
    }
}

void corpus_document(const corpus *c, uint64_t index, size_t body_bytes, struct corpus_doc *d)
{
    int ru = (int)(index & 1);
    const struct language *l = &c->lang[ru];
    uint64_t rng = index * 0x2545F4914F6CDD1DULL + 12345;
    d->lang = ru ? "ru" : "en";
    d->year = 1995 + (int)(next(&rng) % 31);
    d->series = (int)(next(&rng) % (sizeof corpus_series / sizeof *corpus_series - 1));
    d->priorities = 1u << (next(&rng) % 6);
    if (next(&rng) % 3 == 0) d->priorities |= 1u << (next(&rng) % 6);
    buf_reset(&d->title);
    buf_reset(&d->abstract);
    buf_reset(&d->body);
    int title_words = 3 + (int)(next(&rng) % 6);
    for (int w = 0; w < title_words; w++) {
        if (w) buf_putc(&d->title, ' ');
        size_t start = d->title.len;
        word(l, ru, &rng, true, &d->title);
        if (w == 0 || !ru) capitalise(&d->title, start);
    }
    sentences(l, ru, &rng, 150 + next(&rng) % 150, &d->abstract);
    size_t jitter = body_bytes / 5;
    size_t target = body_bytes - jitter + (jitter ? next(&rng) % (2 * jitter) : 0);
    sentences(l, ru, &rng, target, &d->body);
}

const char *corpus_query_word(const corpus *c, int ru, int frequency, unsigned pick, char *scratch,
                              size_t scratch_size)
{
    const struct language *l = &c->lang[ru != 0];
    size_t n_lemmas = l->n_ranks - l->n_function;
    if (frequency == 0) {
        /* tail ranks 2,000..34,000: each in a few to a few dozen documents of 100,000 */
        buf b = BUF_INIT;
        tail_name(ru, 2000 + (pick * 7919u) % 32000, &b);
        size_t n = b.len < scratch_size - 1 ? b.len : scratch_size - 1;
        memcpy(scratch, b.data, n);
        scratch[n] = '\0';
        buf_free(&b);
        return scratch;
    }
    size_t r = frequency == 2 ? pick % 12 : n_lemmas / 3 + pick % (n_lemmas / 3);
    const struct lemma *lm = &l->ranks[l->n_function + r];
    return lm->forms[pick % (unsigned)lm->n_forms];
}

const char *corpus_query_phrase(int ru, unsigned pick)
{
    const struct vocab *v = ru ? &vocab_ru : &vocab_en;
    return v->phrases[pick % count(v->phrases)];
}
