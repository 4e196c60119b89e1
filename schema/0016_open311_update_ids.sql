-- The update ids Open311 clients send with POST servicerequestupdates (FixMyStreet sends
-- its comment's id): a retried update is answered with the event it made the first time
-- instead of being applied again. One row per client key and update id.
CREATE TABLE open311_update_ids (
    key_id     INTEGER NOT NULL REFERENCES open311_keys(id),
    update_id  TEXT NOT NULL,
    event_id   INTEGER NOT NULL REFERENCES concern_events(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (key_id, update_id)
);
