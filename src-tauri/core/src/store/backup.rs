//! Online backups, restore drills and restores, on either database.
//!
//! A backup is a consistent snapshot (SQLite: `sqlite_backup`; PostgreSQL: `pg_dump`,
//! `pg_backup`), encrypted with the centre's passphrase in the age format (age crate;
//! `age -d` opens it without this app), written beside a manifest with its SHA-256,
//! copied to the offsite folder and verified there, then old ones rotated. Verify
//! decrypts into a private temporary file and checks it (the database's own checks,
//! counts, the audit chain): each verify is a restore drill, recorded. Restore (SQLite)
//! verifies first, keeps the current database aside, then copies the backup in.

use super::audit::append;
use super::db::{from_ms, ms, Store};
pub use super::drill::Check;
use super::drill::{judge, Contents, Restored};
use super::sql::OptionalExtension;
use super::sqlite_backup;
use crate::backup::{self as rules, Manifest, FORMAT, FORMAT_PG};
use crate::backup::{corrupt, decrypt, manifest_path, read_manifest, Plain};
use crate::error::{Error, Result};
use crate::files::{copy_progress, sha256_file, write_atomic, Progress};
use crate::model::User;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
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

    /// Where a snapshot or a decrypted copy is kept while it is checked: beside the live
    /// file (same disk, same protection), never in a shared /tmp; for PostgreSQL, whose
    /// data is no file here, in the backup folder.
    fn work_dir(&self) -> Result<PathBuf> {
        if self.is_postgres() {
            return self
                .folder("backup_dir")?
                .ok_or(Error::NotConfigured("backup_dir"));
        }
        Ok(self
            .path()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")))
    }

    /// The snapshot taken and encrypted into `target`: what it holds, the encrypted
    /// file's SHA-256 and size, and the backup's format.
    fn seal(
        &self,
        target: &Path,
        pass: &str,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Contents, String, u64, &'static str)> {
        #[cfg(feature = "postgres")]
        if let Some(url) = self.pg_url() {
            let (contents, sha, bytes) =
                rules::encrypt_into(target, pass, |w| super::pg_backup::dump(&url, w, progress))?;
            return Ok((contents, sha, bytes, rules::FORMAT_PG));
        }
        let snap = sqlite_backup::snapshot(self.path(), &self.work_dir()?)?;
        let total = std::fs::metadata(&snap.path)?.len();
        let ((), sha, bytes) = rules::encrypt_into(target, pass, |mut w| {
            copy_progress(
                &mut File::open(&snap.path)?,
                &mut w,
                total,
                "encrypt",
                progress,
            )?;
            Ok(())
        })?;
        Ok((snap.contents, sha, bytes, FORMAT))
    }

    /// A decrypted backup opened (SQLite) or restored into a scratch database
    /// (PostgreSQL), and what it was found to hold.
    fn inspect(&self, plain: &Path) -> Result<Restored> {
        #[cfg(feature = "postgres")]
        if let Some(url) = self.pg_url() {
            return super::pg_backup::inspect(&url, plain);
        }
        sqlite_backup::inspect(plain)
    }

    /// When the next scheduled backup is due (`backup::next_due`: the configured local time,
    /// or now when one was missed); `None` until a folder and a passphrase are set.
    pub fn next_backup(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
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
        let folder = self
            .folder("backup_dir")?
            .ok_or(Error::NotConfigured("backup_dir"))?;
        let pass = self.passphrase(passphrase)?;
        std::fs::create_dir_all(&folder)?;
        let now = self.now();
        let name = rules::file_name(now);
        let target = folder.join(&name);

        // 1. A consistent snapshot, encrypted into the folder; agents keep working.
        let (contents, sha, bytes, format) = self.seal(&target, &pass, progress)?;
        let tickets = contents.tickets;
        let manifest = Manifest {
            format: format.into(),
            app_version: env!("CARGO_PKG_VERSION").into(),
            created_at: now,
            schema_version: contents.schema_version,
            tickets,
            audit_entries: contents.chain.entries,
            audit_head: contents.chain.head,
            sha256: sha,
            bytes,
        };
        let text = serde_json::to_string_pretty(&manifest)?;
        write_atomic(&manifest_path(&target), |f| {
            Ok(f.write_all(text.as_bytes())?)
        })?;

        // 2. Offsite copy, verified against the checksum.
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

        // 3. Rotation in each folder.
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
            let expected = if self.is_postgres() {
                FORMAT_PG
            } else {
                FORMAT
            };
            if m.format != expected {
                return Err(corrupt(format!(
                    "a backup of another kind of database ({}; this centre's are {expected})",
                    m.format
                )));
            }
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
        let plain = decrypt(path, &pass, &self.work_dir()?, progress)?;
        let (more, tickets, schema_version) = judge(self.inspect(&plain.path)?, manifest.as_ref())?;
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
    /// A PostgreSQL centre is not replaced in place: its backup is restored with
    /// `pg_restore` into a new database the server is then pointed at (docs/postgresql.md).
    pub fn restore_backup(
        &self,
        actor: Option<&User>,
        name: &str,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<PathBuf> {
        if self.is_postgres() {
            return Err(Error::Unsupported {
                what: "restore_in_place",
            });
        }
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
            .work_dir()?
            .join(format!("before-restore-{}.db", now.format("%Y%m%d-%H%M%S")));
        let carried = sqlite_backup::copy_in(self, &plain.path, &aside, progress)?;
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
