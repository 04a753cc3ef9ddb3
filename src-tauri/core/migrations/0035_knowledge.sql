-- The knowledge base (知识库): articles and every version of them. The article row says
-- which version is published (offered to agents) and which is the latest (being written
-- or reviewed); the versions themselves are never deleted.
CREATE TABLE kb_articles (
    id                INTEGER PRIMARY KEY,
    latest_version    INTEGER NOT NULL,
    published_version INTEGER,
    retired_at        INTEGER,
    retired_by        INTEGER REFERENCES users(id),
    retire_reason     TEXT,
    created_by        INTEGER NOT NULL REFERENCES users(id),
    created_at        INTEGER NOT NULL,
    -- The ticket the article was drafted from, if any.
    from_ticket_id    INTEGER REFERENCES tickets(id)
) STRICT;

CREATE TABLE kb_versions (
    article_id    INTEGER NOT NULL REFERENCES kb_articles(id),
    version       INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'published', 'superseded', 'retired')),
    title         TEXT NOT NULL,
    -- The question variants (问法), one per line.
    questions     TEXT NOT NULL,
    answer        TEXT NOT NULL,
    category_id   INTEGER REFERENCES categories(id),
    department_id INTEGER REFERENCES departments(id),
    -- Keywords, one per line.
    keywords      TEXT NOT NULL,
    source        TEXT NOT NULL,
    material      TEXT NOT NULL,
    valid_from    TEXT,
    valid_until   TEXT,
    author_id     INTEGER NOT NULL REFERENCES users(id),
    saved_at      INTEGER NOT NULL,
    submitted_at  INTEGER,
    reviewed_by   INTEGER REFERENCES users(id),
    reviewed_at   INTEGER,
    review_note   TEXT,
    PRIMARY KEY (article_id, version)
) STRICT, WITHOUT ROWID;
CREATE INDEX kb_versions_by_department ON kb_versions(department_id);

-- The published versions, searched as tickets are: character bigrams of each field (the
-- store's `hd_bigrams`), so one- and two-character words and whole sentences both find
-- them; bm25 weighs the fields. Kept by the store when a version is published or retired.
CREATE VIRTUAL TABLE kb_search USING fts5(
    title, questions, keywords, answer,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- Which article (and version) answered a ticket at once: one per ticket.
CREATE TABLE kb_uses (
    ticket_id  INTEGER PRIMARY KEY REFERENCES tickets(id),
    article_id INTEGER NOT NULL REFERENCES kb_articles(id),
    version    INTEGER NOT NULL,
    used_by    INTEGER NOT NULL REFERENCES users(id),
    used_at    INTEGER NOT NULL,
    FOREIGN KEY (article_id, version) REFERENCES kb_versions(article_id, version)
) STRICT;
CREATE INDEX kb_uses_by_article ON kb_uses(article_id, used_at);
CREATE INDEX kb_uses_by_time ON kb_uses(used_at);
