-- Full-text search finds on PostgreSQL what it finds on SQLite. Queries are written from
-- the tokens of Polis's own analyser (search_query_tsquery): Snowball stems, every word
-- kept. PostgreSQL's english and russian configurations drop stop words, so a query
-- holding "the" or "и" found nothing here; these configurations stem with the same
-- Snowball algorithms (Latin words with the English one, as russian does) and keep every
-- word. The activities' index is rebuilt with them.
CREATE TEXT SEARCH DICTIONARY polis_english_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH DICTIONARY polis_russian_stem (TEMPLATE = snowball, Language = russian);
CREATE TEXT SEARCH CONFIGURATION polis_english (COPY = english);
ALTER TEXT SEARCH CONFIGURATION polis_english
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH polis_english_stem;
CREATE TEXT SEARCH CONFIGURATION polis_russian (COPY = russian);
ALTER TEXT SEARCH CONFIGURATION polis_russian
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH polis_english_stem;
ALTER TEXT SEARCH CONFIGURATION polis_russian
    ALTER MAPPING FOR word, hword, hword_part WITH polis_russian_stem;

DROP INDEX activities_fts_document;
ALTER TABLE activities_fts DROP COLUMN document;
ALTER TABLE activities_fts ADD COLUMN document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('polis_english', coalesce(title_en, '')), 'A') ||
    setweight(to_tsvector('polis_russian', coalesce(title_ru, '')), 'A') ||
    setweight(to_tsvector('polis_english', coalesce(description_en, '')), 'B') ||
    setweight(to_tsvector('polis_russian', coalesce(description_ru, '')), 'B')) STORED;
CREATE INDEX activities_fts_document ON activities_fts USING GIN (document);
COMMENT ON TABLE activities_fts IS
    'Full text of activities: titles (weight A) and descriptions (B), every word stemmed';
