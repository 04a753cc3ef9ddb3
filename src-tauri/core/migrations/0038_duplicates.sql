-- Repeated requests about the same matter handled as one (重复诉求并单): a call merged into
-- a master ticket is closed as merged; the merge keeps the call as it was, so that a split
-- restores it exactly.
ALTER TABLE tickets ADD COLUMN merged_into INTEGER REFERENCES tickets(id);

CREATE TABLE ticket_merges (
    id          INTEGER PRIMARY KEY,
    master_id   INTEGER NOT NULL REFERENCES tickets(id),
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    merged_at   INTEGER NOT NULL,
    merged_by   INTEGER NOT NULL REFERENCES users(id),
    -- The merged ticket as it stood before (JSON): what a split puts back.
    snapshot    TEXT NOT NULL,
    split_at    INTEGER,
    split_by    INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX ticket_merges_by_master ON ticket_merges(master_id) WHERE split_at IS NULL;
CREATE UNIQUE INDEX ticket_merges_one_open ON ticket_merges(ticket_id) WHERE split_at IS NULL;
