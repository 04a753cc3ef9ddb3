-- Calls logged on a desk while the centre server could not be reached are sent later,
-- each with a key the desk made for it: a resend (the reply was lost on the way) finds the
-- ticket the first send created instead of creating another.
CREATE TABLE intake_keys (
    user_id   INTEGER NOT NULL REFERENCES users(id),
    key       TEXT NOT NULL,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    taken_at  INTEGER NOT NULL,
    synced_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
