-- The annual report reads every activity of five years (the year and the four before it)
-- by planned start: this index holds all it needs of each (the period, the participants,
-- the lead organisation, type and host country), so the report reads consecutive index
-- entries instead of one table row per activity scattered over the whole table. The id is
-- written out so PostgreSQL's twin holds it too.
CREATE INDEX activities_report ON activities(planned_start, planned_end, participants_total,
    participants_women, participants_men, lead_org, type, host_country, id);
