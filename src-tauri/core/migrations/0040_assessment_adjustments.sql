-- What the departments' assessment leaves out: tickets approved as unreasonable (不合理件)
-- and entries of a month's figure whose appeal (申诉) was upheld.
CREATE TABLE exclusions (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    reason        TEXT NOT NULL CHECK (reason IN ('outside_jurisdiction', 'litigation_or_petition',
                      'unlawful_demand', 'secret_or_privacy', 'untrue', 'unreasonable_demand', 'malicious')),
    evidence      TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('proposed', 'approved', 'refused')),
    proposed_by   INTEGER NOT NULL REFERENCES users(id),
    proposed_at   INTEGER NOT NULL,
    decided_by    INTEGER REFERENCES users(id),
    decided_at    INTEGER,
    note          TEXT
) STRICT;
-- One live proposal or approval per ticket; a refused one may be proposed again.
CREATE UNIQUE INDEX exclusions_live ON exclusions(ticket_id) WHERE state IN ('proposed', 'approved');
CREATE INDEX exclusions_by_state ON exclusions(state, department_id);

CREATE TABLE appeals (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    month         TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    kpi           TEXT NOT NULL CHECK (kpi IN ('on_time_acceptance', 'on_time_handling',
                      'satisfaction', 'resolution', 'redispatch')),
    evidence      TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('filed', 'upheld', 'rejected')),
    filed_by      INTEGER NOT NULL REFERENCES users(id),
    filed_at      INTEGER NOT NULL,
    decided_by    INTEGER REFERENCES users(id),
    decided_at    INTEGER,
    note          TEXT
) STRICT;
-- An entry is appealed once: a rejection is final.
CREATE UNIQUE INDEX appeals_once ON appeals(ticket_id, month, kpi);
CREATE INDEX appeals_by_month ON appeals(month, state, department_id);
