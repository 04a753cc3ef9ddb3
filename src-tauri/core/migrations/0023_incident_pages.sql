-- Paging the emergency team: a declaration or a raise pages the plan's recipients; a
-- page waits for its acknowledgement and, unanswered within the plan's minutes, goes on
-- to the backup, then up the chain. One row per (incident, paging event, person): the
-- unique key makes each page fire once, across restarts.
CREATE TABLE incident_pages (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    -- The timeline event that paged (its sequence number): a declaration or a raise.
    event_seq   INTEGER NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    -- 0 the plan's recipients, 1 the backup of the duty leader, 2 up the chain.
    tier        INTEGER NOT NULL CHECK (tier BETWEEN 0 AND 2),
    fire_at     INTEGER NOT NULL,
    fired_at    INTEGER,
    -- When an unanswered page goes on (NULL: it does not), and whether it has.
    escalate_at INTEGER,
    escalated   INTEGER NOT NULL DEFAULT 0,
    acked_at    INTEGER,
    drill       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (incident_id, event_seq, user_id)
) STRICT;
CREATE INDEX incident_pages_due ON incident_pages(fire_at) WHERE fired_at IS NULL;
CREATE INDEX incident_pages_chain ON incident_pages(escalate_at)
    WHERE acked_at IS NULL AND escalated = 0 AND escalate_at IS NOT NULL;

-- The notification centre keeps pages too: a notification is about a ticket or an
-- incident. SQLite cannot relax NOT NULL in place: the table is rebuilt, rows and ids kept.
CREATE TABLE notifications_new (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    ticket_id   INTEGER REFERENCES tickets(id),
    incident_id INTEGER REFERENCES incidents(id),
    kind        TEXT NOT NULL,
    threshold   INTEGER NOT NULL,
    deadline    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER,
    CHECK ((ticket_id IS NULL) <> (incident_id IS NULL))
) STRICT;
INSERT INTO notifications_new (id, user_id, ticket_id, kind, threshold, deadline, created_at, read_at)
    SELECT id, user_id, ticket_id, kind, threshold, deadline, created_at, read_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_inbox ON notifications(user_id, read_at, created_at);
