-- Following a complaint through: its root cause (a 5-why or 8D analysis), the improvement
-- measures it leads to (their effectiveness is computed from later complaints of the same
-- kind), and the accountability of the staff involved, kept apart from the ticket's
-- timeline because only HR, management and the person concerned may read it.
CREATE TABLE complaint_causes (
    ticket_id   INTEGER PRIMARY KEY REFERENCES complaints(ticket_id),
    category    TEXT NOT NULL CHECK (category IN ('people', 'process', 'product', 'system', 'policy', 'external')),
    method      TEXT NOT NULL CHECK (method IN ('five_whys', 'eight_d')),
    steps       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    by_user     INTEGER NOT NULL REFERENCES users(id),
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX complaint_causes_by_category ON complaint_causes(category);

CREATE TABLE improvement_measures (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES complaints(ticket_id),
    title        TEXT NOT NULL,
    owner_id     INTEGER NOT NULL REFERENCES users(id),
    due_at       INTEGER NOT NULL,
    watch_months INTEGER NOT NULL CHECK (watch_months BETWEEN 1 AND 24),
    -- The kind of complaint whose recurrence judges the measure: the source's category.
    category_id  INTEGER NOT NULL REFERENCES categories(id),
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    done_at      INTEGER,
    done_by      INTEGER REFERENCES users(id),
    done_note    TEXT
) STRICT;
CREATE INDEX improvement_measures_by_ticket ON improvement_measures(ticket_id);
CREATE INDEX improvement_measures_open ON improvement_measures(due_at) WHERE done_at IS NULL;
-- Recurrence: complaints of one category by receipt.
CREATE INDEX tickets_category_received ON tickets(category_id, received_at);

CREATE TABLE complaint_findings (
    id             INTEGER PRIMARY KEY,
    ticket_id      INTEGER NOT NULL REFERENCES complaints(ticket_id),
    staff_id       INTEGER NOT NULL REFERENCES users(id),
    finding        TEXT NOT NULL,
    proposal       TEXT NOT NULL CHECK (proposal IN ('assessment', 'reward', 'penalty', 'no_action')),
    proposal_note  TEXT,
    proposed_by    INTEGER NOT NULL REFERENCES users(id),
    proposed_at    INTEGER NOT NULL,
    decision       TEXT,
    effective_on   TEXT,
    decided_by     INTEGER REFERENCES users(id),
    decided_at     INTEGER,
    response       TEXT,
    responded_at   INTEGER
) STRICT;
CREATE INDEX complaint_findings_by_ticket ON complaint_findings(ticket_id);
CREATE INDEX complaint_findings_by_staff ON complaint_findings(staff_id);
