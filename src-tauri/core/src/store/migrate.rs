//! Numbered SQL migrations embedded in the binary. Each runs in its own IMMEDIATE
//! transaction together with the `user_version` bump, so a failure leaves the file at
//! the previous version. A file from a newer version is refused, never downgraded.

use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../../migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "queue_indexes",
        sql: include_str!("../../migrations/0002_queue_indexes.sql"),
    },
    Migration {
        version: 3,
        name: "calendars",
        sql: include_str!("../../migrations/0003_calendars.sql"),
    },
    Migration {
        version: 4,
        name: "sla",
        sql: include_str!("../../migrations/0004_sla.sql"),
    },
    Migration {
        version: 5,
        name: "alarms",
        sql: include_str!("../../migrations/0005_alarms.sql"),
    },
    Migration {
        version: 6,
        name: "calls",
        sql: include_str!("../../migrations/0006_calls.sql"),
    },
    Migration {
        version: 7,
        name: "search",
        sql: include_str!("../../migrations/0007_search.sql"),
    },
    Migration {
        version: 8,
        name: "accounts",
        sql: include_str!("../../migrations/0008_accounts.sql"),
    },
    Migration {
        version: 9,
        name: "bigrams",
        sql: include_str!("../../migrations/0009_bigrams.sql"),
    },
    Migration {
        version: 10,
        name: "report_indexes",
        sql: include_str!("../../migrations/0010_report_indexes.sql"),
    },
    Migration {
        version: 11,
        name: "covering_kpi_indexes",
        sql: include_str!("../../migrations/0011_covering_kpi_indexes.sql"),
    },
    Migration {
        version: 12,
        name: "callers",
        sql: include_str!("../../migrations/0012_callers.sql"),
    },
    Migration {
        version: 13,
        name: "workflow_alarms",
        sql: include_str!("../../migrations/0013_workflow_alarms.sql"),
    },
    Migration {
        version: 14,
        name: "event_versions",
        sql: include_str!("../../migrations/0014_event_versions.sql"),
    },
    Migration {
        version: 15,
        name: "drafts",
        sql: include_str!("../../migrations/0015_drafts.sql"),
    },
    Migration {
        version: 16,
        name: "reply_templates",
        sql: include_str!("../../migrations/0016_reply_templates.sql"),
    },
    Migration {
        version: 17,
        name: "outbox",
        sql: include_str!("../../migrations/0017_outbox.sql"),
    },
    Migration {
        version: 18,
        name: "sessions",
        sql: include_str!("../../migrations/0018_sessions.sql"),
    },
    Migration {
        version: 19,
        name: "user_settings",
        sql: include_str!("../../migrations/0019_user_settings.sql"),
    },
    Migration {
        version: 20,
        name: "intake_keys",
        sql: include_str!("../../migrations/0020_intake_keys.sql"),
    },
    Migration {
        version: 21,
        name: "incidents",
        sql: include_str!("../../migrations/0021_incidents.sql"),
    },
    Migration {
        version: 22,
        name: "duty_roster",
        sql: include_str!("../../migrations/0022_duty_roster.sql"),
    },
    Migration {
        version: 23,
        name: "incident_pages",
        sql: include_str!("../../migrations/0023_incident_pages.sql"),
    },
    Migration {
        version: 24,
        name: "incident_suggestions",
        sql: include_str!("../../migrations/0024_incident_suggestions.sql"),
    },
    Migration {
        version: 25,
        name: "incident_reviews",
        sql: include_str!("../../migrations/0025_incident_reviews.sql"),
    },
    Migration {
        version: 26,
        name: "roles",
        sql: include_str!("../../migrations/0026_roles.sql"),
    },
    Migration {
        version: 27,
        name: "complaints",
        sql: include_str!("../../migrations/0027_complaints.sql"),
    },
    Migration {
        version: 28,
        name: "complaint_follow_through",
        sql: include_str!("../../migrations/0028_complaint_follow_through.sql"),
    },
    Migration {
        version: 29,
        name: "qa",
        sql: include_str!("../../migrations/0029_qa.sql"),
    },
    Migration {
        version: 30,
        name: "training",
        sql: include_str!("../../migrations/0030_training.sql"),
    },
    Migration {
        version: 31,
        name: "qa_training_topic",
        sql: include_str!("../../migrations/0031_qa_training_topic.sql"),
    },
    Migration {
        version: 32,
        name: "training_reminders",
        sql: include_str!("../../migrations/0032_training_reminders.sql"),
    },
    Migration {
        version: 33,
        name: "attachments",
        sql: include_str!("../../migrations/0033_attachments.sql"),
    },
    Migration {
        version: 34,
        name: "onboarding",
        sql: include_str!("../../migrations/0034_onboarding.sql"),
    },
    Migration {
        version: 35,
        name: "knowledge",
        sql: include_str!("../../migrations/0035_knowledge.sql"),
    },
    Migration {
        version: 36,
        name: "dispatch",
        sql: include_str!("../../migrations/0036_dispatch.sql"),
    },
    Migration {
        version: 37,
        name: "cohandling",
        sql: include_str!("../../migrations/0037_cohandling.sql"),
    },
    Migration {
        version: 38,
        name: "duplicates",
        sql: include_str!("../../migrations/0038_duplicates.sql"),
    },
    Migration {
        version: 39,
        name: "return_review",
        sql: include_str!("../../migrations/0039_return_review.sql"),
    },
    Migration {
        version: 40,
        name: "assessment_adjustments",
        sql: include_str!("../../migrations/0040_assessment_adjustments.sql"),
    },
    Migration {
        version: 41,
        name: "supervision_notices",
        sql: include_str!("../../migrations/0041_supervision_notices.sql"),
    },
    Migration {
        version: 42,
        name: "co_handling_alarms",
        sql: include_str!("../../migrations/0042_co_handling_alarms.sql"),
    },
    Migration {
        version: 43,
        name: "return_reasons",
        sql: include_str!("../../migrations/0043_return_reasons.sql"),
    },
    Migration {
        version: 44,
        name: "repeat_figures",
        sql: include_str!("../../migrations/0044_repeat_figures.sql"),
    },
    Migration {
        version: 45,
        name: "notice_alarms",
        sql: include_str!("../../migrations/0045_notice_alarms.sql"),
    },
    Migration {
        version: 46,
        name: "evaluations",
        sql: include_str!("../../migrations/0046_evaluations.sql"),
    },
];

/// The first line of a migration that rebuilds a table other tables reference.
const REBUILDS: &str = "-- rebuilds a referenced table";

fn apply(conn: &mut Connection, m: &Migration, rebuild: bool) -> Result<()> {
    let failed = |reason: String| Error::Migration {
        version: m.version,
        reason,
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(m.sql).map_err(|e| failed(e.to_string()))?;
    if rebuild {
        let dangling: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = dangling {
            return Err(failed(format!("a row of {table} lost its reference")));
        }
    }
    tx.pragma_update(None, "user_version", m.version)?;
    tx.commit()?;
    Ok(())
}

pub fn run(conn: &mut Connection, migrations: &[Migration]) -> Result<i64> {
    let supported = migrations.last().map(|m| m.version).unwrap_or(0);
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > supported {
        return Err(Error::DatabaseTooNew {
            found: current,
            supported,
        });
    }
    for m in migrations.iter().filter(|m| m.version > current) {
        // Rebuilding a table that others reference (SQLite changes no CHECK in place) is
        // done with foreign keys off, as SQLite documents it, and checked before commit;
        // the pragma is a no-op inside a transaction, so it is set around it.
        let rebuild = m.sql.starts_with(REBUILDS);
        if rebuild {
            conn.pragma_update(None, "foreign_keys", "OFF")?;
        }
        let done = apply(conn, m, rebuild);
        if rebuild {
            conn.pragma_update(None, "foreign_keys", "ON")?;
        }
        done?;
    }
    Ok(supported)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::store::Store;
    use std::sync::Arc;

    fn version(c: &Connection) -> i64 {
        c.query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version")
    }

    #[test]
    fn versions_are_numbered_in_order_and_match_file_names() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
        }
    }

    #[test]
    fn every_migration_validates_on_an_empty_database() {
        let mut c = Connection::open_in_memory().expect("open");
        super::super::configure(&c).expect("configure");
        run(&mut c, MIGRATIONS).expect("migrate");
        assert_eq!(version(&c), MIGRATIONS.len() as i64);
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(ok, "ok");
        let fk: Option<String> = c
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .ok();
        assert_eq!(fk, None);
        // Running again is a no-op.
        run(&mut c, MIGRATIONS).expect("again");
        assert_eq!(version(&c), MIGRATIONS.len() as i64);
    }

    #[test]
    fn upgrades_an_older_file_and_keeps_its_data() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("old.db");
        {
            let mut c = Connection::open(&path).expect("open");
            run(&mut c, &MIGRATIONS[..1]).expect("v1");
            c.execute(
                "INSERT INTO departments (code, name) VALUES ('water', '水务集团')",
                [],
            )
            .expect("data");
        }
        let s = Store::open(&path, Arc::new(SystemClock)).expect("upgrade");
        let depts = s.departments().expect("list");
        assert!(depts.iter().any(|d| d.code == "water"));
        s.read(|c| {
            assert_eq!(version(c.as_sqlite().expect("SQLite")), MIGRATIONS.len() as i64);
            let idx: i64 = c.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'tickets_queue'",
                [],
                |r| r.get(0),
            )?;
            assert_eq!(idx, 1);
            Ok(())
        })
        .expect("read");
    }

    /// The users table is rebuilt for the new roles: rows, ids and the tables that
    /// reference them survive, and foreign keys are on again afterwards.
    #[test]
    fn the_roles_rebuild_keeps_users_and_their_references() {
        let mut c = Connection::open_in_memory().expect("open");
        super::super::configure(&c).expect("configure");
        run(&mut c, &MIGRATIONS[..25]).expect("v25");
        c.execute(
            "INSERT INTO users (id, name, department_id, role, login) VALUES (7, '李娜', 1, 'agent', 'lina')",
            [],
        )
        .expect("a user");
        c.execute(
            "INSERT INTO user_settings (user_id, key, value) VALUES (7, 'language', 'en')",
            [],
        )
        .expect("a referencing row");
        run(&mut c, MIGRATIONS).expect("upgrade");
        let (name, login): (String, String) = c
            .query_row("SELECT name, login FROM users WHERE id = 7", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("kept");
        assert_eq!((name.as_str(), login.as_str()), ("李娜", "lina"));
        let fk: i64 = c
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("fk");
        assert_eq!(fk, 1);
        c.execute("UPDATE users SET role = 'qa' WHERE id = 7", [])
            .expect("a new role");
        assert!(c
            .execute("UPDATE users SET role = 'janitor' WHERE id = 7", [])
            .is_err());
        assert!(
            c.execute("DELETE FROM users WHERE id = 7", []).is_err(),
            "references hold again"
        );
    }

    /// A database at the schema just before migration `name`, holding the tickets `ids`.
    fn before(name: &str, ids: &[i64]) -> Connection {
        let mut c = Connection::open_in_memory().expect("open");
        super::super::configure(&c).expect("configure");
        let before = MIGRATIONS
            .iter()
            .position(|m| m.name == name)
            .expect("the migration");
        run(&mut c, &MIGRATIONS[..before]).expect("old");
        c.execute(
            "INSERT INTO categories (id, code, name) VALUES (99, 'x', 'x')",
            [],
        )
        .expect("category");
        for id in ids {
            c.execute(
                "INSERT INTO tickets (id, number, caller_name, phone, description, category_id, channel, severity, urgency,
                     created_by, status, received_at, updated_at, version)
                 VALUES (?1, printf('20261201-%04d', ?1), '张三', '13800000000', 'd', 99, 'phone', 'general', 'normal',
                     1, 'received', 0, 0, 1)",
                [id],
            )
            .expect("an old ticket");
        }
        c
    }

    /// The notification centre rebuilt for training reminders keeps its rows and ids.
    #[test]
    fn the_notifications_rebuild_keeps_the_inbox() {
        let mut c = before("training_reminders", &[7]);
        c.execute_batch(
            "INSERT INTO notifications (id, user_id, ticket_id, kind, threshold, deadline, created_at)
             VALUES (41, 1, 7, 'handle', 50, 0, 0);",
        )
        .expect("an old notification");
        run(&mut c, MIGRATIONS).expect("upgrade");
        let kept: (i64, Option<i64>) = c
            .query_row(
                "SELECT ticket_id, session_id FROM notifications WHERE id = 41",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("kept");
        assert_eq!(kept, (7, None));
        assert!(c
            .execute(
                "INSERT INTO notifications (user_id, kind, threshold, deadline, created_at) VALUES (1, 'x', 0, 0, 0)",
                []
            )
            .is_err(), "about nothing is refused");
    }

    /// The evaluations kept beside the timeline start from the evaluations already in it.
    #[test]
    fn evaluations_are_filled_from_the_timeline() {
        let mut c = before("evaluations", &[7, 8]);
        c.execute_batch(
            "INSERT INTO events (id, ticket_id, seq, at, actor_id, action, to_status, data) VALUES
                 (1, 7, 1, 10, 1, 'create', 'received', '{}'),
                 (2, 7, 2, 20, 1, 'feedback', 'closed', '{\"satisfaction\":\"unsatisfied\"}'),
                 (3, 8, 1, 25, 1, 'feedback', 'closed', '{}'),
                 (4, 7, 3, 30, 1, 'feedback', 'closed', '{\"satisfaction\":\"satisfied\"}');",
        )
        .expect("an old timeline");
        run(&mut c, MIGRATIONS).expect("upgrade");
        let rows: Vec<(i64, i64, i64, Option<String>, bool, bool)> = c
            .prepare("SELECT event_id, ticket_id, at, level, first, last FROM evaluations ORDER BY event_id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(
            rows,
            vec![
                (2, 7, 20, Some("unsatisfied".into()), true, false),
                (3, 8, 25, None, true, true),
                (4, 7, 30, Some("satisfied".into()), false, true),
            ]
        );
    }

    #[test]
    fn a_rebuild_that_orphans_a_row_changes_nothing() {
        let broken = [
            MIGRATIONS[0],
            Migration {
                version: 2,
                name: "orphans",
                sql: "-- rebuilds a referenced table
                      CREATE TABLE notes (user_id INTEGER NOT NULL REFERENCES users(id));
                      INSERT INTO notes VALUES (1);
                      CREATE TABLE users_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, department_id INTEGER NOT NULL, role TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);
                      DROP TABLE users; ALTER TABLE users_new RENAME TO users;",
            },
        ];
        let mut c = Connection::open_in_memory().expect("open");
        super::super::configure(&c).expect("configure");
        let e = run(&mut c, &broken).expect_err("the note's user would be gone");
        assert_eq!(e.code(), "migration_failed");
        assert!(
            format!("{e:?}").contains("notes lost its reference"),
            "{e:?}"
        );
        assert_eq!(version(&c), 1);
        let n: i64 = c
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .expect("users kept");
        assert_eq!(n, 1);
    }

    #[test]
    fn a_failing_migration_changes_nothing() {
        let broken = [
            MIGRATIONS[0],
            Migration {
                version: 2,
                name: "broken",
                sql: "CREATE TABLE half_done (x INTEGER); INSERT INTO nowhere VALUES (1);",
            },
        ];
        let mut c = Connection::open_in_memory().expect("open");
        let e = run(&mut c, &broken).expect_err("must fail");
        assert_eq!(e.code(), "migration_failed");
        assert_eq!(version(&c), 1);
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(n, 0);
    }

    #[test]
    fn a_newer_database_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("new.db");
        {
            let c = Connection::open(&path).expect("open");
            c.pragma_update(None, "user_version", 99).expect("bump");
        }
        let e = Store::open(&path, Arc::new(SystemClock))
            .err()
            .expect("refused");
        assert_eq!(e.code(), "database_too_new");
        assert_eq!(e.details()["found"], 99);
        let c = Connection::open(&path).expect("reopen");
        assert_eq!(version(&c), 99);
        let tables: i64 = c
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .expect("count");
        assert_eq!(tables, 0);
    }
}
