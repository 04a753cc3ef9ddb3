-- Each evaluation (回访 feedback) with whether it is its ticket's first and its last. The
-- satisfaction KPI counts one per ticket, the one the setting names; asking each of a
-- month's 30 000 evaluations for a later one (a probe per row, beside the row's JSON)
-- cost more than the rest of the count. The timeline stays immutable: this table is kept
-- beside it by the store's one event insert (`rows::insert_event`).
CREATE TABLE evaluations (
    event_id  INTEGER PRIMARY KEY REFERENCES events(id),
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    at        INTEGER NOT NULL,
    level     TEXT,
    first     INTEGER NOT NULL,
    last      INTEGER NOT NULL
) STRICT;
INSERT INTO evaluations (event_id, ticket_id, at, level, first, last)
SELECT e.id, e.ticket_id, e.at, json_extract(e.data, '$.satisfaction'),
       NOT EXISTS (SELECT 1 FROM events y WHERE y.ticket_id = e.ticket_id AND y.action = 'feedback' AND y.id < e.id),
       NOT EXISTS (SELECT 1 FROM events y WHERE y.ticket_id = e.ticket_id AND y.action = 'feedback' AND y.id > e.id)
FROM events e WHERE e.action = 'feedback';
CREATE INDEX evaluations_by_time ON evaluations (at, ticket_id, level, first, last);
CREATE INDEX evaluations_by_ticket ON evaluations (ticket_id);
