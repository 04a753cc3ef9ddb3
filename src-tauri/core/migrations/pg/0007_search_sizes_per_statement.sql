-- The search indexes' sizes kept per statement, not per row, for what is added and
-- removed: a row trigger updated the same two rows of search_sizes once per ticket, and
-- within one transaction each update leaves a version the next must step over — a bulk
-- copy (moving a centre, an import) slowed quadratically (a million tickets: not done
-- after ten minutes). Transition tables give one update per statement. A change of a
-- ticket's texts (one row at a time, rare) keeps the row trigger: PostgreSQL allows no
-- transition table on a trigger limited to some columns.
DROP TRIGGER tickets_search_sizes ON tickets;

CREATE FUNCTION hd_search_sizes_by(sign BIGINT, n BIGINT, trigrams BIGINT, bigrams BIGINT) RETURNS void
LANGUAGE sql AS $$
    UPDATE search_sizes SET rows = rows + sign * n,
        tokens = tokens + sign * CASE index_name WHEN 'trigram' THEN trigrams ELSE bigrams END
    WHERE index_name IN ('trigram', 'bigram');
$$;

CREATE FUNCTION hd_search_sizes_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hd_search_sizes_by(1, count(*), coalesce(sum(hd_trigram_tokens(description, answer, result)), 0)::BIGINT,
        coalesce(sum(hd_bigram_tokens(phone, description, answer, result)), 0)::BIGINT) FROM added;
    RETURN NULL;
END $$;

CREATE FUNCTION hd_search_sizes_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hd_search_sizes_by(-1, count(*), coalesce(sum(hd_trigram_tokens(description, answer, result)), 0)::BIGINT,
        coalesce(sum(hd_bigram_tokens(phone, description, answer, result)), 0)::BIGINT) FROM removed;
    RETURN NULL;
END $$;

CREATE TRIGGER tickets_search_sizes_added AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION hd_search_sizes_added();
CREATE TRIGGER tickets_search_sizes_removed AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION hd_search_sizes_removed();
CREATE TRIGGER tickets_search_sizes AFTER UPDATE OF phone, description, answer, result
    ON tickets FOR EACH ROW EXECUTE FUNCTION hd_search_sizes();
