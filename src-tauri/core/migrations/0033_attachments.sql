-- Files kept with a record (a training session's materials; a knowledge article's next),
-- in the database so backups, restores and the centre server carry them. The owner's kind
-- is checked by the program: kinds are added without rebuilding this table.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    owner_kind  TEXT NOT NULL,
    owner_id    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL CHECK (size > 0),
    sha256      TEXT NOT NULL,
    data        BLOB NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_by_owner ON attachments(owner_kind, owner_id);
