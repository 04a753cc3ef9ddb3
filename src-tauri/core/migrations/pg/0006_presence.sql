-- Who has a ticket open, shared by the server instances of one centre (on SQLite it is
-- kept in memory: there is one server). Seconds old and worth nothing after a restart:
-- UNLOGGED, so it costs no WAL, is not replicated and is emptied by a crash.
CREATE UNLOGGED TABLE presence (
    user_id BIGINT NOT NULL,
    seat TEXT NOT NULL,
    ticket_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    editing BOOLEAN NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (user_id, seat)
);
CREATE INDEX presence_by_ticket ON presence (ticket_id);
