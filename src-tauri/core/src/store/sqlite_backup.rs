//! The SQLite file's own parts of backups: a consistent snapshot (`VACUUM INTO` on a
//! connection of its own, so agents keep working), the checks of a decrypted copy
//! (SQLite's integrity and foreign-key checks), and the copy of a verified backup into
//! the live file with SQLite's online backup API (other connections see the new content,
//! nothing is reopened).

use super::audit;
use super::db::{lock, Store};
use super::drill::{Check, Contents, Restored};
use super::migrate::MIGRATIONS;
use super::sql::{self, OptionalExtension};
use crate::backup::corrupt;
use crate::error::Result;
use crate::files::Progress;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// A snapshot of the live file in a private temporary folder, removed on drop.
pub(super) struct Snapshot {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub contents: Contents,
}

/// A consistent copy of the file, taken beside it; writers are not blocked.
pub(super) fn snapshot(live: &Path, near: &Path) -> Result<Snapshot> {
    let dir = tempfile::Builder::new()
        .prefix(".hotline-snapshot-")
        .tempdir_in(near)?;
    let path = dir.path().join("snapshot.db");
    {
        let c = Connection::open_with_flags(live, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        c.busy_timeout(std::time::Duration::from_secs(30))?;
        c.execute("VACUUM INTO ?1", [path.to_string_lossy().as_ref()])?;
    }
    let contents = {
        let c = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Contents {
            tickets: c.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))?,
            schema_version: c.query_row("PRAGMA user_version", [], |r| r.get(0))?,
            chain: audit::verify(&sql::Connection::lite(&c))?,
        }
    };
    Ok(Snapshot {
        _dir: dir,
        path,
        contents,
    })
}

/// What a decrypted backup file holds, and SQLite's own checks of it.
pub(super) fn inspect(plain: &Path) -> Result<Restored> {
    let c =
        Connection::open_with_flags(plain, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(corrupt)?;
    let header_ok = c
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .is_ok();
    if !header_ok {
        return Err(corrupt("not a database"));
    }
    let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = MIGRATIONS.last().map(|m| m.version).unwrap_or(0);
    // Refused before anything of a newer schema is read.
    if version > supported {
        return Err(crate::error::Error::BackupTooNew {
            found: version,
            supported,
        });
    }
    let mut checks = Vec::new();
    let integrity: Vec<String> = c
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    checks.push(Check::new(
        "integrity_check",
        integrity == ["ok"],
        integrity.join("; ").chars().take(500).collect(),
    ));
    let fk: i64 = c
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |_| Ok(()))?
        .count() as i64;
    checks.push(Check::new(
        "foreign_key_check",
        fk == 0,
        format!("{fk} violations"),
    ));
    checks.extend(super::drill::evaluations(
        &sql::Connection::lite(&c),
        version,
        MIGRATIONS,
    )?);
    let count = |table: &str| {
        c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap_or(-1)
    };
    Ok(Restored {
        checks,
        schema_version: version,
        supported,
        tickets: count("tickets"),
        events: count("events"),
        // The log is chained from schema 8 on.
        chain: if version >= 8 {
            Some(audit::verify(&sql::Connection::lite(&c))?)
        } else {
            None
        },
    })
}

/// Copies the verified backup at `plain` over the live database, after keeping the live
/// content aside at `aside`; brings an older backup to this version's schema and carries
/// the record of what happened since the backup over. Returns how many audit entries
/// were carried (`carry_over`).
pub(super) fn copy_in(
    store: &Store,
    plain: &Path,
    aside: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<Option<i64>> {
    {
        let c = Connection::open_with_flags(store.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        c.execute("VACUUM INTO ?1", [aside.to_string_lossy().as_ref()])?;
    }
    let src = Connection::open_with_flags(plain, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let pool = store.sqlite()?;
    {
        let mut w = lock(&pool.writer);
        {
            let b = rusqlite::backup::Backup::new(&src, &mut w)?;
            let mut step = || -> Result<bool> {
                let more = b.step(256)? != rusqlite::backup::StepResult::Done;
                let p = b.progress();
                let total = p.pagecount.max(1) as u64;
                progress(Progress {
                    stage: "restore",
                    done: total - p.remaining.max(0) as u64,
                    total,
                });
                Ok(more)
            };
            while step()? {}
        }
        // An older backup is brought up to this version's schema.
        super::migrate::run(&mut w, MIGRATIONS)?;
        super::calendar::sync_official(&sql::Connection::lite(&w))?;
    }
    let mut w = lock(&pool.writer);
    w.execute(
        "ATTACH DATABASE ?1 AS aside",
        [aside.to_string_lossy().as_ref()],
    )?;
    let carried = (|| -> Result<Option<i64>> {
        let tx = w.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = carry_over(&sql::Connection::lite(&tx))?;
        tx.commit()?;
        Ok(n)
    })();
    w.execute("DETACH DATABASE aside", [])?;
    carried
}

/// A restore must not erase the record of what happened since the backup: the audit
/// entries written after it (and every drill) are carried over from the data kept aside.
/// The restored log is a prefix of the live one, so the entries keep their hashes and
/// the chain stays whole. Returns how many entries were carried (None: the backup's log
/// is not an ancestor of the live one, e.g. another centre's file).
/// The data kept aside is attached as `aside`.
fn carry_over(tx: &sql::Connection) -> Result<Option<i64>> {
    tx.execute_batch(
        "DELETE FROM main.restore_drills;
         INSERT INTO main.restore_drills SELECT * FROM aside.restore_drills;",
    )?;
    let head: (i64, String) = tx
        .query_row(
            "SELECT id, hash FROM main.audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, audit::GENESIS.to_string()));
    let ancestor = head.0 == 0
        || tx.query_row(
            "SELECT count(*) FROM aside.audit_log WHERE id = ?1 AND hash = ?2",
            super::sql::params![head.0, head.1],
            |r| r.get::<_, i64>(0),
        )? == 1;
    if !ancestor {
        return Ok(None);
    }
    let n = tx.execute(
        "INSERT INTO main.audit_log SELECT * FROM aside.audit_log WHERE id > ?1 ORDER BY id",
        [head.0],
    )?;
    Ok(Some(n as i64))
}
