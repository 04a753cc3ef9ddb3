//! Moving a centre from its SQLite file to PostgreSQL (`hotline-server migrate-store`):
//! the file read in one snapshot, every row of every table copied in one PostgreSQL
//! transaction (binary COPY, each value as its column's type), each table's count checked
//! on arrival, the identity sequences set past the copied ids (ticket numbers and ids go
//! on where the file left off), and the audit chain walked on arrival and compared with
//! the file's. Any difference and nothing is committed.

use super::audit::{self, AuditReport};
use super::db::{lock, Backend, Store};
use super::sql::Connection;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::sql_value::Value;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// What a move copied and found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relocation {
    /// Rows per table, in the order they were copied (a table after those it refers to).
    pub tables: Vec<(String, i64)>,
    /// The audit chain as walked in PostgreSQL: equal to the file's.
    pub audit: AuditReport,
}

/// Copies the centre in the SQLite file `from` into the PostgreSQL database `to`, which
/// must be new (migrated here; nothing but the seeded reference data in it).
pub fn relocate(from: &Path, to: &str, clock: Arc<dyn Clock>) -> Result<Relocation> {
    // Opening would make a new, empty file where a path was mistyped: a centre that is
    // not there is refused before anything is made, here or in PostgreSQL.
    if !from.is_file() {
        return Err(Error::InvalidPath {
            path: from.display().to_string(),
        });
    }
    // Opening refuses a file a server holds, and brings an older file up to date.
    let source = Store::open(from, clock.clone())?;
    let target = Store::open_postgres(to, clock, 1)?;
    let Backend::Pg(pool) = &target.db else {
        return Err(Error::Internal("not a PostgreSQL store".into()));
    };
    let pg = lock(&pool.writer);
    source.snapshot(|src| {
        let before = audit::verify(src)?;
        if !before.ok {
            return Err(Error::CopyMismatch {
                what: format!(
                    "the file's audit chain breaks at entry {}",
                    before.broken_at.unwrap_or_default()
                ),
            });
        }
        // The write lock every writer takes first: no instance writes meanwhile.
        pg.transaction(|dst| {
            let tables = tables_in_order(dst)?;
            let occupied: Vec<&str> = ["tickets", "audit_log", "events", "customers"]
                .into_iter()
                .filter(|t| count(dst, t).map(|n| n > 0).unwrap_or(true))
                .collect();
            if !occupied.is_empty() {
                return Err(Error::StoreNotEmpty {
                    tables: occupied.join(", "),
                });
            }
            // The seeded reference data makes way for the file's own.
            let all: Vec<String> = tables.iter().map(|(t, _)| format!("\"{t}\"")).collect();
            dst.execute_batch(&format!("TRUNCATE {} RESTART IDENTITY", all.join(", ")))?;
            let mut copied = Vec::with_capacity(tables.len());
            for (table, columns) in &tables {
                let list: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
                let mut st =
                    src.prepare(&format!("SELECT {} FROM \"{table}\"", list.join(", ")))?;
                let mut rows = st.query([])?;
                let mut next = std::iter::from_fn(|| match rows.next() {
                    Ok(Some(r)) => Some(
                        (0..columns.len())
                            .map(|i| r.get::<_, Value>(i).map_err(Error::from))
                            .collect::<Result<Vec<_>>>(),
                    ),
                    Ok(None) => None,
                    Err(e) => Some(Err(e.into())),
                });
                let sent = pg.copy_in(table, columns, &mut next)?;
                let (in_file, arrived) = (count(src, table)?, count(dst, table)?);
                if in_file != arrived || u64::try_from(in_file).ok() != Some(sent) {
                    return Err(Error::CopyMismatch {
                        what: format!("{table}: {in_file} rows in the file, {arrived} arrived"),
                    });
                }
                copied.push((table.clone(), arrived));
            }
            continue_sequences(dst)?;
            let after = audit::verify(dst)?;
            if after != before {
                return Err(Error::CopyMismatch {
                    what: format!(
                        "audit chain: {} entries ending {} in the file, {} ending {} arrived",
                        before.entries, before.head, after.entries, after.head
                    ),
                });
            }
            Ok(Relocation {
                tables: copied,
                audit: after,
            })
        })
    })
}

fn count(c: &Connection, table: &str) -> Result<i64> {
    Ok(
        c.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
            r.get(0)
        })?,
    )
}

/// The store's tables with their columns, each after the tables it refers to (a table's
/// references to itself are checked at the end of its one COPY statement). PostgreSQL's
/// own bookkeeping (the search indexes' sizes, kept by triggers as rows arrive; who has a
/// ticket open) is not copied.
fn tables_in_order(c: &Connection) -> Result<Vec<(String, Vec<String>)>> {
    let mut columns: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut st = c.prepare(
        "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.table_name NOT IN ('schema_version', 'search_sizes', 'presence')
         ORDER BY c.table_name, c.ordinal_position",
    )?;
    for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (table, column) = row?;
        columns.entry(table).or_default().push(column);
    }
    let mut refers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut st = c.prepare(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
         WHERE contype = 'f' AND connamespace = 'public'::regnamespace",
    )?;
    for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (from, to) = row?;
        if from != to {
            refers.entry(from).or_default().insert(to);
        }
    }
    let mut order: Vec<(String, Vec<String>)> = Vec::with_capacity(columns.len());
    let mut placed: BTreeSet<String> = BTreeSet::new();
    while placed.len() < columns.len() {
        let ready: Vec<String> = columns
            .keys()
            .filter(|t| !placed.contains(*t))
            .filter(|t| {
                refers.get(*t).is_none_or(|r| {
                    r.iter()
                        .all(|d| placed.contains(d) || !columns.contains_key(d))
                })
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            return Err(Error::Internal(
                "the tables refer to each other in a circle".into(),
            ));
        }
        for t in ready {
            placed.insert(t.clone());
            let cols = columns.get(&t).cloned().unwrap_or_default();
            order.push((t, cols));
        }
    }
    Ok(order)
}

/// Each identity column's sequence set past the largest id copied.
fn continue_sequences(c: &Connection) -> Result<()> {
    let identities: Vec<(String, String)> = c
        .prepare(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND is_identity = 'YES' ORDER BY table_name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<super::sql::Result<_>>()?;
    for (table, column) in identities {
        c.query_row(
            &format!(
                "SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'),
                               (SELECT coalesce(max(\"{column}\"), 0) + 1 FROM \"{table}\"), false)"
            ),
            [],
            |r| r.get::<_, i64>(0),
        )?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "relocate_tests.rs"]
mod tests;
