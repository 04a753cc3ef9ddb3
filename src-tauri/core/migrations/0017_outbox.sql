-- The outbox: every change that others should hear of (a ticket written, a notification
-- for someone, a bulk import) is numbered here in the same transaction as the change, so a
-- seat that was away asks for "everything after N" and misses nothing. AUTOINCREMENT: a
-- number is never handed out twice, even after old entries are pruned.
CREATE TABLE outbox (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('ticket', 'notification', 'import')),
    ticket_id INTEGER,
    -- A notification's recipient: the one user it concerns.
    user_id   INTEGER,
    data      TEXT NOT NULL DEFAULT '{}'
) STRICT;
