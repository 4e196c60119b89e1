-- A link to a photo or file that came with a concern (Open311's media_url, or an officer's
-- link): an http or https URL, or ''. Officers see it; the public record withholds it with
-- the description.
ALTER TABLE concerns ADD COLUMN media_url TEXT NOT NULL DEFAULT '';
