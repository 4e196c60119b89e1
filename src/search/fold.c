/* fold.c: character folding shared by indexing, querying and snippets. The tables cover
 * the scripts of the POLIS library's languages (Latin, Cyrillic, Greek, Armenian, Arabic);
 * anything else passes through unchanged, so an unknown script still indexes as words. */
#include "search/fold.h"

size_t fold_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || len > n) goto bad;
    uint32_t v = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) goto bad;
        v = (v << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min_for_len[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) goto bad;
    *cp = v;
    return len;
bad:
    *cp = 0xFFFD;
    return 1;
}

size_t fold_encode(uint32_t cp, char out[static 4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

bool fold_is_mark(uint32_t cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x483 && cp <= 0x489) ||
           (cp >= 0x591 && cp <= 0x5C7) || (cp >= 0x610 && cp <= 0x61A) ||
           (cp >= 0x64B && cp <= 0x65F) || cp == 0x670 || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F);
}

bool fold_is_word_char(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (fold_is_mark(cp)) return true;
    if (cp == 0xAA || cp == 0xB5 || cp == 0xBA) return true;
    if (cp >= 0xC0 && cp <= 0x2AF) return cp != 0xD7 && cp != 0xF7;
    if (cp >= 0x370 && cp <= 0x3FF)
        return cp != 0x375 && cp != 0x37E && cp != 0x384 && cp != 0x385 && cp != 0x387;
    if (cp >= 0x400 && cp <= 0x52F) return cp != 0x482;
    if ((cp >= 0x531 && cp <= 0x556) || (cp >= 0x561 && cp <= 0x587)) return true;
    if (cp >= 0x5D0 && cp <= 0x5EA) return true;
    if (cp >= 0x620 && cp <= 0x6FF) return cp != 0x6D4;
    if (cp >= 0x900 && cp <= 0xDFF) return cp != 0x964 && cp != 0x965;
    if (cp >= 0x1E00 && cp <= 0x1FFF) return true;
    if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x9FFF)) return true;
    return cp >= 0xAC00 && cp <= 0xD7AF;
}

uint32_t fold_lower(uint32_t c)
{
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
    if (c == 0x130) return 'i';
    if (c == 0x178) return 0xFF;
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return c | 1;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
    if (c >= 0x218 && c <= 0x21B) return c | 1;
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 0x25;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 0x3F;
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
        return c | 1;
    if (c >= 0x4C1 && c <= 0x4CE) return (c & 1) ? c + 1 : c;
    if (c == 0x4C0) return 0x4CF;
    if (c >= 0x531 && c <= 0x556) return c + 0x30;
    if (c >= 0x1E00 && c <= 0x1EFF) return c | 1;
    return c;
}

/* Base letters of U+00DF..U+00FF, then of U+0100..U+017F (Latin Extended-A). */
static const char *const latin1[] = {"ss", "a", "a",  "a", "a", "a", "a", "ae", "c", "e",  "e",
                                     "e",  "e", "i",  "i", "i", "i", "d", "n",  "o", "o",  "o",
                                     "o",  "o", NULL, "o", "u", "u", "u", "u",  "y", "th", "y"};
static const char *const latin_ext_a[] = {
    "a",  "a",  "a",  "a",  "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    "dj", "dj", "e",  "e",  "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    "g",  "g",  "g",  "g",  "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    "i",  "i",  "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    "l",  "l",  "l",  "n",  "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    "o",  "o",  "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    "s",  "s",  "t",  "t",  "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    "u",  "u",  "u",  "u",  "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s"};

_Static_assert(sizeof latin1 / sizeof *latin1 == 0xFF - 0xDF + 1, "one entry per code point");
_Static_assert(sizeof latin_ext_a / sizeof *latin_ext_a == 0x80, "one entry per code point");

const char *fold_base(uint32_t cp)
{
    if (cp >= 0xDF && cp <= 0xFF) return latin1[cp - 0xDF];
    if (cp >= 0x100 && cp <= 0x17F) return latin_ext_a[cp - 0x100];
    switch (cp) {
    case 0x219:
        return "s";
    case 0x21B:
        return "t";
    case 0x3AC:
        return "α";
    case 0x3AD:
        return "ε";
    case 0x3AE:
        return "η";
    case 0x3AF:
    case 0x3CA:
    case 0x390:
        return "ι";
    case 0x3CC:
        return "ο";
    case 0x3CD:
    case 0x3CB:
    case 0x3B0:
        return "υ";
    case 0x3CE:
        return "ω";
    case 0x3C2:
        return "σ";
    case 0x451:
        return "е";
    default:
        return NULL;
    }
}

const char *fold_serbian_latin(uint32_t cp)
{
    static const char *const basic[] = {
        "a", "b", "v", "g", "d", "e", "ž", "z", "i", NULL, "k",  "l",  "m",  "n",  "o",  "p",
        "r", "s", "t", "u", "f", "h", "c", "č", "š", NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    if (cp >= 0x430 && cp <= 0x44F) return basic[cp - 0x430];
    switch (cp) {
    case 0x452:
        return "đ";
    case 0x458:
        return "j";
    case 0x459:
        return "lj";
    case 0x45A:
        return "nj";
    case 0x45B:
        return "ć";
    case 0x45F:
        return "dž";
    default:
        return NULL;
    }
}
