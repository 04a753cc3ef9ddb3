-- Chinese search on PostgreSQL, meaning what SQLite's two FTS5 indexes mean (`search.rs`):
-- words of three characters or more by pg_trgm trigram indexes on each text (ILIKE, case
-- folded); one or two characters and fragments of numbers, which trigrams cannot serve, by
-- an index of each ticket's characters and character pairs (`hd_grams`), the match then
-- checked exactly. The ranking is FTS5's bm25 computed by the store; it needs each index's
-- size in tokens, kept here as the tickets change.
CREATE INDEX tickets_description_trgm ON tickets USING gin (description gin_trgm_ops);
CREATE INDEX tickets_answer_trgm ON tickets USING gin (answer gin_trgm_ops);
CREATE INDEX tickets_result_trgm ON tickets USING gin (result gin_trgm_ops);

-- Every character and every pair of adjacent characters of a text, lower-cased, without
-- whitespace: a superset filter for any substring of one or more characters. A loop, not
-- set operations: ten times faster, and it runs on every write of a ticket's texts.
CREATE FUNCTION hd_grams(body TEXT) RETURNS TEXT[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    l TEXT := lower(body);
    grams TEXT[] := '{}';
    c TEXT;
    prev TEXT := NULL;
BEGIN
    FOR i IN 1..coalesce(char_length(l), 0) LOOP
        c := substr(l, i, 1);
        IF c ~ '\s' THEN
            prev := NULL;
            CONTINUE;
        END IF;
        grams := grams || c;
        IF prev IS NOT NULL THEN
            grams := grams || (prev || c);
        END IF;
        prev := c;
    END LOOP;
    RETURN grams;
END $$;

CREATE INDEX tickets_grams ON tickets USING gin (
    hd_grams(phone || ' ' || description || ' ' || coalesce(answer, '') || ' ' || coalesce(result, ''))
);

-- The two indexes' sizes as FTS5 counts them: a text of n characters is n - 2 trigrams
-- (each of description, answer, result), and one bigram token per word character of
-- phone, description, answer and result together.
CREATE FUNCTION hd_trigram_tokens(d TEXT, a TEXT, r TEXT) RETURNS BIGINT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (greatest(char_length(lower(d)) - 2, 0) + greatest(coalesce(char_length(lower(a)), 0) - 2, 0)
        + greatest(coalesce(char_length(lower(r)), 0) - 2, 0))::BIGINT
$$;
CREATE FUNCTION hd_bigram_tokens(p TEXT, d TEXT, a TEXT, r TEXT) RETURNS BIGINT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT char_length(regexp_replace(lower(p || ' ' || d || ' ' || coalesce(a, '') || ' ' || coalesce(r, '')),
                                      '[^[:alnum:]]', '', 'g'))::BIGINT
$$;

CREATE TABLE search_sizes (
    index_name TEXT PRIMARY KEY,
    rows BIGINT NOT NULL,
    tokens BIGINT NOT NULL
);
INSERT INTO search_sizes (index_name, rows, tokens)
SELECT 'trigram', count(*), coalesce(sum(hd_trigram_tokens(description, answer, result)), 0) FROM tickets
UNION ALL
SELECT 'bigram', count(*), coalesce(sum(hd_bigram_tokens(phone, description, answer, result)), 0) FROM tickets;

CREATE FUNCTION hd_search_sizes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    dr BIGINT := 0; dt BIGINT := 0; db BIGINT := 0;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        dt := dt + hd_trigram_tokens(NEW.description, NEW.answer, NEW.result);
        db := db + hd_bigram_tokens(NEW.phone, NEW.description, NEW.answer, NEW.result);
        IF TG_OP = 'INSERT' THEN dr := dr + 1; END IF;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        dt := dt - hd_trigram_tokens(OLD.description, OLD.answer, OLD.result);
        db := db - hd_bigram_tokens(OLD.phone, OLD.description, OLD.answer, OLD.result);
        IF TG_OP = 'DELETE' THEN dr := dr - 1; END IF;
    END IF;
    UPDATE search_sizes SET rows = rows + dr, tokens = tokens + dt WHERE index_name = 'trigram';
    UPDATE search_sizes SET rows = rows + dr, tokens = tokens + db WHERE index_name = 'bigram';
    RETURN NULL;
END $$;
CREATE TRIGGER tickets_search_sizes AFTER INSERT OR DELETE OR UPDATE OF phone, description, answer, result
    ON tickets FOR EACH ROW EXECUTE FUNCTION hd_search_sizes();
