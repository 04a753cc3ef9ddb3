-- Training (培训): sessions of the annual plan with their audience and attendance, the
-- question bank, exams drawn from it (every taker the same paper) and the attempts.
CREATE TABLE training_sessions (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    topic       TEXT NOT NULL,
    method      TEXT NOT NULL CHECK (method IN ('internal', 'external', 'online')),
    starts_at   INTEGER NOT NULL,
    hours       REAL NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    reminded_at INTEGER
) STRICT;
CREATE INDEX training_sessions_by_start ON training_sessions(starts_at);

CREATE TABLE training_attendance (
    session_id  INTEGER NOT NULL REFERENCES training_sessions(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    -- NULL: expected; 1 attended; 0 absent.
    attended    INTEGER,
    PRIMARY KEY (session_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE exam_questions (
    id          INTEGER PRIMARY KEY,
    topic       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'true_false')),
    body        TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE exams (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    minutes     INTEGER NOT NULL,
    pass_mark   INTEGER NOT NULL,
    attempts    INTEGER NOT NULL,
    -- The drawn paper: question ids in order, with the questions as they were then.
    paper       TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE exam_attempts (
    id           INTEGER PRIMARY KEY,
    exam_id      INTEGER NOT NULL REFERENCES exams(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    started_at   INTEGER NOT NULL,
    submitted_at INTEGER,
    answers      TEXT,
    score        REAL,
    passed       INTEGER
) STRICT;
CREATE INDEX exam_attempts_by_user ON exam_attempts(user_id, exam_id);
