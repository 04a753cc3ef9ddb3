-- Call-detail records from the telephone system, for the answer-rate KPIs. `key` makes
-- a re-import add nothing: the CDR's own unique id, or a digest of its identifying fields.
CREATE TABLE calls (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    source      TEXT NOT NULL,
    caller      TEXT NOT NULL,
    callee      TEXT NOT NULL,
    extension   TEXT,
    started_at  INTEGER NOT NULL,
    answered_at INTEGER,
    ended_at    INTEGER NOT NULL,
    disposition TEXT NOT NULL,
    ticket_id   INTEGER REFERENCES tickets(id),
    agent_id    INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX calls_by_start ON calls(started_at);
CREATE INDEX calls_by_caller ON calls(caller, started_at);

-- An agent's telephone extension links calls to agents.
ALTER TABLE users ADD COLUMN extension TEXT;
CREATE UNIQUE INDEX users_by_extension ON users(extension) WHERE extension IS NOT NULL;

-- Column mappings for any other telephone system's CSV, saved by name.
CREATE TABLE cdr_mappings (
    name TEXT PRIMARY KEY,
    spec TEXT NOT NULL
) STRICT;
