-- Co-handling (协办): each co-handling department's part of a transfer, with its own
-- deadline. A new transfer (or a return) cancels the parts still owed of the last round.
CREATE TABLE co_parts (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    state         TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'replied', 'waived', 'cancelled')),
    due_at        INTEGER,
    created_at    INTEGER NOT NULL,
    accepted_at   INTEGER,
    reply         TEXT,
    replied_at    INTEGER,
    waive_reason  TEXT,
    by_user       INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX co_parts_by_ticket ON co_parts(ticket_id, department_id);
CREATE INDEX co_parts_by_department ON co_parts(department_id, state, ticket_id);
