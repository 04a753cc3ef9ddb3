-- Personal settings (the screen's language) per user: on a centre server many users share
-- one store, and one agent's choice must not change everyone's screen. The centre-wide
-- value in `settings` stays the default for users who chose nothing.
CREATE TABLE user_settings (
    user_id INTEGER NOT NULL REFERENCES users(id),
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
