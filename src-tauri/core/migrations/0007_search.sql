-- Full-text search over what callers said and what was answered, in Chinese: FTS5 with
-- the trigram tokenizer (no word segmentation needed). Queries shorter than three
-- characters cannot MATCH a trigram index; the store falls back to LIKE for them.
CREATE VIRTUAL TABLE tickets_fts USING fts5(
    description, answer, result,
    content = 'tickets', content_rowid = 'id',
    tokenize = 'trigram'
);

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, description, answer, result)
    VALUES (new.id, new.description, coalesce(new.answer, ''), coalesce(new.result, ''));
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF description, answer, result ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, description, answer, result)
    VALUES ('delete', old.id, old.description, coalesce(old.answer, ''), coalesce(old.result, ''));
    INSERT INTO tickets_fts (rowid, description, answer, result)
    VALUES (new.id, new.description, coalesce(new.answer, ''), coalesce(new.result, ''));
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, description, answer, result)
    VALUES ('delete', old.id, old.description, coalesce(old.answer, ''), coalesce(old.result, ''));
END;

-- Index what existed before this version.
INSERT INTO tickets_fts (rowid, description, answer, result)
SELECT id, description, coalesce(answer, ''), coalesce(result, '') FROM tickets;
