-- The onboarding checklist of new agents: items (seeded by key, worded by the desk's
-- translations; a trainer's own carry a title), each person's start, and the ticks of
-- tasks. Session and exam items are done by attendance and results, not stored here.
CREATE TABLE onboarding_items (
    id          INTEGER PRIMARY KEY,
    key         TEXT UNIQUE,
    title       TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('task', 'session', 'exam')),
    topic       TEXT,
    exam_id     INTEGER REFERENCES exams(id),
    days        INTEGER NOT NULL CHECK (days BETWEEN 1 AND 365),
    active      INTEGER NOT NULL DEFAULT 1,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL DEFAULT 0,
    CHECK (key IS NOT NULL OR title <> ''),
    CHECK ((kind = 'session') = (topic IS NOT NULL))
) STRICT;

INSERT INTO onboarding_items (key, kind, topic, days) VALUES
    ('accounts', 'task', NULL, 1),
    ('regulations', 'task', NULL, 7),
    ('security', 'session', 'information_security', 7),
    ('shadowing', 'task', NULL, 14),
    ('knowledge', 'task', NULL, 14),
    ('process', 'session', 'service_process', 21),
    ('communication', 'session', 'communication', 21),
    ('exam', 'exam', NULL, 30),
    ('first_calls', 'task', NULL, 30);

CREATE TABLE onboardings (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id),
    started_at  INTEGER NOT NULL,
    started_by  INTEGER REFERENCES users(id),
    mentor_id   INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE onboarding_ticks (
    user_id     INTEGER NOT NULL REFERENCES onboardings(user_id),
    item_id     INTEGER NOT NULL REFERENCES onboarding_items(id),
    done_at     INTEGER NOT NULL,
    done_by     INTEGER NOT NULL REFERENCES users(id),
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, item_id)
) STRICT, WITHOUT ROWID;
