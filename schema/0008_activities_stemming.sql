-- The activities' full text, stemmed like the library's: the polis tokenizer analyses each
-- word by its script (Latin as English, Cyrillic as Russian), so "trafficked" finds
-- "trafficking" and "полиции" finds "полиция". The index is rebuilt from the activities.
DROP TABLE activities_fts;
CREATE VIRTUAL TABLE activities_fts USING fts5(
    title_en, title_ru, description_en, description_ru,
    tokenize = 'polis'
);
INSERT INTO activities_fts(rowid, title_en, title_ru, description_en, description_ru)
    SELECT id, title_en, title_ru, description_en, description_ru FROM activities;
