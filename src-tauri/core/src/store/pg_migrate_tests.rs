//! PostgreSQL's migrations on a private cluster: the schema says what SQLite's says, a
//! second run changes nothing, a newer database and a failing migration leave the
//! database as it was, a database that cannot search Chinese is refused untouched.

use super::*;
use crate::clock::SystemClock;
use crate::store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// SQLite's own search tables and bookkeeping, which PostgreSQL does otherwise.
fn sqlite_only(table: &str) -> bool {
    table.starts_with("sqlite_")
        || ["tickets_fts", "tickets_bigrams", "kb_search"]
            .iter()
            .any(|t| table.starts_with(t))
}

type Columns = BTreeMap<String, BTreeSet<String>>;

fn sqlite_columns() -> Columns {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path().join("t.db"), Arc::new(SystemClock)).expect("open");
    store
        .read(|c| {
            let tables: Vec<String> = c
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
                .query_map([], |r| r.get(0))?
                .collect::<crate::store::sql::Result<_>>()?;
            let mut out = Columns::new();
            for t in tables.into_iter().filter(|t| !sqlite_only(t)) {
                let cols = c
                    .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))?
                    .query_map([], |r| r.get(0))?
                    .collect::<crate::store::sql::Result<_>>()?;
                out.insert(t, cols);
            }
            Ok(out)
        })
        .expect("columns")
}

fn pg_columns(pg: &PgConn) -> Columns {
    pg.transaction(|c| {
        let mut out = Columns::new();
        let mut st = c.prepare(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name NOT IN ('schema_version', 'search_sizes', 'presence')",
        )?;
        for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (t, col) = row?;
            out.entry(t).or_default().insert(col);
        }
        Ok(out)
    })
    .expect("columns")
}

fn count(pg: &PgConn, sql: &str) -> i64 {
    pg.transaction(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .expect("count")
}

#[test]
fn the_schema_matches_sqlites_and_migrations_are_atomic() {
    let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
    let pg = PgConn::connect(&cluster.create_database("centre", "C.UTF-8").expect("db"))
        .expect("connect");
    let latest = PG_MIGRATIONS.len() as i64;
    assert_eq!(run(&pg, PG_MIGRATIONS).expect("migrate"), latest);
    assert_eq!(
        count(&pg, "SELECT max(version) FROM schema_version"),
        latest
    );
    // Every table and column SQLite has, and no other.
    assert_eq!(pg_columns(&pg), sqlite_columns());
    // The rows the migrations seed, as on SQLite.
    assert_eq!(count(&pg, "SELECT count(*) FROM categories"), 11);
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM users WHERE role = 'admin' AND active"
        ),
        1
    );
    // Ids go on after the seeded ones.
    let next: i64 = pg
        .transaction(|c| {
            Ok(c.insert(
                "INSERT INTO departments (code, name) VALUES ('water', '供水')",
                [],
            )?)
        })
        .expect("insert");
    assert_eq!(next, 2);
    // A second run changes nothing.
    assert_eq!(run(&pg, PG_MIGRATIONS).expect("again"), latest);
    assert_eq!(count(&pg, "SELECT count(*) FROM schema_version"), 1);

    // A failing migration leaves the previous version and nothing of itself.
    let mut bad = PG_MIGRATIONS.to_vec();
    bad.push(Migration {
        version: latest + 1,
        name: "bad",
        sql: "CREATE TABLE half_made (x BIGINT); SELECT 1 / 0;",
    });
    match run(&pg, &bad) {
        Err(Error::Migration { version, .. }) if version == latest + 1 => {}
        other => panic!("a failing migration: {other:?}"),
    }
    assert_eq!(
        count(&pg, "SELECT max(version) FROM schema_version"),
        latest
    );
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_made'"
        ),
        0
    );

    // A database from a newer version is refused, not touched.
    pg.transaction(|c| Ok(c.execute("UPDATE schema_version SET version = 99", [])?))
        .expect("bump");
    match run(&pg, PG_MIGRATIONS) {
        Err(Error::DatabaseTooNew {
            found: 99,
            supported,
        }) if supported == latest => {}
        other => panic!("a newer database: {other:?}"),
    }
    assert_eq!(count(&pg, "SELECT max(version) FROM schema_version"), 99);
}

#[test]
fn a_database_that_cannot_search_chinese_is_refused_untouched() {
    let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
    let pg = PgConn::connect(&cluster.create_database("plain", "C").expect("db")).expect("connect");
    // The reason is real: no trigram comes out of Chinese text under the C locale.
    pg.transaction(|c| {
        c.execute_batch("CREATE EXTENSION pg_trgm")?;
        let trigrams: String =
            c.query_row("SELECT show_trgm('路灯不亮')::text", [], |r| r.get(0))?;
        assert_eq!(trigrams, "{}");
        Ok(())
    })
    .expect("probe");
    let err = run(&pg, PG_MIGRATIONS).expect_err("refused");
    assert_eq!(err.code(), "database_locale");
    assert!(err.to_string().contains("C.UTF-8"), "{err}");
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ),
        0,
        "nothing made"
    );
}
