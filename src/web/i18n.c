/* i18n.c: reads the embedded GNU .mo catalogues. msgfmt writes originals sorted by
 * byte order, so a lookup is a binary search over the embedded bytes, without copying. */
#include "web/i18n.h"
#include "core/embed.h"

#include <stdint.h>
#include <string.h>

#define MO_MAGIC 0x950412deu

struct catalogue {
    const unsigned char *data;
    size_t size;
    uint32_t count, originals, translations;
};

static uint32_t read_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int catalogue_open(const char *lang, struct catalogue *c)
{
    char name[16];
    if (strlen(lang) != 2) return -1;
    memcpy(name, lang, 2);
    memcpy(name + 2, ".mo", 4);
    const struct embed_file *f = embed_find(po_files, name);
    if (!f || f->size < 28 || read_u32(f->data) != MO_MAGIC) return -1;
    c->data = f->data;
    c->size = f->size;
    c->count = read_u32(f->data + 8);
    c->originals = read_u32(f->data + 12);
    c->translations = read_u32(f->data + 16);
    if ((uint64_t)c->originals + 8ull * c->count > c->size ||
        (uint64_t)c->translations + 8ull * c->count > c->size)
        return -1;
    return 0;
}

/* The string described by the (length, offset) pair at table index i, or NULL. */
static const char *entry(const struct catalogue *c, uint32_t table, uint32_t i, uint32_t *len)
{
    const unsigned char *e = c->data + table + 8ull * i;
    uint32_t l = read_u32(e), off = read_u32(e + 4);
    if ((uint64_t)off + l >= c->size) return NULL;
    *len = l;
    return (const char *)c->data + off;
}

const char *i18n_text(const char *lang, const char *msgid)
{
    /* The empty msgid names the catalogue's header, never a message. */
    if (!lang || strcmp(lang, "en") == 0 || msgid[0] == '\0') return msgid;
    struct catalogue c;
    if (catalogue_open(lang, &c) != 0) return msgid;
    uint32_t lo = 0, hi = c.count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, len;
        const char *orig = entry(&c, c.originals, mid, &len);
        if (!orig) return msgid;
        int cmp = strcmp(msgid, orig);
        if (cmp == 0) {
            const char *tr = entry(&c, c.translations, mid, &len);
            return (tr && len > 0) ? tr : msgid;
        }
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return msgid;
}

unsigned i18n_count(const char *lang)
{
    struct catalogue c;
    return catalogue_open(lang, &c) == 0 ? c.count : 0;
}
