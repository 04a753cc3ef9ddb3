-- Quality assurance of calls (录音抽查): each call's recording (a file path or URL from the
-- recording pattern), versioned scorecards, the monthly samples and the reviews — scored,
-- acknowledged by the agent, or disputed and decided by a second reviewer.
ALTER TABLE calls ADD COLUMN recording TEXT;

CREATE TABLE qa_scorecards (
    id          INTEGER PRIMARY KEY,
    version     INTEGER NOT NULL UNIQUE,
    body        TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE TRIGGER qa_scorecards_no_update BEFORE UPDATE ON qa_scorecards
BEGIN SELECT RAISE(ABORT, 'scorecard versions are immutable'); END;

CREATE TABLE qa_samples (
    id          INTEGER PRIMARY KEY,
    month       TEXT NOT NULL UNIQUE,
    plan        TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE qa_reviews (
    id            INTEGER PRIMARY KEY,
    sample_id     INTEGER REFERENCES qa_samples(id),
    -- Calibration: several reviewers score one call; their reviews share the session.
    calibration   INTEGER,
    call_id       INTEGER NOT NULL REFERENCES calls(id),
    agent_id      INTEGER NOT NULL REFERENCES users(id),
    reviewer_id   INTEGER REFERENCES users(id),
    status        TEXT NOT NULL CHECK (status IN ('assigned', 'scored', 'acknowledged', 'disputed', 'decided')),
    scorecard_id  INTEGER REFERENCES qa_scorecards(id),
    scores        TEXT,
    comments      TEXT,
    points        REAL,
    critical      INTEGER NOT NULL DEFAULT 0,
    scored_at     INTEGER,
    acked_at      INTEGER,
    dispute       TEXT,
    disputed_at   INTEGER,
    second_id     INTEGER REFERENCES users(id),
    second_scores TEXT,
    second_points REAL,
    decided_at    INTEGER,
    CHECK (reviewer_id IS NULL OR reviewer_id <> agent_id),
    CHECK (second_id IS NULL OR (second_id <> agent_id AND second_id <> reviewer_id))
) STRICT;
CREATE INDEX qa_reviews_by_reviewer ON qa_reviews(reviewer_id, status);
CREATE INDEX qa_reviews_by_agent ON qa_reviews(agent_id, scored_at);
CREATE INDEX qa_reviews_by_call ON qa_reviews(call_id);
CREATE UNIQUE INDEX qa_reviews_sampled_once ON qa_reviews(sample_id, call_id) WHERE sample_id IS NOT NULL;
