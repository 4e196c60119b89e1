-- The PostgreSQL twin of schema/0017_concern_media_url.sql: a link to a photo or file that
-- came with a concern, shown to officers only.
ALTER TABLE concerns ADD COLUMN media_url TEXT NOT NULL DEFAULT '';
