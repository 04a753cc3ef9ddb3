-- The review after an incident (复盘): what went well and badly, the plan changes it leads
-- to, and follow-up actions with an owner and a deadline, tracked to completion (their
-- owner is reminded when one falls due, once).
CREATE TABLE incident_reviews (
    incident_id  INTEGER PRIMARY KEY REFERENCES incidents(id),
    went_well    TEXT NOT NULL,
    went_badly   TEXT NOT NULL,
    plan_changes TEXT NOT NULL DEFAULT '',
    reviewed_by  INTEGER NOT NULL REFERENCES users(id),
    reviewed_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE incident_follow_ups (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    title       TEXT NOT NULL,
    owner_id    INTEGER NOT NULL REFERENCES users(id),
    due_at      INTEGER NOT NULL,
    done_at     INTEGER,
    done_by     INTEGER REFERENCES users(id),
    note        TEXT,
    reminded_at INTEGER
) STRICT;
CREATE INDEX incident_follow_ups_due ON incident_follow_ups(due_at)
    WHERE done_at IS NULL AND reminded_at IS NULL;
