-- The dispatch catalogue (派单目录): category × keywords × area → the lead department, the
-- co-handling departments and the handling time of general requests. Rules are retired,
-- never deleted: the log below names them.
CREATE TABLE dispatch_rules (
    id                 INTEGER PRIMARY KEY,
    category_id        INTEGER NOT NULL REFERENCES categories(id),
    -- Lower-cased, one per line; any of them must occur in the description.
    keywords           TEXT NOT NULL,
    area               TEXT,
    lead_department_id INTEGER NOT NULL REFERENCES departments(id),
    -- JSON array of department ids (协办).
    co_departments     TEXT NOT NULL DEFAULT '[]',
    -- JSON of a calendar span ({"unit": "working_days", "amount": 3}), or NULL.
    handle             TEXT,
    note               TEXT NOT NULL DEFAULT '',
    active             INTEGER NOT NULL DEFAULT 1,
    created_by         INTEGER NOT NULL REFERENCES users(id),
    created_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX dispatch_rules_by_category ON dispatch_rules(category_id) WHERE active;

-- Every transfer beside what the catalogue suggested for it at that moment: an agent's
-- override is on record, and the dispatch figures are counted from it.
CREATE TABLE dispatch_log (
    id                      INTEGER PRIMARY KEY,
    ticket_id               INTEGER NOT NULL REFERENCES tickets(id),
    at                      INTEGER NOT NULL,
    actor_id                INTEGER NOT NULL REFERENCES users(id),
    department_id           INTEGER NOT NULL REFERENCES departments(id),
    rule_id                 INTEGER REFERENCES dispatch_rules(id),
    suggested_department_id INTEGER REFERENCES departments(id),
    overridden              INTEGER NOT NULL
) STRICT;
-- Covering the figures' reads: a ticket's transfers, a period's transfers.
CREATE INDEX dispatch_log_by_ticket ON dispatch_log(ticket_id, department_id);
CREATE INDEX dispatch_log_by_time ON dispatch_log(at, ticket_id, department_id);

-- The transfers made before the catalogue existed, with nothing suggested.
INSERT INTO dispatch_log (ticket_id, at, actor_id, department_id, overridden)
SELECT ticket_id, at, actor_id, json_extract(data, '$.department_id'), 0
FROM events WHERE action = 'transfer' AND json_extract(data, '$.department_id') IS NOT NULL
ORDER BY id;
