-- Sign-in sessions for seats that reach the store through a server: a random token per
-- sign-in, kept only as its SHA-256 (a copy of the file yields no usable token), bound to
-- the seat it was issued to, expiring, and revoked on sign-out and whenever the user's
-- password, role or access changes.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    seat        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    revoked_why TEXT
) STRICT;
CREATE INDEX sessions_open_by_user ON sessions(user_id) WHERE revoked_at IS NULL;
