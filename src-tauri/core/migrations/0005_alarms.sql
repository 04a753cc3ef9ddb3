-- Deadline alarms: one row per (ticket, deadline kind, threshold, deadline). `fire_at`
-- is indexed for the unfired rows, so the scheduler finds its next wake-up without
-- looking at closed tickets. A fired row stays: the UNIQUE key makes every reminder fire
-- exactly once, across restarts, and again only if the deadline itself moves.
CREATE TABLE alarms (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    kind      TEXT NOT NULL CHECK (kind IN ('accept', 'handle', 'callback', 'incident', 'report_upward')),
    -- Percent of the time allowed; 100 is the breach, 101, 102, ... its repeats.
    threshold INTEGER NOT NULL CHECK (threshold BETWEEN 1 AND 10000),
    deadline  INTEGER NOT NULL,
    fire_at   INTEGER NOT NULL,
    fired_at  INTEGER,
    UNIQUE (ticket_id, kind, threshold, deadline)
) STRICT;
CREATE INDEX alarms_pending ON alarms(fire_at) WHERE fired_at IS NULL;
CREATE INDEX alarms_by_ticket ON alarms(ticket_id) WHERE fired_at IS NULL;

-- What the notification centre lists: per recipient, read or not.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    kind       TEXT NOT NULL,
    threshold  INTEGER NOT NULL,
    deadline   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    read_at    INTEGER
) STRICT;
CREATE INDEX notifications_inbox ON notifications(user_id, read_at, created_at);

-- Each user's choice of desktop pop-ups: kinds muted and quiet hours (local "HH:MM",
-- may wrap midnight). The notification centre keeps everything regardless.
CREATE TABLE user_prefs (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id),
    muted_kinds TEXT NOT NULL DEFAULT '',
    quiet_from  TEXT,
    quiet_to    TEXT
) STRICT;
