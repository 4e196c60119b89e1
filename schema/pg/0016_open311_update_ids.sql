-- The PostgreSQL twin of schema/0016_open311_update_ids.sql: the update ids Open311
-- clients send with POST servicerequestupdates, so a retried update is answered with the
-- event it made the first time instead of being applied again.
CREATE TABLE open311_update_ids (
    key_id     BIGINT NOT NULL REFERENCES open311_keys(id),
    update_id  TEXT NOT NULL,
    event_id   BIGINT NOT NULL REFERENCES concern_events(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (key_id, update_id)
);
