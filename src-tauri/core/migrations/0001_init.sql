-- Hotline Desk schema, version 1. Times are UTC milliseconds since the epoch.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE departments (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES departments(id),
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    active    INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE categories (
    id           INTEGER PRIMARY KEY,
    parent_id    INTEGER REFERENCES categories(id),
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    default_days INTEGER NOT NULL DEFAULT 5,
    active       INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    role          TEXT NOT NULL CHECK (role IN ('agent', 'handler', 'supervisor', 'manager', 'admin')),
    active        INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT,
    address    TEXT,
    notes      TEXT,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE customer_phones (
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    phone       TEXT NOT NULL,
    ext         TEXT,
    PRIMARY KEY (customer_id, phone)
) STRICT;
CREATE INDEX customer_phones_by_phone ON customer_phones(phone);

-- Per-day counters behind the human ticket numbers (20261122-0007).
CREATE TABLE day_sequences (
    day  TEXT PRIMARY KEY,
    last INTEGER NOT NULL
) STRICT;

CREATE TABLE tickets (
    id                    INTEGER PRIMARY KEY,
    number                TEXT NOT NULL UNIQUE,
    version               INTEGER NOT NULL,
    status                TEXT NOT NULL,
    customer_id           INTEGER REFERENCES customers(id),
    caller_name           TEXT NOT NULL,
    phone                 TEXT NOT NULL,
    phone_ext             TEXT,
    description           TEXT NOT NULL,
    occurred_at           INTEGER,
    received_at           INTEGER NOT NULL,
    category_id           INTEGER NOT NULL REFERENCES categories(id),
    channel               TEXT NOT NULL,
    severity              TEXT NOT NULL,
    urgency               TEXT NOT NULL,
    created_by            INTEGER NOT NULL REFERENCES users(id),
    department_id         INTEGER REFERENCES departments(id),
    handler_id            INTEGER REFERENCES users(id),
    requirements          TEXT,
    transferred_at        INTEGER,
    accept_due_at         INTEGER,
    due_at                INTEGER,
    extension             TEXT,
    extension_due_at      INTEGER,
    answer                TEXT,
    result                TEXT,
    resolved              INTEGER,
    replied_at            INTEGER,
    satisfaction          TEXT,
    callback_due_at       INTEGER,
    callback_method       TEXT,
    callback_satisfaction TEXT,
    redispatch_count      INTEGER NOT NULL DEFAULT 0,
    return_count          INTEGER NOT NULL DEFAULT 0,
    reopen_count          INTEGER NOT NULL DEFAULT 0,
    supervised            INTEGER NOT NULL DEFAULT 0,
    paused_at             INTEGER,
    closed_at             INTEGER,
    updated_at            INTEGER NOT NULL
) STRICT;

-- The timeline: append-only.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL REFERENCES users(id),
    action      TEXT NOT NULL,
    note        TEXT,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    UNIQUE (ticket_id, seq)
) STRICT;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'timeline events are immutable'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'timeline events are immutable'); END;

-- The hotline itself and a first administrator, so the app works on first start.
INSERT INTO departments (id, parent_id, code, name) VALUES (1, NULL, 'hotline', '热线服务中心');
INSERT INTO users (id, name, department_id, role) VALUES (1, '管理员', 1, 'admin');
INSERT INTO settings (key, value) VALUES ('acting_user', '1');

-- Categories from the regulations; the UI translates these codes.
INSERT INTO categories (id, parent_id, code, name, default_days) VALUES
    (1,  NULL, 'consultation',                 '咨询', 3),
    (2,  NULL, 'complaint',                    '投诉', 5),
    (3,  2,    'complaint.service_attitude',   '服务态度', 5),
    (4,  2,    'complaint.service_quality',    '服务质量', 5),
    (5,  2,    'complaint.service_process',    '服务流程', 5),
    (6,  2,    'complaint.product',            '产品问题', 10),
    (7,  2,    'complaint.after_sales',        '售后服务', 10),
    (8,  NULL, 'help_request',                 '求助', 3),
    (9,  NULL, 'suggestion',                   '建议', 10),
    (10, NULL, 'praise',                       '表扬', 5),
    (11, NULL, 'incident_report',              '突发事件报告', 1);
