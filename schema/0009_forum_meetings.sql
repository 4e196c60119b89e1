-- Meetings of community forums: who attended, and the decisions taken on the concerns
-- relayed to the forum. A decision is also written as an event of its concern, so the
-- citizen who raised it sees it (when public) by tracking code.
CREATE TABLE forum_meetings (
    id         INTEGER PRIMARY KEY,
    forum_id   INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    held_on    TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    notes      TEXT NOT NULL DEFAULT '',
    attendance INTEGER NOT NULL DEFAULT 0 CHECK (attendance >= 0),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX forum_meetings_forum ON forum_meetings(forum_id, held_on);

CREATE TABLE forum_meeting_attendees (
    meeting_id INTEGER NOT NULL REFERENCES forum_meetings(id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL REFERENCES forum_members(id),
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE forum_decisions (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES forum_meetings(id) ON DELETE CASCADE,
    concern_id INTEGER NOT NULL REFERENCES concerns(id),
    decision   TEXT NOT NULL,
    public     INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1))
);
CREATE INDEX forum_decisions_concern ON forum_decisions(concern_id);
