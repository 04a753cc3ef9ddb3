-- Reminders before planned training sessions reach the notification centre: a
-- notification is about a ticket, an incident or a training session. Nothing references
-- notifications, so the table is rebuilt in place, rows and ids kept.
CREATE TABLE notifications_new (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    ticket_id   INTEGER REFERENCES tickets(id),
    incident_id INTEGER REFERENCES incidents(id),
    session_id  INTEGER REFERENCES training_sessions(id),
    kind        TEXT NOT NULL,
    threshold   INTEGER NOT NULL,
    deadline    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER,
    CHECK ((ticket_id IS NOT NULL) + (incident_id IS NOT NULL) + (session_id IS NOT NULL) = 1)
) STRICT;
INSERT INTO notifications_new (id, user_id, ticket_id, incident_id, kind, threshold, deadline, created_at, read_at)
    SELECT id, user_id, ticket_id, incident_id, kind, threshold, deadline, created_at, read_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_inbox ON notifications(user_id, read_at, created_at);
CREATE INDEX training_sessions_to_remind ON training_sessions(starts_at) WHERE reminded_at IS NULL;
