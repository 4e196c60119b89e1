-- The library's full text on PostgreSQL keeps every word, as the activities' does (0013)
-- and as the polis tokenizer does on SQLite: searches are written from Polis's own tokens
-- (search_query_tsquery), and a stop word PostgreSQL's configurations drop would make a
-- query holding it find nothing. English and Russian editions use 0013's configurations;
-- the other languages with a Snowball stemmer get one each, every kind of word through
-- it, as the edition's language decides on SQLite.
CREATE TEXT SEARCH DICTIONARY polis_serbian_stem (TEMPLATE = snowball, Language = serbian);
CREATE TEXT SEARCH DICTIONARY polis_french_stem (TEMPLATE = snowball, Language = french);
CREATE TEXT SEARCH DICTIONARY polis_romanian_stem (TEMPLATE = snowball, Language = romanian);
CREATE TEXT SEARCH DICTIONARY polis_armenian_stem (TEMPLATE = snowball, Language = armenian);
CREATE TEXT SEARCH DICTIONARY polis_arabic_stem (TEMPLATE = snowball, Language = arabic);
CREATE TEXT SEARCH CONFIGURATION polis_serbian (COPY = serbian);
ALTER TEXT SEARCH CONFIGURATION polis_serbian
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH polis_serbian_stem;
CREATE TEXT SEARCH CONFIGURATION polis_french (COPY = french);
ALTER TEXT SEARCH CONFIGURATION polis_french
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH polis_french_stem;
CREATE TEXT SEARCH CONFIGURATION polis_romanian (COPY = romanian);
ALTER TEXT SEARCH CONFIGURATION polis_romanian
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH polis_romanian_stem;
CREATE TEXT SEARCH CONFIGURATION polis_armenian (COPY = armenian);
ALTER TEXT SEARCH CONFIGURATION polis_armenian
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH polis_armenian_stem;
CREATE TEXT SEARCH CONFIGURATION polis_arabic (COPY = arabic);
ALTER TEXT SEARCH CONFIGURATION polis_arabic
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH polis_arabic_stem;

CREATE OR REPLACE FUNCTION polis_ts_config(lang TEXT) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lang WHEN 'en' THEN 'polis_english' WHEN 'ru' THEN 'polis_russian'
                     WHEN 'sr' THEN 'polis_serbian' WHEN 'fr' THEN 'polis_french'
                     WHEN 'ro' THEN 'polis_romanian' WHEN 'hy' THEN 'polis_armenian'
                     WHEN 'ar' THEN 'polis_arabic' ELSE 'simple' END::regconfig
$$;
-- The generated column is stored: writing each row again computes it with the new
-- configurations.
UPDATE library_fts SET lang = lang;
