-- The knowledge base's suggestions on PostgreSQL (SQLite's `kb_search`): every version's
-- characters and character pairs, so the published ones holding any word of what the
-- caller said are found through the index; the store ranks them as FTS5 does.
CREATE INDEX kb_versions_grams ON kb_versions USING gin (
    hd_grams(title || ' ' || questions || ' ' || keywords || ' ' || answer)
);
