-- Return review (退单审核): a department's return is a request the hotline decides; a
-- refusal may be escalated once, and the supervisor's word is final.
CREATE TABLE return_requests (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    reason_code   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused', 'escalated', 'upheld')),
    requested_by  INTEGER NOT NULL REFERENCES users(id),
    requested_at  INTEGER NOT NULL,
    decided_by    INTEGER REFERENCES users(id),
    decided_at    INTEGER,
    note          TEXT,
    escalated_at  INTEGER,
    final_by      INTEGER REFERENCES users(id),
    final_at      INTEGER,
    final_note    TEXT
) STRICT;
CREATE INDEX return_requests_by_ticket ON return_requests(ticket_id);
CREATE INDEX return_requests_open ON return_requests(state) WHERE state IN ('pending', 'escalated');
CREATE INDEX return_requests_by_time ON return_requests(requested_at, department_id);
