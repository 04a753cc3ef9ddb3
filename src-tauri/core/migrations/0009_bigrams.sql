-- Two-character Chinese words and phone-number fragments, which the trigram index
-- cannot answer: a contentless FTS5 index of character bigrams (`hd_bigrams`, a
-- function the store registers on every connection it opens), kept by triggers.
CREATE VIRTUAL TABLE tickets_bigrams USING fts5(
    body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER tickets_bigrams_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_bigrams (rowid, body) VALUES (new.id, hd_bigrams(
        new.phone || ' ' || new.description || ' ' || coalesce(new.answer, '') || ' ' || coalesce(new.result, '')));
END;
CREATE TRIGGER tickets_bigrams_update AFTER UPDATE OF phone, description, answer, result ON tickets BEGIN
    DELETE FROM tickets_bigrams WHERE rowid = old.id;
    INSERT INTO tickets_bigrams (rowid, body) VALUES (new.id, hd_bigrams(
        new.phone || ' ' || new.description || ' ' || coalesce(new.answer, '') || ' ' || coalesce(new.result, '')));
END;
CREATE TRIGGER tickets_bigrams_delete AFTER DELETE ON tickets BEGIN
    DELETE FROM tickets_bigrams WHERE rowid = old.id;
END;

INSERT INTO tickets_bigrams (rowid, body)
SELECT id, hd_bigrams(phone || ' ' || description || ' ' || coalesce(answer, '') || ' ' || coalesce(result, ''))
FROM tickets;
