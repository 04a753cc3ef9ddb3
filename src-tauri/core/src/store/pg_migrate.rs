//! PostgreSQL's migrations: numbered files of their own (`migrations/pg`), embedded like
//! SQLite's. Each runs in one transaction with its version (PostgreSQL's DDL is
//! transactional), under an advisory lock so that server instances starting together
//! migrate once; a failure leaves the previous version, a newer database is refused, and
//! so is a database whose character classes would leave Chinese search finding nothing.

use super::migrate::Migration;
use super::pg::PgConn;
use crate::error::{Error, Result};

pub const PG_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "schema",
        sql: include_str!("../../migrations/pg/0001_schema.sql"),
    },
    Migration {
        version: 2,
        name: "change_signal",
        sql: include_str!("../../migrations/pg/0002_change_signal.sql"),
    },
    Migration {
        version: 3,
        name: "search",
        sql: include_str!("../../migrations/pg/0003_search.sql"),
    },
    Migration {
        version: 4,
        name: "kb_search",
        sql: include_str!("../../migrations/pg/0004_kb_search.sql"),
    },
    Migration {
        version: 5,
        name: "json_each",
        sql: include_str!("../../migrations/pg/0005_json_each.sql"),
    },
    Migration {
        version: 6,
        name: "presence",
        sql: include_str!("../../migrations/pg/0006_presence.sql"),
    },
    Migration {
        version: 7,
        name: "search_sizes_per_statement",
        sql: include_str!("../../migrations/pg/0007_search_sizes_per_statement.sql"),
    },
    Migration {
        version: 8,
        name: "period_indexes_with_ids",
        sql: include_str!("../../migrations/pg/0008_period_indexes_with_ids.sql"),
    },
    Migration {
        version: 9,
        name: "evaluations",
        sql: include_str!("../../migrations/pg/0009_evaluations.sql"),
    },
];

/// The advisory lock migrations take (any number the centre's other locks do not use).
const MIGRATION_LOCK: i64 = 0x6864_6d69;

/// Refuses a database that is not UTF-8 or classifies characters as `C`/`POSIX`: there
/// `pg_trgm` extracts no trigram from Chinese text.
pub fn check_database(pg: &PgConn) -> Result<()> {
    let (encoding, ctype): (String, String) = pg.transaction(|c| {
        Ok(c.query_row(
            "SELECT pg_encoding_to_char(encoding)::text, datctype::text FROM pg_database WHERE datname = current_database()",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    })?;
    let utf8 = |s: &str| {
        let s = s.to_ascii_lowercase().replace('-', "");
        s == "utf8" || s.ends_with(".utf8")
    };
    if !utf8(&encoding) || !utf8(&ctype) {
        return Err(Error::DatabaseLocale {
            ctype: format!("{ctype} ({encoding})"),
        });
    }
    Ok(())
}

fn version(pg: &PgConn) -> Result<i64> {
    pg.transaction(|c| {
        // Under the lock: two instances creating the table at once would collide.
        c.execute("SELECT pg_advisory_xact_lock(?1)", [MIGRATION_LOCK])?;
        c.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
        Ok(c.query_row(
            "SELECT coalesce(max(version), 0) FROM schema_version",
            [],
            |r| r.get(0),
        )?)
    })
}

/// Brings the database to the newest schema of `migrations`; gives that version.
pub fn run(pg: &PgConn, migrations: &[Migration]) -> Result<i64> {
    check_database(pg)?;
    let supported = migrations.last().map_or(0, |m| m.version);
    let current = version(pg)?;
    if current > supported {
        return Err(Error::DatabaseTooNew {
            found: current,
            supported,
        });
    }
    for m in migrations.iter().filter(|m| m.version > current) {
        pg.transaction(|c| {
            c.execute("SELECT pg_advisory_xact_lock(?1)", [MIGRATION_LOCK])?;
            // Another instance may have applied it while this one waited for the lock.
            let now: i64 = c.query_row(
                "SELECT coalesce(max(version), 0) FROM schema_version",
                [],
                |r| r.get(0),
            )?;
            if now >= m.version {
                return Ok(());
            }
            c.execute_batch(m.sql).map_err(|e| Error::Migration {
                version: m.version,
                reason: e.to_string(),
            })?;
            c.execute("DELETE FROM schema_version", [])?;
            c.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [m.version],
            )?;
            Ok(())
        })?;
    }
    Ok(supported)
}

#[cfg(test)]
#[path = "pg_migrate_tests.rs"]
mod tests;
