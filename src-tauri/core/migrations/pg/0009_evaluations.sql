-- Each evaluation (回访 feedback) with whether it is its ticket's first and its last, as
-- SQLite's migration 0046: the satisfaction KPI reads these rows instead of probing each
-- of a month's evaluations for a later one (120 → 50 ms per period at a million).
CREATE TABLE evaluations (
    event_id BIGINT PRIMARY KEY REFERENCES events(id),
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    at BIGINT NOT NULL,
    level TEXT,
    first BOOLEAN NOT NULL,
    last BOOLEAN NOT NULL
);
INSERT INTO evaluations (event_id, ticket_id, at, level, first, last)
SELECT e.id, e.ticket_id, e.at, json_extract(e.data, '$.satisfaction'),
       NOT EXISTS (SELECT 1 FROM events y WHERE y.ticket_id = e.ticket_id AND y.action = 'feedback' AND y.id < e.id),
       NOT EXISTS (SELECT 1 FROM events y WHERE y.ticket_id = e.ticket_id AND y.action = 'feedback' AND y.id > e.id)
FROM events e WHERE e.action = 'feedback';
CREATE INDEX evaluations_by_time ON evaluations (at) INCLUDE (ticket_id, level, first, last);
CREATE INDEX evaluations_by_ticket ON evaluations (ticket_id);
