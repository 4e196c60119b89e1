-- The Strategic Framework's reference data: the PostgreSQL twin of schema/0002_framework.sql.
-- Every record has a stable code.

CREATE TABLE lines_of_action (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_ru     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    position    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE priorities (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_ru     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    position    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE focus_areas (
    code          TEXT PRIMARY KEY,
    priority_code TEXT NOT NULL REFERENCES priorities(code) ON UPDATE CASCADE,
    name          TEXT NOT NULL,
    name_ru       TEXT NOT NULL DEFAULT '',
    position      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX focus_areas_priority ON focus_areas(priority_code, position);

CREATE TABLE principles (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_ru     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    position    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE countries (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    name_ru TEXT NOT NULL DEFAULT '',
    status  TEXT NOT NULL CHECK (status IN ('participating','partner'))
);
CREATE INDEX countries_status ON countries(status, code);

CREATE TABLE organisations (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    name_ru      TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL CHECK (kind IN ('secretariat','unit','institution',
                     'field_operation','partner','national')),
    parent_code  TEXT REFERENCES organisations(code),
    country_code TEXT REFERENCES countries(code)
);
CREATE INDEX organisations_kind ON organisations(kind, code);
