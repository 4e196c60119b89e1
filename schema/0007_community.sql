-- Community policing (Box 3 of the source text, the Community Security Initiative): areas
-- as a hierarchy, project sites (police stations), community forums and the areas they
-- cover, mobile reception vehicles and their visits, the services (categories) citizens'
-- concerns are filed under, and the concerns themselves with every step as an event.

CREATE TABLE areas (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    parent_id    INTEGER REFERENCES areas(id),
    level        TEXT NOT NULL CHECK (level IN ('country', 'province', 'district', 'subdistrict')),
    name         TEXT NOT NULL,
    name_ru      TEXT NOT NULL DEFAULT '',
    country_code TEXT NOT NULL REFERENCES countries(code)
);
CREATE INDEX areas_parent ON areas(parent_id, id);

-- Police stations and other places a project works from.
CREATE TABLE sites (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    name    TEXT NOT NULL,
    name_ru TEXT NOT NULL DEFAULT '',
    area_id INTEGER NOT NULL REFERENCES areas(id),
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sites_area ON sites(area_id);

-- Community Safety Working Groups, Local Crime Prevention Centres, Neighbourhood
-- Management Teams.
CREATE TABLE forums (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    kind    TEXT NOT NULL CHECK (kind IN ('cswg', 'lcpc', 'nmt')),
    name    TEXT NOT NULL,
    name_ru TEXT NOT NULL DEFAULT '',
    site_id INTEGER REFERENCES sites(id)
);

CREATE TABLE forum_areas (
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    area_id  INTEGER NOT NULL REFERENCES areas(id),
    PRIMARY KEY (forum_id, area_id)
);
CREATE INDEX forum_areas_area ON forum_areas(area_id, forum_id);

-- A member is a person (and, when they sign in, a user) with a role in the forum.
CREATE TABLE forum_members (
    id       INTEGER PRIMARY KEY,
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL DEFAULT '',
    user_id  INTEGER REFERENCES users(id)
);
CREATE INDEX forum_members_forum ON forum_members(forum_id);
CREATE INDEX forum_members_user ON forum_members(user_id);

-- The site (station) and the areas a user works in: officers see the concerns of their
-- areas (and the areas below them).
CREATE TABLE user_areas (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    area_id INTEGER NOT NULL REFERENCES areas(id),
    PRIMARY KEY (user_id, area_id)
);
CREATE TABLE user_sites (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    site_id INTEGER NOT NULL REFERENCES sites(id)
);

CREATE TABLE vehicles (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    plate   TEXT NOT NULL DEFAULT '',
    site_id INTEGER REFERENCES sites(id)
);

CREATE TABLE visits (
    id                 INTEGER PRIMARY KEY,
    vehicle_id         INTEGER NOT NULL REFERENCES vehicles(id),
    area_id            INTEGER NOT NULL REFERENCES areas(id),
    officer            TEXT NOT NULL DEFAULT '',
    officer_user_id    INTEGER REFERENCES users(id),
    community_rep      TEXT NOT NULL DEFAULT '',
    planned_date       TEXT NOT NULL,
    actual_date        TEXT,
    citizens_received  INTEGER CHECK (citizens_received IS NULL OR citizens_received >= 0),
    status             TEXT NOT NULL DEFAULT 'planned'
                       CHECK (status IN ('planned', 'done', 'cancelled'))
);
CREATE INDEX visits_date ON visits(planned_date, id);
CREATE INDEX visits_area ON visits(area_id, planned_date);

-- The categories of concerns; Open311 calls them services. due_days sets the due date of a
-- new concern; conduct marks complaints about police conduct, which never go to the unit
-- they are about.
CREATE TABLE services (
    code        TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 40),
    name        TEXT NOT NULL,
    name_ru     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    group_name  TEXT NOT NULL DEFAULT '',
    keywords    TEXT NOT NULL DEFAULT '',
    due_days    INTEGER NOT NULL DEFAULT 14 CHECK (due_days BETWEEN 1 AND 365),
    conduct     INTEGER NOT NULL DEFAULT 0 CHECK (conduct IN (0, 1)),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position    INTEGER NOT NULL DEFAULT 0
);

-- A citizen's concern. tracking_code is what the citizen holds (short, unguessable);
-- client_id makes a retried submission (offline queue, SMS gateway, Open311 client) land
-- once. Contact details are protected: only the officers handling the concern see them.
CREATE TABLE concerns (
    id              INTEGER PRIMARY KEY,
    tracking_code   TEXT NOT NULL UNIQUE,
    client_id       TEXT UNIQUE,
    channel         TEXT NOT NULL CHECK (channel IN ('reception', 'station', 'web', 'open311',
                                                     'sms', 'forum')),
    service_code    TEXT NOT NULL REFERENCES services(code),
    area_id         INTEGER REFERENCES areas(id),
    site_id         INTEGER REFERENCES sites(id),
    visit_id        INTEGER REFERENCES visits(id),
    about_site_id   INTEGER REFERENCES sites(id),
    lat             REAL CHECK (lat IS NULL OR (lat BETWEEN -90 AND 90)),
    lon             REAL CHECK (lon IS NULL OR (lon BETWEEN -180 AND 180)),
    address         TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL,
    anonymous       INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    contact_name    TEXT NOT NULL DEFAULT '',
    contact_phone   TEXT NOT NULL DEFAULT '',
    contact_email   TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('received', 'acknowledged', 'referred',
                        'in_progress', 'resolved', 'closed', 'rejected')),
    forum_id        INTEGER REFERENCES forums(id),
    agency          TEXT NOT NULL DEFAULT '',
    received_at     TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    resolved_at     TEXT,
    created_by      INTEGER REFERENCES users(id)
);
CREATE INDEX concerns_status ON concerns(status, due_at);
CREATE INDEX concerns_area ON concerns(area_id, received_at);
CREATE INDEX concerns_site ON concerns(site_id, received_at);
CREATE INDEX concerns_received ON concerns(received_at, id);
CREATE INDEX concerns_service ON concerns(service_code, received_at);
CREATE INDEX concerns_forum ON concerns(forum_id, status);

-- Every step of a concern. A public event is shown to the citizen by tracking code; an
-- internal one only to officers.
CREATE TABLE concern_events (
    id         INTEGER PRIMARY KEY,
    concern_id INTEGER NOT NULL REFERENCES concerns(id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('received', 'status', 'note', 'referral',
                                             'decision')),
    status     TEXT,
    public     INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX concern_events_concern ON concern_events(concern_id, id);
CREATE INDEX concern_events_at ON concern_events(at, id);

-- Keys of Open311 clients (POST needs one); only the SHA-256 is stored.
CREATE TABLE open311_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
