//! Backup rules that need no database: where backups may go, what a backup's name may
//! be, which old backups rotation keeps, and when the daily backup is due.
//! The work itself (snapshot, encryption, verify, restore) is `store::backup`.

use crate::error::{Error, Result};
use crate::files::{copy_progress, hex, write_atomic, Hashing, Progress};
use age::secrecy::SecretString;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Component, Path, PathBuf};

/// Encrypted backups end in this; `age -d` decrypts them without the app.
pub const SUFFIX: &str = ".hdb.age";
pub const MANIFEST_SUFFIX: &str = ".manifest.json";
pub const FORMAT: &str = "hotline-backup/1";
/// A PostgreSQL centre's backup: `pg_dump`'s custom format (`age -d … | pg_restore`).
pub const FORMAT_PG: &str = "hotline-backup-pg/1";
/// Administrators are warned when the last successful restore drill is older.
pub const DRILL_WARN_DAYS: i64 = 30;

/// A backup folder setting: empty (not set) or an absolute path without `..`.
pub fn check_folder(value: &str) -> Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    let p = Path::new(value);
    let bad = !p.is_absolute()
        || value.chars().any(char::is_control)
        || value.len() > 1024
        || p.components().any(|c| matches!(c, Component::ParentDir));
    if bad {
        return Err(Error::InvalidPath {
            path: value.chars().take(200).collect(),
        });
    }
    Ok(())
}

/// A backup is named, never given as a path: the name must be a plain file name of
/// ours, so no request can reach outside the backup folders.
pub fn resolve(folder: &Path, name: &str) -> Result<PathBuf> {
    let plain = !name.is_empty()
        && name.len() <= 200
        && name.ends_with(SUFFIX)
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && Path::new(name).components().count() == 1;
    if !plain {
        return Err(Error::InvalidPath {
            path: name.chars().take(200).collect(),
        });
    }
    Ok(folder.join(name))
}

/// `hotline-20261124-020000.hdb.age` for a backup taken at `at` (UTC).
pub fn file_name(at: DateTime<Utc>) -> String {
    format!("hotline-{}{SUFFIX}", at.format("%Y%m%d-%H%M%S"))
}

/// When a backup was taken, from its name.
pub fn taken_at(name: &str) -> Option<DateTime<Utc>> {
    let stem = name.strip_prefix("hotline-")?.strip_suffix(SUFFIX)?;
    chrono::NaiveDateTime::parse_from_str(stem, "%Y%m%d-%H%M%S")
        .ok()
        .map(|t| t.and_utc())
}

/// Rotation: the newest backup of each of the newest `daily` days and of each of the
/// newest `monthly` months stays; the rest is returned for deletion. Days and months
/// are the centre's local ones.
pub fn rotate(names: &[String], daily: usize, monthly: usize, tz: Tz) -> Vec<String> {
    let mut dated: Vec<(DateTime<Utc>, &String)> = names
        .iter()
        .filter_map(|n| taken_at(n).map(|t| (t, n)))
        .collect();
    dated.sort_by_key(|d| std::cmp::Reverse(d.0));
    let mut days: Vec<NaiveDate> = Vec::new();
    let mut months: Vec<(i32, u32)> = Vec::new();
    let mut keep: Vec<&String> = Vec::new();
    for (t, n) in &dated {
        let d = t.with_timezone(&tz).date_naive();
        let m = (d.year(), d.month());
        let mut kept = false;
        if !days.contains(&d) && days.len() < daily {
            days.push(d);
            kept = true;
        }
        if !months.contains(&m) && months.len() < monthly {
            months.push(m);
            kept = true;
        }
        if kept {
            keep.push(n);
        }
    }
    dated
        .into_iter()
        .filter(|(_, n)| !keep.contains(n))
        .map(|(_, n)| n.clone())
        .collect()
}

/// When the next scheduled backup is due: the next daily slot if a backup was taken
/// since the latest slot, else now (missed while the desk was off, or never taken).
pub fn next_due(
    now: DateTime<Utc>,
    last: Option<DateTime<Utc>>,
    at: NaiveTime,
    tz: Tz,
) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    let slot = |d: Option<NaiveDate>| {
        d.and_then(|d| tz.from_local_datetime(&d.and_time(at)).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now)
    };
    let (latest, next) = if slot(Some(today)) <= now {
        (slot(Some(today)), slot(today.succ_opt()))
    } else {
        (slot(today.pred_opt()), slot(Some(today)))
    };
    match last {
        Some(l) if l >= latest => next,
        _ => now,
    }
}

/// Written beside each backup (and inside the chain of trust: its checksum covers the
/// encrypted file). No personal data: counts and hashes only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub app_version: String,
    pub created_at: DateTime<Utc>,
    pub schema_version: i64,
    pub tickets: i64,
    pub audit_entries: i64,
    pub audit_head: String,
    /// SHA-256 of the encrypted file.
    pub sha256: String,
    pub bytes: u64,
}

pub fn manifest_path(backup: &Path) -> PathBuf {
    let name = backup
        .file_name()
        .map(|n| n.to_string_lossy().trim_end_matches(SUFFIX).to_string())
        .unwrap_or_default();
    backup.with_file_name(format!("{name}{MANIFEST_SUFFIX}"))
}

pub fn read_manifest(backup: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(manifest_path(backup)).ok()?;
    serde_json::from_str(&text).ok()
}

pub fn age_error(e: age::DecryptError) -> Error {
    use age::DecryptError as D;
    match e {
        D::NoMatchingKeys | D::DecryptionFailed | D::KeyDecryptionFailed => Error::BackupPassphrase,
        other => Error::BackupCorrupt {
            reason: other.to_string(),
        },
    }
}

pub fn corrupt(reason: impl std::fmt::Display) -> Error {
    Error::BackupCorrupt {
        reason: reason.to_string(),
    }
}

/// What `fill` writes, encrypted with the passphrase into `target` (under a temporary
/// name, renamed when all is written): `fill`'s result, the encrypted file's SHA-256 and
/// size. Nothing unencrypted reaches the disk on the way.
pub fn encrypt_into<T>(
    target: &Path,
    passphrase: &str,
    fill: impl FnOnce(&mut dyn Write) -> crate::error::Result<T>,
) -> crate::error::Result<(T, String, u64)> {
    let mut out = None;
    write_atomic(target, |f| {
        let enc = age::Encryptor::with_user_passphrase(SecretString::from(passphrase.to_owned()));
        let mut hashing = Hashing {
            inner: &mut *f,
            hash: sha2::Sha256::default(),
            bytes: 0,
        };
        let value = {
            let mut w = enc.wrap_output(&mut hashing)?;
            let value = fill(&mut w)?;
            w.finish()?;
            value
        };
        out = Some((
            value,
            hex(sha2::Digest::finalize(hashing.hash)),
            hashing.bytes,
        ));
        Ok(())
    })?;
    out.ok_or_else(|| Error::Internal("encrypt_into wrote nothing".into()))
}

/// A decrypted backup in a private temporary file, removed on drop.
pub struct Plain {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn decrypt(
    file: &Path,
    passphrase: &str,
    near: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<Plain> {
    let total = std::fs::metadata(file)?.len();
    let input = BufReader::new(File::open(file)?);
    let decryptor = age::Decryptor::new_buffered(input).map_err(age_error)?;
    if !decryptor.is_scrypt() {
        return Err(corrupt("not a passphrase-encrypted backup"));
    }
    let identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(age_error)?;
    // Beside the live database (same disk, same protection), never in a shared /tmp.
    let dir = tempfile::Builder::new()
        .prefix(".hotline-verify-")
        .tempdir_in(near)?;
    let path = dir.path().join("backup.db");
    let mut out = File::create(&path)?;
    copy_progress(&mut reader, &mut out, total, "decrypt", progress).map_err(corrupt)?;
    out.sync_all()?;
    Ok(Plain { _dir: dir, path })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    #[test]
    fn folders_must_be_absolute_and_names_plain() {
        assert!(check_folder("").is_ok());
        assert!(check_folder("/mnt/offsite/hotline").is_ok());
        for bad in ["backups", "/mnt/../etc", "/tmp/a\u{0}b"] {
            assert_eq!(
                check_folder(bad).map_err(|e| e.code()),
                Err("invalid_path"),
                "{bad}"
            );
        }
        let dir = Path::new("/b");
        assert_eq!(
            resolve(dir, "hotline-20261124-020000.hdb.age").ok(),
            Some(PathBuf::from("/b/hotline-20261124-020000.hdb.age"))
        );
        for bad in [
            "../hotline-1.hdb.age",
            "/etc/passwd",
            "a/b.hdb.age",
            "..hdb.age",
            "hotline.db",
            "",
            "x\\..\\y.hdb.age",
        ] {
            assert_eq!(
                resolve(dir, bad).map_err(|e| e.code()),
                Err("invalid_path"),
                "{bad}"
            );
        }
    }

    #[test]
    fn rotation_keeps_the_newest_of_each_day_and_month() {
        let at = |s: &str| {
            file_name(
                DateTime::parse_from_rfc3339(s)
                    .expect("t")
                    .with_timezone(&Utc),
            )
        };
        let names = vec![
            at("2026-11-24T18:00:00Z"), // 11-25 02:00 local
            at("2026-11-24T10:00:00Z"), // 11-24 local, newer of two
            at("2026-11-24T01:00:00Z"), // 11-24 local, older: goes
            at("2026-11-22T18:00:00Z"), // 11-23 local: beyond 2 daily; month already kept
            at("2026-10-15T18:00:00Z"), // October's newest: kept monthly
            at("2026-10-01T18:00:00Z"), // October's older: goes
            at("2026-09-15T18:00:00Z"), // beyond 2 monthly: goes
        ];
        let mut gone = rotate(&names, 2, 2, Shanghai);
        gone.sort();
        let mut want = vec![
            names[2].clone(),
            names[3].clone(),
            names[5].clone(),
            names[6].clone(),
        ];
        want.sort();
        assert_eq!(gone, want);
        assert_eq!(
            taken_at(&names[0]).map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-24T18:00:00+00:00")
        );
    }

    #[test]
    fn the_daily_backup_is_due_at_its_time_and_at_once_when_missed() {
        let t = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("t")
                .with_timezone(&Utc)
        };
        let two = NaiveTime::from_hms_opt(2, 0, 0).expect("time");
        // 01:00 local, last backup yesterday 02:00: due today 02:00 local.
        assert_eq!(
            next_due(
                t("2026-11-23T17:00:00Z"),
                Some(t("2026-11-22T18:00:00Z")),
                two,
                Shanghai
            ),
            t("2026-11-23T18:00:00Z")
        );
        // 09:00 local, today's 02:00 backup done: due tomorrow 02:00.
        assert_eq!(
            next_due(
                t("2026-11-24T01:00:00Z"),
                Some(t("2026-11-23T18:00:05Z")),
                two,
                Shanghai
            ),
            t("2026-11-24T18:00:00Z")
        );
        // 09:00 local, last backup two days ago: missed, due now.
        let now = t("2026-11-24T01:00:00Z");
        assert_eq!(
            next_due(now, Some(t("2026-11-21T18:00:00Z")), two, Shanghai),
            now
        );
        // Never backed up: at once.
        assert_eq!(next_due(now, None, two, Shanghai), now);
    }
}
