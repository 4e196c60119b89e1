-- The PostgreSQL twin of schema/0021_activity_scoring.sql: the same table and backfill
-- (string_agg where SQLite has group_concat).
-- What the overlap check scores a candidate by, in one narrow row per activity: its public
-- id, lead organisation, planned period, host country and titles as in activities, and its
-- priorities, focus areas and beneficiary countries as in the link tables (separated by
-- one space: no code holds one). The check reads the 200 likeliest candidates of a
-- draft from here, one row each, instead of each one's main row (a large table: the
-- descriptions) and its rows in three link tables. The service rewrites an activity's row
-- from activities and the link tables in the same transaction as every change; a deleted
-- activity's row goes with it.
CREATE TABLE activity_scoring (
    activity_id   BIGINT PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
    public_id     TEXT NOT NULL,
    lead_org      TEXT NOT NULL,
    host_country  TEXT,
    title_en      TEXT NOT NULL,
    title_ru      TEXT NOT NULL,
    planned_start TEXT NOT NULL,
    planned_end   TEXT,
    priorities    TEXT NOT NULL,
    focus_areas   TEXT NOT NULL,
    beneficiaries TEXT NOT NULL
);

-- The rows of the activities that exist already.
INSERT INTO activity_scoring(activity_id, public_id, lead_org, host_country, title_en, title_ru,
                             planned_start, planned_end, priorities, focus_areas, beneficiaries)
SELECT a.id, a.public_id, a.lead_org, a.host_country, a.title_en, a.title_ru, a.planned_start,
       a.planned_end,
       COALESCE((SELECT string_agg(priority_code, ' ') FROM activity_priorities
                 WHERE activity_id = a.id), ''),
       COALESCE((SELECT string_agg(focus_code, ' ') FROM activity_focus_areas
                 WHERE activity_id = a.id), ''),
       COALESCE((SELECT string_agg(country_code, ' ') FROM activity_beneficiaries
                 WHERE activity_id = a.id), '')
FROM activities a ORDER BY a.id;
