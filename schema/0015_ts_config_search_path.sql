-- On PostgreSQL this migration pins the search_path of polis_ts_config so that pg_restore
-- can rebuild the library's full-text column; nothing changes here. The number is kept so
-- both engines record the same versions.
SELECT 1;
