-- The 24-hour duty roster (值班表): shifts of the day, who holds which post on which shift
-- of which day, the swaps and covers asked and decided, and the handover notes at each
-- shift change.

CREATE TABLE duty_shifts (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    -- Local time of the centre, "HH:MM"; a shift may run past midnight.
    starts  TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 30 AND 1440)
) STRICT;
INSERT INTO duty_shifts (code, name, starts, minutes) VALUES
    ('day', '白班', '08:00', 480),
    ('evening', '中班', '16:00', 480),
    ('night', '夜班', '00:00', 480);

CREATE TABLE duty_assignments (
    id       INTEGER PRIMARY KEY,
    -- The local day the shift starts.
    day      TEXT NOT NULL,
    shift_id INTEGER NOT NULL REFERENCES duty_shifts(id),
    post     TEXT NOT NULL CHECK (post IN ('leader', 'agent', 'technical')),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    backup   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (day, shift_id, post, user_id)
) STRICT;
CREATE INDEX duty_assignments_by_day ON duty_assignments(day);

-- A swap or cover: someone else takes an assignment once a manager approves.
CREATE TABLE duty_changes (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES duty_assignments(id),
    kind          TEXT NOT NULL CHECK (kind IN ('swap', 'cover', 'leave')),
    from_user     INTEGER NOT NULL REFERENCES users(id),
    to_user       INTEGER NOT NULL REFERENCES users(id),
    reason        TEXT NOT NULL,
    requested_by  INTEGER NOT NULL REFERENCES users(id),
    requested_at  INTEGER NOT NULL,
    decided_by    INTEGER REFERENCES users(id),
    decided_at    INTEGER,
    approved      INTEGER
) STRICT;

-- The outgoing shift's note for the incoming one (the shifts, when the writer is on duty),
-- acknowledged by someone of the incoming shift.
CREATE TABLE duty_handovers (
    id              INTEGER PRIMARY KEY,
    written_by      INTEGER NOT NULL REFERENCES users(id),
    written_at      INTEGER NOT NULL,
    note            TEXT NOT NULL,
    from_day        TEXT,
    from_shift_id   INTEGER REFERENCES duty_shifts(id),
    to_day          TEXT,
    to_shift_id     INTEGER REFERENCES duty_shifts(id),
    acknowledged_by INTEGER REFERENCES users(id),
    acknowledged_at INTEGER
) STRICT;
