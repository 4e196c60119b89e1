-- polis_ts_config names its text search configurations without a schema, and the library's
-- generated column calls it. pg_restore runs with an empty search_path, so a restore of a
-- pg_dump failed on library_fts ("text search configuration polis_english does not
-- exist"; found by scripts/drill.sh). The function now keeps the search_path it was
-- created under.
ALTER FUNCTION polis_ts_config(TEXT) SET search_path FROM CURRENT;
