-- A supervision notice issued by a supervisor, or raised supervision, is announced to the
-- department at once like any workflow step. SQLite cannot change a CHECK in place: the table
-- is rebuilt with the new kind, its rows and ids kept.
CREATE TABLE alarms_new (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    kind      TEXT NOT NULL CHECK (kind IN ('accept', 'handle', 'callback', 'incident', 'report_upward',
                                            'assigned', 'replied', 'extension_requested', 'extension_decided',
                                            'urged', 'co_handle', 'notice')),
    -- Deadlines: percent of the time allowed (100 the breach, 101 … its repeats).
    -- Announcements: the sequence number of the timeline event they announce.
    threshold INTEGER NOT NULL CHECK (threshold BETWEEN 1 AND 10000),
    deadline  INTEGER NOT NULL,
    fire_at   INTEGER NOT NULL,
    fired_at  INTEGER,
    UNIQUE (ticket_id, kind, threshold, deadline)
) STRICT;
INSERT INTO alarms_new (id, ticket_id, kind, threshold, deadline, fire_at, fired_at)
    SELECT id, ticket_id, kind, threshold, deadline, fire_at, fired_at FROM alarms;
DROP TABLE alarms;
ALTER TABLE alarms_new RENAME TO alarms;
CREATE INDEX alarms_pending ON alarms(fire_at) WHERE fired_at IS NULL;
CREATE INDEX alarms_by_ticket ON alarms(ticket_id) WHERE fired_at IS NULL;
