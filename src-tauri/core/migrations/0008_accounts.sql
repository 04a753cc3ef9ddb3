-- Accounts, the audit log, backups and retention (issue 6).

-- Sign-in: a login name and an Argon2id hash (PHC string). Users without a hash cannot
-- sign in until an administrator sets a password; there is no default password.
ALTER TABLE users ADD COLUMN login TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER;
CREATE UNIQUE INDEX users_login ON users (login COLLATE NOCASE) WHERE login IS NOT NULL;

-- Append-only and hash-chained: each entry's hash covers its fields and the previous
-- entry's hash. The triggers stop casual edits; `audit verify` detects the rest.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor_id   INTEGER,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '{}',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Values the app needs but never shows: the backup passphrase, the pseudonym salt.
CREATE TABLE secrets (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Each verify of a backup is a restore drill.
CREATE TABLE restore_drills (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    file      TEXT NOT NULL,
    ok        INTEGER NOT NULL,
    detail    TEXT NOT NULL DEFAULT '{}',
    actor_id  INTEGER
) STRICT;

-- Closed tickets whose personal data the retention rule has removed.
ALTER TABLE tickets ADD COLUMN anonymised_at INTEGER;

-- Timeline events stay immutable, except that the retention rule may overwrite the
-- note and data of a ticket it has anonymised (personal data must not outlive it).
DROP TRIGGER events_no_update;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN (SELECT anonymised_at FROM tickets WHERE id = old.ticket_id) IS NULL
  OR new.id IS NOT old.id OR new.ticket_id IS NOT old.ticket_id OR new.seq IS NOT old.seq
  OR new.at IS NOT old.at OR new.actor_id IS NOT old.actor_id OR new.action IS NOT old.action
  OR new.from_status IS NOT old.from_status OR new.to_status IS NOT old.to_status
BEGIN SELECT RAISE(ABORT, 'timeline events are immutable'); END;
