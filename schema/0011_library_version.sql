-- A counter that every change able to alter a library search's result (documents, their
-- priorities, editions, full-text rows: created, updated, deleted, extracted, imported,
-- bulk-loaded) increments in the same transaction. Servers cache finished search results
-- under it and drop them when it moves, which stays exact when several servers share one
-- database: each lookup reads the counter first.

CREATE TABLE library_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO library_version(id, version) VALUES (1, 1);
