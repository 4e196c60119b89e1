-- The questions a service asks beyond the description (Open311 service attributes), as a
-- JSON array of definitions checked by community/attributes.c, and a concern's answers to
-- its service's questions, as a JSON object by attribute code.
ALTER TABLE services ADD COLUMN attributes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE concerns ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
