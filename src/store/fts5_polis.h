/* fts5_polis.h: the "polis" FTS5 tokenizer — Polis's own text analysis (search/analyze.h)
 * made available to SQLite's full-text tables. SQLite-only: the PostgreSQL twin indexes
 * with tsvector and Snowball dictionaries. */
#ifndef POLIS_FTS5_POLIS_H
#define POLIS_FTS5_POLIS_H

#include <sqlite3.h>

/* The byte that opens and closes a language tag at the start of an indexed value:
 * "\x1f" "ru" "\x1f" "текст…" is analysed as Russian. Without a tag, the table's argument
 * decides (tokenize = 'polis ru'), and without one, each word's script does (Latin as
 * English, Cyrillic as Russian). The tag itself is not indexed. */
#define FTS5_POLIS_TAG '\x1f'

/* Registers the tokenizer on db; returns an SQLite result code. Call once per connection,
 * before any statement touches a table that uses it. */
int fts5_polis_register(sqlite3 *db);

#endif
