//! Online backups, restore drills and restores.
//!
//! A backup is a consistent snapshot (`VACUUM INTO` on a connection of its own, so
//! agents keep working), encrypted with the centre's passphrase in the age format
//! (age crate; `age -d` opens it without this app), written beside a manifest with its
//! SHA-256, copied to the offsite folder and verified there, then old ones rotated.
//! Verify decrypts into a private temporary file and checks integrity, foreign keys,
//! counts and the audit chain: each verify is a restore drill. Restore verifies first,
//! keeps the current database aside, then copies the backup in with SQLite's online
//! backup API (other connections see the new content, nothing is reopened).

use super::audit::{self, append};
use super::db::{from_ms, lock, ms, Store};
use super::migrate::MIGRATIONS;
use super::sql::{self, OptionalExtension};
use crate::backup::{self as rules, Manifest, FORMAT};
use crate::backup::{corrupt, decrypt, manifest_path, read_manifest, Plain};
use crate::error::{Error, Result};
use crate::files::{copy_progress, hex, sha256_file, write_atomic, Hashing, Progress};
use crate::model::User;
use age::secrecy::SecretString;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const PASSPHRASE_MIN: usize = 12;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupInfo {
    pub name: String,
    pub folder: String,
    pub offsite: bool,
    pub manifest: Option<Manifest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillReport {
    pub name: String,
    pub ok: bool,
    pub checks: Vec<Check>,
    pub tickets: i64,
    pub schema_version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drill {
    pub at: DateTime<Utc>,
    pub file: String,
    pub ok: bool,
    pub detail: serde_json::Value,
}

/// What administrators see at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupStatus {
    pub configured: bool,
    pub passphrase_set: bool,
    pub last_backup: Option<DateTime<Utc>>,
    pub last_good_drill: Option<Drill>,
    /// No successful drill within `DRILL_WARN_DAYS`.
    pub drill_overdue: bool,
}

/// Every check a restore drill makes on a decrypted backup.
fn inspect(plain: &Path, manifest: Option<&Manifest>) -> Result<(Vec<Check>, i64, i64)> {
    let c =
        Connection::open_with_flags(plain, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(corrupt)?;
    let mut checks = Vec::new();
    let mut check = |name: &str, ok: bool, detail: String| {
        checks.push(Check {
            name: name.into(),
            ok,
            detail,
        })
    };
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
    if version > supported {
        return Err(Error::BackupTooNew {
            found: version,
            supported,
        });
    }
    let integrity: Vec<String> = c
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    check(
        "integrity_check",
        integrity == ["ok"],
        integrity.join("; ").chars().take(500).collect(),
    );
    let fk: i64 = c
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |_| Ok(()))?
        .count() as i64;
    check("foreign_key_check", fk == 0, format!("{fk} violations"));
    let tickets: i64 = c
        .query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))
        .unwrap_or(-1);
    let events: i64 = c
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap_or(-1);
    match manifest {
        Some(m) => check(
            "counts",
            m.tickets == tickets,
            format!(
                "{tickets} tickets ({} in the manifest), {events} events",
                m.tickets
            ),
        ),
        None => check(
            "counts",
            tickets >= 0,
            format!("{tickets} tickets, {events} events"),
        ),
    }
    if version >= 8 {
        let chain = audit::verify(&sql::Connection::lite(&c))?;
        let matches_manifest = manifest.is_none_or(|m| m.audit_head == chain.head);
        check(
            "audit_chain",
            chain.ok && matches_manifest,
            format!(
                "{} entries{}",
                chain.entries,
                chain
                    .broken_at
                    .map(|b| format!(", broken at {b}"))
                    .unwrap_or_default()
            ),
        );
    }
    Ok((checks, tickets, version))
}

impl Store {
    fn secret(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT value FROM secrets WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })
    }

    /// The passphrase scheduled backups are encrypted with. Never shown again.
    pub fn set_backup_passphrase(&self, actor: &User, passphrase: &str) -> Result<()> {
        if passphrase.chars().count() < PASSPHRASE_MIN || passphrase.len() > 1024 {
            return Err(Error::WeakPassword {
                min: PASSPHRASE_MIN,
                max: 1024,
            });
        }
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO secrets (key, value) VALUES ('backup_passphrase', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [passphrase],
            )?;
            append(
                tx,
                now,
                Some(actor),
                "backup_passphrase_set",
                "",
                &json!({}),
            )
        })
    }

    fn passphrase(&self, given: Option<&str>) -> Result<String> {
        match given.filter(|p| !p.is_empty()) {
            Some(p) => Ok(p.to_string()),
            None => self
                .secret("backup_passphrase")?
                .ok_or(Error::NotConfigured("backup_passphrase")),
        }
    }

    fn folder(&self, key: &'static str) -> Result<Option<PathBuf>> {
        let v = self.setting(key)?;
        Ok((!v.is_empty()).then(|| PathBuf::from(v)))
    }

    fn work_dir(&self) -> PathBuf {
        self.path()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// When the next scheduled backup is due (`backup::next_due`: the configured local time,
    /// or now when one was missed); `None` until a folder and a passphrase are set.
    pub fn next_backup(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        // A PostgreSQL store is not backed up as a file (pg_dump's backups are its own).
        if self.sqlite().is_err() {
            return Ok(None);
        }
        let status = self.backup_status()?;
        if !status.configured || !status.passphrase_set {
            return Ok(None);
        }
        let at = chrono::NaiveTime::parse_from_str(&self.setting("backup_time")?, "%H:%M")
            .unwrap_or_default();
        Ok(Some(crate::backup::next_due(
            self.now(),
            status.last_backup,
            at,
            self.timezone()?,
        )))
    }

    /// The scheduled backup, when it is due: taken, then verified by a restore drill (so an
    /// unreadable backup is known the day it is made). `None` when not due.
    pub fn scheduled_backup(&self) -> Result<Option<(BackupInfo, DrillReport)>> {
        match self.next_backup()? {
            Some(at) if at <= self.now() => {
                let info = self.backup_now(None, None, &mut |_| {})?;
                let drill = self.verify_backup(None, &info.name, None, &mut |_| {})?;
                Ok(Some((info, drill)))
            }
            _ => Ok(None),
        }
    }

    /// Takes a backup now into the backup folder (and the offsite folder), then rotates.
    pub fn backup_now(
        &self,
        actor: Option<&User>,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupInfo> {
        // Refused before any folder or snapshot is made.
        self.sqlite()?;
        let folder = self
            .folder("backup_dir")?
            .ok_or(Error::NotConfigured("backup_dir"))?;
        let pass = self.passphrase(passphrase)?;
        std::fs::create_dir_all(&folder)?;
        let now = self.now();
        let name = rules::file_name(now);
        let target = folder.join(&name);

        // 1. A consistent snapshot on a connection of its own: writers are not blocked.
        let snap_dir = tempfile::Builder::new()
            .prefix(".hotline-snapshot-")
            .tempdir_in(self.work_dir())?;
        let snap = snap_dir.path().join("snapshot.db");
        {
            let c = Connection::open_with_flags(self.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            c.busy_timeout(std::time::Duration::from_secs(30))?;
            c.execute("VACUUM INTO ?1", [snap.to_string_lossy().as_ref()])?;
        }
        let (tickets, schema_version, chain) = {
            let c = Connection::open_with_flags(&snap, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            (
                c.query_row("SELECT count(*) FROM tickets", [], |r| r.get::<_, i64>(0))?,
                c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?,
                audit::verify(&sql::Connection::lite(&c))?,
            )
        };

        // 2. Encrypt into the folder, hashing what is written.
        let total = std::fs::metadata(&snap)?.len();
        let (mut sha, mut bytes) = (String::new(), 0u64);
        write_atomic(&target, |f| {
            let enc = age::Encryptor::with_user_passphrase(SecretString::from(pass.clone()));
            let mut hashing = Hashing {
                inner: &mut *f,
                hash: Sha256::new(),
                bytes: 0,
            };
            {
                let mut w = enc.wrap_output(&mut hashing)?;
                copy_progress(&mut File::open(&snap)?, &mut w, total, "encrypt", progress)?;
                w.finish()?;
            }
            bytes = hashing.bytes;
            sha = hex(hashing.hash.finalize());
            Ok(())
        })?;
        drop(snap_dir);
        let manifest = Manifest {
            format: FORMAT.into(),
            app_version: env!("CARGO_PKG_VERSION").into(),
            created_at: now,
            schema_version,
            tickets,
            audit_entries: chain.entries,
            audit_head: chain.head,
            sha256: sha,
            bytes,
        };
        let text = serde_json::to_string_pretty(&manifest)?;
        write_atomic(&manifest_path(&target), |f| {
            Ok(f.write_all(text.as_bytes())?)
        })?;

        // 3. Offsite copy, verified against the checksum.
        let mut offsite = false;
        if let Some(off) = self.folder("backup_offsite_dir")? {
            std::fs::create_dir_all(&off)?;
            let copy = off.join(&name);
            write_atomic(&copy, |f| {
                let total = manifest.bytes;
                copy_progress(&mut File::open(&target)?, f, total, "offsite", progress)?;
                Ok(())
            })?;
            if sha256_file(&copy)?.0 != manifest.sha256 {
                return Err(corrupt("the offsite copy differs from the backup"));
            }
            write_atomic(&manifest_path(&copy), |f| Ok(f.write_all(text.as_bytes())?))?;
            offsite = true;
        }

        // 4. Rotation in each folder.
        let tz = self.timezone()?;
        let daily: usize = self.setting("backup_keep_daily")?.parse().unwrap_or(7);
        let monthly: usize = self.setting("backup_keep_monthly")?.parse().unwrap_or(12);
        let mut removed = 0;
        for dir in std::iter::once(folder.clone()).chain(self.folder("backup_offsite_dir")?) {
            let names = backup_names(&dir)?;
            for old in rules::rotate(&names, daily, monthly, tz) {
                let p = dir.join(&old);
                std::fs::remove_file(&p)?;
                let _ = std::fs::remove_file(manifest_path(&p));
                removed += 1;
            }
        }
        self.audit(
            actor,
            "backup",
            &name,
            json!({"bytes": bytes, "tickets": tickets, "offsite": offsite, "rotated": removed}),
        )?;
        Ok(BackupInfo {
            name,
            folder: folder.display().to_string(),
            offsite,
            manifest: Some(manifest),
        })
    }

    /// Backups in the backup folder, newest first, marked when the offsite copy exists.
    pub fn backups(&self) -> Result<Vec<BackupInfo>> {
        let Some(folder) = self.folder("backup_dir")? else {
            return Ok(vec![]);
        };
        let off = self.folder("backup_offsite_dir")?;
        let mut names = backup_names(&folder)?;
        names.sort_by(|a, b| b.cmp(a));
        Ok(names
            .into_iter()
            .map(|name| {
                let path = folder.join(&name);
                BackupInfo {
                    offsite: off.as_ref().is_some_and(|o| o.join(&name).is_file()),
                    manifest: read_manifest(&path),
                    folder: folder.display().to_string(),
                    name,
                }
            })
            .collect())
    }

    /// Finds a backup by name in the backup folder, else the offsite folder.
    fn locate(&self, name: &str) -> Result<PathBuf> {
        for key in ["backup_dir", "backup_offsite_dir"] {
            if let Some(dir) = self.folder(key)? {
                let p = rules::resolve(&dir, name)?;
                if p.is_file() {
                    return Ok(p);
                }
            }
        }
        Err(Error::NotFound {
            entity: "backup",
            key: name.chars().take(200).collect(),
        })
    }

    /// Decrypts and checks a backup; every verify is recorded as a restore drill.
    pub fn verify_backup(
        &self,
        actor: Option<&User>,
        name: &str,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<DrillReport> {
        self.sqlite()?;
        let path = self.locate(name)?;
        let outcome = self.drill(&path, passphrase, progress);
        let (ok, detail) = match &outcome {
            Ok((r, _)) => (r.ok, json!({"checks": r.checks, "tickets": r.tickets})),
            Err(e) => (false, json!({"code": e.code(), "message": e.to_string()})),
        };
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO restore_drills (at, file, ok, detail, actor_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                super::sql::params![ms(now), name, ok, detail.to_string(), actor.map(|u| u.id)],
            )?;
            append(tx, now, actor, "restore_drill", name, &json!({"ok": ok}))
        })?;
        outcome.map(|(r, _)| r)
    }

    fn drill(
        &self,
        path: &Path,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(DrillReport, Plain)> {
        let pass = self.passphrase(passphrase)?;
        let manifest = read_manifest(path);
        let mut checks = Vec::new();
        if let Some(m) = &manifest {
            let (sha, _) = sha256_file(path)?;
            if sha != m.sha256 {
                return Err(corrupt("checksum differs from the manifest"));
            }
            checks.push(Check {
                name: "checksum".into(),
                ok: true,
                detail: sha,
            });
        }
        let plain = decrypt(path, &pass, &self.work_dir(), progress)?;
        let (more, tickets, schema_version) = inspect(&plain.path, manifest.as_ref())?;
        checks.extend(more);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok((
            DrillReport {
                ok: checks.iter().all(|c| c.ok),
                name,
                checks,
                tickets,
                schema_version,
            },
            plain,
        ))
    }

    /// Replaces the database with a verified backup. The current content is kept aside
    /// first (its path is returned); a backup that fails any check changes nothing.
    pub fn restore_backup(
        &self,
        actor: Option<&User>,
        name: &str,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<PathBuf> {
        self.sqlite()?;
        let path = self.locate(name)?;
        let (report, plain) = self.drill(&path, passphrase, progress)?;
        if !report.ok {
            let failed: Vec<_> = report
                .checks
                .iter()
                .filter(|c| !c.ok)
                .map(|c| c.name.clone())
                .collect();
            return Err(corrupt(format!("failed checks: {}", failed.join(", "))));
        }
        let now = self.now();
        let aside = self
            .work_dir()
            .join(format!("before-restore-{}.db", now.format("%Y%m%d-%H%M%S")));
        {
            let c = Connection::open_with_flags(self.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            c.execute("VACUUM INTO ?1", [aside.to_string_lossy().as_ref()])?;
        }
        let src = Connection::open_with_flags(&plain.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        {
            let mut w = lock(&self.sqlite()?.writer);
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
        let carried = {
            let mut w = lock(&self.sqlite()?.writer);
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
            carried?
        };
        let detail = json!({
            "aside": aside.display().to_string(),
            "tickets": report.tickets,
            "audit_entries_carried": carried,
        });
        self.write(|tx| {
            tx.execute(
                "INSERT INTO restore_drills (at, file, ok, detail, actor_id) VALUES (?1, ?2, 1, ?3, ?4)",
                super::sql::params![ms(now), name, detail.to_string(), actor.map(|u| u.id)],
            )?;
            append(tx, now, actor, "restore", name, &detail)
        })?;
        Ok(aside)
    }

    pub fn backup_status(&self) -> Result<BackupStatus> {
        let now = self.now();
        let last_good_drill = self.read(|c| {
            Ok(c.query_row(
                "SELECT at, file, ok, detail FROM restore_drills WHERE ok = TRUE ORDER BY at DESC LIMIT 1",
                [],
                |r| {
                    Ok(Drill {
                        at: from_ms(r.get(0)?),
                        file: r.get(1)?,
                        ok: r.get(2)?,
                        detail: serde_json::from_str(&r.get::<_, String>(3)?)
                            .unwrap_or_default(),
                    })
                },
            )
            .optional()?)
        })?;
        let backups = self.backups()?;
        Ok(BackupStatus {
            configured: self.folder("backup_dir")?.is_some(),
            passphrase_set: self.secret("backup_passphrase")?.is_some(),
            last_backup: backups.first().and_then(|b| {
                b.manifest
                    .as_ref()
                    .map(|m| m.created_at)
                    .or_else(|| rules::taken_at(&b.name))
            }),
            drill_overdue: last_good_drill
                .as_ref()
                .is_none_or(|d| now - d.at > Duration::days(rules::DRILL_WARN_DAYS)),
            last_good_drill,
        })
    }
}

/// A restore must not erase the record of what happened since the backup: the audit
/// entries written after it (and every drill) are carried over from the data kept aside.
/// The restored log is a prefix of the live one, so the entries keep their hashes and
/// the chain stays whole. Returns how many entries were carried (None: the backup's log
/// is not an ancestor of the live one, e.g. another centre's file).
/// The data kept aside is attached as `aside`.
fn carry_over(tx: &sql::Connection) -> Result<Option<i64>> {
    {
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
}

fn backup_names(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for e in entries {
                let name = e?.file_name().to_string_lossy().into_owned();
                if rules::taken_at(&name).is_some() {
                    out.push(name);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    Ok(out)
}

#[cfg(test)]
#[path = "backup_tests.rs"]
mod tests;
