-- On PostgreSQL this migration makes the library's full-text index keep every word, as the
-- polis tokenizer of SQLite's FTS5 tables always has; nothing changes here. The number is
-- kept so both engines record the same versions.
SELECT 1;
