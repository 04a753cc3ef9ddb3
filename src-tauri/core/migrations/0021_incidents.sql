-- Graded emergency response: plans, incidents, their timelines, the calls attached to
-- them, their checklists and bulletins.

-- A plan per incident kind × level. Versions are never changed: an edit adds one, and a
-- running incident keeps the version it started with. `body` is the plan as JSON
-- (emergency::plan::PlanBody). Seeded from the regulations when the store opens.
CREATE TABLE incident_plans (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (kind, level, version)
) STRICT;
CREATE TRIGGER incident_plans_no_update BEFORE UPDATE ON incident_plans
BEGIN SELECT RAISE(ABORT, 'plan versions are immutable'); END;

CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    version        INTEGER NOT NULL,
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    proposed_level INTEGER CHECK (proposed_level BETWEEN 1 AND 4),
    status         TEXT NOT NULL,
    area           TEXT NOT NULL DEFAULT '',
    services       TEXT NOT NULL DEFAULT '',
    category_id    INTEGER REFERENCES categories(id),
    started_at     INTEGER NOT NULL,
    declared_at    INTEGER NOT NULL,
    declared_by    INTEGER NOT NULL REFERENCES users(id),
    owner_id       INTEGER REFERENCES users(id),
    plan_id        INTEGER NOT NULL REFERENCES incident_plans(id),
    drill          INTEGER NOT NULL DEFAULT 0,
    resolved_at    INTEGER,
    summary        TEXT,
    updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX incidents_active ON incidents(declared_at)
    WHERE status IN ('declared', 'responding', 'monitoring');
-- Drills: their calls are left out of every figure (found without reading other incidents).
CREATE INDEX incidents_drills ON incidents(id) WHERE drill;

-- The incident's timeline: immutable, numbered per incident, each with the version its
-- change produced (the same rules as a ticket's).
CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL REFERENCES users(id),
    action      TEXT NOT NULL,
    note        TEXT,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    version     INTEGER NOT NULL,
    UNIQUE (incident_id, seq)
) STRICT;
CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
BEGIN SELECT RAISE(ABORT, 'timeline events are immutable'); END;
CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
BEGIN SELECT RAISE(ABORT, 'timeline events are immutable'); END;

-- Calls attached to an incident (one incident per call).
CREATE TABLE incident_tickets (
    ticket_id   INTEGER PRIMARY KEY REFERENCES tickets(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    linked_at   INTEGER NOT NULL,
    linked_by   INTEGER NOT NULL REFERENCES users(id)
) STRICT;
CREATE INDEX incident_tickets_by_incident ON incident_tickets(incident_id);

-- The plan's checklist as the incident runs it: each step due minutes after the
-- declaration, done by someone (or not yet).
CREATE TABLE incident_steps (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    step        INTEGER NOT NULL,
    key         TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    due_at      INTEGER NOT NULL,
    done_at     INTEGER,
    done_by     INTEGER REFERENCES users(id),
    note        TEXT,
    PRIMARY KEY (incident_id, step)
) STRICT;
CREATE INDEX incident_steps_open ON incident_steps(due_at) WHERE done_at IS NULL;

-- 信息发布: the wording agents give callers (口径), versioned per incident; the newest is
-- the current one. Published versions are never changed.
CREATE TABLE incident_bulletins (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    version      INTEGER NOT NULL,
    wording      TEXT NOT NULL,
    advice       TEXT NOT NULL DEFAULT '',
    measures     TEXT NOT NULL DEFAULT '',
    valid_until  INTEGER,
    approved_by  INTEGER NOT NULL REFERENCES users(id),
    published_at INTEGER NOT NULL,
    UNIQUE (incident_id, version)
) STRICT;
CREATE TRIGGER incident_bulletins_no_update BEFORE UPDATE ON incident_bulletins
BEGIN SELECT RAISE(ABORT, 'published bulletins are immutable'); END;

-- The outbox announces incidents too. SQLite cannot change a CHECK in place: the table is
-- rebuilt with its rows, and its AUTOINCREMENT counter carried over so that no number
-- is ever handed out twice.
CREATE TABLE outbox_new (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('ticket', 'notification', 'import', 'incident')),
    ticket_id INTEGER,
    user_id   INTEGER,
    data      TEXT NOT NULL DEFAULT '{}'
) STRICT;
INSERT INTO outbox_new (seq, at, kind, ticket_id, user_id, data)
    SELECT seq, at, kind, ticket_id, user_id, data FROM outbox;
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'outbox_new', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox_new');
UPDATE sqlite_sequence
    SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0))
    WHERE name = 'outbox_new';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
