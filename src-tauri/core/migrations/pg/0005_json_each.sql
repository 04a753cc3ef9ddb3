-- SQLite's json_each over a JSON array of ids, as the store uses it (`SELECT value FROM
-- json_each(?)`: a set of ticket ids bound as one text). PostgreSQL's own json_each takes
-- a json object; this one takes text and gives the array's numbers.
CREATE FUNCTION json_each(doc TEXT) RETURNS TABLE (value BIGINT) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT e::BIGINT FROM json_array_elements_text(doc::json) AS e
$$;
