-- On SQLite this migration rebuilds the activities' full-text index with Polis's stemming
-- tokenizer. Here the index already stems with the english and russian Snowball
-- configurations (0004); the number is kept so both engines record the same versions.
COMMENT ON TABLE activities_fts IS
    'Full text of activities: titles and descriptions stemmed with english and russian';
