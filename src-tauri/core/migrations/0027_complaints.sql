-- A ticket in a complaint category is also a complaint case (GB/T 19012 / ISO 10002): the
-- remedy sought, the acknowledgement and its time limit, the urgency × impact assessment
-- and the legal review of a risky complaint. Changes also go on the ticket's timeline.
CREATE TABLE complaints (
    ticket_id       INTEGER PRIMARY KEY REFERENCES tickets(id),
    remedy          TEXT NOT NULL DEFAULT '',
    ack_due_at      INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by INTEGER REFERENCES users(id),
    ack_method      TEXT,
    urgency         INTEGER CHECK (urgency BETWEEN 1 AND 3),
    impact          INTEGER CHECK (impact BETWEEN 1 AND 3),
    -- What the matrix suggested, and what the assessor decided.
    suggested       TEXT,
    legal_suggested INTEGER NOT NULL DEFAULT 0,
    emergency       INTEGER NOT NULL DEFAULT 0,
    risky           INTEGER NOT NULL DEFAULT 0,
    assessed_at     INTEGER,
    assessed_by     INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX complaints_unacknowledged ON complaints(ack_due_at) WHERE acknowledged_at IS NULL;
CREATE INDEX complaints_ack_due ON complaints(ack_due_at);

-- Each legal opinion, kept: the latest decides the gate.
CREATE TABLE legal_opinions (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES complaints(ticket_id),
    outcome    TEXT NOT NULL CHECK (outcome IN ('cleared', 'revise')),
    opinion    TEXT NOT NULL,
    by_user    INTEGER NOT NULL REFERENCES users(id),
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX legal_opinions_by_ticket ON legal_opinions(ticket_id, id);
CREATE TRIGGER legal_opinions_no_update BEFORE UPDATE ON legal_opinions
BEGIN SELECT RAISE(ABORT, 'legal opinions are immutable'); END;
CREATE TRIGGER legal_opinions_no_delete BEFORE DELETE ON legal_opinions
BEGIN SELECT RAISE(ABORT, 'legal opinions are immutable'); END;

-- The complaints already on file become cases: a complaint in person was acknowledged
-- on the spot, any other by the hotline's first step after intake.
INSERT INTO complaints (ticket_id, ack_due_at, acknowledged_at)
    WITH RECURSIVE tree(id) AS (
        SELECT id FROM categories WHERE code = 'complaint'
        UNION ALL
        SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id
    )
    SELECT t.id, t.received_at + 24 * 3600000,
           CASE WHEN t.channel IN ('phone', 'walk_in') THEN t.received_at
                ELSE (SELECT min(e.at) FROM events e WHERE e.ticket_id = t.id AND e.seq > 1) END
    FROM tickets t WHERE t.category_id IN (SELECT id FROM tree);
