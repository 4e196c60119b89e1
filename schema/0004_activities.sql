-- The registry of police-related activities. An activity has an integer key for joins and
-- a stable public id <ORG>-<YEAR>-<NNNN> for people and the API. Texts are columns per
-- language (en, ru: the languages the interface speaks) rather than a child table, so one
-- row read gives the record and the full-text index mirrors four plain columns.

CREATE TABLE activities (
    id                  INTEGER PRIMARY KEY,
    public_id           TEXT NOT NULL UNIQUE,
    type                TEXT NOT NULL CHECK (type IN ('training','workshop','conference',
                            'seminar','needs_assessment','advice','equipment_donation',
                            'study_tour','exercise','publication','forum_support','survey',
                            'awareness_campaign')),
    status              TEXT NOT NULL CHECK (status IN ('planned','ongoing','completed',
                            'cancelled')),
    lead_org            TEXT NOT NULL REFERENCES organisations(code),
    host_country        TEXT REFERENCES countries(code),
    title_en            TEXT NOT NULL,
    title_ru            TEXT NOT NULL DEFAULT '',
    description_en      TEXT NOT NULL DEFAULT '',
    description_ru      TEXT NOT NULL DEFAULT '',
    -- The sort key of ?sort=title: the English title cut to 120 bytes at a character
    -- boundary, so a keyset cursor (sort key and id) always fits in a cursor.
    title_sort          TEXT NOT NULL,
    planned_start       TEXT NOT NULL,
    planned_end         TEXT,
    actual_start        TEXT,
    actual_end          TEXT,
    participants_total  INTEGER,
    participants_women  INTEGER,
    participants_men    INTEGER,
    tot                 INTEGER NOT NULL DEFAULT 0 CHECK (tot IN (0, 1)),
    budget_amount_minor INTEGER,
    budget_currency     TEXT,
    budget_source       TEXT,
    outcomes            TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX activities_start ON activities(planned_start, id);
CREATE INDEX activities_status ON activities(status, planned_start, id);
CREATE INDEX activities_lead ON activities(lead_org, planned_start, id);
CREATE INDEX activities_type ON activities(type, planned_start, id);
CREATE INDEX activities_host ON activities(host_country, planned_start, id);
CREATE INDEX activities_title ON activities(title_sort, id);

-- The last number given per lead organisation and year; numbers are never reused, even
-- after a delete, so a public id names one activity forever.
CREATE TABLE activity_counters (
    org_code TEXT NOT NULL,
    year     INTEGER NOT NULL,
    last     INTEGER NOT NULL,
    PRIMARY KEY (org_code, year)
);

CREATE TABLE activity_partners (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    org_code    TEXT NOT NULL REFERENCES organisations(code),
    PRIMARY KEY (activity_id, org_code)
);
CREATE INDEX activity_partners_org ON activity_partners(org_code, activity_id);

CREATE TABLE activity_beneficiaries (
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    country_code TEXT NOT NULL REFERENCES countries(code),
    PRIMARY KEY (activity_id, country_code)
);
CREATE INDEX activity_beneficiaries_country ON activity_beneficiaries(country_code, activity_id);

CREATE TABLE activity_priorities (
    activity_id   INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    priority_code TEXT NOT NULL REFERENCES priorities(code),
    PRIMARY KEY (activity_id, priority_code)
);
CREATE INDEX activity_priorities_code ON activity_priorities(priority_code, activity_id);

CREATE TABLE activity_focus_areas (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    focus_code  TEXT NOT NULL REFERENCES focus_areas(code),
    PRIMARY KEY (activity_id, focus_code)
);
CREATE INDEX activity_focus_areas_code ON activity_focus_areas(focus_code, activity_id);

CREATE TABLE activity_lines (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    line_code   TEXT NOT NULL REFERENCES lines_of_action(code),
    PRIMARY KEY (activity_id, line_code)
);
CREATE INDEX activity_lines_code ON activity_lines(line_code, activity_id);

CREATE TABLE activity_target_groups (
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    target_group TEXT NOT NULL CHECK (target_group IN ('police','prosecutors','judges',
                     'border_guards','customs','labour_inspectors','migration_officers',
                     'financial_investigators','civil_society','government_officials','other')),
    PRIMARY KEY (activity_id, target_group)
);
CREATE INDEX activity_target_groups_code ON activity_target_groups(target_group, activity_id);

CREATE TABLE activity_participants (
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    country_code TEXT NOT NULL REFERENCES countries(code),
    count        INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (activity_id, country_code)
);

-- Full text over the titles and descriptions; rowid is activities.id. The service keeps it
-- in step in the same transaction as each change (no triggers: the PostgreSQL twin indexes
-- with tsvector its own way).
CREATE VIRTUAL TABLE activities_fts USING fts5(
    title_en, title_ru, description_en, description_ru,
    tokenize = 'unicode61 remove_diacritics 2'
);
