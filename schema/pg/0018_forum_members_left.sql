-- The PostgreSQL twin of schema/0018_forum_members_left.sql: a member who left keeps their
-- place in past meetings and loses the forum's access.
ALTER TABLE forum_members ADD COLUMN left_on TEXT;
