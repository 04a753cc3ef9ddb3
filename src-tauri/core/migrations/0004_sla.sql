-- SLA policies: how long each stage may take, by category and severity (NULL = any).
-- The most specific row wins: category and severity, then severity, then category, then
-- the default. `unit`: working_days, business_hours or calendar_hours, on `calendar`.
CREATE TABLE sla_policies (
    id          INTEGER PRIMARY KEY,
    stage       TEXT NOT NULL CHECK (stage IN ('accept', 'contact', 'handle', 'feedback', 'callback')),
    category_id INTEGER REFERENCES categories(id),
    severity    TEXT CHECK (severity IN ('general', 'serious', 'major', 'extraordinary')),
    unit        TEXT NOT NULL CHECK (unit IN ('working_days', 'business_hours', 'calendar_hours')),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    calendar    TEXT NOT NULL REFERENCES calendars(name),
    UNIQUE (stage, category_id, severity)
) STRICT;

INSERT INTO sla_policies (stage, category_id, severity, unit, amount, calendar) VALUES
    ('accept',   NULL, NULL,            'business_hours', 4,  'office'),
    ('accept',   NULL, 'serious',       'business_hours', 1,  'office'),
    ('accept',   NULL, 'major',         'calendar_hours', 1,  '24x7'),
    ('accept',   NULL, 'extraordinary', 'calendar_hours', 1,  '24x7'),
    ('contact',  NULL, NULL,            'working_days',   1,  'office'),
    ('handle',   NULL, NULL,            'working_days',   5,  'office'),
    ('handle',   1,    NULL,            'working_days',   3,  'office'),
    ('handle',   6,    NULL,            'working_days',   10, 'office'),
    ('handle',   7,    NULL,            'working_days',   10, 'office'),
    ('handle',   8,    NULL,            'working_days',   3,  'office'),
    ('handle',   11,   NULL,            'business_hours', 8,  'office'),
    ('handle',   NULL, 'serious',       'business_hours', 16, 'office'),
    ('handle',   NULL, 'major',         'calendar_hours', 24, '24x7'),
    ('handle',   NULL, 'extraordinary', 'calendar_hours', 4,  '24x7'),
    ('feedback', NULL, NULL,            'working_days',   1,  'office'),
    ('callback', NULL, NULL,            'working_days',   3,  'office');
