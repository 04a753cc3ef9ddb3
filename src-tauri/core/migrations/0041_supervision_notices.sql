-- Supervision notices (催办通知书, 督办单): numbered per kind and year, sent to a department,
-- acknowledged by it. A breach of one deadline is noticed once.
CREATE TABLE supervision_notices (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('urge', 'supervise')),
    year            INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id),
    department_id   INTEGER NOT NULL REFERENCES departments(id),
    cause           TEXT NOT NULL CHECK (cause IN ('breach', 'redispatch', 'manual')),
    deadline        INTEGER,
    reply_by        INTEGER NOT NULL,
    note            TEXT,
    issued_by       INTEGER REFERENCES users(id),
    issued_at       INTEGER NOT NULL,
    acknowledged_by INTEGER REFERENCES users(id),
    acknowledged_at INTEGER,
    ack_note        TEXT,
    UNIQUE (kind, year, seq)
) STRICT;
CREATE UNIQUE INDEX supervision_notices_once_per_breach ON supervision_notices(ticket_id, department_id, deadline)
    WHERE cause = 'breach';
CREATE INDEX supervision_notices_by_department ON supervision_notices(department_id, acknowledged_at);
CREATE INDEX supervision_notices_by_time ON supervision_notices(issued_at, department_id);
