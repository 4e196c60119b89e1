/* embed.h: files compiled into the binary by tools/embed.c (migrations, reference data,
 * translations, web assets, the API description). Each table ends with an entry whose
 * name is NULL. */
#ifndef POLIS_EMBED_H
#define POLIS_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *name;
    const unsigned char *data;
    size_t size;
};

extern const struct embed_file schema_files[];
extern const unsigned long schema_count;
extern const struct embed_file schema_pg_files[]; /* the same migrations for PostgreSQL */
extern const unsigned long schema_pg_count;
extern const struct embed_file data_files[];
extern const unsigned long data_count;
extern const struct embed_file asset_files[];
extern const unsigned long asset_count;
extern const struct embed_file po_files[];
extern const unsigned long po_count;
extern const struct embed_file api_files[];
extern const unsigned long api_count;

/* Returns the embedded file called name in table, or NULL. */
const struct embed_file *embed_find(const struct embed_file *table, const char *name);

#endif
