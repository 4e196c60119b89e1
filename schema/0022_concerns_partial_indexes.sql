-- A concern has no forum until it is referred to one, and many (the web form, Open311,
-- SMS) name no site or area: their NULL keys made every new concern add index entries that
-- no query reads, since every query on these columns compares them (=, IN). The three
-- indexes now hold only the concerns with a value.
DROP INDEX concerns_area;
CREATE INDEX concerns_area ON concerns(area_id, received_at) WHERE area_id IS NOT NULL;
DROP INDEX concerns_site;
CREATE INDEX concerns_site ON concerns(site_id, received_at) WHERE site_id IS NOT NULL;
DROP INDEX concerns_forum;
CREATE INDEX concerns_forum ON concerns(forum_id, status) WHERE forum_id IS NOT NULL;
