-- The POLIS library: policing guidebooks and other publications (documents), each in one
-- or more languages (editions), each edition with an optional file stored by its SHA-256
-- under the files directory (the database holds only the digest). Document fields are the
-- catalogue's, in English; an edition carries its own title and abstract in its language.

CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    subtitle       TEXT NOT NULL DEFAULT '',
    series         TEXT NOT NULL DEFAULT '',
    volume         INTEGER CHECK (volume IS NULL OR volume BETWEEN 1 AND 9999),
    edition_note   TEXT NOT NULL DEFAULT '',
    year           INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
    published      TEXT,
    place          TEXT NOT NULL DEFAULT '',
    authoring_unit TEXT REFERENCES organisations(code),
    status         TEXT NOT NULL CHECK (status IN ('published', 'in_preparation')),
    abstract       TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX documents_year ON documents(year, id);
CREATE INDEX documents_series ON documents(series, volume, id);

CREATE TABLE document_priorities (
    document_id   INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    priority_code TEXT NOT NULL REFERENCES priorities(code),
    PRIMARY KEY (document_id, priority_code)
);
CREATE INDEX document_priorities_code ON document_priorities(priority_code, document_id);

CREATE TABLE document_focus_areas (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    focus_code  TEXT NOT NULL REFERENCES focus_areas(code),
    PRIMARY KEY (document_id, focus_code)
);
CREATE INDEX document_focus_areas_code ON document_focus_areas(focus_code, document_id);

-- text_status: none (no file), pending (waiting for extraction), extracted, unavailable
-- (extraction failed; text_error says why; the file is kept and can be downloaded).
CREATE TABLE editions (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    lang        TEXT NOT NULL CHECK (lang IN ('en', 'ru', 'sr', 'sq', 'mk', 'hy', 'ar', 'fr',
                                              'ro', 'sk')),
    title       TEXT NOT NULL,
    abstract    TEXT NOT NULL DEFAULT '',
    file_sha256 TEXT CHECK (file_sha256 IS NULL OR length(file_sha256) = 64),
    file_name   TEXT,
    file_type   TEXT CHECK (file_type IS NULL OR file_type IN ('pdf', 'docx', 'html', 'text')),
    file_size   INTEGER CHECK (file_size IS NULL OR file_size >= 0),
    text_status TEXT NOT NULL DEFAULT 'none'
                CHECK (text_status IN ('none', 'pending', 'extracted', 'unavailable')),
    text_error  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (document_id, lang)
);
CREATE INDEX editions_file ON editions(file_sha256);
CREATE INDEX editions_text_status ON editions(text_status, id);
CREATE INDEX editions_lang ON editions(lang, document_id);

-- Full text of each edition; rowid is editions.id. Each value starts with a language tag
-- ("\x1f" lang "\x1f") that the polis tokenizer reads to pick the stemmer; lang repeats
-- it for filters and for the PostgreSQL twin, which indexes with tsvector instead. The
-- body lives only here: this table is also where extracted text is kept.
CREATE VIRTUAL TABLE library_fts USING fts5(
    title, abstract, body, lang UNINDEXED,
    tokenize = 'polis'
);
-- Document frequencies per term, for "more like this".
CREATE VIRTUAL TABLE library_vocab USING fts5vocab(library_fts, 'row');
