-- A call being typed is kept per user while the agent switches views, and across a
-- restart of the desk; logging the call removes it in the same transaction.
CREATE TABLE drafts (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id),
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
