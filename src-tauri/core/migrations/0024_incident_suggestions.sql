-- Suggestions to declare an incident, raised by the scheduler's detection (a surge of
-- calls, a cluster of tickets on one topic in one area; a drill when none took place for
-- months) with their evidence, and the decision taken on each. `key` makes each suggestion raised once.
CREATE TABLE incident_suggestions (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('surge', 'cluster', 'drill')),
    key         TEXT NOT NULL UNIQUE,
    at          INTEGER NOT NULL,
    evidence    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'declared', 'dismissed')),
    decided_by  INTEGER REFERENCES users(id),
    decided_at  INTEGER,
    incident_id INTEGER REFERENCES incidents(id)
) STRICT;
CREATE INDEX incident_suggestions_open ON incident_suggestions(at) WHERE status = 'open';
