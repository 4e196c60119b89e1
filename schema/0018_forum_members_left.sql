-- A forum's member can leave: left_on is the day they left (ISO date), NULL while they are a
-- member. Former members stay for the meetings they attended, but no longer act for the
-- forum, see its concerns or attend its new meetings.
ALTER TABLE forum_members ADD COLUMN left_on TEXT;
