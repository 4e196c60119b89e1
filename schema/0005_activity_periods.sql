-- A date-range index of activities, so the overlap check and the annual report find the
-- activities of a time window without scanning the table. Each activity has one row per
-- calendar month its planned period touches (month = year * 12 + month - 1), for itself
-- (kind 'a', code '') and for each of its priorities ('p'), focus areas ('f') and
-- countries, host or beneficiary ('c'). An activity whose period touches more than 24
-- months has one row per code at month -1 instead, so a long or absurd period stays a few
-- rows; readers take month -1 along with the window's months and check first_day and
-- last_day. The service keeps the rows in step in the same transaction as every change.

CREATE TABLE activity_periods (
    kind        TEXT NOT NULL CHECK (kind IN ('a', 'p', 'f', 'c')),
    code        TEXT NOT NULL,
    month       INTEGER NOT NULL,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    lead_org    TEXT NOT NULL,
    first_day   TEXT NOT NULL, -- planned_start
    last_day    TEXT NOT NULL, -- planned_end, or planned_start when there is none
    PRIMARY KEY (kind, code, month, activity_id)
) WITHOUT ROWID;
CREATE INDEX activity_periods_activity ON activity_periods(activity_id);

-- The rows of the activities that exist already.
CREATE TEMP TABLE activity_spans AS
WITH RECURSIVE base AS (
    SELECT id, lead_org, planned_start AS first_day,
           CASE WHEN planned_end IS NOT NULL AND planned_end > planned_start
                THEN planned_end ELSE planned_start END AS last_day
    FROM activities
), months AS (
    SELECT id, lead_org, first_day, last_day,
           CAST(substr(first_day, 1, 4) AS INTEGER) * 12
               + CAST(substr(first_day, 6, 2) AS INTEGER) - 1 AS m0,
           CAST(substr(last_day, 1, 4) AS INTEGER) * 12
               + CAST(substr(last_day, 6, 2) AS INTEGER) - 1 AS m1
    FROM base
), span(id, lead_org, first_day, last_day, month, last_month) AS (
    SELECT id, lead_org, first_day, last_day,
           CASE WHEN m1 - m0 >= 24 THEN -1 ELSE m0 END,
           CASE WHEN m1 - m0 >= 24 THEN -1 ELSE m1 END
    FROM months
    UNION ALL
    SELECT id, lead_org, first_day, last_day, month + 1, last_month
    FROM span WHERE month < last_month
)
SELECT id, lead_org, first_day, last_day, month FROM span;

INSERT INTO activity_periods(kind, code, month, activity_id, lead_org, first_day, last_day)
SELECT 'a', '', month, id, lead_org, first_day, last_day FROM activity_spans;
INSERT INTO activity_periods(kind, code, month, activity_id, lead_org, first_day, last_day)
SELECT 'p', x.priority_code, s.month, s.id, s.lead_org, s.first_day, s.last_day
FROM activity_spans s JOIN activity_priorities x ON x.activity_id = s.id;
INSERT INTO activity_periods(kind, code, month, activity_id, lead_org, first_day, last_day)
SELECT 'f', x.focus_code, s.month, s.id, s.lead_org, s.first_day, s.last_day
FROM activity_spans s JOIN activity_focus_areas x ON x.activity_id = s.id;
INSERT INTO activity_periods(kind, code, month, activity_id, lead_org, first_day, last_day)
SELECT 'c', x.country_code, s.month, s.id, s.lead_org, s.first_day, s.last_day
FROM activity_spans s JOIN (
    SELECT id AS activity_id, host_country AS country_code FROM activities
    WHERE host_country IS NOT NULL
    UNION SELECT activity_id, country_code FROM activity_beneficiaries
) x ON x.activity_id = s.id;

DROP TABLE activity_spans;

