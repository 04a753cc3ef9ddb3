-- Working-time calendars. `week` holds Monday-first business intervals as JSON
-- ([[{"start":"09:00:00","end":"12:00:00"}, ...], ...]); `always` means 7x24.
CREATE TABLE calendars (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE,
    tz     TEXT NOT NULL,
    week   TEXT NOT NULL,
    always INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Days off and make-up working days. `source`: official (shipped), ics (imported), manual.
CREATE TABLE calendar_days (
    calendar_id INTEGER NOT NULL REFERENCES calendars(id),
    day         TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('rest', 'work')),
    note        TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL,
    PRIMARY KEY (calendar_id, day)
) STRICT;

-- Years whose holiday arrangement is known: outside them a deadline is flagged.
CREATE TABLE calendar_years (
    calendar_id INTEGER NOT NULL REFERENCES calendars(id),
    year        INTEGER NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (calendar_id, year)
) STRICT;

INSERT INTO calendars (id, name, tz, week, always) VALUES
    (1, 'office', 'Asia/Shanghai',
     '[[{"start":"09:00:00","end":"12:00:00"},{"start":"13:30:00","end":"17:30:00"}],[{"start":"09:00:00","end":"12:00:00"},{"start":"13:30:00","end":"17:30:00"}],[{"start":"09:00:00","end":"12:00:00"},{"start":"13:30:00","end":"17:30:00"}],[{"start":"09:00:00","end":"12:00:00"},{"start":"13:30:00","end":"17:30:00"}],[{"start":"09:00:00","end":"12:00:00"},{"start":"13:30:00","end":"17:30:00"}],[],[]]',
     0),
    (2, '24x7', 'Asia/Shanghai', '[[],[],[],[],[],[],[]]', 1);
