-- The PostgreSQL twin of schema/0003_framework_version.sql.
-- A counter that every change to the framework's reference data increments in the same
-- transaction. Servers cache the serialized reference lists and reuse them while the
-- counter is unchanged, which stays correct when several servers share one database.

CREATE TABLE framework_version (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO framework_version(id, version) VALUES (1, 1);
