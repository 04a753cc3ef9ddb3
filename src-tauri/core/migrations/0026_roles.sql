-- rebuilds a referenced table
-- Roles for quality, legal review, HR and training (质检员, 法务, 人力资源, 培训师). SQLite
-- cannot change a CHECK in place and other tables reference users: the table is rebuilt
-- with foreign keys off (the migration runner's documented way), ids and rows kept.
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    role          TEXT NOT NULL CHECK (role IN ('agent', 'handler', 'supervisor', 'manager', 'admin',
                                                'qa', 'legal', 'hr', 'trainer')),
    active        INTEGER NOT NULL DEFAULT 1,
    extension     TEXT,
    login         TEXT,
    password_hash TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER
) STRICT;
INSERT INTO users_new (id, name, department_id, role, active, extension, login, password_hash,
                       failed_logins, locked_until)
    SELECT id, name, department_id, role, active, extension, login, password_hash,
           failed_logins, locked_until
    FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE UNIQUE INDEX users_by_extension ON users(extension) WHERE extension IS NOT NULL;
CREATE UNIQUE INDEX users_login ON users (login COLLATE NOCASE) WHERE login IS NOT NULL;
